//! Terrain-profile analysis: what ITM needs to know of the ground between the terminals.
//!
//! From a profile of heights (point-to-point mode) the algorithm finds each terminal's radio horizon,
//! the terrain irregularity Δh (interdecile range of heights about a straight-line fit) and the
//! effective antenna heights above a least-squares fit of the foreground [Alg. §"point-to-point
//! preparation", routines `hzns`, `dlthx`, `zlsq1`, `qlrpfl`]. In area mode the same quantities are
//! estimated from Δh and the siting criteria [Alg. eqs. (3.2)–(3.4)].

use super::math::{Libm, Math, MathExt};
use super::{PathGeometry, Siting};

/// Mean height of the profile without its first and last tenth, m — the height ITM reduces the surface
/// refractivity to.
pub fn mean_path_height_m(ground_m: &[f64]) -> f64 {
    let n = ground_m.len() - 1;
    let skip = (0.1 * n as f64) as usize;
    let mid = &ground_m[skip..=n - skip];
    mid.iter().sum::<f64>() / mid.len() as f64
}

/// Horizon elevation angles (rad) and distances (m) seen from each terminal over the effective earth
/// of radius `a_e_m`. A terminal that sees the other has the other terminal as its horizon.
pub fn horizons(ground_m: &[f64], step_m: f64, h_m: [f64; 2], a_e_m: f64) -> ([f64; 2], [f64; 2]) {
    let n = ground_m.len() - 1;
    let d = n as f64 * step_m;
    let z_tx = ground_m[0] + h_m[0];
    let z_rx = ground_m[n] + h_m[1];
    // Elevation angle from a terminal at height z₀ of a point at height z a distance s away, with the
    // earth's curvature lowering it by s/(2a_e) [TN101 eq. (6.15)].
    let inv_2a = 1.0 / (2.0 * a_e_m);
    let elev = |z0: f64, z: f64, s: f64| (z - z0) / s - s * inv_2a;
    let (mut t0, mut t1) = (elev(z_tx, z_rx, d), elev(z_rx, z_tx, d));
    let (mut d0, mut d1) = (d, d);
    // θ_i > θ ⇔ (z_i − z₀ − s_i²/2a) > θ·s_i (s_i > 0): compare without dividing, divide on a new
    // maximum only.
    let mut s_tx = 0.0;
    for &z in &ground_m[1..n] {
        s_tx += step_m;
        let s_rx = d - s_tx;
        let num_tx = z - z_tx - s_tx * s_tx * inv_2a;
        if num_tx > t0 * s_tx {
            t0 = num_tx / s_tx;
            d0 = s_tx;
        }
        let num_rx = z - z_rx - s_rx * s_rx * inv_2a;
        if num_rx > t1 * s_rx {
            t1 = num_rx / s_rx;
            d1 = s_rx;
        }
    }
    let (theta, d_hzn) = ([t0, t1], [d0, d1]);
    (theta, d_hzn)
}

/// Straight line fitted to the profile between distances `d_start_m` and `d_end_m`, returned as its
/// heights at the profile's two ends (index 0 and the last index).
///
/// The fit is least squares over the profile points in the range with half weight on the two end
/// points (the trapezoidal rule, i.e. the fit to the piecewise-linear terrain) as in the algorithm's
/// `zlsq1`; the range is widened by one point each way when it holds fewer than two.
pub fn fit_line_ends(ground_m: &[f64], step_m: f64, d_start_m: f64, d_end_m: f64) -> (f64, f64) {
    let n = ground_m.len() - 1;
    let nf = n as f64;
    // Index range as the algorithm forms it (kept in this form: it decides which points count).
    let mut i0 = ((d_start_m / step_m).max(0.0) as usize).min(n);
    let mut i1 = n.saturating_sub((nf - d_end_m / step_m).max(0.0) as usize);
    if i1 <= i0 {
        i0 = i0.saturating_sub(1);
        i1 = (i1 + 1).min(n);
    }
    let len = (i1 - i0) as f64;
    let centre = 0.5 * (i0 + i1) as f64;
    // Trapezoid-weighted mean and first moment about the centre.
    let mut sum = 0.5 * (ground_m[i0] + ground_m[i1]);
    let mut moment = 0.5 * (ground_m[i1] - ground_m[i0]) * 0.5 * len;
    for (k, &z) in ground_m.iter().enumerate().take(i1).skip(i0 + 1) {
        sum += z;
        moment += z * (k as f64 - centre);
    }
    let mean = sum / len;
    // Σ' (k − c)² over the trapezoid weights = L (L² + 2) / 12.
    let slope = moment * 12.0 / ((len * len + 2.0) * len);
    (mean - slope * centre, mean + slope * (nf - centre))
}

