//! The training session of a resolved run: builds the `Trainer` once, restores a `--resume`
//! checkpoint, and trains every epoch in one `Trainer::fit_with`, whose epoch-boundary hook
//! scores the validation set and writes `--checkpoint-every` checkpoints. Ctrl-C stops after
//! the current batch and writes a checkpoint; divergence names the last checkpoint kept. The
//! final checkpoint goes to `--save` after a successful run only.

pub mod interrupt;
mod saver;

use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use descent::train::{
    DataSource, Dataset, EpochHook, EpochStats, History, Mlp, Observer, Trainer, evaluate,
};
use descent::{Backend, Scalar};
use descent_io::DataFingerprint;

use crate::failure::Failure;
use crate::plan::{TrainPlan, weights};
use crate::run::RunSpec;
use saver::Saver;

/// The network's cost and accuracy on the validation set after one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    /// Mean cost.
    pub cost: f64,
    /// Fraction correct; `None` for a linear output.
    pub accuracy: Option<f64>,
}

/// What a session reports to while it trains: batches and epochs, and validation scores.
pub trait Monitor: Observer {
    /// Called after each epoch's validation score.
    fn on_validation(&mut self, score: &Validation) {
        let _ = score;
    }
}

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
    let input = Failure::Input;
    // The fingerprint reads every example: only for a checkpoint to write or to check.
    let fingerprint =
        (spec.outputs.save.is_some() || spec.resumed.is_some()).then(|| DataFingerprint::of(data));
    if let (Some(r), Some(f)) = (&spec.resumed, &fingerprint) {
        r.checkpoint.check_data(&r.path, f).context("--data").map_err(input)?;
    }
    let optimizer = spec.optimizer.build::<T, B>().context("--optimizer").map_err(input)?;
    let schedule = spec.schedule.build(spec.lr).context("--decay").map_err(input)?;
    let mut trainer = Trainer::new(spec.train.clone(), optimizer, schedule)
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
        end: trainer.epochs_done() + spec.train.epochs,
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
    if interrupt::requested() {
        hook.saver.save(mlp, &trainer).map_err(Failure::Run)?;
        return Err(Failure::Interrupted(interrupted(&trainer, spec, hook.end)));
    }
    hook.saver.save(mlp, &trainer).map_err(Failure::Run)?;
    Ok(Outcome { history, validation: hook.scores, seconds, first_batch_cost: hook.first_cost })
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

/// The session's hook into the training loop: progress and Ctrl-C after every batch; at
/// every epoch boundary the validation score and the `--checkpoint-every` checkpoint.
struct Boundary<'a, T: Scalar, B: Backend<T>> {
    monitor: &'a mut dyn Monitor,
    validation: Option<&'a Dataset<T>>,
    scores: Vec<Validation>,
    saver: Saver<'a>,
    every: Option<usize>,
    /// The epoch count the run ends at.
    end: usize,
    /// A failure at an epoch boundary (a checkpoint that could not be written), which ended
    /// the run.
    failed: Option<Failure>,
    /// The first mini-batch's mean cost (before its update).
    first_cost: Option<f64>,
    backend: PhantomData<fn() -> B>,
}

impl<T: Scalar, B: Backend<T>> Observer for Boundary<'_, T, B> {
    fn on_batch(&mut self, epoch: usize, batch: usize, cost: f64) {
        self.first_cost.get_or_insert(cost);
        self.monitor.on_batch(epoch, batch, cost);
    }

    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.monitor.on_epoch(stats)
    }

    fn should_stop(&mut self) -> bool {
        interrupt::requested()
    }
}

impl<T: Scalar, B: Backend<T>> EpochHook<T, B> for Boundary<'_, T, B> {
    fn on_epoch_end(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        _stats: &EpochStats,
    ) -> ControlFlow<()> {
        if let Some(v) = self.validation {
            match evaluate(mlp, v) {
                Ok(eval) => {
                    let score = Validation { cost: eval.cost, accuracy: eval.accuracy };
                    self.monitor.on_validation(&score);
                    self.scores.push(score);
                }
                Err(e) => return self.fail(Failure::Run(e.into())),
            }
        }
        let done = trainer.epochs_done();
        if self.every.is_some_and(|k| done.is_multiple_of(k))
            && done < self.end
            && let Err(e) = self.saver.save(mlp, trainer)
        {
            return self.fail(Failure::Run(e));
        }
        ControlFlow::Continue(())
    }
}

impl<T: Scalar, B: Backend<T>> Boundary<'_, T, B> {
    fn fail(&mut self, failure: Failure) -> ControlFlow<()> {
        self.failed = Some(failure);
        ControlFlow::Break(())
    }
}
