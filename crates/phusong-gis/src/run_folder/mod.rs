//! The run folder: its file names ([`files`]) and its consistency. Consistency of a phusong run folder (e.g. `out/nghe-an/`) across stages
//! (synth → coverage → gaps → plan → export) and across crashes.
//!
//! # Guarantee
//! **A stage's outputs count only when its manifest matches them.** Each stage commits a
//! manifest `<run>/.manifests/<stage>.json` listing the SHA-256 and size of every file it
//! read and wrote and the hashes of the upstream manifests it consumed. Readers call
//! [`verify`] (outputs intact), [`check_inputs_unchanged`] (inputs and upstream unchanged)
//! or [`verify_fresh`] (both, transitively). After `kill -9` at any point of a writer, a
//! reader sees the previous generation (every file matching the previous manifest), the
//! new one (every file matching the new manifest), or an error telling which stage to
//! re-run — never a silent mix.
//!
//! # Generations, and why this design
//! Final outputs must stay at `<run>/<name>` (QGIS projects refer to them by relative
//! path), so a generation cannot be switched by one rename of a folder or symlink; files
//! are replaced one rename at a time, and a crash can stop between two renames. Two
//! designs were weighed:
//! * keep the previous generation intact until commit and write new files under temp names
//!   next to them, renaming each at commit;
//! * write new files into a staging folder `.staging-<stage>-<pid>-<n>/` and rename each
//!   into place at commit.
//!
//! Both have the same unavoidable window (between the first and last rename) where the
//! folder holds a mix; what makes it safe is that the window is *detected*, not avoided.
//! The staging folder was chosen: it keeps the relative layout (a staged QGIS project's
//! relative paths stay right), takes GDAL's sidecar files along, and a killed run leaves a
//! single folder that [`clean_stale_temps`] removes by its pid. Before the first rename,
//! the new manifest is written as `<stage>.pending.json`; after the last, it is renamed
//! onto `<stage>.json`. So after a crash:
//!
//! | crash point | files on disk | reader gets |
//! |---|---|---|
//! | before the pending manifest is written | all previous | previous generation |
//! | during the renames | mix | "re-run `phusong <stage>`" |
//! | after the renames (obsolete files of the previous generation removed next) | all new | new generation (pending manifest matches) |
//! | after the pending manifest is renamed onto `<stage>.json` | all new | new generation |
//!
//! The next writer of the stage ([`StageTx::begin`]) promotes a complete pending
//! manifest, drops one whose commit never moved a file, and removes files that an
//! interrupted commit added and no manifest will list. The exhaustive crash-point unit
//! test and a SIGKILL test with real child processes check the table.
//!
//! A reader accepts a manifest only if *every* output matches it; since each rename is
//! atomic, every file is wholly its old or new version, so acceptance means one whole
//! generation. Outputs of the new generation that the old one did not have may sit unused
//! next to an accepted old generation; readers must open only files listed in the
//! manifest they verified.
//!
//! # Concurrency
//! One writer per run folder: [`RunLock`] (`<run>/.lock`, see [`lock`] for staleness and
//! take-over). Readers take no lock; if they catch a writer mid-commit they get
//! [`RunError::BeingWritten`].
//!
//! # Cost
//! Verification hashes every output: SHA-256 runs at about 1.3 GB/s here (SHA-NI,
//! release build; 100 MB in 75 ms), so no (size, mtime) cache is kept: such a cache would
//! miss same-size rewrites within one timestamp tick, and is not worth that risk at this
//! speed. A size mismatch is reported without hashing.

mod atomic;
mod clean;
mod confine;
mod error;
pub mod files;
pub mod lock;
mod manifest;
mod stage;
mod sys;
#[cfg(test)]
mod test_util;
mod verify;

pub use atomic::{atomic_write, atomic_write_with};
pub use clean::{clean_stale_temps, CleanReport};
pub use confine::{confine, MAX_RUN_NAME_BYTES};
pub use error::{Found, RunError};
pub use lock::{lock_holder, LockInfo, LockMode, RunLock};
pub use manifest::{
    manifest_path, FileRecord, Manifest, UpstreamRecord, MANIFEST_DIR, MANIFEST_FORMAT,
};
pub use stage::StageTx;
pub use verify::{check_inputs_unchanged, verify, verify_fresh};

#[cfg(test)]
mod tests;
