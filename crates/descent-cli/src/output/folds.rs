//! The report of `descent cv`: one JSON object per fold (its sizes, epochs and every metric of
//! `eval --json`), their mean and population standard deviation (divided by K, numpy's
//! default) field by field, and the same as a table.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use super::report;
use crate::session::scored::Scored;

/// Fields that are no figure to average.
const NOT_AVERAGED: [&str; 3] = ["fold", "classes", "confusion_matrix"];

/// Fold `fold`'s object: `fold`, `train_examples`, `examples` (held out), `epochs` (trained),
/// `seconds`, `cost`, `accuracy` and the fields of `eval --json`.
pub fn fold_json(fold: usize, scored: &Scored, classes: &[String]) -> Value {
    let mut json = json!({
        "fold": fold,
        "train_examples": scored.train_examples,
        "examples": scored.evaluation.n_examples,
        "epochs": scored.outcome.history.epochs.len(),
        "seconds": scored.outcome.seconds,
        "cost": scored.evaluation.cost,
        "accuracy": scored.evaluation.accuracy,
    });
    report::add_json(&mut json, &scored.metrics, classes);
    json
}

/// The summary object: `folds` (K), and `mean` and `std` holding every numeric field of the
/// folds' objects (arrays element by element, `macro`/`weighted` field by field); a field
/// that is null in any fold is null in both.
pub fn summary(folds: &[Value]) -> Value {
    let refs: Vec<&Value> = folds.iter().collect();
    let (mean, std) = aggregate(&refs).unwrap_or((Value::Null, Value::Null));
    json!({ "summary": true, "folds": folds.len(), "mean": mean, "std": std })
}

/// The mean and the population standard deviation of `values`, of the same shape; `None`
/// when they hold no number.
fn aggregate(values: &[&Value]) -> Option<(Value, Value)> {
    let first = values.first()?;
    match first {
        Value::Number(_) | Value::Null => {
            let numbers: Option<Vec<f64>> = values.iter().map(|v| v.as_f64()).collect();
            match numbers {
                Some(x) => {
                    let (mean, std) = mean_std(&x);
                    Some((json!(mean), json!(std)))
                }
                None if values.iter().all(|v| v.is_number() || v.is_null()) => {
                    Some((Value::Null, Value::Null))
                }
                None => None,
            }
        }
        Value::Array(items) => {
            let arrays: Option<Vec<&Vec<Value>>> = values.iter().map(|v| v.as_array()).collect();
            let arrays = arrays.filter(|a| a.iter().all(|a| a.len() == items.len()))?;
            let (mut means, mut stds) = (Vec::new(), Vec::new());
            for i in 0..items.len() {
                let column: Vec<&Value> = arrays.iter().map(|a| &a[i]).collect();
                let (m, s) = aggregate(&column)?;
                means.push(m);
                stds.push(s);
            }
            Some((Value::Array(means), Value::Array(stds)))
        }
        Value::Object(fields) => {
            let (mut means, mut stds) = (Map::new(), Map::new());
            for key in fields.keys().filter(|k| !NOT_AVERAGED.contains(&k.as_str())) {
                let column: Option<Vec<&Value>> = values.iter().map(|v| v.get(key)).collect();
                if let Some((m, s)) = column.and_then(|c| aggregate(&c)) {
                    means.insert(key.clone(), m);
                    stds.insert(key.clone(), s);
                }
            }
            Some((Value::Object(means), Value::Object(stds)))
        }
        Value::Bool(_) | Value::String(_) => None,
    }
}

/// The mean and the population standard deviation (divided by n) of `x`.
pub fn mean_std(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// One column of the table: its header, where its value is in a fold's object, and how many
/// decimals it shows (`None`: an integer).
struct Column {
    header: &'static str,
    path: &'static [&'static str],
    decimals: Option<usize>,
}

const fn column(
    header: &'static str,
    path: &'static [&'static str],
    decimals: Option<usize>,
) -> Column {
    Column { header, path, decimals }
}

