//! Candidate places for new towers: in every village not covered, on local high ground near it, and on
//! a regular grid near unmet demand — only on cells the exclusions allow.

use crate::demand::Hamlet;
use crate::grid::Raster;
use crate::plan::{PlanParams, TowerCost};
use crate::radio::{Sector, Site};
use crate::terrain::Terrain;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a candidate was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateKind {
    /// On the cell of the label point (centre) of a village not covered.
    Village,
    /// The highest allowed cell of a village not covered (or, when every cell of it is excluded,
    /// the highest allowed cell within `village_radius_m` of its label point: its edge).
    VillageHigh,
    /// The highest allowed cell within `high_ground_radius_m` of an uncovered hamlet.
    HighGround,
    /// The highest allowed cell near a node of the regular grid, kept when it is near unmet demand.
    Grid,
}

impl CandidateKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            CandidateKind::Village => "village",
            CandidateKind::VillageHigh => "village-high",
            CandidateKind::HighGround => "high-ground",
            CandidateKind::Grid => "grid",
        }
    }
}

/// A place a new tower could go (tried at every configured height).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub x_m: f64,
    pub y_m: f64,
    pub ground_m: f32,
    pub kind: CandidateKind,
    /// Within `grid_power_reach_m` of a grid-powered hamlet (else the tower needs solar power;
    /// a village without grid power never powers a tower).
    pub grid_powered: bool,
    /// Straight-line distance to the nearest grid-powered hamlet when within reach, metres (the
    /// grid connection's length); `None` for solar.
    pub grid_distance_m: Option<f64>,
}

/// The candidate places, and for every uncovered hamlet the places inside it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidates {
    pub places: Vec<Candidate>,
    /// For each village not covered (the order given to [`generate`]): indices into `places` of its
    /// in-village candidates (its centre cell and its highest cell), empty when every cell in and
    /// near it is excluded.
    pub in_village: Vec<Vec<usize>>,
}

/// Highest allowed cell within `radius_m` of (x, y), ties to the first in row-major order.
fn highest_near(
    terrain: &Terrain,
    allowed: &Raster<u8>,
    x: f64,
    y: f64,
    radius_m: f64,
) -> Option<(usize, usize)> {
    let g = terrain.grid();
    let r = (radius_m / g.cell_m).ceil() as i64;
    let (cx, cy) = g.frac(x, y);
    let (cx, cy) = (cx.floor() as i64, cy.floor() as i64);
    let mut best: Option<((usize, usize), f32)> = None;
    for iy in (cy - r).max(0)..=(cy + r).min(g.ny as i64 - 1) {
        for ix in (cx - r).max(0)..=(cx + r).min(g.nx as i64 - 1) {
            let (ux, uy) = (ix as usize, iy as usize);
            let (px, py) = g.center(ux, uy);
            if (px - x).hypot(py - y) > radius_m.max(g.cell_m / 2.0) || allowed.get(ux, uy) == 0 {
                continue;
            }
            let h = terrain.height_m.get(ux, uy);
            if best.is_none_or(|(_, bh)| h > bh) {
                best = Some(((ux, uy), h));
            }
        }
    }
    best.map(|(c, _)| c)
}

/// Places without duplicates, each flagged grid-powered or solar.
struct Placer<'a> {
    terrain: &'a Terrain,
    powered: RTree<GeomWithData<[f64; 2], ()>>,
    reach_m: f64,
    index_of_cell: BTreeMap<usize, usize>,
    places: Vec<Candidate>,
}

impl Placer<'_> {
    /// Index of the place on `cell`, added with `kind` unless already there.
    fn add(&mut self, cell: (usize, usize), kind: CandidateKind) -> usize {
        let g = self.terrain.grid();
        let key = g.index(cell.0, cell.1);
        if let Some(&i) = self.index_of_cell.get(&key) {
            return i;
        }
        let (x, y) = g.center(cell.0, cell.1);
        let grid_distance_m = self
            .powered
            .nearest_neighbor(&[x, y])
            .map(|n| (n.geom()[0] - x).hypot(n.geom()[1] - y))
            .filter(|&d| d <= self.reach_m);
        self.places.push(Candidate {
            x_m: x,
            y_m: y,
            ground_m: self.terrain.height_m.get(cell.0, cell.1),
            kind,
            grid_powered: grid_distance_m.is_some(),
            grid_distance_m,
        });
        self.index_of_cell.insert(key, self.places.len() - 1);
        self.places.len() - 1
    }
}

