//! The command line as clap parses it: the flags of every subcommand with their defaults and
//! help texts, and nothing done with them yet. The layers above resolve them once
//! (`crate::run`).

mod control;
mod encode;
mod export;
mod train;
mod tune;
mod values;

use clap::{Args, Parser, Subcommand};

pub use control::{ControlArgs, MonitorArg};
pub use encode::EncodeArgs;
pub use export::ExportArgs;
pub use train::{ColumnArgs, DataArgs, TrainArgs};
pub use tune::{ScoreArg, TuneArgs, TuneFlags};

pub use values::{
    BackendArg, DecayArg, DtypeArg, ImputeArg, OptimizerArg, PlotScaleArg, UnknownArg,
};

/// Train dense neural networks with the classic optimization methods.
#[derive(Debug, Parser)]
#[command(name = "descent", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a network (with no flags: the course's experiment on the built-in moons data).
    ///
    /// `train` is the course's experiment, not a replay of its notebook (that is `descent
    /// course`, which matches the notebook's printed numbers): the moons come from descent's
    /// generator (seed 3), not scikit-learn's on numpy's stream; the initial weights and every
    /// epoch's shuffle come from --seed, not from np.random.seed(3) and seed 11 + epoch; a
    /// decay gives epoch e the rate f(e), where the notebook trains epoch e with f(e − 1); and
    /// the accuracy printed is the mini-batches' during the last epoch (--final-eval: one pass
    /// after training, as the notebook's). So `train` reaches 98.3% on its moons where the
    /// notebook's Adam run prints 94.3%; `descent course --run adam --lr 0.001` reruns the
    /// notebook with another setting.
    Train(TrainArgs),
    /// The evaluation report of a saved model on a data set: cost, accuracy, confusion matrix,
    /// precision/recall/F1, log loss, ROC-AUC (MSE, RMSE, MAE, R² for regression).
    Eval(EvalArgs),
    /// One prediction per example of a data set: class and probability, or value(s).
    Predict(PredictArgs),
    /// Train several optimizers from the same initial parameters on the same batches; print a
    /// table and plot their cost curves and decision boundaries.
    Compare(CompareArgs),
    /// Replay the course notebook "Optimization methods" exactly (its seeds, decay timing and
    /// cost, f64) and print our numbers beside the notebook's.
    Course(CourseArgs),
    /// Write a built-in data set of any size to `.npy` files (features and labels), in pieces:
    /// data for training from disk.
    Gen(GenArgs),
    /// K-fold cross-validation: train K models with every `train` flag, each holding out one
    /// fold (stratified for classification), and report each fold's metrics with their mean
    /// and standard deviation.
    Cv(CvArgs),
    /// Random search over `train` flags (ranges such as `--lr 1e-4..1e-1:log`, choices such as
    /// `--optimizer 'adam|momentum'`): N trials in parallel, scored on held-out rows, sorted;
    /// or spread over machines with --list, --trial K --out-dir D and --collect D.
    Tune(TuneArgs),
    /// Encode a table (CSV or Parquet) of any size, row by row, into float32 .npy features and
    /// labels for `train`, with the encoding beside them (<stem>.encoding.json).
    Encode(EncodeArgs),
    /// Write a saved model in a format other runtimes read: ONNX (--onnx), its
    /// standardization inside the graph.
    Export(ExportArgs),
}

/// `descent course` flags.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct CourseArgs {
    /// Which run: gd, momentum, adam, gd-update-lr, gd-decay, momentum-decay, adam-decay, or
    /// all seven.
    #[arg(long, default_value = "all")]
    pub run: String,
    /// Dense-math backend (always f64, as the notebook).
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
    /// Print one JSON object per line and run (run, accuracy, notebook_accuracy, costs at
    /// epochs 0, 1000, …, 4000) instead of the notebook's text and table.
    #[arg(long)]
    pub json: bool,
    /// Write the cost curves and decision boundaries to this PNG (or SVG, by extension).
    /// Default: no plot.
    #[arg(long)]
    pub plot: Option<std::path::PathBuf>,
    /// The y axis of the cost and learning-rate panels: log (as every descent figure) or
    /// linear.
    #[arg(long, value_enum, value_name = "SCALE", default_value_t = PlotScaleArg::Log)]
    pub plot_scale: PlotScaleArg,
    /// Rerun one notebook run (--run NAME) with another setting: its data, initialization,
    /// mini-batch seeds and decay timing stay the notebook's.
    #[command(flatten)]
    pub changes: CourseChanges,
}

/// The settings `descent course --run NAME` may change; each defaults to the notebook's.
#[derive(Debug, Clone, Default, Args)]
pub struct CourseChanges {
    /// The initial learning rate [default: the run's, 0.0007, 0.1 or 0.01].
    #[arg(long, value_name = "LR")]
    pub lr: Option<f64>,
    /// The epochs [default: 5000].
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// Momentum's β [default: 0.9].
    #[arg(long)]
    pub beta: Option<f64>,
    /// Adam's β1 [default: 0.9].
    #[arg(long)]
    pub beta1: Option<f64>,
    /// Adam's β2 [default: 0.999].
    #[arg(long)]
    pub beta2: Option<f64>,
    /// The decay's rate, for the runs with decay [default: 1].
    #[arg(long)]
    pub decay_rate: Option<f64>,
    /// The epochs between two steps of schedule_lr_decay [default: 1000].
    #[arg(long)]
    pub decay_interval: Option<usize>,
}

