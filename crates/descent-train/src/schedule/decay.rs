//! Exponential, step and cosine decay.

use std::f64::consts::PI;

use descent_core::{Error, Result, Schedule};

use super::{check_lr, check_positive, check_rate};

/// Exponential decay: epoch `e` (from 0) trains with `lr0·exp(-rate·e / interval)`, the rate
/// falling smoothly by a factor `e^rate` every `interval` epochs (`exponential` on the command
/// line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential {
    lr0: f64,
    rate: f64,
    interval: usize,
}

impl Exponential {
    /// `lr0·exp(-rate·e / interval)`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"exponential"`) when `lr0` or `rate` is negative,
    /// infinite or NaN, or `interval` is 0.
    pub fn new(lr0: f64, rate: f64, interval: usize) -> Result<Self> {
        check_lr("exponential", "lr0", lr0)?;
        check_rate("exponential", rate)?;
        check_positive("exponential", "interval", interval)?;
        Ok(Self { lr0, rate, interval })
    }
}

impl Schedule for Exponential {
    fn lr(&self, epoch: usize) -> f64 {
        self.lr0 * (-(self.rate * epoch as f64) / self.interval as f64).exp()
    }
}

/// Step decay: epoch `e` (from 0) trains with `lr0 / (1 + rate)^⌊e / interval⌋`, a step down
/// every `interval` epochs (`step` on the command line). `rate = 1` halves the rate every
/// interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepDecay {
    lr0: f64,
    rate: f64,
    interval: usize,
}

impl StepDecay {
    /// `lr0 / (1 + rate)^⌊e / interval⌋`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"step"`) when `lr0` or `rate` is negative, infinite or
    /// NaN, or `interval` is 0.
    pub fn new(lr0: f64, rate: f64, interval: usize) -> Result<Self> {
        check_lr("step", "lr0", lr0)?;
        check_rate("step", rate)?;
        check_positive("step", "interval", interval)?;
        Ok(Self { lr0, rate, interval })
    }
}

impl Schedule for StepDecay {
    fn lr(&self, epoch: usize) -> f64 {
        // `powf` (C's `pow`) is exact for powers of 2 and never overflows the exponent's type.
        self.lr0 / (1.0 + self.rate).powf((epoch / self.interval) as f64)
    }
}

/// Cosine decay (Loshchilov and Hutter, "SGDR: Stochastic gradient descent with warm
/// restarts", ICLR 2017, without restarts): from `lr0` at epoch 0 down to `lr_min` at epoch
/// `T` along half a cosine, then `lr_min` (`cosine` on the command line):
/// ```text
/// lr(e) = lr_min + (lr0 - lr_min)·½(1 + cos(π·min(e, T) / T))
/// ```
/// evaluated as `w·lr0 + (1 - w)·lr_min` with `w = ½(1 + cos(π·min(e, T) / T))`, which is
/// exactly `lr0` at `e = 0` and exactly `lr_min` from `e = T` on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cosine {
    lr0: f64,
    lr_min: f64,
    epochs: usize,
}

impl Cosine {
    /// From `lr0` down to `lr_min` over `epochs` (`T`) epochs.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"cosine"`) when `lr0` or `lr_min` is negative,
    /// infinite or NaN, `lr_min > lr0`, or `epochs` is 0.
    pub fn new(lr0: f64, lr_min: f64, epochs: usize) -> Result<Self> {
        check_lr("cosine", "lr0", lr0)?;
        check_lr("cosine", "lr_min", lr_min)?;
        check_positive("cosine", "epochs", epochs)?;
        if lr_min > lr0 {
            return Err(Error::InvalidArgument {
                op: "cosine",
                reason: format!("lr_min ({lr_min}) must not exceed lr0 ({lr0})"),
            });
        }
        Ok(Self { lr0, lr_min, epochs })
    }
}

impl Schedule for Cosine {
    fn lr(&self, epoch: usize) -> f64 {
        let t = self.epochs as f64;
        let w = 0.5 * (1.0 + (PI * epoch.min(self.epochs) as f64 / t).cos());
        w * self.lr0 + (1.0 - w) * self.lr_min
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::assert_lrs;

    // Values from tests/fixtures/optim/reference.py, for epochs 0, 1, 999, 1000, 2500.
    const EXPONENTIAL: [f64; 5] =
        [0.1, 0.09990004998333751, 0.03682475046136629, 0.036787944117144235, 0.008208499862389881];
    const STEP: [f64; 5] = [0.1, 0.1, 0.1, 0.05, 0.025];
    const COSINE: [f64; 5] = [0.1, 0.09999993893183533, 0.05057775438620114, 0.0505, 0.001];

    #[test]
    fn exponential_matches_hand_values() {
        // 0.1·e^0, 0.1·e^-0.001, 0.1·e^-0.999, 0.1·e^-1, 0.1·e^-2.5.
        assert_lrs(&Exponential::new(0.1, 1.0, 1000).unwrap(), EXPONENTIAL, 1e-15);
        assert_lrs(&Exponential::new(0.1, 0.0, 1).unwrap(), [0.1; 5], 0.0);
    }

    #[test]
    fn step_halves_every_interval() {
        // ⌊e/1000⌋ = 0, 0, 0, 1, 2: 0.1, 0.1, 0.1, 0.1/2, 0.1/4.
        assert_lrs(&StepDecay::new(0.1, 1.0, 1000).unwrap(), STEP, 0.0);
        // A huge number of steps underflows to 0 rather than failing.
        assert_eq!(StepDecay::new(0.1, 1.0, 1).unwrap().lr(usize::MAX), 0.0);
    }

    #[test]
    fn cosine_matches_hand_values_and_ends_at_lr_min() {
        // T = 2000, lr_min = 0.001: 0.1 at 0, the midpoint 0.0505 at 1000, lr_min from 2000.
        let cosine = Cosine::new(0.1, 0.001, 2000).unwrap();
        assert_lrs(&cosine, COSINE, 1e-15);
        assert_eq!(cosine.lr(0), 0.1);
        assert_eq!(cosine.lr(2000), 0.001);
        assert_eq!(cosine.lr(usize::MAX), 0.001);
        assert!((1..2000).all(|e| cosine.lr(e) < cosine.lr(e - 1)));
        assert!(matches!(
            Cosine::new(0.1, 0.2, 10),
            Err(Error::InvalidArgument { op: "cosine", .. })
        ));
    }
}
