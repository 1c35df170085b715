//! Early stopping: ends a run after `patience` epochs without improvement of a monitored
//! value and keeps the parameters of the best epoch, to restore at the end ([`EarlyStopping`]).
//!
//! The library does not compute the monitored value: the caller passes one per epoch (a
//! validation cost from [`evaluate`](crate::evaluate), the epoch's training cost from
//! [`EpochStats`](crate::EpochStats), …); [`Metric`] names the usual three and their [`Mode`].

use descent_core::{Backend, Error, Result, Scalar};

use crate::Mlp;

/// Whether a lower or a higher monitored value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Lower is better (costs).
    #[default]
    Min,
    /// Higher is better (accuracies).
    Max,
}

impl Mode {
    /// The value a first epoch always improves on: `+∞` for [`Mode::Min`], `-∞` for
    /// [`Mode::Max`] (PyTorch's `mode_worse`).
    #[must_use]
    pub fn worst(self) -> f64 {
        match self {
            Self::Min => f64::INFINITY,
            Self::Max => f64::NEG_INFINITY,
        }
    }
}

/// The value monitored after each epoch by early stopping and the plateau schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `validation_cost`: the mean cost on the validation set ([`Mode::Min`]).
    ValidationCost,
    /// `validation_accuracy`: the fraction correct on the validation set ([`Mode::Max`]).
    ValidationAccuracy,
    /// `cost`: the epoch's training cost, [`EpochStats::cost`](crate::EpochStats::cost)
    /// ([`Mode::Min`]).
    Cost,
}

impl Metric {
    /// The names as the command line spells them.
    pub const NAMES: [&'static str; 3] = ["validation_cost", "validation_accuracy", "cost"];

    /// The metric's name, e.g. `"validation_cost"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::ValidationCost => "validation_cost",
            Self::ValidationAccuracy => "validation_accuracy",
            Self::Cost => "cost",
        }
    }

    /// The metric called `name` (one of [`NAMES`](Metric::NAMES)).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"monitor"`) for an unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        [Self::ValidationCost, Self::ValidationAccuracy, Self::Cost]
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::InvalidArgument {
                op: "monitor",
                reason: format!(
                    "unknown metric \"{name}\", expected one of {}",
                    Self::NAMES.join(", ")
                ),
            })
    }

    /// Whether lower ([`Mode::Min`], costs) or higher (accuracy) is better.
    #[must_use]
    pub fn mode(self) -> Mode {
        match self {
            Self::ValidationAccuracy => Mode::Max,
            Self::ValidationCost | Self::Cost => Mode::Min,
        }
    }

    /// Whether the metric is measured on a validation set.
    #[must_use]
    pub fn needs_validation(self) -> bool {
        !matches!(self, Self::Cost)
    }

    /// The default: `validation_cost` when there is a validation set, else `cost`.
    #[must_use]
    pub fn default_for(has_validation: bool) -> Self {
        if has_validation { Self::ValidationCost } else { Self::Cost }
    }
}

/// The settings of early stopping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStoppingConfig {
    /// Consecutive epochs without improvement after which training stops, at least 1.
    /// Default 10.
    pub patience: usize,
    /// The margin an improvement must beat: a value improves when it is below
    /// `best - min_delta` ([`Mode::Min`]) or above `best + min_delta` ([`Mode::Max`]).
    /// Finite and non-negative; default 0.
    pub min_delta: f64,
    /// Whether lower or higher is better; default [`Mode::Min`].
    pub mode: Mode,
}

impl Default for EarlyStoppingConfig {
    fn default() -> Self {
        Self { patience: 10, min_delta: 0.0, mode: Mode::Min }
    }
}

