//! Diffraction attenuation beyond the horizon: a weighted blend of double knife-edge and smooth-earth
//! (three-radii Vogler) diffraction plus a terrain clutter factor [Alg. §"diffraction" (routine
//! `adiff`); ERL 79 §3.5].

use super::{Medium, Mode, PathGeometry};

/// Actual earth radius the Vogler formulas are normalised to, m.
const A_0_M: f64 = 6_370e3;

/// Δh(d): terrain irregularity seen over a path of length `d_m` [ERL 79 eq. (3)], m.
pub fn delta_h_at(d_m: f64, delta_h_m: f64) -> f64 {
    delta_h_m * (1.0 - 0.8 * (-d_m / 50e3).exp())
}

/// σ_h(Δh): r.m.s. terrain deviation within the first Fresnel zone [ERL 79 eq. (3.6a)], m.
pub fn sigma_h(delta_h_m: f64) -> f64 {
    0.78 * delta_h_m * (-0.5 * delta_h_m.powf(0.25)).exp()
}

/// Knife-edge attenuation from the square of the Fresnel-Kirchhoff parameter, dB — the algorithm's
/// approximation of the Fresnel integral, 6.02 + 9.11 v − 1.27 v² for v < 2.4, else
/// 12.953 + 20 log v [TN101 vol. 2 eq. (III.24); ERL 79 eq. (3.27)].
pub fn fresnel_loss_db(v2: f64) -> f64 {
    if v2 < 5.76 {
        6.02 + 9.11 * v2.sqrt() - 1.27 * v2
    } else {
        12.953 + 10.0 * v2.log10()
    }
}

/// Double knife-edge attenuation over the two horizons at path length `d_m`, dB [TN101 eqs. (I.1),
/// (I.7)]; `theta_los` is the angular extent of the line-of-sight region.
pub fn knife_edge_db(d_m: f64, g: &PathGeometry, m: &Medium, theta_los: f64) -> f64 {
    let a_e = 1.0 / m.gamma_e;
    let d_ml = g.d_hzn_m[0] + g.d_hzn_m[1];
    let theta = d_m / a_e - theta_los;
    let d_nlos = d_m - d_ml;
    let k = m.freq_mhz / 47.7;
    // v² = (k θ² / 4π)·d_hzn·d_nlos/(d_hzn + d_nlos) for each edge.
    let v2 =
        |d_h: f64| k * theta * theta / (4.0 * std::f64::consts::PI) * d_h * d_nlos / (d_nlos + d_h);
    fresnel_loss_db(v2(g.d_hzn_m[0])) + fresnel_loss_db(v2(g.d_hzn_m[1]))
}

/// Vogler's height-gain function F(x, K), dB [Alg. §"smooth-earth diffraction"; Vogler 1964].
fn height_gain_db(x_km: f64, k: f64) -> f64 {
    if x_km < 200.0 {
        let w = -k.ln();
        if k < 1e-5 || x_km * w.powi(3) > 5495.0 {
            let mut f = -117.0;
            if x_km > 1.0 {
                f += 17.372 * x_km.ln();
            }
            f
        } else {
            2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
        }
    } else {
        let f = 0.05751 * x_km - 4.343 * x_km.ln();
        if x_km < 2000.0 {
            let w = 0.0134 * x_km * (-0.005 * x_km).exp();
            (1.0 - w) * f + w * (17.372 * x_km.ln() - 117.0)
        } else {
            f
        }
    }
}

