//! Stage manifests: what a stage read, what it wrote (SHA-256 and size of each file) and
//! which upstream manifests it consumed. Stored as `<run>/.manifests/<stage>.json`.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::run_folder::error::{Found, RunError};

/// Manifest format written by this version.
pub const MANIFEST_FORMAT: u32 = 1;

/// Folder (inside the run folder) holding the manifests.
pub const MANIFEST_DIR: &str = ".manifests";

/// One file read or written by a stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path relative to the run folder with `/` separators; for inputs outside the run
    /// folder, an absolute path.
    pub path: String,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// Size, bytes.
    pub size_bytes: u64,
}

/// An upstream stage whose outputs this stage consumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamRecord {
    /// Upstream stage name.
    pub stage: String,
    /// SHA-256 of the upstream manifest file's bytes when consumed.
    pub manifest_sha256: String,
    /// Its generation number then (for messages).
    pub generation: u64,
}

/// What one successful run of a stage produced. Lists are sorted by path / stage name so
/// the same run gives byte-identical manifests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// Stage name.
    pub stage: String,
    /// Counts the commits of this stage in this run folder, from 1.
    pub generation: u64,
    /// Version of phusong that ran the stage.
    pub phusong_version: String,
    /// Model and parameters of the stage, as given by the caller.
    pub params: serde_json::Value,
    /// Files read.
    pub inputs: Vec<FileRecord>,
    /// Files written.
    pub outputs: Vec<FileRecord>,
    /// Upstream manifests consumed.
    pub upstream: Vec<UpstreamRecord>,
}

impl Manifest {
    /// Serialized form (pretty JSON, final newline).
    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, RunError> {
        let mut bytes =
            serde_json::to_vec_pretty(self).map_err(|source| RunError::ManifestInvalid {
                stage: self.stage.clone(),
                path: PathBuf::from(MANIFEST_DIR),
                source,
            })?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// The output record for `path`, if the stage wrote it.
    pub fn output(&self, path: &str) -> Option<&FileRecord> {
        self.outputs.iter().find(|r| r.path == path)
    }
}

/// Checks a stage name: it becomes part of file names.
pub(crate) fn validate_stage_name(stage: &str) -> Result<(), RunError> {
    let ok = !stage.is_empty()
        && stage.len() <= 64
        && stage
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(RunError::InvalidStageName {
            stage: stage.to_string(),
        })
    }
}

/// Checks an output name: a relative path of normal components with `/` separators, none
/// hidden (names starting with `.` are reserved for temps, staging, manifests and lock).
pub(crate) fn check_output_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    if name.contains('\0') {
        return Err("contains NUL");
    }
    if name.contains('\\') {
        return Err("contains '\\'; use '/' between folders");
    }
    if name.starts_with('/') || Path::new(name).is_absolute() {
        return Err("absolute; expected a path relative to the run folder");
    }
    for part in name.split('/') {
        if part.is_empty() {
            return Err("has an empty component ('//' or trailing '/')");
        }
        if part == "." || part == ".." {
            return Err("has a '.' or '..' component");
        }
        if part.starts_with('.') {
            return Err("has a component starting with '.' (reserved for temps and manifests)");
        }
    }
    if Path::new(name)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err("has a prefix or root component");
    }
    Ok(())
}

pub(crate) fn validate_output_name(name: &str) -> Result<(), RunError> {
    check_output_name(name).map_err(|reason| RunError::InvalidOutputName {
        name: name.to_string(),
        reason,
    })
}

/// `<run>/.manifests/<stage>.json`
pub fn manifest_path(run_dir: &Path, stage: &str) -> PathBuf {
    run_dir.join(MANIFEST_DIR).join(format!("{stage}.json"))
}

/// `<run>/.manifests/<stage>.pending.json`: the manifest of a commit in progress.
pub(crate) fn pending_path(run_dir: &Path, stage: &str) -> PathBuf {
    run_dir
        .join(MANIFEST_DIR)
        .join(format!("{stage}.pending.json"))
}

/// Lowercase hex of bytes.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// SHA-256 (FIPS 180-4) of a byte slice, lowercase hex.
pub(crate) fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 and size of a file, streamed in 1 MiB blocks.
pub(crate) fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    sha256_reader(&mut file)
}

