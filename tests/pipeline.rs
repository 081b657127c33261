//! End to end on a small window of the Nghệ An scenario: every stage, every output, determinism,
//! conservation, and clear errors on bad input — through the library and the `phusong` binary.

use gdal::vector::LayerAccess;
use phusong_gis::pipeline::{run_all, Quiet};
use phusong_gis::reports::Summary;
use phusong_gis::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::process::Command;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// A 25 × 25 km window of central Nghệ An at 250 m with a scaled-down synthetic network.
fn small_scenario(dir: &Path, extra: &str) -> PathBuf {
    let d = data();
    let text = format!(
        r#"name = "small"
resolution_m = 250.0
seed = 7
clip_m = [500000.0, 2080000.0, 525000.0, 2105000.0]
[synth]
p1511 = "{p1511}"
landmask = "{landmask}"
places = "{places}"
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
{extra}
"#,
        p1511 = d.join("dem/p1511_topo_5arcmin.asc").display(),
        landmask = d.join("coast/landmask_3s.tif").display(),
        places = d.join("places/geonames_places.tsv").display(),
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(dir: &Path) -> Summary {
    let s = Scenario::load(&small_scenario(dir, "")).unwrap();
    run_all(&s, &dir.join("out"), &Quiet).unwrap()
}

#[test]
fn small_study_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(tmp.path());
    let out = tmp.path().join("out");
    for f in [
        "rsrp_dbm.tif",
        "serving_site.tif",
        "sinr_db.tif",
        "servers_within_6db.tif",
        "rsrp_after_plan_dbm.tif",
        "phusong.gpkg",
        "project.qgs",
        "summary.json",
        "plan.json",
        "gaps.json",
        "coverage.json",
        "proposed_sites.csv",
        "inputs/hamlets.gpkg",
        "inputs/sites.csv",
        "inputs/dem_m.tif",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    assert_eq!(summary.sites_existing, 120);
    assert_eq!(summary.hamlets, 200);
    assert_eq!(summary.hamlets_unpowered, 5);
    // Population is conserved from the synthesiser through the files to the roll-up.
    assert_eq!(summary.population, 150_000);
    assert!(summary
        .synthetic_layers
        .iter()
        .any(|l| l.starts_with("sites")));
    // The plan only adds coverage, and the towers it reports match the layer it writes.
    assert!(summary.after.hamlets_covered_pct >= summary.before.hamlets_covered_pct);
    assert!(summary.after.land_area_covered_pct >= summary.before.land_area_covered_pct);
    assert!(summary.plan.towers <= 15);
    // The LP bound is an upper bound on what the plan covers; a proven plan has no gap.
    let lp = summary.plan.lp_bound.expect("LP bound of the budget plan");
    assert!(lp + 1e-6 * lp.max(1.0) >= summary.plan.objective_covered);
    assert!(summary.plan.objective_covered <= summary.plan.objective_coverable + 1e-6);
    if summary.plan.proven_optimal {
        assert_eq!(summary.plan.optimality_gap_pct, Some(0.0));
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for k in [
        "sites_existing",
        "hamlets",
        "hamlets_unpowered",
        "population",
        "threshold_rsrp_dbm",
        "synthetic_layers",
    ] {
        assert!(json.get(k).is_some(), "summary.json lacks {k}");
    }
    for k in [
        "land_area_covered_pct",
        "hamlets_covered_pct",
        "population_covered_pct",
        "hamlets_uncovered",
    ] {
        assert!(
            json["before"].get(k).is_some() && json["after"].get(k).is_some(),
            "{k}"
        );
    }
    for m in ["hamlets", "population", "land_area"] {
        for k in ["95", "99", "100"] {
            assert!(
                json["towers_for_target"][m].get(k).is_some(),
                "towers_for_target.{m}.{k}"
            );
            let t = &json["targets"][m][k];
            assert!(t.get("towers").is_some() && t.get("solve").is_some(), "{t}");
        }
    }
    // Every layer is in the GeoPackage, and the proposed layer has one feature per tower.
    let ds = gdal::Dataset::open(out.join("phusong.gpkg")).unwrap();
    let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
    for l in [
        "hamlets",
        "gaps",
        "sites_proposed",
        "sites_existing",
        "communes",
        "layer_styles",
    ] {
        assert!(names.iter().any(|n| n == l), "{l} not in {names:?}");
    }
    let n_prop = ds.layer_by_name("sites_proposed").unwrap().feature_count();
    assert_eq!(n_prop as usize, summary.plan.towers);
    let n_gaps = ds.layer_by_name("gaps").unwrap().feature_count();
    assert_eq!(n_gaps, summary.before.hamlets_uncovered);
    // communes.csv: one row per commune, villages and people conserved, the same numbers as the
    // GeoPackage's communes layer.
    let mut rdr = csv::Reader::from_path(out.join("communes.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), summary.communes);
    let col = |name: &str| {
        phusong_gis::reports::COMMUNES_CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    let sum = |name: &str| -> u64 {
        rows.iter()
            .map(|r| r[col(name)].parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(sum("villages"), summary.hamlets as u64);
    assert_eq!(sum("population"), summary.population);
    assert_eq!(
        sum("villages_covered_before"),
        summary.before.hamlets_covered
    );
    assert_eq!(sum("villages_covered_after"), summary.after.hamlets_covered);
    let mut layer = ds.layer_by_name("communes").unwrap();
    for (f, r) in layer.features().zip(&rows) {
        let value = |n: &str| f.field(f.field_index(n).unwrap()).unwrap().unwrap();
        assert_eq!(value("code").into_string().unwrap(), &r[col("code")]);
        let pct = value("area_covered_pct").into_real().unwrap();
        let csv_pct: f64 = r[col("land_covered_pct_before")].parse().unwrap();
        assert!((pct - csv_pct).abs() < 0.006, "{pct} vs {csv_pct}");
        let villages = value("hamlets").into_int64().unwrap();
        assert_eq!(villages.to_string(), &r[col("villages")]);
    }
    // proposed_sites.kml: one placemark per tower, in WGS84 degrees inside the study's box.
    let kml = std::fs::read_to_string(out.join("proposed_sites.kml")).unwrap();
    assert_eq!(kml.matches("<Placemark>").count(), summary.plan.towers);
    // Each placemark is named by its rank and carries its own fields (not shifted by the KML
    // driver's Name/Description fields).
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    for (pm, t) in kml
        .split("<Placemark>")
        .skip(1)
        .zip(plan["proposed"].as_array().unwrap())
    {
        assert!(pm.contains(&format!("<name>{}</name>", t["rank"])), "{pm}");
        let field = |n: &str| format!("<SimpleData name=\"{n}\">{}</SimpleData>", t[n]);
        assert!(pm.contains(&field("site_id")), "{pm}");
        assert!(pm.contains(&field("new_population")), "{pm}");
        let commune = t["commune"].as_str().unwrap();
        assert!(
            pm.contains(&format!(
                "<SimpleData name=\"commune\">{commune}</SimpleData>"
            )),
            "{pm}"
        );
    }
    for c in kml.split("<coordinates>").skip(1) {
        let c = &c[..c.find("</coordinates>").unwrap()];
        let v: Vec<f64> = c.split(',').map(|x| x.trim().parse().unwrap()).collect();
        assert!(
            (100.0..112.0).contains(&v[0]) && (8.0..24.0).contains(&v[1]),
            "{c}"
        );
    }
    // villages.csv: one row per village; covered rows and people match summary.json.
    let mut rdr = csv::Reader::from_path(out.join("villages.csv")).unwrap();
    let v: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(v.len(), summary.hamlets);
    let vcol = |name: &str| {
        phusong_gis::reports::VILLAGES_CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    let people: u64 = v
        .iter()
        .map(|r| r[vcol("population")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(people, summary.population);
    for (when, s) in [("before", &summary.before), ("after", &summary.after)] {
        let covered = v
            .iter()
            .filter(|r| &r[vcol(&format!("covered_{when}"))] == "true")
            .count();
        assert_eq!(covered as u64, s.hamlets_covered, "{when}");
        let share_ok = v.iter().all(|r| {
            let share: f64 = r[vcol(&format!("covered_share_{when}"))].parse().unwrap();
            let covered = &r[vcol(&format!("covered_{when}"))] == "true";
            let thr = summary.village_covered_share;
            // Printed to 4 decimals: covered ⇒ at least the threshold, not covered ⇒ at most it.
            (0.0..=1.0).contains(&share)
                && if covered {
                    share >= thr - 5e-5
                } else {
                    share <= thr + 5e-5
                }
        });
        assert!(share_ok, "{when}: covered must follow the share");
    }
}

/// A protected-area layer (GeoJSON in the study CRS) keeps every candidate, hence every proposed
/// tower, out of it; the proposed towers carry their commune and newly covered hamlets in
/// plan.json, proposed_sites.csv (read back as a site file) and the GeoPackage.
#[test]
fn protected_areas_keep_towers_out_and_towers_carry_commune_and_hamlets() {
    let tmp = tempfile::tempdir().unwrap();
    let (x0, y0, x1, y1) = (505_000.0, 2_085_000.0, 515_000.0, 2_095_000.0);
    std::fs::write(
        tmp.path().join("parks.geojson"),
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32648"}}}},
"features":[{{"type":"Feature","properties":{{"name":"park"}},"geometry":{{"type":"Polygon",
"coordinates":[[[{x0},{y0}],[{x1},{y0}],[{x1},{y1}],[{x0},{y1}],[{x0},{y0}]]]}}}}]}}"#
        ),
    )
    .unwrap();
    let sc = small_scenario(tmp.path(), "");
    let text = std::fs::read_to_string(&sc).unwrap().replace(
        "[synth]",
        "[inputs]\nprotected_areas = \"parks.geojson\"\n[synth]",
    );
    std::fs::write(&sc, text).unwrap();
    let s = Scenario::load(&sc).unwrap();
    let out = tmp.path().join("out");
    run_all(&s, &out, &Quiet).unwrap();
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    // 10 km × 10 km at 250 m: 1,600 cells (those on land).
    let protected = plan["exclusions"]["protected_cells"].as_u64().unwrap();
    assert!(protected > 1_000 && protected <= 1_600, "{protected}");
    let towers = plan["proposed"].as_array().unwrap();
    assert!(!towers.is_empty());
    let inside = |x: f64, y: f64| x > x0 && x < x1 && y > y0 && y < y1;
    for t in towers {
        let (x, y) = (t["x_m"].as_f64().unwrap(), t["y_m"].as_f64().unwrap());
        assert!(!inside(x, y), "tower at {x}, {y} in the protected area");
        assert!(t.get("commune").is_some() && t["new_hamlet_ids"].is_array());
    }
    let newly: usize = towers
        .iter()
        .map(|t| t["new_hamlet_ids"].as_array().unwrap().len())
        .sum();
    let summary: Summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        newly as u64,
        summary.before.hamlets_uncovered - summary.after.hamlets_uncovered
    );
    // Every hamlet left uncovered is named unreachable, with a reason.
    let unreachable = plan["unreachable"].as_array().unwrap();
    // (When the budget covers everything it can, the plan is the fewest towers doing so.)
    if !plan["budget_plan"]["fewest_towers"].is_null() {
        assert_eq!(unreachable.len() as u64, summary.after.hamlets_uncovered);
    }
    for u in unreachable {
        assert!(
            !u["reason"].as_str().unwrap().is_empty()
                && u.get("best_rsrp_dbm_in_village").is_some()
        );
    }
    // proposed_sites.csv: the extra columns are there, and the file reads back as sites.
    let csv = std::fs::read_to_string(out.join("proposed_sites.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(
        ",rank,commune,new_hamlet_ids,power,grid_distance_m,currency,cost_tower,cost_power,\
             cost_backhaul,cost_total,cost_yearly_operating"
    ));
    let proj = phusong_gis::crs::Projector::new(32648).unwrap();
    let back =
        phusong_gis::io::sites_csv::read_sites_csv(&out.join("proposed_sites.csv"), &proj).unwrap();
    assert_eq!(back.len(), towers.len());
    // The GeoPackage layer has the same fields.
    let ds = gdal::Dataset::open(out.join("phusong.gpkg")).unwrap();
    let layer = ds.layer_by_name("sites_proposed").unwrap();
    let fields: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    for f in [
        "commune",
        "new_hamlet_ids",
        "height_m",
        "cost_total",
        "grid_distance_m",
    ] {
        assert!(fields.iter().any(|n| n == f), "{f} not in {fields:?}");
    }
}

#[test]
fn same_seed_gives_identical_rasters_at_one_and_two_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let bin = env!("CARGO_BIN_EXE_phusong");
    for (dir, threads) in [(a.path(), "1"), (b.path(), "2")] {
        let sc = small_scenario(dir, "");
        let st = Command::new(bin)
            .args(["--threads", threads, "-q", "run"])
            .arg(&sc)
            .arg("-o")
            .arg(dir.join("out"))
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    for f in [
        "rsrp_dbm.tif",
        "serving_site.tif",
        "sinr_db.tif",
        "servers_within_6db.tif",
        "rsrp_after_plan_dbm.tif",
        "inputs/dem_m.tif",
        "inputs/sites.csv",
        "proposed_sites.csv",
        "plan.json",
        "coverage.json",
        "gaps.json",
        "summary.json",
        "communes.csv",
        "report.html",
        "datasheets/tower-1.html",
    ] {
        let (x, y) = (
            std::fs::read(a.path().join("out").join(f)).unwrap(),
            std::fs::read(b.path().join("out").join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn malformed_site_csv_is_a_clear_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("bad_sites.csv");
    std::fs::write(
        &csv,
        "site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm\n\
         A,Viettel,105.1,19.0,30,0,2,4,1800,20,61\n\
         B,Viettel,105.2,abc,30,0,2,4,1800,20,61\n",
    )
    .unwrap();
    let sc = small_scenario(tmp.path(), "");
    let text = std::fs::read_to_string(&sc).unwrap().replace(
        "[synth]",
        "[inputs]\nsites_csv = \"bad_sites.csv\"\n[synth]",
    );
    std::fs::write(&sc, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(["-q", "run"])
        .arg(&sc)
        .arg("-o")
        .arg(tmp.path().join("out"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad_sites.csv") && err.contains("lat") && err.contains('3'),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_scenario_values_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = small_scenario(tmp.path(), "[coverage]\nload = 3.0\n");
    let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(["-q", "run"])
        .arg(&sc)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("scenario.toml") && err.contains("coverage.load"),
        "{err}"
    );
    let sc = small_scenario(tmp.path(), "");
    let missing = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(["-q", "coverage"])
        .arg(&sc)
        .arg("-o")
        .arg(tmp.path().join("nothing"))
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("phusong synth"));
}

#[test]
#[ignore = "needs ../shared"]
fn small_study_opens_in_qgis_with_every_layer_valid() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path());
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/qgis-check");
    let out = Command::new(&tool)
        .arg(tmp.path().join("out/project.qgs"))
        .output()
        .expect("run qgis-check (apt-get install qgis python3-qgis)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "qgis-check failed: {text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let layers = v["layers"].as_array().unwrap();
    // 5 vector layers; 8 rasters: RSRP before and after, SINR, overlap, serving site, terrain
    // heights, hillshade and land cover.
    assert_eq!(layers.len(), 13);
    assert!(layers.iter().all(|l| l["valid"] == true));
}

#[test]
#[ignore = "needs ../shared"]
fn real_communes_and_roads_replace_the_synthetic_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nghe-an");
    let sc = small_scenario(tmp.path(), "");
    let mut s = Scenario::load(&sc).unwrap();
    s.inputs.real_layers = Some(real);
    let summary = run_all(&s, &tmp.path().join("out"), &Quiet).unwrap();
    assert!(summary
        .real_layers
        .iter()
        .any(|l| l.starts_with("communes")));
    assert!(summary.real_layers.iter().any(|l| l.starts_with("roads")));
    assert!(!summary
        .synthetic_layers
        .iter()
        .any(|l| l.starts_with("communes")));
    // Hamlets carry exactly the census population of the communes that fall in the window.
    let study = phusong_gis::study::Study::load(&tmp.path().join("out")).unwrap();
    let census: u64 = study.communes.iter().filter_map(|c| c.population).sum();
    let hamlets: u64 = study.hamlets.iter().map(|h| h.population as u64).sum();
    assert_eq!(census, hamlets);
    assert_eq!(summary.population, census);
}

/// One start tag of an HTML document, its attributes (entities decoded) and the text up to the
/// next tag.
struct Tag {
    name: String,
    attrs: std::collections::BTreeMap<String, String>,
    text: String,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The start tags of `html` outside `<script>` and `<style>` (a small parser for the report's own
/// markup: attributes double-quoted, text escaped).
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("tag closed");
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('/') || inner.starts_with('!') {
            continue;
        }
        let name: String = inner
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            rest = &rest[rest.find(&close).expect("closed") + close.len()..];
            continue;
        }
        let mut attrs = std::collections::BTreeMap::new();
        let mut a = &inner[name.len()..];
        while let Some(eq) = a.find("=\"") {
            let key = a[..eq].trim().to_string();
            let v = &a[eq + 2..];
            let close = v.find('"').expect("attribute closed");
            attrs.insert(key, unescape(&v[..close]));
            a = &v[close + 1..];
        }
        let text = unescape(&rest[..rest.find('<').unwrap_or(rest.len())]);
        out.push(Tag { name, attrs, text });
    }
    out
}

/// report.html holds summary.json's figures and communes.csv's rows exactly, draws every gap and
/// tower, needs no network, and each proposed tower has a datasheet recorded in the manifest.
#[test]
fn report_html_holds_summary_json_and_communes_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = run(tmp.path());
    let out = tmp.path().join("out");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let all = tags(&html);
    // Headline figures: each cell names its summary.json key and shows that value.
    let figs: Vec<&Tag> = all
        .iter()
        .filter(|t| t.attrs.contains_key("data-json"))
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    for t in &figs {
        let path = &t.attrs["data-json"];
        let expected = path
            .split('.')
            .try_fold(&json, |v, k| v.get(k))
            .unwrap_or_else(|| panic!("{path} not in summary.json"));
        let shown: serde_json::Value = serde_json::from_str(&t.attrs["data-value"]).unwrap();
        assert_eq!(&shown, expected, "{path}");
        let text = t.text.trim();
        match expected {
            serde_json::Value::Number(n) if n.is_u64() => {
                assert_eq!(text.replace(',', ""), n.to_string(), "{path}")
            }
            serde_json::Value::Number(n) => {
                assert_eq!(text, format!("{:.2}", n.as_f64().unwrap()), "{path}")
            }
            serde_json::Value::Null => assert_eq!(text, "—", "{path}"),
            serde_json::Value::String(s) => assert_eq!(text, s, "{path}"),
            other => panic!("{path}: unexpected {other}"),
        }
        keys.insert(path.clone());
    }
    for when in ["before", "after"] {
        for k in [
            "hamlets_covered",
            "hamlets_covered_pct",
            "hamlets_uncovered",
            "population_covered_pct",
            "land_area_covered_pct",
        ] {
            assert!(keys.contains(&format!("{when}.{k}")), "{when}.{k} missing");
        }
    }
    for k in [
        "plan.towers",
        "population",
        "hamlets",
        "threshold_rsrp_dbm",
        "model",
    ] {
        assert!(keys.contains(k), "{k} missing");
    }
    for m in ["hamlets", "population", "land_area"] {
        for t in ["95", "99", "100"] {
            assert!(keys.contains(&format!("towers_for_target.{m}.{t}")));
        }
    }
    // Every synthetic layer is flagged.
    let flagged: Vec<&str> = all
        .iter()
        .filter(|t| t.attrs.get("data-synthetic").map(String::as_str) == Some("true"))
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(flagged.len(), summary.synthetic_layers.len());
    assert!(html.contains("uncalibrated"));
    // Cost: the total shown equals plan.json's, and the cost curve is drawn.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let total = plan["cost"]["total"].as_f64().unwrap();
    let shown: Vec<&Tag> = all
        .iter()
        .filter(|t| t.attrs.get("id").map(String::as_str) == Some("cost-total"))
        .collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].text.replace(',', ""), format!("{}", total as u64));
    assert!(total > 0.0 && html.contains("id=\"cost-curve\""));
    // Communes: the rows of communes.csv, cell for cell, in order.
    let mut rdr = csv::Reader::from_path(out.join("communes.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let codes: Vec<&Tag> = all
        .iter()
        .filter(|t| t.name == "tr" && t.attrs.contains_key("data-code"))
        .collect();
    assert_eq!(codes.len(), rows.len());
    let cells: Vec<&Tag> = all
        .iter()
        .filter(|t| t.name == "td" && t.attrs.contains_key("data-col"))
        .collect();
    assert_eq!(cells.len(), rows.len() * header.len());
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(codes[i].attrs["data-code"], row[0]);
        for (j, col) in header.iter().enumerate() {
            let c = cells[i * header.len() + j];
            assert_eq!(c.attrs["data-col"], col);
            assert_eq!(c.text, row[j], "commune {} {col}", &row[0]);
        }
    }
    // Operators: best-served covered cells and people add up to the covered land and people.
    let op_rows: Vec<&Tag> = all
        .iter()
        .filter(|t| t.attrs.contains_key("data-people") && t.name == "td")
        .collect();
    assert!(!op_rows.is_empty());
    let sum_attr = |a: &str| -> u64 {
        all.iter()
            .filter(|t| t.name == "td")
            .filter_map(|t| t.attrs.get(a))
            .map(|v| v.parse::<u64>().unwrap())
            .sum()
    };
    let total = all
        .iter()
        .find(|t| t.attrs.get("id").map(String::as_str) == Some("operators-total"))
        .unwrap();
    let people: u64 = total.attrs["data-people"].parse().unwrap();
    let cells_cov: u64 = total.attrs["data-cells"].parse().unwrap();
    assert_eq!(sum_attr("data-people"), people);
    assert_eq!(sum_attr("data-cells"), cells_cov);
    let pop_pct = 100.0 * people as f64 / summary.population as f64;
    assert!((pop_pct - summary.before.population_covered_pct).abs() < 1e-9);
    let land_cells = summary.land_area_km2 / (summary.resolution_m.powi(2) / 1e6);
    let land_pct = 100.0 * cells_cov as f64 / land_cells;
    assert!((land_pct - summary.before.land_area_covered_pct).abs() < 1e-6);
    // The map draws every gap and every tower; nothing is fetched from the network.
    let map = &html[html.find("id=\"map-gaps\"").unwrap()..];
    let gaps_g = &map[..map.find("</g>").unwrap()];
    assert_eq!(gaps_g.matches("<path").count(), summary.gaps.hamlets);
    let prop = &html[html.find("id=\"map-proposed\"").unwrap()..];
    let prop = &prop[..prop.find("</g>").unwrap()];
    assert_eq!(prop.matches("<path").count(), summary.plan.towers);
    let sites = &html[html.find("id=\"map-sites\"").unwrap()..];
    let sites = &sites[..sites.find("</g>").unwrap()];
    assert_eq!(sites.matches("<circle").count(), summary.sites_existing);
    assert!(html.contains("data:image/png;base64,"));
    for t in &all {
        for (k, v) in &t.attrs {
            if k == "href" || k == "src" {
                assert!(
                    v.starts_with("data:") || v.starts_with('#') || v.starts_with("datasheets/"),
                    "{k}={v}"
                );
            }
        }
    }
    assert!(!html.contains("<link") && !html.contains("@import") && !html.contains("url("));
    check_datasheets(&out, &summary);
}

/// One datasheet per proposed tower, at the plan's coordinates, with its sectors from
/// proposed_sites.csv, each recorded in the export manifest.
fn check_datasheets(out: &Path, summary: &Summary) {
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let manifest = std::fs::read_to_string(out.join(".manifests/export.json")).unwrap();
    assert!(manifest.contains("\"report.html\""));
    let towers = plan["proposed"].as_array().unwrap();
    assert_eq!(towers.len(), summary.plan.towers);
    assert!(!towers.is_empty(), "the small study proposes towers");
    let csv = std::fs::read_to_string(out.join("proposed_sites.csv")).unwrap();
    for t in towers {
        let rank = t["rank"].as_u64().unwrap();
        let name = format!("datasheets/tower-{rank}.html");
        assert!(
            manifest.contains(&format!("\"{name}\"")),
            "{name} not in manifest"
        );
        let sheet = std::fs::read_to_string(out.join(&name)).unwrap();
        let value = |key: &str| -> String {
            tags(&sheet)
                .into_iter()
                .find(|t| t.attrs.get("data-key").map(String::as_str) == Some(key))
                .unwrap_or_else(|| panic!("{name}: {key}"))
                .text
        };
        for k in ["lon", "lat"] {
            let v: f64 = value(k).parse().unwrap();
            assert!((v - t[k].as_f64().unwrap()).abs() < 1e-6, "{name} {k}");
        }
        let h: f64 = value("height_m").parse().unwrap();
        assert_eq!(h, t["height_m"].as_f64().unwrap());
        // The capital cost leads with plan.json's total for this tower.
        let total = t["cost"]["total"].as_f64().unwrap() as u64;
        let shown = value("cost").replace(',', "");
        assert!(
            shown.starts_with(&format!("{total} ")),
            "{name}: {shown} vs {total}"
        );
        assert_eq!(
            value("commune"),
            t["commune"].as_str().unwrap_or("outside every commune")
        );
        let id = t["site_id"].as_u64().unwrap().to_string();
        let sectors = csv
            .lines()
            .filter(|l| l.split(',').next() == Some(id.as_str()))
            .count();
        assert!(sectors > 0);
        let table = &sheet[sheet.find("id=\"sectors\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("<tr>").count(), sectors + 1, "{name}");
    }
}

/// Headless Chromium renders report.html to a PNG that is not blank and shows the map's classes.
#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
    else {
        if std::env::var_os("PHUSONG_SKIP_CHROMIUM").is_some() {
            eprintln!("chromium not found; skipped (PHUSONG_SKIP_CHROMIUM set)");
            return;
        }
        panic!("chromium not found: run scripts/install-deps.sh (or set PHUSONG_SKIP_CHROMIUM=1)");
    };
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path());
    let report = tmp.path().join("out/report.html");
    let shot = tmp.path().join("report.png");
    let st = Command::new(chromium)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--hide-scrollbars",
            "--window-size=1400,3000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1400, 3000));
    let px = info.color_type.samples();
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(px)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let non_white = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
    assert!(
        non_white * 20 > pixels.len(),
        "{non_white} of {} pixels not white",
        pixels.len()
    );
    let mut distinct: Vec<[u8; 3]> = pixels.clone();
    distinct.sort();
    distinct.dedup();
    assert!(distinct.len() > 50, "{} colours", distinct.len());
    // The map's image (an inline data: URI) was drawn: coverage-class colours are on screen.
    let near = |p: &[u8; 3], c: [u8; 3]| p.iter().zip(c).all(|(a, b)| a.abs_diff(b) <= 3);
    let class_colours = phusong_gis::report::map::rsrp_classes(-110.0)
        .iter()
        .map(|c| {
            let h = |i: usize| u8::from_str_radix(&c.2[i..i + 2], 16).unwrap();
            [h(1), h(3), h(5)]
        })
        .collect::<Vec<_>>();
    let shown = class_colours
        .iter()
        .filter(|c| pixels.iter().filter(|p| near(p, **c)).count() > 500)
        .count();
    assert!(shown >= 2, "only {shown} coverage classes visible");
}
