//! `Run`: the notebook's seven training runs, their settings and the numbers it printed.

use descent_core::{Error, Result};
use descent_train::optim::{AdamConfig, MomentumConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;

/// The epochs whose cost the notebook prints: 0, 1000, 2000, 3000 and 4000.
pub const PRINTED_EPOCHS: [usize; 5] = [0, 1000, 2000, 3000, 4000];

/// Epochs of every run.
pub const EPOCHS: usize = 5000;

/// One of the seven runs of the course notebook ("Improving Deep Neural Networks", week 2,
/// "Optimization methods"), all on the moons data with the `[2, 5, 2, 1]` network for 5000
/// epochs of mini-batches of 64.
///
/// | run | name | optimizer | `lr0` | decay after epoch `i` |
/// |---|---|---|---|---|
/// | [`Gd`](Run::Gd) | `gd` | gd | 0.0007 | none |
/// | [`Momentum`](Run::Momentum) | `momentum` | momentum, β 0.9 | 0.0007 | none |
/// | [`Adam`](Run::Adam) | `adam` | Adam, β1 0.9, β2 0.999, ε 1e-8 | 0.0007 | none |
/// | [`GdUpdateLr`](Run::GdUpdateLr) | `gd-update-lr` | gd | 0.1 | `lr0/(1 + i)` |
/// | [`GdDecay`](Run::GdDecay) | `gd-decay` | gd | 0.1 | `lr0/(1 + ⌊i/1000⌋)` |
/// | [`MomentumDecay`](Run::MomentumDecay) | `momentum-decay` | momentum | 0.1 | same |
/// | [`AdamDecay`](Run::AdamDecay) | `adam-decay` | Adam | 0.01 | same |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Run {
    /// Mini-batch gradient descent.
    Gd,
    /// Mini-batch gradient descent with momentum.
    Momentum,
    /// Adam.
    Adam,
    /// Gradient descent with the notebook's `update_lr` decay.
    GdUpdateLr,
    /// Gradient descent with the notebook's `schedule_lr_decay`.
    GdDecay,
    /// Momentum with `schedule_lr_decay`.
    MomentumDecay,
    /// Adam with `schedule_lr_decay`.
    AdamDecay,
}

/// What the notebook printed for a run: the training accuracy and the costs of
/// [`PRINTED_EPOCHS`] (rounded to 6 decimals by its `%f`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Notebook {
    /// Points of the 300 predicted correctly (`a3 > 0.5` against the label).
    pub correct: usize,
    /// The accuracy it printed, `correct / 300`.
    pub accuracy: f64,
    /// The costs it printed after epochs 0, 1000, 2000, 3000 and 4000.
    pub costs: [f64; 5],
}

impl Run {
    /// Every run, in the notebook's order.
    pub const ALL: [Run; 7] = [
        Run::Gd,
        Run::Momentum,
        Run::Adam,
        Run::GdUpdateLr,
        Run::GdDecay,
        Run::MomentumDecay,
        Run::AdamDecay,
    ];

