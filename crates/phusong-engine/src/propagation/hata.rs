//! Empirical median path loss: Okumura-Hata and COST-231-Hata.
//!
//! - M. Hata, "Empirical formula for propagation loss in land mobile radio services",
//!   IEEE Trans. Veh. Technol. VT-29(3), 1980, pp. 317-325: urban eq. (for small/medium city
//!   a(hm)), suburban and open-area corrections.
//! - COST Action 231, "Digital mobile radio towards future generation systems", final report
//!   (EUR 18957, 1999), ch. 4.4 (COST-231-Hata), extending Hata to 1500-2000 MHz.
//!
//! Validity as published: Hata 150-1500 MHz, COST-231 1500-2000 MHz; both base height 30-200 m,
//! mobile height 1-10 m, distance 1-20 km. Outside these ranges the formulas are extrapolated
//! (as planning tools do) after clamping inputs to keep them physical and finite:
//! - base height `hb` floored at 1 m (log hb must stay ≥ 0 so the distance slope stays ≥ 44.9);
//! - mobile height `hm` clamped to 1-10 m (a(hm) is linear in hm and only fitted there);
//! - distance floored at 0.1 km (the log-distance law is meaningless closer in);
//! - frequency floored at 1 MHz.
//!
//! Consequently the results are finite (never NaN) for every non-NaN input.

use serde::{Deserialize, Serialize};

/// Clutter/environment class used by the Hata-family corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Urban (small/medium city in Hata; "metropolitan centre" Cm = 3 dB in COST-231).
    Urban,
    /// Suburban: Hata suburban correction −2[log(f/28)]² − 5.4.
    Suburban,
    /// Rural = Hata's open / quasi-open area correction −4.78(log f)² + 18.33 log f − 40.94.
    Rural,
}

/// Below this frequency [`hata_db`] uses Okumura-Hata, at and above it COST-231-Hata.
pub const COST231_FROM_MHZ: f64 = 1500.0;

const MIN_FREQ_MHZ: f64 = 1.0;
const MIN_BASE_HEIGHT_M: f64 = 1.0;
const MIN_MOBILE_HEIGHT_M: f64 = 1.0;
const MAX_MOBILE_HEIGHT_M: f64 = 10.0;
const MIN_DISTANCE_KM: f64 = 0.1;

struct Clamped {
    log_f: f64,
    log_hb: f64,
    hm: f64,
    log_d: f64,
}

fn clamp(freq_mhz: f64, hb_m: f64, hm_m: f64, d_km: f64) -> Clamped {
    Clamped {
        log_f: freq_mhz.max(MIN_FREQ_MHZ).log10(),
        log_hb: hb_m.max(MIN_BASE_HEIGHT_M).log10(),
        hm: hm_m.clamp(MIN_MOBILE_HEIGHT_M, MAX_MOBILE_HEIGHT_M),
        log_d: d_km.max(MIN_DISTANCE_KM).log10(),
    }
}

/// Mobile-antenna correction a(hm) for a small/medium city (Hata 1980; reused by COST-231):
/// a(hm) = (1.1 log f − 0.7) hm − (1.56 log f − 0.8).
fn a_hm(c: &Clamped) -> f64 {
    (1.1 * c.log_f - 0.7) * c.hm - (1.56 * c.log_f - 0.8)
}

/// Hata's environment correction (dB, added to the urban loss) for suburban and open areas.
fn env_correction(log_f: f64, env: Environment) -> f64 {
    match env {
        Environment::Urban => 0.0,
        // log(f/28) = log f − log 28
        Environment::Suburban => -2.0 * (log_f - 28f64.log10()).powi(2) - 5.4,
        Environment::Rural => -4.78 * log_f * log_f + 18.33 * log_f - 40.94,
    }
}

/// Okumura-Hata median path loss (dB), Hata 1980.
///
/// Urban: 69.55 + 26.16 log f − 13.82 log hb − a(hm) + (44.9 − 6.55 log hb) log d, plus the
/// suburban / open-area correction for the other environments. Inputs are clamped as in the
/// module docs.
pub fn okumura_hata_db(
    freq_mhz: f64,
    base_height_m: f64,
    mobile_height_m: f64,
    distance_km: f64,
    env: Environment,
) -> f64 {
    let c = clamp(freq_mhz, base_height_m, mobile_height_m, distance_km);
    69.55 + 26.16 * c.log_f - 13.82 * c.log_hb - a_hm(&c)
        + (44.9 - 6.55 * c.log_hb) * c.log_d
        + env_correction(c.log_f, env)
}

