//! The inverse complementary cumulative normal distribution I(x) of Rec. ITU-R P.1812-6,
//! Attachment 2 to Annex 1 (a rational approximation, absolute error < 4.5e-4).

/// I(x): the value exceeded with probability `x` by a standard normal variable
/// (so I(0.1) ≈ +1.28, I(0.5) ≈ 0, I(0.9) ≈ −1.28).
///
/// Attachment 2: I(x) = T(x) − ξ(x) for 0 < x ≤ 0.5 and I(x) = ξ(1−x) − T(1−x) for 0.5 < x < 1,
/// with T(y) = sqrt(−2 ln y) and ξ the rational function of T with constants C0–C2, D1–D3.
/// `x` is clamped to [1e-6, 1 − 1e-6] as the approximation is stated for that open interval.
pub fn inv_cum_norm(x: f64) -> f64 {
    let x = x.clamp(1e-6, 1.0 - 1e-6);
    if x <= 0.5 {
        t_minus_xi(x)
    } else {
        -t_minus_xi(1.0 - x)
    }
}

/// T(y) − ξ(y) for 0 < y ≤ 0.5 (Attachment 2).
fn t_minus_xi(y: f64) -> f64 {
    const C0: f64 = 2.515516698;
    const C1: f64 = 0.802853;
    const C2: f64 = 0.010328;
    const D1: f64 = 1.432788;
    const D2: f64 = 0.189269;
    const D3: f64 = 0.001308;
    let t = (-2.0 * y.ln()).sqrt();
    let xi = ((C2 * t + C1) * t + C0) / (((D3 * t + D2) * t + D1) * t + 1.0);
    t - xi
}

#[cfg(test)]
mod tests {
    use super::inv_cum_norm;

    #[test]
    fn matches_standard_normal_quantiles() {
        // Published quantiles of the standard normal distribution.
        let cases = [
            (0.5, 0.0),
            (0.1, 1.281_551_6),
            (0.01, 2.326_347_9),
            (0.025, 1.959_964_0),
            (0.9, -1.281_551_6),
            (0.99, -2.326_347_9),
        ];
        for (x, q) in cases {
            let got = inv_cum_norm(x);
            assert!((got - q).abs() < 4.5e-4, "I({x}) = {got}, expected {q}");
        }
    }

    #[test]
    fn antisymmetric_and_decreasing() {
        let mut prev = f64::INFINITY;
        for i in 1..100 {
            let x = f64::from(i) / 100.0;
            let v = inv_cum_norm(x);
            assert!(v < prev);
            // Exact antisymmetry about 0.5, up to I(0.5) ≈ 1e-9 of the approximation.
            assert!((v + inv_cum_norm(1.0 - x)).abs() < 1e-8);
            prev = v;
        }
    }
}
