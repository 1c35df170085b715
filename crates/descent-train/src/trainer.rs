//! `Trainer`: runs epochs of mini-batches through forward, backward and an optimizer step, and
//! `EpochHook`, the front end's view of the network and the trainer at every epoch boundary.

use std::ops::ControlFlow;

use descent_core::{Backend, Error, Optimizer, Result, Scalar, Schedule};

use crate::dropout::Dropout;
use crate::feed::{self, Feed, Handoff};
use crate::regularize::{self, RegularizationConfig};
use crate::weights::BatchWeights;
use crate::{
    Batches, DataSource, EpochProgress, EpochStats, History, Mlp, Observer, TrainConfig, Workspace,
};

/// Runs mini-batch training: per epoch, the schedule's learning rate, a fresh order of the
/// examples, and for each batch gather → forward → cost → backward → (clip) → optimizer step.
///
/// All buffers (batches, caches, gradients, optimizer state, history) are allocated before
/// the first step; steady-state steps allocate nothing. Same seed and backend give
/// bit-identical parameters: every reduction has a fixed order.
pub struct Trainer<T: Scalar, B: Backend<T>> {
    config: TrainConfig,
    regularization: RegularizationConfig,
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
            .field("regularization", &self.regularization)
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
        Ok(Self {
            config,
            regularization: RegularizationConfig::default(),
            optimizer,
            schedule,
            epochs_done: 0,
            progress: EpochProgress::default(),
        })
    }

    /// This trainer with L2, dropout and class weights ([`RegularizationConfig`]); without,
    /// a trainer uses the default, which changes nothing.
    ///
    /// # Errors
    /// Whatever [`RegularizationConfig::validate`] rejects.
    pub fn with_regularization(mut self, regularization: RegularizationConfig) -> Result<Self> {
        regularization.validate()?;
        self.regularization = regularization;
        Ok(self)
    }

    /// The L2, dropout and class-weight settings.
    #[must_use]
    pub fn regularization(&self) -> &RegularizationConfig {
        &self.regularization
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
        self.fit_with(mlp, data, &mut NoHook(observer))
    }

    /// As [`fit`](Trainer::fit), with a hook that also sees the network and the trainer at
    /// every epoch boundary ([`EpochHook::on_epoch_end`]): validation scores, checkpoints and
    /// early stops happen between epochs of one run, which checks the data, allocates its
    /// buffers and starts a prefetching worker once.
    ///
    /// The features are checked to be finite as the first epoch gathers them (and the next
    /// one after a stop mid-epoch): a NaN or infinite feature is an
    /// [`Error::InvalidArgument`] (op `"data"`) naming its example and feature, before the
    /// batch that holds it trains.
    ///
    /// # Errors
    /// As [`fit`](Trainer::fit).
    pub fn fit_with(
        &mut self,
        mlp: &mut Mlp<T, B>,
        data: &(impl DataSource<T> + ?Sized),
        hook: &mut dyn EpochHook<T, B>,
    ) -> Result<History> {
        check_data(mlp, data)?;
        let m = data.n_examples();
        let batches =
            Batches::new(m, self.config.batch_size, self.config.shuffle, self.config.seed)?;
        let n_batches = batches.n_batches();
        let layers = mlp.layers().to_vec();
        let reg = &self.regularization;
        let dropout = Dropout::resolve(&reg.keep_prob, layers.len() - 2, self.config.seed)?;
        let n_out = layers[layers.len() - 1];
        let class_weights = reg.class_weights.as_deref();
        let weights = BatchWeights::new(class_weights, mlp.output(), n_out, data.has_weights())?;
        let workspace = |n| {
            let mut ws = Workspace::<T, B>::new(&layers, n);
            if dropout.is_some() {
                ws.enable_dropout();
            }
            ws
        };
        let ws = Caches {
            full: workspace(batches.batch_size()),
            partial: batches.remainder().map(workspace),
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
        let history = History {
            epochs: Vec::with_capacity(self.config.epochs),
            batch_costs: Vec::with_capacity(if self.config.record_batch_costs {
                self.config.epochs.saturating_mul(n_batches).min(1 << 26)
            } else {
                0
            }),
        };
        let start = self.epochs_done;
        let plan = feed::FeedPlan {
            layers: &layers,
            output: mlp.output(),
            epochs: start..start + self.config.epochs,
            skip: self.progress.batches,
            weights,
        };
        let weighted = plan.weights.is_some();
        if self.config.prefetch.unwrap_or_else(|| data.prefers_prefetch()) {
            let handoff = Handoff::new(&batches, &layers);
            std::thread::scope(|scope| {
                let feed = Feed::prefetched(scope, data, batches, &plan, &handoff)?;
                let mut run = EpochRun { feed, ws, n_batches, history, dropout, weighted };
                self.run_epochs(mlp, data, &mut run, hook)?;
                Ok(run.history)
            })
        } else {
            let feed = Feed::inline(batches, &plan, data.n_targets());
            let mut run = EpochRun { feed, ws, n_batches, history, dropout, weighted };
            self.run_epochs(mlp, data, &mut run, hook)?;
            Ok(run.history)
        }
    }

    /// The epochs of [`fit_with`](Trainer::fit_with), from the batches `run.feed` gathers: per
    /// batch, forward → cost → backward → (clip) → optimizer step. Returns early on a stop.
    fn run_epochs(
        &mut self,
        mlp: &mut Mlp<T, B>,
        data: &(impl DataSource<T> + ?Sized),
        run: &mut EpochRun<'_, T, B>,
        hook: &mut dyn EpochHook<T, B>,
    ) -> Result<()> {
        let m = data.n_examples();
        let n_batches = run.n_batches;
        let mut grads = mlp.zeros_like_params();
        let clip = self.config.clip_norm.map(T::from_f64);
        let l2 = T::from_f64(self.regularization.l2);
        let start = self.epochs_done;
        for epoch in start..start + self.config.epochs {
            let lr = hook.learning_rate(epoch, self.schedule.lr(epoch));
            if !(lr >= 0.0 && lr.is_finite()) {
                return Err(Error::InvalidArgument {
                    op: "schedule",
                    reason: format!("learning rate of epoch {epoch} is {lr}"),
                });
            }
            run.feed.start_epoch(epoch);
            let skip = std::mem::take(&mut self.progress);
            let (mut cost_sum, mut correct) = (skip.cost_sum, skip.correct);
            let mut stop = false;
            for batch in skip.batches..n_batches {
                let g = run.feed.next(data, batch)?;
                let ws = match run.ws.partial.as_mut() {
                    Some(p) if g.n == p.n_examples() => p,
                    _ => &mut run.ws.full,
                };
                let dropout = run.dropout.as_ref();
                if let Some(d) = dropout {
                    d.draw(ws, epoch, batch);
                }
                mlp.forward_with(&g.x, ws, dropout)?;
                let n = g.n;
                let n_t = T::from_usize(n);
                // The batch's summed cost: `n` times its mean cost.
                let (mut cost, weights) = if run.weighted {
                    let w_sum = g.w.iter().fold(T::ZERO, |s, &w| s + w);
                    let loss = mlp.weighted_cost_sum(ws, &g.y, &g.w)?;
                    let cost = if w_sum > T::ZERO { loss / w_sum * n_t } else { T::ZERO };
                    (cost, Some((&g.w[..], w_sum)))
                } else {
                    (mlp.cost_sum(ws, &g.y)?, None)
                };
                if l2 > T::ZERO {
                    let squares = regularize::weights_sum_squares::<T, B>(mlp.params());
                    cost += l2 / T::from_f64(2.0) * squares;
                }
                if !cost.is_finite() {
                    return Err(Error::Diverged { epoch, batch, what: "cost" });
                }
                correct += mlp.count_correct(ws, &g.y)?;
                // A batch whose weights sum to 0 trains nothing.
                let trains = weights.is_none_or(|(_, w_sum)| w_sum > T::ZERO);
                if trains {
                    mlp.backward_with(&g.x, &g.y, ws, &mut grads, weights, dropout)?;
                }
                run.feed.recycle(g);
                if trains {
                    if l2 > T::ZERO {
                        regularize::add_l2_gradient::<T, B>(&mut grads, mlp.params(), l2 / n_t)?;
                    }
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
                }
                cost_sum += cost.to_f64();
                let batch_cost = cost.to_f64() / n as f64;
                let costs = &mut run.history.batch_costs;
                if self.config.record_batch_costs && costs.len() < costs.capacity() {
                    costs.push(batch_cost);
                }
                hook.on_batch(epoch, batch, batch_cost);
                if hook.should_stop() {
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
            run.history.epochs.push(stats);
            self.epochs_done = epoch + 1;
            let observed = hook.on_epoch(&stats);
            let hooked = hook.on_epoch_end(mlp, self, &stats);
            if observed.is_break() || hooked.is_break() || stop {
                break;
            }
        }
        Ok(())
    }
}

/// What [`Trainer::run_epochs`] works with: the batches, the caches, and the record.
struct EpochRun<'a, T: Scalar, B: Backend<T>> {
    feed: Feed<'a, T, B>,
    ws: Caches<T, B>,
    n_batches: usize,
    history: History,
    /// The hidden layers' dropout, when some drop.
    dropout: Option<Dropout>,
    /// Whether the examples are weighted (`Gathered::w` is filled).
    weighted: bool,
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

/// An [`Observer`] that also sees the network and the trainer at every epoch boundary, after
/// [`Observer::on_epoch`]: the place for work between epochs that needs the parameters or
/// the optimizer's state — scoring a validation set, writing a checkpoint
/// ([`Trainer::resume_state`] is complete there), stopping early.
///
/// [`Trainer::fit_with`] calls it; [`Trainer::fit`] takes a plain observer.
pub trait EpochHook<T: Scalar, B: Backend<T>>: Observer {
    /// Called when epoch `stats.epoch` is complete: `trainer.epochs_done()` is
    /// `stats.epoch + 1`. Return `ControlFlow::Break(())` to end the run here; the trainer
    /// is then exactly where a resume would continue.
    fn on_epoch_end(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        stats: &EpochStats,
    ) -> ControlFlow<()> {
        let _ = (mlp, trainer, stats);
        ControlFlow::Continue(())
    }

    /// The learning rate every batch of epoch `epoch` trains with, given the rate the
    /// trainer's [`Schedule`] gives it (`scheduled`); asked once at the start of each epoch
    /// (again for an unfinished epoch a resumed run continues). The default keeps the
    /// schedule's rate; a hook that adapts the rate at epoch boundaries (a
    /// [`Plateau`](crate::schedule::Plateau) stepped in
    /// [`on_epoch_end`](EpochHook::on_epoch_end)) returns its own, which is then what
    /// [`EpochStats::lr`] reports. The trainer checks it as it checks the schedule's: a
    /// negative or non-finite rate ends the run with [`Error::InvalidArgument`].
    fn learning_rate(&mut self, epoch: usize, scheduled: f64) -> f64 {
        let _ = epoch;
        scheduled
    }
}

/// A plain observer as an [`EpochHook`] that does nothing at epoch boundaries.
struct NoHook<'a>(pub &'a mut dyn Observer);

impl Observer for NoHook<'_> {
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        self.0.on_batch(epoch, batch, cost);
    }

    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.0.on_epoch(stats)
    }

    fn should_stop(&mut self) -> bool {
        self.0.should_stop()
    }
}

impl<T: Scalar, B: Backend<T>> EpochHook<T, B> for NoHook<'_> {}
