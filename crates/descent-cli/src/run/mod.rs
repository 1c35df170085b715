//! `RunSpec`: one typed description of a training run, resolved once from the flags and, with
//! `--resume`, from the checkpoint (a setting comes from the command line when given there,
//! else from the checkpoint, else from the flag's default). Every check of a setting happens
//! here, once, by the library's `validate()`; the layers above never read a raw flag again.

mod checks;
mod control;
mod course;
mod export;
mod holdout;
mod optimizer;
mod paths;
mod search;
mod stored;
mod validation;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::ArgMatches;
use descent::train::memory::parse_size;
use descent::train::optim::OptimizerConfig;
use descent::train::schedule::ScheduleConfig;
use descent::train::{Activation, Init, Output, RegularizationConfig, TrainConfig};
use descent_io::{Checkpoint, TrainingSettings};

pub use checks::{
    ClassWeight, check_output_folder, check_plot_extension, parse_layers, refuse_given,
};
pub use control::ControlSpec;
pub use course::course_settings;
pub use export::{ExportSpec, Format};
pub use holdout::Holdout;
pub use optimizer::{OptimizerFlags, optimizer_config};
pub use paths::check_no_clobber;
pub use search::{Dimension, Scale, Search, Setting, Space, one_line};
pub use validation::ValidationFile;

use crate::args::{BackendArg, ColumnArgs, DataArgs, DtypeArg, PlotScaleArg, TrainArgs};
use checks::{flag_error, parse_class_weight, parse_dropout};
use optimizer::{resolve_optimizer, resolve_schedule};
use stored::{Stored, enum_value};
use validation::validation_file;

/// Everything a training run is, typed and checked.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Where the examples come from.
    pub data: DataArgs,
    /// How a table's columns are encoded.
    pub columns: ColumnArgs,
    /// The hidden widths of `--layers` (`None`: the `--init` file's, or the default).
    pub hidden: Option<Vec<usize>>,
    /// The hidden activation.
    pub activation: Activation,
    /// The output layer asked for (`None`: chosen from the labels).
    pub output: Option<Output>,
    /// The update rule and its hyper-parameters.
    pub optimizer: OptimizerConfig,
    /// The initial learning rate.
    pub lr: f64,
    /// The learning-rate schedule.
    pub schedule: ScheduleConfig,
    /// `--l2` and the keep probabilities of `--dropout` (class weights come from the plan).
    pub regularization: RegularizationConfig,
    /// `--class-weight`.
    pub class_weight: Option<ClassWeight>,
    /// Epochs of this invocation, batches, seed, clipping, prefetching, batch-cost record.
    pub train: TrainConfig,
    /// How the parameters are first drawn, and the seed (a resumed run keeps its own).
    pub init_kind: Init,
    /// The seed of the initial parameters.
    pub init_seed: u64,
    /// The scalar type.
    pub dtype: DtypeArg,
    /// The dense-math backend `--backend` names (`None`: chosen by the plan from the
    /// network's size, `TrainPlan::backend`).
    pub backend: Option<BackendArg>,
    /// The GEMM thread count of every backend library.
    pub threads: NonZeroUsize,
    /// Z-score the inputs.
    pub standardize: bool,
    /// What is held out for validation: `--validation F`, or a fold of `cv` and `tune`.
    pub validation: Option<Holdout>,
    /// `--validation-data` (and `--validation-labels`): an explicit validation set.
    pub validation_data: Option<ValidationFile>,
    /// `--sample-weight`: the table column of the examples' weights.
    pub sample_weight: Option<String>,
    /// Early stopping and the plateau schedule.
    pub control: ControlSpec,
    /// The `--init` parameters file.
    pub init: Option<PathBuf>,
    /// What the run writes and prints.
    pub outputs: Outputs,
    /// Write the checkpoint every K epochs.
    pub checkpoint_every: Option<NonZeroUsize>,
    /// `--max-memory` in bytes.
    pub max_memory: Option<u64>,
    /// The checkpoint a `--resume` continues.
    pub resumed: Option<Resumed>,
    /// The `setting.<flag>` entries of the checkpoints this run writes.
    pub settings: BTreeMap<String, String>,
}

