//! Forward-scatter (troposcatter) attenuation far beyond the horizon [Alg. §"scatter attenuation"
//! (routine `ascat`), eqs. (4.63)–(4.67), (6.8)–(6.13); TN101 §9].

use super::math::{Math, MathExt};
use super::{Medium, PathGeometry};
use std::f64::consts::SQRT_2;

/// F(θd): attenuation function of the product of angular distance and distance [Alg. eq. (6.9)].
fn f_theta_d<M: Math>(td: f64) -> f64 {
    let (a, b, c) = if td <= 10e3 {
        (133.4, 0.332e-3, -10.0)
    } else if td <= 70e3 {
        (104.6, 0.212e-3, -2.5)
    } else {
        (71.8, 0.157e-3, 5.0)
    };
    a + b * td + c * td.m_log10::<M>()
}

/// One of the H₀ curves for integer scattering efficiency η_s = j + 1 [Alg. eq. (6.13)].
fn h0_curve<M: Math>(j: usize, r: f64) -> f64 {
    const A: [f64; 5] = [25.0, 80.0, 177.0, 395.0, 705.0];
    const B: [f64; 5] = [24.0, 45.0, 68.0, 80.0, 105.0];
    10.0 * (1.0 + A[j] / r.powi(4) + B[j] / (r * r)).m_log10::<M>()
}

/// H₀(r, η_s): frequency-gain function, interpolated between the curves of η_s = 1…5.
fn h0<M: Math>(r: f64, eta_s: f64) -> f64 {
    let eta = eta_s.clamp(1.0, 5.0);
    let i = eta as usize;
    let frac = eta - i as f64;
    let lo = h0_curve::<M>(i - 1, r);
    if frac != 0.0 {
        (1.0 - frac) * lo + frac * h0_curve::<M>(i, r)
    } else {
        lo
    }
}

/// State carried between the two evaluations the reference attenuation makes (at d₆ then d₅): the
/// algorithm keeps H₀ from the farther one when the nearer would exceed 15 dB.
#[derive(Clone, Copy, Debug)]
pub struct ScatterState {
    h0_db: Option<f64>,
}

impl ScatterState {
    pub fn new() -> ScatterState {
        ScatterState { h0_db: None }
    }
}

impl Default for ScatterState {
    fn default() -> Self {
        Self::new()
    }
}

/// Troposcatter attenuation at `d_m`, dB, or `None` where the scatter formula is undefined (both
/// r parameters below 0.2).
pub fn troposcatter_db<M: Math>(
    d_m: f64,
    g: &PathGeometry,
    m: &Medium,
    theta_los: f64,
    state: &mut ScatterState,
) -> Option<f64> {
    let k = m.freq_mhz / 47.7;
    let a_e = 1.0 / m.gamma_e;
    let h0_db = match state.h0_db {
        Some(h) if h > 15.0 => h,
        prev => {
            let (mut ad, mut rr) = (g.d_hzn_m[0] - g.d_hzn_m[1], g.h_e_m[1] / g.h_e_m[0]);
            if ad < 0.0 {
                ad = -ad;
                rr = 1.0 / rr;
            }
            let theta = g.theta_hzn[0] + g.theta_hzn[1] + d_m / a_e;
            // [TN101 eq. (9.4a)]
            let r1 = 2.0 * k * theta * g.h_e_m[0];
            let r2 = 2.0 * k * theta * g.h_e_m[1];
            if r1 < 0.2 && r2 < 0.2 {
                return None;
            }
            // Asymmetry s and height ratio q, truncated to [0.1, 10] [TN101 eq. (9.5)].
            let s0 = (d_m - ad) / (d_m + ad);
            let q = (rr / s0).clamp(0.1, 10.0);
            let s = s0.max(0.1);
            // Height of the crossover of the horizon rays [eq. (4.66)] and scattering efficiency
            // η_s [TN101 eq. (9.3a)] with Z₀ = 1.7556 km, Z₁ = 8 km [eq. (4.67)].
            let h_x = (d_m - ad) * (d_m + ad) * theta * 0.25 / d_m;
            let eta_s = (h_x / 1.7556e3)
                * (1.0
                    + (0.031 - m.n_s * 2.32e-3 + m.n_s * m.n_s * 5.67e-6)
                        * (-(h_x / 8.0e3).min(1.7).powi(6)).m_exp::<M>());
            let h00 = 0.5 * (h0::<M>(r1, eta_s) + h0::<M>(r2, eta_s));
            let dh0 = h00.min(
                6.0 * (0.6 - eta_s.max(1.0).m_log10::<M>()) * s.m_log10::<M>() * q.m_log10::<M>(),
            );
            let mut h = (h00 + dh0).max(0.0);
            if eta_s < 1.0 {
                // Blend towards the η_s = 0 limit.
                h = eta_s * h
                    + (1.0 - eta_s)
                        * 10.0
                        * (((1.0 + SQRT_2 / r1) * (1.0 + SQRT_2 / r2)).powi(2) * (r1 + r2)
                            / (r1 + r2 + 2.0 * SQRT_2))
                            .m_log10::<M>();
            }
            match prev {
                Some(p) if h > 15.0 && p >= 0.0 => p,
                _ => h,
            }
        }
    };
    state.h0_db = Some(h0_db);
    let th = d_m / a_e - theta_los;
    // [eq. (4.63)] with H = 47.7 m and D₀ = 40 km [eq. (6.8)].
    Some(
        f_theta_d::<M>(th * d_m) + 10.0 * (k * 47.7 * th.powi(4)).m_log10::<M>()
            - 0.1 * (m.n_s - 301.0) * (-th * d_m / 40e3).m_exp::<M>()
            + h0_db,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::itm::math::Libm;

    #[test]
    fn h0_interpolates_between_curves() {
        let r = 3.0;
        assert_eq!(h0::<Libm>(r, 2.0), h0_curve::<Libm>(1, r));
        let mid = h0::<Libm>(r, 2.5);
        assert!((mid - 0.5 * (h0_curve::<Libm>(1, r) + h0_curve::<Libm>(2, r))).abs() < 1e-12);
        assert_eq!(h0::<Libm>(r, 0.3), h0_curve::<Libm>(0, r));
        assert_eq!(h0::<Libm>(r, 9.0), h0_curve::<Libm>(4, r));
    }

    #[test]
    fn f_function_is_nearly_continuous_at_its_breaks() {
        for td in [10e3, 70e3] {
            let jump = (f_theta_d::<Libm>(td * 1.000001) - f_theta_d::<Libm>(td)).abs();
            assert!(jump < 2.5, "jump {jump} at {td}");
        }
    }
}
