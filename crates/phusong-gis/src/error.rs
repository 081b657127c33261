//! Errors of reading, writing and running studies: every variant names what failed and where.

use std::path::PathBuf;

/// Errors returned by phusong. Messages name the file, the row or feature, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input file could not be read or parsed.
    #[error("{path}: {msg}")]
    Input { path: PathBuf, msg: String },
    /// A specific row/feature of an input is malformed.
    #[error("{path}: {what} {index}: {msg}")]
    Record {
        path: PathBuf,
        /// "row", "feature", "line", …
        what: &'static str,
        index: usize,
        msg: String,
    },
    /// A configuration value is invalid.
    #[error("config: {0}")]
    Config(String),
    /// GDAL/OGR failure with context.
    #[error("{context}: {source}")]
    Gdal {
        context: String,
        #[source]
        source: gdal::errors::GdalError,
    },
    /// Filesystem failure with context.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A parameter out of range (study file or command line).
    #[error(transparent)]
    Param(#[from] phusong_engine::ParamError),
    /// The engine refused its inputs.
    #[error(transparent)]
    Engine(#[from] phusong_engine::Error),
    /// ITU-R P.1812 refused its inputs or could not read them (messages name file, row, column).
    #[error(transparent)]
    P1812(#[from] phusong_engine::propagation::p1812::P1812Error),
    /// The run folder is locked, inconsistent or stale (names the stage to re-run).
    #[error(transparent)]
    Run(#[from] crate::run_folder::RunError),
    /// Anything else, with a message.
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Attach context to GDAL and IO errors.
pub trait Context<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, gdal::errors::GdalError> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Gdal {
            context: context(),
            source,
        })
    }
}

impl<T> Context<T> for std::result::Result<T, std::io::Error> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: context(),
            source,
        })
    }
}

impl Error {
    pub fn input(path: impl Into<PathBuf>, msg: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            msg: msg.into(),
        }
    }
    pub fn record(
        path: impl Into<PathBuf>,
        what: &'static str,
        index: usize,
        msg: impl Into<String>,
    ) -> Self {
        Error::Record {
            path: path.into(),
            what,
            index,
            msg: msg.into(),
        }
    }
}
