//! `descent compare`: several optimizers from the same initial parameters on the same batches,
//! a table of the results, and one figure with the cost curves and decision boundaries.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::{ArgMatches, ValueEnum};
use descent::train::optim::OptimizerConfig;
use descent::train::{EpochStats, Observer, Trainer, evaluate};
use descent::{Backend, Scalar};

use crate::args::{CompareArgs, OptimizerArg};
use crate::failure::Failure;
use crate::output::boundary::{grid_classes, grid_for};
use crate::output::describe;
use crate::output::plot::{self, Boundary, Curve, Figure};
use crate::output::progress::Progress;
use crate::plan::TrainPlan;
use crate::run::{OptimizerFlags, RunSpec, optimizer_config, refuse_given};
use crate::session::interrupt;

/// Runs `descent compare` (`matches` are the subcommand's).
pub fn run(args: &CompareArgs, matches: &ArgMatches) -> Result<(), Failure> {
    refuse_given(matches, &UNSUPPORTED).map_err(Failure::Input)?;
    let spec = RunSpec::fresh(&args.train).map_err(Failure::Input)?;
    if spec.control.plateau.is_some() {
        return Err(Failure::Input(anyhow!(
            "--decay plateau: compare uses the schedules of the epoch number only (use descent \
             train)"
        )));
    }
    let optimizers = parse_optimizers(args).map_err(Failure::Input)?;
    crate::threads::set(spec.threads);
    let plan = TrainPlan::new(&spec, false).map_err(Failure::Input)?;
    interrupt::install_handler();
    let plot = args.train.plot.as_deref();
    dispatch!(plan.backend, spec.dtype, compare(&spec, &plan, &optimizers, plot))
}

/// The bar of one optimizer's run, which also ends the run after the epoch in which Ctrl-C
/// came.
struct Stoppable<'a>(&'a mut Progress);

impl Observer for Stoppable<'_> {
    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.0.on_epoch(stats)?;
        if interrupt::requested() { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}

/// The `train` flags that have no meaning for a comparison, and why.
const UNSUPPORTED: [(&str, &str); 11] = [
    ("optimizer", "compare trains every optimizer of --optimizers"),
    ("save", "not supported by compare (use descent train)"),
    ("history", "not supported by compare (use descent train)"),
    ("validation", "not supported by compare (use descent train)"),
    ("resume", "compare starts every optimizer afresh (use descent train)"),
    ("checkpoint_every", "compare writes no checkpoints (use descent train)"),
    ("validation_data", "not supported by compare (use descent train)"),
    ("validation_labels", "not supported by compare (use descent train)"),
    ("early_stopping", "compare trains every optimizer for --epochs (use descent train)"),
    ("monitor", "compare has no early stopping or plateau schedule (use descent train)"),
    ("sample_weight", "not supported by compare (use descent train)"),
];

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
        let config = optimizer_config(kind, &OptimizerFlags::from(&args.train));
        config.validate().context("--optimizers settings")?;
        res.push(config);
    }
    Ok(res)
}

/// One optimizer's results.
struct RunResult {
    name: String,
    /// The optimizer with its settings, for the figure.
    label: String,
    cost: f64,
    accuracy: Option<f64>,
    seconds: f64,
    curve: Vec<f64>,
    rates: Vec<f64>,
    classes: Option<Vec<usize>>,
}

