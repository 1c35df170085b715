//! Trains the course's network on moons with Adam through the `descent` facade, faer only.

use descent::Faer;
use descent::train::optim::{AdamConfig, OptimizerConfig};
use descent::train::schedule::ScheduleConfig;
use descent::train::{Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets, evaluate};

fn main() -> descent::Result<()> {
    assert_eq!(descent::BACKENDS, ["faer"], "only the faer feature is enabled");
    let data = datasets::moons(datasets::SyntheticConfig::default())?.cast::<f32>();
    let mut mlp = Mlp::<f32, Faer>::new(&MlpConfig::course())?;
    let optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<f32, Faer>()?;
    let config = TrainConfig { epochs: 1000, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, optimizer, ScheduleConfig::Constant.build(0.0007)?)?;
    trainer.fit(&mut mlp, &data, &mut Silent)?;
    let eval = evaluate(&mlp, &data)?;
    println!(
        "embedded descent (faer, f32): cost {:.4}, accuracy {:.3}",
        eval.cost,
        eval.accuracy.unwrap_or(f64::NAN)
    );
    Ok(())
}
