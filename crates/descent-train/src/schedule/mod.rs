//! Learning-rate schedules: constant, the course's inverse-time decays, exponential, step and
//! cosine.
//!
//! Every schedule implements [`Schedule`]: `lr(e)` is the learning rate of every mini-batch
//! of epoch `e`, epochs counting from 0, so epoch 0 trains with `lr(0) = lr0`. Rates are
//! `f64`; the trainer converts them to the training dtype once per epoch.
//!
//! | name (CLI) | type | `lr(e)` |
//! |---|---|---|
//! | `none` | [`Constant`] | `lr0` |
//! | `inverse-time` | [`InverseTime`] | `lr0 / (1 + rate·e)` |
//! | `scheduled` | [`Scheduled`] | `lr0 / (1 + rate·⌊e / interval⌋)` |
//! | `exponential` | [`Exponential`] | `lr0·exp(-rate·e / interval)` |
//! | `step` | [`StepDecay`] | `lr0 / (1 + rate)^⌊e / interval⌋` |
//! | `cosine` | [`Cosine`] | `lr_min + (lr0 - lr_min)·½(1 + cos(π·min(e, T) / T))` |
//!
//! [`Plateau`] (PyTorch's `ReduceLROnPlateau`) is not a [`Schedule`]: its rate follows the
//! monitored values, and an epoch hook steps it ([`EpochHook::learning_rate`](crate::EpochHook::learning_rate)).
//!
//! Each type's `new` validates its settings; [`ScheduleConfig`] holds the settings of any of
//! them for front ends and builds one given `lr0`.
//!
//! # Example
//! ```
//! use descent_core::Schedule;
//! use descent_train::schedule::ScheduleConfig;
//!
//! // The course's `schedule_lr_decay`: lr0 = 0.1, rate 1, a step every 1000 epochs.
//! let schedule = ScheduleConfig::Scheduled { rate: 1.0, interval: 1000 }.build(0.1).unwrap();
//! assert_eq!(schedule.lr(0), 0.1);
//! assert_eq!(schedule.lr(999), 0.1);
//! assert_eq!(schedule.lr(1000), 0.05);
//! ```

mod course;
mod decay;
mod plateau;

pub use course::{Constant, InverseTime, Scheduled};
pub use decay::{Cosine, Exponential, StepDecay};
pub use plateau::{Plateau, PlateauConfig, PlateauState, ThresholdMode};

use descent_core::{Error, Result, Schedule};

/// One schedule and its settings, without the initial rate `lr0`; [`build`](Self::build)
/// makes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScheduleConfig {
    /// `none`: the constant rate `lr0` ([`Constant`]).
    Constant,
    /// `inverse-time`: `lr0 / (1 + rate·e)` ([`InverseTime`]); default rate 1.
    InverseTime {
        /// The decay rate, non-negative.
        rate: f64,
    },
    /// `scheduled`: `lr0 / (1 + rate·⌊e / interval⌋)`, the course's `schedule_lr_decay`
    /// ([`Scheduled`]); defaults rate 1, interval 1000.
    Scheduled {
        /// The decay rate, non-negative.
        rate: f64,
        /// Epochs between steps, positive.
        interval: usize,
    },
    /// `exponential`: `lr0·exp(-rate·e / interval)` ([`Exponential`]); defaults rate 1,
    /// interval 1000.
    Exponential {
        /// The decay rate, non-negative.
        rate: f64,
        /// The epochs over which the rate falls by a factor `e^rate`, positive.
        interval: usize,
    },
    /// `step`: `lr0 / (1 + rate)^⌊e / interval⌋` ([`StepDecay`]); defaults rate 1 (halving),
    /// interval 1000.
    Step {
        /// The decay rate, non-negative.
        rate: f64,
        /// Epochs between steps, positive.
        interval: usize,
    },
    /// `cosine`: from `lr0` down to `lr_min` over `epochs` epochs along half a cosine, then
    /// `lr_min` ([`Cosine`]); defaults `lr_min` 0, 5000 epochs (the course's run: set it to
    /// the number of epochs trained).
    Cosine {
        /// The final rate, in `[0, lr0]`.
        lr_min: f64,
        /// The length `T` of the decay, positive.
        epochs: usize,
    },
}

