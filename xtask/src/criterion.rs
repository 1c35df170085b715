//! `cargo xtask bench --criterion`: the reference check, the criterion benchmarks, their
//! estimates read back from criterion's files, and `BENCHMARKS.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::machine::{self, Machine};
use crate::{project_root, run_cargo};

/// One benchmark's result, read from criterion's `new/benchmark.json` and `new/estimates.json`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Estimate {
    /// The group, e.g. `gemm`.
    pub group: String,
    /// The function, here the backend, e.g. `faer`.
    pub backend: String,
    /// The parameter, here `<dtype>_<shape>`, e.g. `f32_5x2.2x64`.
    pub value: String,
    /// The mean time of one iteration, in nanoseconds.
    pub mean_ns: f64,
    /// The throughput in elements per iteration, when the benchmark set one.
    pub elements: Option<u64>,
    /// When criterion wrote the estimate (rows follow the benchmarks' run order).
    pub written: SystemTime,
}

/// The reference check, the criterion run, then `BENCHMARKS.md`.
pub(crate) fn run(quick: bool) -> anyhow::Result<()> {
    let root = project_root();
    run_cargo(&["run", "--release", "-p", "descent-benches", "--bin", "check-backends"])
        .context("a backend failed its reference check, so nothing was timed")?;
    let load_before = machine::load_average();
    // File times have coarse granularity on some file systems: allow a second of slack.
    let started = SystemTime::now() - Duration::from_secs(1);
    let mut args = vec!["bench", "-p", "descent-benches", "--bench", "main"];
    if quick {
        args.extend(["--", "--quick"]);
    }
    run_cargo(&args)?;
    let load_after = machine::load_average();
    let dir = criterion_dir(&root);
    let estimates = collect(&dir, started)?;
    if estimates.is_empty() {
        bail!("criterion wrote no estimates under {} during this run", dir.display());
    }
    let machine = Machine::probe(&root, quick, load_before, load_after);
    let path = root.join("BENCHMARKS.md");
    fs::write(&path, render(&estimates, &machine))
        .with_context(|| format!("could not write {}", path.display()))?;
    eprintln!("wrote {} ({} benchmarks)", path.display(), estimates.len());
    Ok(())
}

/// Where criterion writes: `$CRITERION_HOME`, else `<target dir>/criterion`.
fn criterion_dir(root: &Path) -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return root.join(home);
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |t| root.join(t));
    target.join("criterion")
}

/// Every estimate under `dir` written at or after `since`, in no particular order.
pub(crate) fn collect(dir: &Path, since: SystemTime) -> anyhow::Result<Vec<Estimate>> {
    let mut found = Vec::new();
    walk(dir, &mut found).with_context(|| format!("could not read {}", dir.display()))?;
    let mut res = Vec::new();
    for new_dir in found {
        let estimates_path = new_dir.join("estimates.json");
        let written = fs::metadata(&estimates_path)
            .and_then(|m| m.modified())
            .with_context(|| format!("could not stat {}", estimates_path.display()))?;
        if written < since {
            continue;
        }
        let benchmark = read_json(&new_dir.join("benchmark.json"))?;
        let estimates = read_json(&estimates_path)?;
        res.push(
            parse(&benchmark, &estimates, written)
                .with_context(|| format!("in {}", new_dir.display()))?,
        );
    }
    Ok(res)
}

/// Collects the `new` directories that hold both `benchmark.json` and `estimates.json`.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() {
            continue;
        }
        let is_new = path.file_name().is_some_and(|n| n == "new");
        if is_new && path.join("benchmark.json").is_file() && path.join("estimates.json").is_file()
        {
            found.push(path);
        } else if !is_new {
            walk(&path, found)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// Reads the ids, the throughput and the mean point estimate.
pub(crate) fn parse(
    benchmark: &Value,
    estimates: &Value,
    written: SystemTime,
) -> anyhow::Result<Estimate> {
    let text = |key: &str| {
        benchmark[key]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("benchmark.json has no string `{key}`"))
    };
    let mean_ns = estimates["mean"]["point_estimate"]
        .as_f64()
        .context("estimates.json has no number `mean.point_estimate`")?;
    Ok(Estimate {
        group: text("group_id")?,
        backend: text("function_id")?,
        value: text("value_str")?,
        mean_ns,
        elements: benchmark["throughput"]["Elements"].as_u64(),
        written,
    })
}

