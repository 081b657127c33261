//! What the stages write as JSON (`coverage.json`, `plan.json`, `summary.json`), read back by later
//! stages, and the short human summary printed at the end of a run.

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::study::Study;
use phusong_engine::coverage::rollup::{AreaCoverage, Rollup};
use phusong_engine::demand::Hamlet;
use phusong_engine::gaps::{Gap, GapCause};
use phusong_engine::plan::build::{CandidateCounts, CurvePoint, UnreachableHamlet};
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::plan::exclusions::ExclusionCounts;
use phusong_engine::plan::solve::{BudgetResult, TargetResult};
use phusong_engine::plan::CostSummary;
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
    /// Hamlets below the village share threshold, partially covered ones included.
    pub hamlets_uncovered: u64,
    /// Of those, hamlets with some covered cells (0 < share < threshold).
    #[serde(default)]
    pub hamlets_partial: u64,
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
            hamlets_partial: a.hamlets_partial,
            population: a.population,
            population_covered_pct: a.population_covered_pct,
        }
    }
}

/// Measure → target % → value, as `towers_for_target` and `targets` are keyed.
pub type ByTarget<T> = BTreeMap<String, BTreeMap<String, T>>;

/// What `plan.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanReport {
    /// Most towers allowed.
    pub budget: usize,
    /// Candidate places and place × height variants considered and kept.
    pub candidates: CandidateCounts,
    /// Land cells where no tower may stand, by reason.
    pub exclusions: ExclusionCounts,
    pub towers: usize,
    pub towers_solar: usize,
    /// Proposed towers by antenna height (metres, as text).
    pub towers_by_height_m: BTreeMap<String, usize>,
    /// The budget plan: coverage, LP bound, gap, proof of optimality.
    pub budget_plan: BudgetResult,
    /// Fewest new towers for each target of each measure (`hamlets`, `population`, `land_area`);
    /// `null`: not reachable from these candidates.
    pub towers_for_target: ByTarget<Option<usize>>,
    /// The same with each solve's LP bound, gap and status.
    pub targets: ByTarget<TargetResult>,
    /// The most each measure reaches with every candidate built, %.
    pub reachable_pct: BTreeMap<String, f64>,
    /// Uncovered hamlets no candidate tower covers (not even one in the village), and why.
    pub unreachable: Vec<UnreachableHamlet>,
    pub after: AreaCoverageJson,
    pub curve: Vec<CurvePoint>,
    /// Plans minimise capital cost (`[plan] objective = "cost"`) rather than towers: then
    /// `towers_for_target` gives the towers of the least-cost plans.
    #[serde(default)]
    pub least_cost: bool,
    /// Capital and yearly costs of the proposed towers (`[plan.costs]`), with the cumulative
    /// capital cost in rank order aligned with `curve`.
    #[serde(default)]
    pub cost: CostSummary,
    pub proposed: Vec<PlannedTower>,
}

/// Coverage figures in `summary.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SummaryCoverage {
    pub land_area_covered_pct: f64,
    pub hamlets_covered_pct: f64,
    /// People in covered cells (population spread over each village's cells), %.
    pub population_covered_pct: f64,
    /// Villages whose share of covered cells reaches `coverage.village_covered_share`.
    #[serde(default)]
    pub hamlets_covered: u64,
    /// Villages below it with some cells covered (0 < share < threshold).
    #[serde(default)]
    pub hamlets_partial: u64,
    /// Villages below it (partially covered ones included).
    pub hamlets_uncovered: u64,
    /// Villages with no covered cell at all.
    #[serde(default)]
    pub hamlets_without_signal: u64,
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
            hamlets_covered: roll.total.hamlets_covered,
            hamlets_partial: roll.total.hamlets_partial,
            hamlets_uncovered: roll.total.hamlets_uncovered,
            hamlets_without_signal: roll.total.hamlets_uncovered - roll.total.hamlets_partial,
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
    /// A village counts as covered when this share of its cells (of its people) is, 0–1.
    #[serde(default)]
    pub village_covered_share: f64,
    pub before: SummaryCoverage,
    pub per_operator_land_area_covered_pct: BTreeMap<String, f64>,
    pub gaps: GapSummary,
    pub plan: PlanSummary,
    pub after: SummaryCoverage,
    pub towers_for_target: ByTarget<Option<usize>>,
    /// Each target's solve: LP bound, gap, proven optimal.
    pub targets: ByTarget<TargetResult>,
    pub reachable_pct: BTreeMap<String, f64>,
    pub synthetic_layers: Vec<String>,
    pub real_layers: Vec<String>,
    /// The documented warnings of the run, one sentence each: what the input checks let through
    /// (features outside the study area, stray OpenCelliD cells, communes without land) and the
    /// path-loss model's validity warnings with their counts.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The synthesiser's counts (sites, hamlets, unpowered villages, …): each value with the
    /// documented rule that derived it, or a note that the scenario gave it.
    #[serde(default)]
    pub synthetic_counts: Vec<crate::derive::CountRule>,
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
            village_covered_share: p.village_covered_share,
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
            plan: PlanSummary::new(plan),
            after: SummaryCoverage::new(&study.hamlets, after),
            towers_for_target: plan.towers_for_target.clone(),
            targets: plan.targets.clone(),
            reachable_pct: plan.reachable_pct.clone(),
            synthetic_layers: study.info.synthetic_layers.clone(),
            real_layers: study.info.real_layers.clone(),
            warnings: run_warnings(study, cov),
            synthetic_counts: study.info.counts.clone(),
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