/// Terrain irregularity Δh (m) of the profile between `d_start_m` and `d_end_m`.
///
/// The segment is resampled at `10·p − 5` evenly spaced points (p = one tenth of the points in the
/// segment, 4–25), a straight line is fitted, and the interdecile range of the deviations from it
/// (10 % exceeded minus 90 % exceeded) is the path's Δh(d); dividing by 1 − 0.8 e^{−d/50 km} turns it
/// into the asymptotic Δh [ERL 79 eq. (3)] (the algorithm's `dlthx`).
pub fn delta_h_m(ground_m: &[f64], step_m: f64, d_start_m: f64, d_end_m: f64) -> f64 {
    match interdecile_range_m(ground_m, step_m, d_start_m, d_end_m) {
        Some(range_m) => range_m / (1.0 - 0.8 * (-(d_end_m - d_start_m) / 50e3).exp()),
        None => 0.0,
    }
}

/// The interdecile range of [`delta_h_m`] before its distance correction: Δh(d) of the segment
/// between `d_start_m` and `d_end_m`, m; `None` when the segment spans less than two points.
pub fn interdecile_range_m(
    ground_m: &[f64],
    step_m: f64,
    d_start_m: f64,
    d_end_m: f64,
) -> Option<f64> {
    interdecile_range_resampled_m(ground_m, step_m, d_start_m, d_end_m, 25)
}

/// [`interdecile_range_m`] with the resampling capped at `10·max_p10 − 5` points (the algorithm
/// caps it at 245, `max_p10` = 25; smaller caps trade a noisier estimate for speed).
pub fn interdecile_range_resampled_m(
    ground_m: &[f64],
    step_m: f64,
    d_start_m: f64,
    d_end_m: f64,
    max_p10: usize,
) -> Option<f64> {
    let n = ground_m.len() - 1;
    let x0 = d_start_m / step_m;
    let x1 = d_end_m / step_m;
    if x1 - x0 < 2.0 {
        return None;
    }
    let p10 = ((0.1 * (x1 - x0 + 8.0)) as usize).clamp(4, max_p10.clamp(4, 25));
    let m = 10 * p10 - 5;
    let spacing = (x1 - x0) / (m - 1) as f64;
    let mut s = [0.0f64; 245];
    let s = &mut s[..m];
    // Linear interpolation at fractional index x, extrapolating the last segment past the end.
    // Trapezoid-weighted sums for the straight-line fit (as in `fit_line_ends` over all m points),
    // accumulated while resampling.
    let centre = 0.5 * (m - 1) as f64;
    let (mut sum, mut moment) = (0.0, 0.0);
    let mut seg = x0 as usize;
    let mut x = x0;
    for (j, v) in s.iter_mut().enumerate() {
        while x > (seg + 1) as f64 && seg + 1 < n {
            seg += 1;
        }
        let t = x - (seg + 1) as f64;
        *v = ground_m[seg + 1] + (ground_m[seg + 1] - ground_m[seg]) * t;
        sum += *v;
        moment += *v * (j as f64 - centre);
        x += spacing;
    }
    let (first, last) = (s[0], s[m - 1]);
    sum -= 0.5 * (first + last);
    moment -= 0.5 * (first * -centre + last * centre);
    let len = (m - 1) as f64;
    let mean = sum / len;
    let slope = moment * 12.0 / ((len * len + 2.0) * len);
    let a = mean - slope * centre;
    let mut dev = [0.0f64; 245];
    let dev = &mut dev[..m];
    for (j, (d, &v)) in dev.iter_mut().zip(s.iter()).enumerate() {
        *d = v - (a + slope * j as f64);
    }
    let (q10, q90) = deciles(dev, p10);
    Some(q10 - q90)
}

