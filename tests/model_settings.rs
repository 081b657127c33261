//! The study's model reaches every command: `link SCENARIO` evaluates the scenario's own model with
//! its parameters (checked against the engine's point evaluation and against the published formulas
//! on the same profile), and an out-of-range model field is refused by every command, naming its key.

use gdal::raster::Buffer;
use gdal::spatial_ref::SpatialRef;
use gdal::DriverManager;
use phusong_engine::propagation::deygout::{deygout_loss_db, Profile};
use phusong_engine::propagation::free_space::fspl_db;
use phusong_engine::propagation::hata::{hata_db, Environment};
use phusong_engine::propagation::models::{LinkSpec, TerrainProfile};
use phusong_gis::link::{self, Endpoint, LinkParams};
use phusong_gis::scenario::Scenario;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn phusong(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .output()
        .unwrap()
}

/// A 100 m plain with a 200 m Gaussian ridge along lon 105.1 (EPSG:4326, 0.0005° pixels).
fn ridge_tiff(path: &Path) {
    let drv = DriverManager::get_driver_by_name("GTiff").unwrap();
    let n = 400usize;
    let mut ds = drv.create_with_band_type::<f32, _>(path, n, n, 1).unwrap();
    ds.set_geo_transform(&[105.0, 0.0005, 0.0, 19.0, 0.0, -0.0005])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_epsg(4326).unwrap())
        .unwrap();
    let data: Vec<f32> = (0..n * n)
        .map(|i| {
            let lon = 105.0 + ((i % n) as f64 + 0.5) * 0.0005;
            (100.0 + 200.0 * (-((lon - 105.1) / 0.002).powi(2)).exp()) as f32
        })
        .collect();
    ds.rasterband(1)
        .unwrap()
        .write((0, 0), (n, n), &mut Buffer::new((n, n), data))
        .unwrap();
}

const SCENARIO: &str = "name = \"s\"\n[coverage.model]\nkind = \"hata-deygout\"\n\
    environment = \"rural\"\ndiffraction_weight = 0.7\nlocation_reliability_pct = 90.0\n\
    extra_loss_db = 2.0\n";

#[test]
fn link_on_a_scenario_evaluates_its_model_like_the_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("s.toml");
    std::fs::write(&sc, SCENARIO).unwrap();
    let run = tmp.path().join("run");
    std::fs::create_dir_all(run.join("inputs")).unwrap();
    let dem = run.join("inputs/dem_m.tif");
    ridge_tiff(&dem);
    let (from, to) = ("105.05,18.9,30", "105.15,18.9,1.5");
    let out = phusong(&[
        "link",
        "--from",
        from,
        "--to",
        to,
        "--freq-mhz",
        "900",
        sc.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["model"], "hata-deygout");
    let rows = v["losses"].as_array().unwrap();
    let cli = rows.iter().find(|r| r["model"] == "hata-deygout").unwrap()["loss_db"]
        .as_f64()
        .unwrap();

    // The same path through the library, with the scenario's model.
    let s = Scenario::load(&sc).unwrap();
    let mut params = LinkParams::new(900.0);
    params.model = s.coverage.model.clone();
    let e = |t: &str| Endpoint::parse(t, "--from", 30.0).unwrap();
    let l = link::analyse(&dem, e(from), e(to), &params).unwrap();
    let p = &l.profile;
    let spec = LinkSpec {
        freq_mhz: 900.0,
        tx_height_m: 30.0,
        rx_height_m: 1.5,
    };
    // The engine's point evaluation on that profile.
    let (engine, _) = s
        .coverage
        .model
        .profile_loss_db(&spec, &TerrainProfile::from_ground(p.step_m, &p.ground_m))
        .unwrap();
    assert!((cli - engine).abs() < 0.01, "link {cli} vs engine {engine}");
    // Independent: rural Hata (never below free space) + 2 dB + 8 dB·Φ⁻¹(0.9) + 0.7 × the reference
    // Deygout over every profile point (k = 4/3).
    let d = p.distance_m;
    let hata = hata_db(900.0, 30.0, 1.5, d / 1000.0, Environment::Rural).max(fspl_db(d, 900.0));
    let profile = Profile {
        step_m: p.step_m,
        ground_m: p.ground_m.clone(),
    };
    let dey = deygout_loss_db(&profile, 30.0, 1.5, 900.0, 4.0 / 3.0);
    assert!(dey > 10.0, "the ridge must obstruct: {dey}");
    let want = hata + 2.0 + 8.0 * 1.2815515655446004 + 0.7 * dey;
    assert!((cli - want).abs() < 0.01, "link {cli} vs formulas {want}");
}

#[test]
fn an_out_of_range_model_field_is_refused_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("bad.toml");
    std::fs::write(
        &sc,
        "name = \"bad\"\n[coverage.model]\nkind = \"hata-deygout\"\ndiffraction_weight = 5.0\n",
    )
    .unwrap();
    let s = sc.to_str().unwrap();
    let out_dir = tmp.path().join("out");
    let o = out_dir.to_str().unwrap();
    let link = [
        "link",
        "--from",
        "105.05,18.9",
        "--to",
        "105.15,18.9",
        "--freq-mhz",
        "900",
        s,
        "--out",
        o,
    ];
    let mut cases: Vec<Vec<&str>> = ["run", "synth", "coverage", "gaps", "plan", "export"]
        .iter()
        .map(|c| vec![*c, s, "--out", o])
        .collect();
    cases.push(link.to_vec());
    cases.push(vec!["bench", "--iterations", "1", s, "--out", o]);
    for args in &cases {
        let out = phusong(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("coverage.model.diffraction_weight"),
            "{args:?}: {err}"
        );
        assert!(err.contains("expected 0–1"), "{args:?}: {err}");
    }
    // The same through command-line overrides, on the embedded scenario.
    for args in [
        vec!["demo", "--diffraction-weight", "5", "--out", o],
        vec![
            "link",
            "--from",
            "105.05,18.9",
            "--to",
            "105.15,18.9",
            "--freq-mhz",
            "900",
            "--dem",
            "data/nghe-an/dem/p1511_topo_5arcmin.asc",
            "--diffraction-weight",
            "5",
        ],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_phusong"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("coverage.model.diffraction_weight"),
            "{args:?}: {err}"
        );
    }
    assert!(
        !out_dir.join("inputs").exists(),
        "nothing written before refusing"
    );
}
