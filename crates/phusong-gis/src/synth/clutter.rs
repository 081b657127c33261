//! A land-cover raster in the default class table's codes, derived deterministically from the
//! study's own layers when no real one is given (`inputs.clutter`).
//!
//! Rules, in priority order:
//! 1. water where the land mask says sea (land fraction < ½);
//! 2. built-up around each populated place: its built-up disc has the area its population would
//!    occupy at [`ClutterRules::built_density_per_km2`]; places of at least
//!    [`ClutterRules::dense_min_pop`] are dense urban within a quarter of that radius, of at least
//!    [`ClutterRules::urban_min_pop`] urban within half of it, and the rest of the disc is suburban
//!    for places of at least [`ClutterRules::suburban_min_pop`] (smaller hamlets stay rural);
//!    where discs overlap the denser class wins;
//! 3. forest on steep or high ground: slope ≥ [`ClutterRules::forest_slope_deg`] or height ≥
//!    [`ClutterRules::forest_height_m`] (cultivation keeps to the valleys and lowland plains);
//! 4. open/rural elsewhere.
//!
//! No randomness: the same layers give the same raster at any thread count.

use phusong_engine::clutter::codes;
use phusong_engine::grid::Raster;

/// The synthesis thresholds (see the module's documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct ClutterRules {
    pub built_density_per_km2: f64,
    pub suburban_min_pop: u64,
    pub urban_min_pop: u64,
    pub dense_min_pop: u64,
    pub forest_slope_deg: f64,
    pub forest_height_m: f64,
}

impl Default for ClutterRules {
    fn default() -> Self {
        ClutterRules {
            built_density_per_km2: 3000.0,
            suburban_min_pop: 1_000,
            urban_min_pop: 20_000,
            dense_min_pop: 150_000,
            forest_slope_deg: 12.0,
            forest_height_m: 600.0,
        }
    }
}

/// Slope of the ground at cell (ix, iy), degrees, by central differences (one-sided at edges).
pub fn slope_deg(h: &Raster<f32>, ix: usize, iy: usize) -> f64 {
    let g = &h.spec;
    let (x0, x1) = (ix.saturating_sub(1), (ix + 1).min(g.nx - 1));
    let (y0, y1) = (iy.saturating_sub(1), (iy + 1).min(g.ny - 1));
    let dx = (x1 - x0).max(1) as f64 * g.cell_m;
    let dy = (y1 - y0).max(1) as f64 * g.cell_m;
    let gx = (h.get(x1, iy) - h.get(x0, iy)) as f64 / dx;
    let gy = (h.get(ix, y1) - h.get(ix, y0)) as f64 / dy;
    gx.hypot(gy).atan().to_degrees()
}

/// Built-up class codes over the grid from places (x, y in the grid's CRS, population): 0 where
/// no place's disc reaches.
fn built_up(
    spec: &phusong_engine::grid::GridSpec,
    places: &[(f64, f64, u64)],
    r: &ClutterRules,
) -> Vec<u8> {
    // Denser classes rank higher; 0 = none.
    let rank = |c: u8| match c {
        codes::DENSE_URBAN => 3,
        codes::URBAN => 2,
        codes::SUBURBAN => 1,
        _ => 0,
    };
    let mut out = vec![0u8; spec.len()];
    for &(x, y, pop) in places {
        if pop < r.suburban_min_pop {
            continue;
        }
        let radius_m =
            1000.0 * (pop as f64 / (std::f64::consts::PI * r.built_density_per_km2)).sqrt();
        let (fx0, fy0) = spec.frac(x - radius_m, y + radius_m);
        let (fx1, fy1) = spec.frac(x + radius_m, y - radius_m);
        let ix0 = fx0.floor().max(0.0) as usize;
        let iy0 = fy0.floor().max(0.0) as usize;
        let ix1 = (fx1.floor() as i64).min(spec.nx as i64 - 1);
        let iy1 = (fy1.floor() as i64).min(spec.ny as i64 - 1);
        if ix1 < ix0 as i64 || iy1 < iy0 as i64 {
            continue;
        }
        for iy in iy0..=iy1 as usize {
            for ix in ix0..=ix1 as usize {
                let (cx, cy) = spec.center(ix, iy);
                let d = (cx - x).hypot(cy - y);
                let class = if pop >= r.dense_min_pop && d <= 0.25 * radius_m {
                    codes::DENSE_URBAN
                } else if pop >= r.urban_min_pop && d <= 0.5 * radius_m {
                    codes::URBAN
                } else if d <= radius_m.max(0.5 * spec.cell_m) {
                    codes::SUBURBAN
                } else {
                    continue;
                };
                let c = &mut out[iy * spec.nx + ix];
                if rank(class) > rank(*c) {
                    *c = class;
                }
            }
        }
    }
    out
}

