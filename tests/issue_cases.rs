//! Every case of issue 10's "Found" list, through the `phusong` binary on a small study: each gives,
//! within 30 s, exit status 1 or 2 with a message naming the file or parameter and what was
//! expected (or the documented warning in `summary.json`), and leaves nothing inconsistent.
//!
//! | case (issue 10, "Found") | test |
//! |---|---|
//! | export panic after `inputs/hamlets.gpkg` is replaced by fewer hamlets | run_folder.rs `an_input_edited_after_a_stage_is_detected_not_a_panic` |
//! | `plan.grid_spacing_m` 0, negative, 0.001 (hang) | `plan_grid_spacing_zero_negative_or_tiny_is_refused` |
//! | `study.json` with a huge `cell_m` (hang) | `study_json_with_a_huge_cell_m_is_refused` |
//! | `--threads 100000` | `threads_beyond_four_per_core_are_refused`; run_folder.rs `bad_parameters_and_inputs_fail_fast_with_a_named_cause` |
//! | NaN → null: no sites in the area | `no_sites_in_the_study_area_fail_at_synth` |
//! | NaN → null: OpenCelliD with only GSM rows, only NR rows | `opencellid_without_lte_rows_fails_at_synth` |
//! | NaN → null: communes outside the area | `communes_outside_the_study_area_fail_at_synth` |
//! | NaN → null: DEM with 1e300 heights | `dem_with_1e300_heights_is_refused` |
//! | NaN → null: NaN parameters | `nan_and_infinite_parameters_are_named` |
//! | `[plan]` frequency 0, EIRP NaN and 1e308, tower height −100, bandwidth 0, tilt NaN | `plan_radio_parameters_are_validated` |
//! | `diffraction_weight` NaN, `range_margin_db` NaN | `nan_and_infinite_parameters_are_named` |
//! | `clip_m` with NaN | `nan_and_infinite_parameters_are_named` |
//! | all-nodata, all-NaN, non-overlapping DEM; 1 km DEM for a 10 km study | `dems_that_do_not_describe_the_study_are_refused`; run_folder.rs `a_dem_that_does_not_cover_the_study_or_a_grid_too_big_is_refused` |
//! | a DEM much coarser than the study grid (resolution vs study resolution) | `a_dem_much_coarser_than_the_study_grid_is_reported` |
//! | DEM voids filled silently (a few) | `dem_voids_and_hamlets_outside_are_reported_in_summary_warnings` |
//! | hamlets outside the study counted as uncovered | `dem_voids_and_hamlets_outside_are_reported_in_summary_warnings` |
//! | OpenCelliD cell 210 km from its eNB | `an_opencellid_cell_210_km_from_its_enb_is_left_out_and_reported`; opencellid.rs `a_stray_cell_is_reported_not_moving_its_site` |
//! | OpenCelliD rows not filtered to the area | run_folder.rs `features_outside_the_study_area_are_counted_in_summary_warnings` |
//! | self-intersecting communes, duplicate-code communes | `self_intersecting_or_duplicate_code_communes_are_refused`; vector_in.rs `duplicate_commune_codes_and_self_intersecting_polygons_are_refused_by_feature` |
//! | kill -9 mid-coverage leaves a mix later stages accept | run_folder.rs `kill_minus_nine_never_leaves_an_accepted_mix`, `kill_minus_nine_of_a_whole_run_leaves_every_stage_whole_or_asking_for_a_rerun`; run_folder/tests.rs `every_crash_point_gives_old_new_or_rerun` |
//! | temp files of a killed run never cleaned | run_folder.rs `kill_minus_nine_never_leaves_an_accepted_mix`; run_folder/tests.rs `clean_removes_dead_temps_keeps_live` |
//! | two concurrent runs into one `--out` | run_folder.rs `a_second_writer_is_refused_while_the_first_runs`; run_folder/tests.rs `second_writer_fails_or_waits` |
//! | scenario `name` `../../X` or an absolute path | `scenario_names_that_leave_the_output_root_are_refused` |
//! | fixed temp name for `inputs/sites.csv`; no fsync | `outputs_are_fsynced_before_rename_and_sites_csv_uses_a_unique_temp`; sites_csv.rs `concurrent_writers_use_distinct_temp_names`; run_folder/tests.rs `atomic_write_replaces_and_leaves_no_temp` (fsync: `StageTx::commit` hashes and fsyncs every output and folder) |
//! | `sites_csv = "/dev/zero"` | `special_files_and_system_files_are_refused_without_echo` |
//! | 10 m province study (estimate, refuse) | run_folder.rs `a_dem_that_does_not_cover_the_study_or_a_grid_too_big_is_refused` |
//! | GDAL open errors "NULL pointer. Error msg: ''" | `unreadable_rasters_and_vectors_name_the_file_and_what_was_expected` |
//! | an error on `../../etc/passwd` echoing its first line | `special_files_and_system_files_are_refused_without_echo` |

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const WINDOW: &str = "clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// The 15 × 15 km window at 250 m of tests/run_folder.rs; `extra` is appended (a `[plan]` table
/// in it replaces the base one).
fn scenario(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let d = data();
    let plan = if extra.contains("[plan]") {
        String::new()
    } else {
        "[plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n".to_string()
    };
    let text = format!(
        "name = \"{name}\"\nresolution_m = 250.0\nseed = 7\n{WINDOW}\n\
         [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\nsites = 60\nhamlets = 80\n\
         unpowered_hamlets = 3\nunderserved_hamlets = 5\npopulation = 60000\ncommunes = 4\n\
         {plan}{extra}\n",
        d.join("dem/p1511_topo_5arcmin.asc").display(),
        d.join("coast/landmask_3s.tif").display(),
        d.join("places/geonames_places.tsv").display(),
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs the binary (quiet), asserting it answers within 30 s.
fn phusong(args: &[&str]) -> Output {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        t.elapsed() < Duration::from_secs(30),
        "{args:?} took {:?}",
        t.elapsed()
    );
    out
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Exit status 1 or 2, no panic, and every `want` in the message.
fn fails_with(out: &Output, want: &[&str]) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "status {:?}: {err}",
        out.status
    );
    assert!(
        !err.contains("panicked") && !err.contains("NULL pointer"),
        "{err}"
    );
    for w in want {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
    err
}

/// `phusong synth` on scenario `sc` into `out` fails with `want`, writing no inputs.
fn synth_refused(sc: &Path, out: &Path, want: &[&str]) -> String {
    let e = fails_with(
        &phusong(&[
            "synth",
            sc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]),
        want,
    );
    assert!(!out.join("inputs").exists(), "inputs written: {e}");
    assert!(!out.join(".manifests/synth.json").exists());
    e
}

fn summary_warnings(out: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

/// A one-band GeoTIFF in EPSG:32648 with its top-left corner at (x0, y1) and 100 m cells.
fn dem(
    path: &Path,
    x0: f64,
    y1: f64,
    n: (usize, usize),
    nodata: Option<f64>,
    v: &dyn Fn(usize, usize) -> f64,
) {
    dem_cells(path, x0, y1, n, 100.0, nodata, v)
}

/// [`dem`] with cells of `cell_m`.
fn dem_cells(
    path: &Path,
    x0: f64,
    y1: f64,
    n: (usize, usize),
    cell_m: f64,
    nodata: Option<f64>,
    v: &dyn Fn(usize, usize) -> f64,
) {
    use gdal::raster::Buffer;
    use gdal::spatial_ref::SpatialRef;
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let (nx, ny) = n;
    let mut ds = drv
        .create_with_band_type::<f64, _>(path, nx, ny, 1)
        .unwrap();
    ds.set_geo_transform(&[x0, cell_m, 0.0, y1, 0.0, -cell_m])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_epsg(32648).unwrap())
        .unwrap();
    let mut band = ds.rasterband(1).unwrap();
    if let Some(nd) = nodata {
        band.set_no_data_value(Some(nd)).unwrap();
    }
    let data: Vec<f64> = (0..nx * ny).map(|i| v(i % nx, i / nx)).collect();
    band.write((0, 0), (nx, ny), &mut Buffer::new((nx, ny), data))
        .unwrap();
}

/// A DEM a little larger than the test window: x 504–521 km, y 2084–2101 km.
fn full_dem(path: &Path, nodata: Option<f64>, v: &dyn Fn(usize, usize) -> f64) {
    dem(path, 504_000.0, 2_101_000.0, (170, 170), nodata, v);
}

#[test]
fn plan_grid_spacing_zero_negative_or_tiny_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, v) in ["0.0", "-4000.0", "0.001"].iter().enumerate() {
        let sc = scenario(
            tmp.path(),
            &format!("g{i}"),
            &format!("[plan]\nbudget = 5\ngrid_spacing_m = {v}"),
        );
        let out = tmp.path().join(format!("g{i}"));
        let o = out.to_str().unwrap();
        fails_with(
            &phusong(&["run", sc.to_str().unwrap(), "--out", o]),
            &[
                &format!("plan.grid_spacing_m = {}", v.parse::<f64>().unwrap()),
                "expected 100 m – 100 km",
            ],
        );
        assert!(!out.join("inputs").exists(), "validated before writing");
    }
}

