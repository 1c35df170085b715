//! `descent tune --trials N`: random search over `train` flags. The words of the command line
//! are split into the search's flags and the `train` flags; the trials' settings follow from
//! `--seed`; every trial's flags are resolved before anything trains, then the trials run in
//! one process (`--jobs` at a time), or one per process (`--trial K --out-dir D`) with the
//! results brought together by `--collect D`. Both end in the same report: the table sorted
//! by score, `--out`, `--plot` and the best trial's model (`--save`).

mod trial;

use std::path::Path;

use anyhow::{Context, anyhow};
use clap::{CommandFactory, Parser};

use crate::args::{TuneArgs, TuneFlags};
use crate::failure::Failure;
use crate::output::progress::Progress;
use crate::output::tune::{self, TrialReport};
use crate::output::tune_plot;
use crate::plan::TrainPlan;
use crate::run::{Holdout, RunSpec, Search, Setting, one_line, refuse_given};
use crate::session::interrupt;
use crate::session::scored::train_all;
use trial::Trial;

/// The `train` flags a search cannot honour, and why.
const UNSUPPORTED: [(&str, &str); 4] = [
    ("save", "tune saves the best trial's model with its own --save"),
    ("history", "tune writes every trial's history to --out-dir"),
    ("resume", "every trial starts afresh"),
    ("checkpoint_every", "tune writes no checkpoints"),
];

/// Runs `descent tune`.
pub fn run(args: &TuneArgs) -> Result<(), Failure> {
    let (tune_words, train_words) = split_words(&args.rest);
    let flags = match TuneFlags::try_parse_from(
        std::iter::once("descent tune".to_owned()).chain(tune_words),
    ) {
        Ok(f) => f,
        Err(e) if e.use_stderr() => {
            return Err(Failure::Input(anyhow!("{}", one_line(&e))));
        }
        Err(e) => {
            // --help: what clap prints, then the train flags' names.
            let _ = e.print();
            return Ok(());
        }
    };
    let search = Search::parse(&train_words).map_err(Failure::Input)?;
    let (base, matches) = search.train_args(None).map_err(Failure::Input)?;
    search.check().map_err(Failure::Input)?;
    refuse_given(&matches, &UNSUPPORTED).map_err(Failure::Input)?;
    if flags.folds.is_none() && base.validation.is_none() && base.validation_data.is_none() {
        return Err(Failure::Input(anyhow!(
            "--trials: each trial is scored on held-out rows: give --validation F, \
             --validation-data PATH or --folds K"
        )));
    }
    if flags.trials == 0 {
        return Err(Failure::Input(anyhow!("--trials: give at least 1 trial")));
    }
    let all: Vec<Vec<Setting>> = (0..flags.trials).map(|k| search.settings(base.seed, k)).collect();
    if flags.list {
        for (k, s) in all.iter().enumerate() {
            println!("{}", tune::list_json(&search.dims, k, s));
        }
        return Ok(());
    }
    if let Some(dir) = &flags.collect {
        let results = collect(dir, &search, &all)?;
        return report(&flags, &search, &base_spec(&search, &flags)?, &results);
    }
    // Every trial's flags are checked before the first one trains.
    let wanted: Vec<usize> = match flags.trial {
        Some(k) if k >= flags.trials => {
            return Err(Failure::Input(anyhow!(
                "--trial {k}: the trials are 0 to {}",
                flags.trials - 1
            )));
        }
        Some(k) => vec![k],
        None => (0..flags.trials).collect(),
    };
    let trials: Vec<Trial> = wanted
        .iter()
        .map(|&k| trial::resolve(&search, &flags, k, all[k].clone()))
        .collect::<anyhow::Result<_>>()
        .map_err(Failure::Input)?;
    let jobs = flags.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    if jobs == 0 {
        return Err(Failure::Input(anyhow!("--jobs: give at least 1")));
    }
    let quiet = base.quiet;
    crate::threads::set(if jobs == 1 { trials[0].spec.threads } else { crate::threads::ONE });
    if let Some(dir) = &flags.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("--out-dir {}", dir.display()))
            .map_err(Failure::Input)?;
    }
    interrupt::install_handler();
    // Trials whose result is in --out-dir already are not run again.
    let mut results = Vec::new();
    let mut pending = Vec::new();
    for t in trials {
        match flags.out_dir.as_deref().map(|d| trial::result_path(d, t.k)) {
            Some(p) if p.exists() && flags.trial.is_none() => results
                .push(tune::read_trial(&p, &search, t.k, &t.settings).map_err(Failure::Input)?),
            _ => pending.push(t),
        }
    }
    let (ran, stopped) = trial::run_all(&pending, &flags, &search, jobs, quiet);
    results.extend(ran);
    results.sort_by_key(|r| r.trial);
    if let Some(failure) = stopped {
        return Err(match failure {
            Failure::Interrupted(_) => Failure::Interrupted(format!(
                "{} of {} trials done{}",
                results.len(),
                flags.trials,
                if flags.out_dir.is_some() {
                    "; run the same command again to go on (finished trials are kept in --out-dir)"
                } else {
                    "; give --out-dir D to keep finished trials across runs"
                }
            )),
            other => other,
        });
    }
    if flags.trial.is_some() {
        // One trial of a distributed search: its result is in --out-dir; say what it was.
        return Ok(());
    }
    let base = base_spec(&search, &flags)?;
    report(&flags, &search, &base, &results)
}

