//! A plan from the existing network's coverage: demand items, what each candidate covers, the
//! greedy choice, the cost curve and coverage after the plan.

use crate::coverage::rollup::Rollup;
use crate::coverage::{compute_windows, site_window, CoverageParams, SiteWindow};
use crate::demand::Hamlet;
use crate::grid::{GridSpec, Raster};
use crate::plan::candidates::{self, Candidate, PlannedTower};
use crate::plan::{greedy, PlanParams};
use crate::progress::Progress;
use crate::radio::Site;
use crate::terrain::Terrain;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the plan starts from.
pub struct PlanInputs<'a> {
    pub terrain: &'a Terrain,
    /// Land cells of the study area (1).
    pub mask: &'a Raster<u8>,
    pub hamlets: &'a [Hamlet],
    pub sites: &'a [Site],
    /// Best-server RSRP of the existing network, dBm.
    pub rsrp_dbm: &'a Raster<f32>,
    /// `rsrp_dbm` rolled up (hamlets, communes, total).
    pub before: &'a Rollup,
}

/// Demand not met today: uncovered hamlets (weight = population), then uncovered land cells (area
/// weight), as items of a weighted maximum-coverage problem.
pub struct Demand {
    /// Indices of uncovered hamlets; item k < `hamlets.len()` is hamlet `hamlets[k]`.
    pub hamlets: Vec<usize>,
    /// Grid indices of uncovered land cells; item `hamlets.len() + j` is cell `cells[j]`.
    pub cells: Vec<usize>,
    pub weight: Vec<f64>,
    /// Item of each grid cell (u32::MAX: none).
    item_of_cell: Vec<u32>,
}

impl Demand {
    /// Items of the demand left by `inputs`, with `area_weight_per_km2` persons per km² of land.
    pub fn new(inputs: &PlanInputs, threshold_dbm: f64, area_weight_per_km2: f64) -> Demand {
        let grid = inputs.terrain.grid();
        let covered = |v: f32| !v.is_nan() && v as f64 >= threshold_dbm;
        let hamlets: Vec<usize> = (0..inputs.hamlets.len())
            .filter(|&i| !inputs.before.hamlets[i].covered)
            .collect();
        let cells: Vec<usize> = (0..grid.len())
            .filter(|&i| inputs.mask.data[i] == 1 && !covered(inputs.rsrp_dbm.data[i]))
            .collect();
        let cell_w = grid.cell_area_km2() * area_weight_per_km2;
        let mut weight: Vec<f64> = hamlets
            .iter()
            .map(|&i| inputs.hamlets[i].population as f64)
            .collect();
        weight.extend(std::iter::repeat_n(cell_w, cells.len()));
        let mut item_of_cell = vec![u32::MAX; grid.len()];
        for (j, &c) in cells.iter().enumerate() {
            item_of_cell[c] = (hamlets.len() + j) as u32;
        }
        Demand {
            hamlets,
            cells,
            weight,
            item_of_cell,
        }
    }

    /// Positions (study CRS) of every item: hamlets, then cell centres.
    pub fn points(&self, grid: &GridSpec, all_hamlets: &[Hamlet]) -> Vec<[f64; 2]> {
        let mut pts: Vec<[f64; 2]> = self
            .hamlets
            .iter()
            .map(|&i| [all_hamlets[i].x_m, all_hamlets[i].y_m])
            .collect();
        pts.extend(self.cells.iter().map(|&c| {
            let (x, y) = grid.center(c % grid.nx, c / grid.nx);
            [x, y]
        }));
        pts
    }

