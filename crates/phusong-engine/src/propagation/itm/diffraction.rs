//! Diffraction attenuation beyond the horizon: a weighted blend of double knife-edge and smooth-earth
//! (three-radii Vogler) diffraction plus a terrain clutter factor [Alg. §"diffraction" (routine
//! `adiff`); ERL 79 §3.5].

use super::math::{Libm, Math, MathExt};
use super::{Medium, Mode, PathGeometry};

/// Actual earth radius the Vogler formulas are normalised to, m.
const A_0_M: f64 = 6_370e3;

/// Δh(d): terrain irregularity seen over a path of length `d_m` [ERL 79 eq. (3)], m.
pub fn delta_h_at<M: Math>(d_m: f64, delta_h_m: f64) -> f64 {
    delta_h_m * (1.0 - 0.8 * (-d_m / 50e3).m_exp::<M>())
}

/// σ_h(Δh): r.m.s. terrain deviation within the first Fresnel zone [ERL 79 eq. (3.6a)], m.
pub fn sigma_h<M: Math>(delta_h_m: f64) -> f64 {
    0.78 * delta_h_m * (-0.5 * delta_h_m.m_pow_quarter::<M>()).m_exp::<M>()
}

/// Knife-edge attenuation from the square of the Fresnel-Kirchhoff parameter, dB — the algorithm's
/// approximation of the Fresnel integral, 6.02 + 9.11 v − 1.27 v² for v < 2.4, else
/// 12.953 + 20 log v [TN101 vol. 2 eq. (III.24); ERL 79 eq. (3.27)].
pub fn fresnel_loss_db<M: Math>(v2: f64) -> f64 {
    if v2 < 5.76 {
        6.02 + 9.11 * v2.sqrt() - 1.27 * v2
    } else {
        12.953 + 10.0 * v2.m_log10::<M>()
    }
}

/// Vogler's height-gain function F(x, K), dB [Alg. §"smooth-earth diffraction"; Vogler 1964].
fn height_gain_db<M: Math>(x_km: f64, k: f64) -> f64 {
    if x_km < 200.0 {
        let w = -k.m_ln::<M>();
        if k < 1e-5 || x_km * w.powi(3) > 5495.0 {
            let mut f = -117.0;
            if x_km > 1.0 {
                f += 17.372 * x_km.m_ln::<M>();
            }
            f
        } else {
            2.5e-5 * x_km * x_km / k - 8.686 * w - 15.0
        }
    } else {
        let ln_x = x_km.m_ln::<M>();
        let f = 0.05751 * x_km - 4.343 * ln_x;
        if x_km < 2000.0 {
            let w = 0.0134 * x_km * (-0.005 * x_km).m_exp::<M>();
            (1.0 - w) * f + w * (17.372 * ln_x - 117.0)
        } else {
            f
        }
    }
}

/// Vogler's parameters of one arc of radius `radius_m` and length `dist_km` [Alg. eqs.
/// (4.14)–(4.16)]: C = (a₀·4/3 / a)^{1/3}, K = 0.017778 C f^{-1/3} / |Z_g|, x = (1.607 − K) C² f^{1/3} d;
/// returns (x in km, K).
fn vogler_arc<M: Math>(radius_m: f64, dist_km: f64, m: &Medium) -> (f64, f64) {
    let c = ((4.0 / 3.0) * A_0_M / radius_m).m_cbrt::<M>();
    let k = 0.017778 * c / m.freq_cbrt / m.z_g_abs;
    ((1.607 - k) * c * c * m.freq_cbrt * dist_km, k)
}

/// Diffraction over one path geometry, prepared once for the distances the reference attenuation
/// asks for (d₃, d₄): everything that depends on the geometry but not on the distance — the
/// terminals' foreground arcs and height gains, the clutter factor, the effective-height term of
/// the blend weight — is computed here, the rest in [`Diffraction::at`].
#[derive(Clone, Copy, Debug)]
pub struct Diffraction {
    a_e: f64,
    d_ml: f64,
    theta_los: f64,
    freq_mhz: f64,
    d_hzn_m: [f64; 2],
    delta_h_m: f64,
    /// x of the two foreground arcs, km.
    x_fg_km: [f64; 2],
    /// F(x₁, K₁), F(x₂, K₂), dB.
    height_gains_db: [f64; 2],
    /// Clutter factor A_fo, dB.
    a_fo_db: f64,
    /// √(1 + (h_e1 h_e2 − h1 h2)/(h1 h2 + C)).
    excess_term: f64,
}

