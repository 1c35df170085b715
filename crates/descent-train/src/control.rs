//! What happens at an epoch boundary besides observing: [`EpochControl`] takes the monitored
//! value of each epoch to early stopping and the plateau schedule, and [`Controlled`] is a
//! ready [`EpochHook`] around it, with an observer and an optional validation set.

use std::ops::ControlFlow;

use descent_core::{Backend, Error, Result, Scalar};

use crate::schedule::Plateau;
use crate::stopping::{Decision, EarlyStopping, Metric};
use crate::{DataSource, EpochHook, EpochStats, Evaluation, Mlp, Observer, Trainer, evaluate};

/// The monitored [`Metric`] with what reacts to it: [`EarlyStopping`] and a [`Plateau`]
/// schedule, either optional. A front end's [`EpochHook`] calls
/// [`end_epoch`](EpochControl::end_epoch) from
/// [`on_epoch_end`](EpochHook::on_epoch_end) and answers
/// [`learning_rate`](EpochHook::learning_rate) with
/// [`learning_rate`](EpochControl::learning_rate).
#[derive(Debug, Clone, PartialEq)]
pub struct EpochControl {
    metric: Metric,
    early_stopping: Option<EarlyStopping>,
    plateau: Option<Plateau>,
    stopped_at: Option<usize>,
}

impl EpochControl {
    /// Monitors `metric` for `early_stopping` and `plateau` (fresh, or restored with their
    /// `from_state`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"monitor"`) when the metric needs a validation set and
    /// `has_validation` is false, or when the mode of early stopping or of the plateau
    /// ([`Mode`](crate::stopping::Mode)) is not the metric's.
    pub fn new(
        metric: Metric,
        early_stopping: Option<EarlyStopping>,
        plateau: Option<Plateau>,
        has_validation: bool,
    ) -> Result<Self> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "monitor", reason });
        if metric.needs_validation() && !has_validation {
            return invalid(format!("{} needs a validation set", metric.name()));
        }
        let modes = [
            ("early stopping", early_stopping.as_ref().map(|e| e.config().mode)),
            ("the plateau schedule", plateau.as_ref().map(|p| p.config().mode)),
        ];
        for (what, mode) in modes {
            if let Some(mode) = mode
                && mode != metric.mode()
            {
                return invalid(format!(
                    "{what} is in mode {mode:?} but {} is better {}",
                    metric.name(),
                    if metric.mode() == crate::stopping::Mode::Min { "lower" } else { "higher" }
                ));
            }
        }
        Ok(Self { metric, early_stopping, plateau, stopped_at: None })
    }

    /// The monitored metric.
    #[must_use]
    pub fn metric(&self) -> Metric {
        self.metric
    }

    /// Early stopping, when on (its state for a checkpoint, its best epoch).
    #[must_use]
    pub fn early_stopping(&self) -> Option<&EarlyStopping> {
        self.early_stopping.as_ref()
    }

    /// The plateau schedule, when on (its state for a checkpoint).
    #[must_use]
    pub fn plateau(&self) -> Option<&Plateau> {
        self.plateau.as_ref()
    }

    /// The epoch after which early stopping ended this run, if it did.
    #[must_use]
    pub fn stopped_at(&self) -> Option<usize> {
        self.stopped_at
    }

    /// The monitored value of an epoch: its training cost, or a score of `validation` (the
    /// network after that epoch on the validation set).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"monitor"`) when the metric needs `validation` and it
    /// is `None`, or is `validation_accuracy` and the output is linear.
    pub fn value(&self, stats: &EpochStats, validation: Option<&Evaluation>) -> Result<f64> {
        let missing = |what: &str| Error::InvalidArgument {
            op: "monitor",
            reason: format!("{} needs {what}", self.metric.name()),
        };
        match self.metric {
            Metric::Cost => Ok(stats.cost),
            Metric::ValidationCost => {
                validation.map(|v| v.cost).ok_or_else(|| missing("a validation set"))
            }
            Metric::ValidationAccuracy => validation
                .ok_or_else(|| missing("a validation set"))?
                .accuracy
                .ok_or_else(|| missing("a classifier (the output is linear)")),
        }
    }

    /// At the end of epoch `stats.epoch`, with `mlp` after it: steps the plateau with the
    /// monitored value and updates early stopping; `Break` when early stopping says stop.
    ///
    /// # Errors
    /// As [`value`](EpochControl::value).
    pub fn end_epoch<T: Scalar, B: Backend<T>>(
        &mut self,
        mlp: &Mlp<T, B>,
        stats: &EpochStats,
        validation: Option<&Evaluation>,
    ) -> Result<ControlFlow<()>> {
        let value = self.value(stats, validation)?;
        if let Some(plateau) = &mut self.plateau {
            plateau.step(value);
        }
        if let Some(early) = &mut self.early_stopping
            && early.update(stats.epoch, value, mlp) == Decision::Stop
        {
            self.stopped_at = Some(stats.epoch);
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    }

    /// The rate of the next epoch: the plateau's when it is on, else `scheduled`.
    #[must_use]
    pub fn learning_rate(&self, scheduled: f64) -> f64 {
        self.plateau.as_ref().map_or(scheduled, Plateau::lr)
    }

    /// Writes the best epoch's parameters into `mlp` when early stopping is on and an epoch
    /// improved; returns that epoch.
    ///
    /// # Errors
    /// As [`EarlyStopping::restore_best`].
    pub fn restore_best<T: Scalar, B: Backend<T>>(
        &self,
        mlp: &mut Mlp<T, B>,
    ) -> Result<Option<usize>> {
        match &self.early_stopping {
            Some(early) => early.restore_best(mlp),
            None => Ok(None),
        }
    }
}

