//! Leave-one-site-out and the error tables against brute-force computations on small data.

use phusong_engine::calibration::{
    error_report, leave_one_site_out, ClutterTerms, Coef, FitConfig, Measurement, Model,
    RobustLoss, SplitMix64, TermSet,
};

fn data() -> Vec<Measurement> {
    let mut r = SplitMix64::new(8);
    (0..120)
        .map(|i| {
            let d = r.uniform(200.0, 9000.0);
            Measurement {
                site_id: (i % 4) as u32 + 10,
                cell_id: 0,
                distance_m: d,
                eff_height_m: 30.0,
                diffraction_db: 0.0,
                clutter_class: (i % 3) as u16,
                antenna_gain_db: 15.0,
                antenna_peak_gain_db: 17.0,
                rs_power_dbm: 18.0,
                rsrp_dbm: r.uniform(-120.0, -70.0),
                x_m: 0.0,
                y_m: 0.0,
                censored: i % 17 == 0,
            }
        })
        .collect()
}

#[test]
fn offset_only_least_squares_cv_equals_mean_of_the_other_sites() {
    let rows = data();
    let terms = TermSet {
        offset: Coef::Fit,
        log_distance: Coef::Fixed(0.0),
        log_height: Coef::Fixed(0.0),
        log_height_log_distance: Coef::Fixed(0.0),
        diffraction: Coef::Fixed(0.0),
        clutter: ClutterTerms::None,
    };
    let cfg = FitConfig {
        loss: RobustLoss::LeastSquares,
        ..FitConfig::default()
    };
    let cv = leave_one_site_out(&rows, &terms, &cfg).expect("cv");
    // Brute force: the LS offset on the other sites is their mean uncensored loss.
    let (mut ss, mut n) = (0.0, 0);
    for (k, site) in [10u32, 11, 12, 13].iter().enumerate() {
        let train: Vec<f64> = rows
            .iter()
            .filter(|m| m.site_id != *site && !m.censored)
            .map(|m| m.measured_loss_db())
            .collect();
        let pred = train.iter().sum::<f64>() / train.len() as f64;
        let errs: Vec<f64> = rows
            .iter()
            .filter(|m| m.site_id == *site && !m.censored)
            .map(|m| pred - m.measured_loss_db())
            .collect();
        let rmse = (errs.iter().map(|e| e * e).sum::<f64>() / errs.len() as f64).sqrt();
        let s = cv.per_site[k];
        assert_eq!(s.site_id, *site);
        assert_eq!(s.n_points, errs.len());
        assert!((s.rmse_db - rmse).abs() < 1e-9);
        assert!((s.mean_error_db - errs.iter().sum::<f64>() / errs.len() as f64).abs() < 1e-9);
        ss += errs.iter().map(|e| e * e).sum::<f64>();
        n += errs.len();
    }
    assert_eq!(cv.n_points, n);
    assert!((cv.cv_rmse_db - (ss / n as f64).sqrt()).abs() < 1e-9);
}

#[test]
fn error_tables_match_direct_computation() {
    let rows = data();
    let model = Model {
        offset_db: 120.0,
        log_distance_db: 35.0,
        log_height_db: -10.0,
        log_height_log_distance_db: 0.0,
        diffraction_weight: 0.5,
        clutter_offsets_db: (0..3)
            .map(|c| phusong_engine::calibration::ClutterOffset {
                class: c,
                offset_db: 2.0 * f64::from(c),
            })
            .collect(),
    };
    let edges = [500.0, 2000.0, 5000.0];
    let rep = error_report(&model, &rows, &edges).expect("report");
    let err = |m: &Measurement| {
        120.0 + 35.0 * (m.distance_m / 1000.0).log10() - 10.0 * 30f64.log10()
            + 2.0 * f64::from(m.clutter_class)
            - m.measured_loss_db()
    };
    let unc: Vec<&Measurement> = rows.iter().filter(|m| !m.censored).collect();
    let e: Vec<f64> = unc.iter().map(|m| err(m)).collect();
    let n = e.len() as f64;
    let mean = e.iter().sum::<f64>() / n;
    assert_eq!(rep.overall.n, e.len());
    assert_eq!(rep.n_censored_skipped, rows.len() - unc.len());
    assert!((rep.overall.mean_db - mean).abs() < 1e-9);
    let var = e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!((rep.overall.std_db - var.sqrt()).abs() < 1e-9);
    assert!((rep.overall.rmse_db - (e.iter().map(|v| v * v).sum::<f64>() / n).sqrt()).abs() < 1e-9);
    // RMSE² = mean² + (n−1)/n·std² (identity between the three statistics).
    let o = rep.overall;
    assert!(
        (o.rmse_db.powi(2) - (o.mean_db.powi(2) + (n - 1.0) / n * o.std_db.powi(2))).abs() < 1e-9
    );
    // Classes and bands partition the uncensored rows.
    assert_eq!(
        rep.by_clutter.iter().map(|c| c.stats.n).sum::<usize>(),
        e.len()
    );
    let in_bands: usize = rep
        .by_distance
        .iter()
        .map(|b| b.stats.map_or(0, |s| s.n))
        .sum();
    let outside = unc
        .iter()
        .filter(|m| m.distance_m < 500.0 || m.distance_m >= 5000.0)
        .count();
    assert_eq!(in_bands + rep.n_outside_bands, e.len());
    assert_eq!(rep.n_outside_bands, outside);
    for c in &rep.by_clutter {
        let ec: Vec<f64> = unc
            .iter()
            .filter(|m| m.clutter_class == c.clutter_class)
            .map(|m| err(m))
            .collect();
        assert!((c.stats.mean_db - ec.iter().sum::<f64>() / ec.len() as f64).abs() < 1e-9);
    }
    let b1: Vec<f64> = unc
        .iter()
        .filter(|m| (2000.0..5000.0).contains(&m.distance_m))
        .map(|m| err(m))
        .collect();
    let s1 = rep.by_distance[1].stats.expect("non-empty");
    assert_eq!(
        (rep.by_distance[1].lower_m, rep.by_distance[1].upper_m),
        (2000.0, 5000.0)
    );
    assert_eq!(s1.n, b1.len());
    assert!((s1.mean_db - b1.iter().sum::<f64>() / b1.len() as f64).abs() < 1e-9);
    // Bad edges are refused.
    assert!(error_report(&model, &rows, &[100.0, 50.0]).is_err());
    // A model lacking a class present in the data is refused with the row.
    let mut partial = model.clone();
    partial.clutter_offsets_db.truncate(2);
    assert!(matches!(
        error_report(&partial, &rows, &edges),
        Err(phusong_engine::calibration::CalibrationError::UnknownClutterClass { class: 2, .. })
    ));
}
