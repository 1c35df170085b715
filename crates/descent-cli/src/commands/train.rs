//! `descent train`: resolves the run, plans its data, trains it in one session, and reports.

use clap::ArgMatches;
use descent::train::{DataSource, evaluate};
use descent::{Backend, Scalar};

use crate::args::TrainArgs;
use crate::failure::Failure;
use crate::output::{figure, history, progress::Progress, summary};
use crate::plan::{Examples, TrainPlan, mapped};
use crate::run::RunSpec;
use crate::session::{self, interrupt};

/// Runs `descent train` (`matches` are the subcommand's).
pub fn run(args: &TrainArgs, matches: &ArgMatches) -> Result<(), Failure> {
    let spec = RunSpec::resolve(args, matches).map_err(Failure::Input)?;
    crate::threads::set(spec.threads);

    let plot = spec.outputs.plot.is_some();
    let stream = mapped::wanted(&spec.data, spec.validation.is_some(), plot);
    let plan = TrainPlan::new(&spec, stream).map_err(Failure::Input)?;
    interrupt::install_handler();
    dispatch!(plan.backend, spec.dtype, train(&spec, &plan))
}

fn train<T: Scalar, B: Backend<T>>(spec: &RunSpec, plan: &TrainPlan) -> Result<(), Failure> {
    match &plan.data {
        Examples::Mapped(m) => {
            m.with_source(|data| train_on::<T, B>(spec, plan, data)).map_err(Failure::Input)?
        }
        Examples::Memory(d) => train_on::<T, B>(spec, plan, &d.cast::<T>()),
    }
}

/// Trains on `data`: the examples in memory, or read batch by batch from mapped files.
fn train_on<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<(), Failure> {
    let mut mlp = plan.build_mlp::<T, B>(spec).map_err(Failure::Input)?;
    summary::headline::<T, B>(spec, plan);
    let mut progress = Progress::new(spec.train.epochs, spec.outputs.quiet);
    let res = session::train(spec, plan, &mut mlp, data, &mut progress);
    progress.finish();
    let outcome = res?;
    let eval = if spec.outputs.final_eval {
        Some(evaluate(&mlp, data).map_err(|e| Failure::Run(e.into()))?)
    } else {
        None
    };
    summary::print(spec, plan, &outcome, eval.as_ref());
    if let Some(path) = &spec.outputs.history {
        history::write(path, &outcome).map_err(Failure::Run)?;
    }
    if let Some(path) = &spec.outputs.plot {
        figure::draw(path, spec, plan, &mlp, &outcome, eval.as_ref()).map_err(Failure::Run)?;
    }
    Ok(())
}
