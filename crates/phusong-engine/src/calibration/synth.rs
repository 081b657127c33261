//! Deterministic synthetic drive tests: a seeded PRNG, Gaussian deviates and Gudmundson's
//! spatially correlated log-normal shadowing along a route.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calibration::error::{check_param, CalibrationError, Result};
use crate::calibration::model::{Measurement, Model};

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; constants of Vigna's public-domain reference `splitmix64.c`).
/// Seed 1234567 gives 6457827717110365317, 3203168211198807973, … .
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// Generator with the given seed.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

/// Standard normal deviates by the Box–Muller transform (Box & Muller, Ann. Math. Stat. 29,
/// 1958, pp. 610–611): z₀ = √(−2 ln u₁)·cos(2πu₂), z₁ = √(−2 ln u₁)·sin(2πu₂), both used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianSource {
    rng: SplitMix64,
    spare: Option<f64>,
}

impl GaussianSource {
    /// Source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: SplitMix64::new(seed),
            spare: None,
        }
    }

    /// Next N(0, 1) deviate.
    pub fn next_standard(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        // u1 in (0, 1] so that ln(u1) is finite.
        let u1 = 1.0 - self.rng.next_f64();
        let u2 = self.rng.next_f64();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * std::f64::consts::PI * u2).sin_cos();
        self.spare = Some(r * s);
        r * c
    }
}

/// Cumulative distance along a polyline of (x, y) points, m (first point at 0).
pub fn route_positions_m(xy_m: &[(f64, f64)]) -> Vec<f64> {
    let mut out = Vec::with_capacity(xy_m.len());
    let mut s = 0.0;
    for (i, p) in xy_m.iter().enumerate() {
        if i > 0 {
            let q = xy_m[i - 1];
            s += (p.0 - q.0).hypot(p.1 - q.1);
        }
        out.push(s);
    }
    out
}

/// Shadowing (dB) at non-decreasing route positions, with Gudmundson's exponential
/// autocorrelation R(Δx) = σ²·exp(−|Δx|/d_corr) (Gudmundson, "Correlation model for shadow
/// fading in mobile radio systems", Electronics Letters 27(23), 1991, pp. 2145–2146).
///
/// Generated exactly as the first-order autoregression the paper derives, generalized to uneven
/// steps: x₀ = σ·z₀, xᵢ = ρᵢ·xᵢ₋₁ + σ·√(1 − ρᵢ²)·zᵢ with ρᵢ = exp(−(sᵢ − sᵢ₋₁)/d_corr), so
/// every xᵢ has variance σ² and any pair has correlation exp(−|Δs|/d_corr).
pub fn gudmundson_shadowing_db(
    positions_m: &[f64],
    sigma_db: f64,
    decorrelation_m: f64,
    gauss: &mut GaussianSource,
) -> Result<Vec<f64>> {
    check_param("sigma_db", sigma_db, sigma_db >= 0.0, "finite σ >= 0 dB")?;
    check_param(
        "decorrelation_m",
        decorrelation_m,
        decorrelation_m > 0.0,
        "finite decorrelation distance > 0 m",
    )?;
    let mut out = Vec::with_capacity(positions_m.len());
    for (i, &s) in positions_m.iter().enumerate() {
        check_param("positions_m[]", s, true, "finite route position in m")?;
        let z = gauss.next_standard();
        if i == 0 {
            out.push(sigma_db * z);
            continue;
        }
        let prev = positions_m[i - 1];
        if s < prev {
            return Err(CalibrationError::RouteNotMonotonic {
                index: i,
                value: s,
                previous: prev,
            });
        }
        let rho = (-(s - prev) / decorrelation_m).exp();
        let x = rho * out[i - 1] + sigma_db * (1.0 - rho * rho).sqrt() * z;
        out.push(x);
    }
    Ok(out)
}

/// Settings for synthetic RSRP.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShadowingConfig {
    /// Shadowing standard deviation, dB.
    pub sigma_db: f64,
    /// Gudmundson decorrelation distance, m.
    pub decorrelation_m: f64,
    /// Independent per-point measurement noise σ, dB.
    pub noise_sigma_db: f64,
    /// PRNG seed.
    pub seed: u64,
}

/// Replaces `rsrp_dbm` of every row with model loss + correlated shadowing + independent noise:
/// RSRP = RS power + antenna gain − (L_model + shadow + noise); `censored` is cleared (apply
/// hygiene for the sensitivity floor). Each (site, cell) link is a route: its rows, in input
/// order, are consecutive route points and the route position is the cumulative (x, y) distance.
/// Links get independent shadowing (no cross-correlation between sites), drawn in ascending
/// (site, cell) order, so the output depends only on the inputs and the seed.
pub fn synthesize_rsrp(
    model: &Model,
    template: &[Measurement],
    config: &ShadowingConfig,
) -> Result<Vec<Measurement>> {
    model.validate()?;
    check_param(
        "noise_sigma_db",
        config.noise_sigma_db,
        config.noise_sigma_db >= 0.0,
        "finite σ >= 0 dB",
    )?;
    for (i, m) in template.iter().enumerate() {
        m.validate(i)?;
    }
    let mut links: BTreeMap<(u32, u32), Vec<usize>> = BTreeMap::new();
    for (i, m) in template.iter().enumerate() {
        links.entry((m.site_id, m.cell_id)).or_default().push(i);
    }
    let mut gauss = GaussianSource::new(config.seed);
    let mut out = template.to_vec();
    for idx in links.values() {
        let xy: Vec<(f64, f64)> = idx
            .iter()
            .map(|&i| (template[i].x_m, template[i].y_m))
            .collect();
        let pos = route_positions_m(&xy);
        let shadow =
            gudmundson_shadowing_db(&pos, config.sigma_db, config.decorrelation_m, &mut gauss)?;
        for (k, &i) in idx.iter().enumerate() {
            let m = &template[i];
            let loss = model.predict_loss_db(m, i)?
                + shadow[k]
                + config.noise_sigma_db * gauss.next_standard();
            out[i].rsrp_dbm = m.rs_power_dbm + m.antenna_gain_db - loss;
            out[i].censored = false;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_vector() {
        // Published reference outputs for seed 1234567 (Vigna's splitmix64.c).
        let mut r = SplitMix64::new(1_234_567);
        let want = [
            6_457_827_717_110_365_317_u64,
            3_203_168_211_198_807_973,
            9_817_491_932_198_370_423,
            4_593_380_528_125_082_431,
            16_408_922_859_458_223_821,
        ];
        for w in want {
            assert_eq!(r.next_u64(), w);
        }
    }

    #[test]
    fn box_muller_moments() {
        let mut g = GaussianSource::new(7);
        let n = 200_000;
        let z: Vec<f64> = (0..n).map(|_| g.next_standard()).collect();
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032.
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "var {var}");
        // Fraction beyond ±1.96 should be 5 % (binomial sd 0.05 %).
        let tail = z.iter().filter(|v| v.abs() > 1.959_964).count() as f64 / n as f64;
        assert!((tail - 0.05).abs() < 0.002, "tail {tail}");
    }

    #[test]
    fn shadowing_rejects_backward_route() {
        let mut g = GaussianSource::new(1);
        let err = gudmundson_shadowing_db(&[0.0, 10.0, 5.0], 6.0, 50.0, &mut g);
        assert!(matches!(
            err,
            Err(CalibrationError::RouteNotMonotonic { index: 2, .. })
        ));
    }
}
