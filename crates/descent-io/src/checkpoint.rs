//! The checkpoint file: a model file plus everything an exact resume needs.
//!
//! A checkpoint is a model file ([`crate::model`]): `load_model` (and so `descent eval`)
//! reads it as one. It adds the optimizer's buffers as tensors `opt.<slot>.<param>` (e.g.
//! `opt.v.W1`, `opt.s.b2`; shaped and typed like the parameter, row-major) and these
//! metadata entries:
//!
//! | key | example | meaning |
//! |---|---|---|
//! | `checkpoint` | `1` | [`CHECKPOINT_VERSION`] |
//! | `optimizer` | `adam` | the optimizer's name |
//! | `optimizer.beta`, `.beta1`, `.beta2`, `.epsilon`, `.weight_decay`, `.nesterov` | `0.9` | its hyper-parameters (those it has) |
//! | `optimizer.step` | `4650` | updates applied (Adam's `t`) |
//! | `optimizer.slots` | `v,s` | the buffers per parameter, in the optimizer's order |
//! | `lr` | `0.0007` | the initial learning rate `lr0` |
//! | `schedule` | `scheduled` | the schedule's name |
//! | `schedule.rate`, `.interval`, `.lr_min`, `.epochs` | `1000` | its settings (those it has) |
//! | `epochs_done` | `3` | complete epochs trained |
//! | `batches_done`, `epoch_cost_sum`, `epoch_correct` | `4` | the position inside the next epoch after a stop mid-epoch |
//! | `batch_size`, `shuffle`, `seed`, `clip_norm` | `64` | the batches' settings (`clip_norm` absent: no clipping) |
//! | `init`, `init_seed` | `he`, `1` | how the parameters were first drawn |
//! | `data.examples`, `data.features`, `data.targets`, `data.xxh3` | `300` | the data set's [`DataFingerprint`] |
//! | `setting.<name>` | `setting.backend` = `faer` | a front end's own settings ([`Checkpoint::settings`]) |
//! | `early_stopping.*`, `plateau.*`, tensors `last.*` | | early stopping's and the plateau schedule's state ([`ControlState`], version 2) |
//!
//! The random state is the seed plus the position: epoch `e` shuffles with a generator seeded
//! from `(seed, e)` ([`Batches`](descent_train::Batches)), and the learning rate is a
//! function of the epoch. Floats are written in Rust's shortest round-trip form, so every
//! value reads back bit for bit. Nothing in the file depends on time, paths or hash-map order:
//! the same run writes the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use descent_core::{Backend, Scalar};
use descent_train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    DataSource, FeatureStats, Init, Mlp, MlpConfig, ResumeState, TrainConfig, Trainer,
};

use crate::error::{IoError, Result};
use crate::model::{Dtype, ModelFile, param_name};

mod control;
mod read;
mod write;

pub use control::ControlState;
pub use read::load_checkpoint;
pub use write::save_checkpoint;

/// The prefix of the optimizer buffers' tensor names.
pub(crate) const OPT_PREFIX: &str = "opt.";

/// The prefix of the tensors training resumes from when the model holds early stopping's best
/// epoch ([`ControlState::last_params`]).
pub(crate) const LAST_PREFIX: &str = "last.";

/// The newest version of the checkpoint entries this crate writes and reads: 2 adds early
/// stopping's and the plateau schedule's state ([`ControlState`]); a file without them is
/// written as version 1.
pub const CHECKPOINT_VERSION: u32 = 2;

/// The settings a run trains with, besides the network's shape: what `--resume` takes from a
/// checkpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSettings {
    /// The optimizer and its hyper-parameters.
    pub optimizer: OptimizerConfig,
    /// The initial learning rate `lr0`.
    pub lr: f64,
    /// The learning-rate schedule.
    pub schedule: ScheduleConfig,
    /// Examples per mini-batch.
    pub batch_size: usize,
    /// Shuffle every epoch.
    pub shuffle: bool,
    /// Seed of the per-epoch permutations.
    pub seed: u64,
    /// Gradient clipping by global norm.
    pub clip_norm: Option<f64>,
    /// How the parameters were first drawn.
    pub init: Init,
    /// The seed they were drawn with.
    pub init_seed: u64,
}

