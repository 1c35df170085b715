//! Exact resume through a checkpoint file: N epochs, `save_checkpoint`, `load_checkpoint`,
//! `Checkpoint::restore` and M more epochs give parameters bit-identical to N + M epochs in
//! one go, for every optimizer, schedule, backend and dtype.

use std::collections::BTreeMap;

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_io::{
    Checkpoint, DataFingerprint, Dtype, TrainingSettings, load_checkpoint, save_checkpoint,
};
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{MomentumConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Init, Mlp, MlpConfig, Observer, Silent, Trainer, datasets};

fn optimizers() -> Vec<OptimizerConfig> {
    let mut all = OptimizerConfig::all_defaults().to_vec();
    all.push(OptimizerConfig::Momentum(MomentumConfig { beta: 0.8, nesterov: true }));
    all
}

fn schedules() -> [ScheduleConfig; 6] {
    [
        ScheduleConfig::Constant,
        ScheduleConfig::InverseTime { rate: 0.5 },
        ScheduleConfig::Scheduled { rate: 1.0, interval: 2 },
        ScheduleConfig::Exponential { rate: 1.0, interval: 3 },
        ScheduleConfig::Step { rate: 1.0, interval: 2 },
        ScheduleConfig::Cosine { lr_min: 0.001, epochs: 4 },
    ]
}

fn settings(optimizer: OptimizerConfig, schedule: ScheduleConfig) -> TrainingSettings {
    TrainingSettings {
        optimizer,
        lr: 0.02,
        schedule,
        batch_size: 24,
        shuffle: true,
        seed: 5,
        clip_norm: None,
        init: Init::He,
        init_seed: 3,
    }
}

fn mlp_config() -> MlpConfig {
    MlpConfig { layers: vec![2, 5, 1], seed: 3, ..MlpConfig::course() }
}

fn new_trainer<T: Scalar, B: Backend<T>>(s: &TrainingSettings, epochs: usize) -> Trainer<T, B> {
    Trainer::new(
        s.train_config(epochs),
        s.optimizer.build().unwrap(),
        s.schedule.build(s.lr).unwrap(),
    )
    .unwrap()
}

fn bits<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<u64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(|x| x.to_f64().to_bits()).collect()
}

/// A fresh path in the temporary folder, removed when dropped.
struct Temp(std::path::PathBuf);

impl Temp {
    fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Self(
            std::env::temp_dir()
                .join(format!("descent-io-it-{tag}-{}-{n}.safetensors", std::process::id())),
        )
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Stops after `n` batches.
struct StopAfter(usize);

impl Observer for StopAfter {
    fn should_stop(&mut self) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 == 0
    }
}

/// N + M in one go against N (stopped by `observer`), a file, and the rest.
fn check<T: Scalar, B: Backend<T>>(
    data: &Dataset<T>,
    s: &TrainingSettings,
    observer: &mut dyn Observer,
    rest: usize,
) -> bool {
    let dtype = if T::DTYPE == "f32" { Dtype::F32 } else { Dtype::F64 };
    let (n, m) = (2, 2);
    let mut whole = Mlp::<T, B>::new(&mlp_config()).unwrap();
    new_trainer::<T, B>(s, n + m).fit(&mut whole, data, &mut Silent).unwrap();

    let mut first = Mlp::<T, B>::new(&mlp_config()).unwrap();
    let mut trainer = new_trainer::<T, B>(s, n);
    trainer.fit(&mut first, data, observer).unwrap();
    let file = Temp::new("resume");
    let settings = BTreeMap::from([("backend".to_owned(), B::NAME.to_owned())]);
    let fingerprint = DataFingerprint::of(data);
    let saved =
        Checkpoint::capture(&first, &trainer, dtype, None, s.clone(), fingerprint, settings);
    save_checkpoint(&file.0, &saved).unwrap();

    let loaded = load_checkpoint(&file.0).unwrap();
    assert_eq!(loaded, saved);
    loaded.check_data(&file.0, &DataFingerprint::of(data)).unwrap();
    let (mut second, mut resumed) = loaded.restore::<T, B>(rest).unwrap();
    resumed.fit(&mut second, data, &mut Silent).unwrap();
    bits(&whole) == bits(&second)
}

fn every_optimizer_and_schedule<T: Scalar, B: Backend<T>>() {
    let config =
        datasets::SyntheticConfig { n_examples: 100, ..datasets::SyntheticConfig::default() };
    let data = datasets::moons(config).unwrap().cast::<T>();
    for optimizer in optimizers() {
        for schedule in schedules() {
            let s = settings(optimizer, schedule);
            assert!(
                check::<T, B>(&data, &s, &mut Silent, 2),
                "{} {} {optimizer:?} {}: resumed from a file, the parameters differ",
                B::NAME,
                T::DTYPE,
                schedule.name()
            );
        }
    }
}

#[test]
fn resume_from_a_file_is_bit_identical_on_ndarray() {
    every_optimizer_and_schedule::<f64, Ndarray>();
    every_optimizer_and_schedule::<f32, Ndarray>();
}

#[test]
fn resume_from_a_file_is_bit_identical_on_nalgebra() {
    every_optimizer_and_schedule::<f64, Nalgebra>();
    every_optimizer_and_schedule::<f32, Nalgebra>();
}

#[test]
fn resume_from_a_file_is_bit_identical_on_faer() {
    every_optimizer_and_schedule::<f64, Faer>();
    every_optimizer_and_schedule::<f32, Faer>();
}

#[test]
fn resume_from_a_file_written_mid_epoch_is_bit_identical() {
    let config =
        datasets::SyntheticConfig { n_examples: 100, ..datasets::SyntheticConfig::default() };
    let data = datasets::moons(config).unwrap();
    for optimizer in optimizers() {
        let s = settings(optimizer, ScheduleConfig::InverseTime { rate: 0.5 });
        // 5 batches per epoch: stop after epoch 1 and 2 batches of epoch 2; the unfinished
        // epoch and one more make the 4 of the run in one go.
        assert!(check::<f32, Ndarray>(&data.cast(), &s, &mut StopAfter(7), 3), "{optimizer:?}");
    }
}
