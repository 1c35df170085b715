//! The five standard workloads of `cargo xtask bench` (issues 5 and 20), defined once for the
//! runner, the reference check and the README.
//!
//! | name | data | layers | batch | epochs | optimizer |
//! |---|---|---|---|---|---|
//! | `course` | moons, 300 examples, noise 0.2 | 2-5-2-1 | 64 | 5000 | adam lr 0.0007 |
//! | `sgd` | same | 2-5-2-1 | 1 | 100 | adam lr 0.0007 |
//! | `deep-narrow` | 8,192 × 32 synthetic, binary | 32-64-64-64-64-1 | 32 | 5 | adam lr 1e-3 |
//! | `wide` | 16,384 × 784 synthetic, binary | 784-1024-1024-1 | 256 | 1 | adam lr 1e-3 |
//! | `tabular` | 200,000 × 32 teacher-labelled, binary | 32-256-128-1 | 128 | 2 | adam lr 1e-3 |
//!
//! Synthetic data: standard normal features, label = `[w·x > 0]` for a fixed random
//! projection `w`, from a fixed seed. Teacher data (`tabular`): standard normal features,
//! label = `[f(x) > 0]` for a hidden teacher network `f` = 32-16-1 with tanh and no biases
//! and seeded weights (see [`teacher`]); `f` is odd and the features are symmetric, so the
//! classes are balanced in expectation without a median threshold. [`Workload::quick`]
//! shrinks the epochs (and the synthetic and teacher data) so that a CI smoke run takes
//! seconds.

use std::time::Instant;

use descent_core::{Backend, Error, Result, Scalar};
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

/// Where a workload's examples come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// The built-in moons data: 300 examples, noise 0.2, seed 3.
    Moons,
    /// `n_examples` standard-normal examples of `n_features`, labelled by a random projection.
    Synthetic {
        /// Examples.
        n_examples: usize,
        /// Features per example.
        n_features: usize,
    },
    /// `n_examples` standard-normal examples of `n_features`, labelled by a hidden teacher
    /// network ([`teacher`]).
    Teacher {
        /// Examples.
        n_examples: usize,
        /// Features per example.
        n_features: usize,
    },
}

/// One standard workload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Workload {
    /// The name the report and the runner use, e.g. `course`.
    pub name: &'static str,
    /// The data.
    pub data: Data,
    /// Layer widths from input to output (ReLU hidden layers, sigmoid output).
    pub layers: &'static [usize],
    /// Examples per mini-batch.
    pub batch: usize,
    /// Epochs.
    pub epochs: usize,
    /// Adam's learning rate.
    pub lr: f64,
}

/// The five workloads, in the report's order.
pub const WORKLOADS: [Workload; 5] = [
    Workload {
        name: "course",
        data: Data::Moons,
        layers: &[2, 5, 2, 1],
        batch: 64,
        epochs: 5000,
        lr: 0.0007,
    },
    Workload {
        name: "sgd",
        data: Data::Moons,
        layers: &[2, 5, 2, 1],
        batch: 1,
        epochs: 100,
        lr: 0.0007,
    },
    Workload {
        name: "deep-narrow",
        data: Data::Synthetic { n_examples: 8192, n_features: 32 },
        layers: &[32, 64, 64, 64, 64, 1],
        batch: 32,
        epochs: 5,
        lr: 1e-3,
    },
    Workload {
        name: "wide",
        data: Data::Synthetic { n_examples: 16_384, n_features: 784 },
        layers: &[784, 1024, 1024, 1],
        batch: 256,
        epochs: 1,
        lr: 1e-3,
    },
    Workload {
        name: "tabular",
        data: Data::Teacher { n_examples: 200_000, n_features: 32 },
        layers: &[32, 256, 128, 1],
        batch: 128,
        epochs: 2,
        lr: 1e-3,
    },
];

/// Seed of the synthetic features and of the labelling projection.
pub const DATA_SEED: u64 = 42;

impl Workload {
    /// The workload called `name`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown name.
    pub fn by_name(name: &str) -> Result<Self> {
        WORKLOADS.iter().copied().find(|w| w.name == name).ok_or_else(|| Error::InvalidArgument {
            op: "workload",
            reason: format!("unknown workload {name:?}"),
        })
    }

    /// The reduced version `--quick` runs: a tenth of the epochs (at least 1) for the small
    /// networks, and a sixteenth of the synthetic and teacher examples.
    #[must_use]
    pub fn quick(mut self) -> Self {
        self.epochs = (self.epochs / 50).max(1);
        self.data = match self.data {
            Data::Moons => Data::Moons,
            Data::Synthetic { n_examples, n_features } => {
                Data::Synthetic { n_examples: n_examples / 16, n_features }
            }
            Data::Teacher { n_examples, n_features } => {
                Data::Teacher { n_examples: n_examples / 16, n_features }
            }
        };
        self
    }

