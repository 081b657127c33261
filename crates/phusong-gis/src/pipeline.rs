//! The study's stages, each reading the previous stage's files from the run folder:
//! `synth` → `coverage` → `gaps` → `plan` → `export`.

use crate::coverage::rollup::{rollup, AreaCoverage, Rollup};
use crate::coverage::{combine, compute_windows, site_window, CoverageParams, CoverageRasters};
use crate::error::{Error, Result};
use crate::gaps::{find_gaps, site_index, Gap};
use crate::grid::Raster;
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::io::{atomic, raster_out, sites_csv};
use crate::plan::candidates::{self, Candidate, PlannedTower};
use crate::plan::greedy;
use crate::radio::Site;
use crate::scenario::Scenario;
use crate::study::Study;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Output file names in a run folder.
pub mod files {
    pub const RSRP: &str = "rsrp_dbm.tif";
    pub const SERVER: &str = "serving_site.tif";
    pub const SINR: &str = "sinr_db.tif";
    pub const OVERLAP: &str = "servers_within_6db.tif";
    pub const RSRP_AFTER: &str = "rsrp_after_plan_dbm.tif";
    pub const COVERAGE: &str = "coverage.json";
    pub const GAPS: &str = "gaps.json";
    pub const PLAN: &str = "plan.json";
    pub const PROPOSED: &str = "proposed_sites.csv";
    pub const GPKG: &str = "phusong.gpkg";
    pub const PROJECT: &str = "project.qgs";
    pub const SUMMARY: &str = "summary.json";
}

/// How the stages report progress.
pub struct Reporter {
    pub quiet: bool,
}

impl Reporter {
    pub fn log(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
    pub fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta} left)")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what.to_string());
        pb
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Other(format!("serialising JSON: {e}")))
}

