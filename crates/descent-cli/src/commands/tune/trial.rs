//! One trial of `descent tune`: its run resolved from its settings, trained on the training
//! rows (each fold in turn with --folds) and scored on the held-out rows; and the pool that
//! runs the trials `--jobs` at a time, each on one thread.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, anyhow};
use descent::train::metrics::Metrics;
use serde_json::{Value, json};

use crate::args::{ScoreArg, TuneFlags};
use crate::failure::Failure;
use crate::output::progress::Progress;
use crate::output::tune::{TrialReport, trial_json};
use crate::plan::TrainPlan;
use crate::run::{RunSpec, Search, Setting};
use crate::session::interrupt;
use crate::session::scored::{Scored, train_and_score};

/// A trial ready to run: its number, settings and resolved run.
pub struct Trial {
    /// The trial's number, from 0.
    pub k: usize,
    /// Its settings, one per dimension.
    pub settings: Vec<Setting>,
    /// Its run.
    pub spec: RunSpec,
}

/// The run of trial `k` with `settings`: its `train` flags resolved (with --folds, holding
/// out fold 0 first), quiet.
pub fn resolve(
    search: &Search,
    flags: &TuneFlags,
    k: usize,
    settings: Vec<Setting>,
) -> anyhow::Result<Trial> {
    let name = || format!("trial {k} ({})", search.describe(&settings));
    let mut spec = spec_of(search, flags, Some(&settings)).with_context(name)?;
    spec.outputs.quiet = true;
    Ok(Trial { k, settings, spec })
}

/// The run of the `train` flags with `settings` (`None`: every dimension at its first value,
/// for what all trials share: the data, the held-out rows): with --folds, holding out fold 0.
pub fn spec_of(
    search: &Search,
    flags: &TuneFlags,
    settings: Option<&[Setting]>,
) -> anyhow::Result<RunSpec> {
    let (args, matches) = search.train_args(settings)?;
    match flags.folds {
        Some(folds) => RunSpec::folded(&args, folds),
        None => RunSpec::resolve(&args, &matches),
    }
}

/// The file of trial `k`'s result in `dir`.
pub fn result_path(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("trial-{k}.json"))
}

/// The file of trial `k`'s model in `dir`.
pub fn model_path(dir: &Path, k: usize) -> PathBuf {
    dir.join(format!("trial-{k}.safetensors"))
}

/// Runs `trial`: trains and scores it (each fold with --folds), writes its model to `model`
/// (not with --folds); a run that fails mid-way (divergence) is a failed trial, bad input
/// ends the search.
pub fn run(
    trial: &Trial,
    flags: &TuneFlags,
    model: Option<PathBuf>,
) -> Result<TrialReport, Failure> {
    let runs = match flags.folds {
        Some(folds) => (0..folds).map(|f| trial.spec.with_fold(f)).collect(),
        None => {
            let mut spec = trial.spec.clone();
            spec.outputs.save = model;
            vec![spec]
        }
    };
    let mut scored = Vec::with_capacity(runs.len());
    for spec in &runs {
        let plan = TrainPlan::new(spec, false).map_err(Failure::Input)?;
        let mut quiet = Progress::new(spec.train.epochs, true);
        match train_and_score(spec, &plan, &mut quiet) {
            Ok(s) => scored.push(s),
            Err(Failure::Run(e)) => return Ok(failed(trial, format!("{e:#}"))),
            Err(other) => return Err(other),
        }
    }
    let scores: Option<Vec<f64>> =
        scored.iter().map(|s| score_of(s, flags.score)).collect::<Result<_, _>>()?;
    let n = scored.len() as f64;
    Ok(TrialReport {
        trial: trial.k,
        settings: trial.settings.clone(),
        score: scores.map(|s| s.iter().sum::<f64>() / n),
        epochs: scored.iter().map(|s| s.outcome.history.epochs.len() as f64).sum::<f64>() / n,
        seconds: scored.iter().map(|s| s.outcome.seconds).sum(),
        history: Value::Array(scored.iter().map(history_json).collect()),
        error: None,
    })
}

fn failed(trial: &Trial, error: String) -> TrialReport {
    TrialReport {
        trial: trial.k,
        settings: trial.settings.clone(),
        score: None,
        epochs: 0.0,
        seconds: 0.0,
        history: Value::Array(vec![]),
        error: Some(error),
    }
}

