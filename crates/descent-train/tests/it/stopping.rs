//! Early stopping and the plateau schedule in a real run, through `Controlled` (an
//! `EpochHook`): the run stops exactly `patience` epochs after its best, the parameters
//! restored are bit for bit those of a run of `best_epoch + 1` epochs, each epoch trains with
//! the rate the plateau gave after the one before, and N epochs, the states handed to a fresh
//! trainer, then M more give what N + M give in one run. Also the rule itself on fixed
//! sequences, no allocation per epoch after the first improvement, and bad settings refused.

use descent_core::{Backend, Error, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::{Constant, Plateau, PlateauConfig};
use descent_train::stopping::{
    Decision, EarlyStopping, EarlyStoppingConfig, EarlyStoppingState, Metric, Mode,
};
use descent_train::{
    Controlled, Dataset, EpochControl, History, Mlp, MlpConfig, Silent, TrainConfig, Trainer,
    datasets, evaluate,
};

use crate::alloc_count::allocations;

const LR0: f64 = 0.01;

fn mlp_config() -> MlpConfig {
    MlpConfig { layers: vec![2, 24, 24, 1], seed: 5, ..MlpConfig::course() }
}

/// A small noisy training set that a 2-24-24-1 network over-fits, and a larger validation set.
fn data<T: Scalar>() -> (Dataset<T>, Dataset<T>) {
    let moons = |n_examples, seed| {
        let config = datasets::SyntheticConfig { n_examples, noise: 0.35, seed };
        datasets::moons(config).unwrap().cast::<T>()
    };
    (moons(40, 11), moons(400, 12))
}

fn trainer<T: Scalar, B: Backend<T>>(epochs: usize) -> Trainer<T, B> {
    let config = TrainConfig { epochs, batch_size: 16, ..TrainConfig::default() };
    let optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>().unwrap();
    Trainer::new(config, optimizer, Box::new(Constant::new(LR0).unwrap())).unwrap()
}

fn bits<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<u64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(|x| x.to_f64().to_bits()).collect()
}

fn early(patience: usize) -> EarlyStopping {
    EarlyStopping::new(EarlyStoppingConfig { patience, min_delta: 1e-4, mode: Mode::Min }).unwrap()
}

fn plateau() -> Plateau {
    let config =
        PlateauConfig { patience: 2, factor: 0.5, cooldown: 1, ..PlateauConfig::default() };
    Plateau::new(config, LR0).unwrap()
}

/// Trains with `control` on the validation set: the history, the validation costs, the
/// control at the end, and the network (not restored).
fn run<T: Scalar, B: Backend<T>>(
    mlp: &mut Mlp<T, B>,
    trainer: &mut Trainer<T, B>,
    control: EpochControl,
) -> (History, Vec<f64>, EpochControl) {
    let (train, validation) = data::<T>();
    let mut silent = Silent;
    let mut hook = Controlled::new(&mut silent, Some(&validation), control);
    let history = trainer.fit_with(mlp, &train, &mut hook).unwrap();
    let costs = hook.scores().iter().map(|e| e.cost).collect();
    (history, costs, hook.control().clone())
}

fn stops_after_patience_and_restores_the_best_epoch<T: Scalar, B: Backend<T>>() {
    let patience = 6;
    let control = EpochControl::new(Metric::ValidationCost, Some(early(patience)), None, true);
    let mut mlp = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let (history, costs, control) = run(&mut mlp, &mut trainer::<T, B>(2000), control.unwrap());
    let stopped = control.stopped_at().expect("the over-fitting run stops early");
    assert_eq!(history.epochs.len(), stopped + 1, "{}: the run ends at the stop", B::NAME);
    let state = control.early_stopping().unwrap().state().clone();
    let best = state.best_epoch.unwrap();
    assert_eq!(stopped - best, patience, "{}: `patience` bad epochs after the best", B::NAME);
    // The rule replayed on the validation costs picks the same epoch and value.
    let mut replay = (f64::INFINITY, 0);
    for (e, &c) in costs.iter().enumerate() {
        if c < replay.0 - 1e-4 {
            replay = (c, e);
        }
    }
    assert_eq!((state.best, best), replay, "{}", B::NAME);
    assert!(costs[stopped] > costs[best], "{}: over-fitting after the best epoch", B::NAME);

    assert_eq!(control.restore_best(&mut mlp).unwrap(), Some(best));
    let mut alone = Mlp::<T, B>::new(&mlp_config()).unwrap();
    trainer::<T, B>(best + 1).fit(&mut alone, &data::<T>().0, &mut Silent).unwrap();
    assert_eq!(bits(&mlp), bits(&alone), "{}: the restored parameters", B::NAME);
    let validation = evaluate(&mlp, &data::<T>().1).unwrap();
    assert_eq!(validation.cost, state.best, "{}: the restored model scores the best", B::NAME);
}

