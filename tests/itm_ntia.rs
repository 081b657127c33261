//! phusong's ITM against NTIA's own test vectors (../shared/reference/ntia-itm): every row must
//! reproduce NTIA's printed A__db (p2p to 0.01 dB; area rows are printed to 0.1 dB, so they must round
//! to the printed value).

use phusong::io::itm_vectors::{run_area, run_p2p, Outcome};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/ntia-itm")
}

/// Expected A__db column and the number of decimals it is printed with.
fn expected(file: &str) -> Vec<(f64, usize)> {
    let text = std::fs::read_to_string(dir().join(file)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "A__db").unwrap();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = l.split(',').nth(col).unwrap().trim();
            let decimals = f.split('.').nth(1).map_or(0, |d| d.len());
            (f.parse().unwrap(), decimals)
        })
        .collect()
}

fn check(got: &[Outcome], want: &[(f64, usize)]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, &(w, decimals))) in got.iter().zip(want).enumerate() {
        let Outcome::Ok(r) = g else {
            panic!("row {i}: {g:?}")
        };
        let half_ulp = 0.5 * 10f64.powi(-(decimals as i32));
        assert!(
            (r.a_db - w).abs() <= half_ulp.max(0.005) + 1e-9,
            "row {i}: phusong {:.4} dB vs NTIA {w} (printed to {decimals} decimals)",
            r.a_db
        );
        assert!(
            (r.a_db - w).abs() <= 0.01 + half_ulp,
            "row {i}: more than 0.01 dB from NTIA"
        );
    }
}

#[test]
#[ignore = "needs ../shared"]
fn p2p_vectors_match_ntia() {
    let got = run_p2p(&dir().join("p2p.csv"), &dir().join("pfls.csv")).unwrap();
    for g in &got {
        if let Outcome::Ok(r) = g {
            eprintln!("{:.4} {:?} warnings {}", r.a_db, r.mode, r.warnings);
        }
    }
    check(&got, &expected("p2p.csv"));
}

#[test]
#[ignore = "needs ../shared"]
fn area_vectors_match_ntia() {
    let got = run_area(&dir().join("area.csv")).unwrap();
    for g in &got {
        if let Outcome::Ok(r) = g {
            eprintln!("{:.4} {:?} warnings {}", r.a_db, r.mode, r.warnings);
        }
    }
    check(&got, &expected("area.csv"));
}
