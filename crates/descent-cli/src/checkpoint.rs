//! Checkpoints of `descent train`: `--save` writes a checkpoint (a model file that also holds
//! the optimizer state, position, settings and data fingerprint), `--resume` continues one
//! exactly, `--checkpoint-every K` writes one every K epochs, Ctrl-C stops after the current
//! batch and writes one, and `--max-memory` bounds the run's buffers.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, anyhow};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, FromArgMatches};
use descent::train::memory::{MemoryNeeds, parse_size};
use descent::train::{
    DataSource, Dataset, EpochStats, History, Mlp, Observer, TrainConfig, Trainer, evaluate,
};
use descent::{Backend, Scalar};
use descent_io::{Checkpoint, DataFingerprint, Dtype, TrainingSettings};

use crate::Failure;
use crate::args::{DtypeArg, TrainArgs};
use crate::plan::{Examples, Plan};
use crate::progress::Progress;
use crate::report::Validation;

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

/// Flags that are not settings of the run: never stored, never taken from a checkpoint.
const NOT_STORED: [&str; 10] = [
    "epochs",
    "prefetch",
    "init",
    "save",
    "plot",
    "history",
    "quiet",
    "resume",
    "checkpoint_every",
    "max_memory",
];

/// Flags that take no value.
const SWITCHES: [&str; 3] = ["no_shuffle", "standardize", "quiet"];

/// The training flags, resolved: from the command line, or with `--resume` from the
/// checkpoint where the command line does not give them.
pub struct Resolved {
    /// The flags to run with.
    pub args: TrainArgs,
    /// The settings to store in checkpoints (`setting.<flag>` entries).
    pub settings: BTreeMap<String, String>,
    /// The checkpoint resumed, with the flags given explicitly.
    pub resumed: Option<(Checkpoint, Vec<String>)>,
}

/// Resolves the flags of `descent train` (`matches` are the subcommand's).
pub fn resolve(args: TrainArgs, matches: &ArgMatches) -> Result<Resolved, Failure> {
    let Some(path) = args.reliability.resume.clone() else {
        let settings = stored_settings(matches);
        return Ok(Resolved { args, settings, resumed: None });
    };
    let input = Failure::Input;
    if args.init.is_some() {
        return Err(input(anyhow!(
            "--init and --resume exclude each other: a resumed run starts from the checkpoint"
        )));
    }
    let checkpoint = descent_io::load_checkpoint(&path).context("--resume").map_err(input)?;
    let explicit: Vec<String> = train_flags()
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .collect();
    // The checkpoint's flags, then those given now; the network's widths from the model.
    let mut values: BTreeMap<String, Vec<OsString>> =
        checkpoint.settings.iter().map(|(k, v)| (k.clone(), vec![OsString::from(v)])).collect();
    // Widths and output kind the run chose itself (from an --init file, from the labels)
    // are the model's; they are passed on, not stored, so a resumed run stores what the
    // first one did.
    let hidden = &checkpoint.model.layers[1..checkpoint.model.layers.len() - 1];
    let widths = hidden.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    let mut chosen = Vec::new();
    if !hidden.is_empty() && !values.contains_key("layers") {
        values.insert("layers".into(), vec![widths.into()]);
        chosen.push("layers");
    }
    if !values.contains_key("output") {
        values.insert("output".into(), vec![checkpoint.model.output.name().into()]);
        chosen.push("output");
    }
    for id in &explicit {
        if let Some(raw) = matches.get_raw(id) {
            values.insert(id.clone(), raw.map(OsString::from).collect());
        }
    }
    let mut argv: Vec<OsString> = vec!["descent train".into()];
    for (id, raw) in &values {
        let flag = format!("--{}", id.replace('_', "-"));
        if SWITCHES.contains(&id.as_str()) {
            if raw.first().is_some_and(|v| v == "true") {
                argv.push(flag.into());
            }
            continue;
        }
        for value in raw {
            argv.push(flag.clone().into());
            argv.push(value.clone());
        }
    }
    let command = <TrainArgs as Args>::augment_args(clap::Command::new("descent train"));
    let effective = command
        .try_get_matches_from(argv)
        .with_context(|| format!("--resume {}: the stored settings", path.display()))
        .map_err(input)?;
    let resolved = TrainArgs::from_arg_matches(&effective).map_err(|e| input(e.into()))?;
    let mut settings = stored_settings(&effective);
    for key in chosen {
        if !explicit.iter().any(|e| e == key) {
            settings.remove(key);
        }
    }
    Ok(Resolved { args: resolved, settings, resumed: Some((checkpoint, explicit)) })
}

/// The settings of a run as `flag → value` (defaults included, so a later change of a
/// default does not change a resumed run).
fn stored_settings(matches: &ArgMatches) -> BTreeMap<String, String> {
    train_flags()
        .into_iter()
        .filter(|id| !NOT_STORED.contains(&id.as_str()))
        .filter_map(|id| {
            let raw: Vec<String> =
                matches.get_raw(&id)?.map(|v| v.to_string_lossy().into_owned()).collect();
            (!raw.is_empty()).then(|| (id, raw.join(",")))
        })
        .collect()
}

