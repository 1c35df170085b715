//! `descent train`: builds the data, network, optimizer and schedule from the flags, trains,
//! and prints a summary.

use std::time::Instant;

use anyhow::{Context, anyhow};
use descent::train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use descent::train::schedule::ScheduleConfig;
use descent::train::{
    Activation, Dataset, Init, Mlp, MlpConfig, Output, TrainConfig, Trainer, datasets, evaluate,
};
use descent::{Backend, Faer, Nalgebra, Ndarray, Scalar};

use crate::Failure;
use crate::args::{BackendArg, DecayArg, DtypeArg, HiddenArg, OptimizerArg, OutputArg, TrainArgs};
use crate::progress::Progress;

/// Runs `descent train`.
pub fn run(args: &TrainArgs) -> Result<(), Failure> {
    let plan = Plan::from_args(args).map_err(Failure::Input)?;
    let all_cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    descent_threads(args.threads.unwrap_or(all_cores)).map_err(Failure::Input)?;
    match (args.backend, args.dtype) {
        (BackendArg::Ndarray, DtypeArg::F32) => train::<f32, Ndarray>(&plan, args),
        (BackendArg::Ndarray, DtypeArg::F64) => train::<f64, Ndarray>(&plan, args),
        (BackendArg::Nalgebra, DtypeArg::F32) => train::<f32, Nalgebra>(&plan, args),
        (BackendArg::Nalgebra, DtypeArg::F64) => train::<f64, Nalgebra>(&plan, args),
        (BackendArg::Faer, DtypeArg::F32) => train::<f32, Faer>(&plan, args),
        (BackendArg::Faer, DtypeArg::F64) => train::<f64, Faer>(&plan, args),
    }
}

/// Sets the dense-math thread count (faer's; ndarray and nalgebra run single-threaded here).
pub fn descent_threads(threads: usize) -> anyhow::Result<()> {
    if threads == 0 {
        return Err(anyhow!("--threads: must be at least 1, got 0"));
    }
    descent_faer::set_threads(threads);
    Ok(())
}

/// Everything validated from the flags before any training starts.
pub struct Plan {
    pub data: Dataset<f64>,
    pub mlp: MlpConfig,
    pub optimizer: OptimizerConfig,
    pub schedule: ScheduleConfig,
    pub train: TrainConfig,
}

impl Plan {
    pub fn from_args(args: &TrainArgs) -> anyhow::Result<Self> {
        let synthetic =
            datasets::SyntheticConfig { n_examples: args.examples, noise: args.noise, seed: 3 };
        let data = datasets::by_name(&args.data, synthetic)
            .with_context(|| format!("--data {}", args.data))?;
        let hidden = parse_layers(&args.layers)?;
        let n_classes = data.n_classes();
        let output = match (args.output, n_classes) {
            (Some(OutputArg::Linear), _) => Output::Linear,
            (Some(OutputArg::Sigmoid), Some(2)) | (None, Some(2)) => Output::Sigmoid,
            (Some(OutputArg::Softmax), Some(_)) | (None, Some(_)) => Output::Softmax,
            (Some(OutputArg::Sigmoid), _) => {
                return Err(anyhow!("--output sigmoid: the labels are not 0/1"));
            }
            (_, None) => {
                return Err(anyhow!(
                    "--data {}: labels are not classes 0..K-1; use --output linear for regression",
                    args.data
                ));
            }
        };
        let n_out = match output {
            Output::Sigmoid => 1,
            Output::Softmax => n_classes.unwrap_or(2).max(2),
            Output::Linear => data.n_targets(),
        };
        let mut layers = vec![data.n_features()];
        layers.extend(hidden);
        layers.push(n_out);
        let mlp = MlpConfig {
            layers,
            hidden: match args.activation {
                HiddenArg::Relu => Activation::Relu,
                HiddenArg::Tanh => Activation::Tanh,
            },
            output,
            init: Init::He,
            seed: args.seed,
        };
        mlp.validate().context("--layers")?;
        check_flags(args)?;
        let optimizer = optimizer_config(args.optimizer, args);
        optimizer.validate().context("--optimizer settings")?;
        let (rate, interval) = (args.decay_rate, args.decay_interval);
        let schedule = match args.decay {
            DecayArg::None => ScheduleConfig::Constant,
            DecayArg::InverseTime => ScheduleConfig::InverseTime { rate },
            DecayArg::Scheduled => ScheduleConfig::Scheduled { rate, interval },
            DecayArg::Exponential => ScheduleConfig::Exponential { rate, interval },
            DecayArg::Step => ScheduleConfig::Step { rate, interval },
            DecayArg::Cosine => ScheduleConfig::Cosine { epochs: args.epochs.max(1), lr_min: 0.0 },
        };
        schedule.build(args.lr).context("--decay settings")?;
        let train = TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            shuffle: !args.no_shuffle,
            seed: args.seed,
            clip_norm: args.clip_norm,
            record_batch_costs: false,
        };
        train.validate().context("training settings")?;
        Ok(Self { data, mlp, optimizer, schedule, train })
    }
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
fn check_flags(args: &TrainArgs) -> anyhow::Result<()> {
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
fn parse_layers(text: &str) -> anyhow::Result<Vec<usize>> {
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

fn train<T: Scalar, B: Backend<T>>(plan: &Plan, args: &TrainArgs) -> Result<(), Failure> {
    let data = plan.data.cast::<T>();
    let mut mlp =
        Mlp::<T, B>::new(&plan.mlp).context("building the network").map_err(Failure::Input)?;
    let optimizer =
        plan.optimizer.build::<T, B>().context("--optimizer").map_err(Failure::Input)?;
    let schedule = plan.schedule.build(args.lr).context("--decay").map_err(Failure::Input)?;
    let mut trainer = Trainer::new(plan.train.clone(), optimizer, schedule)
        .map_err(|e| Failure::Input(e.into()))?;
    let mut progress = Progress::new(plan.train.epochs, args.quiet);
    let start = Instant::now();
    let history = trainer.fit(&mut mlp, &data, &mut progress);
    progress.finish();
    let history =
        history.map_err(|e| Failure::Run(anyhow::Error::new(e).context("training stopped")))?;
    let elapsed = start.elapsed().as_secs_f64();
    let eval = evaluate(&mlp, &data).map_err(|e| Failure::Run(e.into()))?;
    let batches_per_epoch =
        data.n_examples().div_ceil(plan.train.batch_size.min(data.n_examples()));
    let steps = history.epochs.len() * batches_per_epoch;
    let layers: Vec<String> = plan.mlp.layers.iter().map(ToString::to_string).collect();
    println!(
        "descent train: {} ({} examples), layers {}, {} lr {}, batch {}, {} epochs, {} {}",
        args.data,
        data.n_examples(),
        layers.join("-"),
        plan.optimizer.name(),
        args.lr,
        plan.train.batch_size,
        history.epochs.len(),
        B::NAME,
        T::DTYPE,
    );
    let accuracy = eval.accuracy.map_or(String::new(), |a| format!(", training accuracy {a:.4}"));
    println!(
        "final cost {:.6}{accuracy}, time {elapsed:.3} s, {:.0} steps/s",
        eval.cost,
        steps as f64 / elapsed.max(1e-9)
    );
    Ok(())
}
