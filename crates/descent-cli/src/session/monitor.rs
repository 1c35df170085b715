//! What a session reports to while it trains (`Monitor`: batches, epochs and validation
//! scores) and the validation score of one epoch (`Validation`).

use descent::train::Observer;

/// The network's cost and accuracy on the validation set after one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    /// Mean cost.
    pub cost: f64,
    /// Fraction correct; `None` for a linear output.
    pub accuracy: Option<f64>,
}

/// What a session reports to while it trains: batches and epochs, and validation scores.
pub trait Monitor: Observer {
    /// Called after each epoch's validation score.
    fn on_validation(&mut self, score: &Validation) {
        let _ = score;
    }
}
