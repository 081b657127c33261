//! The report's sections, each a piece of HTML built from the export stage's structures.

use super::charts::curve_svg;
use super::html::{esc, int, table, Cell};
use super::map::{map_svg, MapInputs};
use super::{datasheet_name, ReportInputs};
use crate::error::Result;
use crate::reports::COMMUNES_CSV_COLUMNS;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The table of contents.
pub fn contents() -> String {
    let links = [
        ("assumptions", "Assumptions"),
        ("headline", "Before and after"),
        ("curves", "Curves"),
        ("map-section", "Map"),
        ("communes", "Communes"),
        ("operators", "Operators"),
        ("gaps", "Gaps"),
        ("proposed", "Proposed towers"),
    ];
    let mut s = String::from("<nav>");
    for (id, label) in links {
        let _ = write!(s, "<a href=\"#{id}\">{label}</a>");
    }
    s.push_str("</nav>\n");
    s
}

/// The value at a dotted path of `summary.json` (as serialised from [`crate::reports::Summary`]).
fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// A headline cell: the `summary.json` value at `path`, shown rounded, with its key and exact value.
fn fig(summary: &Value, path: &str) -> String {
    let v = lookup(summary, path).cloned().unwrap_or(Value::Null);
    let text = match &v {
        Value::Number(n) if n.is_u64() => int(n.as_u64().unwrap_or(0)),
        Value::Number(n) => format!("{:.2}", n.as_f64().unwrap_or(f64::NAN)),
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!(
        "<td class=\"n\" data-json=\"{}\" data-value=\"{}\">{}</td>",
        esc(path),
        esc(&v.to_string()),
        esc(&text)
    )
}

/// Flattens a JSON object into (dotted key, value text) rows.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, x, out);
            }
        }
        Value::String(s) => out.push((prefix.into(), s.clone())),
        other => out.push((prefix.into(), other.to_string())),
    }
}

/// The calibration status: the `[coverage.model.calibration]` terms when the scenario has them
/// (pasted from `phusong calibrate`), else "uncalibrated".
fn calibration_cell(r: &ReportInputs) -> String {
    let c = &r.scenario.coverage.model.calibration;
    if c.is_zero() {
        return "<td id=\"calibration\" class=\"uncalibrated\">uncalibrated: the scenario gives no \
                drive-test calibration; the model runs with the parameters below</td>"
            .into();
    }
    format!(
        "<td id=\"calibration\" class=\"calibrated\">calibrated ([coverage.model.calibration], from \
         <code>phusong calibrate</code>): offset {:+.2} dB, {:+.2} dB/decade of distance, {:+.2} \
         dB/decade of antenna height</td>",
        c.offset_db, c.log_distance_db_per_decade, c.log_height_db_per_decade
    )
}

/// "UTM zone 48N (WGS 84)" for EPSG:326xx / 327xx, else the EPSG code.
pub fn crs_name(epsg: u32) -> String {
    match epsg {
        32601..=32660 => format!("EPSG:{epsg}, UTM zone {}N (WGS 84)", epsg - 32600),
        32701..=32760 => format!("EPSG:{epsg}, UTM zone {}S (WGS 84)", epsg - 32700),
        _ => format!("EPSG:{epsg}"),
    }
}

