//! What the stages write as JSON (`coverage.json`, `plan.json`, `summary.json`), read back by later
//! stages, and the short human summary printed at the end of a run.

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::study::Study;
use phusong_engine::coverage::rollup::{AreaCoverage, Rollup};
use phusong_engine::demand::Hamlet;
use phusong_engine::gaps::{Gap, GapCause};
use phusong_engine::plan::build::CurvePoint;
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::propagation::models::Warnings;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Pretty JSON of a report, refused when it would not read back — JSON has no NaN or infinity, so a
/// non-finite number would be written as `null` and fail the next stage: the stage fails here instead,
/// naming the file, before anything is written.
pub fn to_json<T: Serialize + for<'a> Deserialize<'a>>(v: &T, file: &str) -> Result<String> {
    let text = serde_json::to_string_pretty(v)
        .map_err(|e| Error::Other(format!("{file}: serialising JSON: {e}")))?;
    serde_json::from_str::<T>(&text).map_err(|e| {
        Error::Other(format!(
            "{file}: a result is not a finite number (NaN or infinity) where a number is expected \
             ({e}); nothing was written"
        ))
    })?;
    Ok(text)
}

/// Reads a stage's JSON; `hint` names the command that writes it.
pub fn read_json<T: for<'a> Deserialize<'a>>(path: &Path, hint: &str) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::input(
            path,
            format!("cannot read ({e}); run `phusong {hint}` first"),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| Error::input(path, e.to_string()))
}

/// What `coverage.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CoverageReport {
    pub threshold_rsrp_dbm: f64,
    /// Location reliability of the figures, % (see `reliability_method`).
    pub location_reliability_pct: f64,
    pub reliability_method: String,
    pub indoor_margin_db: f64,
    pub sites: usize,
    pub total: AreaCoverageJson,
    pub per_operator: BTreeMap<String, AreaCoverageJson>,
    /// Mean SINR over land cells that have a server, dB (`null` when none has).
    pub mean_sinr_db: Option<f64>,
    /// The model's evaluations, validity warnings and refusals (ITM errors) over the run.
    #[serde(default)]
    pub model_warnings: Warnings,
}

/// Serializable mirror of [`AreaCoverage`] (also read back).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AreaCoverageJson {
    pub land_area_km2: f64,
    pub land_area_covered_pct: f64,
    pub hamlets: u64,
    pub hamlets_covered_pct: f64,
    pub hamlets_uncovered: u64,
    pub population: u64,
    pub population_covered_pct: f64,
}

impl From<&AreaCoverage> for AreaCoverageJson {
    fn from(a: &AreaCoverage) -> Self {
        AreaCoverageJson {
            land_area_km2: a.land_area_km2,
            land_area_covered_pct: a.land_area_covered_pct,
            hamlets: a.hamlets,
            hamlets_covered_pct: a.hamlets_covered_pct,
            hamlets_uncovered: a.hamlets_uncovered,
            population: a.population,
            population_covered_pct: a.population_covered_pct,
        }
    }
}

/// What `plan.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanReport {
    pub budget: usize,
    pub candidates: usize,
    pub towers: usize,
    pub towers_solar: usize,
    /// Objective (population + area weight) the greedy plan covers, and an upper bound on what any plan
    /// of the same size could cover from the same candidates.
    pub objective_covered: f64,
    pub objective_upper_bound: f64,
    pub towers_for_target: BTreeMap<String, Option<usize>>,
    pub after: AreaCoverageJson,
    pub curve: Vec<CurvePoint>,
    pub proposed: Vec<PlannedTower>,
}

/// Coverage figures in `summary.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SummaryCoverage {
    pub land_area_covered_pct: f64,
    pub hamlets_covered_pct: f64,
    pub population_covered_pct: f64,
    pub hamlets_uncovered: u64,
    pub unpowered_hamlets_uncovered: u64,
}

impl SummaryCoverage {
    pub fn new(hamlets: &[Hamlet], roll: &Rollup) -> Self {
        let unpowered = hamlets
            .iter()
            .zip(&roll.hamlets)
            .filter(|(h, c)| !h.grid_power && !c.covered)
            .count();
        SummaryCoverage {
            land_area_covered_pct: roll.total.land_area_covered_pct,
            hamlets_covered_pct: roll.total.hamlets_covered_pct,
            population_covered_pct: roll.total.population_covered_pct,
            hamlets_uncovered: roll.total.hamlets_uncovered,
            unpowered_hamlets_uncovered: unpowered as u64,
        }
    }
}

