//! GeoPackage output: all vector layers of a run in one `.gpkg`, each with a default QGIS style.
//!
//! Styles go into the `layer_styles` table that QGIS reads and writes for OGR datasources (same
//! columns as its PostGIS/SpatiaLite providers: f_table_catalog, f_table_schema, f_table_name,
//! f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui,
//! update_time). QGIS picks the row with `f_table_schema = ''`, matching table and geometry column
//! and `useAsDefault` set, so the layer opens styled when added from the GeoPackage.

use crate::crs::srs_from_epsg;
use crate::error::{Context, Error, Result};
use crate::io::atomic::write_atomic;
use crate::io::layer::{FieldKind, GeomKind, Layer, Value};
use crate::io::qml::qml_document;
use gdal::vector::{
    Feature, FieldDefn, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType, ToGdal,
};
use gdal::DriverManager;
use geo::{Geometry, MultiLineString, MultiPoint, MultiPolygon};
use std::collections::BTreeSet;
use std::path::Path;

/// Name of the geometry column in every layer (GDAL's GeoPackage default).
pub const GEOMETRY_COLUMN: &str = "geom";
/// The QGIS style table.
pub const STYLE_TABLE: &str = "layer_styles";

/// OGR geometry type a layer is written with, given its family and whether any feature is a multi-part.
fn ogr_type(kind: GeomKind, any_multi: bool) -> OGRwkbGeometryType::Type {
    match (kind, any_multi) {
        (GeomKind::Point, false) => OGRwkbGeometryType::wkbPoint,
        (GeomKind::Point, true) => OGRwkbGeometryType::wkbMultiPoint,
        (GeomKind::Line, false) => OGRwkbGeometryType::wkbLineString,
        (GeomKind::Line, true) => OGRwkbGeometryType::wkbMultiLineString,
        (GeomKind::Polygon, _) => OGRwkbGeometryType::wkbMultiPolygon,
    }
}

/// The geometry as written: promoted to multi-part when the layer is multi-part, polygons always.
fn normalise(g: &Geometry<f64>, multi: bool) -> Geometry<f64> {
    match g {
        Geometry::Point(p) if multi => MultiPoint(vec![*p]).into(),
        Geometry::Line(l) if multi => MultiLineString(vec![(*l).into()]).into(),
        Geometry::Line(l) => Geometry::LineString((*l).into()),
        Geometry::LineString(l) if multi => MultiLineString(vec![l.clone()]).into(),
        Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]).into(),
        Geometry::Rect(r) => MultiPolygon(vec![r.to_polygon()]).into(),
        Geometry::Triangle(t) => MultiPolygon(vec![t.to_polygon()]).into(),
        other => other.clone(),
    }
}

fn ogr_field_type(k: FieldKind) -> OGRFieldType::Type {
    match k {
        FieldKind::Integer => OGRFieldType::OFTInteger64,
        FieldKind::Real => OGRFieldType::OFTReal,
        FieldKind::Text => OGRFieldType::OFTString,
        // gdal 0.19 exposes no field sub-types, so booleans are plain 0/1 integers.
        FieldKind::Boolean => OGRFieldType::OFTInteger,
    }
}

