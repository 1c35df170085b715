//! `TrainPlan`: what a resolved run trains on — the examples (loaded, or memory-mapped), the
//! validation split, the standardization, the network's shape and initial parameters — and
//! the memory check, done once with the library's `MemoryNeeds` before anything large is
//! allocated.

mod backend;
pub mod data;
pub mod mapped;
pub mod model;
pub mod split;
pub mod table;
pub mod validation;
pub mod weights;

use std::path::Path;

use anyhow::{Context, anyhow};
use descent::train::memory::MemoryNeeds;
use descent::train::{
    DataSource, Dataset, FeatureStats, Mlp, MlpConfig, Output, RegularizationConfig,
};
use descent::{Backend, Scalar};
use descent_io::{Parameters, TableEncoding};

use crate::args::BackendArg;
use crate::run::RunSpec;
use mapped::Mapped;

/// The hidden widths without `--layers` or `--init`: the course's network.
const DEFAULT_HIDDEN: [usize; 2] = [5, 2];

/// Everything a run trains on, checked before training starts.
pub struct TrainPlan {
    /// The training examples: loaded (and standardized with `--standardize`), or
    /// memory-mapped (standardized on the fly).
    pub data: Examples,
    /// The held-out examples of `--validation` (standardized like `data`).
    pub validation: Option<Dataset<f64>>,
    /// The statistics of `--standardize` (or of the `--init` model, or the checkpoint's).
    pub standardize: Option<FeatureStats>,
    /// The network's shape.
    pub mlp: MlpConfig,
    /// The parameters of `--init`.
    pub init: Option<Parameters>,
    /// The weight of each class (`--class-weight`), as computed from the training rows.
    pub class_weights: Option<Vec<f64>>,
    /// How a table's columns became the inputs and labels (CSV and Parquet data).
    pub encoding: Option<TableEncoding>,
    /// The training examples' `--sample-weight` values.
    pub sample_weights: Option<Vec<f64>>,
    /// The backend: `--backend`, or chosen from the network's size (`backend.rs`).
    pub backend: BackendArg,
}

