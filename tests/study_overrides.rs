//! `--threshold-dbm`, `--operator` and `--budget` on `run` and the stages (issue 12), through the
//! `phusong` binary on a small synthesised study: each override reaches the outputs, coverage is
//! monotone in them (one operator never covers more than all sharing, a stricter threshold never
//! covers more), and bad values are refused naming the flag and its unit.

use gdal::vector::LayerAccess;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// The 15 × 15 km window at 250 m of tests/issue_cases.rs (60 synthetic sites of 3 operators).
fn scenario(dir: &Path) -> PathBuf {
    let d = data();
    let text = format!(
        "name = \"overrides\"\nresolution_m = 250.0\nseed = 7\n\
         clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]\n\
         [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\nsites = 60\nhamlets = 80\n\
         unpowered_hamlets = 3\nunderserved_hamlets = 5\npopulation = 60000\ncommunes = 4\n\
         [plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n",
        d.join("dem/p1511_topo_5arcmin.asc").display(),
        d.join("coast/landmask_3s.tif").display(),
        d.join("places/geonames_places.tsv").display(),
    );
    let path = dir.join("scenario.toml");
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

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Hamlets and land covered before the plan, %.
fn before(run: &Path) -> (f64, f64) {
    let s = json(&run.join("summary.json"));
    (
        s["before"]["hamlets_covered_pct"].as_f64().unwrap(),
        s["before"]["land_area_covered_pct"].as_f64().unwrap(),
    )
}

/// (site id, operator) of every row of the run folder's inputs/sites.csv, distinct.
fn site_operators(run: &Path) -> BTreeSet<(u32, String)> {
    let text = std::fs::read_to_string(run.join("inputs/sites.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (id, op) = (col("site_id"), col("operator"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[id].parse().unwrap(), f[op].to_string())
        })
        .collect()
}

#[test]
fn operator_threshold_and_budget_reach_the_outputs_and_coverage_is_monotone() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path());
    let sc = sc.to_str().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let mut args = vec!["run", sc, "--out", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        ok(&phusong(&args));
        dir
    };
    let all = run("all", &[]);
    let sites = site_operators(&all);
    let operators: BTreeSet<&str> = sites.iter().map(|(_, o)| o.as_str()).collect();
    assert!(operators.len() >= 2, "{operators:?}");
    let (all_hamlets, all_land) = before(&all);
    for op in &operators {
        // Lower case: the match ignores case.
        let lower = op.to_lowercase();
        let alone = run(&format!("alone-{lower}"), &["--operator", &lower]);
        let s = json(&alone.join("summary.json"));
        let want = sites.iter().filter(|(_, o)| o == op).count() as u64;
        assert_eq!(s["sites_existing"].as_u64(), Some(want), "{op}");
        let (h, l) = before(&alone);
        assert!(
            h <= all_hamlets && l <= all_land,
            "{op}: {h} {l} > {all_hamlets} {all_land}"
        );
        // The GeoPackage's existing-site layer holds only that operator's sites.
        let ds = gdal::Dataset::open(alone.join("phusong.gpkg")).unwrap();
        let n = ds
            .layer_by_name("sites_existing")
            .unwrap()
            .features()
            .count() as u64;
        assert_eq!(n, want, "{op}: sites_existing layer");
    }
    // A stricter threshold never covers more, and the plan keeps to the budget given.
    let strict = run("strict", &["--threshold-dbm", "-100", "--budget", "2"]);
    let (h, l) = before(&strict);
    assert!(h <= all_hamlets && l <= all_land);
    assert!(l < all_land, "−100 dBm covers as much land as −110 dBm");
    let s = json(&strict.join("summary.json"));
    assert_eq!(s["threshold_rsrp_dbm"].as_f64(), Some(-100.0));
    let plan = json(&strict.join("plan.json"));
    assert_eq!(plan["budget"].as_u64(), Some(2));
    assert!(plan["towers"].as_u64().unwrap() <= 2);
    assert_eq!(json(&all.join("plan.json"))["budget"].as_u64(), Some(5));
}

