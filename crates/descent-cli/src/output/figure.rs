//! The `--plot` figure of `descent train`: the cost per epoch (and, faint, per mini-batch;
//! the validation cost when held out) and, for a 2-D classifier, the decision boundary.

use std::path::Path;

use descent::train::Mlp;
use descent::{Backend, Scalar};

use super::boundary::{grid_classes, grid_for};
use super::plot::{self, Boundary, Curve};
use crate::plan::TrainPlan;
use crate::run::RunSpec;
use crate::session::Outcome;

/// Draws the figure of a finished run into `path`.
pub fn draw<T: Scalar, B: Backend<T>>(
    path: &Path,
    spec: &RunSpec,
    plan: &TrainPlan,
    mlp: &Mlp<T, B>,
    outcome: &Outcome,
) -> anyhow::Result<()> {
    // Early stopping's best epoch, as an index into this run's epochs.
    let first = outcome.history.epochs.first().map_or(0, |e| e.epoch);
    let best =
        outcome.stopping.and_then(|s| s.best).and_then(|(epoch, _)| epoch.checked_sub(first));
    let mut curves = vec![Curve {
        name: "training".into(),
        costs: outcome.history.epochs.iter().map(|e| e.cost).collect(),
        batch_costs: outcome.history.batch_costs.clone(),
        marked: best.filter(|_| outcome.validation.is_empty()),
    }];
    if !outcome.validation.is_empty() {
        curves.push(Curve {
            name: "validation".into(),
            costs: outcome.validation.iter().map(|v| v.cost).collect(),
            batch_costs: Vec::new(),
            marked: best,
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
        spec.data.data,
        plan.layers_str(),
        spec.optimizer.name(),
        spec.lr,
        spec.train.batch_size,
        outcome.history.epochs.len()
    );
    let grid = grid.as_ref().map(|(g, p)| (*g, p.as_slice()));
    plot::comparison(path, &title, &curves, &boundaries, grid)?;
    if !spec.outputs.quiet {
        println!("plot written to {}", path.display());
    }
    Ok(())
}