/// Front page: the model, threshold, reliability, calibration, grid and every synthetic layer.
pub fn assumptions(r: &ReportInputs) -> String {
    let s = r.summary;
    let sv = serde_json::to_value(s).unwrap_or(Value::Null);
    let p = &r.scenario.coverage;
    let g = &r.study.info.grid;
    let mut h = String::from("<section id=\"assumptions\"><h2>Assumptions</h2>\n<table>\n");
    let row = |h: &mut String, label: &str, cell: String| {
        let _ = writeln!(h, "<tr><th>{}</th>{cell}</tr>", esc(label));
    };
    let td = |t: &str| format!("<td>{}</td>", esc(t));
    row(&mut h, "Study", td(&s.study));
    row(&mut h, "Coordinate reference system", td(&crs_name(g.epsg)));
    row(&mut h, "Resolution, m", fig(&sv, "resolution_m"));
    row(&mut h, "Grid", td(&format!("{} × {} cells", g.nx, g.ny)));
    row(&mut h, "Land area, km²", fig(&sv, "land_area_km2"));
    row(&mut h, "Path-loss model", fig(&sv, "model"));
    row(
        &mut h,
        "Coverage threshold (outdoor RSRP), dBm",
        fig(&sv, "threshold_rsrp_dbm"),
    );
    row(&mut h, "Indoor margin, dB", fig(&sv, "indoor_margin_db"));
    row(
        &mut h,
        "Threshold used for coverage, dBm",
        td(&format!("{:.1}", p.effective_threshold_dbm())),
    );
    row(
        &mut h,
        "Location reliability, %",
        fig(&sv, "location_reliability_pct"),
    );
    row(&mut h, "Reliability method", fig(&sv, "reliability_method"));
    row(
        &mut h,
        "A village is covered when this share of its cells is",
        fig(&sv, "village_covered_share"),
    );
    row(&mut h, "Calibration", calibration_cell(r));
    h.push_str("</table>\n");
    h.push_str(&layers(s));
    h.push_str(&parameters(r));
    h.push_str("</section>\n");
    h
}

/// A count as an integer when it is one, else to four decimals.
fn count_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        int(v.abs() as u64)
    } else {
        format!("{v:.4}")
    }
}

/// Synthetic and real layers, the synthesiser's counts and the run's warnings.
fn layers(s: &crate::reports::Summary) -> String {
    let mut h = String::from("<h3>Input layers</h3>\n<ul id=\"layers\">\n");
    for l in &s.synthetic_layers {
        let _ = writeln!(
            h,
            "<li data-synthetic=\"true\"><span class=\"synthetic\">SYNTHETIC</span> {}</li>",
            esc(l)
        );
    }
    for l in &s.real_layers {
        let _ = writeln!(
            h,
            "<li data-synthetic=\"false\"><span class=\"real\">real</span> {}</li>",
            esc(l)
        );
    }
    h.push_str("</ul>\n");
    if !s.synthetic_layers.is_empty() {
        h.push_str(
            "<p class=\"note\">Figures that depend on a synthetic layer describe a plausible study area, \
             not the real one: replace the layer with real data before acting on them.</p>\n",
        );
    }
    if !s.synthetic_counts.is_empty() {
        let rows = s
            .synthetic_counts
            .iter()
            .map(|c| {
                let how = if c.derived {
                    "derived"
                } else {
                    "given by the scenario"
                };
                (
                    String::new(),
                    vec![
                        Cell::text(&c.key),
                        Cell::num(count_text(c.value), c.value),
                        Cell::text(how),
                        Cell::text(&c.rule),
                    ],
                )
            })
            .collect();
        h.push_str(
            "<details><summary>Synthesiser counts (how each synthetic count was set)</summary>\n",
        );
        h.push_str(&table(
            "synthetic-counts",
            &["key", "value", "source", "rule"],
            rows,
        ));
        h.push_str("</details>\n");
    }
    let _ = writeln!(
        h,
        "<h3>Warnings ({})</h3>\n<ul id=\"warnings\">",
        s.warnings.len()
    );
    for w in &s.warnings {
        let _ = writeln!(h, "<li>{}</li>", esc(w));
    }
    h.push_str("</ul>\n");
    h
}

/// Every coverage and plan parameter of the scenario as run.
fn parameters(r: &ReportInputs) -> String {
    let mut rows = Vec::new();
    let cov = serde_json::to_value(&r.scenario.coverage).unwrap_or(Value::Null);
    flatten("coverage", &cov, &mut rows);
    let plan = serde_json::to_value(&r.scenario.plan).unwrap_or(Value::Null);
    flatten("plan", &plan, &mut rows);
    let rows = rows
        .into_iter()
        .map(|(k, v)| (String::new(), vec![Cell::text(k), Cell::text(v)]))
        .collect();
    format!(
        "<details><summary>Every model and plan parameter (scenario as run)</summary>\n{}</details>\n",
        table("parameters", &["parameter", "value"], rows)
    )
}

