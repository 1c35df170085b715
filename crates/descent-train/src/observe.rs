//! The hooks a front end gets into [`Trainer::fit`](crate::Trainer::fit): an [`Observer`] of
//! batches and epochs (progress, Ctrl-C), and an [`EpochHook`] that sees the network and the
//! trainer at every epoch boundary (validation scores, checkpoints, early stops), so a front
//! end trains a whole run in one `fit` instead of cutting it into calls.

use std::ops::ControlFlow;

use descent_core::{Backend, Scalar};

use crate::{EpochStats, Mlp, Trainer};

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
}

/// A plain observer as an [`EpochHook`] that does nothing at epoch boundaries.
pub(crate) struct NoHook<'a>(pub &'a mut dyn Observer);

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
