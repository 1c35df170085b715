//! The evaluation report of `descent eval`: the fields of `--json`, and the same as readable
//! text (a confusion matrix with class names, per-class scores, averages and scalars).

use std::fmt::Write;

use descent::train::metrics::{ClassificationMetrics, Metrics, RegressionMetrics, Scores};
use serde_json::{Value, json};

/// The JSON fields of the metrics, added to `json` (an object): for a classifier `classes`,
/// `confusion_matrix`, `precision`, `recall`, `f1`, `support`, `macro`, `weighted`,
/// `balanced_accuracy`, `log_loss`, `roc_auc`; for regression `mse`, `rmse`, `mae`, `r2`
/// and, with several outputs, `mse_outputs`, `rmse_outputs`, `mae_outputs`, `r2_outputs`.
pub fn add_json(json: &mut Value, metrics: &Metrics, classes: &[String]) {
    match metrics {
        Metrics::Classification(m) => {
            let per_class = |f: fn(&Scores) -> f64| m.per_class.iter().map(f).collect::<Vec<_>>();
            let scores =
                |s: &Scores| json!({"precision": s.precision, "recall": s.recall, "f1": s.f1});
            json["classes"] = json!(classes);
            json["confusion_matrix"] = json!(m.confusion.rows().collect::<Vec<_>>());
            json["precision"] = json!(per_class(|s| s.precision));
            json["recall"] = json!(per_class(|s| s.recall));
            json["f1"] = json!(per_class(|s| s.f1));
            json["support"] = json!(m.support);
            json["macro"] = scores(&m.macro_average);
            json["weighted"] = scores(&m.weighted_average);
            json["balanced_accuracy"] = json!(m.balanced_accuracy);
            json["log_loss"] = json!(m.log_loss);
            json["roc_auc"] = json!(m.roc_auc);
        }
        Metrics::Regression(r) => {
            json["mse"] = json!(RegressionMetrics::mean(&r.mse));
            json["rmse"] = json!(RegressionMetrics::mean(&r.rmse));
            json["mae"] = json!(RegressionMetrics::mean(&r.mae));
            json["r2"] = json!(r.r2_mean());
            if r.n_outputs() > 1 {
                json["mse_outputs"] = json!(r.mse);
                json["rmse_outputs"] = json!(r.rmse);
                json["mae_outputs"] = json!(r.mae);
                json["r2_outputs"] = json!(r.r2);
            }
        }
    }
}

/// The readable report: `headline` (model, data, examples, cost and accuracy), then the
/// metrics.
pub fn text(headline: &str, metrics: &Metrics, classes: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{headline}");
    match metrics {
        Metrics::Classification(m) => classification_text(&mut out, m, classes),
        Metrics::Regression(r) => regression_text(&mut out, r),
    }
    out
}

/// The confusion matrix, the per-class table with its averages, and the scalars.
fn classification_text(out: &mut String, m: &ClassificationMetrics, classes: &[String]) {
    let name_width =
        classes.iter().map(String::len).chain(["weighted avg".len()]).max().unwrap_or(0);
    let _ = writeln!(out, "\nconfusion matrix (rows: true class, columns: predicted)");
    let widths: Vec<usize> = classes
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let widest = m.confusion.rows().map(|r| r[k].to_string().len()).max().unwrap_or(1);
            name.len().max(widest)
        })
        .collect();
    let _ = write!(out, "{:name_width$}", "");
    for (name, w) in classes.iter().zip(&widths) {
        let _ = write!(out, "  {name:>w$}");
    }
    out.push('\n');
    for (name, row) in classes.iter().zip(m.confusion.rows()) {
        let _ = write!(out, "{name:<name_width$}");
        for (count, w) in row.iter().zip(&widths) {
            let _ = write!(out, "  {count:>w$}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\n{:<name_width$}  precision  recall      f1  support", "");
    for ((name, s), support) in classes.iter().zip(&m.per_class).zip(&m.support) {
        let _ = writeln!(out, "{}  {support:>7}", score_row(name, name_width, s));
    }
    let total = m.confusion.total();
    let _ = writeln!(out, "{}  {total:>7}", score_row("macro avg", name_width, &m.macro_average));
    let weighted = score_row("weighted avg", name_width, &m.weighted_average);
    let _ = writeln!(out, "{weighted}  {total:>7}");
    let balanced = m.balanced_accuracy.map_or("-".to_owned(), |b| format!("{b:.4}"));
    let auc = m
        .roc_auc
        .map_or("undefined (a class is absent from the data)".to_owned(), |a| format!("{a:.4}"));
    let auc_name = if classes.len() == 2 { "ROC-AUC" } else { "ROC-AUC (macro one-vs-rest)" };
    let scalars = [
        ("accuracy", format!("{:.4}", m.accuracy)),
        ("balanced accuracy", balanced),
        ("log loss", format!("{:.6}", m.log_loss)),
        (auc_name, auc),
    ];
    let width = scalars.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    out.push('\n');
    for (name, value) in scalars {
        let _ = writeln!(out, "{name:<width$}  {value}");
    }
}

fn score_row(name: &str, name_width: usize, s: &Scores) -> String {
    format!("{name:<name_width$}  {:>9.4}  {:>6.4}  {:>6.4}", s.precision, s.recall, s.f1)
}

/// One line of MSE, RMSE, MAE and R² per output, then their means.
fn regression_text(out: &mut String, r: &RegressionMetrics) {
    let r2 = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.6}"));
    let _ = writeln!(
        out,
        "\n{:<8}  {:>12}  {:>12}  {:>12}  {:>10}",
        "output", "mse", "rmse", "mae", "r2"
    );
    if r.n_outputs() > 1 {
        for k in 0..r.n_outputs() {
            let name = format!("value{}", k + 1);
            let _ = writeln!(
                out,
                "{name:<8}  {:>12.6}  {:>12.6}  {:>12.6}  {:>10}",
                r.mse[k],
                r.rmse[k],
                r.mae[k],
                r2(r.r2[k])
            );
        }
    }
    let _ = writeln!(
        out,
        "{:<8}  {:>12.6}  {:>12.6}  {:>12.6}  {:>10}",
        if r.n_outputs() > 1 { "mean" } else { "value" },
        RegressionMetrics::mean(&r.mse),
        RegressionMetrics::mean(&r.rmse),
        RegressionMetrics::mean(&r.mae),
        r2(r.r2_mean())
    );
}
