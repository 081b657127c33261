//! Test helpers.
use std::path::{Path, PathBuf};

/// A fresh folder under the system temp folder, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(label: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "runfolder-unit-{label}-{}-{}",
            std::process::id(),
            crate::run_folder::atomic::next_counter()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(std::fs::canonicalize(p).unwrap())
    }
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
