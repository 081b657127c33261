//! Turning study results into styled output layers (GeoPackage + QGIS project).

use crate::io::layer::{FieldKind as K, Layer, Marker, Style, Value as V};
use geo::{Geometry, Point};
use phusong_engine::coverage::rollup::{AreaCoverage, HamletCoverage};
use phusong_engine::demand::{Commune, Hamlet};
use phusong_engine::gaps::Gap;
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::radio::Site;

fn rsrp_value(v: Option<f32>) -> V {
    v.map_or(V::Null, |v| V::Real((v as f64 * 100.0).round() / 100.0))
}

/// Village polygons (their settled areas). The first fields (`name`, `population`, `grid_power`)
/// are what `io::vector_in::read_hamlets` reads back; coverage fields are added when given: the
/// median RSRP over the village's cells, the share of its cells covered (0–1) and whether that
/// share reaches the village threshold, before and after the plan.
pub fn hamlets_layer(
    hamlets: &[Hamlet],
    epsg: u32,
    cov: Option<(&[HamletCoverage], Option<&[HamletCoverage]>)>,
) -> Layer {
    let mut fields = vec![
        ("hamlet_id", K::Integer),
        ("name", K::Text),
        ("population", K::Integer),
        ("grid_power", K::Boolean),
        ("commune", K::Integer),
    ];
    if cov.is_some() {
        fields.extend([
            ("rsrp_dbm", K::Real),
            ("covered_share_before", K::Real),
            ("covered_before", K::Boolean),
            ("rsrp_after_dbm", K::Real),
            ("covered_share_after", K::Real),
            ("covered_after", K::Boolean),
        ]);
    }
    let style = match cov {
        Some(_) => Style::Categorized {
            field: "covered_before".into(),
            classes: vec![
                ("1".into(), "#1a9641".into(), "covered".into()),
                ("0".into(), "#d7191c".into(), "not covered".into()),
            ],
        },
        None => Style::Single {
            color: "#3182bd".into(),
            size_mm: 1.2,
        },
    };
    let mut l = Layer::new("hamlets", epsg, &fields, style);
    for (i, h) in hamlets.iter().enumerate() {
        let mut vals = vec![
            V::Integer(h.id as i64),
            V::Text(h.name.clone()),
            V::Integer(h.population as i64),
            V::Boolean(h.grid_power),
            h.commune.map_or(V::Null, |c| V::Integer(c as i64)),
        ];
        if let Some((before, after)) = cov {
            let share = |s: f64| V::Real((s * 10_000.0).round() / 10_000.0);
            let b = &before[i];
            vals.push(rsrp_value(b.rsrp_dbm));
            vals.push(share(b.covered_share));
            vals.push(V::Boolean(b.covered));
            let a = after.map(|a| &a[i]);
            vals.push(rsrp_value(a.and_then(|a| a.rsrp_dbm)));
            vals.push(a.map_or(V::Null, |a| share(a.covered_share)));
            vals.push(a.map_or(V::Null, |a| V::Boolean(a.covered)));
        }
        l.features
            .push((Geometry::MultiPolygon(h.area.clone()), vals));
    }
    l
}

