//! A plan from the existing network's coverage: demand items, candidate places (in every uncovered
//! hamlet, on high ground, on a grid) at every configured height, what each would cover, the exact
//! (or best-within-limits) plan for the budget, the fewest towers for every coverage target, the
//! hamlets no in-village tower reaches, and the coverage after the plan.

use crate::coverage::rollup::Rollup;
use crate::coverage::rollup::Threshold;
use crate::coverage::{compute_windows, CoverageParams, SiteWindow};
use crate::demand::{village_covered, Commune, Hamlet, VillageCells};
use crate::grid::{GridSpec, Raster};
use crate::plan::candidates::{self, Candidates, PlannedTower};
use crate::plan::cover::CoverSets;
use crate::plan::exclusions::{self, ExclusionCounts, Exclusions};
use crate::plan::solve::{self, BudgetResult, TargetResult};
use crate::plan::{CostSummary, Costs, PlanParams};
use crate::radio::Site;
use crate::terrain::Terrain;
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
    /// Commune index per cell (−1: none) and the communes, to name each tower's commune.
    pub commune_of_cell: &'a Raster<i32>,
    pub communes: &'a [Commune],
    /// 1 = inside a protected area, where no tower may stand (on the study grid).
    pub protected: Option<&'a Raster<u8>>,
    /// Every village's cells (the same the roll-up `before` used).
    pub village_cells: &'a VillageCells,
}

/// Demand not met today: villages not covered (weight = population, at least 1 so that an empty
/// village still counts), then cells not covered that are land or where people live (area weight
/// for land), as items of a weighted maximum-coverage problem. A candidate covers a village item
/// when the existing network and that one tower together bring the village's share of covered cells
/// to the village threshold (conservative: two towers sharing a village are not credited with it).
pub struct Demand {
    /// Indices of villages not covered; item k < `hamlets.len()` is hamlet `hamlets[k]`.
    pub hamlets: Vec<usize>,
    /// Grid indices of uncovered land or populated cells; item `hamlets.len() + j` is `cells[j]`.
    pub cells: Vec<usize>,
    /// Budget-objective weight of every item: people, or `area_weight_per_km2` × cell area (land).
    pub weight: Vec<f64>,
    /// People living in each item's cell (0 for village items).
    pub people: Vec<f64>,
    /// Whether each item is a land cell of the study area (false for village items).
    pub land: Vec<bool>,
    /// Item of each grid cell (u32::MAX: none).
    item_of_cell: Vec<u32>,
    /// Per village item: its cells not covered today (grid indices, ascending) and their bounding
    /// box (ix0, iy0, ix1, iy1), its cells covered today, and its cell count.
    open: Vec<(Vec<usize>, [usize; 4], usize, usize)>,
    village_share: f64,
}

impl Demand {
    /// Items of the demand left by `inputs`, with `area_weight_per_km2` persons per km² of land.
    pub fn new(inputs: &PlanInputs, t: Threshold, area_weight_per_km2: f64) -> Demand {
        let grid = inputs.terrain.grid();
        let covered = |v: f32| !v.is_nan() && v as f64 >= t.rsrp_dbm;
        let hamlets: Vec<usize> = (0..inputs.hamlets.len())
            .filter(|&i| !inputs.before.hamlets[i].covered)
            .collect();
        let people = inputs.village_cells.people_per_cell(grid.len());
        let cells: Vec<usize> = (0..grid.len())
            .filter(|&i| {
                (inputs.mask.data[i] == 1 || people[i] > 0) && !covered(inputs.rsrp_dbm.data[i])
            })
            .collect();
        let cell_w = grid.cell_area_km2() * area_weight_per_km2;
        let n_h = hamlets.len();
        let mut weight: Vec<f64> = hamlets
            .iter()
            .map(|&i| inputs.hamlets[i].population.max(1) as f64)
            .collect();
        let mut land = vec![false; n_h];
        let mut item_people = vec![0.0; n_h];
        for &c in &cells {
            let is_land = inputs.mask.data[c] == 1;
            weight.push(if is_land { cell_w } else { 0.0 });
            land.push(is_land);
            item_people.push(people[c] as f64);
        }
        let mut item_of_cell = vec![u32::MAX; grid.len()];
        for (j, &c) in cells.iter().enumerate() {
            item_of_cell[c] = (n_h + j) as u32;
        }
        let open = hamlets
            .iter()
            .map(|&i| {
                let vc = inputs.village_cells.cells.get(i).map_or(&[][..], |v| v);
                let open: Vec<usize> = vc
                    .iter()
                    .map(|&(c, _)| c)
                    .filter(|&c| !covered(inputs.rsrp_dbm.data[c]))
                    .collect();
                let mut bb = [usize::MAX, usize::MAX, 0, 0];
                for &c in &open {
                    let (ix, iy) = (c % grid.nx, c / grid.nx);
                    bb = [bb[0].min(ix), bb[1].min(iy), bb[2].max(ix), bb[3].max(iy)];
                }
                (open.clone(), bb, vc.len() - open.len(), vc.len())
            })
            .collect();
        Demand {
            hamlets,
            cells,
            weight,
            people: item_people,
            land,
            item_of_cell,
            open,
            village_share: t.village_share,
        }
    }