/// Splits the words into the search's flags (those `TuneFlags` knows, with their values) and
/// the `train` flags.
fn split_words(words: &[String]) -> (Vec<String>, Vec<String>) {
    let command = TuneFlags::command();
    let (mut tune, mut train) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let name = word.strip_prefix("--").map(|l| l.split_once('=').map_or(l, |(n, _)| n));
        if word == "--help" || word == "-h" {
            tune.push(word.clone());
            continue;
        }
        let arg = command.get_arguments().find(|a| name.is_some_and(|n| a.get_long() == Some(n)));
        match arg {
            Some(a) => {
                tune.push(word.clone());
                if a.get_action().takes_values() && !word.contains('=') && i < words.len() {
                    tune.push(words[i].clone());
                    i += 1;
                }
            }
            None => train.push(word.clone()),
        }
    }
    (tune, train)
}

/// The spec of what every trial shares: the data and the held-out rows, for the headline.
fn base_spec(search: &Search, flags: &TuneFlags) -> Result<RunSpec, Failure> {
    trial::spec_of(search, flags, None).map_err(Failure::Input)
}

/// Every trial's result from `dir`; a missing one is named.
fn collect(dir: &Path, search: &Search, all: &[Vec<Setting>]) -> Result<Vec<TrialReport>, Failure> {
    let missing: Vec<String> = (0..all.len())
        .filter(|&k| !trial::result_path(dir, k).exists())
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(Failure::Input(anyhow!(
            "--collect {}: no result for trial {} (trial-K.json): run them with --trial K \
             --out-dir {0}",
            dir.display(),
            missing.join(", ")
        )));
    }
    (0..all.len())
        .map(|k| tune::read_trial(&trial::result_path(dir, k), search, k, &all[k]))
        .collect::<anyhow::Result<_>>()
        .map_err(Failure::Input)
}

/// The report of a finished search: the table, `--out`, `--plot`, `--save`.
fn report(
    flags: &TuneFlags,
    search: &Search,
    base: &RunSpec,
    results: &[TrialReport],
) -> Result<(), Failure> {
    let ranked = tune::ranked(results, flags.score.higher_is_better());
    let held_out = match flags.folds {
        Some(k) => format!("{k}-fold cross-validation"),
        None if base.validation_data.is_some() => "--validation-data".to_owned(),
        None => match base.validation {
            Some(Holdout::Fraction(f)) => format!("--validation {f}"),
            _ => "the held-out rows".to_owned(),
        },
    };
    let order = if flags.score.higher_is_better() { "higher" } else { "lower" };
    let headline = format!(
        "descent tune: {}, {} trials, {} on {held_out} ({order} is better)",
        base.data.data,
        results.len(),
        flags.score.name(),
    );
    print!("{}", tune::table(&headline, search, flags.score.name(), &ranked));
    if let Some(path) = &flags.out {
        tune::write_csv(path, search, results).map_err(Failure::Run)?;
    }
    let best = ranked.first().filter(|r| r.score.is_some()).copied();
    if let Some(path) = &flags.plot {
        tune_plot::draw(
            path,
            &headline,
            search,
            flags.score.name(),
            results,
            best.map(|b| b.trial),
        )
        .map_err(Failure::Run)?;
    }
    if let Some(path) = &flags.save {
        let best = best.ok_or_else(|| Failure::Run(anyhow!("--save: no trial has a score")))?;
        save_best(path, flags, search, best)?;
    }
    Ok(())
}

/// Writes the best trial's model to `path`: its file from --out-dir or --collect when there
/// is one, else the trial trained again (the same run, so the same model; with --folds, on
/// every row).
fn save_best(
    path: &Path,
    flags: &TuneFlags,
    search: &Search,
    best: &TrialReport,
) -> Result<(), Failure> {
    let dir = flags.out_dir.as_deref().or(flags.collect.as_deref());
    if let Some(model) = dir.map(|d| trial::model_path(d, best.trial)).filter(|m| m.exists()) {
        let bytes = std::fs::read(&model)
            .with_context(|| format!("{}", model.display()))
            .map_err(Failure::Run)?;
        return descent_io::write_atomic(path, &bytes)
            .with_context(|| format!("--save {}", path.display()))
            .map_err(Failure::Run);
    }
    let t =
        trial::resolve(search, flags, best.trial, best.settings.clone()).map_err(Failure::Input)?;
    let mut spec = t.spec;
    spec.outputs.save = Some(path.to_owned());
    if flags.folds.is_some() {
        spec.validation = None;
    }
    let plan = TrainPlan::new(&spec, false).map_err(Failure::Input)?;
    let mut quiet = Progress::new(spec.train.epochs, true);
    train_all(&spec, &plan, &mut quiet).map(|_| ())
}
