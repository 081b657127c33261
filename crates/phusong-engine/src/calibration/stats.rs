//! Prediction-error statistics (before/after calibration), overall, per clutter class and per
//! distance band. Error = predicted loss − measured loss, dB (positive: the model overestimates
//! loss, i.e. underestimates RSRP). Censored rows are skipped (their loss is only a bound).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calibration::error::{CalibrationError, Result};
use crate::calibration::model::{Measurement, Model};

/// Summary of a set of errors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorStats {
    /// Number of errors.
    pub n: usize,
    /// Mean error, dB.
    pub mean_db: f64,
    /// Sample standard deviation (n − 1 denominator; 0 for n = 1), dB.
    pub std_db: f64,
    /// Root-mean-square error, dB.
    pub rmse_db: f64,
}

impl ErrorStats {
    /// Statistics of `errors_db` (two-pass, in the given order); `None` when empty.
    pub fn from_errors(errors_db: &[f64]) -> Option<Self> {
        let n = errors_db.len();
        if n == 0 {
            return None;
        }
        let k = n as f64;
        let mean = errors_db.iter().sum::<f64>() / k;
        let ss_dev: f64 = errors_db.iter().map(|e| (e - mean).powi(2)).sum();
        let ss: f64 = errors_db.iter().map(|e| e * e).sum();
        Some(Self {
            n,
            mean_db: mean,
            std_db: if n > 1 {
                (ss_dev / (k - 1.0)).sqrt()
            } else {
                0.0
            },
            rmse_db: (ss / k).sqrt(),
        })
    }
}

/// Errors of one clutter class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassStats {
    /// Clutter class.
    pub clutter_class: u16,
    /// Its statistics.
    pub stats: ErrorStats,
}

/// Errors of one distance band [lower_m, upper_m).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BandStats {
    /// Inclusive lower edge, m.
    pub lower_m: f64,
    /// Exclusive upper edge, m.
    pub upper_m: f64,
    /// Its statistics; `None` when the band holds no point.
    pub stats: Option<ErrorStats>,
}

/// Error tables for one model over one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// All uncensored rows.
    pub overall: ErrorStats,
    /// Per clutter class present, ascending.
    pub by_clutter: Vec<ClassStats>,
    /// Per distance band, in edge order.
    pub by_distance: Vec<BandStats>,
    /// Censored rows skipped.
    pub n_censored_skipped: usize,
    /// Uncensored rows outside every band.
    pub n_outside_bands: usize,
}

/// Before/after comparison of an a-priori and a calibrated model on the same rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    /// With the a-priori model.
    pub before: ErrorReport,
    /// With the calibrated model.
    pub after: ErrorReport,
}

/// Error report of `model` on `rows`; `band_edges_m` must be strictly increasing, finite and
/// ≥ 0 (k edges give k − 1 bands).
pub fn error_report(
    model: &Model,
    rows: &[Measurement],
    band_edges_m: &[f64],
) -> Result<ErrorReport> {
    model.validate()?;
    for (i, e) in band_edges_m.iter().enumerate() {
        let ok = *e >= 0.0 && (i == 0 || *e > band_edges_m[i - 1]);
        crate::calibration::error::check_param(
            "band_edges_m[]",
            *e,
            ok,
            "finite, >= 0 m and strictly increasing distance band edges",
        )?;
    }
    let mut all = Vec::new();
    let mut by_class: BTreeMap<u16, Vec<f64>> = BTreeMap::new();
    let n_bands = band_edges_m.len().saturating_sub(1);
    let mut by_band: Vec<Vec<f64>> = vec![Vec::new(); n_bands];
    let (mut n_censored_skipped, mut n_outside_bands) = (0, 0);
    for (i, m) in rows.iter().enumerate() {
        m.validate(i)?;
        if m.censored {
            n_censored_skipped += 1;
            continue;
        }
        let e = model.predict_loss_db(m, i)? - m.measured_loss_db();
        all.push(e);
        by_class.entry(m.clutter_class).or_default().push(e);
        // Band b holds edges[b] <= d < edges[b+1].
        let b = band_edges_m.partition_point(|&edge| edge <= m.distance_m);
        if b >= 1 && b <= n_bands {
            by_band[b - 1].push(e);
        } else {
            n_outside_bands += 1;
        }
    }
    let overall = ErrorStats::from_errors(&all)
        .ok_or(CalibrationError::NoUsablePoints { n_rows: rows.len() })?;
    Ok(ErrorReport {
        overall,
        by_clutter: by_class
            .iter()
            .filter_map(|(&c, v)| {
                ErrorStats::from_errors(v).map(|stats| ClassStats {
                    clutter_class: c,
                    stats,
                })
            })
            .collect(),
        by_distance: (0..n_bands)
            .map(|b| BandStats {
                lower_m: band_edges_m[b],
                upper_m: band_edges_m[b + 1],
                stats: ErrorStats::from_errors(&by_band[b]),
            })
            .collect(),
        n_censored_skipped,
        n_outside_bands,
    })
}

/// Error tables of an a-priori model and a calibrated one on the same rows.
pub fn before_after(
    before: &Model,
    after: &Model,
    rows: &[Measurement],
    band_edges_m: &[f64],
) -> Result<BeforeAfter> {
    Ok(BeforeAfter {
        before: error_report(before, rows, band_edges_m)?,
        after: error_report(after, rows, band_edges_m)?,
    })
}
