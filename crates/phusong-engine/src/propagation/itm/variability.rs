//! Variability: the loss not exceeded for a given fraction of time, locations and situations
//! [Alg. §5 (routine `avar`), Table 5.1; TN101 §10 and vol. 2 eqs. (III.69)–(III.70)].

use super::diffraction::delta_h_at;
use super::math::{Libm, Math, MathExt};
use super::{warn, Climate, Mdvar, PathGeometry, VariabilityMode};

/// Standard normal quantile Q⁻¹(q): the z with P(Z > z) = q, by the rational approximation of
/// Abramowitz & Stegun eq. (26.2.23) (|error| < 4.5e-4), as the ITM algorithm specifies.
pub fn inverse_ccdf(q: f64) -> f64 {
    let x = if q > 0.5 { 1.0 - q } else { q };
    let t = (-2.0 * x.ln()).sqrt();
    let z = t
        - ((0.010328 * t + 0.802853) * t + 2.515516)
            / (((0.001308 * t + 0.189269) * t + 1.432788) * t + 1.0);
    if q > 0.5 {
        -z
    } else {
        z
    }
}

/// Per-climate constants, columns in climate order 1–7 [Alg. Table 5.1; TN101 fig. 10.13].
struct ClimateCurves {
    /// V_med curve: c₁, c₂, x₁, x₂, x₃.
    median: [[f64; 7]; 5],
    /// σ_T− curve and σ_T+ curve: c₁, c₂, x₁, x₂, x₃.
    minus: [[f64; 7]; 5],
    plus: [[f64; 7]; 5],
    c_d: [f64; 7],
    z_d: [f64; 7],
    /// Frequency factors g(f) for σ_T− and σ_T+: b₁, b₂, b₃.
    f_minus: [[f64; 7]; 3],
    f_plus: [[f64; 7]; 3],
}

const CURVES: ClimateCurves = ClimateCurves {
    median: [
        [-9.67, -0.62, 1.26, -9.21, -0.62, -0.39, 3.15],
        [12.7, 9.19, 15.5, 9.05, 9.19, 2.86, 857.9],
        [
            144.9e3, 228.9e3, 262.6e3, 84.1e3, 228.9e3, 141.7e3, 2222.0e3,
        ],
        [
            190.3e3, 205.2e3, 185.2e3, 101.1e3, 205.2e3, 315.9e3, 164.8e3,
        ],
        [133.8e3, 143.6e3, 99.8e3, 98.6e3, 143.6e3, 167.4e3, 116.3e3],
    ],
    minus: [
        [2.13, 2.66, 6.11, 1.98, 2.68, 6.86, 8.51],
        [159.5, 7.67, 6.65, 13.11, 7.16, 10.38, 169.8],
        [762.2e3, 100.4e3, 138.2e3, 139.1e3, 93.7e3, 187.8e3, 609.8e3],
        [
            123.6e3, 172.5e3, 242.2e3, 132.7e3, 186.8e3, 169.6e3, 119.9e3,
        ],
        [94.5e3, 136.4e3, 178.6e3, 193.5e3, 133.5e3, 108.9e3, 106.6e3],
    ],
    plus: [
        [2.11, 6.87, 10.08, 3.68, 4.75, 8.58, 8.43],
        [102.3, 15.53, 9.60, 159.3, 8.12, 13.97, 8.19],
        [636.9e3, 138.7e3, 165.3e3, 464.4e3, 93.2e3, 216.0e3, 136.2e3],
        [134.8e3, 143.7e3, 225.7e3, 93.1e3, 135.9e3, 152.0e3, 188.5e3],
        [95.6e3, 98.6e3, 129.7e3, 94.2e3, 113.4e3, 122.7e3, 122.9e3],
    ],
    c_d: [1.224, 0.801, 1.380, 1.000, 1.224, 1.518, 1.518],
    z_d: [1.282, 2.161, 1.282, 20.0, 1.282, 1.282, 1.282],
    f_minus: [
        [1.0, 1.0, 1.0, 1.0, 0.92, 1.0, 1.0],
        [0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 1.77, 0.0, 0.0],
    ],
    f_plus: [
        [1.0, 0.93, 1.0, 0.93, 0.93, 1.0, 1.0],
        [0.0, 0.31, 0.0, 0.19, 0.31, 0.0, 0.0],
        [0.0, 2.00, 0.0, 1.79, 2.00, 0.0, 0.0],
    ],
};