/// The ids of the flags of `descent train` (not of their groups).
fn train_flags() -> Vec<String> {
    <TrainArgs as Args>::augment_args(clap::Command::new("descent train"))
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect()
}

/// Set by the Ctrl-C handler; the trainer stops after the batch it is in.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C (SIGINT) handler: the first press asks training to stop after the
/// current batch; a second press exits at once with status 130.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// The progress bar, plus the stop request of Ctrl-C.
struct Interruptible<'a>(&'a mut Progress);

impl Observer for Interruptible<'_> {
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        self.0.on_batch(epoch, batch, cost);
    }

    fn on_epoch(&mut self, stats: &EpochStats) -> std::ops::ControlFlow<()> {
        self.0.on_epoch(stats)
    }

    fn should_stop(&mut self) -> bool {
        INTERRUPTED.load(Ordering::Relaxed)
    }
}

/// What a run writes into its checkpoints besides the network and the trainer.
struct Saver<'a> {
    path: Option<&'a Path>,
    dtype: Dtype,
    plan: &'a Plan,
    training: TrainingSettings,
    data: DataFingerprint,
    settings: &'a BTreeMap<String, String>,
    /// The epoch of the last checkpoint written by this run.
    last: Option<usize>,
}

impl Saver<'_> {
    fn save<T: Scalar, B: Backend<T>>(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
    ) -> Result<(), Failure> {
        let Some(path) = self.path else { return Ok(()) };
        let checkpoint = Checkpoint::capture(
            mlp,
            trainer,
            self.dtype,
            self.plan.standardize.clone(),
            self.training.clone(),
            self.data,
            self.settings.clone(),
        );
        descent_io::save_checkpoint(path, &checkpoint).context("--save").map_err(Failure::Run)?;
        self.last = Some(trainer.epochs_done());
        Ok(())
    }
}

/// The training settings of the plan, or with `--resume` the checkpoint's, except those whose
/// flags were given on the command line.
fn training_settings(
    plan: &Plan,
    args: &TrainArgs,
    resumed: Option<&(Checkpoint, Vec<String>)>,
) -> TrainingSettings {
    let mut s = TrainingSettings {
        optimizer: plan.optimizer,
        lr: args.lr,
        schedule: plan.schedule,
        batch_size: plan.train.batch_size,
        shuffle: plan.train.shuffle,
        seed: plan.train.seed,
        clip_norm: plan.train.clip_norm,
        init: plan.mlp.init,
        init_seed: plan.mlp.seed,
    };
    let Some((checkpoint, explicit)) = resumed else { return s };
    let given = |ids: &[&str]| ids.iter().any(|id| explicit.iter().any(|e| e == id));
    let c = &checkpoint.training;
    if !given(&["optimizer", "beta", "beta1", "beta2", "epsilon", "weight_decay"]) {
        s.optimizer = c.optimizer;
    }
    if !given(&["lr"]) {
        s.lr = c.lr;
    }
    if !given(&["decay", "decay_rate", "decay_interval"]) {
        s.schedule = c.schedule;
    }
    if !given(&["batch_size"]) {
        s.batch_size = c.batch_size;
    }
    if !given(&["no_shuffle"]) {
        s.shuffle = c.shuffle;
    }
    if !given(&["seed"]) {
        s.seed = c.seed;
    }
    if !given(&["clip_norm"]) {
        s.clip_norm = c.clip_norm;
    }
    s.init = c.init;
    s.init_seed = c.init_seed;
    s
}

/// Checks `--checkpoint-every` and `--max-memory` before anything is allocated.
pub fn check_flags(plan: &Plan, args: &TrainArgs) -> anyhow::Result<()> {
    let r = &args.reliability;
    if let Some(k) = r.checkpoint_every {
        if k == 0 {
            return Err(anyhow!("--checkpoint-every: must be at least 1 epoch, got 0"));
        }
        if args.save.is_none() {
            return Err(anyhow!(
                "--checkpoint-every {k}: give --save, the file to write the checkpoints to"
            ));
        }
    }
    let limit = r
        .max_memory
        .as_deref()
        .map(|m| parse_size(m).with_context(|| format!("--max-memory {m}")))
        .transpose()?;
    let scalar_bytes = match args.dtype {
        DtypeArg::F32 => 4,
        DtypeArg::F64 => 8,
    };
    let mut needs = MemoryNeeds::for_training(
        &plan.mlp.layers,
        plan.data.n_examples(),
        plan.data.n_targets(),
        plan.train.batch_size,
        scalar_bytes,
        plan.optimizer.state_buffers(),
    )?;
    if let Examples::Mapped(_) = plan.data {
        // The features and labels stay in the files' mappings: only the permutation, one
        // `u32` per example, grows with the data.
        needs.data = 4 * plan.data.n_examples() as u64;
    }
    let what = if limit.is_some() { "--max-memory" } else { "--layers and --batch-size" };
    needs.check(limit).context(what)?;
    Ok(())
}

