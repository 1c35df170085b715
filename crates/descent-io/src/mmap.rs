//! `MmapDataset`: `.npy` features and labels read straight from memory-mapped files, one
//! example at a time, so that data larger than memory can be trained on.
//!
//! The headers are parsed by `ndarray-npy` (as for [`load_npy_features`](crate::load_npy_features));
//! the files are mapped with `memmap2`. Only the pages of the examples a batch needs are
//! touched; they are file pages the kernel can drop and read again, never the process's own
//! (anonymous) memory.

use std::fs::File;
use std::path::{Path, PathBuf};

use descent_core::Scalar;
use descent_train::DataSource;
use memmap2::Mmap;
use ndarray_npy::npy::header::{Header, Layout};

use crate::error::{IoError, Result};
use crate::npy::{Dtype, MAGIC, data_offset, shape_str};

/// A data set whose features (`X.npy`: shape (examples, features), float32 or float64, C or
/// Fortran order) and labels (`y.npy`: shape (examples,) or (examples, 1), any numeric dtype)
/// stay on disk, memory-mapped.
///
/// Opening checks both headers, the files' lengths, the example counts and every label
/// (non-finite labels are an error); it reads no feature. The features are converted to the
/// training type as each example is copied, exactly as [`load_npy_features`](crate::load_npy_features)
/// converts them, so training from a `MmapDataset` gives the same parameters as training from
/// the [`Dataset`](descent_train::Dataset) that [`load_npy_dataset`](crate::load_npy_dataset)
/// reads from the same files.
///
/// Non-finite features are not looked for on opening: that would read the whole file once
/// more every time it is opened, and the caller usually makes a streaming pass anyway —
/// [`FeatureStats::scan`](descent_train::FeatureStats::scan) computes the standardization
/// statistics and rejects the first NaN or infinite value, naming its example and feature (row
/// and column). The `descent` binary runs that pass on every mapped file before `train`,
/// `eval` or `predict` uses it, with `--standardize` or not. Training from an unscanned file
/// with a NaN feature fails with [`Error::Diverged`](descent_core::Error::Diverged) at the
/// first batch holding it, never with a panic.
///
/// [`open_features`](MmapDataset::open_features) maps a features file alone, for prediction.
///
/// The files must not be truncated or rewritten while they are mapped (another process doing
/// so makes reads fail with `SIGBUS`, as with any memory-mapped file).
#[derive(Debug)]
pub struct MmapDataset {
    features: MappedArray,
    labels: Option<MappedArray>,
    n_examples: usize,
    n_features: usize,
}

