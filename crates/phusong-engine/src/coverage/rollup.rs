//! Rolling coverage up to hamlets, communes and the whole study area, by area and by population.

use crate::demand::Hamlet;
use crate::grid::Raster;
use serde::Serialize;

/// Coverage at one hamlet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HamletCoverage {
    /// Best RSRP at the hamlet's cell, dBm (None: no site reaches it, or outside the grid).
    pub rsrp_dbm: Option<f32>,
    pub covered: bool,
}

/// Coverage of one area unit (a commune, or the whole study).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AreaCoverage {
    pub land_cells: u64,
    pub land_cells_covered: u64,
    pub land_area_km2: f64,
    pub land_area_covered_pct: f64,
    pub hamlets: u64,
    pub hamlets_covered: u64,
    pub hamlets_covered_pct: f64,
    pub hamlets_uncovered: u64,
    pub population: u64,
    pub population_covered: u64,
    pub population_covered_pct: f64,
}

impl AreaCoverage {
    fn finish(&mut self, cell_km2: f64) {
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                100.0 * a as f64 / b as f64
            }
        };
        self.land_area_km2 = self.land_cells as f64 * cell_km2;
        self.land_area_covered_pct = pct(self.land_cells_covered, self.land_cells);
        self.hamlets_covered_pct = pct(self.hamlets_covered, self.hamlets);
        self.hamlets_uncovered = self.hamlets - self.hamlets_covered;
        self.population_covered_pct = pct(self.population_covered, self.population);
    }
}

/// Result of a roll-up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rollup {
    pub hamlets: Vec<HamletCoverage>,
    /// One entry per commune index (cells with commune −1 count only towards the total).
    pub communes: Vec<AreaCoverage>,
    pub total: AreaCoverage,
}

/// Rolls the best-server RSRP up. `mask` marks land cells of the study area (1); `commune_of_cell`
/// gives each cell's commune index (−1 none); a cell or hamlet is covered when RSRP ≥ `threshold_dbm`.
pub fn rollup(
    rsrp_dbm: &Raster<f32>,
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    n_communes: usize,
    hamlets: &[Hamlet],
    threshold_dbm: f64,
) -> Rollup {
    let covered = |v: f32| !v.is_nan() && v as f64 >= threshold_dbm;
    let mut communes = vec![AreaCoverage::default(); n_communes];
    let mut total = AreaCoverage::default();
    for (i, &m) in mask.data.iter().enumerate() {
        if m == 0 {
            continue;
        }
        let c = covered(rsrp_dbm.data[i]);
        total.land_cells += 1;
        total.land_cells_covered += c as u64;
        let k = commune_of_cell.data[i];
        if k >= 0 && (k as usize) < n_communes {
            communes[k as usize].land_cells += 1;
            communes[k as usize].land_cells_covered += c as u64;
        }
    }
    let hamlet_cov: Vec<HamletCoverage> = hamlets
        .iter()
        .map(|h| {
            let v = rsrp_dbm.at(h.x_m, h.y_m).filter(|v| !v.is_nan());
            HamletCoverage {
                rsrp_dbm: v,
                covered: v.is_some_and(covered),
            }
        })
        .collect();
    for (h, hc) in hamlets.iter().zip(&hamlet_cov) {
        let units = std::iter::once(&mut total).chain(h.commune.and_then(|k| communes.get_mut(k)));
        for u in units {
            u.hamlets += 1;
            u.population += h.population as u64;
            if hc.covered {
                u.hamlets_covered += 1;
                u.population_covered += h.population as u64;
            }
        }
    }
    let km2 = rsrp_dbm.spec.cell_area_km2();
    total.finish(km2);
    communes.iter_mut().for_each(|c| c.finish(km2));
    Rollup {
        hamlets: hamlet_cov,
        communes,
        total,
    }
}