/// (c₁ + c₂ / (1 + ((d_e − x₂)/x₃)²)) · (d_e/x₁)² / (1 + (d_e/x₁)²): the climate curves of [TN101 fig. 10.13] as the algorithm fits them.
fn curve(c: &[[f64; 7]; 5], i: usize, d_e: f64) -> f64 {
    let r = (d_e / c[2][i]).powi(2);
    (c[0][i] + c[1][i] / (1.0 + ((d_e - c[3][i]) / c[4][i]).powi(2))) * r / (1.0 + r)
}

/// Requested quantiles, percent.
#[derive(Clone, Copy, Debug)]
pub struct Quantiles {
    pub time_pct: f64,
    pub location_pct: f64,
    pub situation_pct: f64,
}

/// Result: attenuation relative to free space at the quantiles, and the warnings.
#[derive(Clone, Copy, Debug)]
pub struct Variable {
    pub a_db: f64,
    pub warnings: u32,
}

/// What of the variability depends only on the parameters and the frequency: the standard normal
/// deviates of the requested quantiles (after the mode's substitutions), the frequency factors of
/// σ_T and the climate's constants. Computed once per site by the radial evaluator.
#[derive(Clone, Copy, Debug)]
pub struct Variability {
    mdvar: Mdvar,
    ci: usize,
    k: f64,
    z_t: f64,
    z_l: f64,
    z_s: f64,
    warnings: u32,
    /// (575.7e12 / k)^{1/3}, the frequency term of the effective distance [Alg. eq. (5.3)], m.
    d_ex_freq_m: f64,
    g_minus: f64,
    g_plus: f64,
}

impl Variability {
    pub fn new(q: &Quantiles, mdvar: Mdvar, climate: Climate, freq_mhz: f64) -> Variability {
        let ci = climate.index();
        let k = freq_mhz / 47.7;
        let mut z_t = inverse_ccdf(q.time_pct / 100.0);
        let mut z_l = inverse_ccdf(q.location_pct / 100.0);
        let z_s = inverse_ccdf(q.situation_pct / 100.0);
        match mdvar.mode {
            VariabilityMode::SingleMessage => {
                z_t = z_s;
                z_l = z_s;
            }
            VariabilityMode::Accidental => z_l = z_s,
            VariabilityMode::Mobile => z_l = z_t,
            VariabilityMode::Broadcast => {}
        }
        let mut warnings = 0;
        if z_t.abs() > 3.10 || z_l.abs() > 3.10 || z_s.abs() > 3.10 {
            warnings |= warn::EXTREME_VARIABILITIES;
        }
        // Frequency factors g(f) of σ_T− and σ_T+.
        let qf = (0.133 * k).ln();
        let g_of = |b: &[[f64; 7]; 3]| b[0][ci] + b[1][ci] / ((b[2][ci] * qf).powi(2) + 1.0);
        Variability {
            mdvar,
            ci,
            k,
            z_t,
            z_l,
            z_s,
            warnings,
            d_ex_freq_m: (575.7e12 / k).powf(1.0 / 3.0),
            g_minus: g_of(&CURVES.f_minus),
            g_plus: g_of(&CURVES.f_plus),
        }
    }

