//! Propagation by ducting/layer reflection ("anomalous" propagation): Rec. ITU-R P.1812-6
//! Annex 1 §4.5, Eqs (46)–(56) (sub-letters as best established; the ITU-R logs label only
//! L_ba, Eq (46)).

use crate::propagation::p1812::radiomet::tau;

/// Inputs of the ducting/layer-reflection model.
#[derive(Clone, Copy, Debug)]
pub struct AnomalousInputs {
    /// Path length d, km.
    pub d_km: f64,
    /// Tx and Rx horizon distances, km.
    pub dlt_km: f64,
    /// Rx horizon distance, km.
    pub dlr_km: f64,
    /// Tx distance to the coast, km.
    pub dct_km: f64,
    /// Rx distance to the coast, km.
    pub dcr_km: f64,
    /// Longest continuous inland section d_lm, km.
    pub dlm_km: f64,
    /// Tx antenna height a.m.s.l., m.
    pub hts_m: f64,
    /// Rx antenna height a.m.s.l., m.
    pub hrs_m: f64,
    /// Effective Tx height h_te (Attachment 1, Eq (94a)), m.
    pub hte_m: f64,
    /// Effective Rx height h_re (Attachment 1, Eq (94b)), m.
    pub hre_m: f64,
    /// Terrain roughness h_m, m.
    pub hm_m: f64,
    /// Tx horizon elevation angle θ_t, mrad.
    pub theta_t_mrad: f64,
    /// Rx horizon elevation angle θ_r, mrad.
    pub theta_r_mrad: f64,
    /// Frequency, GHz.
    pub freq_ghz: f64,
    /// Time percentage p, %.
    pub time_pct: f64,
    /// Sea fraction ω.
    pub omega: f64,
    /// Median effective Earth radius a_e, km.
    pub ae_km: f64,
    /// β0, %.
    pub beta0_pct: f64,
}

/// Site-shielding loss for one terminal with corrected horizon angle θ'' (Eqs (48), (48a)).
fn site_shielding_db(theta2_mrad: f64, dl_km: f64, f: f64) -> f64 {
    if theta2_mrad > 0.0 {
        20.0 * (1.0 + 0.361 * theta2_mrad * (f * dl_km).sqrt()).log10()
            + 0.264 * theta2_mrad * f.cbrt()
    } else {
        0.0
    }
}

/// Over-sea surface-duct coupling correction for one terminal (Eq (49)).
fn coupling_db(dc_km: f64, dl_km: f64, omega: f64, hs_m: f64) -> f64 {
    if omega >= 0.75 && dc_km <= dl_km && dc_km <= 5.0 {
        -3.0 * (-0.25 * dc_km * dc_km).exp() * (1.0 + (0.07 * (50.0 - hs_m)).tanh())
    } else {
        0.0
    }
}

/// Basic transmission loss due to ducting/layer reflection not exceeded for p % time, L_ba, dB
/// (§4.5, Eq (46)): L_ba = A_f + A_d(p).
pub fn anomalous_db(x: &AnomalousInputs) -> f64 {
    let f = x.freq_ghz;
    // Empirical correction for the increasing attenuation with wavelength, Eq (47a).
    let alf = if f < 0.5 {
        45.375 - 137.0 * f + 92.5 * f * f
    } else {
        0.0
    };
    // Site-shielding diffraction losses, Eqs (48), (48a).
    let ast = site_shielding_db(x.theta_t_mrad - 0.1 * x.dlt_km, x.dlt_km, f);
    let asr = site_shielding_db(x.theta_r_mrad - 0.1 * x.dlr_km, x.dlr_km, f);
    // Over-sea surface-duct coupling corrections, Eq (49).
    let act = coupling_db(x.dct_km, x.dlt_km, x.omega, x.hts_m);
    let acr = coupling_db(x.dcr_km, x.dlr_km, x.omega, x.hrs_m);
    // Total of the fixed coupling losses, Eq (47).
    let af = 102.45
        + 20.0 * f.log10()
        + 20.0 * (x.dlt_km + x.dlr_km).log10()
        + alf
        + ast
        + asr
        + act
        + acr;

    // Time-percentage and angular-distance dependent losses, Eqs (50)–(56).
    let gamma_d = 5e-5 * x.ae_km * f.cbrt(); // Eq (51)
    let theta_t1 = x.theta_t_mrad.min(0.1 * x.dlt_km); // Eq (52a)
    let theta_r1 = x.theta_r_mrad.min(0.1 * x.dlr_km);
    let theta1 = 1e3 * x.d_km / x.ae_km + theta_t1 + theta_r1; // Eq (52)
    let di = (x.d_km - x.dlt_km - x.dlr_km).min(40.0); // Eq (56a)
    let mu3 = if x.hm_m > 10.0 {
        (-4.6e-5 * (x.hm_m - 10.0) * (43.0 + 6.0 * di)).exp() // Eq (56)
    } else {
        1.0
    };
    let alpha = (-0.6 - 3.5e-9 * x.d_km.powf(3.1) * tau(x.dlm_km)).max(-3.4); // Eq (55a)
    let mu2 = (500.0 / x.ae_km * x.d_km * x.d_km / (x.hte_m.sqrt() + x.hre_m.sqrt()).powi(2))
        .powf(alpha)
        .min(1.0); // Eq (55)
    let beta = x.beta0_pct * mu2 * mu3; // Eq (54)
    let lb = beta.log10();
    let gamma = 1.076 / (2.0058 - lb).powf(1.012)
        * (-(9.51 - 4.8 * lb + 0.198 * lb * lb) * 1e-6 * x.d_km.powf(1.13)).exp(); // Eq (53a)
    let ap = -12.0
        + (1.2 + 3.7e-3 * x.d_km) * (x.time_pct / beta).log10()
        + 12.0 * (x.time_pct / beta).powf(gamma); // Eq (53)
    let adp = gamma_d * theta1 + ap; // Eq (50)
    af + adp // Eq (46)
}