fn read_json<T: for<'a> Deserialize<'a>>(path: &Path, hint: &str) -> Result<T> {
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
    pub mean_sinr_db: f64,
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

/// Stage 1: prepare inputs (real or synthetic) into `run_dir/inputs/`.
pub fn stage_synth(s: &Scenario, run_dir: &Path, r: &Reporter) -> Result<Study> {
    let t = std::time::Instant::now();
    let study = Study::prepare(s, run_dir, &|m| r.log(m))?;
    r.log(&format!(
        "inputs: {} sites, {} hamlets, {} communes, {} road lines ({:.1} s); synthetic: {}",
        study.sites.len(),
        study.hamlets.len(),
        study.communes.len(),
        study.roads.len(),
        t.elapsed().as_secs_f64(),
        if study.info.synthetic_layers.is_empty() {
            "none".to_string()
        } else {
            study.info.synthetic_layers.join("; ")
        }
    ));
    Ok(study)
}

/// Computes coverage rasters for `sites` on the study grid.
pub fn coverage_rasters(
    study: &Study,
    sites: &[Site],
    p: &CoverageParams,
    r: &Reporter,
) -> CoverageRasters {
    let pb = r.bar(sites.len() as u64, "coverage");
    let windows = compute_windows(&study.terrain, sites, p, Some(&pb));
    pb.finish_and_clear();
    combine(&study.info.grid, sites, &windows, p)
}

fn roll(study: &Study, rsrp: &Raster<f32>, p: &CoverageParams) -> Rollup {
    rollup(
        rsrp,
        &study.mask,
        &study.commune_of_cell,
        study.communes.len(),
        &study.hamlets,
        p.effective_threshold_dbm(),
    )
}

/// Stage 2: coverage of the existing sites → rasters and `coverage.json`.
pub fn stage_coverage(
    s: &Scenario,
    study: &Study,
    run_dir: &Path,
    r: &Reporter,
) -> Result<CoverageReport> {
    let t = std::time::Instant::now();
    let p = &s.coverage;
    let c = coverage_rasters(study, &study.sites, p, r);
    raster_out::write_cog(&run_dir.join(files::RSRP), &c.rsrp_dbm, "rsrp_dbm")?;
    raster_out::write_cog(&run_dir.join(files::SERVER), &c.server, "serving_site_id")?;
    raster_out::write_cog(&run_dir.join(files::SINR), &c.sinr_db, "sinr_db")?;
    raster_out::write_cog(
        &run_dir.join(files::OVERLAP),
        &c.servers_in_margin,
        "servers_within_6db",
    )?;
    let total = roll(study, &c.rsrp_dbm, p);
    let per_operator = c
        .operators
        .iter()
        .zip(&c.operator_rsrp_dbm)
        .map(|(o, ras)| {
            (
                o.clone(),
                AreaCoverageJson::from(&roll(study, ras, p).total),
            )
        })
        .collect();
    let (mut sum, mut n) = (0.0, 0usize);
    for (i, v) in c.sinr_db.data.iter().enumerate() {
        if study.mask.data[i] == 1 && !v.is_nan() {
            sum += *v as f64;
            n += 1;
        }
    }
    let report = CoverageReport {
        threshold_rsrp_dbm: p.threshold_rsrp_dbm,
        location_reliability_pct: p.model.location_reliability_pct,
        reliability_method: p.model.reliability_method(),
        indoor_margin_db: p.indoor_margin_db,
        sites: study.sites.len(),
        total: (&total.total).into(),
        per_operator,
        mean_sinr_db: if n > 0 { sum / n as f64 } else { f64::NAN },
    };
    atomic::write_string_atomic(&run_dir.join(files::COVERAGE), &to_json(&report)?)?;
    r.log(&format!(
        "coverage: {:.2} % of land, {:.2} % of hamlets, {:.2} % of people at RSRP ≥ {} dBm ({:.1} s)",
        report.total.land_area_covered_pct, report.total.hamlets_covered_pct, report.total.population_covered_pct,
        p.effective_threshold_dbm(), t.elapsed().as_secs_f64()
    ));
    Ok(report)
}

fn read_rsrp(study: &Study, run_dir: &Path, name: &str) -> Result<Raster<f32>> {
    let path = run_dir.join(name);
    if !path.exists() {
        return Err(Error::input(&path, "missing; run `phusong coverage` first"));
    }
    read_raster_to_grid(&path, &study.info.grid, Resample::Nearest)
}

/// Stage 3: gaps — every uncovered hamlet, with its cause → `gaps.json`.
pub fn stage_gaps(s: &Scenario, study: &Study, run_dir: &Path, r: &Reporter) -> Result<Vec<Gap>> {
    let rsrp = read_rsrp(study, run_dir, files::RSRP)?;
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
    atomic::write_string_atomic(&run_dir.join(files::GAPS), &to_json(&gaps)?)?;
    let shadow = gaps
        .iter()
        .filter(|g| g.cause == crate::gaps::GapCause::TerrainShadow)
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

/// One point of the plan's cost curve.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CurvePoint {
    pub towers: usize,
    pub hamlets_covered_pct: f64,
    pub population_covered_pct: f64,
    pub land_area_covered_pct: f64,
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

/// Stage 4: plan new towers → `proposed_sites.csv`, `plan.json`, the after-plan RSRP raster.
pub fn stage_plan(s: &Scenario, study: &Study, run_dir: &Path, r: &Reporter) -> Result<PlanReport> {
    let t = std::time::Instant::now();
    let p = &s.coverage;
    let thr = p.effective_threshold_dbm();
    let grid = &study.info.grid;
    let rsrp = read_rsrp(study, run_dir, files::RSRP)?;
    let before = roll(study, &rsrp, p);
    let covered = |v: f32| !v.is_nan() && v as f64 >= thr;

    // Demand items: uncovered hamlets (weight = population), then uncovered land cells (area weight).
    let uncovered_h: Vec<usize> = (0..study.hamlets.len())
        .filter(|&i| !before.hamlets[i].covered)
        .collect();
    let uncovered_cells: Vec<usize> = (0..grid.len())
        .filter(|&i| study.mask.data[i] == 1 && !covered(rsrp.data[i]))
        .collect();
    let cell_w = grid.cell_area_km2() * s.plan.area_weight_per_km2;
    let mut weight: Vec<f64> = uncovered_h
        .iter()
        .map(|&i| study.hamlets[i].population as f64)
        .collect();
    weight.extend(std::iter::repeat_n(cell_w, uncovered_cells.len()));
    let mut item_of_cell = vec![u32::MAX; grid.len()];
    for (j, &c) in uncovered_cells.iter().enumerate() {
        item_of_cell[c] = (uncovered_h.len() + j) as u32;
    }
    let mut demand_points: Vec<[f64; 2]> = uncovered_h
        .iter()
        .map(|&i| [study.hamlets[i].x_m, study.hamlets[i].y_m])
        .collect();
    demand_points.extend(uncovered_cells.iter().map(|&c| {
        let (x, y) = grid.center(c % grid.nx, c / grid.nx);
        [x, y]
    }));
    let reach_m = s.plan.grid_spacing_m * 2.0;
    let cands: Vec<Candidate> = candidates::generate(
        &study.terrain,
        &study.mask,
        &study.hamlets,
        &uncovered_h,
        &demand_points,
        reach_m,
        &s.plan,
    );
    let first_id = study.sites.iter().map(|s| s.id).max().unwrap_or(0) + 1;
    let towers: Vec<Site> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (lon, lat) = study.proj.unproject(c.x_m, c.y_m)?;
            Ok(candidates::tower(c, first_id + i as u32, &s.plan, lon, lat))
        })
        .collect::<Result<_>>()?;

    // What each candidate would cover.
    let pb = r.bar(towers.len() as u64, "candidates");
    let (terrain, hamlets) = (&study.terrain, &study.hamlets);
    let cover: Vec<Vec<u32>> = towers
        .par_iter()
        .enumerate()
        .map(|(i, tw)| {
            let mut items = Vec::new();
            if let Some(w) = site_window(i, tw, terrain, p) {
                for (k, &h) in uncovered_h.iter().enumerate() {
                    let hm = &hamlets[h];
                    if let Some((ix, iy)) = grid.cell_of(hm.x_m, hm.y_m) {
                        if w.rsrp_at(ix, iy).is_some_and(covered) {
                            items.push(k as u32);
                        }
                    }
                }
                for j in 0..w.ny {
                    for i2 in 0..w.nx {
                        let item = item_of_cell[grid.index(w.ix0 + i2, w.iy0 + j)];
                        if item != u32::MAX && covered(w.rsrp_dbm[j * w.nx + i2]) {
                            items.push(item);
                        }
                    }
                }
            }
            pb.inc(1);
            items
        })
        .collect();
    pb.finish_and_clear();

    let init = vec![false; weight.len()];
    let sel = greedy::lazy_greedy(&cover, &weight, &init, s.plan.budget);
    let bound = greedy::upper_bound(&cover, &weight, &init, &sel, s.plan.budget);

    // Walk the picks: newly covered hamlets, people and land, for the curve and the targets.
    let n_h = study.hamlets.len() as f64;
    let pop_total = before.total.population.max(1) as f64;
    let land_total = before.total.land_cells.max(1) as f64;
    let mut done = vec![false; weight.len()];
    let (mut hc, mut pc, mut lc) = (
        before.total.hamlets_covered,
        before.total.population_covered,
        before.total.land_cells_covered,
    );
    let mut curve = vec![CurvePoint {
        towers: 0,
        hamlets_covered_pct: 100.0 * hc as f64 / n_h.max(1.0),
        population_covered_pct: 100.0 * pc as f64 / pop_total,
        land_area_covered_pct: 100.0 * lc as f64 / land_total,
    }];
    let mut proposed = Vec::new();
    let mut chosen_sites = Vec::new();
    for (rank, (&c, &gain)) in sel.chosen.iter().zip(&sel.gains).enumerate() {
        let (mut nh, mut np) = (0u64, 0u64);
        for &it in &cover[c] {
            let it = it as usize;
            if done[it] {
                continue;
            }
            done[it] = true;
            if it < uncovered_h.len() {
                nh += 1;
                np += study.hamlets[uncovered_h[it]].population as u64;
            } else {
                lc += 1;
            }
        }
        hc += nh;
        pc += np;
        curve.push(CurvePoint {
            towers: rank + 1,
            hamlets_covered_pct: 100.0 * hc as f64 / n_h.max(1.0),
            population_covered_pct: 100.0 * pc as f64 / pop_total,
            land_area_covered_pct: 100.0 * lc as f64 / land_total,
        });
        let tw = &towers[c];
        proposed.push(PlannedTower {
            rank: rank + 1,
            site_id: tw.id,
            x_m: tw.x_m,
            y_m: tw.y_m,
            lon: tw.lon,
            lat: tw.lat,
            ground_m: cands[c].ground_m,
            kind: cands[c].kind.as_str().into(),
            grid_powered: cands[c].grid_powered,
            gain_weight: gain,
            new_hamlets: nh,
            new_population: np,
        });
        chosen_sites.push(tw.clone());
    }
    let mut towers_for_target = BTreeMap::new();
    for &target in &s.plan.targets_pct {
        let k = curve
            .iter()
            .find(|c| c.hamlets_covered_pct + 1e-9 >= target)
            .map(|c| c.towers);
        towers_for_target.insert(format!("{target}"), k);
    }

    // After the plan: existing RSRP combined with the chosen towers.
    let mut after_rsrp = rsrp.clone();
    let windows = compute_windows(&study.terrain, &chosen_sites, p, None);
    for w in &windows {
        for j in 0..w.ny {
            for i in 0..w.nx {
                let v = w.rsrp_dbm[j * w.nx + i];
                let c = &mut after_rsrp.data[grid.index(w.ix0 + i, w.iy0 + j)];
                if !v.is_nan() && (c.is_nan() || v > *c) {
                    *c = v;
                }
            }
        }
    }
    raster_out::write_cog(
        &run_dir.join(files::RSRP_AFTER),
        &after_rsrp,
        "rsrp_after_plan_dbm",
    )?;
    sites_csv::write_sites_csv(&run_dir.join(files::PROPOSED), &chosen_sites)?;
    let after = roll(study, &after_rsrp, p);
    let report = PlanReport {
        budget: s.plan.budget,
        candidates: cands.len(),
        towers: proposed.len(),
        towers_solar: proposed.iter().filter(|t| !t.grid_powered).count(),
        objective_covered: sel.covered_weight.last().copied().unwrap_or(0.0),
        objective_upper_bound: bound,
        towers_for_target,
        after: (&after.total).into(),
        curve,
        proposed,
    };
    atomic::write_string_atomic(&run_dir.join(files::PLAN), &to_json(&report)?)?;
    r.log(&format!(
        "plan: {} towers ({} solar) from {} candidates → {:.2} % of hamlets, {:.2} % of land ({:.1} s)",
        report.towers, report.towers_solar, report.candidates, report.after.hamlets_covered_pct, report.after.land_area_covered_pct, t.elapsed().as_secs_f64()
    ));
    Ok(report)
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

fn summary_coverage(study: &Study, roll: &Rollup) -> SummaryCoverage {
    let unpowered = study
        .hamlets
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

/// Stage 5: the styled GeoPackage, the QGIS project and `summary.json`.
pub fn stage_export(s: &Scenario, study: &Study, run_dir: &Path, r: &Reporter) -> Result<Summary> {
    use crate::export as ex;
    use crate::io::qgis::{write_project, RasterLayer, RasterStyle};
    let p = &s.coverage;
    let epsg = study.info.grid.epsg;
    let cov: CoverageReport = read_json(&run_dir.join(files::COVERAGE), "coverage")?;
    let gaps: Vec<Gap> = read_json(&run_dir.join(files::GAPS), "gaps")?;
    let plan: PlanReport = read_json(&run_dir.join(files::PLAN), "plan")?;
    let before = roll(study, &read_rsrp(study, run_dir, files::RSRP)?, p);
    let after = roll(study, &read_rsrp(study, run_dir, files::RSRP_AFTER)?, p);
    // Drawing order, top first: what a planner acts on (gaps, proposed towers), then context.
    let layers = vec![
        ex::gaps_layer(&gaps, &study.hamlets, epsg),
        ex::proposed_layer(&plan.proposed, epsg),
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
    crate::io::gpkg::write_gpkg(&run_dir.join(files::GPKG), &layers)?;
    let ramp = |classes: Vec<(f64, f64, String, String)>| RasterStyle::Pseudocolor {
        min: classes.first().map_or(-140.0, |c| c.1 - 10.0),
        max: classes.last().map_or(-60.0, |c| c.0 + 10.0),
        stops: classes
            .into_iter()
            .map(|(lo, _, col, label)| (lo.max(-130.0), col, label))
            .collect(),
    };
    let sinr_stops = vec![
        (-5.0, "#d7191c".to_string(), "< 0 dB".to_string()),
        (0.0, "#fdae61".into(), "0–5 dB".into()),
        (5.0, "#ffffbf".into(), "5–10 dB".into()),
        (10.0, "#a6d96a".into(), "10–20 dB".into()),
        (20.0, "#1a9641".into(), "≥ 20 dB".into()),
    ];
    let rasters = vec![
        RasterLayer {
            name: "RSRP after plan (dBm)".into(),
            rel_path: files::RSRP_AFTER.into(),
            style: ramp(ex::rsrp_classes()),
        },
        RasterLayer {
            name: "RSRP (dBm)".into(),
            rel_path: files::RSRP.into(),
            style: ramp(ex::rsrp_classes()),
        },
        RasterLayer {
            name: "SINR (dB)".into(),
            rel_path: files::SINR.into(),
            style: RasterStyle::Pseudocolor {
                stops: sinr_stops,
                min: -5.0,
                max: 25.0,
            },
        },
        RasterLayer {
            name: "Serving site".into(),
            rel_path: files::SERVER.into(),
            style: RasterStyle::Paletted,
        },
        RasterLayer {
            name: "Terrain (m)".into(),
            rel_path: format!("{}/{}", crate::study::files::DIR, crate::study::files::DEM),
            style: RasterStyle::Pseudocolor {
                stops: vec![
                    (0.0, "#1a9850".into(), "0 m".into()),
                    (300.0, "#d9ef8b".into(), "300 m".into()),
                    (1000.0, "#fee08b".into(), "1000 m".into()),
                    (1800.0, "#b35806".into(), "1800 m".into()),
                    (2600.0, "#ffffff".into(), "2600 m".into()),
                ],
                min: 0.0,
                max: 2600.0,
            },
        },
    ];
    write_project(
        &run_dir.join(files::PROJECT),
        epsg,
        files::GPKG,
        &layers,
        &rasters,
    )?;
    let shadow = gaps
        .iter()
        .filter(|g| g.cause == crate::gaps::GapCause::TerrainShadow)
        .count();
    let summary = Summary {
        study: study.info.name.clone(),
        crs: format!("EPSG:{epsg}"),
        resolution_m: study.info.grid.cell_m,
        model: serde_json::to_value(p.model.kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
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
        before: summary_coverage(study, &before),
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
        after: summary_coverage(study, &after),
        towers_for_target: plan.towers_for_target.clone(),
        synthetic_layers: study.info.synthetic_layers.clone(),
        real_layers: study.info.real_layers.clone(),
    };
    atomic::write_string_atomic(&run_dir.join(files::SUMMARY), &to_json(&summary)?)?;
    r.log(&format!(
        "export: {} layers in {}, {}, {}",
        layers.len() + rasters.len(),
        files::GPKG,
        files::PROJECT,
        files::SUMMARY
    ));
    Ok(summary)
}

/// A short human summary of `summary.json`.
pub fn human_summary(s: &Summary) -> String {
    let t = |k: &str| match s.towers_for_target.get(k) {
        Some(Some(n)) => n.to_string(),
        _ => "not reachable".into(),
    };
    format!(
        "{study}: {sites} sites, {hamlets} hamlets ({unp} without grid power), {pop} people, {area:.0} km² of land\n\
         threshold RSRP ≥ {thr} dBm{indoor}, model {model}, reliability: {rel}\n\
         before: {b_land:.2} % of land, {b_ham:.2} % of hamlets ({b_unc} uncovered, {b_unp} of them without power), {b_pop:.2} % of people\n\
         gaps:   {g_sh} in terrain shadow, {g_oor} out of range\n\
         plan:   {towers} new towers ({solar} solar) from {cands} candidates\n\
         after:  {a_land:.2} % of land, {a_ham:.2} % of hamlets ({a_unc} uncovered), {a_pop:.2} % of people\n\
         towers for 95 / 99 / 100 % of hamlets: {t95} / {t99} / {t100}\n\
         synthetic layers: {synth}",
        study = s.study,
        sites = s.sites_existing,
        hamlets = s.hamlets,
        unp = s.hamlets_unpowered,
        pop = s.population,
        area = s.land_area_km2,
        thr = s.threshold_rsrp_dbm,
        indoor = if s.indoor_margin_db > 0.0 { format!(" + {} dB indoor", s.indoor_margin_db) } else { String::new() },
        model = s.model,
        rel = s.reliability_method,
        b_land = s.before.land_area_covered_pct,
        b_ham = s.before.hamlets_covered_pct,
        b_unc = s.before.hamlets_uncovered,
        b_unp = s.before.unpowered_hamlets_uncovered,
        b_pop = s.before.population_covered_pct,
        g_sh = s.gaps.terrain_shadow,
        g_oor = s.gaps.out_of_range,
        towers = s.plan.towers,
        solar = s.plan.towers_solar,
        cands = s.plan.candidates,
        a_land = s.after.land_area_covered_pct,
        a_ham = s.after.hamlets_covered_pct,
        a_unc = s.after.hamlets_uncovered,
        a_pop = s.after.population_covered_pct,
        t95 = t("95"),
        t99 = t("99"),
        t100 = t("100"),
        synth = if s.synthetic_layers.is_empty() { "none".into() } else { s.synthetic_layers.join("; ") },
    )
}

/// Runs every stage in order.
pub fn run_all(s: &Scenario, run_dir: &Path, r: &Reporter) -> Result<Summary> {
    std::fs::create_dir_all(run_dir).map_err(|e| Error::Io {
        context: format!("creating {}", run_dir.display()),
        source: e,
    })?;
    stage_synth(s, run_dir, r)?;
    // Later stages read the inputs back from files, exactly as the stage subcommands do.
    let study = Study::load(run_dir)?;
    stage_coverage(s, &study, run_dir, r)?;
    stage_gaps(s, &study, run_dir, r)?;
    stage_plan(s, &study, run_dir, r)?;
    stage_export(s, &study, run_dir, r)
}
