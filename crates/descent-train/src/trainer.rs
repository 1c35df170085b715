//! `Trainer`: runs epochs of mini-batches through forward, backward and an optimizer step.

use std::ops::ControlFlow;

use descent_core::{Backend, Error, Optimizer, Result, Scalar, Schedule};

use crate::feed::{self, Feed, Handoff};
use crate::{Batches, DataSource, EpochProgress, Mlp, Output, Workspace};

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
    /// the source prefers ([`DataSource::prefers_prefetch`]: on for memory-mapped files, off
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

/// Hooks a front end uses to show progress; the loop knows nothing about terminals.
pub trait Observer {
    /// Called after every mini-batch with its mean cost.
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        let _ = (epoch, batch, cost);
    }

    /// Called after every epoch; return `ControlFlow::Break(())` to stop after this epoch.
    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        let _ = stats;
        ControlFlow::Continue(())
    }

    /// Asked after every mini-batch (after [`on_batch`](Observer::on_batch)); return `true`
    /// to stop there, e.g. on Ctrl-C. The trainer remembers the position
    /// ([`Trainer::progress`]), so the next `fit`, or a trainer restored from
    /// [`Trainer::resume_state`], continues with the next batch.
    fn should_stop(&mut self) -> bool {
        false
    }
}

/// An observer that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Runs mini-batch training: per epoch, the schedule's learning rate, a fresh order of the
/// examples, and for each batch gather → forward → cost → backward → (clip) → optimizer step.
///
/// All buffers (batches, caches, gradients, optimizer state, history) are allocated before
/// the first step; steady-state steps allocate nothing. Same seed and backend give
/// bit-identical parameters: every reduction has a fixed order.
pub struct Trainer<T: Scalar, B: Backend<T>> {
    config: TrainConfig,
    pub(crate) optimizer: Box<dyn Optimizer<T, B>>,
    schedule: Box<dyn Schedule>,
    pub(crate) epochs_done: usize,
    /// How far into epoch `epochs_done` a stopped `fit` got (see [`crate::EpochProgress`]).
    pub(crate) progress: EpochProgress,
}

impl<T: Scalar, B: Backend<T>> std::fmt::Debug for Trainer<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("config", &self.config)
            .field("optimizer", &self.optimizer.name())
            .field("schedule", &self.schedule)
            .field("epochs_done", &self.epochs_done)
            .field("progress", &self.progress)
            .finish()
    }
}

impl<T: Scalar, B: Backend<T>> Trainer<T, B> {
    /// A trainer with these settings, update rule and learning-rate schedule.
    ///
    /// # Errors
    /// Whatever [`TrainConfig::validate`] rejects.
    pub fn new(
        config: TrainConfig,
        optimizer: Box<dyn Optimizer<T, B>>,
        schedule: Box<dyn Schedule>,
    ) -> Result<Self> {
        config.validate()?;
        Ok(Self { config, optimizer, schedule, epochs_done: 0, progress: EpochProgress::default() })
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The optimizer (for its state).
    #[must_use]
    pub fn optimizer(&self) -> &dyn Optimizer<T, B> {
        self.optimizer.as_ref()
    }

    /// The optimizer, mutably (to restore its state).
    pub fn optimizer_mut(&mut self) -> &mut dyn Optimizer<T, B> {
        self.optimizer.as_mut()
    }

    /// Epochs trained so far; the next [`fit`](Trainer::fit) starts at this epoch.
    #[must_use]
    pub fn epochs_done(&self) -> usize {
        self.epochs_done
    }

    /// Sets the number of epochs already trained (when resuming with a restored optimizer).
    pub fn set_epochs_done(&mut self, epochs: usize) {
        self.epochs_done = epochs;
    }

    /// Sets how many epochs the next [`fit`](Trainer::fit) trains (`config.epochs`): a front
    /// end that saves checkpoints calls `fit` once per stretch of epochs.
    pub fn set_epochs(&mut self, epochs: usize) {
        self.config.epochs = epochs;
    }

    /// How far into epoch [`epochs_done`](Trainer::epochs_done) training got when an
    /// [`Observer::should_stop`] stopped it mid-epoch (zero batches otherwise).
    #[must_use]
    pub fn progress(&self) -> EpochProgress {
        self.progress
    }

    /// Trains `mlp` on `data` for `config.epochs` epochs, starting at [`epochs_done`](Trainer::epochs_done).
    ///
    /// `data` is any [`DataSource`]: a [`Dataset`](crate::Dataset) in memory, or a source that
    /// reads each batch's examples from disk. Only the batch's examples are copied, into
    /// buffers reused from step to step; the same data gives the same parameters from either.
    ///
    /// After a stop mid-epoch ([`Observer::should_stop`]), the first epoch is the unfinished
    /// one, continued from its next batch; it counts as one of the `config.epochs`. The
    /// parameters then end bit-identical to those of an uninterrupted run.
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] before any step when the data does not fit the network
    ///   (input width, a target that is not a label of this output) or a learning rate is
    ///   negative or not finite;
    /// - [`Error::Diverged`] naming the epoch and batch when the cost or a gradient turns NaN
    ///   or infinite: the check runs before the update, so `mlp` keeps the last good
    ///   parameters (a parameter that overflows during an update with finite gradients is
    ///   reported the same way, after that update).
    pub fn fit(
        &mut self,
        mlp: &mut Mlp<T, B>,
        data: &(impl DataSource<T> + ?Sized),
        observer: &mut dyn Observer,
    ) -> Result<History> {
        check_data(mlp, data)?;
        let m = data.n_examples();
        let batches =
            Batches::new(m, self.config.batch_size, self.config.shuffle, self.config.seed)?;
        let n_batches = batches.n_batches();
        let layers = mlp.layers().to_vec();
        let mut ws = Caches {
            full: Workspace::<T, B>::new(&layers, batches.batch_size()),
            partial: batches.remainder().map(|r| Workspace::<T, B>::new(&layers, r)),
        };
        if self.progress.batches >= n_batches {
            return Err(Error::InvalidArgument {
                op: "resume",
                reason: format!(
                    "the run stopped after batch {} of epoch {} but an epoch of this data has \
                     {n_batches} batches",
                    self.progress.batches, self.epochs_done,
                ),
            });
        }
        if self.epochs_done == 0 && self.progress.batches == 0 {
            self.optimizer.init(mlp.params())?;
        }
        let mut history = History {
            epochs: Vec::with_capacity(self.config.epochs),
            batch_costs: Vec::with_capacity(if self.config.record_batch_costs {
                self.config.epochs.saturating_mul(n_batches).min(1 << 26)
            } else {
                0
            }),
        };
        let start = self.epochs_done;
        let plan = feed::Plan {
            layers: &layers,
            output: mlp.output(),
            epochs: start..start + self.config.epochs,
            skip: self.progress.batches,
        };
        if self.config.prefetch.unwrap_or_else(|| data.prefers_prefetch()) {
            let handoff = Handoff::new(&batches, &layers);
            std::thread::scope(|scope| {
                let feed = Feed::prefetched(scope, data, batches, &plan, &handoff)?;
                self.run_epochs(mlp, data, feed, &mut ws, n_batches, &mut history, observer)?;
                Ok(history)
            })
        } else {
            let feed = Feed::inline(batches, &plan, data.n_targets());
            self.run_epochs(mlp, data, feed, &mut ws, n_batches, &mut history, observer)?;
            Ok(history)
        }
    }