    /// The names as the command line spells them, in the order of [`ALL`](Run::ALL).
    pub const NAMES: [&'static str; 7] =
        ["gd", "momentum", "adam", "gd-update-lr", "gd-decay", "momentum-decay", "adam-decay"];

    /// The name as the command line spells it, e.g. `"gd-update-lr"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// The run called `name` (one of [`NAMES`](Run::NAMES)).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"course"`) for an unknown name.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name).ok_or_else(|| Error::InvalidArgument {
            op: "course",
            reason: format!("unknown run \"{name}\", expected one of {}", Self::NAMES.join(", ")),
        })
    }

    /// The row label of the notebook's table, e.g. `"gd + schedule_lr_decay"`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Run::Gd => "mini-batch gd",
            Run::Momentum => "momentum",
            Run::Adam => "adam",
            Run::GdUpdateLr => "gd + update_lr",
            Run::GdDecay => "gd + schedule_lr_decay",
            Run::MomentumDecay => "momentum + schedule_lr_decay",
            Run::AdamDecay => "adam + schedule_lr_decay",
        }
    }

    /// The optimizer and its settings (β 0.9; β1 0.9, β2 0.999, ε 1e-8).
    #[must_use]
    pub fn optimizer(self) -> OptimizerConfig {
        match self {
            Run::Gd | Run::GdUpdateLr | Run::GdDecay => OptimizerConfig::Gd,
            Run::Momentum | Run::MomentumDecay => {
                OptimizerConfig::Momentum(MomentumConfig { beta: 0.9, nesterov: false })
            }
            Run::Adam | Run::AdamDecay => {
                OptimizerConfig::Adam(AdamConfig { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 })
            }
        }
    }

    /// The initial learning rate.
    #[must_use]
    pub fn lr0(self) -> f64 {
        match self {
            Run::Gd | Run::Momentum | Run::Adam => 0.0007,
            Run::GdUpdateLr | Run::GdDecay | Run::MomentumDecay => 0.1,
            Run::AdamDecay => 0.01,
        }
    }

    /// The decay, as a schedule `f` whose `f(i)` the notebook assigns to the learning rate
    /// *after* epoch `i` (so epoch `i + 1` trains with `f(i)`, and epochs 0 and 1 with `lr0`):
    /// `update_lr` is inverse-time decay with rate 1, `schedule_lr_decay` the scheduled one
    /// with rate 1 and interval 1000. `None` for a constant rate.
    #[must_use]
    pub fn decay(self) -> Option<ScheduleConfig> {
        match self {
            Run::Gd | Run::Momentum | Run::Adam => None,
            Run::GdUpdateLr => Some(ScheduleConfig::InverseTime { rate: 1.0 }),
            Run::GdDecay | Run::MomentumDecay | Run::AdamDecay => {
                Some(ScheduleConfig::Scheduled { rate: 1.0, interval: 1000 })
            }
        }
    }

    /// The run's settings as the notebook has them, to change one and replay with
    /// [`replay_settings`](crate::replay_settings).
    #[must_use]
    pub fn settings(self) -> Settings {
        Settings {
            lr0: self.lr0(),
            epochs: EPOCHS,
            optimizer: self.optimizer(),
            decay: self.decay(),
        }
    }

    /// What the notebook printed for this run.
    #[must_use]
    pub fn notebook(self) -> Notebook {
        let (correct, costs) = match self {
            Run::Gd => (215, [0.702405, 0.668101, 0.635288, 0.600491, 0.573367]),
            Run::Momentum => (215, [0.702413, 0.668167, 0.635388, 0.600591, 0.573444]),
            Run::Adam => (283, [0.702166, 0.167845, 0.141316, 0.138788, 0.136066]),
            Run::GdUpdateLr => (196, [0.701091, 0.661884, 0.658620, 0.656765, 0.655486]),
            Run::GdDecay => (283, [0.701091, 0.127161, 0.120304, 0.117033, 0.117512]),
            Run::MomentumDecay => (286, [0.702226, 0.128974, 0.125965, 0.123375, 0.123218]),
            Run::AdamDecay => (282, [0.699346, 0.130074, 0.129826, 0.129282, 0.128361]),
        };
        Notebook { correct, accuracy: correct as f64 / 300.0, costs }
    }
}

/// The settings of a replay: the notebook's ([`Run::settings`]) or some changed, on the
/// notebook's data, initialization, mini-batch seeds and decay timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The initial learning rate.
    pub lr0: f64,
    /// The epochs.
    pub epochs: usize,
    /// The optimizer with its hyper-parameters.
    pub optimizer: OptimizerConfig,
    /// The decay applied after every epoch, `None` for a constant rate.
    pub decay: Option<ScheduleConfig>,
}

impl Settings {
    /// The learning rate of each of the first `epochs` epochs as the replay applies it: `lr0`
    /// in the first, then the decay evaluated at the end of the previous epoch (the notebook
    /// updates the rate after each epoch).
    ///
    /// # Errors
    /// What the decay's `build` rejects.
    pub fn rates(&self, epochs: usize) -> Result<Vec<f64>> {
        let decay = self.decay.map(|d| d.build(self.lr0)).transpose()?;
        Ok((0..epochs)
            .map(|e| match (&decay, e.checked_sub(1)) {
                (Some(decay), Some(previous)) => decay.lr(previous),
                _ => self.lr0,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rates_follow_the_notebook_update_after_each_epoch() {
        let settings = Run::AdamDecay.settings();
        let rates = settings.rates(3).unwrap();
        let decay = settings.decay.unwrap().build(settings.lr0).unwrap();
        assert_eq!(rates, [settings.lr0, decay.lr(0), decay.lr(1)]);
        assert_eq!(Run::Gd.settings().rates(2).unwrap(), [Run::Gd.lr0(); 2]);
    }

    #[test]
    fn names_round_trip() {
        for (run, name) in Run::ALL.into_iter().zip(Run::NAMES) {
            assert_eq!(run.name(), name);
            assert_eq!(Run::from_name(name).unwrap(), run);
            assert!(run.optimizer().validate().is_ok());
            assert!(run.decay().is_none_or(|d| d.build(run.lr0()).is_ok()));
        }
        let err = Run::from_name("sgd").unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "course", .. }), "{err}");
    }

    #[test]
    fn accuracies_are_the_printed_ones() {
        // The notebook printed `np.mean(p == y)`: these exact doubles.
        let printed = [
            0.7166666666666667,
            0.7166666666666667,
            0.9433333333333334,
            0.6533333333333333,
            0.9433333333333334,
            0.9533333333333334,
            0.94,
        ];
        for (run, accuracy) in Run::ALL.into_iter().zip(printed) {
            assert_eq!(run.notebook().accuracy, accuracy, "{}", run.name());
        }
    }
}