fn plateau_rates_apply_from_the_next_epoch<T: Scalar, B: Backend<T>>() {
    let control = EpochControl::new(Metric::ValidationCost, None, Some(plateau()), true).unwrap();
    let mut mlp = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let (history, costs, _) = run(&mut mlp, &mut trainer::<T, B>(150), control);
    let mut replay = plateau();
    let mut want = Vec::new();
    for &c in &costs {
        want.push(replay.lr());
        replay.step(c);
    }
    let got: Vec<f64> = history.epochs.iter().map(|s| s.lr).collect();
    assert_eq!(got, want, "{}: EpochStats::lr", B::NAME);
    assert!(got.last().unwrap() < &(LR0 / 4.0), "{}: the rate fell: {got:?}", B::NAME);
}

/// N epochs, then everything handed to a fresh network, trainer and control, then M more.
fn resume_continues_identically<T: Scalar, B: Backend<T>>(n: usize, m: usize, patience: usize) {
    let control = || {
        EpochControl::new(Metric::ValidationCost, Some(early(patience)), Some(plateau()), true)
            .unwrap()
    };
    let mut whole = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let (history, costs, end) = run(&mut whole, &mut trainer::<T, B>(n + m), control());

    let mut first = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let mut t = trainer::<T, B>(n);
    let (h1, c1, mid) = run(&mut first, &mut t, control());
    // What a checkpoint stores: the parameters, the trainer's state, both plain states.
    let params: Vec<(usize, usize, Vec<T>)> =
        first.params().iter().map(|p| (B::shape(p).0, B::shape(p).1, B::to_col_major(p))).collect();
    let (resume, early_state, plateau_state) = (
        t.resume_state(),
        mid.early_stopping().unwrap().state().clone(),
        *mid.plateau().unwrap().state(),
    );
    let params = params.iter().map(|(r, c, d)| B::from_col_major(*r, *c, d).unwrap()).collect();
    let mut second = Mlp::<T, B>::from_params(&mlp_config(), params).unwrap();
    let early = EarlyStopping::from_state(*early(patience).config(), early_state).unwrap();
    let plateau = Plateau::from_state(*plateau().config(), plateau_state).unwrap();
    let mut t2 = trainer::<T, B>(m);
    t2.restore(&second, &resume).unwrap();
    let control = EpochControl::new(Metric::ValidationCost, Some(early), Some(plateau), true);
    // Each case is meant to exercise one branch: no stop, a stop within N, a stop after.
    let stop = end.stopped_at();
    assert_eq!(mid.stopped_at(), stop.filter(|&e| e < n), "{}: stop within N", B::NAME);
    assert!(patience > n + m || stop.is_some(), "{}: the case stops", B::NAME);
    let (h2, c2, after) = if mid.stopped_at().is_some() {
        // A run that stopped trains no further epoch: the resume is the same stop.
        assert!(control.as_ref().unwrap().early_stopping().unwrap().is_stopped());
        (History::default(), Vec::new(), mid.clone())
    } else {
        run(&mut second, &mut t2, control.unwrap())
    };
    let lrs = |h: &History| h.epochs.iter().map(|s| s.lr).collect::<Vec<_>>();
    assert_eq!([lrs(&h1), lrs(&h2)].concat(), lrs(&history), "{}", B::NAME);
    assert_eq!([c1, c2].concat(), costs, "{}", B::NAME);
    assert_eq!(after.early_stopping(), end.early_stopping(), "{}", B::NAME);
    assert_eq!(after.plateau(), end.plateau(), "{}", B::NAME);
    if mid.stopped_at().is_none() {
        assert_eq!(bits(&second), bits(&whole), "{}", B::NAME);
    }
    end.restore_best(&mut whole).unwrap();
    after.restore_best(&mut second).unwrap();
    assert_eq!(bits(&second), bits(&whole), "{}: the best epoch's parameters", B::NAME);
}

