//! Runs one standard workload once and prints what it measured as one JSON line:
//! `workload <name> <backend> <dtype> <threads> [--quick]`.
//!
//! `cargo xtask bench` starts this binary once per row of its report, so that each row's peak
//! RSS (`VmHWM`) is that workload's alone. The thread count goes to faer's GEMM
//! (`descent_faer::set_threads`); the parent also sets `RAYON_NUM_THREADS` and
//! `MATMUL_NUM_THREADS` for the child.

use std::process::ExitCode;

use descent_benches::workload::{self, RunResult, Workload};
use descent_core::{Backend, Result, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;

const USAGE: &str = "usage: workload <course|sgd|deep-narrow|wide> <ndarray|nalgebra|faer> <f32|f64> <threads> [--quick]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> std::result::Result<String, String> {
    let (name, backend, dtype, threads, quick) = match args {
        [n, b, d, t] => (n, b, d, t, false),
        [n, b, d, t, q] if q == "--quick" => (n, b, d, t, true),
        _ => return Err(format!("expected 4 or 5 arguments, got {}", args.len())),
    };
    let mut w = Workload::by_name(name).map_err(|e| e.to_string())?;
    if quick {
        w = w.quick();
    }
    let threads: usize = threads.parse().map_err(|_| format!("threads: not a number: {threads}"))?;
    descent_faer::set_threads(threads);
    let res = match (backend.as_str(), dtype.as_str()) {
        ("ndarray", "f32") => go::<f32, Ndarray>(&w),
        ("ndarray", "f64") => go::<f64, Ndarray>(&w),
        ("nalgebra", "f32") => go::<f32, Nalgebra>(&w),
        ("nalgebra", "f64") => go::<f64, Nalgebra>(&w),
        ("faer", "f32") => go::<f32, Faer>(&w),
        ("faer", "f64") => go::<f64, Faer>(&w),
        _ => return Err(format!("unknown backend/dtype {backend}/{dtype}")),
    }
    .map_err(|e| e.to_string())?;
    let rss = workload::peak_rss_kib().map_or_else(|| "null".to_owned(), |k| k.to_string());
    Ok(format!(
        "{{\"workload\":\"{}\",\"backend\":\"{backend}\",\"dtype\":\"{dtype}\",\"threads\":{threads},\
         \"seconds\":{},\"steps\":{},\"examples\":{},\"epochs\":{},\"final_cost\":{},\"peak_rss_kib\":{rss}}}",
        w.name,
        res.seconds,
        res.steps,
        w.n_examples(),
        w.epochs,
        json_number(res.final_cost),
    ))
}

fn go<T: Scalar, B: Backend<T>>(w: &Workload) -> Result<RunResult> {
    workload::run::<T, B>(w)
}

/// A JSON number, or `null` for NaN and infinities.
fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x:e}") } else { "null".to_owned() }
}
