//! Deterministic synthetic terrain for testing and timing the radial evaluator
//! ([`super::radial`]): three landscapes that stress ITM differently, sampled along radials from a
//! site the way coverage walks them.
//!
//! - [`Landscape::Mountain`]: ridged multifractal noise (Musgrave's "ridged multifractal", F. K.
//!   Musgrave, *Texturing and Modeling*, ch. 16) scaled to 0–2 000 m — many horizons, deep
//!   diffraction;
//! - [`Landscape::Lowland`]: a delta plain at 2–20 m with a few isolated Gaussian hills 80–350 m high
//!   — long line-of-sight stretches and a few shadows;
//! - [`Landscape::Coast`]: a sea at 0 m and a steep coast rising to ~1 000 m within a few km, the
//!   site on the coastal slope — radials over flat sea and radials into the mountains.
//!
//! Same seed, same heights, bit for bit (integer hashing, no platform-dependent state).

use std::f64::consts::PI;

/// Which synthetic landscape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landscape {
    Mountain,
    Lowland,
    Coast,
}

impl Landscape {
    pub const ALL: [Landscape; 3] = [Landscape::Mountain, Landscape::Lowland, Landscape::Coast];

    pub fn name(self) -> &'static str {
        match self {
            Landscape::Mountain => "mountain",
            Landscape::Lowland => "lowland",
            Landscape::Coast => "coast",
        }
    }
}

