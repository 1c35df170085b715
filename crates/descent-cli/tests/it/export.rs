//! `descent export`: a trained model written as ONNX and as Rust source (compiled with `rustc`
//! and compared with `descent predict`), and every refusal exits 2 with one message naming the
//! flag, leaving an existing file as it was.

use crate::common::{TempDir, fails_once, ok};

#[test]
fn a_trained_model_exports_to_onnx_and_bad_flags_are_refused() {
    let dir = TempDir::new("export");
    let model = dir.file("m.safetensors");
    ok(&["train", "--epochs", "3", "--quiet", "--standardize", "--save", &model]);
    let onnx = dir.file("m.onnx");
    let out = ok(&["export", "--model", &model, "--onnx", &onnx]);
    assert!(out.contains("ONNX opset 17") && out.contains("[N, 2]"), "{out}");
    assert!(out.contains("label int64 [N]") && out.contains("standardization inside"), "{out}");
    let bytes = std::fs::read(&onnx).unwrap();
    // The ModelProto's first field is ir_version (field 1, varint): 0x08, then 8.
    assert_eq!(bytes[..2], [0x08, 0x08]);
    for needle in ["input", "descent_version", "MatMul", "Exp"] {
        let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(found, "{needle} not in the file");
    }
    // The output may not be the model, by any name.
    let dotted = dir.path(".").join("m.safetensors").display().to_string();
    fails_once(
        2,
        &["export", "--model", &model, "--onnx", &dotted],
        &["--onnx", "--model", "same file"],
    );
    // A model that is not one: exit 2 naming --model; the existing ONNX file is kept.
    let junk = dir.write("junk.safetensors", b"not a model");
    fails_once(2, &["export", "--model", &junk, "--onnx", &onnx], &["--model", "junk.safetensors"]);
    assert_eq!(std::fs::read(&onnx).unwrap(), bytes);
    let missing = dir.file("none/m.onnx");
    fails_once(
        2,
        &["export", "--model", &model, "--onnx", &missing],
        &["--onnx", "does not exist"],
    );
    // No format: clap's usage error, exit 2.
    let out = crate::common::descent(&["export", "--model", &model]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--onnx"));
}

/// The rows of `predict --proba`: each row's class and its probabilities.
fn proba(csv: &str) -> Vec<(String, Vec<f64>)> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].to_owned(), cells[2..].iter().map(|c| c.parse().unwrap()).collect())
        })
        .collect()
}

#[test]
fn generated_rust_compiled_by_rustc_agrees_with_descent_predict() {
    let dir = TempDir::new("export-rust");
    let rows = [[0.5, 1.2], [1.5, -0.3], [-0.2, 0.7], [2.0, 0.4], [-1.0, 0.1]];
    let table = |header: &str| {
        let mut csv = format!("{header}\n");
        for r in rows {
            csv.push_str(&format!("{},{},0\n", r[0], r[1]));
        }
        dir.write(&format!("{}.csv", &header[..1]), csv)
    };
    let three = dir.write("three.csv", crate::common::three_class_csv(60, 3));
    // A sigmoid f32 model on moons, standardized; a softmax f64 model of three classes.
    let cases: [(&str, Vec<&str>, &str, String); 2] = [
        ("sig", vec!["--standardize"], "f32", table("x1,x2,label")),
        (
            "soft",
            vec!["--data", &three, "--dtype", "f64", "--layers", "6,4"],
            "f64",
            table("a,b,class"),
        ),
    ];
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    for (name, flags, float, data) in cases {
        let model = dir.file(&format!("{name}.safetensors"));
        let mut train = vec!["train", "--epochs", "30", "--quiet", "--save", &model];
        train.extend(flags);
        ok(&train);
        let source = dir.file(&format!("{name}.rs"));
        let out = ok(&["export", "--model", &model, "--rust", &source]);
        assert!(out.contains("Rust source") && out.contains("predict_class"), "{out}");
        let inputs: Vec<String> =
            rows.iter().map(|r| format!("[{:?}, {:?}]", r[0], r[1])).collect();
        let driver = format!(
            "#[path = {source:?}] mod model;\nfn main() {{\n    let rows: [[{float}; 2]; {}] = [{}];\n    \
             for x in &rows {{\n        let p = model::predict(x);\n        \
             let v: Vec<String> = p.iter().map(|v| format!(\"{{v:?}}\")).collect();\n        \
             println!(\"{{}} {{}}\", model::CLASS_NAMES[model::predict_class(x)], v.join(\" \"));\n    }}\n}}\n",
            rows.len(),
            inputs.join(", "),
        );
        let main = dir.write(&format!("{name}-main.rs"), driver);
        let binary = dir.file(&format!("{name}-driver"));
        let built = std::process::Command::new(&rustc)
            .args(["--edition", "2021", "-o", &binary, &main])
            .output()
            .expect("rustc runs");
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        let run = std::process::Command::new(&binary).output().unwrap();
        let generated = String::from_utf8(run.stdout).unwrap();
        let predicted = proba(&ok(&["predict", "--model", &model, "--data", &data, "--proba"]));
        let tolerance = if float == "f32" { 1e-5 } else { 1e-12 };
        assert_eq!(generated.lines().count(), rows.len(), "{generated}");
        for (line, (class, p)) in generated.lines().zip(&predicted) {
            let mut words = line.split(' ');
            assert_eq!(words.next().unwrap(), class, "{name}: {line}");
            let values: Vec<f64> = words.map(|w| w.parse().unwrap()).collect();
            // A sigmoid prints p(class 1) alone; --proba gives p_0 and p_1.
            let expected = if values.len() == 1 { &p[1..] } else { &p[..] };
            for (a, b) in values.iter().zip(expected) {
                assert!((a - b).abs() <= tolerance * b.abs().max(1e-3), "{name}: {a} vs {b}");
            }
        }
    }
}