fn compare<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    optimizers: &[OptimizerConfig],
    plot_path: Option<&Path>,
) -> Result<(), Failure> {
    let data = plan.data.in_memory("compare").map_err(Failure::Input)?.cast::<T>();
    let boundary_grid = grid_for(&data, plan.mlp.output);
    let mut results = Vec::with_capacity(optimizers.len());
    for optimizer in optimizers {
        // The same seed gives every optimizer the same initial parameters and the same batches.
        let mut mlp = plan.build_mlp::<T, B>(spec).map_err(Failure::Input)?;
        let built = optimizer.build::<T, B>().context("--optimizers").map_err(Failure::Input)?;
        let schedule = spec.schedule.build(spec.lr).context("--decay").map_err(Failure::Input)?;
        let mut trainer = Trainer::new(spec.train.clone(), built, schedule)
            .and_then(|t| t.with_regularization(plan.regularization(spec)))
            .map_err(|e| Failure::Input(e.into()))?;
        let mut progress =
            Progress::new(spec.train.epochs, spec.outputs.quiet).named(optimizer.name());
        let start = Instant::now();
        let history = trainer.fit(&mut mlp, &data, &mut Stoppable(&mut progress));
        progress.finish();
        let history = history.map_err(|e| {
            Failure::Run(
                anyhow::Error::new(e)
                    .context(format!("training with {} stopped", optimizer.name())),
            )
        })?;
        let seconds = start.elapsed().as_secs_f64();
        // The last epoch's figures, or with --final-eval the trained network's.
        let (cost, accuracy) = match history.epochs.last() {
            _ if spec.outputs.final_eval => {
                let eval = evaluate(&mlp, &data).map_err(|e| Failure::Run(e.into()))?;
                (eval.cost, eval.accuracy)
            }
            Some(last) => (last.cost, last.accuracy),
            None => (f64::NAN, None),
        };
        let classes = match &boundary_grid {
            Some((grid, _)) => Some(grid_classes(&mlp, grid).map_err(Failure::Run)?),
            None => None,
        };
        let stopped = interrupt::requested();
        results.push(RunResult {
            name: if stopped {
                format!("{} (stopped at epoch {})", optimizer.name(), history.epochs.len())
            } else {
                optimizer.name().to_string()
            },
            label: describe::optimizer(optimizer),
            cost,
            accuracy,
            seconds,
            curve: history.epochs.iter().map(|e| e.cost).collect(),
            rates: history.epochs.iter().map(|e| e.lr).collect(),
            classes,
        });
        if stopped {
            break;
        }
    }
    print_table(spec, plan, &results, B::NAME, T::DTYPE);
    if interrupt::requested() {
        return Err(Failure::Interrupted(format!(
            "interrupted: the table shows the {} of {} optimizers trained so far",
            results.len(),
            optimizers.len()
        )));
    }
    let Some(plot_path) = plot_path else { return Ok(()) };
    let curves: Vec<Curve> =
        results.iter().map(|r| Curve::epochs(r.label.clone(), r.curve.clone())).collect();
    let boundaries: Vec<Boundary> = results
        .iter()
        .filter_map(|r| {
            r.classes.clone().map(|classes| Boundary {
                name: r.label.clone(),
                classes,
                accuracy: r.accuracy,
            })
        })
        .collect();
    // Every optimizer follows the same schedule: one rate curve says it.
    let rates = results.first().map(|r| Curve::epochs("lr", r.rates.clone()));
    let mut parts = vec![
        format!("{} — layers {} ({})", spec.data.data, plan.layers_str(), spec.activation.name()),
        format!("lr {}", spec.lr),
    ];
    parts.extend(describe::schedule(&spec.schedule, None));
    parts.extend(describe::regularization(&plan.regularization(spec)));
    parts.push(format!("batch {}, {} epochs", spec.train.batch_size, spec.train.epochs));
    let figure = Figure {
        title: parts.join(", "),
        scale: spec.outputs.plot_scale,
        costs: curves,
        accuracies: Vec::new(),
        rates: plot::changing(rates.into_iter().collect()),
        boundaries,
        grid: boundary_grid.as_ref().map(|(g, p)| (*g, p.as_slice())),
    };
    plot::draw(plot_path, &figure).map_err(Failure::Run)?;
    if !spec.outputs.quiet {
        println!("plot written to {}", plot_path.display());
    }
    Ok(())
}

fn print_table(
    spec: &RunSpec,
    plan: &TrainPlan,
    results: &[RunResult],
    backend: &str,
    dtype: &str,
) {
    println!(
        "descent compare: {} ({} examples), lr {}, decay {}, batch {}, {} epochs, {backend} {dtype}",
        spec.data.data,
        plan.data.n_examples(),
        spec.lr,
        spec.schedule.name(),
        spec.train.batch_size,
        spec.train.epochs
    );
    let cost = if spec.outputs.final_eval { "final cost" } else { "last epoch" };
    println!("{:<10} {:>12} {:>10} {:>9}", "optimizer", cost, "accuracy", "time (s)");
    for r in results {
        let accuracy = r.accuracy.map_or("-".to_string(), |a| format!("{a:.4}"));
        println!("{:<10} {:>12.6} {:>10} {:>9.3}", r.name, r.cost, accuracy, r.seconds);
    }
}
