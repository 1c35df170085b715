//! `descent cv --folds K`: every example is held out exactly once, classification folds are
//! stratified (each class's count in a fold is its total divided by K, rounded down or up, as
//! read off the folds' confusion matrices), the summary is the folds' mean and population
//! standard deviation, the folds follow from the seed, and the flags cv cannot honour are
//! refused with exit 2.

use serde_json::Value;

use crate::common::{TempDir, binary_csv, fails, ok, three_class_csv};

/// The JSON lines of `descent cv --json` on `data`: the folds and the summary.
fn cv_json(data: &str, extra: &[&str]) -> (Vec<Value>, Value) {
    let mut args = vec!["cv", "--data", data, "--json", "--quiet", "--epochs", "15"];
    args.extend_from_slice(extra);
    let out = ok(&args);
    let mut lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = lines.pop().unwrap();
    assert_eq!(summary["summary"], true, "{out}");
    (lines, summary)
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// numpy's `mean` and `std` (ddof = 0).
fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[test]
fn classification_folds_are_stratified_and_cover_every_example_once() {
    let dir = TempDir::new("cv-strat");
    let data = dir.write("three.csv", three_class_csv(103, 5));
    let (folds, summary) = cv_json(&data, &["--folds", "4", "--target", "class"]);
    assert_eq!(folds.len(), 4);
    assert_eq!(summary["folds"], 4);
    // Each fold's true classes: the row sums of its confusion matrix.
    let counts: Vec<Vec<u64>> = folds
        .iter()
        .map(|f| {
            let cm = f["confusion_matrix"].as_array().unwrap();
            cm.iter()
                .map(|row| row.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum())
                .collect()
        })
        .collect();
    let totals: Vec<u64> = (0..3).map(|c| counts.iter().map(|f| f[c]).sum()).collect();
    assert_eq!(totals.iter().sum::<u64>(), 103, "every example held out once: {counts:?}");
    for (i, fold) in folds.iter().enumerate() {
        assert_eq!(fold["fold"], i);
        let held: u64 = counts[i].iter().sum();
        assert_eq!(fold["examples"], held);
        assert_eq!(fold["train_examples"], 103 - held);
        for (c, total) in totals.iter().enumerate() {
            let n = counts[i][c];
            assert!(n == total / 4 || n == total.div_ceil(4), "fold {i} class {c}: {counts:?}");
        }
    }
    // The summary: the folds' mean and population standard deviation, field by field.
    for field in ["accuracy", "cost", "balanced_accuracy", "log_loss"] {
        let values: Vec<f64> = folds.iter().map(|f| f[field].as_f64().unwrap()).collect();
        let (mean, std) = mean_std(&values);
        let (m, s) =
            (summary["mean"][field].as_f64().unwrap(), summary["std"][field].as_f64().unwrap());
        assert!((m - mean).abs() <= 1e-15 * mean.abs().max(1.0), "{field}: {m} vs {mean}");
        assert!((s - std).abs() <= 1e-12 * std.max(1.0), "{field}: {s} vs {std}");
    }
    let f1: Vec<Vec<f64>> = folds.iter().map(|f| f64s(&f["f1"])).collect();
    let mean_f1 = f64s(&summary["mean"]["f1"]);
    for c in 0..3 {
        let (mean, _) = mean_std(&f1.iter().map(|f| f[c]).collect::<Vec<_>>());
        assert!((mean_f1[c] - mean).abs() < 1e-15, "f1[{c}]");
    }
    assert!(summary["mean"]["macro"]["f1"].is_f64(), "{summary}");
}

#[test]
fn the_folds_follow_from_the_seed() {
    let dir = TempDir::new("cv-seed");
    let data = dir.write("binary.csv", binary_csv(60, 2));
    let args = ["--folds", "3", "--target", "label", "--standardize"];
    let (a, _) = cv_json(&data, &args);
    let (b, _) = cv_json(&data, &args);
    let strip = |v: &[Value]| v.iter().map(without_seconds).collect::<Vec<_>>();
    assert_eq!(strip(&a), strip(&b), "same seed, same folds and models");
    let mut other = args.to_vec();
    other.extend(["--seed", "9"]);
    let (c, _) = cv_json(&data, &other);
    assert_ne!(strip(&a), strip(&c), "another seed, other folds");
}

fn without_seconds(v: &Value) -> Value {
    let mut v = v.clone();
    v.as_object_mut().unwrap().remove("seconds");
    v
}

#[test]
fn regression_reports_the_regression_metrics() {
    let dir = TempDir::new("cv-reg");
    let mut text = String::from("a,b,y\n");
    for i in 0..40 {
        let (a, b) = (f64::from(i) / 40.0, f64::from(i % 7) / 7.0);
        text.push_str(&format!("{a},{b},{}\n", 2.0 * a - b + 0.1));
    }
    let data = dir.write("reg.csv", text);
    let (folds, summary) = cv_json(&data, &["--folds", "5", "--target", "y", "--output", "linear"]);
    assert_eq!(folds.len(), 5);
    for f in &folds {
        assert_eq!(f["examples"], 8);
        let (mse, rmse) = (f["mse"].as_f64().unwrap(), f["rmse"].as_f64().unwrap());
        assert!((rmse - mse.sqrt()).abs() < 1e-12, "{f}");
    }
    let r2: Vec<f64> = folds.iter().map(|f| f["r2"].as_f64().unwrap()).collect();
    let (mean, std) = mean_std(&r2);
    assert!((summary["mean"]["r2"].as_f64().unwrap() - mean).abs() < 1e-15);
    assert!((summary["std"]["r2"].as_f64().unwrap() - std).abs() < 1e-12);
    let table = ok(&[
        "cv", "--data", &data, "--folds", "5", "--target", "y", "--output", "linear", "--quiet",
        "--epochs", "5",
    ]);
    for needle in ["5 folds;", "mse", "rmse", "mae", "r2", "mean", "std"] {
        assert!(table.contains(needle), "{needle:?} not in {table}");
    }
}

#[test]
fn flags_cv_cannot_honour_are_refused() {
    let dir = TempDir::new("cv-bad");
    let data = dir.write("binary.csv", binary_csv(20, 1));
    let model = dir.file("m.safetensors");
    let base = ["cv", "--data", &data, "--target", "label", "--epochs", "1"];
    for (extra, needle) in [
        (&["--folds", "3", "--save", &model][..], "--save"),
        (&["--folds", "3", "--validation", "0.2"], "--validation"),
        (&["--folds", "3", "--history", &model], "--history"),
        (&["--folds", "1"], "--folds"),
        (&["--folds", "21"], "--folds"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        fails(2, &args, &[needle]);
    }
    assert!(!std::path::Path::new(&model).exists());
}
