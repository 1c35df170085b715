//! The workloads of descent's benchmarks, shared by the criterion target (`benches/main.rs`)
//! and by the `check-backends` binary that verifies every backend's answers before anything is
//! timed (`cargo xtask bench` runs the check first).
//!
//! - [`gemm`]: the products of one training step of the course network `[2, 5, 2, 1]` on a
//!   batch of 64, and of the first layer of the `wide` network `[784, 1024, 1024, 1]` on a
//!   batch of 256, with seeded inputs;
//! - [`step`]: one training step (forward, cost, backward, Adam) with every buffer allocated
//!   up front;
//! - [`check`]: the reference answers every backend must reproduce.
//!
//! # Example
//! ```
//! use descent_benches::gemm::{self, GemmInputs};
//! use descent_ndarray::Ndarray;
//!
//! let case = &gemm::COURSE[0];
//! let mut inputs = GemmInputs::<f32, Ndarray>::new(case, 1);
//! inputs.run().unwrap();
//! assert_eq!(case.flops(), 2 * 5 * 64 * 2);
//! ```

#![warn(missing_docs)]

pub mod ceiling;
pub mod check;
pub mod gemm;
pub mod step;
pub mod workload;

use descent_core::{Backend, Scalar};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

/// A `rows × cols` matrix of values drawn uniformly from `[-1, 1)` by a PCG generator seeded
/// with `seed`, in column-major order: the same values on every backend. Allocates.
#[must_use]
pub fn seeded_matrix<T: Scalar, B: Backend<T>>(rows: usize, cols: usize, seed: u64) -> B::Matrix {
    let mut rng = Pcg64::seed_from_u64(seed);
    let mut m = B::zeros(rows, cols);
    for j in 0..cols {
        for x in B::col_mut(&mut m, j) {
            *x = T::from_f64(rng.random_range(-1.0..1.0));
        }
    }
    m
}
