//! The session's hook into the training loop (`Boundary`): progress and Ctrl-C after every
//! batch; at every epoch boundary the validation score, then early stopping and the plateau
//! schedule (`EpochControl`, on that score or the epoch's cost), then the
//! `--checkpoint-every` checkpoint, which holds the control's state.

use std::marker::PhantomData;
use std::ops::ControlFlow;

use descent::train::{
    Dataset, EpochControl, EpochHook, EpochStats, Mlp, Observer, Trainer, evaluate,
};
use descent::{Backend, Scalar};

use super::interrupt;
use super::monitor::{Monitor, Validation};
use super::saver::Saver;
use crate::failure::Failure;

/// The hook of one session's `fit_with`.
pub(super) struct Boundary<'a, T: Scalar, B: Backend<T>> {
    pub monitor: &'a mut dyn Monitor,
    pub validation: Option<&'a Dataset<T>>,
    pub scores: Vec<Validation>,
    pub saver: Saver<'a>,
    pub every: Option<usize>,
    /// Early stopping and the plateau schedule, when on.
    pub control: Option<EpochControl>,
    /// The epoch count the run ends at.
    pub end: usize,
    /// A failure at an epoch boundary (a checkpoint that could not be written), which ended
    /// the run.
    pub failed: Option<Failure>,
    /// The first mini-batch's mean cost (before its update).
    pub first_cost: Option<f64>,
    pub backend: PhantomData<fn() -> B>,
}

impl<T: Scalar, B: Backend<T>> Observer for Boundary<'_, T, B> {
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        self.first_cost.get_or_insert(cost);
        self.monitor.on_batch(epoch, batch, cost);
    }

    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.monitor.on_epoch(stats)
    }

    fn should_stop(&mut self) -> bool {
        interrupt::requested()
    }
}

impl<T: Scalar, B: Backend<T>> EpochHook<T, B> for Boundary<'_, T, B> {
    fn on_epoch_end(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        stats: &EpochStats,
    ) -> ControlFlow<()> {
        let mut eval = None;
        if let Some(v) = self.validation {
            match evaluate(mlp, v) {
                Ok(e) => {
                    let score = Validation { cost: e.cost, accuracy: e.accuracy };
                    self.monitor.on_validation(&score);
                    self.scores.push(score);
                    eval = Some(e);
                }
                Err(e) => return self.fail(Failure::Run(e.into())),
            }
        }
        let mut flow = ControlFlow::Continue(());
        if let Some(control) = &mut self.control {
            match control.end_epoch(mlp, stats, eval.as_ref()) {
                Ok(f) => flow = f,
                Err(e) => return self.fail(Failure::Run(e.into())),
            }
        }
        let done = trainer.epochs_done();
        if flow.is_continue()
            && self.every.is_some_and(|k| done.is_multiple_of(k))
            && done < self.end
            && let Err(e) = self.saver.save(mlp, trainer, self.control.as_ref())
        {
            return self.fail(Failure::Run(e));
        }
        flow
    }

    fn learning_rate(&mut self, _epoch: usize, scheduled: f64) -> f64 {
        self.control.as_ref().map_or(scheduled, |c| c.learning_rate(scheduled))
    }
}

impl<T: Scalar, B: Backend<T>> Boundary<'_, T, B> {
    fn fail(&mut self, failure: Failure) -> ControlFlow<()> {
        self.failed = Some(failure);
        ControlFlow::Break(())
    }
}
