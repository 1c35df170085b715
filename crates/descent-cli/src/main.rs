//! The `descent` command line: trains dense networks on built-in data with gd, momentum,
//! Adam, RMSProp or AdamW, on the ndarray, nalgebra or faer backend.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

/// Calls `f::<T, B>(args…)` with the scalar and backend the flags name.
macro_rules! dispatch {
    ($backend:expr, $dtype:expr, $f:ident ( $($arg:expr),* $(,)? )) => {{
        use crate::args::{BackendArg as Be, DtypeArg as Dt};
        use descent::{Faer, Nalgebra, Ndarray};
        match ($backend, $dtype) {
            (Be::Ndarray, Dt::F32) => $f::<f32, Ndarray>($($arg),*),
            (Be::Ndarray, Dt::F64) => $f::<f64, Ndarray>($($arg),*),
            (Be::Nalgebra, Dt::F32) => $f::<f32, Nalgebra>($($arg),*),
            (Be::Nalgebra, Dt::F64) => $f::<f64, Nalgebra>($($arg),*),
            (Be::Faer, Dt::F32) => $f::<f32, Faer>($($arg),*),
            (Be::Faer, Dt::F64) => $f::<f64, Faer>($($arg),*),
        }
    }};
}

mod args;
mod boundary;
mod checkpoint;
mod compare;
mod course;
mod data;
mod eval;
mod flags;
#[path = "gen.rs"] // `gen` is a reserved word in Rust 2024.
mod generate;
mod memory;
mod plan;
mod plot;
mod predict;
mod progress;
mod report;
mod stream;
mod train;

/// How a run failed: bad input (exit status 2) or a failure mid-run (exit status 1).
#[derive(Debug)]
pub enum Failure {
    /// A usage or input error, found before training started.
    Input(anyhow::Error),
    /// A failure during training, e.g. divergence.
    Run(anyhow::Error),
    /// Ctrl-C stopped training (exit status 130); the message says where and what was saved.
    Interrupted(String),
}

/// Gives matrixmultiply (the GEMM of the ndarray and nalgebra backends) the thread count of
/// `--threads`: it reads [`flags::MATMUL_THREADS_VAR`] once, at the first product, and has no
/// other setting. A count of 0 is left for `descent_threads` to reject with a message.
#[allow(unsafe_code)] // The binary's one environment write; see the SAFETY comment.
fn set_matmul_threads(threads: usize) {
    if threads == 0 {
        return;
    }
    // SAFETY: called first thing in `main`, right after argument parsing (which starts no
    // thread) and before anything that could: the process has a single thread, so nothing
    // reads or writes the environment at the same time.
    unsafe { std::env::set_var(flags::MATMUL_THREADS_VAR, threads.to_string()) };
}

fn main() -> ExitCode {
    let matches = args::Cli::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    set_matmul_threads(flags::threads_of(&cli.command));
    let res = match cli.command {
        args::Command::Train(train_args) => {
            let sub = matches.subcommand_matches("train").expect("the train subcommand matched");
            checkpoint::resolve(train_args, sub).and_then(|resolved| train::run(&resolved))
        }
        args::Command::Eval(eval_args) => eval::run(&eval_args),
        args::Command::Predict(predict_args) => predict::run(&predict_args),
        args::Command::Compare(compare_args) => compare::run(&compare_args),
        args::Command::Course(course_args) => course::run(&course_args),
        args::Command::Gen(gen_args) => generate::run(&gen_args),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(err)) => {
            eprintln!("descent: error: {err:#}");
            ExitCode::from(2)
        }
        Err(Failure::Run(err)) => {
            eprintln!("descent: error: {err:#}");
            ExitCode::from(1)
        }
        Err(Failure::Interrupted(message)) => {
            eprintln!("descent: {message}");
            ExitCode::from(130)
        }
    }
}
