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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GridSpec;
    use geo::{Contains, MultiPolygon, Point, Polygon};

    fn village(id: u32, ring: Vec<(f64, f64)>, population: u32, commune: usize) -> Hamlet {
        let area = MultiPolygon(vec![Polygon::new(ring.into(), vec![])]);
        Hamlet {
            id,
            name: format!("V{id}"),
            commune: Some(commune),
            x_m: 0.0,
            y_m: 0.0,
            lon: 0.0,
            lat: 0.0,
            population,
            grid_power: true,
            area,
        }
    }

    /// Share and people covered against a brute-force count over every cell centre of a small grid.
    #[test]
    fn village_share_equals_brute_force_cell_count() {
        let g = GridSpec {
            epsg: 32648,
            x0_m: 0.0,
            y0_m: 2_000.0,
            cell_m: 100.0,
            nx: 20,
            ny: 20,
        };
        // RSRP pattern: a diagonal gradient with holes (NaN) so shares fall strictly between 0 and 1.
        let mut rsrp = Raster::filled(g.clone(), f32::NAN, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let v = -130.0 + 3.0 * ix as f32 + 1.3 * iy as f32;
                rsrp.set(
                    ix,
                    iy,
                    if (ix * 7 + iy * 3) % 11 == 0 {
                        f32::NAN
                    } else {
                        v
                    },
                );
            }
        }
        let mask = Raster::filled(g.clone(), 1u8, None);
        let communes = Raster::filled(g.clone(), 0i32, None);
        let villages = vec![
            village(
                1,
                vec![(130.0, 170.0), (1_650.0, 420.0), (900.0, 1_880.0)],
                1_000,
                0,
            ),
            village(
                2,
                vec![(60.0, 60.0), (720.0, 60.0), (720.0, 690.0), (60.0, 690.0)],
                37,
                1,
            ),
            village(
                3,
                vec![(1_210.0, 1_510.0), (1_240.0, 1_510.0), (1_230.0, 1_540.0)],
                5,
                1,
            ),
        ];
        let t = Threshold {
            rsrp_dbm: -110.0,
            village_share: 0.5,
        };
        let vc = VillageCells::new(&mask, &villages);
        let r = rollup(&rsrp, &mask, &communes, 2, &villages, &vc, t);
        let mut people_covered = 0;
        for (v, hc) in villages.iter().zip(&r.hamlets) {
            let (mut n, mut k) = (0usize, 0usize);
            for iy in 0..g.ny {
                for ix in 0..g.nx {
                    let (x, y) = g.center(ix, iy);
                    if v.area.contains(&Point::new(x, y)) {
                        n += 1;
                        let val = rsrp.get(ix, iy);
                        k += usize::from(!val.is_nan() && val as f64 >= -110.0);
                    }
                }
            }
            if n == 0 {
                // Smaller than a cell: its centroid's cell (1,225, 1,520 → cell 12, 4).
                n = 1;
                let val = rsrp.get(12, 4);
                k = usize::from(!val.is_nan() && val as f64 >= -110.0);
            }
            assert_eq!(hc.covered_share, k as f64 / n as f64, "village {}", v.id);
            assert_eq!(hc.covered, k as f64 / n as f64 >= 0.5);
            people_covered += vc.cells[v.id as usize - 1]
                .iter()
                .filter(|&&(c, _)| rsrp.data[c] as f64 >= -110.0)
                .map(|&(_, p)| p as u64)
                .sum::<u64>();
        }
        assert!(r
            .hamlets
            .iter()
            .any(|h| h.covered_share > 0.0 && h.covered_share < 1.0));
        assert_eq!(r.total.population, 1_042);
        assert_eq!(r.total.population_covered, people_covered);
        assert_eq!(
            r.communes[0].population_covered + r.communes[1].population_covered,
            people_covered
        );
        let partial = r
            .hamlets
            .iter()
            .filter(|h| !h.covered && h.covered_share > 0.0)
            .count();
        assert_eq!(r.total.hamlets_partial, partial as u64);
        assert_eq!(
            r.total.hamlets_covered + r.total.hamlets_uncovered,
            r.total.hamlets
        );
    }
}
