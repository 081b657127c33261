//! Approximate road network (used only when no real road layer is given): a minimum spanning tree over
//! the towns whose edges follow least-cost paths on a coarse cost grid, so roads keep to valleys and
//! plains. Dijkstra's algorithm (E. W. Dijkstra, "A note on two problems in connexion with graphs",
//! Numer. Math. 1, 1959) gives the paths; Prim's algorithm (R. C. Prim, "Shortest connection networks
//! and some generalizations", Bell Syst. Tech. J. 36, 1957) the tree over the path costs.

use super::noise::Noise2;
use super::rng::derive;
use geo::{Coord, LineString};
use phusong_engine::grid::{GridSpec, Raster};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Knobs of the road synthesis.
#[derive(Clone, Debug)]
pub struct RoadParams {
    /// Side of a cost-grid cell, m.
    pub cost_cell_m: f64,
    /// Cost added per unit of mean absolute slope (m/m) in a cost cell.
    pub slope_weight: f64,
    /// Cost added per km of height.
    pub height_weight: f64,
    /// Cost multiplier outside the study mask (roads may cross it only to stay connected).
    pub outside_factor: f64,
}

impl Default for RoadParams {
    fn default() -> Self {
        RoadParams {
            cost_cell_m: 1000.0,
            slope_weight: 40.0,
            height_weight: 1.0,
            outside_factor: 4.0,
        }
    }
}

/// Road centre-lines (grid CRS) joining all `towns` (x, y in the grid CRS), with default knobs.
pub fn synth_roads(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    towns: &[(f64, f64)],
    seed: u64,
) -> Vec<LineString<f64>> {
    synth_roads_with(terrain, mask, towns, seed, &RoadParams::default())
}

/// [`synth_roads`] with explicit knobs. Towns outside the grid are ignored; towns in the same cost
/// cell are joined by a straight segment.
pub fn synth_roads_with(
    terrain: &Raster<f32>,
    mask: &Raster<u8>,
    towns: &[(f64, f64)],
    seed: u64,
    p: &RoadParams,
) -> Vec<LineString<f64>> {
    let cg = CostGrid::from_terrain(terrain, mask, seed, p);
    let nodes: Vec<(usize, (f64, f64))> = towns
        .iter()
        .filter_map(|&(x, y)| {
            cg.spec
                .cell_of(x, y)
                .map(|(ix, iy)| (cg.spec.index(ix, iy), (x, y)))
        })
        .collect();
    if nodes.len() < 2 {
        return vec![];
    }
    // One Dijkstra per town: costs to every cell and predecessor trees.
    let runs: Vec<(Vec<f64>, Vec<u32>)> = nodes.iter().map(|&(c, _)| cg.dijkstra(c)).collect();
    // Prim over the complete graph of path costs.
    let n = nodes.len();
    let mut in_tree = vec![false; n];
    let mut best = vec![(f64::INFINITY, usize::MAX); n];
    in_tree[0] = true;
    for j in 1..n {
        best[j] = (runs[0].0[nodes[j].0], 0);
    }
    let mut roads = Vec::with_capacity(n - 1);
    for _ in 1..n {
        let Some(j) = (0..n)
            .filter(|&j| !in_tree[j])
            .min_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(a.cmp(&b)))
        else {
            break;
        };
        in_tree[j] = true;
        let i = best[j].1;
        // Path from town i's tree: walk predecessors from j's cell back to i's cell.
        let pred = &runs[i].1;
        let mut cells = vec![nodes[j].0];
        let mut c = nodes[j].0;
        while c != nodes[i].0 && pred[c] != u32::MAX {
            c = pred[c] as usize;
            cells.push(c);
        }
        let mut coords = vec![Coord {
            x: nodes[j].1 .0,
            y: nodes[j].1 .1,
        }];
        // Interior cells only (none when both towns share a cell, or are neighbours).
        let interior = cells.get(1..cells.len().saturating_sub(1)).unwrap_or(&[]);
        for &c in interior {
            let (x, y) = cg.spec.center(c % cg.spec.nx, c / cg.spec.nx);
            coords.push(Coord { x, y });
        }
        coords.push(Coord {
            x: nodes[i].1 .0,
            y: nodes[i].1 .1,
        });
        roads.push(LineString::new(coords));
        for k in 0..n {
            if !in_tree[k] {
                let d = runs[j].0[nodes[k].0];
                if d < best[k].0 {
                    best[k] = (d, j);
                }
            }
        }
    }
    roads
}