/// The plan in `summary.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanSummary {
    pub budget: usize,
    /// Candidate places, and place × height variants the optimiser chose from.
    pub candidate_places: usize,
    pub candidates: usize,
    pub towers: usize,
    pub towers_solar: usize,
    pub towers_by_height_m: BTreeMap<String, usize>,
    /// Budget objective (people + area weight) covered, and coverable by all candidates together.
    pub objective_covered: f64,
    pub objective_coverable: f64,
    /// LP bound on the budget objective, the plan's gap to the best bound, and whether it is proven
    /// optimal (for the fewest-towers step too, when the budget covers all it can).
    pub lp_bound: Option<f64>,
    pub optimality_gap_pct: Option<f64>,
    pub proven_optimal: bool,
    /// When the budget buys everything coverable: the LP bound on the fewest towers that do.
    pub fewest_towers_lp_bound: Option<f64>,
    /// Uncovered hamlets no in-village tower covers.
    pub unreachable_hamlets: usize,
    /// The money budget (replacing `budget`), the plan's capital cost and their currency.
    #[serde(default)]
    pub budget_money: Option<f64>,
    #[serde(default)]
    pub cost_total: f64,
    #[serde(default)]
    pub currency: String,
    /// Whether `fewest_towers_lp_bound` bounds towers (`false`) or capital cost (`true`).
    #[serde(default)]
    pub least_cost: bool,
}

impl PlanSummary {
    pub fn new(plan: &PlanReport) -> Self {
        let b = &plan.budget_plan;
        PlanSummary {
            budget: plan.budget,
            candidate_places: plan.candidates.places,
            candidates: plan.candidates.variants_kept,
            towers: plan.towers,
            towers_solar: plan.towers_solar,
            towers_by_height_m: plan.towers_by_height_m.clone(),
            objective_covered: b.objective_covered,
            objective_coverable: b.objective_coverable,
            lp_bound: b.max_coverage.lp_bound,
            optimality_gap_pct: b.max_coverage.optimality_gap_pct,
            proven_optimal: b.max_coverage.proven_optimal
                && b.fewest_towers.as_ref().is_none_or(|f| f.proven_optimal),
            fewest_towers_lp_bound: b.fewest_towers.as_ref().and_then(|f| f.lp_bound),
            unreachable_hamlets: plan.unreachable.len(),
            budget_money: b.budget_money,
            cost_total: plan.cost.total,
            currency: plan.cost.currency.clone(),
            least_cost: plan.least_cost,
        }
    }
}

/// Target keys sorted by their numeric value ("95" before "100").
fn sorted_keys<T>(m: &BTreeMap<String, T>) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    let num = |k: &str| k.parse::<f64>().unwrap_or(f64::INFINITY);
    keys.sort_by(|a, b| num(a).total_cmp(&num(b)));
    keys
}

/// "towers for 95 / 99 / 100 %: hamlets 0 / 58 / 120, people …, land … (at most 99.9 %)" and a line
/// with the bounds when some count is not proven optimal.
fn targets_lines(s: &Summary) -> Vec<String> {
    let Some(first) = s.towers_for_target.values().next() else {
        return vec!["towers for targets: none set".into()];
    };
    let keys = sorted_keys(first);
    fn label(m: &str) -> &str {
        match m {
            "population" => "people",
            "land_area" => "land",
            other => other,
        }
    }
    let mut parts = Vec::new();
    let mut unproven = Vec::new();
    for m in ["hamlets", "population", "land_area"] {
        let (Some(t), Some(r)) = (s.towers_for_target.get(m), s.targets.get(m)) else {
            continue;
        };
        let values: Vec<String> = keys
            .iter()
            .map(|k| match t.get(*k).copied().flatten() {
                Some(n) => n.to_string(),
                None => "not reachable".into(),
            })
            .collect();
        let mut text = format!("{} {}", label(m), values.join(" / "));
        if t.values().any(Option::is_none) {
            if let Some(max) = s.reachable_pct.get(m) {
                text.push_str(&format!(" (at most {} %)", pct_below_100(*max)));
            }
        }
        parts.push(text);
        for k in &keys {
            if let Some(solve) = r.get(*k).and_then(|x| x.solve.as_ref()) {
                if !solve.proven_optimal {
                    let gap = solve
                        .optimality_gap_pct
                        .map_or("?".into(), |g| format!("{g:.1}"));
                    unproven.push(format!("{} {k} %: gap ≤ {gap} %", label(m)));
                }
            }
        }
    }
    let keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    let mut lines = vec![format!(
        "towers for {} %: {}",
        keys.join(" / "),
        parts.join("; ")
    )];
    lines.push(if unproven.is_empty() {
        "        every tower count above is proven minimal (HiGHS; LP bounds and gaps in plan.json)"
            .into()
    } else {
        format!("        not proven minimal: {}", unproven.join(", "))
    });
    lines
}

