//! One writer per run folder: `<run>/.lock`.
//!
//! * Acquire: the lock content (pid, host, start time, a unique nonce) is written to a temp
//!   file which is then hard-linked to `.lock`. `link(2)` fails if the name exists, like
//!   `O_CREAT|O_EXCL`, and is atomic on local file systems and NFS (the classic NFS lock
//!   recipe), with the advantage that `.lock` never exists half-written. Where hard links
//!   are not supported (FAT, some FUSE), it falls back to `create_new` + write.
//! * Release: on drop (or [`RunLock::release`]), `.lock` is removed if it still holds our
//!   nonce, so a lock taken over by someone else is never removed by us.
//! * Stale lock: a lock whose host is this host and whose pid is not running (or is a
//!   zombie) is stale and is taken over: it is renamed aside, checked to still be the
//!   stale instance, deleted, and the lock is then acquired as usual (see `remove_stale`).
//!   A kill at any step leaves no lock or a temp that [`crate::run_folder::clean_stale_temps`] removes;
//!   concurrent takers can at worst make a fresh holder lose its lock, which that holder
//!   detects before committing. A lock from another host is never judged stale (its pid
//!   means nothing here), nor one whose pid was reused by a live process:
//!   both need `rm <run>/.lock` by someone who knows no writer is running.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::run_folder::atomic::{next_counter, temp_path_for};
use crate::run_folder::error::RunError;
use crate::run_folder::manifest::sha256_bytes;
use crate::run_folder::sys::{format_utc, hostname, pid_liveness, sync_dir, Liveness};

/// Name of the lock file inside a run folder.
pub const LOCK_FILE: &str = ".lock";

/// Base name of the temp a stale lock is renamed to before deletion
/// (`..lock.stale.tmp-<pid>-<n>`, removed by [`crate::run_folder::clean_stale_temps`] if left).
const STALE_LOCK_NAME: &str = ".lock.stale";

/// Who holds a run folder's lock (the content of `.lock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Process id of the writer.
    pub pid: u32,
    /// Host it runs on.
    pub host: String,
    /// When it took the lock, seconds since the Unix epoch (UTC).
    pub started_unix_s: u64,
    /// Unique id of this lock instance (digits, a-f and '-').
    pub nonce: String,
}

impl fmt::Display for LockInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pid {} on host {} since {}",
            self.pid,
            self.host,
            format_utc(self.started_unix_s)
        )
    }
}

impl LockInfo {
    fn for_this_process() -> LockInfo {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        let pid = std::process::id();
        let host = hostname().to_string();
        let host_tag = sha256_bytes(host.as_bytes());
        let nonce = format!(
            "{pid}-{}-{}-{}",
            now.as_nanos(),
            next_counter(),
            host_tag.get(..8).unwrap_or("0")
        );
        LockInfo {
            pid,
            host,
            started_unix_s: now.as_secs(),
            nonce,
        }
    }

    /// Stale: recorded on this host by a process that is no longer running.
    fn is_stale(&self) -> bool {
        self.host == hostname() && pid_liveness(self.pid) == Liveness::Dead
    }
}

/// What to do when another writer holds the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    /// Fail at once with [`RunError::Locked`].
    Fail,
    /// Poll until the lock is free, at most this long, then fail with
    /// [`RunError::LockTimeout`].
    Wait(Duration),
}

/// What stands in the way of taking the lock.
#[derive(Debug)]
pub(crate) enum Blocker {
    Held(LockInfo),
    Unreadable,
}

/// Content of `.lock`, if any.
#[derive(Debug)]
pub(crate) enum Holder {
    Nobody,
    Held(LockInfo),
    Unreadable,
}

pub(crate) fn read_holder(run_dir: &Path) -> Result<Holder, RunError> {
    let path = run_dir.join(LOCK_FILE);
    match fs::read(&path) {
        Ok(bytes) => Ok(match serde_json::from_slice::<LockInfo>(&bytes) {
            Ok(info) => Holder::Held(info),
            Err(_) => Holder::Unreadable,
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Holder::Nobody),
        Err(e) => Err(RunError::io("read lock", path, e)),
    }
}

/// The current holder of a run folder's lock, if any (for messages and status displays).
pub fn lock_holder(run_dir: &Path) -> Result<Option<LockInfo>, RunError> {
    match read_holder(run_dir)? {
        Holder::Held(info) => Ok(Some(info)),
        Holder::Nobody => Ok(None),
        Holder::Unreadable => Err(RunError::LockUnreadable {
            run_dir: run_dir.to_path_buf(),
        }),
    }
}

/// Creates `lock` with `content` only if it does not exist. `Ok(false)` if it exists.
fn place_exclusive(lock: &Path, content: &[u8]) -> Result<bool, RunError> {
    let tmp = temp_path_for(lock)?;
    let staged = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(content)?;
        f.sync_all()
    })();
    if let Err(e) = staged {
        let _ = fs::remove_file(&tmp);
        return Err(RunError::io("write lock temp", tmp, e));
    }
    let linked = fs::hard_link(&tmp, lock);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(_) => {
            // No hard links here: plain exclusive create. A reader may briefly see an
            // empty file and report it unreadable; it is never judged stale.
            match OpenOptions::new().write(true).create_new(true).open(lock) {
                Ok(mut f) => {
                    f.write_all(content)
                        .and_then(|()| f.sync_all())
                        .map_err(|e| RunError::io("write lock", lock, e))?;
                    Ok(true)
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(RunError::io("create lock", lock, e)),
            }
        }
    }
}

