//! The command-line flags (clap derive), with their defaults and help texts.

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    Train(TrainArgs),
    /// Cost and accuracy (MSE for regression) of a saved model on a data set.
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
}

/// `descent course` flags.
#[derive(Debug, Args)]
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

/// Where the examples come from: `--data`, `--labels`, `--target` (shared by every subcommand).
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// A CSV file (header row, numeric cells, the label in the last column unless --target);
    /// a .npy file of features, shape (examples, features), f32 or f64, with --labels; or a
    /// built-in data set: moons, circles, spirals (3 classes).
    #[arg(long, value_name = "PATH|NAME", default_value = "moons")]
    pub data: String,
    /// The label column of a CSV file [default: the last column].
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// The labels of a .npy features file: a .npy array of shape (examples,) or (examples, 1),
    /// any numeric dtype.
    #[arg(long, value_name = "PATH")]
    pub labels: Option<std::path::PathBuf>,
    /// Number of examples of a built-in data set.
    #[arg(long, default_value_t = 300)]
    pub examples: usize,
    /// Noise of a built-in data set (standard deviation).
    #[arg(long, default_value_t = 0.2)]
    pub noise: f64,
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
    /// Print one JSON object on one line (accuracy, cost, examples, …) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Dense-math backend (the scalar type is the model file's).
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
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
    /// Dense-math backend (the scalar type is the model file's).
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
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

/// `descent train` flags.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// The training examples.
    #[command(flatten)]
    pub data: DataArgs,
    /// Hidden layer sizes, comma-separated; input and output sizes come from the data
    /// [default: 5,2, or the widths of the --init file].
    #[arg(long, value_name = "N,N,…")]
    pub layers: Option<String>,
    /// Hidden activation.
    #[arg(long, value_enum, default_value_t = HiddenArg::Relu)]
    pub activation: HiddenArg,
    /// Output layer: sigmoid for labels {0,1}, softmax for classes 0..K-1 (K > 2), linear for
    /// regression [default: chosen from the labels].
    #[arg(long, value_enum)]
    pub output: Option<OutputArg>,
    /// Update rule.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
    pub optimizer: OptimizerArg,
    /// Initial learning rate lr0.
    #[arg(long, default_value_t = 0.0007)]
    pub lr: f64,
    /// β of momentum and RMSProp.
    #[arg(long, default_value_t = 0.9)]
    pub beta: f64,
    /// Adam's and AdamW's β1.
    #[arg(long, default_value_t = 0.9)]
    pub beta1: f64,
    /// Adam's and AdamW's β2.
    #[arg(long, default_value_t = 0.999)]
    pub beta2: f64,
    /// ε of Adam, AdamW and RMSProp.
    #[arg(long, default_value_t = 1e-8)]
    pub epsilon: f64,
    /// AdamW's decoupled weight decay λ.
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    /// Clip the gradients' global L2 norm to this value (off unless given).
    #[arg(long)]
    pub clip_norm: Option<f64>,
    /// Examples per mini-batch: 1 = SGD; ≥ the number of examples = batch gradient descent.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Passes over the data.
    #[arg(long, default_value_t = 5000)]
    pub epochs: usize,
    /// Seed of the initial weights and of the per-epoch shuffles.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Learning-rate decay: epoch e (from 0) trains with lr0 (none), lr0/(1+rate·e)
    /// (inverse-time), lr0/(1+rate·⌊e/interval⌋) (scheduled), lr0·exp(−rate·e/interval)
    /// (exponential), lr0/(1+rate)^⌊e/interval⌋ (step), or a cosine from lr0 to 0 over the
    /// run (cosine).
    #[arg(long, value_enum, default_value_t = DecayArg::None)]
    pub decay: DecayArg,
    /// The decay rate.
    #[arg(long, default_value_t = 1.0)]
    pub decay_rate: f64,
    /// The decay interval in epochs (scheduled, exponential, step).
    #[arg(long, default_value_t = 1000)]
    pub decay_interval: usize,
    /// Batches are consecutive examples in order, the last partial batch kept.
    #[arg(long)]
    pub no_shuffle: bool,
    /// Floating-point type of the computation.
    #[arg(long, value_enum, default_value_t = DtypeArg::F32)]
    pub dtype: DtypeArg,
    /// Dense-math backend.
    #[arg(long, value_enum, default_value_t = BackendArg::Faer)]
    pub backend: BackendArg,
    /// Threads for the dense math (default: all cores); set before the first GEMM.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Gather the next mini-batch on a second thread while the current one trains (the same
    /// model either way) [default: on for memory-mapped .npy data, off for data in memory].
    #[arg(long, value_enum, value_name = "on|off")]
    pub prefetch: Option<OnOff>,
    /// Start from the parameters W1..WL, b1..bL of this safetensors file (f32 or f64,
    /// converted to --dtype) instead of random ones [default: He initialization from --seed].
    #[arg(long, value_name = "PATH")]
    pub init: Option<std::path::PathBuf>,
    /// Write the trained model to this safetensors file (atomically; never on a failed run)
    /// [default: not saved].
    #[arg(long, value_name = "PATH")]
    pub save: Option<std::path::PathBuf>,
    /// Z-score each input with the training set's mean and standard deviation (a constant
    /// input is only centered); the statistics are stored in the --save file. An --init model
    /// trained with --standardize keeps its own statistics, with or without this flag.
    #[arg(long)]
    pub standardize: bool,
    /// Hold out this fraction of the examples (in (0, 1)) and report its cost and accuracy
    /// every epoch [default: no validation set].
    #[arg(long, value_name = "F")]
    pub validation: Option<f64>,
    /// Write a figure (PNG, or SVG when the name ends in .svg): cost per epoch and per
    /// mini-batch, and the decision boundary for 2-D inputs [default: train none, compare
    /// descent-compare.png].
    #[arg(long, value_name = "PATH")]
    pub plot: Option<std::path::PathBuf>,
    /// Write epoch, lr, cost, accuracy (and validation_cost, validation_accuracy) per epoch to
    /// this CSV file [default: not written].
    #[arg(long, value_name = "PATH")]
    pub history: Option<std::path::PathBuf>,
    /// No progress bar, only errors and the summary.
    #[arg(long)]
    pub quiet: bool,
    /// --resume, --checkpoint-every, --max-memory.
    #[command(flatten)]
    pub reliability: crate::checkpoint::ReliabilityArgs,
}

