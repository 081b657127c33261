//! Rec. ITU-R P.1812-6 (09/2021): a path-specific propagation prediction method for
//! point-to-area terrestrial services in the frequency range 30 MHz to 6 GHz.
//!
//! Implemented from the Recommendation's Annex 1 and its Attachments; "Eq (n)" and "§n" in the
//! comments refer to that text. The equation numbers were checked against the labels of the
//! ITU-R Working Party 3K validation logs (which this crate reproduces to better than 1e-6 dB);
//! the numbering inside Attachment 1 may differ from the printed text by a sub-letter.
//!
//! The method is split as the Recommendation is:
//! - [`profile`]: path profile analysis (§3.2, Attachment 1): horizons, angular distance,
//!   smooth-Earth heights, effective heights, roughness;
//! - [`radiomet`]: radio-climatic zones, β0, effective Earth radius, path centre (§3.3–3.7);
//! - [`los`]: line of sight with short-term effects (§4.2);
//! - [`diffraction`]: the delta-Bullington diffraction model (§4.3);
//! - [`troposcatter`]: tropospheric scatter (§4.4);
//! - [`anomalous`]: ducting/layer reflection (§4.5);
//! - [`combination`]: the combination of mechanisms, location variability, building entry loss
//!   and the field strength (§4.6–4.10);
//! - [`stats`]: the inverse normal approximation (Attachment 2);
//! - [`io`]: readers for the ITU-R validation file layout.
//!
//! Not implemented: the alternative smooth-path Bullington without profile analysis
//! (Attachment 4, an option of the Recommendation), which the validation set does not use.
//!
//! ```
//! use phusong_engine::propagation::p1812::{predict, P1812Params, Polarization, ProfilePoint, RadioClimaticZone};
//!
//! // 10 km of flat open land at 20 m, a 30 m mast and a 1.5 m receiver at 900 MHz.
//! let profile: Vec<ProfilePoint> = (0..=100)
//!     .map(|i| ProfilePoint {
//!         d_km: f64::from(i) * 0.1,
//!         h_m: 20.0,
//!         clutter_code: 2,
//!         clutter_height_m: 0.0,
//!         zone: RadioClimaticZone::Inland,
//!     })
//!     .collect();
//! let params = P1812Params {
//!     freq_ghz: 0.9, time_pct: 50.0, location_pct: 50.0, sigma_l_db: None,
//!     location_area_width_m: 100.0, htg_m: 30.0, hrg_m: 1.5,
//!     polarization: Polarization::Vertical, delta_n_per_km: 45.0, n0_n_units: 325.0,
//!     dct_km: 500.0, dcr_km: 500.0, phi_t_deg: 18.7, phi_r_deg: 18.79,
//!     lam_t_deg: 105.6, lam_r_deg: 105.6, tx_erp_kw: 1.0, building_entry: None,
//! };
//! let r = predict(&params, &profile).unwrap();
//! assert!(r.lb_db >= r.lbfs_db);
//! ```
//!
//! # Reuse along a radial (for a coverage walker)
//!
//! `predict` is O(n) in the number of profile points (about ten passes, no allocation beyond a
//! few small arrays). A walker that extends one radial from the transmitter point by point can
//! carry forward the parts that depend only on the profile *prefix* (Tx and the points so far):
//! - the Tx-side elevation arguments of Attachment 1 Eq (77), (h_i − h_ts)/(1000 d_i) − d_i/(2a_e):
//!   they involve h_ts, h_i, d_i only, so a running maximum and its first index give θ_max and the
//!   Tx horizon; the LoS/trans-horizon test then compares θ_max with θ_td of the current end point;
//! - the least-squares integrals v1, v2 of Eqs (85), (86) (prefix sums; h_st, h_sr follow in O(1));
//! - the Bullington Tx slope S_tim of Eq (13) for the actual profile, because
//!   (g_i + 500 C_e d_i (d − d_i) − h_ts)/d_i = [(g_i − h_ts)/d_i − 500 C_e d_i] + 500 C_e d:
//!   a running maximum of a prefix-only term plus a term in the current d (one per radius a_e, a_β);
//! - the zone-run lengths of §3.3/§3.6 (ω, d_tm, d_lm), up to the half interval at the end point;
//! - the path-centre latitude and β0 depend on the end point only through d, d_tm and d_lm.
//!
//! Not reusable: everything referred to the receiver (θ_r, the Rx slope S_rim of Eq (17), the ν
//! maxima of Eq (15) and of the LoS horizon, the obstruction correction of Eq (89), h_m between the
//! horizons) and the smooth-profile Bullington L_bulls, whose antenna heights h_tc − h_std depend on
//! the whole path through h_std. These need one pass over the prefix per end point.

