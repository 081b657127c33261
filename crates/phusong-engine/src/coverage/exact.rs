//! The reference the radial engine is held to: one site's path loss with the model evaluated
//! once per cell, point to point, on the full profile from the site to the cell centre.
//!
//! The radial engine ([`super::site::site_losses`]) walks radials to the window's border and gives
//! each cell the loss of a radial sample falling in it (for ITM, the fast radial evaluator's
//! prediction there); cells no sample reaches are filled from their neighbours. Here every cell
//! within the site's radius gets [`ModelConfig::profile_loss_db`](crate::propagation::models::ModelConfig::profile_loss_db)
//! over its own direct profile, sampled at the DEM's resolution (n = ⌈d / cell⌉ equal steps, ground
//! heights by bilinear interpolation): slower, and free of every approximation the engine makes.

use super::site::{
    add_receiver_clutter, direct_profile, distinct_freqs, link, window_of, SiteLosses, Window,
};
use super::CoverageParams;
use crate::propagation::models::Warnings;
use crate::radio::Site;
use crate::terrain::Terrain;
use rayon::prelude::*;

/// One site's path loss over the same window as [`super::site::site_losses`], every cell within
/// the radius evaluated exactly on its own profile (the cell holding the site gets the model's
/// loss at the site's own cell, as in the engine). Rows run in parallel; the result does not
/// depend on the thread count. `None` when the site's range misses the grid.
pub fn site_losses_exact(
    index: usize,
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
) -> Option<SiteLosses> {
    let w = window_of(site, terrain, p)?;
    let freqs = distinct_freqs(site);
    let mut warnings = Warnings::default();
    let loss_db = freqs
        .iter()
        .map(|&f| {
            let (l, warn) = exact_window(site, terrain, p, f, &w);
            warnings.merge(&warn);
            l
        })
        .collect();
    Some(SiteLosses {
        site: index,
        ix0: w.ix0,
        iy0: w.iy0,
        nx: w.nx,
        ny: w.ny,
        radius_m: w.radius_m,
        freqs_mhz: freqs,
        loss_db,
        warnings,
    })
}

/// The exact loss at `freq_mhz` over the window, and the model's warnings.
fn exact_window(
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
    freq_mhz: f64,
    w: &Window,
) -> (Vec<f32>, Warnings) {
    let g = terrain.grid();
    let link = link(site, p, freq_mhz);
    let origin_db = p.model.loss_table(&link, g.cell_m, 1).origin_db() as f32;
    let site_cell = g.cell_of(site.x_m, site.y_m);
    let rows: Vec<(Vec<f32>, Warnings)> = (0..w.ny)
        .into_par_iter()
        .map(|j| {
            let mut row = vec![f32::NAN; w.nx];
            let mut warn = Warnings::default();
            for (i, v) in row.iter_mut().enumerate() {
                let (ix, iy) = (w.ix0 + i, w.iy0 + j);
                if site_cell == Some((ix, iy)) {
                    *v = origin_db;
                    continue;
                }
                let (x, y) = g.center(ix, iy);
                let d = (x - site.x_m).hypot(y - site.y_m);
                if d > w.radius_m {
                    continue;
                }
                let profile = direct_profile(site, terrain, (x, y), d.max(1.0), g.cell_m);
                match p.model.profile_loss_db(&link, &profile) {
                    Ok((l, wn)) => {
                        *v = l as f32;
                        warn.merge(&wn);
                    }
                    Err(wn) => warn.merge(&wn),
                }
            }
            (row, warn)
        })
        .collect();
    let mut loss = Vec::with_capacity(w.nx * w.ny);
    let mut warnings = Warnings::default();
    for (row, warn) in rows {
        loss.extend(row);
        warnings.merge(&warn);
    }
    add_receiver_clutter(&mut loss, w, terrain, p, site, &link);
    (loss, warnings)
}
