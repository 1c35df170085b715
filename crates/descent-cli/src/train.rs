//! `descent train`: builds the plan from the flags, trains (epoch by epoch when a validation
//! set is scored), saves the model, and reports.

use std::time::Instant;

use descent::train::{DataSource, Dataset, History, evaluate};
use descent::{Backend, Scalar};

use crate::Failure;
use crate::checkpoint::{self, Resolved};
use crate::flags::{descent_threads, threads_or_all_cores};
use crate::plan::{Examples, Plan};
use crate::progress::Progress;
use crate::report::{self, Validation};

/// Runs `descent train` with the flags resolved by [`checkpoint::resolve`].
pub fn run(resolved: &Resolved) -> Result<(), Failure> {
    let args = &resolved.args;
    let plan = Plan::from_args_with(args, crate::stream::wanted(args)).map_err(Failure::Input)?;
    checkpoint::check_flags(&plan, args).map_err(Failure::Input)?;
    descent_threads(threads_or_all_cores(args.threads)).map_err(Failure::Input)?;
    checkpoint::install_interrupt_handler();
    dispatch!(args.backend, args.dtype, train(&plan, resolved))
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

fn train<T: Scalar, B: Backend<T>>(plan: &Plan, resolved: &Resolved) -> Result<(), Failure> {
    match &plan.data {
        Examples::Mapped(m) => {
            m.with_source(|data| train_on::<T, B>(plan, resolved, data)).map_err(Failure::Input)?
        }
        Examples::Memory(d) => train_on::<T, B>(plan, resolved, &d.cast::<T>()),
    }
}

/// Trains on `data`: the examples in memory, or read batch by batch from mapped files.
fn train_on<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    resolved: &Resolved,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<(), Failure> {
    let args = &resolved.args;
    let validation = plan.validation.as_ref().map(Dataset::cast::<T>);
    let resumed = resolved.resumed.as_ref();
    let mut mlp = checkpoint::build_mlp::<T, B>(plan, resumed)?;
    let mut progress = Progress::new(plan.train.epochs, args.quiet);
    let start = Instant::now();
    // Writes the checkpoint to --save at the end (and every --checkpoint-every epochs).
    let res = checkpoint::fit(
        plan,
        args,
        &resolved.settings,
        resumed,
        &mut mlp,
        data,
        validation.as_ref(),
        &mut progress,
    );
    progress.finish();
    let (history, validation_stats) = res?;
    let outcome =
        Outcome { history, validation: validation_stats, seconds: start.elapsed().as_secs_f64() };
    let eval = evaluate(&mlp, data).map_err(|e| Failure::Run(e.into()))?;
    report::summary::<T, B>(plan, args, &outcome, &eval);
    if let Some(path) = &args.history {
        report::write_history(path, &outcome).map_err(Failure::Run)?;
    }
    if let Some(path) = &args.plot {
        report::plot_training(path, plan, args, &mlp, &outcome).map_err(Failure::Run)?;
    }
    Ok(())
}