pub mod anomalous;
pub mod combination;
pub mod diffraction;
mod error;

pub mod los;
mod params;
pub mod profile;
pub mod radiomet;
pub mod stats;
pub mod troposcatter;

pub use error::{CsvProblem, P1812Error};

pub use params::{
    BuildingEntry, ClutterCategory, P1812Params, Polarization, ProfilePoint, RadioClimaticZone,
};

use serde::{Deserialize, Serialize};

/// Result of a prediction: the basic transmission loss, the field strength and the key
/// intermediate values (named as in the Recommendation, units in the names).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct P1812Result {
    /// Basic transmission loss not exceeded for p % time and pL % locations L_b, dB (Eq (69)).
    pub lb_db: f64,
    /// Field strength exceeded for p % time and pL % locations for 1 kW e.r.p., dBµV/m (Eq (70)).
    pub ep_dbuvm: f64,
    /// Field strength scaled to the transmitter e.r.p. [`P1812Params::tx_erp_kw`], dBµV/m.
    pub ep_ptx_dbuvm: f64,

    /// Path length d, km.
    pub d_km: f64,
    /// True for a trans-horizon path.
    pub trans_horizon: bool,
    /// Tx horizon distance d_lt, km.
    pub dlt_km: f64,
    /// Rx horizon distance d_lr, km.
    pub dlr_km: f64,
    /// Tx horizon elevation angle θ_t, mrad.
    pub theta_t_mrad: f64,
    /// Rx horizon elevation angle θ_r, mrad.
    pub theta_r_mrad: f64,
    /// Path angular distance θ, mrad.
    pub theta_mrad: f64,
    /// Tx antenna height a.m.s.l. h_ts, m.
    pub hts_m: f64,
    /// Rx antenna height a.m.s.l. h_rs, m.
    pub hrs_m: f64,
    /// Sea fraction of the path ω.
    pub omega: f64,
    /// Longest continuous land section d_tm, km.
    pub dtm_km: f64,
    /// Longest continuous inland section d_lm, km.
    pub dlm_km: f64,
    /// Path-centre latitude φ, degrees.
    pub phi_path_deg: f64,
    /// β0, %.
    pub beta0_pct: f64,
    /// Median effective Earth radius a_e, km.
    pub ae_km: f64,
    /// Least-squares smooth-surface height at the Tx h_st, m.
    pub hst_m: f64,
    /// Least-squares smooth-surface height at the Rx h_sr, m.
    pub hsr_m: f64,
    /// Smooth-surface Tx height for diffraction h_std, m.
    pub hstd_m: f64,
    /// Smooth-surface Rx height for diffraction h_srd, m.
    pub hsrd_m: f64,
    /// Smooth-surface Tx height for ducting min(h_st, h_0), m.
    pub hst_duct_m: f64,
    /// Smooth-surface Rx height for ducting min(h_sr, h_n), m.
    pub hsr_duct_m: f64,
    /// Effective Tx height for ducting h_te, m.
    pub hte_m: f64,
    /// Effective Rx height for ducting h_re, m.
    pub hre_m: f64,
    /// Terrain roughness h_m, m.
    pub hm_m: f64,

    /// F_i (Eq (40)).
    pub fi: f64,
    /// F_j (Eq (57)).
    pub fj: f64,
    /// F_k (Eq (58)).
    pub fk: f64,
    /// Free-space loss L_bfs, dB (Eq (8)).
    pub lbfs_db: f64,
    /// LoS loss for p % time L_b0p, dB (Eq (10)).
    pub lb0p_db: f64,
    /// LoS loss for β0 % time L_b0β, dB (Eq (11)).
    pub lb0b_db: f64,
    /// Bullington loss of the actual profile (median), dB.
    pub lbulla_db: f64,
    /// Bullington loss of the smooth profile (median), dB.
    pub lbulls_db: f64,
    /// Spherical-Earth loss (median), dB.
    pub ldsph_db: f64,
    /// Median diffraction loss L_d50, dB (Eq (39)).
    pub ld50_db: f64,
    /// Diffraction loss for β0 % time L_dβ, dB (Eq (39)).
    pub ldb_db: f64,
    /// Diffraction loss for p % time L_dp, dB (Eq (41)).
    pub ldp_db: f64,
    /// L_bd50, dB (Eq (42)).
    pub lbd50_db: f64,
    /// L_bd, dB (Eq (43)).
    pub lbd_db: f64,
    /// L_minb0p, dB (Eq (59)).
    pub lminb0p_db: f64,
    /// Ducting/layer-reflection loss L_ba, dB (Eq (46)).
    pub lba_db: f64,
    /// L_minbap, dB (Eq (60)).
    pub lminbap_db: f64,
    /// L_bda, dB (Eq (61)).
    pub lbda_db: f64,
    /// L_bam, dB (Eq (62)).
    pub lbam_db: f64,
    /// Troposcatter loss L_bs, dB (Eq (44)).
    pub lbs_db: f64,
    /// Loss for p % time and 50 % locations L_bc, dB (Eq (63)).
    pub lbc_db: f64,
    /// Location-variability standard deviation used, dB (0 for a receiver at sea).
    pub sigma_l_db: f64,
    /// Location correction added to L_bc (median building entry loss − I(pL/100)·σ), dB.
    pub lloc_db: f64,
}

