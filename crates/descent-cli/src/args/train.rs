//! The flags of `descent train` (shared with `compare`): the data, the network, the optimizer
//! and schedule, the outputs and the reliability flags.

use std::path::PathBuf;

use clap::Args;

use super::control::ControlArgs;

use super::values::{
    BackendArg, DecayArg, DtypeArg, HiddenArg, ImputeArg, OnOff, OptimizerArg, OutputArg,
    PlotScaleArg,
};

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
    pub labels: Option<PathBuf>,
    /// Number of examples of a built-in data set.
    #[arg(long, default_value_t = 300)]
    pub examples: usize,
    /// Noise of a built-in data set (standard deviation).
    #[arg(long, default_value_t = 0.2)]
    pub noise: f64,
    /// The CSV file has no header row: every row is data, the columns are named x1…xn (the
    /// label the last unless --target). Without it, a first row of numbers only is refused.
    #[arg(long)]
    pub no_header: bool,
}

/// How the columns of a table (CSV or Parquet) become inputs and labels: fitted on the
/// training rows, stored in the model.
#[derive(Debug, Clone, Args)]
pub struct ColumnArgs {
    /// Columns that are categorical even though every cell is a number (zip codes, integer
    /// codes), comma-separated; a column with any other text is categorical anyway.
    #[arg(long, value_name = "COLUMN,…", value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Columns to leave out (ids, free text), comma-separated.
    #[arg(long, value_name = "COLUMN,…", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Fill the missing cells of numeric columns with the training rows' mean, median or most
    /// frequent value [default: none, a missing numeric cell is refused].
    #[arg(long, value_enum, default_value_t = ImputeArg::None)]
    pub impute: ImputeArg,
    /// Refuse a classification target with more distinct labels than this (suggesting
    /// --output linear); --output softmax insists on classes.
    #[arg(long, value_name = "K", default_value_t = 100)]
    pub max_classes: usize,
    /// Refuse a categorical column with more distinct values than this (an id or free text by
    /// mistake: --ignore it).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_categories: usize,
}

/// `descent train` flags.
#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainArgs {
    /// The training examples.
    #[command(flatten)]
    pub data: DataArgs,
    /// How a table's columns are encoded.
    #[command(flatten)]
    pub columns: ColumnArgs,
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
    /// L2 regularization λ: each mini-batch's cost gains λ/(2m)·Σ_l ‖W_l‖² (weights only, not
    /// biases) and each weight gradient (λ/m)·W_l. The cost of --history and the progress
    /// includes the term; eval reports the loss without it.
    #[arg(long, value_name = "λ", default_value_t = 0.0)]
    pub l2: f64,
    /// Inverted dropout: the keep probability of the hidden layers' activations during
    /// training, one value for every hidden layer or a comma list, one per hidden layer; 1 is
    /// off. eval, predict, validation scores and the summary never drop.
    #[arg(long, value_name = "KEEP[,KEEP…]", default_value = "1")]
    pub dropout: String,
    /// Class weights: balanced (n / (K·n_k) over the training rows, scikit-learn's rule) or
    /// CLASS=W,… (a class not named weighs 1). A mini-batch's loss is Σ w·ℓ / Σ w; eval
    /// reports unweighted figures [default: every class 1].
    #[arg(long, value_name = "balanced|CLASS=W,…")]
    pub class_weight: Option<String>,
    /// A column of the table (CSV or Parquet) holding each row's weight (finite, ≥ 0; not an
    /// input): an example weighs its class weight × its sample weight.
    #[arg(long, value_name = "COLUMN")]
    pub sample_weight: Option<String>,
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
    /// (exponential), lr0/(1+rate)^⌊e/interval⌋ (step), a cosine from lr0 to 0 over the run
    /// (cosine), or lr0 lowered by --plateau-factor whenever --monitor stops improving
    /// (plateau).
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
    /// Dense-math backend [default: from the network's size: nalgebra when a batch's forward
    /// pass is under 200,000 multiply-adds (batch × Σ inputs·outputs), else faer].
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
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
    pub init: Option<PathBuf>,
    /// Write the trained model to this safetensors file (atomically; never on a failed run)
    /// [default: not saved].
    #[arg(long, value_name = "PATH")]
    pub save: Option<PathBuf>,
    /// Z-score each input with the training set's mean and standard deviation (a constant
    /// input is only centered); the statistics are stored in the --save file. An --init model
    /// trained with --standardize keeps its own statistics, with or without this flag.
    #[arg(long)]
    pub standardize: bool,
    /// Hold out this fraction of the examples (in (0, 1)) and report its cost and accuracy
    /// every epoch [default: no validation set].
    #[arg(long, value_name = "F")]
    pub validation: Option<f64>,
    /// An explicit validation set instead of --validation: a file in the formats of --data,
    /// read with the same column flags (a table: the same --target column, encoded as the
    /// training rows; a .npy file: with --validation-labels).
    #[arg(long, value_name = "PATH")]
    pub validation_data: Option<String>,
    /// The labels of a .npy --validation-data file.
    #[arg(long, value_name = "PATH")]
    pub validation_labels: Option<PathBuf>,
    /// Write a figure (PNG, or SVG when the name ends in .svg): cost per epoch and per
    /// mini-batch, and the decision boundary for 2-D inputs [default: none].
    #[arg(long, value_name = "PATH")]
    pub plot: Option<PathBuf>,
    /// The y axis of the figure's cost and learning-rate panels: log (every figure the same
    /// way, so figures compare) or linear.
    #[arg(long, value_enum, value_name = "SCALE", default_value_t = PlotScaleArg::Log)]
    pub plot_scale: PlotScaleArg,
    /// Write epoch, lr, cost, accuracy (and validation_cost, validation_accuracy) per epoch to
    /// this CSV file [default: not written].
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// After training, score the trained network on the training examples (one more pass
    /// over the data) and report that cost and accuracy [default: the summary reports the
    /// last epoch's cost and accuracy, measured by its mini-batches' forward passes during
    /// training, before each batch's update].
    #[arg(long)]
    pub final_eval: bool,
    /// No progress bar, only errors and the summary.
    #[arg(long)]
    pub quiet: bool,
    /// --early-stopping and --decay plateau.
    #[command(flatten)]
    pub control: ControlArgs,
    /// --resume, --checkpoint-every, --max-memory.
    #[command(flatten)]
    pub reliability: ReliabilityArgs,
}

/// The reliability flags of `descent train`.
#[derive(Debug, Clone, Args)]
pub struct ReliabilityArgs {
    /// Continue the run saved in this checkpoint (a --save file) for --epochs more epochs,
    /// bit for bit as if it had not stopped. Every setting not given on the command line
    /// comes from the checkpoint; --data, when given, must be the same data.
    #[arg(long, value_name = "PATH")]
    pub resume: Option<PathBuf>,
    /// Also write the checkpoint to the --save file every K epochs (each write atomic).
    #[arg(long, value_name = "K")]
    pub checkpoint_every: Option<usize>,
    /// Refuse a run whose buffers would need more than this (e.g. 512M, 8G) [default: the
    /// available memory].
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
}
