//! QGIS style XML for vector [`Layer`]s: the `<renderer-v2>` element (embedded in a project's
//! `<maplayer>`) and the whole QML document (stored in a GeoPackage's `layer_styles` table).
//!
//! Structure follows the QGIS 3 QML format (QGIS User Manual, "Saving and Sharing Layer
//! Properties"; renderer types `singleSymbol`, `categorizedSymbol`, `graduatedSymbol`; symbol layer
//! classes `SimpleMarker`, `SimpleLine`, `SimpleFill` with their properties as `<Option>` maps).

use crate::error::{Error, Result};
use crate::io::layer::{FieldKind, GeomKind, Layer, Marker, Style};
use std::fmt::Write as _;

/// QGIS version written into the documents; the format is read by any QGIS ≥ 3.16.
pub const QGIS_VERSION: &str = "3.22.16-Białowieża";

/// Alpha (0–255) of polygon fills, so that what lies below stays visible.
const FILL_ALPHA: u8 = 110;

/// Escapes text for XML attribute values and character data.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Parses "#rrggbb" into (r, g, b).
pub fn parse_hex_color(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.is_ascii() {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((c(0)?, c(2)?, c(4)?))
}

fn color(layer: &Layer, s: &str) -> Result<(u8, u8, u8)> {
    parse_hex_color(s).ok_or_else(|| {
        Error::Config(format!(
            "layer {}: colour {s:?} is not of the form #rrggbb",
            layer.name
        ))
    })
}

fn opt(out: &mut String, name: &str, value: &str) {
    let _ = writeln!(
        out,
        r#"          <Option type="QString" name="{name}" value="{}"/>"#,
        xml_escape(value)
    );
}

/// A point symbol's shape and outline, checked: QGIS silently draws a circle for an unknown shape.
struct MarkerXml {
    shape: &'static str,
    outline: String,
    outline_width_mm: f64,
}

/// `SimpleMarker` shape names QGIS 3.22 knows (QgsSimpleMarkerSymbolLayerBase::decodeShape).
const MARKER_SHAPES: [&str; 12] = [
    "circle",
    "square",
    "diamond",
    "pentagon",
    "hexagon",
    "triangle",
    "star",
    "cross",
    "cross2",
    "arrow",
    "filled_arrowhead",
    "cross_fill",
];

fn marker_xml(layer: &Layer, m: &Marker) -> Result<MarkerXml> {
    let (r, g, b) = color(layer, &m.outline)?;
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !MARKER_SHAPES.contains(&m.shape) || !ok(m.size_mm) || !ok(m.outline_width_mm) {
        return Err(Error::Config(format!(
            "layer {}: marker {:?} of {} mm (outline {} mm) needs a shape among {MARKER_SHAPES:?} and sizes ≥ 0 mm",
            layer.name, m.shape, m.size_mm, m.outline_width_mm
        )));
    }
    Ok(MarkerXml {
        shape: m.shape,
        outline: format!("{r},{g},{b},255"),
        outline_width_mm: m.outline_width_mm,
    })
}

/// One `<symbol>` element: a marker of the layer's shape, a solid line or a semi-transparent fill
/// with outline.
fn symbol(
    out: &mut String,
    name: &str,
    kind: GeomKind,
    (r, g, b): (u8, u8, u8),
    size_mm: f64,
    marker: &MarkerXml,
) {
    let (ty, class) = match kind {
        GeomKind::Point => ("marker", "SimpleMarker"),
        GeomKind::Line => ("line", "SimpleLine"),
        GeomKind::Polygon => ("fill", "SimpleFill"),
    };
    let _ = writeln!(
        out,
        r#"      <symbol type="{ty}" name="{}" alpha="1" clip_to_extent="1" force_rhr="0">"#,
        xml_escape(name)
    );
    let _ = writeln!(
        out,
        r#"        <layer class="{class}" enabled="1" pass="0" locked="0">"#
    );
    out.push_str("          <Option type=\"Map\">\n");
    let opaque = format!("{r},{g},{b},255");
    let size = format!("{size_mm}");
    match kind {
        GeomKind::Point => {
            opt(out, "name", marker.shape);
            opt(out, "color", &opaque);
            opt(out, "outline_color", &marker.outline);
            opt(out, "outline_style", "solid");
            opt(
                out,
                "outline_width",
                &format!("{}", marker.outline_width_mm),
            );
            opt(out, "outline_width_unit", "MM");
            opt(out, "size", &size);
            opt(out, "size_unit", "MM");
            opt(out, "scale_method", "diameter");
        }
        GeomKind::Line => {
            opt(out, "line_color", &opaque);
            opt(out, "line_style", "solid");
            opt(out, "line_width", &size);
            opt(out, "line_width_unit", "MM");
            opt(out, "capstyle", "round");
            opt(out, "joinstyle", "round");
        }
        GeomKind::Polygon => {
            opt(out, "color", &format!("{r},{g},{b},{FILL_ALPHA}"));
            opt(out, "style", "solid");
            opt(out, "outline_color", &opaque);
            opt(out, "outline_style", "solid");
            opt(out, "outline_width", &size);
            opt(out, "outline_width_unit", "MM");
            opt(out, "joinstyle", "bevel");
        }
    }
    out.push_str("          </Option>\n        </layer>\n      </symbol>\n");
}

/// Symbol size when the style does not give one: the layer's marker diameter, line width or
/// outline width.
fn default_size_mm(layer: &Layer, kind: GeomKind) -> f64 {
    match kind {
        GeomKind::Point => layer.marker.size_mm,
        GeomKind::Line => 0.8,
        GeomKind::Polygon => 0.3,
    }
}

fn field_kind(layer: &Layer, field: &str) -> Result<FieldKind> {
    layer
        .fields
        .iter()
        .find(|(n, _)| n == field)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            Error::Config(format!(
                "layer {}: style refers to field {field:?}, which the layer does not have",
                layer.name
            ))
        })
}

