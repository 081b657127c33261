//! Readers' side: which generation of a stage's outputs is current, and is it still fresh.
//!
//! The rule: a stage's outputs count only when a manifest matches every one of them
//! (size and SHA-256). Two manifests can exist for a stage:
//! * `<stage>.json`, the last committed generation;
//! * `<stage>.pending.json`, written by a commit before it moves outputs in, and renamed
//!   onto `<stage>.json` after. It exists on disk only if that commit was interrupted (or
//!   is running now).
//!
//! A reader accepts the committed manifest if all outputs match it, else the pending one
//! if all outputs match it (the interrupted commit had moved every file in: the new
//! generation is complete), else reports that the stage must be re-run. Since each file is
//! replaced by an atomic rename, every output is at any instant either its previous or its
//! new version, so the check never accepts a mix.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::run_folder::error::RunError;
use crate::run_folder::lock::{read_holder, Holder};
use crate::run_folder::manifest::{
    compare_file, load_manifest, manifest_path, pending_path, validate_stage_name, FileRecord,
    Manifest,
};
use crate::run_folder::sys::{hostname, pid_liveness, Liveness};

/// A manifest that matched the outputs on disk.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    pub(crate) manifest: Manifest,
    /// SHA-256 of the manifest file's bytes.
    pub(crate) sha256: String,
    /// Matched the manifest of an interrupted commit (not yet renamed into place).
    pub(crate) from_pending: bool,
}

/// First output not matching its record, as the error to report; `Ok(None)` if all match.
fn first_mismatch(
    run_dir: &Path,
    stage: &str,
    outputs: &[FileRecord],
) -> Result<Option<RunError>, RunError> {
    for rec in outputs {
        let path = run_dir.join(&rec.path);
        match compare_file(&path, rec) {
            Ok(None) => {}
            Ok(Some(found)) => {
                return Ok(Some(RunError::OutputChanged {
                    stage: stage.to_string(),
                    file: rec.path.clone(),
                    expected_sha256: rec.sha256.clone(),
                    found,
                }));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Some(RunError::OutputMissing {
                    stage: stage.to_string(),
                    file: rec.path.clone(),
                }));
            }
            Err(e) => return Err(RunError::io("read output", path, e)),
        }
    }
    Ok(None)
}

