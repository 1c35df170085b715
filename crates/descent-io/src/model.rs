//! The model file: a network's parameters and settings in one safetensors file.
//!
//! Tensors `W1..WL` of shape (n_l, n_{l-1}) and `b1..bL` of shape (n_l, 1), all float32 or
//! all float64, little-endian and row-major, so `safetensors.numpy.load_file` and
//! `safetensors.torch.load_file` read them as they are. The header's string metadata holds
//! what evaluation needs:
//!
//! | key | example | meaning |
//! |---|---|---|
//! | `format` | `descent-mlp` | marks the file as a descent model |
//! | `version` | `1` | [`MODEL_VERSION`] |
//! | `layers` | `2,5,2,1` | widths from input to output |
//! | `activation` | `relu` | hidden activation: `relu` or `tanh` |
//! | `output` | `sigmoid` | `sigmoid`, `softmax` or `linear` |
//! | `n_classes` | `2` | classes of a classifier, `0` for `linear` |
//! | `standardize_mean`, `standardize_std` | `0.5,-1.25` | optional: per-input z-score statistics |
//! | `encoding` | `{"columns":[…],…}` | optional: the [`TableEncoding`] of a table's columns, as JSON |

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use descent_core::{Backend, Scalar};
use descent_train::{Activation, FeatureStats, Mlp, MlpConfig, Output};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype as StDtype, TensorView};

use crate::atomic::write_atomic;
use crate::error::{IoError, Result};
use crate::table::TableEncoding;

/// The value of the `format` metadata entry.
pub const MODEL_FORMAT: &str = "descent-mlp";

/// The version of the model file this crate writes, and the newest it reads.
pub const MODEL_VERSION: u32 = 1;

/// The element type of a model file's tensors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit floats (safetensors `F32`).
    F32,
    /// 64-bit floats (safetensors `F64`).
    F64,
}

impl Dtype {
    /// The name as the command line spells it: `"f32"` or `"f64"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        }
    }
}

/// A network's parameters as a file holds them: `W1, b1, W2, b2, …`, each row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameters {
    /// Layer widths from input to output, e.g. `[2, 5, 2, 1]`.
    pub layers: Vec<usize>,
    /// The tensors' element type in the file.
    pub dtype: Dtype,
    /// `W1, b1, W2, b2, …`: `W_l` row-major (n_l, n_{l-1}), `b_l` of n_l values.
    pub params: Vec<Vec<f64>>,
}

/// Everything a model file holds: the network's shape and settings, its parameters and the
/// optional input standardization.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    /// Layer widths from input to output, e.g. `[2, 5, 2, 1]`.
    pub layers: Vec<usize>,
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The output layer.
    pub output: Output,
    /// The tensors' element type in the file (values are held as `f64` here).
    pub dtype: Dtype,
    /// `W1, b1, W2, b2, …`: `W_l` row-major (n_l, n_{l-1}), `b_l` of n_l values.
    pub params: Vec<Vec<f64>>,
    /// The inputs' z-score statistics, when the network was trained on standardized inputs.
    pub standardize: Option<FeatureStats>,
    /// How a table's columns become the inputs and the classes, when the network was trained
    /// on a table read by [`read_table`](crate::read_table) (`None` for numeric data and for
    /// every file written before the encoding existed).
    pub encoding: Option<TableEncoding>,
}

impl ModelFile {
    /// The file of a trained network, its parameters converted to `f64`.
    #[must_use]
    pub fn from_mlp<T: Scalar, B: Backend<T>>(
        mlp: &Mlp<T, B>,
        dtype: Dtype,
        standardize: Option<FeatureStats>,
    ) -> Self {
        let params = mlp
            .params()
            .iter()
            .map(|m| B::to_row_major(m).into_iter().map(Scalar::to_f64).collect())
            .collect();
        Self {
            layers: mlp.layers().to_vec(),
            activation: mlp.hidden(),
            output: mlp.output(),
            dtype,
            params,
            standardize,
            encoding: None,
        }
    }

    /// The same file with the table encoding the network's inputs were made with.
    #[must_use]
    pub fn with_encoding(self, encoding: TableEncoding) -> Self {
        Self { encoding: Some(encoding), ..self }
    }

