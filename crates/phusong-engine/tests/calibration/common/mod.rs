//! Synthetic drive-test scenario shared by the integration tests.
#![allow(dead_code)]

use phusong_engine::calibration::{
    synthesize_rsrp, ClutterOffset, Measurement, Model, ShadowingConfig, SplitMix64,
};

/// Peak antenna gain of every synthetic sector, dBi.
pub const PEAK_GAIN_DBI: f64 = 17.0;

/// Known coefficients the fits must recover (Hata-like slopes; class 1 is the reference).
pub fn truth(offset_db: f64) -> Model {
    Model {
        offset_db,
        log_distance_db: 44.9,
        log_height_db: -13.82,
        log_height_log_distance_db: -6.55,
        diffraction_weight: 0.6,
        clutter_offsets_db: vec![
            ClutterOffset {
                class: 1,
                offset_db: 0.0,
            },
            ClutterOffset {
                class: 2,
                offset_db: 6.0,
            },
            ClutterOffset {
                class: 3,
                offset_db: 12.0,
            },
            ClutterOffset {
                class: 4,
                offset_db: 3.0,
            },
        ],
    }
}

/// Scenario geometry.
pub struct Scenario {
    pub n_sites: u32,
    pub legs_per_site: usize,
    pub spacing_m: f64,
    pub min_start_m: f64,
    pub min_end_m: f64,
    pub max_end_m: f64,
    /// Largest azimuth off boresight of a leg, degrees (beyond ~84° the 3GPP pattern is >20 dB down).
    pub max_off_axis_deg: f64,
    pub rs_power_dbm: f64,
    pub seed: u64,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            n_sites: 40,
            legs_per_site: 8,
            spacing_m: 80.0,
            min_start_m: 50.0,
            min_end_m: 1_500.0,
            max_end_m: 15_000.0,
            max_off_axis_deg: 100.0,
            rs_power_dbm: 18.0,
            seed: 2024,
        }
    }
}

/// 3GPP TR 36.814 Table A.2.1.1-2 horizontal sector pattern: −min(12(φ/φ3dB)², Am), φ3dB = 65°, Am = 25 dB.
fn sector_gain_dbi(off_axis_deg: f64) -> f64 {
    PEAK_GAIN_DBI - (12.0 * (off_axis_deg / 65.0).powi(2)).min(25.0)
}

/// Geometry of radial drive legs (RSRP not yet set). Sites have antenna heights 15–60 m;
/// legs run outward from `min_start_m`..400 m to `min_end_m`..`max_end_m`; clutter changes in patches
/// of 300–1500 m among classes 1–4; diffraction loss is constant over patches of 0.5–2 km,
/// zero (line of sight) half the time, else uniform in 0–20 dB.
pub fn geometry(s: &Scenario) -> Vec<Measurement> {
    let mut rng = SplitMix64::new(s.seed);
    let mut out = Vec::new();
    for site in 0..s.n_sites {
        let height_m = rng.uniform(15.0, 60.0);
        let (sx, sy) = (f64::from(site) * 60_000.0, 0.0);
        let boresight = rng.uniform(0.0, 360.0);
        for _leg in 0..s.legs_per_site {
            let off_axis = rng.uniform(-s.max_off_axis_deg, s.max_off_axis_deg);
            let az = (boresight + off_axis).to_radians();
            let start = rng.uniform(s.min_start_m, 400.0);
            let end = rng.uniform(s.min_end_m, s.max_end_m);
            let mut clutter_left = 0.0;
            let mut clutter = 1u16;
            let mut diff_left = 0.0;
            let mut diff_db = 0.0;
            let mut d = start;
            while d <= end {
                if clutter_left <= 0.0 {
                    clutter_left = rng.uniform(300.0, 1500.0);
                    clutter = 1 + (rng.next_u64() % 4) as u16;
                }
                if diff_left <= 0.0 {
                    diff_left = rng.uniform(500.0, 2000.0);
                    diff_db = if rng.next_f64() < 0.5 {
                        0.0
                    } else {
                        rng.uniform(0.0, 20.0)
                    };
                }
                out.push(Measurement {
                    site_id: site,
                    cell_id: 0,
                    distance_m: d,
                    eff_height_m: height_m,
                    diffraction_db: diff_db,
                    clutter_class: clutter,
                    antenna_gain_db: sector_gain_dbi(off_axis),
                    antenna_peak_gain_db: PEAK_GAIN_DBI,
                    rs_power_dbm: s.rs_power_dbm,
                    rsrp_dbm: 0.0,
                    x_m: sx + d * az.cos(),
                    y_m: sy + d * az.sin(),
                    censored: false,
                });
                d += s.spacing_m;
                clutter_left -= s.spacing_m;
                diff_left -= s.spacing_m;
            }
        }
    }
    out
}

/// Geometry plus synthetic RSRP from `model` with Gudmundson shadowing.
pub fn drive_test(
    s: &Scenario,
    model: &Model,
    sigma_db: f64,
    d_corr_m: f64,
    noise_db: f64,
) -> Vec<Measurement> {
    let geo = geometry(s);
    synthesize_rsrp(
        model,
        &geo,
        &ShadowingConfig {
            sigma_db,
            decorrelation_m: d_corr_m,
            noise_sigma_db: noise_db,
            seed: s.seed ^ 0x5EED,
        },
    )
    .expect("valid synthetic inputs")
}
