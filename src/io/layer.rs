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
}

impl Layer {
    pub fn new(name: &str, epsg: u32, fields: &[(&str, FieldKind)], style: Style) -> Self {
        Layer {
            name: name.to_string(),
            epsg,
            fields: fields.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            features: Vec::new(),
            style,
        }
    }
}
