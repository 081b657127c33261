//! Villages on the study grid: the cells a village's polygon covers and the people living in each.
//!
//! A village's cells are the grid cells whose centre lies inside its polygon; a village smaller than
//! one cell (or too thin to hold a cell centre) takes the cell holding its centroid. Its population
//! is spread evenly over its cells in whole people. Its coverage is the share of its cells at or
//! above the threshold — with people spread evenly, that is the population-weighted share.

use crate::demand::Hamlet;
use crate::grid::{GridSpec, Raster};
use geo::{BoundingRect, Centroid, Contains, Point};
use rayon::prelude::*;

/// Every village's cells, and what could not be placed on the grid.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VillageCells {
    /// Per village (study order): (grid cell index, people), cells ascending; the people sum to the
    /// village's population exactly (empty when the village has no cell on the grid).
    pub cells: Vec<Vec<(usize, u32)>>,
    /// Villages with no cell on the grid (indices): no coverage can be computed for them.
    pub off_grid: Vec<usize>,
    /// Villages whose polygon reaches past the grid's edge (the cells beyond are not counted).
    pub partly_off_grid: usize,
    /// Villages that took the cell holding their centroid (no cell centre inside the polygon).
    pub from_centroid: usize,
    /// Village cells outside the study mask (kept: people live there and get a signal).
    pub cells_off_mask: usize,
}

/// The share of a village's `n` cells that `covered` of them make (0 when it has none).
pub fn share(covered: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        covered as f64 / n as f64
    }
}

/// Whether `covered` of `n` cells reach `min_share` (the one rule the roll-up and the plan share).
pub fn village_covered(covered: usize, n: usize, min_share: f64) -> bool {
    n > 0 && share(covered, n) >= min_share
}

/// `population` spread over `cells` (ascending): ⌊P/n⌋ each, one more for the first P mod n cells,
/// so the sum is P exactly.
fn spread(cells: Vec<usize>, population: u32) -> Vec<(usize, u32)> {
    let n = cells.len() as u32;
    if n == 0 {
        return Vec::new();
    }
    let (q, r) = (population / n, population % n);
    cells
        .into_iter()
        .enumerate()
        .map(|(k, c)| (c, q + u32::from((k as u32) < r)))
        .collect()
}

/// Cells (ascending grid index) whose centre lies inside `h.area`, or the centroid's cell; the flag
/// says whether the polygon's bounding box reaches past the grid.
fn cells_of(grid: &GridSpec, h: &Hamlet) -> (Vec<usize>, bool, bool) {
    let Some(bb) = h.area.bounding_rect() else {
        let c = grid
            .cell_of(h.x_m, h.y_m)
            .map(|(ix, iy)| grid.index(ix, iy));
        return (c.into_iter().collect(), false, true);
    };
    let (fx0, fy0) = grid.frac(bb.min().x, bb.max().y);
    let (fx1, fy1) = grid.frac(bb.max().x, bb.min().y);
    let past = fx0 < 0.0 || fy0 < 0.0 || fx1 > grid.nx as f64 || fy1 > grid.ny as f64;
    // Cells whose centre (index + 0.5) can lie in [f0, f1].
    let lo = |f: f64| (f - 0.5).ceil().max(0.0) as usize;
    let hi = |f: f64, n: usize| ((f - 0.5).floor()).min(n as f64 - 1.0);
    let mut out = Vec::new();
    let (x_hi, y_hi) = (hi(fx1, grid.nx), hi(fy1, grid.ny));
    if x_hi >= 0.0 && y_hi >= 0.0 {
        for iy in lo(fy0)..=y_hi as usize {
            for ix in lo(fx0)..=x_hi as usize {
                let (x, y) = grid.center(ix, iy);
                if h.area.contains(&Point::new(x, y)) {
                    out.push(grid.index(ix, iy));
                }
            }
        }
    }
    if !out.is_empty() {
        return (out, past, false);
    }
    let c = h.area.centroid().unwrap_or(Point::new(h.x_m, h.y_m));
    let cell = grid
        .cell_of(c.x(), c.y())
        .map(|(ix, iy)| grid.index(ix, iy));
    (cell.into_iter().collect(), past, true)
}

impl VillageCells {
    /// Maps every village to its cells on `mask`'s grid (in parallel; the result is in village
    /// order, so deterministic).
    pub fn new(mask: &Raster<u8>, hamlets: &[Hamlet]) -> VillageCells {
        let grid = &mask.spec;
        let per: Vec<(Vec<usize>, bool, bool)> =
            hamlets.par_iter().map(|h| cells_of(grid, h)).collect();
        let mut out = VillageCells::default();
        for (i, ((cells, past, centroid), h)) in per.into_iter().zip(hamlets).enumerate() {
            if cells.is_empty() {
                out.off_grid.push(i);
            }
            out.partly_off_grid += usize::from(past);
            out.from_centroid += usize::from(centroid && !cells.is_empty());
            out.cells_off_mask += cells.iter().filter(|&&c| mask.data[c] != 1).count();
            out.cells.push(spread(cells, h.population));
        }
        out
    }

