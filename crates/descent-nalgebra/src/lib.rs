//! The [nalgebra](https://docs.rs/nalgebra) backend of **descent**.
//!
//! [`Nalgebra`] implements [`Backend`](descent_core::Backend) for `f32` and `f64` on
//! `nalgebra::DMatrix`, which is column-major and contiguous already. GEMM is nalgebra's
//! `gemm` (backed by `matrixmultiply` once every dimension is above 5) and `gemm_tr`.
//!
//! ```
//! use descent_core::{Backend, Trans};
//! use descent_nalgebra::Nalgebra;
//!
//! // `Nalgebra` implements `Backend<f32>` and `Backend<f64>`: name the scalar once.
//! type B = Nalgebra;
//! let a = <B as Backend<f32>>::from_row_major(2, 3, &[1., 2., 3., 4., 5., 6.]).unwrap();
//! let mut out = <B as Backend<f32>>::zeros(2, 2);
//! <B as Backend<f32>>::gemm(&mut out, 1.0, &a, Trans::No, &a, Trans::Yes, 0.0).unwrap(); // a·aᵀ
//! assert_eq!(<B as Backend<f32>>::to_row_major(&out), vec![14., 32., 32., 77.]);
//!
//! // The matrix is a plain `DMatrix`, so all of nalgebra works on it.
//! let m: nalgebra::DMatrix<f32> = out;
//! assert_eq!(m[(1, 0)], 32.0);
//! ```
//!
//! # How GEMM is routed
//! nalgebra 0.35's `gemm` writes out of bounds when its left operand is a transposed
//! (row-strided) view and any dimension of the product is 5 or less (dimforge/nalgebra#1616:
//! heap corruption in a release build, a panic in a debug build). The classic network has
//! layers of 5, 2 and 1, so [`Nalgebra`] never lets such a view reach nalgebra:
//! - when every dimension `m`, `n`, `k` is at least [`SMALL`], transposed operands are passed
//!   to `gemm` as strided views without a copy: nalgebra then calls `matrixmultiply`, which
//!   takes any strides and is 6-12× faster than `gemm_tr` from `256³` on;
//! - smaller products copy each transposed operand into a buffer kept per thread and scalar
//!   type (grown once, then reused: no allocation per call) and call `gemm_tr` (`m·n` dot
//!   products of length `k`) or `gemm` (`n·k` `axpy`s of length `m`, or `matrixmultiply` when
//!   every dimension is above 5) on contiguous matrices, whichever a cost model fitted to
//!   measurements expects to be faster: from 2× to 19× apart on the shapes of a 2-5-2-1
//!   network and of a single-output layer.
//!
//! Both paths leave `out` unread when `beta == 0`, so NaN in it does not propagate.
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
mod gemm;

pub use backend::Nalgebra;
pub use gemm::SMALL;
