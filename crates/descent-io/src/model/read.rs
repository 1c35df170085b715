//! Reading model files: the safetensors container, the tensors `W1..WL`, `b1..bL` and the metadata.

use std::collections::HashMap;

use super::{
    Dtype, File, IoError, ModelFile, Path, Read, Result, SafeTensors, StDtype, check_model,
    param_name, widths_str,
};
use crate::checkpoint::{LAST_PREFIX, OPT_PREFIX};
use crate::model::{MODEL_FORMAT, MODEL_VERSION, Parameters};
use crate::npy::shape_str;
use crate::table::TableEncoding;
use descent_train::{Activation, FeatureStats, Output};

/// The largest header the safetensors format allows (100 MB).
const MAX_HEADER: u64 = 100_000_000;

/// Reads a model file written by [`save_model`](crate::save_model) (or by anything that writes
/// the same tensors and metadata).
///
/// Accepts `b_l` of shape (n_l, 1) or (n_l,), and float32 or float64 tensors (converted to
/// `f64`; all tensors share one dtype).
///
/// # Errors
/// - [`IoError::Io`] when the file cannot be opened or read;
/// - [`IoError::Model`] when it is not a safetensors file, is truncated, or its metadata lacks
///   or mangles an entry (`format`, `layers`, `activation`, `output`; `version` newer than
///   [`MODEL_VERSION`]; `n_classes` or the statistics inconsistent with the layers);
/// - [`IoError::Tensor`] for a missing or unexpected tensor, or one of the wrong shape or
///   dtype, naming it;
/// - [`IoError::NotFinite`] for a NaN or infinite parameter;
/// - [`IoError::Invalid`] when the widths do not fit the output kind.
pub fn load_model(path: impl AsRef<Path>) -> Result<ModelFile> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    decode_model(path, &bytes).map(|(model, _, _)| model)
}

/// Decodes the bytes of a model file (or a checkpoint), returning the model, the parsed
/// container and its metadata; `path` is for messages.
pub(crate) fn decode_model<'a>(
    path: &Path,
    bytes: &'a [u8],
) -> Result<(ModelFile, SafeTensors<'a>, HashMap<String, String>)> {
    let st = parse(path, bytes)?;
    let meta = SafeTensors::read_metadata(bytes)
        .map_err(|e| not_safetensors(path, &e))?
        .1
        .metadata()
        .clone()
        .unwrap_or_default();
    let get = |key: &str| -> Result<&str> {
        meta.get(key).map(String::as_str).ok_or_else(|| IoError::Model {
            path: path.to_path_buf(),
            reason: format!("the metadata has no `{key}` entry"),
        })
    };
    let bad = |reason: String| IoError::Model { path: path.to_path_buf(), reason };
    let format = meta.get("format").map(String::as_str);
    if format != Some(MODEL_FORMAT) {
        return Err(bad(match format {
            None => format!(
                "not a descent model: the safetensors metadata has no `format` entry \
                 (expected `{MODEL_FORMAT}`)"
            ),
            Some(f) => {
                format!("not a descent model: metadata `format` is `{f}`, not `{MODEL_FORMAT}`")
            }
        }));
    }
    if let Some(v) = meta.get("version") {
        match v.parse::<u32>() {
            Ok(v) if (1..=MODEL_VERSION).contains(&v) => {}
            Ok(v) if v > MODEL_VERSION => {
                return Err(bad(format!(
                    "model format version {v} is newer than this build reads \
                     (version {MODEL_VERSION}); update descent"
                )));
            }
            _ => return Err(bad(format!("metadata `version` is `{v}`, not a version number"))),
        }
    }
    let layers_text = get("layers")?;
    let layers = parse_widths(layers_text).ok_or_else(|| {
        bad(format!("metadata `layers` is `{layers_text}`, not widths such as 2,5,2,1"))
    })?;
    let activation = match get("activation")? {
        "relu" => Activation::Relu,
        "tanh" => Activation::Tanh,
        other => return Err(bad(format!("metadata `activation` is `{other}`, not relu or tanh"))),
    };
    let output = match get("output")? {
        "sigmoid" => Output::Sigmoid,
        "softmax" => Output::Softmax,
        "linear" => Output::Linear,
        other => {
            return Err(bad(format!(
                "metadata `output` is `{other}`, not sigmoid, softmax or linear"
            )));
        }
    };
    let standardize = match (meta.get("standardize_mean"), meta.get("standardize_std")) {
        (None, None) => None,
        (Some(mean), Some(std)) => Some(FeatureStats {
            mean: parse_floats(path, "standardize_mean", mean)?,
            std: parse_floats(path, "standardize_std", std)?,
        }),
        _ => {
            return Err(bad(
                "the metadata has only one of `standardize_mean` and `standardize_std`".into(),
            ));
        }
    };
    let encoding = match meta.get("encoding") {
        None => None,
        Some(json) => Some(
            TableEncoding::from_json(json).map_err(|e| bad(format!("metadata `encoding`: {e}")))?,
        ),
    };
    let params = read_params(path, &st, Some(&layers))?;
    let model = ModelFile {
        layers: params.layers,
        activation,
        output,
        dtype: params.dtype,
        params: params.params,
        standardize,
        encoding,
    };
    check_model(path, &model)?;
    if let Some(n) = meta.get("n_classes") {
        let expected = model.n_classes().unwrap_or(0);
        if n.parse::<usize>().ok() != Some(expected) {
            return Err(bad(format!(
                "metadata `n_classes` is `{n}` but a {} output of {} units has {expected}",
                model.output.name(),
                model.layers[model.layers.len() - 1]
            )));
        }
    }
    Ok((model, st, meta))
}

