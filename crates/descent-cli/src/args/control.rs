//! The flags of `descent train` that act at epoch boundaries: early stopping with the best
//! epoch's parameters and the plateau schedule (`--decay plateau`), both on `--monitor`.

use clap::{Args, ValueEnum};

/// `--monitor`: the value early stopping and the plateau schedule follow after each epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum MonitorArg {
    /// The mean cost on the validation set (lower is better).
    ValidationCost,
    /// The fraction correct on the validation set (higher is better).
    ValidationAccuracy,
    /// The epoch's training cost, as --history reports it (lower is better).
    Cost,
}

/// Early stopping and the plateau schedule.
#[derive(Debug, Clone, Args)]
pub struct ControlArgs {
    /// Stop after --patience epochs without improvement of --monitor, and restore the
    /// parameters of the best epoch at the end of the run (stopped early or not): the summary
    /// and --save report those.
    #[arg(long)]
    pub early_stopping: bool,
    /// The value early stopping and --decay plateau follow after each epoch [default:
    /// validation_cost with a validation set, else cost].
    #[arg(long, value_enum)]
    pub monitor: Option<MonitorArg>,
    /// Epochs without improvement after which --early-stopping stops.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub patience: usize,
    /// An epoch improves when its value is below best − D (costs) or above best + D
    /// (accuracy).
    #[arg(long, value_name = "D", default_value_t = 0.0)]
    pub min_delta: f64,
    /// --decay plateau: multiply the rate by F when --monitor has not improved for
    /// --plateau-patience epochs (PyTorch's ReduceLROnPlateau, threshold mode rel).
    #[arg(long, value_name = "F", default_value_t = 0.1)]
    pub plateau_factor: f64,
    /// --decay plateau: epochs without improvement before the rate drops.
    #[arg(long, value_name = "P", default_value_t = 10)]
    pub plateau_patience: usize,
    /// --decay plateau: the relative improvement that counts (value < best·(1 − T) for costs).
    #[arg(long, value_name = "T", default_value_t = 1e-4)]
    pub plateau_threshold: f64,
    /// --decay plateau: epochs to wait after a drop before counting again.
    #[arg(long, value_name = "C", default_value_t = 0)]
    pub plateau_cooldown: usize,
    /// --decay plateau: the rate never drops below L.
    #[arg(long, value_name = "L", default_value_t = 0.0)]
    pub min_lr: f64,
}
