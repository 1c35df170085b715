//! `Plan`: everything `train` and `compare` need, built and checked from the flags before any
//! training starts (data, validation split, standardization, network, `--init`, memory).

use std::path::Path;

use anyhow::{Context, anyhow};
use descent::train::optim::OptimizerConfig;
use descent::train::schedule::ScheduleConfig;
use descent::train::{Activation, DataSource, Dataset, Init, Mlp, MlpConfig, Output, TrainConfig};
use descent::{Backend, Scalar};
use descent_io::{Parameters, Standardization};

use crate::args::{DecayArg, DtypeArg, HiddenArg, OnOff, OutputArg, TrainArgs};
use crate::data;
use crate::flags::{check_flags, optimizer_config, parse_layers};
use crate::memory;

/// The hidden widths without `--layers` or `--init`: the course's network.
const DEFAULT_HIDDEN: [usize; 2] = [5, 2];

/// Everything validated from the flags before any training starts.
pub struct Plan {
    /// The training examples: loaded (and standardized with `--standardize`), or
    /// memory-mapped when `train` streams (`crate::stream::wanted`).
    pub data: Examples,
    /// The held-out examples of `--validation` (standardized like `data`).
    pub validation: Option<Dataset<f64>>,
    /// The statistics of `--standardize`.
    pub standardize: Option<Standardization>,
    /// The network's shape.
    pub mlp: MlpConfig,
    /// The parameters of `--init`.
    pub init: Option<Parameters>,
    /// The update rule.
    pub optimizer: OptimizerConfig,
    /// The learning-rate schedule.
    pub schedule: ScheduleConfig,
    /// Epochs, batches, seed.
    pub train: TrainConfig,
}

/// The examples a plan trains on.
pub enum Examples {
    /// Loaded in memory (standardized with `--standardize`).
    Memory(Dataset<f64>),
    /// Memory-mapped `.npy` files (standardized on the fly): neither the features nor the
    /// labels are copied into memory.
    Mapped(Box<crate::stream::Mapped>),
}

impl Examples {
    /// The examples as a source: the label checks and the choice of output read the labels
    /// through it, from memory or straight from the mapped file.
    pub fn source(&self) -> &dyn DataSource<f64> {
        match self {
            Self::Memory(d) => d,
            Self::Mapped(m) => &m.data,
        }
    }

    /// The number of examples.
    pub fn n_examples(&self) -> usize {
        self.source().n_examples()
    }

    /// The number of target values per example.
    pub fn n_targets(&self) -> usize {
        self.source().n_targets()
    }

    /// The examples in memory, for what needs them all at once (`flag`: `--plot`, `compare`).
    pub fn in_memory(&self, flag: &str) -> anyhow::Result<&Dataset<f64>> {
        match self {
            Self::Memory(d) => Ok(d),
            Self::Mapped(_) => {
                Err(anyhow!("{flag}: needs the examples in memory, not memory-mapped .npy files"))
            }
        }
    }
}

impl Plan {
    /// Reads the data and `--init`, and checks every flag.
    pub fn from_args(args: &TrainArgs) -> anyhow::Result<Self> {
        Self::from_args_with(args, false)
    }

