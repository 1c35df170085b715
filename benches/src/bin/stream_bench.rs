//! Throughput of training from a memory-mapped `.npy` file against the same data in memory:
//! examples per second over whole epochs, the page cache warm, and cold (emptied for the file
//! with `posix_fadvise(DONTNEED)`) where the system allows it, each with and without
//! prefetching (`TrainConfig::prefetch`). `cargo xtask stream-bench` and
//! `cargo xtask bench` run it and put its table in `BENCHMARKS.md`.
//!
//! Usage: `stream-bench [--examples N] [--dir PATH]` (defaults: 1,048,576 examples, i.e. a
//! 256 MiB file of 64 float32 features, in `target/stream-bench`). Prints a Markdown table.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use descent_core::Backend;
use descent_faer::Faer;
use descent_io::{Dtype, MmapDataset, NpyWriter};
use descent_train::optim::{Adam, AdamConfig};
use descent_train::schedule::Constant;
use descent_train::{
    Activation, DataSource, Dataset, Init, Mlp, MlpConfig, Output, Silent, TrainConfig, Trainer,
};

const FEATURES: usize = 64;
const BATCH: usize = 256;
const LAYERS: [usize; 3] = [FEATURES, 32, 1];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("stream-bench: error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (n_examples, dir) = parse_args()?;
    std::fs::create_dir_all(&dir)?;
    let (x_path, y_path) = (dir.join("X.npy"), dir.join("y.npy"));
    eprintln!(
        "stream-bench: writing {n_examples} examples × {FEATURES} features to {}",
        x_path.display()
    );
    write_data(&x_path, &y_path, n_examples)?;
    descent_faer::set_threads(1);

    // Warm: the file was just written, so its pages are cached; one untimed epoch maps them.
    // Each configuration runs once per round, the rounds interleaved so that the other jobs
    // of a shared machine weigh on all of them alike; the best round counts.
    let mapped = MmapDataset::open(&x_path, &y_path)?;
    epoch_rate(&mapped, false)?;
    let in_memory = load_in_memory(&mapped);
    let mut best = [0.0_f64; 4];
    for _ in 0..3 {
        let rates = [
            epoch_rate(&in_memory, false)?,
            epoch_rate(&in_memory, true)?,
            epoch_rate(&mapped, false)?,
            epoch_rate(&mapped, true)?,
        ];
        for (b, r) in best.iter_mut().zip(rates) {
            *b = b.max(r);
        }
    }
    let [memory, memory_prefetch, warm, warm_prefetch] = best;
    drop(in_memory);
    drop(mapped);

    // Cold: drop the file's cached pages (nothing maps them now), then map it again; twice
    // each way, alternating.
    let mut cold = [0.0_f64; 2];
    let mut cold_ok = true;
    'rounds: for _ in 0..2 {
        for (c, prefetch) in cold.iter_mut().zip([false, true]) {
            if let Err(err) = drop_cache(&x_path) {
                eprintln!(
                    "stream-bench: cannot empty the page cache for the file ({err}); no cold figure"
                );
                cold_ok = false;
                break 'rounds;
            }
            *c = c.max(epoch_rate(&MmapDataset::open(&x_path, &y_path)?, prefetch)?);
        }
    }
    let mib = (n_examples * FEATURES * 4) as f64 / f64::from(1 << 20);
    println!("| source | prefetch | examples/s | vs in memory |");
    println!("|---|---|---:|---:|");
    let row = |name: &str, prefetch: bool, rate: f64| {
        let p = if prefetch { "on" } else { "off" };
        println!("| {name} | {p} | {rate:.0} | {:.2} |", rate / memory);
    };
    row("in memory (`Dataset`)", false, memory);
    row("in memory (`Dataset`)", true, memory_prefetch);
    row("memory-mapped, warm page cache", false, warm);
    row("memory-mapped, warm page cache", true, warm_prefetch);
    if cold_ok {
        row("memory-mapped, cold page cache (first epoch)", false, cold[0]);
        row("memory-mapped, cold page cache (first epoch)", true, cold[1]);
    }
    println!();
    println!(
        "Prefetch on vs off, side by side: in memory {:.2}×, mapped warm {:.2}×{}.",
        memory_prefetch / memory,
        warm_prefetch / warm,
        if cold_ok { format!(", mapped cold {:.2}×", cold[1] / cold[0]) } else { String::new() }
    );
    println!();
    println!(
        "{n_examples} examples × {FEATURES} float32 features ({mib:.0} MiB), network {LAYERS:?}, \
         Adam, batches of {BATCH}, faer f32 on one thread (prefetching adds a second thread); \
         one shuffled epoch per figure, best of 3 interleaved rounds warm and in memory, of 2 \
         cold."
    );
    std::fs::remove_file(&x_path)?;
    std::fs::remove_file(&y_path)?;
    Ok(())
}

