//! `cargo xtask bench`'s whole process against the training loop: the release `descent`
//! binary's `descent train`, timed from spawn to exit, beside the library's `Trainer::fit`
//! (the `workload` binary's `fit`) on the same data, network, optimizer, batches and seed.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::workloads::{BACKENDS, release_dir};
use crate::{project_root, run_cargo};

/// The workloads compared, in the report's order.
pub(crate) const WORKLOADS: [&str; 2] = ["course", "wide"];
/// The dtype of every comparison.
const DTYPE: &str = "f32";
/// The thread count of every comparison.
const THREADS: usize = 1;

/// One workload on one backend: the loop and the CLI process, repeated alternately.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Comparison {
    pub workload: String,
    pub backend: String,
    pub dtype: String,
    pub threads: usize,
    /// `Trainer::fit` alone, as the `workload` binary times it, one per repetition.
    pub loop_seconds: Vec<f64>,
    /// The whole `descent train` process, spawn to exit, one per repetition.
    pub process_seconds: Vec<f64>,
    /// The loop's last epoch cost.
    pub loop_cost: f64,
    /// The CLI's last epoch cost (the last row of its `--history`).
    pub cli_cost: f64,
    /// The arguments after `descent` (the data folder as `<data>`).
    pub command: String,
}

impl Comparison {
    /// Median process seconds over median loop seconds.
    pub(crate) fn ratio(&self) -> f64 {
        median(&self.process_seconds) / median(&self.loop_seconds)
    }

    /// The relative difference of the final costs, 0 when they are equal.
    pub(crate) fn cost_difference(&self) -> f64 {
        (self.cli_cost - self.loop_cost).abs() / self.loop_cost.abs().max(f64::MIN_POSITIVE)
    }

    /// The comparison as one JSON object (`target/bench/process.json`).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "workload": self.workload,
            "backend": self.backend,
            "dtype": self.dtype,
            "threads": self.threads,
            "loop_seconds": self.loop_seconds,
            "process_seconds": self.process_seconds,
            "loop_median": median(&self.loop_seconds),
            "loop_min": min(&self.loop_seconds),
            "process_median": median(&self.process_seconds),
            "process_min": min(&self.process_seconds),
            "ratio": self.ratio(),
            "loop_cost": self.loop_cost,
            "cli_cost": self.cli_cost,
            "command": format!("descent {}", self.command),
        })
    }
}

/// The median (the mean of the middle two for an even count); NaN when empty.
pub(crate) fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => f64::midpoint(v[n / 2 - 1], v[n / 2]),
    }
}

/// The smallest value; NaN when empty.
pub(crate) fn min(xs: &[f64]) -> f64 {
    xs.iter().copied().reduce(f64::min).unwrap_or(f64::NAN)
}

/// Builds the release CLI, then compares every workload on every backend: one untimed pair
/// of runs that also checks the final costs, then `reps` alternating timed pairs (5, or 3
/// with `quick`, where the workloads are the reduced ones).
pub(crate) fn measure(quick: bool) -> anyhow::Result<Vec<Comparison>> {
    let root = project_root();
    run_cargo(&["build", "--release", "-p", "descent-cli"])?;
    let dir = release_dir(&root);
    let (workload_bin, cli) = (dir.join("workload"), dir.join("descent"));
    let reps = if quick { 3 } else { 5 };
    let mut res = Vec::new();
    for workload in WORKLOADS {
        let data_dir = root.join("target/bench/data").join(format!("process-{workload}"));
        // A folder left by an interrupted run may hold another size of the data.
        let _ = fs::remove_dir_all(&data_dir);
        fs::create_dir_all(&data_dir)
            .with_context(|| format!("could not create {}", data_dir.display()))?;
        for backend in BACKENDS {
            let run_loop = || fit(&workload_bin, workload, backend, quick);
            let first = run_loop()?;
            let args = cli_args(&first, backend, &data_dir, &workload_bin, quick)?;
            let history = data_dir.join("history.csv");
            let mut checked = args.clone();
            checked.extend(["--history".to_owned(), path_string(&history)?]);
            time_cli(&cli, &checked)?;
            let cli_cost = last_history_cost(&history)?;
            // The bits: serde_json may parse a decimal float 1 ulp off.
            let loop_cost = first["final_cost_bits"]
                .as_u64()
                .map(f64::from_bits)
                .context("workload fit: no `final_cost_bits`")?;
            let mut c = Comparison {
                workload: workload.into(),
                backend: backend.into(),
                dtype: DTYPE.into(),
                threads: THREADS,
                loop_seconds: Vec::new(),
                process_seconds: Vec::new(),
                loop_cost,
                cli_cost,
                command: args.join(" ").replace(&path_string(&data_dir)?, "<data>"),
            };
            for _ in 0..reps {
                let v = run_loop()?;
                c.loop_seconds.push(v["seconds"].as_f64().context("workload fit: no seconds")?);
                c.process_seconds.push(time_cli(&cli, &args)?);
            }
            eprintln!(
                "  process {workload:<8} {backend:<9} {DTYPE} {THREADS}T  loop {:.3} s (min {:.3})  \
                 process {:.3} s (min {:.3})  ×{:.2}  final cost loop {loop_cost:.9} CLI {cli_cost:.9}",
                median(&c.loop_seconds),
                min(&c.loop_seconds),
                median(&c.process_seconds),
                min(&c.process_seconds),
                c.ratio()
            );
            res.push(c);
        }
        let _ = fs::remove_dir_all(&data_dir);
    }
    Ok(res)
}

