//! Terrain profile between two points of a projected CRS: ground heights sampled at equal steps
//! along the straight line (in the projected plane) by bilinear interpolation of a height raster.

use crate::error::{Error, Result};
use phusong_engine::grid::Raster;
use phusong_engine::propagation::deygout;

/// Ground heights along a path, index 0 at `from`, the last index at `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathProfile {
    /// Ends, in metres of the raster's CRS.
    pub from_xy: (f64, f64),
    pub to_xy: (f64, f64),
    /// Length of the path in the projected plane, m.
    pub distance_m: f64,
    /// Distance between consecutive samples, m (`distance_m / (len − 1)`).
    pub step_m: f64,
    /// Ground height at each sample, m above the raster's datum (never NaN).
    pub ground_m: Vec<f64>,
    /// Samples that fell on a void of the raster and were interpolated along the profile.
    pub void_samples: usize,
}

impl PathProfile {
    /// Distance of sample `i` from `from`, m.
    pub fn distance_at(&self, i: usize) -> f64 {
        self.step_m * i as f64
    }
    /// Position of sample `i`, metres of the raster's CRS.
    pub fn xy_at(&self, i: usize) -> (f64, f64) {
        let t = self.distance_at(i) / self.distance_m;
        (
            self.from_xy.0 + (self.to_xy.0 - self.from_xy.0) * t,
            self.from_xy.1 + (self.to_xy.1 - self.from_xy.1) * t,
        )
    }
    /// The profile in the form the propagation functions take.
    pub fn to_deygout(&self) -> deygout::Profile {
        deygout::Profile {
            step_m: self.step_m,
            ground_m: self.ground_m.clone(),
        }
    }
}

/// Samples `height_m` from `from_xy` to `to_xy` (metres of the raster's CRS) at most `max_step_m`
/// apart (the step is shortened so the samples land exactly on both ends; at least 3 samples).
///
/// Heights are bilinear between cell centres ([`Raster::bilinear`]). Samples on NaN cells (voids,
/// or outside a warped source's footprint) are filled by linear interpolation between the nearest
/// valid samples along the profile and counted in `void_samples`. Errors: an end outside the
/// raster, ends less than 1 m apart, a non-positive step, or no valid height on the whole path.
pub fn extract(
    height_m: &Raster<f32>,
    from_xy: (f64, f64),
    to_xy: (f64, f64),
    max_step_m: f64,
) -> Result<PathProfile> {
    let g = &height_m.spec;
    for (name, (x, y)) in [("from", from_xy), ("to", to_xy)] {
        if g.cell_of(x, y).is_none() {
            return Err(Error::Other(format!(
                "the {name} point ({x:.1}, {y:.1}) m of EPSG:{} lies outside the terrain grid \
                 (x {:.1}–{:.1}, y {:.1}–{:.1})",
                g.epsg,
                g.x0_m,
                g.x1_m(),
                g.y1_m(),
                g.y0_m
            )));
        }
    }
    let distance_m = (to_xy.0 - from_xy.0).hypot(to_xy.1 - from_xy.1);
    if distance_m.is_nan() || distance_m < 1.0 {
        return Err(Error::Other(format!(
            "the two ends are {distance_m:.2} m apart: a link needs two distinct points"
        )));
    }
    if !(max_step_m.is_finite() && max_step_m > 0.0) {
        return Err(Error::Other(format!(
            "profile step {max_step_m} m: expected a positive length"
        )));
    }
    // The 1e-9 keeps an exact multiple of the step (up to rounding) from gaining an interval.
    let intervals = ((distance_m / max_step_m - 1e-9).ceil() as usize).max(2);
    let step_m = distance_m / intervals as f64;
    let mut p = PathProfile {
        from_xy,
        to_xy,
        distance_m,
        step_m,
        ground_m: Vec::with_capacity(intervals + 1),
        void_samples: 0,
    };
    for i in 0..=intervals {
        let (x, y) = p.xy_at(i);
        p.ground_m.push(height_m.bilinear(x, y) as f64);
    }
    p.void_samples = fill_along(&mut p.ground_m).ok_or_else(|| {
        Error::Other("the terrain has no valid height anywhere along the path".into())
    })?;
    Ok(p)
}