    /// People per grid cell (villages that overlap add up), over `len` cells.
    pub fn people_per_cell(&self, len: usize) -> Vec<u64> {
        let mut people = vec![0u64; len];
        for v in &self.cells {
            for &(c, p) in v {
                if let Some(x) = people.get_mut(c) {
                    *x += p as u64;
                }
            }
        }
        people
    }

    /// What could not be mapped cleanly, one sentence each (empty when all is well).
    pub fn warnings(&self, hamlets: &[Hamlet]) -> Vec<String> {
        let mut w = Vec::new();
        if let Some(&first) = self.off_grid.first() {
            w.push(format!(
                "villages: {} of {} have no cell on the study grid (first: '{}'); they count as \
                 uncovered",
                self.off_grid.len(),
                hamlets.len(),
                hamlets.get(first).map_or("", |h| h.name.as_str())
            ));
        }
        if self.partly_off_grid > 0 {
            w.push(format!(
                "villages: {} reach past the study grid's edge; only their cells on the grid count",
                self.partly_off_grid
            ));
        }
        if self.cells_off_mask > 0 {
            w.push(format!(
                "villages: {} village cells lie outside the study area's land mask; they count \
                 for their village",
                self.cells_off_mask
            ));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn grid() -> GridSpec {
        GridSpec {
            epsg: 32648,
            x0_m: 0.0,
            y0_m: 1000.0,
            cell_m: 100.0,
            nx: 10,
            ny: 10,
        }
    }

    fn village(area: MultiPolygon<f64>, population: u32) -> Hamlet {
        Hamlet {
            id: 1,
            name: "v".into(),
            commune: None,
            x_m: 0.0,
            y_m: 0.0,
            lon: 0.0,
            lat: 0.0,
            population,
            grid_power: true,
            area,
        }
    }

    #[test]
    fn population_is_conserved_and_even() {
        for (p, n) in [(0u32, 5usize), (7, 3), (100, 7), (3, 10), (u32::MAX, 13)] {
            let s = spread((0..n).map(|c| c * 2).collect(), p);
            assert_eq!(s.iter().map(|x| x.1 as u64).sum::<u64>(), p as u64);
            let (lo, hi) = (s.iter().map(|x| x.1).min(), s.iter().map(|x| x.1).max());
            assert!(hi.unwrap() - lo.unwrap() <= 1, "{p} over {n}: {s:?}");
        }
    }

    #[test]
    fn cells_are_those_whose_centre_is_inside() {
        let g = grid();
        let mask = Raster::filled(g.clone(), 1u8, None);
        // A triangle: brute force over every cell centre.
        let tri = MultiPolygon(vec![polygon![
            (x: 120.0, y: 130.0),
            (x: 870.0, y: 220.0),
            (x: 400.0, y: 940.0),
        ]]);
        let vc = VillageCells::new(&mask, &[village(tri.clone(), 1000)]);
        let mut want = Vec::new();
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                if tri.contains(&Point::new(x, y)) {
                    want.push(g.index(ix, iy));
                }
            }
        }
        assert!(want.len() > 10);
        assert_eq!(vc.cells[0].iter().map(|c| c.0).collect::<Vec<_>>(), want);
        assert_eq!(vc.from_centroid, 0);
    }

    #[test]
    fn small_village_takes_its_centroid_cell_and_off_grid_is_reported() {
        let g = grid();
        let mask = Raster::filled(g.clone(), 1u8, None);
        // 20 m square between cell centres, centroid at (330, 560): cell (3, 4).
        let small = MultiPolygon(vec![polygon![
            (x: 320.0, y: 550.0), (x: 340.0, y: 550.0), (x: 340.0, y: 570.0), (x: 320.0, y: 570.0),
        ]]);
        let away = MultiPolygon(vec![polygon![
            (x: 5000.0, y: 5000.0), (x: 5300.0, y: 5000.0), (x: 5300.0, y: 5300.0),
        ]]);
        let vc = VillageCells::new(&mask, &[village(small, 42), village(away, 9)]);
        assert_eq!(vc.cells[0], vec![(g.index(3, 4), 42)]);
        assert_eq!(vc.from_centroid, 1);
        assert!(vc.cells[1].is_empty());
        assert_eq!(vc.off_grid, vec![1]);
        assert_eq!(vc.partly_off_grid, 1);
        assert_eq!(vc.warnings(&[]).len(), 2);
    }

    #[test]
    fn share_rule() {
        assert!(village_covered(19, 20, 0.95));
        assert!(!village_covered(18, 20, 0.95));
        assert!(village_covered(1, 1, 1.0));
        assert!(!village_covered(0, 0, 0.5));
        assert_eq!(share(3, 4), 0.75);
    }
}
