//! Numerical core of path-loss model calibration from drive tests.
//!
//! Planners fit an empirical (Standard-Propagation-Model style) path-loss model to measured
//! RSRP: see [`model`] for the model form, [`hygiene`] for the preparation of the measurements,
//! [`fit`](mod@fit) for the robust least-squares solve, [`cv`] for leave-one-site-out validation,
//! [`stats`] for before/after error tables and [`synth`] for synthetic drive tests with
//! spatially correlated shadowing.
//!
//! Typical flow: `apply_hygiene` → `fit` → `leave_one_site_out` → `before_after`.

pub mod cv;
pub mod error;
pub mod fit;
pub mod hygiene;
pub mod model;
pub mod special;
pub mod stats;
pub mod synth;

pub use cv::{leave_one_site_out, CvReport, SiteCv};
pub use error::{CalibrationError, Result};
pub use fit::{fit, CensoringPolicy, FitConfig, FitResult, FittedCoefficient, RobustLoss};
pub use hygiene::{
    apply_hygiene, average_bins, AveragingConfig, Bin, HygieneConfig, HygieneReport,
};
pub use model::{ClutterOffset, ClutterTerms, Coef, Measurement, Model, Term, TermSet};
pub use stats::{
    before_after, error_report, BandStats, BeforeAfter, ClassStats, ErrorReport, ErrorStats,
};
pub use synth::{
    gudmundson_shadowing_db, route_positions_m, synthesize_rsrp, GaussianSource, ShadowingConfig,
    SplitMix64,
};