impl MmapDataset {
    /// Maps `features` and `labels` and checks them.
    ///
    /// # Errors
    /// - [`IoError::Io`] when a file cannot be opened or mapped;
    /// - [`IoError::Npy`] for a file that is not `.npy`, is truncated or too long, or has the
    ///   wrong shape or dtype (the same rules as [`load_npy_features`](crate::load_npy_features)
    ///   and [`load_npy_labels`](crate::load_npy_labels));
    /// - [`IoError::Empty`] for no examples;
    /// - [`IoError::NotFinite`] for a NaN or infinite label, naming the example;
    /// - [`IoError::CountMismatch`] when the files hold different numbers of examples.
    pub fn open(features: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Self> {
        let (features, n_examples, n_features) = open_features(features.as_ref())?;
        let bad = |a: &MappedArray, reason: String| IoError::Npy { path: a.path.clone(), reason };
        let labels = MappedArray::open(labels.as_ref())?;
        let n_labels = match labels.shape.as_slice() {
            &[n] | &[n, 1] => n,
            _ => {
                return Err(bad(
                    &labels,
                    format!(
                        "labels must have shape (examples,) or (examples, 1), the file's shape \
                         is {}",
                        shape_str(&labels.shape)
                    ),
                ));
            }
        };
        if n_labels != n_examples {
            return Err(IoError::CountMismatch {
                features: features.path.clone(),
                n_features: n_examples,
                labels: labels.path.clone(),
                n_labels,
            });
        }
        for j in 0..n_labels {
            let value = labels.value(j);
            if !value.is_finite() {
                return Err(IoError::NotFinite {
                    path: labels.path.clone(),
                    what: format!("the label of example {j}"),
                    value,
                });
            }
        }
        Ok(Self { features, labels: Some(labels), n_examples, n_features })
    }

    /// Maps `features` alone, for prediction: the source has one target per example, always 0.
    ///
    /// # Errors
    /// The errors of [`open`](Self::open) that concern the features file.
    pub fn open_features(features: impl AsRef<Path>) -> Result<Self> {
        let (features, n_examples, n_features) = open_features(features.as_ref())?;
        Ok(Self { features, labels: None, n_examples, n_features })
    }

    /// The features file.
    #[must_use]
    pub fn features_path(&self) -> &Path {
        &self.features.path
    }

    /// The labels file (`None` when opened by [`open_features`](Self::open_features)).
    #[must_use]
    pub fn labels_path(&self) -> Option<&Path> {
        self.labels.as_ref().map(|l| l.path.as_path())
    }
}

impl<T: Scalar> DataSource<T> for MmapDataset {
    fn n_examples(&self) -> usize {
        self.n_examples
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn n_targets(&self) -> usize {
        1
    }

    fn read_example(&self, j: usize, out: &mut [T]) {
        let a = &self.features;
        let n = self.n_features;
        assert!(j < self.n_examples && out.len() == n, "example {j} of {}", self.n_examples);
        if a.fortran {
            // Feature f of every example is column f of the file.
            for (f, o) in out.iter_mut().enumerate() {
                *o = T::from_f64(a.value(f * self.n_examples + j));
            }
            return;
        }
        let size = a.dtype.size();
        let bytes = &a.data()[j * n * size..(j + 1) * n * size];
        // Same conversion as the in-memory reader: through f64, exact for f32 and f64.
        macro_rules! decode {
            ($t:ty, $from:ident) => {
                for (o, c) in out.iter_mut().zip(bytes.chunks_exact(size)) {
                    let raw = <$t>::$from(c.try_into().expect("chunks have the element's size"));
                    *o = T::from_f64(f64::from(raw));
                }
            };
        }
        match (a.dtype, a.big_endian) {
            (Dtype::F32, false) => decode!(f32, from_le_bytes),
            (Dtype::F32, true) => decode!(f32, from_be_bytes),
            (_, false) => decode!(f64, from_le_bytes),
            (_, true) => decode!(f64, from_be_bytes),
        }
    }

    fn read_target(&self, j: usize, out: &mut [T]) {
        out[0] = self.labels.as_ref().map_or(T::ZERO, |l| T::from_f64(l.value(j)));
    }

    /// Reading a batch from the file may wait for the disk: gather it on a second thread.
    fn prefers_prefetch(&self) -> bool {
        true
    }
}

/// Maps a features file and checks it: float32 or float64, shape (examples, features), neither
/// empty. Returns the array and its two dimensions.
fn open_features(path: &Path) -> Result<(MappedArray, usize, usize)> {
    let features = MappedArray::open(path)?;
    let bad = |reason: String| IoError::Npy { path: features.path.clone(), reason };
    if !matches!(features.dtype, Dtype::F32 | Dtype::F64) {
        return Err(bad(format!(
            "features must be float32 or float64, the file holds {} (convert with \
             x.astype(np.float32))",
            features.dtype.name()
        )));
    }
    let &[n_examples, n_features] = features.shape.as_slice() else {
        return Err(bad(format!(
            "features must have shape (examples, features), the file's shape is {}",
            shape_str(&features.shape)
        )));
    };
    if n_examples == 0 {
        return Err(IoError::Empty {
            path: features.path.clone(),
            what: format!("the array of shape {} has no examples", shape_str(&features.shape)),
        });
    }
    if n_features == 0 {
        return Err(bad(format!(
            "the array of shape {} has no features",
            shape_str(&features.shape)
        )));
    }
    Ok((features, n_examples, n_features))
}

/// One mapped `.npy` file with its checked header.
#[derive(Debug)]
struct MappedArray {
    path: PathBuf,
    map: Mmap,
    start: usize,
    dtype: Dtype,
    big_endian: bool,
    fortran: bool,
    shape: Vec<usize>,
}

impl MappedArray {
    fn open(path: &Path) -> Result<Self> {
        let bad = |reason: String| IoError::Npy { path: path.to_path_buf(), reason };
        let file = File::open(path).map_err(|e| IoError::io(path, "open the file", e))?;
        let len = file.metadata().map_err(|e| IoError::io(path, "read the file", e))?.len();
        if len == 0 {
            return Err(IoError::Empty {
                path: path.to_path_buf(),
                what: "the file is empty".into(),
            });
        }
        let map = map_file(&file).map_err(|e| IoError::io(path, "memory-map the file", e))?;
        if !map.starts_with(MAGIC) {
            return Err(bad("not a .npy file (it does not start with \\x93NUMPY)".into()));
        }
        let start = data_offset(&map).map_err(bad)?;
        let header = Header::from_reader(&mut &map[..start])
            .map_err(|e| bad(format!("invalid .npy header: {e}")))?;
        let descr = header.type_descriptor.format_ascii().unwrap_or_default();
        let descr = descr.trim_matches('\'');
        let dtype = Dtype::parse(descr).ok_or_else(|| {
            bad(format!("unsupported dtype {descr}; expected bool, an integer, float32 or float64"))
        })?;
        let shape = header.shape;
        let overflow = || bad(format!("the shape {} is too large", shape_str(&shape)));
        let n =
            shape.iter().try_fold(1_usize, |acc, &d| acc.checked_mul(d)).ok_or_else(overflow)?;
        let n_bytes = n.checked_mul(dtype.size()).ok_or_else(overflow)?;
        let have = map.len() - start;
        if have != n_bytes {
            let what =
                if have < n_bytes { "the file is truncated" } else { "the file is too long" };
            return Err(bad(format!(
                "{what}: shape {} of {} needs {n_bytes} bytes of data, the file holds {have}",
                shape_str(&shape),
                dtype.name()
            )));
        }
        Ok(Self {
            path: path.to_path_buf(),
            map,
            start,
            dtype,
            big_endian: descr.starts_with('>'),
            fortran: header.layout == Layout::Fortran,
            shape,
        })
    }

