//! The summary `descent train` prints: the run's settings before it trains, then its cost and
//! accuracy, time and steps per second.
//!
//! The figures are the ones training already measured — the last epoch's cost and accuracy
//! from its mini-batches' forward passes, each before its batch's update — unless
//! `--final-eval` asked for one more pass that scores the trained network.

use descent::train::Evaluation;
use descent::{Backend, Scalar};

use crate::plan::TrainPlan;
use crate::run::RunSpec;
use crate::session::{Outcome, Stopping};

/// Prints the run's settings, before it trains (so they stand above the progress bar).
pub fn headline<T: Scalar, B: Backend<T>>(spec: &RunSpec, plan: &TrainPlan) {
    let m = plan.data.n_examples();
    let held_out = plan
        .validation
        .as_ref()
        .map_or(String::new(), |v| format!(", {} held out", v.n_examples()));
    println!(
        "descent train: {} ({m} examples{held_out}), layers {}, {} lr {}, batch {}, {} epochs, {} {}",
        spec.data.data,
        plan.layers_str(),
        spec.optimizer.name(),
        spec.lr,
        spec.train.batch_size,
        spec.train.epochs,
        B::NAME,
        T::DTYPE,
    );
}

/// Prints the run's results; `eval` is the `--final-eval` score.
pub fn print(spec: &RunSpec, plan: &TrainPlan, outcome: &Outcome, eval: Option<&Evaluation>) {
    let m = plan.data.n_examples();
    let batches_per_epoch = m.div_ceil(spec.train.batch_size.min(m).max(1));
    let steps = outcome.history.epochs.len() * batches_per_epoch;
    let accuracy =
        |a: Option<f64>| a.map_or(String::new(), |a| format!(", training accuracy {a:.4}"));
    let best = outcome.stopping.and_then(|s| s.best).map(|(epoch, _)| epoch);
    let shown = shown_epoch(outcome);
    let result = match (eval, shown.map(|i| &outcome.history.epochs[i])) {
        (Some(e), _) => format!("final cost {:.6}{}", e.cost, accuracy(e.accuracy)),
        (None, Some(epoch)) if best.is_some() => format!(
            "best epoch {}: cost {:.6}{} (during its mini-batches)",
            epoch.epoch + 1,
            epoch.cost,
            accuracy(epoch.accuracy)
        ),
        (None, Some(last)) => format!(
            "last epoch: cost {:.6}{} (during its mini-batches; --final-eval scores the trained \
             network)",
            last.cost,
            accuracy(last.accuracy)
        ),
        (None, None) => "no epoch trained".to_owned(),
    };
    let score = match best {
        Some(_) => shown.and_then(|i| outcome.validation.get(i)),
        None => outcome.validation.last(),
    };
    let validation = score.map_or(String::new(), |v| match v.accuracy {
        Some(a) => format!(", validation cost {:.6}, validation accuracy {a:.4}", v.cost),
        None => format!(", validation cost {:.6}", v.cost),
    });
    println!(
        "{result}{validation}, time {:.3} s, {:.0} steps/s",
        outcome.seconds,
        steps as f64 / outcome.seconds.max(1e-9)
    );
    if let Some(stopping) = &outcome.stopping {
        println!("{}", early_stopping_line(stopping));
    }
    let final_cost = eval.map(|e| e.cost).or(outcome.history.epochs.last().map(|e| e.cost));
    if let Some(warning) = blow_up(outcome.first_batch_cost, final_cost) {
        println!("warning: {warning}");
        eprintln!("descent: warning: {warning}");
    }
    if let Some(path) = &spec.outputs.save {
        println!("model saved to {}", path.display());
    }
}

/// The index of the epoch the summary reports: with early stopping the best epoch (whose
/// parameters the network holds), else the last.
fn shown_epoch(outcome: &Outcome) -> Option<usize> {
    match outcome.stopping.and_then(|s| s.best) {
        Some((b, _)) => outcome.history.epochs.iter().position(|e| e.epoch == b),
        None => outcome.history.epochs.len().checked_sub(1),
    }
}

/// The training accuracy the summary prints: the `--final-eval` score's, else the reported
/// epoch's (see [`shown_epoch`]).
pub fn reported_accuracy(outcome: &Outcome, eval: Option<&Evaluation>) -> Option<f64> {
    match eval {
        Some(e) => e.accuracy,
        None => shown_epoch(outcome).and_then(|i| outcome.history.epochs[i].accuracy),
    }
}

/// Why training ended and which epoch's parameters the network holds.
fn early_stopping_line(s: &Stopping) -> String {
    let ended = match s.stopped_at {
        Some(epoch) => format!(
            "stopped after epoch {}, {} epochs without improvement of {}",
            epoch + 1,
            s.patience,
            s.metric
        ),
        None => "trained every epoch".to_owned(),
    };
    let kept = match s.best {
        Some((epoch, value)) => format!(
            "the parameters of the best epoch, {} ({} {value:.6}), are the model's",
            epoch + 1,
            s.metric
        ),
        None => format!("no epoch improved {}: the model is the last epoch's", s.metric),
    };
    format!("early stopping: {ended}; {kept}")
}

/// A finite blow-up: the final cost more than 10× the first mini-batch's, before any update.
fn blow_up(first: Option<f64>, last: Option<f64>) -> Option<String> {
    let (first, last) = (first?, last?);
    (last > 10.0 * first && last > 1e-12).then(|| {
        format!(
            "the cost rose from {first:.6} (the first mini-batch, before any update) to \
             {last:.6}: the learning rate is probably too large (try a smaller --lr)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cost_ten_times_the_first_batch_is_a_blow_up() {
        assert!(blow_up(Some(0.7), Some(7.01)).unwrap().contains("smaller --lr"));
        assert_eq!(blow_up(Some(0.7), Some(6.9)), None);
        assert_eq!(blow_up(None, Some(1e31)), None);
        assert_eq!(blow_up(Some(0.0), Some(0.0)), None);
    }
}
