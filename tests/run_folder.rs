//! What phusong guarantees about a run folder, through the binary: a killed stage never leaves a
//! mix that later stages accept, one writer at a time, edited inputs are detected, and bad input
//! gives exit status 1 or 2 with a named cause within seconds.

use phusong_engine::coverage::rollup::rollup;
use phusong_gis::io::raster_in::{read_raster_to_grid, Resample};
use phusong_gis::reports::CoverageReport;
use phusong_gis::run_folder::verify;
use phusong_gis::study::Study;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// A 15 × 15 km window at 250 m with a small synthetic network (seconds per stage).
fn scenario(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let d = data();
    let text = format!(
        "name = \"{name}\"\nresolution_m = 250.0\nseed = 7\n\
         clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]\n\
         [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\nsites = 60\nhamlets = 80\n\
         unpowered_hamlets = 3\nunderserved_hamlets = 5\npopulation = 60000\ncommunes = 4\n\
         [plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n{extra}\n",
        d.join("dem/p1511_topo_5arcmin.asc").display(),
        d.join("coast/landmask_3s.tif").display(),
        d.join("places/geonames_places.tsv").display(),
    );
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn phusong(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .arg("--quiet")
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fails_with(out: &Output, codes: &[i32], want: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "status {:?}: {err}",
        out.status
    );
    assert!(!err.contains("panicked"), "{err}");
    for w in want {
        assert!(err.contains(w), "{w:?} not in: {err}");
    }
}

#[test]
fn an_input_edited_after_a_stage_is_detected_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "a", "");
    let out = tmp.path().join("a");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    ok(&phusong(&["run", s, "--out", o]));
    // Fewer hamlets from another study replace inputs/hamlets.gpkg (README: edit and re-run).
    let sc_b = scenario(tmp.path(), "b", "");
    let text = std::fs::read_to_string(&sc_b)
        .unwrap()
        .replace("hamlets = 80", "hamlets = 20");
    std::fs::write(&sc_b, text).unwrap();
    let out_b = tmp.path().join("b");
    ok(&phusong(&[
        "synth",
        sc_b.to_str().unwrap(),
        "--out",
        out_b.to_str().unwrap(),
    ]));
    std::fs::copy(
        out_b.join("inputs/hamlets.gpkg"),
        out.join("inputs/hamlets.gpkg"),
    )
    .unwrap();
    // Plan and export refuse: gaps and coverage were computed with the old hamlets.
    let e = phusong(&["export", s, "--out", o]);
    fails_with(&e, &[1], &["hamlets.gpkg", "re-run"]);
    // Re-running from gaps on takes the edit.
    for stage in ["coverage", "gaps", "plan", "export"] {
        ok(&phusong(&[stage, s, "--out", o]));
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["hamlets"], 20);
}

