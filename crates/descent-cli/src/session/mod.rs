//! The training session of a resolved run: builds the `Trainer` once, restores a `--resume`
//! checkpoint, and trains every epoch in one `Trainer::fit_with`, whose epoch-boundary hook
//! scores the validation set and writes `--checkpoint-every` checkpoints. Ctrl-C stops after
//! the current batch and writes a checkpoint; divergence names the last checkpoint kept. The
//! final checkpoint goes to `--save` after a successful run only.

mod boundary;
pub mod interrupt;
mod monitor;
mod saver;
pub mod scored;

use std::marker::PhantomData;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use descent::train::{DataSource, Dataset, EpochControl, History, Mlp, Trainer, Weighted};
use descent::{Backend, Scalar};
use descent_io::DataFingerprint;

use crate::failure::Failure;
use crate::plan::{TrainPlan, weights};
use crate::run::RunSpec;
use boundary::Boundary;
pub use monitor::{Monitor, Validation};
use saver::Saver;

/// What a finished run produced.
pub struct Outcome {
    /// Cost and accuracy per epoch, and the mini-batch costs when recorded.
    pub history: History,
    /// Validation cost and accuracy per epoch.
    pub validation: Vec<Validation>,
    /// Training time in seconds.
    pub seconds: f64,
    /// The mean cost of this run's first mini-batch, before any update.
    pub first_batch_cost: Option<f64>,
    /// What early stopping did, when it was on.
    pub stopping: Option<Stopping>,
}

/// What early stopping did in a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stopping {
    /// The monitored value's name (`validation_cost`, …).
    pub metric: &'static str,
    /// The best epoch (from 0) and its value, whose parameters the network now holds;
    /// `None` when no epoch improved (the network is the last epoch's).
    pub best: Option<(usize, f64)>,
    /// The epoch after which the patience ran out; `None` when the run trained every epoch.
    pub stopped_at: Option<usize>,
    /// `--patience`.
    pub patience: usize,
}

/// Trains `mlp` on `data` for the run's epochs (after a resume: further epochs, the unfinished
/// one counting as one), then writes the final checkpoint to `--save`. Ctrl-C ends the run
/// after the current batch with [`Failure::Interrupted`], after writing a checkpoint.
pub fn train<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    mlp: &mut Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    monitor: &mut dyn Monitor,
) -> Result<Outcome, Failure> {
    match &plan.sample_weights {
        None => train_on(spec, plan, mlp, data, monitor),
        Some(w) => {
            let weighted =
                Weighted::new(data, w).context("--sample-weight").map_err(Failure::Input)?;
            train_on(spec, plan, mlp, &weighted, monitor)
        }
    }
}

fn train_on<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    mlp: &mut Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    monitor: &mut dyn Monitor,
) -> Result<Outcome, Failure> {
    let input = Failure::Input;
    // The fingerprint reads every example: only for a checkpoint to write or to check.
    let fingerprint =
        (spec.outputs.save.is_some() || spec.resumed.is_some()).then(|| DataFingerprint::of(data));
    if let (Some(r), Some(f)) = (&spec.resumed, &fingerprint) {
        r.checkpoint.check_data(&r.path, f).context("--data").map_err(input)?;
    }
    let saved = spec.resumed.as_ref().map(|r| &r.checkpoint.control);
    let control = spec.control.build(spec.lr, saved, plan.validation.is_some()).map_err(input)?;
    let early = control.as_ref().and_then(|c| c.early_stopping());
    let mut config = spec.train.clone();
    if let Some(e) = early.filter(|e| e.is_stopped()) {
        eprintln!(
            "descent: early stopping had ended this run ({} epochs without improvement; best \
             epoch {}): nothing to train (a larger --patience continues it)",
            e.state().bad_epochs,
            e.state().best_epoch.map_or_else(|| "none".into(), |b| b.to_string())
        );
        config.epochs = 0;
    }
    let optimizer = spec.optimizer.build::<T, B>().context("--optimizer").map_err(input)?;
    let schedule = spec.schedule.build(spec.lr).context("--decay").map_err(input)?;
    let mut trainer = Trainer::new(config, optimizer, schedule)
        .and_then(|t| t.with_regularization(plan.regularization(spec)))
        .map_err(|e| input(e.into()))?;
    // The checkpoint's settings: the run's flags, and the class weights as computed.
    let mut settings = spec.settings.clone();
    if let Some(w) = &plan.class_weights {
        settings.insert(weights::STORED_KEY.to_owned(), weights::stored_text(w));
    }
    match &spec.resumed {
        Some(r) => trainer.restore(mlp, &r.checkpoint.resume).context("--resume").map_err(input)?,
        // Zero buffers now, so that even a run of 0 epochs saves a complete state.
        None => trainer.optimizer_mut().init(mlp.params()).context("--optimizer").map_err(input)?,
    }
    let saver = Saver {
        path: spec.outputs.save.as_deref(),
        dtype: spec.dtype.into(),
        standardize: plan.standardize.as_ref(),
        encoding: plan.encoding.as_ref(),
        training: spec.training_settings(),
        data: fingerprint,
        settings: &settings,
        last: None,
    };
    if let (Some(r), None) = (&spec.resumed, &spec.outputs.save) {
        eprintln!(
            "descent: warning: --resume {} without --save: the continued run will not be saved",
            r.path.display()
        );
    }
    let validation = plan.validation.as_ref().map(Dataset::cast::<T>);
    let mut hook = Boundary {
        monitor,
        validation: validation.as_ref(),
        scores: Vec::new(),
        saver,
        every: spec.checkpoint_every.map(|k| k.get()),
        end: trainer.epochs_done() + trainer.config().epochs,
        control,
        failed: None,
        first_cost: None,
        backend: PhantomData,
    };
    let start = Instant::now();
    let res = trainer.fit_with(mlp, data, &mut hook);
    let seconds = start.elapsed().as_secs_f64();
    if let Some(failure) = hook.failed.take() {
        return Err(failure);
    }
    let history = res.map_err(|e| stopped(e, &spec.data.data, &hook.saver, hook.end))?;
    let control = hook.control.take();
    hook.saver.save(mlp, &trainer, control.as_ref()).map_err(Failure::Run)?;
    if interrupt::requested() {
        return Err(Failure::Interrupted(interrupted(&trainer, spec, hook.end)));
    }
    let stopping = match &control {
        Some(c) => finish_early_stopping(c, mlp)?,
        None => None,
    };
    Ok(Outcome {
        history,
        validation: hook.scores,
        seconds,
        first_batch_cost: hook.first_cost,
        stopping,
    })
}

