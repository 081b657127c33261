//! Reading vector layers (GeoPackage, Shapefile, GeoJSON, … anything OGR opens) in any CRS,
//! reprojected to the study CRS by GDAL/OGR (PROJ picks the datum transformation, e.g. VN-2000 →
//! WGS 84). Both CRSs use traditional GIS axis order (x = easting/longitude), as OGR stores data.
//!
//! When a file has several layers and none is named, the first layer is read. Errors name the file,
//! the feature (its FID) and what was expected.

use crate::crs::{srs_from_epsg, Projector};
use crate::error::{Context, Error, Result};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform};
use gdal::vector::{FieldValue, LayerAccess};
use geo::{Geometry, InteriorPoint, LineString, MultiPolygon, Point, Polygon};
use phusong_engine::demand::{Commune, Hamlet};
use std::path::Path;

/// Field names of a hamlet layer.
#[derive(Clone, Debug, PartialEq)]
pub struct HamletFields {
    pub name: String,
    /// Integer, real or numeric-text field; non-negative.
    pub population: String,
    /// Boolean-like field (bool, 0/1, yes/no, true/false). `None`, or a field the layer lacks:
    /// every hamlet is taken to be on the grid.
    pub grid_power: Option<String>,
}

impl Default for HamletFields {
    fn default() -> Self {
        HamletFields {
            name: "name".into(),
            population: "population".into(),
            grid_power: Some("grid_power".into()),
        }
    }
}

/// Field names of a commune layer.
#[derive(Clone, Debug, PartialEq)]
pub struct CommuneFields {
    pub code: String,
    pub name: String,
    /// Census population field (integer, real or numeric text); empty values give `None`.
    pub population: Option<String>,
}

impl Default for CommuneFields {
    fn default() -> Self {
        CommuneFields {
            code: "code".into(),
            name: "name".into(),
            population: Some("population".into()),
        }
    }
}

/// One feature, reprojected, with the requested field values (None = null or field absent).
struct Feat {
    fid: usize,
    geometry: Option<Geometry<f64>>,
    values: Vec<Option<FieldValue>>,
}

/// Field request: name, and whether the layer must have it.
struct Want<'a>(&'a str, bool);

/// Reads every feature of a layer, geometries transformed to EPSG:`epsg`. Returns the features and,
/// per requested field, whether the layer has it.
fn load(
    path: &Path,
    layer: Option<&str>,
    epsg: u32,
    want: &[Want],
) -> Result<(Vec<Feat>, Vec<bool>)> {
    let ds = crate::io::open_dataset(
        path,
        "a vector layer GDAL/OGR reads (GeoPackage, GeoJSON, Shapefile, …)",
    )?;
    let layer_names = || ds.layers().map(|l| l.name()).collect::<Vec<_>>().join(", ");
    let mut lyr = match layer {
        Some(name) => ds.layer_by_name(name).map_err(|_| {
            Error::input(
                path,
                format!("no layer '{name}'; layers are: {}", layer_names()),
            )
        })?,
        None => ds.layer(0).map_err(|_| {
            Error::input(
                path,
                "no vector layer (expected a GeoPackage, Shapefile, GeoJSON, …)",
            )
        })?,
    };
    let lname = lyr.name();
    let fields: Vec<String> = lyr.defn().fields().map(|f| f.name()).collect();
    let mut idx = Vec::with_capacity(want.len());
    for Want(name, required) in want {
        let i = fields
            .iter()
            .position(|f| f == name)
            .or_else(|| fields.iter().position(|f| f.eq_ignore_ascii_case(name)));
        if i.is_none() && *required {
            return Err(Error::input(
                path,
                format!(
                    "layer '{lname}' has no field '{name}'; its fields are: {}",
                    fields.join(", ")
                ),
            ));
        }
        idx.push(i);
    }

    let mut src = lyr.spatial_ref().ok_or_else(|| {
        Error::input(
            path,
            format!("layer '{lname}' has no CRS (expected a .prj, or a CRS in the file)"),
        )
    })?;
    src.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    // VN-2000 layers (national UTM, provincial TM-3 zones) take the official datum shift.
    crate::crs::apply_vn2000_shift(&mut src)?;
    let dst = srs_from_epsg(epsg)?;
    let ct = CoordTransform::new(&src, &dst).ctx(|| {
        format!(
            "{}: transform from the layer's CRS to EPSG:{epsg}",
            path.display()
        )
    })?;

    let mut out = Vec::new();
    for (n, f) in lyr.features().enumerate() {
        let fid = f.fid().map_or(n, |v| v as usize);
        let rec = |msg: String| Error::record(path, "feature", fid, msg);
        let geometry = match f.geometry() {
            Some(g) if !g.is_empty() => {
                let mut t = g
                    .transform(&ct)
                    .map_err(|e| rec(format!("cannot reproject to EPSG:{epsg}: {e}")))?;
                t.flatten_to_2d();
                Some(
                    t.to_geo()
                        .map_err(|e| rec(format!("unsupported geometry: {e}")))?,
                )
            }
            _ => None,
        };
        let mut values = Vec::with_capacity(idx.len());
        for (k, i) in idx.iter().enumerate() {
            values.push(match i {
                Some(i) if !is_set(&f, *i) => None,
                Some(i) => f
                    .field(*i)
                    .map_err(|e| rec(format!("field '{}' cannot be read: {e}", want[k].0)))?,
                None => None,
            });
        }
        out.push(Feat {
            fid,
            geometry,
            values,
        });
    }
    Ok((out, idx.iter().map(Option::is_some).collect()))
}

