//! Synthetic base-station sites, placed the way operators build: demand-driven (dense where people
//! live, in Vinh and the lowlands), along roads and valleys, sparse in the western mountains, each
//! operator with its own grid (sometimes co-located), none near hamlets without grid power.

use super::hamlets::{apportion, coarse_spec, road_distance, CoarseField};
use super::rng::Rng;
use crate::crs::Projector;
use crate::error::{Error, Result};
use geo::LineString;
use phusong_engine::demand::Hamlet;
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::radio::site::{Sector, Site};
use std::collections::BTreeMap;

/// Knobs of the site synthesis (the lead calibrates them against the coverage engine).
#[derive(Clone, Debug)]
pub struct SiteParams {
    /// Total number of sites. Default 8,550 (provincial report, 2024).
    pub count: usize,
    /// Operators and their shares of the sites. Default Viettel 0.45, VNPT 0.30, MobiFone 0.25.
    pub operators: Vec<(String, f64)>,
    /// No site nearer than this to a hamlet without grid power, m. Default 6,000.
    pub unpowered_clearance_m: f64,
    /// Share of sites placed for area coverage (anywhere in the mask, favouring roads and high ground)
    /// rather than near hamlets in proportion to demand. Default 0.2.
    pub remote_share: f64,
    /// Powered mountain hamlets, the most remote ones, that operators have not built next to
    /// (no site within `underserved_clearance_m`). Default 0.
    pub underserved_hamlets: usize,
    pub underserved_clearance_m: f64,
    /// Draws compared when placing a coverage site (the least crowded wins; 1 = purely random).
    /// Default 24.
    pub spread_candidates: usize,
    /// Chance that a new site co-locates on another operator's mast. Default 0.15.
    pub colocate_share: f64,
    /// Minimum spacing between one operator's sites in urban / rural areas, m. Defaults 300 / 1,500.
    pub urban_spacing_m: f64,
    pub rural_spacing_m: f64,
    /// People within ~2.5 km for a place to count as urban. Default 8,000.
    pub urban_population: f64,
}

impl Default for SiteParams {
    fn default() -> Self {
        SiteParams {
            count: 8550,
            operators: vec![
                ("Viettel".into(), 0.45),
                ("VNPT".into(), 0.30),
                ("MobiFone".into(), 0.25),
            ],
            unpowered_clearance_m: 6000.0,
            remote_share: 0.2,
            underserved_hamlets: 0,
            underserved_clearance_m: 2500.0,
            spread_candidates: 24,
            colocate_share: 0.15,
            urban_spacing_m: 300.0,
            rural_spacing_m: 1500.0,
            urban_population: 8000.0,
        }
    }
}

const DENSITY_BUCKET_M: f64 = 2000.0;

fn density_key(x: f64, y: f64) -> (i64, i64) {
    (
        (x / DENSITY_BUCKET_M).floor() as i64,
        (y / DENSITY_BUCKET_M).floor() as i64,
    )
}

/// Sites in the 3 × 3 buckets around a point.
fn crowding(density: &BTreeMap<(i64, i64), u32>, x: f64, y: f64) -> u32 {
    let (kx, ky) = density_key(x, y);
    let mut n = 0;
    for dy in -1..=1 {
        for dx in -1..=1 {
            n += density.get(&(kx + dx, ky + dy)).copied().unwrap_or(0);
        }
    }
    n
}

/// Placed sites of one bucket: (x, y, urban).
type Bucket = Vec<(f64, f64, bool)>;

/// Sites already placed, bucketed for spacing checks.
struct Placed {
    bucket_m: f64,
    map: BTreeMap<(i64, i64), Bucket>,
}

impl Placed {
    fn key(&self, x: f64, y: f64) -> (i64, i64) {
        (
            (x / self.bucket_m).floor() as i64,
            (y / self.bucket_m).floor() as i64,
        )
    }
    /// True if no site lies nearer than min(spacing(new), spacing(old)).
    fn clear(&self, x: f64, y: f64, urban: bool, p: &SiteParams, relax: f64) -> bool {
        let sp = |u: bool| if u { p.urban_spacing_m } else { p.rural_spacing_m } * relax;
        let (kx, ky) = self.key(x, y);
        (-1..=1).all(|dx| {
            (-1..=1).all(|dy| {
                self.map.get(&(kx + dx, ky + dy)).is_none_or(|v| {
                    v.iter()
                        .all(|&(sx, sy, su)| (sx - x).hypot(sy - y) >= sp(urban).min(sp(su)))
                })
            })
        })
    }
    fn insert(&mut self, x: f64, y: f64, urban: bool) {
        let k = self.key(x, y);
        self.map.entry(k).or_default().push((x, y, urban));
    }
}

