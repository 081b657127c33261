//! Propagation by diffraction, the "delta-Bullington" model: Rec. ITU-R P.1812-6 Annex 1 §4.3
//! (§4.3.1 Bullington, §4.3.2 spherical Earth, §4.3.3 first-term, §4.3.4 complete model,
//! §4.3.5 the loss not exceeded for p % time).

use crate::propagation::p1812::params::{Polarization, ProfilePoint};
use crate::propagation::p1812::profile::C_OVER_1E9;
use crate::propagation::p1812::radiomet::A_BETA_KM;
use crate::propagation::p1812::stats::inv_cum_norm;

/// Which heights the Bullington construction uses at the intermediate points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Surface {
    /// The actual profile g_i = h_i + R_i (§3.2: clutter added at intermediate points only).
    TerrainAndClutter,
    /// A flat profile of zero heights (the smooth path of §4.3.4).
    Zero,
}

#[cfg(test)]
impl Surface {
    fn height(self, p: &ProfilePoint) -> f64 {
        match self {
            Surface::TerrainAndClutter => p.h_m + p.clutter_height_m,
            Surface::Zero => 0.0,
        }
    }
}

/// Knife-edge loss J(ν) = 6.9 + 20 log(sqrt((ν − 0.1)² + 1) + ν − 0.1) for ν > −0.78, else 0
/// (§4.3.1, Eq (12)).
pub fn knife_edge_db(nu: f64) -> f64 {
    if nu > -0.78 {
        6.9 + 20.0 * (((nu - 0.1).powi(2) + 1.0).sqrt() + nu - 0.1).log10()
    } else {
        0.0
    }
}

/// Bullington diffraction loss over the intermediate points `inner` of a path of length
/// `dtot_km` between antennas at `hts_m`, `hrs_m` (§4.3.1, Eqs (13)–(21)), written as the
/// Recommendation states it; the tests check [`bullington_batch`] against it.
#[cfg(test)]
fn bullington_db(
    inner: &[ProfilePoint],
    surface: Surface,
    dtot_km: f64,
    hts_m: f64,
    hrs_m: f64,
    ap_km: f64,
    freq_ghz: f64,
) -> f64 {
    let ce = 1.0 / ap_km; // effective Earth curvature, 1/km
    let lambda = C_OVER_1E9 / freq_ghz;
    let dtot = dtot_km;
    // Height of point i above the chord, including the Earth bulge.
    let bulged = |p: &ProfilePoint| surface.height(p) + 500.0 * ce * p.d_km * (dtot - p.d_km);

    // Highest slope from the Tx to an intermediate point, Eq (13).
    let stim = inner
        .iter()
        .map(|p| (bulged(p) - hts_m) / p.d_km)
        .fold(f64::NEG_INFINITY, f64::max);
    // Slope of the Tx–Rx line, Eq (14).
    let str_ = (hrs_m - hts_m) / dtot;

    let luc = if stim < str_ {
        // Case 1, line of sight: highest diffraction parameter, Eq (15); loss Eq (16).
        let nu_max = inner
            .iter()
            .map(|p| {
                let di = p.d_km;
                (bulged(p) - (hts_m * (dtot - di) + hrs_m * di) / dtot)
                    * (0.002 * dtot / (lambda * di * (dtot - di))).sqrt()
            })
            .fold(f64::NEG_INFINITY, f64::max);
        knife_edge_db(nu_max)
    } else {
        // Case 2, trans-horizon: highest slope from the Rx, Eq (17); Bullington point Eq (18);
        // its diffraction parameter Eq (19); loss Eq (20).
        let srim = inner
            .iter()
            .map(|p| (bulged(p) - hrs_m) / (dtot - p.d_km))
            .fold(f64::NEG_INFINITY, f64::max);
        let dbp = (hrs_m - hts_m + srim * dtot) / (stim + srim);
        let nub = (hts_m + stim * dbp - (hts_m * (dtot - dbp) + hrs_m * dbp) / dtot)
            * (0.002 * dtot / (lambda * dbp * (dtot - dbp))).sqrt();
        knife_edge_db(nub)
    };
    bullington_total_db(luc, dtot)
}

/// L_bull = L_uc + (1 − exp(−L_uc/6))(10 + 0.02 d) (§4.3.1, Eq (21)).
fn bullington_total_db(luc: f64, dtot_km: f64) -> f64 {
    luc + (1.0 - (-luc / 6.0).exp()) * (10.0 + 0.02 * dtot_km)
}