/// Reads only the parameters of a safetensors file: tensors `W1..WL` and `b1..bL`, with the
/// widths taken from the metadata's `layers` when present and from the tensors' shapes
/// otherwise. For starting training from a file that another tool wrote.
///
/// # Errors
/// As [`load_model`] for the container and the tensors; the metadata is not required.
pub fn load_parameters(path: impl AsRef<Path>) -> Result<Parameters> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    let st = parse(path, &bytes)?;
    let (_, meta) = SafeTensors::read_metadata(&bytes).map_err(|e| not_safetensors(path, &e))?;
    let layers = match meta.metadata().as_ref().and_then(|m| m.get("layers")) {
        None => None,
        Some(text) => Some(parse_widths(text).ok_or_else(|| IoError::Model {
            path: path.to_path_buf(),
            reason: format!("metadata `layers` is `{text}`, not widths such as 2,5,2,1"),
        })?),
    };
    read_params(path, &st, layers.as_deref())
}

/// Reads a file after checking that its first 8 bytes announce a safetensors header that fits
/// in it, so a large file of another kind is not loaded whole.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| IoError::io(path, "open the file", e))?;
    let len = file.metadata().map_err(|e| IoError::io(path, "read the file", e))?.len();
    let bad = |reason: String| IoError::Model { path: path.to_path_buf(), reason };
    if len == 0 {
        return Err(IoError::Empty { path: path.to_path_buf(), what: "the file is empty".into() });
    }
    let mut prefix = [0_u8; 8];
    if len < 8 {
        return Err(bad(format!("not a safetensors file: it has only {len} bytes")));
    }
    file.read_exact(&mut prefix).map_err(|e| IoError::io(path, "read the file", e))?;
    let header_len = u64::from_le_bytes(prefix);
    if header_len > MAX_HEADER || header_len > len - 8 {
        return Err(bad(format!(
            "not a safetensors file, or a truncated one: it announces a header of {header_len} \
             bytes, the file has {len} bytes"
        )));
    }
    // The file is read whole and its tensors converted to f64 (twice the bytes of f32).
    if let Some(available) = descent_train::memory::available_memory()
        && len.saturating_mul(3) > available
    {
        return Err(bad(format!(
            "the file has {} bytes; reading it needs about {}, more than the available memory ({})",
            len,
            descent_train::memory::Bytes(len.saturating_mul(3)),
            descent_train::memory::Bytes(available)
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(usize::MAX));
    bytes.extend_from_slice(&prefix);
    file.read_to_end(&mut bytes).map_err(|e| IoError::io(path, "read the file", e))?;
    Ok(bytes)
}

/// Parses the safetensors container.
fn parse<'a>(path: &Path, bytes: &'a [u8]) -> Result<SafeTensors<'a>> {
    SafeTensors::deserialize(bytes).map_err(|e| not_safetensors(path, &e))
}

/// Explains a safetensors error in the terms of a model file.
fn not_safetensors(path: &Path, e: &safetensors::SafeTensorError) -> IoError {
    use safetensors::SafeTensorError as E;
    let reason = match e {
        E::MetadataIncompleteBuffer => {
            "truncated or damaged: the tensors the header lists do not fill the file exactly"
                .to_owned()
        }
        E::InvalidHeader(_) | E::InvalidHeaderDeserialization(_) | E::HeaderTooSmall => {
            format!("not a safetensors file: its header is not valid ({e})")
        }
        _ => format!("not a valid safetensors file: {e}"),
    };
    IoError::Model { path: path.to_path_buf(), reason }
}

/// Widths such as `2,5,2,1`: at least two, none zero.
fn parse_widths(text: &str) -> Option<Vec<usize>> {
    let widths: Vec<usize> =
        text.split(',').map(|w| w.trim().parse().ok().filter(|&n| n > 0)).collect::<Option<_>>()?;
    (widths.len() >= 2).then_some(widths)
}

/// A comma-separated list of numbers.
fn parse_floats(path: &Path, key: &str, text: &str) -> Result<Vec<f64>> {
    text.split(',').map(|x| x.trim().parse::<f64>()).collect::<std::result::Result<_, _>>().map_err(
        |_| IoError::Model {
            path: path.to_path_buf(),
            reason: format!("metadata `{key}` is not a comma-separated list of numbers"),
        },
    )
}