/// `workload fit <workload> <backend> f32 1`: the loop's seconds, final cost and settings.
fn fit(bin: &Path, workload: &str, backend: &str, quick: bool) -> anyhow::Result<Value> {
    let mut cmd = Command::new(bin);
    cmd.args(["fit", workload, backend, DTYPE, &THREADS.to_string()]);
    if quick {
        cmd.arg("--quick");
    }
    json_line(one_thread(&mut cmd), &format!("workload fit {workload} {backend}"))
}

/// The `descent train` arguments of the run `fit` described: the built-in moons as they are,
/// synthetic data dumped once to `.npy` files in `data_dir` (in the run's dtype).
fn cli_args(
    fit: &Value,
    backend: &str,
    data_dir: &Path,
    workload_bin: &Path,
    quick: bool,
) -> anyhow::Result<Vec<String>> {
    let field = |k: &str| fit[k].as_u64().with_context(|| format!("workload fit: no `{k}`"));
    let layers: Vec<u64> = fit["layers"]
        .as_array()
        .context("workload fit: no `layers`")?
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    let hidden: Vec<String> =
        layers.iter().skip(1).take(layers.len().saturating_sub(2)).map(u64::to_string).collect();
    let mut args: Vec<String> = vec!["train".into()];
    match fit["data"].as_str() {
        Some("moons") => {
            args.extend(["--data", "moons", "--examples"].map(String::from));
            args.push(field("examples")?.to_string());
        }
        Some("synthetic" | "teacher") => {
            let (x, y) = (data_dir.join("x.npy"), data_dir.join("y.npy"));
            if !x.is_file() || !y.is_file() {
                dump_npy(workload_bin, fit, data_dir, quick)?;
            }
            args.extend(["--data".into(), path_string(&x)?, "--labels".into(), path_string(&y)?]);
        }
        other => bail!("workload fit: unknown data {other:?}"),
    }
    let text = |k: &str| fit[k].as_str().with_context(|| format!("workload fit: no `{k}`"));
    let lr = fit["lr"].as_f64().context("workload fit: no `lr`")?;
    let seed = field("init_seed")?;
    // `descent train --seed` seeds both the initial weights and the shuffles.
    if field("shuffle_seed")? != seed || fit["shuffle"] != Value::Bool(true) {
        bail!("workload fit: settings `descent train` cannot repeat: {fit}");
    }
    args.extend(
        [
            ("--layers", hidden.join(",")),
            ("--activation", text("hidden")?.to_owned()),
            ("--output", text("output")?.to_owned()),
            ("--optimizer", text("optimizer")?.to_owned()),
            ("--lr", lr.to_string()),
            ("--batch-size", field("batch")?.to_string()),
            ("--epochs", field("epochs")?.to_string()),
            ("--seed", seed.to_string()),
            ("--dtype", DTYPE.into()),
            ("--backend", backend.into()),
            ("--threads", THREADS.to_string()),
        ]
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_owned(), value]),
    );
    args.push("--quiet".into());
    Ok(args)
}