/// Headline numbers before and after the plan, from `summary.json`'s structure.
pub fn headline(r: &ReportInputs) -> String {
    let sv = serde_json::to_value(r.summary).unwrap_or(Value::Null);
    let mut h = String::from(
        "<section id=\"headline\"><h2>Before and after the plan</h2>\n<table class=\"headline\">\n",
    );
    h.push_str("<tr><th>Study</th><th></th></tr>\n");
    for (label, key) in [
        ("Villages (thôn/bản)", "hamlets"),
        ("Villages without grid power", "hamlets_unpowered"),
        ("People", "population"),
        ("Communes", "communes"),
        ("Existing sites", "sites_existing"),
    ] {
        let _ = writeln!(h, "<tr><th>{label}</th>{}</tr>", fig(&sv, key));
    }
    h.push_str("</table>\n<table class=\"headline\" id=\"before-after\">\n<tr><th></th><th>before</th><th>after</th></tr>\n");
    for (label, key) in [
        ("Villages covered", "hamlets_covered"),
        ("Villages covered, %", "hamlets_covered_pct"),
        ("Villages partially covered", "hamlets_partial"),
        ("Villages uncovered", "hamlets_uncovered"),
        ("Villages without any signal", "hamlets_without_signal"),
        (
            "Uncovered villages without grid power",
            "unpowered_hamlets_uncovered",
        ),
        ("People covered, %", "population_covered_pct"),
        ("Land covered, %", "land_area_covered_pct"),
    ] {
        let _ = writeln!(
            h,
            "<tr><th>{label}</th>{}{}</tr>",
            fig(&sv, &format!("before.{key}")),
            fig(&sv, &format!("after.{key}"))
        );
    }
    let _ = writeln!(
        h,
        "<tr><th>New towers</th><td class=\"n\">0</td>{}</tr>",
        fig(&sv, "plan.towers")
    );
    let _ = writeln!(
        h,
        "<tr><th>of which solar</th><td class=\"n\">0</td>{}</tr>",
        fig(&sv, "plan.towers_solar")
    );
    let _ = writeln!(
        h,
        "<tr><th>Tower budget</th><td></td>{}</tr>",
        fig(&sv, "plan.budget")
    );
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">A cell is covered at RSRP ≥ {:.1} dBm; a village when at least {:.0} % of its \
         cells are; people are spread over their village's cells. Gaps: {} in terrain shadow, {} out of \
         range ({} without grid power). The plan is {}.</p>",
        r.scenario.coverage.effective_threshold_dbm(),
        r.summary.village_covered_share * 100.0,
        r.summary.gaps.terrain_shadow,
        r.summary.gaps.out_of_range,
        r.summary.gaps.without_grid_power,
        if r.summary.plan.proven_optimal { "proven optimal (HiGHS)" } else { "not proven optimal (see plan.json)" }
    );
    h.push_str("</section>\n");
    h
}

/// Target keys sorted by their numeric value ("95" before "100").
fn numeric_keys<T>(m: &BTreeMap<String, T>) -> Vec<&String> {
    let mut keys: Vec<&String> = m.keys().collect();
    let num = |k: &str| k.parse::<f64>().unwrap_or(f64::INFINITY);
    keys.sort_by(|a, b| num(a).total_cmp(&num(b)));
    keys
}

