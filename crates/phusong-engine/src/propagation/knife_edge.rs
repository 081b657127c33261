//! Single knife-edge diffraction, ITU-R P.526-15 (10/2019) §4.1.

use super::free_space::SPEED_OF_LIGHT_M_S;

/// Free-space wavelength in metres for a frequency in MHz (λ = c / f).
pub fn wavelength_m(freq_mhz: f64) -> f64 {
    SPEED_OF_LIGHT_M_S / (freq_mhz * 1e6)
}

/// Dimensionless Fresnel-Kirchhoff parameter ν, ITU-R P.526-15 eq. (26):
/// ν = h · sqrt(2/λ · (1/d1 + 1/d2)).
///
/// `h_m` is the height of the edge above the straight line joining the two ends (negative when
/// the edge is below it); `d1_m`, `d2_m` are the distances from the edge to either end.
/// Callers must pass positive distances and wavelength.
pub fn fresnel_nu(h_m: f64, d1_m: f64, d2_m: f64, wavelength_m: f64) -> f64 {
    h_m * (2.0 / wavelength_m * (1.0 / d1_m + 1.0 / d2_m)).sqrt()
}

/// Knife-edge diffraction loss J(ν) in dB (positive = loss), ITU-R P.526-15 eq. (31):
/// J(ν) = 6.9 + 20 log(sqrt((ν − 0.1)² + 1) + ν − 0.1) for ν > −0.78, and 0 otherwise
/// (the approximation's validity limit; J(−0.78) ≈ 0.004 dB so the cut is continuous in practice).
pub fn knife_edge_loss_db(nu: f64) -> f64 {
    if nu > -0.78 {
        let v = nu - 0.1;
        6.9 + 20.0 * ((v * v + 1.0).sqrt() + v).log10()
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_and_hand_values() {
        // J(0) = 6.9 + 20 log(sqrt(1.01) − 0.1) = 6.9 + 20 log(0.904988) = 6.9 − 0.867148 = 6.0329
        assert!((knife_edge_loss_db(0.0) - 6.0329).abs() < 1e-3);
        // J(−0.78): sqrt(0.7744 + 1) − 0.88 = 0.452066; 20 log = −6.895962 → 0.0040
        assert!(knife_edge_loss_db(-0.78).abs() < 1e-9); // boundary itself is "else 0"
        assert!((knife_edge_loss_db(-0.7799) - 0.0040).abs() < 1e-3);
        // J(1): sqrt(0.81 + 1) + 0.9 = 2.245362; 20 log = 7.025729 → 13.9257
        assert!((knife_edge_loss_db(1.0) - 13.9257).abs() < 1e-3);
        // J(2.4): sqrt(5.29 + 1) + 2.3 = 4.807987; 20 log = 13.639266 → 20.5393
        assert!((knife_edge_loss_db(2.4) - 20.5393).abs() < 1e-3);
        assert_eq!(knife_edge_loss_db(-3.0), 0.0);
    }

    #[test]
    fn monotone_in_nu() {
        let mut prev = knife_edge_loss_db(-0.78);
        for i in 1..=1000 {
            let nu = -0.78 + i as f64 * 0.01;
            let j = knife_edge_loss_db(nu);
            assert!(j > prev, "{nu}");
            prev = j;
        }
    }

    #[test]
    fn nu_and_wavelength() {
        // 299.792458 MHz → λ = 1 m exactly.
        assert!((wavelength_m(299.792458) - 1.0).abs() < 1e-12);
        assert!((wavelength_m(1800.0) - 0.166551).abs() < 1e-6);
        // h = 10 m, d1 = d2 = 1000 m, λ = 1 m: ν = 10·sqrt(2·0.002) = 10·0.063246 = 0.632456
        assert!((fresnel_nu(10.0, 1000.0, 1000.0, 1.0) - 0.632456).abs() < 1e-6);
        assert!((fresnel_nu(-10.0, 1000.0, 1000.0, 1.0) + 0.632456).abs() < 1e-6);
        // ν² scales with 1/λ: quartering λ doubles ν.
        let a = fresnel_nu(7.0, 300.0, 900.0, 0.4);
        let b = fresnel_nu(7.0, 300.0, 900.0, 0.1);
        assert!((b - 2.0 * a).abs() < 1e-12);
    }
}