    /// As [`Plan::from_args`]; with `stream`, the features of `--data X.npy` stay on disk.
    pub fn from_args_with(args: &TrainArgs, stream: bool) -> anyhow::Result<Self> {
        check_flags(args)?;
        let optimizer = optimizer_config(args.optimizer, args);
        optimizer.validate().context("--optimizer settings")?;
        let schedule = schedule_config(args);
        schedule.build(args.lr).context("--decay settings")?;
        let hidden = args.layers.as_deref().map(parse_layers).transpose()?;
        check_output_folder("--save", args.save.as_deref())?;
        check_output_folder("--plot", args.plot.as_deref())?;
        check_plot_extension(args.plot.as_deref())?;
        check_output_folder("--history", args.history.as_deref())?;
        let init = args
            .init
            .as_ref()
            .map(|p| descent_io::load_parameters(p).context("--init"))
            .transpose()?;

        let (all, source) = if stream {
            let mapped = crate::stream::Mapped::open(&args.data)?;
            (Examples::Mapped(Box::new(mapped)), crate::stream::source(&args.data))
        } else {
            let (d, source) = data::load(&args.data)?;
            (Examples::Memory(d), source)
        };
        let labels = all.source();
        let n_in = labels.n_features();
        let requested = args.output.map(|o| match o {
            OutputArg::Sigmoid => Output::Sigmoid,
            OutputArg::Softmax => Output::Softmax,
            OutputArg::Linear => Output::Linear,
        });
        let output = data::choose_output(requested, labels, &source)?;
        let n_out = match output {
            Output::Sigmoid => 1,
            Output::Softmax => labels.n_classes().unwrap_or(2).max(2),
            Output::Linear => labels.n_targets(),
        };
        let layers = network_widths(args, hidden, init.as_ref(), n_in, n_out)?;
        let mlp = MlpConfig {
            layers,
            hidden: match args.activation {
                HiddenArg::Relu => Activation::Relu,
                HiddenArg::Tanh => Activation::Tanh,
            },
            output,
            init: Init::He,
            seed: args.seed,
        };
        mlp.validate().context("--layers")?;

        let (train_data, validation) = match (args.validation, all) {
            (Some(f), Examples::Memory(d)) => {
                let (t, v) = data::split(&d, f, args.seed)?;
                (Examples::Memory(t), Some(v))
            }
            (Some(_), Examples::Mapped(_)) => {
                return Err(anyhow!("--validation: needs the examples in memory"));
            }
            (None, all) => (all, None),
        };
        // A descent model given to --init keeps the input scaling it was trained with.
        let inherited = args
            .init
            .as_ref()
            .and_then(|p| descent_io::load_model(p).ok())
            .and_then(|model| model.standardize);
        let standardize = inherited.or_else(|| {
            args.standardize.then(|| match &train_data {
                Examples::Mapped(m) => m.standardization(),
                Examples::Memory(d) => data::fit_standardization(d),
            })
        });
        let (train_data, validation) = match (&standardize, train_data) {
            (Some(s), Examples::Mapped(mut m)) => {
                m.apply(s);
                (Examples::Mapped(m), validation)
            }
            (Some(s), Examples::Memory(d)) => (
                Examples::Memory(data::standardize(&d, s)?),
                validation.map(|v| data::standardize(&v, s)).transpose()?,
            ),
            (None, train_data) => (train_data, validation),
        };
        let train = TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            shuffle: !args.no_shuffle,
            seed: args.seed,
            clip_norm: args.clip_norm,
            record_batch_costs: args.plot.is_some(),
            // `None`: as the source prefers, on for memory-mapped files.
            prefetch: args.prefetch.map(|p| p == OnOff::On),
        };
        train.validate().context("training settings")?;
        let scalar_bytes = match args.dtype {
            DtypeArg::F32 => 4,
            DtypeArg::F64 => 8,
        };
        let need = memory::Need::of(
            &mlp.layers,
            args.batch_size,
            train_data.n_examples(),
            optimizer.state_buffers(),
        );
        memory::check(need, scalar_bytes, "--layers and --batch-size")?;
        Ok(Self {
            data: train_data,
            validation,
            standardize,
            mlp,
            init,
            optimizer,
            schedule,
            train,
        })
    }

    /// The network to train: from `--init`'s parameters, or freshly initialized.
    pub fn build_mlp<T: Scalar, B: Backend<T>>(&self) -> anyhow::Result<Mlp<T, B>> {
        match &self.init {
            Some(params) => {
                let matrices = params.to_matrices::<T, B>().context("--init")?;
                Mlp::from_params(&self.mlp, matrices).context("--init")
            }
            None => Mlp::new(&self.mlp).context("building the network"),
        }
    }

    /// Layer widths as `2-5-2-1`.
    pub fn layers_str(&self) -> String {
        self.mlp.layers.iter().map(ToString::to_string).collect::<Vec<_>>().join("-")
    }
}

/// The schedule `--decay` asks for.
fn schedule_config(args: &TrainArgs) -> ScheduleConfig {
    let (rate, interval) = (args.decay_rate, args.decay_interval);
    match args.decay {
        DecayArg::None => ScheduleConfig::Constant,
        DecayArg::InverseTime => ScheduleConfig::InverseTime { rate },
        DecayArg::Scheduled => ScheduleConfig::Scheduled { rate, interval },
        DecayArg::Exponential => ScheduleConfig::Exponential { rate, interval },
        DecayArg::Step => ScheduleConfig::Step { rate, interval },
        DecayArg::Cosine => ScheduleConfig::Cosine { epochs: args.epochs.max(1), lr_min: 0.0 },
    }
}

/// All widths from input to output; with `--init`, the file's widths must fit the data and
/// `--layers`.
fn network_widths(
    args: &TrainArgs,
    hidden: Option<Vec<usize>>,
    init: Option<&Parameters>,
    n_in: usize,
    n_out: usize,
) -> anyhow::Result<Vec<usize>> {
    let Some(params) = init else {
        let mut layers = vec![n_in];
        layers.extend(hidden.unwrap_or_else(|| DEFAULT_HIDDEN.to_vec()));
        layers.push(n_out);
        return Ok(layers);
    };
    let path = args.init.as_deref().unwrap_or(Path::new("")).display();
    let file = &params.layers;
    if file[0] != n_in {
        return Err(anyhow!(
            "--init {path}: the model's input is {} wide but the data has {n_in} features",
            file[0]
        ));
    }
    if file[file.len() - 1] != n_out {
        return Err(anyhow!(
            "--init {path}: the model has {} outputs but the labels need {n_out}",
            file[file.len() - 1]
        ));
    }
    if let Some(hidden) = hidden
        && hidden[..] != file[1..file.len() - 1]
    {
        return Err(anyhow!(
            "--init {path}: the model's hidden layers are {:?}, --layers asks for {hidden:?}",
            &file[1..file.len() - 1]
        ));
    }
    Ok(file.clone())
}

/// Refuses an output path whose folder does not exist, before any training.
pub fn check_output_folder(flag: &str, path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(anyhow!(
            "{flag} {}: the folder {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    if path.is_dir() {
        return Err(anyhow!("{flag} {}: is a folder, not a file", path.display()));
    }
    Ok(())
}

/// Refuses a figure name that ends in neither `.png` nor `.svg`, before any training.
pub fn check_plot_extension(path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("png") || ext.eq_ignore_ascii_case("svg") {
        Ok(())
    } else {
        Err(anyhow!("--plot {}: the figure is PNG or SVG; name it .png or .svg", path.display()))
    }
}
