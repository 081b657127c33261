//! Turning study results into styled output layers (GeoPackage + QGIS project).

use crate::io::layer::{FieldKind as K, Layer, Style, Value as V};
use geo::{Geometry, Point};
use phusong_engine::coverage::rollup::{AreaCoverage, HamletCoverage};
use phusong_engine::demand::{Commune, Hamlet};
use phusong_engine::gaps::Gap;
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::radio::Site;

fn rsrp_value(v: Option<f32>) -> V {
    v.map_or(V::Null, |v| V::Real((v as f64 * 100.0).round() / 100.0))
}

/// RSRP classes planners read at a glance (dBm).
pub fn rsrp_classes() -> Vec<(f64, f64, String, String)> {
    vec![
        (-200.0, -120.0, "#7f0000".into(), "< −120 dBm: none".into()),
        (
            -120.0,
            -110.0,
            "#e31a1c".into(),
            "−120…−110: unusable".into(),
        ),
        (-110.0, -100.0, "#fd8d3c".into(), "−110…−100: weak".into()),
        (-100.0, -90.0, "#fecc5c".into(), "−100…−90: fair".into()),
        (-90.0, -80.0, "#a1d99b".into(), "−90…−80: good".into()),
        (-80.0, 0.0, "#238b45".into(), "≥ −80: excellent".into()),
    ]
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
    let palette = [
        "#e41a1c", "#377eb8", "#984ea3", "#ff7f00", "#a65628", "#f781bf",
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

/// Proposed towers, coloured by power source.
pub fn proposed_layer(p: &[PlannedTower], epsg: u32) -> Layer {
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
    ];
    let style = Style::Categorized {
        field: "power".into(),
        classes: vec![
            (
                "grid".into(),
                "#000000".into(),
                "new tower, grid power".into(),
            ),
            ("solar".into(), "#ffd700".into(), "new tower, solar".into()),
        ],
    };
    let mut l = Layer::new("sites_proposed", epsg, &fields, style);
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
                "#6a3d9a".into(),
                "out of range".into(),
            ),
            (
                "terrain-shadow".into(),
                "#b15928".into(),
                "terrain shadow".into(),
            ),
        ],
    };
    let mut l = Layer::new("gaps", epsg, &fields, style);
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
/// plan, the gaps and the proposed towers; the rest is in the project, switched off.
pub const SHOWN_ON_OPENING: [&str; 3] = ["RSRP (dBm)", "gaps", "sites_proposed"];

/// The run folder's rasters as QGIS layers, styled, top first.
pub fn raster_layers() -> Vec<crate::io::qgis::RasterLayer> {
    use crate::io::qgis::{RasterLayer, RasterStyle};
    use crate::pipeline::files;
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
    vec![
        RasterLayer {
            name: "RSRP after plan (dBm)".into(),
            rel_path: files::RSRP_AFTER.into(),
            style: ramp(rsrp_classes()),
        },
        RasterLayer {
            name: "RSRP (dBm)".into(),
            rel_path: files::RSRP.into(),
            style: ramp(rsrp_classes()),
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layer shown on opening is one the export writes (a renamed layer would otherwise open
    /// a project with nothing switched on), and no more than five are on.
    #[test]
    fn layers_shown_on_opening_exist() {
        let mut names: Vec<String> = raster_layers().into_iter().map(|r| r.name).collect();
        names.push(gaps_layer(&[], &[], 32648).name);
        names.push(proposed_layer(&[], 32648).name);
        names.push(sites_layer(&[], 32648).name);
        for shown in SHOWN_ON_OPENING {
            assert!(names.iter().any(|n| n == shown), "{shown} not in {names:?}");
        }
        assert!(SHOWN_ON_OPENING.len() <= 5);
    }
}