/// An [`EpochHook`] that passes batches and epochs to `observer`, scores `validation` (when
/// given) after every epoch, and runs [`EpochControl`] on it: early stopping and the plateau
/// schedule without writing a hook. After [`Trainer::fit_with`], call
/// [`finish`](Controlled::finish).
pub struct Controlled<'a, T: Scalar, B: Backend<T>> {
    observer: &'a mut dyn Observer,
    validation: Option<&'a dyn DataSource<T>>,
    control: EpochControl,
    scores: Vec<Evaluation>,
    failed: Option<Error>,
    backend: std::marker::PhantomData<fn() -> B>,
}

impl<'a, T: Scalar, B: Backend<T>> Controlled<'a, T, B> {
    /// The hook; `control` was built knowing whether `validation` is given.
    pub fn new(
        observer: &'a mut dyn Observer,
        validation: Option<&'a dyn DataSource<T>>,
        control: EpochControl,
    ) -> Self {
        Self {
            observer,
            validation,
            control,
            scores: Vec::new(),
            failed: None,
            backend: std::marker::PhantomData,
        }
    }

    /// The control, with early stopping's and the plateau's state.
    #[must_use]
    pub fn control(&self) -> &EpochControl {
        &self.control
    }

    /// The validation scores, one per epoch trained (empty without a validation set).
    #[must_use]
    pub fn scores(&self) -> &[Evaluation] {
        &self.scores
    }

    /// Ends the run: returns the error that ended it at an epoch boundary (a validation set
    /// that does not fit the network), else restores the best epoch's parameters into `mlp`
    /// ([`EpochControl::restore_best`]) and returns that epoch.
    ///
    /// # Errors
    /// That error, or what [`EpochControl::restore_best`] returns.
    pub fn finish(&mut self, mlp: &mut Mlp<T, B>) -> Result<Option<usize>> {
        match self.failed.take() {
            Some(e) => Err(e),
            None => self.control.restore_best(mlp),
        }
    }
}

impl<T: Scalar, B: Backend<T>> Observer for Controlled<'_, T, B> {
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        self.observer.on_batch(epoch, batch, cost);
    }

    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.observer.on_epoch(stats)
    }

    fn should_stop(&mut self) -> bool {
        self.observer.should_stop()
    }
}

impl<T: Scalar, B: Backend<T>> EpochHook<T, B> for Controlled<'_, T, B> {
    fn on_epoch_end(
        &mut self,
        mlp: &Mlp<T, B>,
        _trainer: &Trainer<T, B>,
        stats: &EpochStats,
    ) -> ControlFlow<()> {
        let res = match self.validation {
            Some(v) => evaluate(mlp, v).map(|eval| {
                self.scores.push(eval);
                Some(eval)
            }),
            None => Ok(None),
        };
        match res.and_then(|eval| self.control.end_epoch(mlp, stats, eval.as_ref())) {
            Ok(flow) => flow,
            Err(e) => {
                self.failed = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    fn learning_rate(&mut self, _epoch: usize, scheduled: f64) -> f64 {
        self.control.learning_rate(scheduled)
    }
}