#[test]
fn early_stopping_on_every_backend() {
    stops_after_patience_and_restores_the_best_epoch::<f64, Ndarray>();
    stops_after_patience_and_restores_the_best_epoch::<f64, Nalgebra>();
    stops_after_patience_and_restores_the_best_epoch::<f32, Faer>();
}

#[test]
fn plateau_in_a_run() {
    plateau_rates_apply_from_the_next_epoch::<f64, Ndarray>();
    plateau_rates_apply_from_the_next_epoch::<f32, Faer>();
}

#[test]
fn resume_with_early_stopping_and_plateau() {
    resume_continues_identically::<f64, Ndarray>(9, 31, 1000);
    resume_continues_identically::<f32, Nalgebra>(9, 31, 1000);
    resume_continues_identically::<f64, Faer>(40, 60, 1000);
    // Stopped within the first N epochs, and stopped within the M after.
    resume_continues_identically::<f64, Ndarray>(300, 100, 6);
    resume_continues_identically::<f64, Ndarray>(20, 400, 6);
}

#[test]
fn the_rule_on_fixed_sequences() {
    let mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
    let feed = |config: EarlyStoppingConfig, values: &[f64]| {
        let mut early = EarlyStopping::new(config).unwrap();
        let decisions: Vec<Decision> =
            values.iter().enumerate().map(|(e, &v)| early.update(e, v, &mlp)).collect();
        (decisions, early.state().clone())
    };
    let (imp, wait, stop) =
        (Decision::Improved, |n| Decision::Wait { bad_epochs: n }, Decision::Stop);
    // Patience 3: the third bad epoch in a row stops; an improvement resets the count.
    let config = EarlyStoppingConfig { patience: 3, min_delta: 0.0, mode: Mode::Min };
    let (d, state) = feed(config, &[5.0, 4.0, 4.0, 4.5, 3.0, 3.0, f64::NAN, 3.5]);
    assert_eq!(d, [imp, imp, wait(1), wait(2), imp, wait(1), wait(2), stop]);
    assert_eq!((state.best, state.best_epoch, state.bad_epochs), (3.0, Some(4), 3));
    // min_delta 0.5: 4.6 is not below 5 - 0.5, 4.4 is; the best is 4.4, not the later 4.0.
    let config = EarlyStoppingConfig { patience: 2, min_delta: 0.5, mode: Mode::Min };
    let (d, state) = feed(config, &[5.0, 4.6, 4.4, 4.0, 3.95]);
    assert_eq!(d, [imp, wait(1), imp, wait(1), stop]);
    assert_eq!((state.best, state.best_epoch), (4.4, Some(2)));
    // Max mode, min_delta 0.01: 0.805 is not above 0.8 + 0.01.
    let config = EarlyStoppingConfig { patience: 1, min_delta: 0.01, mode: Mode::Max };
    let (d, state) = feed(config, &[0.8, 0.805]);
    assert_eq!(d, [imp, stop]);
    assert_eq!((state.best, state.best_epoch), (0.8, Some(0)));
    // Patience 1 with a first NaN: nothing improved, nothing to restore.
    let (d, state) = feed(config, &[f64::NAN]);
    assert_eq!(d, [stop]);
    assert_eq!(
        (state.best, state.best_epoch, state.best_params.len()),
        (f64::NEG_INFINITY, None, 0)
    );
    let mut other = Mlp::<f64, Ndarray>::new(&mlp_config()).unwrap();
    let early = EarlyStopping::from_state(config, state).unwrap();
    assert_eq!(early.restore_best(&mut other).unwrap(), None);
}