/// `descent gen` flags.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct GenArgs {
    /// A built-in data set: moons, circles or spirals (3 classes).
    #[arg(long, default_value = "moons")]
    pub data: String,
    /// Number of examples.
    #[arg(long)]
    pub examples: usize,
    /// Features per example: the data set's own (2), followed by standard-normal noise
    /// features up to this width. Default: the data set's own.
    #[arg(long)]
    pub features: Option<usize>,
    /// Noise of the data set (standard deviation).
    #[arg(long, default_value_t = 0.2)]
    pub noise: f64,
    /// Seed of the data (3, as the built-in data of `descent train`).
    #[arg(long, default_value_t = 3)]
    pub seed: u64,
    /// Element type of both files.
    #[arg(long, value_enum, default_value_t = DtypeArg::F32)]
    pub dtype: DtypeArg,
    /// The features file: shape (examples, features), C order.
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// The labels file: shape (examples,).
    #[arg(long)]
    pub labels: std::path::PathBuf,
}

/// `descent eval` flags.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The model file written by `descent train --save`.
    #[arg(long, value_name = "PATH")]
    pub model: std::path::PathBuf,
    /// The examples to evaluate on.
    #[command(flatten)]
    pub data: DataArgs,
    /// Print one JSON object on one line instead of the readable report.
    ///
    /// Always: `model`, `data`, `examples`, `output`, `cost` (the training cost, unweighted,
    /// without L2) and `accuracy` (null for regression). A classifier adds `classes` (names in
    /// the model's order), `confusion_matrix` (rows = true class, columns = predicted),
    /// `precision`, `recall`, `f1`, `support` (per class), `macro` and `weighted` (objects of
    /// `precision`, `recall`, `f1`), `balanced_accuracy`, `log_loss` and `roc_auc` (two
    /// classes: of the positive class's probability; more: macro one-vs-rest; null when a
    /// class is absent from the data). Regression adds `mse`, `rmse`, `mae`, `r2` (uniform
    /// means over the outputs) and, with several outputs, `mse_outputs`, `rmse_outputs`,
    /// `mae_outputs`, `r2_outputs`. Every definition is scikit-learn's (`zero_division=0`).
    #[arg(long)]
    pub json: bool,
    /// Dense-math backend (the scalar type is the model file's).
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
    /// A category of a table column that the model's training rows did not have: refuse it
    /// (error, naming the column, value and line) or encode it as none of the known ones
    /// (ignore: all of that column's inputs 0).
    #[arg(long, value_enum, default_value_t = UnknownArg::Error)]
    pub unknown: UnknownArg,
}

/// `descent predict` flags.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The model file written by `descent train --save`.
    #[arg(long, value_name = "PATH")]
    pub model: std::path::PathBuf,
    /// The examples to predict; a label column, when present, is ignored.
    #[command(flatten)]
    pub data: DataArgs,
    /// Write the predictions to this CSV file [default: standard output].
    #[arg(long, value_name = "PATH")]
    pub out: Option<std::path::PathBuf>,
    /// Also write every class's probability: one column per class, `p_<class name>`, after
    /// `class,probability` (each row sums to 1).
    #[arg(long)]
    pub proba: bool,
    /// Dense-math backend (the scalar type is the model file's).
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
    /// A category of a table column that the model's training rows did not have: refuse it
    /// (error, naming the column, value and line) or encode it as none of the known ones
    /// (ignore: all of that column's inputs 0).
    #[arg(long, value_enum, default_value_t = UnknownArg::Error)]
    pub unknown: UnknownArg,
}

/// `descent cv` flags: every `train` flag (but the outputs and the validation set) plus these.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct CvArgs {
    /// The number of folds K (2 ≤ K ≤ the examples): the examples, in the order of a
    /// permutation drawn from --seed (class by class for classification), are dealt to the
    /// folds in turn; each fold is held out once, as the validation set (early stopping and
    /// --decay plateau watch it), while the other K−1 train.
    #[arg(long, value_name = "K")]
    pub folds: usize,
    /// Print one JSON object per line: one per fold (`fold`, `train_examples`, `examples`,
    /// `epochs`, `seconds`, `cost`, `accuracy` and every field of `eval --json`), then the
    /// summary (`summary: true`, `folds`, and `mean` and `std` of every numeric field,
    /// population standard deviation, divided by K).
    #[arg(long)]
    pub json: bool,
    /// The training flags shared with `descent train`.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// `descent compare` flags: every `train` flag (but `--optimizer`) plus these.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct CompareArgs {
    /// The optimizers to compare, comma-separated (gd, momentum, adam, rmsprop, adamw).
    #[arg(long, default_value = "gd,momentum,adam")]
    pub optimizers: String,
    /// The training flags shared with `descent train`.
    #[command(flatten)]
    pub train: TrainArgs,
}
