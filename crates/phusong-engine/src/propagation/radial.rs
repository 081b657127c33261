//! Incremental multiple knife-edge diffraction along a radial (Deygout over the upper convex hull).
//!
//! Coverage needs the diffraction loss at *every* sample of a radial, not just at its end. Evaluating
//! Deygout afresh at each of n samples costs O(n²) per radial. This walker keeps the upper convex hull
//! of the terrain already passed (Andrew's monotone chain, amortised O(1) per sample) and searches the
//! edges only among hull vertices.
//!
//! Why the hull: Deygout's main edge maximises the Fresnel parameter ν (ITU-R P.526-15 eq. (26)), which
//! grows with the edge's height above the Tx–Rx line. For any line, the point highest above it lies on
//! the upper convex hull, and a point below a hull segment has a smaller ν than that segment's end
//! vertices whenever it lies near either end (ν's distance weighting 1/d₁+1/d₂ is largest there), so the
//! hull holds the edges Deygout picks in all but contrived profiles. [`crate::propagation::deygout`] is
//! the reference that evaluates every profile point; tests compare the two.
//!
//! Earth curvature: heights are stored as z − d²/(2kR) (d from the transmitter). Relative to the chord
//! from Tx to any receiver at distance D this adds exactly the bulge d(D−d)/(2kR) (ITU-R P.526-15
//! eq. (2)), so one hull serves every receiver on the radial.

use crate::propagation::deygout::EARTH_RADIUS_M;
use crate::propagation::knife_edge::{fresnel_nu, knife_edge_loss_db, wavelength_m};

/// Walks one radial outward from a transmitter, returning the diffraction loss at each receiver.
///
/// ```
/// use phusong_engine::propagation::radial::RadialWalker;
/// use phusong_engine::propagation::{deygout_loss_db, knife_edge_loss_db, Profile};
///
/// // A 30 m mast on flat ground at 0 m, a 60 m high ridge 2 km out, receivers at 1.5 m every 500 m.
/// let ground = [0.0, 0.0, 0.0, 0.0, 60.0, 0.0, 0.0, 0.0, 0.0];
/// let mut walker = RadialWalker::new(30.0, 900.0, 4.0 / 3.0);
/// let losses: Vec<f64> = (1..ground.len()).map(|k| walker.step(k as f64 * 500.0, ground[k], 1.5)).collect();
/// assert_eq!(losses[..3], [0.0, 0.0, 0.0]); // clear line of sight before the ridge
/// assert!(losses[5] > 10.0);               // shadowed behind it
/// // Same answer as the reference Deygout over the whole profile to that receiver.
/// let p = Profile { step_m: 500.0, ground_m: ground[..=6].to_vec() };
/// assert!((losses[5] - deygout_loss_db(&p, 30.0, 1.5, 900.0, 4.0 / 3.0)).abs() < 1e-9);
/// # let _ = knife_edge_loss_db(0.0);
/// ```
pub struct RadialWalker {
    tx_z_m: f64,
    inv_2kr: f64,
    lambda_m: f64,
    hull: Vec<(f64, f64)>,
}

impl RadialWalker {
    /// `tx_z_m`: transmitter antenna height above sea level; `k_factor`: effective earth radius factor.
    pub fn new(tx_z_m: f64, freq_mhz: f64, k_factor: f64) -> Self {
        let mut hull = Vec::with_capacity(64);
        hull.push((0.0, tx_z_m));
        RadialWalker {
            tx_z_m,
            inv_2kr: 1.0 / (2.0 * k_factor * EARTH_RADIUS_M),
            lambda_m: wavelength_m(freq_mhz),
            hull,
        }
    }

    /// Diffraction loss (dB) for a receiver `rx_height_m` above ground at distance `d_m` where the ground
    /// is `ground_m`, then adds that ground point to the terrain passed. Distances must increase.
    pub fn step(&mut self, d_m: f64, ground_m: f64, rx_height_m: f64) -> f64 {
        let z = ground_m - d_m * d_m * self.inv_2kr;
        let loss = self.loss_to(d_m, z + rx_height_m);
        self.push(d_m, z);
        loss
    }

    /// Whether the receiver would see the transmitter with no hull vertex above the line (no
    /// clearance requirement), evaluated like [`Self::step`] but without advancing.
    pub fn line_of_sight(&self, d_m: f64, ground_m: f64, rx_height_m: f64) -> bool {
        let zr = ground_m - d_m * d_m * self.inv_2kr + rx_height_m;
        let slope = (zr - self.tx_z_m) / d_m;
        self.hull[1..]
            .iter()
            .all(|&(d, z)| z <= self.tx_z_m + slope * d)
    }