    /// Positions (study CRS) of every item: villages' label points, then cell centres.
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

    /// Items a tower's coverage window brings to the threshold (villages: with the existing
    /// network, to the village share), ascending.
    pub(crate) fn covered_by(&self, w: &SiteWindow, grid: &GridSpec, thr: f64) -> Vec<u32> {
        let covered = |v: f32| !v.is_nan() && v as f64 >= thr;
        let mut items = Vec::new();
        let (wx1, wy1) = (w.ix0 + w.nx, w.iy0 + w.ny);
        for (k, (open, bb, have, n)) in self.open.iter().enumerate() {
            if open.is_empty() || bb[2] < w.ix0 || bb[0] >= wx1 || bb[3] < w.iy0 || bb[1] >= wy1 {
                continue;
            }
            let new = open
                .iter()
                .filter(|&&c| w.rsrp_at(c % grid.nx, c / grid.nx).is_some_and(covered))
                .count();
            if village_covered(have + new, *n, self.village_share) {
                items.push(k as u32);
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

    /// Per village item: its cells, where in-village candidates may stand.
    fn village_cells(&self, inputs: &PlanInputs) -> Vec<(usize, Vec<usize>)> {
        self.hamlets
            .iter()
            .map(|&i| {
                let cells = inputs.village_cells.cells.get(i).map_or(&[][..], |v| v);
                (i, cells.iter().map(|c| c.0).collect())
            })
            .collect()
    }
}

/// Where candidates may stand, and the candidate places there (see [`candidates::generate`]).
pub fn candidates_for(
    inputs: &PlanInputs,
    demand: &Demand,
    p: &PlanParams,
) -> (Exclusions, Candidates) {
    let excl = exclusions::exclusions(
        inputs.terrain,
        inputs.mask,
        inputs.sites,
        inputs.protected,
        p,
    );
    let points = demand.points(inputs.terrain.grid(), inputs.hamlets);
    let cands = candidates::generate(
        inputs.terrain,
        &excl.allowed,
        inputs.hamlets,
        &demand.village_cells(inputs),
        &points,
        p.grid_spacing_m * 2.0,
        p,
    );
    (excl, cands)
}

/// One point of the plan's cost curve: coverage after the first `towers` proposed towers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CurvePoint {
    pub towers: usize,
    pub hamlets_covered_pct: f64,
    pub population_covered_pct: f64,
    pub land_area_covered_pct: f64,
}

/// An uncovered hamlet no candidate tower covers, and why.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnreachableHamlet {
    pub hamlet_id: u32,
    pub name: String,
    /// Best RSRP any in-village candidate (its label point's cell or its highest cell, every
    /// height) gives at the village's label point, dBm; `None` without one.
    pub best_rsrp_dbm_in_village: Option<f64>,
    pub reason: String,
}

/// How many candidates were considered and kept.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CandidateCounts {
    /// Candidate places, by how they were found.
    pub places: usize,
    pub places_by_kind: BTreeMap<String, usize>,
    /// Heights each place was tried at, metres.
    pub heights_m: Vec<f64>,
    /// Place × height variants whose coverage was computed.
    pub variants: usize,
    /// Variants that bring no demand item to the threshold (dropped).
    pub variants_covering_nothing: usize,
    /// Variants the optimiser chooses from.
    pub variants_kept: usize,
}

