//! A print layout in the QGIS project: one A3 landscape page with the map, its legend, a scale bar,
//! a north arrow, the title and a table of headline numbers, ready to export to PDF
//! (`scripts/qgis_layout_pdf.py`, QgsLayoutExporter).
//!
//! The XML follows what QGIS 3.22 writes for a layout (`<Layouts><Layout>`, items `<LayoutItem
//! type=…>` with the item type ids of QgsLayoutItemRegistry: page 65638, map 65639, picture 65640,
//! label 65641, legend 65642, scale bar 65646); attributes left out take QGIS's defaults.

use crate::error::{Error, Result};
use crate::io::qml::xml_escape;
use std::fmt::Write as _;

/// What the layout shows besides the map.
#[derive(Clone, Debug, Default)]
pub struct PrintLayout {
    /// The layout's name in QGIS's layout manager.
    pub name: String,
    pub title: String,
    pub subtitle: String,
    /// The summary table: a header row, then (measure, before, after) rows.
    pub table: Vec<[String; 3]>,
    /// Lines under the table (assumptions, synthetic inputs).
    pub notes: Vec<String>,
}

/// A3 landscape, millimetres.
pub const PAGE_MM: (f64, f64) = (420.0, 297.0);
/// The map frame: x, y, width, height (mm).
const MAP_MM: [f64; 4] = [10.0, 30.0, 290.0, 257.0];
/// The right-hand column (legend above, table below): x and width (mm).
const SIDE_MM: (f64, f64) = (308.0, 102.0);
const MAP_UUID: &str = "{7a0e1c52-0000-4000-8000-000000000001}";

type Bbox = [f64; 4];

/// `extent` grown about its centre to the map frame's aspect ratio, so nothing is cut off.
fn fit(extent: &Bbox) -> Bbox {
    let (w, h) = (extent[2] - extent[0], extent[3] - extent[1]);
    let aspect = MAP_MM[2] / MAP_MM[3];
    let (w2, h2) = if w / h.max(f64::MIN_POSITIVE) > aspect {
        (w, w / aspect)
    } else {
        (h * aspect, h)
    };
    let (cx, cy) = ((extent[0] + extent[2]) / 2.0, (extent[1] + extent[3]) / 2.0);
    [cx - w2 / 2.0, cy - h2 / 2.0, cx + w2 / 2.0, cy + h2 / 2.0]
}

/// A scale-bar segment of 1, 2 or 5 × 10ⁿ km near a sixth of the map's width (`width_m`).
fn segment_km(width_m: f64) -> f64 {
    let target = width_m / 6_000.0;
    let p = 10f64.powf(target.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * p)
        .rfind(|s| *s <= target)
        .unwrap_or(p)
}

/// The opening of a `<LayoutItem>` of `ty` at `rect` (x, y, w, h mm) with `extra` attributes, and
/// the children every item has.
fn item_head(ty: u32, uuid: &str, rect: [f64; 4], z: u32, frame: bool, extra: &str) -> String {
    let [x, y, w, h] = rect;
    format!(
        r#"      <LayoutItem type="{ty}" uuid="{uuid}" templateUuid="{uuid}" id="" position="{x},{y},mm" positionOnPage="{x},{y},mm" size="{w},{h},mm" referencePoint="0" itemRotation="0" zValue="{z}" visibility="1" frame="{frame}" outlineWidthM="0.3,mm" background="{frame}" opacity="1" blendMode="0" excludeFromExports="0" positionLock="false" groupUuid="" frameJoinStyle="miter" {extra}>
        <FrameColor red="60" green="60" blue="60" alpha="255"/>
        <BackgroundColor red="255" green="255" blue="255" alpha="255"/>
        <LayoutObject>
          <dataDefinedProperties><Option type="Map"><Option type="QString" value="" name="name"/><Option name="properties"/><Option type="QString" value="collection" name="type"/></Option></dataDefinedProperties>
          <customproperties><Option/></customproperties>
        </LayoutObject>
"#
    )
}

/// Qt's font description: family, point size, pixel size, style hint, weight (50 normal, 75 bold), …
fn font(size_pt: u32, bold: bool) -> String {
    format!(
        "DejaVu Sans,{size_pt},-1,5,{},0,0,0,0,0",
        if bold { 75 } else { 50 }
    )
}

