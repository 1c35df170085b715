//! Training from a memory-mapped `.npy` file far larger than the memory the process keeps for
//! itself: the private memory (`RssAnon` in `/proc/self/status`, which excludes the file pages
//! the kernel can drop) stays under 32 MiB plus 8 bytes per example, and the parameters equal
//! those of training on the same data in memory.
//!
//! The 1 GiB file (64 float32 features, 4,194,304 examples) runs with `cargo test`; the 4 GiB
//! one is `#[ignore]`d and runs with `cargo xtask stream-test`. Both files are written in the
//! system's temporary folder and removed afterwards.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use descent_core::Backend;
use descent_io::{Dtype, MmapDataset, NpyWriter};
use descent_ndarray::Ndarray;
use descent_train::optim::{Adam, AdamConfig};
use descent_train::schedule::Constant;
use descent_train::{
    Activation, DataSource, Dataset, EpochStats, Init, Mlp, MlpConfig, Observer, Output,
    TrainConfig, Trainer,
};

const FEATURES: usize = 64;
const MIB: u64 = 1 << 20;

#[test]
fn one_gib_file_trains_in_bounded_private_memory() {
    check_file_of(1 << 30, 1);
}

#[test]
#[ignore = "writes and trains on a 4 GiB file (about a minute); run with `cargo xtask stream-test`"]
fn four_gib_file_trains_in_bounded_private_memory() {
    check_file_of(4 << 30, 2);
}

/// Writes a file of `bytes` bytes of features, trains from it memory-mapped while watching
/// `RssAnon`, then trains on the same data in memory and compares.
fn check_file_of(bytes: usize, epochs: usize) {
    let n_examples = bytes / (FEATURES * 4);
    let dir = TempDir::new();
    let (x_path, y_path) = (dir.0.join("X.npy"), dir.0.join("y.npy"));
    let clock = std::time::Instant::now();
    write_data(&x_path, &y_path, n_examples);
    let written = clock.elapsed().as_secs_f64();
    let baseline = rss_anon();

    let mapped = MmapDataset::open(&x_path, &y_path).unwrap();
    let mut watch = RssWatch { every: 64, peak: rss_anon() };
    let (from_file, file_epochs) = train(&mapped, epochs, &mut watch);
    let (peak, file_pages) = (watch.peak, status_kib("RssFile"));
    let trained = clock.elapsed().as_secs_f64();
    let bound = 32 * MIB + 8 * n_examples as u64;
    println!(
        "{n_examples} examples × {FEATURES} features ({} MiB): RssAnon {} MiB before opening, \
         peak {} MiB while training (bound {} MiB); RssFile {} MiB at the end",
        bytes as u64 / MIB,
        baseline / MIB,
        peak / MIB,
        bound / MIB,
        file_pages / MIB,
    );
    assert!(peak < bound, "RssAnon peaked at {peak} bytes, above the bound {bound}");
    // The process's own memory did not follow the file: the file is 1 GiB or more.
    assert!(peak < bytes as u64 / 8, "RssAnon {peak} bytes for a file of {bytes}");
    drop(mapped);

    // The same data in memory, read through the loader's conversion.
    let in_memory = load_in_memory(&MmapDataset::open(&x_path, &y_path).unwrap());
    let (from_memory, memory_epochs) =
        train(&in_memory, epochs, &mut RssWatch { every: usize::MAX, peak: 0 });
    println!(
        "written in {written:.1} s, trained from the file in {:.1} s, in memory in {:.1} s",
        trained - written,
        clock.elapsed().as_secs_f64() - trained
    );
    assert_eq!(file_epochs, memory_epochs, "epoch costs and accuracies");
    assert!(from_file == from_memory, "parameters differ between file and memory");
}

