//! One datasheet per proposed tower (`datasheets/tower-<rank>.html`): where it stands (WGS84 and the
//! study's projected CRS), ground and tower height, sectors, power, commune and the villages it
//! brings to coverage, for a field team to take along.

use super::html::{esc, int};
use super::sections::crs_name;
use super::ReportInputs;
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::radio::Site;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The run-folder path of tower `rank`'s datasheet.
pub fn datasheet_name(rank: usize) -> String {
    format!(
        "{}/tower-{rank}.html",
        crate::run_folder::files::DATASHEETS_DIR
    )
}

/// (run-folder path, HTML) of every proposed tower's datasheet. `proposed_sites.csv` lists the
/// towers in `plan.json`'s order (its reader numbers sites afresh), so the i-th site read is the
/// i-th tower — taken only when it stands at the tower's place.
pub fn datasheets(r: &ReportInputs) -> Vec<(String, String)> {
    r.plan
        .proposed
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let site = r
                .proposed_sites
                .get(i)
                .filter(|s| (s.lon - t.lon).abs() < 1e-9 && (s.lat - t.lat).abs() < 1e-9);
            (datasheet_name(t.rank), sheet(r, t, site))
        })
        .collect()
}

fn sheet(r: &ReportInputs, t: &PlannedTower, site: Option<&Site>) -> String {
    let title = format!("{} — proposed tower {}", r.summary.study, t.rank);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 24px; }} th, td {{ border: 1px solid #bbb; padding: 3px 8px; \
         text-align: left; }} table {{ border-collapse: collapse; margin-bottom: 16px; }} th {{ background: #eee; }}\n\
         </style>\n</head>\n<body>\n<h1>{0}</h1>\n<table id=\"tower\">\n",
        esc(&title)
    );
    let row = |h: &mut String, key: &str, label: &str, value: String| {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td data-key=\"{key}\">{}</td></tr>",
            esc(label),
            esc(&value)
        );
    };
    row(
        &mut h,
        "rank",
        "Rank in the plan (build order)",
        t.rank.to_string(),
    );
    row(&mut h, "site_id", "Site id", t.site_id.to_string());
    row(
        &mut h,
        "name",
        "Name",
        site.map_or(String::new(), |s| s.name.clone()),
    );
    row(
        &mut h,
        "commune",
        "Commune",
        t.commune
            .clone()
            .unwrap_or_else(|| "outside every commune".into()),
    );
    row(
        &mut h,
        "lat",
        "Latitude (WGS84), °",
        format!("{:.6}", t.lat),
    );
    row(
        &mut h,
        "lon",
        "Longitude (WGS84), °",
        format!("{:.6}", t.lon),
    );
    let crs = crs_name(r.study.info.grid.epsg);
    row(
        &mut h,
        "x_m",
        &format!("Easting ({crs}), m"),
        format!("{:.1}", t.x_m),
    );
    row(
        &mut h,
        "y_m",
        &format!("Northing ({crs}), m"),
        format!("{:.1}", t.y_m),
    );
    row(
        &mut h,
        "ground_m",
        "Ground height (study DEM), m",
        format!("{:.1}", t.ground_m),
    );
    row(
        &mut h,
        "height_m",
        "Antenna height above ground, m",
        format!("{}", t.height_m),
    );
    row(
        &mut h,
        "power",
        "Power",
        if t.grid_powered {
            "grid (a grid-powered village within reach)"
        } else {
            "solar (no grid-powered village within reach)"
        }
        .into(),
    );
    row(&mut h, "kind", "Candidate kind", t.kind.clone());
    row(
        &mut h,
        "new_population",
        "People brought to coverage",
        int(t.new_population),
    );
    row(
        &mut h,
        "backhaul",
        "Backhaul",
        "not computed in this plan".into(),
    );
    row(
        &mut h,
        "cost",
        "Capital cost",
        cost_text(&t.cost, &r.plan.cost.currency),
    );
    h.push_str("</table>\n");
    h.push_str(&sectors(site));
    h.push_str(&villages(r, t));
    h.push_str("</body>\n</html>\n");
    h
}

/// "N CUR (tower …, power …, backhaul …); … CUR a year to operate" from `[plan.costs]`.
fn cost_text(c: &phusong_engine::plan::costs::TowerCost, currency: &str) -> String {
    format!(
        "{} {currency} (tower {}, power {}, backhaul {}); {} {currency} a year to operate",
        int(c.total as u64),
        int(c.tower as u64),
        int(c.power as u64),
        int(c.backhaul as u64),
        int(c.yearly_operating as u64)
    )
}

fn sectors(site: Option<&Site>) -> String {
    let Some(site) = site else {
        return "<p>Sectors: not found in proposed_sites.csv.</p>\n".into();
    };
    let mut h = format!(
        "<h2>Sectors ({})</h2>\n<table id=\"sectors\"><tr><th>azimuth, °</th><th>mechanical tilt, °</th>\
         <th>electrical tilt, °</th><th>frequency, MHz</th><th>bandwidth, MHz</th><th>EIRP, dBm</th>\
         <th>horizontal beamwidth, °</th><th>vertical beamwidth, °</th></tr>\n",
        site.sectors.len()
    );
    for s in &site.sectors {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            s.azimuth_deg, s.mech_tilt_deg, s.elec_tilt_deg, s.freq_mhz, s.bandwidth_mhz, s.eirp_dbm,
            s.h_beamwidth_deg, s.v_beamwidth_deg
        );
    }
    h.push_str("</table>\n");
    h
}

fn villages(r: &ReportInputs, t: &PlannedTower) -> String {
    let by_id: BTreeMap<u32, usize> = r
        .study
        .hamlets
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id, i))
        .collect();
    let mut h = format!(
        "<h2>Villages brought to coverage ({})</h2>\n<table id=\"villages\"><tr><th>id</th><th>village</th>\
         <th>commune</th><th>people</th><th>grid power</th><th>cells covered after, %</th></tr>\n",
        t.new_hamlet_ids.len()
    );
    for id in &t.new_hamlet_ids {
        let Some(&i) = by_id.get(id) else { continue };
        let v = &r.study.hamlets[i];
        let commune = v
            .commune
            .and_then(|k| r.study.communes.get(k))
            .map_or("", |c| c.name.as_str());
        let share = r
            .after
            .hamlets
            .get(i)
            .map_or(0.0, |c| c.covered_share * 100.0);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{share:.0}</td></tr>",
            v.id,
            esc(&v.name),
            esc(commune),
            int(v.population as u64),
            if v.grid_power { "yes" } else { "no" }
        );
    }
    h.push_str("</table>\n");
    h
}