impl ScheduleConfig {
    /// The names as the command line spells them, in the order of
    /// [`all_defaults`](ScheduleConfig::all_defaults).
    pub const NAMES: [&'static str; 6] =
        ["none", "inverse-time", "scheduled", "exponential", "step", "cosine"];

    /// The schedule's name as the command line spells it, e.g. `"inverse-time"`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Constant => "none",
            Self::InverseTime { .. } => "inverse-time",
            Self::Scheduled { .. } => "scheduled",
            Self::Exponential { .. } => "exponential",
            Self::Step { .. } => "step",
            Self::Cosine { .. } => "cosine",
        }
    }

    /// Every schedule with its default settings, in the order of
    /// [`NAMES`](ScheduleConfig::NAMES).
    #[must_use]
    pub fn all_defaults() -> [Self; 6] {
        [
            Self::Constant,
            Self::InverseTime { rate: 1.0 },
            Self::Scheduled { rate: 1.0, interval: 1000 },
            Self::Exponential { rate: 1.0, interval: 1000 },
            Self::Step { rate: 1.0, interval: 1000 },
            Self::Cosine { lr_min: 0.0, epochs: 5000 },
        ]
    }

    /// The schedule called `name` (one of [`NAMES`](ScheduleConfig::NAMES)) with its default
    /// settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"schedule"`) for an unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::all_defaults().into_iter().find(|c| c.name() == name).ok_or_else(|| {
            Error::InvalidArgument {
                op: "schedule",
                reason: format!(
                    "unknown schedule \"{name}\", expected one of {}",
                    Self::NAMES.join(", ")
                ),
            }
        })
    }

    /// Checks the settings that do not depend on `lr0` (a rate, an interval, `T`,
    /// `lr_min ≥ 0`); [`build`](ScheduleConfig::build) checks the rest.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the schedule for a negative, infinite or NaN rate or
    /// `lr_min`, or an interval or `T` of 0.
    pub fn validate(&self) -> Result<()> {
        let op = self.name();
        match *self {
            Self::Constant => Ok(()),
            Self::InverseTime { rate } => check_rate(op, rate),
            Self::Scheduled { rate, interval }
            | Self::Exponential { rate, interval }
            | Self::Step { rate, interval } => {
                check_rate(op, rate)?;
                check_positive(op, "interval", interval)
            }
            Self::Cosine { lr_min, epochs } => {
                check_lr(op, "lr_min", lr_min)?;
                check_positive(op, "epochs", epochs)
            }
        }
    }

    /// As [`validate`](ScheduleConfig::validate), and checks `lr0` too: what
    /// [`build`](ScheduleConfig::build) would refuse, without building the schedule.
    ///
    /// # Errors
    /// As [`build`](ScheduleConfig::build).
    pub fn validate_for(&self, lr0: f64) -> Result<()> {
        self.validate()?;
        let op = self.name();
        check_lr(op, "lr0", lr0)?;
        if let Self::Cosine { lr_min, .. } = *self
            && lr_min > lr0
        {
            return Err(Error::InvalidArgument {
                op,
                reason: format!("lr_min ({lr_min}) must not exceed lr0 ({lr0})"),
            });
        }
        Ok(())
    }

    /// The schedule starting at `lr0`.
    ///
    /// # Errors
    /// As [`validate`](ScheduleConfig::validate), and [`Error::InvalidArgument`] when `lr0` is
    /// negative, infinite or NaN, or (cosine) below `lr_min`.
    pub fn build(&self, lr0: f64) -> Result<Box<dyn Schedule>> {
        Ok(match *self {
            Self::Constant => Box::new(Constant::new(lr0)?),
            Self::InverseTime { rate } => Box::new(InverseTime::new(lr0, rate)?),
            Self::Scheduled { rate, interval } => Box::new(Scheduled::new(lr0, rate, interval)?),
            Self::Exponential { rate, interval } => {
                Box::new(Exponential::new(lr0, rate, interval)?)
            }
            Self::Step { rate, interval } => Box::new(StepDecay::new(lr0, rate, interval)?),
            Self::Cosine { lr_min, epochs } => Box::new(Cosine::new(lr0, lr_min, epochs)?),
        })
    }
}

