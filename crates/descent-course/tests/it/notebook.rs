//! The notebook's seven runs: accuracies equal to the printed ones, costs within 1e-6 of the
//! printed ones, and close to numpy's replay of the notebook's code.

use std::time::Instant;

use descent_core::Backend;
use descent_course::{EPOCHS, Replay, Run, replay};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;

use crate::fixture::NOTEBOOK;

/// The largest |ours - numpy| allowed for a cost of the numpy replay in `notebook.txt`, and
/// for a final parameter relative to the largest one: same seeds and formulas, only the
/// rounding of the dot products, sums and `exp`/`log` differ (measured: at most 2.2e-16 for
/// the costs, 6e-15 for the parameters).
const NUMPY_TOL: f64 = 1e-12;

fn check<B: Backend<f64>>(run: Run) -> Replay<B> {
    let start = Instant::now();
    let res = replay::<B>(run).unwrap();
    let notebook = run.notebook();
    let name = run.name();
    assert_eq!(res.costs.len(), EPOCHS);
    assert_eq!(
        (res.correct, res.accuracy),
        (notebook.correct, notebook.accuracy),
        "{name} on {}: accuracy",
        B::NAME
    );
    for (epoch, (ours, printed)) in res.printed_costs().into_iter().zip(notebook.costs).enumerate()
    {
        assert!(
            (ours - printed).abs() <= 1e-6,
            "{name} on {}: cost after epoch {} is {ours:.9}, the notebook printed {printed:.6}",
            B::NAME,
            1000 * epoch
        );
        // The notebook's `%f` and Rust's `{:.6}` both round the exact double to nearest.
        assert_eq!(format!("{ours:.6}"), format!("{printed:.6}"), "{name} on {}", B::NAME);
    }
    let numpy = NOTEBOOK.f64s(&format!("{name}/costs"));
    let worst =
        numpy.iter().enumerate().map(|(k, c)| (res.costs[100 * k] - c).abs()).fold(0.0, f64::max);
    assert!(worst <= NUMPY_TOL, "{name} on {}: costs differ from numpy by {worst:e}", B::NAME);
    assert_eq!(res.correct, NOTEBOOK.usizes(&format!("{name}/correct"))[0]);
    let mut worst_param = 0.0_f64;
    for (p, key) in res.mlp.params().iter().zip(res.mlp.param_names()) {
        let numpy = NOTEBOOK.f64s(&format!("{name}/{key}"));
        let scale = numpy.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        for (a, b) in B::to_row_major(p).iter().zip(&numpy) {
            worst_param = worst_param.max((a - b).abs() / scale);
        }
    }
    assert!(
        worst_param <= NUMPY_TOL,
        "{name} on {}: parameters differ by {worst_param:e}",
        B::NAME
    );
    eprintln!(
        "{name} on {}: {} of 300, costs {:?}, max |Δ| to numpy {worst:.1e} (costs) \
         {worst_param:.1e} (parameters), {:?}",
        B::NAME,
        res.correct,
        res.printed_costs(),
        start.elapsed()
    );
    res
}

macro_rules! runs_on {
    ($backend:ty: $($test:ident => $run:expr),+ $(,)?) => {
        $(
            #[test]
            fn $test() {
                check::<$backend>($run);
            }
        )+
    };
}

runs_on!(Ndarray:
    gd_ndarray => Run::Gd,
    momentum_ndarray => Run::Momentum,
    adam_ndarray => Run::Adam,
    gd_update_lr_ndarray => Run::GdUpdateLr,
    gd_decay_ndarray => Run::GdDecay,
    momentum_decay_ndarray => Run::MomentumDecay,
    adam_decay_ndarray => Run::AdamDecay,
);

runs_on!(Nalgebra:
    adam_nalgebra => Run::Adam,
    momentum_decay_nalgebra => Run::MomentumDecay,
);

runs_on!(Faer:
    gd_decay_faer => Run::GdDecay,
    adam_decay_faer => Run::AdamDecay,
);

#[test]
fn the_grid_and_predictions_agree_with_the_accuracy() {
    let res = replay::<Ndarray>(Run::Adam).unwrap();
    let probs = res.predict(res.data.features()).unwrap();
    let correct =
        probs.iter().zip(res.data.targets()).filter(|&(&p, &y)| (p > 0.5) == (y == 1.0)).count();
    assert_eq!(correct, res.correct);
    let grid = res.decision_grid(0.05).unwrap();
    assert_eq!(grid.probs.len(), grid.x1.len() * grid.x2.len());
    assert!(grid.probs.iter().all(|p| (0.0..=1.0).contains(p)));
    // The notebook's spacing gives about 540 × 390 points.
    assert!(res.decision_grid(0.01).unwrap().probs.len() > 200_000);
    for bad in [0.0, -0.1, f64::NAN, 1e-6] {
        assert!(matches!(
            res.decision_grid(bad),
            Err(descent_core::Error::InvalidArgument { op: "decision_grid", .. })
        ));
    }
    assert!(res.predict(&[1.0, 2.0, 3.0]).is_err());
}
