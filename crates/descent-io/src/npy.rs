//! NumPy `.npy` arrays: features of shape (examples, features) and labels of shape (examples,).
//!
//! The header is parsed by `ndarray-npy` (its `Header` and `ReadableElement`, no ndarray
//! arrays); before any allocation sized by the header, the declared sizes are checked against
//! the bytes the file really holds.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use ndarray_npy::ReadableElement;
use ndarray_npy::npy::header::{Header, Layout};

use crate::error::{IoError, Result};

/// Reads a `.npy` array of features: 2-D, shape (examples, features), float32 or float64, C
/// order (a Fortran-order file is transposed on reading).
///
/// Returns `(n_examples, n_features, data)` with `data` example after example (C order of
/// (examples, features), which is column-major (features, examples)), converted to `f64`.
///
/// # Errors
/// - [`IoError::Io`] when the file cannot be opened or read;
/// - [`IoError::Npy`] when it is not a `.npy` file, is truncated or has bytes after the data,
///   is not 2-D, has zero features, or is not float32/float64;
/// - [`IoError::Empty`] when it has no examples;
/// - [`IoError::NotFinite`] for a NaN or infinite value, naming the example and feature.
///
/// # Example
/// ```
/// // np.save(path, np.array([[1, 2], [3, 4], [5, 6]], dtype=np.float64)) writes these bytes.
/// let mut bytes = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
/// let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
/// bytes.extend_from_slice(format!("{dict:<117}\n").as_bytes());
/// for x in [1.0_f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
///     bytes.extend_from_slice(&x.to_le_bytes());
/// }
/// let path = std::env::temp_dir().join(format!("descent-io-doc-{}.npy", std::process::id()));
/// std::fs::write(&path, &bytes)?;
/// let (n_examples, n_features, x) = descent_io::load_npy_features(&path)?;
/// assert_eq!((n_examples, n_features), (3, 2));
/// assert_eq!(x, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_npy_features(path: impl AsRef<Path>) -> Result<(usize, usize, Vec<f64>)> {
    let path = path.as_ref();
    let array = read_npy(path)?;
    let bad = |reason: String| Err(IoError::Npy { path: path.to_path_buf(), reason });
    if !matches!(array.dtype, Dtype::F32 | Dtype::F64) {
        return bad(format!(
            "features must be float32 or float64, the file holds {} (convert with \
             x.astype(np.float32))",
            array.dtype.name()
        ));
    }
    let &[n_examples, n_features] = array.shape.as_slice() else {
        return bad(format!(
            "features must have shape (examples, features), the file's shape is {}",
            shape_str(&array.shape)
        ));
    };
    if n_examples == 0 {
        return Err(IoError::Empty {
            path: path.to_path_buf(),
            what: format!("the array of shape {} has no examples", shape_str(&array.shape)),
        });
    }
    if n_features == 0 {
        return bad(format!("the array of shape {} has no features", shape_str(&array.shape)));
    }
    let data = if array.fortran_order {
        // Column f of the file holds feature f of every example.
        let mut c_order = Vec::with_capacity(array.data.len());
        for j in 0..n_examples {
            c_order.extend((0..n_features).map(|f| array.data[f * n_examples + j]));
        }
        c_order
    } else {
        array.data
    };
    if let Some(pos) = data.iter().position(|x| !x.is_finite()) {
        return Err(IoError::NotFinite {
            path: path.to_path_buf(),
            what: format!("feature {} of example {}", pos % n_features, pos / n_features),
            value: data[pos],
        });
    }
    Ok((n_examples, n_features, data))
}

/// Reads a `.npy` array of labels: shape (examples,) or (examples, 1), any numeric dtype
/// (bool, signed and unsigned integers, float32, float64), converted to `f64`.
///
/// # Errors
/// - [`IoError::Io`] when the file cannot be opened or read;
/// - [`IoError::Npy`] when it is not a `.npy` file, is truncated or has bytes after the data,
///   has another shape, or holds another dtype (float16, complex, strings, objects, records);
/// - [`IoError::Empty`] when it has no labels;
/// - [`IoError::NotFinite`] for a NaN or infinite label, naming the example.
pub fn load_npy_labels(path: impl AsRef<Path>) -> Result<Vec<f64>> {
    let path = path.as_ref();
    let array = read_npy(path)?;
    let n = match array.shape.as_slice() {
        &[n] | &[n, 1] => n,
        _ => {
            return Err(IoError::Npy {
                path: path.to_path_buf(),
                reason: format!(
                    "labels must have shape (examples,) or (examples, 1), the file's shape is {}",
                    shape_str(&array.shape)
                ),
            });
        }
    };
    if n == 0 {
        return Err(IoError::Empty {
            path: path.to_path_buf(),
            what: format!("the array of shape {} has no labels", shape_str(&array.shape)),
        });
    }
    if let Some(pos) = array.data.iter().position(|x| !x.is_finite()) {
        return Err(IoError::NotFinite {
            path: path.to_path_buf(),
            what: format!("the label of example {pos}"),
            value: array.data[pos],
        });
    }
    Ok(array.data)
}

