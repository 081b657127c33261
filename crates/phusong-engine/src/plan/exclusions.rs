//! Where a new tower may not stand: ground steeper than `max_slope_deg`, closer than
//! `min_distance_to_sites_m` to an existing site, or inside a protected area (a cell mask the caller
//! burns from its polygon layer). Candidates are only ever placed on allowed cells.

use crate::grid::Raster;
use crate::plan::PlanParams;
use crate::radio::Site;
use crate::terrain::Terrain;
use serde::{Deserialize, Serialize};

/// Land cells excluded for each reason (a cell may count under several) and those left.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExclusionCounts {
    /// Land cells of the study area.
    pub land_cells: u64,
    /// Steeper than `max_slope_deg`.
    pub steep_cells: u64,
    /// Within `min_distance_to_sites_m` of an existing site.
    pub near_site_cells: u64,
    /// Inside a protected area.
    pub protected_cells: u64,
    /// Land cells a candidate may stand on.
    pub allowed_cells: u64,
}

/// The allowed-cell mask and what was excluded.
#[derive(Clone, Debug)]
pub struct Exclusions {
    /// 1 = land of the study area where a candidate may stand.
    pub allowed: Raster<u8>,
    pub counts: ExclusionCounts,
}

/// Slope of the ground at cell (ix, iy), degrees, by Horn's weighted 3×3 gradient (B. K. P. Horn,
/// "Hill shading and the reflectance map", Proc. IEEE 69(1), 1981, pp. 14–47; GDAL's `gdaldem slope`
/// default): ∂z/∂x = ((c + 2f + i) − (a + 2d + g)) / 8Δ and ∂z/∂y = ((a + 2b + c) − (g + 2h + i)) / 8Δ
/// over the window a b c / d e f / g h i (north row first), slope = atan √(∂z/∂x² + ∂z/∂y²). On the
/// grid's edge the window is clipped to the grid and each difference divided by the distance it
/// spans (one cell instead of two), which keeps the estimate exact on planes.
pub fn slope_deg(height_m: &Raster<f32>, ix: usize, iy: usize) -> f64 {
    let g = &height_m.spec;
    let clip = |v: i64, n: usize| v.clamp(0, n as i64 - 1) as usize;
    let (xl, xr) = (clip(ix as i64 - 1, g.nx), clip(ix as i64 + 1, g.nx));
    let (yn, ys) = (clip(iy as i64 - 1, g.ny), clip(iy as i64 + 1, g.ny));
    let z = |x: usize, y: usize| height_m.get(x, y) as f64;
    // Horn's 1-2-1 weights across the window (clipped rows / columns repeat the centre).
    let col = |x: usize| z(x, yn) + 2.0 * z(x, iy) + z(x, ys);
    let row = |y: usize| z(xl, y) + 2.0 * z(ix, y) + z(xr, y);
    let span = |a: usize, b: usize| (b - a) as f64 * g.cell_m;
    let dzdx = if xr > xl {
        (col(xr) - col(xl)) / (4.0 * span(xl, xr))
    } else {
        0.0
    };
    // Rows run south as iy grows, so north minus south is the gradient towards +y (north).
    let dzdy = if ys > yn {
        (row(yn) - row(ys)) / (4.0 * span(yn, ys))
    } else {
        0.0
    };
    dzdx.hypot(dzdy).atan().to_degrees()
}

/// The cells a candidate may stand on: land (`mask` = 1), not steeper than `p.max_slope_deg`, not
/// within `p.min_distance_to_sites_m` of any of `sites`, and not marked in `protected` (1 = inside a
/// protected area; a raster on another grid, or `None`, protects nothing).
pub fn exclusions(
    terrain: &Terrain,
    mask: &Raster<u8>,
    sites: &[Site],
    protected: Option<&Raster<u8>>,
    p: &PlanParams,
) -> Exclusions {
    let g = terrain.grid();
    let mut near = vec![false; g.len()];
    if p.min_distance_to_sites_m > 0.0 {
        mark_near_sites(&mut near, terrain, sites, p.min_distance_to_sites_m);
    }
    let protected = protected.filter(|r| r.spec == *g && r.data.len() == g.len());
    let mut allowed = Raster::filled(g.clone(), 0u8, None);
    let mut counts = ExclusionCounts::default();
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let i = g.index(ix, iy);
            if mask.data.get(i) != Some(&1) {
                continue;
            }
            counts.land_cells += 1;
            let steep =
                p.max_slope_deg < 90.0 && slope_deg(&terrain.height_m, ix, iy) > p.max_slope_deg;
            let prot = protected.is_some_and(|r| r.data[i] == 1);
            counts.steep_cells += steep as u64;
            counts.near_site_cells += near[i] as u64;
            counts.protected_cells += prot as u64;
            if !(steep || near[i] || prot) {
                allowed.data[i] = 1;
                counts.allowed_cells += 1;
            }
        }
    }
    Exclusions { allowed, counts }
}

