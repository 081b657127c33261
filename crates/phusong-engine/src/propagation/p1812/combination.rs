//! Combination of the propagation mechanisms and the location statistics:
//! Rec. ITU-R P.1812-6 Annex 1 §4.6 (Eqs (57)–(63)), §4.7 location variability, §4.8 building
//! entry loss, §4.9 the loss for p % time and pL % locations (Eq (69)) and §4.10 the field
//! strength (Eq (70)).

use crate::propagation::p1812::params::BuildingEntry;
use crate::propagation::p1812::stats::inv_cum_norm;

/// Interpolation factor for the path angular distance,
/// F_j = 1 − 0.5 (1 + tanh(3 ξ (θ − Θ)/Θ)) with Θ = 0.3 mrad, ξ = 0.8 (§4.6, Eq (57)).
pub fn fj(theta_mrad: f64) -> f64 {
    const THETA0: f64 = 0.3;
    const XI: f64 = 0.8;
    1.0 - 0.5 * (1.0 + (3.0 * XI * (theta_mrad - THETA0) / THETA0).tanh())
}

/// Interpolation factor for the path length,
/// F_k = 1 − 0.5 (1 + tanh(3 κ (d − d_sw)/d_sw)) with d_sw = 20 km, κ = 0.5 (§4.6, Eq (58)).
pub fn fk(d_km: f64) -> f64 {
    const DSW: f64 = 20.0;
    const KAPPA: f64 = 0.5;
    1.0 - 0.5 * (1.0 + (3.0 * KAPPA * (d_km - DSW) / DSW).tanh())
}

/// Inputs of the §4.6 combination (all losses in dB).
#[derive(Clone, Copy, Debug)]
pub struct CombinationInputs {
    /// Time percentage p, %.
    pub time_pct: f64,
    /// β0, %.
    pub beta0_pct: f64,
    /// Sea fraction ω.
    pub omega: f64,
    /// Path length, km.
    pub d_km: f64,
    /// Angular distance θ, mrad.
    pub theta_mrad: f64,
    /// Free-space loss L_bfs.
    pub lbfs_db: f64,
    /// LoS loss for p % time L_b0p.
    pub lb0p_db: f64,
    /// LoS loss for β0 % time L_b0β.
    pub lb0b_db: f64,
    /// Median diffraction loss L_d50.
    pub ld50_db: f64,
    /// Diffraction loss for p % time L_dp.
    pub ldp_db: f64,
    /// F_i of Eq (40).
    pub fi: f64,
    /// Ducting/layer-reflection loss L_ba.
    pub lba_db: f64,
    /// Troposcatter loss L_bs.
    pub lbs_db: f64,
}

/// Intermediate and final values of the §4.6 combination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Combination {
    /// F_j (Eq (57)).
    pub fj: f64,
    /// F_k (Eq (58)).
    pub fk: f64,
    /// Median diffraction basic loss L_bd50 = L_bfs + L_d50 (Eq (42)).
    pub lbd50_db: f64,
    /// Diffraction basic loss for p % time L_bd = L_b0p + L_dp (Eq (43)).
    pub lbd_db: f64,
    /// Notional minimum loss for LoS and sub-path diffraction L_minb0p (Eq (59)).
    pub lminb0p_db: f64,
    /// Notional minimum loss for LoS and trans-horizon enhancements L_minbap (Eq (60)).
    pub lminbap_db: f64,
    /// Diffraction with LoS or ducting enhancements L_bda (Eq (61)).
    pub lbda_db: f64,
    /// Modified basic loss L_bam (Eq (62)).
    pub lbam_db: f64,
    /// Loss not exceeded for p % time and 50 % locations L_bc (Eq (63)).
    pub lbc_db: f64,
}

/// η ln(exp(a/η) + exp(b/η)), evaluated without overflow.
fn soft_min(a: f64, b: f64, eta: f64) -> f64 {
    let m = a.max(b);
    m + eta * (((a - m) / eta).exp() + ((b - m) / eta).exp()).ln()
}

/// Power sum −5 log10(10^(−0.2 a) + 10^(−0.2 b)), evaluated without underflow.
fn power_sum(a: f64, b: f64) -> f64 {
    let m = a.min(b);
    m - 5.0 * (10f64.powf(-0.2 * (a - m)) + 10f64.powf(-0.2 * (b - m))).log10()
}