/// `workload npy <workload> f32 <data_dir>`: the workload's data as `.npy` files.
fn dump_npy(bin: &Path, fit: &Value, data_dir: &Path, quick: bool) -> anyhow::Result<()> {
    let workload = fit["workload"].as_str().context("workload fit: no `workload`")?;
    let mut cmd = Command::new(bin);
    cmd.args(["npy", workload, DTYPE, &path_string(data_dir)?]);
    if quick {
        cmd.arg("--quick");
    }
    json_line(&mut cmd, &format!("workload npy {workload}")).map(drop)
}

/// Runs `descent` with `args` to its end and returns the wall-clock seconds.
fn time_cli(cli: &Path, args: &[String]) -> anyhow::Result<f64> {
    let mut cmd = Command::new(cli);
    cmd.args(args);
    one_thread(&mut cmd);
    let start = Instant::now();
    let out = cmd.output().with_context(|| format!("could not start {}", cli.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "`descent {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(seconds)
}

/// The same thread environment for both programs (as `cargo xtask bench` gives its rows).
fn one_thread(cmd: &mut Command) -> &mut Command {
    cmd.env("RAYON_NUM_THREADS", THREADS.to_string()).env("MATMUL_NUM_THREADS", THREADS.to_string())
}

/// Runs `cmd` and parses its standard output as one JSON value.
fn json_line(cmd: &mut Command, what: &str) -> anyhow::Result<Value> {
    let out = cmd.output().with_context(|| format!("could not start `{what}`"))?;
    if !out.status.success() {
        bail!("`{what}` failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("`{what}`: not JSON"))
}

/// The `cost` of the last row of a `descent train --history` CSV (`epoch,lr,cost,...`).
fn last_history_cost(path: &Path) -> anyhow::Result<f64> {
    let text =
        fs::read_to_string(path).with_context(|| format!("could not read {}", path.display()))?;
    parse_last_cost(&text).with_context(|| format!("{}: no cost in the last row", path.display()))
}

fn parse_last_cost(csv: &str) -> Option<f64> {
    let mut lines = csv.lines();
    let col = lines.next()?.split(',').position(|h| h == "cost")?;
    lines.rfind(|l| !l.is_empty())?.split(',').nth(col)?.parse().ok()
}

fn path_string(path: &Path) -> anyhow::Result<String> {
    path.to_str()
        .map(str::to_owned)
        .with_context(|| format!("path {} is not UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_minima_and_history_costs() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(min(&[3.0, 1.0, 2.0]), 1.0);
        let csv = "epoch,lr,cost,accuracy\n0,0.0007,0.69,0.5\n1,0.0007,0.125,0.9\n";
        assert_eq!(parse_last_cost(csv), Some(0.125));
        assert_eq!(parse_last_cost("epoch,lr\n0,1\n"), None);
    }

    #[test]
    fn cli_arguments_follow_the_loop_settings() {
        let fit: Value = serde_json::from_str(
            r#"{"workload":"course","data":"moons","examples":300,"layers":[2,5,2,1],
                "hidden":"relu","output":"sigmoid","optimizer":"adam","lr":0.0007,"batch":64,
                "epochs":5000,"shuffle":true,"init_seed":1,"shuffle_seed":1}"#,
        )
        .unwrap();
        let cli = |fit: &Value| {
            cli_args(fit, "faer", Path::new("/nonexistent"), Path::new("workload"), false)
        };
        let args = cli(&fit);
        assert_eq!(
            args.unwrap().join(" "),
            "train --data moons --examples 300 --layers 5,2 --activation relu --output sigmoid \
             --optimizer adam --lr 0.0007 --batch-size 64 --epochs 5000 --seed 1 --dtype f32 \
             --backend faer --threads 1 --quiet"
        );
        let mut other_seed = fit.clone();
        other_seed["shuffle_seed"] = 2.into();
        assert!(cli(&other_seed).is_err());
    }
}
