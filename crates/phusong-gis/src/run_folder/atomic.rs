//! Atomic replacement of a single file: unique temp in the same folder, write, fsync,
//! rename over the target, fsync the folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::run_folder::error::RunError;
use crate::run_folder::sys::{parent_or_dot, sync_dir};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Next value of the process-wide counter used to make temp names unique.
pub(crate) fn next_counter() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// `.<name>.tmp-<pid>-<counter>` next to `path`. The pid lets [`crate::run_folder::clean_stale_temps`]
/// tell a dead writer's temp from a live one's; the counter makes names unique within a
/// process (threads, retries).
pub(crate) fn temp_path_for(path: &Path) -> Result<PathBuf, RunError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| RunError::InvalidPath {
            path: path.to_path_buf(),
            reason: "expected a UTF-8 file name as last component",
        })?;
    Ok(parent_or_dot(path).join(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        next_counter()
    )))
}

/// If `file_name` is a temp name made by [`temp_path_for`], the pid of its writer.
pub(crate) fn temp_owner_pid(file_name: &str) -> Option<u32> {
    if !file_name.starts_with('.') {
        return None;
    }
    let (_, tail) = file_name.rsplit_once(".tmp-")?;
    let (pid, counter) = tail.split_once('-')?;
    if pid.is_empty()
        || counter.is_empty()
        || !pid.bytes().all(|b| b.is_ascii_digit())
        || !counter.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    pid.parse().ok()
}

/// Creates a fresh temp next to `path` (retrying on the rare name collision).
fn create_temp(path: &Path) -> Result<(PathBuf, File), RunError> {
    let mut last_err = None;
    for _ in 0..16 {
        let tmp = temp_path_for(path)?;
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some((tmp, e)),
            Err(e) => return Err(RunError::io("create temp file", tmp, e)),
        }
    }
    match last_err {
        Some((tmp, e)) => Err(RunError::io("create temp file", tmp, e)),
        None => Err(RunError::InvalidPath {
            path: path.to_path_buf(),
            reason: "no temp name could be created",
        }),
    }
}

/// Writes `bytes` to `path` atomically: readers see the old content or the new, never a
/// partial file, and after a crash the new content is durable once this returns.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), RunError> {
    atomic_write_with(path, |f| f.write_all(bytes))
}

/// Like [`atomic_write`], the content being produced by `write` into the temp file.
/// If `write` fails, the temp is removed and the target is left untouched.
pub fn atomic_write_with<F>(path: &Path, write: F) -> Result<(), RunError>
where
    F: FnOnce(&mut File) -> io::Result<()>,
{
    let (tmp, mut file) = create_temp(path)?;
    let result = (|| {
        write(&mut file).map_err(|e| RunError::io("write", &tmp, e))?;
        file.sync_all()
            .map_err(|e| RunError::io("fsync", &tmp, e))?;
        drop(file);
        fs::rename(&tmp, path).map_err(|e| RunError::io("rename temp onto", path, e))?;
        let dir = parent_or_dot(path);
        sync_dir(dir).map_err(|e| RunError::io("fsync folder", dir, e))
    })();
    if result.is_err() {
        // Best effort: the temp may already have been renamed (then this finds nothing).
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_parse_back() {
        let p = temp_path_for(Path::new("/x/rsrp_dbm.tif")).unwrap();
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".rsrp_dbm.tif.tmp-"));
        assert_eq!(temp_owner_pid(name), Some(std::process::id()));
        assert_eq!(temp_owner_pid("..lock.tmp-12-3"), Some(12));
        assert_eq!(temp_owner_pid(".a.tmp-x-3"), None);
        assert_eq!(temp_owner_pid(".a.tmp-12-"), None);
        assert_eq!(temp_owner_pid("a.tmp-12-3"), None);
        assert_eq!(temp_owner_pid(".a.tmp-12"), None);
        // Two temps for the same target differ.
        assert_ne!(
            temp_path_for(Path::new("a")).unwrap(),
            temp_path_for(Path::new("a")).unwrap()
        );
    }

    #[test]
    fn failed_writer_leaves_target_and_no_temp() {
        let dir = crate::run_folder::test_util::TempDir::new("atomic-fail");
        let target = dir.path().join("f.json");
        atomic_write(&target, b"old").unwrap();
        let err = atomic_write_with(&target, |f| {
            f.write_all(b"partial")?;
            Err(io::Error::other("disk on fire"))
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                RunError::Io {
                    action: "write",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(fs::read(&target).unwrap(), b"old");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
        atomic_write(&target, b"new").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