/// `epochs` epochs of Adam on a 64-4-1 network, batches of 1024 (each epoch reads every
/// example once, in a new order); the parameters (bits) and the epochs' statistics.
fn train(
    data: &(impl DataSource<f32> + ?Sized),
    epochs: usize,
    observer: &mut dyn Observer,
) -> (Vec<Vec<u32>>, Vec<EpochStats>) {
    let config = MlpConfig {
        layers: vec![FEATURES, 4, 1],
        hidden: Activation::Relu,
        output: Output::Sigmoid,
        init: Init::He,
        seed: 7,
    };
    let mut mlp = Mlp::<f32, Ndarray>::new(&config).unwrap();
    let train = TrainConfig {
        epochs,
        batch_size: 1024,
        seed: 11,
        record_batch_costs: false,
        ..TrainConfig::default()
    };
    let adam = Adam::new(AdamConfig::default()).unwrap();
    let mut trainer =
        Trainer::new(train, Box::new(adam), Box::new(Constant::new(0.01).unwrap())).unwrap();
    let history = trainer.fit(&mut mlp, data, observer).unwrap();
    let accuracy = history.epochs.last().unwrap().accuracy.unwrap();
    assert!(accuracy > 0.9, "the labels are learnable: accuracy {accuracy}");
    let params = mlp
        .params()
        .iter()
        .map(|p| Ndarray::to_col_major(p).iter().map(|x: &f32| x.to_bits()).collect())
        .collect();
    (params, history.epochs)
}

/// Copies every example of `data` into a [`Dataset`].
fn load_in_memory(data: &MmapDataset) -> Dataset<f32> {
    let m = DataSource::<f32>::n_examples(data);
    let mut features = vec![0.0_f32; m * FEATURES];
    let mut targets = vec![0.0_f32; m];
    for (j, (x, y)) in features.chunks_exact_mut(FEATURES).zip(&mut targets).enumerate() {
        data.read_example(j, x);
        data.read_target(j, std::slice::from_mut(y));
    }
    Dataset::new(FEATURES, features, 1, targets).unwrap()
}

/// Writes `n_examples` examples of uniform features in [-1, 1) and the label
/// `x0 + x1 - x2 > 0`, in pieces of 16,384 examples.
fn write_data(x_path: &Path, y_path: &Path, n_examples: usize) {
    const PIECE: usize = 1 << 14;
    let mut x = NpyWriter::create(x_path, Dtype::F32, &[n_examples, FEATURES]).unwrap();
    let mut y = NpyWriter::create(y_path, Dtype::F32, &[n_examples]).unwrap();
    let mut state = 0x1234_5678_9ABC_DEF0_u64;
    let (mut xs, mut ys) = (Vec::with_capacity(PIECE * FEATURES), Vec::with_capacity(PIECE));
    for start in (0..n_examples).step_by(PIECE) {
        xs.clear();
        ys.clear();
        for _ in start..(start + PIECE).min(n_examples) {
            let row = xs.len();
            xs.extend((0..FEATURES).map(|_| uniform(&mut state)));
            ys.push(f64::from(u8::from(xs[row] + xs[row + 1] - xs[row + 2] > 0.0)));
        }
        x.write(&xs).unwrap();
        y.write(&ys).unwrap();
    }
    x.finish().unwrap();
    y.finish().unwrap();
}

/// A uniform number in [-1, 1) with 24 random bits (exact in float32), from SplitMix64.
fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 40) as f64) / f64::from(1 << 23) - 1.0
}

/// Samples `RssAnon` every `every` batches and keeps the largest value.
struct RssWatch {
    every: usize,
    peak: u64,
}

impl Observer for RssWatch {
    fn on_batch(&mut self, _epoch: usize, batch: usize, _cost: f64) {
        if batch.is_multiple_of(self.every) {
            self.peak = self.peak.max(rss_anon());
        }
    }

    fn on_epoch(&mut self, _stats: &EpochStats) -> ControlFlow<()> {
        if self.every != usize::MAX {
            self.peak = self.peak.max(rss_anon());
        }
        ControlFlow::Continue(())
    }
}

/// The process's private resident memory, in bytes.
fn rss_anon() -> u64 {
    status_kib("RssAnon")
}

/// A `kB` field of `/proc/self/status`, in bytes.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// A fresh folder under the system's temporary folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "descent-io-stream-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