/// The `k`-th largest and `k`-th smallest of `v` (k ≥ 1, 2k ≤ len); reorders `v`.
fn deciles(v: &mut [f64], k: usize) -> (f64, f64) {
    // After the first selection everything from index k on is ≤ the k-th largest, so the second
    // searches there. Values are finite (checked on input), so partial_cmp is total.
    let desc = |a: &f64, b: &f64| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal);
    let q10 = *v.select_nth_unstable_by(k - 1, desc).1;
    let m = v.len();
    let q90 = *v[k..].select_nth_unstable_by(m - 2 * k, desc).1;
    (q10, q90)
}

/// Horizon distance of a terminal of effective height `h_e_m` over terrain of irregularity Δh:
/// the smooth-earth distance √(2 h_e a_e) reduced by e^{−0.07 √(Δh / max(h_e, 5 m))} [Alg. eq. (3.3)].
fn rough_horizon_m<M: Math>(h_e_m: f64, a_e_m: f64, delta_h_m: f64) -> f64 {
    (2.0 * h_e_m * a_e_m).sqrt() * (-0.07 * (delta_h_m / h_e_m.max(5.0)).sqrt()).m_exp::<M>()
}

/// Horizon angle estimated from Δh [Alg. eq. (3.4)].
fn rough_horizon_angle(h_e_m: f64, d_hzn_m: f64, a_e_m: f64, delta_h_m: f64) -> f64 {
    let d_ls = (2.0 * h_e_m * a_e_m).sqrt();
    (0.65 * delta_h_m * (d_ls / d_hzn_m - 1.0) - 2.0 * h_e_m) / d_ls
}

/// Everything the reference attenuation needs from a point-to-point profile.
pub fn analyse(ground_m: &[f64], step_m: f64, h_m: [f64; 2], gamma_e: f64) -> PathGeometry {
    let n = ground_m.len() - 1;
    let d_m = n as f64 * step_m;
    let a_e = 1.0 / gamma_e;
    let (theta, d_hzn) = horizons(ground_m, step_m, h_m, a_e);
    let (d_start, d_end) = terrain_window_m(h_m, d_m, d_hzn);
    let delta_h = delta_h_m(ground_m, step_m, d_start, d_end);
    let horizons = Horizons {
        theta,
        d_hzn_m: d_hzn,
    };
    let ends_m = [ground_m[0], ground_m[n]];
    effective_geometry::<Libm>(
        h_m,
        d_m,
        ends_m,
        horizons,
        [d_start, d_end],
        delta_h,
        a_e,
        |a, b| fit_line_ends(ground_m, step_m, a, b),
    )
}

/// The part of the path whose terrain counts, (d_start, d_end) in m from the transmitter: terrain
/// near each terminal is skipped — "consideration of terrain elevations should begin at a point
/// about 15 times the tower height" (Hufford 1982), or a tenth of the way to the horizon.
pub fn terrain_window_m(h_m: [f64; 2], d_m: f64, d_hzn_m: [f64; 2]) -> (f64, f64) {
    let d_start = (15.0 * h_m[0]).min(0.1 * d_hzn_m[0]);
    let d_end = d_m - (15.0 * h_m[1]).min(0.1 * d_hzn_m[1]);
    (d_start, d_end)
}

/// Horizon elevation angles (rad) and distances (m) of both terminals, as [`horizons`] finds them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Horizons {
    pub theta: [f64; 2],
    pub d_hzn_m: [f64; 2],
}