/// The element types read from `.npy` files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dtype {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

impl Dtype {
    /// Parses a descriptor such as `<f8` or `|b1`; `None` for any other type.
    pub(crate) fn parse(descr: &str) -> Option<Dtype> {
        let (order, code) = descr.split_at_checked(1)?;
        if !matches!(order, "<" | ">" | "|") {
            return None;
        }
        Some(match code {
            "b1" => Dtype::Bool,
            "i1" => Dtype::I8,
            "i2" => Dtype::I16,
            "i4" => Dtype::I32,
            "i8" => Dtype::I64,
            "u1" => Dtype::U8,
            "u2" => Dtype::U16,
            "u4" => Dtype::U32,
            "u8" => Dtype::U64,
            "f4" => Dtype::F32,
            "f8" => Dtype::F64,
            _ => return None,
        })
    }

    /// Bytes per element.
    pub(crate) fn size(self) -> usize {
        match self {
            Dtype::Bool | Dtype::I8 | Dtype::U8 => 1,
            Dtype::I16 | Dtype::U16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 => 8,
        }
    }

    /// NumPy's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::I8 => "int8",
            Dtype::I16 => "int16",
            Dtype::I32 => "int32",
            Dtype::I64 => "int64",
            Dtype::U8 => "uint8",
            Dtype::U16 => "uint16",
            Dtype::U32 => "uint32",
            Dtype::U64 => "uint64",
            Dtype::F32 => "float32",
            Dtype::F64 => "float64",
        }
    }
}

/// A whole `.npy` array in file order, converted to `f64`.
struct Array {
    dtype: Dtype,
    fortran_order: bool,
    shape: Vec<usize>,
    data: Vec<f64>,
}

/// The magic string that opens every `.npy` file.
pub(crate) const MAGIC: &[u8] = b"\x93NUMPY";

/// Reads and checks a whole `.npy` file.
fn read_npy(path: &Path) -> Result<Array> {
    let bad = |reason: String| IoError::Npy { path: path.to_path_buf(), reason };
    let mut file = File::open(path).map_err(|e| IoError::io(path, "open the file", e))?;
    // The magic string is checked before the rest is read, so a large file of another kind is
    // not loaded whole.
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAGIC.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| IoError::io(path, "read the file", e))?;
    if bytes.is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf(), what: "the file is empty".into() });
    }
    if bytes != MAGIC {
        return Err(bad("not a .npy file (it does not start with \\x93NUMPY)".into()));
    }
    file.read_to_end(&mut bytes).map_err(|e| IoError::io(path, "read the file", e))?;

    let data_start = data_offset(&bytes).map_err(bad)?;
    let mut reader = &bytes[..data_start];
    let header =
        Header::from_reader(&mut reader).map_err(|e| bad(format!("invalid .npy header: {e}")))?;
    // The descriptor is a Python literal: a quoted string such as '<f8' for the types read
    // here, a list for record types.
    let descr = header.type_descriptor.format_ascii().unwrap_or_default();
    let dtype = Dtype::parse(descr.trim_matches('\'')).ok_or_else(|| {
        bad(format!("unsupported dtype {descr}; expected bool, an integer, float32 or float64"))
    })?;
    let shape = header.shape.clone();
    let overflow = || bad(format!("the shape {} is too large", shape_str(&shape)));
    let len = shape.iter().try_fold(1_usize, |acc, &n| acc.checked_mul(n)).ok_or_else(overflow)?;
    let n_bytes = len.checked_mul(dtype.size()).ok_or_else(overflow)?;
    let have = bytes.len() - data_start;
    if have != n_bytes {
        let what = if have < n_bytes { "the file is truncated" } else { "the file is too long" };
        return Err(bad(format!(
            "{what}: shape {} of {} needs {n_bytes} bytes of data, the file holds {have}",
            shape_str(&shape),
            dtype.name()
        )));
    }
    // The values as `f64`: at most 8 bytes per byte of the file, but refused before
    // allocation when the machine does not have the memory.
    let needed = len.checked_mul(8).ok_or_else(overflow)? as u64;
    if let Some(available) = descent_train::memory::available_memory()
        && needed > available
    {
        return Err(bad(format!(
            "shape {} needs {} as float64 values, more than the available memory ({})",
            shape_str(&shape),
            descent_train::memory::Bytes(needed),
            descent_train::memory::Bytes(available)
        )));
    }
    let data = decode(&bytes[data_start..], dtype, &header, len)
        .map_err(|e| bad(format!("invalid data: {e}")))?;
    Ok(Array { dtype, fortran_order: header.layout == Layout::Fortran, shape, data })
}

