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
    /// Train several optimizers from the same initial parameters on the same batches; print a
    /// table and plot their cost curves and decision boundaries.
    Compare(CompareArgs),
    /// Write a built-in data set of any size to `.npy` files (features and labels), in pieces:
    /// data for training from disk.
    Gen(GenArgs),
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

/// `descent compare` flags: every `train` flag (but `--optimizer`) plus these.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct CompareArgs {
    /// The optimizers to compare, comma-separated (gd, momentum, adam, rmsprop, adamw).
    #[arg(long, default_value = "gd,momentum,adam")]
    pub optimizers: String,
    /// Where to write the figure: PNG, or SVG when the name ends in `.svg`.
    #[arg(long, default_value = "descent-compare.png")]
    pub plot: std::path::PathBuf,
    /// The training flags shared with `descent train`.
    #[command(flatten)]
    pub train: TrainArgs,
}

/// `descent train` flags.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// A built-in data set: moons, circles or spirals (3 classes).
    #[arg(long, default_value = "moons")]
    pub data: String,
    /// Number of examples of a built-in data set.
    #[arg(long, default_value_t = 300)]
    pub examples: usize,
    /// Noise of a built-in data set (standard deviation).
    #[arg(long, default_value_t = 0.2)]
    pub noise: f64,
    /// Hidden layer sizes, comma-separated; input and output sizes come from the data.
    #[arg(long, default_value = "5,2")]
    pub layers: String,
    /// Hidden activation.
    #[arg(long, value_enum, default_value_t = HiddenArg::Relu)]
    pub activation: HiddenArg,
    /// Output layer: sigmoid for labels {0,1}, softmax for classes 0..K-1 (K > 2), linear for
    /// regression. Default: chosen from the labels.
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
    /// No progress bar, only errors and the summary.
    #[arg(long)]
    pub quiet: bool,
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
