//! `cargo xtask export-check`: models trained and exported by the `descent` binary, checked
//! by Python's `onnx.checker` and run by `onnxruntime` against `descent predict`
//! (`xtask/export_check.py`); reported, not fatal, when Python or those packages are missing.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::{path_str, project_root, run_cargo};

/// One model: a name, the `descent gen` data set, the `descent train` flags.
struct Case {
    name: &'static str,
    data: &'static str,
    dtype: &'static str,
    train: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case { name: "sigmoid-relu-f32", data: "moons", dtype: "f32", train: &["--standardize"] },
    Case {
        name: "softmax-tanh-f64",
        data: "spirals",
        dtype: "f64",
        train: &["--activation", "tanh", "--layers", "16,8", "--standardize"],
    },
    Case { name: "linear-relu-f64", data: "moons", dtype: "f64", train: &["--output", "linear"] },
    Case {
        name: "sigmoid-tanh-f64",
        data: "circles",
        dtype: "f64",
        train: &["--activation", "tanh"],
    },
];

/// Runs the check; fails only when a model disagrees or a step of descent fails.
pub(crate) fn run() -> anyhow::Result<()> {
    let root = project_root();
    run_cargo(&["build", "-p", "descent-cli"])?;
    let cli = root.join("target/debug/descent");
    let dir = root.join("target/export-check");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut failures = Vec::new();
    let mut skipped = None;
    for case in CASES {
        let file = |ext: &str| dir.join(format!("{}.{ext}", case.name));
        let (x, y) = (file("x.npy"), file("y.npy"));
        let (model, onnx, pred) = (file("safetensors"), file("onnx"), file("csv"));
        let tolerance = if case.dtype == "f32" { "1e-5" } else { "1e-12" };
        let generate = ["gen", "--data", case.data, "--examples", "300", "--dtype", case.dtype];
        descent(&cli, &generate, &[("--out", &x), ("--labels", &y)])?;
        let mut train = vec!["train", "--quiet", "--epochs", "200", "--dtype", case.dtype];
        train.extend(case.train);
        descent(&cli, &train, &[("--data", &x), ("--labels", &y), ("--save", &model)])?;
        descent(&cli, &["export"], &[("--model", &model), ("--onnx", &onnx)])?;
        descent(
            &cli,
            &["predict", "--proba"],
            &[("--model", &model), ("--data", &x), ("--out", &pred)],
        )?;
        let out = Command::new("python3")
            .arg(root.join("xtask/export_check.py"))
            .args([path_str(&onnx)?, path_str(&x)?, path_str(&pred)?, tolerance])
            .output();
        let report: Option<Value> = match &out {
            Ok(out) => serde_json::from_slice(&out.stdout).ok(),
            Err(e) => {
                skipped = Some(format!("python3 could not start: {e}"));
                break;
            }
        };
        match report {
            Some(v) if v["skipped"].is_string() => {
                skipped = Some(v["skipped"].as_str().unwrap_or_default().to_owned());
                break;
            }
            Some(v) if v["error"].is_null() => eprintln!("  {:<18} ok: {v}", case.name),
            Some(v) => {
                eprintln!("  {:<18} FAILED: {v}", case.name);
                failures.push(case.name);
            }
            None => {
                let stderr = out
                    .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                    .unwrap_or_default();
                eprintln!(
                    "  {:<18} FAILED: export_check.py printed no report: {stderr}",
                    case.name
                );
                failures.push(case.name);
            }
        }
    }
    if let Some(why) = skipped {
        eprintln!(
            "export-check: the ONNX files were written but not checked ({why}); `pip install onnx onnxruntime numpy` to check them"
        );
        return Ok(());
    }
    if !failures.is_empty() {
        bail!(
            "export-check: {} of {} models failed: {}",
            failures.len(),
            CASES.len(),
            failures.join(", ")
        );
    }
    eprintln!(
        "export-check: {} models pass onnx.checker and agree with descent predict in onnxruntime",
        CASES.len()
    );
    Ok(())
}

/// Runs `descent` with `args` and the flag/path pairs, failing when it fails.
fn descent(cli: &Path, args: &[&str], paths: &[(&str, &Path)]) -> anyhow::Result<()> {
    let mut cmd = Command::new(cli);
    cmd.args(args);
    for (flag, path) in paths {
        cmd.arg(flag).arg(path);
    }
    let out = cmd.output().with_context(|| format!("could not start {}", cli.display()))?;
    if !out.status.success() {
        bail!(
            "descent {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
