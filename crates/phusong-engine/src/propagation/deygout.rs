//! Multiple knife-edge diffraction over a terrain profile by the Deygout construction.
//!
//! J. Deygout, "Multiple knife-edge diffraction of microwaves", IEEE Trans. Antennas Propag.
//! AP-14(4), 1966, pp. 480-489. The principal edge is the profile point with the largest
//! Fresnel parameter ν relative to the Tx-Rx line; the secondary edges are the points with the
//! largest ν on the Tx-principal and principal-Rx sub-paths. We stop at that first level (at most
//! three edges, the common three-edge limitation of the method) and add the three single-edge
//! losses: L = J(ν_p) + J(ν_t) + J(ν_r), each term only where ν > −0.78. ν and J are
//! ITU-R P.526-15 eqs. (26) and (31) (see [`super::knife_edge`]).
//!
//! Earth curvature: each terrain sample is raised by the effective-Earth bulge
//! d1·d2 / (2·k·R_e) (R_e = 6371 km) computed on the whole Tx-Rx path, which maps the curved
//! Earth onto a flat frame where rays are straight. Because the bulge is a parabola, a sub-path's
//! chord in this frame sees exactly its own bulge d1'·d2'/(2kR_e), so the same raised profile is
//! used for the secondary edges.

use super::knife_edge::{fresnel_nu, knife_edge_loss_db, wavelength_m};

/// Mean Earth radius, metres.
pub const EARTH_RADIUS_M: f64 = 6_371_000.0;
/// Standard-atmosphere effective Earth-radius factor (ITU-R P.452/P.453 median value).
pub const DEFAULT_K_FACTOR: f64 = 4.0 / 3.0;

/// Terrain heights (m above datum) sampled every `step_m` metres from the transmitter (index 0)
/// to the receiver (last index).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Horizontal distance between consecutive samples, metres.
    pub step_m: f64,
    /// Ground height at each sample, metres.
    pub ground_m: Vec<f64>,
}

impl Profile {
    /// True when the profile has at least one interior point and a positive finite step.
    fn has_interior(&self) -> bool {
        self.ground_m.len() >= 3 && self.step_m.is_finite() && self.step_m > 0.0
    }

    /// Ground height at sample `i` raised by the Earth bulge for effective factor `k_factor`.
    /// `k_factor` that is 0, infinite or NaN means a flat Earth (no bulge).
    fn raised_m(&self, i: usize, k_factor: f64) -> f64 {
        let g = self.ground_m[i];
        if !(k_factor.is_finite() && k_factor != 0.0) {
            return g;
        }
        let total_m = self.step_m * (self.ground_m.len() - 1) as f64;
        let d1 = self.step_m * i as f64;
        g + d1 * (total_m - d1) / (2.0 * k_factor * EARTH_RADIUS_M)
    }
}

/// Edge with the largest ν strictly between samples `a` and `b`, relative to the straight line
/// from height `ya_m` at `a` to `yb_m` at `b`. Ties keep the lowest index; NaN heights are skipped.
fn max_nu(
    p: &Profile,
    k_factor: f64,
    (a, ya_m): (usize, f64),
    (b, yb_m): (usize, f64),
    lambda_m: f64,
) -> Option<(usize, f64)> {
    let span = (b - a) as f64;
    let mut best: Option<(usize, f64)> = None;
    for i in a + 1..b {
        let t = (i - a) as f64 / span;
        let line_m = ya_m + (yb_m - ya_m) * t;
        let h_m = p.raised_m(i, k_factor) - line_m;
        let d1_m = (i - a) as f64 * p.step_m;
        let d2_m = (b - i) as f64 * p.step_m;
        let nu = fresnel_nu(h_m, d1_m, d2_m, lambda_m);
        if best.is_none_or(|(_, v)| nu > v) {
            if nu.is_nan() {
                continue;
            }
            best = Some((i, nu));
        }
    }
    best
}