#[test]
fn a_second_writer_is_refused_while_the_first_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "c", "");
    let out = tmp.path().join("c");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    let mut first = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(["run", s, "--out", o, "--quiet"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !out.join(".lock").exists() && t.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let second = phusong(&["coverage", s, "--out", o]);
    let first_ok = first.wait().unwrap().success();
    assert!(first_ok);
    fails_with(&second, &[1], &["being written by pid", ".lock"]);
    assert!(
        !out.join(".lock").exists(),
        "the lock is released at the end"
    );
}

/// Kill -9 of the coverage stage at random points, alternating two models (different rasters):
/// whenever the run folder's coverage manifest verifies, `coverage.json` agrees with the RSRP
/// raster next to it (the same generation), and `gaps` either runs or asks to re-run coverage.
#[test]
fn kill_minus_nine_never_leaves_an_accepted_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "k", "");
    let out = tmp.path().join("k");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    ok(&phusong(&["synth", s, "--out", o]));
    ok(&phusong(&["coverage", s, "--out", o]));
    let study = Study::load(&out).unwrap();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut accepted, mut rerun) = (0, 0);
    for round in 0..10 {
        let model = if round % 2 == 0 {
            "hata"
        } else {
            "hata-deygout"
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_phusong"))
            .args(["coverage", s, "--out", o, "--quiet", "--model", model])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(50 + seed % 1500));
        let _ = child.kill();
        let _ = child.wait();
        match verify(&out, "coverage") {
            Ok(_) => {
                accepted += 1;
                let report: CoverageReport =
                    serde_json::from_slice(&std::fs::read(out.join("coverage.json")).unwrap())
                        .unwrap();
                let rsrp = read_raster_to_grid(
                    &out.join("rsrp_dbm.tif"),
                    &study.info.grid,
                    Resample::Nearest,
                )
                .unwrap();
                let r = rollup(
                    &rsrp,
                    &study.mask,
                    &study.commune_of_cell,
                    study.communes.len(),
                    &study.hamlets,
                    &study.village_cells,
                    phusong_engine::coverage::rollup::Threshold {
                        rsrp_dbm: report.threshold_rsrp_dbm,
                        village_share: 0.95,
                    },
                );
                assert!(
                    (r.total.land_area_covered_pct - report.total.land_area_covered_pct).abs()
                        < 1e-9,
                    "round {round}: raster and coverage.json from different runs"
                );
                ok(&phusong(&["gaps", s, "--out", o]));
            }
            Err(e) => {
                rerun += 1;
                assert!(e.to_string().contains("coverage"), "{e}");
                fails_with(&phusong(&["gaps", s, "--out", o]), &[1], &["coverage"]);
                ok(&phusong(&["coverage", s, "--out", o]));
            }
        }
    }
    assert_eq!(accepted + rerun, 10);
    // No temp or staging files are left once a stage has run again.
    ok(&phusong(&["coverage", s, "--out", o]));
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.starts_with(".staging"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn bad_parameters_and_inputs_fail_fast_with_a_named_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().join("o");
    let o = o.to_str().unwrap();
    let cases: Vec<(&str, &[&str])> = vec![
        (
            "[plan]\ngrid_spacing_m = 0.0",
            &["plan.grid_spacing_m", "m"],
        ),
        ("[plan]\nfreq_mhz = 0.0", &["plan.freq_mhz", "MHz"]),
        ("[plan]\neirp_dbm = nan", &["plan.eirp_dbm", "dBm"]),
        ("[plan]\ntower_height_m = -100.0", &["plan.tower_height_m"]),
        ("[plan]\nbandwidth_mhz = 0.0", &["plan.bandwidth_mhz"]),
        (
            "[coverage]\nrange_margin_db = nan",
            &["coverage.range_margin_db", "dB"],
        ),
        (
            "[coverage.model]\ndiffraction_weight = nan",
            &["coverage.model.diffraction_weight"],
        ),
        (
            "[inputs]\nsites_csv = \"/dev/zero\"",
            &["/dev/zero", "not a regular file"],
        ),
    ];
    for (i, (extra, want)) in cases.into_iter().enumerate() {
        // `[plan]` appears in the base scenario: the case's own table replaces it.
        let sc = scenario(tmp.path(), &format!("bad{i}"), "");
        let text = std::fs::read_to_string(&sc).unwrap();
        let text = if extra.starts_with("[plan]") {
            text.replace(
                "[plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n",
                &format!("{extra}\n"),
            )
        } else {
            format!("{text}\n{extra}\n")
        };
        std::fs::write(&sc, text).unwrap();
        let t = Instant::now();
        let out = phusong(&["run", sc.to_str().unwrap(), "--out", o]);
        fails_with(&out, &[1], want);
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{extra}: {:?}",
            t.elapsed()
        );
    }
    let sc = scenario(tmp.path(), "t", "");
    fails_with(
        &phusong(&["run", sc.to_str().unwrap(), "--threads", "100000"]),
        &[2],
        &["--threads 100000"],
    );
    // A scenario name never leads outside out/.
    let sc = scenario(tmp.path(), "escape", "");
    let text = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(
        &sc,
        text.replace("name = \"escape\"", "name = \"../../escape\""),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(["synth", sc.to_str().unwrap(), "--quiet"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    fails_with(&out, &[1], &["../../escape"]);
    assert!(!tmp.path().join("../escape").exists());
}

/// A GeoTIFF DEM in EPSG:32648 over x 505–510 km, y 2085–2100 km: a third of the test window.
fn partial_dem(path: &Path, value: f32) {
    use gdal::raster::Buffer;
    use gdal::spatial_ref::SpatialRef;
    let drv = gdal::DriverManager::get_driver_by_name("GTiff").unwrap();
    let (nx, ny) = (50usize, 150usize);
    let mut ds = drv
        .create_with_band_type::<f32, _>(path, nx, ny, 1)
        .unwrap();
    ds.set_geo_transform(&[505_000.0, 100.0, 0.0, 2_100_000.0, 0.0, -100.0])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_epsg(32648).unwrap())
        .unwrap();
    ds.rasterband(1)
        .unwrap()
        .write(
            (0, 0),
            (nx, ny),
            &mut Buffer::new((nx, ny), vec![value; nx * ny]),
        )
        .unwrap();
}

#[test]
fn a_dem_that_does_not_cover_the_study_or_a_grid_too_big_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dem = tmp.path().join("part.tif");
    partial_dem(&dem, 120.0);
    let sc = scenario(
        tmp.path(),
        "d",
        &format!("[inputs]\ndem = \"{}\"", dem.display()),
    );
    let o = tmp.path().join("d");
    let out = phusong(&["synth", sc.to_str().unwrap(), "--out", o.to_str().unwrap()]);
    fails_with(
        &out,
        &[1],
        &["part.tif", "covers only", "% of the study grid"],
    );
    assert!(!o.join("inputs").exists(), "nothing written");
    // Heights of 1e30 m are not terrain.
    let dem = tmp.path().join("huge.tif");
    partial_dem(&dem, 1e30);
    let sc = scenario(
        tmp.path(),
        "h",
        &format!("[inputs]\ndem = \"{}\"\n", dem.display()),
    );
    let text = std::fs::read_to_string(&sc).unwrap().replace(
        "clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]",
        "clip_m = [505000.0, 2085000.0, 509900.0, 2100000.0]",
    );
    std::fs::write(&sc, text).unwrap();
    let out = phusong(&["synth", sc.to_str().unwrap(), "--out", o.to_str().unwrap()]);
    fails_with(&out, &[1], &["huge.tif", "expected −500 to 9000 m"]);
    // A 10 m grid of the whole province is refused with its memory estimate, in seconds.
    let demo = data().join("scenario.toml");
    let text = std::fs::read_to_string(&demo)
        .unwrap()
        .replace("resolution_m = 90.0", "resolution_m = 10.0");
    assert!(text.contains("resolution_m = 10.0"));
    let big = tmp.path().join("big.toml");
    std::fs::write(
        &big,
        text.replace("\"dem/", &format!("\"{}/dem/", data().display()))
            .replace("\"coast/", &format!("\"{}/coast/", data().display()))
            .replace("\"places/", &format!("\"{}/places/", data().display())),
    )
    .unwrap();
    let t = Instant::now();
    let out = phusong(&["synth", big.to_str().unwrap(), "--out", o.to_str().unwrap()]);
    fails_with(&out, &[1], &["resolution_m", "GB"]);
    assert!(t.elapsed() < Duration::from_secs(30));
}

