//! `descent_train::metrics` against scikit-learn: every case of
//! `tests/fixtures/metrics/metrics.json` (written by `make_metrics.py` beside it) recomputed
//! and compared to 1e-12 — two classes (a sigmoid's probability, and a two-wide softmax),
//! several classes, ties in the scores, classes absent from the data (ROC-AUC `null`,
//! precision 0 by `zero_division`), probabilities of exactly 0 and 1 in the log loss, and
//! regression with several outputs and constant targets.

use descent_train::metrics::{
    ClassificationAccumulator, RegressionAccumulator, RegressionMetrics, predicted_class,
};

use crate::json::Json;

const TOLERANCE: f64 = 1e-12;

fn fixtures() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/metrics/metrics.json");
    Json::parse(&std::fs::read_to_string(path).unwrap())
}

fn close(what: &str, got: f64, expected: f64) {
    assert!((got - expected).abs() <= TOLERANCE, "{what}: {got} vs scikit-learn's {expected}");
}

fn close_all(what: &str, got: &[f64], expected: &[f64]) {
    assert_eq!(got.len(), expected.len(), "{what}");
    for (k, (&g, &e)) in got.iter().zip(expected).enumerate() {
        close(&format!("{what}[{k}]"), g, e);
    }
}

/// A probability row: a number alone (a sigmoid) or an array of one per class.
fn row(v: &Json) -> Vec<f64> {
    match v {
        Json::Arr(_) => v.nums(),
        v => vec![v.num()],
    }
}

#[test]
fn classification_metrics_equal_scikit_learn() {
    let fx = fixtures();
    let cases = fx.get("classification").arr();
    assert!(cases.len() >= 8);
    let mut absent = 0;
    for case in cases {
        let name = case.get("name").str();
        let k = case.get("n_classes").num() as usize;
        let mut acc = ClassificationAccumulator::<f64>::new(k, f64::EPSILON);
        let truths = case.get("y_true").nums();
        let probas = case.get("proba").arr();
        let predicted = case.get("y_pred").nums();
        for ((&truth, p), &pred) in truths.iter().zip(probas).zip(&predicted) {
            let p = row(p);
            assert_eq!(predicted_class(&p), pred as usize, "{name}: predicted class of {p:?}");
            acc.add(truth as usize, &p);
        }
        let m = acc.finish();
        let expected: Vec<Vec<u64>> = case
            .get("confusion_matrix")
            .arr()
            .iter()
            .map(|r| r.nums().iter().map(|&c| c as u64).collect())
            .collect();
        let rows: Vec<Vec<u64>> = m.confusion.rows().map(<[u64]>::to_vec).collect();
        assert_eq!(rows, expected, "{name}: confusion matrix");
        let per_class = |f: fn(&descent_train::metrics::Scores) -> f64| -> Vec<f64> {
            m.per_class.iter().map(f).collect()
        };
        close_all(
            &format!("{name} precision"),
            &per_class(|s| s.precision),
            &case.get("precision").nums(),
        );
        close_all(&format!("{name} recall"), &per_class(|s| s.recall), &case.get("recall").nums());
        close_all(&format!("{name} f1"), &per_class(|s| s.f1), &case.get("f1").nums());
        let support: Vec<f64> = m.support.iter().map(|&s| s as f64).collect();
        assert_eq!(support, case.get("support").nums(), "{name}: support");
        for (avg, scores) in [("macro", m.macro_average), ("weighted", m.weighted_average)] {
            let e = case.get(avg);
            close(&format!("{name} {avg} precision"), scores.precision, e.get("precision").num());
            close(&format!("{name} {avg} recall"), scores.recall, e.get("recall").num());
            close(&format!("{name} {avg} f1"), scores.f1, e.get("f1").num());
        }
        close(&format!("{name} accuracy"), m.accuracy, case.get("accuracy").num());
        let balanced = m.balanced_accuracy.unwrap();
        close(&format!("{name} balanced accuracy"), balanced, case.get("balanced_accuracy").num());
        close(&format!("{name} log loss"), m.log_loss, case.get("log_loss").num());
        match (case.get("roc_auc"), m.roc_auc) {
            (Json::Null, None) => absent += 1,
            (Json::Null, Some(auc)) => panic!("{name}: ROC-AUC {auc}, scikit-learn refuses it"),
            (e, got) => close(&format!("{name} ROC-AUC"), got.expect("an AUC"), e.num()),
        }
    }
    assert!(absent >= 2, "the cases with an absent class");
}

#[test]
fn classification_scores_of_f32_give_the_same_roc_auc_and_confusion() {
    // The scores are kept in the model's type: f32 ones order as their f64 values do.
    let fx = fixtures();
    for case in fx.get("classification").arr() {
        let k = case.get("n_classes").num() as usize;
        let mut acc32 = ClassificationAccumulator::<f32>::new(k, f64::EPSILON);
        let mut acc64 = ClassificationAccumulator::<f64>::new(k, f64::EPSILON);
        for (truth, p) in case.get("y_true").nums().iter().zip(case.get("proba").arr()) {
            let p32: Vec<f32> = row(p).iter().map(|&v| v as f32).collect();
            let p64: Vec<f64> = p32.iter().map(|&v| f64::from(v)).collect();
            acc32.add(*truth as usize, &p32);
            acc64.add(*truth as usize, &p64);
        }
        let (m32, m64) = (acc32.finish(), acc64.finish());
        assert_eq!(m32.confusion, m64.confusion);
        assert_eq!(m32.roc_auc, m64.roc_auc);
        assert_eq!(m32.log_loss, m64.log_loss);
    }
}

#[test]
fn regression_metrics_equal_scikit_learn() {
    let fx = fixtures();
    let cases = fx.get("regression").arr();
    assert!(cases.len() >= 3);
    for case in cases {
        let name = case.get("name").str();
        let targets = case.get("y_true").arr();
        let predictions = case.get("y_pred").arr();
        let mut acc = RegressionAccumulator::new(targets[0].nums().len());
        for (y, y_hat) in targets.iter().zip(predictions) {
            acc.add(&y.nums(), &y_hat.nums());
        }
        let m = acc.finish();
        let r2: Vec<f64> = m.r2.iter().map(|r| r.unwrap()).collect();
        for (metric, got) in [("mse", &m.mse), ("rmse", &m.rmse), ("mae", &m.mae), ("r2", &r2)] {
            let expected = case.get(&format!("{metric}_outputs")).nums();
            close_all(&format!("{name} {metric}_outputs"), got, &expected);
            let mean = RegressionMetrics::mean(got);
            close(&format!("{name} {metric}"), mean, case.get(metric).num());
        }
        close(&format!("{name} r2"), m.r2_mean().unwrap(), case.get("r2").num());
    }
}
