//! The `--history` CSV: one row per epoch.

use std::path::Path;

use anyhow::Context;

use crate::session::Outcome;

/// Writes `epoch,lr,cost,accuracy` (and `validation_cost,validation_accuracy` when a
/// validation set was held out) per epoch, atomically. A linear output leaves accuracy cells
/// empty.
pub fn write(path: &Path, outcome: &Outcome) -> anyhow::Result<()> {
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