fn parse_args() -> Result<(usize, PathBuf), Box<dyn std::error::Error>> {
    let mut n_examples = 1 << 20;
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/stream-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--examples" => {
                n_examples = args.next().ok_or("--examples needs a number")?.parse()?;
                if n_examples < BATCH {
                    return Err(format!("--examples: at least {BATCH}").into());
                }
            }
            "--dir" => dir = args.next().ok_or("--dir needs a path")?.into(),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    Ok((n_examples, dir))
}

/// Examples per second of one epoch of training from `data`, gathering the batches ahead on a
/// second thread with `prefetch`.
fn epoch_rate(
    data: &(impl DataSource<f32> + ?Sized),
    prefetch: bool,
) -> Result<f64, descent_core::Error> {
    let config = MlpConfig {
        layers: LAYERS.to_vec(),
        hidden: Activation::Relu,
        output: Output::Sigmoid,
        init: Init::He,
        seed: 1,
    };
    let mut mlp = Mlp::<f32, Faer>::new(&config)?;
    let train = TrainConfig {
        epochs: 1,
        batch_size: BATCH,
        record_batch_costs: false,
        prefetch: Some(prefetch),
        ..TrainConfig::default()
    };
    let mut trainer = Trainer::new(
        train,
        Box::new(Adam::new(AdamConfig::default())?),
        Box::new(Constant::new(0.001)?),
    )?;
    let start = Instant::now();
    trainer.fit(&mut mlp, data, &mut Silent)?;
    let rate = data.n_examples() as f64 / start.elapsed().as_secs_f64();
    std::hint::black_box(<Faer as Backend<f32>>::to_col_major(&mlp.params()[0]));
    Ok(rate)
}

/// Copies every example into a [`Dataset`] (the in-memory baseline on the same data).
fn load_in_memory(data: &MmapDataset) -> Dataset<f32> {
    let m = DataSource::<f32>::n_examples(data);
    let mut features = vec![0.0_f32; m * FEATURES];
    let mut targets = vec![0.0_f32; m];
    for (j, (x, y)) in features.chunks_exact_mut(FEATURES).zip(&mut targets).enumerate() {
        data.read_example(j, x);
        data.read_target(j, std::slice::from_mut(y));
    }
    Dataset::new(FEATURES, features, 1, targets).expect("the file's values are finite")
}

/// Uniform features in [-1, 1) (SplitMix64) and the label `x0 + x1 - x2 > 0`.
fn write_data(x_path: &Path, y_path: &Path, n_examples: usize) -> descent_io::Result<()> {
    const PIECE: usize = 1 << 14;
    let mut x = NpyWriter::create(x_path, Dtype::F32, &[n_examples, FEATURES])?;
    let mut y = NpyWriter::create(y_path, Dtype::F32, &[n_examples])?;
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
        x.write(&xs)?;
        y.write(&ys)?;
    }
    x.finish()?;
    y.finish()
}

fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 40) as f64) / f64::from(1 << 23) - 1.0
}

/// Asks the kernel to drop the file's clean cached pages (`posix_fadvise(POSIX_FADV_DONTNEED)`),
/// after flushing its dirty ones.
#[cfg(target_os = "linux")]
fn drop_cache(path: &Path) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    file.sync_all()?;
    rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn drop_cache(_path: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("posix_fadvise is used on Linux only"))
}