/// Whether a field holds a value. OGR distinguishes "unset" (e.g. a GeoJSON property absent from
/// one feature) from null; the gdal crate reads unset fields as 0 or "", so check both here.
fn is_set(f: &gdal::vector::Feature, i: usize) -> bool {
    let Ok(i) = i32::try_from(i) else {
        return false;
    };
    // SAFETY: the handle is valid while `f` lives and `i` is a field index of its layer definition.
    unsafe { gdal_sys::OGR_F_IsFieldSetAndNotNull(f.c_feature(), i) != 0 }
}

/// Text form of a field value, for names and messages.
fn text(v: &FieldValue) -> String {
    match v {
        FieldValue::StringValue(s) => s.clone(),
        FieldValue::IntegerValue(i) => i.to_string(),
        FieldValue::Integer64Value(i) => i.to_string(),
        FieldValue::RealValue(r) => r.to_string(),
        other => format!("{other:?}"),
    }
}

/// A non-negative count from an integer, real or numeric-text field; reals rounded to nearest.
fn count(
    v: Option<&FieldValue>,
    field: &str,
    max: f64,
) -> std::result::Result<Option<u64>, String> {
    let x = match v {
        None => return Ok(None),
        Some(FieldValue::IntegerValue(i)) => *i as f64,
        Some(FieldValue::Integer64Value(i)) => *i as f64,
        Some(FieldValue::RealValue(r)) => *r,
        Some(FieldValue::StringValue(s)) if s.trim().is_empty() => return Ok(None),
        Some(FieldValue::StringValue(s)) => s.trim().parse::<f64>().map_err(|_| {
            format!(
                "field '{field}' is {}, expected a number",
                crate::io::shown_value(s)
            )
        })?,
        Some(other) => {
            return Err(format!(
                "field '{field}' is {}, expected a number",
                text(other)
            ))
        }
    };
    if !x.is_finite() || x < 0.0 {
        return Err(format!(
            "field '{field}' is {x}, expected a non-negative number"
        ));
    }
    if x.round() > max {
        return Err(format!("field '{field}' is {x}, expected at most {max}"));
    }
    Ok(Some(x.round() as u64))
}