impl TrainingSettings {
    /// The trainer's settings for `epochs` further epochs.
    #[must_use]
    pub fn train_config(&self, epochs: usize) -> TrainConfig {
        TrainConfig {
            epochs,
            batch_size: self.batch_size,
            shuffle: self.shuffle,
            seed: self.seed,
            clip_norm: self.clip_norm,
            ..TrainConfig::default()
        }
    }
}

/// What identifies a data set: its shape and an XXH3-64 hash of its values.
///
/// The hash runs over the little-endian bytes of: the tag `descent-data-v1`, the example,
/// feature and target counts (as `u64`), then every feature and every target as the bits of
/// its `f64` value, example by example. It identifies the data, not its file: the same values
/// from CSV or `.npy` give the same fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFingerprint {
    /// The number of examples.
    pub n_examples: usize,
    /// Features per example.
    pub n_features: usize,
    /// Target values per example.
    pub n_targets: usize,
    /// XXH3-64 of the values.
    pub xxh3: u64,
}

impl DataFingerprint {
    /// The fingerprint of a data set as training reads it (every value converted to `f64`;
    /// features example by example, then the targets): the same for a [`Dataset`](descent_train::Dataset) in memory
    /// and a memory-mapped source holding the same values.
    #[must_use]
    pub fn of<T: Scalar, S: DataSource<T> + ?Sized>(data: &S) -> Self {
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        hasher.update(b"descent-data-v1");
        let (m, n, t) = (data.n_examples(), data.n_features(), data.n_targets());
        for count in [m, n, t] {
            hasher.update(&(count as u64).to_le_bytes());
        }
        let mut values = vec![T::ZERO; n.max(t)];
        let mut buf = Vec::with_capacity(8 * n.max(t));
        let mut hash = |values: &[T]| {
            buf.clear();
            buf.extend(values.iter().flat_map(|x| x.to_f64().to_bits().to_le_bytes()));
            hasher.update(&buf);
        };
        for j in 0..m {
            data.read_example(j, &mut values[..n]);
            hash(&values[..n]);
        }
        for j in 0..m {
            data.read_target(j, &mut values[..t]);
            hash(&values[..t]);
        }
        Self { n_examples: m, n_features: n, n_targets: t, xxh3: hasher.digest() }
    }
}

impl fmt::Display for DataFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} examples of {} features and {} target{} (xxh3 {:016x})",
            self.n_examples,
            self.n_features,
            self.n_targets,
            if self.n_targets == 1 { "" } else { "s" },
            self.xxh3
        )
    }
}

/// Everything a checkpoint file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// The network: what a model file holds.
    pub model: ModelFile,
    /// The training settings.
    pub training: TrainingSettings,
    /// The position and the optimizer's state.
    pub resume: ResumeState,
    /// The data set trained on.
    pub data: DataFingerprint,
    /// A front end's own settings (e.g. `backend`, `threads`, `data`), stored as
    /// `setting.<name>` entries. Keys are letters, digits, `_` and `-`; values any text
    /// without paths or times if the file is to be reproducible.
    pub settings: BTreeMap<String, String>,
    /// Early stopping's and the plateau schedule's state, when the run had them
    /// ([`Checkpoint::with_control`]).
    pub control: ControlState,
}

impl Checkpoint {
    /// The checkpoint of a run: `mlp`'s parameters (in `dtype`) and `trainer`'s state.
    #[must_use]
    pub fn capture<T: Scalar, B: Backend<T>>(
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        dtype: Dtype,
        standardize: Option<FeatureStats>,
        training: TrainingSettings,
        data: DataFingerprint,
        settings: BTreeMap<String, String>,
    ) -> Self {
        Self {
            model: ModelFile::from_mlp(mlp, dtype, standardize),
            training,
            resume: trainer.resume_state(),
            data,
            settings,
            control: ControlState::default(),
        }
    }

