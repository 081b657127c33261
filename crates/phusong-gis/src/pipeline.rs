//! The study's stages, each reading the previous stage's files from the run folder:
//! `synth` → `coverage` → `gaps` → `plan` → `export`. Orchestration only: the computing is the
//! engine's, the file formats are `io`'s, the JSON reports are [`crate::reports`]'.

use crate::error::{Error, Result};
use crate::export as ex;
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::io::{raster_out, sites_csv};
use crate::reports::{self, *};
use crate::run_folder::{clean_stale_temps, LockMode, RunLock, StageTx};
use crate::scenario::Scenario;
use crate::study::Study;
use phusong_engine::coverage::rollup::{rollup, Rollup};
use phusong_engine::coverage::{compute_coverage, CoverageParams, CoverageRasters};
use phusong_engine::gaps::{find_gaps, site_index, Gap, GapCause};
use phusong_engine::grid::Raster;
use phusong_engine::plan::build::{self, Demand, PlanInputs};
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::progress::Progress;
use phusong_engine::radio::Site;
use std::path::{Path, PathBuf};

pub use crate::run_folder::files;

/// phusong's version, recorded in every stage manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A run folder opened for writing: one writer at a time (`.lock`), temp files of dead runs
/// removed. Each stage commits its outputs with a manifest (see [`crate::run_folder`]).
pub struct Run {
    pub dir: PathBuf,
    lock: RunLock,
}

impl Run {
    /// Creates `dir` if needed and takes its lock; refuses when another live process holds it.
    pub fn open(dir: &Path) -> Result<Run> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            context: format!("creating {}", dir.display()),
            source: e,
        })?;
        let lock = RunLock::acquire(dir, LockMode::Fail)?;
        clean_stale_temps(dir)?;
        Ok(Run {
            dir: dir.to_path_buf(),
            lock,
        })
    }

    fn begin(&self, stage: &str) -> Result<StageTx<'_>> {
        Ok(StageTx::begin(&self.dir, stage, &self.lock)?)
    }
}

/// Records the study's input files (`inputs/…`) a stage reads, so a later edit is detected.
fn record_inputs(tx: &mut StageTx) -> Result<()> {
    use crate::study::files as f;
    for name in [
        f::STUDY,
        f::DEM,
        f::MASK,
        f::COMMUNE_ID,
        f::COMMUNES,
        f::HAMLETS,
        f::ROADS,
        f::SITES,
    ] {
        let rel = Path::new(f::DIR).join(name);
        if tx.run_dir().join(&rel).is_file() {
            tx.read(&rel)?;
        }
    }
    Ok(())
}

/// Commits a stage with the scenario as its parameters.
fn commit(tx: StageTx, s: &Scenario) -> Result<()> {
    let params = serde_json::to_value(s)
        .map_err(|e| Error::Other(format!("recording the scenario in the manifest: {e}")))?;
    tx.commit(VERSION, params)?;
    Ok(())
}

