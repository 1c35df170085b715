//! Prefetching (`TrainConfig::prefetch`): the next batch gathered on a second thread gives
//! bit-identical parameters, histories and batch costs to gathering on the training thread,
//! stops cleanly mid-epoch and resumes exactly, and allocates nothing per step on either
//! thread.

use std::ops::ControlFlow;

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Dataset, EpochStats, History, Mlp, MlpConfig, Observer, Silent, TrainConfig, Trainer, datasets,
};

use crate::alloc_count::{allocations_all_threads, in_own_process};

fn trainer<T: Scalar, B: Backend<T>>(config: TrainConfig) -> Trainer<T, B> {
    let optimizer = OptimizerConfig::from_name("adam").unwrap().build::<T, B>().unwrap();
    let schedule = ScheduleConfig::InverseTime { rate: 0.5 }.build(0.02).unwrap();
    Trainer::new(config, optimizer, schedule).unwrap()
}

fn bits<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<u64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(|x| x.to_f64().to_bits()).collect()
}

/// Trains a fresh [2, 6, 3, 1] network with `config`: its parameters and history.
fn fit<T: Scalar, B: Backend<T>>(
    data: &Dataset<T>,
    config: &TrainConfig,
    observer: &mut dyn Observer,
) -> (Vec<u64>, History) {
    let mlp_config = MlpConfig { layers: vec![2, 6, 3, 1], seed: 9, ..MlpConfig::course() };
    let mut mlp = Mlp::<T, B>::new(&mlp_config).unwrap();
    let history = trainer::<T, B>(config.clone()).fit(&mut mlp, data, observer).unwrap();
    (bits(&mlp), history)
}

fn check_identical<T: Scalar, B: Backend<T>>() {
    let data: Dataset<T> = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast();
    // Partial last batches (300 = 9 × 32 + 12), one example per batch, one batch per epoch,
    // and consecutive batches without shuffling.
    for (batch_size, shuffle) in [(32, true), (1, true), (500, true), (64, false)] {
        let config = TrainConfig {
            epochs: 4,
            batch_size,
            shuffle,
            seed: 5,
            clip_norm: Some(5.0),
            prefetch: Some(false),
            ..TrainConfig::default()
        };
        let inline = fit::<T, B>(&data, &config, &mut Silent);
        let prefetched =
            fit::<T, B>(&data, &TrainConfig { prefetch: Some(true), ..config }, &mut Silent);
        let name = format!("{} {} batch {batch_size} shuffle {shuffle}", B::NAME, T::DTYPE);
        assert_eq!(inline.1, prefetched.1, "{name}: histories");
        assert_eq!(inline.0, prefetched.0, "{name}: parameters");
        assert!(inline.1.batch_costs.len() >= 4, "{name}: batches were recorded");
    }
}

#[test]
fn prefetched_training_is_bit_identical_to_inline_training() {
    check_identical::<f64, Ndarray>();
    check_identical::<f32, Nalgebra>();
    check_identical::<f32, Faer>();
}

/// Stops after `after` batches (with `should_stop`), or after the first epoch (`on_epoch`).
struct StopAt {
    after: Option<usize>,
    batches: usize,
    break_after_epoch: bool,
}

impl Observer for StopAt {
    fn on_batch(&mut self, _epoch: usize, _batch: usize, _cost: f64) {
        self.batches += 1;
    }

    fn should_stop(&mut self) -> bool {
        self.after == Some(self.batches)
    }

    fn on_epoch(&mut self, _stats: &EpochStats) -> ControlFlow<()> {
        if self.break_after_epoch { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

#[test]
fn a_prefetching_run_stops_mid_epoch_and_continues_to_the_same_parameters() {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let config = TrainConfig {
        epochs: 3,
        batch_size: 32,
        prefetch: Some(true),
        seed: 3,
        ..TrainConfig::default()
    };
    let (whole, _) = fit::<f64, Ndarray>(
        &data,
        &TrainConfig { prefetch: Some(false), ..config.clone() },
        &mut Silent,
    );

    let mlp_config = MlpConfig { layers: vec![2, 6, 3, 1], seed: 9, ..MlpConfig::course() };
    let mut mlp = Mlp::<f64, Ndarray>::new(&mlp_config).unwrap();
    let mut trainer = trainer::<f64, Ndarray>(config.clone());
    // Stopped at batch 13 (the fourth of epoch 1): the worker has gathered ahead and must stop.
    let mut stop = StopAt { after: Some(13), batches: 0, break_after_epoch: false };
    let first = trainer.fit(&mut mlp, &data, &mut stop).unwrap();
    assert_eq!((first.epochs.len(), trainer.progress().batches), (1, 3));
    // Two more epochs (the unfinished one counting as one) from the stopped trainer's state.
    let state = trainer.resume_state();
    let mut rest = self::trainer::<f64, Ndarray>(TrainConfig { epochs: 2, ..config.clone() });
    rest.restore(&mlp, &state).unwrap();
    rest.fit(&mut mlp, &data, &mut Silent).unwrap();
    assert_eq!(rest.epochs_done(), 3);
    assert_eq!(bits(&mlp), whole, "stopped and continued vs uninterrupted");

    // An observer that ends the run after its first epoch of three.
    let mut stop = StopAt { after: None, batches: 0, break_after_epoch: true };
    let (_, history) = fit::<f64, Ndarray>(&data, &config, &mut stop);
    assert_eq!((history.epochs.len(), stop.batches), (1, 10));
}

/// Set in the child process that measures allocations alone.
const CHILD: &str = "DESCENT_PREFETCH_ALLOC_CHILD";

/// Allocations by all threads during one prefetching `fit` of `epochs` epochs.
fn allocations_of_prefetching_fit(data: &Dataset<f64>, epochs: usize) -> u64 {
    let mut mlp = Mlp::<f64, Nalgebra>::new(&MlpConfig::course()).unwrap();
    let config = TrainConfig { epochs, prefetch: Some(true), ..TrainConfig::default() };
    let mut trainer = trainer::<f64, Nalgebra>(config);
    let before = allocations_all_threads();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    allocations_all_threads() - before
}

#[test]
fn prefetching_steps_allocate_nothing_on_either_thread() {
    // The count covers every thread, so it runs in a process of its own (this test binary,
    // with only this test), away from the tests running in parallel here.
    let name = "prefetch::prefetching_steps_allocate_nothing_on_either_thread";
    if !in_own_process(name, CHILD) {
        return;
    }
    // The course's network on nalgebra makes no allocation per step on the training thread
    // (`no_alloc.rs`); the 300 moons in batches of 64 are 5 steps an epoch.
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    // The least of three runs: the test harness's own thread may allocate once, at any time,
    // when it first waits for this test (a per-step allocation would add 50 every time).
    let least = |epochs| (0..3).map(|_| allocations_of_prefetching_fit(&data, epochs)).min();
    let (one, eleven) = (least(1).unwrap(), least(11).unwrap());
    println!("prefetching: {one} allocations for 1 epoch, {eleven} for 11 (all threads)");
    assert_eq!(eleven, one, "10 more epochs (50 steps) allocated on some thread");
}