#[test]
fn study_json_with_a_huge_cell_m_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "c", "");
    let out = tmp.path().join("c");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    ok(&phusong(&["synth", s, "--out", o]));
    let p = out.join("inputs/study.json");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("\"cell_m\": 250.0"));
    for bad in ["1e12", "0.0", "-250.0"] {
        std::fs::write(
            &p,
            text.replace("\"cell_m\": 250.0", &format!("\"cell_m\": {bad}")),
        )
        .unwrap();
        for stage in ["coverage", "plan"] {
            fails_with(&phusong(&[stage, s, "--out", o]), &["study.json", "cell_m"]);
        }
    }
    assert!(!out.join("coverage.json").exists());
}

#[test]
fn threads_beyond_four_per_core_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "t", "");
    for n in ["100000", "0"] {
        fails_with(
            &phusong(&["--threads", n, "synth", sc.to_str().unwrap()]),
            &[&format!("--threads {n}"), "expected 1–"],
        );
    }
}

/// The first row of the synthesised `inputs/sites.csv` and its header, with lon/lat column indices.
fn synth_sites(tmp: &Path) -> (String, Vec<String>) {
    let sc = scenario(tmp, "base", "");
    let out = tmp.join("base");
    ok(&phusong(&[
        "synth",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let text = std::fs::read_to_string(out.join("inputs/sites.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    (header, lines.map(String::from).collect())
}

#[test]
fn no_sites_in_the_study_area_fail_at_synth() {
    let tmp = tempfile::tempdir().unwrap();
    let (header, rows) = synth_sites(tmp.path());
    let cols: Vec<&str> = header.split(',').collect();
    let (lon_c, lat_c) = (
        cols.iter().position(|c| *c == "lon").unwrap(),
        cols.iter().position(|c| *c == "lat").unwrap(),
    );
    // Every site moved ~100 km west, and a header-only file.
    let far: Vec<String> = rows
        .iter()
        .map(|r| {
            let mut f: Vec<String> = r.split(',').map(String::from).collect();
            f[lon_c] = format!("{}", f[lon_c].parse::<f64>().unwrap() - 1.0);
            f[lat_c] = f[lat_c].clone();
            f.join(",")
        })
        .collect();
    for (name, body) in [("far", far.join("\n")), ("none", String::new())] {
        let csv = tmp.path().join(format!("{name}.csv"));
        std::fs::write(&csv, format!("{header}\n{body}\n")).unwrap();
        let sc = scenario(
            tmp.path(),
            name,
            &format!("[inputs]\nsites_csv = \"{}\"", csv.display()),
        );
        let out = tmp.path().join(name);
        synth_refused(
            &sc,
            &out,
            &[&format!("{name}.csv"), "no site", "study area"],
        );
    }
}

/// OpenCelliD rows (radio, mcc, net, area, cell, unit, lon, lat, range, samples, changeable,
/// created, updated, averageSignal) inside the test window.
fn ocid_rows(radio: &str) -> String {
    let proj = phusong_gis::crs::Projector::new(32648).unwrap();
    let mut s = String::new();
    for (k, (x, y)) in [(506_000.0, 2_092_000.0), (512_000.0, 2_090_000.0)]
        .iter()
        .enumerate()
    {
        let (lo, la) = proj.unproject(*x, *y).unwrap();
        s += &format!("{radio},452,4,1,{},0,{lo},{la},1000,1,1,0,0,0\n", 2560 + k);
    }
    s
}

#[test]
fn opencellid_without_lte_rows_fails_at_synth() {
    let tmp = tempfile::tempdir().unwrap();
    for radio in ["GSM", "NR", "UMTS"] {
        let csv = tmp.path().join(format!("{radio}.csv"));
        std::fs::write(&csv, ocid_rows(radio)).unwrap();
        let sc = scenario(
            tmp.path(),
            radio,
            &format!("[inputs]\nopencellid_csv = \"{}\"", csv.display()),
        );
        let out = tmp.path().join(radio);
        synth_refused(
            &sc,
            &out,
            &[&format!("{radio}.csv"), "no LTE cell", "in the study area"],
        );
    }
}

/// A GeoJSON FeatureCollection in EPSG:32648 of (properties, polygon ring) features.
fn communes_geojson(path: &Path, features: &[(&str, Vec<(f64, f64)>)]) {
    let f: Vec<String> = features
        .iter()
        .map(|(props, ring)| {
            let c: Vec<String> = ring.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
            format!(
                r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
                c.join(",")
            )
        })
        .collect();
    std::fs::write(
        path,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32648"}}}},"features":[{}]}}"#,
            f.join(",")
        ),
    )
    .unwrap();
}

fn square(x0: f64, y0: f64, side: f64) -> Vec<(f64, f64)> {
    vec![
        (x0, y0),
        (x0 + side, y0),
        (x0 + side, y0 + side),
        (x0, y0 + side),
        (x0, y0),
    ]
}

#[test]
fn communes_outside_the_study_area_fail_at_synth() {
    let tmp = tempfile::tempdir().unwrap();
    let gj = tmp.path().join("far_communes.geojson");
    communes_geojson(
        &gj,
        &[
            (
                r#""commune_id":"1","commune_vn":"A","population":100"#,
                square(600_000.0, 2_200_000.0, 5_000.0),
            ),
            (
                r#""commune_id":"2","commune_vn":"B","population":100"#,
                square(605_000.0, 2_200_000.0, 5_000.0),
            ),
        ],
    );
    let sc = scenario(
        tmp.path(),
        "fc",
        &format!("[inputs]\ncommunes = \"{}\"", gj.display()),
    );
    synth_refused(
        &sc,
        &tmp.path().join("fc"),
        &[
            "far_communes.geojson",
            "does not overlap clip_m",
            "expected",
        ],
    );
}

#[test]
fn self_intersecting_or_duplicate_code_communes_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let a = (
        r#""commune_id":"1","commune_vn":"A","population":100"#,
        square(506_000.0, 2_086_000.0, 5_000.0),
    );
    let dup = (
        r#""commune_id":"1","commune_vn":"B","population":100"#,
        square(512_000.0, 2_086_000.0, 5_000.0),
    );
    let bow = (
        r#""commune_id":"2","commune_vn":"C","population":100"#,
        vec![
            (512_000.0, 2_092_000.0),
            (517_000.0, 2_097_000.0),
            (517_000.0, 2_092_000.0),
            (512_000.0, 2_097_000.0),
            (512_000.0, 2_092_000.0),
        ],
    );
    for (name, feats, want) in [
        ("dup", vec![a.clone(), dup], "the code of feature 0 too"),
        ("bow", vec![a, bow], "self-intersection"),
    ] {
        let gj = tmp.path().join(format!("{name}.geojson"));
        communes_geojson(&gj, &feats);
        let sc = scenario(
            tmp.path(),
            name,
            &format!("[inputs]\ncommunes = \"{}\"", gj.display()),
        );
        synth_refused(
            &sc,
            &tmp.path().join(name),
            &[&format!("{name}.geojson"), "feature 1", want],
        );
    }
}

#[test]
fn dem_with_1e300_heights_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, v) in [("e300", 1e300), ("neg", -1e300), ("inf", f64::INFINITY)] {
        let p = tmp.path().join(format!("{name}.tif"));
        full_dem(&p, None, &|_, _| v);
        let sc = scenario(
            tmp.path(),
            name,
            &format!("[inputs]\ndem = \"{}\"", p.display()),
        );
        // ±1e300 overflow to ±inf as f32 heights; GDAL's warp may treat inf as void.
        let e = synth_refused(&sc, &tmp.path().join(name), &[&format!("{name}.tif")]);
        assert!(
            e.contains("expected −500 to 9000 m") || e.contains("expected at least 95 %"),
            "{e}"
        );
    }
}

#[test]
fn nan_and_infinite_parameters_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str])] = &[
        (
            "[coverage]\nthreshold_rsrp_dbm = nan",
            &["coverage.threshold_rsrp_dbm", "dBm"],
        ),
        ("[coverage]\nload = inf", &["coverage.load"]),
        (
            "[coverage]\nrx_height_m = nan",
            &["coverage.rx_height_m", "m"],
        ),
        (
            "[coverage]\nrange_margin_db = nan",
            &["coverage.range_margin_db", "dB"],
        ),
        (
            "[coverage.model]\ndiffraction_weight = nan",
            &["coverage.model.diffraction_weight"],
        ),
        ("[synth]\nremote_share = nan", &["remote_share"]),
    ];
    for (i, (extra, want)) in cases.iter().enumerate() {
        // A second [synth] table would be a TOML error, not the parameter's: patch it in.
        let sc = scenario(tmp.path(), &format!("n{i}"), "");
        let text = std::fs::read_to_string(&sc).unwrap();
        let text = match extra.strip_prefix("[synth]\n") {
            Some(kv) => text.replace("[synth]\n", &format!("[synth]\n{kv}\n")),
            None => format!("{text}{extra}\n"),
        };
        std::fs::write(&sc, text).unwrap();
        let out = tmp.path().join(format!("n{i}"));
        let e = fails_with(
            &phusong(&["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]),
            want,
        );
        assert!(
            e.contains("NaN") || e.contains("inf") || e.contains("finite"),
            "{e}"
        );
        assert!(!out.join("inputs").exists());
    }
    for clip in [
        "[nan, 2085000.0, 520000.0, 2100000.0]",
        "[505000.0, 2085000.0, inf, 2100000.0]",
        "[520000.0, 2085000.0, 505000.0, 2100000.0]",
    ] {
        let sc = scenario(tmp.path(), "clip", "");
        let text = std::fs::read_to_string(&sc)
            .unwrap()
            .replace(WINDOW, &format!("clip_m = {clip}"));
        std::fs::write(&sc, text).unwrap();
        let out = tmp.path().join("clip");
        fails_with(
            &phusong(&[
                "synth",
                sc.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ]),
            &["clip_m", "finite", "xmin < xmax"],
        );
        assert!(!out.join("inputs").exists());
    }
}

#[test]
fn plan_radio_parameters_are_validated() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("freq_mhz = 0.0", &["plan.freq_mhz", "MHz"]),
        ("eirp_dbm = nan", &["plan.eirp_dbm", "dBm"]),
        ("eirp_dbm = 1e308", &["plan.eirp_dbm", "dBm"]),
        (
            "tower_height_m = -100.0",
            &["plan.tower_height_m", "3–300 m"],
        ),
        ("bandwidth_mhz = 0.0", &["plan.bandwidth_mhz", "MHz"]),
        ("tilt_deg = nan", &["plan.tilt_deg", "°"]),
    ];
    for (i, (kv, want)) in cases.iter().enumerate() {
        let sc = scenario(
            tmp.path(),
            &format!("p{i}"),
            &format!("[plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n{kv}"),
        );
        let out = tmp.path().join(format!("p{i}"));
        fails_with(
            &phusong(&["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]),
            want,
        );
        assert!(!out.join("inputs").exists());
    }
}

#[test]
fn dems_that_do_not_describe_the_study_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    type MakeDem = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, MakeDem)> = vec![
        (
            "nodata",
            Box::new(|p| full_dem(p, Some(-32768.0), &|_, _| -32768.0)),
        ),
        ("allnan", Box::new(|p| full_dem(p, None, &|_, _| f64::NAN))),
        (
            "elsewhere",
            Box::new(|p| dem(p, 600_000.0, 2_200_000.0, (100, 100), None, &|_, _| 50.0)),
        ),
        (
            "one_km",
            Box::new(|p| dem(p, 510_000.0, 2_093_000.0, (10, 10), None, &|_, _| 50.0)),
        ),
    ];
    for (name, make) in cases {
        let p = tmp.path().join(format!("{name}.tif"));
        make(&p);
        let sc = scenario(
            tmp.path(),
            name,
            &format!("[inputs]\ndem = \"{}\"", p.display()),
        );
        synth_refused(
            &sc,
            &tmp.path().join(name),
            &[&format!("{name}.tif"), "covers only", "expected at least"],
        );
    }
}