const SIZES: [Column; 3] = [
    column("train", &["train_examples"], None),
    column("held out", &["examples"], None),
    column("epochs", &["epochs"], None),
];

const CLASSIFIER: [Column; 6] = [
    column("cost", &["cost"], Some(6)),
    column("accuracy", &["accuracy"], Some(4)),
    column("balanced", &["balanced_accuracy"], Some(4)),
    column("f1 macro", &["macro", "f1"], Some(4)),
    column("log loss", &["log_loss"], Some(6)),
    column("ROC-AUC", &["roc_auc"], Some(4)),
];

const REGRESSION: [Column; 4] = [
    column("mse", &["mse"], Some(6)),
    column("rmse", &["rmse"], Some(6)),
    column("mae", &["mae"], Some(6)),
    column("r2", &["r2"], Some(6)),
];

/// The table: `headline`, one row per fold, then the mean and the standard deviation.
pub fn text(headline: &str, folds: &[Value], summary: &Value) -> String {
    let classifier = folds.first().is_some_and(|f| f.get("classes").is_some());
    let figures: &[Column] = if classifier { &CLASSIFIER } else { &REGRESSION };
    let mut out = String::new();
    let _ = writeln!(out, "{headline}");
    let _ = write!(out, "{:<6}", "fold");
    for c in SIZES.iter().chain(figures) {
        let _ = write!(out, "  {:>10}", c.header);
    }
    out.push('\n');
    let cell = |value: Option<&Value>, decimals: Option<usize>| match (value, decimals) {
        (Some(Value::Number(n)), Some(d)) => format!("{:.d$}", n.as_f64().unwrap_or(f64::NAN)),
        (Some(Value::Number(n)), None) => n.to_string(),
        _ => "-".to_owned(),
    };
    for fold in folds {
        let _ = write!(out, "{:<6}", cell(fold.get("fold"), None));
        for c in SIZES.iter().chain(figures) {
            let _ = write!(out, "  {:>10}", cell(lookup(fold, c.path), c.decimals));
        }
        out.push('\n');
    }
    for name in ["mean", "std"] {
        let _ = write!(out, "{name:<6}");
        let _ = write!(out, "{:w$}", "", w = SIZES.len() * 12);
        for c in figures {
            let value = summary.get(name).and_then(|s| lookup(s, c.path));
            let _ = write!(out, "  {:>10}", cell(value, c.decimals));
        }
        out.push('\n');
    }
    out
}

fn lookup<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_numpys_mean_and_population_std_field_by_field() {
        let folds = [
            json!({"fold": 0, "cost": 0.5, "f1": [1.0, 0.0], "macro": {"f1": 0.5}, "roc_auc": 0.75}),
            json!({"fold": 1, "cost": 0.25, "f1": [0.5, 0.5], "macro": {"f1": 0.5}, "roc_auc": null}),
            json!({"fold": 2, "cost": 1.0, "f1": [0.0, 1.0], "macro": {"f1": 0.5}, "roc_auc": 0.5}),
        ];
        let s = summary(&folds);
        // numpy: np.mean([0.5, 0.25, 1.0]) = 0.5833333333333334, np.std(…) = 0.31180478223116176,
        // np.std([1.0, 0.5, 0.0]) = 0.408248290463863.
        assert_eq!(s["mean"]["cost"], json!(0.5833333333333334));
        assert_eq!(s["std"]["cost"], json!(0.31180478223116176));
        assert_eq!(s["mean"]["f1"], json!([0.5, 0.5]));
        assert_eq!(s["std"]["f1"][0], json!(0.408248290463863));
        assert_eq!(s["std"]["macro"]["f1"], json!(0.0));
        assert_eq!(s["mean"]["roc_auc"], Value::Null, "null in one fold: null");
        assert!(s["mean"].get("fold").is_none());
        assert_eq!(s["folds"], json!(3));
    }
}