/// A boolean from bool/integer 0/1 or text yes/no/true/false/1/0 (case-insensitive).
fn flag(v: &FieldValue, field: &str) -> std::result::Result<bool, String> {
    let bad = || {
        format!(
            "field '{field}' is '{}', expected yes/no, true/false or 1/0",
            text(v)
        )
    };
    match v {
        FieldValue::IntegerValue(i) if *i == 0 || *i == 1 => Ok(*i == 1),
        FieldValue::Integer64Value(i) if *i == 0 || *i == 1 => Ok(*i == 1),
        FieldValue::RealValue(r) if *r == 0.0 || *r == 1.0 => Ok(*r == 1.0),
        FieldValue::StringValue(s) => match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "true" | "1" => Ok(true),
            "no" | "false" | "0" => Ok(false),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// Polygonal geometry → MultiPolygon; `None` for other kinds.
fn to_multipolygon(g: Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        Geometry::MultiPolygon(m) => Some(m),
        Geometry::Rect(r) => Some(MultiPolygon(vec![r.to_polygon()])),
        Geometry::Triangle(t) => Some(MultiPolygon(vec![t.to_polygon()])),
        Geometry::GeometryCollection(c) => {
            let mut polys = Vec::new();
            for g in c.0 {
                polys.extend(to_multipolygon(g)?.0);
            }
            Some(MultiPolygon(polys))
        }
        _ => None,
    }
}

/// A disc of `radius_m` around `p` as a 64-gon (vertices on the circle), counter-clockwise. The
/// vertices sit half a step off the axes, so the disc's interior point is `p` itself.
pub fn disc(p: Point<f64>, radius_m: f64) -> MultiPolygon<f64> {
    let r = radius_m.max(1.0);
    let ring: Vec<(f64, f64)> = (0..64)
        .map(|k| {
            let a = (k as f64 + 0.5) * std::f64::consts::TAU / 64.0;
            (p.x() + r * a.cos(), p.y() + r * a.sin())
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])])
}

/// Hamlets (villages) from a polygon or point layer: a polygon is the village's settled area as
/// given (reprojected; a self-intersecting ring is refused); a point becomes a disc of
/// `point_radius_m` (at least 1 m). The label point is the area's interior point (a point
/// guaranteed inside; geo's `InteriorPoint`). Ids 1.. in file order; `commune` is left `None` for
/// the caller to assign.
pub fn read_hamlets(
    path: &Path,
    layer: Option<&str>,
    fields: &HamletFields,
    epsg: u32,
    point_radius_m: f64,
) -> Result<Vec<Hamlet>> {
    let mut want = vec![Want(&fields.name, true), Want(&fields.population, true)];
    if let Some(g) = &fields.grid_power {
        want.push(Want(g, false));
    }
    let (feats, present) = load(path, layer, epsg, &want)?;
    let has_power = present.get(2).copied().unwrap_or(false);
    let proj = Projector::new(epsg)?;
    let mut out = Vec::with_capacity(feats.len());
    for f in feats {
        let rec = |msg: String| Error::record(path, "feature", f.fid, msg);
        let area: MultiPolygon<f64> = match f.geometry {
            None => return Err(rec("has no geometry, expected a point or polygon".into())),
            Some(Geometry::Point(p)) => disc(p, point_radius_m),
            Some(Geometry::MultiPoint(m)) if m.0.len() == 1 => disc(m.0[0], point_radius_m),
            Some(g) => {
                let k = kind(&g);
                to_multipolygon(g)
                    .ok_or_else(|| rec(format!("geometry is {k}, expected a point or polygon")))?
            }
        };
        for (k, poly) in area.0.iter().enumerate() {
            self_intersection(poly).map_err(|m| rec(format!("polygon {k}: {m}")))?;
        }
        let p: Point<f64> = area
            .interior_point()
            .ok_or_else(|| rec("polygon is empty, expected an area".into()))?;
        let population = count(f.values[1].as_ref(), &fields.population, u32::MAX as f64)
            .map_err(rec)?
            .ok_or_else(|| {
                rec(format!(
                    "field '{}' is empty, expected a number",
                    fields.population
                ))
            })?;
        let grid_power = if has_power {
            let name = fields.grid_power.as_deref().unwrap_or_default();
            match &f.values[2] {
                Some(v) => flag(v, name).map_err(rec)?,
                None => {
                    return Err(rec(format!(
                        "field '{name}' is empty, expected yes/no, true/false or 1/0"
                    )))
                }
            }
        } else {
            true
        };
        let (lon, lat) = proj.unproject(p.x(), p.y())?;
        out.push(Hamlet {
            id: out.len() as u32 + 1,
            name: f.values[0].as_ref().map(text).unwrap_or_default(),
            commune: None,
            x_m: p.x(),
            y_m: p.y(),
            lon,
            lat,
            population: population as u32,
            grid_power,
            area,
        });
    }
    Ok(out)
}