/// Highest allowed cell among `cells` (grid indices), ties to the first.
fn highest_of(terrain: &Terrain, allowed: &Raster<u8>, cells: &[usize]) -> Option<(usize, usize)> {
    let nx = terrain.grid().nx;
    let mut best: Option<(usize, f32)> = None;
    for &c in cells {
        let h = terrain.height_m.data[c];
        if allowed.data[c] == 1 && best.is_none_or(|(_, bh)| h > bh) {
            best = Some((c, h));
        }
    }
    best.map(|(c, _)| (c % nx, c / nx))
}

/// Generates candidate places on `allowed` cells: in every village not covered — `uncovered` gives
/// each one's hamlet index and grid cells — its centre (label point's) cell and its highest cell
/// (the "inside or at its edge"), then the highest ground within `high_ground_radius_m` of
/// it, and the highest cell near every node of a regular grid within `reach_m` of `demand_points`
/// (positions, study CRS, of uncovered villages and cells). A cell is one place whatever found it
/// first (village kinds first).
pub fn generate(
    terrain: &Terrain,
    allowed: &Raster<u8>,
    hamlets: &[Hamlet],
    uncovered: &[(usize, Vec<usize>)],
    demand_points: &[[f64; 2]],
    reach_m: f64,
    p: &PlanParams,
) -> Candidates {
    let g = terrain.grid();
    let mut placer = Placer {
        terrain,
        powered: RTree::bulk_load(
            hamlets
                .iter()
                .filter(|h| h.grid_power)
                .map(|h| GeomWithData::new([h.x_m, h.y_m], ()))
                .collect(),
        ),
        reach_m: p.grid_power_reach_m,
        index_of_cell: BTreeMap::new(),
        places: Vec::new(),
    };
    let mut in_village = Vec::with_capacity(uncovered.len());
    for (i, cells) in uncovered {
        let mut own = Vec::new();
        if let Some(h) = hamlets.get(*i) {
            if let Some(c) = g
                .cell_of(h.x_m, h.y_m)
                .filter(|c| allowed.get(c.0, c.1) == 1)
            {
                own.push(placer.add(c, CandidateKind::Village));
            }
            let high = highest_of(terrain, allowed, cells)
                .or_else(|| highest_near(terrain, allowed, h.x_m, h.y_m, p.village_radius_m));
            if let Some(c) = high {
                own.push(placer.add(c, CandidateKind::VillageHigh));
            }
        }
        own.dedup();
        in_village.push(own);
    }
    for &(i, _) in uncovered {
        if let Some(h) = hamlets.get(i) {
            if let Some(c) = highest_near(terrain, allowed, h.x_m, h.y_m, p.high_ground_radius_m) {
                placer.add(c, CandidateKind::HighGround);
            }
        }
    }
    let demand: RTree<GeomWithData<[f64; 2], ()>> = RTree::bulk_load(
        demand_points
            .iter()
            .map(|&q| GeomWithData::new(q, ()))
            .collect(),
    );
    let s = p.grid_spacing_m;
    let mut y = g.y0_m - s / 2.0;
    while y > g.y1_m() {
        let mut x = g.x0_m + s / 2.0;
        while x < g.x1_m() {
            let near_demand = demand
                .locate_within_distance([x, y], reach_m * reach_m)
                .next()
                .is_some();
            if near_demand {
                if let Some(c) = highest_near(terrain, allowed, x, y, s / 4.0) {
                    placer.add(c, CandidateKind::Grid);
                }
            }
            x += s;
        }
        y -= s;
    }
    Candidates {
        places: placer.places,
        in_village,
    }
}

/// The tower a candidate place would become at `height_m` (three sectors at 0/120/240°).
pub fn tower(c: &Candidate, id: u32, height_m: f64, p: &PlanParams, lon: f64, lat: f64) -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: p.tilt_deg,
        freq_mhz: p.freq_mhz,
        bandwidth_mhz: p.bandwidth_mhz,
        eirp_dbm: p.eirp_dbm,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
        pattern: None,
    };
    Site {
        id,
        name: format!("NEW-{id:05}"),
        operator: "new".into(),
        x_m: c.x_m,
        y_m: c.y_m,
        lon,
        lat,
        height_m,
        sectors: vec![sector(0.0), sector(120.0), sector(240.0)],
    }
}