/// Removes the stale lock instance `stale` if `.lock` still is that instance.
///
/// `.lock` is first renamed aside to a unique temp name (atomic: of several concurrent
/// takers, exactly one moves any given file). If what was moved is the stale instance,
/// it is deleted and the caller competes for `.lock` again with an exclusive create. If
/// it is a newer lock (another taker already replaced the stale one), it is linked back;
/// should a third writer have created `.lock` in between, the owner of the moved lock
/// finds it lost at its next [`RunLock::check_held`] (done before every commit) and stops.
fn remove_stale(run_dir: &Path, stale: &LockInfo) -> Result<(), RunError> {
    let lock = run_dir.join(LOCK_FILE);
    let aside = temp_path_for(&run_dir.join(STALE_LOCK_NAME))?;
    match fs::rename(&lock, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(RunError::io("move stale lock aside to", aside, e)),
    }
    let moved_nonce = fs::read(&aside)
        .ok()
        .and_then(|b| serde_json::from_slice::<LockInfo>(&b).ok())
        .map(|h| h.nonce);
    if moved_nonce.as_deref() != Some(stale.nonce.as_str()) {
        // Not the stale instance: put it back unless someone has created a lock since.
        let _ = fs::hard_link(&aside, &lock);
    }
    fs::remove_file(&aside).map_err(|e| RunError::io("remove stale lock", &aside, e))?;
    sync_dir(run_dir).map_err(|e| RunError::io("fsync folder", run_dir, e))
}

/// One attempt; `Ok(None)` when the lock is ours.
fn try_acquire(
    run_dir: &Path,
    ours: &LockInfo,
    content: &[u8],
) -> Result<Option<Blocker>, RunError> {
    let lock = run_dir.join(LOCK_FILE);
    // A few rounds cover "released / taken over between our attempt and our look".
    for _ in 0..8 {
        if place_exclusive(&lock, content)? {
            sync_dir(run_dir).map_err(|e| RunError::io("fsync folder", run_dir, e))?;
            return Ok(None);
        }
        match read_holder(run_dir)? {
            Holder::Nobody => continue,
            Holder::Unreadable => return Ok(Some(Blocker::Unreadable)),
            Holder::Held(h) if h.nonce == ours.nonce => return Ok(None),
            Holder::Held(h) if h.is_stale() => remove_stale(run_dir, &h)?,
            Holder::Held(h) => return Ok(Some(Blocker::Held(h))),
        }
    }
    match read_holder(run_dir)? {
        Holder::Held(h) => Ok(Some(Blocker::Held(h))),
        _ => Ok(Some(Blocker::Unreadable)),
    }
}

/// Exclusive right to write a run folder, held until dropped.
#[derive(Debug)]
pub struct RunLock {
    run_dir: PathBuf,
    info: LockInfo,
    held: bool,
}

impl RunLock {
    /// Takes `<run_dir>/.lock` (creating `run_dir` if needed). A stale lock (same host,
    /// dead pid) is taken over; a live one fails or is waited for according to `mode`.
    pub fn acquire(run_dir: &Path, mode: LockMode) -> Result<RunLock, RunError> {
        fs::create_dir_all(run_dir).map_err(|e| RunError::io("create run folder", run_dir, e))?;
        let run_dir = fs::canonicalize(run_dir)
            .map_err(|e| RunError::io("resolve run folder", run_dir, e))?;
        let info = LockInfo::for_this_process();
        let content = serde_json::to_vec_pretty(&info).map_err(|e| {
            RunError::io(
                "serialise lock for",
                run_dir.join(LOCK_FILE),
                io::Error::other(e),
            )
        })?;
        let start = Instant::now();
        loop {
            let blocker = match try_acquire(&run_dir, &info, &content)? {
                None => {
                    return Ok(RunLock {
                        run_dir,
                        info,
                        held: true,
                    });
                }
                Some(b) => b,
            };
            let holder = match blocker {
                Blocker::Held(h) => h,
                Blocker::Unreadable => return Err(RunError::LockUnreadable { run_dir }),
            };
            match mode {
                LockMode::Fail => {
                    return Err(RunError::Locked {
                        run_dir,
                        holder: Box::new(holder),
                    });
                }
                LockMode::Wait(limit) => {
                    let waited = start.elapsed();
                    if waited >= limit {
                        return Err(RunError::LockTimeout {
                            run_dir,
                            holder: Box::new(holder),
                            waited_ms: waited.as_millis(),
                        });
                    }
                    std::thread::sleep((limit - waited).min(Duration::from_millis(20)));
                }
            }
        }
    }

    /// The run folder (canonical path).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// What this lock recorded in `.lock`.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// Checks that `.lock` still holds our nonce (nobody removed or took it).
    pub fn check_held(&self) -> Result<(), RunError> {
        match read_holder(&self.run_dir)? {
            Holder::Held(h) if h.nonce == self.info.nonce => Ok(()),
            _ => Err(RunError::LockLost {
                run_dir: self.run_dir.clone(),
            }),
        }
    }

    /// Releases the lock, reporting I/O errors (drop ignores them).
    pub fn release(mut self) -> Result<(), RunError> {
        self.held = false;
        self.release_inner()
    }

    fn release_inner(&self) -> Result<(), RunError> {
        let mine =
            matches!(read_holder(&self.run_dir)?, Holder::Held(h) if h.nonce == self.info.nonce);
        if mine {
            let lock = self.run_dir.join(LOCK_FILE);
            fs::remove_file(&lock).map_err(|e| RunError::io("remove lock", lock, e))?;
            sync_dir(&self.run_dir).map_err(|e| RunError::io("fsync folder", &self.run_dir, e))?;
        }
        Ok(())
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        if self.held {
            let _ = self.release_inner();
        }
    }
}