impl EarlyStoppingConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"early stopping"`) for a patience of 0 or a `min_delta`
    /// that is negative, infinite or NaN.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "early stopping", reason });
        if self.patience == 0 {
            return invalid("patience must be at least 1 epoch, got 0".into());
        }
        if !(self.min_delta >= 0.0 && self.min_delta.is_finite()) {
            return invalid(format!(
                "min_delta must be a non-negative finite number, got {}",
                self.min_delta
            ));
        }
        Ok(())
    }

    /// Whether `value` improves on `best`: `value < best - min_delta` ([`Mode::Min`]) or
    /// `value > best + min_delta` ([`Mode::Max`]). A NaN never improves.
    #[must_use]
    pub fn improves(&self, value: f64, best: f64) -> bool {
        match self.mode {
            Mode::Min => value < best - self.min_delta,
            Mode::Max => value > best + self.min_delta,
        }
    }
}

/// Everything early stopping remembers, in plain form: what a checkpoint stores to resume
/// it exactly ([`EarlyStopping::state`], [`EarlyStopping::from_state`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStoppingState {
    /// The best value so far; [`Mode::worst`] (±∞) before any epoch improved.
    pub best: f64,
    /// The epoch (as [`EpochStats::epoch`](crate::EpochStats::epoch), from 0) whose value is
    /// `best`; `None` before any epoch improved. Its parameters are those after that epoch,
    /// i.e. of a run of `best_epoch + 1` epochs.
    pub best_epoch: Option<usize>,
    /// Consecutive epochs since the last improvement (or the start).
    pub bad_epochs: usize,
    /// The parameters after epoch `best_epoch`, in [`Mlp::params`] order (`W1, b1, W2, …`),
    /// each **column-major** (a weight `W_l` of shape (n_l, n_{l-1}) holds its column 0 first),
    /// as `f64` (exact for `f32` and `f64` training). Empty before any epoch improved.
    pub best_params: Vec<Vec<f64>>,
}

/// What [`EarlyStopping::update`] decided about an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The value improved: this epoch is the new best and its parameters were kept.
    Improved,
    /// No improvement, `bad_epochs` in a row now, fewer than the patience: go on.
    Wait {
        /// Consecutive epochs without improvement, this one included.
        bad_epochs: usize,
    },
    /// The patience ran out with this epoch: stop training.
    Stop,
}

/// Early stopping with the best epoch's parameters: call [`update`](EarlyStopping::update)
/// after every epoch with its monitored value, stop when it says [`Decision::Stop`], and
/// [`restore_best`](EarlyStopping::restore_best) at the end of the run (stopped early or not).
///
/// The copy of the best parameters is allocated at the first improvement and overwritten in
/// place at every later one: no allocation per epoch after that.
///
/// # Example
/// ```
/// use descent_train::stopping::{Decision, EarlyStopping, EarlyStoppingConfig, Mode};
/// use descent_train::{Mlp, MlpConfig};
/// use descent_ndarray::Ndarray;
///
/// let mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
/// let config = EarlyStoppingConfig { patience: 2, min_delta: 0.1, mode: Mode::Min };
/// let mut early = EarlyStopping::new(config).unwrap();
/// assert_eq!(early.update(0, 1.0, &mlp), Decision::Improved);
/// assert_eq!(early.update(1, 0.95, &mlp), Decision::Wait { bad_epochs: 1 }); // not below 0.9
/// assert_eq!(early.update(2, 0.85, &mlp), Decision::Improved);
/// assert_eq!(early.update(3, 0.9, &mlp), Decision::Wait { bad_epochs: 1 });
/// assert_eq!(early.update(4, 0.8, &mlp), Decision::Stop); // 0.8 is not below 0.85 - 0.1
/// assert_eq!(early.state().best_epoch, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    config: EarlyStoppingConfig,
    state: EarlyStoppingState,
}

impl EarlyStopping {
    /// Early stopping from its first epoch.
    ///
    /// # Errors
    /// Whatever [`EarlyStoppingConfig::validate`] rejects.
    pub fn new(config: EarlyStoppingConfig) -> Result<Self> {
        config.validate()?;
        let state = EarlyStoppingState {
            best: config.mode.worst(),
            best_epoch: None,
            bad_epochs: 0,
            best_params: Vec::new(),
        };
        Ok(Self { config, state })
    }

