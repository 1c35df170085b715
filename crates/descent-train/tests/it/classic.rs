//! The course's optimizer comparison on moons: Adam clearly ahead of gd and momentum at
//! lr 0.0007, and scheduled decay lifting gd and momentum above 90%, on every backend and
//! both dtypes.
//!
//! The course ("Improving Deep Neural Networks", week 2) reports training accuracies of about
//! 72% for mini-batch gd and momentum, 94% for Adam, and about 94-95% for gd and momentum with
//! `schedule_lr_decay` (lr0 0.1, rate 1, interval 1000), on layers [2, 5, 2, 1], batch 64,
//! 5000 epochs.
//!
//! Our moons come from a PCG generator, not numpy's, so the numbers differ from the course's
//! (gd and momentum reach about 88% here, Adam about 98%): the picture is what is checked. The
//! network is `MlpConfig::course()` with seed 1, the command line's default. (With our seed 3,
//! ReLU units die early and every optimizer stops at the linear boundary, about 88%.)

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, MomentumConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets, evaluate};

/// Final training accuracy of one run of the course's experiment.
fn accuracy<T: Scalar, B: Backend<T>>(
    data: &Dataset<T>,
    optimizer: &OptimizerConfig,
    lr0: f64,
    decay: &ScheduleConfig,
) -> f64 {
    let mut mlp = Mlp::<T, B>::new(&MlpConfig::course()).unwrap();
    let config = TrainConfig {
        epochs: 5000,
        batch_size: 64,
        record_batch_costs: false,
        ..TrainConfig::default()
    };
    let mut trainer =
        Trainer::new(config, optimizer.build::<T, B>().unwrap(), decay.build(lr0).unwrap())
            .unwrap();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    evaluate(&mlp, data).unwrap().accuracy.unwrap()
}

fn classic<T: Scalar, B: Backend<T>>() {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast::<T>();
    let gd = OptimizerConfig::Gd;
    let momentum = OptimizerConfig::Momentum(MomentumConfig::default());
    let adam = OptimizerConfig::Adam(AdamConfig::default());
    let none = ScheduleConfig::Constant;
    let scheduled = ScheduleConfig::Scheduled { rate: 1.0, interval: 1000 };

    let gd_acc = accuracy::<T, B>(&data, &gd, 0.0007, &none);
    let momentum_acc = accuracy::<T, B>(&data, &momentum, 0.0007, &none);
    let adam_acc = accuracy::<T, B>(&data, &adam, 0.0007, &none);
    let gd_decay = accuracy::<T, B>(&data, &gd, 0.1, &scheduled);
    let momentum_decay = accuracy::<T, B>(&data, &momentum, 0.1, &scheduled);
    println!(
        "{} {}: gd {gd_acc:.4}, momentum {momentum_acc:.4}, adam {adam_acc:.4}, \
         gd+decay {gd_decay:.4}, momentum+decay {momentum_decay:.4}",
        B::NAME,
        T::DTYPE
    );
    assert!(adam_acc > 0.9, "adam {adam_acc}");
    assert!(adam_acc > gd_acc + 0.05, "adam {adam_acc} vs gd {gd_acc}");
    assert!(adam_acc > momentum_acc + 0.05, "adam {adam_acc} vs momentum {momentum_acc}");
    assert!(gd_decay > 0.9, "gd with decay {gd_decay}");
    assert!(momentum_decay > 0.9, "momentum with decay {momentum_decay}");
}

#[test]
fn classic_comparison_ndarray_f64() {
    classic::<f64, Ndarray>();
}

#[test]
fn classic_comparison_ndarray_f32() {
    classic::<f32, Ndarray>();
}

#[test]
fn classic_comparison_nalgebra_f64() {
    classic::<f64, Nalgebra>();
}

#[test]
fn classic_comparison_nalgebra_f32() {
    classic::<f32, Nalgebra>();
}

#[test]
fn classic_comparison_faer_f64() {
    classic::<f64, Faer>();
}

#[test]
fn classic_comparison_faer_f32() {
    classic::<f32, Faer>();
}
