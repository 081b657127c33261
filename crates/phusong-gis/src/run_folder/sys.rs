//! Small operating-system helpers: process liveness, host name, directory fsync, UTC
//! formatting. Std only (no libc): liveness is read from `/proc`.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

/// Whether a process id is running on this host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Liveness {
    Alive,
    Dead,
    /// No `/proc` (not Linux) or it could not be read: callers must act as if alive
    /// (never delete a temp or take over a lock on a guess).
    Unknown,
}

/// Liveness of `pid` on this host, from `/proc/<pid>/stat`. A zombie (state `Z`, killed
/// but not yet reaped by its parent) counts as dead: it will never write again.
pub(crate) fn pid_liveness(pid: u32) -> Liveness {
    if pid == 0 {
        return Liveness::Dead;
    }
    if !Path::new("/proc/self/stat").exists() {
        return Liveness::Unknown;
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // Format (proc(5)): "pid (comm) state ...", comm may contain ')' so take the last.
            let state = stat
                .rfind(')')
                .and_then(|i| stat.get(i + 1..))
                .and_then(|rest| rest.trim_start().chars().next());
            match state {
                Some('Z') | Some('X') | Some('x') => Liveness::Dead,
                Some(_) => Liveness::Alive,
                None => Liveness::Unknown,
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Liveness::Dead,
        Err(_) => Liveness::Unknown,
    }
}

/// This host's name (kernel host name, else `/etc/hostname`, else `$HOSTNAME`).
pub(crate) fn hostname() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let from_file = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        from_file("/proc/sys/kernel/hostname")
            .or_else(|| from_file("/etc/hostname"))
            .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "unknown-host".to_string())
    })
}

/// Makes a rename or creation inside `dir` durable (POSIX: the directory entry lives in
/// the directory, so the directory itself must be fsynced). No-op where directories
/// cannot be opened as files (Windows).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// `parent` of a path, with "" mapped to "." so relative file names work.
pub(crate) fn parent_or_dot(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC).
///
/// Date from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
/// section `civil_from_days` (proleptic Gregorian, 400-year eras of 146097 days).
pub(crate) fn format_utc(unix_s: u64) -> String {
    let days = unix_s / 86_400;
    let secs = unix_s % 86_400;
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_matches_gnu_date() {
        // Reference values from `date -u -d @N` (GNU coreutils).
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(format_utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn own_pid_alive_reaped_child_dead() {
        assert_eq!(pid_liveness(std::process::id()), Liveness::Alive);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert_eq!(pid_liveness(pid), Liveness::Dead);
    }

    #[test]
    fn killed_unreaped_child_is_dead() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        assert_eq!(pid_liveness(pid), Liveness::Alive);
        child.kill().unwrap();
        // Not reaped yet: zombie. Give the kernel a moment to deliver SIGKILL.
        let mut dead = false;
        for _ in 0..100 {
            if pid_liveness(pid) == Liveness::Dead {
                dead = true;
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.wait().unwrap();
        assert!(dead, "zombie must count as dead");
    }
}
