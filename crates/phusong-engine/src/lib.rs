//! phusong's engine: everything a coverage study computes, with no GIS, CLI or progress-bar
//! dependency.
//!
//! Data flows one way: [`terrain`] and [`radio`] feed the [`coverage`] engine through a
//! [`propagation`] model; coverage is rolled up over [`demand`] units; [`gaps`] explains what is left
//! uncovered and [`plan`] chooses new towers. Progress is reported through [`progress::Progress`];
//! files are the `phusong-gis` crate's business.

pub mod benchmark;
pub mod calibration;
pub mod clutter;
pub mod coverage;
pub mod demand;
pub mod error;
pub mod gaps;
pub mod grid;
pub mod plan;
pub mod progress;
pub mod propagation;
pub mod radio;
pub mod terrain;

pub use error::{Error, ParamError, Result};
