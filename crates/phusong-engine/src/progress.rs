//! Progress of long computations, reported through a callback so the engine needs no terminal code:
//! the CLI wires it to progress bars, or to plain log lines when stderr is not a terminal.

/// Receives progress of a long stage. Implementations must be cheap and thread-safe: `advance` is
/// called from worker threads.
pub trait Progress: Sync {
    /// A stage of `total` steps named `what` begins.
    fn start(&self, _what: &str, _total: u64) {}
    /// `n` more steps are done.
    fn advance(&self, _n: u64) {}
    /// The stage is over.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}