impl Diffraction {
    /// `theta_los`: angular extent of the line-of-sight region; `d_sml_m`: smooth-earth
    /// line-of-sight distance.
    pub fn new<M: Math>(
        g: &PathGeometry,
        m: &Medium,
        theta_los: f64,
        d_sml_m: f64,
        mode: Mode,
    ) -> Diffraction {
        let a_e = 1.0 / m.gamma_e;
        // Foreground radii a_i = d_Li² / (2 h_ei) and their arcs [Alg. eq. (4.13)].
        let mut x_fg_km = [0.0; 2];
        let mut k = [0.0; 2];
        for i in 0..2 {
            let radius = 0.5 * g.d_hzn_m[i] * g.d_hzn_m[i] / g.h_e_m[i];
            (x_fg_km[i], k[i]) = vogler_arc::<M>(radius, g.d_hzn_m[i] / 1000.0, m);
        }
        let height_gains_db = [
            height_gain_db::<M>(x_fg_km[0], k[0]),
            height_gain_db::<M>(x_fg_km[1], k[1]),
        ];
        // Clutter factor from the roughness over the smooth-earth line-of-sight distance [ERL 79 eq. (3.38c)].
        let sh = sigma_h::<M>(delta_h_at::<M>(d_sml_m, g.delta_h_m));
        let a_fo_db =
            (5.0 * (1.0 + 1e-5 * g.h_m[0] * g.h_m[1] * m.freq_mhz * sh).m_log10::<M>()).min(15.0);
        let hh = g.h_m[0] * g.h_m[1];
        let excess = g.h_e_m[0] * g.h_e_m[1] - hh;
        // Point-to-point weights the clutter blend with C ≈ 10 m² [ERL 79 p. 3-8].
        let c = if mode == Mode::PointToPoint {
            10.0
        } else {
            0.0
        };
        Diffraction {
            a_e,
            d_ml: g.d_hzn_m[0] + g.d_hzn_m[1],
            theta_los,
            freq_mhz: m.freq_mhz,
            d_hzn_m: g.d_hzn_m,
            delta_h_m: g.delta_h_m,
            x_fg_km,
            height_gains_db,
            a_fo_db,
            excess_term: (1.0 + excess / (hh + c)).sqrt(),
        }
    }

    /// Diffraction attenuation at `d_m` beyond the horizons, dB: w·A_smooth + (1 − w)·A_knife + A_fo
    /// [ERL 79 eqs. (3.23), (3.38c)].
    pub fn at<M: Math>(&self, d_m: f64, m: &Medium) -> f64 {
        let theta = d_m / self.a_e - self.theta_los;
        let d_nlos = d_m - self.d_ml;
        // Double knife edge over the two horizons [TN101 eqs. (I.1), (I.7)]:
        // v² = (k θ² / 4π)·d_hzn·d_nlos/(d_hzn + d_nlos) for each edge.
        let k = self.freq_mhz / 47.7;
        let v2 = |d_h: f64| {
            k * theta * theta / (4.0 * std::f64::consts::PI) * d_h * d_nlos / (d_nlos + d_h)
        };
        let a_k =
            fresnel_loss_db::<M>(v2(self.d_hzn_m[0])) + fresnel_loss_db::<M>(v2(self.d_hzn_m[1]));
        // Smooth earth, three radii [Alg. eqs. (4.12)–(4.20); Vogler 1964, eqs. (2), (6a), (13)]:
        // the arc between the horizons, then the two foreground arcs prepared in `new`.
        let radius = d_nlos / theta;
        let (x_arc_km, _) = vogler_arc::<M>(radius, radius * theta / 1000.0, m);
        let x0 = x_arc_km + self.x_fg_km[0] + self.x_fg_km[1];
        // Distance function G(x) = 0.05751 x − 10 log x [TN101 eq. (8.4)].
        let g_x = 0.05751 * x0 - 10.0 * x0.m_log10::<M>();
        let a_se = g_x - self.height_gains_db[0] - self.height_gains_db[1] - 20.0;
        let q = (self.excess_term + (self.d_ml - self.theta_los * self.a_e) / d_m)
            * (delta_h_at::<M>(d_m, self.delta_h_m) * self.freq_mhz / 47.7).min(6283.2);
        let w = 25.1 / (25.1 + q.sqrt());
        w * a_se + (1.0 - w) * a_k + self.a_fo_db
    }
}

/// Diffraction attenuation at `d_m` beyond the horizons, dB (one distance; see [`Diffraction`]).
pub fn diffraction_db(
    d_m: f64,
    g: &PathGeometry,
    m: &Medium,
    theta_los: f64,
    d_sml_m: f64,
    mode: Mode,
) -> f64 {
    Diffraction::new::<Libm>(g, m, theta_los, d_sml_m, mode).at::<Libm>(d_m, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::itm::math::Libm;

    #[test]
    fn fresnel_approximation_is_continuous_and_close_to_p526() {
        // Both branches meet at v = 2.4 within the approximation's own accuracy (0.1 dB).
        let lo = 6.02 + 9.11 * 2.4 - 1.27 * 5.76;
        let hi = 12.953 + 10.0 * 5.76f64.log10();
        assert!((lo - hi).abs() < 0.1, "{lo} vs {hi}");
        // ITU-R P.526 J(v) = 6.9 + 20 log(√((v−0.1)²+1) + v − 0.1): v = 1 → 13.9 dB, v = 3 → 22.6 dB.
        let j = |v: f64| 6.9 + 20.0 * (((v - 0.1f64).powi(2) + 1.0).sqrt() + v - 0.1).log10();
        assert!((fresnel_loss_db::<Libm>(1.0) - j(1.0)).abs() < 0.6);
        assert!((fresnel_loss_db::<Libm>(9.0) - j(3.0)).abs() < 0.6);
    }

    #[test]
    fn roughness_grows_with_distance_to_delta_h() {
        assert!((delta_h_at::<Libm>(0.0, 100.0) - 20.0).abs() < 1e-12);
        assert!((delta_h_at::<Libm>(1e9, 100.0) - 100.0).abs() < 1e-9);
        assert_eq!(sigma_h::<Libm>(0.0), 0.0);
    }
}