/// Combines LoS, diffraction, ducting and troposcatter (§4.6, Eqs (42), (43), (57)–(63)).
pub fn combine(x: &CombinationInputs) -> Combination {
    let fj = fj(x.theta_mrad);
    let fk = fk(x.d_km);
    let lbd50 = x.lbfs_db + x.ld50_db; // Eq (42)
    let lbd = x.lb0p_db + x.ldp_db; // Eq (43)
    let lminb0p = if x.time_pct < x.beta0_pct {
        x.lb0p_db + (1.0 - x.omega) * x.ldp_db
    } else {
        lbd50 + (x.lb0b_db + (1.0 - x.omega) * x.ldp_db - lbd50) * x.fi
    }; // Eq (59)
    let lminbap = soft_min(x.lba_db, x.lb0p_db, 2.5); // Eq (60), η = 2.5
    let lbda = if lminbap <= lbd {
        lminbap + (lbd - lminbap) * fk
    } else {
        lbd
    }; // Eq (61)
    let lbam = lbda + (lminb0p - lbda) * fj; // Eq (62)
    let lbc = power_sum(x.lbs_db, lbam); // Eq (63)
    Combination {
        fj,
        fk,
        lbd50_db: lbd50,
        lbd_db: lbd,
        lminb0p_db: lminb0p,
        lminbap_db: lminbap,
        lbda_db: lbda,
        lbam_db: lbam,
        lbc_db: lbc,
    }
}

/// Location-variability standard deviation of §4.7:
/// σL = (0.52 + 0.024 f) w_a^0.28 u_h dB, f in GHz, w_a the width of the square area (m), with the
/// receiver-height factor u_h = 1 for h < R, 1 − (h − R)/10 for R ≤ h < R + 10, 0 above.
pub fn sigma_location_db(freq_ghz: f64, area_width_m: f64, hrg_m: f64, rx_clutter_m: f64) -> f64 {
    let uh = if hrg_m < rx_clutter_m {
        1.0
    } else if hrg_m >= rx_clutter_m + 10.0 {
        0.0
    } else {
        1.0 - (hrg_m - rx_clutter_m) / 10.0
    };
    (0.52 + 0.024 * freq_ghz) * area_width_m.powf(0.28) * uh
}

/// Location correction added to L_bc (§4.7–4.9): L_loc − I(pL/100)·σ, where L_loc is 0 outdoors
/// and the median building entry loss indoors, and σ = sqrt(σL² + σb²) combines the outdoor
/// location variability with the building-entry spread.
pub fn location_correction_db(
    location_pct: f64,
    sigma_l_db: f64,
    building_entry: Option<BuildingEntry>,
) -> f64 {
    let (median, sigma) = match building_entry {
        None => (0.0, sigma_l_db),
        Some(be) => (
            be.median_loss_db,
            (sigma_l_db * sigma_l_db + be.std_dev_db * be.std_dev_db).sqrt(),
        ),
    };
    median - inv_cum_norm(location_pct / 100.0) * sigma
}

/// Field strength for 1 kW e.r.p., E_p = 199.36 + 20 log f − L_b dBµV/m, f in GHz (§4.10, Eq (70)).
pub fn field_strength_dbuvm(freq_ghz: f64, lb_db: f64) -> f64 {
    199.36 + 20.0 * freq_ghz.log10() - lb_db
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_forms_equal_direct_forms() {
        let (a, b) = (154.5, 114.99);
        let direct = 2.5 * ((a / 2.5f64).exp() + (b / 2.5f64).exp()).ln();
        assert!((soft_min(a, b, 2.5) - direct).abs() < 1e-10);
        let direct = -5.0 * (10f64.powf(-0.2 * a) + 10f64.powf(-0.2 * b)).log10();
        assert!((power_sum(a, b) - direct).abs() < 1e-10);
        // Equal inputs: the power sum is 5 log10(2) ≈ 1.505 dB below either.
        assert!((power_sum(100.0, 100.0) - (100.0 - 5.0 * 2f64.log10())).abs() < 1e-12);
        // Huge losses do not overflow.
        assert!(soft_min(5000.0, 4000.0, 2.5).is_finite());
        assert!(power_sum(5000.0, 4000.0).is_finite());
    }

    #[test]
    fn sigma_location_height_factor() {
        let s = sigma_location_db(1.0, 100.0, 1.5, 10.0);
        assert!((s - 0.544 * 100f64.powf(0.28)).abs() < 1e-12);
        assert_eq!(sigma_location_db(1.0, 100.0, 25.0, 10.0), 0.0);
        let half = sigma_location_db(1.0, 100.0, 15.0, 10.0);
        assert!((half - 0.5 * s).abs() < 1e-12);
    }

    #[test]
    fn location_correction_sign() {
        assert!(location_correction_db(50.0, 5.5, None).abs() < 1e-3);
        assert!(location_correction_db(90.0, 5.5, None) > 7.0);
        assert!(location_correction_db(10.0, 5.5, None) < -7.0);
        let be = BuildingEntry {
            median_loss_db: 12.0,
            std_dev_db: 6.0,
        };
        let v = location_correction_db(50.0, 0.0, Some(be));
        assert!((v - 12.0).abs() < 1e-3);
    }
}
