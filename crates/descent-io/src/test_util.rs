//! Temporary files for the unit tests: unique names under the system's temporary folder, removed on drop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A unique path under [`std::env::temp_dir`], removed (file or folder) when dropped.
pub(crate) struct TempFile(PathBuf);

impl TempFile {
    /// A fresh path ending in `.{ext}`; nothing is created.
    pub(crate) fn new(ext: &str) -> Self {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("descent-io-test-{}-{n}.{ext}", std::process::id());
        Self(std::env::temp_dir().join(name))
    }

    /// A fresh file holding `bytes`.
    pub(crate) fn with_bytes(ext: &str, bytes: &[u8]) -> Self {
        let file = Self::new(ext);
        std::fs::write(&file.0, bytes).expect("the temporary folder is writable");
        file
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.0.is_dir() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}
