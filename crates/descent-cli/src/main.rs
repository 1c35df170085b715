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

// The layers, each importing only those above it in this list: the flags as parsed → one
// resolved run → its data → the training session → what it shows and writes → the
// subcommands. `failure` and `threads` sit below them all. See ARCHITECTURE.md.
mod args;
mod commands;
mod failure;
mod output;
mod plan;
mod run;
mod session;
mod threads;

use failure::Failure;

fn main() -> ExitCode {
    let matches = args::Cli::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let sub = |name: &str| matches.subcommand_matches(name).expect("the subcommand matched");
    let res = match &cli.command {
        args::Command::Train(a) => commands::train::run(a, sub("train")),
        args::Command::Eval(a) => commands::eval::run(a),
        args::Command::Predict(a) => commands::predict::run(a),
        args::Command::Compare(a) => commands::compare::run(a, sub("compare")),
        args::Command::Course(a) => commands::course::run(a),
        args::Command::Gen(a) => commands::generate::run(a),
        args::Command::Encode(a) => commands::encode::run(a),
        args::Command::Export(a) => commands::export::run(a),
        args::Command::Cv(a) => commands::cv::run(a, sub("cv")),
        args::Command::Tune(a) => commands::tune::run(a),
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