/// `summary.json`: the study's headline figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub study: String,
    pub crs: String,
    pub resolution_m: f64,
    pub model: String,
    /// Location reliability the coverage figures hold at, %.
    pub location_reliability_pct: f64,
    /// How that reliability was applied (ITM location variability or log-normal shadowing σ).
    pub reliability_method: String,
    pub sites_existing: usize,
    pub hamlets: usize,
    pub hamlets_unpowered: usize,
    pub communes: usize,
    pub population: u64,
    pub land_area_km2: f64,
    pub threshold_rsrp_dbm: f64,
    pub indoor_margin_db: f64,
    pub before: SummaryCoverage,
    pub per_operator_land_area_covered_pct: BTreeMap<String, f64>,
    pub gaps: GapSummary,
    pub plan: PlanSummary,
    pub after: SummaryCoverage,
    pub towers_for_target: BTreeMap<String, Option<usize>>,
    pub synthetic_layers: Vec<String>,
    pub real_layers: Vec<String>,
    /// The documented warnings of the run, one sentence each: what the input checks let through
    /// (features outside the study area, stray OpenCelliD cells, communes without land) and the
    /// path-loss model's validity warnings with their counts.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Summary {
    /// `summary.json` from the stages' reports.
    pub fn new(
        s: &Scenario,
        study: &Study,
        cov: &CoverageReport,
        gaps: &[Gap],
        plan: &PlanReport,
        before: &Rollup,
        after: &Rollup,
    ) -> Summary {
        let p = &s.coverage;
        let shadow = gaps
            .iter()
            .filter(|g| g.cause == GapCause::TerrainShadow)
            .count();
        Summary {
            study: study.info.name.clone(),
            crs: format!("EPSG:{}", study.info.grid.epsg),
            resolution_m: study.info.grid.cell_m,
            model: p.model.kind().to_string(),
            location_reliability_pct: p.model.location_reliability_pct,
            reliability_method: p.model.reliability_method(),
            sites_existing: study.sites.len(),
            hamlets: study.hamlets.len(),
            hamlets_unpowered: study.hamlets.iter().filter(|h| !h.grid_power).count(),
            communes: study.communes.len(),
            population: before.total.population,
            land_area_km2: before.total.land_area_km2,
            threshold_rsrp_dbm: p.threshold_rsrp_dbm,
            indoor_margin_db: p.indoor_margin_db,
            before: SummaryCoverage::new(&study.hamlets, before),
            per_operator_land_area_covered_pct: cov
                .per_operator
                .iter()
                .map(|(k, v)| (k.clone(), v.land_area_covered_pct))
                .collect(),
            gaps: GapSummary {
                hamlets: gaps.len(),
                terrain_shadow: shadow,
                out_of_range: gaps.len() - shadow,
                without_grid_power: gaps.iter().filter(|g| !g.grid_power).count(),
            },
            plan: PlanSummary {
                budget: plan.budget,
                candidates: plan.candidates,
                towers: plan.towers,
                towers_solar: plan.towers_solar,
                objective_covered: plan.objective_covered,
                objective_upper_bound: plan.objective_upper_bound,
            },
            after: SummaryCoverage::new(&study.hamlets, after),
            towers_for_target: plan.towers_for_target.clone(),
            synthetic_layers: study.info.synthetic_layers.clone(),
            real_layers: study.info.real_layers.clone(),
            warnings: run_warnings(study, cov),
        }
    }
}

/// The study's input warnings, then the model's (one per kind, with its count).
fn run_warnings(study: &Study, cov: &CoverageReport) -> Vec<String> {
    let w = &cov.model_warnings;
    let mut out = study.info.warnings.clone();
    out.extend(
        w.counts
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("path-loss model: {k}: {n} of {} evaluations", w.evaluations)),
    );
    out
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GapSummary {
    pub hamlets: usize,
    pub terrain_shadow: usize,
    pub out_of_range: usize,
    pub without_grid_power: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanSummary {
    pub budget: usize,
    pub candidates: usize,
    pub towers: usize,
    pub towers_solar: usize,
    pub objective_covered: f64,
    pub objective_upper_bound: f64,
}

/// A short human summary of `summary.json`.
pub fn human_summary(s: &Summary) -> String {
    let targets = if s.towers_for_target.is_empty() {
        "none set".to_string()
    } else {
        let mut targets: Vec<(&String, &Option<usize>)> = s.towers_for_target.iter().collect();
        targets.sort_by(|a, b| {
            let num = |k: &str| k.parse::<f64>().unwrap_or(f64::INFINITY);
            num(a.0).total_cmp(&num(b.0))
        });
        let (keys, values): (Vec<String>, Vec<String>) = targets
            .into_iter()
            .map(|(k, v)| {
                let n = v.map_or_else(|| "not reached".to_string(), |n| n.to_string());
                (k.clone(), n)
            })
            .unzip();
        format!(
            "towers for {} % of hamlets: {}",
            keys.join(" / "),
            values.join(" / ")
        )
    };
    let indoor = if s.indoor_margin_db > 0.0 {
        format!(" + {} dB indoor", s.indoor_margin_db)
    } else {
        String::new()
    };
    let synth = if s.synthetic_layers.is_empty() {
        "none".into()
    } else {
        s.synthetic_layers.join("; ")
    };
    let (b, a) = (&s.before, &s.after);
    [
        format!(
            "{}: {} sites, {} hamlets ({} without grid power), {} people, {:.0} km² of land",
            s.study, s.sites_existing, s.hamlets, s.hamlets_unpowered, s.population, s.land_area_km2
        ),
        format!(
            "threshold RSRP ≥ {} dBm{indoor}, model {}, reliability: {}",
            s.threshold_rsrp_dbm, s.model, s.reliability_method
        ),
        format!(
            "before: {:.2} % of land, {:.2} % of hamlets ({} uncovered, {} of them without power), {:.2} % of people",
            b.land_area_covered_pct, b.hamlets_covered_pct, b.hamlets_uncovered,
            b.unpowered_hamlets_uncovered, b.population_covered_pct
        ),
        format!(
            "gaps:   {} in terrain shadow, {} out of range",
            s.gaps.terrain_shadow, s.gaps.out_of_range
        ),
        format!(
            "plan:   {} new towers ({} solar) from {} candidates",
            s.plan.towers, s.plan.towers_solar, s.plan.candidates
        ),
        format!(
            "after:  {:.2} % of land, {:.2} % of hamlets ({} uncovered), {:.2} % of people",
            a.land_area_covered_pct, a.hamlets_covered_pct, a.hamlets_uncovered, a.population_covered_pct
        ),
        targets,
        format!("synthetic layers: {synth}"),
        format!(
            "warnings: {}{}",
            s.warnings.len(),
            if s.warnings.is_empty() { "" } else { " (listed in summary.json)" }
        ),
    ]
    .join("\n")
}
