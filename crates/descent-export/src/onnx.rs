//! The ONNX export of a model file: one graph, opset [`OPSET`], that onnxruntime, tract or
//! any conforming runtime runs.
//!
//! The graph, for a model of `n` inputs and dtype `T` (`float` for f32, `double` for f64):
//!
//! | value | type, shape | what |
//! |---|---|---|
//! | `input` | `T [N, n]` | the model's numeric inputs in its order (after a table's encoding: one-hot inputs included); `N` is a dynamic dimension (`dim_param`) |
//! | `output` | `T [N, k]` | the output layer's values: the sigmoid probability of class 1 (`k = 1`), the softmax probabilities (`k = K`), or the linear outputs |
//! | `label` | `int64 [N]` | classifiers only: the class index, as `descent predict` picks it (sigmoid `> 0.5` → 1; the first largest softmax probability) |
//!
//! **Standardization** is inside the graph as explicit nodes, computed in `double` as descent
//! computes it: `Cast` to double (f32 models), `Sub` of the means, `Div` by the standard
//! deviations (1 where a standard deviation is 0, as
//! [`FeatureStats::apply`](descent_train::FeatureStats::apply)), `Cast` back to `T`. Each layer
//! is `MatMul` by the transpose of the model's `W_l` (stored (n_{l-1}, n_l), row-major), then
//! `Add` of `b_l` (not `Gemm`: tract's import of an f64 `Gemm` fails), followed by `Relu` or
//! `Tanh` in the hidden layers and, in the output layer, the sigmoid as `1 / (1 + Exp(Neg z))`
//! (not `Sigmoid`: tract has no f64 one and approximates the f32 one, 0.5% off at p ≈ 8e-7),
//! `Softmax` (axis 1) or nothing; dropout, a training device, is not in the graph. `label` is
//! `Greater(output, 0.5)` → `Cast` → `Squeeze` for a sigmoid, `ArgMax` (axis 1,
//! `select_last_index = 0`) for a softmax.
//!
//! `metadata_props` holds `descent_version`, `layers` (`2,5,1`), `activation`, `output`,
//! `input_names` (a JSON array: the table encoding's names, `x1`, `x2`, … for a model trained
//! on numeric data, whose file keeps no column names), `class_names` (classifiers: a JSON
//! array, the table's class names or `0`, `1`, …), `target_name` (a table's) and
//! `standardized` (`true`/`false`).
//!
//! The protobuf is written by prost from the ONNX schema (`proto/onnx.proto`, module
//! `proto`), never by hand.
//!
//! # Example
//! ```
//! use descent_export::onnx::{OPSET, write_onnx};
//! use descent_io::{Dtype, ModelFile};
//! use descent_train::{Activation, Output};
//!
//! let model = ModelFile {
//!     layers: vec![2, 3, 1],
//!     activation: Activation::Tanh,
//!     output: Output::Sigmoid,
//!     dtype: Dtype::F32,
//!     params: vec![vec![0.5, -1.0, 0.25, 2.0, 0.0, 1.0], vec![0.1, 0.2, 0.3], vec![1.0, -1.0, 0.5], vec![0.0]],
//!     standardize: None,
//!     encoding: None,
//! };
//! let path = std::env::temp_dir().join(format!("descent-export-doc-{}.onnx", std::process::id()));
//! write_onnx(&path, &model)?;
//! assert!(std::fs::metadata(&path)?.len() > 0);
//! assert_eq!(OPSET, 17);
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod graph;
mod proto;

use std::path::{Path, PathBuf};

use descent_io::{Dtype, IoError, ModelFile, write_atomic};
use descent_train::{MlpConfig, Output};
use prost::Message;

/// The ONNX operator set the graph imports (the default domain).
pub const OPSET: i64 = 17;

/// The ONNX IR version of the file: 8, the version of opset 17.
pub const IR_VERSION: i64 = 8;

/// What can go wrong exporting a model to ONNX; every message names the file written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OnnxError {
    /// The model cannot be exported as it is (wrong tensor lengths, statistics of the wrong
    /// width, a value that is not finite); nothing was written.
    #[error("{path}: cannot export the model: {reason}")]
    Model {
        /// The ONNX file that was to be written.
        path: PathBuf,
        /// What is wrong with the model.
        reason: String,
    },
    /// Writing the file failed; an existing file at `path` is as it was.
    #[error(transparent)]
    Write(#[from] IoError),
}

/// A `Result` with [`OnnxError`].
pub type Result<T, E = OnnxError> = std::result::Result<T, E>;

/// Writes `model` as an ONNX file at `path`, atomically ([`write_atomic`]): either the whole
/// new file replaces `path`, or `path` is left as it was.
///
/// # Errors
/// [`OnnxError::Model`] when the model is not one descent can run (checked before anything
/// is written), [`OnnxError::Write`] when the file cannot be written.
pub fn write_onnx(path: impl AsRef<Path>, model: &ModelFile) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode(path, model)?;
    write_atomic(path, &bytes)?;
    Ok(())
}

