//! `descent train`: builds the plan from the flags, trains (epoch by epoch when a validation
//! set is scored), saves the model, and reports.

use std::time::Instant;

use anyhow::Context;
use descent::train::{DataSource, Dataset, History, Mlp, TrainConfig, Trainer, evaluate};
use descent::{Backend, Scalar};
use descent_io::{Dtype, ModelFile};

use crate::Failure;
use crate::args::{DtypeArg, TrainArgs};
use crate::flags::descent_threads;
use crate::plan::Plan;
use crate::progress::Progress;
use crate::report::{self, Validation};

/// Runs `descent train`.
pub fn run(args: &TrainArgs) -> Result<(), Failure> {
    let plan = Plan::from_args_with(args, crate::stream::wanted(args)).map_err(Failure::Input)?;
    let all_cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    descent_threads(args.threads.unwrap_or(all_cores)).map_err(Failure::Input)?;
    dispatch!(args.backend, args.dtype, train(&plan, args))
}

/// What a finished run produced.
pub struct Outcome {
    /// Cost and accuracy per epoch, and the mini-batch costs when recorded.
    pub history: History,
    /// Validation cost and accuracy per epoch.
    pub validation: Vec<Validation>,
    /// Training time in seconds.
    pub seconds: f64,
}

fn train<T: Scalar, B: Backend<T>>(plan: &Plan, args: &TrainArgs) -> Result<(), Failure> {
    match &plan.mapped {
        Some(m) => {
            m.with_source(|data| train_on::<T, B>(plan, args, data)).map_err(Failure::Input)?
        }
        None => train_on::<T, B>(plan, args, &plan.data.cast::<T>()),
    }
}

fn train_on<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    args: &TrainArgs,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<(), Failure> {
    let validation = plan.validation.as_ref().map(Dataset::cast::<T>);
    let mut mlp = plan.build_mlp::<T, B>().map_err(Failure::Input)?;
    let mut progress = Progress::new(plan.train.epochs, args.quiet);
    let start = Instant::now();
    let res = fit(plan, args, &mut mlp, data, validation.as_ref(), &mut progress);
    progress.finish();
    let (history, validation_stats) = res?;
    let outcome =
        Outcome { history, validation: validation_stats, seconds: start.elapsed().as_secs_f64() };
    let eval = evaluate(&mlp, data).map_err(|e| Failure::Run(e.into()))?;
    if let Some(path) = &args.save {
        let dtype = match args.dtype {
            DtypeArg::F32 => Dtype::F32,
            DtypeArg::F64 => Dtype::F64,
        };
        let model = ModelFile::from_mlp(&mlp, dtype, plan.standardize.clone());
        descent_io::save_model(path, &model).context("--save").map_err(Failure::Run)?;
    }
    report::summary::<T, B>(plan, args, &outcome, &eval);
    if let Some(path) = &args.history {
        report::write_history(path, &outcome).map_err(Failure::Run)?;
    }
    if let Some(path) = &args.plot {
        report::plot_training(path, plan, args, &mlp, &outcome).map_err(Failure::Run)?;
    }
    Ok(())
}

/// Trains for the planned epochs; with a validation set, one epoch per call so the network
/// can be scored on it between epochs (the trainer continues its epoch count, schedule and
/// optimizer state across calls).
fn fit<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    args: &TrainArgs,
    mlp: &mut Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    validation: Option<&Dataset<T>>,
    progress: &mut Progress,
) -> Result<(History, Vec<Validation>), Failure> {
    let optimizer =
        plan.optimizer.build::<T, B>().context("--optimizer").map_err(Failure::Input)?;
    let schedule = plan.schedule.build(args.lr).context("--decay").map_err(Failure::Input)?;
    let diverged =
        |e: descent::Error| {
            Failure::Run(anyhow::Error::new(e).context(
                "training stopped (try a smaller --lr, or --clip-norm); no model was saved",
            ))
        };
    let Some(validation) = validation else {
        let mut trainer = Trainer::new(plan.train.clone(), optimizer, schedule)
            .map_err(|e| Failure::Input(e.into()))?;
        return Ok((trainer.fit(mlp, data, progress).map_err(diverged)?, Vec::new()));
    };
    let one_epoch = TrainConfig { epochs: 1, ..plan.train.clone() };
    let mut trainer =
        Trainer::new(one_epoch, optimizer, schedule).map_err(|e| Failure::Input(e.into()))?;
    let mut history = History::default();
    let mut scores = Vec::with_capacity(plan.train.epochs);
    for _ in 0..plan.train.epochs {
        let part = trainer.fit(mlp, data, progress).map_err(diverged)?;
        let eval = evaluate(mlp, validation).map_err(|e| Failure::Run(e.into()))?;
        let score = Validation { cost: eval.cost, accuracy: eval.accuracy };
        progress.set_validation(&score);
        scores.push(score);
        history.epochs.extend(part.epochs);
        history.batch_costs.extend(part.batch_costs);
    }
    Ok((history, scores))
}
