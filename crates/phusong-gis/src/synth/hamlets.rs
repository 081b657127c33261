//! Synthetic hamlets (thôn/bản): plausible positions (valleys, plains, along roads and around towns),
//! heavy-tailed populations that add up exactly to the census, and the few hamlets without grid power
//! (the most remote ones, in the western mountains).

use super::rng::Rng;
use super::terrain::box_mean;
use crate::crs::Projector;
use crate::error::{Error, Result};
use geo::LineString;
use phusong_engine::demand::Hamlet;
use phusong_engine::grid::{GridSpec, Raster};
use rayon::prelude::*;
use rstar::primitives::Line;
use rstar::{PointDistance, RTree};

/// Knobs of the hamlet synthesis.
#[derive(Clone, Debug)]
pub struct HamletParams {
    /// Number of hamlets when no commune populations are given (else the hamlets are apportioned to
    /// communes by population, each populated commune getting at least one). Default 5,000.
    pub count: usize,
    /// Total population when no commune populations are given. Default 2,834,430 (2009 census).
    pub total_population: u64,
    /// Hamlets without grid electricity. Default 63 (provincial report, 2024).
    pub unpowered: usize,
    /// Minimum spacing between hamlets, m (relaxed where a commune is too small). Default 400.
    pub min_spacing_m: f64,
    /// Road attraction length scale, m: weight × (0.25 + e^(−d/scale)). Default 2,500.
    pub road_scale_m: f64,
    /// Log-normal σ of hamlet sizes (heavy tail). Default 0.8.
    pub size_sigma: f64,
    /// Share of hamlets drawn from mountain valley floors (cells above 300 m, weighted by flatness and
    /// hollowness only, ignoring roads and towns): the small bản of the western districts. Default 0.3.
    pub mountain_share: f64,
    /// How each hamlet's settled area is grown (see [`super::villages`]).
    pub areas: super::villages::VillageAreaParams,
}

impl Default for HamletParams {
    fn default() -> Self {
        HamletParams {
            count: 5000,
            total_population: 2_834_430,
            unpowered: 63,
            min_spacing_m: 400.0,
            road_scale_m: 2500.0,
            size_sigma: 0.8,
            mountain_share: 0.3,
            areas: Default::default(),
        }
    }
}

/// A scalar field on a coarse grid covering the study grid (distance to roads, to towns).
pub(crate) struct CoarseField {
    spec: GridSpec,
    v: Vec<f32>,
}

impl CoarseField {
    pub fn at(&self, x: f64, y: f64) -> f32 {
        let (fx, fy) = self.spec.frac(x, y);
        let ix = (fx.max(0.0) as usize).min(self.spec.nx - 1);
        let iy = (fy.max(0.0) as usize).min(self.spec.ny - 1);
        self.v[iy * self.spec.nx + ix]
    }
}

/// A coarser grid (cells of about `cell_m`, a whole multiple of the fine cell) over the same area.
pub(crate) fn coarse_spec(g: &GridSpec, cell_m: f64) -> GridSpec {
    let k = (cell_m / g.cell_m).round().max(1.0) as usize;
    GridSpec {
        epsg: g.epsg,
        x0_m: g.x0_m,
        y0_m: g.y0_m,
        cell_m: g.cell_m * k as f64,
        nx: g.nx.div_ceil(k),
        ny: g.ny.div_ceil(k),
    }
}

/// Distance (m) from each coarse cell centre to the nearest road segment (∞ if there are no roads).
pub(crate) fn road_distance(g: &GridSpec, roads: &[LineString<f64>], cell_m: f64) -> CoarseField {
    let spec = coarse_spec(g, cell_m);
    let segs: Vec<Line<[f64; 2]>> = roads
        .iter()
        .flat_map(|r| {
            r.lines()
                .map(|l| Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]))
        })
        .collect();
    let tree = RTree::bulk_load(segs);
    let mut v = vec![f32::INFINITY; spec.len()];
    v.par_chunks_mut(spec.nx).enumerate().for_each(|(iy, row)| {
        for (ix, o) in row.iter_mut().enumerate() {
            let (x, y) = spec.center(ix, iy);
            if let Some(l) = tree.nearest_neighbor(&[x, y]) {
                *o = l.distance_2(&[x, y]).sqrt() as f32;
            }
        }
    });
    CoarseField { spec, v }
}

