//! Location reliability under log-normal shadowing: normal quantile, shadowing margin and
//! Jakes' cell-edge → cell-area reliability.
//!
//! Shadowing in dB is modelled as N(0, σ²) around the median path loss, so the probability that
//! a location receives at least `median − margin` is Φ(margin / σ) and the margin needed for a
//! location reliability r is σ·Φ⁻¹(r).
//!
//! - Φ⁻¹: M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution",
//!   Applied Statistics 37(3), 1988, pp. 477-484, routine PPND16 (relative accuracy about
//!   1e-16): three rational approximations, |p − 0.5| ≤ 0.425, then r = √(−ln min(p, 1 − p))
//!   ≤ 5 and > 5. Coefficients are those printed in the paper.
//! - Φ via erfc: M. Abramowitz & I. A. Stegun, Handbook of Mathematical Functions (1964),
//!   series 7.1.6 for erf below x = 1.5 and continued fraction 7.1.14 for erfc above (evaluated
//!   with the modified Lentz method, W. H. Press et al., Numerical Recipes 3rd ed. §5.2).
//! - Area reliability: W. C. Jakes (ed.), Microwave Mobile Communications, Wiley 1974, §2.3
//!   (Reudink's fraction of useful service area of a circular cell); the same formula is
//!   T. S. Rappaport, Wireless Communications 2nd ed. (2002), eq. (4.79) / Fig. 4.18.

use crate::error::{ParamError, Result};

const SQRT_2: f64 = std::f64::consts::SQRT_2;
/// 1/√π.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
/// Below this argument erfc = 1 − erf(series); from it on the continued fraction.
const ERFC_CF_FROM: f64 = 1.5;

/// Evaluates Σ coef[i]·x^i by Horner's rule.
fn horner(coef: &[f64; 8], x: f64) -> f64 {
    coef.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

// AS 241 PPND16 coefficients (Wichura 1988), ascending powers; B, D, F have leading 1.
// Kept digit for digit as printed in the paper (hence the allow) so they can be checked against
// it; the compiler rounds them to the nearest f64.
#[allow(clippy::excessive_precision)]
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    1.331_416_678_917_843_774_5e2,
    1.971_590_950_306_551_442_7e3,
    1.373_169_376_550_946_112_5e4,
    4.592_195_393_154_987_145_7e4,
    6.726_577_092_700_870_085_3e4,
    3.343_057_558_358_812_810_5e4,
    2.509_080_928_730_122_672_7e3,
];
#[allow(clippy::excessive_precision)]
const AS241_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091_125_2e1,
    6.871_870_074_920_579_083e2,
    5.394_196_021_424_751_107_7e3,
    2.121_379_430_158_659_586_7e4,
    3.930_789_580_009_271_061e4,
    2.872_908_573_572_194_267_4e4,
    5.226_495_278_852_854_561e3,
];
#[allow(clippy::excessive_precision)]
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    2.417_807_251_774_506_117_7e-1,
    2.272_384_498_926_918_458_33e-2,
    7.745_450_142_783_414_076_4e-4,
];
#[allow(clippy::excessive_precision)]
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    6.897_673_349_851_000_045_5e-1,
    1.481_039_764_274_800_745_9e-1,
    1.519_866_656_361_645_719_66e-2,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
#[allow(clippy::excessive_precision)]
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    2.965_605_718_285_048_912_3e-1,
    2.653_218_952_657_612_309_3e-2,
    1.242_660_947_388_078_438_6e-3,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
#[allow(clippy::excessive_precision)]
const AS241_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_879_376_9e-1,
    1.369_298_809_227_358_053_1e-1,
    1.487_536_129_085_061_485_25e-2,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