/// The offset of the data after the header, checked against the file's length (versions 1.0,
/// 2.0 and 3.0 of the format).
pub(crate) fn data_offset(bytes: &[u8]) -> std::result::Result<usize, String> {
    let truncated = || "the file is truncated inside its header".to_string();
    let major = *bytes.get(MAGIC.len()).ok_or_else(truncated)?;
    let (len_bytes, start) = match major {
        1 => (bytes.get(8..10).ok_or_else(truncated)?, 10),
        2 | 3 => (bytes.get(8..12).ok_or_else(truncated)?, 12),
        v => return Err(format!("unsupported .npy format version {v}")),
    };
    let header_len = len_bytes.iter().rev().fold(0_usize, |acc, &b| (acc << 8) | usize::from(b));
    let end = start + header_len;
    if end > bytes.len() {
        return Err(format!(
            "the file is truncated: its header says {header_len} header bytes, the file has {}",
            bytes.len().saturating_sub(start)
        ));
    }
    if header_len > MAX_HEADER {
        return Err(format!(
            "the header has {header_len} bytes, more than the {MAX_HEADER} numpy reads by default"
        ));
    }
    let depth = nesting_depth(&bytes[start..end]);
    if depth > MAX_DEPTH {
        return Err(format!(
            "invalid .npy header: brackets nested {depth} deep (a header of the dtypes read here \
             nests at most {MAX_DEPTH})"
        ));
    }
    Ok(end)
}

/// The longest header read, as numpy's `max_header_size` default.
const MAX_HEADER: usize = 10_000;

/// The deepest bracket nesting accepted in a header: the dictionary, the shape tuple, and a
/// record dtype's list of tuples (rejected later with a clear message). The header parser's
/// time grows about threefold per level, so deeper headers are refused before parsing.
const MAX_DEPTH: usize = 3;

/// The deepest nesting of `{`, `[` and `(` outside quoted strings.
fn nesting_depth(text: &[u8]) -> usize {
    let (mut depth, mut max, mut quote, mut escaped) = (0_usize, 0_usize, None, false);
    for &c in text {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b'}' | b']' | b')' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    max
}

/// Decodes `len` elements of `dtype` (byte order from the header's descriptor) into `f64`.
fn decode(
    data: &[u8],
    dtype: Dtype,
    header: &Header,
    len: usize,
) -> std::result::Result<Vec<f64>, ndarray_npy::ReadDataError> {
    fn read<T: ReadableElement>(
        data: &[u8],
        header: &Header,
        len: usize,
        to_f64: impl Fn(T) -> f64,
    ) -> std::result::Result<Vec<f64>, ndarray_npy::ReadDataError> {
        let values = T::read_to_end_exact_vec(data, &header.type_descriptor, len)?;
        Ok(values.into_iter().map(to_f64).collect())
    }
    // Integers above 2^53 lose their lowest bits, as in `np.asarray(x, dtype=float)`.
    #[allow(clippy::cast_precision_loss)]
    match dtype {
        Dtype::Bool => read(data, header, len, |x: bool| f64::from(u8::from(x))),
        Dtype::I8 => read::<i8>(data, header, len, f64::from),
        Dtype::I16 => read::<i16>(data, header, len, f64::from),
        Dtype::I32 => read::<i32>(data, header, len, f64::from),
        Dtype::I64 => read(data, header, len, |x: i64| x as f64),
        Dtype::U8 => read::<u8>(data, header, len, f64::from),
        Dtype::U16 => read::<u16>(data, header, len, f64::from),
        Dtype::U32 => read::<u32>(data, header, len, f64::from),
        Dtype::U64 => read(data, header, len, |x: u64| x as f64),
        Dtype::F32 => read::<f32>(data, header, len, f64::from),
        Dtype::F64 => read(data, header, len, |x: f64| x),
    }
}

/// A shape as Python writes it: `(3,)`, `(3, 2)`.
pub(crate) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    }
}

#[cfg(test)]
pub(crate) mod tests;