/// Per-cell placement weights for settlements, 0 outside the mask: (lowland weight: low slope, low
/// height, local hollows; mountain-valley weight: low slope and hollows of cells above 300 m).
pub(crate) fn settlement_weights(terrain: &Raster<f32>, mask: &Raster<u8>) -> (Vec<f64>, Vec<f64>) {
    let g = &terrain.spec;
    let (nx, ny) = (g.nx, g.ny);
    let h: Vec<f64> = terrain
        .data
        .iter()
        .map(|v| if v.is_finite() { *v as f64 } else { 0.0 })
        .collect();
    let rad = ((1000.0 / g.cell_m).round() as usize).max(1);
    let local = box_mean(&h, nx, ny, rad);
    let mut w = vec![(0f64, 0f64); nx * ny];
    w.par_chunks_mut(nx).enumerate().for_each(|(iy, row)| {
        for (ix, o) in row.iter_mut().enumerate() {
            let i = iy * nx + ix;
            if mask.data[i] == 0 {
                continue;
            }
            let hx = h[iy * nx + (ix + 1).min(nx - 1)] - h[iy * nx + ix.saturating_sub(1)];
            let hy = h[(iy + 1).min(ny - 1) * nx + ix] - h[iy.saturating_sub(1) * nx + ix];
            let slope = (hx * hx + hy * hy).sqrt() / (2.0 * g.cell_m);
            let rel = h[i] - local[i]; // < 0 in hollows and valley floors
            let valley = (-slope / 0.12).exp() * (-(rel.max(-50.0)) / 60.0).exp();
            // Mountain bản sit on the floors of deep valleys: a sharper preference for hollows.
            let floor = (-slope / 0.12).exp() * (-(rel.max(-150.0)) / 25.0).exp();
            *o = (
                valley * (-h[i].max(0.0) / 700.0).exp(),
                if h[i] > 300.0 { floor } else { 0.0 },
            );
        }
    });
    w.into_iter().unzip()
}

/// Splits `total` into integer parts proportional to `weights` (Hamilton's largest-remainder method),
/// giving every part at least `floor` first when possible. Ties go to the lower index.
pub(crate) fn apportion(total: u64, weights: &[f64], floor: u64) -> Vec<u64> {
    let n = weights.len() as u64;
    if n == 0 {
        return vec![];
    }
    let base = if total >= floor * n { floor } else { 0 };
    let rest = total - base * n;
    let sum: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    let quotas: Vec<f64> = if sum > 0.0 {
        weights
            .iter()
            .map(|w| w.max(0.0) / sum * rest as f64)
            .collect()
    } else {
        vec![rest as f64 / n as f64; weights.len()]
    };
    let mut out: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let given: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (quotas[b] - quotas[b].floor())
            .total_cmp(&(quotas[a] - quotas[a].floor()))
            .then(a.cmp(&b))
    });
    for &k in order
        .iter()
        .cycle()
        .take(rest.saturating_sub(given) as usize)
    {
        out[k] += 1;
    }
    out.iter_mut().for_each(|v| *v += base);
    out
}

/// Town attraction at (x, y): Σ population / 20,000 × e^(−distance / 3 km).
fn town_boost(towns: &[(f64, f64, u64)], x: f64, y: f64) -> f64 {
    towns
        .iter()
        .map(|&(tx, ty, p)| (p as f64 / 20_000.0) * (-((tx - x).hypot(ty - y)) / 3000.0).exp())
        .sum::<f64>()
}