/// The budget plan's line: towers, heights, and how good it is.
fn plan_lines(s: &Summary) -> Vec<String> {
    let p = &s.plan;
    let mut heights: Vec<(&String, &usize)> = p.towers_by_height_m.iter().collect();
    heights.sort_by(|a, b| {
        let num = |k: &str| k.parse::<f64>().unwrap_or(f64::INFINITY);
        num(a.0).total_cmp(&num(b.0))
    });
    let heights: Vec<String> = heights
        .iter()
        .map(|(h, n)| format!("{n} × {h} m"))
        .collect();
    let quality = match (p.lp_bound, p.optimality_gap_pct) {
        (Some(b), Some(g)) => format!(
            "LP bound {b:.0}, gap {g:.2} %{}",
            if p.proven_optimal {
                ", proven optimal"
            } else {
                ""
            }
        ),
        _ => "no LP bound".into(),
    };
    let budget = match p.budget_money {
        Some(m) => format!("{m:.0} {}", p.currency),
        None => p.budget.to_string(),
    };
    let fewest = |b: f64| match p.least_cost {
        true => format!("; the least cost doing so (LP bound {b:.0} {})", p.currency),
        false => format!("; the fewest towers doing so (LP bound {b:.2} towers)"),
    };
    vec![
        format!(
            "plan:   {} new towers ({} solar; {}) from {} candidates at {} places, budget {budget}; \
             capital cost {:.0} {}",
            p.towers,
            p.towers_solar,
            if heights.is_empty() { "none".into() } else { heights.join(", ") },
            p.candidates,
            p.candidate_places,
            p.cost_total,
            p.currency
        ),
        format!(
            "        covers {:.0} of the {:.0} people + area weight the candidates can reach: {quality}{}",
            p.objective_covered,
            p.objective_coverable,
            p.fewest_towers_lp_bound.map_or(String::new(), fewest)
        ),
    ]
}

/// A short human summary of `summary.json`.
pub fn human_summary(s: &Summary) -> String {
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
    let unreachable = match s.plan.unreachable_hamlets {
        0 => "every uncovered hamlet can be covered by a tower in or near it".to_string(),
        n => format!("{n} hamlets no in-village tower covers (plan.json: unreachable)"),
    };
    let mut lines = vec![
        format!(
            "{}: {} sites, {} hamlets ({} without grid power), {} people, {:.0} km² of land",
            s.study, s.sites_existing, s.hamlets, s.hamlets_unpowered, s.population, s.land_area_km2
        ),
        format!(
            "threshold RSRP ≥ {} dBm{indoor}, model {}, reliability: {}",
            s.threshold_rsrp_dbm, s.model, s.reliability_method
        ),
        format!(
            "before: {:.2} % of land, {:.2} % of hamlets ({} uncovered: {} partially, {} without signal; {} without power), {:.2} % of people",
            b.land_area_covered_pct, b.hamlets_covered_pct, b.hamlets_uncovered, b.hamlets_partial,
            b.hamlets_without_signal, b.unpowered_hamlets_uncovered, b.population_covered_pct
        ),
        format!(
            "gaps:   {} in terrain shadow, {} out of range; {unreachable}",
            s.gaps.terrain_shadow, s.gaps.out_of_range
        ),
    ];
    lines.extend(plan_lines(s));
    lines.push(format!(
        "after:  {:.2} % of land, {:.2} % of hamlets ({} uncovered, {} of them partially), {:.2} % of people",
        a.land_area_covered_pct,
        a.hamlets_covered_pct,
        a.hamlets_uncovered,
        a.hamlets_partial,
        a.population_covered_pct
    ));
    lines.extend(targets_lines(s));
    lines.push(format!("synthetic layers: {synth}"));
    lines.push(format!(
        "warnings: {}{}",
        s.warnings.len(),
        if s.warnings.is_empty() {
            ""
        } else {
            " (listed in summary.json)"
        }
    ));
    lines.join("\n")
}

