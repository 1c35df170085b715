//! The Rust source export of a model file: one self-contained `no_std` source file.
//!
//! [`source`] turns a [`ModelFile`] into the text of one Rust module with
//!
//! - `pub const N_INPUTS: usize` and `pub const N_OUTPUTS: usize`;
//! - `pub fn predict(input: &[f32; N_INPUTS]) -> [f32; N_OUTPUTS]` (`f64` throughout for an
//!   `f64` model): the model's standardization, then the network, in buffers on the stack;
//! - for a classifier, `pub fn predict_class(input: &[f32; N_INPUTS]) -> usize` (sigmoid
//!   `p > 0.5` is class 1; softmax the arg-max, the first of equal maxima) and
//!   `pub const CLASS_NAMES`;
//! - `pub const INPUT_NAMES` when the model was trained on a table (its encoding's input names:
//!   `column` or `column=category`), listed in the module docs too;
//! - the weights and biases as `const` arrays (`W1`, `b1`, … row-major as in the model file),
//!   each value written so that it reads back to the same `f32`/`f64` (Rust's shortest
//!   round-trip formatting of the value rounded to the model's type), the standardization's
//!   means and standard deviations as `f64` arrays (standardization runs in `f64`, as in
//!   `descent predict`).
//!
//! The forward pass is **descent-infer's code, inlined** as the private module `infer` (the
//! text of [`descent_infer::source::MODULES`]), so the file depends on nothing: it compiles as
//! a module of any crate, `#![no_std]` or not (Rust 1.83 or later), allocates nothing, and
//! its lengths are checked at compile time (a `const` assertion on `Model::validate`).
//!
//! # Example
//! ```
//! use descent_io::{Dtype, ModelFile};
//! use descent_train::{Activation, Output};
//!
//! let model = ModelFile {
//!     layers: vec![2, 1],
//!     activation: Activation::Relu,
//!     output: Output::Sigmoid,
//!     dtype: Dtype::F32,
//!     params: vec![vec![0.5, -1.0], vec![0.25]],
//!     standardize: None,
//!     encoding: None,
//! };
//! let text = descent_export::rust::source(&model)?;
//! assert!(text.contains("pub const N_INPUTS: usize = 2;"));
//! assert!(text.contains("pub fn predict(input: &[f32; N_INPUTS]) -> [f32; N_OUTPUTS]"));
//! assert!(text.contains("const W1: [f32; 2] = [0.5, -1.0];"));
//! # Ok::<(), descent_export::rust::RustError>(())
//! ```

use std::path::{Path, PathBuf};

use descent_io::ModelFile;

mod emit;

/// Why a model could not be exported as Rust source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RustError {
    /// The model's parameters do not fit its widths, or hold a value the dtype cannot write
    /// (NaN, infinite, too large for `f32`). `path` is the file being written, if any.
    #[error("cannot export {} as Rust source: {reason}", describe(.path.as_deref()))]
    Model {
        /// The output file, when writing one ([`write()`]).
        path: Option<PathBuf>,
        /// What is wrong.
        reason: String,
    },
    /// Writing the file failed (the message names it); an existing file is left as it was.
    #[error(transparent)]
    Io(#[from] descent_io::IoError),
}

/// How an error message names what was being exported.
fn describe(path: Option<&Path>) -> String {
    match path {
        Some(path) => format!("the model to {}", path.display()),
        None => "the model".to_owned(),
    }
}

/// The text of one self-contained Rust module predicting with `model` (see the module docs).
///
/// # Errors
/// [`RustError::Model`] when the parameters do not fit the widths (descent-infer's
/// `Model::validate`, as the generated file will check), or a value is not finite in the
/// model's dtype.
pub fn source(model: &ModelFile) -> Result<String, RustError> {
    emit::source(model).map_err(|reason| RustError::Model { path: None, reason })
}

/// Writes [`source`]`(model)` to `path` atomically (`descent_io::write_atomic`): the whole new
/// file replaces `path`, or `path` is left as it was.
///
/// # Errors
/// [`RustError::Model`] naming `path`, before anything is written; [`RustError::Io`] when
/// writing fails.
pub fn write(path: impl AsRef<Path>, model: &ModelFile) -> Result<(), RustError> {
    let path = path.as_ref();
    let text = emit::source(model)
        .map_err(|reason| RustError::Model { path: Some(path.to_path_buf()), reason })?;
    descent_io::write_atomic(path, text.as_bytes())?;
    Ok(())
}
