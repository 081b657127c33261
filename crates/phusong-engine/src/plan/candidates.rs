//! Candidate sites for new towers: local high ground near uncovered hamlets, and a regular grid.

use crate::demand::Hamlet;
use crate::grid::Raster;
use crate::plan::PlanParams;
use crate::radio::{Sector, Site};
use crate::terrain::Terrain;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How a candidate was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateKind {
    /// The highest land cell within `high_ground_radius_m` of an uncovered hamlet.
    HighGround,
    /// The highest cell near a node of the regular grid, kept when it is near unmet demand.
    Grid,
}

impl CandidateKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            CandidateKind::HighGround => "high-ground",
            CandidateKind::Grid => "grid",
        }
    }
}

/// A place a new tower could go.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub x_m: f64,
    pub y_m: f64,
    pub ground_m: f32,
    pub kind: CandidateKind,
    /// Near a grid-powered hamlet (else the tower needs solar power).
    pub grid_powered: bool,
}

/// Highest masked cell within `radius_m` of (x, y), ties to the first in row-major order.
fn highest_near(
    terrain: &Terrain,
    mask: &Raster<u8>,
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
            if ((ix - cx).pow(2) + (iy - cy).pow(2)) as f64 > (r * r) as f64
                || mask.get(ux, uy) == 0
            {
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

/// Generates candidates near unmet demand. `demand_points` are positions (study CRS) of uncovered
/// hamlets and uncovered land; grid candidates farther than `reach_m` from all of them are dropped.
pub fn generate(
    terrain: &Terrain,
    mask: &Raster<u8>,
    hamlets: &[Hamlet],
    uncovered_hamlets: &[usize],
    demand_points: &[[f64; 2]],
    reach_m: f64,
    p: &PlanParams,
) -> Vec<Candidate> {
    let g = terrain.grid();
    let powered: RTree<GeomWithData<[f64; 2], ()>> = RTree::bulk_load(
        hamlets
            .iter()
            .filter(|h| h.grid_power)
            .map(|h| GeomWithData::new([h.x_m, h.y_m], ()))
            .collect(),
    );
    let demand: RTree<GeomWithData<[f64; 2], ()>> = RTree::bulk_load(
        demand_points
            .iter()
            .map(|&q| GeomWithData::new(q, ()))
            .collect(),
    );
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut add = |cell: (usize, usize), kind: CandidateKind, out: &mut Vec<Candidate>| {
        if !seen.insert(g.index(cell.0, cell.1)) {
            return;
        }
        let (x, y) = g.center(cell.0, cell.1);
        let reach2 = p.grid_power_reach_m * p.grid_power_reach_m;
        let grid_powered = powered
            .nearest_neighbor(&[x, y])
            .is_some_and(|n| (n.geom()[0] - x).powi(2) + (n.geom()[1] - y).powi(2) <= reach2);
        out.push(Candidate {
            x_m: x,
            y_m: y,
            ground_m: terrain.height_m.get(cell.0, cell.1),
            kind,
            grid_powered,
        });
    };
    for &i in uncovered_hamlets {
        if let Some(h) = hamlets.get(i) {
            if let Some(c) = highest_near(terrain, mask, h.x_m, h.y_m, p.high_ground_radius_m) {
                add(c, CandidateKind::HighGround, &mut out);
            }
        }
    }
    let s = p.grid_spacing_m;
    let mut y = g.y0_m - s / 2.0;
    while y > g.y1_m() {
        let mut x = g.x0_m + s / 2.0;
        while x < g.x1_m() {
            if demand
                .locate_within_distance([x, y], reach_m * reach_m)
                .next()
                .is_some()
            {
                if let Some(c) = highest_near(terrain, mask, x, y, s / 4.0) {
                    add(c, CandidateKind::Grid, &mut out);
                }
            }
            x += s;
        }
        y -= s;
    }
    out
}

/// The tower a candidate would become (three sectors at 0/120/240°).
pub fn tower(c: &Candidate, id: u32, p: &PlanParams, lon: f64, lat: f64) -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: p.tilt_deg,
        freq_mhz: p.freq_mhz,
        bandwidth_mhz: p.bandwidth_mhz,
        eirp_dbm: p.eirp_dbm,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
    };
    Site {
        id,
        name: format!("NEW-{id:05}"),
        operator: "new".into(),
        x_m: c.x_m,
        y_m: c.y_m,
        lon,
        lat,
        height_m: p.tower_height_m,
        sectors: vec![sector(0.0), sector(120.0), sector(240.0)],
    }
}

/// A proposed tower in `plan.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlannedTower {
    pub rank: usize,
    pub site_id: u32,
    pub x_m: f64,
    pub y_m: f64,
    pub lon: f64,
    pub lat: f64,
    pub ground_m: f32,
    pub kind: String,
    pub grid_powered: bool,
    pub gain_weight: f64,
    pub new_hamlets: u64,
    pub new_population: u64,
}