    /// The epochs of [`fit`](Trainer::fit), from the batches `feed` gathers: per batch, forward
    /// → cost → backward → (clip) → optimizer step. Returns early on an observer's stop.
    #[allow(clippy::too_many_arguments)] // Private; `fit` is its one caller.
    fn run_epochs(
        &mut self,
        mlp: &mut Mlp<T, B>,
        data: &(impl DataSource<T> + ?Sized),
        mut feed: Feed<'_, T, B>,
        ws: &mut Caches<T, B>,
        n_batches: usize,
        history: &mut History,
        observer: &mut dyn Observer,
    ) -> Result<()> {
        let m = data.n_examples();
        let mut grads = mlp.zeros_like_params();
        let clip = self.config.clip_norm.map(T::from_f64);
        let start = self.epochs_done;
        for epoch in start..start + self.config.epochs {
            let lr = self.schedule.lr(epoch);
            if !(lr >= 0.0 && lr.is_finite()) {
                return Err(Error::InvalidArgument {
                    op: "schedule",
                    reason: format!("learning rate of epoch {epoch} is {lr}"),
                });
            }
            feed.start_epoch(epoch);
            let skip = std::mem::take(&mut self.progress);
            let (mut cost_sum, mut correct) = (skip.cost_sum, skip.correct);
            let mut stop = false;
            for batch in skip.batches..n_batches {
                let g = feed.next(data, batch)?;
                let ws = match ws.partial.as_mut() {
                    Some(p) if g.n == p.n_examples() => p,
                    _ => &mut ws.full,
                };
                mlp.forward(&g.x, ws)?;
                let cost = mlp.cost_sum(ws, &g.y)?;
                if !cost.is_finite() {
                    return Err(Error::Diverged { epoch, batch, what: "cost" });
                }
                correct += mlp.count_correct(ws, &g.y)?;
                mlp.backward(&g.x, &g.y, ws, &mut grads)?;
                let n = g.n;
                feed.recycle(g);
                if let Some(max_norm) = clip {
                    crate::optim::clip_by_global_norm::<T, B>(&mut grads, max_norm)?;
                }
                if !grads.iter().all(B::all_finite) {
                    return Err(Error::Diverged { epoch, batch, what: "gradient" });
                }
                self.optimizer.step(mlp.params_mut(), &grads, T::from_f64(lr))?;
                if !mlp.params().iter().all(B::all_finite) {
                    return Err(Error::Diverged { epoch, batch, what: "parameter" });
                }
                cost_sum += cost.to_f64();
                let batch_cost = cost.to_f64() / n as f64;
                if self.config.record_batch_costs
                    && history.batch_costs.len() < history.batch_costs.capacity()
                {
                    history.batch_costs.push(batch_cost);
                }
                observer.on_batch(epoch, batch, batch_cost);
                if observer.should_stop() {
                    if batch + 1 < n_batches {
                        self.progress = EpochProgress { batches: batch + 1, cost_sum, correct };
                        return Ok(());
                    }
                    stop = true;
                }
            }
            let stats = EpochStats {
                epoch,
                lr,
                cost: cost_sum / m as f64,
                accuracy: mlp.output().is_classifier().then(|| correct as f64 / m as f64),
            };
            history.epochs.push(stats);
            self.epochs_done = epoch + 1;
            if observer.on_epoch(&stats).is_break() || stop {
                break;
            }
        }
        Ok(())
    }
}