#[test]
fn unknown_operators_and_bad_values_are_refused_with_names_and_units() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path());
    let sc = sc.to_str().unwrap();
    let out = tmp.path().join("run");
    let out = out.to_str().unwrap();
    ok(&phusong(&["synth", sc, "--out", out]));
    let operators: BTreeSet<String> = site_operators(Path::new(out))
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    let r = phusong(&["coverage", sc, "--out", out, "--operator", "Nobody"]);
    assert!(!r.status.success());
    let e = String::from_utf8_lossy(&r.stderr);
    assert!(e.contains("Nobody"), "{e}");
    for o in &operators {
        assert!(e.contains(o.as_str()), "{e} does not name {o}");
    }
    for (args, want) in [
        (vec!["--threshold-dbm", "nan"], ["--threshold-dbm", "dBm"]),
        (vec!["--threshold-dbm", "-20"], ["--threshold-dbm", "dBm"]),
        (vec!["--threshold-dbm", "inf"], ["--threshold-dbm", "dBm"]),
        (vec!["--budget", "100001"], ["--budget", "towers"]),
        (vec!["--operator", " "], ["operator", "name"]),
    ] {
        let mut a = vec!["plan", sc, "--out", out];
        a.extend_from_slice(&args);
        let r = phusong(&a);
        assert!(!r.status.success(), "{args:?} accepted");
        let e = String::from_utf8_lossy(&r.stderr);
        for w in want {
            assert!(e.contains(w), "{args:?}: {e} lacks {w}");
        }
    }
    // Every override carries its unit in --help, on demo, run and plan.
    for cmd in ["demo", "run", "plan"] {
        let h = Command::new(env!("CARGO_BIN_EXE_phusong"))
            .args([cmd, "--help"])
            .output()
            .unwrap();
        let h = String::from_utf8_lossy(&h.stdout);
        for (flag, unit) in [
            ("--threshold-dbm", "dBm"),
            ("--budget", "towers"),
            ("--operator", "operator"),
            ("--budget-money", "currency"),
        ] {
            let line = h.lines().find(|l| l.contains(flag)).unwrap_or("");
            assert!(line.contains(unit), "{cmd} --help: {flag}: {line:?}");
        }
    }
}

/// Column `name` of a CSV file, by row.
fn csv_column(path: &Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(i).unwrap().to_string())
        .collect()
}

#[test]
fn every_proposed_tower_is_costed_by_its_parts_and_costs_leave_the_plan_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path());
    // A shorter reach of the grid than the default 2 km, so that some towers are solar.
    let base = std::fs::read_to_string(&sc).unwrap().replace(
        "grid_spacing_m = 4000.0\n",
        "grid_spacing_m = 4000.0\ngrid_power_reach_m = 800.0\n",
    );
    // Unusual unit costs, so each part is told apart.
    let costed = tmp.path().join("costed.toml");
    std::fs::write(
        &costed,
        format!(
            "{base}[plan.costs]\ncurrency = \"VND\"\ntower = 1000000.0\ntower_per_m_above_30m = \
             7000.0\ngrid_connection_per_km = 300000.0\nsolar_kit = 555000.0\n\
             yearly_operating = 20000.0\n"
        ),
    )
    .unwrap();
    let plain = tmp.path().join("plain");
    let with = tmp.path().join("with");
    for (s, out) in [(&sc, &plain), (&costed, &with)] {
        ok(&phusong(&[
            "run",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]));
    }
    // Costs only describe the plan: the same towers in the same order either way.
    let towers = |dir: &Path| -> Vec<serde_json::Value> {
        json(&dir.join("plan.json"))["proposed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| serde_json::json!([t["site_id"], t["x_m"], t["y_m"], t["height_m"]]))
            .collect()
    };
    assert_eq!(towers(&plain), towers(&with));
    let plan = json(&with.join("plan.json"));
    let proposed = plan["proposed"].as_array().unwrap();
    assert!(!proposed.is_empty());
    let reach_m = 800.0;
    let mut sum = 0.0;
    let solar = proposed
        .iter()
        .filter(|t| t["grid_powered"] == false)
        .count();
    assert!(
        0 < solar && solar < proposed.len(),
        "{solar} of {}",
        proposed.len()
    );
    for (k, t) in proposed.iter().enumerate() {
        let c = &t["cost"];
        let f = |v: &serde_json::Value| v.as_f64().unwrap();
        let h = f(&t["height_m"]);
        assert_eq!(f(&c["tower"]), 1e6 + 7000.0 * (h - 30.0).max(0.0));
        assert_eq!(f(&c["backhaul"]), 0.0);
        if t["grid_powered"].as_bool().unwrap() {
            let d = f(&t["grid_distance_m"]);
            assert!((0.0..=reach_m).contains(&d), "{d}");
            // The distance is written to 0.1 m, the cost rounded to whole units.
            assert!(
                (f(&c["power"]) - 300.0 * d).abs() <= 0.5 + 300.0 * 0.05,
                "{t}"
            );
        } else {
            assert!(t["grid_distance_m"].is_null());
            assert_eq!(f(&c["power"]), 555000.0);
        }
        assert_eq!(
            f(&c["total"]),
            f(&c["tower"]) + f(&c["power"]) + f(&c["backhaul"])
        );
        assert_eq!(f(&c["yearly_operating"]), 20000.0);
        sum += f(&c["total"]);
        // The cumulative curve, aligned with the coverage curve.
        assert_eq!(plan["cost"]["cumulative"][k + 1].as_f64(), Some(sum));
    }
    let cost = &plan["cost"];
    assert_eq!(cost["currency"], "VND");
    assert_eq!(cost["total"].as_f64(), Some(sum));
    assert_eq!(cost["cumulative"][0].as_f64(), Some(0.0));
    assert_eq!(
        cost["cumulative"].as_array().unwrap().len(),
        plan["curve"].as_array().unwrap().len()
    );
    // proposed_sites.csv (three sector rows per tower) and the GeoPackage carry the same costs.
    let csv = with.join("proposed_sites.csv");
    let ids = csv_column(&csv, "site_id");
    let totals = csv_column(&csv, "cost_total");
    assert!(csv_column(&csv, "currency").iter().all(|c| c == "VND"));
    let ds = gdal::Dataset::open(with.join("phusong.gpkg")).unwrap();
    let mut layer = ds.layer_by_name("sites_proposed").unwrap();
    let mut in_gpkg = 0;
    for feature in layer.features() {
        let value = |n: &str| {
            feature
                .field(feature.field_index(n).unwrap())
                .unwrap()
                .unwrap()
        };
        let id = value("site_id").into_int64().unwrap();
        let total = value("cost_total").into_real().unwrap();
        let t = proposed
            .iter()
            .find(|t| t["site_id"].as_i64() == Some(id))
            .unwrap();
        assert_eq!(t["cost"]["total"].as_f64(), Some(total));
        for (i, csv_id) in ids.iter().enumerate() {
            if csv_id.parse::<i64>().unwrap() == id {
                assert_eq!(totals[i].parse::<f64>().unwrap(), total);
            }
        }
        in_gpkg += 1;
    }
    assert_eq!(in_gpkg, proposed.len());
}

