//! `--class-weight`: the weight of each class, computed once from the training rows
//! (`balanced`: n / (K·n_k), scikit-learn's rule) or given by name; a resumed run keeps the
//! weights its checkpoint stores.

use anyhow::{Context, anyhow};
use descent::train::{DataSource, Output, balanced_class_weights};

use crate::run::{ClassWeight, RunSpec};

/// The checkpoint setting that holds the weights as computed.
pub const STORED_KEY: &str = "class_weights";

/// The class weights of the run, one per class index (`n_out` classes of a softmax, 2 of a
/// sigmoid), or `None` without `--class-weight`.
pub fn class_weights(
    spec: &RunSpec,
    train: &dyn DataSource<f64>,
    output: Output,
    n_out: usize,
) -> anyhow::Result<Option<Vec<f64>>> {
    if let Some(r) = &spec.resumed
        && let Some(text) = r.checkpoint.settings.get(STORED_KEY)
    {
        return text
            .split(',')
            .map(|w| w.parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .with_context(|| format!("--resume {}: the stored class weights", r.path.display()));
    }
    let Some(rule) = &spec.class_weight else { return Ok(None) };
    let n_classes = match output {
        Output::Linear => {
            return Err(anyhow!("--class-weight: needs a classifier, not a linear output"));
        }
        Output::Sigmoid => 2,
        Output::Softmax => n_out,
    };
    match rule {
        ClassWeight::Balanced => {
            balanced_class_weights(train, n_classes).context("--class-weight balanced").map(Some)
        }
        ClassWeight::Given(pairs) => {
            let mut w = vec![1.0; n_classes];
            for (name, weight) in pairs {
                let k = name.parse::<usize>().ok().filter(|&k| k < n_classes).ok_or_else(|| {
                    anyhow!(
                        "--class-weight: {name:?} is not a class; the classes are 0..{}",
                        n_classes - 1
                    )
                })?;
                w[k] = *weight;
            }
            Ok(Some(w))
        }
    }
}

/// The weights as a checkpoint setting: shortest round-trip text, comma-separated.
pub fn stored_text(weights: &[f64]) -> String {
    weights.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}
