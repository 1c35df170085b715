//! One standard workload, once, in its own process; prints one JSON line.
//!
//! ```text
//! workload run     <course|sgd|deep-narrow|wide|tabular> <ndarray|nalgebra|faer> <f32|f64> <threads> [--quick]
//! workload fit     <workload> <backend> <dtype> <threads> [--quick]
//! workload ceiling <workload> <backend> <dtype> <threads> [--quick]
//! workload dump    <workload> <dir> [--quick]
//! workload npy     <workload> <f32|f64> <dir> [--quick]
//! ```
//!
//! `run` trains and reports seconds, steps, the final cost, the peak RSS (`VmHWM`, so each
//! row of `cargo xtask bench`'s report is that workload's alone) and, measured right after
//! the run in the same process, the best library GEMM's throughput on the step's products;
//! `fit` trains and reports seconds, steps, the final cost (also as its IEEE bits, which JSON
//! readers return exactly) and the run's settings, and does nothing else (for timing the
//! process whole against the `descent` CLI); `ceiling` times the backend's
//! GEMM alone on the products of one step (`descent_benches::ceiling`); `dump` writes the
//! data set as raw little-endian f64 (`x.f64`: examples × features, `y.f64`) for the numpy
//! and PyTorch reference script; `npy` writes it as `x.npy` and `y.npy` in the dtype given,
//! for `descent train --data x.npy --labels y.npy`. The thread count goes to faer's GEMM
//! (`descent_faer::set_threads`) and to matrixmultiply's, ndarray's and nalgebra's
//! (`MATMUL_NUM_THREADS`, set at the start of `main` unless the environment already has it);
//! `cargo xtask bench` also sets `RAYON_NUM_THREADS` and `MATMUL_NUM_THREADS` for the child.

use std::path::Path;
use std::process::ExitCode;

use descent_benches::ceiling;
use descent_benches::workload::{self, Data, Workload};
use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_io::{Dtype, NpyWriter};
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::Dataset;

const USAGE: &str = "usage: workload run|fit|ceiling <course|sgd|deep-narrow|wide|tabular> <ndarray|nalgebra|faer> <f32|f64> <threads> [--quick]\n       workload dump <workload> <dir> [--quick]\n       workload npy <workload> <f32|f64> <dir> [--quick]";

/// What `run`, `fit` and `ceiling` measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Train, then the peak RSS and the GEMM ceiling.
    Run,
    /// Train only.
    Fit,
    /// The backend's GEMM alone.
    Ceiling,
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.last().is_some_and(|a| a == "--quick");
    if quick {
        args.pop();
    }
    if let [_, _, _, _, threads] = args.as_slice() {
        set_matmul_threads(threads);
    }
    match run(&args, quick) {
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

/// Gives matrixmultiply (ndarray's and nalgebra's GEMM) the `<threads>` argument, unless the
/// environment already names a count (`cargo xtask bench` sets it for its children).
#[allow(unsafe_code)] // The binary's one environment write; see the SAFETY comment.
fn set_matmul_threads(threads: &str) {
    if std::env::var_os("MATMUL_NUM_THREADS").is_some() || threads.parse::<usize>().is_err() {
        return;
    }
    // SAFETY: called first thing in `main`, before any thread exists (nothing has run but
    // reading the arguments), so nothing reads or writes the environment at the same time.
    unsafe { std::env::set_var("MATMUL_NUM_THREADS", threads) };
}

fn workload(name: &str, quick: bool) -> Result<Workload, String> {
    let w = Workload::by_name(name).map_err(|e| e.to_string())?;
    Ok(if quick { w.quick() } else { w })
}

fn run(args: &[String], quick: bool) -> Result<String, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["dump", name, dir] => dump(&workload(name, quick)?, Path::new(dir)),
        ["npy", name, dtype, dir] => npy(&workload(name, quick)?, dtype, Path::new(dir)),
        [mode @ ("run" | "fit" | "ceiling"), name, backend, dtype, threads] => {
            let w = workload(name, quick)?;
            let threads: usize =
                threads.parse().map_err(|_| format!("threads: not a number: {threads}"))?;
            descent_faer::set_threads(threads);
            let m = match *mode {
                "run" => Mode::Run,
                "fit" => Mode::Fit,
                _ => Mode::Ceiling,
            };
            let body = match (*backend, *dtype) {
                ("ndarray", "f32") => go::<f32, Ndarray>(&w, m),
                ("ndarray", "f64") => go::<f64, Ndarray>(&w, m),
                ("nalgebra", "f32") => go::<f32, Nalgebra>(&w, m),
                ("nalgebra", "f64") => go::<f64, Nalgebra>(&w, m),
                ("faer", "f32") => go::<f32, Faer>(&w, m),
                ("faer", "f64") => go::<f64, Faer>(&w, m),
                _ => return Err(format!("unknown backend/dtype {backend}/{dtype}")),
            }?;
            Ok(format!(
                "{{\"mode\":\"{mode}\",\"workload\":\"{name}\",\"backend\":\"{backend}\",\
                 \"dtype\":\"{dtype}\",\"threads\":{threads},{body}}}"
            ))
        }
        _ => Err(format!("unexpected arguments {args:?}")),
    }
}

/// Rounds of the GEMM ceiling: a handful for `wide`, whose step's products take tens of
/// milliseconds, many for the small networks.
fn ceiling_reps(w: &Workload) -> usize {
    if w.flops_per_example() * w.batch as f64 > 1e8 { 15 } else { 501 }
}