/// A category value as QGIS will see it in the data: booleans are stored as integers 0/1.
fn category_value(layer: &Layer, kind: FieldKind, v: &str) -> Result<String> {
    if kind != FieldKind::Boolean {
        return Ok(v.to_string());
    }
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok("1".into()),
        "false" | "0" | "no" => Ok("0".into()),
        _ => Err(Error::Config(format!(
            "layer {}: category {v:?} of a boolean field is not true/false",
            layer.name
        ))),
    }
}

/// The `<renderer-v2>` element drawing `layer` (whose geometries are of `kind`) per its [`Style`].
pub fn renderer_xml(layer: &Layer, kind: GeomKind) -> Result<String> {
    let mut out = String::new();
    let common = r#"symbollevels="0" forceraster="0" enableorderby="0""#;
    let m = marker_xml(layer, &layer.marker)?;
    match &layer.style {
        Style::Single { color: c, size_mm } => {
            let rgb = color(layer, c)?;
            let _ = writeln!(out, r#"    <renderer-v2 type="singleSymbol" {common}>"#);
            out.push_str("    <symbols>\n");
            symbol(&mut out, "0", kind, rgb, *size_mm, &m);
            out.push_str("    </symbols>\n");
        }
        Style::Categorized { field, classes } => {
            let fk = field_kind(layer, field)?;
            let _ = writeln!(
                out,
                r#"    <renderer-v2 type="categorizedSymbol" attr="{}" {common}>"#,
                xml_escape(field)
            );
            out.push_str("    <categories>\n");
            for (i, (value, _, label)) in classes.iter().enumerate() {
                let _ = writeln!(
                    out,
                    r#"      <category value="{}" symbol="{i}" label="{}" render="true"/>"#,
                    xml_escape(&category_value(layer, fk, value)?),
                    xml_escape(label)
                );
            }
            out.push_str("    </categories>\n    <symbols>\n");
            for (i, (_, c, _)) in classes.iter().enumerate() {
                symbol(
                    &mut out,
                    &i.to_string(),
                    kind,
                    color(layer, c)?,
                    default_size_mm(layer, kind),
                    &m,
                );
            }
            out.push_str("    </symbols>\n");
        }
        Style::Graduated { field, ranges } => {
            if !matches!(
                field_kind(layer, field)?,
                FieldKind::Integer | FieldKind::Real
            ) {
                return Err(Error::Config(format!(
                    "layer {}: graduated style needs a numeric field, {field:?} is not",
                    layer.name
                )));
            }
            let _ = writeln!(
                out,
                r#"    <renderer-v2 type="graduatedSymbol" attr="{}" graduatedMethod="GraduatedColor" {common}>"#,
                xml_escape(field)
            );
            out.push_str("    <ranges>\n");
            for (i, (lo, hi, _, label)) in ranges.iter().enumerate() {
                if lo
                    .partial_cmp(hi)
                    .is_none_or(|o| o == std::cmp::Ordering::Greater)
                {
                    return Err(Error::Config(format!(
                        "layer {}: range {i} has lower {lo} > upper {hi}",
                        layer.name
                    )));
                }
                let _ = writeln!(
                    out,
                    r#"      <range lower="{lo}" upper="{hi}" symbol="{i}" label="{}" render="true"/>"#,
                    xml_escape(label)
                );
            }
            out.push_str("    </ranges>\n    <symbols>\n");
            for (i, (_, _, c, _)) in ranges.iter().enumerate() {
                symbol(
                    &mut out,
                    &i.to_string(),
                    kind,
                    color(layer, c)?,
                    default_size_mm(layer, kind),
                    &m,
                );
            }
            out.push_str("    </symbols>\n    <mode name=\"manual\"/>\n");
        }
    }
    out.push_str("    </renderer-v2>\n");
    Ok(out)
}

/// A complete QML style document for `layer` (symbology only).
pub fn qml_document(layer: &Layer, kind: GeomKind) -> Result<String> {
    Ok(format!(
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n\
         <qgis version=\"{QGIS_VERSION}\" styleCategories=\"Symbology\">\n{}  <blendMode>0</blendMode>\n  \
         <featureBlendMode>0</featureBlendMode>\n  <layerOpacity>1</layerOpacity>\n</qgis>\n",
        renderer_xml(layer, kind)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(style: Style) -> Layer {
        Layer::new(
            "sites",
            32648,
            &[
                ("covered", FieldKind::Boolean),
                ("rsrp_dbm", FieldKind::Real),
            ],
            style,
        )
    }

    #[test]
    fn hex_colours_parse_and_reject_junk() {
        assert_eq!(parse_hex_color("#ff8000"), Some((255, 128, 0)));
        assert_eq!(parse_hex_color("#FF8000"), Some((255, 128, 0)));
        assert_eq!(parse_hex_color("ff8000"), None);
        assert_eq!(parse_hex_color("#ff80"), None);
        assert_eq!(parse_hex_color("#gg8000"), None);
        assert!(renderer_xml(
            &layer(Style::Single {
                color: "red".into(),
                size_mm: 1.0
            }),
            GeomKind::Point
        )
        .is_err());
    }

    #[test]
    fn categorized_boolean_values_become_integers_and_fill_is_translucent() {
        let l = layer(Style::Categorized {
            field: "covered".into(),
            classes: vec![
                ("true".into(), "#00ff00".into(), "Covered & served".into()),
                ("false".into(), "#ff0000".into(), "Not covered".into()),
            ],
        });
        let x = renderer_xml(&l, GeomKind::Polygon).unwrap();
        assert!(
            x.contains(r#"type="categorizedSymbol" attr="covered""#),
            "{x}"
        );
        assert!(
            x.contains(r#"<category value="1" symbol="0" label="Covered &amp; served""#),
            "{x}"
        );
        assert!(x.contains(r#"<category value="0" symbol="1""#), "{x}");
        assert!(x.contains(r#"name="color" value="0,255,0,110""#), "{x}");
        assert!(
            x.contains(r#"name="outline_color" value="255,0,0,255""#),
            "{x}"
        );
    }

    #[test]
    fn graduated_needs_numeric_field_and_ordered_ranges() {
        let ok = layer(Style::Graduated {
            field: "rsrp_dbm".into(),
            ranges: vec![(-140.0, -100.5, "#ff0000".into(), "weak".into())],
        });
        let x = renderer_xml(&ok, GeomKind::Point).unwrap();
        assert!(
            x.contains(r#"<range lower="-140" upper="-100.5" symbol="0" label="weak""#),
            "{x}"
        );
        assert!(x.contains(r#"class="SimpleMarker""#));
        let text = layer(Style::Graduated {
            field: "covered".into(),
            ranges: vec![],
        });
        assert!(renderer_xml(&text, GeomKind::Point).is_err());
        let missing = layer(Style::Graduated {
            field: "nope".into(),
            ranges: vec![],
        });
        assert!(renderer_xml(&missing, GeomKind::Point).is_err());
        let reversed = layer(Style::Graduated {
            field: "rsrp_dbm".into(),
            ranges: vec![(1.0, 0.0, "#ff0000".into(), "x".into())],
        });
        assert!(renderer_xml(&reversed, GeomKind::Point).is_err());
    }
}
