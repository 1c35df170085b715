//! Checks of descent's ONNX export in a pure-Rust runtime: each exported file is loaded by
//! `tract-onnx`, run on a batch of inputs, and compared with descent's own forward pass
//! ([`ModelFile::to_mlp`] and [`descent_train::predict`], standardization applied by
//! [`FeatureStats::apply`](descent_train::FeatureStats::apply) as `descent predict` applies
//! it), computed without the graph.
//!
//! The crate is a workspace member but not a default one: tract takes minutes to build, so
//! only `cargo test -p descent-export-check` builds it (a step of `.ci/run`).
//!
//! - [`tract_outputs`]: `output` and, for classifiers, `label` of a file, as tract runs it;
//! - [`descent_outputs`]: the same values from descent;
//! - [`relative_error`]: how far two outputs are apart;
//! - [`Inputs`]: seeded inputs that `f32` holds exactly, so that both sides see one value.

use std::path::Path;

use descent_core::Scalar;
use descent_io::{Dtype, ModelFile};
use descent_ndarray::Ndarray;
use descent_train::{Dataset, Output, predict};
use tract_onnx::prelude::*;

/// What a run gives: the `output` values row by row and, for a classifier, `label`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    /// `output`, `[N, k]` row-major, converted to `f64`.
    pub values: Vec<f64>,
    /// `label`, `[N]`; `None` for a linear output.
    pub labels: Option<Vec<i64>>,
}

/// Loads the ONNX file at `path` with tract, optimizes it (its batch dimension left
/// symbolic) and runs it on `x`, `n_examples` rows of `n_inputs` values each, in the model's
/// dtype.
///
/// # Errors
/// What tract reports: a file it cannot read, an op it does not support, a failed run.
pub fn tract_outputs(
    path: &Path,
    dtype: Dtype,
    x: &[f64],
    n_inputs: usize,
) -> TractResult<Outputs> {
    let model = tract_onnx::onnx().model_for_path(path)?.into_optimized()?.into_runnable()?;
    let n = x.len() / n_inputs;
    let input = match dtype {
        Dtype::F32 => {
            let x: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            Tensor::from_shape(&[n, n_inputs], &x)?
        }
        Dtype::F64 => Tensor::from_shape(&[n, n_inputs], x)?,
    };
    let res = model.run(tvec!(input.into_tvalue()))?;
    let values: Vec<f64> = match dtype {
        Dtype::F32 => res[0].to_plain_array_view::<f32>()?.iter().map(|&v| f64::from(v)).collect(),
        Dtype::F64 => res[0].to_plain_array_view::<f64>()?.iter().copied().collect(),
    };
    let labels = match res.get(1) {
        Some(t) => {
            if t.shape() != [n] {
                return Err(TractError::msg(format!("label has shape {:?}, not [{n}]", t.shape())));
            }
            Some(t.cast_to::<i64>()?.to_plain_array_view::<i64>()?.iter().copied().collect())
        }
        None => None,
    };
    Ok(Outputs { values, labels })
}

/// descent's outputs for `x` (`n_inputs` values per row, before standardization): the
/// model's standardization in `f64`, then its forward pass in its dtype on the ndarray
/// backend; labels by `descent predict`'s rule (sigmoid `> 0.5`, the first largest softmax).
///
/// # Errors
/// What [`ModelFile::to_mlp`] and [`predict`] refuse.
pub fn descent_outputs(
    model: &ModelFile,
    x: &[f64],
    n_inputs: usize,
) -> descent_core::Result<Outputs> {
    match model.dtype {
        Dtype::F32 => forward::<f32>(model, x, n_inputs),
        Dtype::F64 => forward::<f64>(model, x, n_inputs),
    }
}

fn forward<T: Scalar>(
    model: &ModelFile,
    x: &[f64],
    n_inputs: usize,
) -> descent_core::Result<Outputs>
where
    Ndarray: descent_core::Backend<T>,
{
    let mut x = x.to_vec();
    if let Some(stats) = &model.standardize {
        for example in x.chunks_mut(n_inputs) {
            stats.apply(example);
        }
    }
    let n = x.len() / n_inputs;
    let n_out = model.layers[model.layers.len() - 1];
    let n_targets = if model.output == Output::Linear { n_out } else { 1 };
    let data = Dataset::new(n_inputs, x, n_targets, vec![0.0; n * n_targets])?.cast::<T>();
    let mlp = model.to_mlp::<T, Ndarray>()?;
    let out = predict(&mlp, &data)?;
    let labels = (model.output != Output::Linear)
        .then(|| out.chunks(n_out).map(|col| class_of(model.output, col) as i64).collect());
    Ok(Outputs { values: out.iter().map(|v| v.to_f64()).collect(), labels })
}

/// The class of one output column, the rule of `descent predict` (the CLI's
/// `output::boundary::class_of`): the sigmoid above ½, else the first largest value.
fn class_of<T: Scalar>(output: Output, col: &[T]) -> usize {
    match output {
        Output::Sigmoid => usize::from(col[0].to_f64() > 0.5),
        _ => col.iter().enumerate().fold(0, |best, (i, v)| if *v > col[best] { i } else { best }),
    }
}

/// `|a − b| / max(|a|, |b|)`, 0 when both are 0.
#[must_use]
pub fn relative_error(a: f64, b: f64) -> f64 {
    let scale = a.abs().max(b.abs());
    if scale == 0.0 { 0.0 } else { (a - b).abs() / scale }
}

/// Seeded values (xorshift64*) in `[lo, hi)`, each one an `f32` exactly.
#[derive(Debug, Clone)]
pub struct Inputs(u64);

impl Inputs {
    /// A stream from `seed` (any value).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next value in `[lo, hi)`, rounded to `f32`.
    pub fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let u = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        f64::from((lo + (hi - lo) * u) as f32)
    }
}
