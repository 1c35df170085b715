//! `cargo xtask bench`: the workloads (`target/bench/report.md` and `report.png`) and, with
//! `--criterion`, the criterion run and `BENCHMARKS.md`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::report::{self, Machine};
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

/// The workloads' report, then (with `criterion`) the criterion benchmarks.
pub(crate) fn run(quick: bool, criterion: bool) -> anyhow::Result<()> {
    let root = project_root();
    let load_before = report::load_average();
    let results = crate::workloads::measure(quick)?;
    let load_after = report::load_average();
    let machine = Machine::probe(&root, quick, load_before, load_after);
    let dir = root.join("target/bench");
    fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let markdown = crate::summary::render(&results, &machine);
    let path = dir.join("report.md");
    fs::write(&path, &markdown).with_context(|| format!("could not write {}", path.display()))?;
    println!("{markdown}");
    eprintln!("wrote {}", path.display());
    let png = dir.join("report.png");
    crate::chart::draw(&results, &png)?;
    eprintln!("wrote {}", png.display());
    if criterion { run_criterion(quick) } else { Ok(()) }
}

/// The reference check, the criterion run, then `BENCHMARKS.md`.
fn run_criterion(quick: bool) -> anyhow::Result<()> {
    let root = project_root();
    run_cargo(&["run", "--release", "-p", "descent-benches", "--bin", "check-backends"])
        .context("a backend failed its reference check, so nothing was timed")?;
    let load_before = report::load_average();
    // File times have coarse granularity on some file systems: allow a second of slack.
    let started = SystemTime::now() - Duration::from_secs(1);
    let mut args = vec!["bench", "-p", "descent-benches", "--bench", "main"];
    if quick {
        args.extend(["--", "--quick"]);
    }
    run_cargo(&args)?;
    let load_after = report::load_average();
    let dir = criterion_dir(&root);
    let estimates = collect(&dir, started)?;
    if estimates.is_empty() {
        bail!("criterion wrote no estimates under {} during this run", dir.display());
    }
    let machine = Machine::probe(&root, quick, load_before, load_after);
    let path = root.join("BENCHMARKS.md");
    fs::write(&path, report::render(&estimates, &machine))
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
}