/// The plan's curve and the fewest towers for each target.
pub fn curves(r: &ReportInputs) -> String {
    let sv = serde_json::to_value(r.summary).unwrap_or(Value::Null);
    let mut h = String::from("<section id=\"curves\"><h2>Coverage against new towers</h2>\n");
    h.push_str(&curve_svg(&r.plan.curve));
    let c = &r.plan.cost;
    if c.total > 0.0 {
        h.push_str(&super::charts::cost_curve_svg(
            &r.plan.curve,
            &c.cumulative,
            &c.currency,
        ));
        let _ = writeln!(
            h,
            "<p class=\"note\">Coverage after the first n proposed towers in build order, against their \
             number and their cumulative capital cost (plan.json: curve, cost.cumulative): \
             <span id=\"cost-total\">{}</span> {} in all ({} for power, {} for backhaul), {} {} a year \
             to operate. Costs are the scenario's <code>[plan.costs]</code>, illustrative unless set \
             from real quotes.</p>",
            int(c.total as u64),
            esc(&c.currency),
            int(c.power as u64),
            int(c.backhaul as u64),
            int(c.yearly_operating as u64),
            esc(&c.currency)
        );
    } else {
        h.push_str(
            "<p class=\"note\">Coverage after the first n proposed towers in build order (plan.json: curve). \
             Cost: plan.json carries no cost figures for this scenario, so no cost curve is drawn.</p>\n",
        );
    }
    let s = r.summary;
    let keys: Vec<String> = s
        .towers_for_target
        .values()
        .next()
        .map(|m| numeric_keys(m).into_iter().cloned().collect())
        .unwrap_or_default();
    h.push_str(
        "<h3>Fewest new towers for each target</h3>\n<table id=\"targets\"><tr><th>measure</th>",
    );
    for k in &keys {
        let _ = write!(h, "<th>{} %</th>", esc(k));
    }
    h.push_str("<th>most reachable, %</th></tr>\n");
    for (m, label) in [
        ("hamlets", "villages"),
        ("population", "people"),
        ("land_area", "land"),
    ] {
        let _ = write!(h, "<tr><th>{label}</th>");
        for k in &keys {
            h.push_str(&fig(&sv, &format!("towers_for_target.{m}.{k}")));
        }
        let _ = writeln!(h, "{}</tr>", fig(&sv, &format!("reachable_pct.{m}")));
    }
    h.push_str("</table>\n<p class=\"note\">— : not reachable from the candidate towers.</p>\n</section>\n");
    h
}

/// The map drawn by phusong.
pub fn map(r: &ReportInputs) -> Result<String> {
    let st = r.study;
    let svg = map_svg(&MapInputs {
        grid: &st.info.grid,
        mask: &st.mask,
        rsrp_dbm: r.rsrp_before_dbm,
        threshold_dbm: r.scenario.coverage.effective_threshold_dbm(),
        communes: &st.communes,
        hamlets: &st.hamlets,
        gaps: r.gaps,
        sites: &st.sites,
        proposed: &r.plan.proposed,
    })?;
    Ok(format!(
        "<section id=\"map-section\"><h2>Map: coverage before the plan, gaps and proposed towers</h2>\n{svg}\
         <p class=\"note\">Best-server RSRP of the existing sites, one grid cell per pixel centre \
         (nearest sample); the break between orange and green is the coverage threshold. Grid north is up.</p>\n</section>\n"
    ))
}

/// Per-commune table: the rows of `communes.csv`, cell for cell.
pub fn communes(r: &ReportInputs) -> String {
    let rows =
        crate::reports::communes_rows(&r.study.communes, &r.before.communes, &r.after.communes);
    let rows = rows
        .into_iter()
        .map(|row| {
            let attrs = format!(" data-code=\"{}\"", esc(&row[0]));
            let cells = row
                .into_iter()
                .zip(COMMUNES_CSV_COLUMNS)
                .map(|(v, col)| {
                    match v.parse::<f64>() {
                        Ok(x) if col != "code" && col != "name" => Cell::num(v, x),
                        _ => Cell::text(v),
                    }
                    .attr("data-col", col)
                })
                .collect();
            (attrs, cells)
        })
        .collect();
    let headers = [
        "code",
        "name",
        "census people",
        "land km²",
        "land % before",
        "land % after",
        "villages",
        "villages covered before",
        "villages partial before",
        "villages covered after",
        "people",
        "people covered before",
        "people % before",
        "people % after",
    ];
    format!(
        "<section id=\"communes\"><h2>Communes</h2>\n<p class=\"note\">The rows of communes.csv; click a \
         header to sort.</p>\n<div class=\"scroll\">{}</div>\n</section>\n",
        table("communes-table", &headers, rows)
    )
}

