//! What `descent train` reports: the summary on stdout, the `--history` CSV and the `--plot`
//! figure.

use std::path::Path;

use anyhow::Context;
use descent::train::{Evaluation, Mlp};
use descent::{Backend, Scalar};

use crate::args::TrainArgs;
use crate::boundary::{grid_classes, grid_for};
use crate::plan::Plan;
use crate::plot::{self, Boundary, Curve};
use crate::train::Outcome;

/// The network's cost and accuracy on the validation set after one epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    /// Mean cost.
    pub cost: f64,
    /// Fraction correct; `None` for a linear output.
    pub accuracy: Option<f64>,
}

/// Prints the run's settings and its results: final cost, accuracies, time, steps per second.
pub fn summary<T: Scalar, B: Backend<T>>(
    plan: &Plan,
    args: &TrainArgs,
    outcome: &Outcome,
    eval: &Evaluation,
) {
    let m = plan.data.n_examples();
    let batches_per_epoch = m.div_ceil(plan.train.batch_size.min(m));
    let steps = outcome.history.epochs.len() * batches_per_epoch;
    let validation = plan
        .validation
        .as_ref()
        .map_or(String::new(), |v| format!(", {} held out", v.n_examples()));
    println!(
        "descent train: {} ({m} examples{validation}), layers {}, {} lr {}, batch {}, {} epochs, {} {}",
        args.data.data,
        plan.layers_str(),
        plan.optimizer.name(),
        args.lr,
        plan.train.batch_size,
        outcome.history.epochs.len(),
        B::NAME,
        T::DTYPE,
    );
    let accuracy = eval.accuracy.map_or(String::new(), |a| format!(", training accuracy {a:.4}"));
    let validation = outcome.validation.last().map_or(String::new(), |v| match v.accuracy {
        Some(a) => format!(", validation cost {:.6}, validation accuracy {a:.4}", v.cost),
        None => format!(", validation cost {:.6}", v.cost),
    });
    println!(
        "final cost {:.6}{accuracy}{validation}, time {:.3} s, {:.0} steps/s",
        eval.cost,
        outcome.seconds,
        steps as f64 / outcome.seconds.max(1e-9)
    );
    if let Some(path) = &args.save {
        println!("model saved to {}", path.display());
    }
}

/// Writes `epoch,lr,cost,accuracy` (and `validation_cost,validation_accuracy` when a
/// validation set was held out) per epoch, atomically. A linear output leaves accuracy cells
/// empty.
pub fn write_history(path: &Path, outcome: &Outcome) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let with_validation = !outcome.validation.is_empty();
    let mut header = vec!["epoch", "lr", "cost", "accuracy"];
    if with_validation {
        header.extend(["validation_cost", "validation_accuracy"]);
    }
    let opt = |a: Option<f64>| a.map_or(String::new(), |a| a.to_string());
    let write_err = || format!("--history {}", path.display());
    w.write_record(&header).with_context(write_err)?;
    for (i, e) in outcome.history.epochs.iter().enumerate() {
        let mut row =
            vec![e.epoch.to_string(), e.lr.to_string(), e.cost.to_string(), opt(e.accuracy)];
        if let Some(v) = outcome.validation.get(i) {
            row.extend([v.cost.to_string(), opt(v.accuracy)]);
        }
        w.write_record(&row).with_context(write_err)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}")).with_context(write_err)?;
    descent_io::write_atomic(path, &bytes).context("--history")?;
    Ok(())
}

/// Draws the cost per epoch (and, faint, per mini-batch; the validation cost when held out)
/// and, for a 2-D classifier, the decision boundary over the training data.
pub fn plot_training<T: Scalar, B: Backend<T>>(
    path: &Path,
    plan: &Plan,
    args: &TrainArgs,
    mlp: &Mlp<T, B>,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    let mut curves = vec![Curve {
        name: "training".into(),
        costs: outcome.history.epochs.iter().map(|e| e.cost).collect(),
        batch_costs: outcome.history.batch_costs.clone(),
    }];
    if !outcome.validation.is_empty() {
        curves.push(Curve {
            name: "validation".into(),
            costs: outcome.validation.iter().map(|v| v.cost).collect(),
            batch_costs: Vec::new(),
        });
    }
    let data = plan.data.in_memory("--plot")?.cast::<T>();
    let grid = grid_for(&data, plan.mlp.output);
    let mut boundaries = Vec::new();
    if let Some((g, _)) = &grid {
        let accuracy = outcome.history.epochs.last().and_then(|e| e.accuracy);
        let name = if plan.standardize.is_some() {
            "decision boundary (standardized inputs)"
        } else {
            "decision boundary"
        };
        boundaries.push(Boundary { name: name.into(), classes: grid_classes(mlp, g)?, accuracy });
    }
    let title = format!(
        "{} — layers {}, {} lr {}, batch {}, {} epochs",
        args.data.data,
        plan.layers_str(),
        plan.optimizer.name(),
        args.lr,
        plan.train.batch_size,
        outcome.history.epochs.len()
    );
    let grid = grid.as_ref().map(|(g, p)| (*g, p.as_slice()));
    plot::comparison(path, &title, &curves, &boundaries, grid)?;
    if !args.quiet {
        println!("plot written to {}", path.display());
    }
    Ok(())
}
