//! Progress on the terminal: bars when stderr is a terminal, plain log lines (about every 10 s)
//! when it is not, nothing with `--quiet`. Wired to the engine through its `Progress` callback.

use indicatif::{ProgressBar, ProgressStyle};
use phusong_engine::progress::Progress;
use phusong_gis::pipeline::Reporter;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Seconds between two log lines when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

enum Mode {
    Quiet,
    Bars(Mutex<Option<ProgressBar>>),
    Lines(Mutex<LineState>),
}

struct LineState {
    what: String,
    total: u64,
    started: Instant,
    last: Instant,
}

impl LineState {
    /// The log line to print at `now` with `done` of `total` steps done: one every [`LOG_EVERY`]
    /// ("stage: done/total (elapsed s)"), `None` in between.
    fn line_due(&mut self, done: u64, now: Instant) -> Option<String> {
        if now.duration_since(self.last) < LOG_EVERY {
            return None;
        }
        self.last = now;
        Some(format!(
            "{}: {done}/{} ({:.0} s)",
            self.what,
            self.total,
            now.duration_since(self.started).as_secs_f64()
        ))
    }
}

/// The CLI's reporter.
pub struct Terminal {
    mode: Mode,
    done: AtomicU64,
}

impl Terminal {
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars(Mutex::new(None))
        } else {
            Mode::Lines(Mutex::new(LineState {
                what: String::new(),
                total: 0,
                started: Instant::now(),
                last: Instant::now(),
            }))
        };
        Terminal {
            mode,
            done: AtomicU64::new(0),
        }
    }
}

impl Progress for Terminal {
    fn start(&self, what: &str, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bars(bar) => {
                let pb = ProgressBar::new(total);
                if let Ok(style) =
                    ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta} left)")
                {
                    pb.set_style(style.progress_chars("=> "));
                }
                pb.set_message(what.to_string());
                if let Ok(mut b) = bar.lock() {
                    *b = Some(pb);
                }
            }
            Mode::Lines(state) => {
                if let Ok(mut s) = state.lock() {
                    let now = Instant::now();
                    *s = LineState {
                        what: what.into(),
                        total,
                        started: now,
                        last: now,
                    };
                }
            }
        }
    }

    fn advance(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bars(bar) => {
                if let Ok(b) = bar.lock() {
                    if let Some(pb) = b.as_ref() {
                        pb.set_position(done);
                    }
                }
            }
            Mode::Lines(state) => {
                if let Ok(mut s) = state.try_lock() {
                    if let Some(line) = s.line_due(done, Instant::now()) {
                        eprintln!("{line}");
                    }
                }
            }
        }
    }

    fn finish(&self) {
        if let Mode::Bars(bar) = &self.mode {
            if let Ok(mut b) = bar.lock() {
                if let Some(pb) = b.take() {
                    pb.finish_and_clear();
                }
            }
        }
    }
}

impl Reporter for Terminal {
    fn log(&self, msg: &str) {
        if !matches!(self.mode, Mode::Quiet) {
            eprintln!("{msg}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_come_every_ten_seconds_with_stage_count_and_elapsed() {
        let t0 = Instant::now();
        let mut s = LineState {
            what: "coverage".into(),
            total: 500,
            started: t0,
            last: t0,
        };
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        assert_eq!(s.line_due(10, at(3)), None);
        assert_eq!(s.line_due(40, at(9)), None);
        assert_eq!(
            s.line_due(50, at(10)).as_deref(),
            Some("coverage: 50/500 (10 s)")
        );
        // The next one waits another ten seconds from the last line, not from the start.
        assert_eq!(s.line_due(60, at(15)), None);
        assert_eq!(s.line_due(90, at(19)), None);
        assert_eq!(
            s.line_due(120, at(21)).as_deref(),
            Some("coverage: 120/500 (21 s)")
        );
        assert_eq!(s.line_due(130, at(30)), None);
    }
}