/// Per-operator coverage: each operator's own network (coverage.json) and who serves the covered
/// cells and people best (serving-site raster).
pub fn operators(r: &ReportInputs) -> String {
    let best = best_server_shares(r);
    let mut sites: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &r.study.sites {
        *sites.entry(s.operator.as_str()).or_insert(0) += 1;
    }
    let mut ops: Vec<&str> = sites.keys().copied().collect();
    ops.extend(r.coverage.per_operator.keys().map(String::as_str));
    ops.extend(best.by_operator.keys().map(String::as_str));
    ops.sort();
    ops.dedup();
    let pct = |x: u64, n: u64| {
        if n == 0 {
            0.0
        } else {
            100.0 * x as f64 / n as f64
        }
    };
    let mut rows = Vec::new();
    for op in &ops {
        let own = r.coverage.per_operator.get(*op);
        let (cells, people) = best.by_operator.get(*op).copied().unwrap_or((0, 0));
        let own_cell = |f: fn(&crate::reports::AreaCoverageJson) -> f64| {
            own.map_or(Cell::text("—"), |o| {
                Cell::num(format!("{:.2}", f(o)), f(o))
            })
        };
        rows.push((
            format!(" data-operator=\"{}\"", esc(op)),
            vec![
                Cell::text(*op),
                Cell::num(
                    int(sites.get(op).copied().unwrap_or(0) as u64),
                    sites.get(op).copied().unwrap_or(0) as f64,
                ),
                own_cell(|o| o.land_area_covered_pct),
                own_cell(|o| o.hamlets_covered_pct),
                own_cell(|o| o.population_covered_pct),
                Cell::num(
                    format!("{:.2}", pct(cells, best.cells)),
                    pct(cells, best.cells),
                )
                .attr("data-cells", &cells.to_string()),
                Cell::num(
                    format!("{:.2}", pct(people, best.people)),
                    pct(people, best.people),
                )
                .attr("data-people", &people.to_string()),
            ],
        ));
    }
    let headers = [
        "operator",
        "sites",
        "own network: land %",
        "own network: villages %",
        "own network: people %",
        "covered land best served, %",
        "covered people best served, %",
    ];
    format!(
        "<section id=\"operators\"><h2>Operators</h2>\n{}<p class=\"note\" id=\"operators-total\" \
         data-cells=\"{}\" data-people=\"{}\">“Own network”: the coverage each operator's sites give alone, \
         as if no subscriber could roam (coverage.json: per_operator). “Best served”: of the {} covered land \
         cells and {} people in covered cells before the plan, the share whose strongest server (serving_site.tif) \
         belongs to the operator — who carries the signal, not market share.</p>\n</section>\n",
        table("operators-table", &headers, rows),
        best.cells,
        best.people,
        int(best.cells),
        int(best.people)
    )
}

/// The gaps: every village below the share rule, its cause and power.
pub fn gaps(r: &ReportInputs) -> String {
    let st = r.study;
    let rows = r
        .gaps
        .iter()
        .filter_map(|g| st.hamlets.get(g.hamlet).map(|h| (g, h)))
        .map(|(g, h)| {
            let commune = h
                .commune
                .and_then(|k| st.communes.get(k))
                .map_or("", |c| c.name.as_str());
            let rsrp = g.best_rsrp_dbm.map_or(Cell::text("—"), |v| {
                Cell::num(format!("{v:.1}"), v as f64)
            });
            let near = g.nearest_site_m.map_or(Cell::text("—"), |m| {
                Cell::num(format!("{:.2}", m / 1000.0), m)
            });
            (
                format!(" data-hamlet=\"{}\"", h.id),
                vec![
                    Cell::num(h.id.to_string(), h.id as f64),
                    Cell::text(&h.name),
                    Cell::text(commune),
                    Cell::num(int(g.population as u64), g.population as f64),
                    Cell::text(g.cause.as_str()),
                    Cell::text(if g.grid_power {
                        "grid"
                    } else {
                        "no grid power"
                    }),
                    Cell::num(format!("{:.0}", g.covered_share * 100.0), g.covered_share),
                    rsrp,
                    near,
                ],
            )
        })
        .collect();
    let headers = [
        "id",
        "village",
        "commune",
        "people",
        "cause",
        "power",
        "cells covered, %",
        "median RSRP, dBm",
        "nearest site, km",
    ];
    format!(
        "<section id=\"gaps\"><h2>Gaps ({})</h2>\n<p class=\"note\">Villages below the share rule before the \
         plan (gaps.json). Terrain shadow: a site would reach the threshold over flat ground but the terrain \
         takes it below; out of range: too far from every site.</p>\n<div class=\"scroll\">{}</div>\n</section>\n",
        r.gaps.len(),
        table("gaps-table", &headers, rows)
    )
}

