//! Typed errors of the run-folder layer. Every message names the stage, file or folder
//! concerned and, where the user has something to do, says what (`re-run phusong <stage>`).

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::run_folder::lock::LockInfo;

/// What was found on disk where a recorded file was expected to match its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// The file has a different size, so its hash was not computed.
    Size {
        /// Size on disk now, bytes.
        size_bytes: u64,
        /// Size recorded in the manifest, bytes.
        expected_bytes: u64,
    },
    /// Same size, different content.
    Hash {
        /// SHA-256 (hex) of the file as it is now.
        sha256: String,
    },
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Size {
                size_bytes,
                expected_bytes,
            } => write!(
                f,
                "size now {size_bytes} bytes, expected {expected_bytes} bytes"
            ),
            Found::Hash { sha256 } => write!(f, "sha256 now {}", short(sha256)),
        }
    }
}

/// First 12 hex digits of a hash, enough to tell generations apart in a message.
pub(crate) fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// Errors of the run-folder layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// An operating-system call failed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done (`"read"`, `"rename"`, …).
        action: &'static str,
        /// The file or folder concerned.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },

    /// A path cannot be used as given (no file name, not UTF-8, …).
    #[error("path {} cannot be used: {reason}", .path.display())]
    InvalidPath {
        /// The path given.
        path: PathBuf,
        /// Why it was refused.
        reason: &'static str,
    },

    /// Stage names become file names, so they are restricted.
    #[error(
        "stage name {stage:?} is invalid: expected 1 to 64 characters among a-z, 0-9, '_' and '-'"
    )]
    InvalidStageName {
        /// The name given.
        stage: String,
    },

    /// An output name must be a relative path inside the run folder.
    #[error("output name {name:?} is invalid: {reason}")]
    InvalidOutputName {
        /// The name given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// A run name taken from a scenario was refused by [`crate::run_folder::confine`].
    #[error("run name {name:?} is refused: {reason}")]
    RunNameRefused {
        /// The name given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// Another writer holds the run folder's lock.
    #[error(
        "{} is being written by {holder}; wait or remove {}/.lock",
        .run_dir.display(),
        .run_dir.display()
    )]
    Locked {
        /// The run folder.
        run_dir: PathBuf,
        /// Who holds the lock.
        holder: Box<LockInfo>,
    },

    /// [`crate::run_folder::LockMode::Wait`] ran out.
    #[error(
        "{} is still being written by {holder} after waiting {waited_ms} ms; wait or remove {}/.lock",
        .run_dir.display(),
        .run_dir.display()
    )]
    LockTimeout {
        /// The run folder.
        run_dir: PathBuf,
        /// Who holds the lock.
        holder: Box<LockInfo>,
        /// How long we waited, milliseconds.
        waited_ms: u128,
    },

    /// A `.lock` exists but cannot be parsed (written by hand or on a file system without
    /// hard links), so it cannot be judged stale.
    #[error(
        "{}/.lock exists but cannot be read as a phusong lock; if no phusong is writing there, remove it",
        .run_dir.display()
    )]
    LockUnreadable {
        /// The run folder.
        run_dir: PathBuf,
    },

    /// Our lock was removed or replaced while we held it (someone deleted `.lock`).
    #[error(
        "the lock on {} was removed or taken by another writer while this stage ran; its outputs were not committed — re-run it",
        .run_dir.display()
    )]
    LockLost {
        /// The run folder.
        run_dir: PathBuf,
    },

    /// A [`crate::run_folder::StageTx`] was begun with a lock of another folder.
    #[error(
        "the lock given is for {}, not for run folder {}",
        .lock_dir.display(),
        .run_dir.display()
    )]
    LockForOtherFolder {
        /// Folder the lock is on.
        lock_dir: PathBuf,
        /// Folder the stage writes to.
        run_dir: PathBuf,
    },

    /// The stage has no manifest: it never completed in this run folder.
    #[error("{stage}: no manifest in {}; the stage has not completed — run `phusong {stage}`", .run_dir.display())]
    ManifestMissing {
        /// The stage.
        stage: String,
        /// The run folder.
        run_dir: PathBuf,
    },

    /// A manifest file is not valid JSON of the expected shape.
    #[error("{stage}: manifest {} is damaged ({source}); re-run `phusong {stage}`", .path.display())]
    ManifestInvalid {
        /// The stage.
        stage: String,
        /// The manifest file.
        path: PathBuf,
        /// Parse error.
        source: serde_json::Error,
    },

    /// A manifest parses but its content is inconsistent (wrong stage, bad paths, …).
    #[error("{stage}: manifest {} is inconsistent: {reason}; re-run `phusong {stage}`", .path.display())]
    ManifestInconsistent {
        /// The stage.
        stage: String,
        /// The manifest file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },

    /// An output no longer matches the manifest (edited or replaced since the stage ran).
    #[error(
        "{stage}: {file} changed since the stage ran ({found}, expected sha256 {}); re-run `phusong {stage}`",
        short(.expected_sha256)
    )]
    OutputChanged {
        /// The stage.
        stage: String,
        /// The output, relative to the run folder.
        file: String,
        /// Hash recorded in the manifest.
        expected_sha256: String,
        /// What is there now.
        found: Found,
    },

    /// An output listed in the manifest is gone.
    #[error("{stage}: {file} is missing (it was written by the stage); re-run `phusong {stage}`")]
    OutputMissing {
        /// The stage.
        stage: String,
        /// The output, relative to the run folder.
        file: String,
    },

    /// Neither the committed manifest nor the manifest of an interrupted commit matches the
    /// outputs: the folder holds a mix of two generations (or a later edit).
    #[error(
        "{stage}: outputs match no complete generation (the last run was interrupted while putting them in place, or {file} was changed since); re-run `phusong {stage}`"
    )]
    CommitInterrupted {
        /// The stage.
        stage: String,
        /// First output that does not match the committed manifest.
        file: String,
    },

    /// A verification failed while a live writer holds the lock: the stage is being re-run now.
    #[error("{stage}: {} is being written by {holder} right now; wait for it to finish", .run_dir.display())]
    BeingWritten {
        /// The stage.
        stage: String,
        /// The run folder.
        run_dir: PathBuf,
        /// Who holds the lock.
        holder: Box<LockInfo>,
    },

    /// A file the stage read has changed since.
    #[error(
        "{file} changed since {stage} ran ({found}, expected sha256 {}); re-run `phusong {stage}`",
        short(.expected_sha256)
    )]
    InputChanged {
        /// The stage that read it.
        stage: String,
        /// The input (relative to the run folder, or absolute if outside it).
        file: String,
        /// Hash recorded when the stage read it.
        expected_sha256: String,
        /// What is there now.
        found: Found,
    },

    /// A file the stage read is gone.
    #[error("{file} (read by {stage}) is missing; restore it and re-run `phusong {stage}`")]
    InputMissing {
        /// The stage that read it.
        stage: String,
        /// The input.
        file: String,
    },

    /// An upstream stage was re-run (its manifest changed) after this stage consumed it.
    #[error("{upstream} was re-run since {stage} ran; re-run `phusong {stage}`")]
    UpstreamChanged {
        /// The downstream stage.
        stage: String,
        /// The upstream stage.
        upstream: String,
    },

    /// The same input hashed differently when read twice during one stage.
    #[error("{stage}: {file} changed while the stage was reading it; re-run `phusong {stage}`")]
    InputChangedDuringStage {
        /// The stage.
        stage: String,
        /// The input.
        file: String,
    },

    /// An output was declared (path handed out) but no file was written there.
    #[error("{stage}: output {file} was declared but never written")]
    DeclaredOutputNotWritten {
        /// The stage.
        stage: String,
        /// The output.
        file: String,
    },

    /// Two stages may not write the same file.
    #[error("{stage}: output {file} is already an output of stage {other_stage}")]
    OutputOwnedByOtherStage {
        /// The stage committing.
        stage: String,
        /// The output.
        file: String,
        /// The stage whose manifest lists it.
        other_stage: String,
    },

    /// A stage may not overwrite a file it read (its manifest could never verify).
    #[error("{stage}: {file} is both read and written by the stage")]
    OutputIsInput {
        /// The stage.
        stage: String,
        /// The file.
        file: String,
    },

    /// A stage cannot consume its own previous outputs as an upstream.
    #[error("{stage}: a stage cannot be its own upstream")]
    SelfUpstream {
        /// The stage.
        stage: String,
    },

    /// The staging folder holds something other than regular files and folders.
    #[error("{stage}: staging entry {} is not a regular file or folder (symbolic links are refused)", .path.display())]
    UnexpectedStagingEntry {
        /// The stage.
        stage: String,
        /// The entry.
        path: PathBuf,
    },
}

impl RunError {
    /// `true` when the error means "this stage's results cannot be trusted; re-run it" (as
    /// opposed to an I/O failure or misuse of the API).
    pub fn needs_rerun(&self) -> bool {
        matches!(
            self,
            RunError::ManifestMissing { .. }
                | RunError::ManifestInvalid { .. }
                | RunError::ManifestInconsistent { .. }
                | RunError::OutputChanged { .. }
                | RunError::OutputMissing { .. }
                | RunError::CommitInterrupted { .. }
                | RunError::InputChanged { .. }
                | RunError::InputMissing { .. }
                | RunError::UpstreamChanged { .. }
        )
    }

    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        RunError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
