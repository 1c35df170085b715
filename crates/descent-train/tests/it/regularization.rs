//! L2, class weights and sample weights against PyTorch: every run of
//! `tests/fixtures/regularization/make_fixtures.py` (float64, autograd, `torch.optim.SGD` /
//! `Adam`, consecutive batches 5, 5, 3, three epochs; values in `fixtures.json` beside it)
//! replayed on every backend in f64, comparing the parameters after every step, every batch's
//! cost and every epoch's cost.

use descent_core::{Backend, Error};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Activation, Dataset, Init, Mlp, MlpConfig, Observer, Output, RegularizationConfig, Silent,
    TrainConfig, Trainer, Weighted,
};

use crate::json::Json;

/// The largest relative difference allowed (measured: see [`worst`]).
const TOLERANCE: f64 = 1e-12;

fn fixtures() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regularization/fixtures.json");
    Json::parse(&std::fs::read_to_string(path).unwrap())
}

/// Stops after every batch, so the test reads the parameters after every step (a stopped
/// `fit` continues with the next batch).
struct EveryBatch;

impl Observer for EveryBatch {
    fn should_stop(&mut self) -> bool {
        true
    }
}

/// `|got - want| / max(|want|, 1e-3)`.
fn rel(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1e-3)
}

/// Replays run `run` on backend `B`; returns the worst relative difference.
fn replay<B: Backend<f64>>(fx: &Json, run: &Json) -> f64 {
    let name = run.get("name").str();
    let layers: Vec<usize> = run.get("layers").nums().iter().map(|&x| x as usize).collect();
    let output = match run.get("output").str() {
        "sigmoid" => Output::Sigmoid,
        "softmax" => Output::Softmax,
        _ => Output::Linear,
    };
    let hidden =
        if run.get("hidden").str() == "relu" { Activation::Relu } else { Activation::Tanh };
    let config = MlpConfig { layers: layers.clone(), hidden, output, init: Init::He, seed: 0 };
    let init = run.get("init").arr();
    let params = layers
        .windows(2)
        .enumerate()
        .flat_map(|(l, w)| {
            let weights = B::from_row_major(w[1], w[0], &init[2 * l].nums()).unwrap();
            [weights, B::from_col_major(w[1], 1, &init[2 * l + 1].nums()).unwrap()]
        })
        .collect();
    let mut mlp = Mlp::<f64, B>::from_params(&config, params).unwrap();
    let (targets, n_targets) = match output {
        Output::Sigmoid => (fx.get("labels_binary").nums(), 1),
        Output::Softmax => (fx.get("labels_3").nums(), 1),
        Output::Linear => (fx.get("targets_linear").nums(), 2),
    };
    let data = Dataset::new(layers[0], fx.get("features").nums(), n_targets, targets).unwrap();
    let sample_weights = fx.get("sample_weights").nums();
    let epochs = fx.get("epochs").num() as usize;
    let train = TrainConfig {
        epochs,
        batch_size: fx.get("batch_size").num() as usize,
        shuffle: false,
        ..TrainConfig::default()
    };
    let optimizer = match run.get("optimizer").str() {
        "gd" => OptimizerConfig::Gd,
        _ => OptimizerConfig::Adam(AdamConfig { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
    };
    let schedule = ScheduleConfig::Constant.build(run.get("lr").num()).unwrap();
    let class_weights = match run.get("class_weights") {
        Json::Null => None,
        w => Some(w.nums()),
    };
    let regularization =
        RegularizationConfig { l2: run.get("l2").num(), keep_prob: vec![], class_weights };
    let mut trainer = Trainer::new(train, optimizer.build::<f64, B>().unwrap(), schedule)
        .unwrap()
        .with_regularization(regularization)
        .unwrap();
    let weighted = Weighted::new(&data, &sample_weights).unwrap();
    let sample = run.get("sample_weights") == &Json::Bool(true);
    let (steps, batch_costs) = (run.get("steps").arr(), run.get("batch_costs").nums());
    let epoch_costs = run.get("epoch_costs").nums();
    let (mut worst, mut epochs_seen) = (0.0_f64, 0);
    for (s, want) in steps.iter().enumerate() {
        let history = if sample {
            trainer.fit(&mut mlp, &weighted, &mut EveryBatch).unwrap()
        } else {
            trainer.fit(&mut mlp, &data, &mut EveryBatch).unwrap()
        };
        assert_eq!(history.batch_costs.len(), 1, "{name}: one batch per fit");
        worst = worst.max(rel(history.batch_costs[0], batch_costs[s]));
        for stats in &history.epochs {
            worst = worst.max(rel(stats.cost, epoch_costs[epochs_seen]));
            epochs_seen += 1;
        }
        for (p, want) in mlp.params().iter().zip(want.arr()) {
            // PyTorch wrote each parameter row-major.
            for (&got, want) in B::to_row_major(p).iter().zip(want.nums()) {
                worst = worst.max(rel(got, want));
            }
        }
        assert!(worst <= TOLERANCE, "{name} on {} after step {s}: relative {worst:e}", B::NAME);
    }
    assert_eq!(epochs_seen, epochs, "{name}");
    worst
}

/// Every run on one backend; prints the worst relative difference of each.
fn check<B: Backend<f64>>() {
    let fx = fixtures();
    for run in fx.get("runs").arr() {
        let worst = replay::<B>(&fx, run);
        println!("{} {}: worst relative difference {worst:e}", B::NAME, run.get("name").str());
    }
}

#[test]
fn pytorch_trajectories_on_ndarray() {
    check::<Ndarray>();
}

#[test]
fn pytorch_trajectories_on_nalgebra() {
    check::<Nalgebra>();
}

#[test]
fn pytorch_trajectories_on_faer() {
    check::<Faer>();
}

#[test]
fn a_batch_of_zero_weight_takes_no_step_and_bad_weights_are_refused() {
    let data = Dataset::new(1, vec![0.5, -1.0, 2.0], 1, vec![1.0, 0.0, 1.0]).unwrap();
    let config = MlpConfig { layers: vec![1, 3, 1], ..MlpConfig::course() };
    let trainer = |class_weights| {
        let train = TrainConfig { epochs: 2, batch_size: 3, ..TrainConfig::default() };
        let adam = OptimizerConfig::Adam(AdamConfig::default()).build::<f64, Ndarray>().unwrap();
        let schedule = ScheduleConfig::Constant.build(0.1).unwrap();
        let reg =
            RegularizationConfig { l2: 0.5, class_weights, ..RegularizationConfig::default() };
        Trainer::new(train, adam, schedule).unwrap().with_regularization(reg).unwrap()
    };
    let mut mlp = Mlp::<f64, Ndarray>::new(&config).unwrap();
    let before = mlp.params().to_vec();
    let mut t = trainer(Some(vec![0.0, 0.0]));
    let history = t.fit(&mut mlp, &data, &mut Silent).unwrap();
    assert_eq!(mlp.params(), &before[..], "no update");
    assert_eq!(t.optimizer().state().step, 0, "no optimizer step");
    // The cost is the L2 term alone: 3·(λ/(2·3))·Σ‖W‖² / 3.
    let squares: f64 = before
        .iter()
        .step_by(2)
        .map(|w| <Ndarray as Backend<f64>>::to_col_major(w).iter().map(|x| x * x).sum::<f64>())
        .sum();
    let want = 0.5 / 2.0 * squares / 3.0;
    assert!((history.epochs[0].cost - want).abs() < 1e-15 * want, "{history:?}");

    // One class weight for a sigmoid's two classes: refused when training starts.
    let err = trainer(Some(vec![1.0])).fit(&mut mlp, &data, &mut Silent).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { op: "class weights", .. }), "{err}");
    // Negative, non-finite or missing sample weights.
    for bad in [vec![1.0, -0.5, 1.0], vec![1.0, f64::NAN, 1.0], vec![1.0, 1.0]] {
        assert!(Weighted::new(&data, &bad).is_err(), "{bad:?}");
    }
}