/// One Bullington evaluation of a batch: surface, antenna heights (m a.m.s.l.) and effective
/// Earth radius (km).
#[derive(Clone, Copy, Debug)]
struct BullingtonCase {
    surface: Surface,
    hts_m: f64,
    hrs_m: f64,
    ap_km: f64,
}

/// Bullington losses (§4.3.1, Eqs (13)–(21)) for several cases over the same points, in two
/// passes over the profile shared by all cases (the per-point reciprocals 1/d_i, 1/(d − d_i) and
/// the bulge factor d_i (d − d_i) are computed once). Same equations as `bullington_db`.
fn bullington_batch<const K: usize>(
    inner: &[ProfilePoint],
    dtot_km: f64,
    freq_ghz: f64,
    cases: [BullingtonCase; K],
) -> [f64; K] {
    let dtot = dtot_km;
    let lambda = C_OVER_1E9 / freq_ghz;
    let half_ce = cases.map(|c| 500.0 / c.ap_km);
    // 1 for the actual surface g_i, 0 for the zero-height profile (branch-free inner loops).
    let weight = cases.map(|c| match c.surface {
        Surface::TerrainAndClutter => 1.0,
        Surface::Zero => 0.0,
    });
    // Pass 1: highest slope from the Tx, Eq (13).
    let mut stim = [f64::NEG_INFINITY; K];
    for p in inner {
        let inv_d = 1.0 / p.d_km;
        let bulge = p.d_km * (dtot - p.d_km);
        let g = p.h_m + p.clutter_height_m;
        for k in 0..K {
            let b = weight[k] * g + half_ce[k] * bulge;
            stim[k] = stim[k].max((b - cases[k].hts_m) * inv_d);
        }
    }
    // Case selection, Eq (14): line of sight when S_tim < S_tr.
    let los: [bool; K] =
        std::array::from_fn(|k| stim[k] < (cases[k].hrs_m - cases[k].hts_m) / dtot);
    // Pass 2: highest ν (Eq (15)) for LoS cases, highest slope from the Rx (Eq (17)) otherwise.
    let mut best = [f64::NEG_INFINITY; K];
    let nu_scale = 0.002 * dtot / lambda;
    for p in inner {
        let di = p.d_km;
        let inv_dr = 1.0 / (dtot - di);
        let bulge = di * (dtot - di);
        let g = p.h_m + p.clutter_height_m;
        for k in 0..K {
            let c = cases[k];
            let b = weight[k] * g + half_ce[k] * bulge;
            let v = if los[k] {
                (b - (c.hts_m * (dtot - di) + c.hrs_m * di) / dtot) * (nu_scale / bulge).sqrt()
            } else {
                (b - c.hrs_m) * inv_dr
            };
            best[k] = best[k].max(v);
        }
    }
    std::array::from_fn(|k| {
        let c = cases[k];
        let luc = if los[k] {
            knife_edge_db(best[k]) // Eq (16)
        } else {
            let (stim, srim) = (stim[k], best[k]);
            let dbp = (c.hrs_m - c.hts_m + srim * dtot) / (stim + srim); // Eq (18)
            let nub = (c.hts_m + stim * dbp - (c.hts_m * (dtot - dbp) + c.hrs_m * dbp) / dtot)
                * (0.002 * dtot / (lambda * dbp * (dtot - dbp))).sqrt(); // Eq (19)
            knife_edge_db(nub) // Eq (20)
        };
        bullington_total_db(luc, dtot) // Eq (21)
    })
}

/// Ground constants of §4.3.3: (relative permittivity, conductivity S/m).
const LAND: (f64, f64) = (22.0, 0.003);
const SEA: (f64, f64) = (80.0, 5.0);