/// Commune polygons; with coverage stats (before and after the plan) when given. Shares of hamlets or
/// people are null (not 0 %) in a commune without hamlets.
pub fn communes_layer(
    communes: &[Commune],
    epsg: u32,
    stats: Option<(&[AreaCoverage], &[AreaCoverage])>,
) -> Layer {
    let mut fields = vec![
        ("code", K::Text),
        ("name", K::Text),
        ("census_population", K::Integer),
    ];
    if stats.is_some() {
        fields.extend([
            ("area_km2", K::Real),
            ("area_covered_pct", K::Real),
            ("hamlets", K::Integer),
            ("hamlets_covered_pct", K::Real),
            ("population", K::Integer),
            ("population_covered_pct", K::Real),
            ("population_covered_after_pct", K::Real),
        ]);
    }
    let style = match stats {
        Some(_) => Style::Graduated {
            field: "population_covered_pct".into(),
            ranges: vec![
                (0.0, 80.0, "#d7191c".into(), "< 80 % of people".into()),
                (80.0, 95.0, "#fdae61".into(), "80–95 %".into()),
                (95.0, 99.0, "#a6d96a".into(), "95–99 %".into()),
                (99.0, 100.01, "#1a9641".into(), "≥ 99 %".into()),
            ],
        },
        None => Style::Single {
            color: "#bdbdbd".into(),
            size_mm: 0.3,
        },
    };
    let mut l = Layer::new("communes", epsg, &fields, style);
    let r2 = |x: f64| V::Real((x * 100.0).round() / 100.0);
    for (i, c) in communes.iter().enumerate() {
        let mut vals = vec![
            V::Text(c.code.clone()),
            V::Text(c.name.clone()),
            c.population.map_or(V::Null, |p| V::Integer(p as i64)),
        ];
        if let Some((before, after)) = stats {
            let (b, a) = (&before[i], &after[i]);
            vals.extend([
                r2(b.land_area_km2),
                r2(b.land_area_covered_pct),
                V::Integer(b.hamlets as i64),
                if b.hamlets == 0 {
                    V::Null
                } else {
                    r2(b.hamlets_covered_pct)
                },
                V::Integer(b.population as i64),
                if b.population == 0 {
                    V::Null
                } else {
                    r2(b.population_covered_pct)
                },
                if a.population == 0 {
                    V::Null
                } else {
                    r2(a.population_covered_pct)
                },
            ]);
        }
        l.features
            .push((Geometry::MultiPolygon(c.geometry.clone()), vals));
    }
    l
}

/// Existing sites, coloured by operator.
pub fn sites_layer(sites: &[Site], epsg: u32) -> Layer {
    let fields = [
        ("site_id", K::Integer),
        ("name", K::Text),
        ("operator", K::Text),
        ("height_m", K::Real),
        ("sectors", K::Integer),
        ("freq_mhz", K::Real),
        ("eirp_dbm", K::Real),
    ];
    // Operator colours avoid the gaps' magenta and red; the layer is off when the project opens.
    let palette = [
        "#1f78b4", "#ff7f00", "#33a02c", "#a6761d", "#666666", "#b15928",
    ];
    let ops = phusong_engine::coverage::combine::operators_of(sites);
    let classes = ops
        .iter()
        .enumerate()
        .map(|(i, o)| (o.clone(), palette[i % palette.len()].to_string(), o.clone()))
        .collect();
    let mut l = Layer::new(
        "sites_existing",
        epsg,
        &fields,
        Style::Categorized {
            field: "operator".into(),
            classes,
        },
    );
    // Small triangles: existing sites never look like the proposed towers' large stars.
    l.marker = Marker {
        shape: "triangle",
        size_mm: 2.0,
        outline: "#303030".into(),
        outline_width_mm: 0.2,
    };
    for s in sites {
        let f = s.sectors.first();
        l.features.push((
            Geometry::Point(Point::new(s.x_m, s.y_m)),
            vec![
                V::Integer(s.id as i64),
                V::Text(s.name.clone()),
                V::Text(s.operator.clone()),
                V::Real(s.height_m),
                V::Integer(s.sectors.len() as i64),
                f.map_or(V::Null, |f| V::Real(f.freq_mhz)),
                f.map_or(V::Null, |f| V::Real(f.eirp_dbm)),
            ],
        ));
    }
    l
}