/// A DEM with a few void cells is filled and reported; hamlets outside the study area (off the
/// grid, or on it but outside the mask) are left out of the counts and reported, not counted as
/// uncovered.
#[test]
fn dem_voids_and_hamlets_outside_are_reported_in_summary_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    // Base: synthesised hamlets (all inside the mask).
    let sc = scenario(tmp.path(), "base", "");
    let base = tmp.path().join("base");
    ok(&phusong(&[
        "synth",
        sc.to_str().unwrap(),
        "--out",
        base.to_str().unwrap(),
    ]));
    let study = phusong_gis::study::Study::load(&base).unwrap();
    let inside = study.hamlets.len();
    let outside_mask = (0..study.mask.spec.len())
        .find(|&i| study.mask.data[i] == 0)
        .map(|i| {
            study
                .mask
                .spec
                .center(i % study.mask.spec.nx, i / study.mask.spec.nx)
        });
    let mut pts: Vec<(String, f64, f64, u32)> = study
        .hamlets
        .iter()
        .map(|h| (h.name.clone(), h.x_m, h.y_m, h.population))
        .collect();
    pts.push(("Far A".into(), 560_000.0, 2_092_000.0, 500));
    pts.push(("Far B".into(), 505_000.0, 2_150_000.0, 300));
    let mut n_out = 2;
    if let Some((x, y)) = outside_mask {
        pts.push(("Off mask".into(), x, y, 200));
        n_out += 1;
    }
    let feats: Vec<String> = pts
        .iter()
        .map(|(n, x, y, p)| {
            format!(
                r#"{{"type":"Feature","properties":{{"name":"{n}","population":{p},"grid_power":1}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}"#
            )
        })
        .collect();
    let gj = tmp.path().join("hamlets.geojson");
    std::fs::write(
        &gj,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::32648"}}}},"features":[{}]}}"#,
            feats.join(",")
        ),
    )
    .unwrap();
    // A DEM with a 1 km × 1 km void: under 1 % of the grid.
    let d = tmp.path().join("voids.tif");
    full_dem(&d, Some(-9999.0), &|ix, iy| {
        if (80..90).contains(&ix) && (80..90).contains(&iy) {
            -9999.0
        } else {
            100.0 + (ix + iy) as f64
        }
    });
    let sc = scenario(
        tmp.path(),
        "w",
        &format!(
            "[inputs]\nhamlets = \"{}\"\ndem = \"{}\"",
            gj.display(),
            d.display()
        ),
    );
    let out = tmp.path().join("w");
    ok(&phusong(&[
        "run",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let warnings = summary_warnings(&out);
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!(
            "hamlets: {n_out} of {} lie outside the study area",
            inside + n_out
        )) && w.contains("left out")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("dem: ") && w.contains("void") && w.contains("filled")),
        "{warnings:?}"
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["hamlets"], inside as u64);
    // Only the hamlets inside are counted: covered + uncovered = inside.
    let before = &summary["before"];
    let uncovered = before["hamlets_uncovered"].as_u64().unwrap();
    let covered_pct = before["hamlets_covered_pct"].as_f64().unwrap();
    let covered = (covered_pct * inside as f64 / 100.0).round() as u64;
    assert_eq!(covered + uncovered, inside as u64, "{before}");
    let gaps: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("gaps.json")).unwrap()).unwrap();
    assert!(!gaps.to_string().contains("Far A"));
}

