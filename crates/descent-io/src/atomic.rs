//! `write_atomic` and [`AtomicFile`]: replace a file with new contents all at once, or not at
//! all.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoError, Result};

/// Writes `bytes` to `path` so that `path` holds either its old contents or all of the new
/// ones, never a part: the bytes go to a temporary file in the same folder, which is flushed to
/// disk (`fsync`) and then renamed over `path`.
///
/// # Errors
/// [`IoError::MissingFolder`] when the folder of `path` does not exist; [`IoError::Io`] when
/// the temporary file cannot be created, written or flushed, or cannot replace `path` (for
/// example because `path` is a folder). On any error `path` is left as it was and the
/// temporary file is removed.
///
/// # Example
/// ```
/// let path = std::env::temp_dir().join(format!("descent-io-doc-{}.txt", std::process::id()));
/// descent_io::write_atomic(&path, b"first")?;
/// descent_io::write_atomic(&path, b"second")?;
/// assert_eq!(std::fs::read(&path)?, b"second");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let path = path.as_ref();
    let tmp = temp_path(path)?;
    write_via(path, &tmp, bytes)
}

/// A file written in pieces that replaces `path` only when [`commit`](AtomicFile::commit)ted:
/// the bytes go (buffered) to a temporary file in the same folder, which `commit` flushes to
/// disk and renames over `path`. Dropped without a commit, or after a failed write, it removes
/// the temporary file and leaves `path` as it was — for outputs too large to hold in memory.
///
/// # Example
/// ```
/// use std::io::Write;
///
/// let path = std::env::temp_dir().join(format!("descent-io-doc-af-{}.csv", std::process::id()));
/// let mut out = descent_io::AtomicFile::create(&path)?;
/// writeln!(out, "class,probability")?;
/// writeln!(out, "1,0.9")?;
/// out.commit()?;
/// assert_eq!(std::fs::read_to_string(&path)?, "class,probability\n1,0.9\n");
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    /// `None` once committed (or while committing).
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file beside `path`.
    ///
    /// # Errors
    /// [`IoError::MissingFolder`] when the folder of `path` does not exist; [`IoError::Io`]
    /// when the temporary file cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let tmp = temp_path(path)?;
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| IoError::io(&tmp, "create a temporary file", e))?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The temporary file's path, for error messages about writes to it.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Flushes the file to disk and renames it over `path`.
    ///
    /// # Errors
    /// [`IoError::Io`] when flushing or renaming fails (the temporary file is removed, `path`
    /// is untouched).
    pub fn commit(mut self) -> Result<()> {
        let out = self.out.take().expect("an AtomicFile is committed once");
        let res = (|| {
            let file = out
                .into_inner()
                .map_err(|e| IoError::io(&self.tmp, "write the temporary file", e.into_error()))?;
            file.sync_all().map_err(|e| IoError::io(&self.tmp, "flush the temporary file", e))?;
            drop(file);
            fs::rename(&self.tmp, &self.path)
                .map_err(|e| IoError::io(&self.path, "replace the file", e))
        })();
        match res {
            Ok(()) => {
                sync_folder(&self.path);
                Ok(())
            }
            Err(e) => {
                let _ = fs::remove_file(&self.tmp);
                Err(e)
            }
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.as_mut().expect("an AtomicFile is not written after commit").write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.as_mut().expect("an AtomicFile is not written after commit").flush()
    }
}

impl Drop for AtomicFile {
    /// Removes the temporary file of a file that was not committed.
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// Flushes the folder of `path`, which makes a rename into it durable; a system that cannot
/// open folders as files has nothing to flush.
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder_of(path)) {
        let _ = dir.sync_all();
    }
}

/// A temporary name beside `path`, unique within this process and among processes.
pub(crate) fn temp_path(path: &Path) -> Result<PathBuf> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let folder = folder_of(path);
    match fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(IoError::io(
                path,
                "write the file",
                std::io::Error::other(format!("{} is not a folder", folder.display())),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(IoError::MissingFolder {
                path: path.to_path_buf(),
                folder: folder.to_path_buf(),
            });
        }
        Err(e) => return Err(IoError::io(folder, "read the folder", e)),
    }
    let Some(name) = path.file_name() else {
        return Err(IoError::io(
            path,
            "write the file",
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path has no file name"),
        ));
    };
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let tmp_name = format!(".{}.{}-{n}.tmp", name.to_string_lossy(), std::process::id());
    Ok(folder.join(tmp_name))
}