/// Predicts the basic transmission loss and field strength for one path.
///
/// `profile` runs from the transmitter (d = 0) to the receiver; representative clutter heights
/// are added to the terrain at the intermediate points only (§3.2). The Tx (Rx) distance to the
/// coast is taken as 0 when the first (last) profile point is in the sea zone (§3.4).
pub fn predict(params: &P1812Params, profile: &[ProfilePoint]) -> Result<P1812Result, P1812Error> {
    params.validate()?;
    params::validate_profile(profile)?;
    Ok(evaluate(
        params,
        profile,
        radiomet::zone_lengths(profile),
        true,
    ))
}

/// [`predict`] for a caller that has validated `params` once and builds valid profiles itself
/// (the coverage engine's radials): no validation, the zone lengths of an all-inland profile
/// without the run scan, and at p ≥ 50 % no diffraction for β0 % time (Eq (41) then uses the
/// median alone), so [`P1812Result::ldb_db`] is NaN there. Same L_b as [`predict`] (tested).
pub fn predict_trusted(params: &P1812Params, profile: &[ProfilePoint]) -> P1812Result {
    let d_km = profile[profile.len() - 1].d_km - profile[0].d_km;
    let zones = if profile.iter().all(|p| p.zone == RadioClimaticZone::Inland) {
        // One inland run over the whole path (§3.3): no sea, d_tm = d_lm = d.
        radiomet::ZoneLengths {
            omega: 0.0,
            dtm_km: d_km,
            dlm_km: d_km,
        }
    } else {
        radiomet::zone_lengths(profile)
    };
    evaluate(params, profile, zones, params.time_pct < 50.0)
}

/// The method on a validated path: `need_beta` computes the β0 % diffraction loss even where
/// Eq (41) does not use it (p ≥ 50 %), for the intermediate values.
fn evaluate(
    params: &P1812Params,
    profile: &[ProfilePoint],
    zones: radiomet::ZoneLengths,
    need_beta: bool,
) -> P1812Result {
    // §3.3–3.7: radio-climatic parameters.
    let climate = radio_climate(params, profile, zones);

    // Attachment 1: path profile analysis.
    let g = profile::analyse(
        profile,
        params.htg_m,
        params.hrg_m,
        climate.ae_km,
        params.freq_ghz,
    );

    // §4.2–4.6: the propagation mechanisms and their combination.
    let m = mechanisms(params, profile, &climate, &g, need_beta);

    // §4.7–4.10: location variability, building entry, the final loss and field strength.
    let fin = final_losses(params, profile[profile.len() - 1], &m);

    assemble_result(&climate, &g, &m, &fin)
}

/// Radio-climatic parameters of the path (§3.3–3.7).
struct RadioClimate {
    d_km: f64,
    zones: radiomet::ZoneLengths,
    phi_path_deg: f64,
    beta0_pct: f64,
    ae_km: f64,
    /// Tx distance to the coast d_ct, km (0 for a Tx at sea, §3.4).
    dct_km: f64,
    /// Rx distance to the coast d_cr, km (0 for an Rx at sea, §3.4).
    dcr_km: f64,
}

