//! `Plateau`: PyTorch's `ReduceLROnPlateau`, stepped once per epoch with the epoch's
//! monitored value; the rate it gives applies from the next epoch.

use descent_core::{Error, Result};

use crate::stopping::Mode;

/// How [`PlateauConfig::threshold`] turns the best value into the bar to beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThresholdMode {
    /// `rel` (default): better means `a < best·(1 − threshold)` ([`Mode::Min`]) or
    /// `a > best·(1 + threshold)` ([`Mode::Max`]).
    #[default]
    Rel,
    /// `abs`: better means `a < best − threshold` or `a > best + threshold`.
    Abs,
}

/// The settings of [`Plateau`], with PyTorch's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateauConfig {
    /// `min` for costs (default), `max` for accuracies.
    pub mode: Mode,
    /// The rate is multiplied by this on a plateau, in (0, 1); default 0.1.
    pub factor: f64,
    /// Epochs without improvement tolerated; the rate falls at the next one. Default 10;
    /// 0 (allowed, as in PyTorch) lowers it at every epoch without improvement.
    pub patience: usize,
    /// The margin of an improvement, finite and non-negative; default 1e-4.
    pub threshold: f64,
    /// How `threshold` applies; default [`ThresholdMode::Rel`].
    pub threshold_mode: ThresholdMode,
    /// Epochs after a reduction during which bad epochs are not counted; default 0.
    pub cooldown: usize,
    /// The rate never falls below this, finite and non-negative; default 0.
    pub min_lr: f64,
    /// A reduction smaller than this is skipped, finite and non-negative; default 1e-8.
    pub eps: f64,
}

impl Default for PlateauConfig {
    fn default() -> Self {
        Self {
            mode: Mode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: 0.0,
            eps: 1e-8,
        }
    }
}

impl PlateauConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"plateau"`) for a factor outside (0, 1), or a
    /// threshold, `min_lr` or `eps` that is negative, infinite or NaN.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "plateau", reason });
        if !(self.factor > 0.0 && self.factor < 1.0) {
            return invalid(format!("factor must be in (0, 1), got {}", self.factor));
        }
        for (name, x) in [("threshold", self.threshold), ("min_lr", self.min_lr), ("eps", self.eps)]
        {
            if !(x >= 0.0 && x.is_finite()) {
                return invalid(format!("{name} must be a non-negative finite number, got {x}"));
            }
        }
        Ok(())
    }

    /// Whether `a` is better than `best`: PyTorch's `is_better`, operation for operation.
    #[must_use]
    pub fn is_better(&self, a: f64, best: f64) -> bool {
        match (self.mode, self.threshold_mode) {
            (Mode::Min, ThresholdMode::Rel) => a < best * (1.0 - self.threshold),
            (Mode::Min, ThresholdMode::Abs) => a < best - self.threshold,
            (Mode::Max, ThresholdMode::Rel) => a > best * (self.threshold + 1.0),
            (Mode::Max, ThresholdMode::Abs) => a > best + self.threshold,
        }
    }
}

/// Everything [`Plateau`] remembers, in plain form, PyTorch's names: what a checkpoint
/// stores to resume it exactly ([`Plateau::state`], [`Plateau::from_state`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlateauState {
    /// The best value so far; [`Mode::worst`] (±∞) before the first step.
    pub best: f64,
    /// Epochs since the last improvement, not counting those in cooldown.
    pub num_bad_epochs: usize,
    /// Epochs of cooldown left.
    pub cooldown_counter: usize,
    /// The current rate: the one the next epoch trains with.
    pub lr: f64,
}

/// PyTorch's `torch.optim.lr_scheduler.ReduceLROnPlateau` for one learning rate, exactly:
/// after each epoch, [`step`](Plateau::step) with its monitored value `a`:
///
/// ```text
/// if is_better(a, best): best = a; num_bad_epochs = 0  else: num_bad_epochs += 1
/// if cooldown_counter > 0: cooldown_counter -= 1; num_bad_epochs = 0
/// if num_bad_epochs > patience:
///     new = max(lr·factor, min_lr); if lr − new > eps: lr = new
///     cooldown_counter = cooldown; num_bad_epochs = 0
/// ```
///
/// It is not a [`Schedule`](descent_core::Schedule) (the rate depends on the values seen, not
/// on the epoch): an [`EpochHook`](crate::EpochHook) steps it in
/// [`on_epoch_end`](crate::EpochHook::on_epoch_end) and returns [`lr`](Plateau::lr) from
/// [`learning_rate`](crate::EpochHook::learning_rate), so the new rate applies from the next
/// epoch and [`EpochStats::lr`](crate::EpochStats::lr) reports it; the trainer's own schedule
/// is then ignored (build it [`Constant`](super::Constant) at the same `lr0`).
///
/// # Example
/// ```
/// use descent_train::schedule::{Plateau, PlateauConfig};
///
/// let config = PlateauConfig { patience: 1, ..PlateauConfig::default() };
/// let mut plateau = Plateau::new(config, 0.1).unwrap();
/// for value in [1.0, 0.5, 0.5, 0.5] {
///     plateau.step(value);
/// }
/// assert_eq!(plateau.lr(), 0.1 * 0.1); // the second epoch without improvement
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plateau {
    config: PlateauConfig,
    state: PlateauState,
}