/// A switch given as `on` or `off` (`--prefetch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// `--activation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HiddenArg {
    /// max(z, 0).
    Relu,
    /// tanh(z).
    Tanh,
}

/// `--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// One sigmoid unit, binary cross-entropy.
    Sigmoid,
    /// K softmax units, categorical cross-entropy.
    Softmax,
    /// Linear units, mean squared error.
    Linear,
}

/// `--optimizer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    /// Gradient descent: W -= lr·dW.
    Gd,
    /// Momentum: v = β·v + (1-β)·g; W -= lr·v.
    Momentum,
    /// Adam with bias correction.
    Adam,
    /// RMSProp: s = β·s + (1-β)·g²; W -= lr·g/(√s + ε).
    Rmsprop,
    /// Adam with decoupled weight decay.
    Adamw,
}

/// `--decay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecayArg {
    /// Constant learning rate.
    None,
    /// lr0 / (1 + rate·e).
    InverseTime,
    /// lr0 / (1 + rate·⌊e/interval⌋), the course's schedule_lr_decay.
    Scheduled,
    /// lr0 · exp(−rate·e/interval).
    Exponential,
    /// lr0 / (1 + rate)^⌊e/interval⌋.
    Step,
    /// lr0 · ½(1 + cos(π·e/epochs)).
    Cosine,
}

/// `--dtype`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DtypeArg {
    /// 32-bit floats.
    F32,
    /// 64-bit floats.
    F64,
}

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendArg {
    /// ndarray with matrixmultiply.
    Ndarray,
    /// nalgebra.
    Nalgebra,
    /// faer.
    Faer,
}