/// Population within ~2.5 km (5 × 5 block of 1 km cells) of a place, for the urban flag.
struct PopulationGrid {
    spec: GridSpec,
    pop: Vec<f64>,
}

impl PopulationGrid {
    fn new(g: &GridSpec, hamlets: &[Hamlet]) -> PopulationGrid {
        let spec = coarse_spec(g, 1000.0);
        let mut pop = vec![0f64; spec.len()];
        for h in hamlets {
            if let Some((ix, iy)) = spec.cell_of(h.x_m, h.y_m) {
                pop[spec.index(ix, iy)] += h.population as f64;
            }
        }
        PopulationGrid { spec, pop }
    }

    /// True if at least `threshold` people live within ~2.5 km of (x, y).
    fn urban(&self, x: f64, y: f64, threshold: f64) -> bool {
        let Some((ix, iy)) = self.spec.cell_of(x, y) else {
            return false;
        };
        let mut s = 0.0;
        for jy in iy.saturating_sub(2)..(iy + 3).min(self.spec.ny) {
            for jx in ix.saturating_sub(2)..(ix + 3).min(self.spec.nx) {
                s += self.pop[self.spec.index(jx, jy)];
            }
        }
        s >= threshold
    }
}

/// The most remote powered mountain hamlets (far from roads, high), which operators have not
/// built next to; with the unpowered ones they are where the villages without signal are.
fn underserved_hamlets(
    hamlets: &[Hamlet],
    road_d: &CoarseField,
    height: &impl Fn(f64, f64) -> f64,
    n: usize,
) -> Vec<(f64, f64)> {
    let mut remote: Vec<(f64, usize)> = hamlets
        .iter()
        .enumerate()
        .filter(|(_, h)| h.grid_power && height(h.x_m, h.y_m) > 300.0)
        .map(|(i, h)| {
            (
                -(road_d.at(h.x_m, h.y_m) as f64 + 500.0) * (0.3 + height(h.x_m, h.y_m) / 1000.0),
                i,
            )
        })
        .collect();
    remote.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    remote
        .iter()
        .take(n)
        .map(|&(_, i)| (hamlets[i].x_m, hamlets[i].y_m))
        .collect()
}

/// Checks the inputs; returns the mask's land cells.
fn land_cells(terrain: &Raster<f32>, mask: &Raster<u8>, params: &SiteParams) -> Result<Vec<u32>> {
    if mask.spec != terrain.spec {
        return Err(Error::Config(
            "synth_sites: terrain and mask must share one grid".into(),
        ));
    }
    if params.operators.is_empty() || params.operators.iter().any(|o| o.1.is_nan() || o.1 < 0.0) {
        return Err(Error::Config(
            "synth_sites: need operators with non-negative shares".into(),
        ));
    }
    let land: Vec<u32> = (0..mask.data.len() as u32)
        .filter(|&i| mask.data[i as usize] != 0)
        .collect();
    if land.is_empty() {
        return Err(Error::Config("synth_sites: empty study mask".into()));
    }
    Ok(land)
}

/// A placed site: operator index, x, y, urban.
type Placement = (usize, f64, f64, bool);

/// Where sites may go and how candidate places are drawn.
struct Siting<'a> {
    terrain: &'a Raster<f32>,
    mask: &'a Raster<u8>,
    hamlets: &'a [Hamlet],
    params: &'a SiteParams,
    land: Vec<u32>,
    unpowered: Vec<(f64, f64)>,
    underserved: Vec<(f64, f64)>,
    population: PopulationGrid,
    /// Demand draw: hamlets ∝ population^0.7 (big places get more sites, but not linearly more).
    demand_cum: Vec<f64>,
    /// Coverage draw: land cells ∝ 1 + ½ road proximity.
    cover_cum: Vec<f64>,
}

