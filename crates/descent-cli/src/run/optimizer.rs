//! The update rule and the learning-rate schedule of a run: `--optimizer` with its
//! hyper-parameter flags and `--decay` with its rate and interval, each given now, stored in
//! the checkpoint, or the default.

use clap::ValueEnum;
use descent::train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use descent::train::schedule::ScheduleConfig;
use descent_io::TrainingSettings;

use super::checks::flag_error;
use super::stored::{Stored, enum_value};
use crate::args::{DecayArg, OptimizerArg, TrainArgs};

/// The optimizer flags, all of which a checkpoint holds in its typed settings.
const OPTIMIZER_FLAGS: [&str; 6] =
    ["optimizer", "beta", "beta1", "beta2", "epsilon", "weight_decay"];

/// The update rule: the checkpoint's, unless an optimizer flag is given now; then the flags,
/// each given now or stored.
pub(super) fn resolve_optimizer(
    args: &TrainArgs,
    s: &Stored,
    training: Option<&TrainingSettings>,
) -> anyhow::Result<OptimizerConfig> {
    if let Some(t) = training
        && !OPTIMIZER_FLAGS.iter().any(|id| s.given(id))
    {
        return Ok(t.optimizer);
    }
    let kind = s.value("optimizer", args.optimizer, enum_value)?;
    let flags = OptimizerFlags {
        beta: s.value("beta", args.beta, str::parse)?,
        beta1: s.value("beta1", args.beta1, str::parse)?,
        beta2: s.value("beta2", args.beta2, str::parse)?,
        epsilon: s.value("epsilon", args.epsilon, str::parse)?,
        weight_decay: s.value("weight_decay", args.weight_decay, str::parse)?,
    };
    // Every hyper-parameter flag is checked, also those the chosen optimizer does not use:
    // a bad value is refused rather than ignored.
    for other in OptimizerArg::value_variants() {
        optimizer_config(*other, &flags).validate().map_err(|e| flag_error(e, "--optimizer"))?;
    }
    Ok(optimizer_config(kind, &flags))
}

/// The hyper-parameter flags of the optimizers.
pub struct OptimizerFlags {
    /// `--beta`.
    pub beta: f64,
    /// `--beta1`.
    pub beta1: f64,
    /// `--beta2`.
    pub beta2: f64,
    /// `--epsilon`.
    pub epsilon: f64,
    /// `--weight-decay`.
    pub weight_decay: f64,
}

impl From<&TrainArgs> for OptimizerFlags {
    fn from(args: &TrainArgs) -> Self {
        Self {
            beta: args.beta,
            beta1: args.beta1,
            beta2: args.beta2,
            epsilon: args.epsilon,
            weight_decay: args.weight_decay,
        }
    }
}

/// The optimizer `kind` with the hyper-parameters of `flags`.
pub fn optimizer_config(kind: OptimizerArg, flags: &OptimizerFlags) -> OptimizerConfig {
    let OptimizerFlags { beta, beta1, beta2, epsilon, weight_decay } = *flags;
    match kind {
        OptimizerArg::Gd => OptimizerConfig::Gd,
        OptimizerArg::Momentum => {
            OptimizerConfig::Momentum(MomentumConfig { beta, ..MomentumConfig::default() })
        }
        OptimizerArg::Adam => OptimizerConfig::Adam(AdamConfig { beta1, beta2, epsilon }),
        OptimizerArg::Rmsprop => OptimizerConfig::RmsProp(RmsPropConfig { beta, epsilon }),
        OptimizerArg::Adamw => {
            OptimizerConfig::AdamW(AdamWConfig { beta1, beta2, epsilon, weight_decay })
        }
    }
}

/// The decay flags.
const DECAY_FLAGS: [&str; 3] = ["decay", "decay_rate", "decay_interval"];

/// The schedule: the checkpoint's (a cosine keeps its length), unless a decay flag is given
/// now; then the flags, each given now or stored (a cosine's length is this run's `--epochs`).
pub(super) fn resolve_schedule(
    args: &TrainArgs,
    s: &Stored,
    training: Option<&TrainingSettings>,
) -> anyhow::Result<ScheduleConfig> {
    if let Some(t) = training
        && !DECAY_FLAGS.iter().any(|id| s.given(id))
    {
        return Ok(t.schedule);
    }
    let rate = s.value("decay_rate", args.decay_rate, str::parse)?;
    let interval = s.value("decay_interval", args.decay_interval, str::parse)?;
    Ok(match s.value("decay", args.decay, enum_value)? {
        DecayArg::None => ScheduleConfig::Constant,
        DecayArg::InverseTime => ScheduleConfig::InverseTime { rate },
        DecayArg::Scheduled => ScheduleConfig::Scheduled { rate, interval },
        DecayArg::Exponential => ScheduleConfig::Exponential { rate, interval },
        DecayArg::Step => ScheduleConfig::Step { rate, interval },
        DecayArg::Cosine => ScheduleConfig::Cosine { epochs: args.epochs.max(1), lr_min: 0.0 },
        // The plateau schedule reacts to the monitored value at epoch boundaries
        // (`ControlSpec`); the trainer's own schedule stays at lr0.
        DecayArg::Plateau => ScheduleConfig::Constant,
    })
}
