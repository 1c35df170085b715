//! The `descent` command line: trains dense networks on built-in data with gd, momentum,
//! Adam, RMSProp or AdamW, on the ndarray, nalgebra or faer backend.

use std::process::ExitCode;

use clap::Parser;

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
mod compare;
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
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let res = match cli.command {
        args::Command::Train(train_args) => train::run(&train_args),
        args::Command::Eval(eval_args) => eval::run(&eval_args),
        args::Command::Predict(predict_args) => predict::run(&predict_args),
        args::Command::Compare(compare_args) => compare::run(&compare_args),
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
    }
}
