//! `cargo xtask bench`: the workloads and the whole-process comparisons
//! (`target/bench/report.md`, `report.png` and `process.json`) and, with `--criterion`, the
//! criterion run and `BENCHMARKS.md`.

use std::fs;

use anyhow::Context;

use crate::machine::{self, Machine};
use crate::{chart, criterion, process, project_root, report, workloads};

/// The workloads' report, then (with `with_criterion`) the criterion benchmarks.
pub(crate) fn run(quick: bool, with_criterion: bool) -> anyhow::Result<()> {
    let root = project_root();
    let load_before = machine::load_average();
    let results = workloads::measure(quick)?;
    let processes = process::measure(quick)?;
    let load_after = machine::load_average();
    let machine = Machine::probe(&root, quick, load_before, load_after);
    let dir = root.join("target/bench");
    fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    let markdown = report::render(&results, &processes, &machine);
    let path = dir.join("report.md");
    fs::write(&path, &markdown).with_context(|| format!("could not write {}", path.display()))?;
    println!("{markdown}");
    eprintln!("wrote {}", path.display());
    let json = dir.join("process.json");
    let rows: Vec<serde_json::Value> = processes.iter().map(process::Comparison::to_json).collect();
    fs::write(&json, serde_json::Value::from(rows).to_string() + "\n")
        .with_context(|| format!("could not write {}", json.display()))?;
    eprintln!("wrote {}", json.display());
    let png = dir.join("report.png");
    chart::draw(&results, &png)?;
    eprintln!("wrote {}", png.display());
    if with_criterion { criterion::run(quick) } else { Ok(()) }
}
