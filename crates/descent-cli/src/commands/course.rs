//! `descent course`: replays the course notebook's seven runs exactly (descent-course), prints
//! the costs every 1000 epochs as the notebook does and a table of our numbers beside the
//! notebook's, or one JSON object per run with `--json`, and optionally plots them.

use std::time::Instant;

use anyhow::anyhow;
use descent::{Backend, Faer, Nalgebra, Ndarray};
use std::ops::ControlFlow;

use descent_course::{PRINTED_EPOCHS, Replay, Run, Settings, replay_until};

use crate::args::{BackendArg, CourseArgs, PlotScaleArg};
use crate::failure::Failure;
use crate::output::boundary::{grid_classes, grid_for};
use crate::output::plot::{self, Boundary, Curve, Figure};
use crate::run::{check_output_folder, check_plot_extension, course_settings};
use crate::session::interrupt;

/// The printed costs must agree with the notebook's six decimals to this.
const COST_TOLERANCE: f64 = 1e-6;

/// Runs `descent course`.
pub fn run(args: &CourseArgs) -> Result<(), Failure> {
    let runs = selected_runs(&args.run).map_err(Failure::Input)?;
    let changed = match runs.as_slice() {
        [run] => course_settings(*run, &args.changes).map_err(Failure::Input)?,
        _ => match course_settings(Run::Gd, &args.changes) {
            Ok(None) => None,
            _ => {
                return Err(Failure::Input(anyhow!(
                    "--run all: a changed setting goes with one run: give --run NAME ({})",
                    Run::NAMES.join(", ")
                )));
            }
        },
    };
    check_output_folder("--plot", args.plot.as_deref()).map_err(Failure::Input)?;
    check_plot_extension(args.plot.as_deref()).map_err(Failure::Input)?;
    // Tiny matrices: more threads only add overhead.
    crate::threads::set(crate::threads::ONE);
    interrupt::install_handler();
    match args.backend {
        BackendArg::Ndarray => replay_all::<Ndarray>(args, &runs, changed),
        BackendArg::Nalgebra => replay_all::<Nalgebra>(args, &runs, changed),
        BackendArg::Faer => replay_all::<Faer>(args, &runs, changed),
    }
}

/// `--run NAME` or `all`.
fn selected_runs(name: &str) -> anyhow::Result<Vec<Run>> {
    if name == "all" {
        return Ok(Run::ALL.to_vec());
    }
    Run::from_name(name)
        .map(|run| vec![run])
        .map_err(|_| anyhow!("--run {name}: expected all or one of {}", Run::NAMES.join(", ")))
}

/// One replayed run, as reported.
struct Outcome<B: Backend<f64>> {
    replay: Replay<B>,
    seconds: f64,
    /// The settings when some differ from the notebook's.
    changed: Option<Settings>,
    /// The epochs trained when Ctrl-C ended the run early.
    stopped: Option<usize>,
}