#[test]
fn an_opencellid_cell_210_km_from_its_enb_is_left_out_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = phusong_gis::crs::Projector::new(32648).unwrap();
    let row = |cid: u64, x: f64, y: f64| {
        let (lo, la) = proj.unproject(x, y).unwrap();
        format!(
            "LTE,452,4,1,{},0,{lo},{la},1000,1,1,0,0,0\n",
            10 * 256 + cid
        )
    };
    let csv = tmp.path().join("cells.csv");
    std::fs::write(
        &csv,
        [
            row(0, 510_000.0, 2_092_000.0),
            row(1, 510_100.0, 2_092_000.0),
            row(2, 510_000.0, 2_092_100.0),
            row(3, 510_000.0, 2_092_000.0 + 210_000.0),
        ]
        .concat(),
    )
    .unwrap();
    let sc = scenario(
        tmp.path(),
        "o",
        &format!("[inputs]\nopencellid_csv = \"{}\"", csv.display()),
    );
    let out = tmp.path().join("o");
    ok(&phusong(&[
        "synth",
        sc.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    let study = phusong_gis::study::Study::load(&out).unwrap();
    assert_eq!(study.sites.len(), 1);
    let s = &study.sites[0];
    assert!((s.x_m - 510_033.0).abs() < 100.0 && (s.y_m - 2_092_033.0).abs() < 100.0);
    // The far cell lies outside the area and is skipped, or is named as a stray of its eNB.
    let w = study.info.warnings.join("\n");
    assert!(
        w.contains("cells outside the study area skipped") || w.contains("left out of the site"),
        "{w}"
    );
}

#[test]
fn scenario_names_that_leave_the_output_root_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let abs = tmp.path().join("abs-target");
    for name in ["../../X", abs.to_str().unwrap(), "a/../../b", ".", ""] {
        let sc = scenario(tmp.path(), "esc", "");
        let text = std::fs::read_to_string(&sc)
            .unwrap()
            .replace("name = \"esc\"", &format!("name = \"{name}\""));
        std::fs::write(&sc, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
            .args(["synth", sc.to_str().unwrap(), "--quiet"])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        fails_with(&out, &["name"]);
        assert!(!abs.exists());
        assert!(!tmp.path().join("../X").exists());
        assert!(!tmp.path().join("out").join("inputs").exists());
    }
}

#[test]
fn special_files_and_system_files_are_refused_without_echo() {
    let tmp = tempfile::tempdir().unwrap();
    // The scenario lives in a temp folder two levels below /, so ../../etc/passwd is /etc/passwd.
    assert_eq!(
        tmp.path().components().count(),
        3,
        "{}",
        tmp.path().display()
    );
    let first_line = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|t| t.lines().next().map(String::from));
    let keys = [
        "sites_csv",
        "opencellid_csv",
        "dem",
        "hamlets",
        "communes",
        "roads",
        "protected_areas",
    ];
    for (i, key) in keys.iter().enumerate() {
        for target in ["/etc/passwd", "../../etc/passwd", "/dev/zero"] {
            let sc = scenario(
                tmp.path(),
                &format!("s{i}"),
                &format!("[inputs]\n{key} = \"{target}\""),
            );
            let out = tmp.path().join(format!("s{i}"));
            let e = fails_with(
                &phusong(&["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()]),
                &[target, "expected"],
            );
            if let Some(l) = &first_line {
                assert!(!e.contains(l.as_str()), "{key}: echoes {l}: {e}");
            }
            assert!(!e.contains("root:"), "{key}: {e}");
            // Protected areas are read by the plan stage; the rest by synth.
            let stage = if *key == "protected_areas" {
                "plan"
            } else {
                "synth"
            };
            assert!(
                !out.join(format!(".manifests/{stage}.json")).exists(),
                "{key}"
            );
        }
    }
}

#[test]
fn unreadable_rasters_and_vectors_name_the_file_and_what_was_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.tif");
    std::fs::write(&junk, "this is not a GeoTIFF\n").unwrap();
    let junk_v = tmp.path().join("junk.gpkg");
    std::fs::write(&junk_v, "this is not a GeoPackage\n").unwrap();
    let missing = tmp.path().join("missing.geojson");
    for (key, path, want) in [
        ("dem", &junk, "raster"),
        ("hamlets", &junk_v, "vector"),
        ("communes", &junk_v, "vector"),
        ("hamlets", &missing, "not found"),
    ] {
        let sc = scenario(
            tmp.path(),
            key,
            &format!("[inputs]\n{key} = \"{}\"", path.display()),
        );
        let out = tmp.path().join(key);
        let e = synth_refused(
            &sc,
            &out,
            &[path.file_name().unwrap().to_str().unwrap(), want],
        );
        assert!(!e.contains("Error msg: ''"), "{e}");
    }
}

/// One `fsync` or `rename` of an strace log (`strace -f -y`): the path fsynced, or (from, to).
enum SysCall {
    Fsync(String),
    Rename(String, String),
}

fn parse_strace(log: &str) -> Vec<SysCall> {
    let quoted =
        |s: &str| -> Vec<String> { s.split('"').skip(1).step_by(2).map(String::from).collect() };
    log.lines()
        .filter_map(|l| {
            if l.contains("fsync(") && l.ends_with("= 0") {
                let (a, b) = (l.find('<')?, l.rfind('>')?);
                Some(SysCall::Fsync(l[a + 1..b].to_string()))
            } else if l.contains("rename") && l.ends_with("= 0") {
                let q = quoted(l);
                (q.len() == 2).then(|| SysCall::Rename(q[0].clone(), q[1].clone()))
            } else {
                None
            }
        })
        .collect()
}

/// Every file a stage places in the run folder was fsynced (itself, or the temp it was renamed
/// from) before it was renamed into place, its folder is fsynced after, and `inputs/sites.csv` is
/// written through a unique temp name (pid and counter), not a fixed one. Needs `strace`.
#[test]
fn outputs_are_fsynced_before_rename_and_sites_csv_uses_a_unique_temp() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace not installed: fsync order not checked");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "f", "");
    let out = tmp.path().join("f");
    let o = out.to_str().unwrap().to_string();
    let st = Command::new("strace")
        .args([
            "-f",
            "-y",
            "-qq",
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
        ])
        .arg(env!("CARGO_BIN_EXE_phusong"))
        .args(["synth", sc.to_str().unwrap(), "--out", &o, "--quiet"])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let calls = parse_strace(&String::from_utf8_lossy(&st.stderr));
    let mut durable = std::collections::BTreeSet::new();
    let mut placed = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        match c {
            SysCall::Fsync(p) => {
                durable.insert(p.clone());
            }
            SysCall::Rename(from, to) => {
                if durable.contains(from) {
                    durable.insert(to.clone());
                }
                let is_final = to.starts_with(&format!("{o}/"))
                    && !to.contains("/.staging-")
                    && !to.contains(".tmp-");
                if is_final {
                    assert!(
                        durable.contains(from),
                        "{to} renamed from {from} before any fsync"
                    );
                    placed.push((i, to.clone()));
                }
            }
        }
    }
    let files: Vec<&str> = placed.iter().map(|(_, p)| p.as_str()).collect();
    for f in [
        "inputs/sites.csv",
        "inputs/study.json",
        "inputs/dem_m.tif",
        ".manifests/synth.json",
    ] {
        assert!(
            files.contains(&format!("{o}/{f}").as_str()),
            "{f} not placed: {files:?}"
        );
    }
    // The folder of every placed file is fsynced after it is renamed into it.
    for (i, p) in &placed {
        let dir = Path::new(p).parent().unwrap().to_str().unwrap().to_string();
        assert!(
            calls[i + 1..]
                .iter()
                .any(|c| matches!(c, SysCall::Fsync(d) if *d == dir)),
            "{dir} not fsynced after {p}"
        );
    }
    let unique_temp = calls.iter().any(|c| match c {
        SysCall::Fsync(p) => p.rsplit('/').next().is_some_and(|n| {
            n.strip_prefix(".sites.csv.tmp-").is_some_and(|t| {
                let parts: Vec<&str> = t.split('-').collect();
                parts.len() == 2
                    && parts
                        .iter()
                        .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
            })
        }),
        _ => false,
    });
    assert!(unique_temp, "no .sites.csv.tmp-<pid>-<n> fsynced");
}

