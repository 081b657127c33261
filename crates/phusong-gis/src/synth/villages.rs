//! Synthetic village areas: each hamlet's settled area grown from its seed cell over the terrain.
//!
//! A village takes the cells a best-first flood from its seed reaches first, scored by rise above the
//! seed, slope and distance — so it fills the valley floor or the plain around its seed before
//! climbing a slope — until it reaches an area drawn for it (a few hectares in the lowlands, up to a
//! few km² for a scattered mountain bản), within a maximum radius, on land cells no other village
//! holds. Its polygon is the union of its cell squares; its label point is a point inside it.

use super::rng::Rng;
use crate::error::Result;
use geo::{InteriorPoint, MultiPolygon, Point, Polygon, Rect};
use phusong_engine::demand::Hamlet;
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::plan::exclusions::slope_deg;
use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Knobs of the village-area synthesis.
#[derive(Clone, Debug)]
pub struct VillageAreaParams {
    /// Seeds above this height are mountain bản, below it lowland thôn, m. Default 300.
    pub mountain_above_m: f64,
    /// Lowland village area range (drawn log-uniformly), ha. Default 3–20.
    pub lowland_ha: (f64, f64),
    /// Mountain village area range (drawn log-uniformly), ha. Default 30–150 (0.3–1.5 km²): a
    /// scattered bản larger than that is beyond what one tower covers in steep valleys (the demo's
    /// 1.9–3 km² bản were), so the plan could not target it.
    pub mountain_ha: (f64, f64),
    /// Score per degree of slope, in metres of rise. Default 3.
    pub slope_weight_m_per_deg: f64,
    /// Score per metre from the seed, in metres of rise (keeps villages compact). Default 0.15.
    pub distance_weight: f64,
    /// No cell farther from the seed than this many times the radius of a disc of the target area.
    /// Default 1.8.
    pub max_radius_factor: f64,
}

impl Default for VillageAreaParams {
    fn default() -> Self {
        VillageAreaParams {
            mountain_above_m: 300.0,
            lowland_ha: (3.0, 20.0),
            mountain_ha: (30.0, 150.0),
            slope_weight_m_per_deg: 3.0,
            distance_weight: 0.15,
            max_radius_factor: 1.8,
        }
    }
}

/// One village being grown: its seed cell, commune, height, target size and radius limit.
struct Grower {
    seed: usize,
    commune: i32,
    h0: f64,
    target: usize,
    r_max: f64,
    cells: Vec<usize>,
}

impl Grower {
    /// Score of cell `c` for this village (lower is settled first), or `None` past its radius.
    fn score(&self, terrain: &Raster<f32>, c: usize, p: &VillageAreaParams) -> Option<i64> {
        let g = &terrain.spec;
        let (ix, iy) = (c % g.nx, c / g.nx);
        let (sx, sy) = (self.seed % g.nx, self.seed / g.nx);
        let d = (ix as f64 - sx as f64).hypot(iy as f64 - sy as f64);
        if d > self.r_max {
            return None;
        }
        let rise = (terrain.data[c] as f64 - self.h0).max(0.0);
        let s = rise
            + p.slope_weight_m_per_deg * slope_deg(terrain, ix, iy)
            + p.distance_weight * d * g.cell_m;
        // Millimetre integers order scores exactly; ties go to the lower cell, then village.
        Some((s * 1000.0) as i64)
    }
}

/// Grows every village at once (a multi-source best-first flood): the free land cell with the
/// lowest score for a village bordering it goes to that village, until each has its target size
/// or no cell within its radius is left. Cells go to one village each.
fn grow_all(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    owner: &mut [u32],
    growers: &mut [Grower],
    p: &VillageAreaParams,
) {
    let g = &terrain.spec;
    let mut heap = BinaryHeap::new();
    let push = |heap: &mut BinaryHeap<_>, owner: &[u32], v: usize, gr: &Grower, c: usize| {
        for n in neighbours4(g, c) {
            if owner[n] == u32::MAX && mask.data[n] == 1 && commune_of_cell.data[n] == gr.commune {
                if let Some(s) = gr.score(terrain, n, p) {
                    heap.push(Reverse((s, n, v)));
                }
            }
        }
    };
    for (v, gr) in growers.iter().enumerate() {
        if !gr.cells.is_empty() && gr.cells.len() < gr.target {
            push(&mut heap, owner, v, gr, gr.seed);
        }
    }
    while let Some(Reverse((_, c, v))) = heap.pop() {
        let gr = &mut growers[v];
        if owner[c] != u32::MAX || gr.cells.len() >= gr.target {
            continue;
        }
        owner[c] = v as u32;
        gr.cells.push(c);
        if gr.cells.len() < gr.target {
            push(&mut heap, owner, v, &growers[v], c);
        }
    }
}