/// Diffraction loss (dB, ≥ 0) over the profile by Deygout's method limited to three edges.
///
/// Antenna heights are above local ground at the two ends. `k_factor` is the effective Earth
/// radius factor (use [`DEFAULT_K_FACTOR`]; 0, ±∞ or NaN mean flat Earth). Returns 0 for a
/// profile with fewer than three samples, a non-positive step or a non-positive frequency.
pub fn deygout_loss_db(
    p: &Profile,
    tx_height_m: f64,
    rx_height_m: f64,
    freq_mhz: f64,
    k_factor: f64,
) -> f64 {
    if !(p.has_interior() && freq_mhz.is_finite() && freq_mhz > 0.0) {
        return 0.0;
    }
    let lambda_m = wavelength_m(freq_mhz);
    let last = p.ground_m.len() - 1;
    let tx = (0, p.ground_m[0] + tx_height_m);
    let rx = (last, p.ground_m[last] + rx_height_m);
    let Some((m, nu_m)) = max_nu(p, k_factor, tx, rx, lambda_m) else {
        return 0.0;
    };
    if nu_m <= -0.78 {
        return 0.0;
    }
    let main = (m, p.raised_m(m, k_factor));
    let mut loss_db = knife_edge_loss_db(nu_m);
    if let Some((_, nu_t)) = max_nu(p, k_factor, tx, main, lambda_m) {
        loss_db += knife_edge_loss_db(nu_t);
    }
    if let Some((_, nu_r)) = max_nu(p, k_factor, main, rx, lambda_m) {
        loss_db += knife_edge_loss_db(nu_r);
    }
    loss_db
}