#[test]
fn no_allocation_per_epoch_after_the_first_improvement() {
    let mlp = Mlp::<f64, Ndarray>::new(&mlp_config()).unwrap();
    let mut early = early(3);
    assert_eq!(early.update(0, 1.0, &mlp), Decision::Improved);
    let before = allocations();
    for e in 1..200 {
        let value = if e % 3 == 0 { 1.0 } else { 1.0 / e as f64 };
        early.update(e, value, &mlp);
    }
    assert_eq!(allocations(), before, "update allocates only at the first improvement");
    let state = early.state();
    assert_eq!(state.best_params.len(), 6, "W1, b1, W2, b2, W3, b3");
    assert_eq!(state.best_params[0].len(), 24 * 2);
    // Column-major: W1's column 0 (its weights from feature 0) comes first.
    let w1 = &mlp.params()[0];
    assert_eq!(state.best_params[0][..24], Ndarray::col(w1, 0)[..]);
    // Restoring into another network of the same shape copies them in.
    let mut other = Mlp::<f64, Ndarray>::new(&MlpConfig { seed: 99, ..mlp_config() }).unwrap();
    assert_ne!(bits(&other), bits(&mlp));
    assert_eq!(early.restore_best(&mut other).unwrap(), Some(199));
    assert_eq!(bits(&other), bits(&mlp));
    let mut wrong = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
    let err = early.restore_best(&mut wrong).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { op: "early stopping", .. }), "{err}");
}

#[test]
fn bad_settings_are_refused() {
    let ok = EarlyStoppingConfig::default();
    assert!(ok.validate().is_ok());
    for bad in [
        EarlyStoppingConfig { patience: 0, ..ok },
        EarlyStoppingConfig { min_delta: -1e-3, ..ok },
        EarlyStoppingConfig { min_delta: f64::NAN, ..ok },
        EarlyStoppingConfig { min_delta: f64::INFINITY, ..ok },
    ] {
        let err = EarlyStopping::new(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "early stopping", .. }), "{bad:?}");
    }
    let ok = PlateauConfig::default();
    assert!(Plateau::new(ok, 0.1).is_ok());
    let bad_configs = [
        PlateauConfig { factor: 0.0, ..ok },
        PlateauConfig { factor: 1.0, ..ok },
        PlateauConfig { factor: 1.5, ..ok },
        PlateauConfig { factor: -0.5, ..ok },
        PlateauConfig { factor: f64::NAN, ..ok },
        PlateauConfig { min_lr: -1e-6, ..ok },
        PlateauConfig { min_lr: f64::INFINITY, ..ok },
        PlateauConfig { threshold: -1e-4, ..ok },
        PlateauConfig { eps: f64::NAN, ..ok },
    ];
    for bad in bad_configs {
        let err = Plateau::new(bad, 0.1).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "plateau", .. }), "{bad:?}");
    }
    for lr0 in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(Plateau::new(ok, lr0).is_err(), "lr0 {lr0}");
    }
    let state = *Plateau::new(ok, 0.1).unwrap().state();
    let cooling = descent_train::schedule::PlateauState { cooldown_counter: 1, ..state };
    assert!(Plateau::from_state(ok, cooling).is_err(), "a cooldown counter above the cooldown");
    // A state that cannot come from a run.
    let config = EarlyStoppingConfig::default();
    let lone =
        EarlyStoppingState { best: 1.0, best_epoch: Some(3), bad_epochs: 0, best_params: vec![] };
    assert!(EarlyStopping::from_state(config, lone).is_err(), "a best epoch without parameters");
    let nan =
        EarlyStoppingState { best: f64::NAN, best_epoch: None, bad_epochs: 0, best_params: vec![] };
    assert!(EarlyStopping::from_state(config, nan).is_err());
    // The monitor: a validation metric needs a validation set; modes must be the metric's.
    let err = EpochControl::new(Metric::ValidationCost, Some(early(3)), None, false).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { op: "monitor", .. }), "{err}");
    assert!(EpochControl::new(Metric::ValidationAccuracy, Some(early(3)), None, true).is_err());
    assert!(EpochControl::new(Metric::ValidationAccuracy, None, Some(plateau()), true).is_err());
    assert!(EpochControl::new(Metric::Cost, Some(early(3)), Some(plateau()), false).is_ok());
    assert_eq!(Metric::from_name("validation_accuracy").unwrap(), Metric::ValidationAccuracy);
    assert!(Metric::from_name("loss").is_err());
    assert_eq!(Metric::default_for(false), Metric::Cost);
}
