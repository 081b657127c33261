//! Mutation run of the command line: a small study's scenario values, site CSV and input files are
//! mutated (numbers to 0, negative, NaN, 1e308, huge; keys deleted or repeated; rows and columns
//! dropped, repeated or garbled; files truncated or zeroed), seeded and deterministic. Every case
//! must end within 30 s with exit status 0, 1 or 2 (never a panic's 101), and after a failure the
//! run folder's stages still verify or ask for a re-run.

use phusong_gis::run_folder::{verify, verify_fresh};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CASES: usize = 320;
/// Cases that run the whole study (`phusong run`) rather than one stage.
const WHOLE_RUNS: usize = 4;
const TIMEOUT: Duration = Duration::from_secs(30);
const STAGES: [&str; 5] = ["synth", "coverage", "gaps", "plan", "export"];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// xorshift64*: the run is the same at every invocation.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The small study of tests/run_folder.rs, with every tunable key spelled out so it can be mutated.
fn base_scenario(name: &str, sites_csv: Option<&Path>) -> String {
    let d = data();
    let inputs = sites_csv
        .map(|p| format!("[inputs]\nsites_csv = \"{}\"\n", p.display()))
        .unwrap_or_default();
    format!(
        "name = \"{name}\"\nresolution_m = 250.0\nseed = 7\ncrs_epsg = 32648\n\
         clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]\n\
         {inputs}\
         [synth]\np1511 = \"{}\"\nlandmask = \"{}\"\nplaces = \"{}\"\nsites = 60\nhamlets = 80\n\
         unpowered_hamlets = 3\nunderserved_hamlets = 5\npopulation = 60000\ncommunes = 4\n\
         remote_share = 0.2\nmountain_hamlet_share = 0.5\n\
         [coverage]\nrx_height_m = 1.5\nthreshold_rsrp_dbm = -110.0\nindoor_margin_db = 0.0\n\
         range_margin_db = 10.0\nmax_radius_m = 30000.0\nload = 0.5\nnoise_figure_db = 7.0\n\
         [plan]\nbudget = 5\ngrid_spacing_m = 4000.0\ntower_height_m = 40.0\nfreq_mhz = 1800.0\n\
         bandwidth_mhz = 10.0\neirp_dbm = 61.0\ntargets_pct = [80.0, 90.0]\n",
        d.join("dem/p1511_topo_5arcmin.asc").display(),
        d.join("coast/landmask_3s.tif").display(),
        d.join("places/geonames_places.tsv").display(),
    )
}

const VALUES: [&str; 14] = [
    "0",
    "0.0",
    "-1.0",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e30",
    "18446744073709551616",
    "4294967296",
    "\"x\"",
    "[]",
    "true",
];

/// One scenario mutation: a value replaced, a key line deleted or repeated, a section repeated.
fn mutate_scenario(text: &str, rng: &mut Rng) -> (String, String) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let keyed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = ") && !lines[i].starts_with("name"))
        .collect();
    let i = *rng.pick(&keyed);
    let what = match rng.below(10) {
        0 => {
            let l = lines.remove(i);
            format!("deleted {l}")
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l.clone());
            format!("repeated {l}")
        }
        _ => {
            let key = lines[i].split(" = ").next().unwrap_or("").to_string();
            let v = rng.pick(&VALUES).to_string();
            lines[i] = format!("{key} = {v}");
            format!("{key} = {v}")
        }
    };
    (lines.join("\n") + "\n", what)
}

/// One site-CSV mutation: a field, row or column garbled, dropped or repeated.
fn mutate_csv(text: &str, rng: &mut Rng) -> (String, String) {
    let mut rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let r = 1 + rng.below(rows.len() - 1);
    let c = rng.below(rows[0].len());
    let what = match rng.below(6) {
        0 => {
            rows.remove(r);
            format!("row {r} deleted")
        }
        1 => {
            let row = rows[r].clone();
            rows.insert(r, row);
            format!("row {r} repeated")
        }
        2 => {
            for row in rows.iter_mut() {
                if c < row.len() {
                    row.remove(c);
                }
            }
            format!("column {c} deleted")
        }
        3 => {
            for row in rows.iter_mut() {
                if c < row.len() {
                    let v = row[c].clone();
                    row.insert(c, v);
                }
            }
            format!("column {c} repeated")
        }
        4 => {
            rows[r].truncate(c);
            format!("row {r} cut at column {c}")
        }
        _ => {
            let v = rng.pick(&VALUES).replace('"', "");
            if c < rows[r].len() {
                rows[r][c] = v.clone();
            }
            format!("row {r} column {c} = {v}")
        }
    };
    let text = rows
        .iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\n");
    (text + "\n", what)
}

/// Runs phusong with a 30 s limit; `None` on a hang (the child is killed).
fn run_limited(args: &[&str]) -> Option<(Option<i32>, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_phusong"))
        .args(args)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let t = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((status.code(), reader.join().unwrap()));
        }
        if t.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// After a case, every stage either verifies or names what to re-run.
fn folder_verifies_or_asks_for_rerun(run: &Path, case: &str) {
    for stage in STAGES {
        for r in [verify(run, stage), verify_fresh(run, stage)] {
            if let Err(e) = r {
                let m = e.to_string();
                assert!(
                    m.contains("run `phusong") || m.contains("re-run"),
                    "{case}: {stage}: {m}"
                );
            }
        }
    }
}