/// The bytes of the ONNX file of `model`; `path` is the file they are for, named in errors.
///
/// # Errors
/// [`OnnxError::Model`] when the model is not one descent can run.
pub fn encode(path: &Path, model: &ModelFile) -> Result<Vec<u8>> {
    check(model).map_err(|reason| OnnxError::Model { path: path.to_path_buf(), reason })?;
    let opset = proto::OperatorSetIdProto { domain: Some(String::new()), version: Some(OPSET) };
    let file = proto::ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![opset],
        producer_name: Some("descent".to_owned()),
        producer_version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        doc_string: Some(format!(
            "A descent MLP ({} {}, {} output); standardization as Sub/Div nodes in double",
            widths(model),
            model.activation.name(),
            model.output.name()
        )),
        graph: Some(graph::graph(model)),
        metadata_props: metadata(model)
            .into_iter()
            .map(|(key, value)| proto::StringStringEntryProto {
                key: Some(key.to_owned()),
                value: Some(value),
            })
            .collect(),
        ..Default::default()
    };
    Ok(file.encode_to_vec())
}

/// The names of the inputs: the table encoding's, else `x1`, `x2`, ….
#[must_use]
pub fn input_names(model: &ModelFile) -> Vec<String> {
    match &model.encoding {
        Some(e) if e.n_inputs() == model.layers[0] => e.input_names().to_vec(),
        _ => (1..=model.layers[0]).map(|k| format!("x{k}")).collect(),
    }
}

/// The names of a classifier's classes in the model's order: the table's class names, else
/// `0`, `1`, …; empty for a linear output.
#[must_use]
pub fn class_names(model: &ModelFile) -> Vec<String> {
    let n = model.n_classes().unwrap_or(0);
    match model.encoding.as_ref().and_then(|e| e.classes()) {
        Some(names) if names.len() == n => names.to_vec(),
        _ => (0..n).map(|k| k.to_string()).collect(),
    }
}

/// The `metadata_props` entries, sorted by key.
fn metadata(model: &ModelFile) -> Vec<(&'static str, String)> {
    let json = |names: Vec<String>| serde_json::Value::from(names).to_string();
    let mut meta = vec![
        ("activation", model.activation.name().to_owned()),
        ("descent_version", env!("CARGO_PKG_VERSION").to_owned()),
        ("input_names", json(input_names(model))),
        ("layers", widths(model)),
        ("output", model.output.name().to_owned()),
        ("standardized", model.standardize.is_some().to_string()),
    ];
    if model.output != Output::Linear {
        meta.push(("class_names", json(class_names(model))));
    }
    if let Some(e) = &model.encoding {
        meta.push(("target_name", e.target_name().to_owned()));
    }
    meta.sort_by_key(|&(k, _)| k);
    meta
}

/// The widths as the model file writes them: `2,5,1`.
fn widths(model: &ModelFile) -> String {
    model.layers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

/// Checks what the graph relies on: widths that fit the output, tensors of the lengths the
/// widths give, finite values (in the model's dtype), statistics of the input width.
fn check(model: &ModelFile) -> std::result::Result<(), String> {
    let config = MlpConfig {
        layers: model.layers.clone(),
        hidden: model.activation,
        output: model.output,
        ..MlpConfig::course()
    };
    config.validate().map_err(|e| e.to_string())?;
    let n_params = 2 * (model.layers.len() - 1);
    if model.params.len() != n_params {
        return Err(format!("{} tensors, the layers need {n_params}", model.params.len()));
    }
    let fits = |x: f64| match model.dtype {
        Dtype::F32 => (x as f32).is_finite(),
        Dtype::F64 => x.is_finite(),
    };
    for (k, values) in model.params.iter().enumerate() {
        let (rows, cols) = graph::param_shape(&model.layers, k);
        let name = graph::param_name(k);
        if values.len() != rows * cols {
            return Err(format!(
                "tensor `{name}` has {} values, shape ({rows}, {cols}) needs {}",
                values.len(),
                rows * cols
            ));
        }
        if let Some(i) = values.iter().position(|&x| !fits(x)) {
            return Err(format!("tensor `{name}`, element {i}, is {}", values[i]));
        }
    }
    if let Some(s) = &model.standardize {
        for (what, values) in [("means", &s.mean), ("standard deviations", &s.std)] {
            if values.len() != model.layers[0] {
                return Err(format!(
                    "{} standardization {what} for {} inputs",
                    values.len(),
                    model.layers[0]
                ));
            }
            if let Some(i) =
                values.iter().position(|x| !x.is_finite() || (what != "means" && *x < 0.0))
            {
                return Err(format!("the standardization's {what} of input {i} is {}", values[i]));
            }
        }
    }
    if let Some(e) = &model.encoding
        && e.n_inputs() != model.layers[0]
    {
        return Err(format!(
            "the table encoding makes {} inputs but the network has {}",
            e.n_inputs(),
            model.layers[0]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
