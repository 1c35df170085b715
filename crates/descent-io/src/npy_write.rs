//! `NpyWriter`: a `.npy` array written in pieces, for files larger than memory.

use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray_npy::npy::header::{Header, Layout};
use py_literal::Value;

use crate::atomic::AtomicFile;
use crate::error::{IoError, Result};
use crate::model::Dtype;

/// Writes a little-endian float32 or float64 `.npy` array of a shape given up front, C order,
/// from values passed in pieces of any length (the header comes from `ndarray-npy`).
///
/// The data goes to a temporary file beside the target, renamed over it by
/// [`finish`](NpyWriter::finish) once every value is written: an unfinished or failed write
/// never leaves a partial file at `path` and never damages an existing one.
///
/// # Example
/// ```
/// use descent_io::{Dtype, NpyWriter, load_npy_features};
///
/// let path = std::env::temp_dir().join(format!("descent-io-doc-writer-{}.npy", std::process::id()));
/// let mut w = NpyWriter::create(&path, Dtype::F32, &[3, 2])?;
/// w.write(&[1.0, 2.0, 3.0])?;
/// w.write(&[4.0, 5.0, 6.0])?;
/// w.finish()?;
/// assert_eq!(load_npy_features(&path)?, (3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct NpyWriter {
    path: PathBuf,
    out: AtomicFile,
    dtype: Dtype,
    remaining: usize,
}

impl NpyWriter {
    /// Starts writing an array of `shape` and `dtype` to `path`.
    ///
    /// # Errors
    /// [`IoError::MissingFolder`] or [`IoError::Io`] when the temporary file cannot be created
    /// or written; [`IoError::Npy`] when the shape is too large.
    pub fn create(path: impl AsRef<Path>, dtype: Dtype, shape: &[usize]) -> Result<Self> {
        let path = path.as_ref();
        let descr = match dtype {
            Dtype::F32 => "<f4",
            Dtype::F64 => "<f8",
        };
        let header = Header {
            type_descriptor: Value::String(descr.into()),
            layout: Layout::Standard,
            shape: shape.to_vec(),
        };
        let too_large = || IoError::Npy {
            path: path.to_path_buf(),
            reason: format!("the shape {shape:?} is too large"),
        };
        let remaining =
            shape.iter().try_fold(1_usize, |acc, &d| acc.checked_mul(d)).ok_or_else(too_large)?;
        let header = header.to_bytes().map_err(|_| too_large())?;
        let mut writer =
            Self { path: path.to_path_buf(), out: AtomicFile::create(path)?, dtype, remaining };
        writer.put(&header)?;
        Ok(writer)
    }

    /// Appends `values` (converted to the file's dtype) in C order.
    ///
    /// # Errors
    /// [`IoError::Npy`] when this would write more values than the shape holds;
    /// [`IoError::Io`] when the write fails.
    pub fn write(&mut self, values: &[f64]) -> Result<()> {
        if values.len() > self.remaining {
            return Err(IoError::Npy {
                path: self.path.clone(),
                reason: format!(
                    "{} more values written than the shape holds",
                    values.len() - self.remaining
                ),
            });
        }
        self.remaining -= values.len();
        let mut buf = [0_u8; 8 * 512];
        for chunk in values.chunks(512) {
            let n = match self.dtype {
                Dtype::F32 => {
                    for (b, &v) in buf.chunks_exact_mut(4).zip(chunk) {
                        // The file's dtype is float32: rounding to it is the point.
                        #[allow(clippy::cast_possible_truncation)]
                        b.copy_from_slice(&(v as f32).to_le_bytes());
                    }
                    4 * chunk.len()
                }
                Dtype::F64 => {
                    for (b, &v) in buf.chunks_exact_mut(8).zip(chunk) {
                        b.copy_from_slice(&v.to_le_bytes());
                    }
                    8 * chunk.len()
                }
            };
            self.put(&buf[..n])?;
        }
        Ok(())
    }

    /// Checks that every value was written, flushes the file to disk and renames it to `path`.
    ///
    /// # Errors
    /// [`IoError::Npy`] when values are missing; [`IoError::Io`] when flushing or renaming
    /// fails (the temporary file is removed, `path` is untouched).
    pub fn finish(self) -> Result<()> {
        if self.remaining > 0 {
            return Err(IoError::Npy {
                path: self.path.clone(),
                reason: format!("{} values of the shape were never written", self.remaining),
            });
        }
        self.out.commit()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        let out = &mut self.out;
        out.write_all(bytes)
            .map_err(|e| IoError::io(out.temp_path(), "write the temporary file", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load_npy_features;
    use crate::test_util::TempFile;

    #[test]
    fn an_unfinished_or_overfull_write_leaves_the_old_file() {
        let file = TempFile::with_bytes("npy", b"old");
        let mut w = NpyWriter::create(file.path(), Dtype::F64, &[2, 2]).unwrap();
        w.write(&[1.0, 2.0, 3.0]).unwrap();
        assert!(matches!(w.write(&[4.0, 5.0]), Err(IoError::Npy { .. })));
        let err = w.finish().unwrap_err();
        assert!(err.to_string().contains("1 values of the shape were never written"), "{err}");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"old");
        let mut w = NpyWriter::create(file.path(), Dtype::F64, &[2, 2]).unwrap();
        w.write(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        w.finish().unwrap();
        assert_eq!(load_npy_features(file.path()).unwrap(), (2, 2, vec![1.0, 2.0, 3.0, 4.0]));
        let leftovers = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.contains(&file.path().file_name().unwrap().to_string_lossy().into_owned())
                    && e.path() != file.path()
            })
            .count();
        assert_eq!(leftovers, 0, "temporary files are removed");
    }
}
