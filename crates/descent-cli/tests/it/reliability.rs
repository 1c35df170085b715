//! Checkpoints and resume through the binary: `--save` then `--resume` equals one run bit for
//! bit, settings come from the checkpoint, other data is refused, Ctrl-C writes a checkpoint
//! and exits 130, SIGKILL at random moments never leaves a checkpoint that does not load and
//! resume, divergence keeps the last good checkpoint, and `--max-memory` refuses big runs.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use descent_io::{load_checkpoint, load_model};

use crate::common::{TempDir, descent, fails_once, ok};

/// `descent train` on 300 moons, small and fast, with `extra` flags.
fn train(extra: &[&str]) -> String {
    let mut args = vec!["train", "--quiet", "--layers", "6,3", "--batch-size", "32", "--seed", "3"];
    args.extend_from_slice(extra);
    ok(&args)
}

#[test]
fn resume_after_n_epochs_equals_one_run_of_n_plus_m_byte_for_byte() {
    let dir = TempDir::new("resume");
    for backend in ["ndarray", "nalgebra", "faer"] {
        for dtype in ["f32", "f64"] {
            for optimizer in ["gd", "momentum", "adam", "rmsprop", "adamw"] {
                let common = [
                    "--backend",
                    backend,
                    "--dtype",
                    dtype,
                    "--optimizer",
                    optimizer,
                    "--lr",
                    "0.05",
                    "--decay",
                    "scheduled",
                    "--decay-interval",
                    "2",
                ];
                let (whole, first, resumed) =
                    (dir.file("whole"), dir.file("first"), dir.file("resumed"));
                train(&[&common[..], &["--epochs", "5", "--save", &whole]].concat());
                train(&[&common[..], &["--epochs", "3", "--save", &first]].concat());
                // Only --epochs and --save now: every other setting comes from the checkpoint.
                ok(&["train", "--quiet", "--resume", &first, "--epochs", "2", "--save", &resumed]);
                let (a, b) = (load_checkpoint(&whole).unwrap(), load_checkpoint(&resumed).unwrap());
                assert_eq!(a.model.params, b.model.params, "{backend} {dtype} {optimizer}");
                assert_eq!(b.resume.epochs_done, 5);
                assert_eq!(
                    std::fs::read(&whole).unwrap(),
                    std::fs::read(&resumed).unwrap(),
                    "{backend} {dtype} {optimizer}: the files differ"
                );
            }
        }
    }
}

