//! `phusong init` and the checks a new study goes through (issue 11): the UTM zone of the
//! communes' centroid, far-offshore parts left out with a warning, counts by their documented rule,
//! input layers that cover only part of the study refused with the share named.

use geo::Area;
use phusong_gis::derive::{persons_per_hamlet, SITES_PER_KM2, SITES_PER_PERSON};
use phusong_gis::io::vector_in::{read_communes, CommuneFields};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn phusong(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A lon/lat square as a GeoJSON feature.
fn square(lon: f64, lat: f64, side_deg: f64, props: &str) -> String {
    let (a, b) = (lon + side_deg, lat + side_deg);
    format!(
        "{{\"type\":\"Feature\",\"properties\":{{{props}}},\"geometry\":{{\"type\":\"MultiPolygon\",\
         \"coordinates\":[[[[{lon},{lat}],[{a},{lat}],[{a},{b}],[{lon},{b}],[{lon},{lat}]]]]}}}}"
    )
}

fn geojson(features: &[String]) -> String {
    format!(
        "{{\"type\":\"FeatureCollection\",\"crs\":{{\"type\":\"name\",\"properties\":{{\"name\":\
         \"urn:ogc:def:crs:OGC:1.3:CRS84\"}}}},\"features\":[{}]}}",
        features.join(",")
    )
}

fn study_json(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("inputs/study.json")).unwrap()).unwrap()
}

