//! `train` on data files (CSV with a target column, .npy), every backend and dtype, with
//! validation, history, --init, and `eval`/`predict` on the saved models.

use crate::common::{
    TempDir, binary_csv, last_json, npy, ok, read_safetensors, three_class_csv, write_safetensors,
};

#[test]
fn every_backend_and_dtype_trains_on_a_csv_file_and_evaluates_its_model() {
    let dir = TempDir::new("backends");
    let data = dir.write("d.csv", binary_csv(80, 3));
    let mut accuracies = Vec::new();
    for backend in ["ndarray", "nalgebra", "faer"] {
        for dtype in ["f32", "f64"] {
            let model = dir.file(&format!("{backend}-{dtype}.safetensors"));
            let out = ok(&[
                "train",
                "--data",
                &data,
                "--epochs",
                "15",
                "--lr",
                "0.01",
                "--standardize",
                "--backend",
                backend,
                "--dtype",
                dtype,
                "--save",
                &model,
                "--quiet",
            ]);
            assert!(out.contains(&format!("{backend} {dtype}")), "{out}");
            let (tensors, _) = read_safetensors(std::path::Path::new(&model));
            assert_eq!(tensors["W1"].dtype, dtype.to_uppercase());
            let preds: Vec<String> = ["ndarray", "nalgebra", "faer"]
                .iter()
                .map(|b| ok(&["predict", "--model", &model, "--data", &data, "--backend", b]))
                .collect();
            let classes = |csv: &str| -> Vec<String> {
                csv.lines().map(|l| l.split(',').next().unwrap().to_owned()).collect()
            };
            assert_eq!(preds[0].lines().count(), 81);
            assert!(preds.iter().all(|p| classes(p) == classes(&preds[0])), "{backend} {dtype}");
            for eval_backend in ["ndarray", "faer"] {
                let json = last_json(&ok(&[
                    "eval",
                    "--model",
                    &model,
                    "--data",
                    &data,
                    "--json",
                    "--backend",
                    eval_backend,
                ]));
                accuracies.push((dtype, json["accuracy"].as_f64().unwrap()));
            }
        }
    }
    // Same seed, same batches: the backends agree on every prediction's class.
    for dtype in ["f32", "f64"] {
        let of: Vec<f64> = accuracies.iter().filter(|a| a.0 == dtype).map(|a| a.1).collect();
        assert!(of.iter().all(|&a| a == of[0] && a > 0.8), "{dtype}: {of:?}");
    }
}

#[test]
fn validation_is_reported_in_the_summary_and_the_history_with_the_schedule() {
    let dir = TempDir::new("validation");
    let data = dir.write("d.csv", binary_csv(100, 5));
    let history = dir.file("h.csv");
    let out = ok(&[
        "train",
        "--data",
        &data,
        "--validation",
        "0.25",
        "--epochs",
        "12",
        "--lr",
        "0.5",
        "--decay",
        "inverse-time",
        "--decay-rate",
        "0.5",
        "--history",
        &history,
        "--quiet",
    ]);
    assert!(out.contains("(75 examples, 25 held out)"), "{out}");
    assert!(out.contains("validation accuracy"), "{out}");
    let text = std::fs::read_to_string(&history).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("epoch,lr,cost,accuracy,validation_cost,validation_accuracy"));
    let rows: Vec<Vec<f64>> =
        lines.map(|l| l.split(',').map(|c| c.parse().unwrap()).collect()).collect();
    assert_eq!(rows.len(), 12);
    for (e, row) in rows.iter().enumerate() {
        assert_eq!(row[0], e as f64);
        // inverse-time: lr0 / (1 + rate·e).
        assert!((row[1] - 0.5 / (1.0 + 0.5 * e as f64)).abs() < 1e-12, "{row:?}");
        assert!((0.0..=1.0).contains(&row[3]) && (0.0..=1.0).contains(&row[5]), "{row:?}");
        // 25 examples: accuracy is a multiple of 1/25.
        assert!((row[5] * 25.0 - (row[5] * 25.0).round()).abs() < 1e-9);
    }
}

