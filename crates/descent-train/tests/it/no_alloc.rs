//! Steady-state training allocates nothing: ten more epochs cost zero more allocations.
//!
//! One exception is measured, not hidden: matrixmultiply allocates its packing buffer inside
//! every GEMM call (`make_packing_buffer` in its `src/gemm.rs`, no reuse API). It runs under
//! ndarray's `general_mat_mul` for every product, and under nalgebra's `gemm` for products with
//! every dimension above 5. So the ndarray backend makes exactly one library allocation per
//! GEMM — 8 per step of a 3-layer network — nalgebra one per large product, faer none (its
//! GEMM keeps thread-local scratch), and descent itself none.

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

/// Allocations made by `fit` on a network with two hidden layers of `width` (moons, batches
/// of 64).
fn allocations_of_wide_fit<B: Backend<f64>>(
    data: &Dataset<f64>,
    width: usize,
    epochs: usize,
) -> u64 {
    let config = MlpConfig { layers: vec![2, width, width, 1], ..MlpConfig::course() };
    let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
    let train = TrainConfig { epochs, ..TrainConfig::default() };
    let schedule = ScheduleConfig::Constant.build(0.001).unwrap();
    let optimizer = OptimizerConfig::from_name("adam").unwrap().build::<f64, B>().unwrap();
    let mut trainer = Trainer::new(train, optimizer, schedule).unwrap();
    let before = allocations();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    allocations() - before
}

/// Ten more epochs of [`allocations_of_wide_fit`] make `per_step` allocations per step.
fn check_wide<B: Backend<f64>>(width: usize, per_step: u64) {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    allocations_of_wide_fit::<B>(&data, width, 1);
    let one = allocations_of_wide_fit::<B>(&data, width, 1);
    let eleven = allocations_of_wide_fit::<B>(&data, width, 11);
    assert_eq!(eleven - one, 50 * per_step, "{}: 10 epochs (50 steps) allocated", B::NAME);
}

#[test]
fn wider_networks_allocate_only_inside_matrixmultiply() {
    // [2, 64, 64, 1] on batches of 64 (and the last of 44): 8 products per step, of which
    // three (W2·A1, dZ2·A1ᵀ, W2ᵀ·dZ2) have every dimension above 5.
    check_wide::<Ndarray>(64, GEMMS_PER_STEP);
    check_wide::<Nalgebra>(64, 3);
    check_wide::<Faer>(64, 0);
}

#[test]
fn products_split_over_matrixmultiply_threads_allocate_nothing_more() {
    // Hidden layers of 256: W2·A1 (256×256·256×64) and dZ2·A1ᵀ (256×64·64×256) are large
    // enough for matrixmultiply's thread pool (`m·k + k·n ≥ 32,768`), which runs them on two
    // threads wherever it has two cores (MATMUL_NUM_THREADS unset: the physical cores, at
    // most 4). The pool starts in the warm-up fit; after that a split product costs the
    // calling thread the same one packing buffer as before (thread-tree's jobs live on the
    // caller's stack and its channels are bounded).
    check_wide::<Ndarray>(256, GEMMS_PER_STEP);
    check_wide::<Nalgebra>(256, 3);
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
