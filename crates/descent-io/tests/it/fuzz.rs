//! The file readers fuzzed: arbitrary bytes, and valid files mutated (bit flips,
//! truncations, overwritten and inserted bytes, edited header fields) are given to the CSV,
//! `.npy`, model and checkpoint readers. Every input must give `Ok` or a clean error: no
//! panic, and no single allocation beyond a bound of the file's size.
//!
//! The default run is short (a fixed number of cases per reader, seeded, so reproducible).
//! `DESCENT_FUZZ_SECONDS=60 cargo test -p descent-io --test it fuzz -- --nocapture` (or
//! `cargo xtask fuzz --seconds 60`) keeps drawing fresh rounds of cases until the time is up
//! and prints how many inputs each reader was given. Each crash found is kept below as a
//! named regression test.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use descent_io::{
    load_checkpoint, load_csv, load_csv_features, load_model, load_npy_features, load_npy_labels,
    load_parameters,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::alloc_track::take_largest;

/// Cases per reader and round in the default run.
const DEFAULT_CASES: u32 = 96;

/// The largest single allocation a reader may make for a file of `len` bytes: the file
/// itself (read whole, and a vector may double while it grows), its values as `f64` (8 per
/// byte at most, for one-byte labels), plus a fixed allowance.
fn allowance(len: usize) -> usize {
    16 * len + (1 << 20)
}

/// A temporary file per call, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn with(bytes: &[u8], ext: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("descent-fuzz-{}-{n}.{ext}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A reader under test: a name, the file extension it expects, and the calls to make.
struct Target {
    name: &'static str,
    ext: &'static str,
    run: fn(&Path),
}

const TARGETS: [Target; 3] = [
    Target {
        name: "csv",
        ext: "csv",
        run: |p| {
            let _ = load_csv(p, None);
            let _ = load_csv(p, Some("label"));
            let _ = load_csv_features(p);
            let _ = descent_io::load_dataset(p, None, None);
            if let Ok(table) = descent_io::read_table(p) {
                let rows: Vec<usize> = (0..table.n_rows()).collect();
                let options = descent_io::ColumnOptions::default();
                if let Ok(enc) = descent_io::TableEncoding::fit(&table, &rows, &options) {
                    let _ = descent_io::TableEncoding::from_json(&enc.to_json());
                }
            }
        },
    },
    Target {
        name: "npy",
        ext: "npy",
        run: |p| {
            let _ = load_npy_features(p);
            let _ = load_npy_labels(p);
        },
    },
    Target {
        name: "safetensors",
        ext: "safetensors",
        run: |p| {
            let _ = load_model(p);
            let _ = load_parameters(p);
            let _ = load_checkpoint(p);
        },
    },
];

/// Runs `target` on `bytes`: a panic fails the case (proptest catches it), and so does an
/// allocation beyond [`allowance`].
fn exercise(target: &Target, bytes: &[u8]) -> Result<(), TestCaseError> {
    let file = Temp::with(bytes, target.ext);
    take_largest();
    (target.run)(&file.0);
    let largest = take_largest();
    prop_assert!(
        largest <= allowance(bytes.len()),
        "{}: a file of {} bytes made an allocation of {largest} bytes",
        target.name,
        bytes.len()
    );
    Ok(())
}

/// Valid files of each kind, the seeds of the mutations.
fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let fixture = |name: &str| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name))
            .unwrap()
    };
    match target.name {
        "csv" => vec![
            b"x1,x2,label\n0.1,0.2,0\n0.9,-0.8,1\n1e3,2.5e-3,1\n".to_vec(),
            b"a,b\n\"1\",2\n3,4\r\n5,6".to_vec(),
        ],
        "npy" => [
            "features_f32.npy",
            "features_f64_fortran.npy",
            "labels_bool_column.npy",
            "labels_i64.npy",
        ]
        .into_iter()
        .map(fixture)
        .collect(),
        _ => vec![
            fixture("model_f32.safetensors"),
            fixture("model_f64.safetensors"),
            fixture("bare_f32.safetensors"),
            checkpoint_bytes(),
        ],
    }
}

/// The bytes of a small Adam checkpoint (f32), written once.
fn checkpoint_bytes() -> Vec<u8> {
    use descent_io::{Checkpoint, DataFingerprint, Dtype, TrainingSettings, save_checkpoint};
    use descent_ndarray::Ndarray;
    use descent_train::optim::OptimizerConfig;
    use descent_train::schedule::ScheduleConfig;
    use descent_train::{Init, Mlp, MlpConfig, Silent, Trainer, datasets};
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES
        .get_or_init(|| {
            let data = datasets::moons(datasets::SyntheticConfig {
                n_examples: 20,
                ..datasets::SyntheticConfig::default()
            })
            .unwrap();
            let s = TrainingSettings {
                optimizer: OptimizerConfig::default(),
                lr: 0.01,
                schedule: ScheduleConfig::Step { rate: 1.0, interval: 2 },
                batch_size: 8,
                shuffle: true,
                seed: 1,
                clip_norm: Some(1.0),
                init: Init::He,
                init_seed: 1,
            };
            let mut mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
            let mut trainer = Trainer::new(
                s.train_config(2),
                s.optimizer.build().unwrap(),
                s.schedule.build(s.lr).unwrap(),
            )
            .unwrap();
            trainer.fit(&mut mlp, &data, &mut Silent).unwrap();
            let c = Checkpoint::capture(
                &mlp,
                &trainer,
                Dtype::F32,
                None,
                s,
                DataFingerprint::of(&data),
                Default::default(),
            );
            let file = Temp::with(b"", "safetensors");
            save_checkpoint(&file.0, &c).unwrap();
            std::fs::read(&file.0).unwrap()
        })
        .clone()
}

