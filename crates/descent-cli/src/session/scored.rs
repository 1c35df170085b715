//! A run trained on its training rows and scored on the rows it held out: one fold of
//! `descent cv`, one trial of `descent tune`; and a run on every row (`tune --save` after
//! cross-validation).

use descent::train::metrics::{Metrics, evaluate_metrics};
use descent::train::{Dataset, Evaluation, Mlp};
use descent::{Backend, Scalar};

use super::{Monitor, Outcome, train};
use crate::failure::Failure;
use crate::plan::TrainPlan;
use crate::run::RunSpec;

/// A trained run and its held-out scores.
pub struct Scored {
    /// The training run.
    pub outcome: Outcome,
    /// The number of training examples.
    pub train_examples: usize,
    /// Cost and accuracy of the trained network on the held-out rows (unweighted, no L2).
    pub evaluation: Evaluation,
    /// Every metric on the held-out rows.
    pub metrics: Metrics,
}

/// Trains the plan's network on its training rows (in memory) and scores it on its
/// validation set; the network ends as the session leaves it (early stopping: the best
/// epoch's), and is written to `--save` when the spec has one.
pub fn train_and_score(
    spec: &RunSpec,
    plan: &TrainPlan,
    monitor: &mut dyn Monitor,
) -> Result<Scored, Failure> {
    dispatch!(plan.backend, spec.dtype, scored(spec, plan, monitor))
}

fn scored<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    monitor: &mut dyn Monitor,
) -> Result<Scored, Failure> {
    let held_out = plan.validation.as_ref().ok_or_else(|| {
        Failure::Input(anyhow::anyhow!(
            "no held-out rows to score: give --validation F, --validation-data PATH or --folds K"
        ))
    })?;
    let (mlp, outcome, train_examples) =
        fitted::<T, B>(spec, plan, monitor, "scoring held-out rows")?;
    let (evaluation, metrics) = evaluate_metrics(&mlp, &Dataset::cast::<T>(held_out))
        .map_err(|e| Failure::Run(e.into()))?;
    Ok(Scored { outcome, train_examples, evaluation, metrics })
}

/// Trains the plan's network on its training rows (in memory) as [`train_and_score`] does,
/// without the scoring, and writes it to the spec's `--save`: `descent tune --save`, the best
/// trial trained again (with --folds, on every row).
pub fn train_all(
    spec: &RunSpec,
    plan: &TrainPlan,
    monitor: &mut dyn Monitor,
) -> Result<Outcome, Failure> {
    dispatch!(plan.backend, spec.dtype, trained(spec, plan, monitor))
}

fn trained<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    monitor: &mut dyn Monitor,
) -> Result<Outcome, Failure> {
    fitted::<T, B>(spec, plan, monitor, "training").map(|(_, outcome, _)| outcome)
}

/// The plan's network trained on its training rows, loaded into memory (`why` says for what
/// in the message when they cannot be): the network, the run and the number of rows.
fn fitted<T: Scalar, B: Backend<T>>(
    spec: &RunSpec,
    plan: &TrainPlan,
    monitor: &mut dyn Monitor,
    why: &str,
) -> Result<(Mlp<T, B>, Outcome, usize), Failure> {
    let data = plan.data.in_memory(why).map_err(Failure::Input)?;
    let mut mlp = plan.build_mlp::<T, B>(spec).map_err(Failure::Input)?;
    let outcome = train(spec, plan, &mut mlp, &data.cast::<T>(), monitor)?;
    Ok((mlp, outcome, data.n_examples()))
}
