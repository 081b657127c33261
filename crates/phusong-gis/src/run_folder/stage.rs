//! Writer's side: a stage run as a transaction over the run folder.
//!
//! Outputs are written into `<run>/.staging-<stage>-<pid>-<n>/` (same file system, same
//! relative layout, so a QGIS project staged there with relative paths stays valid when
//! moved). [`StageTx::commit`] then:
//! 1. hashes and fsyncs every staged file;
//! 2. writes the new manifest as `.manifests/<stage>.pending.json` (atomically, durable);
//! 3. renames each staged file onto `<run>/<name>` (each rename atomic), fsyncs folders;
//! 4. removes outputs of the previous generation that the new one no longer has (only if
//!    still unmodified);
//! 5. renames `<stage>.pending.json` onto `<stage>.json` (the commit point for writers),
//!    and removes the staging folder.
//!
//! Kill -9 before 2: outputs and manifest untouched; the staging folder is left for
//! [`crate::run_folder::clean_stale_temps`]. Between 2 and 3-complete: some outputs are new, some old;
//! neither manifest matches all of them, so readers are told to re-run (never a mix).
//! Between 3-complete and 5: every output matches the pending manifest, which readers
//! accept; the next [`StageTx::begin`] finishes 4 and 5. After 5: committed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::run_folder::atomic::{atomic_write, next_counter};
use crate::run_folder::error::RunError;
use crate::run_folder::lock::RunLock;
use crate::run_folder::manifest::{
    check_output_name, compare_file, load_manifest, manifest_path, pending_path, sha256_bytes,
    sha256_reader, validate_output_name, validate_stage_name, FileRecord, Manifest, UpstreamRecord,
    MANIFEST_DIR, MANIFEST_FORMAT,
};
use crate::run_folder::sys::{parent_or_dot, sync_dir};
use crate::run_folder::verify::{accepted, verify_fresh_accepted};

/// Prefix of staging folders inside a run folder.
pub(crate) const STAGING_PREFIX: &str = ".staging-";

/// A stage being run: records what it reads, collects what it writes, and commits it all
/// with a manifest. Dropping it without [`StageTx::commit`] discards the staged outputs.
#[derive(Debug)]
pub struct StageTx<'a> {
    lock: &'a RunLock,
    run_dir: PathBuf,
    stage: String,
    staging: PathBuf,
    inputs: BTreeMap<String, FileRecord>,
    upstream: BTreeMap<String, UpstreamRecord>,
    declared: BTreeSet<String>,
    finished: bool,
    /// Test hook: stop `commit` after this many steps, leaving disk as a crash would.
    #[cfg(test)]
    pub(crate) crash_after: Option<usize>,
}

/// Relative path (with `/`) of `path` under `base`, if it is under it.
fn relative_key(base: &Path, path: &Path) -> Result<Option<String>, RunError> {
    let Ok(rel) = path.strip_prefix(base) else {
        return Ok(None);
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        let s = c
            .as_os_str()
            .to_str()
            .ok_or_else(|| RunError::InvalidPath {
                path: path.to_path_buf(),
                reason: "not valid UTF-8 (manifests are JSON)",
            })?;
        parts.push(s);
    }
    Ok(Some(parts.join("/")))
}

/// Outputs listed by the committed manifests of stages other than `stage`, each with the
/// stage that owns it (sorted; damaged manifests claim nothing).
fn claimed_by_other_stages(
    run_dir: &Path,
    stage: &str,
) -> Result<BTreeMap<String, String>, RunError> {
    let dir = run_dir.join(MANIFEST_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(RunError::io("list", dir, e)),
    };
    let mut others = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| RunError::io("list", &dir, e))?;
        let name = entry.file_name();
        let Some(other) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        if other.ends_with(".pending") || other == stage || validate_stage_name(other).is_err() {
            continue;
        }
        others.push(other.to_string());
    }
    others.sort();
    let mut claimed = BTreeMap::new();
    for other in others {
        if let Ok(Some((m, _))) = load_manifest(&other, &manifest_path(run_dir, &other)) {
            for rec in m.outputs {
                claimed.entry(rec.path).or_insert_with(|| other.clone());
            }
        }
    }
    Ok(claimed)
}

/// Removes outputs of `old` that `new` does not have, if unmodified since `old` (a file the
/// user changed is left alone) and not claimed by another stage. Best effort: a leftover
/// is an unreferenced file, harmless.
fn remove_obsolete(run_dir: &Path, old: &Manifest, new: &Manifest) {
    let Ok(claimed) = claimed_by_other_stages(run_dir, &old.stage) else {
        return;
    };
    let mut dirs = BTreeSet::new();
    for rec in &old.outputs {
        if new.output(&rec.path).is_none() && !claimed.contains_key(&rec.path) {
            let path = run_dir.join(&rec.path);
            if matches!(compare_file(&path, rec), Ok(None)) && fs::remove_file(&path).is_ok() {
                dirs.insert(parent_or_dot(&path).to_path_buf());
            }
        }
    }
    for dir in dirs {
        let _ = sync_dir(&dir);
    }
}

