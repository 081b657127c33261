//! The QGIS project a run writes opens to the planner's view: read from the `.qgs` XML (which
//! layers are on, their colours, marker shapes, the terrain ramp, the print layout), then opened in
//! real QGIS with PyQGIS (`scripts/qgis_layout_pdf.py`): the layers visible, the legends QGIS 3.22
//! draws, and the A3 layout exported to a non-blank PDF.

use gdal::Dataset;
use phusong_gis::pipeline::{run_all, Quiet};
use phusong_gis::scenario::Scenario;
use roxmltree::{Document, Node};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Least CIE76 colour difference ΔE*ab between any two colours the default view shows (coverage
/// classes, gap causes, tower kinds). A just-noticeable difference is ΔE ≈ 2.3 (Sharma, Digital
/// Color Imaging Handbook, 2003, §1.7); map symbols must be *identified* against their legend at a
/// glance, small and over a raster, so we ask for about ten times that: 20 is also roughly the
/// lightness step between neighbouring classes of a 5-class single-hue ColorBrewer scheme.
const MIN_DELTA_E: f64 = 20.0;

/// The small study of tests/pipeline.rs (25 × 25 km at 250 m), run once for this file.
fn run_folder() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("qgis_project");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an");
        let scenario = format!(
            r#"name = "Thanh Chương test"
resolution_m = 250.0
seed = 7
clip_m = [500000.0, 2080000.0, 525000.0, 2105000.0]
[synth]
p1511 = "{}"
landmask = "{}"
places = "{}"
sites = 120
hamlets = 200
unpowered_hamlets = 5
underserved_hamlets = 10
underserved_clearance_m = 1500.0
unpowered_clearance_m = 2000.0
population = 150000
communes = 6
[plan]
budget = 15
grid_spacing_m = 4000.0
"#,
            d.join("dem/p1511_topo_5arcmin.asc").display(),
            d.join("coast/landmask_3s.tif").display(),
            d.join("places/geonames_places.tsv").display(),
        );
        std::fs::write(root.join("scenario.toml"), scenario).unwrap();
        let s = Scenario::load(&root.join("scenario.toml")).unwrap();
        run_all(&s, &root.join("out"), &Quiet).unwrap();
        root.join("out")
    })
}

