//! Radio-meteorological and radio-climatic path parameters: Rec. ITU-R P.1812-6 Annex 1
//! §3.3 (zones), §3.5–3.6 (β0, the incidence of ducting) and §3.7 (effective Earth radius).

use crate::propagation::p1812::params::{ProfilePoint, RadioClimaticZone};

/// Mean Earth radius used by the Recommendation, km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Effective Earth radius exceeded for 50 % of time, a_e = 6371·k50, k50 = 157/(157 − ΔN),
/// km (§3.7, Eqs (6), (7a)).
pub fn effective_earth_radius_km(delta_n_per_km: f64) -> f64 {
    let k50 = 157.0 / (157.0 - delta_n_per_km);
    EARTH_RADIUS_KM * k50
}

/// Effective Earth radius exceeded for β0 % of time, a_β = 6371·k_β with k_β = 3, km
/// (§3.7, Eq (7b)).
pub const A_BETA_KM: f64 = EARTH_RADIUS_KM * 3.0;

/// Latitude of the path centre, degrees (§3.5): the point at `half_path_km` along the great
/// circle from the transmitter towards the receiver (the construction of Rec. ITU-R P.2001,
/// Attachment H: bearing Tx→Rx, then the destination point at a given angular distance).
///
/// If Tx and Rx coincide the bearing is undefined and the mean latitude is returned.
pub fn path_centre_latitude_deg(
    phi_t_deg: f64,
    lam_t_deg: f64,
    phi_r_deg: f64,
    lam_r_deg: f64,
    half_path_km: f64,
) -> f64 {
    let (pt, pr) = (phi_t_deg.to_radians(), phi_r_deg.to_radians());
    let dlon = (lam_r_deg - lam_t_deg).to_radians();
    // Cosine of the great-circle angle Tx–Rx.
    let r = pt.sin() * pr.sin() + pt.cos() * pr.cos() * dlon.cos();
    // Bearing of the Rx seen from the Tx (clockwise from north).
    let x1 = pr.sin() - r * pt.sin();
    let y1 = pt.cos() * pr.cos() * dlon.sin();
    if x1.abs() < 1e-9 && y1.abs() < 1e-9 {
        return 0.5 * (phi_t_deg + phi_r_deg);
    }
    let bearing = y1.atan2(x1);
    let delta = half_path_km / EARTH_RADIUS_KM;
    let s = pt.sin() * delta.cos() + pt.cos() * delta.sin() * bearing.cos();
    s.clamp(-1.0, 1.0).asin().to_degrees()
}

/// Zone-derived path lengths (§3.3, §3.6).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneLengths {
    /// Fraction ω of the path over sea (zone 1), 0–1.
    pub omega: f64,
    /// Longest continuous land (inland + coastal) section d_tm, km.
    pub dtm_km: f64,
    /// Longest continuous inland section d_lm, km.
    pub dlm_km: f64,
}

/// Lengths of the zone sections along the profile.
///
/// Each profile point stands for the path from half-way to its previous neighbour to half-way to
/// its next one (the terminals stand for a half interval only), so a run of points i..=j of one
/// zone spans d_j − d_i plus half of each neighbouring interval that lies outside the run.
pub fn zone_lengths(profile: &[ProfilePoint]) -> ZoneLengths {
    let n = profile.len();
    let dtot = profile[n - 1].d_km - profile[0].d_km;
    let mut sea_km = 0.0;
    let mut dtm_km: f64 = 0.0;
    let mut dlm_km: f64 = 0.0;
    for_each_run(
        profile,
        |z| z == RadioClimaticZone::Sea,
        |len| sea_km += len,
    );
    for_each_run(profile, RadioClimaticZone::is_land, |len| {
        dtm_km = dtm_km.max(len)
    });
    for_each_run(
        profile,
        |z| z == RadioClimaticZone::Inland,
        |len| dlm_km = dlm_km.max(len),
    );
    ZoneLengths {
        omega: sea_km / dtot,
        dtm_km,
        dlm_km,
    }
}

