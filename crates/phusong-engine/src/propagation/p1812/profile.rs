//! Path profile analysis: Rec. ITU-R P.1812-6 Annex 1 §3.2 (terrain + clutter heights) and
//! Attachment 1 to Annex 1 (horizon angles and distances, angular distance, smooth-Earth
//! surface, effective heights and the terrain roughness h_m).
//!
//! Equation numbers in this file are those of Attachment 1 (Eqs (76)–(95) of the 2021 edition,
//! as labelled in the ITU-R validation logs); the profile analysis uses the *terrain* heights
//! h_i, while the Bullington diffraction of §4.3 uses g_i = h_i + R_i (see `diffraction`).

use crate::propagation::p1812::params::ProfilePoint;

/// Speed of light over 10^9 used for the wavelength, λ = 0.2998/f m with f in GHz (§4.3.1).
pub const C_OVER_1E9: f64 = 0.2998;

/// Parameters derived from the path profile (§3.8, Table 5; Attachment 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathGeometry {
    /// Great-circle path length d, km.
    pub d_km: f64,
    /// Tx antenna height above mean sea level h_ts = h_0 + h_tg, m.
    pub hts_m: f64,
    /// Rx antenna height above mean sea level h_rs = h_n + h_rg, m.
    pub hrs_m: f64,
    /// True for a trans-horizon path (θ_max > θ_td, Eq (76)–(78)).
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
    /// Least-squares smooth-surface height at the Tx, h_st (Eqs (85)–(88)), m.
    pub hst_m: f64,
    /// Least-squares smooth-surface height at the Rx, h_sr (Eqs (85)–(88)), m.
    pub hsr_m: f64,
    /// Smooth-surface Tx height after the obstruction correction h'_st (Eq (90)), m.
    pub hst_obs_m: f64,
    /// Smooth-surface Rx height after the obstruction correction h'_sr (Eq (90)), m.
    pub hsr_obs_m: f64,
    /// Smooth-surface Tx height for diffraction h_std (Eq (91)), m.
    pub hstd_m: f64,
    /// Smooth-surface Rx height for diffraction h_srd (Eq (91)), m.
    pub hsrd_m: f64,
    /// Smooth-surface Tx height for the ducting model, min(h_st, h_0) (Eq (92a)), m.
    pub hst_duct_m: f64,
    /// Smooth-surface Rx height for the ducting model, min(h_sr, h_n) (Eq (92b)), m.
    pub hsr_duct_m: f64,
    /// Effective Tx height for ducting h_te (Eq (94a)), m.
    pub hte_m: f64,
    /// Effective Rx height for ducting h_re (Eq (94b)), m.
    pub hre_m: f64,
    /// Terrain roughness h_m (Eq (95)), m.
    pub hm_m: f64,
}

/// Analyses a validated profile (≥ 3 points, d_0 = 0, increasing distances).
///
/// `ae_km` is the median effective Earth radius (Eq (7a)), `freq_ghz` the frequency.
pub fn analyse(
    profile: &[ProfilePoint],
    htg_m: f64,
    hrg_m: f64,
    ae_km: f64,
    freq_ghz: f64,
) -> PathGeometry {
    let n = profile.len();
    let first = profile[0];
    let last = profile[n - 1];
    let dtot = last.d_km;
    let hts = first.h_m + htg_m;
    let hrs = last.h_m + hrg_m;

    let (hst, hsr) = least_squares_heights(profile, dtot);
    let (hst_obs, hsr_obs) = obstruction_corrected_heights(profile, hts, hrs, (hst, hsr));
    let hstd = hst_obs.min(first.h_m); // Eqs (91a), (91b)
    let hsrd = hsr_obs.min(last.h_m); // Eqs (91c), (91d)
    let hz = horizons(profile, hts, hrs, ae_km, freq_ghz);
    let duct = ducting_heights(profile, htg_m, hrg_m, (hst, hsr), (hz.lt, hz.lr));

    PathGeometry {
        d_km: dtot,
        hts_m: hts,
        hrs_m: hrs,
        trans_horizon: hz.trans_horizon,
        dlt_km: hz.dlt_km,
        dlr_km: hz.dlr_km,
        theta_t_mrad: hz.theta_t_mrad,
        theta_r_mrad: hz.theta_r_mrad,
        theta_mrad: hz.theta_mrad,
        hst_m: hst,
        hsr_m: hsr,
        hst_obs_m: hst_obs,
        hsr_obs_m: hsr_obs,
        hstd_m: hstd,
        hsrd_m: hsrd,
        hst_duct_m: duct.hst_m,
        hsr_duct_m: duct.hsr_m,
        hte_m: duct.hte_m,
        hre_m: duct.hre_m,
        hm_m: duct.hm_m,
    }
}

