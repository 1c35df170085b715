//! Renders `target/bench/report.md` from the workloads' measurements.

use std::fmt::Write as _;

use crate::machine::Machine;
use crate::process::{self, Comparison};
use crate::scaling;
use crate::workloads::{Results, Row};

/// The whole report: the workloads' results and the whole-process comparisons.
pub(crate) fn render(res: &Results, processes: &[Comparison], machine: &Machine) -> String {
    let mut out = String::new();
    let command = if machine.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    let _ = writeln!(out, "# descent: training benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `{command}` on {}. {}\n",
        machine.date,
        if machine.quick {
            "**Quick mode** (CI smoke): a fiftieth of the epochs and a sixteenth of the synthetic \
             examples, so the figures are indicative only."
        } else {
            "Full workloads."
        }
    );
    let load = match (&machine.load_before, &machine.load_after) {
        (Some(b), Some(a)) => format!("; load average {b} before, {a} after"),
        _ => String::new(),
    };
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| machine | {}, {} logical CPUs{load} |", machine.cpu, machine.n_cpus);
    let _ = writeln!(out, "| compiler | `{}` |", machine.rustc);
    let cpu = machine
        .target_cpu
        .as_deref()
        .map_or_else(|| "the generic x86-64 target".to_owned(), |c| format!("`-C target-cpu={c}`"));
    let avx = if machine.avx512 { "present" } else { "absent" };
    let _ = writeln!(
        out,
        "| build | release, {cpu}; elementwise loops dispatched to AVX2/AVX-512 at run time; AVX-512 {avx} |"
    );
    let versions: Vec<String> = machine.versions.iter().map(|(n, v)| format!("{n} {v}")).collect();
    let _ = writeln!(out, "| crates | {} |\n", versions.join(", "));

    let _ = writeln!(out, "## Correctness pre-check\n");
    let _ = writeln!(
        out,
        "Before anything was timed, `check-backends` passed (GEMM against compensated sums, \
         training steps and the course experiment against recorded answers), and every backend \
         reached the same final cost on a reduced run of every workload:\n"
    );
    for line in &res.precheck {
        let _ = writeln!(out, "- {line}");
    }
    out.push('\n');

    let _ = writeln!(out, "## Results\n");
    let _ = writeln!(
        out,
        "| workload | backend | dtype | threads | seconds | µs/step | examples/s | GFLOP/s | % of GEMM ceiling | peak RSS | RSS ÷ state | × numpy | × PyTorch | final cost |"
    );
    let _ = writeln!(out, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for row in &res.rows {
        let _ = writeln!(out, "{}", table_row(row, res));
    }
    out.push('\n');

    scaling::render(&mut out, res);
    render_processes(&mut out, processes);

    let _ = writeln!(out, "## GEMM ceiling\n");
    let _ = writeln!(
        out,
        "Each backend's GEMM alone on the products of one step (same shapes and transposes), \
         median of many rounds, GFLOP/s; the best backend's figure is the ceiling above.\n"
    );
    let _ = writeln!(out, "| workload | dtype | threads | ndarray | nalgebra | faer |");
    let _ = writeln!(out, "|---|---|--:|--:|--:|--:|");
    let mut keys: Vec<(&str, &str, usize)> =
        res.ceilings.iter().map(|c| (c.0.as_str(), c.1.as_str(), c.2)).collect();
    keys.dedup();
    for (w, d, t) in keys {
        let cell = |b: &str| {
            res.ceilings
                .iter()
                .find(|c| c.0 == w && c.1 == d && c.2 == t && c.3 == b)
                .map_or_else(|| "—".to_owned(), |c| format!("{:.2}", c.4))
        };
        let _ = writeln!(
            out,
            "| {w} | {d} | {t} | {} | {} | {} |",
            cell("ndarray"),
            cell("nalgebra"),
            cell("faer")
        );
    }
    out.push('\n');

    let _ = writeln!(out, "## References\n");
    for r in &res.references {
        let what = match &r.seconds {
            Ok(s) => format!("{s:.3} s"),
            Err(e) => format!("not run: {e}"),
        };
        let kind =
            if r.framework == "numpy" { "numpy f64, 1 thread" } else { "PyTorch f32, 1 thread" };
        let _ = writeln!(out, "- {} — {kind}: {what}", r.workload);
    }
    out.push('\n');
    out.push_str(HOW_TO_READ);
    out
}

/// The "Whole process vs training loop" section.
fn render_processes(out: &mut String, processes: &[Comparison]) {
    let _ = writeln!(out, "## Whole process vs training loop\n");
    let _ = writeln!(
        out,
        "The release `descent train` process, timed from spawn to exit, against the library's \
         `Trainer::fit` alone (the `workload` binary's `fit`), with the same data, layers, Adam \
         settings, batches, epochs, seed, dtype, backend and thread count; the two alternate, \
         after one untimed pair that checks the final costs. The issue's target is process ÷ \
         loop ≤ 1.10.\n"
    );
    let _ = writeln!(
        out,
        "| workload | backend | dtype | threads | runs | loop s (median) | loop s (min) | process s (median) | process s (min) | process ÷ loop | final cost loop | final cost CLI |"
    );
    let _ = writeln!(out, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for c in processes {
        let cli_cost = if c.cost_difference() == 0.0 {
            "equal".to_owned()
        } else {
            format!("{:.9} (relative difference {:.1e})", c.cli_cost, c.cost_difference())
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2}× | {:.9} | {cli_cost} |",
            c.workload,
            c.backend,
            c.dtype,
            c.threads,
            c.process_seconds.len(),
            process::median(&c.loop_seconds),
            process::min(&c.loop_seconds),
            process::median(&c.process_seconds),
            process::min(&c.process_seconds),
            c.ratio(),
            c.loop_cost,
        );
    }
    out.push('\n');
    let mut commands: Vec<String> = Vec::new();
    for c in processes {
        let command = c.command.replace(&format!("--backend {}", c.backend), "--backend <backend>");
        let line = format!("- {}: `descent {command}`", c.workload);
        if !commands.contains(&line) {
            commands.push(line);
        }
    }
    for line in commands {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
}

fn table_row(row: &Row, res: &Results) -> String {
    let ceiling = row
        .ceiling
        .as_ref()
        .map(|(g, b)| (*g, b.as_str()))
        .or_else(|| res.ceiling(&row.workload, &row.dtype, row.threads));
    let pct = ceiling.map_or_else(
        || "—".to_owned(),
        |(c, b)| format!("{:.0}% (of {c:.1}, {b})", 100.0 * row.gflops() / c),
    );
    let ratio = |framework: &str| match res.reference(&row.workload, framework) {
        Some(r) => match r.seconds {
            Ok(s) => format!("{:.1}×", s / row.seconds),
            Err(_) => "—".to_owned(),
        },
        None => "—".to_owned(),
    };
    let (rss, rss_ratio) = match row.peak_rss_kib {
        Some(k) => (
            format!("{:.1} MiB", k as f64 / 1024.0),
            format!("{:.2}", k as f64 * 1024.0 / row.state_bytes as f64),
        ),
        None => ("—".to_owned(), "—".to_owned()),
    };
    format!(
        "| {} | {} | {} | {} | {:.3} | {:.2} | {:.3e} | {:.2} | {pct} | {rss} | {rss_ratio} | {} | {} | {} |",
        row.workload,
        row.backend,
        row.dtype,
        row.threads,
        row.seconds,
        row.us_per_step(),
        row.examples_per_sec(),
        row.gflops(),
        ratio("numpy"),
        ratio("torch"),
        row.final_cost.map_or_else(|| "—".to_owned(), |c| format!("{c:.6}")),
    )
}

const HOW_TO_READ: &str = "\
## How to read it

- **Workloads** (`benches/src/workload.rs`): `course` — moons, 300 examples, 2-5-2-1, batch 64,
  5000 epochs (25,000 steps), Adam lr 0.0007; `sgd` — the same with batch 1 for 100 epochs
  (30,000 steps); `deep-narrow` — 8,192 × 32 synthetic, 32-64-64-64-64-1, batch 32, 5 epochs;
  `wide` — 16,384 × 784 synthetic, 784-1024-1024-1, batch 256, 1 epoch, Adam lr 1e-3;
  `tabular` — 200,000 × 32 teacher-labelled, 32-256-128-1, batch 128, 2 epochs, Adam lr 1e-3.
  Synthetic data: standard normal features, label = sign of a fixed random projection;
  teacher data: standard normal features, label = sign of a hidden seeded 32-16-1 tanh
  network without biases (odd, so the classes are balanced in expectation).
- **seconds** is `Trainer::fit` alone (data generation excluded), in a fresh process per row;
  a step is gather, forward, cost, backward, the finiteness checks and the Adam update.
- **GFLOP/s** counts the GEMMs only (`2·n_l·n_{l-1}` per example for the forward product and
  `dW`, and for `dA` except in the first layer). **% of GEMM ceiling** divides it by the best
  library GEMM (of the three, named in the cell) alone on the same products, measured in the
  same process right after the run, with the same dtype and thread count: 100% would mean
  activations, cost and Adam were free. The section below measures the same ceiling per
  backend in separate processes, for comparing the libraries.
- **peak RSS** is the child's `VmHWM`; **RSS ÷ state** divides it by the bytes of data +
  parameters + Adam's two moments in the row's dtype (the process's code and libraries are
  included, so small workloads show large ratios).
- **× numpy / × PyTorch**: the reference's seconds over this row's seconds on the same data,
  network, batches and Adam (`xtask/reference.py`; numpy f64 on one thread, PyTorch f32 on
  one thread). Above 1 means descent is faster.
- **threads**: faer's GEMM runs on `Par::rayon(threads)`, ndarray's and nalgebra's on
  matrixmultiply's thread pool with `MATMUL_NUM_THREADS=threads`; both split only products
  with enough work (faer: `m·n·k ≥ 512·512·256`; matrixmultiply: `m·k + k·n ≥ 32,768`), so
  on faer the small workloads' and `tabular`'s 2-thread rows run the same single-threaded
  products as their 1-thread rows.
  **Thread scaling** takes, per workload and dtype, the backend fastest on 1 thread and
  divides its 1-thread seconds by its own 2-thread seconds (`xtask/src/scaling.rs`).
- **Whole process vs training loop**: *loop* is the `workload` binary's timer around
  `Trainer::fit` (data generation, set-up and exit excluded); *process* is the wall clock of
  the whole `descent train` run: start-up, parsing, loading the data (the built-in moons, or
  the workload's data as f32 `.npy` files, memory-mapped with the CLI's default prefetching),
  set-up, training and the summary (no extra pass: `--final-eval` is not given). The final costs are the last
  epoch's cost (the CLI's from `--history`, in the untimed run): `equal` means the CLI
  repeated the loop's computation exactly.
- The machine may be shared: when the load average exceeds the CPU count, absolute times are
  pessimistic and every ratio is noisy (numpy runs minutes after the rows it is compared to).
";
