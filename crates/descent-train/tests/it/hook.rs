//! `Trainer::fit_with`: the epoch-boundary hook sees the network and a trainer whose state is
//! complete (a checkpoint taken there resumes bit for bit), can end the run, and the first
//! epoch refuses a non-finite feature, naming its example and feature.

use std::ops::ControlFlow;

use descent_core::{Backend, Error, Scalar};
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    DataSource, Dataset, EpochHook, EpochStats, Mlp, MlpConfig, Observer, ResumeState, Silent,
    TrainConfig, Trainer, datasets,
};

fn trainer<T: Scalar, B: Backend<T>>(epochs: usize, prefetch: bool) -> Trainer<T, B> {
    let config =
        TrainConfig { epochs, batch_size: 32, prefetch: Some(prefetch), ..TrainConfig::default() };
    let optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>().unwrap();
    let schedule = ScheduleConfig::Scheduled { rate: 1.0, interval: 2 }.build(0.01).unwrap();
    Trainer::new(config, optimizer, schedule).unwrap()
}

fn bits<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<u64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(|x| x.to_f64().to_bits()).collect()
}

/// Records, at every boundary, the epoch count, the parameters and the resume state; ends
/// the run after `stop_after` epochs.
struct Recorder<T: Scalar, B: Backend<T>> {
    seen: Vec<(usize, Vec<u64>, ResumeState)>,
    stop_after: usize,
    epochs_observed: usize,
    marker: std::marker::PhantomData<fn() -> (T, B)>,
}

impl<T: Scalar, B: Backend<T>> Observer for Recorder<T, B> {
    fn on_epoch(&mut self, _stats: &EpochStats) -> ControlFlow<()> {
        self.epochs_observed += 1;
        ControlFlow::Continue(())
    }
}

impl<T: Scalar, B: Backend<T>> EpochHook<T, B> for Recorder<T, B> {
    fn on_epoch_end(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        stats: &EpochStats,
    ) -> ControlFlow<()> {
        assert_eq!(trainer.epochs_done(), stats.epoch + 1);
        assert_eq!(self.epochs_observed, stats.epoch + 1, "on_epoch runs first");
        self.seen.push((trainer.epochs_done(), bits(mlp), trainer.resume_state()));
        if self.seen.len() == self.stop_after {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

fn hook_sees_each_epoch_and_its_checkpoint_resumes<T: Scalar, B: Backend<T>>(prefetch: bool) {
    let data: Dataset<T> = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast();
    let mlp_config = MlpConfig::course();
    // Five epochs in one run, the hook ending it there; and 2, 3, 5 epochs in runs of their own.
    let mut mlp = Mlp::<T, B>::new(&mlp_config).unwrap();
    let mut recorder = Recorder {
        seen: Vec::new(),
        stop_after: 5,
        epochs_observed: 0,
        marker: Default::default(),
    };
    let history = trainer::<T, B>(8, prefetch).fit_with(&mut mlp, &data, &mut recorder).unwrap();
    assert_eq!(history.epochs.len(), 5, "the hook's Break ends the run after that epoch");
    for &n in &[2, 3, 5] {
        let mut alone = Mlp::<T, B>::new(&mlp_config).unwrap();
        trainer::<T, B>(n, prefetch).fit(&mut alone, &data, &mut Silent).unwrap();
        let (done, params, _) = &recorder.seen[n - 1];
        assert_eq!((*done, params), (n, &bits(&alone)), "{} after {n} epochs", B::NAME);
    }
    // The state taken at the boundary after epoch 2, with the parameters of then, trains 3
    // more epochs to the parameters of 5 epochs in one go.
    let (_, params, state) = &recorder.seen[1];
    let mut resumed = from_bits::<T, B>(&mlp_config, params);
    let mut rest = trainer::<T, B>(3, prefetch);
    rest.restore(&resumed, state).unwrap();
    rest.fit(&mut resumed, &data, &mut Silent).unwrap();
    assert_eq!(bits(&resumed), recorder.seen[4].1);
}

/// A network of `config`'s shape holding the parameters `bits` (as [`bits`] lists them).
fn from_bits<T: Scalar, B: Backend<T>>(config: &MlpConfig, bits: &[u64]) -> Mlp<T, B> {
    let shapes = Mlp::<T, B>::new(config).unwrap();
    let mut at = 0;
    let params = shapes
        .params()
        .iter()
        .map(|p| {
            let (rows, cols) = B::shape(p);
            let values: Vec<T> = bits[at..at + rows * cols]
                .iter()
                .map(|&b| T::from_f64(f64::from_bits(b)))
                .collect();
            at += rows * cols;
            B::from_col_major(rows, cols, &values).unwrap()
        })
        .collect();
    Mlp::from_params(config, params).unwrap()
}

#[test]
fn the_epoch_hook_sees_every_boundary_and_a_state_taken_there_resumes_exactly() {
    for prefetch in [false, true] {
        hook_sees_each_epoch_and_its_checkpoint_resumes::<f64, Ndarray>(prefetch);
        hook_sees_each_epoch_and_its_checkpoint_resumes::<f32, Nalgebra>(prefetch);
    }
}

/// The moons data with one feature replaced by `bad`, read one example at a time (as a
/// memory-mapped file is: nothing checked it when it was opened).
struct Poisoned {
    data: Dataset<f64>,
    example: usize,
    feature: usize,
    bad: f64,
}

impl DataSource<f64> for Poisoned {
    fn n_examples(&self) -> usize {
        self.data.n_examples()
    }
    fn n_features(&self) -> usize {
        self.data.n_features()
    }
    fn n_targets(&self) -> usize {
        self.data.n_targets()
    }
    fn read_example(&self, j: usize, out: &mut [f64]) {
        out.copy_from_slice(self.data.example(j));
        if j == self.example {
            out[self.feature] = self.bad;
        }
    }
    fn read_target(&self, j: usize, out: &mut [f64]) {
        out.copy_from_slice(self.data.target(j));
    }
}

#[test]
fn a_non_finite_feature_is_refused_in_the_first_epoch_naming_example_and_feature() {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    for (bad, prefetch) in [(f64::NAN, false), (f64::NEG_INFINITY, true)] {
        let source = Poisoned { data: data.clone(), example: 217, feature: 1, bad };
        let mut mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
        let err = trainer::<f64, Ndarray>(3, prefetch).fit(&mut mlp, &source, &mut Silent);
        let Err(Error::InvalidArgument { op: "data", reason }) = err else {
            panic!("expected a data error, got {err:?}")
        };
        assert!(reason.contains(&format!("feature 1 of example 217 is {bad}")), "{reason}");
        assert!(reason.contains("row 217, column 1"), "{reason}");
    }
}
