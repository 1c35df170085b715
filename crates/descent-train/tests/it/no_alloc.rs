//! Steady-state training allocates nothing: ten more epochs cost zero more allocations.
//!
//! One exception is measured, not hidden: matrixmultiply (under ndarray's `general_mat_mul`)
//! allocates its packing buffer inside every GEMM call (`make_packing_buffer` in its
//! `src/gemm.rs`), so the ndarray backend makes exactly one library allocation per GEMM — 8 per
//! step of a 3-layer network — and none of ours.

use descent_core::Backend;
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets};

use crate::alloc_count::allocations;

/// Allocations made by one `fit` of `epochs` epochs, from a fresh trainer.
fn allocations_of_fit<B: Backend<f64>>(
    data: &Dataset<f64>,
    optimizer: &OptimizerConfig,
    epochs: usize,
) -> u64 {
    let mut mlp = Mlp::<f64, B>::new(&MlpConfig::course()).unwrap();
    let config = TrainConfig { epochs, clip_norm: Some(1.0), ..TrainConfig::default() };
    let schedule = ScheduleConfig::Scheduled { rate: 1.0, interval: 2 }.build(0.01).unwrap();
    let mut trainer = Trainer::new(config, optimizer.build::<f64, B>().unwrap(), schedule).unwrap();
    let before = allocations();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    allocations() - before
}

/// GEMM calls per training step of a 3-layer network: 3 forward, 3 `dW`, 2 `dA`.
const GEMMS_PER_STEP: u64 = 8;

/// `library_allocs_per_gemm`: allocations the library makes inside one GEMM call.
fn check<B: Backend<f64>>(library_allocs_per_gemm: u64) {
    // 300 examples in batches of 64: full batches and a partial last one every epoch.
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    // Warm-up: thread-local scratch buffers (nalgebra's transposed copies) grow once per thread.
    allocations_of_fit::<B>(&data, &OptimizerConfig::Gd, 1);
    let steps_in_ten_epochs = 10 * 5;
    for optimizer in OptimizerConfig::all_defaults() {
        let one = allocations_of_fit::<B>(&data, &optimizer, 1);
        let eleven = allocations_of_fit::<B>(&data, &optimizer, 11);
        println!(
            "{} {}: {one} allocations for 1 epoch, {eleven} for 11",
            B::NAME,
            optimizer.name()
        );
        let library = steps_in_ten_epochs * GEMMS_PER_STEP * library_allocs_per_gemm;
        assert_eq!(
            eleven - one,
            library,
            "{} {}: 10 epochs (50 steps) allocated",
            B::NAME,
            optimizer.name()
        );
    }
}

#[test]
fn ndarray_steps_allocate_nothing() {
    check::<Ndarray>(1);
}

#[test]
fn nalgebra_steps_allocate_nothing() {
    check::<Nalgebra>(0);
}

#[test]
fn faer_steps_allocate_nothing() {
    check::<Faer>(0);
}
