//! `descent cv --folds K`: K-fold cross-validation with every `train` flag. Each fold is held
//! out once as the validation set of a fresh run on the other K−1 folds (the table encoding
//! and `--standardize` fitted on those training rows alone), and scored with every metric of
//! `eval`; the report gives each fold and the folds' mean and standard deviation.

use clap::{ArgMatches, ValueEnum};
use descent::train::Output;

use crate::args::CvArgs;
use crate::failure::Failure;
use crate::output::folds;
use crate::output::progress::Progress;
use crate::plan::TrainPlan;
use crate::run::{RunSpec, refuse_given};
use crate::session::interrupt;
use crate::session::scored::train_and_score;

/// The `train` flags that have no meaning for cross-validation, and why.
const UNSUPPORTED: [(&str, &str); 8] = [
    ("save", "cv trains K models and keeps none (train the chosen settings with descent train)"),
    ("history", "not supported by cv (use descent train)"),
    ("plot", "not supported by cv (use descent train)"),
    ("validation", "cv holds out each fold in turn as the validation set"),
    ("validation_data", "cv holds out each fold in turn as the validation set"),
    ("validation_labels", "cv holds out each fold in turn as the validation set"),
    ("resume", "cv starts every fold afresh (use descent train)"),
    ("checkpoint_every", "cv writes no checkpoints (use descent train)"),
];

/// Runs `descent cv` (`matches` are the subcommand's).
pub fn run(args: &CvArgs, matches: &ArgMatches) -> Result<(), Failure> {
    refuse_given(matches, &UNSUPPORTED).map_err(Failure::Input)?;
    let spec = RunSpec::folded(&args.train, args.folds).map_err(Failure::Input)?;
    crate::threads::set(spec.threads);
    interrupt::install_handler();
    let mut reports = Vec::with_capacity(args.folds);
    let mut headline = String::new();
    for fold in 0..args.folds {
        let spec = spec.with_fold(fold);
        let plan = TrainPlan::new(&spec, false).map_err(Failure::Input)?;
        if fold == 0 {
            headline = headline_of(&spec, &plan, args.folds);
        }
        let mut progress = Progress::new(spec.train.epochs, spec.outputs.quiet)
            .named(&format!("fold {fold} of {}", args.folds));
        let scored = train_and_score(&spec, &plan, &mut progress);
        progress.finish();
        let scored = scored.map_err(|f| in_fold(f, fold, args.folds))?;
        let report = folds::fold_json(fold, &scored, &plan.class_names());
        if args.json {
            println!("{report}");
        }
        reports.push(report);
    }
    let summary = folds::summary(&reports);
    if args.json {
        println!("{summary}");
    } else {
        print!("{}", folds::text(&headline, &reports, &summary));
    }
    Ok(())
}

/// The table's first line: the data, the folds and the run's settings.
fn headline_of(spec: &RunSpec, plan: &TrainPlan, k: usize) -> String {
    let n = plan.data.n_examples() + plan.validation.as_ref().map_or(0, |v| v.n_examples());
    let kind = if plan.mlp.output == Output::Linear { "" } else { ", stratified" };
    format!(
        "descent cv: {} ({n} examples), {k} folds{kind}; layers {}, {} lr {}, decay {}, batch \
         {}, {} epochs, {} {}",
        spec.data.data,
        plan.layers_str(),
        spec.optimizer.name(),
        spec.lr,
        spec.schedule.name(),
        spec.train.batch_size,
        spec.train.epochs,
        value_name(plan.backend),
        value_name(spec.dtype)
    )
}

/// A flag value's name as the command line spells it.
fn value_name(value: impl ValueEnum) -> String {
    value.to_possible_value().map_or_else(String::new, |v| v.get_name().to_owned())
}

/// A fold's failure, saying which fold.
fn in_fold(failure: Failure, fold: usize, k: usize) -> Failure {
    let context = format!("fold {fold} of {k}");
    match failure {
        Failure::Input(e) => Failure::Input(e.context(context)),
        Failure::Run(e) => Failure::Run(e.context(context)),
        Failure::Interrupted(m) => Failure::Interrupted(format!("{context}: {m}")),
    }
}
