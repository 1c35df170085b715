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