/// First-term spherical-Earth diffraction loss for one ground type (§4.3.3, Eqs (29)–(36)).
fn first_term_one_db(
    (eps_r, sigma): (f64, f64),
    d_km: f64,
    hte_m: f64,
    hre_m: f64,
    a_km: f64,
    freq_ghz: f64,
    pol: Polarization,
) -> f64 {
    let f = freq_ghz;
    let s18 = 18.0 * sigma / f;
    // Normalised surface admittance, Eqs (29a), (29b).
    let kh = 0.036 * (a_km * f).powf(-1.0 / 3.0) * ((eps_r - 1.0).powi(2) + s18 * s18).powf(-0.25);
    let k = match pol {
        Polarization::Horizontal => kh,
        Polarization::Vertical => kh * (eps_r * eps_r + s18 * s18).sqrt(),
    };
    let k2 = k * k;
    let k4 = k2 * k2;
    let beta = (1.0 + 1.6 * k2 + 0.67 * k4) / (1.0 + 4.5 * k2 + 1.53 * k4); // Eq (30)
    let x = 21.88 * beta * (f / (a_km * a_km)).cbrt() * d_km; // Eq (31)
    let y_scale = 0.9575 * beta * (f * f / a_km).cbrt(); // Eq (32)
    let fx = if x >= 1.6 {
        11.0 + 10.0 * x.log10() - 17.6 * x
    } else {
        -20.0 * x.log10() - 5.6488 * x.powf(1.425)
    }; // Eq (33)
    let g_min = 2.0 + 20.0 * k.log10();
    let g = |h: f64| {
        let b = beta * y_scale * h; // Eq (35)
        let g = if b > 2.0 {
            17.6 * (b - 1.1).sqrt() - 5.0 * (b - 1.1).log10() - 8.0
        } else {
            20.0 * (b + 0.1 * b * b * b).log10()
        }; // Eq (34)
        g.max(g_min)
    };
    -fx - g(hte_m) - g(hre_m) // Eq (36)
}

/// First-term loss mixed over land and sea by the sea fraction ω (§4.3.3, Eq (28)).
fn first_term_db(
    d_km: f64,
    hte_m: f64,
    hre_m: f64,
    a_km: f64,
    freq_ghz: f64,
    omega: f64,
    pol: Polarization,
) -> f64 {
    let sea = first_term_one_db(SEA, d_km, hte_m, hre_m, a_km, freq_ghz, pol);
    let land = first_term_one_db(LAND, d_km, hte_m, hre_m, a_km, freq_ghz, pol);
    omega * sea + (1.0 - omega) * land
}

/// Spherical-Earth diffraction loss L_dsph (§4.3.2, Eqs (22)–(27)).
pub fn spherical_earth_db(
    d_km: f64,
    hte_m: f64,
    hre_m: f64,
    ap_km: f64,
    freq_ghz: f64,
    omega: f64,
    pol: Polarization,
) -> f64 {
    let lambda = C_OVER_1E9 / freq_ghz;
    // Marginal line-of-sight distance for a smooth path, Eq (22).
    let dlos = (2.0 * ap_km).sqrt() * ((0.001 * hte_m).sqrt() + (0.001 * hre_m).sqrt());
    if d_km >= dlos {
        return first_term_db(d_km, hte_m, hre_m, ap_km, freq_ghz, omega, pol);
    }
    // Smallest clearance between the curved Earth and the ray, Eqs (23)–(24e).
    let c = (hte_m - hre_m) / (hte_m + hre_m); // Eq (24d)
    let m = 250.0 * d_km * d_km / (ap_km * (hte_m + hre_m)); // Eq (24e)
    let arg = (1.5 * c * (3.0 * m / (m + 1.0).powi(3)).sqrt()).clamp(-1.0, 1.0);
    let b = 2.0
        * ((m + 1.0) / (3.0 * m)).sqrt()
        * (std::f64::consts::PI / 3.0 + arg.acos() / 3.0).cos(); // Eq (24c)
    let dse1 = d_km / 2.0 * (1.0 + b); // Eq (24a)
    let dse2 = d_km - dse1; // Eq (24b)
    let hse = ((hte_m - 500.0 * dse1 * dse1 / ap_km) * dse2
        + (hre_m - 500.0 * dse2 * dse2 / ap_km) * dse1)
        / d_km; // Eq (23)
                // Required clearance for zero diffraction loss, Eq (25).
    let hreq = 17.456 * (dse1 * dse2 * lambda / d_km).sqrt();
    if hse > hreq {
        return 0.0;
    }
    // Modified effective Earth radius giving marginal LoS at d, Eq (26).
    let aem = 500.0 * (d_km / (hte_m.sqrt() + hre_m.sqrt())).powi(2);
    let ldft = first_term_db(d_km, hte_m, hre_m, aem, freq_ghz, omega, pol).max(0.0);
    (1.0 - hse / hreq) * ldft // Eq (27)
}

/// The parts of the delta-Bullington loss for one effective Earth radius (§4.3.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DeltaBullington {
    /// Bullington loss of the actual profile L_bulla, dB (Eq (21)).
    pub lbulla_db: f64,
    /// Bullington loss of the smooth (zero-height) profile L_bulls, dB (Eq (21)).
    pub lbulls_db: f64,
    /// Spherical-Earth loss L_dsph, dB (Eq (27)).
    pub ldsph_db: f64,
    /// Complete diffraction loss L_d = L_bulla + max(L_dsph − L_bulls, 0), dB (Eq (39)).
    pub ld_db: f64,
}

