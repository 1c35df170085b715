//! The evaluation report and every class's probability on tables with string class names:
//! `eval --json` has the contract's fields with the right shapes, and they agree with what
//! `predict --proba` writes (the confusion matrix counted from its `class` column and the
//! true labels, the log loss recomputed from its `p_<class>` columns); the readable report
//! names the classes; `roc_auc` is `null` when a class is absent from the data. (Regression's
//! report is checked in `files.rs`.)

use serde_json::Value;

use crate::common::{Rng, TempDir, last_json, ok};

const SPECIES: [&str; 3] = ["setosa", "versicolor", "virginica"];

/// `n` rows `a,b,species`: three species by the sign pattern of two features, with some
/// rows near the borders so the model makes mistakes.
fn species_csv(n: usize, seed: u64) -> (String, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut text = String::from("a,b,species\n");
    let mut classes = Vec::new();
    for _ in 0..n {
        let (a, b) = (rng.next(), rng.next());
        let class = if a < -0.3 {
            0
        } else if b < 0.0 {
            1
        } else {
            2
        };
        text.push_str(&format!("{a},{b},{}\n", SPECIES[class]));
        classes.push(class);
    }
    (text, classes)
}

fn train(data: &str, model: &str) {
    ok(&[
        "train", "--data", data, "--target", "species", "--layers", "8", "--lr", "0.05",
        "--epochs", "60", "--seed", "3", "--save", model, "--quiet",
    ]);
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// A number that `predict` wrote for an f32 model, read back as that f32.
pub fn f32_cell(cell: &str) -> f64 {
    f64::from(cell.parse::<f32>().unwrap())
}

/// One row of `predict --proba`: class name, probability, one probability per class.
type ProbaRow = (String, f64, Vec<f64>);

/// The header and rows of `predict --proba`.
fn proba_rows(csv: &str) -> (Vec<String>, Vec<ProbaRow>) {
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_owned).collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let ps = cells[2..].iter().map(|c| f32_cell(c)).collect();
            (cells[0].to_owned(), f32_cell(cells[1]), ps)
        })
        .collect();
    (header, rows)
}

