//! `phusong link` end to end through the binary: a WGS84 GeoTIFF written here with GDAL (so the
//! path goes through reprojection), the P.1511 grid shipped in data/, and clear errors.

use gdal::raster::Buffer;
use gdal::spatial_ref::SpatialRef;
use gdal::DriverManager;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn phusong(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Ridge: EPSG:4326, 0.0005° pixels over lon 105.0–105.2, lat 18.8–19.0; 100 m ground with a
/// north–south Gaussian ridge 200 m high along lon 105.1 (σ/√2 = 0.002°, about 210 m).
fn ridge_tiff(dir: &Path) -> PathBuf {
    let path = dir.join("ridge.tif");
    let drv = DriverManager::get_driver_by_name("GTiff").unwrap();
    let n = 400usize;
    let mut ds = drv.create_with_band_type::<f32, _>(&path, n, n, 1).unwrap();
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
    path
}

fn fspl_db(d_m: f64, f_mhz: f64) -> f64 {
    20.0 * (4.0 * std::f64::consts::PI * d_m * f_mhz * 1e6 / 299_792_458.0).log10()
}

#[test]
fn ridge_blocks_low_antennas_and_clears_tall_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dem = ridge_tiff(tmp.path());
    let dem_s = dem.to_str().unwrap();
    let svg = tmp.path().join("profile.svg");
    let low = json(&phusong(&[
        "link",
        "--from",
        "105.05,18.9",
        "--to",
        "105.15,18.9,30",
        "--freq-mhz",
        "900",
        "--dem",
        dem_s,
        "--tx-power-dbm",
        "30",
        "--tx-gain-dbi",
        "15",
        "--rx-gain-dbi",
        "15",
        "--json",
        "--plot",
        svg.to_str().unwrap(),
    ]));
    assert_eq!(low["crs"], "EPSG:32648");
    assert_eq!(low["dem"], dem_s);
    assert_eq!(low["freq_mhz"], 900.0);
    assert!((low["k_factor"].as_f64().unwrap() - 4.0 / 3.0).abs() < 1e-12);
    // 0.1° of longitude at 18.9°N: 111.32 km · cos 18.9° / 10 = 10.532 km on the ellipsoid
    // (spherical estimate), times UTM's scale ≈ 0.9996 near the central meridian 105°E.
    let d = low["distance_m"].as_f64().unwrap();
    assert!((d - 10_530.0).abs() < 40.0, "{d}");
    for end in ["from", "to"] {
        let e = &low[end];
        assert_eq!(e["antenna_height_m"], 30.0, "default height");
        assert!((e["ground_m"].as_f64().unwrap() - 100.0).abs() < 0.5, "{e}");
        assert!(e["x_m"].as_f64().unwrap() > 500_000.0);
    }
    assert_eq!(low["line_of_sight"], false);
    assert_eq!(low["fresnel_60_clear"], false);
    let o = &low["worst_obstruction"];
    // The crest: half-way, at lon 105.1, close to 300 m (resampling shaves a few metres).
    assert!((o["lon"].as_f64().unwrap() - 105.1).abs() < 0.001, "{o}");
    assert!((o["lat"].as_f64().unwrap() - 18.9).abs() < 0.001, "{o}");
    assert!(
        (o["distance_m"].as_f64().unwrap() - d / 2.0).abs() < 110.0,
        "{o}"
    );
    let terrain = o["terrain_m"].as_f64().unwrap();
    assert!((275.0..=300.0).contains(&terrain), "{terrain}");
    let f = |k: &str| o[k].as_f64().unwrap();
    assert!(
        (f("los_height_m") - f("terrain_m") - f("earth_bulge_m") - f("clearance_m")).abs() < 1e-9
    );
    assert!(f("clearance_m") < -100.0);
    assert!((f("clearance_m") / f("fresnel_radius_m") - f("clearance_fraction_r1")).abs() < 1e-9);
    // Losses: free space by formula; received power = 60 dBm of power and gains − loss.
    let losses = low["losses"].as_array().unwrap();
    let row = |m: &str| losses.iter().find(|r| r["model"] == m).unwrap().clone();
    let fs = row("free-space");
    assert!((fs["loss_db"].as_f64().unwrap() - fspl_db(d, 900.0)).abs() < 1e-6);
    assert!((fs["rx_power_dbm"].as_f64().unwrap() - (60.0 - fspl_db(d, 900.0))).abs() < 1e-6);
    let dey = row("deygout")["loss_db"].as_f64().unwrap();
    assert!(dey > 20.0, "{dey}");
    assert!(row("deygout")["rx_power_dbm"].is_null());
    for m in ["fspl-deygout", "hata", "hata-deygout", "itm"] {
        assert!(row(m)["loss_db"].as_f64().unwrap() > 100.0, "{m}");
    }
    // ITM over a ridge 170 m above the line costs well beyond free space.
    assert!(row("itm")["loss_db"].as_f64().unwrap() > fspl_db(d, 900.0) + 10.0);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("id=\"worst\""));

    // Antennas 250 m up put the line at 350 m, ~51 m above the crest + bulge: more than 0.6·r1
    // (r1 at mid-path ≈ 29.6 m).
    let tall = json(&phusong(&[
        "link",
        "--from",
        "105.05,18.9,250",
        "--to",
        "105.15,18.9,250",
        "--freq-mhz",
        "900",
        "--dem",
        dem_s,
        "--json",
    ]));
    assert_eq!(tall["line_of_sight"], true);
    assert_eq!(tall["fresnel_60_clear"], true);
    let rows = tall["losses"].as_array().unwrap();
    let dey = rows.iter().find(|r| r["model"] == "deygout").unwrap();
    assert_eq!(dey["loss_db"], 0.0);
    assert!(rows.iter().all(|r| r["rx_power_dbm"].is_null()));
}