/// The land-cover raster (default table codes) from the ground heights `height_m`, the land
/// fraction `land` (same grid) and the populated places.
pub fn synth_clutter(
    height_m: &Raster<f32>,
    land: &Raster<f32>,
    places: &[(f64, f64, u64)],
    r: &ClutterRules,
) -> Raster<u8> {
    let spec = height_m.spec.clone();
    let built = built_up(&spec, places, r);
    let mut out = Raster::filled(spec.clone(), codes::OPEN, Some(0));
    for iy in 0..spec.ny {
        for ix in 0..spec.nx {
            let i = iy * spec.nx + ix;
            // The study's land fraction has no NaN (unknown cells count as land there).
            let sea = land.data[i] < 0.5 || land.data[i].is_nan();
            let class = if sea {
                codes::WATER
            } else if built[i] != 0 {
                built[i]
            } else if slope_deg(height_m, ix, iy) >= r.forest_slope_deg
                || f64::from(height_m.data[i]) >= r.forest_height_m
            {
                codes::FOREST
            } else {
                codes::OPEN
            };
            out.data[i] = class;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use phusong_engine::grid::GridSpec;

    /// 20 × 20 km at 100 m: sea in the west fifth, a plain rising into hills steeper to the east.
    fn layers() -> (Raster<f32>, Raster<f32>) {
        let g = GridSpec::covering(32648, 0.0, 0.0, 20_000.0, 20_000.0, 100.0);
        let mut h = Raster::filled(g.clone(), 0f32, None);
        let mut land = Raster::filled(g.clone(), 1f32, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                if x < 4000.0 {
                    land.set(ix, iy, 0.0);
                }
                // Slope grows with x: amplitude and frequency of the ripples grow eastward.
                let a = (x / 20_000.0).powi(2) * 120.0;
                let z = 5.0 + x / 200.0 + a * ((y / 400.0).sin() + (x / 350.0).cos());
                h.set(ix, iy, z as f32);
            }
        }
        (h, land)
    }

    #[test]
    fn deterministic_and_plausible() {
        let (h, land) = layers();
        let places = [
            (8000.0, 10_000.0, 300_000u64),
            (15_000.0, 4000.0, 2000),
            (12_000.0, 16_000.0, 200),
        ];
        let r = ClutterRules::default();
        let a = synth_clutter(&h, &land, &places, &r);
        assert_eq!(a.data, synth_clutter(&h, &land, &places, &r).data);
        let g = &a.spec;
        // Water exactly where the land mask says sea.
        for i in 0..a.data.len() {
            assert_eq!(a.data[i] == codes::WATER, land.data[i] < 0.5, "cell {i}");
        }
        // The big town: dense urban at its centre, urban then suburban outward.
        let at = |x, y| a.at(x, y).unwrap();
        assert_eq!(at(8000.0, 10_000.0), codes::DENSE_URBAN);
        let rb = 1000.0 * (300_000.0 / (std::f64::consts::PI * 3000.0)).sqrt();
        assert_eq!(at(8000.0 + 0.4 * rb, 10_000.0), codes::URBAN);
        assert_eq!(at(8000.0 + 0.8 * rb, 10_000.0), codes::SUBURBAN);
        assert_ne!(at(8000.0 + 1.2 * rb, 10_000.0), codes::SUBURBAN);
        // A 2000-person place is a suburban patch; a 200-person hamlet is not built-up.
        assert_eq!(at(15_000.0, 4000.0), codes::SUBURBAN);
        assert!(![codes::SUBURBAN, codes::URBAN].contains(&at(12_000.0, 16_000.0)));
        // Forest share rises with slope, by slope band over the unbuilt land.
        let mut bands = [(0usize, 0usize); 4];
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let c = a.get(ix, iy);
                if c == codes::WATER || ![codes::OPEN, codes::FOREST].contains(&c) {
                    continue;
                }
                let b = ((slope_deg(&h, ix, iy) / 6.0) as usize).min(3);
                bands[b].0 += 1;
                bands[b].1 += (c == codes::FOREST) as usize;
            }
        }
        let share: Vec<f64> = bands
            .iter()
            .map(|(n, f)| *f as f64 / (*n).max(1) as f64)
            .collect();
        assert!(bands.iter().all(|(n, _)| *n > 50), "{bands:?}");
        assert!(
            share.windows(2).all(|w| w[1] >= w[0]) && share[3] > share[0] + 0.5,
            "{share:?}"
        );
    }
}