/// Inputs shared by the delta-Bullington evaluations of one path.
#[derive(Clone, Copy, Debug)]
pub struct DiffractionInputs<'a> {
    /// The whole profile (Tx first).
    pub profile: &'a [ProfilePoint],
    /// Path length d, km.
    pub d_km: f64,
    /// Tx antenna height used for diffraction h_tc, m a.m.s.l. (Table 5).
    pub htc_m: f64,
    /// Rx antenna height used for diffraction h_rc, m a.m.s.l. (Table 5).
    pub hrc_m: f64,
    /// Smooth-surface Tx height h_std, m (Attachment 1, Eq (91)).
    pub hstd_m: f64,
    /// Smooth-surface Rx height h_srd, m (Attachment 1, Eq (91)).
    pub hsrd_m: f64,
    /// Frequency, GHz.
    pub freq_ghz: f64,
    /// Sea fraction ω.
    pub omega: f64,
    /// Polarisation.
    pub pol: Polarization,
}

/// Complete delta-Bullington diffraction loss for effective Earth radius `ap_km`
/// (§4.3.4, Eqs (37)–(39)).
pub fn delta_bullington(inp: &DiffractionInputs<'_>, ap_km: f64) -> DeltaBullington {
    let [d] = delta_bullington_radii(inp, [ap_km]);
    d
}

/// Delta-Bullington losses for several effective Earth radii, sharing the profile passes.
fn delta_bullington_radii<const K: usize>(
    inp: &DiffractionInputs<'_>,
    radii_km: [f64; K],
) -> [DeltaBullington; K] {
    let n = inp.profile.len();
    let inner = &inp.profile[1..n - 1];
    // Antenna heights above the smooth-Earth surface, Eqs (37a), (37b) (= h_te, h_re of (38)).
    let hts1 = inp.htc_m - inp.hstd_m;
    let hrs1 = inp.hrc_m - inp.hsrd_m;
    // Cases 2k: actual profile (L_bulla); 2k+1: zero-height profile (L_bulls).
    let cases: Vec<BullingtonCase> = radii_km
        .iter()
        .flat_map(|&ap_km| {
            [
                BullingtonCase {
                    surface: Surface::TerrainAndClutter,
                    hts_m: inp.htc_m,
                    hrs_m: inp.hrc_m,
                    ap_km,
                },
                BullingtonCase {
                    surface: Surface::Zero,
                    hts_m: hts1,
                    hrs_m: hrs1,
                    ap_km,
                },
            ]
        })
        .collect();
    let bull: Vec<f64> = match cases.as_slice() {
        [a, b] => bullington_batch(inner, inp.d_km, inp.freq_ghz, [*a, *b]).to_vec(),
        [a, b, c, d] => bullington_batch(inner, inp.d_km, inp.freq_ghz, [*a, *b, *c, *d]).to_vec(),
        _ => cases
            .iter()
            .map(|c| {
                let [l] = bullington_batch(inner, inp.d_km, inp.freq_ghz, [*c]);
                l
            })
            .collect(),
    };
    std::array::from_fn(|k| {
        let (lbulla, lbulls) = (bull[2 * k], bull[2 * k + 1]);
        let ldsph = spherical_earth_db(
            inp.d_km,
            hts1,
            hrs1,
            radii_km[k],
            inp.freq_ghz,
            inp.omega,
            inp.pol,
        );
        DeltaBullington {
            lbulla_db: lbulla,
            lbulls_db: lbulls,
            ldsph_db: ldsph,
            ld_db: lbulla + (ldsph - lbulls).max(0.0), // Eq (39)
        }
    })
}

/// Diffraction losses for median and p % time (§4.3.5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiffractionLosses {
    /// Delta-Bullington parts for the median effective Earth radius a_e.
    pub median: DeltaBullington,
    /// Diffraction loss not exceeded for β0 % time L_dβ (a_β = 3·6371 km), dB (Eq (39)).
    pub ldb_db: f64,
    /// Interpolation factor F_i (Eq (40)).
    pub fi: f64,
    /// Diffraction loss not exceeded for p % time L_dp, dB (Eq (41)).
    pub ldp_db: f64,
}

