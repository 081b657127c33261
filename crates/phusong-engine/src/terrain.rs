//! Terrain model: ground heights on the study grid, with voids handled explicitly.

use crate::clutter::{ClutterError, ClutterMap};
use crate::grid::{GridSpec, Raster};
use crate::propagation::models::ProfilePoint;
use std::sync::Arc;

/// Ground height above mean sea level on the study grid. Never contains NaN once built:
/// voids are filled by [`fill_voids`]. Optionally the land cover on the same grid.
#[derive(Clone, Debug)]
pub struct Terrain {
    pub height_m: Raster<f32>,
    /// Land-cover classes on the same grid, if the study has them.
    pub clutter: Option<Arc<ClutterMap>>,
}

impl Terrain {
    /// Wraps a height raster, filling its voids (NaN cells). Returns the number of cells filled.
    pub fn new(mut height_m: Raster<f32>) -> (Self, usize) {
        let filled = fill_voids(&mut height_m);
        height_m.nodata = None;
        (
            Terrain {
                height_m,
                clutter: None,
            },
            filled,
        )
    }
    pub fn grid(&self) -> &GridSpec {
        &self.height_m.spec
    }
    /// Bilinear height at a point in the study CRS (clamped to the grid).
    #[inline]
    pub fn height_at(&self, x: f64, y: f64) -> f32 {
        self.height_m.bilinear(x, y)
    }
    /// The terrain with `map` as its land cover; the map must lie on the DEM's grid.
    pub fn with_clutter(mut self, map: ClutterMap) -> Result<Self, ClutterError> {
        if map.classes.spec != self.height_m.spec {
            return Err(ClutterError {
                source_name: "clutter raster".into(),
                message: format!(
                    "grid {}×{} cells of {} m at ({}, {}): expected the DEM's grid {}×{} of {} m at ({}, {})",
                    map.classes.spec.nx, map.classes.spec.ny, map.classes.spec.cell_m,
                    map.classes.spec.x0_m, map.classes.spec.y0_m,
                    self.grid().nx, self.grid().ny, self.grid().cell_m, self.grid().x0_m, self.grid().y0_m
                ),
            });
        }
        self.clutter = Some(Arc::new(map));
        Ok(self)
    }
    /// A profile point at (x, y): bilinear ground height, and the land cover of the cell holding
    /// the point (class code and representative height; none without a clutter map).
    #[inline]
    pub fn point_at(&self, x: f64, y: f64) -> ProfilePoint {
        let mut p = ProfilePoint::ground(self.height_at(x, y) as f64);
        if let Some(c) = self.clutter.as_ref().and_then(|m| m.class_at(x, y)) {
            p.clutter_class = c.code;
            p.clutter_height_m = c.height_m as f32;
        }
        p
    }
}

/// Fills NaN cells by repeated averaging of valid 8-neighbours (a simple inpainting), so voids take
/// heights continuous with their surroundings. A raster with no valid cell becomes all zeros.
/// Returns how many cells were filled.
pub fn fill_voids(r: &mut Raster<f32>) -> usize {
    let (nx, ny) = (r.spec.nx, r.spec.ny);
    let mut todo: Vec<usize> = (0..r.data.len()).filter(|&i| r.data[i].is_nan()).collect();
    let total = todo.len();
    if total == r.data.len() {
        r.data.iter_mut().for_each(|v| *v = 0.0);
        return total;
    }
    while !todo.is_empty() {
        let mut updates = Vec::new();
        let mut rest = Vec::new();
        for &i in &todo {
            let (ix, iy) = ((i % nx) as isize, (i / nx) as isize);
            let (mut s, mut n) = (0f32, 0);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (jx, jy) = (ix + dx, iy + dy);
                    if jx < 0 || jy < 0 || jx >= nx as isize || jy >= ny as isize {
                        continue;
                    }
                    let v = r.data[jy as usize * nx + jx as usize];
                    if !v.is_nan() {
                        s += v;
                        n += 1;
                    }
                }
            }
            if n > 0 {
                updates.push((i, s / n as f32));
            } else {
                rest.push(i);
            }
        }
        for (i, v) in updates {
            r.data[i] = v;
        }
        todo = rest;
    }
    total
}

/// An analytic terrain (rolling hills plus one north–south ridge) for examples, tests and benchmarks:
/// `size_km` square at `cell_m`, south-west corner at (500 km E, 2,000 km N) of UTM 48N.
pub fn analytic_hills(size_km: f64, cell_m: f64) -> Terrain {
    let (x0, y0) = (500_000.0, 2_000_000.0);
    let g = GridSpec::covering(
        32648,
        x0,
        y0,
        x0 + size_km * 1000.0,
        y0 + size_km * 1000.0,
        cell_m,
    );
    let mut r = Raster::filled(g.clone(), 0f32, None);
    let ridge_km = size_km * 0.55;
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let (x, y) = g.center(ix, iy);
            let (u, v) = ((x - x0) / 1000.0, (y - y0) / 1000.0);
            let ridge = 250.0 * (-((u - ridge_km) / 0.8f64).powi(2)).exp();
            let h = 120.0 + 40.0 * (u * 0.9).sin() * (v * 0.7).cos() + ridge;
            r.set(ix, iy, h as f32);
        }
    }
    Terrain::new(r).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voids_take_neighbour_heights() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 500.0, 500.0, 100.0);
        let mut r = Raster::filled(g, 100f32, None);
        r.set(2, 2, f32::NAN);
        r.set(0, 0, f32::NAN);
        r.set(1, 0, f32::NAN);
        let (t, filled) = Terrain::new(r);
        assert_eq!(filled, 3);
        assert!(t.height_m.data.iter().all(|v| (*v - 100.0).abs() < 1e-6));
    }
}
