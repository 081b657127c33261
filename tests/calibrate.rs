//! `phusong drive-test` and `phusong calibrate` end to end on a small synthesised study: known
//! corrections and clutter offsets are recovered through what the CLI does, the cross-validated
//! RMSE matches the shadowing σ when the truth is the scenario's own model, a different truth
//! model is improved on, the pasted snippet reproduces the fitted predictions, and malformed
//! measurement files are refused naming file, row and column.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A 50 × 50 km window of central Nghệ An at 250 m with 80 synthetic sites (heights 25–45 m),
/// synthesised once for every test of this file.
fn study() -> &'static (PathBuf, PathBuf) {
    static STUDY: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    STUDY.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("calibrate-study");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an");
        let text = format!(
            r#"name = "small"
resolution_m = 250.0
seed = 11
clip_m = [495000.0, 2070000.0, 545000.0, 2120000.0]
[synth]
p1511 = "{}"
landmask = "{}"
places = "{}"
sites = 80
hamlets = 150
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
        let o = phusong(
            &["-q", "synth"],
            &scenario,
            &["--out", run.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (scenario, run)
    })
}

fn phusong(before: &[&str], scenario: &Path, after: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(before)
        .arg(scenario)
        .args(after)
        .output()
        .unwrap()
}

fn drive_test(scenario: &Path, run: &Path, out: &Path, flags: &[&str]) -> String {
    let mut args = vec![
        "--run",
        run.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let o = phusong(&["drive-test"], scenario, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out).unwrap()
}

fn calibrate(scenario: &Path, run: &Path, m: &Path, out: &Path, flags: &[&str]) -> Output {
    let mut args = vec![
        "--run",
        run.to_str().unwrap(),
        "--measurements",
        m.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    phusong(&["calibrate"], scenario, &args)
}

fn report(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("calibration.json")).unwrap()).unwrap()
}

fn term(r: &Value, name: &str) -> f64 {
    r["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no term {name} in {}", r["terms"]))["value"]
        .as_f64()
        .unwrap()
}

