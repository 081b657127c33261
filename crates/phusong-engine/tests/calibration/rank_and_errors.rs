//! (d) Rank deficiency gives typed errors naming the term; invalid input is rejected with
//! messages naming the field and unit.

use phusong_engine::calibration::{
    fit, leave_one_site_out, CalibrationError, ClutterTerms, Coef, FitConfig, Measurement, Term,
    TermSet,
};

fn rows(
    n: usize,
    class_of: impl Fn(usize) -> u16,
    height_of: impl Fn(usize) -> f64,
) -> Vec<Measurement> {
    (0..n)
        .map(|i| {
            let d = 300.0 + 37.0 * i as f64;
            let h = height_of(i);
            Measurement {
                site_id: (i % 3) as u32,
                cell_id: 0,
                distance_m: d,
                eff_height_m: h,
                diffraction_db: (i % 7) as f64,
                clutter_class: class_of(i),
                antenna_gain_db: 15.0,
                antenna_peak_gain_db: 17.0,
                rs_power_dbm: 18.0,
                rsrp_dbm: 18.0 + 15.0
                    - (120.0 + 35.0 * (d / 1000.0).log10() - 10.0 * h.log10()
                        + ((i * 7919) % 11) as f64 * 0.3),
                x_m: d,
                y_m: 0.0,
                censored: false,
            }
        })
        .collect()
}

#[test]
fn single_clutter_class_with_per_class_terms_is_a_typed_error() {
    let data = rows(200, |_| 4, |i| 20.0 + (i % 5) as f64 * 10.0);
    for clutter in [
        ClutterTerms::RelativeTo { reference_class: 4 },
        ClutterTerms::RelativeTo { reference_class: 1 },
    ] {
        let terms = TermSet {
            clutter,
            ..TermSet::full(4)
        };
        let err = fit(&data, &terms, &FitConfig::default()).expect_err("must fail");
        assert_eq!(err, CalibrationError::SingleClutterClass { class: 4 });
        let msg = err.to_string();
        assert!(
            msg.contains("clutter") && msg.contains("class 4") && msg.contains("rank-deficient"),
            "{msg}"
        );
    }
    let abs = TermSet {
        offset: Coef::Fixed(0.0),
        clutter: ClutterTerms::Absolute,
        ..TermSet::full(0)
    };
    assert_eq!(
        fit(&data, &abs, &FitConfig::default()),
        Err(CalibrationError::SingleClutterClass { class: 4 })
    );
}

