//! Physical invariants and input rejection (no reference data needed).

//! ITU-R P.1812-6 (phusong_engine::propagation::p1812) and its readers (phusong_gis::p1812_batch).

use phusong_engine::propagation::p1812::{
    predict, BuildingEntry, CsvProblem, P1812Error, P1812Params, Polarization, ProfilePoint,
    RadioClimaticZone,
};
use phusong_gis::p1812_batch::{read_params_block, read_profile_csv};

fn params() -> P1812Params {
    P1812Params {
        freq_ghz: 0.9,
        time_pct: 50.0,
        location_pct: 50.0,
        sigma_l_db: Some(5.5),
        location_area_width_m: 100.0,
        htg_m: 30.0,
        hrg_m: 1.5,
        polarization: Polarization::Vertical,
        delta_n_per_km: 45.0,
        n0_n_units: 325.0,
        dct_km: 500.0,
        dcr_km: 500.0,
        phi_t_deg: 18.7,
        phi_r_deg: 18.9,
        lam_t_deg: 105.6,
        lam_r_deg: 105.7,
        tx_erp_kw: 1.0,
        building_entry: None,
    }
}

/// A smooth profile: constant height, no clutter, `n` intervals over `d_km`.
fn flat(d_km: f64, n: usize, h_m: f64, zone: RadioClimaticZone) -> Vec<ProfilePoint> {
    (0..=n)
        .map(|i| ProfilePoint {
            d_km: d_km * i as f64 / n as f64,
            h_m,
            clutter_code: 2,
            clutter_height_m: 0.0,
            zone,
        })
        .collect()
}

/// Friis free-space loss, dB, with the exact speed of light.
fn friis_db(d_km: f64, f_ghz: f64) -> f64 {
    let lambda_m = 299_792_458.0 / (f_ghz * 1e9);
    20.0 * (4.0 * std::f64::consts::PI * d_km * 1000.0 / lambda_m).log10()
}

#[test]
fn smooth_path_median_loss_not_below_free_space() {
    for &f in &[0.1, 0.9, 2.6, 5.8] {
        for &d in &[0.5, 2.0, 10.0, 25.0, 60.0, 150.0] {
            let p = P1812Params {
                freq_ghz: f,
                sigma_l_db: Some(0.0),
                ..params()
            };
            let r = predict(&p, &flat(d, 200, 20.0, RadioClimaticZone::Inland)).unwrap();
            assert!(r.lb_db >= r.lbfs_db - 1e-9, "f {f} d {d}: {r:?}");
            assert!(
                r.lbc_db >= r.lbfs_db - 0.5,
                "f {f} d {d}: Lbc {} Lbfs {}",
                r.lbc_db,
                r.lbfs_db
            );
        }
    }
}

#[test]
fn clear_short_path_is_free_space() {
    // 2 km between 200 m masts over flat ground at 1.8 GHz: far more than first-Fresnel-zone
    // clearance, so the median loss is the free-space loss (Friis), to the rounding of Eq (8).
    let p = P1812Params {
        freq_ghz: 1.8,
        htg_m: 200.0,
        hrg_m: 200.0,
        sigma_l_db: Some(0.0),
        ..params()
    };
    let r = predict(&p, &flat(2.0, 100, 10.0, RadioClimaticZone::Inland)).unwrap();
    assert!(!r.trans_horizon);
    assert_eq!(r.ld50_db, 0.0);
    assert!(
        (r.lb_db - friis_db(2.0, 1.8)).abs() < 0.06,
        "{} vs {}",
        r.lb_db,
        friis_db(2.0, 1.8)
    );
}

#[test]
fn excess_loss_grows_beyond_the_horizon() {
    // Smooth Earth, 10 m antennas: radio horizon ≈ 26 km; the excess over free space must grow
    // with distance beyond it.
    let p = P1812Params {
        htg_m: 10.0,
        hrg_m: 10.0,
        sigma_l_db: Some(0.0),
        ..params()
    };
    let mut prev = f64::NEG_INFINITY;
    for &d in &[30.0, 45.0, 60.0, 80.0] {
        let r = predict(&p, &flat(d, 300, 5.0, RadioClimaticZone::Inland)).unwrap();
        let excess = r.lb_db - r.lbfs_db;
        assert!(excess > prev + 1.0, "d {d}: excess {excess} after {prev}");
        prev = excess;
    }
}

#[test]
fn loss_grows_with_location_percentage() {
    let profile = flat(15.0, 150, 30.0, RadioClimaticZone::Inland);
    for sigma in [Some(5.5), None] {
        // hrg 1.5 m below a 10 m clutter height at the receiver: the σL formula applies in full.
        let mut prof = profile.clone();
        let n = prof.len();
        prof[n - 1].clutter_height_m = 10.0;
        let mut prev = f64::NEG_INFINITY;
        for pl in [1.0, 10.0, 50.0, 90.0, 99.0] {
            let p = P1812Params {
                location_pct: pl,
                sigma_l_db: sigma,
                ..params()
            };
            let r = predict(&p, &prof).unwrap();
            assert!(
                r.lb_db > prev,
                "σ {sigma:?} pL {pl}: {} after {prev}",
                r.lb_db
            );
            prev = r.lb_db;
        }
    }
}