    fn push(&mut self, d: f64, z: f64) {
        while self.hull.len() >= 2 {
            let (ax, ay) = self.hull[self.hull.len() - 2];
            let (bx, by) = self.hull[self.hull.len() - 1];
            // Keep b only if it lies strictly above the segment a→(d,z) (a clockwise turn).
            let cross = (bx - ax) * (z - ay) - (by - ay) * (d - ax);
            if cross >= 0.0 {
                self.hull.pop();
            } else {
                break;
            }
        }
        self.hull.push((d, z));
    }

    /// Deygout (1966) with one level of secondary edges: J(ν_main) + J(ν_tx-side) + J(ν_rx-side),
    /// each term only where ν > −0.78 (P.526-15 eq. (31) is then positive).
    fn loss_to(&self, d_rx: f64, z_rx: f64) -> f64 {
        let h = &self.hull;
        let Some((m, nu_m)) = self.max_nu(1, h.len(), (0.0, self.tx_z_m), (d_rx, z_rx)) else {
            return 0.0;
        };
        if nu_m <= -0.78 {
            return 0.0;
        }
        let mut loss = knife_edge_loss_db(nu_m);
        let edge = h[m];
        if let Some((_, nu)) = self.max_nu(1, m, (0.0, self.tx_z_m), edge) {
            if nu > -0.78 {
                loss += knife_edge_loss_db(nu);
            }
        }
        if let Some((_, nu)) = self.max_nu(m + 1, h.len(), edge, (d_rx, z_rx)) {
            if nu > -0.78 {
                loss += knife_edge_loss_db(nu);
            }
        }
        loss
    }

    /// Hull vertex in `lo..hi` with the largest ν relative to the line a→b.
    fn max_nu(&self, lo: usize, hi: usize, a: (f64, f64), b: (f64, f64)) -> Option<(usize, f64)> {
        let span = b.0 - a.0;
        if span <= 0.0 {
            return None;
        }
        let slope = (b.1 - a.1) / span;
        let mut best: Option<(usize, f64)> = None;
        for (i, &(d, z)) in self.hull.iter().enumerate().take(hi).skip(lo) {
            let (d1, d2) = (d - a.0, b.0 - d);
            if d1 <= 0.0 || d2 <= 0.0 {
                continue;
            }
            let nu = fresnel_nu(z - (a.1 + slope * d1), d1, d2, self.lambda_m);
            if best.is_none_or(|(_, bn)| nu > bn) {
                best = Some((i, nu));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::deygout::{deygout_loss_db, Profile};

    /// Deterministic pseudo-random terrain for comparisons.
    fn terrain(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        let mut z = 200.0;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                z += ((s >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 60.0;
                z = z.max(0.0);
                z
            })
            .collect()
    }

    #[test]
    fn matches_reference_deygout_on_random_profiles() {
        let step = 90.0;
        let (mut n_cmp, mut n_close, mut worst, mut sum) = (0, 0, 0f64, 0f64);
        for seed in 1..20u64 {
            let g = terrain(150, seed);
            let mut w = RadialWalker::new(g[0] + 30.0, 900.0, 4.0 / 3.0);
            for k in 1..g.len() {
                let fast = w.step(k as f64 * step, g[k], 1.5);
                let p = Profile {
                    step_m: step,
                    ground_m: g[..=k].to_vec(),
                };
                let reference = deygout_loss_db(&p, 30.0, 1.5, 900.0, 4.0 / 3.0);
                n_cmp += 1;
                if (fast - reference).abs() < 1.0 {
                    n_close += 1;
                }
                worst = worst.max((fast - reference).abs());
                sum += fast - reference;
            }
        }
        eprintln!(
            "{n_close}/{n_cmp} worst {worst} mean {}",
            sum / n_cmp as f64
        );
        assert!(n_close as f64 > 0.9 * n_cmp as f64, "{n_close}/{n_cmp}");
    }

    #[test]
    fn flat_earth_short_path_is_clear_and_curvature_blocks_long_one() {
        // 30 m and 1.5 m antennas over flat sea-level ground with k=4/3: radio horizon
        // sqrt(2kR·30) + sqrt(2kR·1.5) = 22.6 km + 5.05 km ≈ 27.6 km.
        let mut w = RadialWalker::new(30.0, 900.0, 4.0 / 3.0);
        let mut at_10km = None;
        let mut at_40km = None;
        for k in 1..=444 {
            let d = k as f64 * 90.0;
            let los = w.line_of_sight(d, 0.0, 1.5);
            let l = w.step(d, 0.0, 1.5);
            if k == 111 {
                at_10km = Some((los, l));
            }
            if k == 444 {
                at_40km = Some((los, l));
            }
        }
        let (los10, _) = at_10km.unwrap();
        let (los40, l40) = at_40km.unwrap();
        assert!(los10);
        assert!(!los40 && l40 > 10.0, "{l40}");
    }
}
