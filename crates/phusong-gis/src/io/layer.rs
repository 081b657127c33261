//! In-memory vector layers: what stages hand to the writers (GeoPackage, QGIS project).

use geo::Geometry;

/// A field's type in an output layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    Integer,
    Real,
    Text,
    Boolean,
}

/// A field value; `Null` for missing.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Integer(i64),
    Real(f64),
    Text(String),
    Boolean(bool),
    Null,
}

/// How a layer should be drawn when it opens in QGIS.
#[derive(Clone, Debug, PartialEq)]
pub enum Style {
    /// One symbol: fill/marker colour as "#rrggbb", size in mm (points) or outline width (lines/polygons).
    Single { color: String, size_mm: f64 },
    /// Colour by a boolean or text field's values: (value as text, colour, label).
    Categorized {
        field: String,
        classes: Vec<(String, String, String)>,
    },
    /// Colour by numeric ranges of a field: (lower, upper, colour, label).
    Graduated {
        field: String,
        ranges: Vec<(f64, f64, String, String)>,
    },
}

/// A vector layer in the study CRS.
#[derive(Clone, Debug)]
pub struct Layer {
    pub name: String,
    /// EPSG code of the geometries.
    pub epsg: u32,
    pub fields: Vec<(String, FieldKind)>,
    pub features: Vec<(Geometry<f64>, Vec<Value>)>,
    pub style: Style,
    /// How points are drawn (ignored for lines and polygons).
    pub marker: Marker,
}

/// A point symbol: QGIS `SimpleMarker` shape name (`circle`, `triangle`, `star`, `square`, …),
/// diameter and outline, so that layers of points can differ by shape as well as by colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub shape: &'static str,
    pub size_mm: f64,
    /// Outline colour "#rrggbb".
    pub outline: String,
    pub outline_width_mm: f64,
}

impl Default for Marker {
    /// A 1.4 mm circle with a thin dark outline.
    fn default() -> Self {
        Marker {
            shape: "circle",
            size_mm: 1.4,
            outline: "#232323".into(),
            outline_width_mm: 0.2,
        }
    }
}

impl Layer {
    pub fn new(name: &str, epsg: u32, fields: &[(&str, FieldKind)], style: Style) -> Self {
        Layer {
            name: name.to_string(),
            epsg,
            fields: fields.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            features: Vec::new(),
            style,
            marker: Marker::default(),
        }
    }
}

/// The geometry family of a layer, which decides its OGR geometry type and its QGIS symbol type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GeomKind {
    Point,
    Line,
    Polygon,
}

impl GeomKind {
    /// The family of one geometry; `None` for geometry collections, which the writers do not support.
    pub fn of(g: &Geometry<f64>) -> Option<GeomKind> {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => Some(GeomKind::Point),
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                Some(GeomKind::Line)
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => Some(GeomKind::Polygon),
            Geometry::GeometryCollection(_) => None,
        }
    }
}

impl Layer {
    /// The layer's geometry family: `Ok(None)` when it has no features, an error naming the first
    /// feature that is a collection or differs from feature 0.
    pub fn geom_kind(&self) -> crate::Result<Option<GeomKind>> {
        let mut kind = None;
        for (i, (g, _)) in self.features.iter().enumerate() {
            let k = GeomKind::of(g).ok_or_else(|| {
                crate::Error::Other(format!(
                    "layer {}: feature {i} is a geometry collection",
                    self.name
                ))
            })?;
            match kind {
                None => kind = Some(k),
                Some(k0) if k0 != k => {
                    return Err(crate::Error::Other(format!(
                        "layer {}: feature {i} is a {k:?} but feature 0 is a {k0:?}; one geometry family per layer",
                        self.name
                    )))
                }
                _ => {}
            }
        }
        Ok(kind)
    }
}
