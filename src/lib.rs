//! phusong — mobile-network coverage planning: terrain, propagation, coverage, gaps and tower plans.
//!
//! The pipeline flows one way: [`terrain`] and [`radio`] feed the [`coverage`] engine, whose rasters
//! are rolled up over [`demand`] units; [`plan`] chooses new sites; [`io`] reads and writes files;
//! [`scenario`] ties a study together from one `scenario.toml`.

pub mod crs;
pub mod demand;
pub mod error;
pub mod grid;
pub mod io;
pub mod radio;
pub mod synth;
pub mod terrain;

pub use error::{Error, Result};
