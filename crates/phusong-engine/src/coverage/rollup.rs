//! Rolling coverage up to hamlets, communes and the whole study area, by area and by population.

use crate::demand::cells::{share, village_covered, VillageCells};
use crate::demand::Hamlet;
use crate::grid::Raster;
use serde::Serialize;

/// When a cell and a village count as covered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    /// A cell is covered at best-server RSRP ≥ this, dBm.
    pub rsrp_dbm: f64,
    /// A village is covered when at least this share of its cells is (0–1].
    pub village_share: f64,
}

/// Coverage of one village across its cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HamletCoverage {
    /// Median best-server RSRP over the village's cells, dBm (the lower median; a cell no site
    /// reaches counts as the lowest). `None`: the median cell has no signal, or no cell on the grid.
    pub rsrp_dbm: Option<f32>,
    /// Share of the village's cells (= of its people, spread evenly) at or above the threshold, 0–1.
    pub covered_share: f64,
    /// `covered_share` ≥ the village share threshold.
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
    /// Hamlets not covered (share below the village threshold), partially covered ones included.
    pub hamlets_uncovered: u64,
    /// Hamlets with some but not enough of their cells covered (0 < share < threshold).
    pub hamlets_partial: u64,
    pub population: u64,
    /// People in covered cells (over every village's cells, covered village or not).
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

/// One village's coverage and its people in covered cells.
fn village(rsrp_dbm: &Raster<f32>, cells: &[(usize, u32)], t: Threshold) -> (HamletCoverage, u64) {
    let covered = |v: f32| !v.is_nan() && v as f64 >= t.rsrp_dbm;
    let (mut k, mut people) = (0usize, 0u64);
    let mut values: Vec<f32> = Vec::with_capacity(cells.len());
    for &(c, p) in cells {
        let v = rsrp_dbm.data[c];
        if covered(v) {
            k += 1;
            people += p as u64;
        }
        values.push(if v.is_nan() { f32::NEG_INFINITY } else { v });
    }
    values.sort_by(f32::total_cmp);
    let median = values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .filter(|v| v.is_finite());
    let hc = HamletCoverage {
        rsrp_dbm: median,
        covered_share: share(k, cells.len()),
        covered: village_covered(k, cells.len(), t.village_share),
    };
    (hc, people)
}

/// Rolls the best-server RSRP up. `mask` marks land cells of the study area (1); `commune_of_cell`
/// gives each cell's commune index (−1 none); a cell is covered when RSRP ≥ `t.rsrp_dbm`, a village
/// (its `cells`) when the share of its cells covered reaches `t.village_share`. A village counts in
/// the commune of its label point.
pub fn rollup(
    rsrp_dbm: &Raster<f32>,
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    n_communes: usize,
    hamlets: &[Hamlet],
    cells: &VillageCells,
    t: Threshold,
) -> Rollup {
    let covered = |v: f32| !v.is_nan() && v as f64 >= t.rsrp_dbm;
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
    let mut hamlet_cov = Vec::with_capacity(hamlets.len());
    for (i, h) in hamlets.iter().enumerate() {
        let (hc, people) = village(rsrp_dbm, cells.cells.get(i).map_or(&[], |c| c), t);
        let units = std::iter::once(&mut total).chain(h.commune.and_then(|k| communes.get_mut(k)));
        for u in units {
            u.hamlets += 1;
            u.population += h.population as u64;
            u.population_covered += people;
            u.hamlets_covered += u64::from(hc.covered);
            u.hamlets_partial += u64::from(!hc.covered && hc.covered_share > 0.0);
        }
        hamlet_cov.push(hc);
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