/// The examples a plan trains on.
pub enum Examples {
    /// Loaded in memory (standardized with `--standardize`).
    Memory(Dataset<f64>),
    /// Memory-mapped `.npy` files (standardized on the fly): neither the features nor the
    /// labels are copied into memory.
    Mapped(Box<Mapped>),
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

impl TrainPlan {
    /// Reads the data and `--init`, splits and standardizes, shapes the network and checks
    /// the memory the run needs. `stream` keeps the features of `--data X.npy` on disk.
    pub fn new(spec: &RunSpec, stream: bool) -> anyhow::Result<Self> {
        data::check_no_header(&spec.data)?;
        let init = spec
            .init
            .as_ref()
            .map(|p| descent_io::load_parameters(p).context("--init"))
            .transpose()?;
        // A table is split before its encoding is fitted on the training rows.
        let mut pre_split = None;
        let mut encoding = None;
        let mut sample_weights = None;
        let (all, source) = if stream {
            let mapped = Mapped::open(&spec.data, spec.standardize && spec.resumed.is_none())?;
            (Examples::Mapped(Box::new(mapped)), mapped::source(&spec.data))
        } else if table::is_table(&spec.data.data) {
            let options = table::options(&spec.columns, spec.data.target.as_deref(), spec.output);
            let path = Path::new(&spec.data.data);
            let weight = spec.sample_weight.as_deref();
            let header = data::header(&spec.data);
            let encoded =
                table::load(path, header, &options, spec.validation, spec.train.seed, weight)?;
            pre_split = Some(encoded.validation);
            encoding = Some(encoded.encoding);
            sample_weights = encoded.weights;
            let source = data::Source {
                data: spec.data.data.clone(),
                labels_file: Some(spec.data.data.clone()),
                csv: false,
            };
            (Examples::Memory(encoded.train), source)
        } else {
            let (d, source) = data::load(&spec.data)?;
            (Examples::Memory(d), source)
        };
        if let (Some(column), None) = (&spec.sample_weight, &encoding) {
            return Err(anyhow!(
                "--sample-weight {column}: needs a table (CSV or Parquet) --data holding that \
                 column; --data {} is not one",
                spec.data.data
            ));
        }
        let labels = all.source();
        let n_in = labels.n_features();
        if encoding.is_none() {
            encoding = table::picked_up(&spec.data.data, n_in)?;
        }
        // A table encoded without classes has a numeric target: regression.
        let regression = encoding.as_ref().is_some_and(|e| e.classes().is_none());
        let requested = spec.output.or(regression.then_some(Output::Linear));
        let output = data::choose_output(requested, labels, &source)?;
        let n_out = match output {
            Output::Sigmoid => 1,
            Output::Softmax => labels.n_classes().unwrap_or(2).max(2),
            Output::Linear => labels.n_targets(),
        };
        let layers = network_widths(spec, init.as_ref(), n_in, n_out)?;
        let mlp = MlpConfig {
            layers,
            hidden: spec.activation,
            output,
            init: spec.init_kind,
            seed: spec.init_seed,
        };
        mlp.validate().context("--layers")?;
        check_dropout(&spec.regularization.keep_prob, mlp.layers.len() - 2)?;
        let (train_data, validation) = match (pre_split, spec.validation, all) {
            (Some(validation), _, all) => (all, validation),
            (None, Some(holdout), Examples::Memory(d)) => {
                let (t, v) = data::split(&d, holdout, spec.train.seed, output)?;
                (Examples::Memory(t), Some(v))
            }
            (None, Some(_), Examples::Mapped(_)) => {
                return Err(anyhow!("--validation: needs the examples in memory"));
            }
            (None, None, all) => (all, None),
        };
        let validation = match &spec.validation_data {
            None => validation,
            Some(file) => {
                let classes = (output != Output::Linear).then_some(n_out.max(2));
                Some(validation::load(file, spec, encoding.as_ref(), n_in, classes)?)
            }
        };
        let standardize = standardization(spec, &train_data, encoding.as_ref())?;
        let (train_data, validation) = match (&standardize, train_data) {
            (Some(s), Examples::Mapped(mut m)) => {
                m.apply(s.clone());
                (Examples::Mapped(m), validation.map(|v| data::standardize(&v, s)).transpose()?)
            }
            (Some(s), Examples::Memory(d)) => (
                Examples::Memory(data::standardize(&d, s)?),
                validation.map(|v| data::standardize(&v, s)).transpose()?,
            ),
            (None, train_data) => (train_data, validation),
        };
        let class_weights = weights::class_weights(
            spec,
            train_data.source(),
            output,
            *mlp.layers.last().unwrap_or(&1),
        )?;
        let backend =
            spec.backend.unwrap_or_else(|| backend::choose(&mlp.layers, spec.train.batch_size));
        let plan = Self {
            backend,
            data: train_data,
            validation,
            standardize,
            mlp,
            init,
            class_weights,
            encoding,
            sample_weights,
        };
        plan.check_memory(spec)?;
        Ok(plan)
    }

    /// Refuses a run whose buffers exceed `--max-memory` or the available memory. When a
    /// table's one-hot columns are what makes the run too big (it would fit with one input
    /// per column), the message names them.
    fn check_memory(&self, spec: &RunSpec) -> anyhow::Result<()> {
        let source = self.data.source();
        let needs = |layers: &[usize]| -> anyhow::Result<MemoryNeeds> {
            let mut needs = MemoryNeeds::for_training(
                layers,
                source.n_examples(),
                source.n_targets(),
                spec.train.batch_size,
                spec.dtype.bytes(),
                spec.optimizer.state_buffers(),
            )
            .context("--layers and --batch-size")?;
            if let Examples::Mapped(_) = self.data {
                // The features and labels stay in the files' mappings: only the permutation,
                // one `u32` per example, grows with the data.
                needs.data = 4 * source.n_examples() as u64;
            }
            Ok(needs)
        };
        let what =
            if spec.max_memory.is_some() { "--max-memory" } else { "--layers and --batch-size" };
        let Err(err) = needs(&self.mlp.layers)?.check(spec.max_memory) else { return Ok(()) };
        if let Some(encoding) = &self.encoding {
            let mut narrow = self.mlp.layers.clone();
            narrow[0] = encoding.column_widths().len();
            if narrow[0] < self.mlp.layers[0] && needs(&narrow)?.check(spec.max_memory).is_ok() {
                return Err(anyhow!("{what}: {err}; {}", table::width_note(encoding)));
            }
        }
        Err(err).context(what)
    }