impl Plateau {
    /// The scheduler before its first step, at rate `lr0`.
    ///
    /// # Errors
    /// Whatever [`PlateauConfig::validate`] rejects, and [`Error::InvalidArgument`] (op
    /// `"plateau"`) for an `lr0` that is negative, infinite or NaN.
    pub fn new(config: PlateauConfig, lr0: f64) -> Result<Self> {
        let state = PlateauState {
            best: config.mode.worst(),
            num_bad_epochs: 0,
            cooldown_counter: 0,
            lr: lr0,
        };
        Self::from_state(config, state)
    }

    /// The scheduler continuing from a saved state.
    ///
    /// # Errors
    /// As [`new`](Plateau::new) (for the saved rate), and for a NaN best or a cooldown
    /// counter above the cooldown.
    pub fn from_state(config: PlateauConfig, state: PlateauState) -> Result<Self> {
        config.validate()?;
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "plateau", reason });
        if !(state.lr >= 0.0 && state.lr.is_finite()) {
            return invalid(format!(
                "the learning rate must be a non-negative finite number, got {}",
                state.lr
            ));
        }
        if state.best.is_nan() {
            return invalid("the saved best value is NaN".into());
        }
        if state.cooldown_counter > config.cooldown {
            return invalid(format!(
                "the saved cooldown counter {} exceeds the cooldown of {}",
                state.cooldown_counter, config.cooldown
            ));
        }
        Ok(Self { config, state })
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &PlateauConfig {
        &self.config
    }

    /// The state, for a checkpoint.
    #[must_use]
    pub fn state(&self) -> &PlateauState {
        &self.state
    }

    /// The current rate: the one the next epoch trains with.
    #[must_use]
    pub fn lr(&self) -> f64 {
        self.state.lr
    }

    /// One step with an epoch's monitored value (PyTorch's `scheduler.step(metrics)`);
    /// returns the rate for the next epoch. A NaN value counts as no improvement.
    pub fn step(&mut self, value: f64) -> f64 {
        let (c, s) = (&self.config, &mut self.state);
        if c.is_better(value, s.best) {
            s.best = value;
            s.num_bad_epochs = 0;
        } else {
            s.num_bad_epochs += 1;
        }
        if s.cooldown_counter > 0 {
            s.cooldown_counter -= 1;
            s.num_bad_epochs = 0;
        }
        if s.num_bad_epochs > c.patience {
            let new_lr = (s.lr * c.factor).max(c.min_lr);
            if s.lr - new_lr > c.eps {
                s.lr = new_lr;
            }
            s.cooldown_counter = c.cooldown;
            s.num_bad_epochs = 0;
        }
        s.lr
    }
}
