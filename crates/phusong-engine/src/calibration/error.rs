//! Typed errors of the calibration core.

use crate::calibration::model::Term;

/// Everything that can go wrong in calibration. Messages name the offending
/// parameter, row or term and what was expected, with units.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrationError {
    /// A field of one measurement row is out of its valid range.
    #[error("measurement row {index}: {field} = {value} is invalid (expected {expected})")]
    InvalidMeasurement {
        /// Row index in the slice passed in.
        index: usize,
        /// Field name, with its unit suffix.
        field: &'static str,
        /// The offending value.
        value: f64,
        /// What was expected, with units.
        expected: &'static str,
    },
    /// A configuration parameter is out of its valid range.
    #[error("parameter {name} = {value} is invalid (expected {expected})")]
    InvalidParameter {
        /// Parameter name, with its unit suffix.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What was expected, with units.
        expected: &'static str,
    },
    /// Fewer usable rows than fitted coefficients.
    #[error(
        "not enough usable measurements: {n_rows} rows for {n_coefficients} fitted coefficients (need more rows than coefficients)"
    )]
    InsufficientData {
        /// Usable rows after excluding censored points (when excluded).
        n_rows: usize,
        /// Number of fitted coefficients.
        n_coefficients: usize,
    },
    /// The term set fits nothing (every coefficient fixed, no clutter terms).
    #[error("the term set fits no coefficient: mark at least one term as fitted")]
    NoFittedTerms,
    /// A fitted term is (numerically) a linear combination of the terms before it.
    #[error(
        "rank-deficient design: term `{term}` is a linear combination of the terms fitted before it \
         (its column keeps only {residual:.1e} of its norm after projection, threshold {threshold:.0e}; \
         IRLS iteration {iteration}); e.g. the data do not vary in this term's regressor: \
         fix this term or add data that vary in it"
    )]
    RankDeficient {
        /// The term whose column adds nothing new.
        term: Term,
        /// Relative norm left after projecting out the earlier columns (sine of the angle to their span).
        residual: f64,
        /// Threshold under which a column counts as dependent.
        threshold: f64,
        /// 0 for the unweighted design, >0 when robust weights zeroed the information.
        iteration: usize,
    },
    /// Per-clutter terms were requested but the data hold a single clutter class.
    #[error(
        "rank-deficient design: per-clutter offset terms need at least two clutter classes, but every \
         usable point is in class {class}; the clutter offset cannot be separated from the global offset \
         (use ClutterTerms::None)"
    )]
    SingleClutterClass {
        /// The only class present.
        class: u16,
    },
    /// The reference clutter class has no usable point.
    #[error(
        "clutter reference class {class} has no usable point, so the other per-clutter offsets are not \
         identifiable relative to it (pick a reference class present in the data)"
    )]
    ReferenceClassAbsent {
        /// The requested reference class.
        class: u16,
    },
    /// A fitted global offset together with absolute per-clutter offsets.
    #[error(
        "term set: a fitted global offset together with absolute per-clutter offsets is rank deficient \
         (the class indicators sum to the offset column); set offset to Coef::Fixed(0.0) or use \
         ClutterTerms::RelativeTo"
    )]
    OffsetWithAbsoluteClutter,
    /// A model was asked to predict a clutter class it has no offset for.
    #[error(
        "measurement row {index}: clutter class {class} has no offset in the model (known classes: those fitted or listed)"
    )]
    UnknownClutterClass {
        /// Row index.
        index: usize,
        /// The unknown class.
        class: u16,
    },
    /// The triangular solve failed (a zero pivot despite the rank check).
    #[error(
        "least-squares solve failed at IRLS iteration {iteration}: zero pivot in R (numerically singular design)"
    )]
    SolveFailed {
        /// IRLS iteration.
        iteration: usize,
    },
    /// Leave-one-site-out needs at least two sites.
    #[error("leave-one-site-out cross-validation needs at least 2 sites, found {n_sites}")]
    TooFewSites {
        /// Distinct site ids among usable points.
        n_sites: usize,
    },
    /// A cross-validation fold could not be fitted.
    #[error("cross-validation fold holding out site {site_id} failed: {source}")]
    CvFold {
        /// The held-out site.
        site_id: u32,
        /// Why the fit on the remaining sites failed.
        source: Box<CalibrationError>,
    },
    /// No uncensored point to compute statistics on.
    #[error(
        "no uncensored measurement to compute error statistics on (got {n_rows} rows, all censored or none)"
    )]
    NoUsablePoints {
        /// Rows given.
        n_rows: usize,
    },
    /// Route positions must be non-decreasing along the route.
    #[error(
        "route position {index}: {value} m is before the previous position {previous} m (expected non-decreasing distance along the route, m)"
    )]
    RouteNotMonotonic {
        /// Index of the offending position.
        index: usize,
        /// Its value, m.
        value: f64,
        /// The previous value, m.
        previous: f64,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, CalibrationError>;

/// Checks that `value` is finite and satisfies `ok`, else an `InvalidParameter`.
pub(crate) fn check_param(
    name: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<()> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(CalibrationError::InvalidParameter {
            name,
            value,
            expected,
        })
    }
}