/// The plan: chosen towers in rank order, the curve, the optimisation results, and the existing
/// RSRP combined with the new towers.
pub struct Plan {
    pub candidates: CandidateCounts,
    pub exclusions: ExclusionCounts,
    pub proposed: Vec<PlannedTower>,
    /// The proposed towers as sites (ids after the existing ones), in rank order.
    pub sites: Vec<Site>,
    pub curve: Vec<CurvePoint>,
    /// Capital and operating costs of the proposed towers, cumulative in rank order.
    pub cost: CostSummary,
    /// The plan for the budget (maximum budget-objective coverage, then fewest towers).
    pub budget: BudgetResult,
    /// Fewest towers for each target: measure (`hamlets`, `population`, `land_area`) → target % →
    /// result.
    pub targets: BTreeMap<String, BTreeMap<String, TargetResult>>,
    /// The most each measure can reach with every candidate built, %.
    pub reachable_pct: BTreeMap<String, f64>,
    pub unreachable: Vec<UnreachableHamlet>,
    pub rsrp_after_dbm: Raster<f32>,
}

impl Plan {
    /// `targets` reduced to the tower counts (`None`: not reachable from these candidates).
    pub fn towers_for_target(&self) -> BTreeMap<String, BTreeMap<String, Option<usize>>> {
        self.targets
            .iter()
            .map(|(m, t)| {
                (
                    m.clone(),
                    t.iter().map(|(k, r)| (k.clone(), r.towers)).collect(),
                )
            })
            .collect()
    }
}

/// What every candidate covers; `lon_lat` gives each candidate place's WGS84 position (the caller
/// projects).
pub use super::cover::cover_sets;

/// Forms the plan from what every candidate covers.
pub fn plan(
    inputs: &PlanInputs,
    demand: &Demand,
    excl: &Exclusions,
    cands: &Candidates,
    sets: &CoverSets,
    cov: &CoverageParams,
    p: &PlanParams,
) -> crate::Result<Plan> {
    let kept: Vec<usize> = (0..sets.variants.len())
        .filter(|&v| !sets.cover[v].is_empty())
        .collect();
    let counts = candidate_counts(cands, sets, &kept, p);
    let unreachable = unreachable_hamlets(inputs, demand, cands, sets, &kept, cov, p);
    let problem = solve::Problem::new(demand, sets, &kept, |v| {
        let var = &sets.variants[v];
        let place = &cands.places[var.place];
        p.costs
            .tower_cost(var.height_m, place.grid_distance_m)
            .total
    });
    let limits = solve::limits(p);
    let (budget, chosen) = solve::budget_plan(&problem, p, &limits)?;
    let chosen = solve::lower_heights(&problem, chosen);
    let order = solve::rank(&problem, &chosen);
    let (curve, proposed) = walk_picks(inputs, demand, cands, sets, &order, &p.costs);
    let cost = CostSummary::new(
        &p.costs.currency,
        &proposed.iter().map(|t| &t.cost).collect::<Vec<_>>(),
    );
    let targets = solve::targets(&problem, inputs, p, &limits)?;
    let reachable_pct = solve::reachable_pct(&problem, inputs);
    let sites: Vec<Site> = proposed
        .iter()
        .zip(&order)
        .map(|(t, &v)| Site {
            id: t.site_id,
            name: format!("NEW-{:05}", t.site_id),
            ..sets.variants[v].site.clone()
        })
        .collect();
    let rsrp_after_dbm = combine_best(inputs.rsrp_dbm, inputs.terrain, &sites, cov);
    Ok(Plan {
        candidates: counts,
        exclusions: excl.counts.clone(),
        proposed,
        sites,
        curve,
        cost,
        budget,
        targets,
        reachable_pct,
        unreachable,
        rsrp_after_dbm,
    })
}

fn candidate_counts(
    cands: &Candidates,
    sets: &CoverSets,
    kept: &[usize],
    p: &PlanParams,
) -> CandidateCounts {
    let mut places_by_kind = BTreeMap::new();
    for c in &cands.places {
        *places_by_kind
            .entry(c.kind.as_str().to_string())
            .or_insert(0) += 1;
    }
    CandidateCounts {
        places: cands.places.len(),
        places_by_kind,
        heights_m: p.heights_m(),
        variants: sets.variants.len(),
        variants_covering_nothing: sets.variants.len() - kept.len(),
        variants_kept: kept.len(),
    }
}