/// Communes from a polygon layer, as MultiPolygons in EPSG:`epsg`.
pub fn read_communes(
    path: &Path,
    layer: Option<&str>,
    fields: &CommuneFields,
    epsg: u32,
) -> Result<Vec<Commune>> {
    let mut want = vec![Want(&fields.code, true), Want(&fields.name, true)];
    if let Some(p) = &fields.population {
        want.push(Want(p, true));
    }
    let (feats, _) = load(path, layer, epsg, &want)?;
    let mut out = Vec::with_capacity(feats.len());
    let mut seen: Vec<(String, usize)> = Vec::new();
    for f in feats {
        let rec = |msg: String| Error::record(path, "feature", f.fid, msg);
        let geometry = match f.geometry {
            None => return Err(rec("has no geometry, expected a polygon".into())),
            Some(g) => {
                let k = kind(&g);
                to_multipolygon(g)
                    .ok_or_else(|| rec(format!("geometry is {k}, expected a polygon")))?
            }
        };
        let code = f.values[0]
            .as_ref()
            .map(text)
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                rec(format!(
                    "field '{}' is empty, expected a commune code",
                    fields.code
                ))
            })?;
        let population = match &fields.population {
            Some(name) => count(f.values[2].as_ref(), name, u64::MAX as f64).map_err(rec)?,
            None => None,
        };
        for (k, poly) in geometry.0.iter().enumerate() {
            self_intersection(poly).map_err(|m| rec(format!("polygon {k}: {m}")))?;
        }
        if let Some((_, other)) = seen.iter().find(|(c, _)| *c == code) {
            return Err(rec(format!(
                "field '{}' is '{code}', the code of feature {other} too: commune codes must be \
                 unique",
                fields.code
            )));
        }
        seen.push((code.clone(), f.fid));
        out.push(Commune {
            code,
            name: f.values[1].as_ref().map(text).unwrap_or_default(),
            population,
            geometry,
        });
    }
    Ok(out)
}

/// A ring crossing itself makes "inside" ambiguous (rasterisation and area disagree): refused.
fn self_intersection(poly: &geo::Polygon<f64>) -> std::result::Result<(), String> {
    use geo::algorithm::validation::{InvalidPolygon, Validation};
    let mut found = None;
    let _ = poly.visit_validation(Box::new(|e: InvalidPolygon| {
        if found.is_none() {
            if let InvalidPolygon::SelfIntersection(_) = e {
                found = Some(e.to_string());
            }
        }
        Ok::<(), std::convert::Infallible>(())
    }));
    match found {
        Some(m) => Err(format!(
            "{m}; expected a simple ring (fix it, e.g. with GDAL's MakeValid)"
        )),
        None => Ok(()),
    }
}

/// Lines (roads, coastlines, rivers) in EPSG:`epsg`; multi-lines are split into their parts.
/// Features without geometry are skipped.
pub fn read_lines(path: &Path, layer: Option<&str>, epsg: u32) -> Result<Vec<LineString<f64>>> {
    fn collect(
        g: Geometry<f64>,
        out: &mut Vec<LineString<f64>>,
    ) -> std::result::Result<(), &'static str> {
        match g {
            Geometry::LineString(l) => out.push(l),
            Geometry::Line(l) => out.push(LineString::from(vec![l.start, l.end])),
            Geometry::MultiLineString(m) => out.extend(m.0),
            Geometry::GeometryCollection(c) => {
                for g in c.0 {
                    collect(g, out)?;
                }
            }
            other => return Err(kind(&other)),
        }
        Ok(())
    }
    let (feats, _) = load(path, layer, epsg, &[])?;
    let mut out = Vec::new();
    for f in feats {
        if let Some(g) = f.geometry {
            collect(g, &mut out).map_err(|k| {
                Error::record(
                    path,
                    "feature",
                    f.fid,
                    format!("geometry is {k}, expected a line"),
                )
            })?;
        }
    }
    out.retain(|l| l.0.len() >= 2);
    Ok(out)
}

