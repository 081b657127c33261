//! `phusong calibrate`: measurements → hygiene → robust fit → leave-one-site-out CV → report.
//!
//! The scenario's model is corrected, not replaced: its own loss along each measured path enters
//! the engine's calibration model as a term of fixed weight 1 (the `diffraction_db` regressor with
//! K4 fixed at 1), and the fitted terms are the correction on top of it — the offset K1, the
//! log-distance slope K2, optionally the height term K3 (`log10(h_tx / 1 m)`), and per-clutter
//! offsets when the measurements carry a `clutter` column. K1–K3 are exactly the terms of
//! `[coverage.model.calibration]`, so the written snippet reproduces the fitted predictions.

use super::cells::CellTable;
use super::measurements::{self, Row};
use super::{best_sector, median, plot, Inputs};
use crate::error::{Error, Result};
use crate::io::atomic;
use crate::scenario::Scenario;
use phusong_engine::calibration::{
    apply_hygiene, before_after, fit, leave_one_site_out, AveragingConfig, BandStats,
    CensoringPolicy, ClassStats, ClutterTerms, Coef, CvReport, ErrorStats, FitConfig,
    HygieneConfig, Measurement, Model as Spm, RobustLoss, Term, TermSet,
};
use phusong_engine::coverage::point_links;
use phusong_engine::propagation::models::{Calibration, ModelConfig};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// File names `phusong calibrate` writes into its output folder.
pub mod files {
    pub const REPORT: &str = "calibration.json";
    pub const SNIPPET: &str = "model-snippet.toml";
    pub const SCATTER: &str = "measured_vs_predicted.svg";
    pub const ERROR_VS_DISTANCE: &str = "error_vs_distance.svg";
}

/// Distance bands of the error table, m.
const BAND_EDGES_M: [f64; 9] = [
    0.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0, 20_000.0, 50_000.0, 200_000.0,
];

/// Settings of `phusong calibrate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Receiver sensitivity: rows at or below it are censored, dBm.
    pub sensitivity_dbm: f64,
    /// Rows nearer their site are dropped, m.
    pub min_distance_m: f64,
    /// Rows more than this below the sector's peak gain are dropped, dB.
    pub max_null_depth_db: f64,
    /// Also fit the height term K3.
    pub fit_height: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sensitivity_dbm: -125.0,
            min_distance_m: 100.0,
            max_null_depth_db: 20.0,
            fit_height: false,
        }
    }
}

impl Options {
    fn validate(&self) -> Result<()> {
        let check = |flag: &str, v: f64, lo: f64, hi: f64, unit: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(Error::Other(format!(
                    "{flag} {v}: expected {lo}–{hi} {unit}"
                )))
            }
        };
        check(
            "--sensitivity-dbm",
            self.sensitivity_dbm,
            -160.0,
            -60.0,
            "dBm",
        )?;
        check("--min-distance-m", self.min_distance_m, 0.0, 10_000.0, "m")?;
        check(
            "--max-null-depth-db",
            self.max_null_depth_db,
            1.0,
            100.0,
            "dB",
        )
    }
}

/// One fitted term as `calibration.json` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TermReport {
    pub name: String,
    pub value: f64,
    pub unit: String,
    pub std_error: f64,
}

/// What hygiene kept and dropped.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HygieneCounts {
    pub rows_read: usize,
    /// Rows whose path the model refused (no loss).
    pub refused_by_model: usize,
    pub too_close: usize,
    pub in_antenna_null: usize,
    pub kept_points: usize,
    pub censored_points: usize,
    /// Rows fitted after 40-wavelength averaging (bins).
    pub fitted_rows: usize,
    pub censored_rows: usize,
    /// Averaging bin side per carrier frequency: (MHz, m).
    pub bin_size_m: Vec<(f64, f64)>,
    pub sensitivity_dbm: f64,
    pub min_distance_m: f64,
    pub max_null_depth_db: f64,
}