/// The folder `path` is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `tmp`, flushes it and renames it over `path`; removes `tmp` on failure.
fn write_via(path: &Path, tmp: &Path, bytes: &[u8]) -> Result<()> {
    let res = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(tmp)
            .map_err(|e| IoError::io(tmp, "create a temporary file", e))?;
        file.write_all(bytes).map_err(|e| IoError::io(tmp, "write the temporary file", e))?;
        file.sync_all().map_err(|e| IoError::io(tmp, "flush the temporary file", e))?;
        drop(file);
        fs::rename(tmp, path).map_err(|e| IoError::io(path, "replace the file", e))
    })();
    match res {
        Ok(()) => {
            sync_folder(path);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::TempFile;

    /// The names in the temporary folder that start with `prefix`.
    fn leftovers(prefix: &str) -> Vec<String> {
        fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(prefix))
            .collect()
    }

    fn name(file: &TempFile) -> String {
        file.path().file_name().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn replaces_the_contents_and_leaves_no_temporary_file() {
        let file = TempFile::with_bytes("bin", b"old");
        write_atomic(file.path(), b"new contents").unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"new contents");
        assert!(leftovers(&format!(".{}", name(&file))).is_empty());
    }

    #[test]
    fn missing_folder_is_named() {
        let folder = TempFile::new("dir");
        let path = folder.path().join("model.safetensors");
        let err = write_atomic(&path, b"x").unwrap_err();
        let IoError::MissingFolder { folder: ref f, .. } = err else { panic!("{err}") };
        assert_eq!(f, folder.path());
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn a_failed_rename_leaves_the_target_and_no_temporary_file() {
        // A folder cannot be replaced by a file: the rename fails after the write succeeded.
        let dir = TempFile::new("dir");
        fs::create_dir(dir.path()).unwrap();
        fs::write(dir.path().join("inside"), b"kept").unwrap();
        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert!(matches!(err, IoError::Io { action: "replace the file", .. }), "{err}");
        assert_eq!(fs::read(dir.path().join("inside")).unwrap(), b"kept");
        assert!(leftovers(&format!(".{}", name(&dir))).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_target() {
        // The temporary name is taken by a folder, so creating the temporary file fails.
        let file = TempFile::with_bytes("bin", b"old");
        let tmp = TempFile::new("tmp");
        fs::create_dir(tmp.path()).unwrap();
        let err = write_via(file.path(), tmp.path(), b"new").unwrap_err();
        assert!(matches!(err, IoError::Io { action: "create a temporary file", .. }), "{err}");
        assert_eq!(fs::read(file.path()).unwrap(), b"old");
    }

    #[test]
    fn an_atomic_file_replaces_the_target_only_on_commit() {
        let file = TempFile::with_bytes("csv", b"old");
        let mut out = AtomicFile::create(file.path()).unwrap();
        out.write_all(b"new ").unwrap();
        out.write_all(b"contents").unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"old");
        assert!(out.temp_path().exists());
        out.commit().unwrap();
        assert_eq!(fs::read(file.path()).unwrap(), b"new contents");
        assert!(leftovers(&format!(".{}", name(&file))).is_empty());
        // Dropped without a commit: the target keeps its contents, the temporary file goes.
        let mut out = AtomicFile::create(file.path()).unwrap();
        out.write_all(b"lost").unwrap();
        let tmp = out.temp_path().to_path_buf();
        drop(out);
        assert_eq!(fs::read(file.path()).unwrap(), b"new contents");
        assert!(!tmp.exists());
    }

    #[test]
    fn a_file_as_folder_is_an_error() {
        let file = TempFile::with_bytes("bin", b"old");
        let err = write_atomic(file.path().join("model"), b"x").unwrap_err();
        assert!(matches!(err, IoError::Io { .. }), "{err}");
        assert_eq!(fs::read(file.path()).unwrap(), b"old");
    }
}