/// Uncovered hamlets that no kept candidate covers, with the best RSRP their in-village candidates
/// give them and the reason in words.
fn unreachable_hamlets(
    inputs: &PlanInputs,
    demand: &Demand,
    cands: &Candidates,
    sets: &CoverSets,
    kept: &[usize],
    cov: &CoverageParams,
    p: &PlanParams,
) -> Vec<UnreachableHamlet> {
    let mut reached = vec![false; demand.hamlets.len()];
    let mut best = vec![f64::NAN; demand.hamlets.len()];
    for &v in kept {
        let n = reached.len();
        for &it in sets.cover[v].iter().take_while(|&&it| (it as usize) < n) {
            reached[it as usize] = true;
        }
    }
    for list in &sets.village_rsrp {
        for &(k, r) in list {
            let b = &mut best[k as usize];
            if !r.is_nan() && (b.is_nan() || r as f64 > *b) {
                *b = r as f64;
            }
        }
    }
    let thr = cov.effective_threshold_dbm();
    let p_share = cov.village_covered_share;
    (0..demand.hamlets.len())
        .filter(|&k| !reached[k])
        .map(|k| {
            let h = &inputs.hamlets[demand.hamlets[k]];
            let b = (!best[k].is_nan()).then_some((best[k] * 100.0).round() / 100.0);
            let n = demand.open[k].3;
            let reason = if n == 0 {
                "no cell on the study grid".to_string()
            } else if cands.in_village[k].is_empty() {
                format!(
                    "no cell in the village or within {} m of its label point where a tower may \
                     stand (steeper than {}°, within {} m of an existing site, or protected)",
                    p.village_radius_m, p.max_slope_deg, p.min_distance_to_sites_m
                )
            } else {
                let share = 100.0 * p_share;
                match b {
                    Some(r) => format!(
                        "no in-village tower brings {share} % of its {n} cells to the {thr} dBm \
                         threshold (the best gives {r} dBm at its label point)"
                    ),
                    None => format!(
                        "no in-village tower brings {share} % of its {n} cells to the {thr} dBm \
                         threshold (none reaches its label point)"
                    ),
                }
            };
            UnreachableHamlet {
                hamlet_id: h.id,
                name: h.name.clone(),
                best_rsrp_dbm_in_village: b,
                reason,
            }
        })
        .collect()
}

/// Walks the ranked towers: newly covered hamlets, people and land, for the curve and the report.
fn walk_picks(
    inputs: &PlanInputs,
    demand: &Demand,
    cands: &Candidates,
    sets: &CoverSets,
    order: &[usize],
    costs: &Costs,
) -> (Vec<CurvePoint>, Vec<PlannedTower>) {
    let before = &inputs.before.total;
    let n_h = inputs.hamlets.len() as f64;
    let pop_total = before.population.max(1) as f64;
    let land_total = before.land_cells.max(1) as f64;
    let first_id = inputs.sites.iter().map(|s| s.id).max().unwrap_or(0) + 1;
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
    for (rank, &v) in order.iter().enumerate() {
        let (mut ids, mut np, mut gain) = (Vec::new(), 0u64, 0.0);
        for &it in &sets.cover[v] {
            let it = it as usize;
            if std::mem::replace(&mut done[it], true) {
                continue;
            }
            gain += demand.weight[it];
            if it < demand.hamlets.len() {
                let h = &inputs.hamlets[demand.hamlets[it]];
                ids.push(h.id);
                np += h.population as u64;
            }
            lc += u64::from(demand.land[it]);
            pc += demand.people[it] as u64;
        }
        hc += ids.len() as u64;
        curve.push(point(rank + 1, hc, pc, lc));
        let var = &sets.variants[v];
        let c = &cands.places[var.place];
        let commune = inputs
            .commune_of_cell
            .at(c.x_m, c.y_m)
            .filter(|&k| k >= 0)
            .and_then(|k| inputs.communes.get(k as usize))
            .map(|k| k.name.clone());
        proposed.push(PlannedTower {
            rank: rank + 1,
            site_id: first_id + rank as u32,
            x_m: c.x_m,
            y_m: c.y_m,
            lon: var.site.lon,
            lat: var.site.lat,
            ground_m: c.ground_m,
            height_m: var.height_m,
            kind: c.kind.as_str().into(),
            grid_powered: c.grid_powered,
            grid_distance_m: c.grid_distance_m.map(|d| (d * 10.0).round() / 10.0),
            cost: costs.tower_cost(var.height_m, c.grid_distance_m),
            commune,
            gain_weight: gain,
            new_hamlets: ids.len() as u64,
            new_population: np,
            new_hamlet_ids: ids,
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
