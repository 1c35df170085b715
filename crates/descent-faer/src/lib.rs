//! The [faer](https://docs.rs/faer) backend of **descent**.
//!
//! [`Faer`] implements [`Backend`](descent_core::Backend) for `f32` and `f64` on
//! [`faer::Mat`], which is column-major with each column padded to the SIMD alignment. GEMM is
//! `faer::linalg::matmul::matmul`; every other op is the trait's default, walking columns.
//!
//! GEMM runs sequentially unless [`set_threads`] allows more threads (a process-wide setting
//! the command line makes once, before the first product); products smaller than
//! [`PAR_THRESHOLD`] multiply-adds stay sequential whatever the setting.
//!
//! ```
//! use descent_core::{Backend, Trans};
//! use descent_faer::Faer;
//!
//! // `Faer` implements `Backend<f32>` and `Backend<f64>`: name the scalar once.
//! type B = Faer;
//! let a = <B as Backend<f32>>::from_row_major(2, 3, &[1., 2., 3., 4., 5., 6.]).unwrap();
//! let mut out = <B as Backend<f32>>::zeros(2, 2);
//! <B as Backend<f32>>::gemm(&mut out, 1.0, &a, Trans::No, &a, Trans::Yes, 0.0).unwrap(); // a·aᵀ
//! assert_eq!(<B as Backend<f32>>::to_row_major(&out), vec![14., 32., 32., 77.]);
//! assert_eq!(<B as Backend<f32>>::col(&out, 1), &[32., 77.]);
//! assert_eq!(descent_faer::threads(), 1); // sequential by default
//! ```

#![warn(missing_docs)]

mod backend;
mod threads;

pub use backend::Faer;
pub use threads::{PAR_THRESHOLD, set_threads, threads};