    /// Items a tower's coverage window reaches at or above the threshold.
    fn covered_by(
        &self,
        w: &SiteWindow,
        grid: &GridSpec,
        hamlets: &[Hamlet],
        thr: f64,
    ) -> Vec<u32> {
        let covered = |v: f32| !v.is_nan() && v as f64 >= thr;
        let mut items = Vec::new();
        for (k, &h) in self.hamlets.iter().enumerate() {
            let hm = &hamlets[h];
            if let Some((ix, iy)) = grid.cell_of(hm.x_m, hm.y_m) {
                if w.rsrp_at(ix, iy).is_some_and(covered) {
                    items.push(k as u32);
                }
            }
        }
        for j in 0..w.ny {
            for i in 0..w.nx {
                let item = self.item_of_cell[grid.index(w.ix0 + i, w.iy0 + j)];
                if item != u32::MAX && covered(w.rsrp_dbm[j * w.nx + i]) {
                    items.push(item);
                }
            }
        }
        items
    }
}

/// Candidate places for towers near the unmet demand (see [`candidates::generate`]).
pub fn candidates_for(inputs: &PlanInputs, demand: &Demand, p: &PlanParams) -> Vec<Candidate> {
    let points = demand.points(inputs.terrain.grid(), inputs.hamlets);
    candidates::generate(
        inputs.terrain,
        inputs.mask,
        inputs.hamlets,
        &demand.hamlets,
        &points,
        p.grid_spacing_m * 2.0,
        p,
    )
}

/// One point of the plan's cost curve.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CurvePoint {
    pub towers: usize,
    pub hamlets_covered_pct: f64,
    pub population_covered_pct: f64,
    pub land_area_covered_pct: f64,
}

/// The plan: chosen towers in order, the curve, and the existing RSRP combined with them.
pub struct Plan {
    pub candidates: usize,
    pub proposed: Vec<PlannedTower>,
    /// The proposed towers as sites (ids after the existing ones).
    pub sites: Vec<Site>,
    pub curve: Vec<CurvePoint>,
    /// Towers needed for each of `targets_pct` of hamlets (`None`: not reached by this plan).
    pub towers_for_target: BTreeMap<String, Option<usize>>,
    /// Objective (population + area weight) the plan covers, and an upper bound on what any plan of
    /// the same size could cover from the same candidates.
    pub objective_covered: f64,
    pub objective_upper_bound: f64,
    pub rsrp_after_dbm: Raster<f32>,
}

/// Forms the plan. `candidate_lon_lat` gives each candidate's WGS84 position (the caller projects).
pub fn plan(
    inputs: &PlanInputs,
    demand: &Demand,
    cands: &[Candidate],
    candidate_lon_lat: &[(f64, f64)],
    cov: &CoverageParams,
    p: &PlanParams,
    progress: &dyn Progress,
) -> Plan {
    let first_id = inputs.sites.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    let towers: Vec<Site> = cands
        .iter()
        .zip(candidate_lon_lat)
        .enumerate()
        .map(|(i, (c, &(lon, lat)))| candidates::tower(c, first_id + i as u32, p, lon, lat))
        .collect();
    let cover = cover_sets(inputs, demand, &towers, cov, progress);
    let init = vec![false; demand.weight.len()];
    let sel = greedy::lazy_greedy(&cover, &demand.weight, &init, p.budget);
    let bound = greedy::upper_bound(&cover, &demand.weight, &init, &sel, p.budget);
    let (curve, proposed) = walk_picks(inputs, demand, cands, &towers, &cover, &sel);
    let towers_for_target = p
        .targets_pct
        .iter()
        .map(|&target| {
            let k = curve
                .iter()
                .find(|c| c.hamlets_covered_pct + 1e-9 >= target)
                .map(|c| c.towers);
            (format!("{target}"), k)
        })
        .collect();
    let sites: Vec<Site> = sel.chosen.iter().map(|&c| towers[c].clone()).collect();
    let rsrp_after_dbm = combine_best(inputs.rsrp_dbm, inputs.terrain, &sites, cov);
    Plan {
        candidates: cands.len(),
        proposed,
        sites,
        curve,
        towers_for_target,
        objective_covered: sel.covered_weight.last().copied().unwrap_or(0.0),
        objective_upper_bound: bound,
        rsrp_after_dbm,
    }
}