#[test]
fn receiver_at_sea_has_no_location_variability() {
    let mut prof = flat(20.0, 100, 0.0, RadioClimaticZone::Sea);
    prof[0].zone = RadioClimaticZone::CoastalLand;
    let a = predict(
        &P1812Params {
            location_pct: 10.0,
            ..params()
        },
        &prof,
    )
    .unwrap();
    let b = predict(
        &P1812Params {
            location_pct: 90.0,
            ..params()
        },
        &prof,
    )
    .unwrap();
    assert_eq!(a.lb_db, b.lb_db);
    assert_eq!(a.sigma_l_db, 0.0);
    // Sea from point 1 on: 19.8 km plus half of the first 0.2 km interval, of 20 km.
    assert!((a.omega - 0.995).abs() < 1e-12, "sea fraction {}", a.omega);
}

#[test]
fn building_entry_adds_its_median_loss() {
    let prof = flat(15.0, 150, 30.0, RadioClimaticZone::Inland);
    let out = predict(&params(), &prof).unwrap();
    let be = BuildingEntry {
        median_loss_db: 11.0,
        std_dev_db: 6.0,
    };
    let ind = predict(
        &P1812Params {
            building_entry: Some(be),
            ..params()
        },
        &prof,
    )
    .unwrap();
    // At pL = 50 % the spread contributes I(0.5)·σ ≈ 0.
    assert!((ind.lb_db - out.lb_db - 11.0).abs() < 0.01);
}

#[test]
fn predictions_are_deterministic() {
    let prof = flat(25.0, 280, 30.0, RadioClimaticZone::Inland);
    let a = predict(&params(), &prof).unwrap();
    let b = predict(&params(), &prof).unwrap();
    assert_eq!(a.lb_db.to_bits(), b.lb_db.to_bits());
}

fn param_error_name(p: &P1812Params) -> &'static str {
    match predict(p, &flat(10.0, 50, 0.0, RadioClimaticZone::Inland)) {
        Err(P1812Error::Param { name, .. }) => name,
        other => panic!("expected a parameter error, got {other:?}"),
    }
}

#[test]
fn rejected_parameters_are_named() {
    let base = params();
    assert_eq!(
        param_error_name(&P1812Params {
            freq_ghz: 7.0,
            ..base
        }),
        "freq_ghz"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            freq_ghz: f64::NAN,
            ..base
        }),
        "freq_ghz"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            time_pct: 60.0,
            ..base
        }),
        "time_pct"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            location_pct: 0.0,
            ..base
        }),
        "location_pct"
    );
    assert_eq!(
        param_error_name(&P1812Params { htg_m: 0.5, ..base }),
        "htg_m"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            hrg_m: f64::INFINITY,
            ..base
        }),
        "hrg_m"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            sigma_l_db: Some(-1.0),
            ..base
        }),
        "sigma_l_db"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            delta_n_per_km: 160.0,
            ..base
        }),
        "delta_n_per_km"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            dct_km: -1.0,
            ..base
        }),
        "dct_km"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            phi_r_deg: 91.0,
            ..base
        }),
        "phi_r_deg"
    );
    assert_eq!(
        param_error_name(&P1812Params {
            tx_erp_kw: 0.0,
            ..base
        }),
        "tx_erp_kw"
    );
    let e = predict(
        &P1812Params {
            freq_ghz: 7.0,
            ..base
        },
        &flat(10.0, 50, 0.0, RadioClimaticZone::Inland),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("freq_ghz") && e.contains("GHz"), "{e}");
}