/// SplitMix64 finaliser: a well-mixed 64-bit hash of `x`.
fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Uniform value in [0, 1) at integer lattice point (i, j) of octave `o`.
fn lattice(seed: u64, o: u32, i: i64, j: i64) -> f64 {
    let h = mix64(seed ^ mix64((o as u64) << 48 ^ mix64(i as u64 ^ mix64(j as u64))));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Value noise in [0, 1) with quintic fade, lattice spacing 1.
fn value_noise(seed: u64, o: u32, x: f64, y: f64) -> f64 {
    let (xf, yf) = (x.floor(), y.floor());
    let (i, j) = (xf as i64, yf as i64);
    let fade = |t: f64| t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
    let (u, v) = (fade(x - xf), fade(y - yf));
    let a = lattice(seed, o, i, j);
    let b = lattice(seed, o, i + 1, j);
    let c = lattice(seed, o, i, j + 1);
    let d = lattice(seed, o, i + 1, j + 1);
    let top = a + (b - a) * u;
    let bottom = c + (d - c) * u;
    top + (bottom - top) * v
}

/// Ridged multifractal in about [0, 1]: octaves of 1 − |2n − 1| squared, each weighted by the
/// previous octave's signal so ridges carry the fine detail (Musgrave).
fn ridged(seed: u64, x_m: f64, y_m: f64, wavelength_m: f64, octaves: u32) -> f64 {
    let (mut freq, mut amp, mut weight) = (1.0 / wavelength_m, 1.0, 1.0);
    let (mut sum, mut norm) = (0.0, 0.0);
    for o in 0..octaves {
        let n = value_noise(seed, o, x_m * freq, y_m * freq);
        let mut s = 1.0 - (2.0 * n - 1.0).abs();
        s *= s;
        s *= weight;
        weight = (s * 2.0).clamp(0.0, 1.0);
        sum += s * amp;
        norm += amp;
        freq *= 2.03;
        amp *= 0.5;
    }
    sum / norm
}

/// Smooth fractal (fBm) noise in about [0, 1].
fn fbm(seed: u64, x_m: f64, y_m: f64, wavelength_m: f64, octaves: u32) -> f64 {
    let (mut freq, mut amp, mut sum, mut norm) = (1.0 / wavelength_m, 1.0, 0.0, 0.0);
    for o in 0..octaves {
        sum += amp * value_noise(seed ^ 0x5151, o, x_m * freq, y_m * freq);
        norm += amp;
        freq *= 2.01;
        amp *= 0.5;
    }
    sum / norm
}

/// Ground height (m above sea level) of `landscape` at (x, y) metres from the site.
pub fn height_m(landscape: Landscape, seed: u64, x_m: f64, y_m: f64) -> f64 {
    match landscape {
        Landscape::Mountain => {
            // Offset so the site is not at a lattice point; ridges ~9 km apart, detail to ~70 m.
            let r = ridged(seed, x_m + 3_917.0, y_m - 1_231.0, 9_000.0, 7);
            (2_000.0 * r.powf(1.3) + 30.0 * fbm(seed, x_m, y_m, 1_500.0, 4)).clamp(0.0, 2_000.0)
        }
        Landscape::Lowland => {
            let mut z = 2.0 + 14.0 * fbm(seed, x_m, y_m, 6_000.0, 5);
            // A few hills at deterministic places within 25 km.
            for h in 0..5u64 {
                let u =
                    |k: u64| (mix64(seed ^ mix64(h * 7 + k)) >> 11) as f64 / (1u64 << 53) as f64;
                let (r, a) = (3_000.0 + 20_000.0 * u(1), 2.0 * PI * u(2));
                let (cx, cy) = (r * a.cos(), r * a.sin());
                let height = 80.0 + 270.0 * u(3);
                let width = 600.0 + 1_400.0 * u(4);
                let d2 = (x_m - cx).powi(2) + (y_m - cy).powi(2);
                z += height * (-d2 / (2.0 * width * width)).exp();
            }
            z
        }
        Landscape::Coast => {
            // Coastline 1.2 km west of the site, running north–south with gentle bays.
            let bay = 1_500.0 * (fbm(seed, 0.0, y_m, 12_000.0, 3) - 0.5);
            let inland_m = x_m + 1_200.0 + bay;
            if inland_m <= 0.0 {
                0.0
            } else {
                // Cliffs: ~350 m within the first km, then mountains to ~1 000 m.
                let rise = 350.0 * (1.0 - (-inland_m / 700.0).exp())
                    + 650.0 * (1.0 - (-inland_m / 8_000.0).exp());
                let rough = 0.35 + 0.65 * (1.0 - (-inland_m / 3_000.0).exp());
                (rise * (0.55 + 0.9 * rough * ridged(seed, x_m, y_m, 6_000.0, 6))).max(0.5)
            }
        }
    }
}

/// Ground heights along `n_radials` evenly spread radials from the site at (0, 0): radial `r`
/// points at azimuth 2πr/n and holds the heights at 0, step, …, `n_samples`·step (index 0 is the
/// site's own ground, shared by every radial).
pub fn radials(
    landscape: Landscape,
    seed: u64,
    n_radials: usize,
    n_samples: usize,
    step_m: f64,
) -> Vec<Vec<f64>> {
    (0..n_radials)
        .map(|r| {
            let az = 2.0 * PI * r as f64 / n_radials as f64;
            let (ux, uy) = (az.sin(), az.cos());
            (0..=n_samples)
                .map(|k| {
                    let d = k as f64 * step_m;
                    height_m(landscape, seed, ux * d, uy * d)
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landscapes_have_their_advertised_ranges() {
        for l in Landscape::ALL {
            let rs = radials(l, 7, 64, 280, 90.0);
            let all: Vec<f64> = rs.iter().flatten().copied().collect();
            let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            match l {
                Landscape::Mountain => assert!(lo >= 0.0 && hi <= 2_000.0 && hi - lo > 1_000.0),
                Landscape::Lowland => assert!(lo >= 2.0 && hi > 80.0 && hi < 700.0),
                Landscape::Coast => {
                    let sea = all.iter().filter(|&&z| z == 0.0).count();
                    assert!(sea > all.len() / 10 && hi > 500.0, "sea {sea}, max {hi}");
                }
            }
            // Deterministic.
            assert_eq!(rs, radials(l, 7, 64, 280, 90.0));
        }
    }
}