/// Proposed towers: large stars, black on grid power, white on solar (black outline), so they
/// cannot be taken for existing sites (small triangles) nor for a coverage class. Costs are in
/// `currency` (`[plan.costs]`; backhaul 0 until backhaul is planned).
pub fn proposed_layer(p: &[PlannedTower], currency: &str, epsg: u32) -> Layer {
    let fields = [
        ("rank", K::Integer),
        ("site_id", K::Integer),
        ("kind", K::Text),
        ("power", K::Text),
        ("ground_m", K::Real),
        ("height_m", K::Real),
        ("commune", K::Text),
        ("gain_weight", K::Real),
        ("new_hamlets", K::Integer),
        ("new_population", K::Integer),
        ("new_hamlet_ids", K::Text),
        ("grid_distance_m", K::Real),
        ("currency", K::Text),
        ("cost_tower", K::Real),
        ("cost_power", K::Real),
        ("cost_backhaul", K::Real),
        ("cost_total", K::Real),
        ("cost_yearly_operating", K::Real),
    ];
    let style = Style::Categorized {
        field: "power".into(),
        classes: vec![
            (
                "grid".into(),
                "#000000".into(),
                "new tower, grid power".into(),
            ),
            ("solar".into(), "#ffffff".into(), "new tower, solar".into()),
        ],
    };
    let mut l = Layer::new("sites_proposed", epsg, &fields, style);
    l.marker = Marker {
        shape: "star",
        size_mm: 6.0,
        outline: "#000000".into(),
        outline_width_mm: 0.4,
    };
    for q in p {
        l.features.push((
            Geometry::Point(Point::new(q.x_m, q.y_m)),
            vec![
                V::Integer(q.rank as i64),
                V::Integer(q.site_id as i64),
                V::Text(q.kind.clone()),
                V::Text(if q.grid_powered { "grid" } else { "solar" }.into()),
                V::Real(q.ground_m as f64),
                V::Real(q.height_m),
                q.commune.clone().map_or(V::Null, V::Text),
                V::Real((q.gain_weight * 10.0).round() / 10.0),
                V::Integer(q.new_hamlets as i64),
                V::Integer(q.new_population as i64),
                V::Text(
                    q.new_hamlet_ids
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                q.grid_distance_m.map_or(V::Null, V::Real),
                V::Text(currency.into()),
                V::Real(q.cost.tower),
                V::Real(q.cost.power),
                V::Real(q.cost.backhaul),
                V::Real(q.cost.total),
                V::Real(q.cost.yearly_operating),
            ],
        ));
    }
    l
}

pub fn gaps_layer(gaps: &[Gap], hamlets: &[Hamlet], epsg: u32) -> Layer {
    let fields = [
        ("hamlet_id", K::Integer),
        ("name", K::Text),
        ("population", K::Integer),
        ("grid_power", K::Boolean),
        ("covered_share", K::Real),
        ("best_rsrp_dbm", K::Real),
        ("nearest_site_km", K::Real),
        ("nearest_site_id", K::Integer),
        ("cause", K::Text),
    ];
    let style = Style::Categorized {
        field: "cause".into(),
        classes: vec![
            (
                "out-of-range".into(),
                "#ff00ff".into(),
                "uncovered village: out of range".into(),
            ),
            (
                "terrain-shadow".into(),
                "#e31a1c".into(),
                "uncovered village: terrain shadow".into(),
            ),
        ],
    };
    let mut l = Layer::new("gaps", epsg, &fields, style);
    // Magenta and red circles, black-outlined: hues the coverage classes (grey, blue–green–yellow) do not use.
    l.marker = Marker {
        shape: "circle",
        size_mm: 3.2,
        outline: "#000000".into(),
        outline_width_mm: 0.4,
    };
    for g in gaps {
        let h = &hamlets[g.hamlet];
        l.features.push((
            Geometry::Point(Point::new(h.x_m, h.y_m)),
            vec![
                V::Integer(h.id as i64),
                V::Text(h.name.clone()),
                V::Integer(g.population as i64),
                V::Boolean(g.grid_power),
                V::Real((g.covered_share * 10_000.0).round() / 10_000.0),
                rsrp_value(g.best_rsrp_dbm),
                g.nearest_site_m
                    .map_or(V::Null, |d| V::Real((d / 10.0).round() / 100.0)),
                g.nearest_site_id.map_or(V::Null, |i| V::Integer(i as i64)),
                V::Text(g.cause.as_str().into()),
            ],
        ));
    }
    l
}

/// Layers switched on when the QGIS project opens: the planner's question — coverage before the
/// plan, the gaps and the proposed towers; the rest is in the project, grouped and switched off.
pub const SHOWN_ON_OPENING: [&str; 3] = [RSRP_BEFORE, "gaps", "sites_proposed"];

const RSRP_BEFORE: &str = "RSRP (dBm)";
const RSRP_AFTER: &str = "RSRP after plan (dBm)";
const SINR: &str = "SINR (dB)";
const SERVER: &str = "Serving site";
const OVERLAP: &str = "Servers within 6 dB";
const HEIGHTS: &str = "Terrain (m)";
const HILLSHADE: &str = "Hillshade";
const CLUTTER: &str = "Land cover (clutter)";

/// Legend of a clutter class table: each class's code, a colour by its P.2108 type (else its
/// P.1812 category) and its name.
pub fn clutter_palette(
    table: &phusong_engine::clutter::ClutterTable,
) -> Vec<(i64, String, String)> {
    use phusong_engine::propagation::p1812::ClutterCategory as C;
    use phusong_engine::propagation::p2108::P2108Clutter as P;
    table
        .classes
        .iter()
        .map(|c| {
            let colour = match (c.p2108, c.p1812) {
                (Some(P::WaterSea), _) | (None, C::WaterSea) => "#4a90d9",
                (Some(P::OpenRural), _) | (None, C::OpenRural) => "#e6e0a8",
                (Some(P::Suburban), _) | (None, C::Suburban) => "#f4a582",
                (Some(P::Urban), _) => "#d6604d",
                (Some(P::TreesForest), _) | (None, C::UrbanTreesForest) => "#1b7837",
                (Some(P::DenseUrban), _) | (None, C::DenseUrban) => "#67001f",
            };
            (i64::from(c.code), colour.to_string(), c.name.clone())
        })
        .collect()
}

/// A signed dBm figure with a typographic minus, e.g. "−110".
fn dbm(v: f64) -> String {
    format!("{v:.0}").replace('-', "−")
}

/// The largest value an f32 raster cell can hold below `v`: QGIS's discrete classes include their
/// upper bound, while a cell counts as covered from the threshold up (`rsrp ≥ t`), so each class
/// [lo, hi) ends just below `hi`.
fn below_f32(v: f64) -> f64 {
    let r = v as f32;
    f64::from(if f64::from(r) >= v { r.next_down() } else { r })
}

/// RSRP in six discrete classes [lo, hi) around the study's threshold `t` (dBm), upper bounds
/// ascending: two grey classes below it (no service, below threshold) and four covered classes on
/// the viridis blue–green–yellow sequence (van der Walt & Smith 2015, matplotlib "viridis"), so the
/// threshold is the one place where grey turns to colour.
pub fn rsrp_classes(t: f64) -> Vec<(f64, String, String)> {
    let d = dbm;
    vec![
        (
            below_f32(t - 10.0),
            "#c0c0c0".into(),
            format!("< {} dBm: no service", d(t - 10.0)),
        ),
        (
            below_f32(t),
            "#888888".into(),
            format!("{}…{}: below threshold", d(t - 10.0), d(t)),
        ),
        (
            below_f32(t + 10.0),
            "#3b528b".into(),
            format!("{}…{}: covered, weak", d(t), d(t + 10.0)),
        ),
        (
            below_f32(t + 20.0),
            "#21918c".into(),
            format!("{}…{}: fair", d(t + 10.0), d(t + 20.0)),
        ),
        (
            below_f32(t + 30.0),
            "#5ec962".into(),
            format!("{}…{}: good", d(t + 20.0), d(t + 30.0)),
        ),
        (
            (t + 130.0).max(50.0),
            "#fde725".into(),
            format!("≥ {}: strong", d(t + 30.0)),
        ),
    ]
}

/// Lowest and highest ground height on the study's land cells (m), for the terrain ramp; `None`
/// when no land cell has a finite height.
pub fn land_height_range_m(study: &crate::study::Study) -> Option<(f64, f64)> {
    let h = &study.terrain.height_m.data;
    let land = study.mask.data.iter().map(|&m| m == 1);
    let (lo, hi) = h
        .iter()
        .zip(land)
        .filter(|(v, on)| *on && v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&v, _)| {
            (lo.min(v as f64), hi.max(v as f64))
        });
    (lo <= hi).then_some((lo, hi))
}

