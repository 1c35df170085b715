//! **descent-infer**: the forward pass of a network descent trained, for `no_std` targets.
//!
//! `#![no_std]`, no `alloc`, no dependencies, no features, no `unsafe`: [`predict`] runs one
//! example through a [`Model`] whose widths, weights and standardization are borrowed slices
//! (a `const` literal, say, in flash), writing intermediate values to a scratch buffer the
//! caller provides ([`scratch_len`] values) and the outputs to the caller's slice. Lengths are
//! checked and reported as an [`Error`], never a panic. `e^x` and `tanh` are written here for
//! `core` alone (module docs of [`Float`]), within a few ulp of std's.
//!
//! | descent model file | here |
//! |---|---|
//! | `layers` | [`Model::layers`] |
//! | `W1, W2, …` (row-major `(n_l, n_{l-1})`) | [`Model::weights`] |
//! | `b1, b2, …` | [`Model::biases`] |
//! | `activation` `relu` / `tanh` | [`Activation`] |
//! | `output` `sigmoid` / `softmax` / `linear` | [`Output`] |
//! | `standardize_mean`, `standardize_std` | [`Model::standardize`] ([`Standardize`], `f64`) |
//! | `dtype` `f32` / `f64` | the type parameter `F` ([`Float`]) |
//!
//! The results agree with descent's own forward pass within 1e-5 relative in `f32` and
//! 1e-12 in `f64` (the products are summed in another order than a GEMM sums them); the
//! crate's tests measure it for every activation and output. `descent-export` inlines this
//! crate's source in the Rust files it generates, so its modules name each other through
//! `super::`, never `crate::`.
//!
//! # Example
//! ```
//! use descent_infer::{Activation, Model, Output, Standardize, predict_class, scratch_len};
//!
//! const LAYERS: [usize; 3] = [2, 3, 2];
//! static MODEL: Model<'static, f32> = Model {
//!     layers: &LAYERS,
//!     weights: &[&[1.0, -1.0, 0.5, 0.5, -1.0, 1.0], &[1.0, 0.0, -1.0, 0.0, 1.0, 2.0]],
//!     biases: &[&[0.0, 0.1, 0.0], &[0.0, 0.0]],
//!     activation: Activation::Tanh,
//!     output: Output::Softmax,
//!     standardize: Some(Standardize { mean: &[10.0, 0.0], std: &[2.0, 0.0] }),
//! };
//! let mut scratch = [0.0; scratch_len(&LAYERS)];
//! let mut probabilities = [0.0; 2];
//! let class = predict_class(&MODEL, &[12.0, -0.5], &mut scratch, &mut probabilities)?;
//! assert_eq!(class, 0);
//! assert!((probabilities[0] + probabilities[1] - 1.0).abs() < 1e-6);
//! # Ok::<(), descent_infer::Error>(())
//! ```
//!
//! A hand-computed case (`f64`, no standardization):
//! ```
//! use descent_infer::{Activation, Model, Output, predict};
//!
//! // 2 inputs → 2 ReLU units → 1 sigmoid unit.
//! const MODEL: Model<'static, f64> = Model {
//!     layers: &[2, 2, 1],
//!     weights: &[&[1.0, 0.0, 0.0, -1.0], &[1.0, 1.0]],
//!     biases: &[&[0.0, 0.0], &[0.0]],
//!     activation: Activation::Relu,
//!     output: Output::Sigmoid,
//!     standardize: None,
//! };
//! let mut scratch = [0.0; MODEL.scratch_len()];
//! let mut out = [0.0; 1];
//! predict(&MODEL, &[2.0, -1.0], &mut scratch, &mut out)?;
//! // z = relu(2) + relu(1) = 3, σ(3) = 1/(1 + e^{-3}).
//! assert!((out[0] - 0.952_574_126_822_433_4).abs() < 1e-15);
//! # Ok::<(), descent_infer::Error>(())
//! ```
//!
//! # Size and stack
//! On a Cortex-M4F (`thumbv7em-none-eabihf`, `opt-level = "s"`, LTO) a program predicting with
//! an `f32` 4-16-16-3 network has 1.2 KB of code (3.6 KB with standardization, which runs in
//! `f64` and so brings soft-float routines; 5.6 KB for an `f64` model), besides the weights.
//! The stack holds a few frames of scalars (about 60 B for `f32`, 150 B for `f64`, measured)
//! besides the buffers, which are the caller's. The crate's README has the figures and how
//! they were measured (`examples/no-std`).

#![no_std]
#![warn(missing_docs)]

mod error;
mod float;
mod forward;
mod kind;
mod model;
pub mod source;

pub use error::{Error, Part};
pub use float::Float;
pub use forward::{class_of, predict, predict_class};
pub use kind::{Activation, Output};
pub use model::{Model, Standardize, scratch_len};

/// The README's example, compiled and run as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
