//! Line-of-sight attenuation: a two-ray (direct + ground-reflected) model blended with the
//! extrapolated diffraction line [Alg. §"line-of-sight attenuation" (routine `alos`), eqs. (4.46)–(4.50)].

use super::diffraction::{delta_h_at, sigma_h};
use super::math::{Math, MathExt};
use super::{Medium, PathGeometry};
use std::f64::consts::PI;

/// Attenuation relative to free space at distance `d_m` inside the horizon, dB. `m_d`, `a_d0_db`:
/// slope and intercept of the diffraction line; `d_sml_m`: smooth-earth line-of-sight distance.
pub fn line_of_sight_db<M: Math>(
    d_m: f64,
    g: &PathGeometry,
    m: &Medium,
    m_d: f64,
    a_d0_db: f64,
    d_sml_m: f64,
) -> f64 {
    let k = m.freq_mhz / 47.7;
    let sh = sigma_h::<M>(delta_h_at::<M>(d_m, g.delta_h_m));
    let h_sum = g.h_e_m[0] + g.h_e_m[1];
    // Grazing angle of the reflected ray [eq. (4.46)].
    let sin_psi = h_sum / (d_m * d_m + h_sum * h_sum).sqrt();
    // Reflection coefficient, reduced by the terrain's roughness [eq. (4.47)].
    let s = super::complex::C64::new(sin_psi, 0.0);
    let mut r_e = ((s - m.z_g) / (s + m.z_g)).scale((-(k * sh * sin_psi).min(10.0)).m_exp::<M>());
    // Keep |R_e|² at least max(¼, sin ψ) [eq. (4.48)].
    let q = r_e.norm_sqr();
    if q < 0.25 || q < sin_psi {
        r_e = r_e.scale((sin_psi / q).sqrt());
    }
    // Phase difference of the two rays, limited beyond π/2 [eqs. (4.49)–(4.50)].
    let mut dphi = k * 2.0 * g.h_e_m[0] * g.h_e_m[1] / d_m;
    if dphi > PI / 2.0 {
        dphi = PI - (PI / 2.0).powi(2) / dphi;
    }
    let (sin_dphi, cos_dphi) = M::sin_cos(dphi);
    let sum = super::complex::C64::new(cos_dphi, -sin_dphi) + r_e;
    let a_two_ray = -10.0 * sum.norm_sqr().m_log10::<M>();
    let a_diff = m_d * d_m + a_d0_db;
    let w = 1.0 / (1.0 + m.freq_mhz * g.delta_h_m / d_sml_m.max(10e3));
    w * a_two_ray + (1.0 - w) * a_diff
}
