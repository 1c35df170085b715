//! `descent gen`: writes a built-in data set of any size as `.npy` features and labels, in
//! pieces, so that sets larger than memory can be made for tests and benchmarks.

use std::time::Instant;

use anyhow::{Context, anyhow};
use descent::train::datasets::{self, SyntheticConfig};
use descent_io::{Dtype, NpyWriter};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

use crate::args::{DtypeArg, GenArgs};
use crate::failure::Failure;

/// Examples generated per piece: the memory `gen` uses does not grow with `--examples`.
pub const CHUNK: usize = 1 << 16;

/// Runs `descent gen`.
pub fn run(args: &GenArgs) -> Result<(), Failure> {
    let start = Instant::now();
    let plan = check(args).map_err(Failure::Input)?;
    let outputs = [("--out", Some(args.out.as_path())), ("--labels", Some(args.labels.as_path()))];
    crate::run::check_no_clobber(&outputs, &[], &[]).map_err(Failure::Input)?;
    // A missing folder or an unwritable file is an input error, found before any work.
    let x = NpyWriter::create(&args.out, plan.dtype, &[args.examples, plan.n_features])
        .map_err(|e| Failure::Input(e.into()))?;
    let y = NpyWriter::create(&args.labels, plan.dtype, &[args.examples])
        .map_err(|e| Failure::Input(e.into()))?;
    write(args, &plan, x, y).map_err(Failure::Run)?;
    println!(
        "descent gen: {} ({} examples, {} features, {}) to {} and {} in {:.2} s",
        args.data,
        args.examples,
        plan.n_features,
        plan.dtype.name(),
        args.out.display(),
        args.labels.display(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The checked settings.
struct Plan {
    n_features: usize,
    dtype: Dtype,
}

fn check(args: &GenArgs) -> anyhow::Result<Plan> {
    if args.examples < 2 {
        return Err(anyhow!("--examples: must be at least 2, got {}", args.examples));
    }
    if !(args.noise >= 0.0 && args.noise.is_finite()) {
        return Err(anyhow!("--noise: must be a finite number ≥ 0, got {}", args.noise));
    }
    // The name and the settings are checked on the first piece.
    let sample = SyntheticConfig {
        n_examples: args.examples.min(CHUNK),
        noise: args.noise,
        seed: args.seed,
    };
    let width = datasets::by_name(&args.data, sample)
        .with_context(|| format!("--data {}", args.data))?
        .n_features();
    let n_features = args.features.unwrap_or(width);
    if n_features < width {
        return Err(anyhow!(
            "--features: {} has {width} features; more are padded with noise, fewer are not \
             possible (got {n_features})",
            args.data
        ));
    }
    if args.out == args.labels {
        return Err(anyhow!("--out and --labels name the same file {}", args.out.display()));
    }
    let dtype = match args.dtype {
        DtypeArg::F32 => Dtype::F32,
        DtypeArg::F64 => Dtype::F64,
    };
    Ok(Plan { n_features, dtype })
}

/// Writes the two files: pieces of at most [`CHUNK`] examples, each a built-in set of its own
/// seed (piece 0 uses `--seed` itself, so up to [`CHUNK`] examples are exactly the data
/// `descent train --data <name> --examples N` builds), padded with standard-normal features.
fn write(args: &GenArgs, plan: &Plan, mut x: NpyWriter, mut y: NpyWriter) -> anyhow::Result<()> {
    let m = args.examples;
    let mut padding = Pcg64::seed_from_u64(args.seed ^ 0xD1B5_4A32_D192_ED03);
    // Pieces of equal size (±1), so that each has the few examples a built-in set needs.
    let n_pieces = m.div_ceil(CHUNK);
    let mut row = Vec::with_capacity(CHUNK * plan.n_features);
    for piece in 0..n_pieces {
        let n = m / n_pieces + usize::from(piece < m % n_pieces);
        let seed = args.seed.wrapping_add((piece as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let data = datasets::by_name(
            &args.data,
            SyntheticConfig { n_examples: n, noise: args.noise, seed },
        )?;
        row.clear();
        for j in 0..n {
            row.extend_from_slice(data.example(j));
            for _ in data.n_features()..plan.n_features {
                row.push(StandardNormal.sample(&mut padding));
            }
        }
        x.write(&row)?;
        y.write(data.targets())?;
    }
    x.finish()?;
    y.finish()?;
    Ok(())
}
