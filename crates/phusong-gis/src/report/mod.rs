//! `report.html`: the study's story in one self-contained file (inline CSS, JS, SVG and PNG; no
//! network, no external fonts) — assumptions, headline numbers before and after the plan, the plan's
//! curves, the map drawn by phusong, per-commune and per-operator tables, the gap list and the
//! proposed towers — and one datasheet per proposed tower (`datasheets/tower-<rank>.html`).
//!
//! Every figure is taken from the structures the export stage writes to `summary.json`,
//! `communes.csv`, `plan.json` and `gaps.json`, never recomputed another way; headline cells carry
//! `data-json` (their key in `summary.json`) and `data-value` (the value as `summary.json` writes it)
//! so a test can hold them to the file.

mod charts;
mod datasheet;
pub mod html;
pub mod map;
mod sections;

use crate::error::Result;
use crate::reports::{CoverageReport, PlanReport, Summary};
use crate::scenario::Scenario;
use crate::study::Study;
use phusong_engine::coverage::rollup::Rollup;
use phusong_engine::gaps::Gap;
use phusong_engine::grid::Raster;
use phusong_engine::radio::Site;

pub use datasheet::{datasheet_name, datasheets};

/// What the report reads: the export stage's structures.
pub struct ReportInputs<'a> {
    pub scenario: &'a Scenario,
    pub study: &'a Study,
    pub summary: &'a Summary,
    pub coverage: &'a CoverageReport,
    pub gaps: &'a [Gap],
    pub plan: &'a PlanReport,
    pub before: &'a Rollup,
    pub after: &'a Rollup,
    /// Best-server RSRP before the plan on the study grid, dBm (NaN: no server).
    pub rsrp_before_dbm: &'a Raster<f32>,
    /// Serving site id per cell before the plan (NaN or 0: none).
    pub server: &'a Raster<f32>,
    /// The proposed towers with their sectors (`proposed_sites.csv`).
    pub proposed_sites: &'a [Site],
}

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// The whole `report.html`.
pub fn report_html(r: &ReportInputs) -> Result<String> {
    let s = r.summary;
    let title = format!("phusong report — {}", s.study);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>\n{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        html::esc(&title),
        html::esc(&title)
    );
    h.push_str(&sections::contents());
    h.push_str(&sections::assumptions(r));
    h.push_str(&sections::headline(r));
    h.push_str(&sections::curves(r));
    h.push_str(&sections::map(r)?);
    h.push_str(&sections::communes(r));
    h.push_str(&sections::operators(r));
    h.push_str(&sections::gaps(r));
    h.push_str(&sections::proposed(r));
    h.push_str(&format!(
        "<footer>Written by phusong {} from the files of this run folder (summary.json, communes.csv, \
         plan.json, gaps.json, coverage rasters).</footer>\n<script>\n{JS}</script>\n</body>\n</html>\n",
        crate::pipeline::VERSION
    ));
    Ok(h)
}