/// The second half of the profile analysis, once the horizons, the terrain window and Δh are
/// known: effective heights above least-squares fits of the terrain, and — well within line of
/// sight — horizons estimated from them (the algorithm's `qlrpfl` after `hzns` and `dlthx`).
/// `ends_m` are the ground heights under the terminals; `fit(d_a, d_b)` returns the heights at the
/// profile's two ends of the line fitted between d_a and d_b (as [`fit_line_ends`]).
#[allow(clippy::too_many_arguments)]
pub fn effective_geometry<M: Math>(
    h_m: [f64; 2],
    d_m: f64,
    ends_m: [f64; 2],
    horizons: Horizons,
    [d_start, d_end]: [f64; 2],
    delta_h: f64,
    a_e: f64,
    mut fit: impl FnMut(f64, f64) -> (f64, f64),
) -> PathGeometry {
    let Horizons {
        mut theta,
        d_hzn_m: mut d_hzn,
    } = horizons;
    let above = |h: f64, z: f64, fit: f64| h + (z - fit).max(0.0);
    let mut h_e;
    if d_hzn[0] + d_hzn[1] > 1.5 * d_m {
        // Well within line of sight: effective heights above one fit of the whole path, horizons
        // estimated as in area mode, stretched so they at least reach each other.
        let (f0, f1) = fit(d_start, d_end);
        h_e = [above(h_m[0], ends_m[0], f0), above(h_m[1], ends_m[1], f1)];
        for i in 0..2 {
            d_hzn[i] = rough_horizon_m::<M>(h_e[i], a_e, delta_h);
        }
        let reach = d_hzn[0] + d_hzn[1];
        if reach <= d_m {
            let q = (d_m / reach).powi(2);
            for i in 0..2 {
                h_e[i] *= q;
                d_hzn[i] = rough_horizon_m::<M>(h_e[i], a_e, delta_h);
            }
        }
        for i in 0..2 {
            theta[i] = rough_horizon_angle(h_e[i], d_hzn[i], a_e, delta_h);
        }
    } else {
        // Each terminal's effective height above a fit of its own foreground, out to 90 % of the way
        // to its horizon.
        let (f0, _) = fit(d_start, 0.9 * d_hzn[0]);
        let (_, f1) = fit(d_m - 0.9 * d_hzn[1], d_end);
        h_e = [above(h_m[0], ends_m[0], f0), above(h_m[1], ends_m[1], f1)];
    }
    PathGeometry {
        h_m,
        h_e_m: h_e,
        d_hzn_m: d_hzn,
        theta_hzn: theta,
        delta_h_m: delta_h,
        d_m,
    }
}

