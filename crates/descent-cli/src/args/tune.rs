//! `descent tune` flags: the search's own (`TuneFlags`, parsed on their own) and every other
//! word of the command line kept as written (`TuneArgs::rest`): the `train` flags, fixed or
//! given as a search dimension, which no `train` parser could read as they stand.

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

/// `descent tune`: random search over `train` flags. Any numeric `train` flag may be a range
/// (`--lr 1e-4..1e-1:log`, `--l2 0..0.1`, `--beta1 0.8..0.999:log1m`, `--batch-size
/// 16..256:log2`) and any flag a choice (`--layers 16|32,16`, `--optimizer adam|momentum`);
/// the others are fixed for every trial.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct TuneArgs {
    /// The search's flags (see `descent tune --help`) and the `train` flags, in any order.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "FLAGS")]
    pub rest: Vec<String>,
}

/// The flags of the search itself; every other flag is a `train` flag.
#[derive(Debug, Parser)]
#[command(
    name = "descent tune",
    about = "Random search over train flags: a range `A..B` (`:log`, `:log1m` for 1−β, `:log2` \
             for powers of two) or a choice `x|y` for any flag, the others fixed",
    after_help = "Every other flag is a `descent train` flag, fixed or searched: --lr \
                  1e-4..1e-1:log, --l2 0..0.1, --dropout 0.5..1, --beta1 0.8..0.999:log1m, \
                  --batch-size 16..256:log2, --layers '16|32,16|64,64', --optimizer \
                  'adam|momentum'. Quote choices: `|` is the shell's pipe."
)]
pub struct TuneFlags {
    /// The number of trials N; their settings follow from --seed alone.
    #[arg(long, value_name = "N")]
    pub trials: usize,
    /// Trials run at the same time, each on one thread [default: the cores].
    #[arg(long, value_name = "J")]
    pub jobs: Option<usize>,
    /// What ranks the trials, on the held-out rows: the validation cost (lower is better) or
    /// accuracy, f1 (macro), roc_auc, r2 (higher is better).
    #[arg(long, value_enum, default_value = "cost")]
    pub score: ScoreArg,
    /// Score each trial by K-fold cross-validation (the mean over the folds) instead of
    /// --validation or --validation-data.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// Write one row per trial: `trial`, one column per searched flag, `score`, `epochs`,
    /// `seconds`.
    #[arg(long, value_name = "CSV")]
    pub out: Option<PathBuf>,
    /// Draw the score against each searched setting (PNG or SVG).
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
    /// Save the best trial's model (with --folds: trained again on every row).
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
    /// Print every trial's settings, one JSON object per line, and train nothing.
    #[arg(long, conflicts_with_all = ["trial", "collect"])]
    pub list: bool,
    /// Run trial K alone and write its result to --out-dir.
    #[arg(long, value_name = "K", requires = "out_dir", conflicts_with = "collect")]
    pub trial: Option<usize>,
    /// The folder of the trials' results: `trial-K.json` and, without --folds, the trial's
    /// model `trial-K.safetensors`; an in-process search skips the trials found there.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Read the trials' results from DIR and report them as an in-process search would.
    #[arg(long, value_name = "DIR", conflicts_with = "out_dir")]
    pub collect: Option<PathBuf>,
}

/// `--score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreArg {
    /// The held-out cost (unweighted, no L2); lower is better.
    Cost,
    /// The held-out accuracy.
    Accuracy,
    /// The macro-averaged F1.
    F1,
    /// ROC-AUC (more classes: the macro average of one-vs-rest).
    #[value(name = "roc_auc")]
    RocAuc,
    /// R², averaged over the outputs.
    R2,
}

impl ScoreArg {
    /// Whether a larger score is better.
    pub fn higher_is_better(self) -> bool {
        self != Self::Cost
    }

    /// The name `--score` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cost => "cost",
            Self::Accuracy => "accuracy",
            Self::F1 => "f1",
            Self::RocAuc => "roc_auc",
            Self::R2 => "r2",
        }
    }
}
