//! Steady-state training allocates nothing on the backend, and neither does one large GEMM.
//!
//! Needs [`Counting`](crate::alloc::Counting) as the test binary's global allocator, which
//! [`backend_suite!`](crate::backend_suite) installs; both tests first check that it counts
//! ([`assert_counting`]), so they cannot pass vacuously.

use descent_core::Backend;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{Dataset, Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets};

use crate::alloc::{allocations, assert_counting, gemm_allocations};
use crate::tolerance::Dtype;

/// Allocations made by one `fit` of `epochs` epochs of the course network, from a fresh
/// trainer (everything a step needs is allocated before the first one).
fn allocations_of_fit<T: Dtype, B: Backend<T>>(
    data: &Dataset<T>,
    optimizer: &OptimizerConfig,
    epochs: usize,
) -> u64 {
    let config = MlpConfig { layers: vec![2, 16, 8, 1], ..MlpConfig::course() };
    let mut mlp = Mlp::<T, B>::new(&config).expect("the course network");
    let train = TrainConfig { epochs, clip_norm: Some(1.0), ..TrainConfig::default() };
    let schedule = ScheduleConfig::Scheduled { rate: 1.0, interval: 2 }.build(0.01).unwrap();
    let optimizer = optimizer.build::<T, B>().expect("a default optimizer");
    let mut trainer = Trainer::new(train, optimizer, schedule).expect("a valid run");
    let before = allocations();
    trainer.fit(&mut mlp, data, &mut Silent).expect("training on the moons");
    allocations() - before
}

/// Ten more epochs (50 training steps: forward, backward, gradient clipping, the optimizer
/// update) cost no allocation, for every optimizer.
pub fn training_steps_allocate_nothing<T: Dtype, B: Backend<T>>() {
    assert_counting();
    // 300 examples in batches of 64: full batches and a partial last one every epoch.
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap().cast::<T>();
    // Warm-up: thread-local scratch (a GEMM's packing buffer) grows once per thread.
    allocations_of_fit::<T, B>(&data, &OptimizerConfig::Gd, 1);
    for optimizer in OptimizerConfig::all_defaults() {
        let one = allocations_of_fit::<T, B>(&data, &optimizer, 1);
        let eleven = allocations_of_fit::<T, B>(&data, &optimizer, 11);
        assert_eq!(
            eleven.saturating_sub(one),
            0,
            "{} {} {}: 10 more epochs (50 training steps) made {} allocations ({one} for 1 \
             epoch, {eleven} for 11): an op other than a constructor allocates{}",
            B::NAME,
            T::DTYPE,
            optimizer.name(),
            eleven.saturating_sub(one),
            matrixmultiply_hint(),
        );
    }
}

/// A GEMM with every dimension at least 64 allocates nothing once warmed up.
pub fn gemm_allocates_nothing<T: Dtype, B: Backend<T>>() {
    for (m, n, k) in [(64, 64, 64), (96, 64, 128), (128, 80, 64)] {
        let count = gemm_allocations::<T, B>(m, n, k);
        assert_eq!(
            count,
            0,
            "{} {}: one gemm of m={m} n={n} k={k} made {count} allocations{}",
            B::NAME,
            T::DTYPE,
            matrixmultiply_hint(),
        );
    }
}

/// What to check first when a backend on matrixmultiply allocates.
fn matrixmultiply_hint() -> &'static str {
    ". If the GEMM is matrixmultiply's: the published crate allocates its packing buffer in \
     every call; descent's copy in vendor/matrixmultiply caches it per thread, and applies only \
     through `[patch.crates-io] matrixmultiply = { path = \"<descent>/vendor/matrixmultiply\" }` \
     in the manifest of the workspace that builds the test (`[patch]` of a dependency's \
     workspace does not apply); see descent's vendor/README.md"
}