    /// The network this file describes, on backend `B` with scalar `T`.
    ///
    /// # Errors
    /// What [`Mlp::from_params`] rejects: widths that do not fit the output kind, or
    /// parameters whose lengths do not follow from the widths.
    pub fn to_mlp<T: Scalar, B: Backend<T>>(&self) -> descent_core::Result<Mlp<T, B>> {
        let config = MlpConfig {
            layers: self.layers.clone(),
            hidden: self.activation,
            output: self.output,
            ..MlpConfig::course()
        };
        Mlp::from_params(&config, matrices::<T, B>(&self.layers, &self.params)?)
    }

    /// The number of classes: 2 for a sigmoid output, the output width for softmax, `None`
    /// for a linear (regression) output.
    #[must_use]
    pub fn n_classes(&self) -> Option<usize> {
        match self.output {
            Output::Sigmoid => Some(2),
            Output::Softmax => self.layers.last().copied(),
            Output::Linear => None,
        }
    }
}

impl Parameters {
    /// The parameters as matrices of backend `B` with scalar `T`, in the order
    /// `W1, b1, W2, b2, …` that [`Mlp::from_params`] takes.
    ///
    /// # Errors
    /// [`descent_core::Error::LengthMismatch`] when a tensor's length does not follow from
    /// `layers` (never for parameters read by [`load_parameters`]).
    pub fn to_matrices<T: Scalar, B: Backend<T>>(&self) -> descent_core::Result<Vec<B::Matrix>> {
        matrices::<T, B>(&self.layers, &self.params)
    }
}

/// Builds `W1, b1, W2, b2, …` from row-major values.
fn matrices<T: Scalar, B: Backend<T>>(
    layers: &[usize],
    params: &[Vec<f64>],
) -> descent_core::Result<Vec<B::Matrix>> {
    let shapes = param_shapes(layers);
    if shapes.len() != params.len() {
        return Err(descent_core::Error::LengthMismatch {
            op: "model parameters",
            expected: shapes.len(),
            got: params.len(),
        });
    }
    shapes
        .iter()
        .zip(params)
        .map(|(&(rows, cols), values)| {
            let values: Vec<T> = values.iter().map(|&x| T::from_f64(x)).collect();
            B::from_row_major(rows, cols, &values)
        })
        .collect()
}

/// The shapes of `W1, b1, W2, b2, …` for the given widths.
pub(crate) fn param_shapes(layers: &[usize]) -> Vec<(usize, usize)> {
    layers.windows(2).flat_map(|w| [(w[1], w[0]), (w[1], 1)]).collect()
}

/// The name of parameter `k` in the order `W1, b1, W2, b2, …`.
pub(crate) fn param_name(k: usize) -> String {
    format!("{}{}", if k.is_multiple_of(2) { 'W' } else { 'b' }, k / 2 + 1)
}

/// Writes a model file atomically (see [`write_atomic`]): either the whole new file replaces
/// `path`, or `path` is left as it was.
///
/// # Errors
/// Before anything is written: [`IoError::Invalid`] when the widths do not fit the output
/// kind, [`IoError::Model`] for a wrong number of tensors or statistics of the wrong length,
/// [`IoError::Tensor`] for a tensor of the wrong length, [`IoError::NotFinite`] for a NaN or
/// infinite value (or one too large for float32). Then what [`write_atomic`] returns.
///
/// # Example
/// ```
/// use descent_io::{Dtype, ModelFile, load_model, save_model};
/// use descent_train::{Activation, Output};
///
/// let model = ModelFile {
///     layers: vec![2, 1],
///     activation: Activation::Relu,
///     output: Output::Sigmoid,
///     dtype: Dtype::F32,
///     params: vec![vec![0.5, -1.0], vec![0.25]],
///     standardize: None,
///     encoding: None,
/// };
/// let path = std::env::temp_dir().join(format!("descent-io-doc-{}.safetensors", std::process::id()));
/// save_model(&path, &model)?;
/// assert_eq!(load_model(&path)?, model);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn save_model(path: impl AsRef<Path>, model: &ModelFile) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode(path, model)?;
    write_atomic(path, &bytes)
}

/// Checks a model and serializes it to the bytes of a safetensors file.
pub(crate) fn encode(path: &Path, model: &ModelFile) -> Result<Vec<u8>> {
    encode_with(path, model, Vec::new(), HashMap::new())
}