/// [`settlement_weights`] with the lowland weight scaled by road and town attraction.
fn placement_weights(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    road_d: &CoarseField,
    towns: &[(f64, f64, u64)],
    params: &HamletParams,
) -> (Vec<f64>, Vec<f64>) {
    let g = &terrain.spec;
    let (mut w, w_mtn) = settlement_weights(terrain, mask);
    w.par_chunks_mut(g.nx).enumerate().for_each(|(iy, row)| {
        for (ix, o) in row.iter_mut().enumerate() {
            if *o > 0.0 {
                let (x, y) = g.center(ix, iy);
                let d = road_d.at(x, y) as f64;
                *o *= (0.25 + (-d / params.road_scale_m).exp())
                    * (1.0 + 3.0 * town_boost(towns, x, y).min(10.0));
            }
        }
    });
    (w, w_mtn)
}

/// Hamlets to place together: (commune index or None, hamlet count, population total).
type Group = (Option<usize>, usize, u64);

/// One group per populated commune (hamlets apportioned by population) with a census, else a
/// single group for the whole study.
fn hamlet_groups(
    commune_population: &[Option<u64>],
    census: bool,
    params: &HamletParams,
) -> Vec<Group> {
    if !census {
        return vec![(None, params.count, params.total_population)];
    }
    let pops: Vec<(usize, u64)> = commune_population
        .iter()
        .enumerate()
        .filter_map(|(k, p)| p.filter(|&v| v > 0).map(|v| (k, v)))
        .collect();
    let counts = apportion(
        params.count.max(pops.len()) as u64,
        &pops.iter().map(|p| p.1 as f64).collect::<Vec<_>>(),
        1,
    );
    pops.iter()
        .zip(&counts)
        .map(|(&(k, p), &c)| (Some(k), c as usize, p))
        .collect()
}

/// Cells to draw from, in raster order: per commune (cells in the mask) with a census, else every
/// cell with a positive weight.
fn candidate_cells(
    commune_of_cell: &Raster<i32>,
    mask: &Raster<u8>,
    w: &[f64],
    ncomm: usize,
    census: bool,
) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut by_comm: Vec<Vec<u32>> = vec![Vec::new(); if census { ncomm } else { 0 }];
    if census {
        for (i, &c) in commune_of_cell.data.iter().enumerate() {
            if c >= 0 && (c as usize) < ncomm && mask.data[i] != 0 {
                by_comm[c as usize].push(i as u32);
            }
        }
    }
    let all: Vec<u32> = if census {
        vec![]
    } else {
        (0..w.len() as u32)
            .filter(|&i| w[i as usize] > 0.0)
            .collect()
    };
    (by_comm, all)
}