fn replay_all<B: Backend<f64>>(
    args: &CourseArgs,
    runs: &[Run],
    changed: Option<Settings>,
) -> Result<(), Failure> {
    let mut outcomes = Vec::with_capacity(runs.len());
    for &run in runs {
        let settings = changed.unwrap_or_else(|| run.settings());
        if !args.json {
            match changed {
                Some(s) => println!("{} (changed: {}):", run.label(), describe(&s)),
                None => println!("{} (lr {}):", run.label(), run.lr0()),
            }
        }
        let start = Instant::now();
        let replay = replay_until::<B>(run, &settings, |epoch, cost| {
            if !args.json && epoch % 1000 == 0 {
                println!("Cost after epoch {epoch}: {cost:.6}");
            }
            if interrupt::requested() { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        })
        .map_err(|e| {
            Failure::Run(anyhow::Error::new(e).context(format!("replaying {}", run.name())))
        })?;
        let seconds = start.elapsed().as_secs_f64();
        if args.json {
            println!("{}", json_line(&replay, B::NAME, seconds, changed.as_ref()));
        } else {
            println!("Accuracy: {}\n", replay.accuracy);
        }
        let stopped = (replay.costs.len() < settings.epochs).then_some(replay.costs.len());
        outcomes.push(Outcome { replay, seconds, changed, stopped });
        if stopped.is_some() {
            break;
        }
    }
    if !args.json {
        print_table(&outcomes, B::NAME);
    }
    if interrupt::requested() {
        return Err(Failure::Interrupted(format!(
            "interrupted: the table shows the {} of {} runs replayed so far",
            outcomes.len(),
            runs.len()
        )));
    }
    if let Some(path) = &args.plot {
        plot_runs(path, args.plot_scale, &outcomes).map_err(Failure::Run)?;
        if !args.json {
            println!("plot written to {}", path.display());
        }
    }
    Ok(())
}

/// The `--json` line of one run: `run`, `accuracy`, `notebook_accuracy`, `costs` (at epochs 0,
/// 1000, …, 4000) and a few more fields.
fn json_line<B: Backend<f64>>(
    replay: &Replay<B>,
    backend: &str,
    seconds: f64,
    changed: Option<&Settings>,
) -> String {
    let notebook = replay.run.notebook();
    let costs: Vec<Option<f64>> =
        replay.printed_costs().iter().map(|&c| c.is_finite().then_some(c)).collect();
    serde_json::json!({
        "changed": changed.map(describe),
        "run": replay.run.name(),
        "accuracy": replay.accuracy,
        "notebook_accuracy": notebook.accuracy,
        "costs": costs,
        "notebook_costs": notebook.costs,
        "epochs": PRINTED_EPOCHS,
        "correct": replay.correct,
        "notebook_correct": notebook.correct,
        "examples": replay.data.n_examples(),
        "backend": backend,
        "seconds": seconds,
    })
    .to_string()
}

fn print_table<B: Backend<f64>>(outcomes: &[Outcome<B>], backend: &str) {
    println!("The notebook's table, replayed on {backend} f64:");
    println!(
        "{:<30} {:>14} {:>18} {:>14} {:>9}",
        "optimization method", "accuracy", "notebook accuracy", "costs match", "time (s)"
    );
    for Outcome { replay, seconds, changed, stopped } in outcomes {
        let notebook = replay.run.notebook();
        let ours = format!("{:.2}%", 100.0 * replay.accuracy);
        let theirs = format!("{:.2}%", 100.0 * notebook.accuracy);
        let (theirs, costs) = match (stopped, changed) {
            (Some(epochs), _) => (theirs, format!("stopped at {epochs}")),
            // Other settings: the notebook's figures are not the ones to match.
            (None, Some(_)) => ("—".to_owned(), "changed".to_owned()),
            (None, None) => {
                let worst = replay
                    .printed_costs()
                    .iter()
                    .zip(notebook.costs)
                    .map(|(ours, printed)| (ours - printed).abs())
                    .fold(0.0, f64::max);
                let costs = if worst <= COST_TOLERANCE {
                    "yes".to_string()
                } else {
                    format!("no ({worst:.1e})")
                };
                (theirs, costs)
            }
        };
        println!("{:<30} {ours:>14} {theirs:>18} {costs:>14} {seconds:>9.3}", replay.run.label());
        if let Some(s) = changed {
            println!("  ({})", describe(s));
        }
    }
}

/// The settings of a changed run, as flags.
fn describe(s: &Settings) -> String {
    use descent::train::optim::OptimizerConfig as O;
    use descent::train::schedule::ScheduleConfig as D;
    let mut parts = vec![format!("--lr {}", s.lr0), format!("--epochs {}", s.epochs)];
    match s.optimizer {
        O::Momentum(m) => parts.push(format!("--beta {}", m.beta)),
        O::Adam(a) => parts.push(format!("--beta1 {} --beta2 {}", a.beta1, a.beta2)),
        _ => {}
    }
    match s.decay {
        Some(D::InverseTime { rate }) => parts.push(format!("--decay-rate {rate}")),
        Some(D::Scheduled { rate, interval }) => {
            parts.push(format!("--decay-rate {rate} --decay-interval {interval}"));
        }
        _ => {}
    }
    parts.join(" ")
}

/// Cost curves of every run (and their learning rates, when one decays) and each run's
/// decision boundary over the moons.
fn plot_runs<B: Backend<f64>>(
    path: &std::path::Path,
    scale: PlotScaleArg,
    outcomes: &[Outcome<B>],
) -> anyhow::Result<()> {
    let Some(first) = outcomes.first() else { return Ok(()) };
    let (grid, points) = grid_for(&first.replay.data, first.replay.mlp.output())
        .ok_or_else(|| anyhow!("the course's data is not 2-D data for a classifier"))?;
    let mut curves = Vec::with_capacity(outcomes.len());
    let mut rates = Vec::with_capacity(outcomes.len());
    let mut boundaries = Vec::with_capacity(outcomes.len());
    for Outcome { replay, changed, .. } in outcomes {
        let label = replay.run.label().to_string();
        let settings = changed.unwrap_or_else(|| replay.run.settings());
        curves.push(Curve::epochs(label.clone(), replay.costs.clone()));
        rates.push(Curve::epochs(label.clone(), settings.rates(replay.costs.len())?));
        boundaries.push(Boundary {
            name: label,
            classes: grid_classes(&replay.mlp, &grid)?,
            accuracy: Some(replay.accuracy),
        });
    }
    let epochs = first.replay.costs.len();
    let what = match first.changed {
        Some(s) => format!("the course notebook, changed ({})", describe(&s)),
        None => "the course notebook replayed".to_owned(),
    };
    let figure = Figure {
        title: format!(
            "{what} — moons (300 examples), layers 2-5-2-1 (relu), batch 64, {epochs} epochs"
        ),
        scale,
        costs: curves,
        accuracies: Vec::new(),
        rates: plot::changing(rates),
        boundaries,
        grid: Some((grid, &points)),
    };
    plot::draw(path, &figure)
}
