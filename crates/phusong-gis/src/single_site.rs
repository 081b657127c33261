//! `phusong site`: one site's path loss and RSRP over its own window, from a study's run folder,
//! reading only the part of the DEM the site reaches.
//!
//! The window is the one the coverage stage computes for the site (its range under the study's
//! model, clipped to the study grid); the DEM is read over it plus a two-cell margin (bilinear
//! heights near the window's edge need the cells beyond), so the result is the coverage stage's
//! for that site, bit for bit. With `exact`, every cell within the range is evaluated once on its
//! own profile from the site ([`phusong_engine::coverage::site_losses_exact`]) instead of by the
//! radial engine.

use crate::crs::Projector;
use crate::error::{Error, Result};
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::io::{atomic, raster_out, sites_csv};
use crate::reports;
use crate::scenario::Scenario;
use crate::study::{files as inputs, StudyInfo};
use phusong_engine::coverage::{
    site_losses, site_losses_exact, site_range_m, site_rsrp, SiteLosses,
};
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::propagation::models::Warnings;
use phusong_engine::terrain::Terrain;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File names `phusong site` writes into its output folder.
pub mod files {
    /// Path loss at the site's lowest sector frequency, dB.
    pub const PATH_LOSS: &str = "path_loss_db.tif";
    /// Best-sector RSRP, dBm.
    pub const RSRP: &str = "rsrp_dbm.tif";
    /// What was computed: the site, the window, the frequencies, the model's warnings.
    pub const REPORT: &str = "site.json";
    /// Path loss at one frequency when the sectors use several: `path_loss_<F>mhz_db.tif`.
    pub fn path_loss_at(freq_mhz: f64) -> String {
        format!("path_loss_{freq_mhz}mhz_db.tif")
    }
}

/// Cells of margin read around the window (bilinear heights use the next cell centre).
const DEM_MARGIN_CELLS: i64 = 2;

/// `site.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    pub site_id: u32,
    pub site_name: String,
    /// `radial` (the coverage engine) or `exact` (one evaluation per cell on its own profile).
    pub evaluation: String,
    pub model: String,
    /// Distance out to which the site is computed, m.
    pub radius_m: f64,
    /// The window on the study grid: first column and row, columns, rows.
    pub window: [usize; 4],
    /// Distinct sector frequencies, ascending, MHz; `path_loss_db.tif` is at the first.
    pub freqs_mhz: Vec<f64>,
    /// Cells with an RSRP value.
    pub cells: usize,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    pub model_warnings: Warnings,
}