/// Cumulative draw weights over `cells`: the lowland/road/town weight blended with the
/// mountain-valley weight, each normalised.
fn blended_cumulative(cells: &[u32], w: &[f64], w_mtn: &[f64], mountain_share: f64) -> Vec<f64> {
    let s_low: f64 = cells.iter().map(|&c| w[c as usize]).sum();
    let s_mtn: f64 = cells.iter().map(|&c| w_mtn[c as usize]).sum();
    let m = if s_mtn > 0.0 {
        mountain_share.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut cum = Vec::with_capacity(cells.len());
    let mut acc = 0.0;
    for &c in cells {
        let low = if s_low > 0.0 {
            w[c as usize] / s_low
        } else {
            0.0
        };
        let mtn = if s_mtn > 0.0 {
            w_mtn[c as usize] / s_mtn
        } else {
            0.0
        };
        acc += ((1.0 - m) * low + m * mtn).max(1e-15);
        cum.push(acc);
    }
    cum
}

/// Hamlet positions placed so far, bucketed for the minimum-spacing check.
struct Occupied {
    bucket: f64,
    spacing2: f64,
    map: std::collections::BTreeMap<(i64, i64), Vec<(f64, f64)>>,
}

impl Occupied {
    fn key(&self, x: f64, y: f64) -> (i64, i64) {
        (
            (x / self.bucket).floor() as i64,
            (y / self.bucket).floor() as i64,
        )
    }

    /// True if no placed hamlet lies nearer than the minimum spacing.
    fn clear(&self, x: f64, y: f64) -> bool {
        let (bx, by) = self.key(x, y);
        (-1..=1).all(|dx| {
            (-1..=1).all(|dy| {
                self.map.get(&(bx + dx, by + dy)).is_none_or(|v| {
                    v.iter()
                        .all(|&(px, py)| (px - x).powi(2) + (py - y).powi(2) >= self.spacing2)
                })
            })
        })
    }

    fn insert(&mut self, x: f64, y: f64) {
        let k = self.key(x, y);
        self.map.entry(k).or_default().push((x, y));
    }
}

/// Draws hamlet positions and raw sizes, group after group, from one random stream.
struct Placer<'a> {
    g: &'a GridSpec,
    commune_of_cell: &'a Raster<i32>,
    towns: &'a [(f64, f64, u64)],
    params: &'a HamletParams,
    rng: Rng,
    occupied: Occupied,
    hamlets: Vec<Hamlet>,
    raw_size: Vec<f64>,
}

impl Placer<'_> {
    /// A jittered point in a cell drawn from `cum`: the first of 30 draws clear of the other
    /// hamlets, else the last draw (spacing relaxed where a commune is too small).
    fn draw(&mut self, cells: &[u32], cum: &[f64]) -> Option<(f64, f64)> {
        let g = self.g;
        let mut chosen = None;
        for _attempt in 0..30 {
            let c = cells[self.rng.pick_cumulative(cum)] as usize;
            let (cx, cy) = g.center(c % g.nx, c / g.nx);
            let x = cx + self.rng.range(-0.49, 0.49) * g.cell_m;
            let y = cy + self.rng.range(-0.49, 0.49) * g.cell_m;
            chosen = Some((x, y));
            if self.occupied.clear(x, y) {
                break;
            }
        }
        chosen
    }

    /// Places `count` hamlets of commune `comm` (None: any) in `cells` and splits `pop` among them
    /// in proportion to their raw sizes.
    fn place_group(
        &mut self,
        comm: Option<usize>,
        cells: &[u32],
        cum: &[f64],
        count: usize,
        pop: u64,
    ) -> Result<()> {
        let first = self.hamlets.len();
        for _ in 0..count {
            let Some((x, y)) = self.draw(cells, cum) else {
                continue;
            };
            self.occupied.insert(x, y);
            let commune = match comm {
                Some(k) => Some(k),
                None => self
                    .commune_of_cell
                    .at(x, y)
                    .filter(|&v| v >= 0)
                    .map(|v| v as usize),
            };
            self.raw_size.push(
                (self.params.size_sigma * self.rng.normal()).exp()
                    * (1.0 + 2.0 * town_boost(self.towns, x, y).min(40.0)),
            );
            self.hamlets.push(Hamlet {
                id: 0,
                name: String::new(),
                commune,
                x_m: x,
                y_m: y,
                lon: 0.0,
                lat: 0.0,
                population: 0,
                grid_power: true,
                area: geo::MultiPolygon(Vec::new()),
            });
        }
        let parts = apportion(pop, &self.raw_size[first..], 1);
        for (h, p) in self.hamlets[first..].iter_mut().zip(parts) {
            h.population = u32::try_from(p).map_err(|_| {
                Error::Config(format!("synth_hamlets: hamlet population {p} exceeds u32"))
            })?;
        }
        Ok(())
    }
}