/// Least-squares straight line through the terrain, Eqs (85)–(88): (h_st, h_sr), m.
fn least_squares_heights(profile: &[ProfilePoint], dtot: f64) -> (f64, f64) {
    let mut v1 = 0.0;
    let mut v2 = 0.0;
    for w in profile.windows(2) {
        let (a, b) = (w[0], w[1]);
        let dd = b.d_km - a.d_km;
        v1 += dd * (b.h_m + a.h_m); // Eq (85)
        v2 += dd * (b.h_m * (2.0 * b.d_km + a.d_km) + a.h_m * (b.d_km + 2.0 * a.d_km));
        // Eq (86)
    }
    let hst = (2.0 * v1 * dtot - v2) / (dtot * dtot); // Eq (87)
    let hsr = (v2 - v1 * dtot) / (dtot * dtot); // Eq (88)
    (hst, hsr)
}

/// Smooth-surface heights (h'_st, h'_sr) lowered by the highest obstruction above the straight
/// Tx–Rx antenna line, Eqs (89)–(90), so that the diffraction model sees the obstruction.
fn obstruction_corrected_heights(
    profile: &[ProfilePoint],
    hts: f64,
    hrs: f64,
    (hst, hsr): (f64, f64),
) -> (f64, f64) {
    let n = profile.len();
    let dtot = profile[n - 1].d_km;
    let mut hobs = f64::NEG_INFINITY;
    let mut alpha_obt = f64::NEG_INFINITY;
    let mut alpha_obr = f64::NEG_INFINITY;
    for p in &profile[1..n - 1] {
        let hh = p.h_m - (hts * (dtot - p.d_km) + hrs * p.d_km) / dtot; // Eq (89d)
        hobs = hobs.max(hh); // Eq (89a)
        alpha_obt = alpha_obt.max(hh / p.d_km); // Eq (89b)
        alpha_obr = alpha_obr.max(hh / (dtot - p.d_km)); // Eq (89c)
    }
    if hobs <= 0.0 {
        (hst, hsr) // Eqs (90a), (90b)
    } else {
        let gt = alpha_obt / (alpha_obt + alpha_obr); // Eq (90e)
        let gr = alpha_obr / (alpha_obt + alpha_obr); // Eq (90f)
        (hst - hobs * gt, hsr - hobs * gr) // Eqs (90c), (90d)
    }
}

/// Horizon angles and distances and the angular distance, Eqs (76)–(84).
struct Horizons {
    trans_horizon: bool,
    /// Profile index of the Tx horizon point.
    lt: usize,
    /// Profile index of the Rx horizon point.
    lr: usize,
    dlt_km: f64,
    dlr_km: f64,
    theta_t_mrad: f64,
    theta_r_mrad: f64,
    theta_mrad: f64,
}

/// Finds both horizons: from the elevation angles on a trans-horizon path, from the diffraction
/// parameter ν on a line-of-sight path (Eqs (76)–(84)).
fn horizons(profile: &[ProfilePoint], hts: f64, hrs: f64, ae_km: f64, freq_ghz: f64) -> Horizons {
    let n = profile.len();
    let dtot = profile[n - 1].d_km;
    let inner = &profile[1..n - 1];
    let half_inv_ae = 1.0 / (2.0 * ae_km);
    let theta_td = 1000.0 * ((hrs - hts) / (1000.0 * dtot) - dtot * half_inv_ae).atan(); // Eq (78)
    let theta_rd = 1000.0 * ((hts - hrs) / (1000.0 * dtot) - dtot * half_inv_ae).atan(); // Eq (81)
    let (theta_max, i_max) = tx_max_elevation(inner, hts, half_inv_ae);
    let trans_horizon = theta_max > theta_td;
    let theta_t = theta_max.max(theta_td); // Eq (79)

    let (theta_r, lt, lr) = if trans_horizon {
        let (theta_r, lr) = rx_horizon(inner, hrs, dtot, half_inv_ae);
        (theta_r, i_max, lr)
    } else {
        let l = los_horizon_index(inner, hts, hrs, dtot, ae_km, freq_ghz);
        (theta_rd, l, l)
    };
    Horizons {
        trans_horizon,
        lt,
        lr,
        dlt_km: profile[lt].d_km,        // Eq (80)
        dlr_km: dtot - profile[lr].d_km, // Eq (83)
        theta_t_mrad: theta_t,
        theta_r_mrad: theta_r,
        theta_mrad: 1e3 * dtot / ae_km + theta_t + theta_r, // Eq (84)
    }
}