/// Promotes or discards the pending manifest of an interrupted commit (lock held).
fn recover_pending(run_dir: &Path, stage: &str) -> Result<(), RunError> {
    let pending = pending_path(run_dir, stage);
    if !pending.exists() {
        return Ok(());
    }
    match accepted(run_dir, stage) {
        Ok(acc) if acc.from_pending => {
            let target = manifest_path(run_dir, stage);
            if let Ok(Some((old, _))) = load_manifest(stage, &target) {
                remove_obsolete(run_dir, &old, &acc.manifest);
            }
            fs::rename(&pending, &target)
                .map_err(|e| RunError::io("promote pending manifest to", target, e))?;
        }
        Ok(acc) => {
            // The committed generation still matches: that commit moved in at most files
            // the committed generation does not list. Remove those, then its manifest.
            if let Ok(Some((aborted, _))) = load_manifest(stage, &pending) {
                remove_obsolete(run_dir, &aborted, &acc.manifest);
            }
            fs::remove_file(&pending)
                .map_err(|e| RunError::io("remove pending manifest", &pending, e))?;
        }
        // A mix on disk. Files the interrupted commit added that the committed generation
        // does not list would be orphaned once a later pending manifest replaces this one:
        // remove them now. Keep the pending manifest (it makes the error say "interrupted").
        Err(e) if e.needs_rerun() => {
            if let Ok(Some((aborted, _))) = load_manifest(stage, &pending) {
                let committed = load_manifest(stage, &manifest_path(run_dir, stage))
                    .ok()
                    .flatten()
                    .map(|(m, _)| m);
                let none = Manifest {
                    outputs: Vec::new(),
                    ..aborted.clone()
                };
                remove_obsolete(run_dir, &aborted, committed.as_ref().unwrap_or(&none));
            }
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    let dir = run_dir.join(MANIFEST_DIR);
    sync_dir(&dir).map_err(|e| RunError::io("fsync folder", dir, e))
}

/// Regular files under `dir`, as sorted relative `/` paths.
fn walk_files(stage: &str, root: &Path) -> Result<Vec<String>, RunError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| RunError::io("list", &dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| RunError::io("list", &dir, e))?;
            let path = entry.path();
            let ft = entry
                .file_type()
                .map_err(|e| RunError::io("inspect", &path, e))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                if let Some(key) = relative_key(root, &path)? {
                    out.push(key);
                }
            } else {
                return Err(RunError::UnexpectedStagingEntry {
                    stage: stage.to_string(),
                    path,
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

impl<'a> StageTx<'a> {
    /// Starts `stage` in `run_dir`, which `lock` must hold. Finishes or discards an
    /// interrupted commit of the same stage first.
    pub fn begin(run_dir: &Path, stage: &str, lock: &'a RunLock) -> Result<StageTx<'a>, RunError> {
        validate_stage_name(stage)?;
        let canonical = fs::canonicalize(run_dir)
            .map_err(|e| RunError::io("resolve run folder", run_dir, e))?;
        if canonical != lock.run_dir() {
            return Err(RunError::LockForOtherFolder {
                lock_dir: lock.run_dir().to_path_buf(),
                run_dir: canonical,
            });
        }
        lock.check_held()?;
        recover_pending(&canonical, stage)?;
        let staging = canonical.join(format!(
            "{STAGING_PREFIX}{stage}-{}-{}",
            std::process::id(),
            next_counter()
        ));
        fs::create_dir(&staging).map_err(|e| RunError::io("create staging folder", &staging, e))?;
        Ok(StageTx {
            lock,
            run_dir: canonical,
            stage: stage.to_string(),
            staging,
            inputs: BTreeMap::new(),
            upstream: BTreeMap::new(),
            declared: BTreeSet::new(),
            finished: false,
            #[cfg(test)]
            crash_after: None,
        })
    }

    /// The stage name.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// The run folder (canonical).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The staging folder: every file written under it (same relative layout as the run folder) is
    /// committed as an output, e.g. a whole `inputs/` folder written by one call.
    pub fn staging_dir(&self) -> &Path {
        &self.staging
    }

    /// Declares that this stage consumes `upstream`'s outputs: checks that they, and
    /// everything upstream of them, are intact and fresh ([`crate::run_folder::verify_fresh`]), and
    /// records the upstream manifest's hash. Returns the upstream manifest.
    pub fn upstream(&mut self, upstream: &str) -> Result<Manifest, RunError> {
        validate_stage_name(upstream)?;
        if upstream == self.stage {
            return Err(RunError::SelfUpstream {
                stage: self.stage.clone(),
            });
        }
        let acc = verify_fresh_accepted(&self.run_dir, upstream)?;
        self.upstream.insert(
            upstream.to_string(),
            UpstreamRecord {
                stage: upstream.to_string(),
                manifest_sha256: acc.sha256,
                generation: acc.manifest.generation,
            },
        );
        Ok(acc.manifest)
    }

    /// Where an input is and how the manifest names it.
    fn resolve_input(&self, path: &Path) -> Result<(PathBuf, String), RunError> {
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.run_dir.join(path)
        };
        let real = fs::canonicalize(&joined).map_err(|e| RunError::io("open input", &joined, e))?;
        let key = match relative_key(&self.run_dir, &real)? {
            Some(rel) => {
                if check_output_name(&rel).is_err() {
                    return Err(RunError::InvalidPath {
                        path: real,
                        reason: "hidden entries of the run folder (temps, staging, manifests) are not stage inputs; use StageTx::upstream",
                    });
                }
                rel
            }
            None => real
                .to_str()
                .ok_or_else(|| RunError::InvalidPath {
                    path: real.clone(),
                    reason: "not valid UTF-8 (manifests are JSON)",
                })?
                .to_string(),
        };
        Ok((real, key))
    }

    fn record_input(
        &mut self,
        key: String,
        sha256: String,
        size_bytes: u64,
    ) -> Result<(), RunError> {
        if let Some(prev) = self.inputs.get(&key) {
            if prev.sha256 != sha256 {
                return Err(RunError::InputChangedDuringStage {
                    stage: self.stage.clone(),
                    file: key,
                });
            }
            return Ok(());
        }
        self.inputs.insert(
            key.clone(),
            FileRecord {
                path: key,
                sha256,
                size_bytes,
            },
        );
        Ok(())
    }

    /// Records an input the stage will read by path (e.g. a raster opened by GDAL): hashes
    /// it now and returns its resolved path. `path` is relative to the run folder or
    /// absolute. A change between this call and the actual read is caught at the next
    /// [`crate::run_folder::check_inputs_unchanged`], not here; use [`StageTx::read_bytes`] to hash
    /// exactly the bytes used.
    pub fn read(&mut self, path: &Path) -> Result<PathBuf, RunError> {
        let (real, key) = self.resolve_input(path)?;
        let (sha, size) = File::open(&real)
            .and_then(|mut f| sha256_reader(&mut f))
            .map_err(|e| RunError::io("read input", &real, e))?;
        self.record_input(key, sha, size)?;
        Ok(real)
    }

    /// Reads an input whole, recording the hash of exactly the bytes returned.
    pub fn read_bytes(&mut self, path: &Path) -> Result<Vec<u8>, RunError> {
        let (real, key) = self.resolve_input(path)?;
        let bytes = fs::read(&real).map_err(|e| RunError::io("read input", &real, e))?;
        self.record_input(key, sha256_bytes(&bytes), bytes.len() as u64)?;
        Ok(bytes)
    }

    /// Declares output `name` (relative, `/`-separated, e.g. `rsrp_dbm.tif`) and returns
    /// the staging path to write it to (e.g. for GDAL). Parent folders are created. Any
    /// other file written into the staging folder (GDAL `.aux.xml` sidecars) is committed
    /// too.
    pub fn output_path(&mut self, name: &str) -> Result<PathBuf, RunError> {
        validate_output_name(name)?;
        let path = self.staging.join(name);
        let parent = parent_or_dot(&path);
        fs::create_dir_all(parent).map_err(|e| RunError::io("create staging folder", parent, e))?;
        self.declared.insert(name.to_string());
        Ok(path)
    }

    /// Writes output `name` with `bytes`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), RunError> {
        self.write_with(name, |f| f.write_all(bytes))
    }

    /// Writes output `name` through `write`.
    pub fn write_with<F>(&mut self, name: &str, write: F) -> Result<(), RunError>
    where
        F: FnOnce(&mut File) -> io::Result<()>,
    {
        let path = self.output_path(name)?;
        let mut file = File::create(&path).map_err(|e| RunError::io("create output", &path, e))?;
        write(&mut file).map_err(|e| RunError::io("write output", &path, e))
    }

    /// Test hook: `Err` when the simulated crash point `step` is reached.
    #[cfg(test)]
    fn crash_point(&mut self, step: usize) -> Result<(), RunError> {
        if self.crash_after == Some(step) {
            self.finished = true; // a crash does not clean up
            return Err(RunError::io(
                "simulate crash in",
                &self.staging,
                io::Error::other("test crash point"),
            ));
        }
        Ok(())
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn crash_point(&mut self, _step: usize) -> Result<(), RunError> {
        Ok(())
    }

    /// Hashes, fsyncs and checks the staged outputs.
    fn staged_outputs(&self) -> Result<Vec<FileRecord>, RunError> {
        let names = walk_files(&self.stage, &self.staging)?;
        for name in &names {
            validate_output_name(name)?;
        }
        for d in &self.declared {
            if names.binary_search(d).is_err() {
                return Err(RunError::DeclaredOutputNotWritten {
                    stage: self.stage.clone(),
                    file: d.clone(),
                });
            }
        }
        let mut outputs = Vec::with_capacity(names.len());
        for name in names {
            if self.inputs.contains_key(&name) {
                return Err(RunError::OutputIsInput {
                    stage: self.stage.clone(),
                    file: name,
                });
            }
            let path = self.staging.join(&name);
            let (sha256, size_bytes) = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .and_then(|mut f| {
                    let r = sha256_reader(&mut f)?;
                    f.sync_all()?;
                    Ok(r)
                })
                .map_err(|e| RunError::io("hash and fsync output", &path, e))?;
            outputs.push(FileRecord {
                path: name,
                sha256,
                size_bytes,
            });
        }
        Ok(outputs)
    }

    /// Refuses outputs listed by another stage's manifest.
    fn check_ownership(&self, outputs: &[FileRecord]) -> Result<(), RunError> {
        let claimed = claimed_by_other_stages(&self.run_dir, &self.stage)?;
        for rec in outputs {
            if let Some(other) = claimed.get(&rec.path) {
                return Err(RunError::OutputOwnedByOtherStage {
                    stage: self.stage.clone(),
                    file: rec.path.clone(),
                    other_stage: other.clone(),
                });
            }
        }
        Ok(())
    }

    /// Moves every staged output into place, then records the manifest (see the module
    /// documentation for the crash analysis). Returns the manifest written.
    pub fn commit(
        mut self,
        phusong_version: &str,
        params: serde_json::Value,
    ) -> Result<Manifest, RunError> {
        self.lock.check_held()?;
        let outputs = self.staged_outputs()?;
        self.check_ownership(&outputs)?;

        let final_path = manifest_path(&self.run_dir, &self.stage);
        let pending = pending_path(&self.run_dir, &self.stage);
        let previous = load_manifest(&self.stage, &final_path).ok().flatten();
        // Manifest of an interrupted commit that `begin` could neither promote nor drop.
        let interrupted = load_manifest(&self.stage, &pending).ok().flatten();
        let previous_pending_gen = interrupted.as_ref().map_or(0, |(m, _)| m.generation);
        let generation = previous
            .as_ref()
            .map_or(0, |(m, _)| m.generation)
            .max(previous_pending_gen)
            + 1;
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            stage: self.stage.clone(),
            generation,
            phusong_version: phusong_version.to_string(),
            params,
            inputs: self.inputs.values().cloned().collect(),
            outputs,
            upstream: self.upstream.values().cloned().collect(),
        };
        let bytes = manifest.to_bytes()?;
        let manifest_dir = self.run_dir.join(MANIFEST_DIR);
        fs::create_dir_all(&manifest_dir)
            .map_err(|e| RunError::io("create manifest folder", &manifest_dir, e))?;
        atomic_write(&pending, &bytes)?;
        self.crash_point(0)?;

        let mut touched = BTreeSet::new();
        for (i, rec) in manifest.outputs.iter().enumerate() {
            let src = self.staging.join(&rec.path);
            let dst = self.run_dir.join(&rec.path);
            let parent = parent_or_dot(&dst).to_path_buf();
            fs::create_dir_all(&parent).map_err(|e| RunError::io("create folder", &parent, e))?;
            fs::rename(&src, &dst).map_err(|e| RunError::io("move output into", &dst, e))?;
            touched.insert(parent);
            self.crash_point(i + 1)?;
        }
        for dir in &touched {
            sync_dir(dir).map_err(|e| RunError::io("fsync folder", dir, e))?;
        }
        // Every new output is in place: the pending manifest matches; drop the previous
        // generation's leftovers now, while the previous manifest still lists them.
        for (old, _) in previous.iter().chain(interrupted.iter()) {
            remove_obsolete(&self.run_dir, old, &manifest);
        }
        self.crash_point(manifest.outputs.len() + 1)?;

        fs::rename(&pending, &final_path)
            .map_err(|e| RunError::io("rename pending manifest to", &final_path, e))?;
        sync_dir(&manifest_dir).map_err(|e| RunError::io("fsync folder", &manifest_dir, e))?;
        self.crash_point(manifest.outputs.len() + 2)?;

        self.finished = true;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(manifest)
    }

    /// Discards the staged outputs (same as dropping, but reports errors).
    pub fn abort(mut self) -> Result<(), RunError> {
        self.finished = true;
        fs::remove_dir_all(&self.staging)
            .map_err(|e| RunError::io("remove staging folder", &self.staging, e))
    }
}

impl Drop for StageTx<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