/// Zone lengths, path-centre latitude, β0 and the effective Earth radius (§3.3–3.7), and the
/// coast distances, zeroed for a terminal in the sea zone (§3.4).
fn radio_climate(
    params: &P1812Params,
    profile: &[ProfilePoint],
    zones: radiomet::ZoneLengths,
) -> RadioClimate {
    let first = profile[0];
    let last = profile[profile.len() - 1];
    let d_km = last.d_km;
    let phi_path = radiomet::path_centre_latitude_deg(
        params.phi_t_deg,
        params.lam_t_deg,
        params.phi_r_deg,
        params.lam_r_deg,
        0.5 * d_km,
    );
    let beta0 = radiomet::beta0_pct(phi_path, zones.dtm_km, zones.dlm_km);
    let ae = radiomet::effective_earth_radius_km(params.delta_n_per_km);
    let dct = if first.zone == RadioClimaticZone::Sea {
        0.0
    } else {
        params.dct_km
    };
    let dcr = if last.zone == RadioClimaticZone::Sea {
        0.0
    } else {
        params.dcr_km
    };
    RadioClimate {
        d_km,
        zones,
        phi_path_deg: phi_path,
        beta0_pct: beta0,
        ae_km: ae,
        dct_km: dct,
        dcr_km: dcr,
    }
}

/// Losses of the individual mechanisms (§4.2–4.5) and their combination (§4.6).
struct Mechanisms {
    los: los::LosLosses,
    diff: diffraction::DiffractionLosses,
    lbs_db: f64,
    lba_db: f64,
    comb: combination::Combination,
}

/// Line of sight (§4.2), diffraction (§4.3), troposcatter (§4.4), ducting/layer reflection
/// (§4.5) and their combination for p % time and 50 % locations (§4.6).
fn mechanisms(
    params: &P1812Params,
    profile: &[ProfilePoint],
    c: &RadioClimate,
    g: &profile::PathGeometry,
    need_beta: bool,
) -> Mechanisms {
    let f = params.freq_ghz;
    let p = params.time_pct;
    let d_km = c.d_km;

    // §4.2: line of sight.
    let los = los::los_losses(
        los::free_space_db(d_km, g.hts_m, g.hrs_m, f),
        p,
        c.beta0_pct,
        g.dlt_km + g.dlr_km,
    );

    // §4.3: diffraction (h_tc = h_ts, h_rc = h_rs, Table 5).
    let dinp = diffraction::DiffractionInputs {
        profile,
        d_km,
        htc_m: g.hts_m,
        hrc_m: g.hrs_m,
        hstd_m: g.hstd_m,
        hsrd_m: g.hsrd_m,
        freq_ghz: f,
        omega: c.zones.omega,
        pol: params.polarization,
    };
    let diff = if need_beta || p < 50.0 {
        diffraction::diffraction_losses(&dinp, c.ae_km, p, c.beta0_pct)
    } else {
        diffraction::median_diffraction_losses(&dinp, c.ae_km, p, c.beta0_pct)
    };

    // §4.4: troposcatter.
    let lbs = troposcatter::troposcatter_db(d_km, g.theta_mrad, f, p, params.n0_n_units);

    // §4.5: ducting/layer reflection.
    let lba = anomalous_loss_db(params, c, g);

    // §4.6: combination for p % time, 50 % locations.
    let comb = combination::combine(&combination::CombinationInputs {
        time_pct: p,
        beta0_pct: c.beta0_pct,
        omega: c.zones.omega,
        d_km,
        theta_mrad: g.theta_mrad,
        lbfs_db: los.lbfs_db,
        lb0p_db: los.lb0p_db,
        lb0b_db: los.lb0b_db,
        ld50_db: diff.median.ld_db,
        ldp_db: diff.ldp_db,
        fi: diff.fi,
        lba_db: lba,
        lbs_db: lbs,
    });
    Mechanisms {
        los,
        diff,
        lbs_db: lbs,
        lba_db: lba,
        comb,
    }
}

/// Ducting/layer-reflection loss L_ba, dB (§4.5, Eq (46)).
fn anomalous_loss_db(params: &P1812Params, c: &RadioClimate, g: &profile::PathGeometry) -> f64 {
    anomalous::anomalous_db(&anomalous::AnomalousInputs {
        d_km: c.d_km,
        dlt_km: g.dlt_km,
        dlr_km: g.dlr_km,
        dct_km: c.dct_km,
        dcr_km: c.dcr_km,
        dlm_km: c.zones.dlm_km,
        hts_m: g.hts_m,
        hrs_m: g.hrs_m,
        hte_m: g.hte_m,
        hre_m: g.hre_m,
        hm_m: g.hm_m,
        theta_t_mrad: g.theta_t_mrad,
        theta_r_mrad: g.theta_r_mrad,
        freq_ghz: params.freq_ghz,
        time_pct: params.time_pct,
        omega: c.zones.omega,
        ae_km: c.ae_km,
        beta0_pct: c.beta0_pct,
    })
}