    /// The network and a trainer for `epochs` further epochs, on backend `B` with scalar
    /// `T`, in the state the checkpoint was written in: the next `fit` continues exactly.
    ///
    /// # Errors
    /// When the settings are invalid or the optimizer state does not fit the network
    /// (op `"resume"`).
    pub fn restore<T: Scalar, B: Backend<T>>(
        &self,
        epochs: usize,
    ) -> descent_core::Result<(Mlp<T, B>, Trainer<T, B>)> {
        let mlp: Mlp<T, B> = self.resume_mlp()?;
        let t = &self.training;
        let mut trainer = Trainer::new(
            t.train_config(epochs),
            t.optimizer.build::<T, B>()?,
            t.schedule.build(t.lr)?,
        )?;
        trainer.restore(&mlp, &self.resume)?;
        Ok((mlp, trainer))
    }

    /// The network's settings, as first built (widths, activation, output, init and seed).
    #[must_use]
    pub fn mlp_config(&self) -> MlpConfig {
        MlpConfig {
            layers: self.model.layers.clone(),
            hidden: self.model.activation,
            output: self.model.output,
            init: self.training.init,
            seed: self.training.init_seed,
        }
    }

    /// Checks that `data` is the data set the checkpoint was trained on.
    ///
    /// # Errors
    /// [`IoError::DataMismatch`] naming the checkpoint `path` and both fingerprints.
    pub fn check_data(&self, path: &Path, data: &DataFingerprint) -> Result<()> {
        if *data == self.data {
            return Ok(());
        }
        Err(IoError::DataMismatch {
            path: path.to_path_buf(),
            expected: self.data.to_string(),
            got: data.to_string(),
        })
    }
}

/// The name of optimizer buffer `slot` of parameter `param`: `opt.v.W1`.
fn slot_tensor(slot: &str, param: usize) -> String {
    format!("opt.{slot}.{}", param_name(param))
}

/// The metadata entries of the optimizer's hyper-parameters.
fn optimizer_entries(config: &OptimizerConfig) -> Vec<(&'static str, String)> {
    let f = |x: f64| format!("{x:?}");
    match config {
        OptimizerConfig::Gd => vec![],
        OptimizerConfig::Momentum(MomentumConfig { beta, nesterov }) => {
            vec![("beta", f(*beta)), ("nesterov", nesterov.to_string())]
        }
        OptimizerConfig::Adam(AdamConfig { beta1, beta2, epsilon }) => {
            vec![("beta1", f(*beta1)), ("beta2", f(*beta2)), ("epsilon", f(*epsilon))]
        }
        OptimizerConfig::RmsProp(RmsPropConfig { beta, epsilon }) => {
            vec![("beta", f(*beta)), ("epsilon", f(*epsilon))]
        }
        OptimizerConfig::AdamW(AdamWConfig { beta1, beta2, epsilon, weight_decay }) => vec![
            ("beta1", f(*beta1)),
            ("beta2", f(*beta2)),
            ("epsilon", f(*epsilon)),
            ("weight_decay", f(*weight_decay)),
        ],
    }
}

/// The metadata entries of a schedule's settings.
fn schedule_entries(config: &ScheduleConfig) -> Vec<(&'static str, String)> {
    let f = |x: f64| format!("{x:?}");
    match *config {
        ScheduleConfig::Constant => vec![],
        ScheduleConfig::InverseTime { rate } => vec![("rate", f(rate))],
        ScheduleConfig::Scheduled { rate, interval }
        | ScheduleConfig::Exponential { rate, interval }
        | ScheduleConfig::Step { rate, interval } => {
            vec![("rate", f(rate)), ("interval", interval.to_string())]
        }
        ScheduleConfig::Cosine { lr_min, epochs } => {
            vec![("lr_min", f(lr_min)), ("epochs", epochs.to_string())]
        }
    }
}

#[cfg(test)]
mod tests;