#[test]
fn a_money_budget_is_kept_and_least_cost_targets_never_cost_more_than_fewest_tower_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let sc = scenario(tmp.path());
    let base = std::fs::read_to_string(&sc).unwrap();
    let cost_sc = tmp.path().join("least-cost.toml");
    std::fs::write(
        &cost_sc,
        base.replace(
            "grid_spacing_m = 4000.0\n",
            "grid_spacing_m = 4000.0\nobjective = \"cost\"\n",
        ),
    )
    .unwrap();
    let run = |s: &Path, name: &str, extra: &[&str]| {
        let dir = tmp.path().join(name);
        let mut args = vec!["run", s.to_str().unwrap(), "--out", dir.to_str().unwrap()];
        args.extend_from_slice(extra);
        ok(&phusong(&args));
        json(&dir.join("plan.json"))
    };
    let towers = run(&sc, "towers", &[]);
    let least = run(&cost_sc, "cost", &[]);
    let mut compared = 0;
    for (measure, per) in towers["targets"].as_object().unwrap() {
        for (pct, t) in per.as_object().unwrap() {
            let c = &least["targets"][measure][pct];
            let proven = |r: &serde_json::Value| r["solve"]["proven_optimal"] == true;
            if t["towers"].is_null() || !proven(t) || !proven(c) {
                continue;
            }
            // Both reach the same target; the cheapest plan costs no more and needs no fewer
            // towers than the plan with the fewest towers.
            let (tc, cc) = (t["cost"].as_f64().unwrap(), c["cost"].as_f64().unwrap());
            assert!(cc <= tc, "{measure} {pct}: {cc} > {tc}");
            assert!(
                c["towers"].as_u64() >= t["towers"].as_u64(),
                "{measure} {pct}"
            );
            assert_eq!(c["needed"], t["needed"]);
            compared += 1;
        }
    }
    assert!(compared >= 3, "{compared}");
    // A money budget of 40 % of the tower-budget plan's cost: kept, and it covers less.
    let full_cost = towers["cost"]["total"].as_f64().unwrap();
    let money = (0.4 * full_cost).round();
    let m = run(&sc, "money", &["--budget-money", &money.to_string()]);
    assert_eq!(m["budget_plan"]["budget_money"].as_f64(), Some(money));
    let spent = m["cost"]["total"].as_f64().unwrap();
    assert!(spent <= money, "{spent} > {money}");
    let covered = |p: &serde_json::Value| p["budget_plan"]["objective_covered"].as_f64().unwrap();
    assert!(covered(&m) < covered(&towers));
    // Bad money budgets name the flag and the currency.
    for bad in ["-5", "nan", "1e16"] {
        let r = phusong(&["plan", sc.to_str().unwrap(), "--budget-money", bad]);
        let e = String::from_utf8_lossy(&r.stderr);
        assert!(
            !r.status.success() && e.contains("--budget-money") && e.contains("USD"),
            "{e}"
        );
    }
}
