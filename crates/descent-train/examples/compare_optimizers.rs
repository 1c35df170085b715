//! The course's comparison on moons: every optimizer (and gd/momentum/Adam with the course's
//! scheduled decay) trained from the same initial parameters on the same batches; prints the
//! final cost and training accuracy of each.
//!
//! Run with `cargo run --release -p descent-train --example compare_optimizers`.

use descent_core::Result;
use descent_faer::Faer;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets, evaluate};

fn main() -> Result<()> {
    let data = datasets::moons(datasets::SyntheticConfig::default())?;
    let scheduled = ScheduleConfig::Scheduled { rate: 1.0, interval: 1000 };
    let mut runs: Vec<(OptimizerConfig, f64, ScheduleConfig)> = OptimizerConfig::all_defaults()
        .into_iter()
        .map(|o| (o, 0.0007, ScheduleConfig::Constant))
        .collect();
    for optimizer in &OptimizerConfig::all_defaults()[..3] {
        let lr0 = if optimizer.name() == "adam" { 0.01 } else { 0.1 };
        runs.push((*optimizer, lr0, scheduled));
    }
    println!("{:<10} {:>7} {:<10} {:>10} {:>9}", "optimizer", "lr0", "decay", "cost", "accuracy");
    for (optimizer, lr0, schedule) in runs {
        let mut mlp = Mlp::<f64, Faer>::new(&MlpConfig::course())?;
        let config =
            TrainConfig { epochs: 5000, record_batch_costs: false, ..TrainConfig::default() };
        let mut trainer =
            Trainer::new(config, optimizer.build::<f64, Faer>()?, schedule.build(lr0)?)?;
        trainer.fit(&mut mlp, &data, &mut Silent)?;
        let eval = evaluate(&mlp, &data)?;
        println!(
            "{:<10} {:>7} {:<10} {:>10.6} {:>9.4}",
            optimizer.name(),
            lr0,
            schedule.name(),
            eval.cost,
            eval.accuracy.unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