/// Marks every cell whose centre lies within `radius_m` of a site.
fn mark_near_sites(near: &mut [bool], terrain: &Terrain, sites: &[Site], radius_m: f64) {
    let g = terrain.grid();
    let r_cells = (radius_m / g.cell_m).ceil() as i64 + 1;
    for s in sites {
        let (fx, fy) = g.frac(s.x_m, s.y_m);
        let (cx, cy) = (fx.floor() as i64, fy.floor() as i64);
        for iy in (cy - r_cells).max(0)..=(cy + r_cells).min(g.ny as i64 - 1) {
            for ix in (cx - r_cells).max(0)..=(cx + r_cells).min(g.nx as i64 - 1) {
                let (x, y) = g.center(ix as usize, iy as usize);
                if (x - s.x_m).hypot(y - s.y_m) <= radius_m {
                    near[g.index(ix as usize, iy as usize)] = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GridSpec;

    fn plane(a: f64, b: f64) -> Terrain {
        let g = GridSpec::covering(32648, 0.0, 0.0, 900.0, 900.0, 90.0);
        let mut r = Raster::filled(g.clone(), 0f32, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                r.set(ix, iy, (100.0 + a * x + b * y) as f32);
            }
        }
        Terrain::new(r).0
    }

    #[test]
    fn horn_slope_is_exact_on_planes() {
        // Horn's estimate is exact for a plane z = a·x + b·y: slope = atan √(a² + b²).
        for (a, b) in [
            (0.0, 0.0),
            (0.1, 0.0),
            (0.0, -0.25),
            (0.3, 0.4),
            (-1.0, 2.0),
        ] {
            let t = plane(a, b);
            let want = a.hypot(b).atan().to_degrees();
            // Inside, on an edge and in a corner.
            for (ix, iy) in [(5, 5), (0, 4), (9, 9), (0, 0)] {
                let got = slope_deg(&t.height_m, ix, iy);
                assert!(
                    (got - want).abs() < 1e-3,
                    "a {a} b {b} at {ix},{iy}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn steep_near_site_and_protected_cells_are_excluded() {
        let t = plane(0.5, 0.0); // 26.57° everywhere
        let g = t.grid().clone();
        let mask = Raster::filled(g.clone(), 1u8, None);
        let none = PlanParams::default();
        let e = exclusions(&t, &mask, &[], None, &none);
        assert_eq!(e.counts.allowed_cells, g.len() as u64);
        let steep = PlanParams {
            max_slope_deg: 20.0,
            ..Default::default()
        };
        let e = exclusions(&t, &mask, &[], None, &steep);
        assert_eq!(
            (e.counts.steep_cells, e.counts.allowed_cells),
            (g.len() as u64, 0)
        );
        let gentle = PlanParams {
            max_slope_deg: 30.0,
            min_distance_to_sites_m: 200.0,
            ..Default::default()
        };
        let site = Site {
            id: 1,
            name: "s".into(),
            operator: "o".into(),
            x_m: 450.0,
            y_m: 450.0,
            lon: 0.0,
            lat: 0.0,
            height_m: 30.0,
            sectors: vec![],
        };
        let mut prot = Raster::filled(g.clone(), 0u8, None);
        prot.set(0, 0, 1);
        prot.set(1, 0, 1);
        let e = exclusions(&t, &mask, &[site], Some(&prot), &gentle);
        // Cells whose centres are within 200 m of (450, 450): centres 45 + 90k; brute-force count.
        let near = (0..g.ny)
            .flat_map(|iy| (0..g.nx).map(move |ix| (ix, iy)))
            .filter(|&(ix, iy)| {
                let (x, y) = g.center(ix, iy);
                (x - 450.0).hypot(y - 450.0) <= 200.0
            })
            .count() as u64;
        assert!(near > 0);
        assert_eq!(e.counts.near_site_cells, near);
        assert_eq!(e.counts.protected_cells, 2);
        assert_eq!(e.counts.steep_cells, 0);
        assert_eq!(e.counts.allowed_cells, g.len() as u64 - near - 2);
        assert_eq!(e.allowed.get(0, 0), 0);
        assert_eq!(e.allowed.get(5, 9), 1);
        // Sea (mask 0) is never allowed nor counted.
        let mut half = mask.clone();
        half.data.iter_mut().take(g.nx).for_each(|v| *v = 0);
        let e = exclusions(&t, &half, &[], None, &none);
        assert_eq!(e.counts.land_cells, (g.len() - g.nx) as u64);
        assert_eq!(e.allowed.get(3, 0), 0);
    }
}