/// What each candidate tower would cover, in parallel (deterministic: collected in order).
fn cover_sets(
    inputs: &PlanInputs,
    demand: &Demand,
    towers: &[Site],
    cov: &CoverageParams,
    progress: &dyn Progress,
) -> Vec<Vec<u32>> {
    let grid = inputs.terrain.grid();
    let thr = cov.effective_threshold_dbm();
    progress.start("candidates", towers.len() as u64);
    let cover = towers
        .par_iter()
        .enumerate()
        .map(|(i, tw)| {
            let items = site_window(i, tw, inputs.terrain, cov)
                .map(|w| demand.covered_by(&w, grid, inputs.hamlets, thr))
                .unwrap_or_default();
            progress.advance(1);
            items
        })
        .collect();
    progress.finish();
    cover
}

/// Walks the picks in order: newly covered hamlets, people and land, for the curve and the report.
fn walk_picks(
    inputs: &PlanInputs,
    demand: &Demand,
    cands: &[Candidate],
    towers: &[Site],
    cover: &[Vec<u32>],
    sel: &greedy::Selection,
) -> (Vec<CurvePoint>, Vec<PlannedTower>) {
    let before = &inputs.before.total;
    let n_h = inputs.hamlets.len() as f64;
    let pop_total = before.population.max(1) as f64;
    let land_total = before.land_cells.max(1) as f64;
    let mut done = vec![false; demand.weight.len()];
    let (mut hc, mut pc, mut lc) = (
        before.hamlets_covered,
        before.population_covered,
        before.land_cells_covered,
    );
    let point = |towers: usize, hc: u64, pc: u64, lc: u64| CurvePoint {
        towers,
        hamlets_covered_pct: 100.0 * hc as f64 / n_h.max(1.0),
        population_covered_pct: 100.0 * pc as f64 / pop_total,
        land_area_covered_pct: 100.0 * lc as f64 / land_total,
    };
    let mut curve = vec![point(0, hc, pc, lc)];
    let mut proposed = Vec::new();
    for (rank, (&c, &gain)) in sel.chosen.iter().zip(&sel.gains).enumerate() {
        let (mut nh, mut np) = (0u64, 0u64);
        for &it in &cover[c] {
            let it = it as usize;
            if done[it] {
                continue;
            }
            done[it] = true;
            if it < demand.hamlets.len() {
                nh += 1;
                np += inputs.hamlets[demand.hamlets[it]].population as u64;
            } else {
                lc += 1;
            }
        }
        hc += nh;
        pc += np;
        curve.push(point(rank + 1, hc, pc, lc));
        let tw = &towers[c];
        proposed.push(PlannedTower {
            rank: rank + 1,
            site_id: tw.id,
            x_m: tw.x_m,
            y_m: tw.y_m,
            lon: tw.lon,
            lat: tw.lat,
            ground_m: cands[c].ground_m,
            kind: cands[c].kind.as_str().into(),
            grid_powered: cands[c].grid_powered,
            gain_weight: gain,
            new_hamlets: nh,
            new_population: np,
        });
    }
    (curve, proposed)
}

/// `rsrp_dbm` with `sites` added: the best of both at every cell.
pub fn combine_best(
    rsrp_dbm: &Raster<f32>,
    terrain: &Terrain,
    sites: &[Site],
    cov: &CoverageParams,
) -> Raster<f32> {
    let grid = terrain.grid();
    let mut after = rsrp_dbm.clone();
    for w in &compute_windows(terrain, sites, cov, &crate::progress::NoProgress) {
        for j in 0..w.ny {
            for i in 0..w.nx {
                let v = w.rsrp_dbm[j * w.nx + i];
                let c = &mut after.data[grid.index(w.ix0 + i, w.iy0 + j)];
                if !v.is_nan() && (c.is_nan() || v > *c) {
                    *c = v;
                }
            }
        }
    }
    after
}