/// Sites outside the study area, OpenCelliD cells outside it and a stray cell of an eNB are kept
/// or skipped as documented and listed in `summary.json`'s `warnings`.
#[test]
fn features_outside_the_study_area_are_counted_in_summary_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "w", "");
    let out = tmp.path().join("w");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    ok(&phusong(&["synth", s, "--out", o]));
    let text = std::fs::read_to_string(out.join("inputs/sites.csv")).unwrap();
    let first: Vec<String> = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let (lon, lat): (f64, f64) = (first[3].parse().unwrap(), first[4].parse().unwrap());
    // One more site ~50 km west of the window.
    let far = format!(
        "9999,Far,Viettel,{},{lat},30,0,2,4,1800,10,61,65,10\n",
        lon - 0.5
    );
    let csv = tmp.path().join("sites.csv");
    std::fs::write(&csv, format!("{text}{far}")).unwrap();
    let sc2 = scenario(
        tmp.path(),
        "w2",
        &format!("[inputs]\nsites_csv = \"{}\"", csv.display()),
    );
    let out2 = tmp.path().join("w2");
    ok(&phusong(&[
        "run",
        sc2.to_str().unwrap(),
        "--out",
        out2.to_str().unwrap(),
    ]));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out2.join("summary.json")).unwrap()).unwrap();
    let warnings: Vec<String> = summary["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let n = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert!(
        warnings.iter().any(|w| w.starts_with(&format!(
            "sites: 1 of {} lie outside the study area (first: 'Far'",
            n + 1
        ))),
        "{warnings:?}"
    );
    // OpenCelliD on a 30 × 15 km window: one eNB inside (three cells at the west end and a stray
    // one 28 km east), one eNB ~90 km east, outside.
    let proj = phusong_gis::crs::Projector::new(32648).unwrap();
    let eci = |enb: u64, cid: u64| enb * 256 + cid;
    let row = |enb: u64, cid: u64, x: f64, y: f64| {
        let (lo, la) = proj.unproject(x, y).unwrap();
        format!("LTE,452,4,1,{},0,{lo},{la},1000,1,1,0,0,0\n", eci(enb, cid))
    };
    let cells = [
        row(10, 0, 506_000.0, 2_092_000.0),
        row(10, 1, 506_100.0, 2_092_000.0),
        row(10, 2, 506_000.0, 2_092_100.0),
        row(10, 3, 534_000.0, 2_092_000.0),
        row(11, 0, 600_000.0, 2_092_000.0),
    ]
    .concat();
    let ocid = tmp.path().join("cells.csv");
    std::fs::write(&ocid, cells).unwrap();
    let sc3 = scenario(
        tmp.path(),
        "w3",
        &format!("[inputs]\nopencellid_csv = \"{}\"", ocid.display()),
    );
    let wide = std::fs::read_to_string(&sc3).unwrap().replace(
        "clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]",
        "clip_m = [505000.0, 2085000.0, 535000.0, 2100000.0]",
    );
    std::fs::write(&sc3, wide).unwrap();
    let out3 = tmp.path().join("w3");
    ok(&phusong(&[
        "run",
        sc3.to_str().unwrap(),
        "--out",
        out3.to_str().unwrap(),
    ]));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out3.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["sites_existing"], 1);
    let warnings = summary["warnings"].to_string();
    assert!(
        warnings.contains("1 cells outside the study area skipped"),
        "{warnings}"
    );
    assert!(
        warnings.contains("line 4: cell 2563 of eNB 452-04-10"),
        "{warnings}"
    );
    assert!(warnings.contains("left out of the site"), "{warnings}");
}

