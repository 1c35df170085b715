//! Exact resume: N epochs, then the state handed to a fresh network and trainer, then M more
//! epochs, gives parameters bit-identical to N + M epochs in one go: for every optimizer
//! (momentum with and without Nesterov), every schedule, every backend and both dtypes, and
//! also after a stop in the middle of an epoch.

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{MomentumConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Dataset, EpochProgress, Mlp, MlpConfig, Observer, ResumeState, Silent, TrainConfig, Trainer,
    datasets,
};

/// Every optimizer, momentum twice (classical and Nesterov).
fn optimizers() -> Vec<OptimizerConfig> {
    let mut all = OptimizerConfig::all_defaults().to_vec();
    all.push(OptimizerConfig::Momentum(MomentumConfig { beta: 0.9, nesterov: true }));
    all
}

/// Every schedule, with settings that change the rate within a few epochs.
fn schedules() -> [ScheduleConfig; 6] {
    [
        ScheduleConfig::Constant,
        ScheduleConfig::InverseTime { rate: 0.5 },
        ScheduleConfig::Scheduled { rate: 1.0, interval: 2 },
        ScheduleConfig::Exponential { rate: 1.0, interval: 3 },
        ScheduleConfig::Step { rate: 1.0, interval: 2 },
        ScheduleConfig::Cosine { lr_min: 0.001, epochs: 5 },
    ]
}

fn mlp_config() -> MlpConfig {
    MlpConfig { layers: vec![2, 6, 3, 1], seed: 9, ..MlpConfig::course() }
}

/// 300 moons in batches of 32: nine full batches and a partial one per epoch, shuffled.
fn trainer<T: Scalar, B: Backend<T>>(
    optimizer: &OptimizerConfig,
    schedule: &ScheduleConfig,
    epochs: usize,
) -> Trainer<T, B> {
    let config = TrainConfig {
        epochs,
        batch_size: 32,
        seed: 7,
        clip_norm: Some(5.0),
        ..TrainConfig::default()
    };
    Trainer::new(config, optimizer.build::<T, B>().unwrap(), schedule.build(0.02).unwrap()).unwrap()
}

fn bits<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<u64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(|x| x.to_f64().to_bits()).collect()
}

/// A fresh network holding `mlp`'s parameters (copied through plain vectors).
fn copy<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Mlp<T, B> {
    let params = mlp
        .params()
        .iter()
        .map(|p| {
            let (rows, cols) = B::shape(p);
            B::from_col_major(rows, cols, &B::to_col_major(p)).unwrap()
        })
        .collect();
    Mlp::from_params(&mlp_config(), params).unwrap()
}

/// Stops after `after` batches (counted over the whole fit).
struct StopAfter(usize);

impl Observer for StopAfter {
    fn should_stop(&mut self) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 == 0
    }
}

/// Trains N + M epochs in one go and N, resume, M; returns both parameter bit patterns.
fn one_go_and_resumed<T: Scalar, B: Backend<T>>(
    data: &Dataset<T>,
    optimizer: &OptimizerConfig,
    schedule: &ScheduleConfig,
) -> (Vec<u64>, Vec<u64>) {
    let (n, m) = (3, 2);
    let mut whole = Mlp::<T, B>::new(&mlp_config()).unwrap();
    trainer::<T, B>(optimizer, schedule, n + m).fit(&mut whole, data, &mut Silent).unwrap();

    let mut first = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let mut before = trainer::<T, B>(optimizer, schedule, n);
    before.fit(&mut first, data, &mut Silent).unwrap();
    let state: ResumeState = before.resume_state();
    assert_eq!(state.epochs_done, n);

    let mut second = copy(&first);
    let mut after = trainer::<T, B>(optimizer, schedule, m);
    after.restore(&second, &state).unwrap();
    let history = after.fit(&mut second, data, &mut Silent).unwrap();
    assert_eq!(history.epochs.first().map(|e| e.epoch), Some(n), "the epochs continue");
    (bits(&whole), bits(&second))
}

fn check_every_optimizer_and_schedule<T: Scalar, B: Backend<T>>() {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast::<T>();
    for optimizer in optimizers() {
        for schedule in schedules() {
            let (whole, resumed) = one_go_and_resumed::<T, B>(&data, &optimizer, &schedule);
            assert!(
                whole == resumed,
                "{} {} {:?} {}: resumed parameters differ",
                B::NAME,
                T::DTYPE,
                optimizer,
                schedule.name()
            );
        }
    }
}

#[test]
fn resume_is_bit_identical_on_ndarray() {
    check_every_optimizer_and_schedule::<f64, Ndarray>();
    check_every_optimizer_and_schedule::<f32, Ndarray>();
}

#[test]
fn resume_is_bit_identical_on_nalgebra() {
    check_every_optimizer_and_schedule::<f64, Nalgebra>();
    check_every_optimizer_and_schedule::<f32, Nalgebra>();
}

#[test]
fn resume_is_bit_identical_on_faer() {
    check_every_optimizer_and_schedule::<f64, Faer>();
    check_every_optimizer_and_schedule::<f32, Faer>();
}

#[test]
fn a_stop_mid_epoch_resumes_at_the_next_batch_with_the_same_statistics() {
    type B = Ndarray;
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    for optimizer in optimizers() {
        let schedule = ScheduleConfig::InverseTime { rate: 0.5 };
        let mut whole = Mlp::<f64, B>::new(&mlp_config()).unwrap();
        let full = trainer::<f64, B>(&optimizer, &schedule, 4)
            .fit(&mut whole, &data, &mut Silent)
            .unwrap();

        // Stop after 2 epochs and 4 batches (10 batches per epoch).
        let mut first = Mlp::<f64, B>::new(&mlp_config()).unwrap();
        let mut before = trainer::<f64, B>(&optimizer, &schedule, 4);
        let partial = before.fit(&mut first, &data, &mut StopAfter(24)).unwrap();
        assert_eq!(partial.epochs.len(), 2);
        let state = before.resume_state();
        assert_eq!((state.epochs_done, state.progress.batches), (2, 4));

        // The unfinished epoch counts as one of the two further epochs.
        let mut second = copy(&first);
        let mut after = trainer::<f64, B>(&optimizer, &schedule, 2);
        after.restore(&second, &state).unwrap();
        let rest = after.fit(&mut second, &data, &mut Silent).unwrap();
        assert_eq!(bits(&whole), bits(&second), "{optimizer:?}");
        assert_eq!(rest.epochs, full.epochs[2..], "{optimizer:?}: epoch statistics");
        assert_eq!(after.progress(), EpochProgress::default());
    }
}

#[test]
fn a_stop_on_the_last_batch_ends_the_epoch() {
    type B = Ndarray;
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let mut mlp = Mlp::<f64, B>::new(&mlp_config()).unwrap();
    let mut t = trainer::<f64, B>(&OptimizerConfig::Gd, &ScheduleConfig::Constant, 5);
    let history = t.fit(&mut mlp, &data, &mut StopAfter(10)).unwrap();
    assert_eq!((history.epochs.len(), t.epochs_done(), t.progress().batches), (1, 1, 0));
}
