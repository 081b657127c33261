//! Output file names in a run folder (inputs are in [`crate::study::files`]); the QGIS project points
//! at them by relative path, so they never change.

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
pub const COMMUNES_CSV: &str = "communes.csv";
pub const VILLAGES_CSV: &str = "villages.csv";
pub const PROPOSED_KML: &str = "proposed_sites.kml";
pub const REPORT: &str = "report.html";
/// Folder of the proposed towers' datasheets (`datasheets/tower-<rank>.html`).
pub const DATASHEETS_DIR: &str = "datasheets";
