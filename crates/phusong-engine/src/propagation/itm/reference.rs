//! The reference attenuation A_ref (median loss relative to free space) over the three regions —
//! line of sight, diffraction, troposcatter — joined continuously [Alg. §"the reference attenuation"
//! (routine `lrprop`); ERL 79 §3].
//!
//! Diffraction is evaluated at two distances d₃, d₄ far beyond the horizon and extended as a straight
//! line A_d0 + m_d·d; inside the smooth-earth horizon the loss is A₀ + k₁d + k₂ ln d fitted through
//! two-ray values and the diffraction line [ERL 79 eqs. (3.16)–(3.21)]; beyond it, the diffraction line
//! meets the troposcatter line A_s0 + m_s·d at d_x.

use super::diffraction::Diffraction;
use super::line_of_sight::line_of_sight_db;
use super::math::{Math, MathExt};
use super::troposcatter::{troposcatter_db, ScatterState};
use super::{warn, ItmError, Medium, Mode, PathGeometry, PropMode};

/// Reference attenuation, its region and the warnings the geometry raised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reference {
    pub a_ref_db: f64,
    pub mode: PropMode,
    pub warnings: u32,
}

/// `x − y` if positive, else 0.
fn dim(x: f64, y: f64) -> f64 {
    if x > y {
        x - y
    } else {
        0.0
    }
}

/// A_ref for the path `g` in medium `m`.
pub fn reference_attenuation<M: Math>(
    g: &PathGeometry,
    m: &Medium,
    mode: Mode,
) -> Result<Reference, ItmError> {
    let a_e = 1.0 / m.gamma_e;
    let f = m.freq_mhz;
    let d = g.d_m;
    let mut warnings = 0;
    let d_hzn_s = [
        (2.0 * g.h_e_m[0] * a_e).sqrt(),
        (2.0 * g.h_e_m[1] * a_e).sqrt(),
    ];
    // Smooth-earth and actual line-of-sight distances; angular extent of the line-of-sight region.
    let d_sml = d_hzn_s[0] + d_hzn_s[1];
    let d_ml = g.d_hzn_m[0] + g.d_hzn_m[1];
    let theta_los = -(g.theta_hzn[0] + g.theta_hzn[1]).max(-d_ml / a_e);
    let flags = [
        (
            warn::TX_HORIZON_ANGLE,
            warn::TX_HORIZON_DISTANCE_1,
            warn::TX_HORIZON_DISTANCE_2,
        ),
        (
            warn::RX_HORIZON_ANGLE,
            warn::RX_HORIZON_DISTANCE_1,
            warn::RX_HORIZON_DISTANCE_2,
        ),
    ];
    for (i, (angle, near, far)) in flags.into_iter().enumerate() {
        // Small-angle approximations hold to ~0.2 rad; horizons far from the smooth-earth one are suspect.
        if g.theta_hzn[i].abs() > 200e-3 {
            warnings |= angle;
        }
        if g.d_hzn_m[i] < 0.1 * d_hzn_s[i] {
            warnings |= near;
        }
        if g.d_hzn_m[i] > 3.0 * d_hzn_s[i] {
            warnings |= far;
        }
    }
    if m.n_s < 150.0 {
        return Err(ItmError::SurfaceRefractivitySmall(m.n_s));
    }
    if m.n_s > 400.0 {
        return Err(ItmError::SurfaceRefractivityLarge(m.n_s));
    }
    if m.n_s < 250.0 {
        warnings |= warn::SURFACE_REFRACTIVITY;
    }
    if !(4_000_000.0..=13_333_333.0).contains(&a_e) {
        return Err(ItmError::EffectiveEarth(a_e));
    }
    if m.z_g.re <= m.z_g.im.abs() {
        return Err(ItmError::GroundImpedance {
            re: m.z_g.re,
            im: m.z_g.im,
        });
    }

    // The diffraction line through two points far beyond the horizon.
    let scale = (a_e * a_e / f).m_cbrt::<M>();
    let d3 = d_sml.max(d_ml + 5.0 * scale);
    let d4 = d3 + 10.0 * scale;
    let diffraction = Diffraction::new::<M>(g, m, theta_los, d_sml, mode);
    let a3 = diffraction.at::<M>(d3, m);
    let a4 = diffraction.at::<M>(d4, m);
    let m_d = (a4 - a3) / (d4 - d3);
    let a_d0 = a3 - m_d * d3;

    if d < (g.h_e_m[0] - g.h_e_m[1]).abs() / 200e-3 {
        warnings |= warn::PATH_DISTANCE_TOO_SMALL_1;
    }
    if d < 1e3 {
        warnings |= warn::PATH_DISTANCE_TOO_SMALL_2;
    }
    if d > 1000e3 {
        warnings |= warn::PATH_DISTANCE_TOO_BIG_1;
    }
    if d > 2000e3 {
        warnings |= warn::PATH_DISTANCE_TOO_BIG_2;
    }

    let (a_ref, region) = if d < d_sml {
        (
            line_of_sight_region::<M>(d, g, m, m_d, a_d0, d_sml, d_ml),
            PropMode::LineOfSight,
        )
    } else {
        // Troposcatter line through d₅ = d_ML + 200 km and d₆ = d_ML + 400 km (d₆ first: H₀ from
        // there may replace a value above 15 dB at d₅).
        let mut state = ScatterState::new();
        let d5 = d_ml + 200e3;
        let d6 = d_ml + 400e3;
        let a6 = troposcatter_db::<M>(d6, g, m, theta_los, &mut state);
        let a5 = troposcatter_db::<M>(d5, g, m, theta_los, &mut state);
        let (m_s, a_s0, d_x) = match (a5, a6) {
            (Some(a5), Some(a6)) if a5 < 1000.0 => {
                let m_s = (a6 - a5) / 200e3;
                let d_x = d_sml
                    .max(d_ml + 1.088 * scale * f.m_ln::<M>())
                    .max((a5 - a_d0 - m_s * d5) / (m_d - m_s));
                (m_s, (m_d - m_s) * d_x + a_d0, d_x)
            }
            // No usable scatter prediction: the diffraction line continues.
            _ => (m_d, a_d0, 10e6),
        };
        if d > d_x {
            (m_s * d + a_s0, PropMode::Troposcatter)
        } else {
            (m_d * d + a_d0, PropMode::Diffraction)
        }
    };
    Ok(Reference {
        a_ref_db: a_ref.max(0.0),
        mode: region,
        warnings,
    })
}

