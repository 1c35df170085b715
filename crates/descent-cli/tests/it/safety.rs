//! What a new user must not lose: outputs never clobber inputs, the Ctrl-C hint finishes the
//! run byte for byte, a resume without `--save` is warned about, a finite blow-up is named.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TempDir, descent, fails_once, ok};

#[test]
fn no_output_may_clobber_an_input_or_another_output() {
    let dir = TempDir::new("clobber");
    let data = dir.write("iris.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n");
    let before = std::fs::read(&data).unwrap();
    let dotted = dir.path(".").join("iris.csv").display().to_string();
    let train = |extra: &[&str]| {
        let mut args = vec!["train", "--data", &data, "--epochs", "1", "--quiet"];
        args.extend_from_slice(extra);
        args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    for (flag, path) in [("--history", &data), ("--save", &dotted)] {
        let args = train(&[flag, path]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fails_once(2, &args, &[flag, "--data", "same file"]);
    }
    let model = dir.file("m.safetensors");
    fails_once(
        2,
        &refs(&train(&["--save", &model, "--history", &model])),
        &["--save", "--history"],
    );
    assert_eq!(std::fs::read(&data).unwrap(), before, "the data set is intact");
    ok(&refs(&train(&["--save", &model])));
    fails_once(
        2,
        &["predict", "--model", &model, "--data", &data, "--out", &data],
        &["--out", "--data"],
    );
    fails_once(
        2,
        &["predict", "--model", &model, "--data", &data, "--out", &model],
        &["--out", "--model"],
    );
    // --save over the --resume it continues is allowed: that is how a run continues in place.
    ok(&[
        "train", "--resume", &model, "--epochs", "1", "--save", &model, "--quiet", "--data", &data,
    ]);
    assert_eq!(std::fs::read(&data).unwrap(), before);
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The run the Ctrl-C test interrupts: 20,000 epochs of the built-in data in batches of 16.
const RUN: [&str; 6] = ["--epochs", "20000", "--batch-size", "16", "--seed", "4"];

#[test]
fn the_ctrl_c_hint_finishes_the_run_byte_for_byte() {
    let dir = TempDir::new("hint");
    let (stopped, whole) = (dir.file("stopped.safetensors"), dir.file("whole.safetensors"));
    let child = Command::new(env!("CARGO_BIN_EXE_descent"))
        .args(["train", "--quiet", "--save", &stopped])
        .args(RUN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    let start = Instant::now();
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(130), "the run ended before Ctrl-C: {stderr}");
    let command = stderr.split("finish the run with: ").nth(1).expect("a hint").trim().to_owned();
    let words: Vec<&str> = command.split(' ').collect();
    assert_eq!(&words[..4], ["descent", "train", "--resume", &stopped], "{command}");
    assert!(command.ends_with(&format!("--save {stopped}")), "{command}");
    // The hint, run as printed, and the run that was never stopped write the same bytes.
    let resumed = descent(&words[1..]);
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let mut args = vec!["train", "--quiet", "--save", &whole];
    args.extend(RUN);
    ok(&args);
    assert!(std::fs::read(&stopped).unwrap() == std::fs::read(&whole).unwrap());
}

#[test]
fn a_resume_without_save_is_warned_about_before_training() {
    let dir = TempDir::new("resume-nosave");
    let model = dir.file("m.safetensors");
    ok(&["train", "--epochs", "2", "--save", &model, "--quiet"]);
    let out = descent(&["train", "--resume", &model, "--epochs", "1", "--quiet"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning") && stderr.contains("without --save"), "{stderr}");
}

#[test]
fn a_finite_blow_up_is_named_with_exit_0() {
    let out = descent(&["train", "--optimizer", "gd", "--lr", "50", "--epochs", "50", "--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    for text in [&stdout, &stderr] {
        assert!(text.contains("warning: the cost rose from") && text.contains("--lr"), "{text}");
    }
    let calm = ok(&["train", "--epochs", "50", "--quiet"]);
    assert!(!calm.contains("warning"), "{calm}");
}