/// Calls `f(length_km)` for each maximal run of consecutive points whose zone satisfies `pred`.
fn for_each_run(
    profile: &[ProfilePoint],
    pred: impl Fn(RadioClimaticZone) -> bool,
    mut f: impl FnMut(f64),
) {
    let n = profile.len();
    let mut i = 0;
    while i < n {
        if !pred(profile[i].zone) {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < n && pred(profile[i + 1].zone) {
            i += 1;
        }
        let stop = i;
        let mut len = profile[stop].d_km - profile[start].d_km;
        if stop + 1 < n {
            len += 0.5 * (profile[stop + 1].d_km - profile[stop].d_km);
        }
        if start > 0 {
            len += 0.5 * (profile[start].d_km - profile[start - 1].d_km);
        }
        f(len);
        i += 1;
    }
}

/// Time percentage β0 for which refractive-index lapse-rates exceeding 100 N-units/km can be
/// expected in the first 100 m of the atmosphere, % (§3.6, Eqs (2)–(5)).
pub fn beta0_pct(phi_deg: f64, dtm_km: f64, dlm_km: f64) -> f64 {
    let tau = tau(dlm_km);
    // Eq (2), limited to ≤ 1.
    let mu1 = (10f64.powf(-dtm_km / (16.0 - 6.6 * tau)) + 10f64.powf(-5.0 * (0.496 + 0.354 * tau)))
        .powf(0.2)
        .min(1.0);
    let lat = phi_deg.abs();
    if lat <= 70.0 {
        let mu4 = mu1.powf(-0.935 + 0.0176 * lat); // Eq (4)
        10f64.powf(-0.015 * lat + 1.67) * mu1 * mu4 // Eq (5)
    } else {
        let mu4 = mu1.powf(0.3); // Eq (4)
        4.17 * mu1 * mu4 // Eq (5)
    }
}

/// τ = 1 − exp(−4.12e-4 · d_lm^2.41) (§3.6, Eq (3)).
pub fn tau(dlm_km: f64) -> f64 {
    1.0 - (-(4.12e-4 * dlm_km.powf(2.41))).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(d_km: f64, zone: RadioClimaticZone) -> ProfilePoint {
        ProfilePoint {
            d_km,
            h_m: 0.0,
            clutter_code: 2,
            clutter_height_m: 0.0,
            zone,
        }
    }

    #[test]
    fn zone_lengths_add_up() {
        use RadioClimaticZone::*;
        let zones = [Inland, Inland, CoastalLand, Sea, Sea, CoastalLand, Inland];
        let p: Vec<_> = zones
            .iter()
            .enumerate()
            .map(|(i, &z)| pt(i as f64 * 2.0, z))
            .collect();
        let zl = zone_lengths(&p);
        // Sea run: points 3..=4 → 2 km + 1 + 1 = 4 km of a 12 km path.
        assert!((zl.omega - 4.0 / 12.0).abs() < 1e-12);
        // Land runs: 0..=2 (4 + 1 = 5 km) and 5..=6 (2 + 1 = 3 km).
        assert!((zl.dtm_km - 5.0).abs() < 1e-12);
        // Inland runs: 0..=1 (2 + 1 = 3 km), 6 (1 km).
        assert!((zl.dlm_km - 3.0).abs() < 1e-12);
    }

    #[test]
    fn path_centre_on_a_meridian_is_the_mean_latitude() {
        // Along a meridian the great circle is the meridian itself: 1° of latitude = 111.19 km.
        let d_km = 10.0_f64.to_radians() * EARTH_RADIUS_KM;
        let phi = path_centre_latitude_deg(10.0, 105.0, 20.0, 105.0, d_km / 2.0);
        assert!((phi - 15.0).abs() < 1e-9);
    }

    #[test]
    fn beta0_at_equator_far_from_sea() {
        // Long inland path: τ → 1, μ1 = (10^(−dtm/9.4) + 10^(−4.25))^0.2 → 10^(−0.85).
        let b0 = beta0_pct(0.0, 1000.0, 1000.0);
        let mu1: f64 = 10f64.powf(-0.85);
        let expected = 10f64.powf(1.67) * mu1 * mu1.powf(-0.935);
        assert!((b0 - expected).abs() < 1e-9);
    }
}
