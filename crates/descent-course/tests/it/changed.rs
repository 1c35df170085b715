//! Replays with changed settings (`descent course --run NAME --lr …`) against numpy running
//! the notebook's code with the same changes (`changed.txt`): every 100th epoch's cost and
//! the correctly predicted points, on every backend.

use descent_core::Backend;
use descent_course::{Run, Settings, replay_settings};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, MomentumConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;

use crate::fixture::CHANGED;

/// As for the notebook's own runs (`notebook.rs`): only the rounding differs.
const NUMPY_TOL: f64 = 1e-12;

fn check<B: Backend<f64>>(name: &str, run: Run, settings: Settings) {
    let res = replay_settings::<B>(run, &settings, |_, _| {}).unwrap();
    assert_eq!(res.costs.len(), settings.epochs);
    let numpy = CHANGED.f64s(&format!("{name}/costs"));
    assert_eq!(numpy.len(), settings.epochs / 100);
    for (i, want) in numpy.iter().enumerate() {
        let got = res.costs[100 * i];
        assert!(
            (got - want).abs() <= NUMPY_TOL,
            "{name} on {}: epoch {}: {got} vs {want}",
            B::NAME,
            100 * i
        );
    }
    assert_eq!(res.correct, CHANGED.usizes(&format!("{name}/correct"))[0], "{name} on {}", B::NAME);
}

fn all_backends(name: &str, run: Run, settings: Settings) {
    check::<Ndarray>(name, run, settings);
    check::<Nalgebra>(name, run, settings);
    check::<Faer>(name, run, settings);
}

#[test]
fn adam_with_another_rate_betas_and_length() {
    let settings = Settings {
        lr0: 0.003,
        epochs: 1500,
        optimizer: OptimizerConfig::Adam(AdamConfig { beta1: 0.8, beta2: 0.99, epsilon: 1e-8 }),
        ..Run::Adam.settings()
    };
    all_backends("adam-changed", Run::Adam, settings);
}

#[test]
fn momentum_decay_with_another_beta_and_schedule() {
    let settings = Settings {
        lr0: 0.05,
        epochs: 1200,
        optimizer: OptimizerConfig::Momentum(MomentumConfig { beta: 0.95, nesterov: false }),
        decay: Some(ScheduleConfig::Scheduled { rate: 0.5, interval: 300 }),
    };
    all_backends("momentum-decay-changed", Run::MomentumDecay, settings);
}

#[test]
fn the_notebooks_settings_replay_the_notebook() {
    let run = Run::GdDecay;
    let a = replay_settings::<Nalgebra>(run, &run.settings(), |_, _| {}).unwrap();
    let b = descent_course::replay::<Nalgebra>(run).unwrap();
    assert_eq!(a.costs, b.costs);
    assert_eq!(a.correct, run.notebook().correct);
}
