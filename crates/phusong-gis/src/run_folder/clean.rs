//! Removal of what killed writers leave behind: temp files of [`crate::run_folder::atomic_write`]
//! and of the lock (`.<name>.tmp-<pid>-<n>`) and staging folders of [`crate::run_folder::StageTx`]
//! (`.staging-<stage>-<pid>-<n>/`).
//!
//! A temp is removed only if its pid is not running on this host. Pids are per host, so
//! when `.lock` is held from another host (run folder on NFS) nothing is removed. A dead
//! writer's pid reused by a live process keeps its temps until that process ends: harmless,
//! never unsafe. Where liveness cannot be read (no `/proc`), nothing is removed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::run_folder::atomic::temp_owner_pid;
use crate::run_folder::error::RunError;
use crate::run_folder::lock::{read_holder, Holder, LockInfo};
use crate::run_folder::stage::STAGING_PREFIX;
use crate::run_folder::sys::{hostname, pid_liveness, Liveness};

/// What [`clean_stale_temps`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CleanReport {
    /// Temps and staging folders of dead writers, removed (sorted).
    pub removed: Vec<PathBuf>,
    /// Temps and staging folders of running writers, kept (sorted).
    pub kept_live: Vec<PathBuf>,
    /// Set when nothing was examined because another host holds the lock.
    pub foreign_lock: Option<LockInfo>,
}

/// Pid in a staging folder name `.staging-<stage>-<pid>-<n>`.
pub(crate) fn staging_owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(STAGING_PREFIX)?;
    let mut parts = rest.rsplitn(3, '-');
    let counter = parts.next()?;
    let pid = parts.next()?;
    let stage = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if stage.is_empty() || !digits(counter) || !digits(pid) {
        return None;
    }
    pid.parse().ok()
}

fn sorted_entries(dir: &Path) -> Result<Vec<fs::DirEntry>, RunError> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| RunError::io("list", dir, e))? {
        entries.push(entry.map_err(|e| RunError::io("list", dir, e))?);
    }
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

/// Removes temp files and staging folders left in `run_dir` (recursively) by processes
/// that are no longer running; never those of a live writer. Safe to call at any time,
/// best called right after taking the run folder's lock.
pub fn clean_stale_temps(run_dir: &Path) -> Result<CleanReport, RunError> {
    let mut report = CleanReport::default();
    match read_holder(run_dir)? {
        Holder::Held(h) if h.host != hostname() => {
            report.foreign_lock = Some(h);
            return Ok(report);
        }
        Holder::Held(_) | Holder::Nobody => {}
        Holder::Unreadable => {
            return Err(RunError::LockUnreadable {
                run_dir: run_dir.to_path_buf(),
            });
        }
    }
    let remove = |path: &Path, is_dir: bool| -> Result<(), RunError> {
        let r = if is_dir {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        match r {
            Ok(()) => Ok(()),
            // Removed meanwhile (its owner finished, or another cleaner).
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(RunError::io("remove stale temp", path, e)),
        }
    };
    let mut stack = vec![run_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in sorted_entries(&dir)? {
            let path = entry.path();
            let ft = entry
                .file_type()
                .map_err(|e| RunError::io("inspect", &path, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            let owner = if ft.is_dir() {
                staging_owner_pid(name)
            } else if ft.is_file() {
                temp_owner_pid(name)
            } else {
                None
            };
            if let Some(pid) = owner {
                if pid_liveness(pid) == Liveness::Dead {
                    remove(&path, ft.is_dir())?;
                    report.removed.push(path);
                } else {
                    report.kept_live.push(path);
                }
                continue;
            }
            if ft.is_dir() {
                stack.push(path);
            }
        }
    }
    report.removed.sort();
    report.kept_live.sort();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names_parse() {
        assert_eq!(staging_owner_pid(".staging-coverage-123-4"), Some(123));
        assert_eq!(staging_owner_pid(".staging-plan-milp-77-0"), Some(77));
        assert_eq!(staging_owner_pid(".staging--77-0"), None);
        assert_eq!(staging_owner_pid(".staging-x-77"), None);
        assert_eq!(staging_owner_pid("staging-x-77-1"), None);
    }
}
