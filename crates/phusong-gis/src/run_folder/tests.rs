//! Unit tests needing crate internals (simulated crash points, lock internals).

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::run_folder::test_util::TempDir;
use crate::run_folder::*;

const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

fn lock(dir: &Path) -> RunLock {
    RunLock::acquire(dir, LockMode::Fail).unwrap()
}

/// Content of output `name` in generation `generation`: the generation is recoverable from
/// the bytes, independently of any manifest.
fn content(generation: u64, name: &str) -> Vec<u8> {
    let mut v = format!("gen={generation} file={name}\n").into_bytes();
    v.extend((0..(100 + generation * 7) as usize).map(|i| (i as u64 * 31 + generation) as u8));
    v
}

fn generation_of(path: &Path) -> u64 {
    let bytes = fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let first = text.lines().next().unwrap();
    first
        .strip_prefix("gen=")
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn commit_gen(dir: &Path, l: &RunLock, stage: &str, generation: u64, names: &[&str]) -> Manifest {
    let mut tx = StageTx::begin(dir, stage, l).unwrap();
    for n in names {
        tx.write(n, &content(generation, n)).unwrap();
    }
    tx.commit("0.1.0-test", json!({ "g": generation })).unwrap()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn commit_records_hashes_and_verify_passes() {
    let root = TempDir::new("roundtrip");
    let run = root.path().join("run");
    let outside = root.path().join("hamlets.gpkg");
    fs::write(&outside, b"abc").unwrap();
    let l = lock(&run);
    fs::write(run.join("scenario.yaml"), b"abc").unwrap();
    let mut tx = StageTx::begin(&run, "coverage", &l).unwrap();
    assert_eq!(tx.read(&outside).unwrap(), outside);
    assert_eq!(tx.read_bytes(Path::new("scenario.yaml")).unwrap(), b"abc");
    tx.write("rsrp_dbm.tif", b"abc").unwrap();
    tx.write("tiles/t0.tif", b"").unwrap();
    // An undeclared sidecar written next to a declared output (as GDAL does) is committed.
    let p = tx.output_path("sinr_db.tif").unwrap();
    fs::write(&p, b"sinr").unwrap();
    fs::write(p.with_file_name("sinr_db.tif.aux.xml"), b"<x/>").unwrap();
    let m = tx
        .commit("0.3.0", json!({"model": "itm", "freq_mhz": 1800.0}))
        .unwrap();

    assert_eq!(m.generation, 1);
    assert_eq!(m.phusong_version, "0.3.0");
    assert_eq!(m.params["freq_mhz"], 1800.0);
    let paths: Vec<&str> = m.outputs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "rsrp_dbm.tif",
            "sinr_db.tif",
            "sinr_db.tif.aux.xml",
            "tiles/t0.tif"
        ]
    );
    assert_eq!(m.output("rsrp_dbm.tif").unwrap().sha256, ABC_SHA256);
    assert_eq!(m.output("rsrp_dbm.tif").unwrap().size_bytes, 3);
    assert_eq!(
        m.output("tiles/t0.tif").unwrap().sha256,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let inputs: Vec<(&str, &str)> = m
        .inputs
        .iter()
        .map(|r| (r.path.as_str(), r.sha256.as_str()))
        .collect();
    let outside_key = outside.to_str().unwrap();
    let mut expected = vec![(outside_key, ABC_SHA256), ("scenario.yaml", ABC_SHA256)];
    expected.sort();
    assert_eq!(inputs, expected);

    // Files are in place, manifest is where documented, nothing else is left.
    assert_eq!(fs::read(run.join("rsrp_dbm.tif")).unwrap(), b"abc");
    assert_eq!(
        names_in(&run),
        [
            ".lock",
            ".manifests",
            "rsrp_dbm.tif",
            "scenario.yaml",
            "sinr_db.tif",
            "sinr_db.tif.aux.xml",
            "tiles"
        ]
    );
    assert_eq!(names_in(&run.join(".manifests")), ["coverage.json"]);
    let on_disk: Manifest =
        serde_json::from_slice(&fs::read(manifest_path(&run, "coverage")).unwrap()).unwrap();
    assert_eq!(on_disk, m);
    assert_eq!(verify(&run, "coverage").unwrap(), m);
    assert_eq!(check_inputs_unchanged(&run, "coverage").unwrap(), m);
}

#[test]
fn altered_output_is_named() {
    let root = TempDir::new("altered");
    let run = root.path();
    let l = lock(run);
    commit_gen(run, &l, "coverage", 1, &["rsrp_dbm.tif", "sinr_db.tif"]);
    let f = run.join("rsrp_dbm.tif");
    let original = fs::read(&f).unwrap();

    // Same size, one byte flipped.
    let mut edited = original.clone();
    edited[20] ^= 1;
    fs::write(&f, &edited).unwrap();
    let err = verify(run, "coverage").unwrap_err();
    assert!(
        matches!(&err, RunError::OutputChanged { file, found: Found::Hash { .. }, .. } if file == "rsrp_dbm.tif"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("coverage: rsrp_dbm.tif changed since the stage ran"),
        "{msg}"
    );
    assert!(msg.ends_with("re-run `phusong coverage`"), "{msg}");
    assert!(err.needs_rerun());

    // Different size: reported without hashing, with both sizes.
    fs::write(&f, b"short").unwrap();
    let err = verify(run, "coverage").unwrap_err();
    assert!(
        matches!(
            err,
            RunError::OutputChanged {
                found: Found::Size { size_bytes: 5, .. },
                ..
            }
        ),
        "{err:?}"
    );

    fs::remove_file(&f).unwrap();
    let err = verify(run, "coverage").unwrap_err();
    assert!(
        matches!(&err, RunError::OutputMissing { file, .. } if file == "rsrp_dbm.tif"),
        "{err:?}"
    );

    fs::write(&f, &original).unwrap();
    verify(run, "coverage").unwrap();

    assert!(matches!(
        verify(run, "gaps"),
        Err(RunError::ManifestMissing { .. })
    ));
    fs::write(manifest_path(run, "gaps"), b"{ not json").unwrap();
    assert!(matches!(
        verify(run, "gaps"),
        Err(RunError::ManifestInvalid { .. })
    ));
}

#[test]
fn manifest_with_escaping_output_path_is_refused() {
    let root = TempDir::new("escape");
    let run = root.path();
    let l = lock(run);
    let m = commit_gen(run, &l, "synth", 1, &["a.bin"]);
    let mut evil = m.clone();
    evil.outputs[0].path = "../../etc/passwd".into();
    fs::write(
        manifest_path(run, "synth"),
        serde_json::to_vec(&evil).unwrap(),
    )
    .unwrap();
    let err = verify(run, "synth").unwrap_err();
    assert!(
        matches!(err, RunError::ManifestInconsistent { .. }),
        "{err:?}"
    );
}

#[test]
fn edited_input_and_rerun_upstream_are_detected() {
    let root = TempDir::new("inputs");
    let run = root.path().join("run");
    let data = root.path().join("data");
    fs::create_dir_all(&data).unwrap();
    fs::write(data.join("dem.tif"), b"dem v1").unwrap();
    let l = lock(&run);

    let mut tx = StageTx::begin(&run, "synth", &l).unwrap();
    tx.read(&data.join("dem.tif")).unwrap();
    tx.write("terrain.tif", b"terrain").unwrap();
    tx.commit("v", json!(null)).unwrap();

    let mut tx = StageTx::begin(&run, "gaps", &l).unwrap();
    tx.upstream("synth").unwrap();
    tx.read(Path::new("terrain.tif")).unwrap();
    fs::write(run.join("hamlets.gpkg"), b"hamlets v1").unwrap();
    tx.read(Path::new("hamlets.gpkg")).unwrap();
    tx.write("gaps.csv", b"id,gap\n").unwrap();
    let gaps = tx.commit("v", json!(null)).unwrap();
    assert_eq!(gaps.upstream.len(), 1);
    assert_eq!(gaps.upstream[0].stage, "synth");
    verify_fresh(&run, "gaps").unwrap();

    // A user edits an input of gaps.
    fs::write(run.join("hamlets.gpkg"), b"hamlets v2").unwrap();
    verify(&run, "gaps").unwrap(); // the outputs themselves are intact
    let err = check_inputs_unchanged(&run, "gaps").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("hamlets.gpkg changed since gaps ran"),
        "{err}"
    );
    assert!(err.to_string().ends_with("re-run `phusong gaps`"), "{err}");
    fs::write(run.join("hamlets.gpkg"), b"hamlets v1").unwrap();
    fs::remove_file(run.join("hamlets.gpkg")).unwrap();
    assert!(matches!(
        check_inputs_unchanged(&run, "gaps"),
        Err(RunError::InputMissing { .. })
    ));
    fs::write(run.join("hamlets.gpkg"), b"hamlets v1").unwrap();
    check_inputs_unchanged(&run, "gaps").unwrap();

    // The DEM of synth is edited: verify_fresh(gaps) reports the root cause, synth.
    fs::write(data.join("dem.tif"), b"dem v2").unwrap();
    check_inputs_unchanged(&run, "gaps").unwrap(); // gaps alone cannot see it
    let err = verify_fresh(&run, "gaps").unwrap_err();
    assert!(
        matches!(&err, RunError::InputChanged { stage, .. } if stage == "synth"),
        "{err:?}"
    );
    fs::write(data.join("dem.tif"), b"dem v1").unwrap();

    // synth re-run with identical outputs: gaps is still told its upstream changed.
    let mut tx = StageTx::begin(&run, "synth", &l).unwrap();
    tx.read(&data.join("dem.tif")).unwrap();
    tx.write("terrain.tif", b"terrain").unwrap();
    tx.commit("v", json!(null)).unwrap();
    let err = check_inputs_unchanged(&run, "gaps").unwrap_err();
    assert_eq!(
        err.to_string(),
        "synth was re-run since gaps ran; re-run `phusong gaps`"
    );
}

#[test]
fn every_crash_point_gives_old_new_or_rerun() {
    // Generation 1 has files a_old..; generation 2 adds "a_extra" (sorted first, so it
    // is renamed first) and drops "z_dropped".
    let gen1 = ["b.tif", "c.tif", "d.tif", "e.csv", "z_dropped.bin"];
    let gen2 = ["a_extra.bin", "b.tif", "c.tif", "d.tif", "e.csv"];
    let steps = gen2.len() + 3; // pending written, each rename, obsolete removed, manifest renamed
    let mut outcomes = Vec::new();
    for crash_after in 0..steps {
        let root = TempDir::new("crash");
        let run = root.path();
        let l = lock(run);
        commit_gen(run, &l, "coverage", 1, &gen1);
        let mut tx = StageTx::begin(run, "coverage", &l).unwrap();
        for n in gen2 {
            tx.write(n, &content(2, n)).unwrap();
        }
        tx.crash_after = Some(crash_after);
        let err = tx.commit("v", json!(2)).unwrap_err();
        assert!(matches!(
            err,
            RunError::Io {
                action: "simulate crash in",
                ..
            }
        ));

        let outcome = match verify(run, "coverage") {
            Ok(m) => {
                // Independent check: every listed file's bytes carry the same generation.
                for rec in &m.outputs {
                    assert_eq!(
                        generation_of(&run.join(&rec.path)),
                        m.generation,
                        "mix accepted at step {crash_after}"
                    );
                }
                m.generation
            }
            Err(e) => {
                assert!(
                    matches!(e, RunError::CommitInterrupted { .. }),
                    "step {crash_after}: {e:?}"
                );
                0
            }
        };
        outcomes.push(outcome);

        // The crashed process's staging folder is kept while it is alive (it is us).
        let report = clean_stale_temps(run).unwrap();
        assert!(report.removed.is_empty());
        // A later writer recovers: promotes a complete pending generation, and a new
        // commit always repairs the folder.
        let tx = StageTx::begin(run, "coverage", &l).unwrap();
        drop(tx);
        let pending = run.join(".manifests/coverage.pending.json");
        if outcome == 2 {
            assert!(
                !pending.exists(),
                "complete pending generation must be promoted"
            );
            assert_eq!(verify(run, "coverage").unwrap().generation, 2);
            assert!(
                !run.join("z_dropped.bin").exists(),
                "recovery removes obsolete output"
            );
        }
        let m3 = commit_gen(run, &l, "coverage", 3, &gen2);
        assert_eq!(verify(run, "coverage").unwrap(), m3);
        assert!(!pending.exists());
        assert!(
            !run.join("z_dropped.bin").exists(),
            "obsolete output removed"
        );
    }
    // Step 0: nothing moved; step 1: only the extra file moved (old generation still
    // whole); steps 2..=4: mixes; step 5: all moved; step 6: obsolete removed; step 7:
    // committed.
    assert_eq!(outcomes, [1, 1, 0, 0, 0, 2, 2, 2]);
}

#[test]
fn second_writer_fails_or_waits() {
    let root = TempDir::new("lock");
    let run = root.path();
    let first = lock(run);
    let err = RunLock::acquire(run, LockMode::Fail).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "is being written by pid {} on host",
            std::process::id()
        )),
        "{msg}"
    );
    assert!(
        msg.starts_with(&format!("{} is being written", run.display())),
        "{msg}"
    );
    assert!(
        msg.ends_with(&format!("; wait or remove {}/.lock", run.display())),
        "{msg}"
    );

    let t0 = Instant::now();
    let err = RunLock::acquire(run, LockMode::Wait(Duration::from_millis(150))).unwrap_err();
    assert!(t0.elapsed() >= Duration::from_millis(150));
    assert!(matches!(err, RunError::LockTimeout { waited_ms, .. } if waited_ms >= 150));

    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
    });
    let t0 = Instant::now();
    let second = RunLock::acquire(run, LockMode::Wait(Duration::from_secs(10))).unwrap();
    assert!(t0.elapsed() >= Duration::from_millis(150));
    releaser.join().unwrap();
    second.check_held().unwrap();
    second.release().unwrap();
    assert!(!run.join(".lock").exists());
}

