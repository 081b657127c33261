//! Measurement hygiene before a fit: exclusion near the site and in deep antenna nulls,
//! censoring at the receiver sensitivity, and spatial averaging over Lee bins.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calibration::error::{check_param, Result};
use crate::calibration::model::Measurement;

/// Speed of light, m/s.
const SPEED_OF_LIGHT_M_PER_S: f64 = 299_792_458.0;

/// Spatial averaging settings (Lee's criterion).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AveragingConfig {
    /// Carrier frequency, MHz (sets the wavelength).
    pub freq_mhz: f64,
    /// Bin side in wavelengths. Lee (1985, IEEE Trans. Veh. Technol. VT-34(1), pp. 22–27)
    /// shows that averaging over 40 λ (with ≥ 36 samples) estimates the local mean within ±1 dB
    /// of fast fading; 40 is the usual choice.
    pub bin_wavelengths: f64,
}

impl AveragingConfig {
    /// Lee's 40-wavelength bins at `freq_mhz`.
    pub fn lee(freq_mhz: f64) -> Self {
        Self {
            freq_mhz,
            bin_wavelengths: 40.0,
        }
    }

    /// Bin side, m.
    pub fn bin_size_m(&self) -> f64 {
        self.bin_wavelengths * SPEED_OF_LIGHT_M_PER_S / (self.freq_mhz * 1e6)
    }

    fn validate(&self) -> Result<()> {
        check_param(
            "averaging.freq_mhz",
            self.freq_mhz,
            self.freq_mhz > 0.0,
            "finite frequency > 0 MHz",
        )?;
        check_param(
            "averaging.bin_wavelengths",
            self.bin_wavelengths,
            self.bin_wavelengths > 0.0,
            "finite bin length > 0 wavelengths",
        )
    }
}

/// One averaged bin: the mean measurement and how many raw points it holds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Averaged row: RSRP is the mean **linear** power in dBm (local mean power); the other
    /// numeric fields are arithmetic means; x/y the centroid; censored if any point was censored.
    pub measurement: Measurement,
    /// Raw points averaged into this bin.
    pub n_points: usize,
}

/// Averages points into square bins of side `bin_size_m` on the (x, y) grid, keyed by
/// (site, cell, clutter class, column, row): deterministic and independent of the route order,
/// and never mixing cells or clutter classes. Bins come out sorted by that key.
///
/// A censored point enters the power average at its recorded value (an upper bound on its true
/// power), so a bin containing any censored point is itself censored, with its average an upper
/// bound on the bin's mean power (a valid lower bound on loss). Counts are conserved:
/// the `n_points` of the bins sum to `points.len()`.
pub fn average_bins(points: &[Measurement], config: &AveragingConfig) -> Result<Vec<Bin>> {
    config.validate()?;
    for (i, m) in points.iter().enumerate() {
        m.validate(i)?;
    }
    let size = config.bin_size_m();
    type Key = (u32, u32, u16, i64, i64);
    let mut groups: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, m) in points.iter().enumerate() {
        // Finite coordinates / positive size: floor fits i64 for any projected CRS (|x| < 9e18·size).
        let col = (m.x_m / size).floor() as i64;
        let row = (m.y_m / size).floor() as i64;
        groups
            .entry((m.site_id, m.cell_id, m.clutter_class, col, row))
            .or_default()
            .push(i);
    }
    let mut bins = Vec::with_capacity(groups.len());
    for idx in groups.values() {
        let k = idx.len() as f64;
        let mean = |f: fn(&Measurement) -> f64| idx.iter().map(|&i| f(&points[i])).sum::<f64>() / k;
        let first = points[idx[0]];
        let power_mw = mean(|m| 10f64.powf(m.rsrp_dbm / 10.0));
        bins.push(Bin {
            measurement: Measurement {
                site_id: first.site_id,
                cell_id: first.cell_id,
                clutter_class: first.clutter_class,
                distance_m: mean(|m| m.distance_m),
                eff_height_m: mean(|m| m.eff_height_m),
                diffraction_db: mean(|m| m.diffraction_db),
                antenna_gain_db: mean(|m| m.antenna_gain_db),
                antenna_peak_gain_db: mean(|m| m.antenna_peak_gain_db),
                rs_power_dbm: mean(|m| m.rs_power_dbm),
                rsrp_dbm: 10.0 * power_mw.log10(),
                x_m: mean(|m| m.x_m),
                y_m: mean(|m| m.y_m),
                censored: idx.iter().any(|&i| points[i].censored),
            },
            n_points: idx.len(),
        });
    }
    Ok(bins)
}