/// A tensor to write: name, shape, little-endian bytes in the model's dtype.
pub(crate) type RawTensor = (String, Vec<usize>, Vec<u8>);

/// The little-endian bytes of `values` in `dtype`.
pub(crate) fn le_bytes(dtype: Dtype, values: &[f64]) -> Vec<u8> {
    match dtype {
        Dtype::F32 => values.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect(),
        Dtype::F64 => values.iter().flat_map(|&x| x.to_le_bytes()).collect(),
    }
}

/// Serializes a model with `extra` tensors (in the model's dtype) and `extra_meta` entries
/// added, with the header in canonical form ([`canonical_header`]).
pub(crate) fn encode_with(
    path: &Path,
    model: &ModelFile,
    extra: Vec<RawTensor>,
    extra_meta: HashMap<String, String>,
) -> Result<Vec<u8>> {
    check_model(path, model)?;
    let mut data: Vec<RawTensor> = param_shapes(&model.layers)
        .into_iter()
        .zip(&model.params)
        .enumerate()
        .map(|(k, ((rows, cols), values))| {
            (param_name(k), vec![rows, cols], le_bytes(model.dtype, values))
        })
        .collect();
    data.extend(extra);
    let st_dtype = match model.dtype {
        Dtype::F32 => StDtype::F32,
        Dtype::F64 => StDtype::F64,
    };
    let mut views = Vec::with_capacity(data.len());
    for (name, shape, bytes) in &data {
        let view =
            TensorView::new(st_dtype, shape.clone(), bytes).map_err(|e| IoError::Tensor {
                path: path.to_path_buf(),
                tensor: name.clone(),
                reason: e.to_string(),
            })?;
        views.push((name.as_str(), view));
    }
    let mut meta = metadata(model);
    meta.extend(extra_meta);
    let cannot = |e: String| IoError::Model {
        path: path.to_path_buf(),
        reason: format!("cannot serialize the model: {e}"),
    };
    let bytes = safetensors::serialize(views, Some(meta)).map_err(|e| cannot(e.to_string()))?;
    canonical_header(&bytes).map_err(cannot)
}

/// Rewrites a safetensors file's JSON header with its keys sorted (the metadata's too), so
/// the same content gives the same bytes: safetensors writes the metadata in the order of a
/// `HashMap`, which differs from map to map. The tensor data, whose offsets are relative to
/// the end of the header, is kept as it is.
pub(crate) fn canonical_header(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    use serde_json::Value;
    use std::collections::BTreeMap;
    let n = usize::try_from(u64::from_le_bytes(bytes[..8].try_into().map_err(|_| "short")?))
        .map_err(|e| e.to_string())?;
    let header = bytes.get(8..8 + n).ok_or("the header overruns the file")?;
    let entries: BTreeMap<String, Value> =
        serde_json::from_slice(header).map_err(|e| e.to_string())?;
    let entries: BTreeMap<String, Value> = entries
        .into_iter()
        .map(|(k, v)| match v {
            // Rebuilt through a BTreeMap: sorted whatever serde_json's map keeps.
            Value::Object(map) => {
                let sorted: BTreeMap<String, Value> = map.into_iter().collect();
                serde_json::to_value(sorted).map(|v| (k, v))
            }
            other => Ok((k, other)),
        })
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut json = serde_json::to_vec(&entries).map_err(|e| e.to_string())?;
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + json.len() + bytes.len() - 8 - n);
    out.extend((json.len() as u64).to_le_bytes());
    out.extend(json);
    out.extend(&bytes[8 + n..]);
    Ok(out)
}

/// The header metadata of a model.
pub(crate) fn metadata(model: &ModelFile) -> HashMap<String, String> {
    let list = |v: &[f64]| v.iter().map(|x| format!("{x:?}")).collect::<Vec<_>>().join(",");
    let mut meta = HashMap::from([
        ("format".to_owned(), MODEL_FORMAT.to_owned()),
        ("version".to_owned(), MODEL_VERSION.to_string()),
        ("layers".to_owned(), widths_str(&model.layers)),
        ("activation".to_owned(), model.activation.name().to_owned()),
        ("output".to_owned(), model.output.name().to_owned()),
        ("n_classes".to_owned(), model.n_classes().unwrap_or(0).to_string()),
    ]);
    if let Some(s) = &model.standardize {
        meta.insert("standardize_mean".to_owned(), list(&s.mean));
        meta.insert("standardize_std".to_owned(), list(&s.std));
    }
    if let Some(e) = &model.encoding {
        meta.insert("encoding".to_owned(), e.to_json());
    }
    meta
}