/// How stages report: progress of long loops (engine callback) and one line per stage.
pub trait Reporter: Progress {
    fn log(&self, msg: &str);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {}

impl Reporter for Quiet {
    fn log(&self, _msg: &str) {}
}

/// Stage 1: prepare inputs (real or synthetic) into `run_dir/inputs/`.
pub fn stage_synth(s: &Scenario, run: &Run, r: &dyn Reporter) -> Result<Study> {
    let t = std::time::Instant::now();
    let mut tx = run.begin("synth")?;
    for p in [
        &s.inputs.dem,
        &s.inputs.clutter,
        &s.inputs.clutter_classes,
        &s.inputs.sites_csv,
        &s.inputs.opencellid_csv,
        &s.inputs.hamlets,
        &s.inputs.communes,
        &s.inputs.roads,
    ]
    .into_iter()
    .flatten()
    {
        let path = s.resolve(p);
        if path.is_file() {
            tx.read(&std::path::absolute(&path).unwrap_or(path))?;
        }
    }
    let study = Study::prepare(s, tx.staging_dir(), &|m| r.log(m))?;
    commit(tx, s)?;
    let synthetic = if study.info.synthetic_layers.is_empty() {
        "none".to_string()
    } else {
        study.info.synthetic_layers.join("; ")
    };
    r.log(&format!(
        "inputs: {} sites, {} hamlets, {} communes, {} road lines ({:.1} s); synthetic: {synthetic}",
        study.sites.len(),
        study.hamlets.len(),
        study.communes.len(),
        study.roads.len(),
        t.elapsed().as_secs_f64(),
    ));
    Ok(study)
}

/// Computes coverage rasters for `sites` on the study grid.
pub fn coverage_rasters(
    study: &Study,
    sites: &[Site],
    p: &CoverageParams,
    r: &dyn Reporter,
) -> CoverageRasters {
    compute_coverage(&study.terrain, sites, p, r)
}

fn roll(study: &Study, rsrp: &Raster<f32>, p: &CoverageParams) -> Rollup {
    rollup(
        rsrp,
        &study.mask,
        &study.commune_of_cell,
        study.communes.len(),
        &study.hamlets,
        &study.village_cells,
        p.threshold(),
    )
}

/// Stage 2: coverage of the existing sites → rasters and `coverage.json`.
pub fn stage_coverage(
    s: &Scenario,
    study: &Study,
    run: &Run,
    r: &dyn Reporter,
) -> Result<CoverageReport> {
    let t = std::time::Instant::now();
    let mut tx = run.begin("coverage")?;
    record_inputs(&mut tx)?;
    let p = &s.coverage;
    let c = coverage_rasters(study, &study.sites, p, r);
    if c.rsrp_dbm.data.iter().all(|v| v.is_nan()) {
        return Err(Error::Other(format!(
            "coverage: none of the {} sites reaches any cell of the study grid; nothing was written \
             (check the sites' positions and CRS, and inputs/sites.csv)",
            study.sites.len()
        )));
    }
    let total = roll(study, &c.rsrp_dbm, p);
    let per_operator = c
        .operators
        .iter()
        .zip(&c.operator_rsrp_dbm)
        .map(|(o, ras)| (o.clone(), (&roll(study, ras, p).total).into()))
        .collect();
    let report = CoverageReport {
        threshold_rsrp_dbm: p.threshold_rsrp_dbm,
        location_reliability_pct: p.model.location_reliability_pct,
        reliability_method: p.model.reliability_method(),
        indoor_margin_db: p.indoor_margin_db,
        sites: study.sites.len(),
        total: (&total.total).into(),
        per_operator,
        mean_sinr_db: mean_on_land(&c.sinr_db, &study.mask),
        model_warnings: c.warnings.clone(),
    };
    // Everything is computed and checked before the first file is written.
    let json = reports::to_json(&report, files::COVERAGE)?;
    raster_out::write_cog(&tx.output_path(files::RSRP)?, &c.rsrp_dbm, "rsrp_dbm")?;
    raster_out::write_cog(
        &tx.output_path(files::SERVER)?,
        &c.server,
        "serving_site_id",
    )?;
    raster_out::write_cog(&tx.output_path(files::SINR)?, &c.sinr_db, "sinr_db")?;
    raster_out::write_cog(
        &tx.output_path(files::OVERLAP)?,
        &c.servers_in_margin,
        "servers_within_6db",
    )?;
    tx.write(files::COVERAGE, json.as_bytes())?;
    commit(tx, s)?;
    r.log(&format!(
        "coverage: {:.2} % of land, {:.2} % of hamlets, {:.2} % of people at RSRP ≥ {} dBm ({:.1} s)",
        report.total.land_area_covered_pct, report.total.hamlets_covered_pct, report.total.population_covered_pct,
        p.effective_threshold_dbm(), t.elapsed().as_secs_f64()
    ));
    if c.warnings.refusals() > 0 {
        r.log(&format!(
            "coverage: the model refused {} of {} evaluations (see model_warnings in {})",
            c.warnings.refusals(),
            c.warnings.evaluations,
            files::COVERAGE
        ));
    }
    Ok(report)
}

/// Mean of a raster over land cells that have a value (`None` when none has).
fn mean_on_land(v: &Raster<f32>, mask: &Raster<u8>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, x) in v.data.iter().enumerate() {
        if mask.data[i] == 1 && x.is_finite() {
            sum += *x as f64;
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// Reads an RSRP raster another stage wrote, recording it as this stage's input.
fn read_rsrp(study: &Study, tx: &mut StageTx, name: &str) -> Result<Raster<f32>> {
    let path = tx.read(Path::new(name))?;
    read_raster_to_grid(&path, &study.info.grid, Resample::Nearest)
}

/// Reads a JSON report another stage wrote, recording it as this stage's input.
fn read_report<T: for<'a> serde::Deserialize<'a>>(
    tx: &mut StageTx,
    name: &str,
    stage: &str,
) -> Result<T> {
    let path = tx.read(Path::new(name))?;
    read_json(&path, stage)
}

/// Stage 3: gaps — every uncovered hamlet, with its cause → `gaps.json`.
pub fn stage_gaps(s: &Scenario, study: &Study, run: &Run, r: &dyn Reporter) -> Result<Vec<Gap>> {
    let mut tx = run.begin("gaps")?;
    tx.upstream("coverage")?;
    record_inputs(&mut tx)?;
    let rsrp = read_rsrp(study, &mut tx, files::RSRP)?;
    let roll = roll(study, &rsrp, &s.coverage);
    let idx = site_index(&study.sites);
    let gaps = find_gaps(
        &study.hamlets,
        &roll.hamlets,
        &study.sites,
        &idx,
        &study.terrain,
        &s.coverage,
    );
    tx.write(
        files::GAPS,
        reports::to_json(&gaps, files::GAPS)?.as_bytes(),
    )?;
    commit(tx, s)?;
    let shadow = gaps
        .iter()
        .filter(|g| g.cause == GapCause::TerrainShadow)
        .count();
    let unpowered = gaps.iter().filter(|g| !g.grid_power).count();
    r.log(&format!(
        "gaps: {} hamlets uncovered ({} terrain shadow, {} out of range; {} without grid power)",
        gaps.len(),
        shadow,
        gaps.len() - shadow,
        unpowered
    ));
    Ok(gaps)
}

/// The protected-area mask on the study grid, when the scenario names a layer.
fn protected_mask(s: &Scenario, study: &Study, r: &dyn Reporter) -> Result<Option<Raster<u8>>> {
    let Some(path) = &s.inputs.protected_areas else {
        return Ok(None);
    };
    let path = s.resolve(path);
    let polygons = crate::io::vector_in::read_polygons(
        &path,
        s.inputs.protected_areas_layer.as_deref(),
        study.info.grid.epsg,
    )?;
    let mask = crate::rasterize::polygon_mask(&study.info.grid, &polygons)?;
    r.log(&format!(
        "plan: {} protected-area polygons from {} ({} cells)",
        polygons.len(),
        path.display(),
        mask.data.iter().filter(|&&v| v == 1).count()
    ));
    Ok(Some(mask))
}

/// Stage 4: plan new towers → `proposed_sites.csv`, `plan.json`, the after-plan RSRP raster.
pub fn stage_plan(s: &Scenario, study: &Study, run: &Run, r: &dyn Reporter) -> Result<PlanReport> {
    let t = std::time::Instant::now();
    let p = &s.coverage;
    let mut tx = run.begin("plan")?;
    tx.upstream("coverage")?;
    record_inputs(&mut tx)?;
    let rsrp = read_rsrp(study, &mut tx, files::RSRP)?;
    let before = roll(study, &rsrp, p);
    let protected = protected_mask(s, study, r)?;
    let inputs = PlanInputs {
        terrain: &study.terrain,
        mask: &study.mask,
        hamlets: &study.hamlets,
        sites: &study.sites,
        rsrp_dbm: &rsrp,
        before: &before,
        commune_of_cell: &study.commune_of_cell,
        communes: &study.communes,
        protected: protected.as_ref(),
        village_cells: &study.village_cells,
    };
    let demand = Demand::new(&inputs, p.threshold(), s.plan.area_weight_per_km2);
    let (excl, cands) = build::candidates_for(&inputs, &demand, &s.plan);
    let lon_lat = cands
        .places
        .iter()
        .map(|c| study.proj.unproject(c.x_m, c.y_m))
        .collect::<Result<Vec<_>>>()?;
    let sets = build::cover_sets(&inputs, &demand, &cands, &lon_lat, p, &s.plan, r);
    let t_cover = t.elapsed().as_secs_f64();
    let plan = build::plan(&inputs, &demand, &excl, &cands, &sets, p, &s.plan)?;
    let t_solve = t.elapsed().as_secs_f64() - t_cover;
    let after = roll(study, &plan.rsrp_after_dbm, p);
    let report = plan_report(s, &plan, &after);
    // Everything is computed and checked before the first file is written.
    let json = reports::to_json(&report, files::PLAN)?;
    raster_out::write_cog(
        &tx.output_path(files::RSRP_AFTER)?,
        &plan.rsrp_after_dbm,
        "rsrp_after_plan_dbm",
    )?;
    let extra = proposed_columns(&report.proposed, &report.cost.currency);
    sites_csv::write_sites_csv_with(&tx.output_path(files::PROPOSED)?, &plan.sites, &extra)?;
    tx.write(files::PLAN, json.as_bytes())?;
    commit(tx, s)?;
    r.log(&format!(
        "plan: {} towers ({} solar) from {} candidates at {} places → {:.2} % of hamlets, {:.2} % of \
         land ({:.1} s: coverage of candidates {:.1} s, optimisation {:.1} s)",
        report.towers, report.towers_solar, report.candidates.variants_kept, report.candidates.places,
        report.after.hamlets_covered_pct, report.after.land_area_covered_pct,
        t.elapsed().as_secs_f64(), t_cover, t_solve
    ));
    Ok(report)
}

/// `plan.json` from the engine's plan and the after-plan roll-up.
fn plan_report(s: &Scenario, plan: &build::Plan, after: &Rollup) -> PlanReport {
    let mut towers_by_height_m = std::collections::BTreeMap::new();
    for t in &plan.proposed {
        *towers_by_height_m
            .entry(format!("{}", t.height_m))
            .or_insert(0) += 1;
    }
    PlanReport {
        budget: s.plan.budget,
        candidates: plan.candidates.clone(),
        exclusions: plan.exclusions.clone(),
        towers: plan.proposed.len(),
        towers_solar: plan.proposed.iter().filter(|t| !t.grid_powered).count(),
        towers_by_height_m,
        budget_plan: plan.budget.clone(),
        towers_for_target: plan.towers_for_target(),
        targets: plan.targets.clone(),
        reachable_pct: plan.reachable_pct.clone(),
        unreachable: plan.unreachable.clone(),
        after: (&after.total).into(),
        curve: plan.curve.clone(),
        cost: plan.cost.clone(),
        least_cost: s.plan.objective == phusong_engine::plan::params::Objective::Cost,
        proposed: plan.proposed.clone(),
    }
}

/// The extra columns of `proposed_sites.csv` (the site CSV reader ignores them): rank, commune,
/// the ids of the hamlets each tower covers first (`;`-separated), its power, the length of its
/// grid connection (m, empty for solar) and its costs in `currency` (backhaul 0 until backhaul is
/// planned).
fn proposed_columns(towers: &[PlannedTower], currency: &str) -> Vec<(&'static str, Vec<String>)> {
    let col = |f: &dyn Fn(&PlannedTower) -> String| towers.iter().map(f).collect::<Vec<_>>();
    let mut cols = proposed_id_columns(towers);
    cols.extend([
        (
            "power",
            col(&|t| if t.grid_powered { "grid" } else { "solar" }.into()),
        ),
        (
            "grid_distance_m",
            col(&|t| t.grid_distance_m.map_or(String::new(), |d| d.to_string())),
        ),
        ("currency", col(&|_| currency.to_string())),
        ("cost_tower", col(&|t| t.cost.tower.to_string())),
        ("cost_power", col(&|t| t.cost.power.to_string())),
        ("cost_backhaul", col(&|t| t.cost.backhaul.to_string())),
        ("cost_total", col(&|t| t.cost.total.to_string())),
        (
            "cost_yearly_operating",
            col(&|t| t.cost.yearly_operating.to_string()),
        ),
    ]);
    cols
}

/// Rank, commune and the hamlets each tower covers first.
fn proposed_id_columns(towers: &[PlannedTower]) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("rank", towers.iter().map(|t| t.rank.to_string()).collect()),
        (
            "commune",
            towers
                .iter()
                .map(|t| t.commune.clone().unwrap_or_default())
                .collect(),
        ),
        (
            "new_hamlet_ids",
            towers
                .iter()
                .map(|t| {
                    let ids: Vec<String> = t.new_hamlet_ids.iter().map(u32::to_string).collect();
                    ids.join(";")
                })
                .collect(),
        ),
    ]
}

/// Stage 5: the styled GeoPackage, the QGIS project and `summary.json`.
pub fn stage_export(s: &Scenario, study: &Study, run: &Run, r: &dyn Reporter) -> Result<Summary> {
    let p = &s.coverage;
    let epsg = study.info.grid.epsg;
    let mut tx = run.begin("export")?;
    for stage in ["coverage", "gaps", "plan"] {
        tx.upstream(stage)?;
    }
    record_inputs(&mut tx)?;
    let cov: CoverageReport = read_report(&mut tx, files::COVERAGE, "coverage")?;
    let gaps: Vec<Gap> = read_report(&mut tx, files::GAPS, "gaps")?;
    let plan: PlanReport = read_report(&mut tx, files::PLAN, "plan")?;
    let rsrp_before = read_rsrp(study, &mut tx, files::RSRP)?;
    let before = roll(study, &rsrp_before, p);
    let after = roll(study, &read_rsrp(study, &mut tx, files::RSRP_AFTER)?, p);
    // Drawing order, top first: what a planner acts on (gaps, proposed towers), then context.
    let layers = vec![
        ex::gaps_layer(&gaps, &study.hamlets, epsg),
        ex::proposed_layer(&plan.proposed, &plan.cost.currency, epsg),
        ex::hamlets_layer(
            &study.hamlets,
            epsg,
            Some((&before.hamlets, Some(&after.hamlets))),
        ),
        ex::sites_layer(&study.sites, epsg),
        ex::communes_layer(
            &study.communes,
            epsg,
            Some((&before.communes, &after.communes)),
        ),
    ];
    crate::io::gpkg::write_gpkg(&tx.output_path(files::GPKG)?, &layers)?;
    // The proposed towers for field teams, named by their rank in the plan.
    crate::io::gpkg::write_kml(
        &tx.output_path(files::PROPOSED_KML)?,
        &ex::proposed_layer(&plan.proposed, &plan.cost.currency, epsg),
        "rank",
    )?;
    let summary = Summary::new(s, study, &cov, &gaps, &plan, &before, &after);
    let heights_m = ex::land_height_range_m(study).unwrap_or((0.0, 1.0));
    let clutter = study.terrain.clutter.as_ref().map(|c| &c.table);
    let rasters = ex::raster_layers(p.threshold_rsrp_dbm, heights_m, clutter);
    crate::io::qgis::write_project_in(
        &tx.output_path(files::PROJECT)?,
        &run.dir,
        epsg,
        files::GPKG,
        &layers,
        &rasters,
        &ex::project_view(&summary, clutter.is_some()),
    )?;
    tx.write(
        files::COMMUNES_CSV,
        reports::communes_csv(&study.communes, &before.communes, &after.communes)?.as_bytes(),
    )?;
    tx.write(
        files::VILLAGES_CSV,
        reports::villages_csv(
            &study.hamlets,
            &study.communes,
            &before.hamlets,
            &after.hamlets,
        )?
        .as_bytes(),
    )?;
    tx.write(
        files::SUMMARY,
        reports::to_json(&summary, files::SUMMARY)?.as_bytes(),
    )?;
    let t_report = std::time::Instant::now();
    let (server, proposed_sites) = report_inputs(&mut tx, study)?;
    let sheets = write_report(
        &mut tx,
        &crate::report::ReportInputs {
            scenario: s,
            study,
            summary: &summary,
            coverage: &cov,
            gaps: &gaps,
            plan: &plan,
            before: &before,
            after: &after,
            rsrp_before_dbm: &rsrp_before,
            server: &server,
            proposed_sites: &proposed_sites,
        },
    )?;
    let t_report = t_report.elapsed();
    commit(tx, s)?;
    r.log(&format!(
        "export: {} layers in {}, {}, {}, {} ({:.1} s) and {sheets} tower datasheets",
        layers.len() + rasters.len(),
        files::GPKG,
        files::PROJECT,
        files::SUMMARY,
        files::REPORT,
        t_report.as_secs_f64()
    ));
    Ok(summary)
}

/// What the report reads besides the stage's structures: the serving-site raster and the proposed
/// sites' sectors, recorded as this stage's inputs.
fn report_inputs(tx: &mut StageTx, study: &Study) -> Result<(Raster<f32>, Vec<Site>)> {
    let server = read_raster_to_grid(
        &tx.read(Path::new(files::SERVER))?,
        &study.info.grid,
        Resample::Nearest,
    )?;
    let proposed = sites_csv::read_sites_csv(&tx.read(Path::new(files::PROPOSED))?, &study.proj)?;
    Ok((server, proposed))
}

/// Writes `report.html` and the towers' datasheets; returns the number of datasheets.
fn write_report(tx: &mut StageTx, inputs: &crate::report::ReportInputs) -> Result<usize> {
    // Everything is built before the first file is written.
    let html = crate::report::report_html(inputs)?;
    let sheets = crate::report::datasheets(inputs);
    tx.write(files::REPORT, html.as_bytes())?;
    for (name, text) in &sheets {
        tx.write(name, text.as_bytes())?;
    }
    Ok(sheets.len())
}

/// Reads the study back from `run_dir/inputs/` with the scenario's choice of existing sites
/// (one operator's or all; see [`Scenario::existing_sites`]).
pub fn load_study(s: &Scenario, run_dir: &Path) -> Result<Study> {
    let mut study = Study::load(run_dir)?;
    study.sites = s.existing_sites(std::mem::take(&mut study.sites))?;
    Ok(study)
}

/// Runs every stage in order.
pub fn run_all(s: &Scenario, run_dir: &Path, r: &dyn Reporter) -> Result<Summary> {
    let run = Run::open(run_dir)?;
    stage_synth(s, &run, r)?;
    // Later stages read the inputs back from files, exactly as the stage subcommands do.
    let study = load_study(s, run_dir)?;
    stage_coverage(s, &study, &run, r)?;
    stage_gaps(s, &study, &run, r)?;
    stage_plan(s, &study, &run, r)?;
    stage_export(s, &study, &run, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use phusong_engine::grid::GridSpec;

    #[test]
    fn mean_sinr_skips_non_finite_cells_instead_of_writing_null() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 300.0, 100.0, 100.0);
        let mut v = Raster::filled(g.clone(), 0.0f32, None);
        v.data = vec![10.0, f32::INFINITY, f32::NAN];
        let mask = Raster::filled(g, 1u8, None);
        // An infinite SINR would make the mean infinite, written as JSON null = "no server".
        assert_eq!(mean_on_land(&v, &mask), Some(10.0));
        v.data = vec![f32::NAN; 3];
        assert_eq!(mean_on_land(&v, &mask), None);
    }
}