/// The interpolation factor F_i = I(p/100)/I(β0/100) for p > β0, 1 otherwise (§4.3.5, Eq (40)).
pub fn fi(time_pct: f64, beta0_pct: f64) -> f64 {
    if time_pct > beta0_pct {
        inv_cum_norm(time_pct / 100.0) / inv_cum_norm(beta0_pct / 100.0)
    } else {
        1.0
    }
}

/// Median, β0 % and p % diffraction losses (§4.3.5, Eqs (39)–(41)).
pub fn diffraction_losses(
    inp: &DiffractionInputs<'_>,
    ae_km: f64,
    time_pct: f64,
    beta0_pct: f64,
) -> DiffractionLosses {
    let [median, beta] = delta_bullington_radii(inp, [ae_km, A_BETA_KM]);
    let fi = fi(time_pct, beta0_pct);
    // Eq (41); at p = 50 % the median loss is used as is (F_i would be I(0.5) ≈ 0).
    let ldp = if time_pct >= 50.0 {
        median.ld_db
    } else {
        median.ld_db + fi * (beta.ld_db - median.ld_db)
    };
    DiffractionLosses {
        median,
        ldb_db: beta.ld_db,
        fi,
        ldp_db: ldp,
    }
}

/// [`diffraction_losses`] at p ≥ 50 %, where Eq (41) uses the median alone: L_dβ is not
/// computed (NaN).
pub fn median_diffraction_losses(
    inp: &DiffractionInputs<'_>,
    ae_km: f64,
    time_pct: f64,
    beta0_pct: f64,
) -> DiffractionLosses {
    let [median] = delta_bullington_radii(inp, [ae_km]);
    DiffractionLosses {
        median,
        ldb_db: f64::NAN,
        fi: fi(time_pct, beta0_pct),
        ldp_db: median.ld_db,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knife_edge_at_grazing_is_six_db() {
        // J(0) = 6.9 + 20 log10(sqrt(1.01) − 0.1) ≈ 6.03 dB, the textbook grazing-incidence loss.
        assert!((knife_edge_db(0.0) - 6.0).abs() < 0.05);
        assert_eq!(knife_edge_db(-0.8), 0.0);
        // Large ν: the Fresnel-integral asymptote J ≈ 12.953 + 20 log ν (Rec. ITU-R P.526).
        assert!((knife_edge_db(10.0) - (12.953 + 20.0 * 10f64.log10())).abs() < 0.1);
    }

    #[test]
    fn batched_bullington_equals_single_case() {
        // A hilly profile, LoS and trans-horizon geometries, both surfaces and two radii.
        let pts: Vec<ProfilePoint> = (1..200)
            .map(|i| {
                let d = f64::from(i) * 0.1;
                ProfilePoint {
                    d_km: d,
                    h_m: 50.0 + 40.0 * (d * 1.3).sin(),
                    clutter_code: 2,
                    clutter_height_m: if i % 7 == 0 { 10.0 } else { 0.0 },
                    zone: crate::propagation::p1812::RadioClimaticZone::Inland,
                }
            })
            .collect();
        let dtot = 20.0;
        for (hts, hrs) in [(60.0, 70.0), (300.0, 280.0), (10.0, 5.0)] {
            for surface in [Surface::TerrainAndClutter, Surface::Zero] {
                let cases = [6371.0 * 4.0 / 3.0, A_BETA_KM].map(|ap_km| BullingtonCase {
                    surface,
                    hts_m: hts,
                    hrs_m: hrs,
                    ap_km,
                });
                let batch = bullington_batch(&pts, dtot, 0.6, cases);
                for (k, c) in cases.iter().enumerate() {
                    let single = bullington_db(&pts, surface, dtot, hts, hrs, c.ap_km, 0.6);
                    assert!((batch[k] - single).abs() < 1e-9, "{batch:?} vs {single}");
                }
            }
        }
    }

    #[test]
    fn spherical_earth_zero_with_large_clearance() {
        // 5 km between two 300 m masts at 1 GHz: ample clearance, no diffraction loss.
        let l = spherical_earth_db(5.0, 300.0, 300.0, 8500.0, 1.0, 0.0, Polarization::Vertical);
        assert_eq!(l, 0.0);
    }

    #[test]
    fn spherical_earth_grows_beyond_horizon() {
        let l1 = spherical_earth_db(60.0, 20.0, 20.0, 8500.0, 0.6, 0.0, Polarization::Horizontal);
        let l2 = spherical_earth_db(90.0, 20.0, 20.0, 8500.0, 0.6, 0.0, Polarization::Horizontal);
        assert!(l1 > 0.0 && l2 > l1, "{l1} {l2}");
    }
}
