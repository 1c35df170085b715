//! `descent compare`: several optimizers from the same initial parameters on the same batches,
//! a table of the results, and one figure with the cost curves and decision boundaries.

use std::time::Instant;

use anyhow::{Context, anyhow};
use clap::ValueEnum;
use descent::train::optim::OptimizerConfig;
use descent::train::{Dataset, Mlp, Output, Trainer, evaluate, predict};
use descent::{Backend, Faer, Nalgebra, Ndarray, Scalar};

use crate::Failure;
use crate::args::{BackendArg, CompareArgs, DtypeArg, OptimizerArg};
use crate::plot::{self, Boundary, Curve, Grid};
use crate::progress::Progress;
use crate::train::{Plan, descent_threads, optimizer_config};

/// Cells per side of the decision-boundary grid.
const GRID_CELLS: usize = 150;

/// Runs `descent compare`.
pub fn run(args: &CompareArgs) -> Result<(), Failure> {
    let plan = Plan::from_args(&args.train).map_err(Failure::Input)?;
    let optimizers = parse_optimizers(args).map_err(Failure::Input)?;
    check_plot_path(&args.plot).map_err(Failure::Input)?;
    let all_cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    descent_threads(args.train.threads.unwrap_or(all_cores)).map_err(Failure::Input)?;
    match (args.train.backend, args.train.dtype) {
        (BackendArg::Ndarray, DtypeArg::F32) => compare::<f32, Ndarray>(&plan, args, &optimizers),
        (BackendArg::Ndarray, DtypeArg::F64) => compare::<f64, Ndarray>(&plan, args, &optimizers),
        (BackendArg::Nalgebra, DtypeArg::F32) => compare::<f32, Nalgebra>(&plan, args, &optimizers),
        (BackendArg::Nalgebra, DtypeArg::F64) => compare::<f64, Nalgebra>(&plan, args, &optimizers),
        (BackendArg::Faer, DtypeArg::F32) => compare::<f32, Faer>(&plan, args, &optimizers),
        (BackendArg::Faer, DtypeArg::F64) => compare::<f64, Faer>(&plan, args, &optimizers),
    }
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

/// Refuses a plot path whose folder does not exist, before any training.
pub fn check_plot_path(path: &std::path::Path) -> anyhow::Result<()> {
    let dir =
        path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if dir.is_dir() {
        Ok(())
    } else {
        Err(anyhow!("--plot {}: folder {} does not exist", path.display(), dir.display()))
    }
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
) -> Result<(), Failure> {
    let data = plan.data.cast::<T>();
    let boundary_grid = (data.n_features() == 2 && plan.mlp.output.is_classifier()).then(|| {
        let points: Vec<(f64, f64, usize)> = (0..data.n_examples())
            .map(|j| {
                (
                    data.example(j)[0].to_f64(),
                    data.example(j)[1].to_f64(),
                    data.target(j)[0].to_f64() as usize,
                )
            })
            .collect();
        (Grid::around(&points, GRID_CELLS, GRID_CELLS), points)
    });
    let mut results = Vec::with_capacity(optimizers.len());
    for optimizer in optimizers {
        // The same seed gives every optimizer the same initial parameters and the same batches.
        let mut mlp =
            Mlp::<T, B>::new(&plan.mlp).context("building the network").map_err(Failure::Input)?;
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
    let curves: Vec<Curve> =
        results.iter().map(|r| Curve { name: r.name.clone(), costs: r.curve.clone() }).collect();
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
        args.train.data,
        plan.mlp.layers.iter().map(ToString::to_string).collect::<Vec<_>>().join("-"),
        args.train.lr,
        plan.train.batch_size,
        plan.train.epochs
    );
    let grid = boundary_grid.as_ref().map(|(g, p)| (*g, p.as_slice()));
    plot::comparison(&args.plot, &title, &curves, &boundaries, grid).map_err(Failure::Run)?;
    println!("plot written to {}", args.plot.display());
    Ok(())
}

/// The class the network predicts at every cell centre of `grid`.
fn grid_classes<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    grid: &Grid,
) -> anyhow::Result<Vec<usize>> {
    let centres = grid.centres();
    let features: Vec<T> =
        centres.iter().flat_map(|&(x, y)| [T::from_f64(x), T::from_f64(y)]).collect();
    let grid_data = Dataset::new(2, features, 1, vec![T::ZERO; centres.len()])?;
    let outputs = predict(mlp, &grid_data)?;
    let n_out = mlp.layers()[mlp.layers().len() - 1];
    Ok(outputs
        .chunks(n_out)
        .map(|col| match mlp.output() {
            Output::Sigmoid => usize::from(col[0].to_f64() > 0.5),
            _ => {
                col.iter().enumerate().fold(0, |best, (i, v)| if *v > col[best] { i } else { best })
            }
        })
        .collect())
}

fn print_table(plan: &Plan, args: &CompareArgs, results: &[RunResult], backend: &str, dtype: &str) {
    println!(
        "descent compare: {} ({} examples), lr {}, decay {}, batch {}, {} epochs, {backend} {dtype}",
        args.train.data,
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
