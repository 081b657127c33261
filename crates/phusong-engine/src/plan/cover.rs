//! What each candidate tower would cover: every candidate place at every configured height (a
//! "variant"), its coverage window computed by the coverage engine, reduced to the demand items it
//! brings to the threshold and the RSRP it gives the hamlets it stands in.

use crate::coverage::{site_window, CoverageParams};
use crate::plan::build::{Demand, PlanInputs};
use crate::plan::candidates::{self, Candidates};
use crate::plan::PlanParams;
use crate::progress::Progress;
use crate::radio::Site;
use rayon::prelude::*;

/// One candidate tower: a place at a height.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Index into [`Candidates::places`].
    pub place: usize,
    pub height_m: f64,
    /// The tower as a site (id unique among existing and candidate sites).
    pub site: Site,
}

/// (uncovered-hamlet item, RSRP at its cell in dBm) pairs.
type VillageRsrp = Vec<(u32, f32)>;

/// Every variant with what it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct CoverSets {
    pub variants: Vec<Variant>,
    /// Per variant: demand items at or above the threshold, ascending.
    pub cover: Vec<Vec<u32>>,
    /// Per variant: (uncovered-hamlet item, RSRP at its cell in dBm) for the hamlets the variant's
    /// place is in-village for (`NaN`: out of the tower's computed range).
    pub village_rsrp: Vec<VillageRsrp>,
}

/// Builds every variant (places × `p.heights_m()`, place-major) with ids after `first_id`, and
/// computes what each covers, in parallel (collected in order, so deterministic).
pub fn cover_sets(
    inputs: &PlanInputs,
    demand: &Demand,
    cands: &Candidates,
    lon_lat: &[(f64, f64)],
    cov: &CoverageParams,
    p: &PlanParams,
    progress: &dyn Progress,
) -> CoverSets {
    let first_id = inputs.sites.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    let heights = p.heights_m();
    let mut variants = Vec::with_capacity(cands.places.len() * heights.len());
    for (place, (c, &(lon, lat))) in cands.places.iter().zip(lon_lat).enumerate() {
        for &h in &heights {
            let id = first_id + variants.len() as u32;
            variants.push(Variant {
                place,
                height_m: h,
                site: candidates::tower(c, id, h, p, lon, lat),
            });
        }
    }
    // Place → the uncovered-hamlet items it is in-village for.
    let mut village_of_place: Vec<Vec<u32>> = vec![Vec::new(); cands.places.len()];
    for (k, places) in cands.in_village.iter().enumerate() {
        for &q in places {
            if let Some(v) = village_of_place.get_mut(q) {
                v.push(k as u32);
            }
        }
    }
    let grid = inputs.terrain.grid();
    let thr = cov.effective_threshold_dbm();
    progress.start("candidates", variants.len() as u64);
    let computed: Vec<(Vec<u32>, VillageRsrp)> = variants
        .par_iter()
        .enumerate()
        .map(|(i, v)| {
            let w = site_window(i, &v.site, inputs.terrain, cov);
            let items = w
                .as_ref()
                .map(|w| demand.covered_by(w, grid, thr))
                .unwrap_or_default();
            let rsrp = village_of_place[v.place]
                .iter()
                .map(|&k| {
                    let h = &inputs.hamlets[demand.hamlets[k as usize]];
                    let value = w
                        .as_ref()
                        .zip(grid.cell_of(h.x_m, h.y_m))
                        .and_then(|(w, (ix, iy))| w.rsrp_at(ix, iy))
                        .unwrap_or(f32::NAN);
                    (k, value)
                })
                .collect();
            progress.advance(1);
            (items, rsrp)
        })
        .collect();
    progress.finish();
    let (cover, village_rsrp) = computed.into_iter().unzip();
    CoverSets {
        variants,
        cover,
        village_rsrp,
    }
}
