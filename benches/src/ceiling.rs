//! The GEMM ceiling of a workload: the library GEMM alone, on exactly the products of one
//! training step, timed in the same run as the workloads.
//!
//! A step of a network `[n_0, …, n_L]` on a batch of `b` runs, per layer `l`, the forward
//! product `W_l·A_{l-1}` (`n_l × n_{l-1}` by `n_{l-1} × b`), `dW_l = dZ_l·A_{l-1}ᵀ` and, except
//! for the first layer, `dA_{l-1} = W_lᵀ·dZ_l`: the same shapes and transposes as
//! `Mlp::forward` / `Mlp::backward`. Their FLOPs over the time of running only them is the
//! most a training step could reach with that backend's GEMM.

use std::time::Instant;

use descent_core::{Backend, Result, Scalar, Trans};

use crate::gemm::{GemmCase, GemmInputs};

/// The products of one step, in the order the step runs them.
#[must_use]
pub fn step_products(layers: &[usize], batch: usize) -> Vec<GemmCase> {
    let mut res = Vec::new();
    for w in layers.windows(2) {
        res.push(GemmCase { m: w[1], n: batch, k: w[0], ta: Trans::No, tb: Trans::No });
    }
    for (l, w) in layers.windows(2).enumerate().rev() {
        res.push(GemmCase { m: w[1], n: w[0], k: batch, ta: Trans::No, tb: Trans::Yes });
        if l > 0 {
            res.push(GemmCase { m: w[0], n: batch, k: w[1], ta: Trans::Yes, tb: Trans::No });
        }
    }
    res
}

/// GFLOP/s of backend `B`'s GEMM on the products of one step of `layers` on batches of
/// `batch`: the median of `reps` timed rounds after one warm-up round (the median rather than
/// the best, so that on a shared machine the ceiling sees the same contention as the
/// workloads, which are timed over whole runs).
///
/// # Errors
/// What the GEMM reports (not for consistent shapes).
pub fn gflops<T: Scalar, B: Backend<T>>(
    layers: &[usize],
    batch: usize,
    reps: usize,
) -> Result<f64> {
    let mut inputs: Vec<GemmInputs<T, B>> = step_products(layers, batch)
        .iter()
        .enumerate()
        .map(|(i, c)| GemmInputs::new(c, i as u64))
        .collect();
    let flops: u64 = inputs.iter().map(|i| i.case.flops()).sum();
    let mut times = Vec::with_capacity(reps);
    for round in 0..=reps.max(1) {
        let start = Instant::now();
        for i in &mut inputs {
            i.run()?;
        }
        let secs = start.elapsed().as_secs_f64();
        if round > 0 {
            times.push(secs);
        }
    }
    times.sort_by(f64::total_cmp);
    Ok(flops as f64 / times[times.len() / 2] / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_has_three_products_per_layer_but_the_first() {
        let p = step_products(&[2, 5, 2, 1], 64);
        assert_eq!(p.len(), 8);
        let flops: u64 = p.iter().map(GemmCase::flops).sum();
        // The workload's count: 112 FLOPs per example.
        assert_eq!(flops, 112 * 64);
        // `dA_1 = W_2ᵀ·dZ_2`: W_2 is 2×5 stored, used transposed.
        assert!(p.contains(&GemmCase { m: 5, n: 64, k: 2, ta: Trans::Yes, tb: Trans::No }));
    }
}