#[test]
fn one_height_with_the_height_term_names_the_height_term() {
    let data = rows(200, |i| (i % 2) as u16, |_| 30.0);
    let err = fit(&data, &TermSet::full(0), &FitConfig::default()).expect_err("must fail");
    match &err {
        CalibrationError::RankDeficient {
            term,
            residual,
            iteration,
            ..
        } => {
            assert_eq!(*term, Term::LogHeight);
            assert!(*residual < 1e-6);
            assert_eq!(*iteration, 0);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("effective-height term"), "{err}");
    // Without the height terms the same data fit fine; with K3 fitted and K5 fixed it still fails.
    let no_height = TermSet {
        log_height: Coef::Fixed(-10.0),
        log_height_log_distance: Coef::Fixed(0.0),
        ..TermSet::full(0)
    };
    let f = fit(&data, &no_height, &FitConfig::default()).expect("fits");
    assert!((f.model.log_distance_db - 35.0).abs() < 0.5);
    // Height × distance alone is collinear with the slope when the height is constant.
    let hxd = TermSet {
        log_height: Coef::Fixed(-10.0),
        ..TermSet::full(0)
    };
    assert!(matches!(
        fit(&data, &hxd, &FitConfig::default()),
        Err(CalibrationError::RankDeficient {
            term: Term::LogHeightLogDistance,
            ..
        })
    ));
}

#[test]
fn other_structural_problems_are_typed() {
    let data = rows(
        200,
        |i| 1 + (i % 2) as u16,
        |i| 20.0 + (i % 5) as f64 * 10.0,
    );
    let absent = TermSet::full(9);
    assert_eq!(
        fit(&data, &absent, &FitConfig::default()),
        Err(CalibrationError::ReferenceClassAbsent { class: 9 })
    );
    let both = TermSet {
        clutter: ClutterTerms::Absolute,
        ..TermSet::full(1)
    };
    assert_eq!(
        fit(&data, &both, &FitConfig::default()),
        Err(CalibrationError::OffsetWithAbsoluteClutter)
    );
    let nothing = TermSet {
        offset: Coef::Fixed(100.0),
        log_distance: Coef::Fixed(35.0),
        log_height: Coef::Fixed(0.0),
        log_height_log_distance: Coef::Fixed(0.0),
        diffraction: Coef::Fixed(0.0),
        clutter: ClutterTerms::None,
    };
    assert_eq!(
        fit(&data, &nothing, &FitConfig::default()),
        Err(CalibrationError::NoFittedTerms)
    );
    let few = &data[..6];
    assert_eq!(
        fit(few, &TermSet::full(1), &FitConfig::default()),
        Err(CalibrationError::InsufficientData {
            n_rows: 6,
            n_coefficients: 6
        })
    );
    // Diffraction that never varies is collinear with the offset.
    let mut flat = data.clone();
    flat.iter_mut().for_each(|m| m.diffraction_db = 3.0);
    assert!(matches!(
        fit(&flat, &TermSet::full(1), &FitConfig::default()),
        Err(CalibrationError::RankDeficient {
            term: Term::Diffraction,
            ..
        })
    ));
    // A cross-validation fold names the held-out site: holding out site 0 leaves no class-2 point
    // when only site 0 has class 1 (the reference).
    let mut cv_data = data.clone();
    cv_data
        .iter_mut()
        .for_each(|m| m.clutter_class = if m.site_id == 0 { 1 } else { 2 });
    let err =
        leave_one_site_out(&cv_data, &TermSet::full(1), &FitConfig::default()).expect_err("fold");
    assert!(
        matches!(&err, CalibrationError::CvFold { site_id: 0, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("site 0"), "{err}");
    let one_site: Vec<Measurement> = data.iter().filter(|m| m.site_id == 1).copied().collect();
    assert_eq!(
        leave_one_site_out(&one_site, &TermSet::full(1), &FitConfig::default()),
        Err(CalibrationError::TooFewSites { n_sites: 1 })
    );
}

#[test]
fn invalid_inputs_name_the_field_and_unit() {
    let mut data = rows(50, |i| (i % 2) as u16, |i| 20.0 + (i % 5) as f64 * 10.0);
    data[7].distance_m = -5.0;
    let err = fit(&data, &TermSet::full(0), &FitConfig::default()).expect_err("invalid");
    assert_eq!(
        err,
        CalibrationError::InvalidMeasurement {
            index: 7,
            field: "distance_m",
            value: -5.0,
            expected: "finite distance > 0 m"
        }
    );
    assert!(err.to_string().contains("row 7") && err.to_string().contains("> 0 m"));
    data[7].distance_m = 500.0;
    data[9].rsrp_dbm = f64::NAN;
    assert!(matches!(
        fit(&data, &TermSet::full(0), &FitConfig::default()),
        Err(CalibrationError::InvalidMeasurement {
            index: 9,
            field: "rsrp_dbm",
            ..
        })
    ));
    data[9].rsrp_dbm = -90.0;
    let bad_cfg = FitConfig {
        tolerance_db: 0.0,
        ..FitConfig::default()
    };
    let err = fit(&data, &TermSet::full(0), &bad_cfg).expect_err("config");
    assert!(err.to_string().contains("tolerance_db") && err.to_string().contains("dB"));
    let bad_fixed = TermSet {
        log_height: Coef::Fixed(f64::INFINITY),
        ..TermSet::full(0)
    };
    assert!(matches!(
        fit(&data, &bad_fixed, &FitConfig::default()),
        Err(CalibrationError::InvalidParameter {
            name: "terms.log_height",
            ..
        })
    ));
}