/// Per-cell traversal cost (per metre) on a coarse grid.
pub(crate) struct CostGrid {
    pub spec: GridSpec,
    pub cost: Vec<f64>,
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1)) // min-heap, ties by index
    }
}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl CostGrid {
    fn from_terrain(t: &Raster<f32>, mask: &Raster<u8>, seed: u64, p: &RoadParams) -> Self {
        let g = &t.spec;
        let k = (p.cost_cell_m / g.cell_m).round().max(1.0) as usize;
        let spec = GridSpec {
            epsg: g.epsg,
            x0_m: g.x0_m,
            y0_m: g.y0_m,
            cell_m: g.cell_m * k as f64,
            nx: g.nx.div_ceil(k),
            ny: g.ny.div_ceil(k),
        };
        let wobble = Noise2::new(derive(seed, 0x20AD));
        let mut cost = vec![0f64; spec.len()];
        for cy in 0..spec.ny {
            for cx in 0..spec.nx {
                let (mut sh, mut sg, mut inside, mut m) = (0.0, 0.0, 0usize, 0usize);
                for iy in cy * k..((cy + 1) * k).min(g.ny) {
                    for ix in cx * k..((cx + 1) * k).min(g.nx) {
                        let h = t.get(ix, iy) as f64;
                        let hx = t.get((ix + 1).min(g.nx - 1), iy) as f64;
                        let hy = t.get(ix, (iy + 1).min(g.ny - 1)) as f64;
                        sh += h;
                        sg += ((hx - h).abs() + (hy - h).abs()) / (2.0 * g.cell_m);
                        inside += usize::from(mask.data[iy * g.nx + ix] != 0);
                        m += 1;
                    }
                }
                let (h, slope) = (sh / m as f64, sg / m as f64);
                let (x, y) = spec.center(cx, cy);
                // ±15 % smooth wobble so ties on flat land resolve into natural-looking curves.
                let w = 1.0 + 0.15 * wobble.fbm(x / 8000.0, y / 8000.0, 2, 2.0, 0.5);
                let mut c =
                    (1.0 + p.slope_weight * slope + p.height_weight * h.max(0.0) / 1000.0) * w;
                if inside * 2 < m {
                    c *= p.outside_factor;
                }
                cost[spec.index(cx, cy)] = c;
            }
        }
        CostGrid { spec, cost }
    }

    /// Least accumulated cost from `src` to every cell (8-connected, step cost = length × mean of the
    /// two cells' costs) and the predecessor of each cell (u32::MAX for none).
    pub fn dijkstra(&self, src: usize) -> (Vec<f64>, Vec<u32>) {
        let (nx, ny) = (self.spec.nx, self.spec.ny);
        let mut dist = vec![f64::INFINITY; nx * ny];
        let mut pred = vec![u32::MAX; nx * ny];
        let mut heap = BinaryHeap::new();
        dist[src] = 0.0;
        heap.push(Item(0.0, src));
        let s = self.spec.cell_m;
        while let Some(Item(d, c)) = heap.pop() {
            if d > dist[c] {
                continue;
            }
            let (cx, cy) = ((c % nx) as isize, (c / nx) as isize);
            for (dx, dy) in [
                (-1, -1),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (jx, jy) = (cx + dx, cy + dy);
                if jx < 0 || jy < 0 || jx >= nx as isize || jy >= ny as isize {
                    continue;
                }
                let j = jy as usize * nx + jx as usize;
                let len = if dx != 0 && dy != 0 {
                    s * std::f64::consts::SQRT_2
                } else {
                    s
                };
                let nd = d + len * 0.5 * (self.cost[c] + self.cost[j]);
                if nd < dist[j] {
                    dist[j] = nd;
                    pred[j] = c as u32;
                    heap.push(Item(nd, j));
                }
            }
        }
        (dist, pred)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(nx: usize, ny: usize) -> (Raster<f32>, Raster<u8>) {
        let g = GridSpec {
            epsg: 32648,
            x0_m: 0.0,
            y0_m: 100_000.0,
            cell_m: 250.0,
            nx,
            ny,
        };
        (
            Raster::filled(g.clone(), 10f32, None),
            Raster::filled(g, 1u8, None),
        )
    }

    #[test]
    fn path_cost_never_exceeds_straight_line_cost() {
        // Hand-made cost grid: a high-cost wall with a gap.
        let spec = GridSpec {
            epsg: 32648,
            x0_m: 0.0,
            y0_m: 0.0,
            cell_m: 1000.0,
            nx: 20,
            ny: 10,
        };
        let mut cost = vec![1.0; spec.len()];
        for iy in 0..9 {
            cost[spec.index(10, iy)] = 50.0;
        }
        let cg = CostGrid {
            spec: spec.clone(),
            cost,
        };
        let (a, b) = (spec.index(2, 4), spec.index(17, 4));
        let (dist, _) = cg.dijkstra(a);
        // Straight row 4 from x=2 to x=17: 15 unit steps, crossing the wall cell.
        let straight: f64 = (2..17)
            .map(|x| 1000.0 * 0.5 * (cg.cost[spec.index(x, 4)] + cg.cost[spec.index(x + 1, 4)]))
            .sum();
        assert!(dist[b] <= straight + 1e-9);
        assert!(
            dist[b] < 0.5 * straight,
            "detour through the gap should be far cheaper"
        );
        // On a uniform grid, the cost of 15 straight steps is exact.
        let cu = CostGrid {
            spec: spec.clone(),
            cost: vec![1.0; spec.len()],
        };
        assert!((cu.dijkstra(a).0[b] - 15_000.0).abs() < 1e-6);
    }

    #[test]
    fn every_town_connected_and_deterministic() {
        let (t, m) = flat(200, 160);
        let towns: Vec<(f64, f64)> = (0..7)
            .map(|k| {
                (
                    3000.0 + 6000.0 * k as f64,
                    95_000.0 - 4500.0 * k as f64 % 30_000.0,
                )
            })
            .collect();
        let roads = synth_roads(&t, &m, &towns, 5);
        assert_eq!(roads.len(), towns.len() - 1);
        // Union–find over road endpoints.
        let idx = |c: Coord<f64>| {
            towns
                .iter()
                .position(|&(x, y)| (x - c.x).abs() < 1e-9 && (y - c.y).abs() < 1e-9)
                .unwrap()
        };
        let mut parent: Vec<usize> = (0..towns.len()).collect();
        fn find(p: &mut Vec<usize>, i: usize) -> usize {
            if p[i] != i {
                let r = find(p, p[i]);
                p[i] = r;
            }
            p[i]
        }
        for r in &roads {
            let (a, b) = (idx(r.0[0]), idx(*r.0.last().unwrap()));
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra] = rb;
        }
        let root = find(&mut parent, 0);
        assert!((0..towns.len()).all(|i| find(&mut parent, i) == root));
        assert_eq!(roads, synth_roads(&t, &m, &towns, 5));
    }

    /// Real place lists: two towns in one cost cell, a repeated town, towns off the grid. Every town
    /// on the grid is joined (n − 1 roads for n towns on the grid), each road runs between two of
    /// them, and nothing panics (issue 11: `slice index starts at 1 but ends at 0`).
    #[test]
    fn towns_sharing_a_cell_duplicates_and_towns_off_the_grid() {
        let (t, m) = flat(80, 60); // 20 km × 15 km, cost cells of 1 km
        let on_grid = [
            (5_100.0, 95_100.0),
            (5_300.0, 95_400.0), // same 1-km cost cell as the first
            (5_100.0, 95_100.0), // the first again (duplicate row in a places file)
            (15_000.0, 90_000.0),
            (16_000.0, 90_000.0), // neighbouring cell
        ];
        let off = [(-3_000.0, 95_000.0), (5_000.0, 200_000.0)];
        let towns: Vec<(f64, f64)> = on_grid.iter().chain(off.iter()).copied().collect();
        let roads = synth_roads(&t, &m, &towns, 3);
        assert_eq!(roads.len(), on_grid.len() - 1);
        for r in &roads {
            assert!(r.0.len() >= 2);
            for end in [r.0[0], *r.0.last().unwrap()] {
                assert!(
                    on_grid.iter().any(|&(x, y)| x == end.x && y == end.y),
                    "road end {end:?} is not a town on the grid"
                );
            }
        }
        // All towns in one cell: still a tree of straight segments.
        let same = [
            (5_100.0, 95_100.0),
            (5_200.0, 95_200.0),
            (5_300.0, 95_300.0),
        ];
        let r = synth_roads(&t, &m, &same, 3);
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|l| l.0.len() == 2));
        // One town on the grid, or none: no roads.
        assert!(synth_roads(&t, &m, &[(5_100.0, 95_100.0), (-1.0, 0.0)], 3).is_empty());
        assert!(synth_roads(&t, &m, &[], 3).is_empty());
    }

    #[test]
    fn roads_avoid_a_mountain_between_two_towns() {
        let (mut t, m) = flat(200, 120);
        // A 1,500 m ridge across the middle, with a pass at the south edge.
        for iy in 0..100 {
            for ix in 95..105 {
                t.set(ix, iy, 1500.0);
            }
        }
        let towns = [(5_000.0, 90_000.0), (45_000.0, 90_000.0)];
        let roads = synth_roads(&t, &m, &towns, 1);
        assert_eq!(roads.len(), 1);
        let min_y = roads[0].0.iter().map(|c| c.y).fold(f64::INFINITY, f64::min);
        // The pass lies below y = 100 000 − 100·250 = 75 000.
        assert!(
            min_y < 75_000.0,
            "road should go round through the pass, min y {min_y}"
        );
    }
}