/// The proposed towers with commune, villages served and power; links to their datasheets.
pub fn proposed(r: &ReportInputs) -> String {
    let by_id: BTreeMap<u32, &phusong_engine::demand::Hamlet> =
        r.study.hamlets.iter().map(|h| (h.id, h)).collect();
    let rows = r
        .plan
        .proposed
        .iter()
        .map(|t| {
            let villages: Vec<String> = t
                .new_hamlet_ids
                .iter()
                .map(|id| by_id.get(id).map_or(format!("#{id}"), |h| h.name.clone()))
                .collect();
            let link = format!("<a href=\"{0}\">{0}</a>", esc(&datasheet_name(t.rank)));
            (
                format!(" data-rank=\"{}\"", t.rank),
                vec![
                    Cell::num(t.rank.to_string(), t.rank as f64),
                    Cell::text(t.commune.clone().unwrap_or_default()),
                    Cell::num(format!("{:.5}", t.lat), t.lat),
                    Cell::num(format!("{:.5}", t.lon), t.lon),
                    Cell::num(format!("{:.0}", t.ground_m), t.ground_m as f64),
                    Cell::num(format!("{}", t.height_m), t.height_m),
                    Cell::text(if t.grid_powered { "grid" } else { "solar" }),
                    Cell::text(&t.kind),
                    Cell::num(t.new_hamlets.to_string(), t.new_hamlets as f64),
                    Cell::num(int(t.new_population), t.new_population as f64),
                    Cell::num(int(t.cost.total as u64), t.cost.total),
                    Cell::text(villages.join(", ")),
                    Cell::html(link),
                ],
            )
        })
        .collect();
    let headers = [
        "rank",
        "commune",
        "lat",
        "lon",
        "ground, m",
        "tower, m",
        "power",
        "candidate kind",
        "villages brought to coverage",
        "their people",
        "capital cost",
        "villages",
        "datasheet",
    ];
    format!(
        "<section id=\"proposed\"><h2>Proposed towers ({})</h2>\n<p class=\"note\">In build order: each adds \
         the most given the ones before it; the villages listed are those it brings to coverage first. \
         Capital cost: tower by height plus grid connection or solar kit ([plan.costs]); backhaul is not \
         planned yet.</p>\n<div class=\"scroll\">{}</div>\n</section>\n",
        r.plan.proposed.len(),
        table("proposed-table", &headers, rows)
    )
}

/// Covered cells and people before the plan, by the operator of their strongest server.
pub struct BestServer {
    /// Operator → (covered land cells, people in covered village cells).
    pub by_operator: BTreeMap<String, (u64, u64)>,
    pub cells: u64,
    pub people: u64,
}

/// Counts covered land cells and the people in covered village cells by the operator of the
/// serving site; the totals equal the roll-up's covered land cells and covered people.
pub fn best_server_shares(r: &ReportInputs) -> BestServer {
    let t = r.scenario.coverage.effective_threshold_dbm();
    let covered = |v: f32| !v.is_nan() && v as f64 >= t;
    let op_of: BTreeMap<u32, &str> = r
        .study
        .sites
        .iter()
        .map(|s| (s.id, s.operator.as_str()))
        .collect();
    let operator = |cell: usize| -> String {
        let id = r.server.data[cell];
        let known = (id.is_finite() && id >= 1.0)
            .then(|| op_of.get(&(id as u32)))
            .flatten();
        known.map_or_else(|| "unknown server".to_string(), |o| o.to_string())
    };
    let mut b = BestServer {
        by_operator: BTreeMap::new(),
        cells: 0,
        people: 0,
    };
    for (i, &m) in r.study.mask.data.iter().enumerate() {
        if m == 1 && covered(r.rsrp_before_dbm.data[i]) {
            b.by_operator.entry(operator(i)).or_insert((0, 0)).0 += 1;
            b.cells += 1;
        }
    }
    for cells in &r.study.village_cells.cells {
        for &(c, p) in cells {
            if covered(r.rsrp_before_dbm.data[c]) {
                b.by_operator.entry(operator(c)).or_insert((0, 0)).1 += p as u64;
                b.people += p as u64;
            }
        }
    }
    b
}
