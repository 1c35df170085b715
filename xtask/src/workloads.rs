//! `cargo xtask bench`: the five standard workloads on every backend, dtype and thread count,
//! each in its own process, plus the GEMM ceiling and the numpy / PyTorch references.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::{project_root, run_cargo};

/// The workloads, in the report's order (defined in `benches/src/workload.rs`).
pub(crate) const WORKLOADS: [&str; 5] = ["course", "sgd", "deep-narrow", "wide", "tabular"];
/// The backends, in the report's order.
pub(crate) const BACKENDS: [&str; 3] = ["ndarray", "nalgebra", "faer"];
/// The dtypes.
pub(crate) const DTYPES: [&str; 2] = ["f32", "f64"];
/// The thread counts.
pub(crate) const THREADS: [usize; 2] = [1, 2];

/// One row of the report: a workload run on one backend, dtype and thread count.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub workload: String,
    pub backend: String,
    pub dtype: String,
    pub threads: usize,
    pub seconds: f64,
    pub steps: u64,
    pub examples: u64,
    pub epochs: u64,
    pub flops_per_example: f64,
    pub final_cost: Option<f64>,
    pub peak_rss_kib: Option<u64>,
    /// Bytes of data + parameters + Adam's moments.
    pub state_bytes: u64,
    /// The best library GEMM on the step's products, measured right after the run in the same
    /// process: `(GFLOP/s, backend)`.
    pub ceiling: Option<(f64, String)>,
}

impl Row {
    pub(crate) fn us_per_step(&self) -> f64 {
        1e6 * self.seconds / self.steps as f64
    }

    pub(crate) fn examples_per_sec(&self) -> f64 {
        (self.examples * self.epochs) as f64 / self.seconds
    }

    pub(crate) fn gflops(&self) -> f64 {
        self.flops_per_example * (self.examples * self.epochs) as f64 / self.seconds / 1e9
    }
}

/// A reference implementation's time on one workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reference {
    pub workload: String,
    /// `numpy` or `torch`.
    pub framework: String,
    /// Seconds, or why there are none (Python or the package missing).
    pub seconds: Result<f64, String>,
}

/// Everything one `cargo xtask bench` measured.
#[derive(Debug, Clone, Default)]
pub(crate) struct Results {
    pub rows: Vec<Row>,
    /// `(workload, dtype, threads, backend, GFLOP/s)` of the GEMM alone on a step's products.
    pub ceilings: Vec<(String, String, usize, String, f64)>,
    pub references: Vec<Reference>,
    /// What the correctness pre-check compared, one line per workload and dtype.
    pub precheck: Vec<String>,
}

impl Results {
    /// The best GEMM throughput over the backends for a workload, dtype and thread count.
    pub(crate) fn ceiling(
        &self,
        workload: &str,
        dtype: &str,
        threads: usize,
    ) -> Option<(f64, &str)> {
        self.ceilings
            .iter()
            .filter(|c| c.0 == workload && c.1 == dtype && c.2 == threads)
            .max_by(|a, b| a.4.total_cmp(&b.4))
            .map(|c| (c.4, c.3.as_str()))
    }

    pub(crate) fn reference(&self, workload: &str, framework: &str) -> Option<&Reference> {
        self.references.iter().find(|r| r.workload == workload && r.framework == framework)
    }
}

/// The release binaries' directory (cargo's default target dir unless `CARGO_TARGET_DIR`).
pub(crate) fn release_dir(root: &Path) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    target.join("release")
}

