//! `cargo xtask kernel-timings`: the elementwise kernels and the course step in a build for
//! the generic x86-64 target (what any program that embeds descent gets by default, and what
//! the workspace itself builds) beside a build for x86-64-v3 (AVX2 + FMA as the baseline).
//!
//! Each build is the release `kernel-timings` binary of descent-benches: the workspace's own
//! (`target/release`, `RUSTFLAGS` removed from the environment) and one with
//! `RUSTFLAGS="-C target-cpu=x86-64-v3"` in `target/x86-64-v3`; the two binaries then run one
//! after the other, three times alternately, and the table gives each row's median over the
//! three runs (every run's figure is itself a median of 15 batches) and the ratio generic / v3.

use std::collections::BTreeMap;
use std::process::Command;

use anyhow::{Context, bail};

use crate::{path_str, project_root, run_cargo_with_env};

/// Runs of each binary, alternating.
const ROUNDS: usize = 3;

pub(crate) fn run() -> anyhow::Result<()> {
    let root = project_root();
    let build = ["build", "--release", "-p", "descent-benches", "--bin", "kernel-timings"];
    // The workspace's own build: the generic x86-64 target (no target-cpu).
    run_cargo_with_env(&build, &[], &["RUSTFLAGS"])?;
    let v3_dir = root.join("target/x86-64-v3");
    let mut v3_build = build.to_vec();
    v3_build.extend(["--target-dir", path_str(&v3_dir)?]);
    run_cargo_with_env(&v3_build, &[("RUSTFLAGS", "-C target-cpu=x86-64-v3")], &[])?;
    let binaries =
        [root.join("target/release/kernel-timings"), v3_dir.join("release/kernel-timings")];
    // row name -> per build, the figures of every round
    let mut figures: BTreeMap<String, [Vec<f64>; 2]> = BTreeMap::new();
    let mut order = Vec::new();
    let mut levels = [String::new(), String::new()];
    for _ in 0..ROUNDS {
        for (b, binary) in binaries.iter().enumerate() {
            let out = Command::new(binary)
                .output()
                .with_context(|| format!("could not run {}", binary.display()))?;
            if !out.status.success() {
                bail!("{} failed: {}", binary.display(), String::from_utf8_lossy(&out.stderr));
            }
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                if let Some(level) = line.strip_prefix("simd level: ") {
                    levels[b] = level.to_string();
                } else if let Some((name, ns)) = line.split_once('\t') {
                    let ns: f64 = ns.trim_end_matches(" ns").parse().context("a figure")?;
                    if !figures.contains_key(name) {
                        order.push(name.to_string());
                    }
                    figures.entry(name.to_string()).or_default()[b].push(ns);
                }
            }
        }
    }
    println!(
        "| operation | generic x86-64 (copies up to {}) | x86-64-v3 (copies up to {}) | generic / v3 |",
        levels[0], levels[1]
    );
    println!("|---|--:|--:|--:|");
    for name in order {
        let [generic, v3] = &figures[&name];
        let (g, v) = (median(generic), median(v3));
        println!("| {name} | {} | {} | {:.2} |", format_ns(g), format_ns(v), g / v);
    }
    Ok(())
}

fn median(xs: &[f64]) -> f64 {
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn format_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.3} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}