/// The run's `--score` on its held-out rows (`None`: undefined there, as ROC-AUC with a class
/// absent); a score the model's output has not is bad input.
fn score_of(s: &Scored, score: ScoreArg) -> Result<Option<f64>, Failure> {
    let wrong =
        |kind: &str| Failure::Input(anyhow!("--score {}: the model is {kind}", score.name()));
    Ok(match (score, &s.metrics) {
        (ScoreArg::Cost, _) => Some(s.evaluation.cost),
        (ScoreArg::Accuracy, Metrics::Classification(m)) => Some(m.accuracy),
        (ScoreArg::F1, Metrics::Classification(m)) => Some(m.macro_average.f1),
        (ScoreArg::RocAuc, Metrics::Classification(m)) => m.roc_auc,
        (ScoreArg::R2, Metrics::Regression(m)) => {
            let r2: Option<Vec<f64>> = m.r2.iter().copied().collect();
            r2.map(|r| r.iter().sum::<f64>() / r.len() as f64)
        }
        (ScoreArg::R2, _) => return Err(wrong("a classifier (r2 scores regression)")),
        (_, _) => return Err(wrong("a regression (use --score cost or r2)")),
    })
}

/// A run's history: one object per epoch.
fn history_json(s: &Scored) -> Value {
    let o = &s.outcome;
    let epochs = o.history.epochs.iter().enumerate().map(|(i, e)| {
        let mut v = json!({"epoch": e.epoch, "lr": e.lr, "cost": e.cost, "accuracy": e.accuracy});
        if let Some(val) = o.validation.get(i) {
            v["validation_cost"] = json!(val.cost);
            v["validation_accuracy"] = json!(val.accuracy);
        }
        v
    });
    Value::Array(epochs.collect())
}

/// Runs `trials`, `jobs` at a time, in trial order as threads free up; each result is
/// written to `out_dir` (with the model, without --folds) as it comes, and announced on
/// stderr unless `quiet`. Returns the results so far, in trial order, and the failure that
/// stopped the search, if any (bad input, Ctrl-C).
pub fn run_all(
    trials: &[Trial],
    flags: &TuneFlags,
    search: &Search,
    jobs: usize,
    quiet: bool,
) -> (Vec<TrialReport>, Option<Failure>) {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(trials.len()));
    let stop: Mutex<Option<Failure>> = Mutex::new(None);
    let worker = || {
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            if i >= trials.len() || stop.lock().is_ok_and(|s| s.is_some()) {
                return;
            }
            if interrupt::requested() {
                if let Ok(mut s) = stop.lock() {
                    s.get_or_insert(Failure::Interrupted(String::new()));
                }
                return;
            }
            let trial = &trials[i];
            let dir = flags.out_dir.as_deref();
            let model = dir.filter(|_| flags.folds.is_none()).map(|d| model_path(d, trial.k));
            let res = run(trial, flags, model).and_then(|r| {
                if let Some(d) = dir {
                    let text = trial_json(&search.dims, &r).to_string() + "\n";
                    let path = result_path(d, r.trial);
                    descent_io::write_atomic(&path, text.as_bytes())
                        .with_context(|| format!("--out-dir {}", d.display()))
                        .map_err(Failure::Run)?;
                }
                Ok(r)
            });
            match res {
                Ok(r) => {
                    if !quiet {
                        eprintln!("{}", announce(search, flags, &r));
                    }
                    if let Ok(mut d) = done.lock() {
                        d.push(r);
                    }
                }
                Err(f) => {
                    if let Ok(mut s) = stop.lock() {
                        s.get_or_insert(f);
                    }
                    return;
                }
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, trials.len().max(1)) {
            scope.spawn(worker);
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|r| r.trial);
    (done, stop.into_inner().ok().flatten())
}

/// The line that tells a trial is done.
fn announce(search: &Search, flags: &TuneFlags, r: &TrialReport) -> String {
    let result = match (&r.error, r.score) {
        (Some(e), _) => format!("failed: {e}"),
        (None, Some(s)) => format!("{} {s:.6}", flags.score.name()),
        (None, None) => format!("{} undefined", flags.score.name()),
    };
    format!(
        "descent tune: trial {} of {} ({}): {result}, {:.2} s",
        r.trial,
        flags.trials,
        search.describe(&r.settings),
        r.seconds
    )
}
