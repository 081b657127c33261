//! `phusong site` on a small synthesised study: the radial result is the coverage engine's for that
//! site bit for bit (though only the site's window of the DEM is read), one path-loss file per
//! sector frequency, `--exact` stays close to it, and an unknown site is a clear error.

use phusong_engine::coverage::site_window;
use phusong_gis::pipeline::{stage_synth, Quiet};
use phusong_gis::scenario::Scenario;
use phusong_gis::study::Study;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A 20 × 20 km window of central Nghệ An at 250 m with a few synthetic sites, synthesised.
fn synthesised(dir: &Path) -> (PathBuf, PathBuf) {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an");
    let text = format!(
        r#"name = "small"
resolution_m = 250.0
seed = 11
clip_m = [500000.0, 2080000.0, 520000.0, 2100000.0]
[synth]
p1511 = "{}"
landmask = "{}"
places = "{}"
sites = 30
hamlets = 60
unpowered_hamlets = 2
underserved_hamlets = 3
population = 50000
communes = 4
"#,
        d.join("dem/p1511_topo_5arcmin.asc").display(),
        d.join("coast/landmask_3s.tif").display(),
        d.join("places/geonames_places.tsv").display(),
    );
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, text).unwrap();
    let run = dir.join("run");
    stage_synth(
        &Scenario::load(&scenario).unwrap(),
        &phusong_gis::pipeline::Run::open(&run).unwrap(),
        &Quiet,
    )
    .unwrap();
    (scenario, run)
}

/// Moves the last sector row of site `id` to 2100 MHz, so the site has two frequencies.
fn second_frequency(run: &Path, id: u32) {
    let path = run.join("inputs/sites.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (id_col, f_col) = (col("site_id"), col("freq_mhz"));
    let row = (1..lines.len())
        .rev()
        .find(|&i| lines[i].split(',').nth(id_col) == Some(&id.to_string()))
        .unwrap();
    let mut f: Vec<String> = lines[row].split(',').map(String::from).collect();
    f[f_col] = "2100".into();
    lines[row] = f.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// Band 1 and the pixel offset of a raster written on the study's lattice.
fn read(path: &Path, study: &Study) -> (Vec<f32>, usize, usize, usize) {
    let ds = gdal::Dataset::open(path).unwrap();
    let gt = ds.geo_transform().unwrap();
    let g = &study.info.grid;
    let ix0 = ((gt[0] - g.x0_m) / g.cell_m).round() as usize;
    let iy0 = ((g.y0_m - gt[3]) / g.cell_m).round() as usize;
    let v = ds.rasterband(1).unwrap().read_band_as::<f32>().unwrap();
    (v.data().to_vec(), ix0, iy0, ds.raster_size().0)
}

fn site_cmd(scenario: &Path, run: &Path, id: u32, out: &Path, exact: bool) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phusong"));
    c.arg("site")
        .arg(scenario)
        .args(["--site", &id.to_string(), "--run-dir"])
        .arg(run)
        .arg("--out")
        .arg(out);
    if exact {
        c.arg("--exact");
    }
    c.output().unwrap()
}

#[test]
fn site_command_is_the_engine_per_site_and_exact_stays_close() {
    let tmp = tempfile::tempdir().unwrap();
    let (scenario, run) = synthesised(tmp.path());
    let id = Study::load(&run).unwrap().sites[3].id;
    second_frequency(&run, id);
    let study = Study::load(&run).unwrap();
    let (index, site) = study
        .sites
        .iter()
        .enumerate()
        .find(|(_, s)| s.id == id)
        .unwrap();
    let s = Scenario::load(&scenario).unwrap();

    let out = tmp.path().join("fast");
    let o = site_cmd(&scenario, &run, id, &out, false);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "path_loss_db.tif",
        "path_loss_2100mhz_db.tif",
        "rsrp_dbm.tif",
        "site.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let freqs: Vec<f64> = {
        let mut f: Vec<f64> = site.sectors.iter().map(|s| s.freq_mhz).collect();
        f.sort_by(f64::total_cmp);
        f.dedup();
        f
    };
    assert_eq!(freqs.len(), 2);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let lowest = out.join(format!("path_loss_{}mhz_db.tif", freqs[0]));
    assert!(bits(&read(&lowest, &study).0) == bits(&read(&out.join("path_loss_db.tif"), &study).0));
    // The same bits as the coverage engine over the whole study grid.
    let w = site_window(index, site, &study.terrain, &s.coverage).unwrap();
    let (rsrp, ix0, iy0, nx) = read(&out.join("rsrp_dbm.tif"), &study);
    assert_eq!(
        (ix0, iy0, nx, rsrp.len()),
        (w.ix0, w.iy0, w.nx, w.nx * w.ny)
    );
    let differ = rsrp
        .iter()
        .zip(&w.rsrp_dbm)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    assert_eq!(differ, 0, "{differ} of {} cells differ", rsrp.len());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("site.json")).unwrap()).unwrap();
    assert_eq!(report["evaluation"], "radial");
    assert_eq!(report["freqs_mhz"][1].as_f64(), Some(2100.0));
    assert_eq!(
        report["cells"].as_u64(),
        Some(rsrp.iter().filter(|v| !v.is_nan()).count() as u64)
    );

    // Exact: the same window, losses close to the engine's on most cells.
    let ex = tmp.path().join("exact");
    let o = site_cmd(&scenario, &run, id, &ex, true);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (fast_l, ..) = read(&out.join("path_loss_db.tif"), &study);
    let (exact_l, ex_ix0, ex_iy0, _) = read(&ex.join("path_loss_db.tif"), &study);
    assert_eq!((ex_ix0, ex_iy0, exact_l.len()), (ix0, iy0, fast_l.len()));
    let d: Vec<f32> = fast_l
        .iter()
        .zip(&exact_l)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (a - b).abs())
        .collect();
    assert!(d.len() > 100, "{}", d.len());
    let within = d.iter().filter(|&&x| x <= 3.0).count() as f64 / d.len() as f64;
    assert!(within > 0.9, "{within}");

    // An unknown site is an error naming it.
    let o = site_cmd(&scenario, &run, 999_999, &tmp.path().join("none"), false);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("999999") && err.contains("sites.csv"), "{err}");
}