/// Hygiene settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HygieneConfig {
    /// Points closer than this to the antenna are dropped (near field, vertical-pattern
    /// uncertainty), m. Typically 100 m.
    pub min_distance_m: f64,
    /// Points whose gain toward them is more than this below the antenna's peak gain are
    /// dropped (deep pattern nulls amplify pattern errors), dB. `None` keeps them.
    pub max_null_depth_db: Option<f64>,
    /// Receiver sensitivity, dBm: points with RSRP at or below it are marked censored and their
    /// RSRP set to the sensitivity (the recorded value below the floor is not trusted). E.g. −125.
    pub sensitivity_dbm: f64,
    /// Spatial averaging after the filters; `None` keeps raw points.
    pub averaging: Option<AveragingConfig>,
}

impl Default for HygieneConfig {
    fn default() -> Self {
        Self {
            min_distance_m: 100.0,
            max_null_depth_db: Some(20.0),
            sensitivity_dbm: -125.0,
            averaging: None,
        }
    }
}

/// Output of [`apply_hygiene`] with the counts of each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HygieneReport {
    /// Rows to fit on (bins if averaging was on), in a deterministic order.
    pub kept: Vec<Measurement>,
    /// Raw points behind each kept row (all 1 without averaging); sums to `n_kept_points`.
    pub points_per_row: Vec<usize>,
    /// Rows given.
    pub n_input: usize,
    /// Dropped for being closer than `min_distance_m`.
    pub n_too_close: usize,
    /// Dropped for lying in a deep antenna null.
    pub n_in_null: usize,
    /// Raw points kept (n_input − n_too_close − n_in_null).
    pub n_kept_points: usize,
    /// Kept raw points that are censored (flagged on input or at/below sensitivity).
    pub n_censored_points: usize,
    /// Kept rows (bins) that are censored.
    pub n_censored_rows: usize,
}

/// Applies, in order: distance exclusion, deep-null exclusion, censoring at the sensitivity,
/// then (optionally) spatial averaging.
pub fn apply_hygiene(points: &[Measurement], config: &HygieneConfig) -> Result<HygieneReport> {
    check_param(
        "min_distance_m",
        config.min_distance_m,
        config.min_distance_m >= 0.0,
        "finite distance >= 0 m",
    )?;
    if let Some(d) = config.max_null_depth_db {
        check_param("max_null_depth_db", d, d > 0.0, "finite null depth > 0 dB")?;
    }
    check_param(
        "sensitivity_dbm",
        config.sensitivity_dbm,
        true,
        "finite sensitivity in dBm",
    )?;
    for (i, m) in points.iter().enumerate() {
        m.validate(i)?;
    }
    let (mut n_too_close, mut n_in_null) = (0, 0);
    let mut kept: Vec<Measurement> = Vec::with_capacity(points.len());
    for m in points {
        if m.distance_m < config.min_distance_m {
            n_too_close += 1;
            continue;
        }
        if config
            .max_null_depth_db
            .is_some_and(|depth| m.antenna_gain_db < m.antenna_peak_gain_db - depth)
        {
            n_in_null += 1;
            continue;
        }
        let mut m = *m;
        if m.rsrp_dbm <= config.sensitivity_dbm {
            m.censored = true;
            m.rsrp_dbm = config.sensitivity_dbm;
        }
        kept.push(m);
    }
    let n_kept_points = kept.len();
    let n_censored_points = kept.iter().filter(|m| m.censored).count();
    let (kept, points_per_row) = match &config.averaging {
        Some(avg) => {
            let bins = average_bins(&kept, avg)?;
            (
                bins.iter().map(|b| b.measurement).collect::<Vec<_>>(),
                bins.iter().map(|b| b.n_points).collect(),
            )
        }
        None => (kept, vec![1; n_kept_points]),
    };
    let n_censored_rows = kept.iter().filter(|m| m.censored).count();
    Ok(HygieneReport {
        kept,
        points_per_row,
        n_input: points.len(),
        n_too_close,
        n_in_null,
        n_kept_points,
        n_censored_points,
        n_censored_rows,
    })
}