/// Highest elevation angle θ_max seen from the Tx (Eq (76)), mrad, and the profile index of its
/// first occurrence.
///
/// Eq (77): θ_i = 1000 arctan((h_i − h_ts)/(1000 d_i) − d_i/(2 a_e)). arctan is increasing, so
/// the maximum and its first index are found on the argument and arctan is taken once.
fn tx_max_elevation(inner: &[ProfilePoint], hts: f64, half_inv_ae: f64) -> (f64, usize) {
    let mut arg_max = f64::NEG_INFINITY;
    let mut i_max = 1;
    for (k, p) in inner.iter().enumerate() {
        let arg = (p.h_m - hts) / (1000.0 * p.d_km) - p.d_km * half_inv_ae;
        if arg > arg_max {
            arg_max = arg;
            i_max = k + 1;
        }
    }
    (1000.0 * arg_max.atan(), i_max) // Eq (76)
}

/// Rx horizon of a trans-horizon path: the elevation angle θ_r, mrad, and the profile index of
/// the last point attaining the highest elevation seen from the Rx, Eq (82).
fn rx_horizon(inner: &[ProfilePoint], hrs: f64, dtot: f64, half_inv_ae: f64) -> (f64, usize) {
    let mut arg_max = f64::NEG_INFINITY;
    let mut lr = 1;
    for (k, p) in inner.iter().enumerate() {
        let dr = dtot - p.d_km;
        let arg = (p.h_m - hrs) / (1000.0 * dr) - dr * half_inv_ae;
        if arg >= arg_max {
            arg_max = arg;
            lr = k + 1;
        }
    }
    (1000.0 * arg_max.atan(), lr)
}

/// Line of sight: the profile index of both horizons, the point of highest diffraction
/// parameter ν (Eq (80) with the median effective Earth radius), the last one if tied.
fn los_horizon_index(
    inner: &[ProfilePoint],
    hts: f64,
    hrs: f64,
    dtot: f64,
    ae_km: f64,
    freq_ghz: f64,
) -> usize {
    let lambda = C_OVER_1E9 / freq_ghz;
    let ce = 1.0 / ae_km;
    let mut nu_max = f64::NEG_INFINITY;
    let mut l = 1;
    for (k, p) in inner.iter().enumerate() {
        let di = p.d_km;
        let nu = (p.h_m + 500.0 * ce * di * (dtot - di) - (hts * (dtot - di) + hrs * di) / dtot)
            * (0.002 * dtot / (lambda * di * (dtot - di))).sqrt();
        if nu >= nu_max {
            nu_max = nu;
            l = k + 1;
        }
    }
    l
}

/// Smooth-surface and effective heights for the ducting model and the terrain roughness,
/// Eqs (92)–(95).
struct DuctingHeights {
    hst_m: f64,
    hsr_m: f64,
    hte_m: f64,
    hre_m: f64,
    hm_m: f64,
}

/// Computes Eqs (92)–(95) from the least-squares heights `(h_st, h_sr)` and the horizon
/// indices `(l_t, l_r)`; h_m is taken over the terrain between the horizons.
fn ducting_heights(
    profile: &[ProfilePoint],
    htg_m: f64,
    hrg_m: f64,
    (hst, hsr): (f64, f64),
    (lt, lr): (usize, usize),
) -> DuctingHeights {
    let first = profile[0];
    let last = profile[profile.len() - 1];
    let dtot = last.d_km;
    let hst_d = hst.min(first.h_m); // Eq (92a)
    let hsr_d = hsr.min(last.h_m); // Eq (92b)
    let m = (hsr_d - hst_d) / dtot; // Eq (93)
    let hte = htg_m + first.h_m - hst_d; // Eq (94a)
    let hre = hrg_m + last.h_m - hsr_d; // Eq (94b)
    let hm = if lt <= lr {
        profile[lt..=lr]
            .iter()
            .map(|p| p.h_m - (hst_d + m * p.d_km))
            .fold(f64::NEG_INFINITY, f64::max) // Eq (95)
    } else {
        // Horizons crossed (degenerate profile): no terrain between them.
        0.0
    };
    DuctingHeights {
        hst_m: hst_d,
        hsr_m: hsr_d,
        hte_m: hte,
        hre_m: hre,
        hm_m: hm,
    }
}
