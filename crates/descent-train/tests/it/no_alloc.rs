//! Steady-state training allocates nothing: ten more epochs cost zero more allocations.
//!
//! That includes the libraries' GEMMs: faer keeps thread-local scratch, and matrixmultiply (under
//! ndarray's `general_mat_mul` for every product, and under nalgebra's `gemm` for products with
//! every dimension above 5) allocated its packing buffer in every call upstream — the workspace
//! patches it to keep one buffer per thread (vendor/README.md). The wider network below makes
//! nalgebra take the matrixmultiply path too, so a regression of the patch fails here.

use descent_core::Backend;
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets};

use crate::alloc_count::{allocations, allocations_all_threads, in_own_process};

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
/// `count` reads the allocation counter: this thread's, or every thread's.
fn allocations_of_wide_fit<B: Backend<f64>>(
    data: &Dataset<f64>,
    width: usize,
    epochs: usize,
    count: fn() -> u64,
) -> u64 {
    let config = MlpConfig { layers: vec![2, width, width, 1], ..MlpConfig::course() };
    let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
    let train = TrainConfig { epochs, ..TrainConfig::default() };
    let schedule = ScheduleConfig::Constant.build(0.001).unwrap();
    let optimizer = OptimizerConfig::from_name("adam").unwrap().build::<f64, B>().unwrap();
    let mut trainer = Trainer::new(train, optimizer, schedule).unwrap();
    let before = count();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    count() - before
}

/// Ten more epochs of [`allocations_of_wide_fit`] allocate nothing, as `count` counts.
fn check_wide<B: Backend<f64>>(width: usize, count: fn() -> u64) {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    allocations_of_wide_fit::<B>(&data, width, 1, count);
    // The least of three runs: with every thread counted, the test harness's own thread may
    // allocate once, at any time (a per-step allocation would add 50 every time).
    let least = |epochs| {
        (0..3).map(|_| allocations_of_wide_fit::<B>(&data, width, epochs, count)).min().unwrap()
    };
    let (one, eleven) = (least(1), least(11));
    println!("{} width {width}: {one} allocations for 1 epoch, {eleven} for 11", B::NAME);
    assert_eq!(eleven, one, "{}: 10 more epochs (50 steps) allocated", B::NAME);
}

#[test]
fn wider_networks_allocate_nothing_either() {
    // [2, 64, 64, 1] on batches of 64 (and the last of 44): 8 products per step, of which
    // three (W2·A1, dZ2·A1ᵀ, W2ᵀ·dZ2) have every dimension above 5, so nalgebra runs them
    // through matrixmultiply.
    check_wide::<Ndarray>(64, allocations);
    check_wide::<Nalgebra>(64, allocations);
    check_wide::<Faer>(64, allocations);
}

#[test]
fn products_split_over_matrixmultiply_threads_allocate_nothing_on_any_thread() {
    // Every thread is counted (matrixmultiply's workers too), so the test runs in a process
    // of its own (this test binary, with only this test).
    let name =
        "no_alloc::products_split_over_matrixmultiply_threads_allocate_nothing_on_any_thread";
    if !in_own_process(name, "DESCENT_SPLIT_ALLOC_CHILD") {
        return;
    }
    // Hidden layers of 256: W2·A1 (256×256·256×64) and dZ2·A1ᵀ (256×64·64×256) are large
    // enough for matrixmultiply's thread pool (`m·k + k·n ≥ 32,768`), which runs them on two
    // threads wherever it has two cores (MATMUL_NUM_THREADS unset: the physical cores, at
    // most 4). The pool starts in the warm-up fit; after that a split product costs no
    // thread anything: the packing buffer (one A~ per thread) comes from the calling thread's
    // cache, and thread-tree's jobs live on the caller's stack (its channels are bounded).
    check_wide::<Ndarray>(256, allocations_all_threads);
    check_wide::<Nalgebra>(256, allocations_all_threads);
}

/// Ten more epochs of the course network allocate nothing, for every optimizer.
fn check<B: Backend<f64>>() {
    // 300 examples in batches of 64: full batches and a partial last one every epoch.
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    // Warm-up: thread-local scratch buffers (nalgebra's transposed copies, matrixmultiply's
    // packing buffer) grow once per thread.
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
        assert_eq!(
            eleven - one,
            0,
            "{} {}: 10 epochs ({steps_in_ten_epochs} steps) allocated",
            B::NAME,
            optimizer.name()
        );
    }
}

#[test]
fn ndarray_steps_allocate_nothing() {
    check::<Ndarray>();
}

#[test]
fn nalgebra_steps_allocate_nothing() {
    check::<Nalgebra>();
}

#[test]
fn faer_steps_allocate_nothing() {
    check::<Faer>();
}

/// Allocations of one `fit` with L2, dropout, class weights and sample weights (inline or
/// prefetched batches; this thread's count).
fn allocations_of_regularized_fit<B: Backend<f64>>(epochs: usize, prefetch: bool) -> u64 {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let weights: Vec<f64> = (0..300).map(|j| f64::from(j % 4) * 0.5).collect();
    let weighted = descent_train::Weighted::new(&data, &weights).unwrap();
    let config = MlpConfig { layers: vec![2, 8, 4, 1], ..MlpConfig::course() };
    let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
    let train = TrainConfig { epochs, prefetch: Some(prefetch), ..TrainConfig::default() };
    let reg = descent_train::RegularizationConfig {
        l2: 0.1,
        keep_prob: vec![0.8, 0.9],
        class_weights: Some(vec![1.0, 2.0]),
    };
    let optimizer = OptimizerConfig::from_name("adam").unwrap().build::<f64, B>().unwrap();
    let schedule = ScheduleConfig::Constant.build(0.001).unwrap();
    let mut trainer =
        Trainer::new(train, optimizer, schedule).unwrap().with_regularization(reg).unwrap();
    let before = allocations();
    trainer.fit(&mut mlp, &weighted, &mut Silent).unwrap();
    allocations() - before
}

fn check_regularized<B: Backend<f64>>() {
    for prefetch in [false, true] {
        allocations_of_regularized_fit::<B>(1, prefetch);
        let one = allocations_of_regularized_fit::<B>(1, prefetch);
        let eleven = allocations_of_regularized_fit::<B>(11, prefetch);
        println!(
            "{} regularized, prefetch {prefetch}: {one} for 1 epoch, {eleven} for 11",
            B::NAME
        );
        assert_eq!(
            eleven,
            one,
            "{}: 10 more epochs with L2, dropout and weights allocated",
            B::NAME
        );
    }
}

#[test]
fn steps_with_l2_dropout_and_weights_allocate_nothing() {
    check_regularized::<Ndarray>();
    check_regularized::<Nalgebra>();
    check_regularized::<Faer>();
}