    /// The array's bytes after the header.
    fn data(&self) -> &[u8] {
        &self.map[self.start..]
    }

    /// Element `i` in file order, converted to `f64` (as the in-memory reader converts it).
    fn value(&self, i: usize) -> f64 {
        let size = self.dtype.size();
        let b = &self.data()[i * size..(i + 1) * size];
        macro_rules! num {
            ($t:ty) => {{
                let bytes = b.try_into().expect("the slice has the element's size");
                if self.big_endian {
                    <$t>::from_be_bytes(bytes)
                } else {
                    <$t>::from_le_bytes(bytes)
                }
            }};
        }
        // Integers above 2^53 lose their lowest bits, as in `np.asarray(x, dtype=float)`.
        #[allow(clippy::cast_precision_loss)]
        match self.dtype {
            Dtype::Bool => f64::from(u8::from(b[0] != 0)),
            Dtype::I8 => f64::from(num!(i8)),
            Dtype::I16 => f64::from(num!(i16)),
            Dtype::I32 => f64::from(num!(i32)),
            Dtype::I64 => num!(i64) as f64,
            Dtype::U8 => f64::from(num!(u8)),
            Dtype::U16 => f64::from(num!(u16)),
            Dtype::U32 => f64::from(num!(u32)),
            Dtype::U64 => num!(u64) as f64,
            Dtype::F32 => f64::from(num!(f32)),
            Dtype::F64 => num!(f64),
        }
    }
}

/// Maps `file` read-only.
#[allow(unsafe_code)]
fn map_file(file: &File) -> std::io::Result<Mmap> {
    // SAFETY: the mapping is read-only and private to this value. memmap2 cannot prevent
    // another process from truncating or rewriting the file while it is mapped; the type's
    // documentation states that the files must stay unchanged during training.
    unsafe { Mmap::map(file) }
}

#[cfg(test)]
mod tests {
    use descent_train::Dataset;