/// Before/after tables of one grouping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tables<T> {
    pub before: Vec<T>,
    pub after: Vec<T>,
}

/// `calibration.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    pub model: String,
    /// Error = predicted − measured loss (positive: the model predicts too weak a signal), dB,
    /// over uncensored fitted rows.
    pub before: ErrorStats,
    pub after: ErrorStats,
    /// Pooled RMSE on held-out sites (leave-one-site-out), dB; null with one site.
    pub cv_rmse_db: Option<f64>,
    pub cv: Option<CvReport>,
    pub terms: Vec<TermReport>,
    /// The correction to paste (the scenario's own plus the fitted one).
    pub calibration: Calibration,
    pub fit_scale_db: f64,
    pub fit_iterations: usize,
    pub fit_converged: bool,
    pub condition_number: f64,
    pub by_clutter: Tables<ClassStats>,
    pub by_distance: Tables<BandStats>,
    pub hygiene: HygieneCounts,
    pub files: Vec<String>,
}

/// Each row as the engine's calibration sees it, with the carrier frequency, and the refusal count.
fn predict(
    inp: &Inputs,
    p: &phusong_engine::coverage::CoverageParams,
    rows: &[Row],
) -> (Vec<(f64, Measurement)>, usize) {
    let mut out = Vec::with_capacity(rows.len());
    let mut refused = 0;
    for r in rows {
        let site = &inp.sites[r.site];
        let links = point_links(site, &inp.terrain, p, r.x_m, r.y_m);
        let allowed = |i: usize| match (r.sector, r.earfcn) {
            (Some(s), _) => i == s,
            (None, Some(e)) => {
                super::cells::earfcn_of(site.sectors[i].freq_mhz).is_none_or(|x| x == e)
            }
            (None, None) => true,
        };
        let Some((k, _)) = best_sector(site, &links, allowed) else {
            refused += 1;
            continue;
        };
        let s = &site.sectors[k];
        out.push((
            s.freq_mhz,
            Measurement {
                site_id: site.id,
                cell_id: k as u32,
                distance_m: links.distance_m,
                eff_height_m: site.height_m.max(1.0),
                diffraction_db: links.loss_db[k],
                clutter_class: r.clutter.unwrap_or(0),
                antenna_gain_db: links.gain_db[k],
                antenna_peak_gain_db: 0.0,
                rs_power_dbm: s.rs_eirp_dbm(),
                rsrp_dbm: r.rsrp_dbm,
                x_m: r.x_m,
                y_m: r.y_m,
                censored: false,
            },
        ));
    }
    (out, refused)
}

/// Hygiene per carrier frequency (the averaging bin is 40 wavelengths of it), rows concatenated
/// in ascending frequency.
fn hygiene(
    rows: &[(f64, Measurement)],
    o: &Options,
    counts: &mut HygieneCounts,
) -> Result<Vec<Measurement>> {
    let mut by_f: BTreeMap<u64, (f64, Vec<Measurement>)> = BTreeMap::new();
    for (f, m) in rows {
        by_f.entry(f.to_bits())
            .or_insert((*f, Vec::new()))
            .1
            .push(*m);
    }
    let mut kept = Vec::new();
    for (f, ms) in by_f.values() {
        let avg = AveragingConfig::lee(*f);
        let h = apply_hygiene(
            ms,
            &HygieneConfig {
                min_distance_m: o.min_distance_m,
                max_null_depth_db: Some(o.max_null_depth_db),
                sensitivity_dbm: o.sensitivity_dbm,
                averaging: Some(avg),
            },
        )
        .map_err(|e| Error::Other(format!("hygiene: {e}")))?;
        counts.too_close += h.n_too_close;
        counts.in_antenna_null += h.n_in_null;
        counts.kept_points += h.n_kept_points;
        counts.censored_points += h.n_censored_points;
        counts.censored_rows += h.n_censored_rows;
        counts.bin_size_m.push((*f, avg.bin_size_m()));
        kept.extend(h.kept);
    }
    counts.fitted_rows = kept.len();
    Ok(kept)
}