/// Columns of `communes.csv`.
pub const COMMUNES_CSV_COLUMNS: [&str; 14] = [
    "code",
    "name",
    "census_population",
    "land_area_km2",
    "land_covered_pct_before",
    "land_covered_pct_after",
    "villages",
    "villages_covered_before",
    "villages_partial_before",
    "villages_covered_after",
    "population",
    "population_covered_before",
    "population_covered_pct_before",
    "population_covered_pct_after",
];

/// The rows of `communes.csv` (the study's commune order), coverage before and after the plan from the
/// same roll-ups as `summary.json` and the GeoPackage; `report.html` shows the same strings.
pub fn communes_rows(
    communes: &[phusong_engine::demand::Commune],
    before: &[AreaCoverage],
    after: &[AreaCoverage],
) -> Vec<[String; 14]> {
    let r2 = |x: f64| format!("{:.2}", x);
    communes
        .iter()
        .zip(before)
        .zip(after)
        .map(|((c, b), a)| {
            [
                c.code.clone(),
                c.name.clone(),
                c.population.map_or(String::new(), |p| p.to_string()),
                r2(b.land_area_km2),
                r2(b.land_area_covered_pct),
                r2(a.land_area_covered_pct),
                b.hamlets.to_string(),
                b.hamlets_covered.to_string(),
                b.hamlets_partial.to_string(),
                a.hamlets_covered.to_string(),
                b.population.to_string(),
                b.population_covered.to_string(),
                r2(b.population_covered_pct),
                r2(a.population_covered_pct),
            ]
        })
        .collect()
}

/// `communes.csv`: one row per commune ([`communes_rows`]), for pasting into a report.
pub fn communes_csv(
    communes: &[phusong_engine::demand::Commune],
    before: &[AreaCoverage],
    after: &[AreaCoverage],
) -> Result<String> {
    let err = |e: csv::Error| Error::Other(format!("communes.csv: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COMMUNES_CSV_COLUMNS).map_err(err)?;
    for row in communes_rows(communes, before, after) {
        w.write_record(row).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Other(format!("communes.csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Other(format!("communes.csv: {e}")))
}

/// Columns of `villages.csv`.
pub const VILLAGES_CSV_COLUMNS: [&str; 13] = [
    "id",
    "name",
    "commune",
    "lon",
    "lat",
    "population",
    "grid_power",
    "median_rsrp_dbm_before",
    "covered_share_before",
    "covered_before",
    "median_rsrp_dbm_after",
    "covered_share_after",
    "covered_after",
];

/// `villages.csv`: one row per village (thôn/bản) with its coverage share before and after the
/// plan, from the same roll-ups as `summary.json` and the GeoPackage's hamlets layer.
pub fn villages_csv(
    hamlets: &[Hamlet],
    communes: &[phusong_engine::demand::Commune],
    before: &[phusong_engine::coverage::rollup::HamletCoverage],
    after: &[phusong_engine::coverage::rollup::HamletCoverage],
) -> Result<String> {
    let err = |e: csv::Error| Error::Other(format!("villages.csv: {e}"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(VILLAGES_CSV_COLUMNS).map_err(err)?;
    let rsrp = |v: Option<f32>| v.map_or(String::new(), |v| format!("{v:.1}"));
    for ((h, b), a) in hamlets.iter().zip(before).zip(after) {
        let commune = h
            .commune
            .and_then(|k| communes.get(k))
            .map_or(String::new(), |c| c.name.clone());
        w.write_record([
            h.id.to_string(),
            h.name.clone(),
            commune,
            format!("{:.6}", h.lon),
            format!("{:.6}", h.lat),
            h.population.to_string(),
            h.grid_power.to_string(),
            rsrp(b.rsrp_dbm),
            format!("{:.4}", b.covered_share),
            b.covered.to_string(),
            rsrp(a.rsrp_dbm),
            format!("{:.4}", a.covered_share),
            a.covered.to_string(),
        ])
        .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Other(format!("villages.csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Other(format!("villages.csv: {e}")))
}

/// A percentage short of 100 printed with enough decimals not to round up to "100.00"
/// (99.9998 stays 99.9998), at least two.
fn pct_below_100(pct: f64) -> String {
    for decimals in 2..=6 {
        let text = format!("{pct:.decimals$}");
        if pct >= 100.0 || !text.starts_with("100") {
            return text;
        }
    }
    format!("{pct:.6}")
}

#[cfg(test)]
mod pct_tests {
    #[test]
    fn short_of_100_never_prints_100() {
        assert_eq!(super::pct_below_100(99.9998), "99.9998");
        assert_eq!(super::pct_below_100(99.99), "99.99");
        assert_eq!(super::pct_below_100(97.5), "97.50");
        assert_eq!(super::pct_below_100(99.996), "99.996");
    }
}