/// Kill -9 of a whole `phusong run` (synth → export) at random points, alternating two models:
/// afterwards every stage either verifies with its inputs unchanged or names the stage to re-run,
/// and when the export verifies, `summary.json` agrees with the `coverage.json` beside it (the two
/// models give different coverage, so a mix of generations would show).
#[test]
fn kill_minus_nine_of_a_whole_run_leaves_every_stage_whole_or_asking_for_a_rerun() {
    use phusong_gis::run_folder::verify_fresh;
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path(), "r", "");
    let out = tmp.path().join("r");
    let (s, o) = (sc.to_str().unwrap(), out.to_str().unwrap());
    let t = Instant::now();
    ok(&phusong(&["run", s, "--out", o]));
    let full_ms = t.elapsed().as_millis() as u64;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut verified_exports = 0;
    for round in 0..12 {
        let model = ["hata", "hata-deygout"][round % 2];
        let mut child = Command::new(env!("CARGO_BIN_EXE_phusong"))
            .args(["run", s, "--out", o, "--quiet", "--model", model])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(seed % (full_ms + 200)));
        let _ = child.kill();
        let _ = child.wait();
        for stage in ["synth", "coverage", "gaps", "plan", "export"] {
            if let Err(e) = verify_fresh(&out, stage) {
                let m = e.to_string();
                assert!(
                    m.contains("re-run") || m.contains("run `phusong"),
                    "round {round}: {stage}: {m}"
                );
            }
        }
        if verify_fresh(&out, "export").is_ok() {
            verified_exports += 1;
            let summary: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
            let report: CoverageReport =
                serde_json::from_slice(&std::fs::read(out.join("coverage.json")).unwrap()).unwrap();
            let a = summary["before"]["land_area_covered_pct"].as_f64().unwrap();
            assert!(
                (a - report.total.land_area_covered_pct).abs() < 1e-9,
                "round {round}: summary {a} vs coverage.json {}",
                report.total.land_area_covered_pct
            );
        }
    }
    // A run after the kills completes, and every stage then verifies.
    ok(&phusong(&["run", s, "--out", o]));
    for stage in ["synth", "coverage", "gaps", "plan", "export"] {
        verify_fresh(&out, stage).unwrap();
    }
    eprintln!(
        "whole-run kills: {verified_exports} of 12 left a verified export (run {full_ms} ms)"
    );
}