#[test]
fn known_correction_and_clutter_offsets_are_recovered_and_cv_rmse_is_sigma() {
    let (scenario, run) = study();
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m.csv");
    // Truth: the scenario's own model plus K1 = 6 dB, K2 = 4 dB/decade; σ = 6 dB shadowing
    // decorrelating over 10 m (points every 25 m: ρ = 0.08, so the ~12 000 points are nearly
    // independent and the slope's standard error is ≈ 0.25 dB/decade), no noise, floor far below
    // the signals (a handful of rows censored).
    let (sigma, noise) = (6.0, 0.0);
    #[rustfmt::skip]
    let flags = [
        "--truth-model", "hata-deygout", "--truth-offset-db", "6",
        "--truth-slope-db-per-decade", "4", "--sigma-db", "6", "--noise-db", "0",
        "--decorrelation-m", "10", "--step-m", "25", "--sites", "80", "--radius-m", "6000",
        "--sensitivity-dbm", "-160", "--seed", "7",
    ];
    let text = drive_test(scenario, run, &m, &flags);
    // Per-clutter truth: classes in runs of 40 consecutive rows (≈ 800 m of road), 0 / 4 / 9 dB
    // more loss (non-negative, so floored rows stay floored).
    let offsets = [0.0, 4.0, 9.0];
    let mut lines = text.lines();
    let mut with_clutter = format!("{},clutter\n", lines.next().unwrap());
    for (i, l) in lines.enumerate() {
        let class = (i / 40) % 3;
        let mut f: Vec<String> = l.split(',').map(String::from).collect();
        let v: f64 = f[2].parse().unwrap();
        f[2] = format!("{:.2}", (v - offsets[class]).max(-160.0));
        with_clutter.push_str(&format!("{},{class}\n", f.join(",")));
    }
    let mc = tmp.path().join("mc.csv");
    std::fs::write(&mc, with_clutter).unwrap();
    let out = tmp.path().join("cal");
    let o = calibrate(scenario, run, &mc, &out, &["--sensitivity-dbm", "-160"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&out);
    let n = r["after"]["n"].as_u64().unwrap();
    assert!(n > 5000, "{n} rows");
    let (k1, k2) = (
        term(&r, "offset_db"),
        term(&r, "log_distance_db_per_decade"),
    );
    assert!((k1 - 6.0).abs() < 0.5, "offset {k1} dB, truth 6");
    assert!((k2 - 4.0).abs() < 0.5, "slope {k2} dB/decade, truth 4");
    for (c, want) in [(1, 4.0), (2, 9.0)] {
        let got = term(&r, &format!("clutter_{c}_offset_db"));
        assert!(
            (got - want).abs() < 1.0,
            "clutter {c}: {got} dB, truth {want}"
        );
    }
    // Residuals are the shadowing alone: held-out RMSE ≈ σ.
    let cv = r["cv_rmse_db"].as_f64().unwrap();
    let eff = f64::hypot(sigma, noise);
    assert!((cv - eff).abs() < 0.5, "cv rmse {cv} dB, σ {eff} dB");
    assert!(r["after"]["rmse_db"].as_f64().unwrap() < r["before"]["rmse_db"].as_f64().unwrap());
    // The snippet names the fitted terms; the clutter offsets are listed as comments.
    let snippet = std::fs::read_to_string(out.join("model-snippet.toml")).unwrap();
    assert!(
        snippet.contains("[coverage.model.calibration]") && snippet.contains("clutter_2_offset_db")
    );
}

#[test]
fn a_different_truth_model_is_improved_on_and_the_snippet_reproduces_the_fit() {
    let (scenario, run) = study();
    let tmp = tempfile::tempdir().unwrap();
    let m = tmp.path().join("m.csv");
    let flags = ["--sites", "5", "--radius-m", "3000", "--seed", "3"];
    let text = drive_test(scenario, run, &m, &flags);
    // Deterministic for a seed; another seed draws other shadowing.
    assert_eq!(
        drive_test(scenario, run, &tmp.path().join("m2.csv"), &flags),
        text
    );
    let other = drive_test(
        scenario,
        run,
        &tmp.path().join("m3.csv"),
        &["--sites", "5", "--radius-m", "3000", "--seed", "4"],
    );
    assert_ne!(other, text);
    assert!(text.starts_with("lon,lat,rsrp_dbm,site_id,pci,earfcn,time\n"));

    let out = tmp.path().join("cal");
    let o = calibrate(scenario, run, &m, &out, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = report(&out);
    let (before, after) = (
        r["before"]["rmse_db"].as_f64().unwrap(),
        r["after"]["rmse_db"].as_f64().unwrap(),
    );
    assert!(after < before, "rmse after {after} dB, before {before} dB");
    for k in ["mean_db", "std_db", "rmse_db", "n"] {
        assert!(
            r["before"][k].is_number() && r["after"][k].is_number(),
            "{k}"
        );
    }
    assert!(r["cv_rmse_db"].as_f64().unwrap() > 0.0);
    for f in ["measured_vs_predicted.svg", "error_vs_distance.svg"] {
        let svg = std::fs::read_to_string(out.join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{f}"
        );
    }
    // The scenario with the snippet pasted predicts what the fit predicted: its "before" is the
    // first run's "after", and nothing is left to correct.
    let snippet = std::fs::read_to_string(out.join("model-snippet.toml")).unwrap();
    let pasted = tmp.path().join("pasted.toml");
    std::fs::write(
        &pasted,
        format!("{}\n{snippet}", std::fs::read_to_string(scenario).unwrap()),
    )
    .unwrap();
    let out2 = tmp.path().join("cal2");
    let o = calibrate(&pasted, run, &m, &out2, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r2 = report(&out2);
    for k in ["mean_db", "rmse_db"] {
        let (a, b) = (
            r["after"][k].as_f64().unwrap(),
            r2["before"][k].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1e-6, "{k}: fitted {a}, pasted {b}");
    }
    assert!(term(&r2, "offset_db").abs() < 1e-3, "{}", r2["terms"]);
}

/// Every malformed file is refused with its name, row and column, without a panic or output.
#[test]
fn malformed_measurement_files_name_file_row_and_column() {
    let (scenario, run) = study();
    let tmp = tempfile::tempdir().unwrap();
    let good = drive_test(
        scenario,
        run,
        &tmp.path().join("m.csv"),
        &["--sites", "2", "--radius-m", "2000"],
    );
    let rows: Vec<&str> = good.lines().collect();
    let edit = |row: usize, col: usize, v: &str| -> String {
        let mut out: Vec<String> = rows.iter().map(|s| s.to_string()).collect();
        let mut f: Vec<String> = out[row].split(',').map(String::from).collect();
        f[col] = v.into();
        out[row] = f.join(",");
        out.join("\n") + "\n"
    };
    let (lon, lat): (f64, f64) = {
        let f: Vec<&str> = rows[1].split(',').collect();
        (f[0].parse().unwrap(), f[1].parse().unwrap())
    };
    let cases: Vec<(&str, String, usize, &str)> = vec![
        ("bad number", edit(3, 2, "-9x.5"), 4, "rsrp_dbm"),
        ("NaN", edit(2, 2, "NaN"), 3, "rsrp_dbm"),
        (
            "missing column",
            rows.iter()
                .map(|l| {
                    l.split(',')
                        .filter(|_| true)
                        .enumerate()
                        .filter(|(i, _)| *i != 2)
                        .map(|(_, v)| v)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n",
            1,
            "rsrp_dbm",
        ),
        ("unknown site", edit(5, 3, "99999"), 6, "site_id"),
        (
            "outside the study",
            edit(2, 0, &format!("{}", lon + 1.0)),
            3,
            "lon",
        ),
        (
            "outside the study (lat)",
            edit(4, 1, &format!("{}", lat - 1.0)),
            5,
            "lat",
        ),
    ];
    for (what, text, row, col) in cases {
        let m = tmp.path().join(format!("{}.csv", what.replace(' ', "_")));
        std::fs::write(&m, text).unwrap();
        let out = tmp.path().join(format!("out_{}", what.replace(' ', "_")));
        let o = calibrate(scenario, run, &m, &out, &[]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && o.status.code() != Some(101),
            "{what}: {:?} {e}",
            o.status
        );
        assert!(
            e.contains(m.file_name().unwrap().to_str().unwrap()),
            "{what}: {e}"
        );
        assert!(
            e.contains(&format!("row {row}:")) && e.contains(&format!("'{col}'")),
            "{what}: {e}"
        );
        assert!(!out.join("calibration.json").exists(), "{what}");
    }
}

/// pci + earfcn are matched to the sites CSV's columns; an ambiguous or unknown pair is an error
/// naming the row.
#[test]
fn pci_and_earfcn_match_the_sites_csv_or_are_refused() {
    let (scenario, run) = study();
    let tmp = tempfile::tempdir().unwrap();
    // A copy of the run folder whose sites.csv gives every sector a pci and earfcn: sector k of
    // site i gets pci 3·i + k, except that sites 1 and 2 share pci 0 on their first sectors.
    let run2 = tmp.path().join("run");
    std::fs::create_dir_all(run2.join("inputs")).unwrap();
    for e in std::fs::read_dir(run.join("inputs")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), run2.join("inputs").join(e.file_name())).unwrap();
    }
    let sites = std::fs::read_to_string(run.join("inputs/sites.csv")).unwrap();
    let mut out = String::new();
    let mut seen: Vec<String> = Vec::new();
    let mut per_site: Vec<usize> = Vec::new();
    for (i, l) in sites.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("{l},pci,earfcn\n"));
            continue;
        }
        let id = l.split(',').next().unwrap().to_string();
        let s = seen.iter().position(|x| *x == id).unwrap_or_else(|| {
            seen.push(id.clone());
            per_site.push(0);
            seen.len() - 1
        });
        let k = per_site[s];
        per_site[s] += 1;
        let pci = if s <= 1 && k == 0 { 0 } else { 3 * s + k };
        out.push_str(&format!("{l},{pci},1300\n"));
    }
    std::fs::write(run2.join("inputs/sites.csv"), out).unwrap();
    let m = tmp.path().join("m.csv");
    let text = drive_test(scenario, &run2, &m, &["--sites", "3", "--radius-m", "3000"]);
    // The drive test wrote each row's pci and earfcn from the sites CSV; without site_id they
    // identify the cell, and calibration runs.
    let no_id: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{},{},{}", f[0], f[1], f[2], f[4], f[5], f[6])
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.lines().nth(1).unwrap().split(',').nth(5) == Some("1300"),
        "{}",
        text.lines().nth(1).unwrap()
    );
    let unique: String = no_id
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.split(',').nth(3) != Some("0"))
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let mu = tmp.path().join("by_pci.csv");
    std::fs::write(&mu, &unique).unwrap();
    let o = calibrate(scenario, &run2, &mu, &tmp.path().join("ok"), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for (what, pci, want) in [
        ("ambiguous", "0", "ambiguous"),
        ("unknown", "504", "0–503"),
        ("unmatched", "499", "matches no cell"),
    ] {
        let mut lines: Vec<String> = unique.lines().map(String::from).collect();
        let mut f: Vec<String> = lines[2].split(',').map(String::from).collect();
        f[3] = pci.into();
        lines[2] = f.join(",");
        let bad = tmp.path().join(format!("{what}.csv"));
        std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
        let out = tmp.path().join(what);
        let o = calibrate(scenario, &run2, &bad, &out, &[]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.code() == Some(1), "{what}: {e}");
        assert!(
            e.contains(&format!("{what}.csv: row 3: column 'pci'")) && e.contains(want),
            "{what}: {e}"
        );
        assert!(!out.join("calibration.json").exists());
    }
}