/// Coastal plain of Quảng Ngãi (zone 49): three lowland communes, an island 30 km offshore (kept)
/// and a far part of the third commune 150 km out at sea (left out, with a warning).
#[test]
fn zone_49_study_with_islands_and_counts_by_rule() {
    let dir = tempfile::tempdir().unwrap();
    let far_island = "[[[110.3,15.0],[110.32,15.0],[110.32,15.02],[110.3,15.02],[110.3,15.0]]]";
    let mut third = square(108.84, 15.10, 0.05, "\"id\":3,\"nm\":\"C\",\"pop\":7601");
    third = third.replace("]]]]}}", &format!("]]],{far_island}]}}}}"));
    let features = [
        square(108.74, 15.10, 0.05, "\"id\":1,\"nm\":\"A\",\"pop\":15200"),
        square(108.79, 15.10, 0.05, "\"id\":2,\"nm\":\"B\",\"pop\":760"),
        third,
        square(
            109.12,
            15.12,
            0.03,
            "\"id\":4,\"nm\":\"Island\",\"pop\":2000",
        ),
    ];
    let communes = dir.path().join("communes.geojson");
    std::fs::write(&communes, geojson(&features)).unwrap();
    let study = dir.path().join("study");
    let s = ok(&phusong(&[
        "init",
        "--communes",
        communes.to_str().unwrap(),
        "--population-field",
        "pop",
        "--name-field",
        "nm",
        "--code-field",
        "id",
        "--name",
        "coast",
        "--dir",
        study.to_str().unwrap(),
        "--resolution-m",
        "250",
    ]));
    assert!(s.contains("EPSG:32649"), "{s}");
    let toml_text = std::fs::read_to_string(study.join("scenario.toml")).unwrap();
    assert!(toml_text.contains("crs_epsg = 32649"), "{toml_text}");
    assert!(
        toml_text.contains("WARNING: 1 polygon part(s) left out") && toml_text.contains("'C'"),
        "{toml_text}"
    );
    // Lowland communes: ⌈pop ÷ 760⌉ each = 20 + 1 + 11 + 3 = 35 hamlets.
    let low = persons_per_hamlet(false);
    assert_eq!(low, 760.0);
    let want: f64 = [15200.0, 760.0, 7601.0, 2000.0]
        .iter()
        .map(|p: &f64| (p / low).ceil())
        .sum();
    assert!(
        toml_text.contains(&format!("\nhamlets = {want}\n")),
        "{toml_text}"
    );
    assert!(toml_text.contains("\nunpowered_hamlets = 0\n"));

    let out = dir.path().join("out");
    ok(&phusong(&[
        "synth",
        study.join("scenario.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let info = study_json(&out);
    assert_eq!(info["grid"]["epsg"], 32649);
    assert_eq!(info["population"], 15200 + 760 + 7601 + 2000);
    let warnings = info["warnings"].to_string();
    assert!(warnings.contains("part 2 of 2 of 'C'"), "{warnings}");
    let counts = info["counts"].as_array().unwrap();
    let get = |k: &str| {
        counts
            .iter()
            .find(|c| c["key"] == k)
            .unwrap_or_else(|| panic!("{k} in {counts:?}"))
            .clone()
    };
    assert_eq!(get("synth.hamlets")["value"], want);
    assert_eq!(get("synth.hamlets")["derived"], true);
    // Sites: half by area, half by population, the area being the communes' 1 km cells.
    let sites = get("synth.sites")["value"].as_f64().unwrap();
    let rule = get("synth.sites")["rule"].as_str().unwrap().to_string();
    let area_km2: f64 = rule
        .split(" km²")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let people = 25561.0;
    assert_eq!(
        sites,
        (0.5 * area_km2 * SITES_PER_KM2 + 0.5 * people * SITES_PER_PERSON).round()
    );
    // 3 squares of 0.05° and one of 0.03° at 15°N: ≈ 3 × 29.8 + 10.7 ≈ 100 km².
    assert!((area_km2 - 100.0).abs() < 12.0, "{area_km2}");
    let sites_csv = std::fs::read_to_string(out.join("inputs/sites.csv")).unwrap();
    assert!(sites_csv.lines().count() > 1);
    // Every commune kept, the island included.
    let c = read_communes(
        &out.join("inputs/communes.gpkg"),
        None,
        &CommuneFields {
            code: "code".into(),
            name: "name".into(),
            population: Some("census_population".into()),
        },
        32649,
    )
    .unwrap();
    assert_eq!(c.len(), 4);
}

/// A land mask covering only the western half of the study is refused with the share named; with
/// `allow_partial_inputs` it passes with a warning giving the same share.
#[test]
fn a_layer_covering_half_the_study_is_refused_with_the_share() {
    let dir = tempfile::tempdir().unwrap();
    // Outline: 105.50–105.70°E, 18.80–19.00°N (lowland near Vinh, zone 48).
    std::fs::write(
        dir.path().join("outline.geojson"),
        geojson(&[square(105.5, 18.8, 0.2, "\"n\":1")]),
    )
    .unwrap();
    // Land mask: all land, 105.40–105.60°E only (ESRI ASCII grid, WGS 84).
    let (nx, ny) = (20, 40);
    let mut asc = format!(
        "ncols {nx}\nnrows {ny}\nxllcorner 105.4\nyllcorner 18.7\ncellsize 0.01\nNODATA_value -9999\n"
    );
    for _ in 0..ny {
        asc.push_str(&vec!["1"; nx].join(" "));
        asc.push('\n');
    }
    std::fs::write(dir.path().join("half_land.asc"), asc).unwrap();
    std::fs::write(
        dir.path().join("half_land.prj"),
        gdal::spatial_ref::SpatialRef::from_epsg(4326)
            .unwrap()
            .to_wkt()
            .unwrap(),
    )
    .unwrap();
    let data = root().join("data/vietnam");
    let scenario = |allow: bool| {
        format!(
            "name = \"half\"\ncrs_epsg = 32648\nresolution_m = 500.0\nallow_partial_inputs = {allow}\n\
             [inputs]\noutline = \"outline.geojson\"\n[synth]\np1511 = \"{}\"\nlandmask = \"half_land.asc\"\n\
             places = \"{}\"\n",
            data.join("dem/p1511_topo_5arcmin.asc").display(),
            data.join("places/geonames_places.tsv").display()
        )
    };
    let sc = dir.path().join("scenario.toml");
    std::fs::write(&sc, scenario(false)).unwrap();
    let out = dir.path().join("out");
    let o = phusong(&[
        "synth",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    let share = |text: &str| -> f64 {
        let t = text.split("covers only ").nth(1).unwrap();
        t.split(" %").next().unwrap().parse().unwrap()
    };
    assert!(
        e.contains("half_land.asc") && e.contains("land mask"),
        "{e}"
    );
    let covered = share(&e);
    assert!((covered - 50.0).abs() < 3.0, "{e}");
    assert!(
        e.contains("missing") && e.contains("allow_partial_inputs"),
        "{e}"
    );

    std::fs::write(&sc, scenario(true)).unwrap();
    ok(&phusong(&[
        "synth",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let w = study_json(&out)["warnings"].to_string();
    assert!(w.contains("land mask") && w.contains("covers only"), "{w}");
    assert!((share(&w) - covered).abs() < 1e-9, "{w}");
}

/// A places file far from the study (Nghệ An's list for a study in Quảng Ngãi) is refused.
#[test]
fn places_of_another_province_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("outline.geojson"),
        geojson(&[square(108.75, 15.05, 0.1, "\"n\":1")]),
    )
    .unwrap();
    let d = root().join("data");
    std::fs::write(
        dir.path().join("scenario.toml"),
        format!(
            "name = \"p\"\ncrs_epsg = 32649\nresolution_m = 500.0\n[inputs]\noutline = \"outline.geojson\"\n\
             [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\n",
            d.join("vietnam/dem/p1511_topo_5arcmin.asc").display(),
            d.join("vietnam/coast/landmask_3s.tif").display(),
            d.join("nghe-an/places/geonames_places.tsv").display()
        ),
    )
    .unwrap();
    let o = phusong(&[
        "synth",
        dir.path().join("scenario.toml").to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!o.status.success());
    assert!(
        e.contains("places") && e.contains("covers only 0.0 %"),
        "{e}"
    );
}

/// Acceptance on real census layers: init, then a coarse run keeps every commune and 100 % of the
/// census population, land within 1 % of the polygons' area, the centroid's UTM zone.
fn province(file: &str, epsg: u32) {
    let layer = root().join("../shared/data/provinces").join(file);
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    let s = ok(&phusong(&[
        "init",
        "--communes",
        layer.to_str().unwrap(),
        "--name",
        "p",
        "--dir",
        study.to_str().unwrap(),
        "--resolution-m",
        "1000",
    ]));
    assert!(s.contains(&format!("EPSG:{epsg}")), "{s}");
    let out = dir.path().join("out");
    ok(&phusong(&[
        "run",
        study.join("scenario.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let given = read_communes(
        &layer,
        None,
        &CommuneFields {
            code: "commune_id".into(),
            name: "commune_vn".into(),
            population: Some("population".into()),
        },
        epsg,
    )
    .unwrap();
    let people: u64 = given.iter().map(|c| c.population.unwrap()).sum();
    let area_km2: f64 = given
        .iter()
        .map(|c| c.geometry.unsigned_area())
        .sum::<f64>()
        / 1e6;
    assert_eq!(summary["crs"], format!("EPSG:{epsg}"));
    assert_eq!(summary["communes"], given.len());
    assert_eq!(summary["population"], people);
    let land = summary["land_area_km2"].as_f64().unwrap();
    assert!(
        (land - area_km2).abs() < 0.01 * area_km2,
        "land {land} km² vs polygons {area_km2} km²"
    );
    assert!(summary["synthetic_counts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["derived"] == true));
}

#[test]
#[ignore = "needs ../shared"]
fn quang_ngai_zone_49_with_ly_son() {
    province("quang-ngai_communes_2009.geojson", 32649);
}

#[test]
#[ignore = "needs ../shared"]
fn thanh_hoa_zone_48() {
    province("thanh-hoa_communes_2009.geojson", 32648);
}

/// Real place lists through the whole synthesis: a repeated town, two towns in one cell, towns
/// outside the study area and across the border. No panic; the towns inside are joined by roads.
#[test]
fn real_place_lists_with_duplicates_and_towns_outside_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("outline.geojson"),
        geojson(&[square(105.5, 18.8, 0.2, "\"n\":1")]),
    )
    .unwrap();
    let rows = [
        ("Town A", 20000, 18.85, 105.55),
        ("Town A", 20000, 18.85, 105.55),    // the same row twice
        ("Town B", 5000, 18.8505, 105.5505), // ~70 m from A: the same cost cell
        ("Town C", 8000, 18.97, 105.52),
        ("Sea town", 100, 18.9, 106.5),   // outside the study area
        ("Laos town", 3000, 19.5, 104.5), // across the border, off the grid
    ];
    let mut tsv = String::from("name\tgeonameid\tadmin_ids\tcountry_idx\tpopulation\tlat\tlon\n");
    for (i, (n, p, lat, lon)) in rows.iter().enumerate() {
        tsv.push_str(&format!("{n}\t{i}\t0\t241\t{p}\t{lat}\t{lon}\n"));
    }
    std::fs::write(dir.path().join("places.tsv"), tsv).unwrap();
    let d = root().join("data/vietnam");
    std::fs::write(
        dir.path().join("scenario.toml"),
        format!(
            "name = \"places\"\ncrs_epsg = 32648\nresolution_m = 250.0\n[inputs]\noutline = \"outline.geojson\"\n\
             [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"places.tsv\"\n",
            d.join("dem/p1511_topo_5arcmin.asc").display(),
            d.join("coast/landmask_3s.tif").display(),
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    ok(&phusong(&[
        "synth",
        dir.path().join("scenario.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let roads = phusong_gis::io::vector_in::read_lines(&out.join("inputs/roads.gpkg"), None, 32648)
        .unwrap();
    // Four rows inside the area (A, A, B, C): a tree of three roads, the zero-length one between
    // the repeated rows possibly dropped by the GeoPackage; A, B and C are all road ends.
    assert!((2..=3).contains(&roads.len()), "{}", roads.len());
    let proj = phusong_gis::crs::Projector::new(32648).unwrap();
    for (lon, lat) in [(105.55, 18.85), (105.5505, 18.8505), (105.52, 18.97)] {
        let (x, y) = proj.project(lon, lat).unwrap();
        assert!(
            roads.iter().any(|r| [r.0[0], *r.0.last().unwrap()]
                .iter()
                .any(|c| (c.x - x).hypot(c.y - y) < 0.01)),
            "no road ends at {lon}, {lat}"
        );
    }
}

/// Communes across the 108°E zone boundary: init names both zones and the one chosen (the
/// centroid's), and a commune layer covering a quarter of the given outline is refused.
#[test]
fn two_zones_are_named_and_communes_must_cover_the_outline() {
    let dir = tempfile::tempdir().unwrap();
    // 107.70–107.95°E (zone 48) and 108.00–108.35°E (zone 49): the centroid lies in zone 49.
    let c = [
        square(
            107.70,
            15.50,
            0.25,
            "\"commune_id\":1,\"commune_vn\":\"W\",\"population\":1000",
        ),
        square(
            108.00,
            15.50,
            0.35,
            "\"commune_id\":2,\"commune_vn\":\"E\",\"population\":1000",
        ),
    ];
    let communes = dir.path().join("c.geojson");
    std::fs::write(&communes, geojson(&c)).unwrap();
    let study = dir.path().join("s");
    let s = ok(&phusong(&[
        "init",
        "--communes",
        communes.to_str().unwrap(),
        "--name",
        "two",
        "--dir",
        study.to_str().unwrap(),
    ]));
    assert!(
        s.contains("EPSG:32649") && s.contains("zones 48 to 49"),
        "{s}"
    );
    let text = std::fs::read_to_string(study.join("scenario.toml")).unwrap();
    assert!(
        text.contains("zone 49 (EPSG:32649) is chosen because"),
        "{text}"
    );

    // Outline 0.2° square, communes only its south-west quarter.
    std::fs::write(
        dir.path().join("outline.geojson"),
        geojson(&[square(105.5, 18.8, 0.2, "\"n\":1")]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("q.geojson"),
        geojson(&[square(
            105.5,
            18.8,
            0.1,
            "\"commune_id\":1,\"commune_vn\":\"Q\",\"population\":500",
        )]),
    )
    .unwrap();
    let d = root().join("data/vietnam");
    std::fs::write(
        dir.path().join("o.toml"),
        format!(
            "name = \"o\"\ncrs_epsg = 32648\nresolution_m = 500.0\n[inputs]\noutline = \"outline.geojson\"\n\
             communes = \"q.geojson\"\n[synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\n",
            d.join("dem/p1511_topo_5arcmin.asc").display(),
            d.join("coast/landmask_3s.tif").display(),
            d.join("places/geonames_places.tsv").display()
        ),
    )
    .unwrap();
    let o = phusong(&[
        "synth",
        dir.path().join("o.toml").to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!o.status.success());
    assert!(e.contains("q.geojson") && e.contains("communes"), "{e}");
    let covered: f64 = e
        .split("covers only ")
        .nth(1)
        .and_then(|t| t.split(" %").next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((covered - 25.0).abs() < 3.0, "{e}");
}
