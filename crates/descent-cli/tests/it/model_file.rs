//! The model file read back without descent: shapes, dtype and metadata, and a forward pass by
//! hand that must give what `eval` and `predict` print.

use crate::common::{TempDir, binary_csv, binary_rows, last_json, ok, read_safetensors};

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn logistic_regression_file_eval_and_predict_agree_with_a_hand_forward_pass() {
    let dir = TempDir::new("hand");
    let data = dir.write("d.csv", binary_csv(60, 7));
    let model = dir.file("m.safetensors");
    let preds = dir.file("p.csv");
    ok(&[
        "train",
        "--data",
        &data,
        "--layers",
        "",
        "--epochs",
        "300",
        "--lr",
        "0.05",
        "--standardize",
        "--save",
        &model,
        "--quiet",
        "--backend",
        "ndarray",
        "--dtype",
        "f64",
    ]);
    let (tensors, meta) = read_safetensors(dir.path("m.safetensors").as_path());
    // The optimizer's buffers `opt.*` make the file a checkpoint (see reliability.rs).
    let params: Vec<_> = tensors.keys().filter(|k| !k.starts_with("opt.")).collect();
    assert_eq!(params, ["W1", "b1"]);
    assert_eq!(
        (tensors["W1"].shape.as_slice(), tensors["W1"].dtype.as_str()),
        (&[1, 2][..], "F64")
    );
    assert_eq!(tensors["b1"].shape, [1, 1]);
    assert_eq!(meta["format"], "descent-mlp");
    assert_eq!(meta["layers"], "2,1");
    assert_eq!(meta["output"], "sigmoid");
    assert_eq!(meta["n_classes"], "2");

    // numpy's x.mean(0) and x.std(0) (population), computed here from the rows.
    let rows = binary_rows(60, 7);
    let m = rows.len() as f64;
    let mean: Vec<f64> = (0..2).map(|i| rows.iter().map(|r| r.0[i]).sum::<f64>() / m).collect();
    let std: Vec<f64> = (0..2)
        .map(|i| (rows.iter().map(|r| (r.0[i] - mean[i]).powi(2)).sum::<f64>() / m).sqrt())
        .collect();
    let stored =
        |key: &str| -> Vec<f64> { meta[key].split(',').map(|v| v.parse().unwrap()).collect() };
    for (a, b) in stored("standardize_mean")
        .iter()
        .zip(&mean)
        .chain(stored("standardize_std").iter().zip(&std))
    {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }

    let (w, b) = (&tensors["W1"].values, tensors["b1"].values[0]);
    let probs: Vec<f64> = rows
        .iter()
        .map(|(x, _)| {
            let z0 = (x[0] - mean[0]) / std[0];
            let z1 = (x[1] - mean[1]) / std[1];
            sigmoid(w[0] * z0 + w[1] * z1 + b)
        })
        .collect();
    let cost = rows
        .iter()
        .zip(&probs)
        .map(|((_, y), p)| if *y == 1 { -p.ln() } else { -(1.0 - p).ln() })
        .sum::<f64>()
        / m;
    let correct =
        rows.iter().zip(&probs).filter(|((_, y), p)| usize::from(**p > 0.5) == *y).count();
    assert!(correct >= 55, "a separable set is learned: {correct}/60");

    let json = last_json(&ok(&["eval", "--model", &model, "--data", &data, "--json"]));
    assert_eq!(json["examples"], 60);
    assert!((json["cost"].as_f64().unwrap() - cost).abs() < 1e-9, "{json} vs {cost}");
    assert_eq!(json["accuracy"].as_f64().unwrap(), correct as f64 / m);

    ok(&["predict", "--model", &model, "--data", &data, "--out", &preds]);
    let text = std::fs::read_to_string(&preds).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("class,probability"));
    let got: Vec<(usize, f64)> = lines
        .map(|l| {
            let (c, p) = l.split_once(',').unwrap();
            (c.parse().unwrap(), p.parse().unwrap())
        })
        .collect();
    assert_eq!(got.len(), 60);
    for ((class, p), want) in got.iter().zip(&probs) {
        assert_eq!(*class, usize::from(*want > 0.5));
        let want_p = if *class == 1 { *want } else { 1.0 - want };
        assert!((p - want_p).abs() < 1e-9, "{p} vs {want_p}");
    }
}

#[test]
fn course_network_file_has_every_tensor_in_f32_and_eval_reproduces_training_accuracy() {
    let dir = TempDir::new("course");
    let model = dir.file("m.safetensors");
    let out = ok(&["train", "--epochs", "40", "--save", &model, "--quiet", "--final-eval"]);
    let (tensors, meta) = read_safetensors(dir.path("m.safetensors").as_path());
    let shapes: Vec<(&str, Vec<usize>)> = tensors
        .iter()
        .filter(|(k, _)| !k.starts_with("opt."))
        .map(|(k, t)| (k.as_str(), t.shape.clone()))
        .collect();
    assert_eq!(
        shapes,
        [
            ("W1", vec![5, 2]),
            ("W2", vec![2, 5]),
            ("W3", vec![1, 2]),
            ("b1", vec![5, 1]),
            ("b2", vec![2, 1]),
            ("b3", vec![1, 1])
        ]
    );
    assert!(tensors.values().all(|t| t.dtype == "F32"));
    assert_eq!((meta["layers"].as_str(), meta["activation"].as_str()), ("2,5,2,1", "relu"));
    assert!(!meta.contains_key("standardize_mean"));
    // With --final-eval, the summary's training accuracy is the saved network's accuracy on
    // the same data.
    assert!(out.contains("final cost "), "{out}");
    let accuracy = out.split("training accuracy ").nth(1).unwrap()[..6].to_owned();
    let eval = ok(&["eval", "--model", &model]);
    assert!(eval.contains(&format!("accuracy {accuracy}")), "{out}\n{eval}");
}
