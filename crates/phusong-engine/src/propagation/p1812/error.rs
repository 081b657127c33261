//! Typed errors for the P.1812 model and its readers.

use std::path::PathBuf;

/// Why a prediction or a reader refused its input.
///
/// Messages name the parameter (or file, row and column) and what was expected, with units.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum P1812Error {
    /// A scalar parameter is NaN/infinite or outside the Recommendation's validity range.
    #[error("parameter {name} = {value} {unit} is invalid: expected {expected}")]
    Param {
        /// Parameter name as in [`crate::propagation::p1812::P1812Params`].
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// Unit of the value.
        unit: &'static str,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// The profile has too few points for the path analysis (Tx, ≥ 1 intermediate, Rx).
    #[error(
        "profile has {count} points: at least 3 are needed (transmitter, one intermediate point, receiver)"
    )]
    ProfileTooShort {
        /// Number of points given.
        count: usize,
    },
    /// One field of one profile point is invalid.
    #[error("profile point {index}: {field} = {value} {unit} is invalid: expected {expected}")]
    ProfilePoint {
        /// 0-based index of the point (0 = transmitter).
        index: usize,
        /// Field name as in [`crate::propagation::p1812::ProfilePoint`].
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Unit of the value.
        unit: &'static str,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// A file could not be opened or read.
    #[error("{path}: cannot read file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV cell could not be interpreted.
    #[error("{path}, row {row}, column {column}: {problem}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        row: usize,
        /// 1-based column number.
        column: usize,
        /// What is wrong with the cell.
        problem: CsvProblem,
    },
    /// A required row is absent from the file.
    #[error("{path}: no row `{name}` found ({context})")]
    MissingRow {
        /// The file.
        path: PathBuf,
        /// The row label looked for.
        name: &'static str,
        /// Where it was looked for.
        context: &'static str,
    },
}

/// What is wrong with one CSV cell.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CsvProblem {
    /// The cell is empty or the row has too few columns.
    #[error("missing value (expected {expected})")]
    Missing {
        /// What the cell should hold, with unit.
        expected: &'static str,
    },
    /// The cell is not a number.
    #[error("`{text}` is not a number (expected {expected})")]
    NotANumber {
        /// The cell text.
        text: String,
        /// What the cell should hold, with unit.
        expected: &'static str,
    },
    /// The cell is a number outside the accepted set or range.
    #[error("value {value} is invalid (expected {expected})")]
    OutOfRange {
        /// The parsed value.
        value: f64,
        /// What the cell should hold, with unit.
        expected: &'static str,
    },
    /// The file ended before the announced number of profile rows.
    #[error("file ends after {found} of {announced} profile rows")]
    Truncated {
        /// Rows announced by `Number of Points:`.
        announced: usize,
        /// Rows found.
        found: usize,
    },
}
