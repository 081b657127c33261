//! phusong — mobile-network coverage planning: terrain, propagation, coverage, gaps and tower plans.
//!
//! The pipeline flows one way: [`terrain`] and [`radio`] feed the [`coverage`] engine, whose rasters
//! are rolled up over [`demand`] units; [`gaps`] explains what is uncovered; [`plan`] chooses new
//! sites; [`io`] reads and writes files; [`study`] and [`pipeline`] tie a study together from one
//! [`scenario`] file.

pub mod benchmark;
pub mod coverage;
pub mod crs;
pub mod demand;
pub mod error;
pub mod export;
pub mod gaps;
pub mod grid;
pub mod io;
pub mod link;
pub mod pipeline;
pub mod plan;
pub mod propagation;
pub mod radio;
pub mod scenario;
pub mod study;
pub mod synth;
pub mod terrain;

pub use error::{Error, Result};
