//! The `descent` command line: trains dense networks on built-in data with gd, momentum,
//! Adam, RMSProp or AdamW, on the ndarray, nalgebra or faer backend.

use std::process::ExitCode;

use clap::Parser;

mod args;
mod compare;
#[path = "gen.rs"] // `gen` is a reserved word in Rust 2024.
mod generate;
mod plot;
mod progress;
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
