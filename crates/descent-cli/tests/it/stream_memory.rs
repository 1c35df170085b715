//! `descent train`, `descent eval` and `descent predict` on memory-mapped `.npy` files keep their
//! private memory
//! (`RssAnon` of `/proc/<pid>/status`, which excludes the file pages the kernel can drop) under
//! 32 MiB plus 8 bytes per example, as descent-io's 1 GiB test shows for the library.
//!
//! The files are made by `descent gen`: 4,194,304 examples of 16 float32 features (256 MiB) and
//! their labels. The bound is then 64 MiB, loose enough that a copy of the labels (8 bytes per
//! example) beside the permutation (4) would pass it too; so the test also runs the same
//! commands on 4,096 examples and checks that the difference grows by under 8 bytes per
//! example. It polls the child's status every millisecond while it runs and keeps the largest
//! `RssAnon` seen.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TempDir, ok};

const MIB: u64 = 1 << 20;
const EXAMPLES: u64 = 1 << 22;
const SMALL: u64 = 1 << 12;

#[test]
fn streamed_train_eval_and_predict_stay_under_32_mib_plus_8_bytes_per_example() {
    let dir = TempDir::new("stream-memory");
    let big = generate(&dir, "big", EXAMPLES);
    let small = generate(&dir, "small", SMALL);
    let bound = 32 * MIB + 8 * EXAMPLES;
    let predictions = dir.file("predictions.csv");
    for command in ["train", "eval", "predict"] {
        let [big_run, small_run] = [&big, &small].map(|(x, y, model)| {
            let args = match command {
                "train" => vec![
                    "train",
                    "--data",
                    x,
                    "--labels",
                    y,
                    "--standardize",
                    "--epochs",
                    "1",
                    "--batch-size",
                    "4096",
                    "--layers",
                    "4",
                    "--lr",
                    "0.01",
                    "--threads",
                    "1",
                    "--quiet",
                    "--save",
                    model,
                ],
                "eval" => vec!["eval", "--model", model, "--data", x, "--labels", y, "--json"],
                // The predictions go to a file (4 million CSV rows), written as they come.
                _ => vec!["predict", "--model", model, "--data", x, "--out", &predictions],
            };
            let run = run_watching_rss_anon(&args);
            assert!(run.success, "{args:?}: {}", run.stderr);
            assert!(run.samples >= 3, "{args:?}: only {} samples of /proc status", run.samples);
            assert!(run.peak > 0, "{args:?}: RssAnon never read");
            run
        });
        let per_example =
            (big_run.peak.saturating_sub(small_run.peak)) as f64 / (EXAMPLES - SMALL) as f64;
        println!(
            "descent {command}: peak RssAnon {:.1} MiB for {EXAMPLES} examples ({} samples, \
             {:.2} s; bound {} MiB), {:.1} MiB for {SMALL}: {per_example:.2} bytes per example",
            big_run.peak as f64 / MIB as f64,
            big_run.samples,
            big_run.seconds,
            bound / MIB,
            small_run.peak as f64 / MIB as f64,
        );
        assert!(big_run.peak < bound, "{command}: RssAnon peaked at {} > {bound}", big_run.peak);
        // The memory that grows with the data: the permutation (4 bytes per example, training
        // only) and nothing else; the labels are read from the mapping, the predictions are
        // written chunk by chunk.
        assert!(per_example < 8.0, "{command}: {per_example} bytes per example");
        if command == "eval" {
            let accuracy = crate::common::last_json(&big_run.stdout)["accuracy"].as_f64().unwrap();
            assert!(accuracy > 0.8, "the labels were learned: {}", big_run.stdout);
        }
    }
}

/// Writes `examples` examples of 16 float32 features with `descent gen`: the features, the
/// labels and the model file to train.
fn generate(dir: &TempDir, name: &str, examples: u64) -> (String, String, String) {
    let (x, y) = (dir.file(&format!("{name}-X.npy")), dir.file(&format!("{name}-y.npy")));
    let n = examples.to_string();
    ok(&["gen", "--examples", &n, "--features", "16", "--out", &x, "--labels", &y]);
    (x, y, dir.file(&format!("{name}.safetensors")))
}

/// What a watched run of the binary gave.
struct Watched {
    success: bool,
    stdout: String,
    stderr: String,
    /// The largest `RssAnon` seen, in bytes.
    peak: u64,
    /// How many times the status was read.
    samples: usize,
    seconds: f64,
}

/// Runs `descent args`, reading the child's `RssAnon` every millisecond until it exits.
fn run_watching_rss_anon(args: &[&str]) -> Watched {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_descent"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let status_path = format!("/proc/{}/status", child.id());
    let (mut peak, mut samples) = (0, 0);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        // Between exit and reaping the status has no memory lines: `None` then.
        if let Some(anon) = std::fs::read_to_string(&status_path).ok().and_then(|s| rss_anon(&s)) {
            peak = peak.max(anon);
            samples += 1;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    // The outputs are a few lines (`--quiet`): the pipes never fill while the child runs.
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    Watched {
        success: status.success(),
        stdout,
        stderr,
        peak,
        samples,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// The `RssAnon` line of a `/proc/<pid>/status` text, in bytes.
fn rss_anon(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