/// Marks the `n` most remote hamlets unpowered: highest (road distance + ½ nearest-town distance)
/// × height × westness.
fn mark_unpowered(
    hamlets: &mut [Hamlet],
    terrain: &Raster<f32>,
    road_d: &CoarseField,
    towns: &[(f64, f64, u64)],
    n: usize,
) {
    if hamlets.is_empty() {
        return;
    }
    let (xmin, xmax) = hamlets
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, h| {
            (a.0.min(h.x_m), a.1.max(h.x_m))
        });
    let score: Vec<f64> = hamlets
        .iter()
        .map(|h| {
            let dr = (road_d.at(h.x_m, h.y_m) as f64).min(1e6);
            let dt = towns
                .iter()
                .map(|&(tx, ty, _)| (tx - h.x_m).hypot(ty - h.y_m))
                .fold(1e6, f64::min);
            let west = (xmax - h.x_m) / (xmax - xmin).max(1.0);
            let ht = terrain.at(h.x_m, h.y_m).unwrap_or(0.0).max(0.0) as f64;
            (dr + 0.5 * dt) * (0.3 + ht / 1000.0) * west * west
        })
        .collect();
    let mut order: Vec<usize> = (0..hamlets.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    for &k in order.iter().take(n) {
        hamlets[k].grid_power = false;
    }
}

/// Ids 1.., names ("Bản" above 300 m, else "Thôn") and longitude/latitude.
fn name_and_locate(hamlets: &mut [Hamlet], terrain: &Raster<f32>, proj: &Projector) -> Result<()> {
    let (mut xs, mut ys): (Vec<f64>, Vec<f64>) = hamlets.iter().map(|h| (h.x_m, h.y_m)).unzip();
    proj.unproject_many(&mut xs, &mut ys)?;
    for (k, h) in hamlets.iter_mut().enumerate() {
        h.id = k as u32 + 1;
        let mountain = terrain.at(h.x_m, h.y_m).unwrap_or(0.0) > 300.0;
        h.name = format!("{} {:04}", if mountain { "Bản" } else { "Thôn" }, k + 1);
        h.lon = xs[k];
        h.lat = ys[k];
    }
    Ok(())
}

