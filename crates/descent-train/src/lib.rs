//! The training side of **descent**: the MLP, mini-batches, optimizers, learning-rate
//! schedules and the training loop, written once over any `Backend`.

#![warn(missing_docs)]

pub mod optim;
pub mod schedule;