    /// Early stopping continuing from a saved state.
    ///
    /// # Errors
    /// As [`new`](EarlyStopping::new), and [`Error::InvalidArgument`] (op `"early stopping"`)
    /// for a state that cannot come from these settings: a NaN best, parameters without a best
    /// epoch or a best epoch without parameters, or a non-finite parameter. A state whose
    /// `bad_epochs` reached the patience is accepted: that run had stopped
    /// ([`is_stopped`](EarlyStopping::is_stopped)), and a resume that continues it exactly
    /// trains no further epoch.
    pub fn from_state(config: EarlyStoppingConfig, state: EarlyStoppingState) -> Result<Self> {
        config.validate()?;
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "early stopping", reason });
        if state.best.is_nan() {
            return invalid("the saved best value is NaN".into());
        }
        if state.best_epoch.is_some() == state.best_params.is_empty() {
            return invalid(format!(
                "the saved state has best epoch {:?} and {} parameter matrices",
                state.best_epoch,
                state.best_params.len()
            ));
        }
        if state.best_params.iter().flatten().any(|x| !x.is_finite()) {
            return invalid("a saved best parameter is NaN or infinite".into());
        }
        Ok(Self { config, state })
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &EarlyStoppingConfig {
        &self.config
    }

    /// The state, for a checkpoint.
    #[must_use]
    pub fn state(&self) -> &EarlyStoppingState {
        &self.state
    }

    /// Whether the patience has run out: the last [`update`](EarlyStopping::update) said
    /// [`Decision::Stop`] (or the state restored had).
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.state.bad_epochs >= self.config.patience
    }

    /// Takes epoch `epoch`'s monitored `value`, with `mlp` holding the parameters after that
    /// epoch: keeps a copy of them when the value improves on the best
    /// ([`EarlyStoppingConfig::improves`]), and says whether to stop: after `patience`
    /// consecutive epochs without improvement. A NaN value counts as no improvement.
    ///
    /// Allocates only at the first improvement (the copy of the parameters).
    pub fn update<T: Scalar, B: Backend<T>>(
        &mut self,
        epoch: usize,
        value: f64,
        mlp: &Mlp<T, B>,
    ) -> Decision {
        let state = &mut self.state;
        if self.config.improves(value, state.best) {
            state.best = value;
            state.best_epoch = Some(epoch);
            state.bad_epochs = 0;
            copy_params::<T, B>(mlp.params(), &mut state.best_params);
            Decision::Improved
        } else {
            state.bad_epochs += 1;
            if state.bad_epochs >= self.config.patience {
                Decision::Stop
            } else {
                Decision::Wait { bad_epochs: state.bad_epochs }
            }
        }
    }

    /// Writes the best epoch's parameters into `mlp`; returns the best epoch, or `None` (and
    /// leaves `mlp` as it is) when no epoch improved.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"early stopping"`) when the kept parameters do not fit
    /// `mlp` (another network); `mlp` is unchanged then.
    pub fn restore_best<T: Scalar, B: Backend<T>>(
        &self,
        mlp: &mut Mlp<T, B>,
    ) -> Result<Option<usize>> {
        let Some(epoch) = self.state.best_epoch else { return Ok(None) };
        let saved = &self.state.best_params;
        if !fits::<T, B>(mlp.params(), saved) {
            let lens: Vec<usize> = saved.iter().map(Vec::len).collect();
            return Err(Error::InvalidArgument {
                op: "early stopping",
                reason: format!(
                    "the kept parameters ({lens:?} values) do not fit the network {:?}",
                    mlp.layers()
                ),
            });
        }
        for (p, src) in mlp.params_mut().iter_mut().zip(saved) {
            let (rows, cols) = B::shape(p);
            for j in 0..cols {
                let col = &src[j * rows..(j + 1) * rows];
                for (x, &v) in B::col_mut(p, j).iter_mut().zip(col) {
                    *x = T::from_f64(v);
                }
            }
        }
        Ok(Some(epoch))
    }
}

/// Whether `saved` holds one vector of the right length per parameter.
fn fits<T: Scalar, B: Backend<T>>(params: &[B::Matrix], saved: &[Vec<f64>]) -> bool {
    saved.len() == params.len()
        && params.iter().zip(saved).all(|(p, s)| {
            let (r, c) = B::shape(p);
            s.len() == r * c
        })
}

/// Copies `params` column-major into `out` as `f64`, allocating `out` only when its shape
/// differs (the first time).
fn copy_params<T: Scalar, B: Backend<T>>(params: &[B::Matrix], out: &mut Vec<Vec<f64>>) {
    if !fits::<T, B>(params, out) {
        *out = params.iter().map(|p| vec![0.0; B::shape(p).0 * B::shape(p).1]).collect();
    }
    for (p, o) in params.iter().zip(out.iter_mut()) {
        let (rows, cols) = B::shape(p);
        for j in 0..cols {
            for (dst, &x) in o[j * rows..(j + 1) * rows].iter_mut().zip(B::col(p, j)) {
                *dst = x.to_f64();
            }
        }
    }
}
