//! The elementary functions ITM evaluates, behind a trait so one implementation of the algorithm
//! serves two uses: [`Libm`] (the platform's `exp`, `ln`, `log10`, `powf`, `sin`, `cos`) keeps
//! [`super::p2p`] exactly as it is, and [`Fast`] — short polynomial evaluations accurate to about
//! 1e-9 relative, far below ITM's own precision (its constants have 3–5 digits) — serves the
//! radial evaluator, where these calls are most of the cost.
//!
//! The fast versions are the textbook ones (e.g. J.-M. Muller, *Elementary Functions: Algorithms and
//! Implementation*, 3rd ed., 2016, ch. 11 "range reduction" and the Taylor/atanh series): exp by
//! x = k ln 2 + r, |r| ≤ ln2/2 (Cody–Waite split of ln 2) and a degree-8 Taylor polynomial in r;
//! ln by x = 2^e m, m ∈ [√½, √2), ln m = 2 atanh((m − 1)/(m + 1)) as an odd series; the cube root by
//! an exponent-divided first guess and Newton steps; sin and cos by Taylor polynomials on
//! [−π/2, π/2] after a shift by π/2. Arguments outside the ranges ITM produces (exp of more than
//! ±700, logs of non-positive numbers, angles beyond [−π/2, π]) fall back to [`Libm`].

/// The elementary functions ITM needs.
pub trait Math {
    fn exp(x: f64) -> f64;
    fn ln(x: f64) -> f64;
    fn log10(x: f64) -> f64;
    /// x^{1/3} for x ≥ 0.
    fn cbrt(x: f64) -> f64;
    /// x^{1/4} for x ≥ 0.
    fn pow_quarter(x: f64) -> f64;
    /// (sin x, cos x).
    fn sin_cos(x: f64) -> (f64, f64);
}

/// The platform's functions, exactly as [`super::p2p`] has always called them.
#[derive(Clone, Copy, Debug)]
pub struct Libm;

impl Math for Libm {
    #[inline]
    fn exp(x: f64) -> f64 {
        x.exp()
    }
    #[inline]
    fn ln(x: f64) -> f64 {
        x.ln()
    }
    #[inline]
    fn log10(x: f64) -> f64 {
        x.log10()
    }
    #[inline]
    fn cbrt(x: f64) -> f64 {
        x.powf(1.0 / 3.0)
    }
    #[inline]
    fn pow_quarter(x: f64) -> f64 {
        x.powf(0.25)
    }
    #[inline]
    fn sin_cos(x: f64) -> (f64, f64) {
        (x.sin(), x.cos())
    }
}

/// Polynomial approximations (below 1e-9 relative error) for the radial evaluator.
#[derive(Clone, Copy, Debug)]
pub struct Fast;

/// ln 2 split for exact products k·LN2_HI (its low 21 bits are zero) and the remainder
/// (fdlibm's `ln2_hi`, `ln2_lo`).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const LOG10_E: f64 = std::f64::consts::LOG10_E;

impl Math for Fast {
    #[inline]
    fn exp(x: f64) -> f64 {
        if !(-700.0..=700.0).contains(&x) {
            return x.exp();
        }
        // k = nearest integer to x/ln 2 by the 1.5·2⁵² shifter (no rounding instruction needed).
        const SHIFTER: f64 = 6_755_399_441_055_744.0;
        let k = (x * std::f64::consts::LOG2_E + SHIFTER) - SHIFTER;
        let r = (x - k * LN2_HI) - k * LN2_LO;
        // Taylor to r⁸/8!: |r| ≤ 0.347 → truncation below 3e-10 relative.
        let mut p = 1.0 / 40_320.0;
        for c in [
            1.0 / 5_040.0,
            1.0 / 720.0,
            1.0 / 120.0,
            1.0 / 24.0,
            1.0 / 6.0,
            0.5,
            1.0,
            1.0,
        ] {
            p = p * r + c;
        }
        // 2^k by building the exponent bits (|k| ≤ 1010, a normal number).
        let scale = f64::from_bits(((k as i64 + 1023) as u64) << 52);
        p * scale
    }

    #[inline]
    fn ln(x: f64) -> f64 {
        if !(f64::MIN_POSITIVE..f64::INFINITY).contains(&x) {
            return x.ln();
        }
        // x = 2^e m with m in [1/√2, √2), without a branch: offset the bits by those of 1/√2 so
        // the exponent field counts from there (the reduction of musl's `log`).
        const OFF: u64 = 0x3fe6_a09e_667f_3bcd;
        let bits = x.to_bits();
        let tmp = bits.wrapping_sub(OFF);
        let e = (tmp as i64) >> 52;
        let m = f64::from_bits(bits.wrapping_sub(tmp & (0xfff << 52)));
        // ln m = 2 atanh s, s = (m − 1)/(m + 1), |s| ≤ 0.1716: series to s¹¹ (next term < 6e-11 s).
        let s = (m - 1.0) / (m + 1.0);
        let s2 = s * s;
        let mut p = 1.0 / 11.0;
        for c in [1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0] {
            p = p * s2 + c;
        }
        let ef = e as f64;
        ef * LN2_HI + (ef * LN2_LO + 2.0 * s * p)
    }

    #[inline]
    fn log10(x: f64) -> f64 {
        Self::ln(x) * LOG10_E
    }

