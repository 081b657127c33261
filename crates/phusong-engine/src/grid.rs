//! A north-up regular grid in a projected CRS (metres) and rasters on it.

use serde::{Deserialize, Serialize};

/// Regular north-up grid. `x0_m`/`y0_m` are the west and north edges, in metres of `epsg`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    pub epsg: u32,
    pub x0_m: f64,
    pub y0_m: f64,
    pub cell_m: f64,
    pub nx: usize,
    pub ny: usize,
}

impl GridSpec {
    /// Grid covering the box `[xmin,xmax]×[ymin,ymax]`, snapped outward to multiples of `cell_m`.
    ///
    /// ```
    /// use phusong_engine::grid::GridSpec;
    /// let g = GridSpec::covering(32648, 500_010.0, 2_000_000.0, 500_990.0, 2_000_450.0, 90.0);
    /// assert_eq!((g.x0_m, g.nx, g.ny), (499_950.0, 12, 6));
    /// assert_eq!(g.cell_of(500_000.0, 2_000_100.0), Some((0, 4)));
    /// ```
    pub fn covering(epsg: u32, xmin: f64, ymin: f64, xmax: f64, ymax: f64, cell_m: f64) -> Self {
        let x0 = (xmin / cell_m).floor() * cell_m;
        let y1 = (ymax / cell_m).ceil() * cell_m;
        let nx = (((xmax - x0) / cell_m).ceil() as usize).max(1);
        let ny = (((y1 - ymin) / cell_m).ceil() as usize).max(1);
        GridSpec {
            epsg,
            x0_m: x0,
            y0_m: y1,
            cell_m,
            nx,
            ny,
        }
    }
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Centre of cell (ix, iy), iy counted from the north edge.
    #[inline]
    pub fn center(&self, ix: usize, iy: usize) -> (f64, f64) {
        (
            self.x0_m + (ix as f64 + 0.5) * self.cell_m,
            self.y0_m - (iy as f64 + 0.5) * self.cell_m,
        )
    }
    /// Fractional cell coordinates of a point (cell centres at integer + 0.5).
    #[inline]
    pub fn frac(&self, x: f64, y: f64) -> (f64, f64) {
        ((x - self.x0_m) / self.cell_m, (self.y0_m - y) / self.cell_m)
    }
    /// Cell containing the point, if inside.
    #[inline]
    pub fn cell_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (fx, fy) = self.frac(x, y);
        if fx < 0.0 || fy < 0.0 {
            return None;
        }
        let (ix, iy) = (fx as usize, fy as usize);
        (ix < self.nx && iy < self.ny).then_some((ix, iy))
    }
    #[inline]
    pub fn index(&self, ix: usize, iy: usize) -> usize {
        iy * self.nx + ix
    }
    /// GDAL geotransform.
    pub fn geo_transform(&self) -> [f64; 6] {
        [self.x0_m, self.cell_m, 0.0, self.y0_m, 0.0, -self.cell_m]
    }
    /// Area of one cell in km².
    pub fn cell_area_km2(&self) -> f64 {
        self.cell_m * self.cell_m / 1e6
    }
    /// East and south edges.
    pub fn x1_m(&self) -> f64 {
        self.x0_m + self.nx as f64 * self.cell_m
    }
    pub fn y1_m(&self) -> f64 {
        self.y0_m - self.ny as f64 * self.cell_m
    }
}

/// A raster of values on a [`GridSpec`], row-major from the north-west corner.
#[derive(Clone, Debug)]
pub struct Raster<T> {
    pub spec: GridSpec,
    pub data: Vec<T>,
    pub nodata: Option<T>,
}

impl<T: Copy> Raster<T> {
    pub fn filled(spec: GridSpec, value: T, nodata: Option<T>) -> Self {
        let n = spec.len();
        Raster {
            spec,
            data: vec![value; n],
            nodata,
        }
    }
    #[inline]
    pub fn get(&self, ix: usize, iy: usize) -> T {
        self.data[iy * self.spec.nx + ix]
    }
    #[inline]
    pub fn set(&mut self, ix: usize, iy: usize, v: T) {
        let nx = self.spec.nx;
        self.data[iy * nx + ix] = v;
    }
    /// Value at the cell containing (x, y), if inside.
    pub fn at(&self, x: f64, y: f64) -> Option<T> {
        self.spec.cell_of(x, y).map(|(ix, iy)| self.get(ix, iy))
    }
}

impl Raster<f32> {
    /// Bilinear sample between cell centres, clamped at the edges. NaN cells propagate.
    #[inline]
    pub fn bilinear(&self, x: f64, y: f64) -> f32 {
        let (fx, fy) = self.spec.frac(x, y);
        let fx = (fx - 0.5).clamp(0.0, (self.spec.nx - 1) as f64);
        let fy = (fy - 0.5).clamp(0.0, (self.spec.ny - 1) as f64);
        let (ix, iy) = (fx as usize, fy as usize);
        let ix1 = (ix + 1).min(self.spec.nx - 1);
        let iy1 = (iy + 1).min(self.spec.ny - 1);
        let (tx, ty) = ((fx - ix as f64) as f32, (fy - iy as f64) as f32);
        let a = self.get(ix, iy) * (1.0 - tx) + self.get(ix1, iy) * tx;
        let b = self.get(ix, iy1) * (1.0 - tx) + self.get(ix1, iy1) * tx;
        a * (1.0 - ty) + b * ty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_snaps_outward_and_round_trips_cells() {
        let g = GridSpec::covering(32648, 1010.0, 2020.0, 1990.0, 2950.0, 100.0);
        assert_eq!((g.x0_m, g.y0_m, g.nx, g.ny), (1000.0, 3000.0, 10, 10));
        let (x, y) = g.center(3, 4);
        assert_eq!(g.cell_of(x, y), Some((3, 4)));
        assert_eq!(g.cell_of(999.0, 2500.0), None);
        assert_eq!(g.cell_of(1500.0, 1999.0), None);
    }

    #[test]
    fn bilinear_is_exact_on_a_plane() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 1000.0, 1000.0, 100.0);
        let mut r = Raster::filled(g.clone(), 0f32, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                r.set(ix, iy, (2.0 * x + 3.0 * y) as f32);
            }
        }
        let v = r.bilinear(333.0, 444.0);
        assert!((v - (666.0 + 1332.0)).abs() < 0.01, "{v}");
    }
}