/// The fitted terms: K1, K2 (and K3), the model's loss at weight 1, clutter offsets relative to
/// the lowest class when the rows hold several.
fn term_set(rows: &[Measurement], o: &Options) -> TermSet {
    let classes: std::collections::BTreeSet<u16> = rows.iter().map(|m| m.clutter_class).collect();
    TermSet {
        offset: Coef::Fit,
        log_distance: Coef::Fit,
        log_height: if o.fit_height {
            Coef::Fit
        } else {
            Coef::Fixed(0.0)
        },
        log_height_log_distance: Coef::Fixed(0.0),
        diffraction: Coef::Fixed(1.0),
        clutter: match classes.iter().next() {
            Some(&c) if classes.len() > 1 => ClutterTerms::RelativeTo { reference_class: c },
            _ => ClutterTerms::None,
        },
    }
}

fn term_report(t: &Term, value: f64, std_error: f64) -> TermReport {
    let (name, unit) = match t {
        Term::Offset => ("offset_db".to_string(), "dB"),
        Term::LogDistance => ("log_distance_db_per_decade".into(), "dB/decade"),
        Term::LogHeight => ("log_height_db_per_decade".into(), "dB/decade"),
        Term::LogHeightLogDistance => ("log_height_log_distance_db".into(), "dB/decade²"),
        Term::Diffraction => ("model_loss_weight".into(), "1"),
        Term::Clutter(c) => (format!("clutter_{c}_offset_db"), "dB"),
    };
    TermReport {
        name,
        value,
        unit: unit.into(),
        std_error,
    }
}

/// Runs the calibration of `s`'s model on `measurements` and writes the outputs into `out`
/// (created; nothing is written when any step fails).
pub fn run_calibrate(
    s: &Scenario,
    run_dir: &Path,
    measurements_csv: &Path,
    out: &Path,
    o: &Options,
) -> Result<CalibrationReport> {
    o.validate()?;
    let inp = Inputs::load(run_dir)?;
    let cells = CellTable::read(&inp.sites_path, &inp.sites)?;
    let rows = measurements::read(
        measurements_csv,
        &measurements::Context {
            cells: &cells,
            proj: &inp.proj,
            grid: &inp.info.grid,
        },
    )?;
    let p = median(&s.coverage);
    let (predicted, refused) = predict(&inp, &p, &rows);
    let mut counts = HygieneCounts {
        rows_read: rows.len(),
        refused_by_model: refused,
        sensitivity_dbm: o.sensitivity_dbm,
        min_distance_m: o.min_distance_m,
        max_null_depth_db: o.max_null_depth_db,
        ..Default::default()
    };
    let kept = hygiene(&predicted, o, &mut counts)?;
    let terms = term_set(&kept, o);
    let config = FitConfig {
        loss: RobustLoss::HUBER_95,
        censoring: CensoringPolicy::Tobit,
        ..Default::default()
    };
    let cal_err = |e: phusong_engine::calibration::CalibrationError| {
        Error::input(measurements_csv, format!("calibration: {e}"))
    };
    let fitted = fit(&kept, &terms, &config).map_err(cal_err)?;
    let n_sites = kept
        .iter()
        .map(|m| m.site_id)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let cv = if n_sites >= 2 {
        Some(leave_one_site_out(&kept, &terms, &config).map_err(cal_err)?)
    } else {
        None
    };
    let before = Spm {
        diffraction_weight: 1.0,
        ..fitted.model.clone()
    };
    let before = Spm {
        offset_db: 0.0,
        log_distance_db: 0.0,
        log_height_db: 0.0,
        log_height_log_distance_db: 0.0,
        clutter_offsets_db: Vec::new(),
        ..before
    };
    let ba = before_after(&before, &fitted.model, &kept, &BAND_EDGES_M).map_err(cal_err)?;
    let own = s.coverage.model.calibration;
    let calibration = Calibration {
        offset_db: own.offset_db + fitted.model.offset_db,
        log_distance_db_per_decade: own.log_distance_db_per_decade + fitted.model.log_distance_db,
        log_height_db_per_decade: own.log_height_db_per_decade + fitted.model.log_height_db,
    };
    let report = CalibrationReport {
        model: s.coverage.model.kind().into(),
        before: ba.before.overall,
        after: ba.after.overall,
        cv_rmse_db: cv.as_ref().map(|c| c.cv_rmse_db),
        cv,
        terms: fitted
            .coefficients
            .iter()
            .map(|c| term_report(&c.term, c.value, c.std_error))
            .collect(),
        calibration,
        fit_scale_db: fitted.scale_db,
        fit_iterations: fitted.iterations,
        fit_converged: fitted.converged,
        condition_number: fitted.condition_number,
        by_clutter: Tables {
            before: ba.before.by_clutter.clone(),
            after: ba.after.by_clutter.clone(),
        },
        by_distance: Tables {
            before: ba.before.by_distance.clone(),
            after: ba.after.by_distance.clone(),
        },
        hygiene: counts,
        files: [
            files::REPORT,
            files::SNIPPET,
            files::SCATTER,
            files::ERROR_VS_DISTANCE,
        ]
        .map(String::from)
        .to_vec(),
    };
    let snippet = snippet(&s.coverage.model, &report)?;
    let svgs = plot::plots(&kept, &before, &fitted.model);
    let json = crate::reports::to_json(&report, files::REPORT)?;
    std::fs::create_dir_all(out).map_err(|e| Error::Io {
        context: format!("creating {}", out.display()),
        source: e,
    })?;
    atomic::write_string_atomic(&out.join(files::SCATTER), &svgs.0)?;
    atomic::write_string_atomic(&out.join(files::ERROR_VS_DISTANCE), &svgs.1)?;
    atomic::write_string_atomic(&out.join(files::SNIPPET), &snippet)?;
    atomic::write_string_atomic(&out.join(files::REPORT), &json)?;
    Ok(report)
}