/// Computes site `site_id` of the study in `run_dir` and writes its rasters and report to `out`.
pub fn run_site(
    s: &Scenario,
    run_dir: &Path,
    site_id: u32,
    exact: bool,
    out: &Path,
) -> Result<SiteReport> {
    let info = StudyInfo::load(run_dir)?;
    let dir = run_dir.join(inputs::DIR);
    let proj = Projector::new(info.grid.epsg)?;
    let sites_path = dir.join(inputs::SITES);
    let sites = sites_csv::read_sites_csv(&sites_path, &proj)?;
    let (index, site) = sites
        .iter()
        .enumerate()
        .find(|(_, st)| st.id == site_id)
        .ok_or_else(|| {
            Error::input(
                &sites_path,
                format!(
                    "no site with site_id {site_id} (the file has {} sites)",
                    sites.len()
                ),
            )
        })?;
    let p = &s.coverage;
    let radius_m = site_range_m(site, p);
    let missing = || {
        Error::Other(format!(
            "site {site_id}: its range ({radius_m:.0} m) misses the study grid"
        ))
    };
    let dem_grid = window_grid(&info.grid, site.x_m, site.y_m, radius_m).ok_or_else(missing)?;
    let (terrain, _) = Terrain::new(read_raster_to_grid(
        &dir.join(inputs::DEM),
        &dem_grid,
        Resample::Bilinear,
    )?);
    // The land cover of the same window, as the coverage stage uses it.
    let terrain = crate::study::load_clutter(terrain, &dir, &dem_grid)?;
    let losses = if exact {
        site_losses_exact(index, site, &terrain, p)
    } else {
        site_losses(index, site, &terrain, p)
    }
    .ok_or_else(missing)?;
    let rsrp = site_rsrp(site, &terrain, p, &losses);
    let grid = sub_grid(&dem_grid, &losses);
    let mut written = Vec::new();
    let mut write = |name: String, data: &[f32], band: &str| -> Result<()> {
        let r = Raster {
            spec: grid.clone(),
            data: data.to_vec(),
            nodata: Some(f32::NAN),
        };
        raster_out::write_cog(&out.join(&name), &r, band)?;
        written.push(name);
        Ok(())
    };
    std::fs::create_dir_all(out).map_err(|e| Error::Io {
        context: format!("creating {}", out.display()),
        source: e,
    })?;
    write(files::PATH_LOSS.into(), &losses.loss_db[0], "path_loss_db")?;
    if losses.freqs_mhz.len() > 1 {
        for (f, l) in losses.freqs_mhz.iter().zip(&losses.loss_db) {
            write(files::path_loss_at(*f), l, "path_loss_db")?;
        }
    }
    write(files::RSRP.into(), &rsrp.rsrp_dbm, "rsrp_dbm")?;
    written.push(files::REPORT.into());
    let (wx, wy) = window_origin(&info.grid, &grid);
    let report = SiteReport {
        site_id,
        site_name: site.name.clone(),
        evaluation: if exact { "exact" } else { "radial" }.into(),
        model: p.model.kind().into(),
        radius_m,
        window: [wx, wy, grid.nx, grid.ny],
        freqs_mhz: losses.freqs_mhz.clone(),
        cells: rsrp.rsrp_dbm.iter().filter(|v| !v.is_nan()).count(),
        files: written,
        model_warnings: losses.warnings.clone().finish(),
    };
    let json = reports::to_json(&report, files::REPORT)?;
    atomic::write_string_atomic(&out.join(files::REPORT), &json)?;
    Ok(report)
}

/// The cells of `grid` within `radius_m` of (x, y) (as the engine's window), plus
/// [`DEM_MARGIN_CELLS`] on every side, clipped to the grid; `None` when that misses it.
pub fn window_grid(grid: &GridSpec, x_m: f64, y_m: f64, radius_m: f64) -> Option<GridSpec> {
    let (fx0, fy0) = grid.frac(x_m - radius_m, y_m + radius_m);
    let (fx1, fy1) = grid.frac(x_m + radius_m, y_m - radius_m);
    let m = DEM_MARGIN_CELLS;
    let ix0 = (fx0.floor() as i64 - m).max(0);
    let iy0 = (fy0.floor() as i64 - m).max(0);
    let ix1 = (fx1.floor() as i64 + m).min(grid.nx as i64 - 1);
    let iy1 = (fy1.floor() as i64 + m).min(grid.ny as i64 - 1);
    if ix1 < ix0 || iy1 < iy0 {
        return None;
    }
    Some(GridSpec {
        epsg: grid.epsg,
        x0_m: grid.x0_m + ix0 as f64 * grid.cell_m,
        y0_m: grid.y0_m - iy0 as f64 * grid.cell_m,
        cell_m: grid.cell_m,
        nx: (ix1 - ix0 + 1) as usize,
        ny: (iy1 - iy0 + 1) as usize,
    })
}

/// The grid of the site's window inside the DEM window it was computed on.
fn sub_grid(dem: &GridSpec, l: &SiteLosses) -> GridSpec {
    GridSpec {
        epsg: dem.epsg,
        x0_m: dem.x0_m + l.ix0 as f64 * dem.cell_m,
        y0_m: dem.y0_m - l.iy0 as f64 * dem.cell_m,
        cell_m: dem.cell_m,
        nx: l.nx,
        ny: l.ny,
    }
}

/// Column and row of `sub`'s first cell on `grid` (both on one lattice).
fn window_origin(grid: &GridSpec, sub: &GridSpec) -> (usize, usize) {
    (
        ((sub.x0_m - grid.x0_m) / grid.cell_m).round() as usize,
        ((grid.y0_m - sub.y0_m) / grid.cell_m).round() as usize,
    )
}

/// The default output folder of `phusong site`: `<run_dir>/site_<id>[_exact]`.
pub fn default_out(run_dir: &Path, site_id: u32, exact: bool) -> PathBuf {
    run_dir.join(format!(
        "site_{site_id}{}",
        if exact { "_exact" } else { "" }
    ))
}