/// A DEM much coarser than the study grid is used, with a warning saying its terrain is
/// interpolated (a 1 km DEM under a 250 m study).
#[test]
fn a_dem_much_coarser_than_the_study_grid_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let coarse = tmp.path().join("coarse.tif");
    dem_cells(
        &coarse,
        503_000.0,
        2_102_000.0,
        (19, 19),
        1000.0,
        None,
        &|ix, iy| 50.0 + 10.0 * (ix + iy) as f64,
    );
    let fine = tmp.path().join("fine.tif");
    full_dem(&fine, None, &|ix, iy| 50.0 + (ix + iy) as f64);
    for (name, p, warned) in [("coarse", &coarse, true), ("fine", &fine, false)] {
        let sc = scenario(
            tmp.path(),
            name,
            &format!("[inputs]\ndem = \"{}\"", p.display()),
        );
        let out = tmp.path().join(name);
        ok(&phusong(&[
            "synth",
            sc.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]));
        let info = phusong_gis::study::StudyInfo::load(&out).unwrap();
        let w = info
            .warnings
            .iter()
            .find(|w| w.starts_with("dem: its cells of about"));
        assert_eq!(w.is_some(), warned, "{name}: {:?}", info.warnings);
        if let Some(w) = w {
            assert!(w.contains("about 1000 m") && w.contains("250 m"), "{w}");
        }
    }
}