/// A text label (plain or HTML).
fn label(n: u32, rect: [f64; 4], text: &str, size_pt: u32, bold: bool, html: bool) -> String {
    let uuid = format!("{{7a0e1c52-0000-4000-8000-0000000001{n:02}}}");
    let extra = format!(
        r#"labelText="{}" htmlState="{}" marginX="1" marginY="1" halign="1" valign="32""#,
        xml_escape(text),
        u8::from(html)
    );
    let mut x = item_head(65641, &uuid, rect, 10 + n, false, &extra);
    let _ = writeln!(
        x,
        r#"        <LabelFont description="{}" style=""/>"#,
        font(size_pt, bold)
    );
    x.push_str("        <FontColor red=\"0\" green=\"0\" blue=\"0\" alpha=\"255\"/>\n      </LayoutItem>\n");
    x
}

/// The legend: the layers shown, as [id, name, source, provider, layer-tree custom properties], in
/// the map's order.
fn legend(layers: &[[&str; 5]]) -> String {
    let extra = format!(
        r#"title="Legend" map_uuid="{MAP_UUID}" resizeToContents="1" symbolWidth="7" symbolHeight="4" columnCount="1" splitLayer="0" equalColumnWidth="0" boxSpace="2" columnSpace="2" lineSpacing="1" rasterBorder="1" rasterBorderColor="0,0,0,255" rasterBorderWidth="0" titleAlignment="1" symbolAlignment="1" wmsLegendWidth="50" wmsLegendHeight="25" wrapChar="" fontColor="{}" legendFilterByAtlas="0""#,
        "#000000"
    );
    let [x0, w] = [SIDE_MM.0, SIDE_MM.1];
    let mut x = item_head(
        65642,
        "{7a0e1c52-0000-4000-8000-000000000002}",
        [x0, MAP_MM[1], w, 150.0],
        3,
        true,
        &extra,
    );
    x.push_str("        <styles>\n");
    for (name, size, bold, margin) in [
        ("title", 13, true, r#"marginBottom="3""#),
        ("group", 11, true, r#"marginTop="3""#),
        ("subgroup", 10, true, r#"marginTop="2""#),
        ("symbol", 9, false, r#"marginTop="1.5""#),
        ("symbolLabel", 9, false, r#"marginTop="1.5" marginLeft="2""#),
    ] {
        let _ = writeln!(
            x,
            r#"          <style name="{name}" {margin} alignment="1" indent="0"><styleFont description="{}" style=""/></style>"#,
            font(size, bold)
        );
    }
    x.push_str("        </styles>\n        <layer-tree-group>\n          <customproperties/>\n");
    for [id, name, source, provider, props] in layers {
        let _ = writeln!(
            x,
            r#"          <layer-tree-layer id="{}" name="{}" source="{}" providerKey="{provider}" checked="Qt::Checked" expanded="1" legend_exp="">{props}</layer-tree-layer>"#,
            xml_escape(id),
            xml_escape(name),
            xml_escape(source)
        );
    }
    x.push_str("        </layer-tree-group>\n      </LayoutItem>\n");
    x
}

/// The summary table as HTML (rendered by the label item), then the notes.
fn table_html(l: &PrintLayout) -> String {
    let mut h = String::from(
        "<style>table{border-collapse:collapse;font-family:'DejaVu Sans';font-size:7pt;width:100%}\
         td,th{border-bottom:1px solid #999;padding:1px 2px;text-align:right;white-space:nowrap}\
         td:first-child,th:first-child{text-align:left}p{font-family:'DejaVu Sans';font-size:7pt;color:#333}</style><table>",
    );
    for (i, row) in l.table.iter().enumerate() {
        let tag = if i == 0 { "th" } else { "td" };
        h.push_str("<tr>");
        for c in row {
            let _ = write!(h, "<{tag}>{}</{tag}>", xml_escape(c));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    for n in &l.notes {
        let _ = write!(h, "<p>{}</p>", xml_escape(n));
    }
    h
}

/// `<Layouts>` with one A3 landscape layout of the map over `extent` (project CRS), the legend of
/// `legend_layers` ([id, name, source, provider, layer-tree custom properties]) and the headline table.
pub fn layout_xml(l: &PrintLayout, extent: &Bbox, legend_layers: &[[&str; 5]]) -> Result<String> {
    if l.name.trim().is_empty() || extent.iter().any(|v| !v.is_finite()) {
        return Err(Error::Config(format!(
            "print layout {:?}: needs a name and a finite map extent, got {extent:?}",
            l.name
        )));
    }
    let e = fit(extent);
    let mut x = String::from("  <Layouts>\n");
    let _ = writeln!(
        x,
        r#"    <Layout name="{}" units="mm" printResolution="300" worldFileMap="">"#,
        xml_escape(&l.name)
    );
    x.push_str("      <PageCollection>\n");
    x.push_str(&item_head(
        65638,
        "{7a0e1c52-0000-4000-8000-000000000000}",
        [0.0, 0.0, PAGE_MM.0, PAGE_MM.1],
        0,
        false,
        "",
    ));
    x.push_str("      </LayoutItem>\n      </PageCollection>\n");
    x.push_str(&item_head(
        65639,
        MAP_UUID,
        MAP_MM,
        1,
        true,
        r#"keepLayerSet="false" drawCanvasItems="true" mapRotation="0" labelMargin="0,mm" followPreset="false" followPresetName="""#,
    ));
    let _ = writeln!(
        x,
        r#"        <Extent xmin="{}" ymin="{}" xmax="{}" ymax="{}"/>
        <LayerSet/>
      </LayoutItem>"#,
        e[0], e[1], e[2], e[3]
    );
    x.push_str(&legend(legend_layers));
    let seg = segment_km(e[2] - e[0]);
    x.push_str(&item_head(
        65646,
        "{7a0e1c52-0000-4000-8000-000000000003}",
        [MAP_MM[0] + 4.0, MAP_MM[1] + MAP_MM[3] - 16.0, 80.0, 12.0],
        4,
        true,
        &format!(
            r#"mapUuid="{MAP_UUID}" style="Single Box" unitType="kilometers" unitLabel="km" numMapUnitsPerScaleBarUnit="1000" numUnitsPerSegment="{}" numSegments="2" numSegmentsLeft="0" numSubdivisions="1" segmentSizeMode="0" height="2" labelBarSpace="2" boxContentSpace="1.5" alignment="0""#,
            seg * 1000.0 // QGIS counts a segment in map units (m), labels it in km
        ),
    ));
    x.push_str(
        r#"        <text-style fontFamily="DejaVu Sans" fontSize="9" fontSizeUnit="Point" fontWeight="50" textColor="0,0,0,255" textOpacity="1" multilineHeight="1"/>
      </LayoutItem>
"#,
    );
    x.push_str(&item_head(
        65640,
        "{7a0e1c52-0000-4000-8000-000000000004}",
        [MAP_MM[0] + MAP_MM[2] - 17.0, MAP_MM[1] + 3.0, 13.0, 18.0],
        5,
        false,
        &format!(
            r#"file=":/images/north_arrows/layout_default_north_arrow.svg" mode="0" resizeMode="0" anchorPoint="4" mapUuid="{MAP_UUID}" northMode="0" northOffset="0" pictureRotation="0" svgFillColor="255,255,255,255" svgBorderColor="0,0,0,255" svgBorderWidth="0.2""#
        ),
    ));
    x.push_str("      </LayoutItem>\n");
    x.push_str(&label(
        0,
        [10.0, 7.0, 400.0, 12.0],
        &l.title,
        22,
        true,
        false,
    ));
    x.push_str(&label(
        1,
        [10.0, 19.0, 400.0, 8.0],
        &l.subtitle,
        11,
        false,
        false,
    ));
    x.push_str(&label(
        2,
        [SIDE_MM.0, 160.0, SIDE_MM.1, 127.0],
        &table_html(l),
        9,
        false,
        true,
    ));
    x.push_str("    </Layout>\n  </Layouts>\n");
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_is_grown_to_the_frame_aspect_and_keeps_its_centre() {
        for ext in [[0.0, 0.0, 100.0, 10.0], [0.0, 0.0, 10.0, 100.0]] {
            let f = fit(&ext);
            let (w, h) = (f[2] - f[0], f[3] - f[1]);
            assert!((w / h - MAP_MM[2] / MAP_MM[3]).abs() < 1e-9);
            assert!(f[0] <= ext[0] && f[1] <= ext[1] && f[2] >= ext[2] && f[3] >= ext[3]);
            assert!(((f[0] + f[2]) - (ext[0] + ext[2])).abs() < 1e-9);
        }
    }

    #[test]
    fn scale_segments_are_round_and_near_a_sixth_of_the_width() {
        assert_eq!(segment_km(25_000.0), 2.0); // 4.2 km → 2 km
        assert_eq!(segment_km(180_000.0), 20.0); // 30 km → 20 km
        assert_eq!(segment_km(60_000.0), 10.0);
        for w in [3_000.0, 47_000.0, 333_000.0] {
            let s = segment_km(w);
            assert!(
                s <= w / 6_000.0 && s > w / 6_000.0 / 5.0 - 1e-12,
                "{w}: {s}"
            );
        }
    }
}