/// Standard normal quantile Φ⁻¹(p) (AS 241 PPND16, Wichura 1988).
///
/// Returns −∞ at p = 0, +∞ at p = 1 and NaN outside [0, 1] or for NaN (never panics).
/// Relative accuracy is about 1e-16 in the central region and the lower tail; in the upper
/// tail the accuracy is limited by the rounding of 1 − p.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q; // 0.425² − q²
        return q * horner(&AS241_A, r) / horner(&AS241_B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    if tail <= 0.0 {
        return if q < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let r = (-tail.ln()).sqrt();
    let x = if r <= 5.0 {
        let r = r - 1.6;
        horner(&AS241_C, r) / horner(&AS241_D, r)
    } else {
        let r = r - 5.0;
        horner(&AS241_E, r) / horner(&AS241_F, r)
    };
    if q < 0.0 {
        -x
    } else {
        x
    }
}

/// erf(x) for 0 ≤ x < 1.5 by A&S 7.1.6: (2/√π) e^(−x²) Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)).
/// All terms are positive (no cancellation); converges in ≤ 30 terms on this range.
fn erf_series(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    let mut n = 0.0;
    while term > sum * 1e-17 && n < 100.0 {
        n += 1.0;
        term *= 2.0 * x * x / (2.0 * n + 1.0);
        sum += term;
    }
    2.0 * FRAC_1_SQRT_PI * (-x * x).exp() * sum
}

/// Scaled complementary error function e^(x²) erfc(x) for x ≥ 1.5 by the continued fraction
/// A&S 7.1.14, √π e^(x²) erfc(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), modified Lentz.
fn erfcx_cf(x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..=500 {
        let a = 0.5 * k as f64;
        d = x + a * d;
        d = if d == 0.0 { 1.0 / TINY } else { 1.0 / d };
        c = x + a / c;
        if c == 0.0 {
            c = TINY;
        }
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    FRAC_1_SQRT_PI / f
}

/// Complementary error function erfc(x), relative accuracy ~1e-15 (see module docs).
fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x < 0.0 {
        2.0 - erfc(-x)
    } else if x < ERFC_CF_FROM {
        1.0 - erf_series(x)
    } else {
        exp_minus_square(x) * erfcx_cf(x)
    }
}

/// e^(−x²) without the rounding of x² (relative error ~x²·1e-16 otherwise): split
/// x = x_s + δ with x_s a multiple of 1/16, so x_s² is exact and x² = x_s² + δ(x + x_s).
fn exp_minus_square(x: f64) -> f64 {
    let xs = (x * 16.0).trunc() / 16.0;
    (-xs * xs).exp() * (-(x - xs) * (x + xs)).exp()
}

/// e^(x²) erfc(x) for x ≥ 0 without overflow.
fn erfcx(x: f64) -> f64 {
    if x < ERFC_CF_FROM {
        (x * x).exp() * erfc(x)
    } else {
        erfcx_cf(x)
    }
}

/// Standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate to ~1e-15 relative also far in the
/// lower tail (Φ(−10) ≈ 7.6e-24). NaN for NaN.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / SQRT_2)
}

/// Checks that `reliability` is a probability strictly between 0 and 1 (e.g. 0.9 for 90 %).
pub fn check_reliability(reliability: f64) -> Result<()> {
    if reliability > 0.0 && reliability < 1.0 {
        Ok(())
    } else {
        Err(ParamError::new(
            "reliability",
            reliability,
            "a fraction strictly between 0 and 1 (e.g. 0.9 for 90 %)",
        )
        .into())
    }
}

fn check_sigma(sigma_db: f64, allow_zero: bool) -> Result<()> {
    let ok = sigma_db.is_finite() && (sigma_db > 0.0 || (allow_zero && sigma_db == 0.0));
    if ok {
        Ok(())
    } else {
        let expected = if allow_zero {
            "finite and ≥ 0 dB"
        } else {
            "finite and > 0 dB"
        };
        Err(ParamError::new("shadow_sigma_db", sigma_db, expected).into())
    }
}

/// Log-normal shadowing margin (dB) for a location reliability: σ·Φ⁻¹(reliability).
///
/// 0.5 → 0 dB; 0.9 with σ = 8 dB → 10.25 dB; reliabilities below 0.5 give negative margins.
/// Errors if `reliability` is not in (0, 1) or `sigma_db` is negative or not finite.
pub fn shadowing_margin_db(sigma_db: f64, reliability: f64) -> Result<f64> {
    check_reliability(reliability)?;
    check_sigma(sigma_db, true)?;
    Ok(sigma_db * normal_quantile(reliability))
}