    #[inline]
    fn cbrt(x: f64) -> f64 {
        if !(f64::MIN_POSITIVE..f64::INFINITY).contains(&x) {
            return x.powf(1.0 / 3.0);
        }
        // First guess: divide the biased exponent by three (within ~3 %), then Halley's
        // iteration y ← y (y³ + 2x)/(2y³ + x), cubically convergent: 3e-2 → 1e-5 → 1e-15.
        let bits = x.to_bits();
        let mut y = f64::from_bits(bits / 3 + 0x2a9f_7893_782d_a1ce);
        for _ in 0..2 {
            let y3 = y * y * y;
            y *= (y3 + 2.0 * x) / (2.0 * y3 + x);
        }
        y
    }

    #[inline]
    fn pow_quarter(x: f64) -> f64 {
        x.sqrt().sqrt()
    }

    #[inline]
    fn sin_cos(x: f64) -> (f64, f64) {
        use std::f64::consts::FRAC_PI_2;
        if !(-FRAC_PI_2..=std::f64::consts::PI).contains(&x) {
            return (x.sin(), x.cos());
        }
        // Near 0 directly, else shifted by π/2: sin x = cos t, cos x = −sin t, t = x − π/2.
        let (t, shifted) = if x <= 0.25 * std::f64::consts::PI {
            (x, false)
        } else {
            (x - FRAC_PI_2, true)
        };
        // Taylor to t¹⁵ / t¹⁶ on |t| ≤ π/2: truncation below 1e-11.
        let t2 = t * t;
        let mut s = -1.0 / 1_307_674_368_000.0;
        let mut c = 1.0 / 20_922_789_888_000.0;
        for (sc, cc) in [
            (1.0 / 6_227_020_800.0, -1.0 / 87_178_291_200.0),
            (-1.0 / 39_916_800.0, 1.0 / 479_001_600.0),
            (1.0 / 362_880.0, -1.0 / 3_628_800.0),
            (-1.0 / 5_040.0, 1.0 / 40_320.0),
            (1.0 / 120.0, -1.0 / 720.0),
            (-1.0 / 6.0, 1.0 / 24.0),
            (1.0, -0.5),
        ] {
            s = s * t2 + sc;
            c = c * t2 + cc;
        }
        let (sin_t, cos_t) = (s * t, c * t2 + 1.0);
        if shifted {
            (cos_t, -sin_t)
        } else {
            (sin_t, cos_t)
        }
    }
}

/// Method-call spelling of [`Math`] for the algorithm's formulas: `x.m_exp::<M>()`.
pub(crate) trait MathExt: Copy {
    fn m_exp<M: Math>(self) -> f64;
    fn m_ln<M: Math>(self) -> f64;
    fn m_log10<M: Math>(self) -> f64;
    fn m_cbrt<M: Math>(self) -> f64;
    fn m_pow_quarter<M: Math>(self) -> f64;
}

impl MathExt for f64 {
    #[inline]
    fn m_exp<M: Math>(self) -> f64 {
        M::exp(self)
    }
    #[inline]
    fn m_ln<M: Math>(self) -> f64 {
        M::ln(self)
    }
    #[inline]
    fn m_log10<M: Math>(self) -> f64 {
        M::log10(self)
    }
    #[inline]
    fn m_cbrt<M: Math>(self) -> f64 {
        M::cbrt(self)
    }
    #[inline]
    fn m_pow_quarter<M: Math>(self) -> f64 {
        M::pow_quarter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if b == 0.0 {
            a.abs()
        } else {
            ((a - b) / b).abs()
        }
    }

    /// Deterministic sweep of arguments: a geometric grid over many decades plus its negatives.
    fn grid(lo: f64, hi: f64, n: usize) -> Vec<f64> {
        let (a, b) = (lo.ln(), hi.ln());
        (0..=n)
            .map(|i| (a + (b - a) * i as f64 / n as f64).exp())
            .collect()
    }

    #[test]
    fn fast_exp_and_logs_match_libm() {
        for x in grid(1e-6, 700.0, 20_000) {
            for v in [x, -x] {
                assert!(rel(Fast::exp(v), v.exp()) < 1e-9, "exp({v})");
            }
        }
        assert_eq!(Fast::exp(0.0), 1.0);
        for x in grid(1e-300, 1e300, 20_000) {
            let tol = 1e-9 * x.ln().abs().max(1.0);
            assert!((Fast::ln(x) - x.ln()).abs() < tol, "ln({x})");
            assert!((Fast::log10(x) - x.log10()).abs() < tol, "log10({x})");
        }
        assert_eq!(Fast::ln(1.0), 0.0);
        assert!(Fast::ln(0.0) == f64::NEG_INFINITY && Fast::ln(-1.0).is_nan());
    }

    #[test]
    fn fast_roots_match_libm() {
        for x in grid(1e-12, 1e15, 20_000) {
            assert!(rel(Fast::cbrt(x), x.cbrt()) < 1e-12, "cbrt({x})");
            assert!(rel(Fast::pow_quarter(x), x.powf(0.25)) < 1e-14, "x^¼ ({x})");
        }
        assert_eq!(Fast::cbrt(0.0), 0.0);
        assert_eq!(Fast::cbrt(27.0), 3.0);
    }

    #[test]
    fn fast_sin_cos_match_libm() {
        for i in 0..=20_000 {
            let x = -2.0 + 6.0 * i as f64 / 20_000.0;
            let (s, c) = Fast::sin_cos(x);
            assert!(
                (s - x.sin()).abs() < 1e-10 && (c - x.cos()).abs() < 1e-10,
                "{x}"
            );
        }
    }
}