/// One way to damage a file.
#[derive(Debug, Clone)]
enum Mutation {
    /// Flip bit `bit` of the byte at `pos` (modulo the length).
    FlipBit { pos: usize, bit: u8 },
    /// Keep only the first `len` bytes (modulo the length).
    Truncate { len: usize },
    /// Overwrite bytes from `pos` on.
    Overwrite { pos: usize, bytes: Vec<u8> },
    /// Insert bytes at `pos`.
    Insert { pos: usize, bytes: Vec<u8> },
    /// Replace the `nth` run of ASCII digits (a size, shape, offset or value in a header or
    /// cell) with `digits`.
    EditNumber { nth: usize, digits: String },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..8_u8).prop_map(|(pos, bit)| Mutation::FlipBit { pos, bit }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(pos, bytes)| Mutation::Overwrite { pos, bytes }),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(pos, bytes)| Mutation::Insert { pos, bytes }),
        (any::<usize>(), "(0|1|2|7|8|255|256|4294967295|4294967296|18446744073709551615|99999999999999999999|[0-9]{1,12})")
            .prop_map(|(nth, digits)| Mutation::EditNumber { nth, digits }),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::FlipBit { pos, bit } => {
                if let Some(b) = bytes.get_mut(pos % len) {
                    *b ^= 1 << bit;
                }
            }
            Mutation::Truncate { len: keep } => bytes.truncate(keep % len),
            Mutation::Overwrite { pos, bytes: new } => {
                let start = pos % len;
                for (i, &b) in new.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(start + i) {
                        *slot = b;
                    }
                }
            }
            Mutation::Insert { pos, bytes: new } => {
                let at = (pos % len).min(bytes.len());
                bytes.splice(at..at, new.iter().copied());
            }
            Mutation::EditNumber { nth, digits } => {
                let runs = digit_runs(&bytes);
                if !runs.is_empty() {
                    let (start, end) = runs[nth % runs.len()];
                    bytes.splice(start..end, digits.bytes());
                }
            }
        }
    }
    bytes
}

/// The byte ranges of the runs of ASCII digits.
fn digit_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, bytes.len()));
    }
    runs
}

/// Inputs for `target`: arbitrary bytes, or a seed file with one to four mutations.
fn inputs(target: &Target) -> impl Strategy<Value = Vec<u8>> + use<> {
    let seeds = seeds(target);
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..600),
        4 => (prop::sample::select(seeds), prop::collection::vec(mutation(), 1..5))
            .prop_map(|(seed, ms)| apply(seed, &ms)),
    ]
}

/// Runs rounds of cases until `DESCENT_FUZZ_SECONDS` have passed (one round by default) and
/// returns the number of inputs tried.
fn fuzz(target: &Target) -> u64 {
    let budget = std::env::var("DESCENT_FUZZ_SECONDS").ok().and_then(|s| s.parse::<u64>().ok());
    let deadline = budget.map(|s| Instant::now() + Duration::from_secs(s));
    let strategy = inputs(target);
    let (mut round, mut tried) = (0_u64, 0_u64);
    loop {
        let config = Config {
            cases: DEFAULT_CASES,
            rng_seed: RngSeed::Fixed(round),
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        if let Err(e) = runner.run(&strategy, |bytes| exercise(target, &bytes)) {
            panic!("{} reader, round {round} (seed {round}): {e}", target.name);
        }
        tried += u64::from(DEFAULT_CASES);
        round += 1;
        match deadline {
            Some(d) if Instant::now() < d => {}
            _ => break,
        }
    }
    println!("fuzzed the {} reader with {tried} inputs ({round} rounds)", target.name);
    tried
}

#[test]
fn fuzz_csv() {
    assert!(fuzz(&TARGETS[0]) >= u64::from(DEFAULT_CASES));
}

#[test]
fn fuzz_npy() {
    assert!(fuzz(&TARGETS[1]) >= u64::from(DEFAULT_CASES));
}

#[test]
fn fuzz_safetensors_model_and_checkpoint() {
    assert!(fuzz(&TARGETS[2]) >= u64::from(DEFAULT_CASES));
}

#[test]
fn the_mutations_do_what_they_say() {
    let seed = b"ab12cd345".to_vec();
    assert_eq!(apply(seed.clone(), &[Mutation::FlipBit { pos: 0, bit: 1 }]), b"cb12cd345");
    assert_eq!(apply(seed.clone(), &[Mutation::Truncate { len: 3 }]), b"ab1");
    assert_eq!(
        apply(seed.clone(), &[Mutation::Overwrite { pos: 8, bytes: vec![b'x', b'y'] }]),
        b"ab12cd34x"
    );
    assert_eq!(
        apply(seed.clone(), &[Mutation::Insert { pos: 2, bytes: vec![b'-'] }]),
        b"ab-12cd345"
    );
    let edit = Mutation::EditNumber { nth: 1, digits: "99999".into() };
    assert_eq!(apply(seed, &[edit]), b"ab12cd99999");
}

#[test]
fn the_allocation_bound_is_measured() {
    take_largest();
    let v = std::hint::black_box(vec![0_u8; 3 << 20]);
    assert!(take_largest() >= 3 << 20);
    drop(v);
    assert!(take_largest() < 3 << 20, "reset");
}
