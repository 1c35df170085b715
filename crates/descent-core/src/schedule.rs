//! The `Schedule` trait: the learning rate of each epoch.

use std::fmt;

/// A learning-rate schedule: the rate that every mini-batch of epoch `epoch` trains with.
///
/// Epochs count from 0, so `lr(0)` is the initial rate `lr0` for every schedule that starts
/// there. Rates are `f64` whatever the training dtype, and are converted once per epoch, as
/// numpy does in the course. The implementations (constant, inverse-time, scheduled, …)
/// live in `descent-train`.
pub trait Schedule: Send + Sync + fmt::Debug {
    /// The learning rate for every batch of epoch `epoch` (counting from 0).
    fn lr(&self, epoch: usize) -> f64;
}