/// Fills NaN entries by linear interpolation between the nearest valid entries (held constant
/// beyond the first/last valid one). Returns how many were filled, or `None` if none is valid.
fn fill_along(v: &mut [f64]) -> Option<usize> {
    let valid: Vec<usize> = (0..v.len()).filter(|&i| !v[i].is_nan()).collect();
    let (&first, &last) = (valid.first()?, valid.last()?);
    let filled = v.len() - valid.len();
    for i in 0..first {
        v[i] = v[first];
    }
    for i in last + 1..v.len() {
        v[i] = v[last];
    }
    for w in valid.windows(2) {
        let (a, b) = (w[0], w[1]);
        for i in a + 1..b {
            let t = (i - a) as f64 / (b - a) as f64;
            v[i] = v[a] + (v[b] - v[a]) * t;
        }
    }
    Some(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phusong_engine::grid::GridSpec;
    use phusong_engine::terrain::Terrain;

    /// 10 × 10 km at 100 m, south-west corner (500 km E, 2000 km N) of UTM 48N, heights from `f`.
    fn terrain(f: impl Fn(f64, f64) -> f64) -> Terrain {
        let g = GridSpec::covering(32648, 500_000.0, 2_000_000.0, 510_000.0, 2_010_000.0, 100.0);
        let mut r = Raster::filled(g.clone(), 0f32, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                r.set(ix, iy, f(x, y) as f32);
            }
        }
        Terrain::new(r).0
    }

    #[test]
    fn plane_is_sampled_exactly() {
        // h = 200 + 0.01·(x − 500 km) + 0.02·(y − 2000 km): bilinear reproduces a plane exactly.
        let plane = |x: f64, y: f64| 200.0 + 0.01 * (x - 500_000.0) + 0.02 * (y - 2_000_000.0);
        let t = terrain(plane);
        let (a, b) = ((501_000.0, 2_001_000.0), (508_000.0, 2_005_000.0));
        let p = extract(&t.height_m, a, b, 50.0).unwrap();
        // 7 km × 4 km → 8062.26 m, 162 intervals of 49.77 m.
        assert!((p.distance_m - 8062.2577).abs() < 1e-3, "{}", p.distance_m);
        assert_eq!(p.ground_m.len(), 163);
        assert!((p.step_m - p.distance_m / 162.0).abs() < 1e-9);
        assert_eq!(p.xy_at(0), a);
        let (xe, ye) = p.xy_at(162);
        assert!((xe - b.0).abs() < 1e-6 && (ye - b.1).abs() < 1e-6);
        for (i, &h) in p.ground_m.iter().enumerate() {
            let (x, y) = p.xy_at(i);
            assert!((h - plane(x, y)).abs() < 1e-3, "sample {i}: {h}");
        }
        assert_eq!(p.void_samples, 0);
        // First and last: 200 + 10 + 20 = 230; 200 + 80 + 100 = 380.
        assert!((p.ground_m[0] - 230.0).abs() < 1e-3);
        assert!((p.ground_m[162] - 380.0).abs() < 1e-3);
    }

    #[test]
    fn ridge_crossing_is_found_at_the_analytic_distance() {
        // A north–south Gaussian ridge 300 m high centred on x = 504 050 m (a cell-centre line;
        // σ = 400 m) on a 100 m floor. The path runs east from x = 501 050 m at y = 2005 km, so
        // the crest is 3000 m along.
        let ridge = |x: f64| 100.0 + 300.0 * (-((x - 504_050.0) / 400.0).powi(2)).exp();
        let t = terrain(|x, _| ridge(x));
        let p = extract(
            &t.height_m,
            (501_050.0, 2_005_000.0),
            (508_050.0, 2_005_000.0),
            50.0,
        )
        .unwrap();
        assert_eq!(p.ground_m.len(), 141);
        let (imax, hmax) = p
            .ground_m
            .iter()
            .enumerate()
            .fold((0, f64::MIN), |b, (i, &h)| if h > b.1 { (i, h) } else { b });
        assert!((p.distance_at(imax) - 3000.0).abs() < 1e-6, "{imax}");
        assert!((hmax - 400.0).abs() < 1e-3, "{hmax}");
        // 1 km before the crest (another centre line): 100 + 300·e^(−6.25) = 100.5791 m.
        assert!(
            (p.ground_m[40] - 100.5791).abs() < 1e-3,
            "{}",
            p.ground_m[40]
        );
    }

    #[test]
    fn voids_are_interpolated_along_the_path_and_counted() {
        let mut t = terrain(|x, _| (x - 500_000.0) / 10.0);
        // Knock out cells x ∈ [505 000, 505 300) along the path's row band.
        for iy in 0..t.height_m.spec.ny {
            for ix in 50..53 {
                t.height_m.set(ix, iy, f32::NAN);
            }
        }
        let p = extract(
            &t.height_m,
            (501_000.0, 2_005_000.0),
            (509_000.0, 2_005_000.0),
            100.0,
        )
        .unwrap();
        assert!(p.void_samples >= 3, "{}", p.void_samples);
        // The ground is a linear ramp, so interpolation across the void restores it.
        for (i, &h) in p.ground_m.iter().enumerate() {
            let (x, _) = p.xy_at(i);
            assert!((h - (x - 500_000.0) / 10.0).abs() < 1e-3, "{i}: {h}");
        }
    }

    #[test]
    fn bad_ends_are_errors() {
        let t = terrain(|_, _| 0.0);
        let e = extract(&t.height_m, (1.0, 2.0), (505_000.0, 2_005_000.0), 50.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("from point") && e.contains("outside"), "{e}");
        let e = extract(
            &t.height_m,
            (505_000.0, 2_005_000.0),
            (505_000.5, 2_005_000.0),
            50.0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("distinct"), "{e}");
        let e = extract(
            &t.height_m,
            (501_000.0, 2_005_000.0),
            (509_000.0, 2_005_000.0),
            0.0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("step"), "{e}");
        let mut v = t.height_m.clone();
        v.data.iter_mut().for_each(|h| *h = f32::NAN);
        let e = extract(&v, (501_000.0, 2_005_000.0), (509_000.0, 2_005_000.0), 50.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no valid height"), "{e}");
    }
}
