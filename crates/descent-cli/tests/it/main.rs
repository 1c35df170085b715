//! Runs the `descent` binary: train, eval, predict and compare on every backend, the model
//! file read back independently, and one test per bad input of the issue.

mod bad_input;
mod common;
mod compare;
mod course;
mod files;
mod model_file;
mod reliability;
mod stream;
mod stream_memory;

use common::descent;

#[test]
fn train_with_few_epochs_prints_a_summary() {
    let out = descent(&["train", "--epochs", "20", "--quiet"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("layers 2-5-2-1, adam lr 0.0007, batch 64, 20 epochs, faer f32"),
        "{stdout}"
    );
    assert!(stdout.contains("training accuracy"), "{stdout}");
    assert!(stdout.contains("steps/s"), "{stdout}");
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
