//! `descent compare`: the table and the figure.

use crate::common::{TempDir, fails_once, ok};

#[test]
fn compare_prints_a_row_per_optimizer_and_writes_the_figure() {
    let dir = TempDir::new("compare");
    let png = dir.file("c.png");
    let out =
        ok(&["compare", "--epochs", "20", "--plot", &png, "--quiet", "--backend", "nalgebra"]);
    for name in ["gd", "momentum", "adam"] {
        assert!(out.lines().any(|l| l.starts_with(name)), "{name}: {out}");
    }
    assert!(out.contains("nalgebra f32"), "{out}");
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[test]
fn compare_on_a_csv_with_svg_and_a_decay() {
    let dir = TempDir::new("compare-csv");
    let data = dir.write("d.csv", crate::common::binary_csv(50, 2));
    let svg = dir.file("c.svg");
    let out = ok(&[
        "compare",
        "--data",
        &data,
        "--optimizers",
        "rmsprop,adamw",
        "--decay",
        "step",
        "--decay-interval",
        "5",
        "--epochs",
        "10",
        "--standardize",
        "--plot",
        &svg,
        "--backend",
        "ndarray",
        "--dtype",
        "f64",
    ]);
    assert!(out.contains("decay step") && out.contains("ndarray f64"), "{out}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("rmsprop") && text.contains("adamw"));
}

#[test]
fn compare_refuses_an_unknown_optimizer_and_train_only_flags() {
    fails_once(
        2,
        &["compare", "--optimizers", "adam,nope", "--epochs", "1"],
        &["--optimizers", "nope"],
    );
    fails_once(2, &["compare", "--save", "m.safetensors", "--epochs", "1"], &["--save"]);
}

#[test]
fn compare_honours_every_flag_it_accepts_or_refuses_it_by_name() {
    // Refused: what compare cannot honour, each named, even at its default value.
    for (flag, value) in [
        ("--optimizer", "adam"),
        ("--history", "h.csv"),
        ("--validation", "0.2"),
        ("--resume", "c.safetensors"),
        ("--checkpoint-every", "1"),
    ] {
        fails_once(2, &["compare", flag, value, "--epochs", "1"], &[flag]);
    }
    // Honoured: --max-memory refuses a run too large for it, like train.
    fails_once(
        2,
        &["compare", "--layers", "4000,4000", "--max-memory", "64M", "--epochs", "1"],
        &["--max-memory", "training would need"],
    );
    // Honoured: --quiet writes the figure without announcing it; --final-eval scores the
    // trained networks.
    let dir = TempDir::new("compare-flags");
    let plot = dir.file("c.png");
    let out = ok(&["compare", "--epochs", "2", "--quiet", "--plot", &plot]);
    assert!(!out.contains("plot written") && std::path::Path::new(&plot).is_file(), "{out}");
    assert!(out.contains("last epoch"), "{out}");
    let out = ok(&["compare", "--epochs", "2", "--quiet", "--plot", &plot, "--final-eval"]);
    assert!(out.contains("final cost"), "{out}");
}

#[test]
fn ctrl_c_prints_the_table_of_what_trained_and_exits_130() {
    // The handler is in place long before a second has passed (it starts in milliseconds).
    let (code, stdout, stderr) = crate::common::interrupted_after(
        1000,
        &["compare", "--epochs", "100000000", "--optimizers", "gd,adam", "--quiet"],
    );
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(stdout.contains("gd (stopped at epoch "), "{stdout}");
    assert!(!stdout.contains("adam"), "adam never started: {stdout}");
    assert!(stderr.contains("1 of 2 optimizers"), "{stderr}");
}

#[test]
fn without_plot_compare_writes_no_file() {
    let dir = TempDir::new("compare-no-plot");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_descent"))
        .args(["compare", "--epochs", "3", "--quiet"])
        .current_dir(dir.path(""))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_dir(dir.path("")).unwrap().count(), 0, "a file was written");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("plot written"));
}
