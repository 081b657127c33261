//! Measurements, the empirical path-loss model and the choice of fitted terms.
//!
//! The model is the Standard-Propagation-Model form used by planning tools:
//!
//! `L = K1 + K2·log10(d/1 km) + K3·log10(h_eff/1 m) + K4·diffraction_db
//!      + K5·log10(h_eff/1 m)·log10(d/1 km) + Σ_c Kc·[clutter = c]`
//!
//! Distance enters in **kilometres** (so K1 is the loss at 1 km for h_eff = 1 m, which keeps the
//! offset column far from collinear with the slope column). To convert to the metre convention
//! `log10(d/1 m)`: K1_m = K1 − 3·K2 and K3_m = K3 − 3·K5 (K2, K5 unchanged).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::calibration::error::{CalibrationError, Result};

/// One drive-test sample of one cell's reference signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Site (tower) id; the unit held out in cross-validation.
    pub site_id: u32,
    /// Cell (sector) id within the site; averaging bins never mix cells.
    pub cell_id: u32,
    /// 3-D or ground distance from the antenna, m (> 0).
    pub distance_m: f64,
    /// Effective antenna height for this path, m (> 0; clamp upstream, e.g. to 1 m or more).
    pub eff_height_m: f64,
    /// Diffraction loss of the terrain profile, dB.
    pub diffraction_db: f64,
    /// Clutter (land-use) class at the receiver.
    pub clutter_class: u16,
    /// Antenna gain toward the point, dBi (pattern already applied).
    pub antenna_gain_db: f64,
    /// Boresight (maximum) gain of the same antenna, dBi; used for the deep-null filter.
    pub antenna_peak_gain_db: f64,
    /// Reference-signal power per resource element at the antenna port, dBm (EIRP-derived, feeder losses removed).
    pub rs_power_dbm: f64,
    /// Measured RSRP, dBm.
    pub rsrp_dbm: f64,
    /// Easting in a projected CRS, m.
    pub x_m: f64,
    /// Northing in a projected CRS, m.
    pub y_m: f64,
    /// True when the true RSRP is at or below `rsrp_dbm` (receiver sensitivity floor):
    /// the measured loss is then only a lower bound.
    pub censored: bool,
}

impl Measurement {
    /// Measured path loss, dB: RS power + antenna gain toward the point − RSRP.
    /// For a censored point this is a lower bound on the true loss.
    pub fn measured_loss_db(&self) -> f64 {
        self.rs_power_dbm + self.antenna_gain_db - self.rsrp_dbm
    }

    /// Validates every numeric field (finite; distance and effective height > 0).
    pub fn validate(&self, index: usize) -> Result<()> {
        let bad = |field: &'static str, value: f64, expected: &'static str| {
            Err(CalibrationError::InvalidMeasurement {
                index,
                field,
                value,
                expected,
            })
        };
        if !(self.distance_m.is_finite() && self.distance_m > 0.0) {
            return bad("distance_m", self.distance_m, "finite distance > 0 m");
        }
        if !(self.eff_height_m.is_finite() && self.eff_height_m > 0.0) {
            return bad(
                "eff_height_m",
                self.eff_height_m,
                "finite effective height > 0 m",
            );
        }
        let finite: [(&'static str, f64, &'static str); 7] = [
            ("diffraction_db", self.diffraction_db, "finite loss in dB"),
            (
                "antenna_gain_db",
                self.antenna_gain_db,
                "finite gain in dBi",
            ),
            (
                "antenna_peak_gain_db",
                self.antenna_peak_gain_db,
                "finite gain in dBi",
            ),
            ("rs_power_dbm", self.rs_power_dbm, "finite power in dBm"),
            ("rsrp_dbm", self.rsrp_dbm, "finite power in dBm"),
            ("x_m", self.x_m, "finite coordinate in m"),
            ("y_m", self.y_m, "finite coordinate in m"),
        ];
        for (field, value, expected) in finite {
            if !value.is_finite() {
                return bad(field, value, expected);
            }
        }
        Ok(())
    }
}

/// Whether one scalar coefficient is fitted or held at a fixed value (a "fixed term";
/// `Fixed(0.0)` removes the term).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Coef {
    /// Estimated from the data.
    Fit,
    /// Held at this value; its contribution is subtracted from the measured loss before fitting.
    Fixed(f64),
}

/// How clutter classes enter the model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ClutterTerms {
    /// No per-clutter term.
    None,
    /// One offset per class present, relative to `reference_class` (whose offset is 0 dB);
    /// keeps the global offset identifiable.
    RelativeTo {
        /// Class whose offset is pinned to 0 dB.
        reference_class: u16,
    },
    /// One absolute offset per class present; the global offset must then be fixed
    /// (usually `Coef::Fixed(0.0)`), otherwise the design is rank deficient.
    Absolute,
}