/// A proposed tower in `plan.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlannedTower {
    /// Order of building: each tower adds the most weight given the ones before it.
    pub rank: usize,
    pub site_id: u32,
    pub x_m: f64,
    pub y_m: f64,
    pub lon: f64,
    pub lat: f64,
    pub ground_m: f32,
    /// Antenna height above ground, metres (the lowest configured height that keeps the plan's
    /// coverage).
    pub height_m: f64,
    pub kind: String,
    pub grid_powered: bool,
    /// Length of the grid connection (straight line to the grid-powered hamlet that powers it),
    /// metres; `None` for solar.
    #[serde(default)]
    pub grid_distance_m: Option<f64>,
    /// Capital cost by part and yearly operating cost (`[plan.costs]`).
    #[serde(default)]
    pub cost: TowerCost,
    /// Name of the commune the tower stands in (`None`: outside every commune).
    pub commune: Option<String>,
    /// Budget-objective weight (people + area) this tower adds after the towers ranked before it.
    pub gain_weight: f64,
    /// Villages this tower brings to the village threshold first, and their population.
    pub new_hamlets: u64,
    pub new_population: u64,
    /// Ids of the hamlets this tower covers first (in rank order).
    pub new_hamlet_ids: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GridSpec;

    fn hamlet(id: u32, x_m: f64, y_m: f64, grid_power: bool) -> Hamlet {
        Hamlet {
            id,
            name: format!("h{id}"),
            commune: None,
            x_m,
            y_m,
            lon: 0.0,
            lat: 0.0,
            population: 100,
            grid_power,
            area: geo::MultiPolygon(vec![]),
        }
    }

    /// Brute force: the nearest grid-powered hamlet within reach, over every hamlet.
    fn nearest_powered(hamlets: &[Hamlet], x: f64, y: f64, reach_m: f64) -> Option<f64> {
        hamlets
            .iter()
            .filter(|h| h.grid_power)
            .map(|h| (h.x_m - x).hypot(h.y_m - y))
            .filter(|&d| d <= reach_m)
            .min_by(f64::total_cmp)
    }

    #[test]
    fn only_grid_powered_hamlets_within_reach_power_a_tower() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 9000.0, 9000.0, 100.0);
        let terrain = Terrain::new(Raster::filled(g.clone(), 100f32, None)).0;
        let allowed = Raster::filled(g.clone(), 1u8, None);
        // An unpowered village on a cell centre, a powered one 1.5 km east, another 3.2 km west.
        let hamlets = vec![
            hamlet(1, 4550.0, 4550.0, false),
            hamlet(2, 6050.0, 4550.0, true),
            hamlet(3, 1350.0, 4550.0, true),
        ];
        let cell = g.cell_of(4550.0, 4550.0).unwrap();
        let uncovered = vec![(0, vec![g.index(cell.0, cell.1)])];
        for reach_m in [0.0, 1000.0, 1500.0, 2000.0, 3500.0] {
            let p = PlanParams {
                grid_power_reach_m: reach_m,
                grid_spacing_m: 2000.0,
                ..Default::default()
            };
            let c = generate(
                &terrain,
                &allowed,
                &hamlets,
                &uncovered,
                &[[4550.0, 4550.0]],
                4000.0,
                &p,
            );
            assert!(c.places.len() > 3, "{}", c.places.len());
            // The village's own candidate stands on the unpowered village: never powered by it.
            let own = &c.places[c.in_village[0][0]];
            assert_eq!((own.x_m, own.y_m), (4550.0, 4550.0));
            let want = if reach_m >= 1500.0 {
                Some(1500.0)
            } else {
                None
            };
            assert_eq!(own.grid_distance_m, want, "reach {reach_m}");
            for q in &c.places {
                let want = nearest_powered(&hamlets, q.x_m, q.y_m, reach_m);
                assert_eq!(
                    q.grid_distance_m, want,
                    "({}, {}) reach {reach_m}",
                    q.x_m, q.y_m
                );
                assert_eq!(q.grid_powered, want.is_some());
            }
        }
    }
}
