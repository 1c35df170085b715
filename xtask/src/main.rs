//! Project automation for descent, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`): plain Rust instead of shell scripts, with no dependency beyond
//! `anyhow` and `serde_json`.

mod bench;
mod chart;
mod criterion;
mod export_check;
mod kernel_timings;
mod machine;
mod process;
mod report;
mod scaling;
mod stream;
mod tidy;
mod workloads;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, bail};

const HELP: &str = "\
cargo xtask: project automation for descent

USAGE:
    cargo xtask <COMMAND>

COMMANDS:
    bench [--quick] [--criterion]
                      Check every backend (check-backends, then the same final cost on every
                      workload), run the five workloads (course, sgd, deep-narrow, wide,
                      tabular) on every backend, f32 and f64, 1 and 2 threads, with the GEMM ceiling and
                      the numpy/PyTorch references (xtask/reference.py), time the release
                      `descent train` process against the training loop (course and wide,
                      f32, 1 thread), and write target/bench/report.md, report.png and
                      process.json. --quick: reduced workloads for CI
                      smoke. --criterion: also run the criterion benchmarks
                      (cargo bench -p descent-benches --bench main) and write BENCHMARKS.md
    fuzz [--seconds N]
                      Fuzz the file readers (CSV, .npy, safetensors model and checkpoint)
                      for about N seconds each (default 60): descent-io's proptest fuzz
                      tests with DESCENT_FUZZ_SECONDS=N, printing the inputs tried
    stream-bench [--quick]
                      Time training from a memory-mapped .npy file against the same
                      data in memory (descent-benches' stream-bench; warm and cold page
                      cache) and write its section of BENCHMARKS.md (bench does it too)
    stream-test       Run the ignored 4 GiB test of training from a memory-mapped file
                      in bounded private memory (descent-io)
    export-check      Train four models with the debug `descent` (sigmoid, softmax, linear;
                      relu and tanh; f32 and f64; with and without --standardize), export
                      them to ONNX, check each with onnx.checker and run it in onnxruntime
                      against `descent predict` (xtask/export_check.py; reported, not fatal,
                      when Python lacks onnx or onnxruntime)
    tidy              Check every crate's src/: no import circle between modules, a `//!`
                      doc atop every file, no non-test file over 500 lines
    kernel-timings    Build descent-benches' kernel-timings twice, as the workspace builds
                      it (generic x86-64) and for x86-64-v3 (target/x86-64-v3), run them
                      alternately and print axpy, Adam, faer's register trap and the course
                      step side by side
    embed             Build and run examples/embed, a crate outside the workspace that uses
                      descent with the faer feature only (target dir target/embed)
    help, --help, -h  Print this help
";