/// The forward/backward caches of the full and the partial batch size.
struct Caches<T: Scalar, B: Backend<T>> {
    full: Workspace<T, B>,
    partial: Option<Workspace<T, B>>,
}

/// Checks, before training, that every example fits the network.
fn check_data<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<()> {
    if data.n_features() != mlp.layers()[0] {
        return Err(Error::InvalidArgument {
            op: "data",
            reason: format!(
                "the data has {} features but the network's input is {} wide",
                data.n_features(),
                mlp.layers()[0]
            ),
        });
    }
    let mut col = vec![T::ZERO; mlp.layers()[mlp.layers().len() - 1]];
    let mut target = vec![T::ZERO; data.n_targets()];
    for j in 0..data.n_examples() {
        data.read_target(j, &mut target);
        mlp.encode_target(&target, &mut col).map_err(|e| match e {
            Error::InvalidArgument { reason, .. } => {
                Error::InvalidArgument { op: "data", reason: format!("example {j}: {reason}") }
            }
            other => other,
        })?;
    }
    Ok(())
}

/// Copies the examples `idx` into the batch buffers `x` (features) and `y` (encoded targets),
/// through `target` (`n_targets` long). Allocates nothing.
///
/// A sigmoid or linear output whose width is the data's target width stores the targets as
/// they are: they are read straight into `y`, and a sigmoid's label is checked to be 0 or 1
/// there. Softmax labels go through [`Mlp::encode_target`] (one-hot). Used by the training
/// feed (inline or prefetching) and by evaluation.
pub(crate) fn gather<T: Scalar, B: Backend<T>>(
    output: Output,
    data: &(impl DataSource<T> + ?Sized),
    idx: impl Iterator<Item = usize>,
    target: &mut [T],
    x: &mut B::Matrix,
    y: &mut B::Matrix,
) -> Result<()> {
    let as_stored = output != Output::Softmax && target.len() == B::shape(y).0;
    let sigmoid = output == Output::Sigmoid;
    // Whether a sigmoid label is neither 0 nor 1, accumulated without a branch per example
    // (the labels of a shuffled batch would mispredict half of them).
    let mut not_a_label = false;
    let mut n = 0;
    for (c, j) in idx.enumerate() {
        data.read_example(j, B::col_mut(x, c));
        if as_stored {
            let col = B::col_mut(y, c);
            data.read_target(j, col);
            not_a_label |= sigmoid & !((col[0] == T::ZERO) | (col[0] == T::ONE));
        } else {
            data.read_target(j, target);
            crate::cost::encode_target(output, target, B::col_mut(y, c))?;
        }
        n = c + 1;
    }
    if not_a_label {
        // `encode_target` names the first bad label in its error.
        for c in 0..n {
            target.copy_from_slice(B::col(y, c));
            crate::cost::encode_target(output, target, B::col_mut(y, c))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use descent_nalgebra::Nalgebra;

    use super::*;
    use crate::{Dataset, MlpConfig};

    #[test]
    fn gather_reads_sigmoid_labels_as_stored_and_names_a_bad_one() {
        let mlp = Mlp::<f64, Nalgebra>::new(&MlpConfig::course()).unwrap();
        let features = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let good = Dataset::new(2, features.clone(), 1, vec![1.0, 0.0, 1.0]).unwrap();
        let zeros = <Nalgebra as Backend<f64>>::zeros;
        let (mut x, mut y) = (zeros(2, 2), zeros(1, 2));
        let mut target = [0.0];
        gather::<f64, Nalgebra>(
            mlp.output(),
            &good,
            [2, 1].into_iter(),
            &mut target,
            &mut x,
            &mut y,
        )
        .unwrap();
        assert_eq!(x.as_slice(), &[5.0, 6.0, 3.0, 4.0]);
        assert_eq!(y.as_slice(), &[1.0, 0.0]);
        // The first label that is neither 0 nor 1 in the batch's order is named.
        let bad = Dataset::new(2, features, 1, vec![1.0, 0.5, 2.0]).unwrap();
        let (mut x, mut y) = (zeros(2, 3), zeros(1, 3));
        let err = gather::<f64, Nalgebra>(
            mlp.output(),
            &bad,
            [0, 2, 1].into_iter(),
            &mut target,
            &mut x,
            &mut y,
        );
        let err = err.unwrap_err().to_string();
        assert!(err.contains("needs labels 0 or 1, got 2"), "{err}");
    }
}