#[test]
fn eval_json_has_every_field_and_agrees_with_predict_proba() {
    let dir = TempDir::new("evaluation");
    let (train_text, _) = species_csv(300, 1);
    let (test_text, truth) = species_csv(120, 2);
    let (data, test) = (dir.write("train.csv", train_text), dir.write("test.csv", test_text));
    let model = dir.file("m.safetensors");
    train(&data, &model);
    let json = last_json(&ok(&["eval", "--model", &model, "--data", &test, "--json"]));
    assert_eq!(json["examples"], 120);
    assert_eq!(json["classes"], serde_json::json!(SPECIES));
    let matrix: Vec<Vec<f64>> =
        json["confusion_matrix"].as_array().unwrap().iter().map(floats).collect();
    assert_eq!(matrix.len(), 3);
    assert!(matrix.iter().all(|r| r.len() == 3));
    let trace: f64 = (0..3).map(|k| matrix[k][k]).sum();
    assert_eq!(matrix.iter().flatten().sum::<f64>(), 120.0);
    assert!((trace / 120.0 - json["accuracy"].as_f64().unwrap()).abs() < 1e-12, "{json}");
    for field in ["precision", "recall", "f1", "support"] {
        assert_eq!(floats(&json[field]).len(), 3, "{field}: {json}");
    }
    for avg in ["macro", "weighted"] {
        for s in ["precision", "recall", "f1"] {
            let v = json[avg][s].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&v), "{avg} {s}: {json}");
        }
    }
    let support = floats(&json["support"]);
    let recall = floats(&json["recall"]);
    let balanced = recall.iter().sum::<f64>() / 3.0;
    assert!((json["balanced_accuracy"].as_f64().unwrap() - balanced).abs() < 1e-12);
    let auc = json["roc_auc"].as_f64().unwrap();
    assert!(auc > 0.8 && auc <= 1.0, "{json}");

    // predict --proba: the columns, rows summing to 1, the class the largest probability.
    let csv = ok(&["predict", "--model", &model, "--data", &test, "--proba"]);
    let (header, rows) = proba_rows(&csv);
    assert_eq!(header, ["class", "probability", "p_setosa", "p_versicolor", "p_virginica"]);
    assert_eq!(rows.len(), 120);
    let mut counted = vec![vec![0.0; 3]; 3];
    let mut log_loss = 0.0;
    for ((class, p, ps), &t) in rows.iter().zip(&truth) {
        assert!((ps.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{ps:?}");
        let k = SPECIES.iter().position(|s| s == class).unwrap();
        assert_eq!(*p, ps[k]);
        assert!(ps.iter().all(|&q| q <= ps[k]));
        counted[t][k] += 1.0;
        log_loss -= ps[t].clamp(f64::from(f32::EPSILON), 1.0 - f64::from(f32::EPSILON)).ln();
    }
    assert_eq!(counted, matrix);
    assert_eq!(support, counted.iter().map(|r| r.iter().sum()).collect::<Vec<f64>>());
    // The probabilities are printed at full precision: the log loss recomputed from them
    // is eval's (an f32 model: clipped at f32's epsilon, as scikit-learn clips float32).
    let expected = json["log_loss"].as_f64().unwrap();
    assert!((log_loss / 120.0 - expected).abs() < 1e-12, "{} vs {expected}", log_loss / 120.0);

    // The readable report: the confusion matrix and the per-class table by name.
    let text = ok(&["eval", "--model", &model, "--data", &test]);
    assert!(text.contains("confusion matrix (rows: true class, columns: predicted)"), "{text}");
    let header = text.lines().find(|l| l.contains("setosa") && l.contains("virginica")).unwrap();
    assert!(header.trim_start().starts_with("setosa"), "{text}");
    for needle in ["versicolor", "precision  recall", "macro avg", "weighted avg", "log loss"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(text.contains("ROC-AUC (macro one-vs-rest)"), "{text}");
}

#[test]
fn a_two_class_table_gives_both_probabilities_and_a_missing_class_gives_a_null_auc() {
    let dir = TempDir::new("evaluation-binary");
    let mut rng = Rng::new(9);
    let mut text = String::from("x,y,answer\n");
    for _ in 0..200 {
        let (x, y) = (rng.next(), rng.next());
        text.push_str(&format!("{x},{y},{}\n", if x + 0.3 * y > 0.1 { "yes" } else { "no" }));
    }
    let data = dir.write("d.csv", text);
    let model = dir.file("m.safetensors");
    ok(&[
        "train", "--data", &data, "--target", "answer", "--layers", "8", "--lr", "0.05",
        "--epochs", "100", "--save", &model, "--quiet",
    ]);
    let json = last_json(&ok(&["eval", "--model", &model, "--data", &data, "--json"]));
    assert_eq!(json["output"], "sigmoid");
    assert_eq!(json["classes"], serde_json::json!(["no", "yes"]));
    assert!(json["roc_auc"].as_f64().unwrap() > 0.9, "{json}");
    let (header, rows) =
        proba_rows(&ok(&["predict", "--model", &model, "--data", &data, "--proba"]));
    assert_eq!(header, ["class", "probability", "p_no", "p_yes"]);
    for (class, p, ps) in &rows {
        // A sigmoid's p_yes is its output and p_no its complement, in the model's f32.
        let (no, yes) = (ps[0] as f32, ps[1] as f32);
        assert_eq!(no, 1.0 - yes);
        assert_eq!(*p, if class == "yes" { ps[1] } else { ps[0] });
        assert_eq!(class == "yes", yes > 0.5);
    }
    // Only "yes" rows: the AUC is undefined (null) and the report says so.
    let only_yes = dir.write("yes.csv", "x,y,answer\n0.9,0.1,yes\n0.8,-0.2,yes\n");
    let json = last_json(&ok(&["eval", "--model", &model, "--data", &only_yes, "--json"]));
    assert!(json["roc_auc"].is_null(), "{json}");
    assert_eq!(json["support"], serde_json::json!([0, 2]));
    assert_eq!(json["precision"][0], 0.0);
    let text = ok(&["eval", "--model", &model, "--data", &only_yes]);
    assert!(text.contains("undefined (a class is absent from the data)"), "{text}");
}