/// Smooth-earth diffraction attenuation by Vogler's three-radii method, dB [Alg. eqs. (4.12)–(4.20);
/// Vogler 1964, eqs. (2), (6a), (13)].
pub fn smooth_earth_db(d_m: f64, g: &PathGeometry, m: &Medium, theta_los: f64) -> f64 {
    let a_e = 1.0 / m.gamma_e;
    let d_ml = g.d_hzn_m[0] + g.d_hzn_m[1];
    let theta = d_m / a_e - theta_los;
    // Radii of the diffracting arc between the horizons and of each terminal's foreground, and the
    // distances along them, km.
    let radius = [
        (d_m - d_ml) / theta,
        0.5 * g.d_hzn_m[0] * g.d_hzn_m[0] / g.h_e_m[0],
        0.5 * g.d_hzn_m[1] * g.d_hzn_m[1] / g.h_e_m[1],
    ];
    let dist_km = [
        radius[0] * theta / 1000.0,
        g.d_hzn_m[0] / 1000.0,
        g.d_hzn_m[1] / 1000.0,
    ];
    let f13 = m.freq_mhz.powf(1.0 / 3.0);
    let z = m.z_g.abs();
    let mut x_km = [0.0; 3];
    let mut k = [0.0; 3];
    for i in 0..3 {
        // C = (a_0·4/3 / a)^{1/3}; K = 0.017778 C f^{-1/3} / |Z_g|; B = 1.607 − K; x = B C² f^{1/3} d.
        let c = ((4.0 / 3.0) * A_0_M / radius[i]).powf(1.0 / 3.0);
        k[i] = 0.017778 * c / f13 / z;
        x_km[i] = (1.607 - k[i]) * c * c * f13 * dist_km[i];
    }
    let x0 = x_km[0] + x_km[1] + x_km[2];
    // Distance function G(x) = 0.05751 x − 10 log x [TN101 eq. (8.4)].
    let g_x = 0.05751 * x0 - 10.0 * x0.log10();
    g_x - height_gain_db(x_km[1], k[1]) - height_gain_db(x_km[2], k[2]) - 20.0
}

/// Diffraction attenuation at `d_m` beyond the horizons, dB: w·A_smooth + (1 − w)·A_knife + A_fo
/// [ERL 79 eqs. (3.23), (3.38c)].
pub fn diffraction_db(
    d_m: f64,
    g: &PathGeometry,
    m: &Medium,
    theta_los: f64,
    d_sml_m: f64,
    mode: Mode,
) -> f64 {
    let a_k = knife_edge_db(d_m, g, m, theta_los);
    let a_se = smooth_earth_db(d_m, g, m, theta_los);
    // Clutter factor from the roughness over the smooth-earth line-of-sight distance [ERL 79 eq. (3.38c)].
    let sh = sigma_h(delta_h_at(d_sml_m, g.delta_h_m));
    let a_fo = (5.0 * (1.0 + 1e-5 * g.h_m[0] * g.h_m[1] * m.freq_mhz * sh).log10()).min(15.0);
    let hh = g.h_m[0] * g.h_m[1];
    let excess = g.h_e_m[0] * g.h_e_m[1] - hh;
    // Point-to-point weights the clutter blend with C ≈ 10 m² [ERL 79 p. 3-8].
    let c = if mode == Mode::PointToPoint {
        10.0
    } else {
        0.0
    };
    let a_e = 1.0 / m.gamma_e;
    let d_ml = g.d_hzn_m[0] + g.d_hzn_m[1];
    let q = ((1.0 + excess / (hh + c)).sqrt() + (d_ml - theta_los * a_e) / d_m)
        * (delta_h_at(d_m, g.delta_h_m) * m.freq_mhz / 47.7).min(6283.2);
    let w = 25.1 / (25.1 + q.sqrt());
    w * a_se + (1.0 - w) * a_k + a_fo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresnel_approximation_is_continuous_and_close_to_p526() {
        // Both branches meet at v = 2.4 within the approximation's own accuracy (0.1 dB).
        let lo = 6.02 + 9.11 * 2.4 - 1.27 * 5.76;
        let hi = 12.953 + 10.0 * 5.76f64.log10();
        assert!((lo - hi).abs() < 0.1, "{lo} vs {hi}");
        // ITU-R P.526 J(v) = 6.9 + 20 log(√((v−0.1)²+1) + v − 0.1): v = 1 → 13.9 dB, v = 3 → 22.6 dB.
        let j = |v: f64| 6.9 + 20.0 * (((v - 0.1f64).powi(2) + 1.0).sqrt() + v - 0.1).log10();
        assert!((fresnel_loss_db(1.0) - j(1.0)).abs() < 0.6);
        assert!((fresnel_loss_db(9.0) - j(3.0)).abs() < 0.6);
    }

    #[test]
    fn roughness_grows_with_distance_to_delta_h() {
        assert!((delta_h_at(0.0, 100.0) - 20.0).abs() < 1e-12);
        assert!((delta_h_at(1e9, 100.0) - 100.0).abs() < 1e-9);
        assert_eq!(sigma_h(0.0), 0.0);
    }
}