/// Checks names, field counts and value types before anything is written.
fn validate(path: &Path, layers: &[Layer]) -> Result<()> {
    let mut names = BTreeSet::new();
    for l in layers {
        let lower = l.name.to_lowercase();
        if l.name.is_empty()
            || lower == STYLE_TABLE
            || lower.starts_with("gpkg_")
            || lower.starts_with("rtree_")
        {
            return Err(Error::input(
                path,
                format!("layer name {:?} is empty or reserved", l.name),
            ));
        }
        if !names.insert(lower) {
            return Err(Error::input(
                path,
                format!("two layers named {:?} (names are case-insensitive)", l.name),
            ));
        }
        let mut fields = BTreeSet::new();
        for (f, _) in &l.fields {
            let fl = f.to_lowercase();
            if f.is_empty() || fl == "fid" || fl == GEOMETRY_COLUMN || !fields.insert(fl) {
                return Err(Error::input(
                    path,
                    format!(
                        "layer {}: field name {f:?} is empty, reserved or repeated",
                        l.name
                    ),
                ));
            }
        }
        for (i, (_, values)) in l.features.iter().enumerate() {
            if values.len() != l.fields.len() {
                return Err(Error::record(
                    path,
                    "feature",
                    i,
                    format!(
                        "layer {}: {} values for {} fields",
                        l.name,
                        values.len(),
                        l.fields.len()
                    ),
                ));
            }
            for ((fname, kind), v) in l.fields.iter().zip(values) {
                let ok = matches!(
                    (kind, v),
                    (_, Value::Null)
                        | (FieldKind::Integer, Value::Integer(_))
                        | (FieldKind::Real, Value::Real(_) | Value::Integer(_))
                        | (FieldKind::Text, Value::Text(_))
                        | (FieldKind::Boolean, Value::Boolean(_))
                );
                if !ok {
                    return Err(Error::record(
                        path,
                        "feature",
                        i,
                        format!(
                            "layer {}: field {fname} expects {kind:?}, got {v:?}",
                            l.name
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn set_value(f: &mut Feature, idx: usize, v: &Value) -> gdal::errors::Result<()> {
    match v {
        Value::Integer(x) => f.set_field_integer64(idx, *x),
        Value::Real(x) => f.set_field_double(idx, *x),
        Value::Text(s) => f.set_field_string(idx, s),
        Value::Boolean(b) => f.set_field_integer(idx, i32::from(*b)),
        Value::Null => f.set_field_null(idx),
    }
}

/// Writes `layers` into one GeoPackage at `path` (atomically), each layer in its own CRS with its
/// fields and features in order, plus a default QGIS style per layer in `layer_styles`.
///
/// Integer fields are 64-bit, booleans 0/1 integers; polygons are written as MultiPolygon, points
/// and lines as multi-part only when some feature is. A layer without features is written as an
/// (empty) MultiPolygon layer.
pub fn write_gpkg(path: &Path, layers: &[Layer]) -> Result<()> {
    validate(path, layers)?;
    let mut plans = Vec::with_capacity(layers.len());
    for l in layers {
        let kind = l
            .geom_kind()
            .map_err(|e| Error::input(path, e.to_string()))?
            .unwrap_or(GeomKind::Polygon);
        let any_multi = l
            .features
            .iter()
            .any(|(g, _)| matches!(g, Geometry::MultiPoint(_) | Geometry::MultiLineString(_)));
        let qml = qml_document(l, kind).map_err(|e| Error::input(path, e.to_string()))?;
        plans.push((ogr_type(kind, any_multi), any_multi, qml));
    }
    let ctx = |what: String| format!("{}: {what}", path.display());

    write_atomic(path, |tmp| {
        let driver = DriverManager::get_driver_by_name("GPKG").ctx(|| ctx("GPKG driver".into()))?;
        let mut ds = driver
            .create_vector_only(tmp)
            .ctx(|| ctx("creating GeoPackage".into()))?;
        let mut txn = ds
            .start_transaction()
            .ctx(|| ctx("starting transaction".into()))?;
        for (l, (ty, multi, _)) in layers.iter().zip(&plans) {
            let srs = srs_from_epsg(l.epsg)?;
            let geom_opt = format!("GEOMETRY_NAME={GEOMETRY_COLUMN}");
            let lyr = txn
                .create_layer(LayerOptions {
                    name: &l.name,
                    srs: Some(&srs),
                    ty: *ty,
                    options: Some(&[&geom_opt, "FID=fid", "SPATIAL_INDEX=YES"]),
                })
                .ctx(|| ctx(format!("creating layer {}", l.name)))?;
            write_features(&lyr, l, *multi, &ctx)?;
        }
        write_styles(&mut txn, layers, &plans, &ctx)?;
        txn.commit().ctx(|| ctx("committing".into()))?;
        ds.close().ctx(|| ctx("closing".into()))
    })
}

/// Creates `l`'s fields on the OGR layer `lyr` and writes its features in order (`multi`: as
/// multi-part geometries).
fn write_features(
    lyr: &gdal::vector::Layer,
    l: &Layer,
    multi: bool,
    ctx: &dyn Fn(String) -> String,
) -> Result<()> {
    for (fname, kind) in &l.fields {
        FieldDefn::new(fname, ogr_field_type(*kind))
            .and_then(|fd| fd.add_to_layer(lyr))
            .ctx(|| ctx(format!("layer {}: creating field {fname}", l.name)))?;
    }
    let defn = lyr.defn();
    for (i, (g, values)) in l.features.iter().enumerate() {
        let fctx = || ctx(format!("layer {} feature {i}", l.name));
        let mut f = Feature::new(defn).ctx(fctx)?;
        let og = normalise(g, multi).to_gdal().ctx(fctx)?;
        f.set_geometry(og).ctx(fctx)?;
        // By name: a driver may hold fields of its own before ours (KML: Name, Description).
        for ((fname, _), v) in l.fields.iter().zip(values) {
            let idx = f.field_index(fname).ctx(fctx)?;
            set_value(&mut f, idx, v).ctx(fctx)?;
        }
        f.create(lyr).ctx(fctx)?;
    }
    Ok(())
}

/// Writes one point layer as KML for field teams (GDAL's KML driver, which reprojects to WGS84),
/// each placemark named by the layer's `name_field` and carrying every field. Atomic like
/// [`write_gpkg`].
pub fn write_kml(path: &Path, layer: &Layer, name_field: &str) -> Result<()> {
    validate(path, std::slice::from_ref(layer))?;
    let ctx = |what: String| format!("{}: {what}", path.display());
    write_atomic(path, |tmp| {
        let driver = DriverManager::get_driver_by_name("KML").ctx(|| ctx("KML driver".into()))?;
        let mut options = gdal::cpl::CslStringList::new();
        options
            .set_name_value("NameField", name_field)
            .ctx(|| ctx("KML options".into()))?;
        let mut ds = driver
            .create_with_band_type_with_options::<u8, _>(tmp, 0, 0, 0, &options)
            .ctx(|| ctx("creating KML".into()))?;
        let srs = srs_from_epsg(layer.epsg)?;
        let lyr = ds
            .create_layer(LayerOptions {
                name: &layer.name,
                srs: Some(&srs),
                ty: OGRwkbGeometryType::wkbPoint,
                options: None,
            })
            .ctx(|| ctx(format!("creating layer {}", layer.name)))?;
        write_features(&lyr, layer, false, &ctx)?;
        ds.close().ctx(|| ctx("closing".into()))
    })
}

type Plan = (OGRwkbGeometryType::Type, bool, String);

/// Creates `layer_styles` (as QGIS does: an attribute table with FID `id`) and one default row per layer.
fn write_styles(
    ds: &mut gdal::Dataset,
    layers: &[Layer],
    plans: &[Plan],
    ctx: &dyn Fn(String) -> String,
) -> Result<()> {
    let lyr = ds
        .create_layer(LayerOptions {
            name: STYLE_TABLE,
            srs: None,
            ty: OGRwkbGeometryType::wkbNone,
            options: Some(&["FID=id"]),
        })
        .ctx(|| ctx(format!("creating {STYLE_TABLE}")))?;
    let text_fields: [(&str, i32); 11] = [
        ("f_table_catalog", 256),
        ("f_table_schema", 256),
        ("f_table_name", 256),
        ("f_geometry_column", 256),
        ("styleName", 30),
        ("styleQML", 0),
        ("styleSLD", 0),
        ("useAsDefault", -1),
        ("description", 0),
        ("owner", 30),
        ("ui", 30),
    ];
    for (name, width) in text_fields {
        let ty = if width < 0 {
            OGRFieldType::OFTInteger
        } else {
            OGRFieldType::OFTString
        };
        let fd = FieldDefn::new(name, ty).ctx(|| ctx(format!("{STYLE_TABLE}.{name}")))?;
        if width > 0 {
            fd.set_width(width);
        }
        fd.add_to_layer(&lyr)
            .ctx(|| ctx(format!("{STYLE_TABLE}.{name}")))?;
    }
    FieldDefn::new("update_time", OGRFieldType::OFTDateTime)
        .and_then(|fd| fd.add_to_layer(&lyr))
        .ctx(|| ctx(format!("{STYLE_TABLE}.update_time")))?;

    let defn = lyr.defn();
    for (l, (_, _, qml)) in layers.iter().zip(plans) {
        let fctx = || ctx(format!("{STYLE_TABLE}: style of {}", l.name));
        let mut f = Feature::new(defn).ctx(fctx)?;
        // styleName is limited to 30 characters in QGIS's schema.
        let style_name: String = l.name.chars().take(30).collect();
        let values: [(&str, &str); 10] = [
            ("f_table_catalog", ""),
            ("f_table_schema", ""),
            ("f_table_name", &l.name),
            ("f_geometry_column", GEOMETRY_COLUMN),
            ("styleName", &style_name),
            ("styleQML", qml),
            ("styleSLD", ""),
            ("description", "phusong default style"),
            ("owner", ""),
            ("ui", ""),
        ];
        for (name, v) in values {
            let idx = defn.field_index(name).ctx(fctx)?;
            f.set_field_string(idx, v).ctx(fctx)?;
        }
        let idx = defn.field_index("useAsDefault").ctx(fctx)?;
        f.set_field_integer(idx, 1).ctx(fctx)?;
        // update_time stays NULL: the only row per layer is the default, and output stays deterministic.
        f.create(&lyr).ctx(fctx)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::layer::Style;
    use gdal::vector::FieldValue;
    use gdal::Dataset;
    use geo::{point, polygon};

    fn demo_layers() -> Vec<Layer> {
        let mut sites = Layer::new(
            "sites",
            32648,
            &[
                ("id", FieldKind::Integer),
                ("name", FieldKind::Text),
                ("eirp_dbm", FieldKind::Real),
                ("on_grid", FieldKind::Boolean),
            ],
            Style::Categorized {
                field: "on_grid".into(),
                classes: vec![
                    ("true".into(), "#2060ff".into(), "grid".into()),
                    ("false".into(), "#ff6020".into(), "solar".into()),
                ],
            },
        );
        for i in 0..3000i64 {
            let x = 550_000.0 + i as f64 * 10.0;
            sites.features.push((
                point!(x: x, y: 2_070_000.0).into(),
                vec![
                    Value::Integer(i * 1_000_000_000),
                    if i == 1 {
                        Value::Null
                    } else {
                        Value::Text(format!("Trạm {i}"))
                    },
                    Value::Real(i as f64 + 0.25),
                    Value::Boolean(i % 2 == 0),
                ],
            ));
        }
        let mut communes = Layer::new(
            "communes",
            4326,
            &[("pop", FieldKind::Integer)],
            Style::Graduated {
                field: "pop".into(),
                ranges: vec![(0.0, 1e9, "#10a010".into(), "all".into())],
            },
        );
        let sq = polygon![(x: 105.0, y: 18.0), (x: 105.1, y: 18.0), (x: 105.1, y: 18.1), (x: 105.0, y: 18.1), (x: 105.0, y: 18.0)];
        communes
            .features
            .push((sq.clone().into(), vec![Value::Integer(1234)]));
        communes
            .features
            .push((MultiPolygon(vec![sq]).into(), vec![Value::Integer(5678)]));
        vec![sites, communes]
    }

    #[test]
    fn layers_fields_srs_and_styles_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.gpkg");
        write_gpkg(&p, &demo_layers()).unwrap();
        let ds = Dataset::open(&p).unwrap();

        let mut sites = ds.layer_by_name("sites").unwrap();
        assert_eq!(sites.feature_count(), 3000);
        assert_eq!(sites.spatial_ref().unwrap().auth_code().unwrap(), 32648);
        assert_eq!(sites.defn().geometry_type(), OGRwkbGeometryType::wkbPoint);
        let types: Vec<_> = sites
            .defn()
            .fields()
            .map(|f| (f.name(), f.field_type()))
            .collect();
        assert_eq!(
            types,
            vec![
                ("id".to_string(), OGRFieldType::OFTInteger64),
                ("name".to_string(), OGRFieldType::OFTString),
                ("eirp_dbm".to_string(), OGRFieldType::OFTReal),
                ("on_grid".to_string(), OGRFieldType::OFTInteger),
            ]
        );
        let feats: Vec<_> = sites.features().take(3).collect();
        assert_eq!(
            feats[1].field(0).unwrap(),
            Some(FieldValue::Integer64Value(1_000_000_000))
        );
        assert_eq!(feats[1].field(1).unwrap(), None);
        assert_eq!(
            feats[2].field(1).unwrap(),
            Some(FieldValue::StringValue("Trạm 2".into()))
        );
        assert_eq!(
            feats[2].field(2).unwrap(),
            Some(FieldValue::RealValue(2.25))
        );
        assert_eq!(
            feats[2].field(3).unwrap(),
            Some(FieldValue::IntegerValue(1))
        );
        assert_eq!(
            feats[1].field(3).unwrap(),
            Some(FieldValue::IntegerValue(0))
        );
        assert_eq!(
            feats[2].geometry().unwrap().get_point(0),
            (550_020.0, 2_070_000.0, 0.0)
        );

        let mut communes = ds.layer_by_name("communes").unwrap();
        assert_eq!(communes.feature_count(), 2);
        assert_eq!(communes.spatial_ref().unwrap().auth_code().unwrap(), 4326);
        assert_eq!(
            communes.defn().geometry_type(),
            OGRwkbGeometryType::wkbMultiPolygon
        );
        let pops: Vec<_> = communes
            .features()
            .map(|f| f.field_as_integer64(0).unwrap().unwrap())
            .collect();
        assert_eq!(pops, vec![1234, 5678]);

        let mut styles = ds.layer_by_name(STYLE_TABLE).unwrap();
        assert_eq!(styles.feature_count(), 2);
        let rows: Vec<(String, String, String, String, i32)> = styles
            .features()
            .map(|f| {
                let s = |n: &str| {
                    f.field_as_string(f.field_index(n).unwrap())
                        .unwrap()
                        .unwrap_or_default()
                };
                let d = f
                    .field_as_integer(f.field_index("useAsDefault").unwrap())
                    .unwrap()
                    .unwrap();
                (
                    s("f_table_name"),
                    s("f_geometry_column"),
                    s("f_table_schema"),
                    s("styleQML"),
                    d,
                )
            })
            .collect();
        assert_eq!(
            (
                rows[0].0.as_str(),
                rows[0].1.as_str(),
                rows[0].2.as_str(),
                rows[0].4
            ),
            ("sites", "geom", "", 1)
        );
        assert!(
            rows[0]
                .3
                .contains(r#"type="categorizedSymbol" attr="on_grid""#),
            "{}",
            rows[0].3
        );
        assert!(rows[0].3.contains(r#"<symbol type="marker""#));
        assert_eq!((rows[1].0.as_str(), rows[1].4), ("communes", 1));
        assert!(
            rows[1].3.contains(r#"type="graduatedSymbol" attr="pop""#),
            "{}",
            rows[1].3
        );
        assert!(rows[1].3.contains(r#"<symbol type="fill""#));
    }

    #[test]
    fn bad_values_are_reported_with_feature_index_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.gpkg");
        let mut layers = demo_layers();
        layers[0].features[7].1[2] = Value::Text("loud".into());
        let e = write_gpkg(&p, &layers).unwrap_err().to_string();
        assert!(e.contains("feature 7") && e.contains("eirp_dbm"), "{e}");
        assert!(!p.exists());

        let mut layers = demo_layers();
        layers[1].features[1].1.push(Value::Null);
        let e = write_gpkg(&p, &layers).unwrap_err().to_string();
        assert!(
            e.contains("feature 1") && e.contains("2 values for 1 fields"),
            "{e}"
        );

        let mut layers = demo_layers();
        layers[1].name = "Sites".into();
        assert!(write_gpkg(&p, &layers).is_err());

        let mut layers = demo_layers();
        layers[1]
            .features
            .push((point!(x: 1.0, y: 2.0).into(), vec![Value::Integer(1)]));
        let e = write_gpkg(&p, &layers).unwrap_err().to_string();
        assert!(e.contains("feature 2"), "{e}");
        assert!(!p.exists());
    }
}
