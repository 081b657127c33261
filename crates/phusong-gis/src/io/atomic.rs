//! Atomic file output: write beside the target, then rename over it, so readers never see a
//! half-written file and a failed write leaves the previous version in place.

use crate::error::{Context, Error, Result};
use std::path::{Path, PathBuf};

/// Sidecar files GDAL/SQLite may leave beside a dataset while it is open or after a failure.
const SIDECARS: [&str; 4] = ["-journal", "-wal", "-shm", ".aux.xml"];

/// The temporary path used while writing `final_path`: `.NAME.tmp-PID.EXT` in the same directory
/// (same extension, so GDAL picks the same driver; same filesystem, so the rename is atomic).
fn temp_path(final_path: &Path) -> Result<PathBuf> {
    let stem = final_path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| Error::input(final_path, "output path has no UTF-8 file name"))?;
    let mut name = format!(".{stem}.tmp-{}", std::process::id());
    if let Some(ext) = final_path.extension().and_then(|e| e.to_str()) {
        name.push('.');
        name.push_str(ext);
    }
    Ok(final_path.with_file_name(name))
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn remove_temp(tmp: &Path) {
    let _ = std::fs::remove_file(tmp);
    for s in SIDECARS {
        let _ = std::fs::remove_file(with_suffix(tmp, s));
    }
}

/// Calls `write` with a temporary path in the directory of `final_path`, then renames the result
/// over `final_path`. On any error the temporary file (and GDAL/SQLite sidecars) are removed and
/// an existing `final_path` is left untouched. A GDAL `.aux.xml` sidecar is moved along.
pub fn write_atomic<F: FnOnce(&Path) -> Result<()>>(final_path: &Path, write: F) -> Result<()> {
    let tmp = temp_path(final_path)?;
    remove_temp(&tmp); // a leftover from a crashed run with the same pid would confuse GDAL
    let result = write(&tmp).and_then(|()| {
        if !tmp.exists() {
            return Err(Error::Other(format!(
                "{}: the writer did not create {}",
                final_path.display(),
                tmp.display()
            )));
        }
        std::fs::rename(&tmp, final_path)
            .ctx(|| format!("renaming {} to {}", tmp.display(), final_path.display()))?;
        let aux = with_suffix(&tmp, ".aux.xml");
        if aux.exists() {
            let final_aux = with_suffix(final_path, ".aux.xml");
            std::fs::rename(&aux, &final_aux).ctx(|| format!("renaming {}", aux.display()))?;
        }
        Ok(())
    });
    if result.is_err() {
        remove_temp(&tmp);
    }
    result
}

/// Writes a text file atomically (see [`write_atomic`]).
pub fn write_string_atomic(path: &Path, contents: &str) -> Result<()> {
    write_atomic(path, |tmp| {
        std::fs::write(tmp, contents).ctx(|| format!("writing {}", tmp.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn temp_name_keeps_directory_and_extension() {
        let t = temp_path(Path::new("/a/b/out.gpkg")).unwrap();
        assert_eq!(t.parent(), Some(Path::new("/a/b")));
        assert_eq!(t.extension().and_then(|e| e.to_str()), Some("gpkg"));
        let name = t.file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(name, format!(".out.tmp-{}.gpkg", std::process::id()));
    }

    #[test]
    fn success_replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        write_string_atomic(&p, "old").unwrap();
        write_string_atomic(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(entries(dir.path()), vec!["x.txt".to_string()]);
    }

    #[test]
    fn failing_writer_keeps_previous_content_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        // No previous file: a failure must leave nothing behind.
        let r = write_atomic(&p, |tmp| {
            std::fs::write(tmp, "partial").unwrap();
            Err(Error::Other("boom".into()))
        });
        assert!(r.is_err());
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
        // With a previous file: it survives unchanged.
        write_string_atomic(&p, "good").unwrap();
        let r = write_atomic(&p, |tmp| {
            std::fs::write(tmp, "partial").unwrap();
            Err(Error::Other("boom".into()))
        });
        assert!(matches!(r, Err(Error::Other(ref m)) if m == "boom"));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "good");
        assert_eq!(entries(dir.path()), vec!["x.txt".to_string()]);
    }

    #[test]
    fn writer_that_creates_nothing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.txt");
        assert!(write_atomic(&p, |_| Ok(())).is_err());
        assert!(!p.exists());
    }
}