#[test]
fn init_starts_from_the_file_converted_to_the_dtype_and_b_may_be_one_dimensional() {
    let dir = TempDir::new("init");
    let data = dir.write("d.csv", binary_csv(20, 9));
    let init = dir.path("init.safetensors");
    // No metadata: another tool's file. b1 of shape (3,), f64 values not exact in f32.
    write_safetensors(
        &init,
        true,
        &[
            ("W1", vec![3, 2], vec![0.1, -0.2, 0.3, 0.4, -0.5, 0.6]),
            ("b1", vec![3], vec![0.01, 0.02, 0.03]),
            ("W2", vec![1, 3], vec![0.7, -0.8, 0.9]),
            ("b2", vec![1, 1], vec![-0.1]),
        ],
        &[],
    );
    let saved = dir.file("out.safetensors");
    let out = ok(&[
        "train",
        "--data",
        &data,
        "--init",
        &init.display().to_string(),
        "--epochs",
        "0",
        "--save",
        &saved,
        "--quiet",
    ]);
    assert!(out.contains("layers 2-3-1"), "{out}");
    let (tensors, _) = read_safetensors(std::path::Path::new(&saved));
    assert_eq!(tensors["W1"].dtype, "F32");
    assert_eq!(tensors["b1"].shape, [3, 1]);
    let want = [0.1_f64, -0.2, 0.3, 0.4, -0.5, 0.6].map(|v| f64::from(v as f32));
    assert_eq!(tensors["W1"].values, want);
    assert_eq!(tensors["b2"].values, [f64::from(-0.1_f32)]);
}

#[test]
fn npy_features_with_npy_labels_train_and_predict() {
    let dir = TempDir::new("npy");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for j in 0..40_u8 {
        let a = f32::from(j) / 40.0 - 0.5;
        x.extend_from_slice(&a.to_le_bytes());
        x.extend_from_slice(&(-a).to_le_bytes());
        y.push(u8::from(a > 0.0));
    }
    let features = dir.write("x.npy", npy("<f4", "(40, 2)", &x));
    let labels = dir.write("y.npy", npy("|u1", "(40,)", &y));
    let model = dir.file("m.safetensors");
    let out = ok(&[
        "train", "--data", &features, "--labels", &labels, "--epochs", "30", "--lr", "0.05",
        "--save", &model, "--quiet",
    ]);
    assert!(out.contains("(40 examples)"), "{out}");
    let json = last_json(&ok(&[
        "eval", "--model", &model, "--data", &features, "--labels", &labels, "--json",
    ]));
    assert_eq!(json["examples"], 40);
    // predict needs no labels.
    let preds = ok(&["predict", "--model", &model, "--data", &features]);
    assert_eq!(preds.lines().count(), 41);
}

#[test]
fn three_classes_by_a_named_target_column_use_softmax() {
    let dir = TempDir::new("softmax");
    // The label is the first column here; --target names it.
    let text: String = three_class_csv(90, 4)
        .lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{},{},{}\n", cells[2], cells[0], cells[1])
        })
        .collect();
    let data = dir.write("d.csv", text);
    let model = dir.file("m.safetensors");
    ok(&[
        "train", "--data", &data, "--target", "class", "--layers", "8", "--epochs", "60", "--lr",
        "0.02", "--save", &model, "--quiet",
    ]);
    let (tensors, meta) = read_safetensors(std::path::Path::new(&model));
    assert_eq!((meta["output"].as_str(), meta["n_classes"].as_str()), ("softmax", "3"));
    assert_eq!(tensors["W2"].shape, [3, 8]);
    let json = last_json(&ok(&[
        "eval", "--model", &model, "--data", &data, "--target", "class", "--json",
    ]));
    assert!(json["accuracy"].as_f64().unwrap() > 0.7, "{json}");
    let preds = ok(&["predict", "--model", &model, "--data", &data, "--target", "class"]);
    for line in preds.lines().skip(1) {
        let (class, p) = line.split_once(',').unwrap();
        assert!(["0", "1", "2"].contains(&class), "{line}");
        let p: f64 = p.parse().unwrap();
        assert!((1.0 / 3.0..=1.0).contains(&p), "the top class has p ≥ 1/3: {line}");
    }
}