#[test]
#[ignore = "about a minute: mutation run of the CLI; `make test` runs it (cargo test --test mutation -- --ignored)"]
fn mutated_inputs_never_panic_hang_or_leave_an_accepted_mix() {
    let t0 = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("m");
    let o = run.to_str().unwrap().to_string();
    // The base study, and its sites as a CSV the cases mutate.
    let base_toml = tmp.path().join("base.toml");
    std::fs::write(&base_toml, base_scenario("m", None)).unwrap();
    let (code, err) = run_limited(&["run", base_toml.to_str().unwrap(), "--out", &o]).unwrap();
    assert_eq!(code, Some(0), "{err}");
    let sites_text = std::fs::read_to_string(run.join("inputs/sites.csv")).unwrap();
    let sites_csv = tmp.path().join("sites.csv");
    let with_csv = base_scenario("m", Some(&sites_csv));
    let inputs: Vec<PathBuf> = [
        "hamlets.gpkg",
        "communes.gpkg",
        "dem_m.tif",
        "study_mask.tif",
        "commune_id.tif",
        "study.json",
        "sites.csv",
    ]
    .iter()
    .map(|f| run.join("inputs").join(f))
    .collect();
    let saved: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();

    let mut rng = Rng(0x005e_ed0f_90a7_u64);
    let (mut ok, mut refused, mut slowest) = (0, 0, Duration::ZERO);
    for case in 0..CASES {
        let kind = rng.below(4);
        let sc = tmp.path().join("case.toml");
        let mut restore = None;
        let (stage, what) = match kind {
            // Scenario values, against the stage that reads them.
            0 | 1 => {
                let (text, what) = mutate_scenario(&base_scenario("m", None), &mut rng);
                std::fs::write(&sc, text).unwrap();
                let stage = if what.contains("threshold")
                    || what.contains("margin")
                    || what.contains("load")
                    || what.contains("rx_height")
                    || what.contains("noise")
                    || what.contains("radius")
                {
                    "gaps"
                } else if what.contains("budget")
                    || what.contains("grid_spacing")
                    || what.contains("tower")
                    || what.contains("freq")
                    || what.contains("bandwidth")
                    || what.contains("eirp")
                    || what.contains("targets")
                {
                    "plan"
                } else {
                    "export"
                };
                (stage, what)
            }
            // The site CSV, read by synth.
            2 => {
                let (text, what) = mutate_csv(&sites_text, &mut rng);
                std::fs::write(&sites_csv, text).unwrap();
                std::fs::write(&sc, &with_csv).unwrap();
                ("synth", what)
            }
            // An input file of the run folder truncated or zeroed, read by a later stage.
            _ => {
                let k = rng.below(inputs.len());
                let mut bytes = saved[k].clone();
                let at = rng.below(bytes.len());
                let what = if rng.below(2) == 0 {
                    bytes.truncate(at);
                    format!("{} truncated at {at}", inputs[k].display())
                } else {
                    let end = (at + 1 + rng.below(4096)).min(bytes.len());
                    bytes[at..end].iter_mut().for_each(|b| *b = 0);
                    format!("{} zeroed {at}..{end}", inputs[k].display())
                };
                std::fs::write(&inputs[k], bytes).unwrap();
                restore = Some(k);
                std::fs::write(&sc, base_scenario("m", None)).unwrap();
                (*rng.pick(&["coverage", "gaps", "plan"]), what)
            }
        };
        let stage = if case < WHOLE_RUNS { "run" } else { stage };
        let label = format!("case {case} ({stage}): {what}");
        let t = Instant::now();
        let Some((code, err)) = run_limited(&[stage, sc.to_str().unwrap(), "--out", &o]) else {
            panic!("{label}: no answer within {TIMEOUT:?}");
        };
        slowest = slowest.max(t.elapsed());
        if std::env::var_os("MUTATION_LOG").is_some() {
            eprintln!("{label} -> {code:?} {}", err.lines().next().unwrap_or(""));
        }
        assert!(!err.contains("panicked"), "{label}: {err}");
        match code {
            Some(0) => ok += 1,
            Some(1 | 2) => {
                refused += 1;
                assert!(!err.trim().is_empty(), "{label}: failed without a message");
                folder_verifies_or_asks_for_rerun(&run, &label);
            }
            other => panic!("{label}: exit status {other:?}: {err}"),
        }
        if let Some(k) = restore {
            std::fs::write(&inputs[k], &saved[k]).unwrap();
        }
    }
    // The untouched study still runs through.
    let (code, err) = run_limited(&["run", base_toml.to_str().unwrap(), "--out", &o]).unwrap();
    assert_eq!(code, Some(0), "{err}");
    for stage in STAGES {
        verify_fresh(&run, stage).unwrap();
    }
    eprintln!(
        "mutation run: {CASES} cases ({ok} ran, {refused} refused) in {:.1} s, slowest {:.1} s",
        t0.elapsed().as_secs_f64(),
        slowest.as_secs_f64()
    );
    assert_eq!(ok + refused, CASES);
    assert!(ok > 0 && refused > 0);
}