fn dead_pid() -> u32 {
    let mut c = std::process::Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

fn write_lock(run: &Path, pid: u32, host: &str, nonce: &str) {
    let info = LockInfo {
        pid,
        host: host.into(),
        started_unix_s: 1_709_164_800,
        nonce: nonce.into(),
    };
    fs::write(run.join(".lock"), serde_json::to_vec(&info).unwrap()).unwrap();
}

#[test]
fn stale_lock_is_taken_over_but_not_a_foreign_one() {
    let root = TempDir::new("stale");
    let run = root.path();
    write_lock(run, dead_pid(), crate::run_folder::sys::hostname(), "1-2-3");
    let l = RunLock::acquire(run, LockMode::Fail).unwrap();
    assert_eq!(lock_holder(run).unwrap().unwrap(), *l.info());
    assert_eq!(names_in(run), [".lock"], "stale lock and temps removed");
    drop(l);

    write_lock(run, dead_pid(), "some-other-host", "4-5-6");
    let err = RunLock::acquire(run, LockMode::Fail).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("on host some-other-host since 2024-02-29T00:00:00Z"),
        "{msg}"
    );

    fs::remove_file(run.join(".lock")).unwrap();
    // A taker killed after moving the stale lock aside leaves a temp of a dead pid.
    let dead = dead_pid();
    fs::write(run.join(format!("..lock.stale.tmp-{dead}-0")), b"{}").unwrap();
    let report = clean_stale_temps(run).unwrap();
    assert_eq!(
        report.removed,
        [run.join(format!("..lock.stale.tmp-{dead}-0"))]
    );

    fs::write(run.join(".lock"), b"").unwrap();
    assert!(matches!(
        RunLock::acquire(run, LockMode::Fail),
        Err(RunError::LockUnreadable { .. })
    ));
}

