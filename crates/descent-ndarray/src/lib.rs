//! The [ndarray](https://docs.rs/ndarray) backend of **descent**.
//!
//! [`Ndarray`] implements [`Backend`](descent_core::Backend) for `f32` and `f64` on
//! [`NdMatrix`], a column-major `ndarray::Array2`. GEMM is ndarray's
//! `linalg::general_mat_mul` (matrixmultiply, with its AVX-512 kernel enabled).
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

#![warn(missing_docs)]

mod backend;
mod matrix;

pub use backend::Ndarray;
pub use matrix::NdMatrix;