/// Widths as the metadata writes them: `2,5,2,1`.
fn widths_str(layers: &[usize]) -> String {
    layers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
}

/// Checks everything about a model that saving or loading relies on.
pub(crate) fn check_model(path: &Path, model: &ModelFile) -> Result<()> {
    let config = MlpConfig {
        layers: model.layers.clone(),
        hidden: model.activation,
        output: model.output,
        ..MlpConfig::course()
    };
    config.validate().map_err(|error| IoError::Invalid { path: path.to_path_buf(), error })?;
    let shapes = param_shapes(&model.layers);
    if shapes.len() != model.params.len() {
        return Err(IoError::Model {
            path: path.to_path_buf(),
            reason: format!(
                "layers {} need {} tensors, the model has {}",
                widths_str(&model.layers),
                shapes.len(),
                model.params.len()
            ),
        });
    }
    for (k, ((rows, cols), values)) in shapes.iter().zip(&model.params).enumerate() {
        if values.len() != rows * cols {
            return Err(IoError::Tensor {
                path: path.to_path_buf(),
                tensor: param_name(k),
                reason: format!(
                    "has {} values, shape ({rows}, {cols}) needs {}",
                    values.len(),
                    rows * cols
                ),
            });
        }
        let fits = |x: f64| match model.dtype {
            Dtype::F32 => (x as f32).is_finite(),
            Dtype::F64 => x.is_finite(),
        };
        if let Some(i) = values.iter().position(|&x| !fits(x)) {
            return Err(IoError::NotFinite {
                path: path.to_path_buf(),
                what: format!("tensor `{}`, element ({}, {})", param_name(k), i / cols, i % cols),
                value: values[i],
            });
        }
    }
    if let Some(s) = &model.standardize {
        check_standardization(path, model.layers[0], s)?;
    }
    if let Some(e) = &model.encoding {
        check_encoding(path, model, e)?;
    }
    Ok(())
}

/// Checks a table encoding against the network: as many inputs, and classes that fit the
/// output (none for a linear one).
fn check_encoding(path: &Path, model: &ModelFile, e: &TableEncoding) -> Result<()> {
    let bad = |reason: String| Err(IoError::Model { path: path.to_path_buf(), reason });
    if e.n_inputs() != model.layers[0] {
        return bad(format!(
            "the table encoding makes {} inputs but the network has {}",
            e.n_inputs(),
            model.layers[0]
        ));
    }
    let n_classes = e.classes().map(<[String]>::len);
    if n_classes != model.n_classes() {
        return bad(format!(
            "the table encoding has {} but the {} output has {}",
            n_classes.map_or_else(|| "no classes".to_owned(), |n| format!("{n} classes")),
            model.output.name(),
            model.n_classes().map_or_else(|| "none".to_owned(), |n| n.to_string())
        ));
    }
    Ok(())
}

/// Checks the statistics' lengths against the input width, and their values.
fn check_standardization(path: &Path, n_inputs: usize, s: &FeatureStats) -> Result<()> {
    for (key, values) in [("standardize_mean", &s.mean), ("standardize_std", &s.std)] {
        if values.len() != n_inputs {
            return Err(IoError::Model {
                path: path.to_path_buf(),
                reason: format!(
                    "`{key}` has {} values but the network has {n_inputs} inputs",
                    values.len()
                ),
            });
        }
        if let Some(i) = values.iter().position(|x| !x.is_finite()) {
            return Err(IoError::NotFinite {
                path: path.to_path_buf(),
                what: format!("`{key}` of input {i}"),
                value: values[i],
            });
        }
    }
    if let Some(i) = s.std.iter().position(|&x| x < 0.0) {
        return Err(IoError::Model {
            path: path.to_path_buf(),
            reason: format!("`standardize_std` of input {i} is negative ({})", s.std[i]),
        });
    }
    Ok(())
}

mod read;
pub(crate) use read::{decode_model, read_file};
pub use read::{load_model, load_parameters};

#[cfg(test)]
mod tests;