/// COST-231-Hata median path loss (dB), COST 231 final report ch. 4.4.
///
/// 46.3 + 33.9 log f − 13.82 log hb − a(hm) + (44.9 − 6.55 log hb) log d + Cm, with Cm = 3 dB for
/// [`Environment::Urban`] (treated as the metropolitan-centre case) and 0 otherwise; suburban and
/// rural then apply Hata's corrections evaluated at f. Inputs are clamped as in the module docs.
pub fn cost231_hata_db(
    freq_mhz: f64,
    base_height_m: f64,
    mobile_height_m: f64,
    distance_km: f64,
    env: Environment,
) -> f64 {
    let c = clamp(freq_mhz, base_height_m, mobile_height_m, distance_km);
    let cm_db = if env == Environment::Urban { 3.0 } else { 0.0 };
    46.3 + 33.9 * c.log_f - 13.82 * c.log_hb - a_hm(&c)
        + (44.9 - 6.55 * c.log_hb) * c.log_d
        + cm_db
        + env_correction(c.log_f, env)
}

/// Hata-family loss for any band: Okumura-Hata below 1500 MHz, COST-231-Hata from 1500 MHz up.
///
/// Above 2000 MHz (e.g. LTE band 7 at 2600 MHz) COST-231 is extrapolated beyond its published
/// range, as common planning tools do; treat such results as indicative.
pub fn hata_db(
    freq_mhz: f64,
    base_height_m: f64,
    mobile_height_m: f64,
    distance_km: f64,
    env: Environment,
) -> f64 {
    if freq_mhz < COST231_FROM_MHZ {
        okumura_hata_db(freq_mhz, base_height_m, mobile_height_m, distance_km, env)
    } else {
        cost231_hata_db(freq_mhz, base_height_m, mobile_height_m, distance_km, env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVS: [Environment; 3] = [
        Environment::Urban,
        Environment::Suburban,
        Environment::Rural,
    ];

    #[test]
    fn okumura_hata_hand_values() {
        // f = 900 MHz, hb = 30 m, hm = 1.5 m.
        // log f = 2.954243, log hb = 1.477121.
        // a(hm) = (1.1·2.954243 − 0.7)·1.5 − (1.56·2.954243 − 0.8)
        //       = 2.549667·1.5 − 3.808618 = 0.015882
        // d = 1 km: L = 69.55 + 26.16·2.954243 − 13.82·1.477121 − 0.015882 + 0
        //             = 69.55 + 77.282984 − 20.413416 − 0.015882 = 126.403286
        // d = 10 km: + (44.9 − 6.55·1.477121)·1 = + 35.224856 → 161.628142
        // suburban: − 2·(log(900/28))² − 5.4 = −2·1.507084² − 5.4 = −9.942607 → 116.460679
        // open: − 4.78·2.954243² + 18.33·2.954243 − 40.94
        //       = −41.717704 + 54.151265 − 40.94 = −28.506439 → 97.896847
        let u1 = okumura_hata_db(900.0, 30.0, 1.5, 1.0, Environment::Urban);
        let u10 = okumura_hata_db(900.0, 30.0, 1.5, 10.0, Environment::Urban);
        let s1 = okumura_hata_db(900.0, 30.0, 1.5, 1.0, Environment::Suburban);
        let r1 = okumura_hata_db(900.0, 30.0, 1.5, 1.0, Environment::Rural);
        assert!((u1 - 126.4033).abs() < 1e-3, "{u1}");
        assert!((u10 - 161.6281).abs() < 1e-3, "{u10}");
        assert!((s1 - 116.4607).abs() < 1e-3, "{s1}");
        assert!((r1 - 97.8968).abs() < 1e-3, "{r1}");
    }

    #[test]
    fn cost231_hand_values() {
        // f = 1800 MHz, hb = 30 m, hm = 1.5 m, d = 1 km.
        // log f = 3.255273; a(hm) = (1.1·3.255273 − 0.7)·1.5 − (1.56·3.255273 − 0.8)
        //       = 2.880800·1.5 − 4.278225 = 0.042975
        // L0 = 46.3 + 33.9·3.255273 − 13.82·1.477121 − 0.042975 = 46.3 + 110.353738
        //      − 20.413416 − 0.042975 = 136.196948 (Cm = 0)
        // urban (Cm = 3): 139.196948
        // suburban: − 2·(log(1800/28))² − 5.4 = −2·1.808134² − 5.4 = −11.938556 → 124.258392
        // rural: − 4.78·3.255273² + 18.33·3.255273 − 40.94 = −31.923555 → 104.273393
        let u = cost231_hata_db(1800.0, 30.0, 1.5, 1.0, Environment::Urban);
        let s = cost231_hata_db(1800.0, 30.0, 1.5, 1.0, Environment::Suburban);
        let r = cost231_hata_db(1800.0, 30.0, 1.5, 1.0, Environment::Rural);
        assert!((u - 139.1969).abs() < 1e-3, "{u}");
        assert!((s - 124.2584).abs() < 1e-3, "{s}");
        assert!((r - 104.2734).abs() < 1e-3, "{r}");
    }

    #[test]
    fn selector_switches_at_1500() {
        let a = hata_db(1499.0, 40.0, 1.5, 3.0, Environment::Urban);
        let b = hata_db(1500.0, 40.0, 1.5, 3.0, Environment::Urban);
        assert_eq!(
            a,
            okumura_hata_db(1499.0, 40.0, 1.5, 3.0, Environment::Urban)
        );
        assert_eq!(
            b,
            cost231_hata_db(1500.0, 40.0, 1.5, 3.0, Environment::Urban)
        );
        // At 1500 MHz the two models differ by 69.55 − 46.3 + (26.16 − 33.9)·log 1500 − 3 (Cm)
        // = 23.25 − 7.74·3.176091 − 3 = −4.333 dB (COST-231 urban is 4.33 dB higher).
        let gap = okumura_hata_db(1500.0, 40.0, 1.5, 3.0, Environment::Urban) - b;
        assert!((gap + 4.3330).abs() < 1e-3, "{gap}");
    }

    #[test]
    fn monotone_in_distance_and_base_height() {
        for env in ENVS {
            for f in [450.0, 900.0, 1800.0, 2600.0] {
                let mut prev = f64::NEG_INFINITY;
                for i in 0..100 {
                    let d_km = 0.1 + 0.3 * i as f64;
                    let l = hata_db(f, 30.0, 1.5, d_km, env);
                    assert!(l > prev, "{env:?} {f} {d_km}");
                    prev = l;
                }
                let mut prev = f64::INFINITY;
                for hb in [1.0, 5.0, 10.0, 20.0, 30.0, 60.0, 100.0, 200.0, 300.0] {
                    let l = hata_db(f, hb, 1.5, 5.0, env);
                    assert!(l < prev, "{env:?} {f} {hb}");
                    prev = l;
                }
            }
        }
    }

    #[test]
    fn environment_order_and_clamps() {
        for f in [900.0, 1800.0] {
            let u = hata_db(f, 30.0, 1.5, 5.0, Environment::Urban);
            let s = hata_db(f, 30.0, 1.5, 5.0, Environment::Suburban);
            let r = hata_db(f, 30.0, 1.5, 5.0, Environment::Rural);
            assert!(u > s && s > r);
        }
        // Clamped inputs: d below 0.1 km, hb below 1 m, hm outside 1-10 m.
        let e = Environment::Urban;
        assert_eq!(
            hata_db(900.0, 30.0, 1.5, 0.0, e),
            hata_db(900.0, 30.0, 1.5, 0.1, e)
        );
        assert_eq!(
            hata_db(900.0, -5.0, 1.5, 2.0, e),
            hata_db(900.0, 1.0, 1.5, 2.0, e)
        );
        assert_eq!(
            hata_db(900.0, 30.0, 50.0, 2.0, e),
            hata_db(900.0, 30.0, 10.0, 2.0, e)
        );
        for env in ENVS {
            assert!(hata_db(0.0, 0.0, 0.0, 0.0, env).is_finite());
            assert!(hata_db(3500.0, 0.5, 0.2, 1e-9, env).is_finite());
        }
    }

    #[test]
    fn serde_lowercase_names() {
        let v: Vec<Environment> = serde_json::from_str(r#"["urban","suburban","rural"]"#).unwrap();
        assert_eq!(v, ENVS.to_vec());
        assert_eq!(
            serde_json::to_string(&Environment::Rural).unwrap(),
            "\"rural\""
        );
        assert!(serde_json::from_str::<Environment>("\"Urban\"").is_err());
    }
}
