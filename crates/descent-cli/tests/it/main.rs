//! Runs the `descent` binary: train, eval, predict and compare on every backend, the model
//! file read back independently, and one test per bad input of the issue.

mod bad_input;
mod common;
mod compare;
mod course;
mod cv;
mod encode;
mod evaluation;
mod export;
mod files;
mod generalize;
mod model_file;
mod plots;
mod progress;
mod reliability;
mod safety;
mod sklearn_tables;
mod stream;
mod stream_memory;
mod tables;
mod tune;

use common::descent;

#[test]
fn train_with_few_epochs_prints_a_summary() {
    let out = descent(&["train", "--epochs", "20", "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("layers 2-5-2-1, adam lr 0.0007, batch 64, 20 epochs, nalgebra f32"),
        "{stdout}"
    );
    assert!(stdout.contains("training accuracy"), "{stdout}");
    assert!(stdout.contains("steps/s"), "{stdout}");
    // Without --backend: nalgebra for a small network, faer from 200,000 multiply-adds a
    // batch (64 × (2·64 + 64·64 + 64) = 274,432).
    let big = crate::common::ok(&["train", "--epochs", "1", "--layers", "64,64", "--quiet"]);
    assert!(big.contains("layers 2-64-64-1") && big.contains(", faer f32"), "{big}");
    let named = crate::common::ok(&["train", "--epochs", "1", "--backend", "ndarray", "--quiet"]);
    assert!(named.contains(", ndarray f32"), "{named}");
}

#[test]
fn the_summary_reports_the_last_epoch_unless_final_eval_scores_the_network() {
    let dir = crate::common::TempDir::new("summary");
    let history = dir.file("h.csv");
    let out = crate::common::ok(&["train", "--epochs", "20", "--quiet", "--history", &history]);
    // The history's last row: epoch, lr, cost, accuracy.
    let csv = std::fs::read_to_string(&history).unwrap();
    let last: Vec<f64> =
        csv.lines().last().unwrap().split(',').map(|v| v.parse().unwrap()).collect();
    let expected = format!("last epoch: cost {:.6}, training accuracy {:.4}", last[2], last[3]);
    assert!(out.contains(&expected), "{expected:?} not in {out}");
    // --final-eval: one more pass, the trained network's cost and accuracy, as eval gives.
    let model = dir.file("m.safetensors");
    let out = crate::common::ok(&[
        "train",
        "--epochs",
        "20",
        "--quiet",
        "--final-eval",
        "--save",
        &model,
    ]);
    let eval = crate::common::ok(&["eval", "--model", &model, "--json"]);
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    let expected = format!(
        "final cost {:.6}, training accuracy {:.4}",
        eval["cost"].as_f64().unwrap(),
        eval["accuracy"].as_f64().unwrap()
    );
    assert!(out.contains(&expected), "{expected:?} not in {out}");
}

#[test]
fn every_backend_and_dtype_trains() {
    for backend in ["ndarray", "nalgebra", "faer"] {
        for dtype in ["f32", "f64"] {
            let out = descent(&["train", "--epochs", "5", "--backend", backend, "--dtype", dtype]);
            assert!(
                out.status.success(),
                "{backend} {dtype}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{backend} {dtype}")));
        }
    }
}

#[test]
fn bad_flags_exit_with_2_and_name_the_flag() {
    for (args, flag) in [
        (&["--layers", "5,,2"][..], "--layers"),
        (&["--layers", "5,0"], "--layers"),
        (&["--batch-size", "0"], "--batch-size"),
        (&["--lr", "-1"], "--lr"),
        (&["--lr", "NaN"], "--lr"),
        (&["--beta", "1"], "--beta"),
        (&["--decay", "scheduled", "--decay-interval", "0"], "--decay-interval"),
        (&["--data", "nope"], "--data"),
        (&["--threads", "0"], "--threads"),
        (&["--optimizer", "sgd"], "--optimizer"),
    ] {
        let mut full = vec!["train", "--epochs", "1"];
        full.extend_from_slice(args);
        let out = descent(&full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