impl<'a> Siting<'a> {
    fn new(
        terrain: &'a Raster<f32>,
        mask: &'a Raster<u8>,
        hamlets: &'a [Hamlet],
        roads: &[LineString<f64>],
        params: &'a SiteParams,
        land: Vec<u32>,
    ) -> Siting<'a> {
        let g = &terrain.spec;
        let unpowered: Vec<(f64, f64)> = hamlets
            .iter()
            .filter(|h| !h.grid_power)
            .map(|h| (h.x_m, h.y_m))
            .collect();
        let road_d = road_distance(g, roads, 500.0);
        let height = |x: f64, y: f64| terrain.at(x, y).unwrap_or(0.0) as f64;
        let underserved =
            underserved_hamlets(hamlets, &road_d, &height, params.underserved_hamlets);
        let population = PopulationGrid::new(g, hamlets);
        let mut demand_cum = Vec::with_capacity(hamlets.len());
        let mut acc = 0.0;
        for h in hamlets {
            acc += (h.population as f64).powf(0.7);
            demand_cum.push(acc);
        }
        let mut cover_cum = Vec::with_capacity(land.len());
        let mut acc = 0.0;
        for &c in &land {
            let (x, y) = g.center(c as usize % g.nx, c as usize / g.nx);
            acc += 1.0 + 0.5 * (-(road_d.at(x, y) as f64) / 3000.0).exp();
            cover_cum.push(acc);
        }
        Siting {
            terrain,
            mask,
            hamlets,
            params,
            land,
            unpowered,
            underserved,
            population,
            demand_cum,
            cover_cum,
        }
    }

    fn in_mask(&self, x: f64, y: f64) -> bool {
        self.mask.at(x, y).is_some_and(|v| v != 0)
    }

    fn height(&self, x: f64, y: f64) -> f64 {
        self.terrain.at(x, y).unwrap_or(0.0) as f64
    }

    fn urban(&self, x: f64, y: f64) -> bool {
        self.population.urban(x, y, self.params.urban_population)
    }

    /// Far enough from unpowered and underserved hamlets.
    fn clearance_ok(&self, x: f64, y: f64) -> bool {
        let p = self.params;
        self.unpowered
            .iter()
            .all(|&(ux, uy)| (ux - x).hypot(uy - y) >= p.unpowered_clearance_m)
            && self
                .underserved
                .iter()
                .all(|&(ux, uy)| (ux - x).hypot(uy - y) >= p.underserved_clearance_m)
    }

    /// A candidate place: on another operator's mast, for area coverage, or near a hamlet.
    fn candidate(
        &self,
        rng: &mut Rng,
        others: &[(f64, f64, bool)],
        density: &BTreeMap<(i64, i64), u32>,
    ) -> (f64, f64) {
        let p = self.params;
        if !others.is_empty() && rng.f64() < p.colocate_share {
            let o = others[rng.below(others.len() as u64) as usize];
            (o.0, o.1)
        } else if self.hamlets.is_empty() || rng.f64() < p.remote_share {
            self.coverage_candidate(rng, density)
        } else {
            self.demand_candidate(rng)
        }
    }

    /// Coverage sites go where coverage is thinnest: Mitchell's best-candidate rule (the least
    /// crowded of a few draws), then up to local high ground.
    fn coverage_candidate(&self, rng: &mut Rng, density: &BTreeMap<(i64, i64), u32>) -> (f64, f64) {
        let g = &self.terrain.spec;
        let mut best: Option<((f64, f64), u32)> = None;
        for _ in 0..self.params.spread_candidates.max(1) {
            let c = self.land[rng.pick_cumulative(&self.cover_cum)] as usize;
            let (cx, cy) = g.center(c % g.nx, c / g.nx);
            let n = crowding(density, cx, cy);
            if best.is_none_or(|(_, bn)| n < bn) {
                best = Some(((cx, cy), n));
            }
        }
        let ((cx, cy), _) = best.unwrap_or(((0.0, 0.0), 0));
        self.hilltop(rng, cx, cy, 1200.0)
    }

    /// Near a hamlet drawn by demand (closer in towns), on high ground in the mountains.
    fn demand_candidate(&self, rng: &mut Rng) -> (f64, f64) {
        let h = &self.hamlets[rng.pick_cumulative(&self.demand_cum)];
        let urban = self.urban(h.x_m, h.y_m);
        let r = if urban { 400.0 } else { 1200.0 };
        let (px, py) = (h.x_m + r * rng.normal(), h.y_m + r * rng.normal());
        if self.height(h.x_m, h.y_m) > 300.0 {
            self.hilltop(rng, px, py, 700.0)
        } else {
            (px, py)
        }
    }

    fn hilltop(&self, rng: &mut Rng, x: f64, y: f64, r_m: f64) -> (f64, f64) {
        hilltop(rng, x, y, r_m, &|x, y| self.in_mask(x, y), &|x, y| {
            self.height(x, y)
        })
    }

    /// Places `n_op` sites of operator `op` into `all` and `density`, relaxing its spacing when the
    /// area is saturated.
    fn place_operator(
        &self,
        rng: &mut Rng,
        op: usize,
        n_op: u64,
        all: &mut Vec<Placement>,
        density: &mut BTreeMap<(i64, i64), u32>,
    ) -> Result<()> {
        let params = self.params;
        let mut own = Placed {
            bucket_m: params.rural_spacing_m.max(params.urban_spacing_m).max(1.0),
            map: BTreeMap::new(),
        };
        let others: Vec<(f64, f64, bool)> = all.iter().map(|s| (s.1, s.2, s.3)).collect();
        let (mut placed, mut fails, mut relax) = (0u64, 0u32, 1.0f64);
        while placed < n_op {
            let (x, y) = self.candidate(rng, &others, density);
            let urban = self.urban(x, y);
            if self.in_mask(x, y)
                && self.clearance_ok(x, y)
                && own.clear(x, y, urban, params, relax)
            {
                own.insert(x, y, urban);
                *density.entry(density_key(x, y)).or_insert(0) += 1;
                all.push((op, x, y, urban));
                placed += 1;
                fails = 0;
                continue;
            }
            fails += 1;
            if fails > 5000 {
                // The area is saturated at this spacing: relax it a little rather than loop forever.
                relax *= 0.9;
                fails = 0;
                if relax < 1e-3 {
                    return Err(Error::Config(format!(
                        "synth_sites: cannot place {n_op} sites for {}: the mask is too small or all of it lies within \
                         unpowered_clearance_m of an unpowered hamlet",
                        params.operators[op].0
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Mast height and three sectors: 1800 MHz in towns and lowlands, 900 MHz in the hills.
fn draw_radio(rng: &mut Rng, urban: bool, lowland: bool) -> (f64, Vec<Sector>) {
    let (freq_mhz, bandwidth_mhz, eirp_dbm) = if urban || lowland {
        (1800.0, 20.0, 61.0)
    } else {
        (900.0, 10.0, 58.0)
    };
    let height_m = if urban {
        rng.range(25.0, 32.0)
    } else {
        rng.range(30.0, 45.0)
    };
    let rot = rng.range(0.0, 120.0);
    let sectors = (0..3)
        .map(|s| Sector {
            azimuth_deg: (rot + 120.0 * s as f64) % 360.0,
            mech_tilt_deg: rng.range(0.0, 2.0),
            elec_tilt_deg: rng.range(2.0, 6.0),
            freq_mhz,
            bandwidth_mhz,
            eirp_dbm,
            h_beamwidth_deg: 65.0,
            v_beamwidth_deg: 10.0,
            pattern: None,
        })
        .collect();
    (height_m, sectors)
}

/// The placed sites as [`Site`]s: ids 1.., names "<operator>-NNNNN", radio drawn from `rng`.
fn build_sites(
    all: &[Placement],
    siting: &Siting,
    rng: &mut Rng,
    proj: &Projector,
) -> Result<Vec<Site>> {
    let params = siting.params;
    let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = all.iter().map(|s| (s.1, s.2)).unzip();
    proj.unproject_many(&mut xs, &mut ys)?;
    let mut op_counter = vec![0u32; params.operators.len()];
    let mut sites = Vec::with_capacity(all.len());
    for (k, &(op, x, y, urban)) in all.iter().enumerate() {
        op_counter[op] += 1;
        let lowland = siting.height(x, y) < 150.0;
        let (height_m, sectors) = draw_radio(rng, urban, lowland);
        sites.push(Site {
            id: k as u32 + 1,
            name: format!("{}-{:05}", params.operators[op].0, op_counter[op]),
            operator: params.operators[op].0.clone(),
            x_m: x,
            y_m: y,
            lon: xs[k],
            lat: ys[k],
            height_m,
            sectors,
        });
    }
    Ok(sites)
}

/// Synthetic sites (ids 1..=count, names "<operator>-NNNNN") on the study grid.
pub fn synth_sites(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    hamlets: &[Hamlet],
    roads: &[LineString<f64>],
    params: &SiteParams,
    seed: u64,
    proj: &Projector,
) -> Result<Vec<Site>> {
    let land = land_cells(terrain, mask, params)?;
    let siting = Siting::new(terrain, mask, hamlets, roads, params, land);
    let shares: Vec<f64> = params.operators.iter().map(|o| o.1).collect();
    let per_op = apportion(params.count as u64, &shares, 0);
    let mut rng = Rng::stream(seed, 0x517E5);
    let mut all: Vec<Placement> = Vec::with_capacity(params.count);
    // Sites of every operator per 2 km bucket, for spreading coverage sites.
    let mut density: BTreeMap<(i64, i64), u32> = BTreeMap::new();
    for (op, &n_op) in per_op.iter().enumerate() {
        siting.place_operator(&mut rng, op, n_op, &mut all, &mut density)?;
    }
    build_sites(&all, &siting, &mut rng, proj)
}

/// Highest of 6 random points within `r_m` of (x, y) that fall in the mask (or (x, y) itself):
/// operators put rural masts on local high ground near the places they serve.
fn hilltop(
    rng: &mut Rng,
    x: f64,
    y: f64,
    r_m: f64,
    in_mask: &impl Fn(f64, f64) -> bool,
    height: &impl Fn(f64, f64) -> f64,
) -> (f64, f64) {
    let mut best = (
        x,
        y,
        if in_mask(x, y) {
            height(x, y)
        } else {
            f64::NEG_INFINITY
        },
    );
    for _ in 0..6 {
        let (px, py) = (x + rng.range(-r_m, r_m), y + rng.range(-r_m, r_m));
        if in_mask(px, py) {
            let h = height(px, py);
            if h > best.2 {
                best = (px, py, h);
            }
        }
    }
    (best.0, best.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::hamlets::tests::world;
    use crate::synth::hamlets::{synth_hamlets, HamletParams};

    fn run(seed: u64) -> (Vec<Site>, Vec<Hamlet>, SiteParams) {
        let (t, m, c, roads, towns) = world();
        let proj = Projector::new(32648).unwrap();
        let hp = HamletParams {
            count: 600,
            total_population: 400_000,
            unpowered: 6,
            ..Default::default()
        };
        let hs = synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &hp, 1, &proj).unwrap();
        let sp = SiteParams {
            count: 900,
            unpowered_clearance_m: 3000.0,
            ..Default::default()
        };
        (
            synth_sites(&t, &m, &hs, &roads, &sp, seed, &proj).unwrap(),
            hs,
            sp,
        )
    }

    #[test]
    fn counts_shares_clearance_spacing_density() {
        let (sites, hs, sp) = run(3);
        assert_eq!(sites.len(), 900);
        assert!(sites
            .iter()
            .enumerate()
            .all(|(k, s)| s.id == k as u32 + 1 && s.sectors.len() == 3));
        for (name, share) in &sp.operators {
            let n = sites.iter().filter(|s| &s.operator == name).count() as f64 / 900.0;
            assert!((n - share).abs() < 0.02, "{name}: {n}");
        }
        assert!(sites[0].name.starts_with("Viettel-0000"));
        for h in hs.iter().filter(|h| !h.grid_power) {
            assert!(sites
                .iter()
                .all(|s| (s.x_m - h.x_m).hypot(s.y_m - h.y_m) >= 3000.0));
        }
        // Own-operator spacing: never below the urban minimum.
        for a in &sites {
            for b in &sites {
                if a.id < b.id && a.operator == b.operator {
                    assert!(
                        (a.x_m - b.x_m).hypot(a.y_m - b.y_m) >= 300.0 - 1e-9,
                        "{} {}",
                        a.name,
                        b.name
                    );
                }
            }
        }
        // Urban density (within 5 km of the big town) ≫ mountain density (west third).
        let near = sites
            .iter()
            .filter(|s| (s.x_m - 455_000.0).hypot(s.y_m - 2_120_000.0) < 5000.0)
            .count() as f64;
        let urban_density = near / (std::f64::consts::PI * 25.0);
        let west = sites.iter().filter(|s| s.x_m < 420_000.0).count() as f64;
        let mountain_density = west / (20.0 * 40.0);
        assert!(
            urban_density > 10.0 * mountain_density,
            "{urban_density} vs {mountain_density}"
        );
        for s in &sites {
            assert!(s.height_m >= 25.0 && s.height_m <= 45.0);
            let sec = &s.sectors[0];
            assert!(sec.mech_tilt_deg <= 2.0 && (2.0..=6.0).contains(&sec.elec_tilt_deg));
            assert!((s.sectors[1].azimuth_deg - sec.azimuth_deg).rem_euclid(360.0) - 120.0 < 1e-9);
        }
    }

    #[test]
    fn deterministic() {
        assert_eq!(run(5).0, run(5).0);
        assert_ne!(run(5).0, run(6).0);
    }
}
