//! Training from a memory-mapped file allocates nothing per step: gathering a batch copies
//! straight from the mapping into the reused batch buffers, on the training thread or on the
//! prefetching one (this count is the training thread's; descent-train's `prefetch.rs` counts
//! both threads).
//!
//! The ndarray backend is used on purpose: its GEMM (matrixmultiply, patched to keep its packing
//! buffer per thread, vendor/README.md) runs in every product, so the count covers it too.

use descent_io::{Dtype, MmapDataset, NpyWriter};
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    DataSource, FeatureStats, Mlp, MlpConfig, Silent, Standardized, TrainConfig, Trainer, datasets,
};

use crate::alloc_track::allocations;

fn allocations_of_fit(
    data: &(impl DataSource<f64> + ?Sized),
    epochs: usize,
    prefetch: Option<bool>,
) -> u64 {
    let mut mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
    let config = TrainConfig { epochs, prefetch, ..TrainConfig::default() };
    let optimizer = OptimizerConfig::Adam(Default::default()).build::<f64, Ndarray>().unwrap();
    let schedule = ScheduleConfig::Constant.build(0.01).unwrap();
    let mut trainer = Trainer::new(config, optimizer, schedule).unwrap();
    let before = allocations();
    trainer.fit(&mut mlp, data, &mut Silent).unwrap();
    allocations() - before
}

#[test]
fn steps_from_a_mapped_file_allocate_nothing() {
    // The course's 300 moons: batches of 64 and a partial last batch of 44, 5 steps an epoch.
    let moons = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let dir = std::env::temp_dir();
    let x_path = dir.join(format!("descent-io-no-alloc-{}-x.npy", std::process::id()));
    let y_path = dir.join(format!("descent-io-no-alloc-{}-y.npy", std::process::id()));
    let mut x = NpyWriter::create(&x_path, Dtype::F64, &[300, 2]).unwrap();
    x.write(moons.features()).unwrap();
    x.finish().unwrap();
    let mut y = NpyWriter::create(&y_path, Dtype::F64, &[300]).unwrap();
    y.write(moons.targets()).unwrap();
    y.finish().unwrap();
    let mapped = MmapDataset::open(&x_path, &y_path).unwrap();
    let stats = FeatureStats::scan::<f64>(&mapped).unwrap();
    let standardized = Standardized::new::<f64>(&mapped, &stats).unwrap();
    let sources: [(&str, &dyn DataSource<f64>); 3] =
        [("memory", &moons), ("file", &mapped), ("standardized file", &standardized)];
    // Warm-up: the test thread's GEMM packing buffer is allocated once.
    allocations_of_fit(&moons, 1, None);
    // `None`: as the source prefers (prefetching from the file, not from memory).
    for (name, source) in sources {
        for prefetch in [None, Some(false), Some(true)] {
            let one = allocations_of_fit(source, 1, prefetch);
            let eleven = allocations_of_fit(source, 11, prefetch);
            println!(
                "{name}, prefetch {prefetch:?}: {one} allocations for 1 epoch, {eleven} for 11"
            );
            assert_eq!(
                eleven - one,
                0,
                "{name}, prefetch {prefetch:?}: 10 epochs (50 steps) allocated"
            );
        }
    }
    drop(mapped);
    std::fs::remove_file(&x_path).unwrap();
    std::fs::remove_file(&y_path).unwrap();
}
