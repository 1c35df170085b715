//! The traits of **descent**, a trainer for dense neural networks on a dense-math backend of
//! your choice.
//!
//! This crate depends on no linear-algebra library. It defines
//! - [`Scalar`]: the element types, `f32` and `f64`;
//! - [`Backend`]: the dense math of a training step (GEMM, bias add, activations, …) over one
//!   library's matrix type, with outputs the caller owns so that training allocates nothing
//!   per step;
//! - [`Optimizer`] and [`Schedule`]: the shapes of update rules and learning-rate decay;
//! - [`Error`]: the one error type, and [`Result`];
//! - [`fastmath`]: `exp` and `ln(1 + x)` over slices, vectorised for `f32`.
//!
//! | backend | crate | facade feature |
//! |---|---|---|
//! | `Ndarray` | `descent-ndarray` | `ndarray` |
//! | `Nalgebra` | `descent-nalgebra` | `nalgebra` |
//! | `Faer` | `descent-faer` | `faer` |
//!
//! A backend of your own: the contract is in [`Backend`]'s docs, a complete example in
//! `examples/fourth-backend`, and `descent_backend_tests::backend_suite!` proves it.
//!
//! # Example
//! Code written against the trait runs on every backend:
//! ```
//! use descent_core::{Backend, Result, Trans};
//!
//! /// One dense layer's forward pass: `A = relu(W·X + b)`.
//! fn dense<B: Backend<f64>>(w: &B::Matrix, b: &B::Matrix, x: &B::Matrix) -> Result<B::Matrix> {
//!     let (n_out, n_examples) = (B::shape(w).0, B::shape(x).1);
//!     let mut z = B::zeros(n_out, n_examples);
//!     B::gemm(&mut z, 1.0, w, Trans::No, x, Trans::No, 0.0)?;
//!     B::add_col(&mut z, b)?;
//!     let mut a = B::zeros(n_out, n_examples);
//!     B::relu(&mut a, &z)?;
//!     Ok(a)
//! }
//! ```

#![warn(missing_docs)]

mod backend;
pub mod elementwise;
mod error;
pub mod fastmath;
mod gemm;
mod optimizer;
mod scalar;
mod schedule;
pub mod simd;

pub use backend::{Backend, sigmoid};
pub use error::{Error, Result, check_shape};
pub use gemm::{Trans, check_gemm};
pub use optimizer::{Optimizer, OptimizerState, StateSlot};
pub use scalar::Scalar;
pub use schedule::Schedule;