    use super::*;
    use crate::load_npy_dataset;
    use crate::npy::tests::{npy_bytes, npy_bytes_order};
    use crate::test_util::TempFile;

    fn bytes_of<const N: usize>(values: impl IntoIterator<Item = [u8; N]>) -> Vec<u8> {
        values.into_iter().flatten().collect()
    }

    fn examples<T: Scalar>(d: &impl DataSource<T>) -> (Vec<T>, Vec<T>) {
        let (mut x, mut y) = (vec![T::ZERO; d.n_features()], vec![T::ZERO; 1]);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for j in 0..d.n_examples() {
            d.read_example(j, &mut x);
            d.read_target(j, &mut y);
            xs.extend_from_slice(&x);
            ys.push(y[0]);
        }
        (xs, ys)
    }

    #[test]
    fn every_layout_and_byte_order_reads_as_the_in_memory_loader() {
        let values = [1.5_f64, -2.0, 3.25, 4.0, 5.0, -6.5];
        let cases = [
            npy_bytes("<f4", "(3, 2)", &bytes_of(values.map(|v| (v as f32).to_le_bytes()))),
            npy_bytes(">f8", "(3, 2)", &bytes_of(values.map(f64::to_be_bytes))),
            npy_bytes("<f8", "(3, 2)", &bytes_of(values.map(f64::to_le_bytes))),
        ];
        let y = TempFile::with_bytes(
            "npy",
            &npy_bytes("<i8", "(3,)", &bytes_of([2_i64, 0, 1].map(i64::to_le_bytes))),
        );
        for x_bytes in cases {
            let x = TempFile::with_bytes("npy", &x_bytes);
            let in_memory = load_npy_dataset(x.path(), y.path()).unwrap();
            let mapped = MmapDataset::open(x.path(), y.path()).unwrap();
            assert_eq!(examples::<f64>(&mapped), examples::<f64>(&in_memory));
            let in_memory_f32: Dataset<f32> = in_memory.cast();
            assert_eq!(examples::<f32>(&mapped), examples::<f32>(&in_memory_f32));
            assert_eq!(DataSource::<f64>::n_classes(&mapped), Some(3));
        }
        // Fortran order: the file's columns are features.
        let fortran = npy_bytes_order(
            "<f8",
            true,
            "(3, 2)",
            &bytes_of([1.0_f64, 3.0, 5.0, 2.0, 4.0, 6.0].map(f64::to_le_bytes)),
        );
        let x = TempFile::with_bytes("npy", &fortran);
        let mapped = MmapDataset::open(x.path(), y.path()).unwrap();
        assert_eq!(examples::<f64>(&mapped).0, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(
            examples::<f64>(&mapped),
            examples::<f64>(&load_npy_dataset(x.path(), y.path()).unwrap())
        );
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let x = TempFile::with_bytes(
            "npy",
            &npy_bytes("<f8", "(2, 1)", &bytes_of([1.0_f64, 2.0].map(f64::to_le_bytes))),
        );
        let y3 = TempFile::with_bytes("npy", &npy_bytes("|u1", "(3,)", &[0, 1, 1]));
        let err = MmapDataset::open(x.path(), y3.path()).unwrap_err();
        assert!(matches!(err, IoError::CountMismatch { n_features: 2, n_labels: 3, .. }), "{err}");
        let y_nan = TempFile::with_bytes(
            "npy",
            &npy_bytes("<f8", "(2,)", &bytes_of([0.0_f64, f64::NAN].map(f64::to_le_bytes))),
        );
        let err = MmapDataset::open(x.path(), y_nan.path()).unwrap_err();
        assert!(matches!(err, IoError::NotFinite { .. }), "{err}");
        assert!(err.to_string().contains("example 1"), "{err}");
        let ints = TempFile::with_bytes("npy", &npy_bytes("<i4", "(2, 1)", &[0; 8]));
        let err = MmapDataset::open(ints.path(), y3.path()).unwrap_err();
        assert!(matches!(err, IoError::Npy { .. }), "{err}");
        assert!(err.to_string().contains("float32 or float64"), "{err}");
        let truncated = TempFile::with_bytes("npy", &npy_bytes("<f8", "(2, 1)", &[0; 15]));
        let err = MmapDataset::open(truncated.path(), y3.path()).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(err.to_string().contains(&truncated.path().display().to_string()), "{err}");
        let not_npy = TempFile::with_bytes("npy", b"x1,x2\n1,2\n");
        assert!(matches!(MmapDataset::open(not_npy.path(), y3.path()), Err(IoError::Npy { .. })));
        let empty = TempFile::with_bytes("npy", b"");
        assert!(matches!(MmapDataset::open(empty.path(), y3.path()), Err(IoError::Empty { .. })));
        let missing = TempFile::new("npy");
        assert!(matches!(MmapDataset::open(missing.path(), y3.path()), Err(IoError::Io { .. })));
    }

    #[test]
    fn a_features_file_alone_reads_as_the_in_memory_loader_with_zero_targets() {
        let values = [1.5_f64, -2.0, 3.25, 4.0, 5.0, -6.5];
        let fortran = [1.5_f64, 3.25, 5.0, -2.0, 4.0, -6.5].map(f64::to_le_bytes);
        let cases = [
            npy_bytes("<f4", "(3, 2)", &bytes_of(values.map(|v| (v as f32).to_le_bytes()))),
            npy_bytes("<f8", "(3, 2)", &bytes_of(values.map(f64::to_le_bytes))),
            npy_bytes_order("<f8", true, "(3, 2)", &bytes_of(fortran)),
        ];
        for x_bytes in cases {
            let x = TempFile::with_bytes("npy", &x_bytes);
            let mapped = MmapDataset::open_features(x.path()).unwrap();
            assert_eq!(mapped.labels_path(), None);
            assert_eq!(DataSource::<f64>::n_targets(&mapped), 1);
            let (xs, ys) = examples::<f64>(&mapped);
            assert_eq!(xs, values);
            assert_eq!(ys, [0.0; 3]);
            let (xs, ys) = examples::<f32>(&mapped);
            assert_eq!(xs, values.map(|v| v as f32));
            assert_eq!(ys, [0.0; 3]);
            let (n_examples, n_features, in_memory) = crate::load_npy_features(x.path()).unwrap();
            assert_eq!((n_examples, n_features), (3, 2));
            assert_eq!(examples::<f64>(&mapped).0, in_memory);
        }
    }

    #[test]
    fn a_features_file_alone_must_be_two_dimensional_floats() {
        let one_d = TempFile::with_bytes(
            "npy",
            &npy_bytes("<f8", "(2,)", &bytes_of([1.0_f64, 2.0].map(f64::to_le_bytes))),
        );
        let err = MmapDataset::open_features(one_d.path()).unwrap_err();
        assert!(matches!(err, IoError::Npy { .. }), "{err}");
        assert!(err.to_string().contains("shape (examples, features)"), "{err}");
        assert!(err.to_string().contains(&one_d.path().display().to_string()), "{err}");
        let ints = TempFile::with_bytes("npy", &npy_bytes("<i4", "(2, 1)", &[0; 8]));
        let err = MmapDataset::open_features(ints.path()).unwrap_err();
        assert!(err.to_string().contains("float32 or float64"), "{err}");
        let no_examples = TempFile::with_bytes("npy", &npy_bytes("<f8", "(0, 2)", &[]));
        let err = MmapDataset::open_features(no_examples.path()).unwrap_err();
        assert!(matches!(err, IoError::Empty { .. }), "{err}");
    }
}