    /// The number of examples.
    #[must_use]
    pub fn n_examples(&self) -> usize {
        match self.data {
            Data::Moons => datasets::SyntheticConfig::default().n_examples,
            Data::Synthetic { n_examples, .. } | Data::Teacher { n_examples, .. } => n_examples,
        }
    }

    /// Mini-batch steps of the whole run.
    #[must_use]
    pub fn steps(&self) -> usize {
        self.epochs * self.n_examples().div_ceil(self.batch)
    }

    /// Floating-point operations of one step on a full batch: `2·n_l·n_{l-1}·batch` for each
    /// of the forward product, `dW` and (except the first layer) `dA`.
    #[must_use]
    pub fn flops_per_example(&self) -> f64 {
        let mut res = 0.0;
        for (l, w) in self.layers.windows(2).enumerate() {
            let mac = (w[0] * w[1]) as f64;
            res += 2.0 * mac * if l == 0 { 2.0 } else { 3.0 };
        }
        res
    }

    /// Bytes of the data set, the parameters and Adam's two moments in a dtype of
    /// `scalar_bytes` bytes: the memory a run cannot do without (the issue's RSS yardstick).
    #[must_use]
    pub fn state_bytes(&self, scalar_bytes: usize) -> usize {
        let n_params: usize = self.layers.windows(2).map(|w| w[1] * (w[0] + 1)).sum();
        let data = self.n_examples() * (self.layers[0] + 1);
        (data + 3 * n_params) * scalar_bytes
    }

    /// The network's settings (He initialization, seed 1, ReLU, sigmoid).
    #[must_use]
    pub fn mlp_config(&self) -> MlpConfig {
        MlpConfig { layers: self.layers.to_vec(), ..MlpConfig::course() }
    }

    /// The training settings: shuffled batches, seed 1, batch costs not recorded.
    #[must_use]
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig {
            epochs: self.epochs,
            batch_size: self.batch,
            record_batch_costs: false,
            ..TrainConfig::default()
        }
    }

    /// The data set, built directly in `T` (no f64 copy is kept for f32 runs).
    ///
    /// # Errors
    /// Only if the data generator rejects its settings (not for these workloads).
    pub fn dataset<T: Scalar>(&self) -> Result<Dataset<T>> {
        match self.data {
            Data::Moons => Ok(datasets::moons(datasets::SyntheticConfig::default())?.cast()),
            Data::Synthetic { n_examples, n_features } => {
                synthetic(n_examples, n_features, DATA_SEED)
            }
            Data::Teacher { n_examples, n_features } => teacher(n_examples, n_features, DATA_SEED),
        }
    }
}

/// `n_examples` standard-normal examples of `n_features` and labels `[w·x > 0]` for a
/// standard-normal `w`, all drawn from one PCG stream seeded with `seed` (`w` first).
///
/// # Errors
/// As [`Dataset::new`] (not for positive sizes).
pub fn synthetic<T: Scalar>(n_examples: usize, n_features: usize, seed: u64) -> Result<Dataset<T>> {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let w: Vec<f64> = (0..n_features).map(|_| normal()).collect();
    let mut features = Vec::with_capacity(n_examples * n_features);
    let mut labels = Vec::with_capacity(n_examples);
    for _ in 0..n_examples {
        let mut dot = 0.0;
        for &wi in &w {
            let x = normal();
            dot += wi * x;
            features.push(T::from_f64(x));
        }
        labels.push(if dot > 0.0 { T::ONE } else { T::ZERO });
    }
    Dataset::new(n_features, features, 1, labels)
}

/// Hidden units of [`teacher`]'s network.
pub const TEACHER_HIDDEN: usize = 16;

/// `n_examples` standard-normal examples of `n_features` and labels `[v·tanh(W·x) > 0]` from
/// a hidden teacher network: `W` is `TEACHER_HIDDEN × n_features` with entries of variance
/// `1/n_features` (so `tanh` is neither saturated nor linear), `v` has `TEACHER_HIDDEN`
/// standard-normal entries, no biases. One PCG stream seeded with `seed` draws `W` (row by
/// row), then `v`, then the features. Without biases the teacher is odd, `f(-x) = -f(x)`, and
/// the features are symmetric, so each class has probability exactly 1/2.
///
/// # Errors
/// As [`Dataset::new`] (not for positive sizes).
pub fn teacher<T: Scalar>(n_examples: usize, n_features: usize, seed: u64) -> Result<Dataset<T>> {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
    let scale = 1.0 / (n_features as f64).sqrt();
    let w: Vec<f64> = (0..TEACHER_HIDDEN * n_features).map(|_| scale * normal()).collect();
    let v: Vec<f64> = (0..TEACHER_HIDDEN).map(|_| normal()).collect();
    let mut features = Vec::with_capacity(n_examples * n_features);
    let mut labels = Vec::with_capacity(n_examples);
    let mut x = vec![0.0; n_features];
    for _ in 0..n_examples {
        for xi in &mut x {
            *xi = normal();
            features.push(T::from_f64(*xi));
        }
        let out: f64 = w
            .chunks_exact(n_features)
            .zip(&v)
            .map(|(row, vj)| vj * row.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>().tanh())
            .sum();
        labels.push(if out > 0.0 { T::ONE } else { T::ZERO });
    }
    Dataset::new(n_features, features, 1, labels)
}