/// Inside the smooth-earth horizon: A₀ + k₁ d + k₂ ln d through the two-ray loss at d₀ and d₁ and the
/// diffraction line at d_sML [ERL 79 eqs. (3.16a)–(3.21)].
fn line_of_sight_region<M: Math>(
    d: f64,
    g: &PathGeometry,
    m: &Medium,
    m_d: f64,
    a_d0: f64,
    d_sml: f64,
    d_ml: f64,
) -> f64 {
    let a_sml = d_sml * m_d + a_d0;
    let mut d0 = 0.04 * m.freq_mhz * g.h_e_m[0] * g.h_e_m[1];
    let d1 = if a_d0 >= 0.0 {
        d0 = d0.min(0.5 * d_ml);
        d0 + 0.25 * (d_ml - d0)
    } else {
        (-a_d0 / m_d).max(0.25 * d_ml)
    };
    let los = |x: f64| line_of_sight_db::<M>(x, g, m, m_d, a_d0, d_sml);
    let a1 = los(d1);
    let mut fitted = None;
    if d0 < d1 {
        let a0 = los(d0);
        let q = (d_sml / d0).m_ln::<M>();
        let mut k2 = (((d_sml - d0) * (a1 - a0) - (d1 - d0) * (a_sml - a0))
            / ((d_sml - d0) * (d1 / d0).m_ln::<M>() - (d1 - d0) * q))
            .max(0.0);
        if a_d0 > 0.0 || k2 > 0.0 {
            let mut k1 = (a_sml - a0 - k2 * q) / (d_sml - d0);
            if k1 < 0.0 {
                k1 = 0.0;
                k2 = dim(a_sml, a0) / q;
                if k2 == 0.0 {
                    k1 = m_d;
                }
            }
            fitted = Some((k1, k2));
        }
    }
    let (k1, k2) = fitted.unwrap_or_else(|| {
        let k1 = dim(a_sml, a1) / (d_sml - d1);
        (if k1 == 0.0 { m_d } else { k1 }, 0.0)
    });
    let a_o = a_sml - k1 * d_sml - k2 * d_sml.m_ln::<M>();
    a_o + k1 * d + k2 * d.m_ln::<M>()
}