/// Which coefficients are fitted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TermSet {
    /// K1, dB.
    pub offset: Coef,
    /// K2, dB per decade of distance.
    pub log_distance: Coef,
    /// K3, dB per decade of effective height.
    pub log_height: Coef,
    /// K5, dB per decade of height per decade of distance.
    pub log_height_log_distance: Coef,
    /// K4, dimensionless weight of the diffraction loss.
    pub diffraction: Coef,
    /// Per-clutter offsets.
    pub clutter: ClutterTerms,
}

impl TermSet {
    /// Every scalar term fitted, clutter offsets relative to `reference_class`.
    pub fn full(reference_class: u16) -> Self {
        Self {
            offset: Coef::Fit,
            log_distance: Coef::Fit,
            log_height: Coef::Fit,
            log_height_log_distance: Coef::Fit,
            diffraction: Coef::Fit,
            clutter: ClutterTerms::RelativeTo { reference_class },
        }
    }
}

/// A coefficient of the model, used to label fitted values and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Term {
    /// K1.
    Offset,
    /// K2.
    LogDistance,
    /// K3.
    LogHeight,
    /// K5.
    LogHeightLogDistance,
    /// K4.
    Diffraction,
    /// Kc for one clutter class.
    Clutter(u16),
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Term::Offset => write!(f, "offset K1 (dB)"),
            Term::LogDistance => write!(f, "log-distance slope K2 (dB/decade)"),
            Term::LogHeight => write!(f, "effective-height term K3·log10(h_eff) (dB/decade)"),
            Term::LogHeightLogDistance => {
                write!(f, "height×distance term K5·log10(h_eff)·log10(d)")
            }
            Term::Diffraction => write!(f, "diffraction weight K4"),
            Term::Clutter(c) => write!(f, "clutter offset for class {c} (dB)"),
        }
    }
}