/// Builds the runner, checks every backend, then measures everything.
pub(crate) fn measure(quick: bool) -> anyhow::Result<Results> {
    let root = project_root();
    run_cargo(&["build", "--release", "-p", "descent-benches", "--bins"])?;
    let bin = release_dir(&root).join("workload");
    let status = Command::new(release_dir(&root).join("check-backends"))
        .status()
        .context("could not start check-backends")?;
    if !status.success() {
        bail!("a backend failed its reference check (check-backends), so nothing was timed");
    }
    let mut res = Results { precheck: precheck(&bin)?, ..Results::default() };
    for workload in WORKLOADS {
        for dtype in DTYPES {
            for threads in THREADS {
                for backend in BACKENDS {
                    let v = child(&bin, "ceiling", workload, backend, dtype, threads, quick)?;
                    let gflops = v["gflops"].as_f64().context("ceiling: no `gflops`")?;
                    res.ceilings.push((
                        workload.into(),
                        dtype.into(),
                        threads,
                        backend.into(),
                        gflops,
                    ));
                }
            }
        }
    }
    for workload in WORKLOADS {
        for dtype in DTYPES {
            for threads in THREADS {
                for backend in BACKENDS {
                    let v = child(&bin, "run", workload, backend, dtype, threads, quick)?;
                    let row = parse_row(&v).with_context(|| format!("output {v}"))?;
                    eprintln!(
                        "  {workload:<12} {backend:<9} {dtype} {threads}T  {:>10.2} µs/step  {:>8.3} s",
                        row.us_per_step(),
                        row.seconds
                    );
                    res.rows.push(row);
                }
            }
        }
        res.references.extend(references(&root, &bin, workload, quick)?);
    }
    Ok(res)
}

