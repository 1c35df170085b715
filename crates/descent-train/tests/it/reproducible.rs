//! Same seed, same backend: bit-identical results; three backends: agreement within 1e-9.

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets};

/// Parameters (column-major, concatenated) and optimizer state after `epochs` epochs of
/// shuffled mini-batches of 30 on 300 moons (10 steps per epoch).
fn train<T: Scalar, B: Backend<T>>(
    optimizer: &OptimizerConfig,
    epochs: usize,
) -> (Vec<T>, descent_core::OptimizerState<T>) {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast::<T>();
    let mut mlp =
        Mlp::<T, B>::new(&MlpConfig { layers: vec![2, 17, 5, 1], ..MlpConfig::course() }).unwrap();
    let config = TrainConfig { epochs, batch_size: 30, seed: 42, ..TrainConfig::default() };
    let schedule = ScheduleConfig::InverseTime { rate: 0.1 }.build(0.05).unwrap();
    let mut trainer = Trainer::new(config, optimizer.build::<T, B>().unwrap(), schedule).unwrap();
    trainer.fit(&mut mlp, &data, &mut Silent).unwrap();
    let params = mlp.params().iter().flat_map(|p| B::to_col_major(p)).collect();
    (params, trainer.optimizer().state())
}

#[test]
fn same_seed_same_backend_is_bit_identical() {
    for optimizer in OptimizerConfig::all_defaults() {
        assert_eq!(train::<f64, Ndarray>(&optimizer, 3), train::<f64, Ndarray>(&optimizer, 3));
        assert_eq!(train::<f32, Faer>(&optimizer, 3), train::<f32, Faer>(&optimizer, 3));
        assert_eq!(train::<f64, Nalgebra>(&optimizer, 3), train::<f64, Nalgebra>(&optimizer, 3));
    }
}

#[test]
fn three_backends_agree_after_100_shuffled_steps_in_f64() {
    for optimizer in OptimizerConfig::all_defaults() {
        let (reference, _) = train::<f64, Ndarray>(&optimizer, 10);
        for (name, params) in [
            ("nalgebra", train::<f64, Nalgebra>(&optimizer, 10).0),
            ("faer", train::<f64, Faer>(&optimizer, 10).0),
        ] {
            let (mut diff, mut norm) = (0.0_f64, 0.0_f64);
            for (a, b) in reference.iter().zip(&params) {
                diff = diff.max((a - b).abs());
                norm = norm.max(a.abs());
            }
            let rel = diff / norm;
            println!(
                "{} after 100 steps: ndarray vs {name}: max relative difference {rel:.2e}",
                optimizer.name()
            );
            assert!(rel < 1e-9, "{} {name}: {rel:e}", optimizer.name());
        }
    }
}