/// Polygons (land masks, protected areas, …) in EPSG:`epsg`, one MultiPolygon per feature.
/// Features without geometry are skipped.
pub fn read_polygons(
    path: &Path,
    layer: Option<&str>,
    epsg: u32,
) -> Result<Vec<MultiPolygon<f64>>> {
    let (feats, _) = load(path, layer, epsg, &[])?;
    let mut out = Vec::with_capacity(feats.len());
    for f in feats {
        if let Some(g) = f.geometry {
            let k = kind(&g);
            out.push(to_multipolygon(g).ok_or_else(|| {
                Error::record(
                    path,
                    "feature",
                    f.fid,
                    format!("geometry is {k}, expected a polygon"),
                )
            })?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::DEFAULT_EPSG;
    use geo::{Area, Contains};

    fn geojson(
        dir: &tempfile::TempDir,
        name: &str,
        crs: Option<u32>,
        features: &[String],
    ) -> std::path::PathBuf {
        let crs = crs
            .map(|e| format!(r#""crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::{e}"}}}},"#))
            .unwrap_or_default();
        let text = format!(
            r#"{{"type":"FeatureCollection",{crs}"features":[{}]}}"#,
            features.join(",")
        );
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn feature(props: &str, geom: &str) -> String {
        format!(r#"{{"type":"Feature","properties":{{{props}}},"geometry":{geom}}}"#)
    }

    fn point(x: f64, y: f64) -> String {
        format!(r#"{{"type":"Point","coordinates":[{x},{y}]}}"#)
    }

    fn square(x: f64, y: f64, d: f64) -> String {
        format!(
            r#"[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]"#,
            x + d,
            x + d,
            y + d,
            y + d
        )
    }

    #[test]
    fn duplicate_commune_codes_and_self_intersecting_polygons_are_refused_by_feature() {
        let dir = tempfile::tempdir().unwrap();
        let poly = |c: String| format!(r#"{{"type":"Polygon","coordinates":{c}}}"#);
        let p = geojson(
            &dir,
            "dup.geojson",
            None,
            &[
                feature(
                    r#""code":"001","name":"A""#,
                    &poly(square(105.0, 19.0, 0.01)),
                ),
                feature(
                    r#""code":"002","name":"B""#,
                    &poly(square(105.1, 19.0, 0.01)),
                ),
                feature(
                    r#""code":"001","name":"C""#,
                    &poly(square(105.2, 19.0, 0.01)),
                ),
            ],
        );
        let fields = CommuneFields {
            population: None,
            ..CommuneFields::default()
        };
        let e = read_communes(&p, None, &fields, DEFAULT_EPSG)
            .unwrap_err()
            .to_string();
        assert!(e.contains("dup.geojson"), "{e}");
        assert!(e.contains("feature 2"), "{e}");
        assert!(e.contains("'001', the code of feature 0 too"), "{e}");
        // A bow-tie: the ring's edges (0,0)→(1,1) and (1,0)→(0,1) cross.
        let bow = "[[[105.0,19.0],[105.01,19.01],[105.01,19.0],[105.0,19.01],[105.0,19.0]]]";
        let p = geojson(
            &dir,
            "bow.geojson",
            None,
            &[
                feature(
                    r#""code":"001","name":"A""#,
                    &poly(square(105.0, 19.0, 0.01)),
                ),
                feature(r#""code":"002","name":"B""#, &poly(bow.to_string())),
            ],
        );
        let e = read_communes(&p, None, &fields, DEFAULT_EPSG)
            .unwrap_err()
            .to_string();
        assert!(e.contains("bow.geojson") && e.contains("feature 1"), "{e}");
        assert!(e.contains("self-intersection"), "{e}");
    }

    #[test]
    fn hamlets_from_wgs84_points_and_polygons() {
        let dir = tempfile::tempdir().unwrap();
        let p = geojson(
            &dir,
            "h.geojson",
            None,
            &[
                feature(
                    r#""name":"Bản A","population":120,"grid_power":true"#,
                    &point(104.5, 19.2),
                ),
                feature(
                    r#""name":"Bản B","population":"85","grid_power":"no""#,
                    &point(105.1, 18.9),
                ),
                feature(
                    r#""name":"Bản C","population":40.6,"grid_power":"1""#,
                    &format!(
                        r#"{{"type":"Polygon","coordinates":{}}}"#,
                        square(104.0, 19.5, 0.01)
                    ),
                ),
            ],
        );
        let h = read_hamlets(&p, None, &HamletFields::default(), DEFAULT_EPSG, 300.0).unwrap();
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(
            h.iter().map(|h| h.population).collect::<Vec<_>>(),
            vec![120, 85, 41]
        );
        assert_eq!(
            h.iter().map(|h| h.grid_power).collect::<Vec<_>>(),
            vec![true, false, true]
        );
        assert_eq!(h[1].name, "Bản B");
        let (x, y) = proj.project(104.5, 19.2).unwrap();
        assert!((h[0].x_m - x).abs() < 1e-6 && (h[0].y_m - y).abs() < 1e-6);
        assert!((h[0].lon - 104.5).abs() < 1e-9 && (h[0].lat - 19.2).abs() < 1e-9);
        // The polygon's representative point lies inside the square.
        assert!(h[2].lon > 104.0 && h[2].lon < 104.01 && h[2].lat > 19.5 && h[2].lat < 19.51);
        // The polygon is taken as given (its four corners, reprojected), not collapsed to a point.
        use geo::{Area, Contains};
        let ring = &h[2].area.0[0].exterior().0;
        assert_eq!(ring.len(), 5);
        for (lon, lat) in [
            (104.0, 19.5),
            (104.01, 19.5),
            (104.01, 19.51),
            (104.0, 19.51),
        ] {
            let (x, y) = proj.project(lon, lat).unwrap();
            assert!(
                ring.iter()
                    .any(|c| (c.x - x).abs() < 1e-3 && (c.y - y).abs() < 1e-3),
                "corner {lon}, {lat} missing from {ring:?}"
            );
        }
        // A point becomes a disc of the given radius around it (a 64-gon: area 0.9984 π r²).
        let a = h[0].area.unsigned_area();
        let disc = std::f64::consts::PI * 300.0 * 300.0;
        assert!((a / disc - 0.99839).abs() < 1e-4, "{a} vs {disc}");
        assert!(h[0].area.contains(&geo::Point::new(x, y)));
        let h50 = read_hamlets(&p, None, &HamletFields::default(), DEFAULT_EPSG, 50.0).unwrap();
        let a50 = h50[0].area.unsigned_area();
        assert!((a50 / (std::f64::consts::PI * 2500.0) - 0.99839).abs() < 1e-4);
        assert!(h.iter().all(|h| h.commune.is_none()));

        // Without the grid_power field, every hamlet is powered.
        let fields = HamletFields {
            grid_power: Some("electric".into()),
            ..HamletFields::default()
        };
        assert!(read_hamlets(&p, None, &fields, DEFAULT_EPSG, 300.0)
            .unwrap()
            .iter()
            .all(|h| h.grid_power));
    }

    #[test]
    fn hamlet_errors_name_feature_field_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let read = |props: &str, geom: &str| {
            let p = geojson(
                &dir,
                "bad.geojson",
                None,
                &[
                    feature(
                        r#""name":"ok","population":1,"grid_power":1"#,
                        &point(105.0, 19.0),
                    ),
                    feature(props, geom),
                ],
            );
            read_hamlets(&p, None, &HamletFields::default(), DEFAULT_EPSG, 300.0)
                .unwrap_err()
                .to_string()
        };
        let pt = point(105.0, 19.0);
        let e = read(r#""name":"x","population":"abc""#, &pt);
        assert!(
            e.contains("feature 1: field 'population' is 'abc', expected a number"),
            "{e}"
        );
        let e = read(r#""name":"x","population":-3"#, &pt);
        assert!(
            e.contains("feature 1: field 'population' is -3, expected a non-negative number"),
            "{e}"
        );
        let e = read(r#""name":"x","population":null"#, &pt);
        assert!(e.contains("feature 1: field 'population' is empty"), "{e}");
        let e = read(r#""name":"x","population":5,"grid_power":"maybe""#, &pt);
        assert!(
            e.contains("feature 1: field 'grid_power' is 'maybe', expected yes/no"),
            "{e}"
        );
        // A feature lacking a property the layer has is null, not 0 or "".
        let e = read(r#""name":"x","population":5"#, &pt);
        assert!(e.contains("feature 1: field 'grid_power' is empty"), "{e}");
        let e = read(r#""name":"x","grid_power":1"#, &pt);
        assert!(e.contains("feature 1: field 'population' is empty"), "{e}");
        let e = read(r#""name":"x","population":5,"grid_power":2"#, &pt);
        assert!(
            e.contains("feature 1: field 'grid_power' is '2', expected yes/no"),
            "{e}"
        );
        let e = read(
            r#""name":"x","population":5"#,
            r#"{"type":"LineString","coordinates":[[105,19],[105.1,19]]}"#,
        );
        assert!(
            e.contains("feature 1: geometry is LineString, expected a point or polygon"),
            "{e}"
        );
        let e = read(r#""name":"x","population":5"#, "null");
        assert!(e.contains("feature 1: has no geometry"), "{e}");
        let p = geojson(
            &dir,
            "f.geojson",
            None,
            &[feature(r#""ten":"x","dan_so":1"#, &pt)],
        );
        let e = read_hamlets(&p, None, &HamletFields::default(), DEFAULT_EPSG, 300.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("has no field 'name'; its fields are: ten, dan_so"),
            "{e}"
        );
        let e = read_hamlets(
            &p,
            Some("nope"),
            &HamletFields::default(),
            DEFAULT_EPSG,
            300.0,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no layer 'nope'; layers are: f"), "{e}");
    }

    /// A point in VN-2000 / UTM 48N (EPSG:3405) must come out where the Projector puts its WGS84
    /// position, and the VN-2000 → WGS 84 datum shift (a few hundred metres) must have been applied:
    /// both CRSs are UTM 48N on the WGS 84 ellipsoid, so without it the coordinates would not change.
    #[test]
    fn vn2000_input_is_reprojected_with_datum_shift() {
        let dir = tempfile::tempdir().unwrap();
        let (x0, y0) = (560_000.0, 2_065_000.0);
        let p = geojson(
            &dir,
            "vn.geojson",
            Some(3405),
            &[feature(
                r#""name":"Vinh","population":1000"#,
                &point(x0, y0),
            )],
        );
        let h = read_hamlets(&p, None, &HamletFields::default(), DEFAULT_EPSG, 300.0).unwrap();
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let (x, y) = proj.project(h[0].lon, h[0].lat).unwrap();
        assert!((h[0].x_m - x).abs() < 1e-3 && (h[0].y_m - y).abs() < 1e-3);
        let shift = (h[0].x_m - x0).hypot(h[0].y_m - y0);
        assert!(shift > 100.0 && shift < 500.0, "datum shift {shift} m");
        assert!(
            (h[0].lon - 105.57).abs() < 0.01 && (h[0].lat - 18.67).abs() < 0.01,
            "{h:?}"
        );
    }

    #[test]
    fn communes_polygons_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = geojson(
            &dir,
            "c.geojson",
            None,
            &[
                feature(
                    r#""code":"001","name":"Xã A","population":"1500""#,
                    &format!(
                        r#"{{"type":"Polygon","coordinates":{}}}"#,
                        square(105.0, 19.0, 0.01)
                    ),
                ),
                feature(
                    r#""code":"002","name":"Xã B","population":null"#,
                    &format!(
                        r#"{{"type":"MultiPolygon","coordinates":[{},{}]}}"#,
                        square(105.1, 19.0, 0.01),
                        square(105.2, 19.0, 0.02)
                    ),
                ),
            ],
        );
        let c = read_communes(&p, None, &CommuneFields::default(), DEFAULT_EPSG).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].code.as_str(), c[0].name.as_str(), c[0].population),
            ("001", "Xã A", Some(1500))
        );
        assert_eq!((c[1].population, c[1].geometry.0.len()), (None, 2));
        // Area of the reprojected square vs the square of Projector-projected corners.
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let corners: Vec<(f64, f64)> = [
            (105.0, 19.0),
            (105.01, 19.0),
            (105.01, 19.01),
            (105.0, 19.01),
            (105.0, 19.0),
        ]
        .iter()
        .map(|&(lon, lat)| proj.project(lon, lat).unwrap())
        .collect();
        let expect = geo::Polygon::new(LineString::from(corners), vec![]).unsigned_area();
        assert!((c[0].geometry.unsigned_area() - expect).abs() < 1e-6 * expect);
        assert!(expect > 1.1e6 && expect < 1.25e6, "{expect}"); // ≈ 1.05 km × 1.11 km
        let inside = proj.project(105.005, 19.005).unwrap();
        assert!(c[0].geometry.contains(&Point::new(inside.0, inside.1)));

        let polys = read_polygons(&p, None, DEFAULT_EPSG).unwrap();
        assert_eq!(polys.len(), 2);
        assert!((polys[1].unsigned_area() - c[1].geometry.unsigned_area()).abs() < 1e-6);

        let e = read_communes(
            &p,
            None,
            &CommuneFields {
                code: "ma".into(),
                ..CommuneFields::default()
            },
            DEFAULT_EPSG,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("has no field 'ma'; its fields are: code, name, population"),
            "{e}"
        );
        let e = read_lines(&p, None, DEFAULT_EPSG).unwrap_err().to_string();
        assert!(
            e.contains("feature 0: geometry is Polygon, expected a line"),
            "{e}"
        );

        let l = geojson(
            &dir,
            "l.geojson",
            None,
            &[
                feature(
                    "",
                    r#"{"type":"LineString","coordinates":[[105,19],[105.1,19.1]]}"#,
                ),
                feature(
                    "",
                    r#"{"type":"MultiLineString","coordinates":[[[105,19],[105.2,19]],[[104,18],[104,18.5],[104.1,18.6]]]}"#,
                ),
                feature("", "null"),
            ],
        );
        let lines = read_lines(&l, None, DEFAULT_EPSG).unwrap();
        assert_eq!(
            lines.iter().map(|l| l.0.len()).collect::<Vec<_>>(),
            vec![2, 2, 3]
        );
        let (x, y) = proj.project(104.1, 18.6).unwrap();
        assert!((lines[2].0[2].x - x).abs() < 1e-6 && (lines[2].0[2].y - y).abs() < 1e-6);
        let e = read_polygons(&l, None, DEFAULT_EPSG)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("feature 0: geometry is LineString, expected a polygon"),
            "{e}"
        );
    }

    fn shared(rel: &str) -> std::path::PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("../shared/data/nghe-an")
            .join(rel)
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn census_communes_2009() {
        let fields = CommuneFields {
            code: "commune_id".into(),
            name: "commune_vn".into(),
            population: Some("population".into()),
        };
        let c = read_communes(
            &shared("admin/communes_2009_census.geojson"),
            None,
            &fields,
            DEFAULT_EPSG,
        )
        .unwrap();
        assert_eq!(c.len(), 480);
        assert_eq!(
            c.iter().map(|c| c.population.unwrap_or(0)).sum::<u64>(),
            2_834_430
        );
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn communes_2025_vn2000_area() {
        let fields = CommuneFields {
            code: "GID".into(),
            name: "ten".into(),
            population: None,
        };
        let path = shared("admin/communes_2025_vn2000/Xa_NA_chuan.shp");
        let c = read_communes(&path, None, &fields, DEFAULT_EPSG).unwrap();
        assert_eq!(c.len(), 130);
        let km2: f64 = c.iter().map(|c| c.geometry.unsigned_area()).sum::<f64>() / 1e6;
        assert!((km2 - 16_471.0).abs() < 0.01 * 16_471.0, "{km2} km²");
        // Reprojected into WGS 84 / UTM 48N, the extent moves by the datum shift but stays in Nghệ An.
        let polys = read_polygons(&path, None, 4326).unwrap();
        let b = geo::BoundingRect::bounding_rect(&polys[0]).unwrap();
        assert!(
            b.min().x > 103.8 && b.max().x < 106.0 && b.min().y > 18.4 && b.max().y < 20.1,
            "{b:?}"
        );
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn roads_are_lines() {
        let l = read_lines(&shared("roads/roads.geojson"), None, DEFAULT_EPSG).unwrap();
        assert!(l.len() >= 36, "{}", l.len()); // 36 features, some multi-lines
    }
}