impl Term {
    /// The regressor of this term for one measurement (the column entry of the design matrix).
    pub fn regressor(&self, m: &Measurement) -> f64 {
        let log_d = (m.distance_m / 1000.0).log10();
        let log_h = m.eff_height_m.log10();
        match self {
            Term::Offset => 1.0,
            Term::LogDistance => log_d,
            Term::LogHeight => log_h,
            Term::LogHeightLogDistance => log_h * log_d,
            Term::Diffraction => m.diffraction_db,
            Term::Clutter(c) => {
                if m.clutter_class == *c {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// Offset of one clutter class, dB.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClutterOffset {
    /// Clutter class.
    pub class: u16,
    /// Additive loss, dB.
    pub offset_db: f64,
}

/// A complete set of model coefficients (fitted or a priori), able to predict loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// K1, dB (loss at 1 km and h_eff = 1 m, before clutter).
    pub offset_db: f64,
    /// K2, dB/decade.
    pub log_distance_db: f64,
    /// K3, dB/decade.
    pub log_height_db: f64,
    /// K5, dB/decade².
    pub log_height_log_distance_db: f64,
    /// K4, dimensionless.
    pub diffraction_weight: f64,
    /// Per-class offsets sorted by class; empty means the model has no clutter term.
    pub clutter_offsets_db: Vec<ClutterOffset>,
}

impl Model {
    /// Predicted path loss for row `index` (the index only labels errors), dB.
    /// Fails if the model has clutter offsets but none for this row's class.
    pub fn predict_loss_db(&self, m: &Measurement, index: usize) -> Result<f64> {
        let log_d = (m.distance_m / 1000.0).log10();
        let log_h = m.eff_height_m.log10();
        let clutter = if self.clutter_offsets_db.is_empty() {
            0.0
        } else {
            match self
                .clutter_offsets_db
                .binary_search_by_key(&m.clutter_class, |c| c.class)
            {
                Ok(i) => self.clutter_offsets_db[i].offset_db,
                Err(_) => {
                    return Err(CalibrationError::UnknownClutterClass {
                        index,
                        class: m.clutter_class,
                    });
                }
            }
        };
        Ok(self.offset_db
            + self.log_distance_db * log_d
            + self.log_height_db * log_h
            + self.log_height_log_distance_db * log_h * log_d
            + self.diffraction_weight * m.diffraction_db
            + clutter)
    }

    /// Validates that every coefficient is finite and classes are sorted and unique.
    pub fn validate(&self) -> Result<()> {
        let scalars: [(&'static str, f64); 5] = [
            ("offset_db", self.offset_db),
            ("log_distance_db", self.log_distance_db),
            ("log_height_db", self.log_height_db),
            (
                "log_height_log_distance_db",
                self.log_height_log_distance_db,
            ),
            ("diffraction_weight", self.diffraction_weight),
        ];
        for (name, v) in scalars {
            crate::calibration::error::check_param(name, v, true, "finite coefficient")?;
        }
        for (i, c) in self.clutter_offsets_db.iter().enumerate() {
            crate::calibration::error::check_param(
                "clutter_offsets_db[].offset_db",
                c.offset_db,
                true,
                "finite offset in dB",
            )?;
            if i > 0 && self.clutter_offsets_db[i - 1].class >= c.class {
                return Err(CalibrationError::InvalidParameter {
                    name: "clutter_offsets_db[].class",
                    value: f64::from(c.class),
                    expected: "classes strictly increasing (sorted, unique)",
                });
            }
        }
        Ok(())
    }
}

/// The fitted columns of a term set for a given data set, plus the fixed part of each row.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Fitted terms, in column order.
    pub terms: Vec<Term>,
    /// The term set it came from.
    pub set: TermSet,
}

impl Layout {
    /// Decides the columns for `rows` (already validated). Rank problems that are clear from the
    /// term set and class list alone are reported here; numerical ones later by the rank check.
    pub fn new(set: &TermSet, rows: &[Measurement]) -> Result<Self> {
        let scalar_coefs = [
            (Term::Offset, set.offset),
            (Term::LogDistance, set.log_distance),
            (Term::LogHeight, set.log_height),
            (Term::LogHeightLogDistance, set.log_height_log_distance),
            (Term::Diffraction, set.diffraction),
        ];
        for (term, c) in scalar_coefs {
            let bad = match c {
                Coef::Fixed(v) if !v.is_finite() => Some(v),
                _ => None,
            };
            if let Some(v) = bad {
                return Err(CalibrationError::InvalidParameter {
                    name: match term {
                        Term::Offset => "terms.offset",
                        Term::LogDistance => "terms.log_distance",
                        Term::LogHeight => "terms.log_height",
                        Term::LogHeightLogDistance => "terms.log_height_log_distance",
                        _ => "terms.diffraction",
                    },
                    value: v,
                    expected: "finite fixed coefficient",
                });
            }
        }
        let mut terms: Vec<Term> = scalar_coefs
            .iter()
            .filter(|(_, c)| matches!(c, Coef::Fit))
            .map(|(t, _)| *t)
            .collect();
        let classes: BTreeSet<u16> = rows.iter().map(|m| m.clutter_class).collect();
        match set.clutter {
            ClutterTerms::None => {}
            ClutterTerms::RelativeTo { reference_class } => {
                if let (1, Some(&only)) = (classes.len(), classes.iter().next()) {
                    return Err(CalibrationError::SingleClutterClass { class: only });
                }
                if !classes.is_empty() && !classes.contains(&reference_class) {
                    return Err(CalibrationError::ReferenceClassAbsent {
                        class: reference_class,
                    });
                }
                terms.extend(
                    classes
                        .iter()
                        .filter(|&&c| c != reference_class)
                        .map(|&c| Term::Clutter(c)),
                );
            }
            ClutterTerms::Absolute => {
                if matches!(set.offset, Coef::Fit) {
                    return Err(CalibrationError::OffsetWithAbsoluteClutter);
                }
                if let (1, Some(&only)) = (classes.len(), classes.iter().next()) {
                    return Err(CalibrationError::SingleClutterClass { class: only });
                }
                terms.extend(classes.iter().map(|&c| Term::Clutter(c)));
            }
        }
        if terms.is_empty() {
            return Err(CalibrationError::NoFittedTerms);
        }
        Ok(Self { terms, set: *set })
    }

    /// Sum of the fixed terms for one row, dB.
    pub fn fixed_part_db(&self, m: &Measurement) -> f64 {
        let s = &self.set;
        let pairs = [
            (Term::Offset, s.offset),
            (Term::LogDistance, s.log_distance),
            (Term::LogHeight, s.log_height),
            (Term::LogHeightLogDistance, s.log_height_log_distance),
            (Term::Diffraction, s.diffraction),
        ];
        pairs
            .iter()
            .map(|(t, c)| match c {
                Coef::Fixed(v) => v * t.regressor(m),
                Coef::Fit => 0.0,
            })
            .sum()
    }

    /// Builds a model from fitted values (in `self.terms` order) and the fixed values.
    pub fn model(&self, beta: &[f64]) -> Model {
        let get = |term: Term, c: Coef| -> f64 {
            match c {
                Coef::Fixed(v) => v,
                Coef::Fit => self
                    .terms
                    .iter()
                    .position(|t| *t == term)
                    .and_then(|i| beta.get(i).copied())
                    .unwrap_or(0.0),
            }
        };
        let s = &self.set;
        let mut clutter: Vec<ClutterOffset> = self
            .terms
            .iter()
            .zip(beta)
            .filter_map(|(t, &b)| match t {
                Term::Clutter(c) => Some(ClutterOffset {
                    class: *c,
                    offset_db: b,
                }),
                _ => None,
            })
            .collect();
        if let ClutterTerms::RelativeTo { reference_class } = s.clutter {
            clutter.push(ClutterOffset {
                class: reference_class,
                offset_db: 0.0,
            });
        }
        clutter.sort_by_key(|c| c.class);
        Model {
            offset_db: get(Term::Offset, s.offset),
            log_distance_db: get(Term::LogDistance, s.log_distance),
            log_height_db: get(Term::LogHeight, s.log_height),
            log_height_log_distance_db: get(Term::LogHeightLogDistance, s.log_height_log_distance),
            diffraction_weight: get(Term::Diffraction, s.diffraction),
            clutter_offsets_db: clutter,
        }
    }
}
