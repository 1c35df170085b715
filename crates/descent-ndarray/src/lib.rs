//! The [ndarray](https://docs.rs/ndarray) backend of **descent**.
//!
//! [`Ndarray`] implements [`Backend`](descent_core::Backend) for `f32` and `f64` on
//! [`NdMatrix`], a column-major `ndarray::Array2`. GEMM is ndarray's
//! `linalg::general_mat_mul` (matrixmultiply, with its AVX-512 kernel enabled and, by default,
//! its threads: see [Threads](#threads)).
//!
//! ```
//! use descent_core::{Backend, Trans};
//! use descent_ndarray::Ndarray;
//!
//! // `Ndarray` implements `Backend<f32>` and `Backend<f64>`: name the scalar once.
//! type B = Ndarray;
//! let a = <B as Backend<f32>>::from_row_major(2, 3, &[1., 2., 3., 4., 5., 6.]).unwrap();
//! let mut out = <B as Backend<f32>>::zeros(2, 2);
//! <B as Backend<f32>>::gemm(&mut out, 1.0, &a, Trans::No, &a, Trans::Yes, 0.0).unwrap(); // a·aᵀ
//! assert_eq!(<B as Backend<f32>>::to_row_major(&out), vec![14., 32., 32., 77.]);
//! ```
//!
//! # Threads
//! matrixmultiply splits a large product over a thread pool of its own when this crate's
//! `threading` feature is on (the default): only products with `m·k + k·n` of at least
//! 32,768 (two threads; 65,536 for four), so the tiny products of small networks always run
//! on the calling thread and pay nothing. The thread count is the environment variable
//! `MATMUL_NUM_THREADS`, which matrixmultiply reads **once, at the first GEMM of the
//! process**; without it, matrixmultiply uses the physical cores, at most 4. The `descent`
//! binary sets it from `--threads` at the start of `main`. A program embedding descent sets
//! it in its environment, or at the start of its `main` before any other thread exists
//! (`std::env::set_var` is `unsafe` in edition 2024 for that reason), or builds without the
//! feature (`default-features = false`) to stay on one thread. Results do not depend on the
//! count: matrixmultiply divides only the rows and columns of the output among threads, never
//! the sum over `k`, so every element is computed in the same order.

#![warn(missing_docs)]

mod backend;
mod matrix;

pub use backend::Ndarray;
pub use matrix::NdMatrix;