/// Runs every workload (reduced) on every backend and dtype and requires the backends to
/// agree on the final cost: relative `1e-9` in f64, `1e-3` in f32.
fn precheck(bin: &Path) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for workload in WORKLOADS {
        for dtype in DTYPES {
            let mut costs = Vec::new();
            for backend in BACKENDS {
                let v = child(bin, "run", workload, backend, dtype, 1, true)?;
                let cost = v["final_cost"]
                    .as_f64()
                    .with_context(|| format!("{workload} {backend} {dtype}: no final cost"))?;
                costs.push((backend, cost));
            }
            let limit = if dtype == "f64" { 1e-9 } else { 1e-3 };
            let reference = costs[0].1;
            let worst = costs
                .iter()
                .map(|(_, c)| (c - reference).abs() / reference.abs().max(f64::MIN_POSITIVE))
                .fold(0.0, f64::max);
            let listed: Vec<String> = costs.iter().map(|(b, c)| format!("{b} {c:.12}")).collect();
            let line = format!(
                "{workload} {dtype} (reduced run): {}; largest relative difference {worst:.1e} (limit {limit:.0e})",
                listed.join(", ")
            );
            eprintln!("  {line}");
            // A NaN difference fails too.
            if worst.is_nan() || worst > limit {
                bail!("the backends disagree on the final cost: {line}");
            }
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Runs the workload binary in a child process with the thread count in its environment.
fn child(
    bin: &Path,
    mode: &str,
    workload: &str,
    backend: &str,
    dtype: &str,
    threads: usize,
    quick: bool,
) -> anyhow::Result<Value> {
    let mut cmd = Command::new(bin);
    cmd.args([mode, workload, backend, dtype, &threads.to_string()]);
    if quick {
        cmd.arg("--quick");
    }
    cmd.env("RAYON_NUM_THREADS", threads.to_string())
        .env("MATMUL_NUM_THREADS", threads.to_string());
    let out = cmd.output().with_context(|| format!("could not start {}", bin.display()))?;
    let what = format!("workload {mode} {workload} {backend} {dtype} {threads}");
    if !out.status.success() {
        bail!("`{what}` failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8(out.stdout).with_context(|| format!("`{what}`: not UTF-8"))?;
    serde_json::from_str(text.trim()).with_context(|| format!("`{what}` printed {text:?}"))
}

fn parse_row(v: &Value) -> anyhow::Result<Row> {
    let text = |k: &str| v[k].as_str().map(str::to_owned).with_context(|| format!("no `{k}`"));
    let uint = |k: &str| v[k].as_u64().with_context(|| format!("no `{k}`"));
    let float = |k: &str| v[k].as_f64().with_context(|| format!("no `{k}`"));
    Ok(Row {
        workload: text("workload")?,
        backend: text("backend")?,
        dtype: text("dtype")?,
        threads: usize::try_from(uint("threads")?)?,
        seconds: float("seconds")?,
        steps: uint("steps")?,
        examples: uint("examples")?,
        epochs: uint("epochs")?,
        flops_per_example: float("flops_per_example")?,
        final_cost: v["final_cost"].as_f64(),
        peak_rss_kib: v["peak_rss_kib"].as_u64(),
        state_bytes: uint("state_bytes")?,
        ceiling: v["ceiling_gflops"].as_f64().zip(v["ceiling_backend"].as_str().map(str::to_owned)),
    })
}

/// numpy (f64, one thread) and PyTorch (f32, one thread) on the workload's data, through
/// `xtask/reference.py`; a missing interpreter or package is recorded, not an error.
fn references(
    root: &Path,
    bin: &Path,
    workload: &str,
    quick: bool,
) -> anyhow::Result<Vec<Reference>> {
    let dir = root.join("target/bench/data").join(workload);
    let mut cmd = Command::new(bin);
    cmd.args(["dump", workload, dir.to_str().context("target path is not UTF-8")?]);
    if quick {
        cmd.arg("--quick");
    }
    let out = cmd.output().context("could not start the workload binary")?;
    if !out.status.success() {
        bail!("workload dump {workload} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let meta: Value = serde_json::from_slice(&out.stdout).context("workload dump: not JSON")?;
    let layers: Vec<String> = meta["layers"]
        .as_array()
        .context("dump: no layers")?
        .iter()
        .map(ToString::to_string)
        .collect();
    let field = |k: &str| meta[k].to_string();
    let mut res = Vec::new();
    for framework in ["numpy", "torch"] {
        let out = Command::new("python3")
            .arg(root.join("xtask/reference.py"))
            .args([framework, dir.to_str().unwrap_or_default(), &layers.join(",")])
            .args([field("batch"), field("epochs"), field("lr"), "1".to_owned()])
            .envs([
                ("OMP_NUM_THREADS", "1"),
                ("OPENBLAS_NUM_THREADS", "1"),
                ("MKL_NUM_THREADS", "1"),
            ])
            .output();
        let seconds = match out {
            Err(e) => Err(format!("python3 could not start: {e}")),
            Ok(out) => {
                let v: Option<Value> = serde_json::from_slice(&out.stdout).ok();
                match v {
                    Some(v) if v["seconds"].is_f64() => Ok(v["seconds"].as_f64().unwrap_or(0.0)),
                    Some(v) if v["error"].is_string() => {
                        Err(v["error"].as_str().unwrap_or_default().to_owned())
                    }
                    _ => Err(format!(
                        "reference.py failed ({}): {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or_default()
                    )),
                }
            }
        };
        match &seconds {
            Ok(s) => eprintln!("  {workload:<12} {framework:<9} {s:.3} s"),
            Err(e) => eprintln!("  {workload:<12} {framework:<9} not run: {e}"),
        }
        res.push(Reference { workload: workload.into(), framework: framework.into(), seconds });
    }
    let _ = fs::remove_dir_all(&dir);
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_and_derive_their_rates() {
        let v: Value = serde_json::from_str(
            r#"{"mode":"run","workload":"course","backend":"faer","dtype":"f32","threads":1,
                "seconds":0.5,"steps":25000,"examples":300,"epochs":5000,"flops_per_example":112,
                "final_cost":6.5e-2,"peak_rss_kib":3000,"state_bytes":3744,
                "ceiling_gflops":4.5,"ceiling_backend":"faer"}"#,
        )
        .unwrap();
        let row = parse_row(&v).unwrap();
        assert_eq!(row.us_per_step(), 20.0);
        assert_eq!(row.examples_per_sec(), 3e6);
        assert!((row.gflops() - 112.0 * 3e6 / 1e9).abs() < 1e-12);
        assert_eq!(row.ceiling, Some((4.5, "faer".to_owned())));
        assert!(parse_row(&Value::Null).is_err());
    }
}
