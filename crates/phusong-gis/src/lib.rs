//! phusong's studies on disk: GDAL/OGR readers and writers, the synthesiser of missing layers, the
//! run folder's stages, the GeoPackage and the QGIS project.
//!
//! A [`scenario`] file describes a study; [`study`] prepares and loads its inputs; [`pipeline`] runs
//! the stages (synth → coverage → gaps → plan → export), each reading the previous stage's files;
//! [`reports`] are the JSON files stages write; [`export`] builds the styled layers.

pub mod calibrate;
pub mod crs;
pub mod derive;
pub mod error;
pub mod export;
pub mod init;
pub mod io;
pub mod itm_batch;
pub mod link;
pub mod p1812_batch;
pub mod pipeline;
#[cfg(test)]
mod proptests;
pub mod rasterize;
pub mod report;
pub mod reports;
pub mod run_folder;
pub mod scenario;
pub mod single_site;
pub mod study;
pub mod synth;

pub use error::{Error, Result};
pub use phusong_engine as engine;