/// The run folder's rasters as QGIS layers, styled: coverage classes around `threshold_dbm`, the
/// terrain ramp over the study's own land heights `heights_m` (min, max; the sea and voids below
/// the minimum are not drawn, and the ramp has no green), over a grey hillshade.
/// With a clutter table, the land cover (`inputs/clutter.tif`) is added, paletted by class.
pub fn raster_layers(
    threshold_dbm: f64,
    heights_m: (f64, f64),
    clutter: Option<&phusong_engine::clutter::ClutterTable>,
) -> Vec<crate::io::qgis::RasterLayer> {
    use crate::io::qgis::{RasterLayer, RasterStyle};
    use crate::pipeline::files;
    let layer = |name: &str, rel_path: String, style: RasterStyle, opacity: f64| RasterLayer {
        name: name.into(),
        rel_path,
        style,
        opacity,
    };
    let rsrp = || RasterStyle::Classes {
        classes: rsrp_classes(threshold_dbm),
        min: threshold_dbm - 100.0,
    };
    let sinr = vec![
        (0.0, "#d7191c".to_string(), "< 0 dB".to_string()),
        (5.0, "#fdae61".into(), "0–5 dB".into()),
        (10.0, "#ffffbf".into(), "5–10 dB".into()),
        (20.0, "#a6d96a".into(), "10–20 dB".into()),
        (100.0, "#1a9641".into(), "≥ 20 dB".into()),
    ];
    let overlap = vec![
        (0.0, "#f0f0f0".to_string(), "none".to_string()),
        (1.0, "#c6dbef".into(), "1 server".into()),
        (2.0, "#6baed6".into(), "2 servers".into()),
        (3.0, "#2171b5".into(), "3 servers".into()),
        (
            255.0,
            "#08306b".into(),
            "4 or more (pilot pollution)".into(),
        ),
    ];
    let (lo, hi) = (heights_m.0, heights_m.1.max(heights_m.0 + 1.0));
    let terrain = [
        (0.0, "#fff7bc"),
        (0.35, "#fec44f"),
        (0.7, "#cc4c02"),
        (1.0, "#662506"),
    ]
    .iter()
    .map(|(f, c)| {
        let v = lo + f * (hi - lo);
        (v, c.to_string(), format!("{v:.0} m"))
    })
    .collect();
    let dem = format!("{}/{}", crate::study::files::DIR, crate::study::files::DEM);
    let clutter_layer = clutter.map(|t| {
        layer(
            CLUTTER,
            format!(
                "{}/{}",
                crate::study::files::DIR,
                crate::study::files::CLUTTER
            ),
            RasterStyle::Palette {
                entries: clutter_palette(t),
            },
            0.7,
        )
    });
    let mut out = vec![
        layer(RSRP_AFTER, files::RSRP_AFTER.into(), rsrp(), 1.0),
        layer(RSRP_BEFORE, files::RSRP.into(), rsrp(), 1.0),
        layer(
            SINR,
            files::SINR.into(),
            RasterStyle::Classes {
                classes: sinr,
                min: -20.0,
            },
            1.0,
        ),
        layer(
            OVERLAP,
            files::OVERLAP.into(),
            RasterStyle::Classes {
                classes: overlap,
                min: -1.0,
            },
            1.0,
        ),
        layer(SERVER, files::SERVER.into(), RasterStyle::IdColours, 1.0),
        layer(
            HEIGHTS,
            dem.clone(),
            RasterStyle::Pseudocolor {
                stops: terrain,
                min: lo,
                max: hi,
            },
            0.55,
        ),
        layer(
            HILLSHADE,
            dem,
            RasterStyle::Hillshade { z_factor: 1.0 },
            1.0,
        ),
    ];
    out.extend(clutter_layer);
    out
}