/// The network to train: the checkpoint's with `--resume`, else the plan's.
pub fn build_mlp<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    resumed: Option<&(Checkpoint, Vec<String>)>,
) -> Result<Mlp<T, B>, Failure> {
    match resumed {
        Some((c, _)) => c.model.to_mlp().context("--resume").map_err(Failure::Input),
        None => plan.build_mlp().map_err(Failure::Input),
    }
}

/// Trains for `--epochs` epochs (after a resume: further epochs, the unfinished one counting
/// as one), in stretches between checkpoints and validation scores, then writes the final
/// checkpoint to `--save`. Ctrl-C ends the run after the current batch with
/// [`Failure::Interrupted`], after writing a checkpoint.
#[allow(clippy::too_many_arguments)] // One call site; a struct would only rename them.
pub fn fit<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    args: &TrainArgs,
    resolved_settings: &BTreeMap<String, String>,
    resumed: Option<&(Checkpoint, Vec<String>)>,
    mlp: &mut Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    validation: Option<&Dataset<T>>,
    progress: &mut Progress,
) -> Result<(History, Vec<Validation>), Failure> {
    let training = training_settings(plan, args, resumed);
    let fingerprint = DataFingerprint::of(data);
    if let Some((c, _)) = resumed {
        let path = args.reliability.resume.as_deref().unwrap_or(Path::new(""));
        c.check_data(path, &fingerprint).context("--data").map_err(Failure::Input)?;
    }
    let config = TrainConfig {
        record_batch_costs: plan.train.record_batch_costs,
        prefetch: plan.train.prefetch,
        ..training.train_config(0)
    };
    let optimizer =
        training.optimizer.build::<T, B>().context("--optimizer").map_err(Failure::Input)?;
    let schedule =
        training.schedule.build(training.lr).context("--decay").map_err(Failure::Input)?;
    let mut trainer =
        Trainer::new(config, optimizer, schedule).map_err(|e| Failure::Input(e.into()))?;
    match resumed {
        Some((c, _)) => {
            trainer.restore(mlp, &c.resume).context("--resume").map_err(Failure::Input)?;
        }
        // Zero buffers now, so that even a run of 0 epochs saves a complete state.
        None => trainer
            .optimizer_mut()
            .init(mlp.params())
            .context("--optimizer")
            .map_err(Failure::Input)?,
    }
    let mut saver = Saver {
        path: args.save.as_deref(),
        dtype: match args.dtype {
            DtypeArg::F32 => Dtype::F32,
            DtypeArg::F64 => Dtype::F64,
        },
        plan,
        training,
        data: fingerprint,
        settings: resolved_settings,
        last: None,
    };
    let every = args.reliability.checkpoint_every;
    let end = trainer.epochs_done() + args.epochs;
    let mut history = History::default();
    let mut scores = Vec::new();
    let mut observer = Interruptible(progress);
    while trainer.epochs_done() < end {
        let done = trainer.epochs_done();
        let mut stretch = end - done;
        if validation.is_some() {
            stretch = 1;
        }
        if let Some(k) = every {
            stretch = stretch.min(k - done % k);
        }
        trainer.set_epochs(stretch);
        let part = trainer.fit(mlp, data, &mut observer).map_err(|e| diverged(e, &saver))?;
        let finished_epoch = !part.epochs.is_empty();
        history.epochs.extend(part.epochs);
        history.batch_costs.extend(part.batch_costs);
        if let Some(v) = validation
            && finished_epoch
        {
            let eval = evaluate(mlp, v).map_err(|e| Failure::Run(e.into()))?;
            let score = Validation { cost: eval.cost, accuracy: eval.accuracy };
            observer.0.set_validation(&score);
            scores.push(score);
        }
        if INTERRUPTED.load(Ordering::Relaxed) {
            saver.save(mlp, &trainer)?;
            let p = trainer.progress();
            let place = if p.batches == 0 {
                format!("after epoch {}", trainer.epochs_done())
            } else {
                format!("in epoch {}, after batch {}", trainer.epochs_done() + 1, p.batches)
            };
            let saved = match &args.save {
                Some(path) => {
                    format!("checkpoint written to {0}; continue with --resume {0}", path.display())
                }
                None => "nothing saved (no --save)".into(),
            };
            return Err(Failure::Interrupted(format!("interrupted {place}; {saved}")));
        }
        if every.is_some_and(|k| trainer.epochs_done() % k == 0) && trainer.epochs_done() < end {
            saver.save(mlp, &trainer)?;
        }
    }
    saver.save(mlp, &trainer)?;
    Ok((history, scores))
}

/// The error of a run that diverged, naming the last good checkpoint on disk.
fn diverged(e: descent::Error, saver: &Saver<'_>) -> Failure {
    let kept = match (saver.path, saver.last) {
        (Some(path), Some(epoch)) => {
            format!(
                "the last checkpoint, written after {epoch} epochs, is kept in {}",
                path.display()
            )
        }
        _ => "no model was saved".into(),
    };
    Failure::Run(
        anyhow::Error::new(e)
            .context(format!("training stopped (try a smaller --lr, or --clip-norm); {kept}")),
    )
}