/// Restores the best epoch's parameters into `mlp` (when early stopping is on and an epoch
/// improved) and says what early stopping did.
fn finish_early_stopping<T: Scalar, B: Backend<T>>(
    control: &EpochControl,
    mlp: &mut Mlp<T, B>,
) -> Result<Option<Stopping>, Failure> {
    let Some(early) = control.early_stopping() else { return Ok(None) };
    let best_epoch = control.restore_best(mlp).map_err(|e| Failure::Run(e.into()))?;
    Ok(Some(Stopping {
        metric: control.metric().name(),
        best: best_epoch.map(|b| (b, early.state().best)),
        stopped_at: control.stopped_at(),
        patience: early.config().patience,
    }))
}

/// Where Ctrl-C stopped the run, what was saved, and the command that finishes the run.
fn interrupted<T: Scalar, B: Backend<T>>(
    trainer: &Trainer<T, B>,
    spec: &RunSpec,
    end: usize,
) -> String {
    let p = trainer.progress();
    let place = if p.batches == 0 {
        format!("after epoch {}", trainer.epochs_done())
    } else {
        format!("in epoch {}, after batch {}", trainer.epochs_done() + 1, p.batches)
    };
    let saved = match &spec.outputs.save {
        Some(path) => format!(
            "checkpoint written to {}; finish the run with: {}",
            path.display(),
            resume_command(path, end - trainer.epochs_done())
        ),
        None => "nothing saved (no --save)".into(),
    };
    format!("interrupted {place}; {saved}")
}

/// The command that continues the checkpoint `path` for its `remaining` epochs (an
/// unfinished epoch counting as one) and saves it in place: the same file, byte for byte, as
/// the run that was not stopped.
fn resume_command(path: &Path, remaining: usize) -> String {
    let path = shell_word(&path.display().to_string());
    format!("descent train --resume {path} --epochs {remaining} --save {path}")
}

/// `word` as one word of a POSIX shell: as it is when it has no special characters, else in
/// single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The failure of a run the trainer stopped: bad data (exit 2) or divergence (exit 1), naming
/// the last good checkpoint on disk.
fn stopped(e: descent::Error, data: &str, saver: &Saver<'_>, end: usize) -> Failure {
    if let descent::Error::InvalidArgument { op: "data", .. } = e {
        return Failure::Input(anyhow::Error::new(e).context(format!("--data {data}")));
    }
    let mut kept = saver.kept();
    if let (Some(path), Some(epoch)) = (saver.path, saver.last) {
        let command = resume_command(path, end - epoch);
        kept = format!("{kept}; finish the run from it with a smaller rate: {command} --lr LR");
    }
    Failure::Run(
        anyhow::Error::new(e)
            .context(format!("training stopped (try a smaller --lr, or --clip-norm); {kept}")),
    )
}