/// What one run of a workload measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunResult {
    /// Wall-clock seconds of `Trainer::fit` (data generation and set-up excluded).
    pub seconds: f64,
    /// Mini-batch steps run.
    pub steps: usize,
    /// The last epoch's cost.
    pub final_cost: f64,
}

/// Trains the workload's network on backend `B` in `T` and times `fit`.
///
/// # Errors
/// What building or training reports.
pub fn run<T: Scalar, B: Backend<T>>(w: &Workload) -> Result<RunResult> {
    let data = w.dataset::<T>()?;
    let mut mlp = Mlp::<T, B>::new(&w.mlp_config())?;
    let optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>()?;
    let schedule = ScheduleConfig::Constant.build(w.lr)?;
    let mut trainer = Trainer::new(w.train_config(), optimizer, schedule)?;
    let start = Instant::now();
    let history = trainer.fit(&mut mlp, &data, &mut Silent)?;
    let seconds = start.elapsed().as_secs_f64();
    let final_cost = history.epochs.last().map_or(f64::NAN, |e| e.cost);
    Ok(RunResult { seconds, steps: w.steps(), final_cost })
}

/// The process's peak resident set size in KiB (`VmHWM` of `/proc/self/status`), on Linux.
#[must_use]
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_flops_follow_the_definitions() {
        let course = Workload::by_name("course").unwrap();
        // 300 examples in batches of 64: 5 steps per epoch.
        assert_eq!(course.steps(), 25_000);
        assert_eq!(Workload::by_name("sgd").unwrap().steps(), 30_000);
        // 2·(2·5)·2 + 2·(5·2)·3 + 2·(2·1)·3 = 40 + 60 + 12.
        assert_eq!(course.flops_per_example(), 112.0);
        assert!(Workload::by_name("mnist").is_err());
        assert_eq!(Workload::by_name("wide").unwrap().quick().n_examples(), 1024);
    }

    #[test]
    fn synthetic_labels_are_the_sign_of_a_projection() {
        let d = synthetic::<f64>(200, 3, 5).unwrap();
        let ones = d.targets().iter().filter(|&&t| t == 1.0).count();
        // A random hyperplane through the origin splits standard normal data roughly in half.
        assert!((60..140).contains(&ones), "{ones} of 200 positive");
        assert_eq!(synthetic::<f64>(200, 3, 5).unwrap(), d, "seeded");
    }

    #[test]
    fn teacher_data_is_seeded_shaped_and_balanced() {
        let d = teacher::<f64>(2000, 32, DATA_SEED).unwrap();
        assert_eq!((d.n_examples(), d.n_features()), (2000, 32));
        assert_eq!(d.features().len(), 2000 * 32);
        assert!(d.targets().iter().all(|&t| t == 0.0 || t == 1.0));
        let ones = d.targets().iter().filter(|&&t| t == 1.0).count();
        // Balanced in expectation; 2000 draws stay within ±10% with overwhelming probability.
        assert!((800..1200).contains(&ones), "{ones} of 2000 positive");
        assert_eq!(teacher::<f64>(2000, 32, DATA_SEED).unwrap(), d, "seeded");
        assert_ne!(teacher::<f64>(2000, 32, DATA_SEED + 1).unwrap(), d, "the seed matters");
        // f32 is the f64 data rounded.
        let f = teacher::<f32>(2000, 32, DATA_SEED).unwrap();
        assert!(f.features().iter().zip(d.features()).all(|(a, b)| *a == *b as f32));
        assert_eq!(f.targets().iter().filter(|&&t| t == 1.0).count(), ones);
    }

    #[test]
    fn tabular_is_the_issue_workload() {
        let t = Workload::by_name("tabular").unwrap();
        assert_eq!(
            (t.n_examples(), t.layers, t.batch, t.epochs),
            (200_000, &[32, 256, 128, 1][..], 128, 2)
        );
        assert_eq!(t.steps(), 2 * 1563);
        assert_eq!(t.quick().n_examples(), 12_500);
        assert_eq!(t.quick().epochs, 1);
        assert_eq!(t.data, Data::Teacher { n_examples: 200_000, n_features: 32 });
    }
}
