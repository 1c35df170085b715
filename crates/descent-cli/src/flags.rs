//! Checks of the numeric training flags, `--layers` parsing, the optimizer the flags describe,
//! and the thread count.

use std::num::NonZero;

use anyhow::anyhow;
use descent::train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};

use crate::args::{Command, CompareArgs, OptimizerArg, TrainArgs};

/// The environment variable matrixmultiply (the GEMM of the ndarray and nalgebra backends)
/// reads, once, at the first product of the process.
pub const MATMUL_THREADS_VAR: &str = "MATMUL_NUM_THREADS";

/// The dense-math thread count of a subcommand: `--threads`, by default all cores, for `train`
/// and `compare`; 1 for the others (the course's tiny matrices, evaluation and prediction).
pub fn threads_of(command: &Command) -> usize {
    match command {
        Command::Train(args) | Command::Compare(CompareArgs { train: args, .. }) => {
            threads_or_all_cores(args.threads)
        }
        Command::Eval(_) | Command::Predict(_) | Command::Course(_) | Command::Gen(_) => 1,
    }
}

/// `--threads` when given, else every core the process may use.
pub fn threads_or_all_cores(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, NonZero::get))
}

/// Sets faer's GEMM thread count, after checking `--threads`. matrixmultiply's count is the
/// same number, set in the environment by `main` before anything else runs.
pub fn descent_threads(threads: usize) -> anyhow::Result<()> {
    if threads == 0 {
        return Err(anyhow!("--threads: must be at least 1, got 0"));
    }
    descent_faer::set_threads(threads);
    Ok(())
}

/// The optimizer `kind` with the hyper-parameters given on the command line.
pub fn optimizer_config(kind: OptimizerArg, args: &TrainArgs) -> OptimizerConfig {
    match kind {
        OptimizerArg::Gd => OptimizerConfig::Gd,
        OptimizerArg::Momentum => OptimizerConfig::Momentum(MomentumConfig {
            beta: args.beta,
            ..MomentumConfig::default()
        }),
        OptimizerArg::Adam => OptimizerConfig::Adam(AdamConfig {
            beta1: args.beta1,
            beta2: args.beta2,
            epsilon: args.epsilon,
        }),
        OptimizerArg::Rmsprop => {
            OptimizerConfig::RmsProp(RmsPropConfig { beta: args.beta, epsilon: args.epsilon })
        }
        OptimizerArg::Adamw => OptimizerConfig::AdamW(AdamWConfig {
            beta1: args.beta1,
            beta2: args.beta2,
            epsilon: args.epsilon,
            weight_decay: args.weight_decay,
        }),
    }
}

/// Checks the numeric flags, naming the flag at fault.
pub fn check_flags(args: &TrainArgs) -> anyhow::Result<()> {
    let in_unit = |name: &str, v: f64| {
        if (0.0..1.0).contains(&v) {
            Ok(())
        } else {
            Err(anyhow!("{name}: must be in [0, 1), got {v}"))
        }
    };
    if !(args.lr >= 0.0 && args.lr.is_finite()) {
        return Err(anyhow!("--lr: must be a finite number ≥ 0, got {}", args.lr));
    }
    in_unit("--beta", args.beta)?;
    in_unit("--beta1", args.beta1)?;
    in_unit("--beta2", args.beta2)?;
    if !(args.epsilon > 0.0 && args.epsilon.is_finite()) {
        return Err(anyhow!("--epsilon: must be a finite number > 0, got {}", args.epsilon));
    }
    if !(args.weight_decay >= 0.0 && args.weight_decay.is_finite()) {
        return Err(anyhow!(
            "--weight-decay: must be a finite number ≥ 0, got {}",
            args.weight_decay
        ));
    }
    if let Some(c) = args.clip_norm
        && !(c > 0.0 && c.is_finite())
    {
        return Err(anyhow!("--clip-norm: must be a finite number > 0, got {c}"));
    }
    if args.batch_size == 0 {
        return Err(anyhow!("--batch-size: must be at least 1, got 0"));
    }
    if args.decay_interval == 0 {
        return Err(anyhow!("--decay-interval: must be at least 1, got 0"));
    }
    if !(args.decay_rate >= 0.0 && args.decay_rate.is_finite()) {
        return Err(anyhow!("--decay-rate: must be a finite number ≥ 0, got {}", args.decay_rate));
    }
    Ok(())
}

/// Parses `--layers 5,2` into hidden widths; an empty string means no hidden layer.
pub fn parse_layers(text: &str) -> anyhow::Result<Vec<usize>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, item)| {
            let item = item.trim();
            if item.is_empty() {
                return Err(anyhow!("--layers {text}: item {} is empty", i + 1));
            }
            match item.parse::<usize>() {
                Ok(0) => {
                    Err(anyhow!("--layers {text}: item {} is 0; widths must be at least 1", i + 1))
                }
                Ok(n) => Ok(n),
                Err(_) => Err(anyhow!(
                    "--layers {text}: item {} ({item:?}) is not a positive integer",
                    i + 1
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_parse_and_bad_items_are_named() {
        assert_eq!(parse_layers("5,2").unwrap(), [5, 2]);
        assert_eq!(parse_layers(" 16 , 8 ").unwrap(), [16, 8]);
        assert!(parse_layers("").unwrap().is_empty());
        let msg = |t: &str| parse_layers(t).unwrap_err().to_string();
        assert_eq!(msg("5,,2"), "--layers 5,,2: item 2 is empty");
        assert_eq!(msg("5,0"), "--layers 5,0: item 2 is 0; widths must be at least 1");
        assert!(msg("5,x").contains("item 2 (\"x\")"), "{}", msg("5,x"));
        assert!(msg("-3").contains("item 1"));
    }

    fn command(args: &[&str]) -> Command {
        use clap::Parser;
        let mut argv = vec!["descent"];
        argv.extend_from_slice(args);
        crate::args::Cli::try_parse_from(argv).unwrap().command
    }

    #[test]
    fn one_thread_count_per_subcommand() {
        let all_cores = std::thread::available_parallelism().map_or(1, NonZero::get);
        assert_eq!(threads_of(&command(&["train", "--threads", "3"])), 3);
        assert_eq!(threads_of(&command(&["train"])), all_cores);
        assert_eq!(threads_of(&command(&["compare", "--threads", "2"])), 2);
        assert_eq!(threads_of(&command(&["compare"])), all_cores);
        assert_eq!(threads_of(&command(&["course"])), 1);
        assert_eq!(threads_of(&command(&["train", "--threads", "0"])), 0);
        assert!(descent_threads(0).unwrap_err().to_string().contains("--threads"));
    }
}
