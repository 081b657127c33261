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
                    if s.last.elapsed() >= LOG_EVERY {
                        s.last = Instant::now();
                        eprintln!(
                            "{}: {done}/{} ({:.0} s)",
                            s.what,
                            s.total,
                            s.started.elapsed().as_secs_f64()
                        );
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