/// What a run writes and prints besides training.
#[derive(Debug, Clone, Default)]
pub struct Outputs {
    /// The checkpoint file (`--save`).
    pub save: Option<PathBuf>,
    /// The figure (`--plot`).
    pub plot: Option<PathBuf>,
    /// `--plot-scale`.
    pub plot_scale: PlotScaleArg,
    /// The per-epoch CSV (`--history`).
    pub history: Option<PathBuf>,
    /// No progress bar.
    pub quiet: bool,
    /// Score the trained network once more for the summary.
    pub final_eval: bool,
}

/// A checkpoint being continued.
#[derive(Debug, Clone)]
pub struct Resumed {
    /// The `--resume` file.
    pub path: PathBuf,
    /// Its contents.
    pub checkpoint: Checkpoint,
}

impl RunSpec {
    /// Resolves `descent train`'s flags (`matches` are the subcommand's, to tell flags given on
    /// the command line from defaults).
    pub fn resolve(args: &TrainArgs, matches: &ArgMatches) -> anyhow::Result<Self> {
        let explicit = stored::explicit_flags(matches);
        let resumed = match &args.reliability.resume {
            None => None,
            Some(path) => {
                if args.init.is_some() {
                    return Err(anyhow!(
                        "--init and --resume exclude each other: a resumed run starts from the \
                         checkpoint"
                    ));
                }
                let checkpoint = descent_io::load_checkpoint(path).context("--resume")?;
                Some(Resumed { path: path.clone(), checkpoint })
            }
        };
        let mut settings = stored::settings_of(matches);
        let stored = match &resumed {
            Some(r) => {
                stored::overlay(&mut settings, &r.checkpoint.settings, &explicit);
                Stored::new(r.checkpoint.settings.clone(), explicit, r.path.clone())
            }
            None => Stored::fresh(),
        };
        Self::build(args, &stored, resumed, settings, None)
    }

    /// The spec of `descent compare`'s shared training flags: a fresh run, nothing resumed.
    pub fn fresh(args: &TrainArgs) -> anyhow::Result<Self> {
        Self::build(args, &Stored::fresh(), None, BTreeMap::new(), None)
    }

    /// The spec of a cross-validated run (`descent cv`, `descent tune --folds K`): a fresh
    /// run whose validation set is fold 0 of `folds` ([`Self::with_fold`] picks another), so
    /// early stopping and the plateau schedule watch the held-out fold as they would a
    /// `--validation` set.
    pub fn folded(args: &TrainArgs, folds: usize) -> anyhow::Result<Self> {
        Self::build(args, &Stored::fresh(), None, BTreeMap::new(), Some(folds))
    }

    /// This spec holding out fold `fold` of its folds (a spec without folds is returned as
    /// it is).
    pub fn with_fold(&self, fold: usize) -> Self {
        let mut spec = self.clone();
        if let Some(Holdout::Fold { folds, .. }) = self.validation {
            spec.validation = Some(Holdout::Fold { folds, fold });
        }
        spec
    }