fn summary() -> serde_json::Value {
    let text = std::fs::read_to_string(run_folder().join("summary.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// "#rrggbb" or QGIS's "r,g,b,a" as (r, g, b).
fn rgb(s: &str) -> (u8, u8, u8) {
    if let Some(h) = s.strip_prefix('#') {
        let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap();
        return (c(0), c(2), c(4));
    }
    let v: Vec<u8> = s.split(',').map(|x| x.trim().parse().unwrap()).collect();
    (v[0], v[1], v[2])
}

/// CIE L*a*b* (D65) of an sRGB colour: IEC 61966-2-1 linearisation, sRGB → XYZ matrix, CIE 15:2004
/// §8.2.1 for L*a*b*.
fn lab((r, g, b): (u8, u8, u8)) -> [f64; 3] {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(r), lin(g), lin(b));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > (6.0f64 / 29.0).powi(3) {
            t.cbrt()
        } else {
            t / (3.0 * (6.0f64 / 29.0).powi(2)) + 4.0 / 29.0
        }
    };
    [
        116.0 * f(y) - 16.0,
        500.0 * (f(x) - f(y)),
        200.0 * (f(y) - f(z)),
    ]
}

fn delta_e(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (p, q) = (lab(a), lab(b));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

fn child<'a, 'b>(n: Node<'a, 'b>, tag: &str) -> Option<Node<'a, 'b>> {
    n.children().find(|c| c.has_tag_name(tag))
}

fn text_of<'a>(n: Node<'a, '_>, tag: &str) -> &'a str {
    child(n, tag).and_then(|c| c.text()).unwrap_or("")
}

/// The `<maplayer>` whose datasource ends with `suffix`.
fn maplayer<'a, 'b>(doc: &'b Document<'a>, suffix: &str) -> Node<'a, 'b> {
    doc.descendants()
        .filter(|n| n.has_tag_name("maplayer"))
        .find(|n| text_of(*n, "datasource").ends_with(suffix))
        .unwrap_or_else(|| panic!("no layer reading {suffix}"))
}

/// Fill colours of a vector layer's symbols, and the marker shapes they use.
fn vector_symbols(layer: Node) -> (Vec<(u8, u8, u8)>, BTreeSet<String>) {
    let (mut colours, mut shapes) = (Vec::new(), BTreeSet::new());
    for sym in layer.descendants().filter(|n| n.has_tag_name("symbol")) {
        for o in sym.descendants().filter(|n| n.has_tag_name("Option")) {
            match o.attribute("name") {
                Some("color") => colours.push(rgb(o.attribute("value").unwrap())),
                Some("name") => {
                    shapes.insert(o.attribute("value").unwrap().to_string());
                }
                _ => {}
            }
        }
    }
    (colours, shapes)
}

/// The layer-tree layers switched on when the project opens: checked, and every group above checked.
fn visible_layers(doc: &Document) -> Vec<(String, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
        .filter(|n| !n.ancestors().any(|a| a.has_tag_name("Layout")))
        .filter(|n| {
            n.ancestors()
                .filter(|a| {
                    a.has_tag_name("layer-tree-layer") || a.has_tag_name("layer-tree-group")
                })
                .all(|a| a.attribute("checked").is_none_or(|c| c == "Qt::Checked"))
        })
        .map(|n| {
            (
                n.attribute("id").unwrap().to_string(),
                n.attribute("source").unwrap().to_string(),
            )
        })
        .collect()
}

/// Lowest and highest DEM height on the study's land cells, read here from the run's input files.
fn land_heights() -> (f64, f64) {
    let read = |f: &str| -> Vec<f64> {
        let ds = Dataset::open(run_folder().join("inputs").join(f)).unwrap();
        let band = ds.rasterband(1).unwrap();
        band.read_band_as::<f64>().unwrap().data().to_vec()
    };
    let (dem, mask) = (read("dem_m.tif"), read("study_mask.tif"));
    let land: Vec<f64> = dem
        .iter()
        .zip(&mask)
        .filter(|(h, m)| **m == 1.0 && h.is_finite())
        .map(|(h, _)| *h)
        .collect();
    let lo = land.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = land.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

#[test]
fn default_view_is_the_plan_in_colours_that_cannot_be_confused() {
    let text = std::fs::read_to_string(run_folder().join("project.qgs")).unwrap();
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = Document::parse_with_options(&text, opts).unwrap();
    let s = summary();
    let study = s["study"].as_str().unwrap();
    let t = s["threshold_rsrp_dbm"].as_f64().unwrap();

    // At most five layers on; exactly coverage before the plan, the gaps and the proposed towers.
    let visible = visible_layers(&doc);
    assert!(visible.len() <= 5, "{visible:?}");
    let sources: BTreeSet<&str> = visible.iter().map(|(_, s)| s.as_str()).collect();
    let want: BTreeSet<&str> = [
        "./rsrp_dbm.tif",
        "./phusong.gpkg|layername=gaps",
        "./phusong.gpkg|layername=sites_proposed",
    ]
    .into();
    assert_eq!(sources, want);
    // Every other output is in the project (off), in a named group.
    let all = doc
        .descendants()
        .filter(|n| n.has_tag_name("maplayer"))
        .count();
    assert_eq!(all, 13);
    // The land cover: paletted, one legend entry per class of the table by name, off.
    let clutter = maplayer(&doc, "/inputs/clutter.tif");
    let renderer = clutter
        .descendants()
        .find(|n| n.has_tag_name("rasterrenderer"))
        .unwrap();
    assert_eq!(renderer.attribute("type"), Some("paletted"));
    let labels: Vec<&str> = clutter
        .descendants()
        .filter(|n| n.has_tag_name("paletteEntry"))
        .filter_map(|n| n.attribute("label"))
        .collect();
    assert_eq!(
        labels,
        [
            "water",
            "open/rural",
            "suburban",
            "urban",
            "forest",
            "dense urban"
        ]
    );
    assert!(!visible.iter().any(|(_, s)| s.ends_with("clutter.tif")));
    for n in doc
        .descendants()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
    {
        if !n.ancestors().any(|a| a.has_tag_name("Layout")) {
            let g = n.parent().unwrap();
            assert!(
                g.attribute("name").is_some_and(|g| !g.is_empty()),
                "ungrouped layer"
            );
        }
    }
    // Title and layer names carry the study's name.
    assert_eq!(
        text_of(doc.root_element(), "title"),
        format!("{study}: mobile coverage plan")
    );
    for n in doc.descendants().filter(|n| n.has_tag_name("layername")) {
        assert!(n.text().unwrap().contains(study), "{:?}", n.text());
    }

    // Coverage: discrete classes, one bound exactly at the threshold, grey below it, colour above.
    let cov = maplayer(&doc, "/rsrp_dbm.tif");
    let shader = cov
        .descendants()
        .find(|n| n.has_tag_name("colorrampshader"))
        .unwrap();
    assert_eq!(shader.attribute("colorRampType"), Some("DISCRETE"));
    let items: Vec<(f64, (u8, u8, u8), String)> = shader
        .children()
        .filter(|n| n.has_tag_name("item"))
        .map(|n| {
            (
                n.attribute("value").unwrap().parse().unwrap(),
                rgb(n.attribute("color").unwrap()),
                n.attribute("label").unwrap().to_string(),
            )
        })
        .collect();
    // The break: the last class ending below the threshold ends at the largest f32 below it, so a
    // cell at exactly the threshold (covered: RSRP ≥ threshold) is drawn in the first covered class.
    let at = items
        .iter()
        .rposition(|i| i.0 < t)
        .expect("a class below the threshold");
    let bound = items[at].0 as f32;
    assert!(
        f64::from(bound) == items[at].0 && f64::from(bound.next_up()) >= t,
        "{items:?}"
    );
    let grey = |c: (u8, u8, u8)| c.0 == c.1 && c.1 == c.2;
    assert!(items[..=at].iter().all(|i| grey(i.1)), "{items:?}");
    assert!(items[at + 1..].iter().all(|i| !grey(i.1)), "{items:?}");
    assert!(items.iter().all(|i| !i.2.is_empty()));

    // Gaps and proposed towers: colours of their classes.
    let (gap_colours, gap_shapes) = vector_symbols(maplayer(&doc, "layername=gaps"));
    let proposed = maplayer(&doc, "layername=sites_proposed");
    let (tower_colours, tower_shapes) = vector_symbols(proposed);
    assert_eq!((gap_colours.len(), tower_colours.len()), (2, 2));
    let mut colours: Vec<(&str, (u8, u8, u8))> = items.iter().map(|i| ("coverage", i.1)).collect();
    colours.extend(gap_colours.iter().map(|c| ("gap", *c)));
    colours.extend(tower_colours.iter().map(|c| ("tower", *c)));
    for (i, a) in colours.iter().enumerate() {
        for b in &colours[i + 1..] {
            let d = delta_e(a.1, b.1);
            assert!(
                d >= MIN_DELTA_E,
                "{a:?} and {b:?}: ΔE {d:.1} < {MIN_DELTA_E}"
            );
        }
    }
    // Existing and proposed towers never share a marker shape.
    let (_, existing_shapes) = vector_symbols(maplayer(&doc, "layername=sites_existing"));
    assert!(
        existing_shapes.is_disjoint(&tower_shapes),
        "{existing_shapes:?} {tower_shapes:?}"
    );
    assert!(gap_shapes.is_disjoint(&tower_shapes));

    // Terrain: the ramp spans the study's own land heights, has no green, and a hillshade lies under it.
    let (lo, hi) = land_heights();
    let heights = doc
        .descendants()
        .filter(|n| n.has_tag_name("maplayer"))
        .filter(|n| text_of(*n, "datasource").ends_with("inputs/dem_m.tif"))
        .collect::<Vec<_>>();
    assert_eq!(heights.len(), 2);
    let renderers: BTreeSet<&str> = heights
        .iter()
        .filter_map(|n| n.descendants().find(|c| c.has_tag_name("rasterrenderer")))
        .filter_map(|r| r.attribute("type"))
        .collect();
    assert_eq!(renderers, ["hillshade", "singlebandpseudocolor"].into());
    let ramp = heights
        .iter()
        .find_map(|n| n.descendants().find(|c| c.has_tag_name("colorrampshader")))
        .unwrap();
    let v = |a: &str| ramp.attribute(a).unwrap().parse::<f64>().unwrap();
    assert!((v("minimumValue") - lo).abs() < 0.01 && (v("maximumValue") - hi).abs() < 0.01);
    for item in ramp.children().filter(|n| n.has_tag_name("item")) {
        let (r, g, b) = rgb(item.attribute("color").unwrap());
        assert!(!(g > r && g > b), "green in the terrain ramp: {r},{g},{b}");
    }
    // Serving site: one colour per site but no per-site legend (an interpolated ramp, not a palette).
    let server = maplayer(&doc, "/serving_site.tif");
    assert!(!server.descendants().any(|n| n.has_tag_name("paletteEntry")));
    let shader = server
        .descendants()
        .find(|n| n.has_tag_name("colorrampshader"))
        .unwrap();
    assert_eq!(shader.attribute("colorRampType"), Some("INTERPOLATED"));

    layout_is_complete(&doc, &visible, &s);
}

/// The A3 print layout: map, legend of the visible layers, scale bar, north arrow, title, and a
/// table whose numbers are summary.json's.
fn layout_is_complete(doc: &Document, visible: &[(String, String)], s: &serde_json::Value) {
    let layout = doc
        .descendants()
        .find(|n| n.has_tag_name("Layout"))
        .expect("a print layout");
    let items: Vec<Node> = layout
        .descendants()
        .filter(|n| n.has_tag_name("LayoutItem"))
        .collect();
    let of_type = |t: &str| {
        items
            .iter()
            .filter(|n| n.attribute("type") == Some(t))
            .count()
    };
    // Page, map, picture, label, legend, scale bar (QgsLayoutItemRegistry ids).
    for (t, n) in [
        ("65638", 1),
        ("65639", 1),
        ("65640", 1),
        ("65642", 1),
        ("65646", 1),
    ] {
        assert_eq!(of_type(t), n, "items of type {t}");
    }
    let page = items
        .iter()
        .find(|n| n.attribute("type") == Some("65638"))
        .unwrap();
    assert_eq!(page.attribute("size"), Some("420,297,mm"));
    let picture = items
        .iter()
        .find(|n| n.attribute("type") == Some("65640"))
        .unwrap();
    assert!(picture.attribute("file").unwrap().contains("north_arrow"));
    let legend = items
        .iter()
        .find(|n| n.attribute("type") == Some("65642"))
        .unwrap();
    let in_legend: BTreeSet<&str> = legend
        .descendants()
        .filter(|n| n.has_tag_name("layer-tree-layer"))
        .map(|n| n.attribute("id").unwrap())
        .collect();
    assert_eq!(
        in_legend,
        visible.iter().map(|(id, _)| id.as_str()).collect()
    );
    let labels: Vec<&str> = items
        .iter()
        .filter(|n| n.attribute("type") == Some("65641"))
        .map(|n| n.attribute("labelText").unwrap())
        .collect();
    let study = s["study"].as_str().unwrap();
    assert!(labels.iter().any(|l| l.contains(study)), "{labels:?}");
    let table = labels
        .iter()
        .find(|l| l.contains("<table>"))
        .expect("summary table");
    let (b, a) = (&s["before"], &s["after"]);
    let villages = |c: &serde_json::Value| {
        format!(
            "{} / {} ({:.1} %)",
            c["hamlets_covered"],
            s["hamlets"],
            c["hamlets_covered_pct"].as_f64().unwrap()
        )
    };
    for want in [
        villages(b),
        villages(a),
        format!("{:.1} %", b["population_covered_pct"].as_f64().unwrap()),
        format!("{:.1} %", a["population_covered_pct"].as_f64().unwrap()),
        format!("{:.1} %", b["land_area_covered_pct"].as_f64().unwrap()),
        format!("{} existing", s["sites_existing"]),
        format!("+{} new", s["plan"]["towers"]),
    ] {
        assert!(table.contains(&want), "{want} not in {table}");
    }
}

/// Opens the project in real QGIS (PyQGIS, offscreen), checks the layers on and the legends QGIS
/// draws, and exports the layout to a PDF that has a drawn page.
#[test]
fn qgis_opens_the_plan_and_exports_the_layout_to_pdf() {
    let qgis = Command::new("/usr/bin/python3")
        .args(["-c", "import qgis.core"])
        .status();
    assert!(
        qgis.is_ok_and(|s| s.success()),
        "python3-qgis is not installed: make deps-qgis (apt-get install qgis python3-qgis poppler-utils)"
    );
    let out = run_folder();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/qgis_layout_pdf.py");
    let pdf = out.join("map.pdf");
    let run = Command::new("/usr/bin/python3")
        .arg(&script)
        .arg(out.join("project.qgs"))
        .arg(&pdf)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let layers = r["layers"].as_array().unwrap();
    assert!(layers.iter().all(|l| l["valid"] == true), "{stdout}");
    let visible: Vec<&str> = layers
        .iter()
        .filter(|l| l["visible"] == true)
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(visible.len(), 3, "{visible:?}");
    for want in [
        "Proposed towers",
        "Uncovered villages",
        "Coverage before the plan",
    ] {
        assert!(
            visible.iter().any(|v| v.starts_with(want)),
            "{want} not on: {visible:?}"
        );
    }
    // QGIS 3.22 draws the coverage classes' labels in the legend (not a bare ramp) …
    let legend = |prefix: &str| -> Vec<String> {
        let l = layers
            .iter()
            .find(|l| l["name"].as_str().unwrap().starts_with(prefix))
            .unwrap();
        l["legend"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["label"].as_str().unwrap().to_string())
            .collect()
    };
    let cov = legend("Coverage before the plan");
    let classes = [
        "no service",
        "below threshold",
        "covered, weak",
        "fair",
        "good",
        "strong",
    ];
    assert_eq!(cov.len(), classes.len(), "{cov:?}"); // the classes, no band caption
    for (label, class) in cov.iter().zip(classes) {
        assert!(label.contains(class), "{class} not in {cov:?}");
    }
    // … and one ramp (at most a band caption besides) for thousands of serving sites.
    assert!(
        legend("Serving site").len() <= 2,
        "{:?}",
        legend("Serving site")
    );
    assert_eq!(r["layout"]["page_mm"], serde_json::json!([420.0, 297.0]));
    let items: Vec<&str> = r["layout"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    for want in [
        "QgsLayoutItemMap",
        "QgsLayoutItemLegend",
        "QgsLayoutItemScaleBar",
        "QgsLayoutItemPicture",
        "QgsLayoutItemLabel",
    ] {
        assert!(items.contains(&want), "{want} not in {items:?}");
    }
    let bytes = std::fs::metadata(&pdf).unwrap().len();
    assert!(bytes > 50_000, "PDF of {bytes} bytes");
    page_is_drawn(&pdf);
}

/// Renders the PDF's page to grey levels (pdftoppm, poppler-utils) and checks it is drawn: a large
/// share of non-white pixels (the map fills most of the page) in many grey levels.
fn page_is_drawn(pdf: &Path) {
    let stem = pdf.with_extension("");
    let ok = Command::new("pdftoppm")
        .args(["-r", "20", "-gray", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .status()
        .map(|s| s.success());
    assert!(
        ok.unwrap_or(false),
        "pdftoppm failed (make deps-qgis installs poppler-utils)"
    );
    let pgm = std::fs::read(stem.with_extension("pgm")).unwrap();
    // Binary PGM (P5): "P5", width, height, maxval, one whitespace byte, then the pixels.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !pgm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&pgm[start..i]).to_string());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert!(w > h, "A3 landscape: {w} × {h}");
    let px = &pgm[i + 1..i + 1 + w * h];
    let drawn = px.iter().filter(|&&v| v < 240).count() as f64 / px.len() as f64;
    let levels: BTreeSet<u8> = px.iter().map(|v| v / 16).collect();
    assert!(
        drawn > 0.4,
        "only {:.0} % of the page is drawn",
        drawn * 100.0
    );
    assert!(levels.len() >= 6, "{} grey levels", levels.len());
}