/// What the command line asked for.
enum Task {
    Help,
    Bench { quick: bool, criterion: bool },
    StreamBench { quick: bool },
    StreamTest,
    Embed,
    Tidy,
    ExportCheck,
    KernelTimings,
    Fuzz { seconds: u64 },
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(task) => task,
        Err(err) => {
            eprintln!("error: {err:#}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let res = match task {
        Task::Help => {
            print!("{HELP}");
            Ok(())
        }
        Task::Bench { quick, criterion } => {
            bench::run(quick, criterion).and_then(|()| stream::bench(quick))
        }
        Task::StreamBench { quick } => stream::bench(quick),
        Task::StreamTest => stream::test(),
        Task::Embed => embed(),
        Task::Tidy => tidy::run(),
        Task::ExportCheck => export_check::run(),
        Task::KernelTimings => kernel_timings::run(),
        Task::Fuzz { seconds } => fuzz(seconds),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> anyhow::Result<Task> {
    let Some((command, rest)) = args.split_first() else { return Ok(Task::Help) };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match (command.as_str(), rest.as_slice()) {
        ("help" | "--help" | "-h", _) | ("bench" | "embed", ["--help" | "-h"]) => Ok(Task::Help),
        ("bench", flags) if flags.iter().all(|f| matches!(*f, "--quick" | "--criterion")) => {
            Ok(Task::Bench {
                quick: flags.contains(&"--quick"),
                criterion: flags.contains(&"--criterion"),
            })
        }
        ("embed", []) => Ok(Task::Embed),
        ("tidy", []) => Ok(Task::Tidy),
        ("export-check", []) => Ok(Task::ExportCheck),
        ("kernel-timings", []) => Ok(Task::KernelTimings),
        ("stream-bench", []) => Ok(Task::StreamBench { quick: false }),
        ("stream-bench", ["--quick"]) => Ok(Task::StreamBench { quick: true }),
        ("stream-test", []) => Ok(Task::StreamTest),
        ("fuzz", []) => Ok(Task::Fuzz { seconds: 60 }),
        ("fuzz", ["--seconds", n]) => match n.parse() {
            Ok(seconds) if seconds > 0 => Ok(Task::Fuzz { seconds }),
            _ => bail!("--seconds {n}: expected a positive number of seconds"),
        },
        (
            "bench" | "embed" | "export-check" | "fuzz" | "kernel-timings" | "stream-bench"
            | "stream-test" | "tidy",
            _,
        ) => {
            bail!("unexpected arguments to `{command}`: {rest:?}")
        }
        _ => bail!("unknown command `{command}`"),
    }
}

/// `cargo xtask fuzz`: descent-io's fuzz tests, each drawing fresh seeded rounds of inputs
/// until `seconds` have passed (cargo-fuzz would need a nightly toolchain; these run on
/// stable, through the same readers).
fn fuzz(seconds: u64) -> anyhow::Result<()> {
    let args = [
        "test",
        "-p",
        "descent-io",
        "--test",
        "it",
        "fuzz",
        "--",
        "--nocapture",
        "--test-threads",
        "1",
    ];
    eprintln!("$ DESCENT_FUZZ_SECONDS={seconds} cargo {}", args.join(" "));
    let status = cargo()
        .env("DESCENT_FUZZ_SECONDS", seconds.to_string())
        .args(args)
        .status()
        .context("could not start cargo")?;
    if !status.success() {
        bail!("the fuzz run failed ({status}); the failing input is printed above");
    }
    Ok(())
}

/// `cargo xtask embed`: builds and runs the embedding example, failing when it fails.
fn embed() -> anyhow::Result<()> {
    let manifest = project_root().join("examples/embed/Cargo.toml");
    run_cargo(&[
        "run",
        "--release",
        "--manifest-path",
        path_str(&manifest)?,
        "--target-dir",
        path_str(&project_root().join("target/embed"))?,
    ])
}

/// The repository root: the parent of this crate's directory.
pub(crate) fn project_root() -> PathBuf {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().map_or(manifest_dir.clone(), Path::to_path_buf)
}

/// The cargo that runs us (`$CARGO`), or `cargo` from `PATH`.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(project_root());
    cmd
}

/// Runs cargo with `args` in the repository root, failing when it fails.
pub(crate) fn run_cargo(args: &[&str]) -> anyhow::Result<()> {
    run_cargo_with_env(args, &[], &[])
}

/// Runs cargo with `args` in the repository root, with the variables `set` added to its
/// environment and those in `unset` removed, failing when it fails.
pub(crate) fn run_cargo_with_env(
    args: &[&str],
    set: &[(&str, &str)],
    unset: &[&str],
) -> anyhow::Result<()> {
    let shown: String = set.iter().map(|(k, v)| format!("{k}=\"{v}\" ")).collect();
    eprintln!("$ {shown}cargo {}", args.join(" "));
    let mut cmd = cargo();
    for var in unset {
        cmd.env_remove(var);
    }
    let status =
        cmd.envs(set.iter().copied()).args(args).status().context("could not start cargo")?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

pub(crate) fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str().with_context(|| format!("path {} is not UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> anyhow::Result<Task> {
        parse(&args.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn commands_parse_and_mistakes_are_usage_errors() {
        assert!(matches!(parse_strs(&[]), Ok(Task::Help)));
        assert!(matches!(parse_strs(&["--help"]), Ok(Task::Help)));
        assert!(matches!(
            parse_strs(&["bench"]),
            Ok(Task::Bench { quick: false, criterion: false })
        ));
        assert!(matches!(
            parse_strs(&["bench", "--quick"]),
            Ok(Task::Bench { quick: true, criterion: false })
        ));
        assert!(matches!(
            parse_strs(&["bench", "--criterion", "--quick"]),
            Ok(Task::Bench { quick: true, criterion: true })
        ));
        assert!(matches!(parse_strs(&["embed"]), Ok(Task::Embed)));
        assert!(matches!(parse_strs(&["tidy"]), Ok(Task::Tidy)));
        assert!(parse_strs(&["bench", "--slow"]).is_err());
        assert!(matches!(parse_strs(&["fuzz"]), Ok(Task::Fuzz { seconds: 60 })));
        assert!(matches!(parse_strs(&["fuzz", "--seconds", "5"]), Ok(Task::Fuzz { seconds: 5 })));
        assert!(parse_strs(&["fuzz", "--seconds", "0"]).is_err());
        assert!(parse_strs(&["deploy"]).is_err());
    }

    #[test]
    fn the_project_root_holds_the_workspace_manifest() {
        assert!(project_root().join("Cargo.toml").is_file());
        assert!(project_root().join("xtask/Cargo.toml").is_file());
    }
}
