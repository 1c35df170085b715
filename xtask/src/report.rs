//! Renders `BENCHMARKS.md`: the machine, then one table per group with a column per backend.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::bench::Estimate;

/// Backends in the order of the tables' columns; others follow alphabetically.
const BACKENDS: [&str; 3] = ["ndarray", "nalgebra", "faer"];

/// What the tables were measured on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Machine {
    pub cpu: String,
    pub n_cpus: usize,
    pub avx512: bool,
    pub load_before: Option<String>,
    pub load_after: Option<String>,
    pub rustc: String,
    pub date: String,
    pub quick: bool,
    pub target_cpu: Option<String>,
    /// `(crate, version)` of the libraries behind the backends, from `Cargo.lock`.
    pub versions: Vec<(String, String)>,
}

impl Machine {
    /// Reads `/proc/cpuinfo`, `rustc --version`, the clock, `.cargo/config.toml` and `Cargo.lock`.
    pub(crate) fn probe(
        root: &Path,
        quick: bool,
        load_before: Option<String>,
        load_after: Option<String>,
    ) -> Self {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo.lines().find_map(|l| {
                let (key, value) = l.split_once(':')?;
                (key.trim() == name).then(|| value.trim().to_owned())
            })
        };
        let rustc = Command::new("rustc")
            .arg("--version")
            .current_dir(root)
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map_or_else(|| "unknown".to_owned(), |s| s.trim().to_owned());
        let config = fs::read_to_string(root.join(".cargo/config.toml")).unwrap_or_default();
        let lock = fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
        Self {
            cpu: field("model name").unwrap_or_else(|| "unknown CPU".to_owned()),
            n_cpus: std::thread::available_parallelism().map_or(1, usize::from),
            avx512: field("flags").is_some_and(|f| f.split_whitespace().any(|x| x == "avx512f")),
            load_before,
            load_after,
            rustc,
            date: today(),
            quick,
            target_cpu: target_cpu(&config),
            versions: ["ndarray", "matrixmultiply", "nalgebra", "faer", "criterion"]
                .iter()
                .filter_map(|name| Some((name.to_string(), lock_version(&lock, name)?)))
                .collect(),
        }
    }
}

/// The 1-minute load average from `/proc/loadavg`.
pub(crate) fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

/// The value of the first `target-cpu=...` in the cargo configuration.
fn target_cpu(config: &str) -> Option<String> {
    let start = config.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|l| {
        let i = l.find("target-cpu=")?;
        Some(l[i + "target-cpu=".len()..].to_owned())
    })?;
    let value: String =
        start.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    (!value.is_empty()).then_some(value)
}

/// The version of the first package called `name` in a `Cargo.lock`.
fn lock_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_owned());
        }
    }
    None
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the civil calendar of the Unix day count.
fn today() -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

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
    fn helpers_format_dates_times_shapes_and_versions() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_454), "2026-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(format_ns(42.0), "42.0 ns");
        assert_eq!(format_ns(1234.0), "1.23 µs");
        assert_eq!(format_ns(123_456_789.0), "123 ms");
        assert_eq!(pretty_gemm("5x2T.5x64"), "`5x2T.5x64` (5×2)ᵀ · 5×64");
        assert_eq!(
            pretty_network("course_2-5-2-1_b64"),
            "`course_2-5-2-1_b64` [2, 5, 2, 1], batch 64"
        );
        let lock = "[[package]]\nname = \"faer\"\nversion = \"0.24.4\"\n";
        assert_eq!(lock_version(lock, "faer").as_deref(), Some("0.24.4"));
        assert_eq!(lock_version(lock, "ndarray"), None);
        let config = "# target-cpu=native\nrustflags = [\"-C\", \"target-cpu=x86-64-v3\"]\n";
        assert_eq!(target_cpu(config).as_deref(), Some("x86-64-v3"));
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