/// Backends in the order of the tables' columns; others follow alphabetically.
const BACKENDS: [&str; 3] = ["ndarray", "nalgebra", "faer"];

/// The whole `BENCHMARKS.md`.
pub(crate) fn render(estimates: &[Estimate], machine: &Machine) -> String {
    let mut out = String::new();
    let command = if machine.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `{command}` on {}; do not edit by hand, run it again. Every backend passed \
         its reference check (`cargo run --release -p descent-benches --bin check-backends`) \
         before anything was timed.\n",
        machine.date
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let load = match (&machine.load_before, &machine.load_after) {
        (Some(b), Some(a)) => format!("; load average {b} before the run, {a} after"),
        _ => String::new(),
    };
    let _ = writeln!(out, "| machine | {}, {} logical CPUs{load} |", machine.cpu, machine.n_cpus);
    let _ = writeln!(out, "| compiler | `{}` |", machine.rustc);
    let cpu = machine
        .target_cpu
        .as_deref()
        .map_or_else(String::new, |c| format!(", `-C target-cpu={c}`"));
    let avx = if machine.avx512 { "present, used by runtime dispatch" } else { "absent" };
    let _ = writeln!(out, "| build | cargo's bench profile (release){cpu}; AVX-512 {avx} |");
    let versions: Vec<String> = machine.versions.iter().map(|(n, v)| format!("{n} {v}")).collect();
    let _ = writeln!(out, "| crates | {} |", versions.join(", "));
    let _ = writeln!(
        out,
        "| features | descent-ndarray (matrixmultiply with `avx512`), descent-nalgebra, descent-faer \
         (`std`, `rayon`); every backend on one thread |"
    );
    let mode = if machine.quick {
        "`--quick`: criterion stops sampling once the estimate is stable, so intervals are wider"
    } else {
        "full sampling (see `benches/benches/*.rs` for each group's settings)"
    };
    let _ = writeln!(out, "| criterion | {mode} |\n");

    let mut groups: Vec<&str> = estimates.iter().map(|e| e.group.as_str()).collect();
    groups.sort_by_key(|g| first_written(estimates, |e| e.group == *g));
    groups.dedup();
    for group in groups {
        let rows: Vec<&Estimate> = estimates.iter().filter(|e| e.group == group).collect();
        render_group(&mut out, group, &rows);
    }
    out.push_str(HOW_TO_READ);
    out
}

const HOW_TO_READ: &str = "\
## How to read it

Each cell is criterion's mean time for one call, over all samples of that benchmark; `gemm`
cells add the throughput `2·m·n·k / time` in GFLOP/s. Rows are named by the stored operands
(`5x64.2x64T` is `dZ·Xᵀ` with `X` stored as 2×64 and used transposed). The course rows
(`5x2`, `5x64`, …) are the products of the `[2, 5, 2, 1]` network on a batch of 64, where a call
takes well under a microsecond and fixed costs (shape checks, dispatch, packing) dominate; the
`1024x784` rows are the first layer of the `wide` network `[784, 1024, 1024, 1]` on a batch of
256, where the kernel dominates and one core's peak is the limit. `train_step` is one complete
step (forward, cost, backward, Adam update) on a batch allocated beforehand, so it measures the
dense math and the optimizer, not data loading. \"fastest\" names the backend with the lowest
mean and \"spread\" is slowest ÷ fastest. The machine may be shared: when the load average
above exceeds the number of CPUs, other processes competed for the cores, absolute times are
pessimistic and differences under about 1.5× between backends can flip from one run to the
next. Compare backends within a row, measured seconds apart, rather than across runs or
machines.
";

