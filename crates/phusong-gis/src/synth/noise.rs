//! 2-D gradient noise with fractal sums, for synthetic terrain and placement weights.
//!
//! Gradient ("Perlin") noise after K. Perlin, "Improving Noise", SIGGRAPH 2002: a random unit gradient at
//! every integer lattice point, dot products with the offsets to the four corners, blended with the
//! quintic fade 6t⁵ − 15t⁴ + 10t³. The gradient at (ix, iy) comes from hashing (seed, ix, iy) rather
//! than from a permutation table, so any point is evaluated independently (parallel-safe, no period).
//! Fractal sums follow F. K. Musgrave, "Texturing & Modeling: A Procedural Approach" (3rd ed., ch. 16):
//! fBm (sum of octaves with gain and lacunarity) and the ridged multifractal (1 − |n|, squared, each
//! octave weighted by the previous one).

use super::rng::{derive, hash3};

/// Gradient noise with a fixed seed. Values lie in [−1, 1] (in practice about ±0.7), mean 0.
#[derive(Clone, Copy, Debug)]
pub struct Noise2 {
    seed: u64,
}

/// 256 unit vectors at angles 2πk/256 (a table instead of sin/cos per lattice point).
fn gradients() -> &'static [(f64, f64); 256] {
    static TABLE: std::sync::OnceLock<[(f64, f64); 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [(0.0, 0.0); 256];
        for (k, g) in t.iter_mut().enumerate() {
            let a = k as f64 * std::f64::consts::TAU / 256.0;
            *g = (a.cos(), a.sin());
        }
        t
    })
}

#[inline]
fn fade(t: f64) -> f64 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

impl Noise2 {
    pub fn new(seed: u64) -> Self {
        Noise2 { seed }
    }

    #[inline]
    fn grad_dot(&self, ix: i64, iy: i64, dx: f64, dy: f64) -> f64 {
        // One of 256 evenly spaced unit gradients, chosen by the top byte of the hash.
        let (c, s) = gradients()[(hash3(self.seed, ix, iy) >> 56) as usize];
        c * dx + s * dy
    }

    /// Single-octave gradient noise at (x, y) in lattice units. Zero at every lattice point.
    #[inline]
    pub fn gradient(&self, x: f64, y: f64) -> f64 {
        let (fx, fy) = (x.floor(), y.floor());
        let (ix, iy) = (fx as i64, fy as i64);
        let (dx, dy) = (x - fx, y - fy);
        let n00 = self.grad_dot(ix, iy, dx, dy);
        let n10 = self.grad_dot(ix + 1, iy, dx - 1.0, dy);
        let n01 = self.grad_dot(ix, iy + 1, dx, dy - 1.0);
        let n11 = self.grad_dot(ix + 1, iy + 1, dx - 1.0, dy - 1.0);
        let (u, v) = (fade(dx), fade(dy));
        let a = n00 + u * (n10 - n00);
        let b = n01 + u * (n11 - n01);
        // Scale so the theoretical extreme (√2/2 for unit gradients) maps to 1.
        (a + v * (b - a)) * std::f64::consts::SQRT_2
    }

    /// Octave `k`'s independent noise (its own seed, so octaves are uncorrelated at the origin).
    #[inline]
    fn octave(&self, k: u32) -> Noise2 {
        Noise2 {
            seed: derive(self.seed, k as u64 + 1),
        }
    }

    /// Fractional Brownian motion: Σ gainᵏ·n(lacunarityᵏ·p) / Σ gainᵏ. In [−1, 1], mean 0.
    pub fn fbm(&self, x: f64, y: f64, octaves: u32, lacunarity: f64, gain: f64) -> f64 {
        let (mut sum, mut norm, mut amp, mut f) = (0.0, 0.0, 1.0, 1.0);
        for k in 0..octaves {
            sum += amp * self.octave(k).gradient(x * f, y * f);
            norm += amp;
            amp *= gain;
            f *= lacunarity;
        }
        if norm > 0.0 {
            sum / norm
        } else {
            0.0
        }
    }

    /// Ridged multifractal (Musgrave): sharp crests (value near 1) along the zero set of the noise,
    /// each octave weighted by the previous octave's signal so detail concentrates on the ridges.
    /// Result in [0, 1].
    pub fn ridged(&self, x: f64, y: f64, octaves: u32, lacunarity: f64, gain: f64) -> f64 {
        let (mut sum, mut norm, mut amp, mut f, mut weight) = (0.0, 0.0, 1.0, 1.0, 1.0);
        for k in 0..octaves {
            let n = self.octave(k).gradient(x * f, y * f).clamp(-1.0, 1.0);
            let signal = (1.0 - n.abs()).powi(2) * weight;
            weight = (signal * 2.0).clamp(0.0, 1.0);
            sum += amp * signal;
            norm += amp;
            amp *= gain;
            f *= lacunarity;
        }
        if norm > 0.0 {
            (sum / norm).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let mut v = Vec::new();
        for i in 0..300 {
            for j in 0..300 {
                v.push(f(i as f64 * 0.173 + 0.01, j as f64 * 0.191 - 7.3));
            }
        }
        v
    }

    #[test]
    fn gradient_noise_is_zero_on_lattice_and_bounded_with_zero_mean() {
        let n = Noise2::new(11);
        assert_eq!(n.gradient(3.0, -5.0), 0.0);
        let v = samples(|x, y| n.gradient(x, y));
        assert!(v.iter().all(|a| (-1.0..=1.0).contains(a)));
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|a| a * a).sum::<f64>() / v.len() as f64).sqrt();
        assert!(mean.abs() < 0.02, "mean {mean}");
        assert!(sd > 0.15 && sd < 0.6, "sd {sd}");
    }

    #[test]
    fn fbm_and_ridged_ranges_and_mean() {
        let n = Noise2::new(5);
        let f = samples(|x, y| n.fbm(x, y, 5, 2.0, 0.5));
        assert!(f.iter().all(|a| (-1.0..=1.0).contains(a)));
        let mean = f.iter().sum::<f64>() / f.len() as f64;
        assert!(mean.abs() < 0.02, "fbm mean {mean}");
        let r = samples(|x, y| n.ridged(x, y, 5, 2.0, 0.5));
        assert!(r.iter().all(|a| (0.0..=1.0).contains(a)));
        // Ridges are a minority of the plane: most values well below the crest value 1.
        let high = r.iter().filter(|a| **a > 0.8).count() as f64 / r.len() as f64;
        assert!(high > 0.0 && high < 0.2, "{high}");
    }

    #[test]
    fn deterministic_continuous_and_seed_dependent() {
        let (a, b, c) = (Noise2::new(9), Noise2::new(9), Noise2::new(10));
        for &(x, y) in &[(0.3, 0.7), (12.5, -3.25), (1e5 + 0.1, 2e5 + 0.9)] {
            assert_eq!(a.fbm(x, y, 6, 2.0, 0.5), b.fbm(x, y, 6, 2.0, 0.5));
            assert_ne!(a.gradient(x, y), c.gradient(x, y));
            // Lipschitz: a 1e-4 step changes one octave by < 1e-3.
            assert!((a.gradient(x, y) - a.gradient(x + 1e-4, y)).abs() < 1e-3);
        }
    }
}
