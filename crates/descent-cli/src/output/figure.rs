//! The `--plot` figure of `descent train`: the cost per epoch (and, faint, per mini-batch;
//! the validation cost when held out), the accuracy per epoch of a classifier (training and
//! validation), the learning rate when it changes and, for a 2-D classifier, the decision
//! boundary with the accuracy the summary prints.

use std::path::Path;

use descent::train::{Evaluation, Mlp};
use descent::{Backend, Scalar};

use super::boundary::{grid_classes, grid_for};
use super::describe;
use super::plot::{self, Boundary, Curve, Figure};
use super::summary::reported_accuracy;
use crate::plan::TrainPlan;
use crate::run::RunSpec;
use crate::session::Outcome;

/// Draws the figure of a finished run into `path`; `eval` is the `--final-eval` score.
pub fn draw<T: Scalar, B: Backend<T>>(
    path: &Path,
    spec: &RunSpec,
    plan: &TrainPlan,
    mlp: &Mlp<T, B>,
    outcome: &Outcome,
    eval: Option<&Evaluation>,
) -> anyhow::Result<()> {
    // Early stopping's best epoch, as an index into this run's epochs.
    let epochs = &outcome.history.epochs;
    let first = epochs.first().map_or(0, |e| e.epoch);
    let best =
        outcome.stopping.and_then(|s| s.best).and_then(|(epoch, _)| epoch.checked_sub(first));
    let validated = !outcome.validation.is_empty();
    let mut costs = vec![Curve {
        name: "training".into(),
        values: epochs.iter().map(|e| e.cost).collect(),
        batch_costs: outcome.history.batch_costs.clone(),
        marked: best.filter(|_| !validated),
    }];
    let mut accuracies = Vec::new();
    if plan.mlp.output.is_classifier() {
        let training = epochs.iter().map(|e| e.accuracy.unwrap_or(f64::NAN)).collect();
        accuracies.push(Curve::epochs("training (during its mini-batches)", training));
    }
    if validated {
        costs.push(Curve {
            marked: best,
            ..Curve::epochs("validation", outcome.validation.iter().map(|v| v.cost).collect())
        });
        if plan.mlp.output.is_classifier() {
            let accuracy = outcome.validation.iter().map(|v| v.accuracy.unwrap_or(f64::NAN));
            accuracies.push(Curve::epochs("validation", accuracy.collect()));
        }
    }
    let rates = plot::changing(vec![Curve::epochs("lr", epochs.iter().map(|e| e.lr).collect())]);
    let data = plan.data.in_memory("--plot")?.cast::<T>();
    let grid = grid_for(&data, plan.mlp.output);
    let mut boundaries = Vec::new();
    if let Some((g, _)) = &grid {
        let name = if plan.standardize.is_some() {
            "decision boundary (standardized inputs)"
        } else {
            "decision boundary"
        };
        let accuracy = reported_accuracy(outcome, eval);
        boundaries.push(Boundary { name: name.into(), classes: grid_classes(mlp, g)?, accuracy });
    }
    let figure = Figure {
        title: title(spec, plan, epochs.len()),
        scale: spec.outputs.plot_scale,
        costs,
        accuracies,
        rates,
        boundaries,
        grid: grid.as_ref().map(|(g, p)| (*g, p.as_slice())),
    };
    plot::draw(path, &figure)?;
    if !spec.outputs.quiet {
        println!("plot written to {}", path.display());
    }
    Ok(())
}

/// What ran: the data, the network, the optimizer, schedule and regularization with their
/// settings, the batch and the epochs.
fn title(spec: &RunSpec, plan: &TrainPlan, epochs: usize) -> String {
    let mut parts = vec![
        format!("{} — layers {} ({})", spec.data.data, plan.layers_str(), spec.activation.name()),
        format!("{} lr {}", describe::optimizer(&spec.optimizer), spec.lr),
    ];
    parts.extend(describe::schedule(&spec.schedule, spec.control.plateau.as_ref()));
    parts.extend(describe::regularization(&plan.regularization(spec)));
    parts.push(format!("batch {}, {epochs} epochs", spec.train.batch_size));
    parts.join(", ")
}