/// Synthetic hamlets on the study grid.
///
/// * Positions: cells drawn with probability ∝ [`settlement_weights`] (lowland) × road attraction × town
///   attraction, blended with the mountain-valley weight (`mountain_share`), jittered inside the cell, at least `min_spacing_m` apart where possible.
/// * If any `commune_population` is `Some`, hamlets are apportioned to those communes by population
///   (≥ 1 each, `params.count` in total when possible) and each commune's hamlet populations add up
///   exactly to its census figure; communes with `None` get no hamlets. Otherwise `params.count`
///   hamlets share `params.total_population` exactly.
/// * Populations are log-normal × a town boost (big hamlets near large towns), apportioned by
///   largest remainder, ≥ 1 each when the total allows.
/// * The `params.unpowered` most remote hamlets (far from roads and towns, high, towards the western
///   border) get `grid_power = false`.
/// * Each hamlet's settled area is grown from its position over the terrain
///   ([`super::villages::grow_villages`]); its label point moves inside that polygon.
///
/// `towns` are (x, y, population) in the grid CRS; `commune_of_cell` holds commune indices (−1 none).
#[allow(clippy::too_many_arguments)]
pub fn synth_hamlets(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    commune_population: &[Option<u64>],
    roads: &[LineString<f64>],
    towns: &[(f64, f64, u64)],
    params: &HamletParams,
    seed: u64,
    proj: &Projector,
) -> Result<Vec<Hamlet>> {
    let g = &terrain.spec;
    if mask.spec != *g || commune_of_cell.spec != *g {
        return Err(Error::Config(
            "synth_hamlets: terrain, mask and commune rasters must share one grid".into(),
        ));
    }
    let road_d = road_distance(g, roads, 500.0);
    let (w, w_mtn) = placement_weights(terrain, mask, &road_d, towns, params);
    let census = commune_population.iter().any(|p| p.is_some());
    let groups = hamlet_groups(commune_population, census, params);
    let (by_comm, all) =
        candidate_cells(commune_of_cell, mask, &w, commune_population.len(), census);

    let mut placer = Placer {
        g,
        commune_of_cell,
        towns,
        params,
        rng: Rng::stream(seed, 0x4A_4D1E7),
        occupied: Occupied {
            bucket: params.min_spacing_m.max(1.0),
            spacing2: params.min_spacing_m * params.min_spacing_m,
            map: Default::default(),
        },
        hamlets: Vec::new(),
        raw_size: Vec::new(),
    };
    for &(comm, count, pop) in &groups {
        let cells: &[u32] = match comm {
            Some(k) => &by_comm[k],
            None => &all,
        };
        if cells.is_empty() {
            return Err(Error::Config(format!(
                "synth_hamlets: commune {} has population but no cell inside the study mask",
                comm.map_or(0, |k| k)
            )));
        }
        let cum = blended_cumulative(cells, &w, &w_mtn, params.mountain_share);
        placer.place_group(comm, cells, &cum, count, pop)?;
    }
    let mut hamlets = placer.hamlets;
    mark_unpowered(&mut hamlets, terrain, &road_d, towns, params.unpowered);
    super::villages::grow_villages(
        &mut hamlets,
        terrain,
        mask,
        commune_of_cell,
        &params.areas,
        seed,
    )?;
    name_and_locate(&mut hamlets, terrain, proj)?;
    Ok(hamlets)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use geo::Coord;

    /// A 60×40 km test world at 200 m: lowland in the east (20 m), mountains rising to the west
    /// (up to ~1,600 m, with ridges), a road along y = 20 km in the east half, two towns.
    pub(crate) type World = (
        Raster<f32>,
        Raster<u8>,
        Raster<i32>,
        Vec<LineString<f64>>,
        Vec<(f64, f64, u64)>,
    );

    pub(crate) fn world() -> World {
        let g = GridSpec {
            epsg: 32648,
            x0_m: 400_000.0,
            y0_m: 2_140_000.0,
            cell_m: 200.0,
            nx: 300,
            ny: 200,
        };
        let mut t = Raster::filled(g.clone(), 0f32, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let west = (1.0 - ix as f64 / 150.0).max(0.0);
                let ridges = ((ix as f64) * 0.35).sin() * ((iy as f64) * 0.27).cos();
                t.set(
                    ix,
                    iy,
                    (20.0 + 1200.0 * west + 400.0 * west * ridges) as f32,
                );
            }
        }
        let m = Raster::filled(g.clone(), 1u8, None);
        let mut c = Raster::filled(g.clone(), 0i32, Some(-1));
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                c.set(ix, iy, (ix / 100) as i32 + 3 * (iy / 100) as i32); // 6 communes
            }
        }
        let y = 2_120_000.0;
        let roads = vec![LineString::new(vec![
            Coord { x: 430_000.0, y },
            Coord { x: 459_000.0, y },
        ])];
        let towns = vec![(455_000.0, y, 80_000u64), (435_000.0, y, 5_000u64)];
        (t, m, c, roads, towns)
    }

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1.0, 1.0, 2.0], 0), vec![3, 2, 5]);
        assert_eq!(apportion(7, &[0.0, 0.0, 1.0], 1), vec![1, 1, 5]);
        let p = apportion(1_000_003, &[3.3, 1.1, 7.7, 0.01], 1);
        assert_eq!(p.iter().sum::<u64>(), 1_000_003);
        assert!(p.iter().all(|&v| v >= 1));
    }

    #[test]
    fn totals_conserved_without_census_and_unpowered_are_remote_and_western() {
        let (t, m, c, roads, towns) = world();
        let proj = Projector::new(32648).unwrap();
        let params = HamletParams {
            count: 800,
            total_population: 500_000,
            unpowered: 20,
            mountain_share: 0.0,
            ..Default::default()
        };
        let hs = synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &params, 4, &proj).unwrap();
        assert_eq!(hs.len(), 800);
        // Drawing half of them from mountain valleys moves hamlets west, into the hills.
        let mtn = HamletParams {
            mountain_share: 0.5,
            ..params.clone()
        };
        let hm = synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &mtn, 4, &proj).unwrap();
        let high = |v: &[Hamlet]| {
            v.iter()
                .filter(|h| t.at(h.x_m, h.y_m).unwrap_or(0.0) > 300.0)
                .count()
        };
        assert!(
            high(&hm) > high(&hs) + 100,
            "{} vs {}",
            high(&hm),
            high(&hs)
        );
        assert_eq!(hm.iter().map(|h| h.population as u64).sum::<u64>(), 500_000);
        assert_eq!(hs.iter().map(|h| h.population as u64).sum::<u64>(), 500_000);
        assert_eq!(hs.iter().filter(|h| !h.grid_power).count(), 20);
        let popw_lon = hs.iter().map(|h| h.lon * h.population as f64).sum::<f64>() / 500_000.0;
        let un: Vec<&Hamlet> = hs.iter().filter(|h| !h.grid_power).collect();
        let un_lon = un.iter().map(|h| h.lon).sum::<f64>() / un.len() as f64;
        assert!(un_lon < popw_lon, "{un_lon} vs {popw_lon}");
        let rd = road_distance(&t.spec, &roads, 500.0);
        let mean_rd = |v: &[&Hamlet]| {
            v.iter().map(|h| rd.at(h.x_m, h.y_m) as f64).sum::<f64>() / v.len() as f64
        };
        let all: Vec<&Hamlet> = hs.iter().collect();
        assert!(
            mean_rd(&un) > 1.5 * mean_rd(&all),
            "{} vs {}",
            mean_rd(&un),
            mean_rd(&all)
        );
        // Plains are preferred: more hamlets in the eastern (lowland) half than the western.
        let east = hs.iter().filter(|h| h.x_m > 430_000.0).count();
        assert!(east > 500, "{east}");
        // The biggest hamlet is near the big town.
        let big = hs.iter().max_by_key(|h| h.population).unwrap();
        assert!((big.x_m - 455_000.0).hypot(big.y_m - 2_120_000.0) < 8000.0);
        assert!(hs[0].name.starts_with("Thôn ") || hs[0].name.starts_with("Bản "));
        assert_eq!(
            hs,
            synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &params, 4, &proj).unwrap()
        );
    }

    #[test]
    fn per_commune_census_conserved_exactly() {
        let (t, m, c, roads, towns) = world();
        let proj = Projector::new(32648).unwrap();
        let pops = [
            Some(12_345),
            Some(1),
            None,
            Some(40_000),
            Some(999),
            Some(7),
        ];
        let params = HamletParams {
            count: 300,
            unpowered: 5,
            ..Default::default()
        };
        let hs = synth_hamlets(&t, &m, &c, &pops, &roads, &towns, &params, 2, &proj).unwrap();
        for (k, p) in pops.iter().enumerate() {
            let in_k: Vec<&Hamlet> = hs.iter().filter(|h| h.commune == Some(k)).collect();
            match p {
                Some(p) => {
                    assert!(!in_k.is_empty(), "commune {k}");
                    assert_eq!(
                        in_k.iter().map(|h| h.population as u64).sum::<u64>(),
                        *p,
                        "commune {k}"
                    );
                    // Hamlet lies in its commune's cells.
                    assert!(in_k.iter().all(|h| c.at(h.x_m, h.y_m) == Some(k as i32)));
                }
                None => assert!(in_k.is_empty()),
            }
        }
        assert_eq!(hs.len(), 300);
        assert_eq!(hs.iter().filter(|h| !h.grid_power).count(), 5);
    }
}