fn neighbours4(g: &GridSpec, c: usize) -> impl Iterator<Item = usize> {
    let (ix, iy, nx, ny) = (c % g.nx, c / g.nx, g.nx, g.ny);
    [
        (ix > 0).then(|| c - 1),
        (ix + 1 < nx).then(|| c + 1),
        (iy > 0).then(|| c - nx),
        (iy + 1 < ny).then(|| c + nx),
    ]
    .into_iter()
    .flatten()
}

/// Removes checkerboard 2×2 patterns (two cells of the village touching only at a corner), which
/// would make its outline touch itself: the corner is filled with a free cell, else the later cell
/// of the pair is given up (never the seed, `cells[0]`).
fn unpinch(g: &GridSpec, owner: &mut [u32], me: u32, cells: &mut Vec<usize>) {
    let mine = |owner: &[u32], ix: usize, iy: usize| owner[iy * g.nx + ix] == me;
    for _round in 0..8 {
        let mut changed = false;
        let mut k = 0;
        while k < cells.len() {
            let c = cells[k];
            let (ix, iy) = (c % g.nx, c / g.nx);
            k += 1;
            if ix + 1 >= g.nx || iy + 1 >= g.ny {
                continue;
            }
            let (a, b) = (mine(owner, ix, iy), mine(owner, ix + 1, iy));
            let (cc, d) = (mine(owner, ix, iy + 1), mine(owner, ix + 1, iy + 1));
            // The 2×2 block with top-left c: pinched when exactly one diagonal is the village's.
            let pinch = (a && d && !b && !cc) || (b && cc && !a && !d);
            if !pinch {
                continue;
            }
            let fill = [(ix + 1, iy), (ix, iy + 1), (ix, iy), (ix + 1, iy + 1)]
                .into_iter()
                .map(|(x, y)| y * g.nx + x)
                .find(|&q| owner[q] == u32::MAX);
            match fill {
                Some(q) => {
                    owner[q] = me;
                    cells.push(q);
                }
                None => {
                    let pair = if a && d {
                        [c, c + g.nx + 1]
                    } else {
                        [c + 1, c + g.nx]
                    };
                    let drop = pair
                        .iter()
                        .copied()
                        .filter(|&q| q != cells[0])
                        .max_by_key(|q| cells.iter().position(|x| x == q));
                    if let Some(q) = drop {
                        owner[q] = u32::MAX;
                        cells.retain(|&x| x != q);
                    }
                }
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

/// The union of the cells' squares (a valid polygon: no pinches, see [`unpinch`]).
pub fn cells_polygon(g: &GridSpec, cells: &[usize]) -> MultiPolygon<f64> {
    let squares: Vec<Polygon<f64>> = cells
        .iter()
        .map(|&c| {
            let (x, y) = g.center(c % g.nx, c / g.nx);
            let h = g.cell_m / 2.0;
            Rect::new((x - h, y - h), (x + h, y + h)).to_polygon()
        })
        .collect();
    geo::unary_union(&squares)
}

/// The free land cell of `c`'s commune nearest to `c` within `r` cells (rings outwards, row-major
/// within a ring).
fn free_near(
    owner: &[u32],
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    c: usize,
    r: i64,
) -> Option<usize> {
    let g = &mask.spec;
    let k0 = commune_of_cell.data[c];
    let (cx, cy) = ((c % g.nx) as i64, (c / g.nx) as i64);
    for k in 0..=r {
        for dy in -k..=k {
            for dx in -k..=k {
                let (x, y) = (cx + dx, cy + dy);
                if dx.abs().max(dy.abs()) != k || x < 0 || y < 0 {
                    continue;
                }
                let (x, y) = (x as usize, y as usize);
                if x < g.nx && y < g.ny {
                    let q = g.index(x, y);
                    if owner[q] == u32::MAX && mask.data[q] == 1 && commune_of_cell.data[q] == k0 {
                        return Some(q);
                    }
                }
            }
        }
    }
    None
}

/// Draws each village's area and grows all villages together from their label points' cells (a
/// seed already taken moves to the nearest free land cell within 5 cells), each within its seed's
/// commune (so the village, and its label point, stay in the commune it was placed in), then sets
/// each one's polygon and a label point inside it. A village with no cell (off the grid, or nothing
/// free near it) keeps a one-cell square where it stands.
pub fn grow_villages(
    hamlets: &mut [Hamlet],
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    commune_of_cell: &Raster<i32>,
    p: &VillageAreaParams,
    seed: u64,
) -> Result<()> {
    let g = &terrain.spec;
    let mut rng = Rng::stream(seed, 0x05E7_71ED);
    let cell_ha = g.cell_m * g.cell_m / 1e4;
    let mut owner = vec![u32::MAX; g.len()];
    let mut growers = Vec::with_capacity(hamlets.len());
    for (i, h) in hamlets.iter().enumerate() {
        let u = rng.f64();
        let seed_cell = g
            .cell_of(h.x_m, h.y_m)
            .and_then(|(ix, iy)| free_near(&owner, mask, commune_of_cell, g.index(ix, iy), 5));
        let h0 = seed_cell.map_or(0.0, |c| terrain.data[c] as f64);
        let (lo, hi) = if h0 > p.mountain_above_m {
            p.mountain_ha
        } else {
            p.lowland_ha
        };
        let target = ((lo * (hi / lo).powf(u) / cell_ha).round() as usize).max(1);
        let mut cells = Vec::new();
        if let Some(c) = seed_cell {
            owner[c] = i as u32;
            cells.push(c);
        }
        growers.push(Grower {
            seed: seed_cell.unwrap_or(0),
            commune: seed_cell.map_or(-1, |c| commune_of_cell.data[c]),
            h0,
            target,
            r_max: p.max_radius_factor * (target as f64 / std::f64::consts::PI).sqrt() + 1.5,
            cells,
        });
    }
    grow_all(terrain, mask, commune_of_cell, &mut owner, &mut growers, p);
    for (v, gr) in growers.iter_mut().enumerate() {
        unpinch(g, &mut owner, v as u32, &mut gr.cells);
        gr.cells.sort_unstable();
    }
    let areas: Vec<Option<MultiPolygon<f64>>> = growers
        .par_iter()
        .map(|gr| (!gr.cells.is_empty()).then(|| cells_polygon(g, &gr.cells)))
        .collect();
    for (h, area) in hamlets.iter_mut().zip(areas) {
        match area {
            Some(a) => {
                if let Some(pt) = a.interior_point() {
                    (h.x_m, h.y_m) = (pt.x(), pt.y());
                }
                h.area = a;
            }
            None => h.area = point_cell(g, Point::new(h.x_m, h.y_m)),
        }
    }
    Ok(())
}

/// A one-cell-sized square centred on a point (a village that found no free cell of its own).
fn point_cell(g: &GridSpec, p: Point<f64>) -> MultiPolygon<f64> {
    let h = g.cell_m / 2.0;
    MultiPolygon(vec![Rect::new(
        (p.x() - h, p.y() - h),
        (p.x() + h, p.y() + h),
    )
    .to_polygon()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use crate::synth::hamlets::{synth_hamlets, tests::world, HamletParams};
    use geo::{Area, Validation};
    use phusong_engine::demand::VillageCells;

    /// Villages grown on the test world: valid polygons that are exactly their cells, no cell in
    /// two villages, and settled cells lower and flatter than the ring of cells around them.
    #[test]
    fn villages_follow_the_terrain_and_do_not_overlap() {
        let (t, m, c, roads, towns) = world();
        let proj = Projector::new(32648).unwrap();
        let params = HamletParams {
            count: 300,
            total_population: 100_000,
            unpowered: 5,
            mountain_share: 0.6,
            ..Default::default()
        };
        let hs = synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &params, 7, &proj).unwrap();
        let g = &t.spec;
        let vc = VillageCells::new(&m, &hs);
        assert!(vc.off_grid.is_empty());
        let mut owner = vec![usize::MAX; g.len()];
        let cell_m2 = g.cell_m * g.cell_m;
        let (mut in_h, mut in_s, mut n_in) = (0.0, 0.0, 0usize);
        let (mut ring_h, mut ring_s, mut n_ring) = (0.0, 0.0, 0usize);
        let mut sizes = Vec::new();
        for (i, h) in hs.iter().enumerate() {
            assert!(h.area.is_valid(), "village {i} polygon invalid");
            let cells = &vc.cells[i];
            // The polygon is the union of its cells: same area, and the label point inside it.
            let area = h.area.unsigned_area();
            assert!((area - cells.len() as f64 * cell_m2).abs() < 1e-6 * area.max(1.0));
            assert!(cells
                .iter()
                .any(|&(q, _)| Some(q) == g.cell_of(h.x_m, h.y_m).map(|(x, y)| g.index(x, y))));
            assert_eq!(
                cells.iter().map(|x| x.1 as u64).sum::<u64>(),
                h.population as u64
            );
            for &(q, _) in cells {
                assert_eq!(
                    owner[q],
                    usize::MAX,
                    "cell {q} in villages {} and {i}",
                    owner[q]
                );
                owner[q] = i;
            }
            sizes.push(cells.len());
        }
        // Lowland villages are 3–20 ha (1–5 cells of 4 ha), mountain ones up to 38 cells.
        assert!(sizes.iter().all(|&n| n <= 38));
        assert!(sizes.iter().filter(|&&n| n >= 12).count() > 30, "{sizes:?}");
        for (i, cells) in vc.cells.iter().enumerate() {
            if cells.len() < 4 {
                continue;
            }
            for &(q, _) in cells {
                let (ix, iy) = (q % g.nx, q / g.nx);
                in_h += t.get(ix, iy) as f64;
                in_s += slope_deg(&t, ix, iy);
                n_in += 1;
            }
            // The ring: cells within 2 cells of the village, outside every village.
            let mut ring = std::collections::BTreeSet::new();
            for &(q, _) in cells {
                let (ix, iy) = ((q % g.nx) as i64, (q / g.nx) as i64);
                for dy in -2..=2 {
                    for dx in -2..=2 {
                        let (x, y) = (ix + dx, iy + dy);
                        if x >= 0 && y >= 0 && (x as usize) < g.nx && (y as usize) < g.ny {
                            let r = g.index(x as usize, y as usize);
                            if owner[r] == usize::MAX {
                                ring.insert(r);
                            }
                        }
                    }
                }
            }
            for r in ring {
                let (ix, iy) = (r % g.nx, r / g.nx);
                ring_h += t.get(ix, iy) as f64;
                ring_s += slope_deg(&t, ix, iy);
                n_ring += 1;
            }
            assert!(owner[cells[0].0] == i);
        }
        let (in_h, in_s) = (in_h / n_in as f64, in_s / n_in as f64);
        let (ring_h, ring_s) = (ring_h / n_ring as f64, ring_s / n_ring as f64);
        assert!(n_in > 500, "{n_in}");
        assert!(
            in_h < ring_h - 10.0,
            "settled {in_h:.1} m vs ring {ring_h:.1} m"
        );
        assert!(
            in_s < ring_s - 1.0,
            "settled {in_s:.2}° vs ring {ring_s:.2}°"
        );
    }

    /// Villages written to `inputs/hamlets.gpkg` and read back (what every stage after synth sees)
    /// keep their polygons, label points and cells.
    #[test]
    fn villages_round_trip_through_the_inputs_geopackage() {
        let (t, m, c, roads, towns) = world();
        let proj = Projector::new(32648).unwrap();
        let params = HamletParams {
            count: 120,
            total_population: 50_000,
            unpowered: 3,
            mountain_share: 0.5,
            ..Default::default()
        };
        let hs = synth_hamlets(&t, &m, &c, &[None; 6], &roads, &towns, &params, 3, &proj).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hamlets.gpkg");
        crate::io::gpkg::write_gpkg(&path, &[crate::export::hamlets_layer(&hs, 32648, None)])
            .unwrap();
        let back = crate::io::vector_in::read_hamlets(
            &path,
            None,
            &crate::io::vector_in::HamletFields::default(),
            32648,
            300.0,
        )
        .unwrap();
        assert_eq!(back.len(), hs.len());
        for (a, b) in hs.iter().zip(&back) {
            assert_eq!(
                (a.population, a.grid_power, &a.name),
                (b.population, b.grid_power, &b.name)
            );
            assert!(
                (a.x_m - b.x_m).abs() < 1e-6 && (a.y_m - b.y_m).abs() < 1e-6,
                "{}",
                a.name
            );
        }
        assert_eq!(VillageCells::new(&m, &hs), VillageCells::new(&m, &back));
    }
}