/// The earliest write among the estimates that `keep` selects.
fn first_written<'a>(
    estimates: impl IntoIterator<Item = &'a Estimate>,
    keep: impl Fn(&Estimate) -> bool,
) -> SystemTime {
    estimates
        .into_iter()
        .filter(|e| keep(e))
        .map(|e| e.written)
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

fn render_group(out: &mut String, group: &str, estimates: &[&Estimate]) {
    let mut backends: Vec<&str> = estimates.iter().map(|e| e.backend.as_str()).collect();
    backends.sort_by_key(|b| (BACKENDS.iter().position(|k| k == b).unwrap_or(BACKENDS.len()), *b));
    backends.dedup();
    let mut rows: Vec<&str> = estimates.iter().map(|e| e.value.as_str()).collect();
    rows.sort_by_key(|v| first_written(estimates.iter().copied(), |e| e.value == *v));
    rows.dedup();
    let is_gemm = group == "gemm";
    let _ = writeln!(out, "## {group}\n");
    let _ = writeln!(
        out,
        "{}\n",
        if is_gemm {
            "Mean time per product · GFLOP/s (one thread)."
        } else {
            "Mean time per training step (one thread)."
        }
    );
    let _ = writeln!(
        out,
        "| {} | dtype | {} | fastest | spread |",
        if is_gemm { "shape" } else { "network" },
        backends.join(" | ")
    );
    let _ = writeln!(out, "|---|---|{}---|---|", "---:|".repeat(backends.len()));
    for value in rows {
        let (dtype, name) = value.split_once('_').unwrap_or(("", value));
        let by_backend: BTreeMap<&str, &Estimate> = estimates
            .iter()
            .filter(|e| e.value == value)
            .map(|e| (e.backend.as_str(), *e))
            .collect();
        let cells: Vec<String> = backends
            .iter()
            .map(|b| match by_backend.get(b) {
                None => "—".to_owned(),
                Some(e) => match (is_gemm, e.elements) {
                    (true, Some(flops)) => {
                        format!("{} · {:.1}", format_ns(e.mean_ns), flops as f64 / e.mean_ns)
                    }
                    _ => format_ns(e.mean_ns),
                },
            })
            .collect();
        let fastest = by_backend.values().min_by(|a, b| a.mean_ns.total_cmp(&b.mean_ns));
        let slowest = by_backend.values().max_by(|a, b| a.mean_ns.total_cmp(&b.mean_ns));
        let (fastest_name, spread) = match (fastest, slowest) {
            (Some(f), Some(s)) => (f.backend.as_str(), format!("×{:.1}", s.mean_ns / f.mean_ns)),
            _ => ("—", "—".to_owned()),
        };
        let label = if is_gemm { pretty_gemm(name) } else { pretty_network(name) };
        let _ = writeln!(
            out,
            "| {label} | {dtype} | {} | {fastest_name} | {spread} |",
            cells.join(" | ")
        );
    }
    out.push('\n');
}

/// `5x64.2x64T` → `` `5x64.2x64T` (5×64 · (2×64)ᵀ) ``; other ids are kept as they are.
fn pretty_gemm(id: &str) -> String {
    let operand = |s: &str| match s.strip_suffix('T') {
        Some(stored) => format!("({})ᵀ", stored.replace('x', "×")),
        None => s.replace('x', "×"),
    };
    match id.split_once('.') {
        Some((a, b)) => format!("`{id}` {} · {}", operand(a), operand(b)),
        None => format!("`{id}`"),
    }
}

/// `course_2-5-2-1_b64` → `` `course_2-5-2-1_b64` [2, 5, 2, 1], batch 64 ``.
fn pretty_network(id: &str) -> String {
    let parts: Vec<&str> = id.split('_').collect();
    match parts.as_slice() {
        [_, widths, batch] if batch.starts_with('b') => {
            format!("`{id}` [{}], batch {}", widths.replace('-', ", "), &batch[1..])
        }
        _ => format!("`{id}`"),
    }
}

/// Three significant digits in ns, µs, ms or s.
fn format_ns(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_files_parse_and_missing_fields_are_errors() {
        let benchmark: Value = serde_json::from_str(
            r#"{"group_id":"gemm","function_id":"faer","value_str":"f32_5x2.2x64",
                "throughput":{"Elements":1280},"full_id":"gemm/faer/f32_5x2.2x64"}"#,
        )
        .unwrap();
        let estimates: Value = serde_json::from_str(
            r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":40.0,
                "upper_bound":44.0},"point_estimate":42.5,"standard_error":1.0}}"#,
        )
        .unwrap();
        let e = parse(&benchmark, &estimates, SystemTime::UNIX_EPOCH).unwrap();
        assert_eq!(
            (e.group.as_str(), e.backend.as_str(), e.value.as_str()),
            ("gemm", "faer", "f32_5x2.2x64")
        );
        assert_eq!((e.mean_ns, e.elements), (42.5, Some(1280)));
        assert!(parse(&benchmark, &Value::Null, SystemTime::UNIX_EPOCH).is_err());
        assert!(parse(&Value::Null, &estimates, SystemTime::UNIX_EPOCH).is_err());
    }

    #[test]
    fn a_missing_criterion_directory_is_an_error() {
        assert!(collect(Path::new("/nonexistent/criterion"), SystemTime::UNIX_EPOCH).is_err());
    }

    fn estimate(group: &str, backend: &str, value: &str, mean_ns: f64, order: u64) -> Estimate {
        Estimate {
            group: group.into(),
            backend: backend.into(),
            value: value.into(),
            mean_ns,
            elements: Some(1000),
            written: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(order),
        }
    }

    #[test]
    fn helpers_format_times_and_shapes() {
        assert_eq!(format_ns(42.0), "42.0 ns");
        assert_eq!(format_ns(1234.0), "1.23 µs");
        assert_eq!(format_ns(123_456_789.0), "123 ms");
        assert_eq!(pretty_gemm("5x2T.5x64"), "`5x2T.5x64` (5×2)ᵀ · 5×64");
        assert_eq!(
            pretty_network("course_2-5-2-1_b64"),
            "`course_2-5-2-1_b64` [2, 5, 2, 1], batch 64"
        );
    }

    #[test]
    fn tables_have_a_row_per_shape_in_run_order_and_a_column_per_backend() {
        let estimates = [
            estimate("gemm", "ndarray", "f32_5x2.2x64", 200.0, 1),
            estimate("gemm", "faer", "f32_5x2.2x64", 50.0, 2),
            estimate("gemm", "nalgebra", "f32_5x2.2x64", 100.0, 3),
            estimate("gemm", "ndarray", "f32_1024x784.784x256", 1e6, 4),
            estimate("train_step", "faer", "f64_course_2-5-2-1_b64", 2000.0, 5),
        ];
        let machine = Machine {
            cpu: "Test CPU".into(),
            n_cpus: 2,
            avx512: true,
            load_before: Some("1.5".into()),
            load_after: None,
            rustc: "rustc 1.95.0".into(),
            date: "2026-11-22".into(),
            quick: true,
            target_cpu: Some("x86-64-v3".into()),
            versions: vec![("faer".into(), "0.24.4".into())],
        };
        let md = render(&estimates, &machine);
        assert!(
            md.contains("| shape | dtype | ndarray | nalgebra | faer | fastest | spread |"),
            "{md}"
        );
        assert!(md.contains("| `5x2.2x64` 5×2 · 2×64 | f32 | 200 ns · 5.0 | 100 ns · 10.0 | 50.0 ns · 20.0 | faer | ×4.0 |"), "{md}");
        assert!(md.contains("| f32 | 1.00 ms · 0.0 | — | — | ndarray | ×1.0 |"), "{md}");
        assert!(md.find("5x2.2x64").unwrap() < md.find("1024x784").unwrap());
        assert!(md.contains("## train_step"));
        assert!(md.contains("Test CPU, 2 logical CPUs"));
        assert!(md.contains("## How to read it"));
    }
}
