//! [`Observer`]: the hooks a front end gets into [`Trainer::fit`](crate::Trainer::fit) after
//! every batch and epoch (progress, Ctrl-C). [`EpochHook`](crate::EpochHook) extends it with
//! the network and the trainer at every epoch boundary.

use std::ops::ControlFlow;

use crate::EpochStats;

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
    /// ([`Trainer::progress`](crate::Trainer::progress)), so the next `fit`, or a trainer restored from
    /// [`Trainer::resume_state`](crate::Trainer::resume_state), continues with the next batch.
    fn should_stop(&mut self) -> bool {
        false
    }
}

/// An observer that does nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}
