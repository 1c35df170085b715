//! `descent compare`: several optimizers from the same initial parameters on the same batches,
//! a table of the results, and one figure with the cost curves and decision boundaries.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::ValueEnum;
use descent::train::Trainer;
use descent::train::evaluate;
use descent::train::optim::OptimizerConfig;
use descent::{Backend, Scalar};

use crate::Failure;
use crate::args::{CompareArgs, OptimizerArg};
use crate::boundary::{grid_classes, grid_for};
use crate::flags::{descent_threads, optimizer_config, threads_or_all_cores};
use crate::plan::Plan;
use crate::plot::{self, Boundary, Curve};
use crate::progress::Progress;

/// The figure's path without `--plot`.
pub const DEFAULT_PLOT: &str = "descent-compare.png";

/// Runs `descent compare`.
pub fn run(args: &CompareArgs) -> Result<(), Failure> {
    check_unsupported(args).map_err(Failure::Input)?;
    let plan = Plan::from_args(&args.train).map_err(Failure::Input)?;
    let optimizers = parse_optimizers(args).map_err(Failure::Input)?;
    descent_threads(threads_or_all_cores(args.train.threads)).map_err(Failure::Input)?;
    let plot = plot_path(args);
    dispatch!(args.train.backend, args.train.dtype, compare(&plan, args, &optimizers, &plot))
}

/// The figure's path: `--plot`, or `descent-compare.png`.
fn plot_path(args: &CompareArgs) -> PathBuf {
    args.train.plot.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_PLOT))
}

/// Refuses the `train` flags that have no meaning for a comparison.
fn check_unsupported(args: &CompareArgs) -> anyhow::Result<()> {
    let train = &args.train;
    for (flag, given) in [
        ("--save", train.save.is_some()),
        ("--history", train.history.is_some()),
        ("--validation", train.validation.is_some()),
    ] {
        if given {
            return Err(anyhow!("{flag}: not supported by compare (use descent train)"));
        }
    }
    Ok(())
}

fn parse_optimizers(args: &CompareArgs) -> anyhow::Result<Vec<OptimizerConfig>> {
    let text = &args.optimizers;
    let mut res = Vec::new();
    for (i, name) in text.split(',').map(str::trim).enumerate() {
        let kind = OptimizerArg::from_str(name, false).map_err(|_| {
            anyhow!(
                "--optimizers {text}: item {} ({name:?}) is not one of gd, momentum, adam, rmsprop, adamw",
                i + 1
            )
        })?;
        let config = optimizer_config(kind, &args.train);
        config.validate().context("--optimizers settings")?;
        res.push(config);
    }
    Ok(res)
}

/// One optimizer's results.
struct RunResult {
    name: String,
    cost: f64,
    accuracy: Option<f64>,
    seconds: f64,
    curve: Vec<f64>,
    classes: Option<Vec<usize>>,
}

fn compare<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    args: &CompareArgs,
    optimizers: &[OptimizerConfig],
    plot_path: &Path,
) -> Result<(), Failure> {
    let data = plan.data.in_memory("compare").map_err(Failure::Input)?.cast::<T>();
    let boundary_grid = grid_for(&data, plan.mlp.output);
    let mut results = Vec::with_capacity(optimizers.len());
    for optimizer in optimizers {
        // The same seed gives every optimizer the same initial parameters and the same batches.
        let mut mlp = plan.build_mlp::<T, B>().map_err(Failure::Input)?;
        let built = optimizer.build::<T, B>().context("--optimizers").map_err(Failure::Input)?;
        let schedule =
            plan.schedule.build(args.train.lr).context("--decay").map_err(Failure::Input)?;
        let mut trainer = Trainer::new(plan.train.clone(), built, schedule)
            .map_err(|e| Failure::Input(e.into()))?;
        let mut progress = Progress::new(plan.train.epochs, args.train.quiet);
        let start = Instant::now();
        let history = trainer.fit(&mut mlp, &data, &mut progress);
        progress.finish();
        let history = history.map_err(|e| {
            Failure::Run(
                anyhow::Error::new(e)
                    .context(format!("training with {} stopped", optimizer.name())),
            )
        })?;
        let seconds = start.elapsed().as_secs_f64();
        let eval = evaluate(&mlp, &data).map_err(|e| Failure::Run(e.into()))?;
        let classes = match &boundary_grid {
            Some((grid, _)) => Some(grid_classes(&mlp, grid).map_err(Failure::Run)?),
            None => None,
        };
        results.push(RunResult {
            name: optimizer.name().to_string(),
            cost: eval.cost,
            accuracy: eval.accuracy,
            seconds,
            curve: history.epochs.iter().map(|e| e.cost).collect(),
            classes,
        });
    }
    print_table(plan, args, &results, B::NAME, T::DTYPE);
    let curves: Vec<Curve> = results
        .iter()
        .map(|r| Curve { name: r.name.clone(), costs: r.curve.clone(), batch_costs: Vec::new() })
        .collect();
    let boundaries: Vec<Boundary> = results
        .iter()
        .filter_map(|r| {
            r.classes.clone().map(|classes| Boundary {
                name: r.name.clone(),
                classes,
                accuracy: r.accuracy,
            })
        })
        .collect();
    let title = format!(
        "{} — layers {}, lr {}, batch {}, {} epochs",
        args.train.data.data,
        plan.mlp.layers.iter().map(ToString::to_string).collect::<Vec<_>>().join("-"),
        args.train.lr,
        plan.train.batch_size,
        plan.train.epochs
    );
    let grid = boundary_grid.as_ref().map(|(g, p)| (*g, p.as_slice()));
    plot::comparison(plot_path, &title, &curves, &boundaries, grid).map_err(Failure::Run)?;
    println!("plot written to {}", plot_path.display());
    Ok(())
}

fn print_table(plan: &Plan, args: &CompareArgs, results: &[RunResult], backend: &str, dtype: &str) {
    println!(
        "descent compare: {} ({} examples), lr {}, decay {}, batch {}, {} epochs, {backend} {dtype}",
        args.train.data.data,
        plan.data.n_examples(),
        args.train.lr,
        plan.schedule.name(),
        plan.train.batch_size,
        plan.train.epochs
    );
    println!("{:<10} {:>12} {:>10} {:>9}", "optimizer", "final cost", "accuracy", "time (s)");
    for r in results {
        let accuracy = r.accuracy.map_or("-".to_string(), |a| format!("{a:.4}"));
        println!("{:<10} {:>12.6} {:>10} {:>9.3}", r.name, r.cost, accuracy, r.seconds);
    }
}
