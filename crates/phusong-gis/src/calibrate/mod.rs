//! The calibration loop from the command line: `phusong drive-test` synthesises a drive test along
//! the study's roads from a truth model, and `phusong calibrate` fits the study's model to measured
//! RSRP with the engine's calibration core ([`phusong_engine::calibration`]) and writes
//! `calibration.json`, a `[coverage.model]` snippet and two plots.
//!
//! Both predict a point the way gap analysis does: the sector's RS EIRP plus its antenna gain
//! toward the point minus the model's loss along the direct terrain profile from the study DEM
//! ([`phusong_engine::coverage::point_links`]), at the median of locations (50 %): a calibration
//! fits the median loss, and the scenario's reliability margin stays on top of it.

pub mod cells;
pub mod drive_test;
pub mod fit;
pub mod measurements;
pub mod plot;

use crate::crs::Projector;
use crate::error::Result;
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::io::sites_csv;
use crate::study::{files as inputs, StudyInfo};
use phusong_engine::coverage::CoverageParams;
use phusong_engine::radio::Site;
use phusong_engine::terrain::Terrain;
use std::path::{Path, PathBuf};

/// What both commands read from a run folder.
pub struct Inputs {
    pub info: StudyInfo,
    pub proj: Projector,
    pub terrain: Terrain,
    pub sites: Vec<Site>,
    /// `inputs/sites.csv`, for the cell table and messages.
    pub sites_path: PathBuf,
}

impl Inputs {
    /// Reads the grid, the DEM, the land cover and the sites of `run_dir` (written by `phusong synth`).
    pub fn load(run_dir: &Path) -> Result<Inputs> {
        let info = StudyInfo::load(run_dir)?;
        let dir = run_dir.join(inputs::DIR);
        let proj = Projector::new(info.grid.epsg)?;
        let (terrain, _) = Terrain::new(read_raster_to_grid(
            &dir.join(inputs::DEM),
            &info.grid,
            Resample::Bilinear,
        )?);
        // The land cover, so predictions are the coverage stage's (P.2108, class offsets, P.1812).
        let terrain = crate::study::load_clutter(terrain, &dir, &info.grid)?;
        let sites_path = dir.join(inputs::SITES);
        let sites = sites_csv::read_sites_csv(&sites_path, &proj)?;
        Ok(Inputs {
            info,
            proj,
            terrain,
            sites,
            sites_path,
        })
    }
}

/// The scenario's coverage settings at the median of locations (no shadowing margin).
pub fn median(p: &CoverageParams) -> CoverageParams {
    let mut m = p.clone();
    m.model.location_reliability_pct = 50.0;
    m
}

/// Best sector of a site at a point: (sector, RSRP dBm without shadowing) among `allowed`
/// sectors whose loss the model gives; `None` when it refuses every one.
pub fn best_sector(
    site: &Site,
    links: &phusong_engine::coverage::PointLinks,
    allowed: impl Fn(usize) -> bool,
) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, s) in site.sectors.iter().enumerate() {
        let l = links.loss_db[i];
        if !allowed(i) || l.is_nan() {
            continue;
        }
        let v = s.rs_eirp_dbm() + links.gain_db[i] - l;
        if best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best
}