/// How the project opens for `summary`'s study: its title, layer names, groups (the plan on; after
/// the plan, radio, existing network, boundaries and terrain off) and the A3 print layout.
/// `has_clutter`: the land-cover layer is written (last in the terrain group, switched off).
pub fn project_view(
    summary: &crate::reports::Summary,
    has_clutter: bool,
) -> crate::io::qgis::ProjectView {
    let study = &summary.study;
    let name = |key: &str, shown: &str| (key.to_string(), format!("{shown} — {study}"));
    let names = vec![
        name("sites_proposed", "Proposed towers by power"),
        name("gaps", "Uncovered villages by cause"),
        name(RSRP_BEFORE, "Coverage before the plan, RSRP dBm"),
        name(RSRP_AFTER, "Coverage after the plan, RSRP dBm"),
        name(SINR, "SINR dB"),
        name(OVERLAP, "Servers within 6 dB (overlap)"),
        name(SERVER, "Serving site (a colour per site)"),
        name("sites_existing", "Existing sites by operator"),
        name("hamlets", "Villages, covered before the plan"),
        name("communes", "Communes, people covered before the plan"),
        name(HEIGHTS, "Terrain height m"),
        name(HILLSHADE, "Hillshade"),
    ];
    let mut names = names;
    let mut terrain = vec![HEIGHTS, HILLSHADE];
    if has_clutter {
        names.push(name(CLUTTER, "Land cover (clutter classes)"));
        terrain.push(CLUTTER);
    }
    let group =
        |g: &str, keys: &[&str]| (g.to_string(), keys.iter().map(|k| k.to_string()).collect());
    crate::io::qgis::ProjectView {
        title: format!("{study}: mobile coverage plan"),
        names,
        groups: vec![
            group(
                &format!("{study}: the plan"),
                &["sites_proposed", "gaps", RSRP_BEFORE],
            ),
            group("Existing network", &["sites_existing"]),
            group("Boundaries and villages", &["communes", "hamlets"]),
            group("After the plan", &[RSRP_AFTER]),
            group("Radio analysis", &[SINR, OVERLAP, SERVER]),
            group("Terrain", &terrain),
        ],
        shown: Some(SHOWN_ON_OPENING.iter().map(|s| s.to_string()).collect()),
        layout: Some(print_layout(summary)),
    }
}