#[test]
fn shipped_p1511_grid_and_text_output() {
    let dem = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an/dem/p1511_topo_5arcmin.asc");
    let dem_s = dem.to_str().unwrap();
    let args = [
        "link",
        "--from",
        "104.9,19.1,40",
        "--to",
        "105.4,18.9",
        "--freq-mhz",
        "1800",
        "--dem",
        dem_s,
        "--k-factor",
        "1.0",
        "--environment",
        "suburban",
    ];
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let v = json(&phusong(&with_json));
    assert_eq!(v["k_factor"], 1.0);
    assert_eq!(v["model"], "hata-deygout");
    assert_eq!(v["from"]["antenna_height_m"], 40.0);
    let d = v["distance_m"].as_f64().unwrap();
    assert!((55_000.0..60_000.0).contains(&d), "{d}");
    // The P.1511 grid is coarse (5′ ≈ 9 km): the link grid is capped at 1 km, sampled every ≤ 500 m.
    assert!(v["step_m"].as_f64().unwrap() <= 500.0);
    for end in ["from", "to"] {
        let g = v[end]["ground_m"].as_f64().unwrap();
        assert!((0.0..2000.0).contains(&g), "{end}: {g}");
    }
    assert!(v["worst_obstruction"]["fresnel_radius_m"].as_f64().unwrap() > 0.0);
    // Free space, Deygout alone and every model kind.
    assert_eq!(
        v["losses"].as_array().unwrap().len(),
        2 + phusong_engine::propagation::models::KINDS.len()
    );
    // Same run, human output: a table naming every model.
    let out = phusong(&args);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for m in [
        "line of sight:",
        "fspl-deygout",
        "hata-deygout",
        "COST-231-Hata, suburban",
    ] {
        assert!(text.contains(m), "{m}: {text}");
    }
}

#[test]
fn clear_errors() {
    let dem = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an/dem/p1511_topo_5arcmin.asc");
    let dem_s = dem.to_str().unwrap();
    let err = |args: &[&str], want: &str| {
        let out = phusong(args);
        assert!(!out.status.success(), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains(want), "{args:?}: {e}");
        assert!(!e.contains("panicked"), "{e}");
    };
    let base = |from: &'static str, to: &'static str, f: &'static str| {
        vec![
            "link",
            "--from",
            from,
            "--to",
            to,
            "--freq-mhz",
            f,
            "--dem",
            dem_s,
        ]
    };
    err(
        &base("104.9", "105.4,18.9", "900"),
        "--from: expected LON,LAT[,HEIGHT_M], got '104.9'",
    );
    err(&base("104.9,19.1", "105.4,18.9,x", "900"), "--to: expected");
    err(&base("104.9,19.1", "104.9,19.1", "900"), "same point");
    err(&base("104.9,19.1", "105.4,18.9", "5"), "--freq-mhz 5");
    let mut geographic = base("104.9,19.1", "105.4,18.9", "900");
    geographic.extend(["--epsg", "4326"]);
    err(
        &geographic,
        "--epsg 4326: expected a projected CRS in metres",
    );
    err(
        &base("104.9,19.1", "106.5,19.1", "900"),
        "--to (106.5, 19.1) lies outside this DEM",
    );
    // A scenario whose run folder has no study DEM yet.
    let tmp = tempfile::tempdir().unwrap();
    let sc = tmp.path().join("s.toml");
    std::fs::write(&sc, "name = \"s\"\n").unwrap();
    let run = tmp.path().join("run");
    err(
        &[
            "link",
            "--from",
            "104.9,19.1",
            "--to",
            "105.4,18.9",
            "--freq-mhz",
            "900",
            sc.to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
        ],
        "run `phusong synth",
    );
}
