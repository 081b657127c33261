//! Gap analysis: which hamlets are below the threshold, and why.

use crate::coverage::rollup::HamletCoverage;
use crate::coverage::{point_rsrp_dbm, CoverageParams};
use crate::demand::Hamlet;
use crate::radio::Site;
use crate::terrain::Terrain;
use rstar::primitives::GeomWithData;
use rstar::RTree;
use serde::{Deserialize, Serialize};

/// Why a hamlet has no usable signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapCause {
    /// Even without terrain in the way, no site would reach the threshold: too far from every site.
    OutOfRange,
    /// A site would reach the threshold over flat ground, but terrain diffraction takes it below.
    TerrainShadow,
}

impl GapCause {
    pub fn as_str(&self) -> &'static str {
        match self {
            GapCause::OutOfRange => "out-of-range",
            GapCause::TerrainShadow => "terrain-shadow",
        }
    }
}

/// One hamlet below the village share rule (uncovered or partially covered).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// Index into the study's hamlets.
    pub hamlet: usize,
    pub population: u32,
    pub grid_power: bool,
    /// Share of the village's cells at or above the threshold, 0–1 (> 0: partially covered).
    pub covered_share: f64,
    /// Median RSRP over the village's cells, dBm (see [`HamletCoverage::rsrp_dbm`]).
    pub best_rsrp_dbm: Option<f32>,
    /// Distance to the nearest existing site, metres, and its id.
    pub nearest_site_m: Option<f64>,
    pub nearest_site_id: Option<u32>,
    pub cause: GapCause,
}

/// Spatial index of site positions (study CRS) → index in the site list.
pub type SiteIndex = RTree<GeomWithData<[f64; 2], usize>>;

pub fn site_index(sites: &[Site]) -> SiteIndex {
    RTree::bulk_load(
        sites
            .iter()
            .enumerate()
            .map(|(i, s)| GeomWithData::new([s.x_m, s.y_m], i))
            .collect(),
    )
}

/// Lists every hamlet not covered with its cause, in hamlet order. The cause is evaluated at the
/// village's label point (inside its settled area).
pub fn find_gaps(
    hamlets: &[Hamlet],
    coverage: &[HamletCoverage],
    sites: &[Site],
    index: &SiteIndex,
    terrain: &Terrain,
    p: &CoverageParams,
) -> Vec<Gap> {
    let thr = p.effective_threshold_dbm();
    hamlets
        .iter()
        .zip(coverage)
        .enumerate()
        .filter(|(_, (_, c))| !c.covered)
        .map(|(i, (h, c))| {
            let nearest = index.nearest_neighbor(&[h.x_m, h.y_m]);
            let nearest_site_m = nearest
                .map(|n| ((n.geom()[0] - h.x_m).powi(2) + (n.geom()[1] - h.y_m).powi(2)).sqrt());
            let flat_best = index
                .locate_within_distance([h.x_m, h.y_m], p.max_radius_m * p.max_radius_m)
                .map(|n| point_rsrp_dbm(&sites[n.data], terrain, p, h.x_m, h.y_m, false))
                .fold(f64::NEG_INFINITY, f64::max);
            Gap {
                hamlet: i,
                population: h.population,
                grid_power: h.grid_power,
                covered_share: c.covered_share,
                best_rsrp_dbm: c.rsrp_dbm,
                nearest_site_m,
                nearest_site_id: nearest.map(|n| sites[n.data].id),
                cause: if flat_best >= thr {
                    GapCause::TerrainShadow
                } else {
                    GapCause::OutOfRange
                },
            }
        })
        .collect()
}