/// The A3 layout's title and headline table, from `summary.json`'s figures.
fn print_layout(s: &crate::reports::Summary) -> crate::io::qgis_layout::PrintLayout {
    let pct = |v: f64| format!("{v:.1} %");
    let (b, a) = (&s.before, &s.after);
    let villages = |c: u64, p: f64| format!("{c} / {} ({})", s.hamlets, pct(p));
    let row = |m: &str, x: String, y: String| [m.to_string(), x, y];
    let synthetic: Vec<&str> = s
        .synthetic_layers
        .iter()
        .map(|l| l.split(" (").next().unwrap_or(l))
        .collect();
    let mut notes = vec![format!(
        "{} villages, {} people, {:.0} km² of land. Covered: RSRP ≥ {} dBm ({} model, {}); a village counts as covered when {:.0} % of its cells are.",
        s.hamlets,
        s.population,
        s.land_area_km2,
        dbm(s.threshold_rsrp_dbm),
        s.model,
        s.reliability_method,
        s.village_covered_share * 100.0
    )];
    if !synthetic.is_empty() {
        notes.push(format!(
            "Synthetic inputs (not surveyed): {}.",
            synthetic.join(", ")
        ));
    }
    crate::io::qgis_layout::PrintLayout {
        name: format!("{}: plan (A3)", s.study),
        title: format!("{}: mobile coverage plan", s.study),
        subtitle: format!(
            "Coverage before the plan (RSRP classes, threshold {} dBm), uncovered villages by cause, and the {} proposed towers",
            dbm(s.threshold_rsrp_dbm),
            s.plan.towers
        ),
        table: vec![
            row("", "Before".into(), "After the plan".into()),
            row("Villages covered", villages(b.hamlets_covered, b.hamlets_covered_pct), villages(a.hamlets_covered, a.hamlets_covered_pct)),
            row("People covered", pct(b.population_covered_pct), pct(a.population_covered_pct)),
            row("Land covered", pct(b.land_area_covered_pct), pct(a.land_area_covered_pct)),
            row("Uncovered villages", b.hamlets_uncovered.to_string(), a.hamlets_uncovered.to_string()),
            row("… terrain shadow / out of range", format!("{} / {}", s.gaps.terrain_shadow, s.gaps.out_of_range), String::new()),
            row("Towers", format!("{} existing", s.sites_existing), format!("+{} new ({} solar)", s.plan.towers, s.plan.towers_solar)),
        ],
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layer shown on opening is one the export writes (a renamed layer would otherwise open
    /// a project with nothing switched on), and no more than five are on.
    #[test]
    fn layers_shown_on_opening_exist() {
        let table = phusong_engine::clutter::ClutterTable::default();
        let mut names: Vec<String> = raster_layers(-110.0, (0.0, 2000.0), Some(&table))
            .into_iter()
            .map(|r| r.name)
            .collect();
        names.push(gaps_layer(&[], &[], 32648).name);
        names.push(proposed_layer(&[], "USD", 32648).name);
        names.push(sites_layer(&[], 32648).name);
        for shown in SHOWN_ON_OPENING {
            assert!(names.iter().any(|n| n == shown), "{shown} not in {names:?}");
        }
        assert!(SHOWN_ON_OPENING.len() <= 5);
    }
}