/// `[coverage.model]` with the fitted correction, as TOML to paste over the scenario's table; the
/// clutter offsets (which the correction cannot hold) as comments.
fn snippet(model: &ModelConfig, r: &CalibrationReport) -> Result<String> {
    #[derive(Serialize)]
    struct Coverage<'a> {
        model: &'a ModelConfig,
    }
    #[derive(Serialize)]
    struct Wrap<'a> {
        coverage: Coverage<'a>,
    }
    let m = ModelConfig {
        calibration: r.calibration,
        ..model.clone()
    };
    m.validate()
        .map_err(|e| Error::Other(format!("the fitted correction is out of range: {e}")))?;
    let body = toml::to_string(&Wrap {
        coverage: Coverage { model: &m },
    })
    .map_err(|e| Error::Other(format!("{}: {e}", files::SNIPPET)))?;
    let mut text = format!(
        "# Fitted by `phusong calibrate` ({} rows; RMSE {:.2} dB before, {:.2} dB after{}).\n\
         # Paste over the scenario's [coverage.model] table.\n",
        r.after.n,
        r.before.rmse_db,
        r.after.rmse_db,
        r.cv_rmse_db
            .map_or(String::new(), |c| format!(", {c:.2} dB on held-out sites")),
    );
    let clutter: Vec<&TermReport> = r
        .terms
        .iter()
        .filter(|t| t.name.starts_with("clutter_"))
        .collect();
    if !clutter.is_empty() {
        text.push_str("# Per-clutter offsets relative to the lowest class (for a clutter class table's extra loss):\n");
        for t in clutter {
            text.push_str(&format!(
                "#   {} = {:.2} (± {:.2})\n",
                t.name, t.value, t.std_error
            ));
        }
    }
    text.push_str(&body);
    Ok(text)
}
