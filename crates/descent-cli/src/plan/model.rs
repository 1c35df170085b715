//! The model file that `eval` and `predict` read, and the check that the data fits it.

use anyhow::{Context, anyhow};
use descent_io::ModelFile;

/// Reads `--model`.
pub fn load_model(path: &std::path::Path) -> anyhow::Result<ModelFile> {
    descent_io::load_model(path).context("--model")
}

/// Refuses data whose width differs from the model's input.
pub fn check_width(model: &ModelFile, n_features: usize, data: &str) -> anyhow::Result<()> {
    if model.layers[0] != n_features {
        return Err(anyhow!(
            "--data {data}: {n_features} features, but the model's input is {} wide",
            model.layers[0]
        ));
    }
    Ok(())
}

/// The names of a classifier's classes in the model's order: the table's class names when the
/// model was trained on a table, else `0`, `1`, …; empty for regression.
pub fn class_names(model: &ModelFile) -> Vec<String> {
    let n = model.n_classes().unwrap_or(0);
    match model.encoding.as_ref().and_then(|e| e.classes()) {
        Some(names) if names.len() == n => names.to_vec(),
        _ => (0..n).map(|k| k.to_string()).collect(),
    }
}
