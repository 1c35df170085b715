//! The course's schedules: constant, inverse-time decay and its scheduled (stepped) form.

use descent_core::{Result, Schedule};

use super::{check_lr, check_positive, check_rate};

/// No decay: every epoch trains with `lr0` (`none` on the command line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant {
    lr0: f64,
}

impl Constant {
    /// The constant rate `lr0`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"none"`) when
    /// `lr0` is negative, infinite or NaN.
    pub fn new(lr0: f64) -> Result<Self> {
        check_lr("none", "lr0", lr0)?;
        Ok(Self { lr0 })
    }
}

impl Schedule for Constant {
    fn lr(&self, _epoch: usize) -> f64 {
        self.lr0
    }
}

/// Inverse-time decay, the course's `update_lr`: epoch `e` (from 0) trains with
/// `lr0 / (1 + rate·e)` (`inverse-time` on the command line).
///
/// The rate falls fast: with `rate = 1` it is halved after one epoch and divided by 1000
/// after 999. Use [`Scheduled`] for long runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InverseTime {
    lr0: f64,
    rate: f64,
}

impl InverseTime {
    /// `lr0 / (1 + rate·e)`; the course uses `rate = 1`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"inverse-time"`)
    /// when `lr0` or `rate` is negative, infinite or NaN.
    pub fn new(lr0: f64, rate: f64) -> Result<Self> {
        check_lr("inverse-time", "lr0", lr0)?;
        check_rate("inverse-time", rate)?;
        Ok(Self { lr0, rate })
    }
}

impl Schedule for InverseTime {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 / (1.0 + self.rate * epoch as f64)
    }
}

/// Scheduled inverse-time decay, the course's `schedule_lr_decay`: epoch `e` (from 0) trains
/// with `lr0 / (1 + rate·⌊e / interval⌋)`, a step down every `interval` epochs (`scheduled` on
/// the command line).
///
/// The course runs it with `rate = 1` and `interval = 1000`: `lr0` for epochs 0–999,
/// `lr0/2` for 1000–1999, `lr0/3` for 2000–2999, …
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scheduled {
    lr0: f64,
    rate: f64,
    interval: usize,
}

impl Scheduled {
    /// `lr0 / (1 + rate·⌊e / interval⌋)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"scheduled"`)
    /// when `lr0` or `rate` is negative, infinite or NaN, or `interval` is 0.
    pub fn new(lr0: f64, rate: f64, interval: usize) -> Result<Self> {
        check_lr("scheduled", "lr0", lr0)?;
        check_rate("scheduled", rate)?;
        check_positive("scheduled", "interval", interval)?;
        Ok(Self { lr0, rate, interval })
    }
}

impl Schedule for Scheduled {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 / (1.0 + self.rate * (epoch / self.interval) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::assert_lrs;

    // Values from tests/fixtures/optim/reference.py, for epochs 0, 1, 999, 1000, 2500.
    const INVERSE_TIME: [f64; 5] =
        [0.1, 0.05, 0.0001, 9.99000999000999e-05, 3.9984006397441024e-05];
    const SCHEDULED: [f64; 5] = [0.1, 0.1, 0.1, 0.05, 0.03333333333333333];

    #[test]
    fn constant_is_constant() {
        assert_lrs(&Constant::new(0.1).unwrap(), [0.1; 5], 0.0);
        assert_eq!(Constant::new(0.0).unwrap().lr(7), 0.0);
    }

    #[test]
    fn inverse_time_matches_hand_values() {
        // 0.1/1, 0.1/2, 0.1/1000, 0.1/1001, 0.1/2501.
        assert_lrs(&InverseTime::new(0.1, 1.0).unwrap(), INVERSE_TIME, 0.0);
        assert_lrs(&InverseTime::new(0.1, 0.0).unwrap(), [0.1; 5], 0.0);
    }

    #[test]
    fn scheduled_steps_every_interval() {
        // ⌊e/1000⌋ = 0, 0, 0, 1, 2: 0.1, 0.1, 0.1, 0.1/2, 0.1/3.
        assert_lrs(&Scheduled::new(0.1, 1.0, 1000).unwrap(), SCHEDULED, 0.0);
        // Interval 1 is inverse-time decay.
        let (a, b) = (Scheduled::new(0.1, 1.0, 1).unwrap(), InverseTime::new(0.1, 1.0).unwrap());
        assert!((0..3000).all(|e| a.lr(e) == b.lr(e)));
    }
}