/// Area mode: effective heights from the siting criteria [Alg. eq. (3.2)], horizons from Δh
/// [Alg. eqs. (3.3)–(3.4)].
pub fn area_geometry(
    h_m: [f64; 2],
    siting: [Siting; 2],
    delta_h_m: f64,
    d_m: f64,
    gamma_e: f64,
) -> PathGeometry {
    let a_e = 1.0 / gamma_e;
    let mut h_e = [0.0; 2];
    let mut d_hzn = [0.0; 2];
    let mut theta = [0.0; 2];
    for i in 0..2 {
        h_e[i] = match siting[i] {
            Siting::Random => h_m[i],
            s => {
                let mut b = if s == Siting::Careful { 4.0 } else { 9.0 };
                if h_m[i] < 5.0 {
                    b *= (0.1 * std::f64::consts::PI * h_m[i]).sin();
                }
                h_m[i] + (1.0 + b) * (-(2.0 * h_m[i] / delta_h_m.max(1e-3)).min(20.0)).exp()
            }
        };
        d_hzn[i] = rough_horizon_m::<Libm>(h_e[i], a_e, delta_h_m);
        theta[i] = rough_horizon_angle(h_e[i], d_hzn[i], a_e, delta_h_m);
    }
    PathGeometry {
        h_m,
        h_e_m: h_e,
        d_hzn_m: d_hzn,
        theta_hzn: theta,
        delta_h_m,
        d_m,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_recovers_a_plane_exactly() {
        let g: Vec<f64> = (0..=50).map(|i| 100.0 + 2.5 * i as f64).collect();
        let (a, b) = fit_line_ends(&g, 30.0, 300.0, 1200.0);
        assert!((a - 100.0).abs() < 1e-9 && (b - 225.0).abs() < 1e-9);
    }

    #[test]
    fn fit_matches_brute_force_weighted_least_squares() {
        let g: Vec<f64> = (0..=40).map(|i| ((i * 37) % 11) as f64 * 3.0).collect();
        let (a, b) = fit_line_ends(&g, 10.0, 50.0, 330.0);
        // Brute force: weights ½ at k = 5 and k = 33, 1 between; normal equations.
        let (mut sw, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        #[allow(clippy::needless_range_loop)]
        for k in 5..=33 {
            let w = if k == 5 || k == 33 { 0.5 } else { 1.0 };
            let (x, y) = (k as f64, g[k]);
            sw += w;
            sx += w * x;
            sy += w * y;
            sxx += w * x * x;
            sxy += w * x * y;
        }
        let slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
        let icpt = (sy - slope * sx) / sw;
        assert!((a - icpt).abs() < 1e-9);
        assert!((b - (icpt + slope * 40.0)).abs() < 1e-9);
    }

    #[test]
    fn delta_h_of_a_plane_is_zero_and_of_a_sawtooth_is_its_range() {
        let plane: Vec<f64> = (0..=200).map(|i| 50.0 + 0.7 * i as f64).collect();
        assert!(delta_h_m(&plane, 100.0, 0.0, 20_000.0).abs() < 1e-9);
        // Square wave ±10 m with a long period: 10 % / 90 % deviations are +10 / −10.
        let sq: Vec<f64> = (0..=2000)
            .map(|i| if (i / 100) % 2 == 0 { 10.0 } else { -10.0 })
            .collect();
        let dh = delta_h_m(&sq, 100.0, 0.0, 200_000.0);
        let factor = 1.0 - 0.8 * (-200_000.0f64 / 50e3).exp();
        // (the fitted line tilts slightly with the wave's phase at the ends, hence the tolerance)
        assert!((dh * factor - 20.0).abs() < 2.0, "Δh(d) = {}", dh * factor);
    }

    #[test]
    fn deciles_match_sorting() {
        let mut x = 12345u64;
        for &(m, k) in &[(35usize, 4usize), (95, 10), (245, 25)] {
            let v: Vec<f64> = (0..m)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 1000) as f64 - 500.0
                })
                .collect();
            let mut s = v.clone();
            s.sort_by(|a, b| b.total_cmp(a));
            assert_eq!(deciles(&mut v.clone(), k), (s[k - 1], s[m - k]));
        }
    }

    #[test]
    fn horizons_on_a_ridge() {
        // Flat at 0 m but a 200 m ridge at 4 km of a 10 km path: both terminals see it as horizon.
        let mut g = vec![0.0; 101];
        g[40] = 200.0;
        let (theta, d) = horizons(&g, 100.0, [10.0, 10.0], 8.5e6);
        assert_eq!(d, [4_000.0, 6_000.0]);
        assert!((theta[0] - (190.0 / 4000.0 - 4000.0 / 17e6)).abs() < 1e-12);
        // Without the ridge each sees the other.
        let (_, d) = horizons(&vec![0.0; 101], 100.0, [10.0, 10.0], 8.5e6);
        assert_eq!(d, [10_000.0, 10_000.0]);
    }

    #[test]
    fn mean_height_skips_tenths() {
        let mut g = vec![10.0; 21];
        g[0] = 1000.0;
        g[20] = 1000.0;
        assert_eq!(mean_path_height_m(&g), 10.0);
    }
}
