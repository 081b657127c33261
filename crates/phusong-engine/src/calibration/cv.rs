//! Leave-one-site-out cross-validation: the honest error of the calibrated model on a site it
//! was not fitted on (points of one site share shadowing, so random K-fold would be optimistic).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::calibration::error::{CalibrationError, Result};
use crate::calibration::fit::{fit, FitConfig};
use crate::calibration::model::{Measurement, TermSet};

/// Held-out error of one site.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SiteCv {
    /// The held-out site.
    pub site_id: u32,
    /// Uncensored points predicted.
    pub n_points: usize,
    /// Points skipped because their clutter class was absent from the other sites.
    pub n_skipped_unknown_class: usize,
    /// Mean error (predicted − measured loss), dB; 0 when no point was predicted.
    pub mean_error_db: f64,
    /// RMSE, dB; 0 when no point was predicted.
    pub rmse_db: f64,
}

/// Cross-validation summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// Per held-out site, ascending id.
    pub per_site: Vec<SiteCv>,
    /// Pooled RMSE over every predicted held-out point, dB.
    pub cv_rmse_db: f64,
    /// Pooled mean error, dB.
    pub cv_mean_error_db: f64,
    /// Points predicted in total.
    pub n_points: usize,
}

/// For each site: fit on all other sites with `terms`/`config`, predict the held-out site's
/// uncensored points. A fold whose fit fails returns `CvFold` naming the site.
pub fn leave_one_site_out(
    measurements: &[Measurement],
    terms: &TermSet,
    config: &FitConfig,
) -> Result<CvReport> {
    for (i, m) in measurements.iter().enumerate() {
        m.validate(i)?;
    }
    let sites: BTreeSet<u32> = measurements.iter().map(|m| m.site_id).collect();
    if sites.len() < 2 {
        return Err(CalibrationError::TooFewSites {
            n_sites: sites.len(),
        });
    }
    let mut per_site = Vec::with_capacity(sites.len());
    let (mut sum, mut sum_sq, mut total) = (0.0, 0.0, 0usize);
    for &site in &sites {
        let train: Vec<Measurement> = measurements
            .iter()
            .filter(|m| m.site_id != site)
            .copied()
            .collect();
        let fitted = fit(&train, terms, config).map_err(|e| CalibrationError::CvFold {
            site_id: site,
            source: Box::new(e),
        })?;
        let (mut s, mut s2, mut k, mut skipped) = (0.0, 0.0, 0usize, 0usize);
        for (i, m) in measurements.iter().enumerate() {
            if m.site_id != site || m.censored {
                continue;
            }
            match fitted.model.predict_loss_db(m, i) {
                Ok(pred) => {
                    let e = pred - m.measured_loss_db();
                    s += e;
                    s2 += e * e;
                    k += 1;
                }
                Err(CalibrationError::UnknownClutterClass { .. }) => skipped += 1,
                Err(e) => return Err(e),
            }
        }
        let kf = k.max(1) as f64;
        per_site.push(SiteCv {
            site_id: site,
            n_points: k,
            n_skipped_unknown_class: skipped,
            mean_error_db: s / kf,
            rmse_db: (s2 / kf).sqrt(),
        });
        sum += s;
        sum_sq += s2;
        total += k;
    }
    if total == 0 {
        return Err(CalibrationError::NoUsablePoints {
            n_rows: measurements.len(),
        });
    }
    Ok(CvReport {
        per_site,
        cv_rmse_db: (sum_sq / total as f64).sqrt(),
        cv_mean_error_db: sum / total as f64,
        n_points: total,
    })
}