/// Location-variability standard deviation σ_L, dB (§4.7): the given value or the
/// Recommendation's formula, and 0 for a receiver in the sea zone.
fn location_sigma_db(params: &P1812Params, rx: ProfilePoint) -> f64 {
    if rx.zone == RadioClimaticZone::Sea {
        0.0
    } else {
        params.sigma_l_db.unwrap_or_else(|| {
            combination::sigma_location_db(
                params.freq_ghz,
                params.location_area_width_m,
                params.hrg_m,
                rx.clutter_height_m,
            )
        })
    }
}

/// The location terms (§4.7–4.9), the final loss (Eq (69)) and the field strengths (Eq (70)).
struct FinalLosses {
    sigma_l_db: f64,
    lloc_db: f64,
    lb_db: f64,
    ep_dbuvm: f64,
    ep_ptx_dbuvm: f64,
}

/// Applies location variability (not to a receiver at sea) and building entry to L_bc
/// (§4.7–4.9), then computes L_b (Eq (69)) and the field strengths (Eq (70), §4.10).
fn final_losses(params: &P1812Params, rx: ProfilePoint, m: &Mechanisms) -> FinalLosses {
    let f = params.freq_ghz;
    let sigma_l = location_sigma_db(params, rx);
    let lloc =
        combination::location_correction_db(params.location_pct, sigma_l, params.building_entry);
    let lb = m.los.lb0p_db.max(m.comb.lbc_db + lloc); // Eq (69)
    let ep = combination::field_strength_dbuvm(f, lb); // Eq (70)
    FinalLosses {
        sigma_l_db: sigma_l,
        lloc_db: lloc,
        lb_db: lb,
        ep_dbuvm: ep,
        ep_ptx_dbuvm: ep + 10.0 * params.tx_erp_kw.log10(),
    }
}

/// Gathers the final values and the intermediates of every step into the result.
fn assemble_result(
    c: &RadioClimate,
    g: &profile::PathGeometry,
    m: &Mechanisms,
    fin: &FinalLosses,
) -> P1812Result {
    P1812Result {
        lb_db: fin.lb_db,
        ep_dbuvm: fin.ep_dbuvm,
        ep_ptx_dbuvm: fin.ep_ptx_dbuvm,
        d_km: c.d_km,
        trans_horizon: g.trans_horizon,
        dlt_km: g.dlt_km,
        dlr_km: g.dlr_km,
        theta_t_mrad: g.theta_t_mrad,
        theta_r_mrad: g.theta_r_mrad,
        theta_mrad: g.theta_mrad,
        hts_m: g.hts_m,
        hrs_m: g.hrs_m,
        omega: c.zones.omega,
        dtm_km: c.zones.dtm_km,
        dlm_km: c.zones.dlm_km,
        phi_path_deg: c.phi_path_deg,
        beta0_pct: c.beta0_pct,
        ae_km: c.ae_km,
        hst_m: g.hst_m,
        hsr_m: g.hsr_m,
        hstd_m: g.hstd_m,
        hsrd_m: g.hsrd_m,
        hst_duct_m: g.hst_duct_m,
        hsr_duct_m: g.hsr_duct_m,
        hte_m: g.hte_m,
        hre_m: g.hre_m,
        hm_m: g.hm_m,
        fi: m.diff.fi,
        fj: m.comb.fj,
        fk: m.comb.fk,
        lbfs_db: m.los.lbfs_db,
        lb0p_db: m.los.lb0p_db,
        lb0b_db: m.los.lb0b_db,
        lbulla_db: m.diff.median.lbulla_db,
        lbulls_db: m.diff.median.lbulls_db,
        ldsph_db: m.diff.median.ldsph_db,
        ld50_db: m.diff.median.ld_db,
        ldb_db: m.diff.ldb_db,
        ldp_db: m.diff.ldp_db,
        lbd50_db: m.comb.lbd50_db,
        lbd_db: m.comb.lbd_db,
        lminb0p_db: m.comb.lminb0p_db,
        lba_db: m.lba_db,
        lminbap_db: m.comb.lminbap_db,
        lbda_db: m.comb.lbda_db,
        lbam_db: m.comb.lbam_db,
        lbs_db: m.lbs_db,
        lbc_db: m.comb.lbc_db,
        sigma_l_db: fin.sigma_l_db,
        lloc_db: fin.lloc_db,
    }
}