#[test]
fn regression_with_linear_output_reports_mse_and_values() {
    let dir = TempDir::new("regression");
    let mut text = String::from("x,y\n");
    for j in 0..30 {
        let x = f64::from(j) / 10.0;
        text.push_str(&format!("{x},{}\n", 2.0 * x + 1.0));
    }
    let data = dir.write("d.csv", text);
    let model = dir.file("m.safetensors");
    ok(&[
        "train",
        "--data",
        &data,
        "--output",
        "linear",
        "--layers",
        "",
        "--optimizer",
        "gd",
        "--lr",
        "0.05",
        "--epochs",
        "300",
        "--batch-size",
        "30",
        "--save",
        &model,
        "--quiet",
    ]);
    let json = last_json(&ok(&["eval", "--model", &model, "--data", &data, "--json"]));
    assert!(json["accuracy"].is_null(), "{json}");
    // The cost is summed in the model's f32, the MSE in f64 from the same predictions.
    let (mse, cost) = (json["mse"].as_f64().unwrap(), json["cost"].as_f64().unwrap());
    assert!((mse - cost).abs() <= 1e-6 * cost, "{json}");
    let rmse = json["rmse"].as_f64().unwrap();
    assert!((rmse - mse.sqrt()).abs() < 1e-15, "{json}");
    assert!(json["mae"].as_f64().unwrap() <= rmse, "{json}");
    assert!(json.get("r2_outputs").is_none(), "one output: {json}");
    let preds = ok(&["predict", "--model", &model, "--data", &data]);
    let mut lines = preds.lines();
    assert_eq!(lines.next(), Some("value"));
    let y_hat: Vec<f64> = lines.map(crate::evaluation::f32_cell).collect();
    // y = 2x + 1 at x = 2.9 is 6.8; gradient descent on a line gets close.
    assert!((y_hat[29] - 6.8).abs() < 0.3, "{}", y_hat[29]);
    // R² recomputed from the printed values and the targets as the f32 model reads them.
    let y: Vec<f64> =
        (0..30).map(|j| f64::from((2.0 * (f64::from(j) / 10.0) + 1.0) as f32)).collect();
    let mean = y.iter().sum::<f64>() / 30.0;
    let ss_res: f64 = y.iter().zip(&y_hat).map(|(a, b)| (a - b) * (a - b)).sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean) * (a - mean)).sum();
    assert!((1.0 - ss_res / ss_tot - json["r2"].as_f64().unwrap()).abs() < 1e-12, "{json}");
    let text = ok(&["eval", "--model", &model, "--data", &data]);
    assert!(text.contains("rmse") && text.contains("mae") && text.contains("r2"), "{text}");
}

#[test]
fn plot_writes_a_png_and_an_svg() {
    let dir = TempDir::new("plot");
    let png = dir.file("t.png");
    let svg = dir.file("t.svg");
    ok(&["train", "--epochs", "10", "--plot", &png, "--quiet"]);
    ok(&["train", "--epochs", "10", "--plot", &svg, "--validation", "0.2", "--quiet"]);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("mini-batches") && text.contains("validation"));
    assert!(text.contains("decision boundary"));
    let jpg = dir.file("t.jpg");
    crate::common::fails_once(2, &["train", "--plot", &jpg], &["--plot", ".png or .svg"]);
    assert!(!dir.path("t.jpg").exists());
}

#[test]
fn a_standardized_init_model_keeps_its_statistics() {
    let dir = TempDir::new("init-standardized");
    let data = dir.write("d.csv", binary_csv(30, 6));
    let first = dir.file("a.safetensors");
    let second = dir.file("b.safetensors");
    ok(&["train", "--data", &data, "--standardize", "--epochs", "5", "--save", &first, "--quiet"]);
    ok(&[
        "train", "--data", &data, "--init", &first, "--epochs", "5", "--save", &second, "--quiet",
    ]);
    let (_, a) = read_safetensors(std::path::Path::new(&first));
    let (_, b) = read_safetensors(std::path::Path::new(&second));
    assert!(a.contains_key("standardize_mean"));
    assert_eq!(a["standardize_mean"], b["standardize_mean"]);
    assert_eq!(a["standardize_std"], b["standardize_std"]);
}