#[test]
fn concurrent_takeovers_of_a_stale_lock_admit_one_writer() {
    let root = TempDir::new("race");
    let run = root.path().to_path_buf();
    for round in 0..20 {
        write_lock(
            &run,
            dead_pid(),
            crate::run_folder::sys::hostname(),
            &format!("{round}-0"),
        );
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
        let tried = std::sync::Arc::new(std::sync::Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (run, barrier, tried) = (run.clone(), barrier.clone(), tried.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    let r = RunLock::acquire(&run, LockMode::Fail);
                    // The winner holds the lock until every taker has tried (a fixed hold time
                    // let a thread scheduled late on a loaded machine take the released lock).
                    tried.wait();
                    r.map(|l| l.check_held().is_ok())
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners = results.iter().filter(|r| matches!(r, Ok(true))).count();
        assert_eq!(winners, 1, "round {round}: {results:?}");
        for r in &results {
            // Ok(false): a holder whose fresh lock a racing taker moved aside; it learns
            // so before committing (documented; needs a three-way race).
            assert!(
                matches!(r, Ok(_) | Err(RunError::Locked { .. })),
                "round {round}: {r:?}"
            );
        }
        assert!(!run.join(".lock").exists());
        assert!(names_in(&run).is_empty(), "{:?}", names_in(&run));
    }
}

#[test]
fn lost_lock_blocks_commit_and_is_not_removed_on_drop() {
    let root = TempDir::new("lost");
    let run = root.path();
    let l = lock(run);
    let mut tx = StageTx::begin(run, "synth", &l).unwrap();
    tx.write("a.bin", b"a").unwrap();
    // Someone removes our lock and another writer takes it.
    write_lock(
        run,
        std::process::id(),
        crate::run_folder::sys::hostname(),
        "42-42-42",
    );
    assert!(matches!(
        tx.commit("v", json!(null)),
        Err(RunError::LockLost { .. })
    ));
    assert!(!run.join("a.bin").exists());
    drop(l);
    assert_eq!(lock_holder(run).unwrap().unwrap().nonce, "42-42-42");

    let other = TempDir::new("other");
    let l2 = lock(other.path());
    assert!(matches!(
        StageTx::begin(run, "synth", &l2),
        Err(RunError::LockForOtherFolder { .. })
    ));
}

#[test]
fn misuse_is_refused() {
    let root = TempDir::new("misuse");
    let run = root.path();
    let l = lock(run);
    commit_gen(run, &l, "coverage", 1, &["rsrp_dbm.tif"]);

    let mut tx = StageTx::begin(run, "gaps", &l).unwrap();
    tx.write("rsrp_dbm.tif", b"x").unwrap();
    let err = tx.commit("v", json!(null)).unwrap_err();
    assert!(
        matches!(&err, RunError::OutputOwnedByOtherStage { other_stage, .. } if other_stage == "coverage"),
        "{err:?}"
    );

    let mut tx = StageTx::begin(run, "gaps", &l).unwrap();
    fs::write(run.join("in.csv"), b"1").unwrap();
    tx.read(Path::new("in.csv")).unwrap();
    tx.write("in.csv", b"2").unwrap();
    assert!(matches!(
        tx.commit("v", json!(null)),
        Err(RunError::OutputIsInput { .. })
    ));
    assert_eq!(fs::read(run.join("in.csv")).unwrap(), b"1");

    let mut tx = StageTx::begin(run, "gaps", &l).unwrap();
    tx.output_path("never.tif").unwrap();
    assert!(matches!(
        tx.commit("v", json!(null)),
        Err(RunError::DeclaredOutputNotWritten { .. })
    ));

    let mut tx = StageTx::begin(run, "gaps", &l).unwrap();
    for bad in ["../x", "/x", ".hidden", "a//b", ""] {
        assert!(
            matches!(tx.write(bad, b"x"), Err(RunError::InvalidOutputName { .. })),
            "{bad}"
        );
    }
    assert!(matches!(
        tx.read(Path::new(".manifests/coverage.json")),
        Err(RunError::InvalidPath { .. })
    ));
    assert!(matches!(
        tx.upstream("gaps"),
        Err(RunError::SelfUpstream { .. })
    ));
    assert!(matches!(
        tx.upstream("export"),
        Err(RunError::ManifestMissing { .. })
    ));
    drop(tx);
    assert!(matches!(
        StageTx::begin(run, "../x", &l),
        Err(RunError::InvalidStageName { .. })
    ));

    // Dropped transactions leave nothing behind.
    let names = names_in(run);
    assert_eq!(names, [".lock", ".manifests", "in.csv", "rsrp_dbm.tif"]);
    assert_eq!(names_in(&run.join(".manifests")), ["coverage.json"]);
}

#[test]
fn same_run_gives_identical_manifest_bytes() {
    let bytes: Vec<Vec<u8>> = (0..2)
        .map(|i| {
            let root = TempDir::new(&format!("det{i}"));
            let run = root.path();
            let l = lock(run);
            fs::write(run.join("in.csv"), b"x").unwrap();
            let mut tx = StageTx::begin(run, "plan", &l).unwrap();
            // Reads and writes in a different order in each run.
            let mut names = vec!["z.csv", "a.csv", "m/q.tif"];
            if i == 1 {
                names.reverse();
            }
            tx.read(Path::new("in.csv")).unwrap();
            for n in names {
                tx.write(n, n.as_bytes()).unwrap();
            }
            tx.commit("1.0", json!({"b": 1, "a": [1.5, 2]})).unwrap();
            fs::read(manifest_path(run, "plan")).unwrap()
        })
        .collect();
    assert_eq!(bytes[0], bytes[1]);
}

#[test]
fn clean_removes_dead_temps_keeps_live() {
    let root = TempDir::new("clean");
    let run = root.path();
    let dead = dead_pid();
    let me = std::process::id();
    fs::create_dir_all(run.join("tiles")).unwrap();
    let files = [
        format!(".rsrp_dbm.tif.tmp-{dead}-0"),
        format!("tiles/.t0.tif.tmp-{dead}-7"),
        format!(".manifests/.coverage.json.tmp-{dead}-1"),
        format!(".rsrp_dbm.tif.tmp-{me}-3"),
        "rsrp_dbm.tif".to_string(),
        ".x.tmp-notapid-1".to_string(),
    ];
    for f in &files {
        let p = run.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, b"t").unwrap();
    }
    fs::create_dir_all(run.join(format!(".staging-coverage-{dead}-2/sub"))).unwrap();
    fs::create_dir_all(run.join(format!(".staging-coverage-{me}-4"))).unwrap();
    let r = clean_stale_temps(run).unwrap();
    let mut expected_removed = vec![
        run.join(&files[0]),
        run.join(&files[1]),
        run.join(&files[2]),
        run.join(format!(".staging-coverage-{dead}-2")),
    ];
    expected_removed.sort();
    assert_eq!(r.removed, expected_removed);
    let mut expected_kept = vec![
        run.join(&files[3]),
        run.join(format!(".staging-coverage-{me}-4")),
    ];
    expected_kept.sort();
    assert_eq!(r.kept_live, expected_kept);
    assert!(run.join("rsrp_dbm.tif").exists() && run.join(".x.tmp-notapid-1").exists());

    // Lock held from another host: pids are not ours to judge, nothing is touched.
    fs::write(run.join(format!(".a.tmp-{dead}-9")), b"t").unwrap();
    write_lock(run, dead, "other-host", "1-1");
    let r = clean_stale_temps(run).unwrap();
    assert!(r.removed.is_empty() && r.foreign_lock.is_some());
    assert!(run.join(format!(".a.tmp-{dead}-9")).exists());
}

#[test]
fn confine_refuses_escapes() {
    let root = TempDir::new("confine");
    let out = root.path();
    assert_eq!(confine(out, "nghe-an").unwrap(), out.join("nghe-an"));
    assert_eq!(
        confine(out, "Nghệ An 2025").unwrap(),
        out.join("Nghệ An 2025")
    );
    for bad in [
        "",
        ".",
        "..",
        "../../X",
        "../x",
        "/etc",
        "a/b",
        "a\\b",
        "a\0b",
        ".hidden",
        "x:y",
        "a\nb",
        " lead",
        "trail.",
        &"n".repeat(256),
    ] {
        let err = confine(out, bad).unwrap_err();
        assert!(matches!(err, RunError::RunNameRefused { .. }), "{bad:?}");
        assert!(err.to_string().starts_with("run name "), "{err}");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/tmp", out.join("link")).unwrap();
        assert!(confine(out, "link").is_err());
    }
}

#[test]
fn atomic_write_replaces_and_leaves_no_temp() {
    let root = TempDir::new("aw");
    let p = root.path().join("project.qgs");
    atomic_write(&p, b"one").unwrap();
    atomic_write(&p, b"two").unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"two");
    assert_eq!(names_in(root.path()), ["project.qgs"]);
    // Concurrent writers of one file never share a temp: each result is whole.
    let handles: Vec<_> = (0..8u8)
        .map(|i| {
            let p = p.clone();
            std::thread::spawn(move || {
                for _ in 0..20 {
                    atomic_write(&p, &vec![i; 4096]).unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let last = fs::read(&p).unwrap();
    assert_eq!(last.len(), 4096);
    assert!(last.iter().all(|&b| b == last[0]));
    assert_eq!(names_in(root.path()), ["project.qgs"]);
}

#[test]
fn reader_catching_a_live_writer_mid_commit_is_told_to_wait() {
    let root = TempDir::new("reader");
    let run = root.path();
    let l = lock(run);
    commit_gen(run, &l, "coverage", 1, &["a.tif", "b.tif", "c.tif"]);
    let mut tx = StageTx::begin(run, "coverage", &l).unwrap();
    for n in ["a.tif", "b.tif", "c.tif"] {
        tx.write(n, &content(2, n)).unwrap();
    }
    tx.crash_after = Some(2); // two of three renamed: a mix
    tx.commit("v", json!(2)).unwrap_err();
    drop(l);
    // Another live process on this host holds the lock (it is re-running the stage).
    let mut sleeper = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    write_lock(run, sleeper.id(), crate::run_folder::sys::hostname(), "9-9");
    let err = verify(run, "coverage").unwrap_err();
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    assert!(
        matches!(&err, RunError::BeingWritten { holder, .. } if holder.pid == sleeper.id()),
        "{err:?}"
    );
    assert!(!err.needs_rerun());
    // Once that writer is dead, the same state reads as "re-run".
    let err = verify(run, "coverage").unwrap_err();
    assert!(matches!(err, RunError::CommitInterrupted { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("coverage: outputs match no complete generation"),
        "{err}"
    );
}