/// The pending manifest, ignored if damaged (it is only ever trusted when it matches).
fn load_pending(run_dir: &Path, stage: &str) -> Result<Option<(Manifest, String)>, RunError> {
    match load_manifest(stage, &pending_path(run_dir, stage)) {
        Ok(p) => Ok(p),
        Err(RunError::ManifestInvalid { .. } | RunError::ManifestInconsistent { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Which generation is current; see the module documentation.
pub(crate) fn accepted(run_dir: &Path, stage: &str) -> Result<Accepted, RunError> {
    validate_stage_name(stage)?;
    let committed = load_manifest(stage, &manifest_path(run_dir, stage))?;
    let mut committed_err = None;
    if let Some((manifest, sha256)) = &committed {
        match first_mismatch(run_dir, stage, &manifest.outputs)? {
            None => {
                return Ok(Accepted {
                    manifest: manifest.clone(),
                    sha256: sha256.clone(),
                    from_pending: false,
                });
            }
            Some(e) => committed_err = Some(e),
        }
    }
    let pending = load_pending(run_dir, stage)?;
    let mut pending_err = None;
    if let Some((manifest, sha256)) = pending {
        match first_mismatch(run_dir, stage, &manifest.outputs)? {
            None => {
                return Ok(Accepted {
                    manifest,
                    sha256,
                    from_pending: true,
                });
            }
            Some(e) => pending_err = Some(e),
        }
    }
    // Nothing matches. If another live process holds the lock, it is re-running the stage.
    if let Holder::Held(h) = read_holder(run_dir)? {
        let other_process = h.pid != std::process::id() || h.host != hostname();
        let alive = h.host != hostname() || pid_liveness(h.pid) != Liveness::Dead;
        if other_process && alive {
            return Err(RunError::BeingWritten {
                stage: stage.to_string(),
                run_dir: run_dir.to_path_buf(),
                holder: Box::new(h),
            });
        }
    }
    let file_of = |e: &RunError| match e {
        RunError::OutputChanged { file, .. } | RunError::OutputMissing { file, .. } => file.clone(),
        _ => String::new(),
    };
    Err(match (committed_err, pending_err) {
        (Some(c), None) => c,
        (Some(c), Some(_)) | (None, Some(c)) => RunError::CommitInterrupted {
            stage: stage.to_string(),
            file: file_of(&c),
        },
        (None, None) => RunError::ManifestMissing {
            stage: stage.to_string(),
            run_dir: run_dir.to_path_buf(),
        },
    })
}

/// Checks that `stage` has a manifest matching every one of its outputs on disk and
/// returns it. Errors name the first file that does not match and say to re-run.
pub fn verify(run_dir: &Path, stage: &str) -> Result<Manifest, RunError> {
    accepted(run_dir, stage).map(|a| a.manifest)
}

/// Path of a recorded input on disk.
pub(crate) fn input_path(run_dir: &Path, rec_path: &str) -> PathBuf {
    let p = Path::new(rec_path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        run_dir.join(p)
    }
}

/// Checks the inputs and upstream manifests recorded in an accepted manifest.
fn check_recorded_inputs(
    run_dir: &Path,
    acc: &Accepted,
    cache: &mut BTreeMap<String, Accepted>,
) -> Result<(), RunError> {
    let stage = &acc.manifest.stage;
    for rec in &acc.manifest.inputs {
        let path = input_path(run_dir, &rec.path);
        match compare_file(&path, rec) {
            Ok(None) => {}
            Ok(Some(found)) => {
                return Err(RunError::InputChanged {
                    stage: stage.clone(),
                    file: rec.path.clone(),
                    expected_sha256: rec.sha256.clone(),
                    found,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(RunError::InputMissing {
                    stage: stage.clone(),
                    file: rec.path.clone(),
                });
            }
            Err(e) => return Err(RunError::io("read input", path, e)),
        }
    }
    for up in &acc.manifest.upstream {
        let current = accepted_cached(run_dir, &up.stage, cache)?;
        if current.sha256 != up.manifest_sha256 {
            return Err(RunError::UpstreamChanged {
                stage: stage.clone(),
                upstream: up.stage.clone(),
            });
        }
    }
    Ok(())
}

fn accepted_cached(
    run_dir: &Path,
    stage: &str,
    cache: &mut BTreeMap<String, Accepted>,
) -> Result<Accepted, RunError> {
    if let Some(a) = cache.get(stage) {
        return Ok(a.clone());
    }
    let a = accepted(run_dir, stage)?;
    cache.insert(stage.to_string(), a.clone());
    Ok(a)
}

/// Checks that every file `stage` read still has the content it had then, and that every
/// upstream stage it consumed has not been re-run since. Also verifies the stage's outputs
/// (that is how the current manifest is chosen). Returns the manifest.
pub fn check_inputs_unchanged(run_dir: &Path, stage: &str) -> Result<Manifest, RunError> {
    let mut cache = BTreeMap::new();
    let acc = accepted_cached(run_dir, stage, &mut cache)?;
    check_recorded_inputs(run_dir, &acc, &mut cache)?;
    Ok(acc.manifest)
}

/// [`verify`] and [`check_inputs_unchanged`] for `stage` and, transitively, every stage
/// upstream of it, the most upstream problem reported first (an edited DEM is reported as
/// "re-run synth", not as a stale coverage). Each file is hashed at most once per call
/// (plus once per stage that read it).
pub fn verify_fresh(run_dir: &Path, stage: &str) -> Result<Manifest, RunError> {
    let mut cache = BTreeMap::new();
    let mut done = std::collections::BTreeSet::new();
    fresh_inner(run_dir, stage, &mut cache, &mut done).map(|a| a.manifest)
}

pub(crate) fn verify_fresh_accepted(run_dir: &Path, stage: &str) -> Result<Accepted, RunError> {
    let mut cache = BTreeMap::new();
    let mut done = std::collections::BTreeSet::new();
    fresh_inner(run_dir, stage, &mut cache, &mut done)
}

fn fresh_inner(
    run_dir: &Path,
    stage: &str,
    cache: &mut BTreeMap<String, Accepted>,
    done: &mut std::collections::BTreeSet<String>,
) -> Result<Accepted, RunError> {
    let acc = accepted_cached(run_dir, stage, cache)?;
    if !done.insert(stage.to_string()) {
        // Already checked (or being checked: a cycle, which commit never creates).
        return Ok(acc);
    }
    for up in &acc.manifest.upstream {
        fresh_inner(run_dir, &up.stage, cache, done)?;
    }
    check_recorded_inputs(run_dir, &acc, cache)?;
    Ok(acc)
}