pub(crate) fn sha256_reader(r: &mut impl Read) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or(&[]));
        size += n as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}

/// Compares a file with its record: `Ok(None)` if it matches, `Ok(Some(found))` if not,
/// `Err` (kind `NotFound` when missing) if it cannot be read. Size is compared first so a
/// changed large raster is usually detected without hashing it.
pub(crate) fn compare_file(path: &Path, rec: &FileRecord) -> io::Result<Option<Found>> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "not a regular file",
        ));
    }
    if meta.len() != rec.size_bytes {
        return Ok(Some(Found::Size {
            size_bytes: meta.len(),
            expected_bytes: rec.size_bytes,
        }));
    }
    let (sha, size) = sha256_file(path)?;
    if size != rec.size_bytes {
        return Ok(Some(Found::Size {
            size_bytes: size,
            expected_bytes: rec.size_bytes,
        }));
    }
    if sha != rec.sha256 {
        return Ok(Some(Found::Hash { sha256: sha }));
    }
    Ok(None)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Reads and checks a manifest file. `Ok(None)` if absent. Returns the manifest and the
/// SHA-256 of its bytes (what downstream stages record).
pub(crate) fn load_manifest(
    stage: &str,
    path: &Path,
) -> Result<Option<(Manifest, String)>, RunError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(RunError::io("read manifest", path, e)),
    };
    let manifest: Manifest =
        serde_json::from_slice(&bytes).map_err(|source| RunError::ManifestInvalid {
            stage: stage.to_string(),
            path: path.to_path_buf(),
            source,
        })?;
    let inconsistent = |reason| RunError::ManifestInconsistent {
        stage: stage.to_string(),
        path: path.to_path_buf(),
        reason,
    };
    if manifest.format != MANIFEST_FORMAT {
        return Err(inconsistent("unknown manifest format (expected 1)"));
    }
    if manifest.stage != stage {
        return Err(inconsistent("it names another stage"));
    }
    for rec in &manifest.outputs {
        if check_output_name(&rec.path).is_err() {
            return Err(inconsistent(
                "an output path is not a plain relative path inside the run folder",
            ));
        }
    }
    for rec in manifest.outputs.iter().chain(&manifest.inputs) {
        if !is_sha256_hex(&rec.sha256) {
            return Err(inconsistent("a file hash is not 64 lowercase hex digits"));
        }
    }
    for rec in &manifest.inputs {
        if check_output_name(&rec.path).is_err() && !Path::new(&rec.path).is_absolute() {
            return Err(inconsistent(
                "an input path is neither relative inside the run folder nor absolute",
            ));
        }
    }
    for up in &manifest.upstream {
        if validate_stage_name(&up.stage).is_err() || !is_sha256_hex(&up.manifest_sha256) {
            return Err(inconsistent("an upstream record is malformed"));
        }
    }
    Ok(Some((manifest, sha256_bytes(&bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vectors() {
        // FIPS 180-4 / NIST CSRC example vectors.
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_bytes(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Streaming over more than one 1 MiB block gives the same as one-shot.
        let data: Vec<u8> = (0..(3u32 << 19)).map(|i| (i * 7 % 251) as u8).collect();
        let (s, n) = sha256_reader(&mut &data[..]).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(s, sha256_bytes(&data));
    }

    #[test]
    fn output_names() {
        for ok in [
            "rsrp_dbm.tif",
            "tiles/a.tif",
            "project.qgz",
            "a.tif.aux.xml",
        ] {
            assert!(check_output_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/",
            "./a",
            ".lock",
            ".manifests/coverage.json",
            "tiles/.x.tmp-1-2",
            "a\\b",
            "a\0b",
        ] {
            assert!(check_output_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stage_names() {
        for ok in ["synth", "coverage", "gaps-2", "plan_milp"] {
            assert!(validate_stage_name(ok).is_ok());
        }
        for bad in ["", "Coverage", "a.b", "a/b", "..", &"x".repeat(65)] {
            assert!(validate_stage_name(bad).is_err(), "{bad:?}");
        }
    }
}