impl Default for ScheduleConfig {
    /// No decay.
    fn default() -> Self {
        Self::Constant
    }
}

/// Checks that a learning rate (`lr0`, `lr_min`) of `op` is a non-negative finite number.
fn check_lr(op: &'static str, name: &str, lr: f64) -> Result<()> {
    if lr >= 0.0 && lr.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            reason: format!("{name} must be a non-negative finite number, got {lr}"),
        })
    }
}

/// Checks that a decay rate of `op` is a non-negative finite number.
fn check_rate(op: &'static str, rate: f64) -> Result<()> {
    if rate >= 0.0 && rate.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            reason: format!("decay rate must be a non-negative finite number, got {rate}"),
        })
    }
}

/// Checks that a count of epochs of `op` is positive.
fn check_positive(op: &'static str, name: &str, epochs: usize) -> Result<()> {
    if epochs > 0 {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            reason: format!("{name} must be at least 1 epoch, got 0"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The epochs every schedule test looks at.
    pub(super) const EPOCHS: [usize; 5] = [0, 1, 999, 1000, 2500];

    /// Asserts `lr(e)` for [`EPOCHS`] within `tol` of `expected`, relative to `expected`.
    pub(super) fn assert_lrs(schedule: &dyn Schedule, expected: [f64; 5], tol: f64) {
        for (e, want) in EPOCHS.into_iter().zip(expected) {
            let got = schedule.lr(e);
            assert!(
                (got - want).abs() <= tol * want,
                "{schedule:?}: lr({e}) = {got:e}, expected {want:e}"
            );
        }
    }

    #[test]
    fn names_round_trip_and_build() {
        for (config, name) in ScheduleConfig::all_defaults().iter().zip(ScheduleConfig::NAMES) {
            assert_eq!(config.name(), name);
            assert_eq!(ScheduleConfig::from_name(name).unwrap(), *config);
            assert!(config.validate().is_ok());
            assert_eq!(config.build(0.1).unwrap().lr(0), 0.1, "{name}");
        }
        let err = ScheduleConfig::from_name("linear").unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "schedule", .. }), "{err}");
    }

    #[test]
    fn configs_reject_bad_settings() {
        let bad = [
            ScheduleConfig::InverseTime { rate: -1.0 },
            ScheduleConfig::InverseTime { rate: f64::NAN },
            ScheduleConfig::Scheduled { rate: 1.0, interval: 0 },
            ScheduleConfig::Scheduled { rate: f64::INFINITY, interval: 10 },
            ScheduleConfig::Exponential { rate: 1.0, interval: 0 },
            ScheduleConfig::Step { rate: -0.5, interval: 10 },
            ScheduleConfig::Step { rate: 1.0, interval: 0 },
            ScheduleConfig::Cosine { lr_min: 0.0, epochs: 0 },
            ScheduleConfig::Cosine { lr_min: -1e-3, epochs: 10 },
        ];
        for config in bad {
            let err = config.validate().unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument { op, .. } if op == config.name()),
                "{config:?}: {err}"
            );
            assert!(config.build(0.1).is_err(), "{config:?}");
        }
        for config in ScheduleConfig::all_defaults() {
            for lr0 in [-0.1, f64::NAN, f64::INFINITY] {
                assert!(
                    matches!(config.build(lr0), Err(Error::InvalidArgument { .. })),
                    "{config:?} with lr0 {lr0}"
                );
            }
        }
        // `lr_min` above `lr0` is caught when `lr0` is known.
        let cosine = ScheduleConfig::Cosine { lr_min: 0.5, epochs: 10 };
        assert!(cosine.validate().is_ok());
        assert!(matches!(cosine.build(0.1), Err(Error::InvalidArgument { op: "cosine", .. })));
    }
}