    fn build(
        args: &TrainArgs,
        stored: &Stored,
        resumed: Option<Resumed>,
        settings: BTreeMap<String, String>,
        folds: Option<usize>,
    ) -> anyhow::Result<Self> {
        let s = stored;
        let training = resumed.as_ref().map(|r| &r.checkpoint.training);
        let optimizer = resolve_optimizer(args, s, training)?;
        let lr = match training {
            Some(t) if !s.given("lr") => t.lr,
            _ => args.lr,
        };
        let schedule = resolve_schedule(args, s, training)?;
        schedule.validate_for(lr).map_err(|e| flag_error(e, "--decay"))?;
        let regularization = RegularizationConfig {
            l2: s.value("l2", args.l2, str::parse)?,
            keep_prob: parse_dropout(
                &s.value("dropout", args.dropout.clone(), |t| Ok::<_, String>(t.to_owned()))?,
            )?,
            class_weights: None,
        };
        regularization.validate().map_err(|e| flag_error(e, "--dropout"))?;
        let class_weight = s.value("class_weight", args.class_weight.clone(), |t| {
            Ok::<_, String>(Some(t.to_owned()))
        })?;
        let class_weight = class_weight.as_deref().map(parse_class_weight).transpose()?;
        let pick = |id: &str, given: bool, stored: Option<bool>| match stored {
            Some(v) if !s.given(id) => v,
            _ => given,
        };
        let train = TrainConfig {
            epochs: args.epochs,
            batch_size: match training {
                Some(t) if !s.given("batch_size") => t.batch_size,
                _ => args.batch_size,
            },
            shuffle: pick("no_shuffle", !args.no_shuffle, training.map(|t| t.shuffle)),
            seed: match training {
                Some(t) if !s.given("seed") => t.seed,
                _ => args.seed,
            },
            clip_norm: match training {
                Some(t) if !s.given("clip_norm") => t.clip_norm,
                _ => args.clip_norm,
            },
            record_batch_costs: args.plot.is_some(),
            // `None`: as the source prefers, on for memory-mapped files.
            prefetch: args.prefetch.map(bool::from),
        };
        train.validate().map_err(|e| flag_error(e, "--batch-size"))?;
        let (init_kind, init_seed) = match training {
            Some(t) => (t.init, t.init_seed),
            None => (Init::He, args.seed),
        };
        let network = resumed.as_ref().map(|r| &r.checkpoint.model);
        let hidden = match (network, args.layers.as_deref()) {
            (Some(model), text) if text.is_none() || !s.given("layers") => {
                Some(model.layers[1..model.layers.len() - 1].to_vec())
            }
            (_, Some(text)) => Some(parse_layers(text)?),
            (_, None) => None,
        };
        let activation = match network {
            Some(model) if !s.given("activation") => model.activation,
            _ => args.activation.into(),
        };
        let output = match network {
            Some(model) if !s.given("output") => Some(model.output),
            _ => args.output.map(Output::from),
        };
        if let Some(model) = network {
            checks::same_network(model, hidden.as_deref(), activation, output)?;
        }
        let threads = s.value("threads", args.threads, |t| t.parse().map(Some))?;
        let threads = match threads {
            Some(0) => return Err(anyhow!("--threads: must be at least 1, got 0")),
            Some(n) => NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN),
            None => std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN),
        };
        let validation = s.value("validation", args.validation, |t| t.parse().map(Some))?;
        if let Some(f) = validation
            && !(f > 0.0 && f < 1.0)
        {
            return Err(anyhow!("--validation: must be a fraction in (0, 1), got {f}"));
        }
        let validation_data = validation_file(args, s)?;
        if let (Some(f), Some(v)) = (validation, &validation_data) {
            return Err(anyhow!(
                "--validation {f} and --validation-data {} exclude each other: give one \
                 validation set",
                v.data
            ));
        }
        let validation = match (folds, validation, &validation_data) {
            (None, f, _) => f.map(Holdout::Fraction),
            (Some(folds), None, None) => Some(Holdout::Fold { folds, fold: 0 }),
            (Some(folds), _, _) => {
                let flag = if validation.is_some() { "--validation" } else { "--validation-data" };
                return Err(anyhow!(
                    "{flag} and --folds {folds} exclude each other: each fold is held out in \
                     turn as the validation set"
                ));
            }
        };
        let has_validation = validation.is_some() || validation_data.is_some();
        let decay = s.value("decay", args.decay, enum_value)?;
        let control = ControlSpec::resolve(&args.control, decay, s, has_validation)?;
        let sample_weight = s.value("sample_weight", args.sample_weight.clone(), |t| {
            Ok::<_, String>(Some(t.to_owned()))
        })?;
        let outputs = Outputs {
            save: args.save.clone(),
            plot: args.plot.clone(),
            plot_scale: args.plot_scale,
            history: args.history.clone(),
            quiet: args.quiet,
            final_eval: args.final_eval,
        };
        check_output_folder("--save", outputs.save.as_deref())?;
        check_output_folder("--plot", outputs.plot.as_deref())?;
        check_plot_extension(outputs.plot.as_deref())?;
        check_output_folder("--history", outputs.history.as_deref())?;
        let data = resolve_data(&args.data, s)?;
        let data_file = Path::new(&data.data);
        check_no_clobber(
            &[
                ("--save", outputs.save.as_deref()),
                ("--history", outputs.history.as_deref()),
                ("--plot", outputs.plot.as_deref()),
            ],
            &[
                ("--data", Some(data_file).filter(|p| p.is_file())),
                ("--labels", data.labels.as_deref()),
                ("--validation-data", validation_data.as_ref().map(|v| Path::new(&v.data))),
                ("--validation-labels", validation_data.as_ref().and_then(|v| v.labels.as_deref())),
                ("--init", args.init.as_deref()),
                ("--resume", args.reliability.resume.as_deref()),
            ],
            &[("--save", "--resume")],
        )?;
        let r = &args.reliability;
        let checkpoint_every = match r.checkpoint_every {
            None => None,
            Some(0) => return Err(anyhow!("--checkpoint-every: must be at least 1 epoch, got 0")),
            Some(k) if outputs.save.is_none() => {
                return Err(anyhow!(
                    "--checkpoint-every {k}: give --save, the file to write the checkpoints to"
                ));
            }
            Some(k) => NonZeroUsize::new(k),
        };
        let max_memory = r
            .max_memory
            .as_deref()
            .map(|m| parse_size(m).with_context(|| format!("--max-memory {m}")))
            .transpose()?;
        let list = |t: &str| {
            Ok::<_, String>(t.split(',').filter(|c| !c.is_empty()).map(str::to_owned).collect())
        };
        let c = &args.columns;
        let columns = ColumnArgs {
            categorical: s.value("categorical", c.categorical.clone(), list)?,
            ignore: s.value("ignore", c.ignore.clone(), list)?,
            impute: s.value("impute", c.impute, enum_value)?,
            max_classes: s.value("max_classes", c.max_classes, str::parse)?,
            max_categories: s.value("max_categories", c.max_categories, str::parse)?,
        };
        Ok(Self {
            data,
            columns,
            hidden,
            activation,
            output,
            optimizer,
            lr,
            schedule,
            regularization,
            class_weight,
            train,
            init_kind,
            init_seed,
            dtype: s.value("dtype", args.dtype, enum_value)?,
            backend: s.value("backend", args.backend, |t| enum_value(t).map(Some))?,
            threads,
            standardize: s.value("standardize", args.standardize, str::parse)?,
            validation,
            validation_data,
            sample_weight,
            control,
            init: args.init.clone(),
            outputs,
            checkpoint_every,
            max_memory,
            resumed,
            settings,
        })
    }

    /// The settings a checkpoint stores for an exact resume.
    pub fn training_settings(&self) -> TrainingSettings {
        TrainingSettings {
            optimizer: self.optimizer,
            lr: self.lr,
            schedule: self.schedule,
            batch_size: self.train.batch_size,
            shuffle: self.train.shuffle,
            seed: self.train.seed,
            clip_norm: self.train.clip_norm,
            init: self.init_kind,
            init_seed: self.init_seed,
        }
    }
}

/// `--data`, `--target`, `--labels`, `--examples`, `--noise`.
fn resolve_data(data: &DataArgs, s: &Stored) -> anyhow::Result<DataArgs> {
    Ok(DataArgs {
        data: s.value("data", data.data.clone(), |t| Ok::<_, String>(t.to_owned()))?,
        target: s.value("target", data.target.clone(), |t| Ok::<_, String>(Some(t.to_owned())))?,
        labels: s.value("labels", data.labels.clone(), |t| Ok::<_, String>(Some(t.into())))?,
        examples: s.value("examples", data.examples, str::parse)?,
        noise: s.value("noise", data.noise, str::parse)?,
        no_header: s.value("no_header", data.no_header, str::parse)?,
    })
}