fn go<T: Scalar, B: Backend<T>>(w: &Workload, mode: Mode) -> Result<String, String>
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    if mode == Mode::Ceiling {
        let gflops = ceiling::gflops::<T, B>(w.layers, w.batch, ceiling_reps(w))
            .map_err(|e| e.to_string())?;
        return Ok(format!("\"gflops\":{gflops}"));
    }
    let res = workload::run::<T, B>(w).map_err(|e| e.to_string())?;
    if mode == Mode::Fit {
        return Ok(format!(
            "\"seconds\":{},\"steps\":{},\"final_cost\":{},\"final_cost_bits\":{},{}",
            res.seconds,
            res.steps,
            json_number(res.final_cost),
            res.final_cost.to_bits(),
            settings(w)
        ));
    }
    // The ceiling right after the run, in the same process, with every library's GEMM: on a
    // shared machine this sees about the contention the run saw.
    let mut best = (0.0_f64, "");
    for (name, gflops) in [
        ("ndarray", ceiling::gflops::<T, Ndarray>(w.layers, w.batch, ceiling_reps(w))),
        ("nalgebra", ceiling::gflops::<T, Nalgebra>(w.layers, w.batch, ceiling_reps(w))),
        ("faer", ceiling::gflops::<T, Faer>(w.layers, w.batch, ceiling_reps(w))),
    ] {
        let gflops = gflops.map_err(|e| e.to_string())?;
        if gflops > best.0 {
            best = (gflops, name);
        }
    }
    let rss = workload::peak_rss_kib().map_or_else(|| "null".to_owned(), |k| k.to_string());
    Ok(format!(
        "\"seconds\":{},\"steps\":{},\"examples\":{},\"epochs\":{},\"flops_per_example\":{},\
         \"final_cost\":{},\"peak_rss_kib\":{rss},\"state_bytes\":{},\
         \"ceiling_gflops\":{},\"ceiling_backend\":\"{}\"",
        res.seconds,
        res.steps,
        w.n_examples(),
        w.epochs,
        w.flops_per_example(),
        json_number(res.final_cost),
        w.state_bytes(size_of::<T>()),
        best.0,
        best.1,
    ))
}

/// The settings of `fit`'s run, for repeating it with `descent train`: the data, the network
/// and the training loop's seeds.
fn settings(w: &Workload) -> String {
    let (mlp, train) = (w.mlp_config(), w.train_config());
    let data = match w.data {
        Data::Moons => "moons",
        Data::Synthetic { .. } => "synthetic",
        Data::Teacher { .. } => "teacher",
    };
    let layers: Vec<String> = w.layers.iter().map(ToString::to_string).collect();
    format!(
        "\"data\":\"{data}\",\"examples\":{},\"layers\":[{}],\"hidden\":\"{}\",\
         \"output\":\"{}\",\"optimizer\":\"adam\",\"lr\":{},\"batch\":{},\"epochs\":{},\
         \"shuffle\":{},\"init_seed\":{},\"shuffle_seed\":{}",
        w.n_examples(),
        layers.join(","),
        format!("{:?}", mlp.hidden).to_lowercase(),
        format!("{:?}", mlp.output).to_lowercase(),
        w.lr,
        train.batch_size,
        train.epochs,
        train.shuffle,
        mlp.seed,
        train.seed,
    )
}

/// Writes `x.f64` (examples × features, C order) and `y.f64` (one label per example).
fn dump(w: &Workload, dir: &Path) -> Result<String, String> {
    let data = w.dataset::<f64>().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |file: &str, values: &[f64]| {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let path = dir.join(file);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("x.f64", data.features())?;
    write("y.f64", data.targets())?;
    Ok(dumped("dump", w, &data))
}

/// Writes `x.npy` (examples × features, C order) and `y.npy` (examples) in `dtype`, rounded
/// from the f64 data as `Workload::dataset::<f32>` rounds it.
fn npy(w: &Workload, dtype: &str, dir: &Path) -> Result<String, String> {
    let dtype = match dtype {
        "f32" => Dtype::F32,
        "f64" => Dtype::F64,
        _ => return Err(format!("unknown dtype {dtype}")),
    };
    let data = w.dataset::<f64>().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |file: &str, shape: &[usize], values: &[f64]| {
        let path = dir.join(file);
        let mut out = NpyWriter::create(&path, dtype, shape).map_err(|e| e.to_string())?;
        out.write(values).map_err(|e| e.to_string())?;
        out.finish().map_err(|e| e.to_string())
    };
    write("x.npy", &[data.n_examples(), data.n_features()], data.features())?;
    write("y.npy", &[data.n_examples()], data.targets())?;
    Ok(dumped("npy", w, &data))
}

/// The JSON line of `dump` and `npy`: the data's size and the workload's settings.
fn dumped(mode: &str, w: &Workload, data: &Dataset<f64>) -> String {
    let layers: Vec<String> = w.layers.iter().map(ToString::to_string).collect();
    format!(
        "{{\"mode\":\"{mode}\",\"workload\":\"{}\",\"examples\":{},\"features\":{},\"layers\":[{}],\
         \"batch\":{},\"epochs\":{},\"lr\":{}}}",
        w.name,
        data.n_examples(),
        data.n_features(),
        layers.join(","),
        w.batch,
        w.epochs,
        w.lr
    )
}

/// A JSON number, or `null` for NaN and infinities.
fn json_number(x: f64) -> String {
    if x.is_finite() { format!("{x:e}") } else { "null".to_owned() }
}
