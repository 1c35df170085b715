//! The settings of a training run ([`TrainConfig`]), what it records ([`EpochStats`],
//! [`History`]) and how far into an epoch a stopped run got ([`EpochProgress`]).

use descent_core::{Error, Result};

/// Settings of a training run.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Number of epochs (passes over the data). Default 5000, as the course.
    pub epochs: usize,
    /// Examples per mini-batch: 1 is SGD, ≥ m is batch gradient descent. Default 64.
    pub batch_size: usize,
    /// Shuffle the examples every epoch; otherwise batches are consecutive. Default `true`.
    pub shuffle: bool,
    /// Seed of the per-epoch permutations. Default 1.
    pub seed: u64,
    /// Clip the gradients' global L2 norm to this value before each step. Default: off.
    pub clip_norm: Option<f64>,
    /// Record every mini-batch's cost in [`History::batch_costs`]. Default `true`.
    pub record_batch_costs: bool,
    /// Gather the next mini-batch on a second thread while the current one trains, so that
    /// reading the data (from a memory-mapped file: page faults and conversion) overlaps the
    /// step. The batches and the parameters are bit-identical either way. Default `None`: as
    /// the source prefers ([`DataSource::prefers_prefetch`](crate::DataSource::prefers_prefetch): on for memory-mapped files, off
    /// for a [`Dataset`](crate::Dataset) in memory, whose copy is cheaper than a hand-off
    /// between threads).
    pub prefetch: Option<bool>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 5000,
            batch_size: 64,
            shuffle: true,
            seed: 1,
            clip_norm: None,
            record_batch_costs: true,
            prefetch: None,
        }
    }
}

impl TrainConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"train"`) for batch size 0 or a clip norm that is not a
    /// positive finite number.
    pub fn validate(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::InvalidArgument {
                op: "train",
                reason: "batch size must be at least 1".into(),
            });
        }
        if let Some(c) = self.clip_norm
            && !(c > 0.0 && c.is_finite())
        {
            return Err(Error::InvalidArgument {
                op: "train",
                reason: format!("clip norm must be a positive finite number, got {c}"),
            });
        }
        Ok(())
    }
}

/// What one epoch measured, from the forward passes its batches already made (before each
/// batch's update): no extra pass over the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochStats {
    /// The epoch, counting from 0 over the trainer's life (it continues after a resume).
    pub epoch: usize,
    /// The learning rate the epoch trained with.
    pub lr: f64,
    /// The course's epoch cost: the sum over batches of each batch's summed cost, over `m`.
    pub cost: f64,
    /// Fraction of examples predicted correctly; `None` for a linear output.
    pub accuracy: Option<f64>,
}

/// Everything a run recorded. Storage is reserved before the first step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// One entry per epoch.
    pub epochs: Vec<EpochStats>,
    /// The mean cost of every mini-batch, in order (when recorded): mini-batch descent's wiggle.
    pub batch_costs: Vec<f64>,
}

/// How far into an epoch a run stopped mid-epoch got: the next batch to train, and the
/// partial sums of the epoch's statistics so far.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EpochProgress {
    /// Mini-batches of the epoch already trained (0: at the start of the epoch).
    pub batches: usize,
    /// The sum of those batches' summed costs.
    pub cost_sum: f64,
    /// How many of their examples were predicted correctly.
    pub correct: usize,
}
