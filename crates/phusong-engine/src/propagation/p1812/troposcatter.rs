//! Propagation by tropospheric scatter: Rec. ITU-R P.1812-6 Annex 1 §4.4.

/// Troposcatter basic transmission loss not exceeded for p % time, L_bs, dB (§4.4, Eqs (44),
/// (45)): 190.1 + L_f + 20 log d + 0.573 θ − 0.15 N0 − 10.125 (log(50/p))^0.7, with the
/// frequency dependence L_f = 25 log f − 2.5 (log(f/2))², f in GHz, θ in mrad.
pub fn troposcatter_db(d_km: f64, theta_mrad: f64, freq_ghz: f64, time_pct: f64, n0: f64) -> f64 {
    let lf = 25.0 * freq_ghz.log10() - 2.5 * (freq_ghz / 2.0).log10().powi(2); // Eq (45)
    190.1 + lf + 20.0 * d_km.log10() + 0.573 * theta_mrad
        - 0.15 * n0
        - 10.125 * (50.0 / time_pct).log10().powf(0.7) // Eq (44)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_falls_with_time_percentage_and_rises_with_angle() {
        let l50 = troposcatter_db(200.0, 10.0, 0.6, 50.0, 320.0);
        let l1 = troposcatter_db(200.0, 10.0, 0.6, 1.0, 320.0);
        let l50b = troposcatter_db(200.0, 20.0, 0.6, 50.0, 320.0);
        assert!(l1 < l50);
        assert!((l50b - l50 - 5.73).abs() < 1e-9);
    }
}