/// Fraction of a circular cell's area covered, given the location reliability at its edge
/// (Jakes 1974 §2.3, Reudink): with the mean received level falling as 10 n log r and
/// log-normal shadowing σ,
/// F_u = ½ [1 − erf a + exp((1 − 2ab)/b²) (1 − erf((1 − ab)/b))],
/// a = −Φ⁻¹(edge)/√2 (so that edge = ½ erfc a), b = 10 n log₁₀(e) / (σ√2).
/// The exp·erfc product is evaluated as e^(−a²)·erfcx((1 − ab)/b) when that argument is ≥ 0,
/// so it never overflows. Example: n = 4 (40 dB/decade), σ = 8 dB, edge 50 % → 77.3 %.
///
/// Errors if `edge_reliability` is not in (0, 1), `path_loss_exponent` is not finite and > 0,
/// or `sigma_db` is not finite and > 0.
pub fn cell_edge_to_area_reliability(
    edge_reliability: f64,
    path_loss_exponent: f64,
    sigma_db: f64,
) -> Result<f64> {
    check_reliability(edge_reliability)?;
    check_sigma(sigma_db, false)?;
    if !(path_loss_exponent.is_finite() && path_loss_exponent > 0.0) {
        return Err(
            ParamError::new("path_loss_exponent", path_loss_exponent, "finite and > 0").into(),
        );
    }
    let a = -normal_quantile(edge_reliability) / SQRT_2;
    let b = 10.0 * path_loss_exponent * std::f64::consts::LOG10_E / (sigma_db * SQRT_2);
    let z = (1.0 - a * b) / b;
    // exp((1 − 2ab)/b²) = exp(z² − a²), hence exp(·)·erfc(z) = exp(−a²)·erfcx(z).
    let inner = if z >= 0.0 {
        (-a * a).exp() * erfcx(z)
    } else {
        ((1.0 - 2.0 * a * b) / (b * b)).exp() * erfc(z)
    };
    Ok((0.5 * (erfc(a) + inner)).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Φ(x) by composite Simpson integration of the normal density, independent of erfc:
    /// Φ(x) = ½ + ∫₀ˣ φ(t) dt with 20 000 intervals (error well below 1e-15).
    fn phi_simpson(x: f64) -> f64 {
        let n = 20_000;
        let h = x / n as f64;
        let pdf = |t: f64| (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mut s = pdf(0.0) + pdf(x);
        for i in 1..n {
            let w = if i % 2 == 1 { 4.0 } else { 2.0 };
            s += w * pdf(i as f64 * h);
        }
        0.5 + s * h / 3.0
    }

    /// Brute-force Φ⁻¹ by bisection of [`phi_simpson`].
    fn quantile_bisect(p: f64) -> f64 {
        let (mut lo, mut hi) = (-10.0, 10.0);
        for _ in 0..50 {
            let mid = 0.5 * (lo + hi);
            if phi_simpson(mid) < p {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    #[test]
    fn quantile_known_values() {
        // Published values of Φ⁻¹ (to double precision).
        for (p, x) in [
            (0.9, 1.281_551_565_544_600_4),
            (0.95, 1.644_853_626_951_472_2),
            (0.99, 2.326_347_874_040_840_8),
            (0.001, -3.090_232_306_167_813_5),
            (0.5, 0.0),
            (1e-6, -4.753_424_308_822_899),
            (1e-10, -6.361_340_902_404_057),
        ] {
            let q = normal_quantile(p);
            assert!((q - x).abs() <= 2e-15 * x.abs().max(1.0), "{p}: {q} vs {x}");
        }
        // Symmetry Φ⁻¹(1 − p) = −Φ⁻¹(p) (up to the rounding of 1 − p).
        for p in [0.001, 0.01, 0.2, 0.4] {
            assert!(
                (normal_quantile(1.0 - p) + normal_quantile(p)).abs() < 1e-13,
                "{p}"
            );
        }
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan() && normal_quantile(1.5).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
    }

    #[test]
    fn quantile_matches_brute_force_inversion() {
        for p in [
            1e-4, 0.001, 0.01, 0.075, 0.1, 0.3, 0.5, 0.7, 0.9, 0.925, 0.99, 0.999, 0.9999,
        ] {
            let q = normal_quantile(p);
            let brute = quantile_bisect(p);
            assert!((q - brute).abs() < 1e-11, "{p}: {q} vs {brute}");
        }
    }

    #[test]
    fn cdf_known_values_and_round_trip() {
        // Reference values of Φ (50-digit mpmath), far into the lower tail.
        for (x, phi) in [
            (-1.0, 0.158_655_253_931_457_05),
            (-3.0, 0.001_349_898_031_630_094_5),
            (-5.0, 2.866_515_718_791_939e-7),
            (-10.0, 7.619_853_024_160_526e-24),
            (-20.0, 2.753_624_118_606_233_7e-89),
            (0.5, 0.691_462_461_274_013_1),
            (2.0, 0.977_249_868_051_820_8),
        ] {
            // Condition number of Φ at x is ~x², applied to the rounding of x/√2.
            let c = normal_cdf(x);
            let tol = (4e-15 + 2.5e-16 * x * x) * phi;
            assert!((c - phi).abs() <= tol, "{x}: {c} vs {phi}");
        }
        // Φ(x) against the Simpson integral across both branches of erfc.
        for x in [-2.5, -2.2, -2.1, -1.0, -0.3, 0.0, 0.7, 2.13, 3.0] {
            assert!((normal_cdf(x) - phi_simpson(x)).abs() < 1e-14, "{x}");
        }
        // Φ(Φ⁻¹(p)) = p in relative terms over all three AS 241 regions.
        for p in [
            1e-300, 1e-30, 1e-12, 1e-3, 0.02, 0.074, 0.076, 0.3, 0.5, 0.8, 0.97,
        ] {
            let q = normal_quantile(p);
            let back = normal_cdf(q);
            assert!((back - p).abs() <= 5e-14 * p * (1.0 + q * q), "{p}: {back}");
        }
    }

    #[test]
    fn margins() {
        // 0.5 → 0 dB; σ = 8, 0.9 → 8 · 1.2815515655446004 = 10.252412524356803 dB.
        assert_eq!(shadowing_margin_db(8.0, 0.5).unwrap(), 0.0);
        let m = shadowing_margin_db(8.0, 0.9).unwrap();
        assert!((m - 10.252_412_524_356_803).abs() < 1e-12, "{m}");
        // 95 % with σ = 6 dB: 6 · 1.6448536269514722 = 9.869121761708833 dB.
        let m = shadowing_margin_db(6.0, 0.95).unwrap();
        assert!((m - 9.869_121_761_708_833).abs() < 1e-12, "{m}");
        assert!(shadowing_margin_db(8.0, 0.1).unwrap() < 0.0);
        assert_eq!(shadowing_margin_db(0.0, 0.99).unwrap(), 0.0);
        for bad in [0.0, 1.0, -0.2, 90.0, f64::NAN] {
            let e = shadowing_margin_db(8.0, bad).unwrap_err().to_string();
            assert!(e.contains("reliability"), "{e}");
        }
        assert!(shadowing_margin_db(-1.0, 0.9).is_err());
        assert!(shadowing_margin_db(f64::INFINITY, 0.9).is_err());
    }

    /// Area fraction by direct integration: with t = r/R = e^(−s), the covered fraction is
    /// ∫₀¹ P(t) 2t dt = ∫₀^∞ 2 Φ(−(x₀ − μ(t))/σ) e^(−2s) ds, the local reliability at distance t
    /// being Φ(Φ⁻¹(edge) + 10 n log₁₀(e) s / σ). Composite Simpson on s ∈ [0, 20] (the tail
    /// beyond contributes < e^(−40)), step 1e-3.
    fn area_by_integration(edge: f64, n: f64, sigma_db: f64) -> f64 {
        let z_edge = normal_quantile(edge);
        let slope = 10.0 * n * std::f64::consts::LOG10_E / sigma_db;
        let f = |s: f64| 2.0 * normal_cdf(z_edge + slope * s) * (-2.0 * s).exp();
        let m = 20_000;
        let h = 20.0 / m as f64;
        let mut acc = f(0.0) + f(20.0);
        for i in 1..m {
            acc += if i % 2 == 1 { 4.0 } else { 2.0 } * f(i as f64 * h);
        }
        acc * h / 3.0
    }

    #[test]
    fn jakes_area_reliability() {
        // Published: σ/n = 2 with 50 % at the edge covers ≈ 77 % of the area (Jakes 1974 §2.3
        // curves; Rappaport Fig. 4.18). Closed form (mpmath, 30 digits): 0.772825370331017.
        let u = cell_edge_to_area_reliability(0.5, 4.0, 8.0).unwrap();
        assert!((u - 0.772_825_370_331_017).abs() < 1e-13, "{u}");
        assert!((u - 0.77).abs() < 0.005);
        // Only σ/n matters: n = 3, σ = 6 gives the same.
        let u3 = cell_edge_to_area_reliability(0.5, 3.0, 6.0).unwrap();
        assert!((u3 - u).abs() < 1e-14);
        for (edge, n, sigma) in [
            (0.5, 4.0, 8.0),
            (0.9, 4.0, 8.0),
            (0.75, 3.5, 8.0),
            (0.95, 3.5, 10.0),
            (0.1, 2.0, 12.0),
            (0.99, 4.0, 2.0),
            (0.999_999, 2.0, 12.0),
            (0.02, 4.0, 1.0),
        ] {
            let closed = cell_edge_to_area_reliability(edge, n, sigma).unwrap();
            let num = area_by_integration(edge, n, sigma);
            assert!(
                (closed - num).abs() < 1e-10,
                "{edge} {n} {sigma}: {closed} vs {num}"
            );
            // Area reliability exceeds edge reliability (every interior point is better).
            assert!(
                closed > edge && closed < 1.0,
                "{edge} {n} {sigma}: {closed}"
            );
        }
        assert!(cell_edge_to_area_reliability(1.0, 4.0, 8.0).is_err());
        assert!(cell_edge_to_area_reliability(0.9, 0.0, 8.0).is_err());
        assert!(cell_edge_to_area_reliability(0.9, 4.0, 0.0).is_err());
        assert!(cell_edge_to_area_reliability(0.9, f64::NAN, 8.0).is_err());
    }
}
