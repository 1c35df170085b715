//! The epoch-boundary control of a run, resolved from `--early-stopping`, `--monitor`,
//! `--patience`, `--min-delta`, `--decay plateau` and the `--plateau-*` flags (given now, else
//! stored in a resumed checkpoint, else the defaults), and built once for the session: fresh,
//! or continuing a checkpoint's state exactly.

use anyhow::{Context, anyhow};
use descent::train::EpochControl;
use descent::train::schedule::{Plateau, PlateauConfig, ThresholdMode};
use descent::train::stopping::{EarlyStopping, EarlyStoppingConfig, Metric};
use descent_io::ControlState;

use super::enum_value;
use super::stored::Stored;
use crate::args::{ControlArgs, DecayArg, MonitorArg};

/// What reacts to the monitored value after each epoch, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlSpec {
    /// `--monitor` (or its default).
    pub metric: Metric,
    /// `--early-stopping` with `--patience` and `--min-delta`; `None` when off.
    pub early_stopping: Option<EarlyStoppingConfig>,
    /// `--decay plateau` with the `--plateau-*` flags and `--min-lr`; `None` for another decay.
    pub plateau: Option<PlateauConfig>,
    /// `--lr` is on the command line (of a resumed run: it then sets the plateau's rate).
    pub lr_given: bool,
}

impl ControlSpec {
    /// Resolves the flags; `decay` is the run's resolved `--decay`, `has_validation` whether
    /// the run has a validation set (`--validation` or `--validation-data`).
    pub fn resolve(
        args: &ControlArgs,
        decay: DecayArg,
        s: &Stored,
        has_validation: bool,
    ) -> anyhow::Result<Self> {
        let monitor = s.value("monitor", args.monitor, |t| enum_value(t).map(Some))?;
        let metric = match monitor {
            None => Metric::default_for(has_validation),
            Some(MonitorArg::ValidationCost) => Metric::ValidationCost,
            Some(MonitorArg::ValidationAccuracy) => Metric::ValidationAccuracy,
            Some(MonitorArg::Cost) => Metric::Cost,
        };
        if metric.needs_validation() && !has_validation {
            return Err(anyhow!(
                "--monitor {}: needs a validation set; give --validation F or --validation-data \
                 PATH, or monitor cost",
                metric.name()
            ));
        }
        let early_stopping = if s.value("early_stopping", args.early_stopping, str::parse)? {
            let config = EarlyStoppingConfig {
                patience: s.value("patience", args.patience, str::parse)?,
                min_delta: s.value("min_delta", args.min_delta, str::parse)?,
                mode: metric.mode(),
            };
            config.validate().map_err(|e| {
                let flag = if config.patience == 0 { "--patience" } else { "--min-delta" };
                anyhow::Error::new(e).context(flag)
            })?;
            Some(config)
        } else {
            None
        };
        let plateau = if decay == DecayArg::Plateau {
            let config = PlateauConfig {
                mode: metric.mode(),
                factor: s.value("plateau_factor", args.plateau_factor, str::parse)?,
                patience: s.value("plateau_patience", args.plateau_patience, str::parse)?,
                threshold: s.value("plateau_threshold", args.plateau_threshold, str::parse)?,
                threshold_mode: ThresholdMode::Rel,
                cooldown: s.value("plateau_cooldown", args.plateau_cooldown, str::parse)?,
                min_lr: s.value("min_lr", args.min_lr, str::parse)?,
                ..PlateauConfig::default()
            };
            config.validate().map_err(|e| {
                let reason = e.to_string();
                let flag = match () {
                    () if reason.contains("factor") => "--plateau-factor",
                    () if reason.contains("threshold") => "--plateau-threshold",
                    () => "--min-lr",
                };
                anyhow::Error::new(e).context(flag)
            })?;
            Some(config)
        } else {
            None
        };
        Ok(Self { metric, early_stopping, plateau, lr_given: s.given("lr") })
    }

    /// Whether anything acts at epoch boundaries.
    pub fn is_on(&self) -> bool {
        self.early_stopping.is_some() || self.plateau.is_some()
    }

    /// The control of a session: fresh at rate `lr`, or continuing `saved` (a resumed
    /// checkpoint's state; a part switched on only now starts fresh, and an `--lr` given now
    /// sets the plateau's current rate). `None` when nothing is on.
    pub fn build(
        &self,
        lr: f64,
        saved: Option<&ControlState>,
        has_validation: bool,
    ) -> anyhow::Result<Option<EpochControl>> {
        if !self.is_on() {
            return Ok(None);
        }
        let early = match (self.early_stopping, saved.and_then(|c| c.early_stopping.clone())) {
            (None, _) => None,
            (Some(config), None) => Some(EarlyStopping::new(config)?),
            (Some(config), Some(state)) => {
                Some(EarlyStopping::from_state(config, state).context("--resume")?)
            }
        };
        let plateau = match (self.plateau, saved.and_then(|c| c.plateau)) {
            (None, _) => None,
            (Some(config), None) => Some(Plateau::new(config, lr).context("--lr")?),
            (Some(config), Some(mut state)) => {
                if self.lr_given {
                    state.lr = lr;
                }
                Some(Plateau::from_state(config, state).context("--resume")?)
            }
        };
        Ok(Some(EpochControl::new(self.metric, early, plateau, has_validation)?))
    }
}