#[test]
fn rejected_profiles_are_named() {
    let p = params();
    let short = flat(10.0, 1, 0.0, RadioClimaticZone::Inland);
    assert!(matches!(
        predict(&p, &short),
        Err(P1812Error::ProfileTooShort { count: 2 })
    ));

    let mut prof = flat(10.0, 10, 0.0, RadioClimaticZone::Inland);
    prof[4].d_km = prof[3].d_km;
    match predict(&p, &prof) {
        Err(P1812Error::ProfilePoint {
            index: 4,
            field: "d_km",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let mut prof = flat(10.0, 10, 0.0, RadioClimaticZone::Inland);
    prof[0].d_km = 0.1;
    assert!(matches!(
        predict(&p, &prof),
        Err(P1812Error::ProfilePoint {
            index: 0,
            field: "d_km",
            ..
        })
    ));
    let mut prof = flat(10.0, 10, 0.0, RadioClimaticZone::Inland);
    prof[7].clutter_height_m = -3.0;
    let e = predict(&p, &prof).unwrap_err();
    assert!(matches!(
        e,
        P1812Error::ProfilePoint {
            index: 7,
            field: "clutter_height_m",
            ..
        }
    ));
    assert!(e.to_string().contains("profile point 7"), "{e}");
}

fn temp_file(name: &str, body: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("p1812-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

#[test]
fn reader_errors_name_file_row_and_column() {
    let path = temp_file(
        "bad_profile.csv",
        "x,,,\n{Begin of Profile},,,\nNumber of Points:,3,,\n0,10,2,0,4\n0.5,abc,2,0,4\n1,10,2,0,4\n",
    );
    match read_profile_csv(&path) {
        Err(P1812Error::Csv {
            row: 5,
            column: 2,
            problem: CsvProblem::NotANumber { .. },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    let msg = read_profile_csv(&path).unwrap_err().to_string();
    assert!(
        msg.contains("bad_profile.csv") && msg.contains("row 5") && msg.contains("column 2"),
        "{msg}"
    );

    let path = temp_file(
        "bad_zone.csv",
        "Number of Points:,3,,\n0,10,2,0,4\n0.5,10,2,0,2\n1,10,2,0,4\n",
    );
    assert!(matches!(
        read_profile_csv(&path),
        Err(P1812Error::Csv {
            row: 3,
            column: 5,
            problem: CsvProblem::OutOfRange { .. },
            ..
        })
    ));

    let path = temp_file(
        "short.csv",
        "Number of Points:,4,,\n0,10,2,0,4\n0.5,10,2,0,4\n",
    );
    assert!(matches!(
        read_profile_csv(&path),
        Err(P1812Error::Csv {
            problem: CsvProblem::Truncated {
                announced: 4,
                found: 2
            },
            ..
        })
    ));

    // Parameter block: `p (%)` missing before the first empty row (the later one does not count).
    let path = temp_file(
        "params.csv",
        "# Parameter,Ref,,Value,\nf (GHz),,,0.6,\n,,,,\np (%),,,50,\n",
    );
    match read_params_block(&path) {
        Err(P1812Error::MissingRow { name: "p (%)", .. }) => {}
        other => panic!("{other:?}"),
    }
    let path = temp_file("params2.csv", "f (GHz),,,x0.6,\n");
    match read_params_block(&path) {
        Err(P1812Error::Csv {
            row: 1, column: 4, ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        read_params_block("/nonexistent/p1812.csv"),
        Err(P1812Error::Io { .. })
    ));
}

/// Small deterministic generator (64-bit LCG) for the randomised test below.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next()
    }
}

#[test]
fn random_paths_give_finite_bounded_results() {
    // Random terrain (hills, valleys, sea stretches, clutter), random valid parameters: every
    // result must be finite, L_b ≥ L_b0p (Eq (69)), and L_b0p within 10 dB of free space.
    let mut rng = Lcg(0x1812);
    for case in 0..400 {
        let d_km = rng.range(0.3, 300.0);
        let n = 3 + (rng.next() * 400.0) as usize;
        let relief = rng.range(0.0, 800.0);
        let sea_from = rng.next();
        let mut prof = Vec::with_capacity(n);
        for i in 0..n {
            let x = i as f64 / (n - 1) as f64;
            let sea = x > sea_from && x < sea_from + 0.3;
            let zone = if sea {
                RadioClimaticZone::Sea
            } else if rng.next() < 0.2 {
                RadioClimaticZone::CoastalLand
            } else {
                RadioClimaticZone::Inland
            };
            let h = if sea { 0.0 } else { relief * rng.next() };
            let r = if sea {
                0.0
            } else {
                [0.0, 10.0, 15.0, 20.0][(rng.next() * 4.0) as usize]
            };
            prof.push(ProfilePoint {
                d_km: d_km * x,
                h_m: h,
                clutter_code: 2,
                clutter_height_m: r,
                zone,
            });
        }
        let p = P1812Params {
            freq_ghz: rng.range(0.03, 6.0),
            time_pct: rng.range(1.0, 50.0),
            location_pct: rng.range(1.0, 99.0),
            sigma_l_db: if rng.next() < 0.5 {
                None
            } else {
                Some(rng.range(0.0, 10.0))
            },
            htg_m: rng.range(1.0, 300.0),
            hrg_m: rng.range(1.0, 30.0),
            polarization: if rng.next() < 0.5 {
                Polarization::Horizontal
            } else {
                Polarization::Vertical
            },
            delta_n_per_km: rng.range(20.0, 80.0),
            n0_n_units: rng.range(280.0, 400.0),
            dct_km: rng.range(0.0, 10.0),
            dcr_km: rng.range(0.0, 10.0),
            ..params()
        };
        let r = predict(&p, &prof).unwrap_or_else(|e| panic!("case {case}: {e}"));
        let json = format!("{r:?}");
        assert!(
            !json.contains("NaN") && !json.contains("inf"),
            "case {case}: {json}"
        );
        assert!(r.lb_db >= r.lb0p_db, "case {case}");
        assert!((r.lb0p_db - r.lbfs_db).abs() < 10.0, "case {case}");
    }
}