    /// A_ref moved to the requested quantiles over the path `g`.
    pub fn apply<M: Math>(&self, g: &PathGeometry, a_ref_db: f64) -> Variable {
        let (ci, k, mdvar) = (self.ci, self.k, self.mdvar);
        let (z_t, z_l, z_s) = (self.z_t, self.z_l, self.z_s);
        // Effective distance [Alg. eq. (5.3)] with the 9 000 km earth of the variability curves.
        let a_9000 = 9000e3;
        let d_ex = (2.0 * a_9000 * g.h_e_m[0]).sqrt()
            + (2.0 * a_9000 * g.h_e_m[1]).sqrt()
            + self.d_ex_freq_m;
        let d_e = if g.d_m < d_ex {
            130e3 * g.d_m / d_ex
        } else {
            130e3 + g.d_m - d_ex
        };
        // Situation: σ_S = 5 + 3 e^{−d_e/100 km} [eq. (5.10)], unless eliminated (+20).
        let sigma_s = if mdvar.no_situation_variability {
            0.0
        } else {
            5.0 + 3.0 * (-d_e / 100e3).m_exp::<M>()
        };
        let v_med = curve(&CURVES.median, ci, d_e);
        // Location: σ_L = 10 kΔh(d) / (kΔh(d) + 13), unless eliminated (+10).
        let sigma_l = if mdvar.no_location_variability {
            0.0
        } else {
            let dh = delta_h_at::<M>(g.d_m, g.delta_h_m);
            10.0 * k * dh / (k * dh + 13.0)
        };
        let y_l = sigma_l * z_l;
        // Time: σ_T− / σ_T+ curves scaled by the frequency factors, and the long tail beyond z_D.
        let sigma_t_minus = curve(&CURVES.minus, ci, d_e) * self.g_minus;
        let sigma_t_plus = curve(&CURVES.plus, ci, d_e) * self.g_plus;
        let sigma_td = CURVES.c_d[ci] * sigma_t_plus;
        let tgtd = (sigma_t_plus - sigma_td) * CURVES.z_d[ci];
        let sigma_t = if z_t < 0.0 {
            sigma_t_minus
        } else if z_t <= CURVES.z_d[ci] {
            sigma_t_plus
        } else {
            sigma_td + tgtd / z_t
        };
        let y_t = sigma_t * z_t;
        // Combination by mode [eq. (5.11)].
        let s2 = sigma_s * sigma_s + y_t * y_t / (7.8 + z_s * z_s) + y_l * y_l / (24.0 + z_s * z_s);
        let (y_r, y_s) = match mdvar.mode {
            VariabilityMode::SingleMessage => (
                0.0,
                (sigma_t * sigma_t + sigma_l * sigma_l + s2).sqrt() * z_s,
            ),
            VariabilityMode::Accidental => (y_t, (sigma_l * sigma_l + s2).sqrt() * z_s),
            VariabilityMode::Mobile => (
                (sigma_t * sigma_t + sigma_l * sigma_l).sqrt() * z_t,
                s2.sqrt() * z_s,
            ),
            VariabilityMode::Broadcast => (y_t + y_l, s2.sqrt() * z_s),
        };
        let mut a = a_ref_db - v_med - y_r - y_s;
        // Negative attenuations are compressed towards a 10 dB floor of gain [Alg. §5].
        if a < 0.0 {
            a = a * (29.0 - a) / (29.0 - 10.0 * a);
        }
        Variable {
            a_db: a,
            warnings: self.warnings,
        }
    }
}

/// A_ref moved to the requested quantiles of time, location and situation.
pub fn quantile_db(
    q: &Quantiles,
    mdvar: Mdvar,
    climate: Climate,
    g: &PathGeometry,
    freq_mhz: f64,
    a_ref_db: f64,
) -> Variable {
    Variability::new(q, mdvar, climate, freq_mhz).apply::<Libm>(g, a_ref_db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_ccdf_matches_normal_quantiles() {
        // Q⁻¹(0.1) = 1.28155, Q⁻¹(0.05) = 1.64485, Q⁻¹(0.01) = 2.32635 (to the 4.5e-4 of A&S 26.2.23).
        for (q, z) in [
            (0.1, 1.2815516),
            (0.05, 1.6448536),
            (0.01, 2.3263479),
            (0.5, 0.0),
        ] {
            assert!((inverse_ccdf(q) - z).abs() < 4.5e-4, "{q}");
            assert!((inverse_ccdf(1.0 - q) + z).abs() < 4.5e-4, "{q}");
        }
    }
}