#[test]
fn a_checkpoint_is_a_model_for_eval_and_the_same_run_writes_the_same_file() {
    let dir = TempDir::new("same");
    let (a, b) = (dir.file("a.safetensors"), dir.file("b.safetensors"));
    train(&["--epochs", "3", "--save", &a]);
    train(&["--epochs", "3", "--save", &b]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(load_model(&a).unwrap().layers, [2, 6, 3, 1]);
    let out = ok(&["eval", "--model", &a, "--data", "moons"]);
    assert!(out.contains("accuracy"), "{out}");
}

#[test]
fn resume_takes_settings_from_the_checkpoint_and_refuses_other_data() {
    let dir = TempDir::new("settings");
    let first = dir.file("first.safetensors");
    train(&[
        "--epochs",
        "2",
        "--optimizer",
        "rmsprop",
        "--backend",
        "ndarray",
        "--dtype",
        "f64",
        "--save",
        &first,
    ]);
    let next = dir.file("next.safetensors");
    let out = ok(&["train", "--resume", &first, "--epochs", "1", "--save", &next]);
    assert!(out.contains("rmsprop") && out.contains("ndarray f64"), "{out}");
    let c = load_checkpoint(&next).unwrap();
    assert_eq!((c.training.optimizer.name(), c.resume.epochs_done), ("rmsprop", 3));
    assert_eq!(c.settings["layers"], "6,3");
    // A flag given explicitly overrides the checkpoint.
    ok(&["train", "--quiet", "--resume", &first, "--epochs", "1", "--lr", "0.01", "--save", &next]);
    assert_eq!(load_checkpoint(&next).unwrap().training.lr, 0.01);
    // The same data again is fine; other data is refused before training.
    ok(&["train", "--quiet", "--resume", &first, "--epochs", "1", "--data", "moons"]);
    fails_once(
        2,
        &["train", "--resume", &first, "--epochs", "1", "--data", "circles"],
        &["--data", "was trained on 300 examples", "resume on the same data"],
    );
    fails_once(
        2,
        &["train", "--resume", &first, "--optimizer", "adam"],
        &["--resume", "belongs to optimizer \"rmsprop\""],
    );
    let model_only = dir.write("m.safetensors", std::fs::read(&first).unwrap());
    let _ = model_only;
    fails_once(
        2,
        &["train", "--resume", &dir.file("missing.safetensors")],
        &["--resume", "missing.safetensors"],
    );
}

#[test]
fn bad_reliability_flags_exit_2() {
    fails_once(2, &["train", "--checkpoint-every", "2"], &["--checkpoint-every", "--save"]);
    let dir = TempDir::new("flags");
    let save = dir.file("c.safetensors");
    fails_once(2, &["train", "--checkpoint-every", "0", "--save", &save], &["--checkpoint-every"]);
    fails_once(2, &["train", "--max-memory", "lots"], &["--max-memory", "not a memory size"]);
    fails_once(
        2,
        &["train", "--layers", "4000,4000", "--max-memory", "64M"],
        &["--max-memory", "training would need", "the memory limit is 64.0 MiB"],
    );
}

/// Sends `signal` (e.g. `-INT`) to a process with the system's `kill`.
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill").args([signal, &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

/// A long run that writes a checkpoint every epoch to `save`.
fn long_run(save: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_descent"))
        .args([
            "train",
            "--quiet",
            "--epochs",
            "1000000",
            "--batch-size",
            "16",
            "--checkpoint-every",
            "1",
            "--save",
            save,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_finishes_the_batch_writes_a_checkpoint_and_exits_130() {
    let dir = TempDir::new("sigint");
    let save = dir.file("c.safetensors");
    let child = long_run(&save);
    let start = Instant::now();
    while !std::path::Path::new(&save).exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(30));
    signal(child.id(), "-INT");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted") && stderr.contains("checkpoint written to"), "{stderr}");
    let c = load_checkpoint(&save).unwrap();
    assert!(c.resume.epochs_done >= 1);
    ok(&["train", "--quiet", "--resume", &save, "--epochs", "1"]);
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_checkpoint_that_does_not_resume() {
    const RUNS: u64 = 24;
    let dir = TempDir::new("sigkill");
    // Delays from a fixed linear congruential sequence: 20 to 220 ms after the start.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let (mut kills, mut resumed) = (0, 0);
    for run in 0..RUNS {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let delay = 20 + (state >> 33) % 200;
        let save = dir.file(&format!("run{run}.safetensors"));
        let mut child = long_run(&save);
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        if std::path::Path::new(&save).exists() {
            let c = load_checkpoint(&save)
                .unwrap_or_else(|e| panic!("run {run}, killed after {delay} ms: {e}"));
            let next = dir.file(&format!("run{run}-next.safetensors"));
            ok(&["train", "--quiet", "--resume", &save, "--epochs", "1", "--save", &next]);
            assert_eq!(
                load_checkpoint(&next).unwrap().resume.epochs_done,
                c.resume.epochs_done + 1
            );
            resumed += 1;
        }
    }
    println!(
        "{kills} runs killed with SIGKILL, {resumed} left a checkpoint, every one loaded and resumed"
    );
    assert!(resumed >= RUNS / 2, "only {resumed} of {RUNS} runs had written a checkpoint");
}

#[test]
fn divergence_keeps_the_last_good_checkpoint() {
    let dir = TempDir::new("diverge-ckpt");
    let mut text = String::from("x,y\n");
    for j in 0..40 {
        let x = f64::from(j) / 20.0 - 1.0;
        text.push_str(&format!("{x},{}\n", 1000.0 * x));
    }
    let data = dir.write("d.csv", text);
    let save = dir.file("c.safetensors");
    let out = descent(&[
        "train",
        "--data",
        &data,
        "--output",
        "linear",
        "--optimizer",
        "gd",
        "--layers",
        "1",
        "--activation",
        "tanh",
        "--lr",
        "2.3",
        "--batch-size",
        "40",
        "--epochs",
        "3000",
        "--checkpoint-every",
        "1",
        "--save",
        &save,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("diverged") && stderr.contains("the last checkpoint, written after"),
        "{stderr}"
    );
    let c = load_checkpoint(&save).unwrap();
    assert!(c.model.params.iter().flatten().all(|x| x.is_finite()));
    assert!(c.resume.epochs_done > 0);
    let written = format!("written after {} epochs", c.resume.epochs_done);
    assert!(stderr.contains(&written), "{stderr}");
    let diverged_at = format!("diverged at epoch {},", c.resume.epochs_done);
    assert!(stderr.contains(&diverged_at), "{stderr}");
}

#[test]
fn resume_with_l2_dropout_and_class_weights_equals_one_run_byte_for_byte() {
    let dir = TempDir::new("resume-regularized");
    for backend in ["ndarray", "faer"] {
        let common = [
            "--backend",
            backend,
            "--l2",
            "0.7",
            "--dropout",
            "0.8,0.6",
            "--class-weight",
            "balanced",
            "--validation",
            "0.2",
        ];
        let (whole, first, resumed) = (dir.file("whole"), dir.file("first"), dir.file("resumed"));
        train(&[&common[..], &["--epochs", "6", "--save", &whole]].concat());
        train(&[&common[..], &["--epochs", "4", "--save", &first]].concat());
        ok(&["train", "--quiet", "--resume", &first, "--epochs", "2", "--save", &resumed]);
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&resumed).unwrap(),
            "{backend}: the files differ"
        );
        let c = load_checkpoint(&resumed).unwrap();
        assert_eq!(c.settings["l2"], "0.7");
        assert!(c.settings["class_weights"].contains(','), "{:?}", c.settings);
        // Dropout and L2 change the trajectory: not the same file as a plain run.
        let plain = dir.file("plain");
        train(&["--backend", backend, "--validation", "0.2", "--epochs", "6", "--save", &plain]);
        assert_ne!(load_checkpoint(&plain).unwrap().model.params, c.model.params);
    }
}