/// True when no terrain sample (raised by the Earth bulge) rises above the straight Tx-Rx line.
/// A sample exactly on the line still counts as line of sight (though it costs ≈ 6 dB).
pub fn line_of_sight(p: &Profile, tx_height_m: f64, rx_height_m: f64, k_factor: f64) -> bool {
    if !p.has_interior() {
        return true;
    }
    let last = p.ground_m.len() - 1;
    let ya_m = p.ground_m[0] + tx_height_m;
    let yb_m = p.ground_m[last] + rx_height_m;
    (1..last).all(|i| {
        let line_m = ya_m + (yb_m - ya_m) * i as f64 / last as f64;
        // Compared via partial_cmp so NaN samples do not block the path.
        p.raised_m(i, k_factor).partial_cmp(&line_m) != Some(std::cmp::Ordering::Greater)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 299.792458 MHz gives λ = 1 m, which keeps hand arithmetic simple.
    const F_LAMBDA_1M: f64 = 299.792458;
    const FLAT: f64 = f64::INFINITY;

    #[test]
    fn single_isolated_edge_equals_knife_edge() {
        let mut g = vec![0.0; 11];
        g[3] = 25.0;
        let p = Profile {
            step_m: 100.0,
            ground_m: g,
        };
        // Tx/Rx tops at 10 m; edge 15 m above the line, d1 = 300 m, d2 = 700 m.
        let lambda = wavelength_m(900.0);
        let nu = fresnel_nu(15.0, 300.0, 700.0, lambda);
        let want = knife_edge_loss_db(nu);
        let got = deygout_loss_db(&p, 10.0, 10.0, 900.0, FLAT);
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        assert!(want > 10.0);
        assert!(!line_of_sight(&p, 10.0, 10.0, FLAT));
    }

    #[test]
    fn flat_profile_is_los_without_loss() {
        let p = Profile {
            step_m: 50.0,
            ground_m: vec![5.0; 41],
        };
        assert_eq!(deygout_loss_db(&p, 30.0, 1.5, 1800.0, FLAT), 0.0);
        assert!(line_of_sight(&p, 30.0, 1.5, FLAT));
        // 2 km path with k = 4/3: bulge ≤ 1000²/(2·8494.7 km) = 0.059 m, far below the line.
        assert_eq!(
            deygout_loss_db(&p, 30.0, 1.5, 1800.0, DEFAULT_K_FACTOR),
            0.0
        );
        assert!(line_of_sight(&p, 30.0, 1.5, DEFAULT_K_FACTOR));
    }

    #[test]
    fn grazing_obstacle_costs_six_db() {
        let mut g = vec![0.0; 21];
        g[8] = 10.0;
        let p = Profile {
            step_m: 25.0,
            ground_m: g,
        };
        // Edge exactly on the Tx-Rx line (both tops at 10 m): ν = 0 → J(0) = 6.0329 dB; the
        // sub-paths see only ground 10 m below their chords (ν ≪ −0.78).
        let l = deygout_loss_db(&p, 10.0, 10.0, 900.0, FLAT);
        assert!((l - 6.0329).abs() < 1e-3, "{l}");
        assert!(line_of_sight(&p, 10.0, 10.0, FLAT));
    }

    #[test]
    fn two_edges_by_hand() {
        // λ = 1 m, samples at 0,1,2,3,4 km, ground [0, 30, 0, 20, 0], antennas 10 m → line at 10 m.
        // Edge @1 km: h = 20, ν = 20·sqrt(2·(1/1000 + 1/3000)) = 1.032796
        // Edge @3 km: h = 10, ν = 10·sqrt(2·(1/3000 + 1/1000)) = 0.516398 → principal is @1 km.
        // Tx side: no interior sample. Rx side: chord from (1 km, 30) to (4 km, 10);
        //   at 3 km the chord is 30 − 20·2/3 = 16.6667, h = 3.3333, d1 = 2000, d2 = 1000:
        //   ν = 3.3333·sqrt(2·(1/2000 + 1/1000)) = 0.182574.
        // J(1.032796) = 6.9 + 20 log(sqrt(0.932796² + 1) + 0.932796) = 6.9 + 20 log 2.300316
        //             = 14.1357; J(0.182574) = 6.9 + 20 log 1.085978 = 7.6164. Total 21.7522.
        let p = Profile {
            step_m: 1000.0,
            ground_m: vec![0.0, 30.0, 0.0, 20.0, 0.0],
        };
        let l = deygout_loss_db(&p, 10.0, 10.0, F_LAMBDA_1M, FLAT);
        assert!((l - 21.7522).abs() < 1e-3, "{l}");
        // Deygout's construction is symmetric: reversing the path gives the same loss.
        let mut rev = p.clone();
        rev.ground_m.reverse();
        let lr = deygout_loss_db(&rev, 10.0, 10.0, F_LAMBDA_1M, FLAT);
        assert!((l - lr).abs() < 1e-9);
    }

    #[test]
    fn three_edges_by_hand() {
        // λ = 1 m, 1 km steps, ground [0, 15, 0, 40, 0, 18, 0], antennas 10 m (line at 10 m).
        // ν @1 = 5·sqrt(2·(1/1000 + 1/5000)) = 5·0.048990 = 0.244949
        // ν @3 = 30·sqrt(2·(2/3000)) = 30·0.036515 = 1.095445  ← principal
        // ν @5 = 8·0.048990 = 0.391918
        // Tx side chord (0,10)→(3,40): at 1 km 20 → h = −5; at 2 km 30 → h = −30.
        //   ν @1 = −5·sqrt(2·(1/1000 + 1/2000)) = −5·0.054772 = −0.273861 (> −0.78, counts)
        // Rx side chord (3,40)→(6,10): at 4 km 30 (h = −30), at 5 km 20 → h = −2:
        //   ν @5 = −2·0.054772 = −0.109545
        // J(1.095445) = 6.9 + 20 log(sqrt(0.995445² + 1) + 0.995445) = 6.9 + 20 log 2.406444
        //             = 14.5275
        // J(−0.273861) = 6.9 + 20 log(sqrt(0.373861² + 1) − 0.373861) = 6.9 + 20 log 0.693740
        //             = 3.7239
        // J(−0.109545) = 6.9 + 20 log(sqrt(0.209545² + 1) − 0.209545) = 6.9 + 20 log 0.812173
        //             = 5.0928
        // Total 23.3444.
        let p = Profile {
            step_m: 1000.0,
            ground_m: vec![0.0, 15.0, 0.0, 40.0, 0.0, 18.0, 0.0],
        };
        let l = deygout_loss_db(&p, 10.0, 10.0, F_LAMBDA_1M, FLAT);
        assert!((l - 23.3444).abs() < 1e-3, "{l}");
    }

    #[test]
    fn curvature_sets_radio_horizon() {
        // Smooth Earth, both antennas 10 m, k = 4/3: horizon distance
        // d = 2·sqrt(2·k·R_e·h) = 2·sqrt(2·8 494 667·10) = 2·13 034.3 = 26 068.6 m.
        let path = |len_m: f64| Profile {
            step_m: 100.0,
            ground_m: vec![0.0; (len_m / 100.0) as usize + 1],
        };
        let k = DEFAULT_K_FACTOR;
        let near = path(24_000.0); // midpoint bulge 12 000²/(2kR) = 8.48 m < 10 m
        let far = path(28_000.0); // midpoint bulge 14 000²/(2kR) = 11.54 m > 10 m
        assert!(line_of_sight(&near, 10.0, 10.0, k));
        assert!(!line_of_sight(&far, 10.0, 10.0, k));
        assert!(deygout_loss_db(&far, 10.0, 10.0, 900.0, k) > 6.0);
        // Bracket the horizon more tightly: 25.8 km visible, 26.4 km not.
        assert!(line_of_sight(&path(25_800.0), 10.0, 10.0, k));
        assert!(!line_of_sight(&path(26_400.0), 10.0, 10.0, k));
        // Without curvature the same path is geometrically clear, but the ground still intrudes
        // into the first Fresnel zone: the principal edge is the midpoint, 10 m below the line,
        // ν = −10·sqrt(2/λ·(2/14 000)) ≈ −0.29 > −0.78, so some loss remains, less than curved.
        assert!(line_of_sight(&far, 10.0, 10.0, FLAT));
        let nu_mid = fresnel_nu(-10.0, 14_000.0, 14_000.0, wavelength_m(900.0));
        assert!((nu_mid + 0.2928).abs() < 1e-3, "{nu_mid}");
        let flat = deygout_loss_db(&far, 10.0, 10.0, 900.0, FLAT);
        assert!(flat >= knife_edge_loss_db(nu_mid) - 1e-12);
        assert!(flat < deygout_loss_db(&far, 10.0, 10.0, 900.0, k));
    }

    #[test]
    fn degenerate_profiles_do_not_panic() {
        let short = Profile {
            step_m: 10.0,
            ground_m: vec![0.0, 100.0],
        };
        assert_eq!(
            deygout_loss_db(&short, 1.0, 1.0, 900.0, DEFAULT_K_FACTOR),
            0.0
        );
        assert!(line_of_sight(&short, 1.0, 1.0, DEFAULT_K_FACTOR));
        let bad = Profile {
            step_m: 0.0,
            ground_m: vec![0.0, 100.0, 0.0],
        };
        assert_eq!(
            deygout_loss_db(&bad, 1.0, 1.0, 900.0, DEFAULT_K_FACTOR),
            0.0
        );
        let nan = Profile {
            step_m: 10.0,
            ground_m: vec![0.0, f64::NAN, 50.0, 0.0],
        };
        assert!(deygout_loss_db(&nan, 1.0, 1.0, 900.0, DEFAULT_K_FACTOR) > 0.0);
        assert!(!line_of_sight(&nan, 1.0, 1.0, DEFAULT_K_FACTOR));
        let empty = Profile {
            step_m: 10.0,
            ground_m: vec![],
        };
        assert_eq!(
            deygout_loss_db(&empty, 1.0, 1.0, 900.0, DEFAULT_K_FACTOR),
            0.0
        );
    }
}
