//! Free-space basic transmission loss, ITU-R P.525-4 (08/2019) §2.1 eq. (4).

/// Speed of light in vacuum, m/s (exact, SI definition).
pub const SPEED_OF_LIGHT_M_S: f64 = 299_792_458.0;

/// Free-space loss in dB between isotropic antennas `distance_m` apart at `freq_mhz`.
///
/// ITU-R P.525-4 eq. (4) gives L_bf = 32.4 + 20 log f(MHz) + 20 log d(km). We evaluate the exact
/// form L_bf = 20 log(4π d f / c) so the constant is 20 log10(4π/c) + 120 (MHz) + 60 (km)
/// = 32.447 dB rather than the rounded 32.4. Distances and frequencies are floored at 1 mm and
/// 1 kHz so the result is finite (never NaN/−∞) for any input.
pub fn fspl_db(distance_m: f64, freq_mhz: f64) -> f64 {
    let d_m = distance_m.max(1e-3);
    let f_hz = freq_mhz.max(1e-3) * 1e6;
    20.0 * (4.0 * std::f64::consts::PI / SPEED_OF_LIGHT_M_S).log10()
        + 20.0 * d_m.log10()
        + 20.0 * f_hz.log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_value_1km_1800mhz() {
        // 20 log10(4π/c) = −147.5522; +20 log10(1e6·1800) = 185.1055; +20 log10(1000) = 60
        // → 97.5532 dB. The rounded P.525 constant gives 32.4 + 65.1055 + 0 = 97.5055.
        let l = fspl_db(1000.0, 1800.0);
        assert!((l - 97.5532).abs() < 1e-3, "{l}");
        assert!((l - (32.4 + 20.0 * 1800f64.log10())).abs() < 0.05);
    }

    #[test]
    fn six_db_per_doubling() {
        for d in [10.0, 250.0, 1234.5, 40_000.0] {
            let step = fspl_db(2.0 * d, 900.0) - fspl_db(d, 900.0);
            assert!((step - 20.0 * 2f64.log10()).abs() < 1e-9, "{step}");
            let fstep = fspl_db(d, 1800.0) - fspl_db(d, 900.0);
            assert!((fstep - 6.0206).abs() < 1e-3);
        }
    }

    #[test]
    fn finite_for_degenerate_input() {
        assert!(fspl_db(0.0, 900.0).is_finite());
        assert!(fspl_db(-5.0, 0.0).is_finite());
    }
}