/// Reads `W1..WL` and `b1..bL`, checking names, dtypes and shapes against `layers` when given
/// and against each other otherwise.
fn read_params(path: &Path, st: &SafeTensors<'_>, layers: Option<&[usize]>) -> Result<Parameters> {
    let tensor_err = |tensor: &str, reason: String| IoError::Tensor {
        path: path.to_path_buf(),
        tensor: tensor.to_owned(),
        reason,
    };
    // A checkpoint's optimizer buffers `opt.*` and last epoch's parameters `last.*` are not
    // the model's parameters (see `crate::checkpoint`).
    let mut names: Vec<&str> = st
        .names()
        .into_iter()
        .filter(|n| !n.starts_with(OPT_PREFIX) && !n.starts_with(LAST_PREFIX))
        .collect();
    names.sort_unstable();
    // The layer count: from the metadata, else the highest index of a `W` or `b` tensor.
    let n_layers = match layers {
        Some(layers) => layers.len() - 1,
        None => names.iter().filter_map(|n| layer_index(n)).max().unwrap_or(0),
    };
    if n_layers == 0 {
        let found = if names.is_empty() { "none".to_owned() } else { names.join(", ") };
        return Err(IoError::Model {
            path: path.to_path_buf(),
            reason: format!("no tensors W1, b1, … found (the file has: {found})"),
        });
    }
    let expected: HashMap<String, usize> = (0..2 * n_layers).map(|k| (param_name(k), k)).collect();
    if let Some(extra) = names.iter().find(|n| !expected.contains_key(**n)) {
        let reason = match layers {
            Some(layers) => format!(
                "unexpected tensor: layers {} have only W1..W{n_layers} and b1..b{n_layers}",
                widths_str(layers)
            ),
            None => format!(
                "unexpected tensor: a model file holds only W1..W{n_layers} and b1..b{n_layers}"
            ),
        };
        return Err(tensor_err(extra, reason));
    }
    let mut widths = layers.map_or_else(Vec::new, <[usize]>::to_vec);
    let mut dtype = None;
    let mut params = Vec::with_capacity(2 * n_layers);
    for k in 0..2 * n_layers {
        let name = param_name(k);
        let view =
            st.tensor(&name).map_err(|_| tensor_err(&name, "missing from the file".into()))?;
        let this = match view.dtype() {
            StDtype::F32 => Dtype::F32,
            StDtype::F64 => Dtype::F64,
            other => {
                return Err(tensor_err(
                    &name,
                    format!("dtype {other:?} is not supported; expected F32 or F64"),
                ));
            }
        };
        match dtype {
            None => dtype = Some(this),
            Some(d) if d != this => {
                return Err(tensor_err(
                    &name,
                    format!(
                        "dtype {:?} differs from W1's {:?}; all tensors must share one",
                        this, d
                    ),
                ));
            }
            Some(_) => {}
        }
        let shape = view.shape();
        let l = k / 2;
        if k.is_multiple_of(2) {
            // `W_{l+1}`: (n_{l+1}, n_l).
            let &[rows, cols] = shape else {
                let want = match layers {
                    Some(w) => format!("({}, {})", w[l + 1], w[l]),
                    None => "2 dimensions".to_owned(),
                };
                return Err(tensor_err(
                    &name,
                    format!("shape {}, expected {want}", shape_str(shape)),
                ));
            };
            if rows == 0 || cols == 0 {
                return Err(tensor_err(
                    &name,
                    format!("shape {} has a zero dimension", shape_str(shape)),
                ));
            }
            if layers.is_none() {
                if l == 0 {
                    widths.push(cols);
                }
                widths.push(rows);
            }
            let want = [widths[l + 1], widths[l]];
            if shape != want {
                let reason =
                    format!("shape {}, expected ({}, {})", shape_str(shape), want[0], want[1]);
                return Err(tensor_err(&name, reason));
            }
        } else {
            let n = widths[l + 1];
            if shape != [n, 1] && shape != [n] {
                return Err(tensor_err(
                    &name,
                    format!("shape {}, expected ({n}, 1) or ({n},)", shape_str(shape)),
                ));
            }
        }
        let data = view.data();
        let values: Vec<f64> = match this {
            Dtype::F32 => {
                data.as_chunks::<4>().0.iter().map(|c| f64::from(f32::from_le_bytes(*c))).collect()
            }
            Dtype::F64 => data.as_chunks::<8>().0.iter().map(|c| f64::from_le_bytes(*c)).collect(),
        };
        if let Some(i) = values.iter().position(|x| !x.is_finite()) {
            let cols = if k.is_multiple_of(2) { widths[l] } else { 1 };
            return Err(IoError::NotFinite {
                path: path.to_path_buf(),
                what: format!("tensor `{name}`, element ({}, {})", i / cols, i % cols),
                value: values[i],
            });
        }
        params.push(values);
    }
    let dtype = dtype.unwrap_or(Dtype::F64);
    Ok(Parameters { layers: widths, dtype, params })
}

/// `l` for a tensor named `W{l}` or `b{l}` with `l ≥ 1` written without leading zeros.
fn layer_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('W').or_else(|| name.strip_prefix('b'))?;
    let l: usize = digits.parse().ok()?;
    (l >= 1 && l.to_string() == digits).then_some(l)
}