    /// The network to train: the checkpoint's with `--resume`, `--init`'s parameters, or
    /// freshly initialized.
    pub fn build_mlp<T: Scalar, B: Backend<T>>(&self, spec: &RunSpec) -> anyhow::Result<Mlp<T, B>> {
        if let Some(r) = &spec.resumed {
            return r.checkpoint.resume_mlp().context("--resume");
        }
        match &self.init {
            Some(params) => {
                let matrices = params.to_matrices::<T, B>().context("--init")?;
                Mlp::from_params(&self.mlp, matrices).context("--init")
            }
            None => Mlp::new(&self.mlp).context("building the network"),
        }
    }

    /// The L2, dropout and class-weight settings the trainer runs with.
    pub fn regularization(&self, spec: &RunSpec) -> RegularizationConfig {
        RegularizationConfig {
            class_weights: self.class_weights.clone(),
            ..spec.regularization.clone()
        }
    }

    /// The names of a classifier's classes in the network's order: the table's class names,
    /// else `0`, `1`, …; empty for regression.
    pub fn class_names(&self) -> Vec<String> {
        let n = match self.mlp.output {
            Output::Linear => 0,
            Output::Sigmoid => 2,
            Output::Softmax => *self.mlp.layers.last().unwrap_or(&0),
        };
        match self.encoding.as_ref().and_then(TableEncoding::classes) {
            Some(names) if names.len() == n => names.to_vec(),
            _ => (0..n).map(|k| k.to_string()).collect(),
        }
    }

    /// Layer widths as `2-5-2-1`.
    pub fn layers_str(&self) -> String {
        self.mlp.layers.iter().map(ToString::to_string).collect::<Vec<_>>().join("-")
    }
}

/// The inputs' statistics: a resumed run's checkpoint keeps its own, a descent model given to
/// `--init` keeps the scaling it was trained with; else `--standardize` computes them from
/// the training examples.
fn standardization(
    spec: &RunSpec,
    train: &Examples,
    encoding: Option<&TableEncoding>,
) -> anyhow::Result<Option<FeatureStats>> {
    if let Some(r) = &spec.resumed {
        return Ok(r.checkpoint.model.standardize.clone());
    }
    let inherited =
        spec.init.as_ref().and_then(|p| descent_io::load_model(p).ok()).and_then(|m| m.standardize);
    if inherited.is_some() || !spec.standardize {
        return Ok(inherited);
    }
    Ok(Some(match (train, encoding) {
        (Examples::Mapped(m), None) => m.stats.clone().context("--standardize")?,
        (Examples::Mapped(m), Some(e)) => {
            table::numeric_only(e, m.stats.clone().context("--standardize")?)
        }
        (Examples::Memory(d), Some(e)) => table::standardization(e, d)?,
        (Examples::Memory(d), None) => FeatureStats::scan::<f64>(d).context("--standardize")?,
    }))
}

/// Refuses keep probabilities that are neither one value nor one per hidden layer.
fn check_dropout(keep: &[f64], n_hidden: usize) -> anyhow::Result<()> {
    let drops = keep.iter().any(|&k| k < 1.0);
    if drops && !(n_hidden > 0 && (keep.len() == 1 || keep.len() == n_hidden)) {
        return Err(anyhow!(
            "--dropout: {} keep probabilities for a network with {n_hidden} hidden layers; give \
             one, or one per hidden layer",
            keep.len()
        ));
    }
    Ok(())
}

/// All widths from input to output; with `--init`, the file's widths must fit the data and
/// `--layers`.
fn network_widths(
    spec: &RunSpec,
    init: Option<&Parameters>,
    n_in: usize,
    n_out: usize,
) -> anyhow::Result<Vec<usize>> {
    let Some(params) = init else {
        let mut layers = vec![n_in];
        layers.extend(spec.hidden.clone().unwrap_or_else(|| DEFAULT_HIDDEN.to_vec()));
        layers.push(n_out);
        return Ok(layers);
    };
    let path = spec.init.as_deref().unwrap_or(Path::new("")).display();
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
    if let Some(hidden) = &spec.hidden
        && hidden[..] != file[1..file.len() - 1]
    {
        return Err(anyhow!(
            "--init {path}: the model's hidden layers are {:?}, --layers asks for {hidden:?}",
            &file[1..file.len() - 1]
        ));
    }
    Ok(file.clone())
}
