//! `cargo xtask stream-bench` and `cargo xtask stream-test`: training from memory-mapped
//! files. The benchmark's table (examples/s from a mapped file, warm and cold page cache,
//! against the same data in memory, each with and without prefetching) goes into its own section of `BENCHMARKS.md`, which
//! `cargo xtask bench` also writes.

use std::fs;
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::{cargo, project_root, run_cargo};

/// The heading of the section this module owns in `BENCHMARKS.md`.
const HEADING: &str = "## Training from a memory-mapped file";

/// Runs descent-benches' `stream-bench` (a 256 MiB file; 64 MiB with `quick`) and writes its
/// table into `BENCHMARKS.md`, replacing an earlier one.
pub(crate) fn bench(quick: bool) -> anyhow::Result<()> {
    let mut args = vec!["run", "--release", "-p", "descent-benches", "--bin", "stream-bench"];
    if quick {
        args.extend(["--", "--examples", "262144"]);
    }
    eprintln!("$ cargo {}", args.join(" "));
    let out =
        cargo().args(&args).stderr(Stdio::inherit()).output().context("could not start cargo")?;
    if !out.status.success() {
        bail!("`cargo {}` failed ({})", args.join(" "), out.status);
    }
    let table = String::from_utf8(out.stdout).context("stream-bench printed non-UTF-8")?;
    print!("{table}");
    let path = project_root().join("BENCHMARKS.md");
    let old = fs::read_to_string(&path).unwrap_or_default();
    fs::write(&path, with_section(&old, &table))
        .with_context(|| format!("could not write {}", path.display()))?;
    eprintln!("wrote the streaming section of {}", path.display());
    Ok(())
}

/// Runs the ignored 4 GiB test of descent-io (bounded private memory, same parameters as in
/// memory).
pub(crate) fn test() -> anyhow::Result<()> {
    run_cargo(&[
        "test",
        "-p",
        "descent-io",
        "--test",
        "it",
        "--",
        "--ignored",
        "--nocapture",
        "stream::four_gib",
    ])
}

/// `old` with this module's section (heading, a sentence, `table`) replacing any earlier one,
/// or appended.
fn with_section(old: &str, table: &str) -> String {
    let section = format!(
        "{HEADING}\n\nExamples per second of `descent-benches`' `stream-bench` (`cargo xtask \
         stream-bench`): training from a `.npy` file memory-mapped with `descent_io::MmapDataset` \
         against the same data in a `Dataset`, with the next batch gathered on a second thread \
         (`TrainConfig::prefetch`) or not.\n\n{}\n",
        table.trim_end()
    );
    let Some(start) = old.find(HEADING) else {
        let sep = if old.is_empty() || old.ends_with("\n\n") { "" } else { "\n" };
        return format!("{old}{sep}{section}");
    };
    let rest = &old[start + HEADING.len()..];
    let end = rest.find("\n## ").map_or(old.len(), |i| start + HEADING.len() + i + 1);
    let sep = if end < old.len() { "\n" } else { "" };
    format!("{}{section}{sep}{}", &old[..start], &old[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_appended_once_and_then_replaced() {
        let first = with_section("# Benchmarks\n\n## GEMM\n\nrows\n", "| a |\n");
        assert!(
            first.starts_with("# Benchmarks\n\n## GEMM\n\nrows\n\n## Training from"),
            "{first}"
        );
        let second = with_section(&first, "| b |\n");
        assert_eq!(second.matches(HEADING).count(), 1);
        assert!(second.contains("| b |") && !second.contains("| a |"), "{second}");
        let before = format!("{HEADING}\n\nold\n## Later\n\nkept\n");
        let third = with_section(&before, "| c |\n");
        assert!(third.ends_with("| c |\n\n## Later\n\nkept\n"), "{third}");
    }
}
