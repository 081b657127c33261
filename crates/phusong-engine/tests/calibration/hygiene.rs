//! (e) Hygiene: averaging bins conserve the point count and match brute-force grouping;
//! exclusion and censoring counts against direct counting.

use phusong_engine::calibration::{
    apply_hygiene, average_bins, AveragingConfig, CalibrationError, HygieneConfig, Measurement,
    SplitMix64,
};

fn random_points(n: usize, seed: u64) -> Vec<Measurement> {
    let mut r = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let d = r.uniform(20.0, 5000.0);
            Measurement {
                site_id: (r.next_u64() % 3) as u32,
                cell_id: (r.next_u64() % 2) as u32,
                distance_m: d,
                eff_height_m: r.uniform(10.0, 50.0),
                diffraction_db: r.uniform(0.0, 10.0),
                clutter_class: (r.next_u64() % 3) as u16,
                antenna_gain_db: 17.0 - r.uniform(0.0, 30.0),
                antenna_peak_gain_db: 17.0,
                rs_power_dbm: 18.0,
                rsrp_dbm: r.uniform(-135.0, -60.0),
                x_m: r.uniform(-60.0, 60.0),
                y_m: r.uniform(-60.0, 60.0),
                censored: r.next_f64() < 0.05,
            }
        })
        .collect()
}

#[test]
fn lee_bin_size_is_forty_wavelengths() {
    // λ = c/f = 0.16655 m at 1800 MHz → 6.662 m.
    let b = AveragingConfig::lee(1800.0).bin_size_m();
    assert!((b - 40.0 * 299_792_458.0 / 1.8e9).abs() < 1e-12);
    assert!((b - 6.662).abs() < 1e-3);
}

#[test]
fn averaging_conserves_points_and_matches_brute_force_grouping() {
    let pts = random_points(3000, 17);
    let cfg = AveragingConfig::lee(900.0); // 13.3 m bins on a 120 m square: many multi-point bins
    let bins = average_bins(&pts, &cfg).expect("ok");
    assert_eq!(bins.iter().map(|b| b.n_points).sum::<usize>(), pts.len());
    assert!(bins.iter().any(|b| b.n_points > 1) && bins.len() < pts.len());
    let size = cfg.bin_size_m();
    let key = |m: &Measurement| {
        (
            m.site_id,
            m.cell_id,
            m.clutter_class,
            (m.x_m / size).floor() as i64,
            (m.y_m / size).floor() as i64,
        )
    };
    // Brute force: for each bin, find its members by scanning all points.
    let mut keys_seen = Vec::new();
    for b in &bins {
        let members: Vec<&Measurement> = pts
            .iter()
            .filter(|m| {
                m.site_id == b.measurement.site_id
                    && m.cell_id == b.measurement.cell_id
                    && m.clutter_class == b.measurement.clutter_class
                    && (m.x_m / size).floor() == (b.measurement.x_m / size).floor()
                    && (m.y_m / size).floor() == (b.measurement.y_m / size).floor()
            })
            .collect();
        assert_eq!(members.len(), b.n_points);
        let k = members.len() as f64;
        let p_mw = members
            .iter()
            .map(|m| 10f64.powf(m.rsrp_dbm / 10.0))
            .sum::<f64>()
            / k;
        assert!((b.measurement.rsrp_dbm - 10.0 * p_mw.log10()).abs() < 1e-9);
        let mean_d = members.iter().map(|m| m.distance_m).sum::<f64>() / k;
        assert!((b.measurement.distance_m - mean_d).abs() < 1e-9);
        assert_eq!(b.measurement.censored, members.iter().any(|m| m.censored));
        keys_seen.push(key(&b.measurement));
    }
    // Bins are unique and sorted by key (deterministic order).
    assert!(keys_seen.windows(2).all(|w| w[0] < w[1]));
    // Same input, bit-identical output.
    assert_eq!(bins, average_bins(&pts, &cfg).expect("ok"));
}

#[test]
fn linear_power_average_of_two_points() {
    let base = random_points(1, 1)[0];
    let a = Measurement {
        rsrp_dbm: -80.0,
        x_m: 1.0,
        y_m: 1.0,
        censored: false,
        ..base
    };
    let b = Measurement {
        rsrp_dbm: -90.0,
        x_m: 2.0,
        y_m: 2.0,
        censored: false,
        ..base
    };
    let bins = average_bins(&[a, b], &AveragingConfig::lee(1800.0)).expect("ok");
    assert_eq!(bins.len(), 1);
    // 10·log10((1e-8 + 1e-9)/2) = −82.5964 dBm: dominated by the stronger sample.
    assert!((bins[0].measurement.rsrp_dbm - (-82.596_373_105_057_56)).abs() < 1e-9);
    assert!((bins[0].measurement.x_m - 1.5).abs() < 1e-12);
}

#[test]
fn filters_and_censoring_count_like_a_direct_scan() {
    let pts = random_points(5000, 23);
    let cfg = HygieneConfig {
        min_distance_m: 100.0,
        max_null_depth_db: Some(20.0),
        sensitivity_dbm: -125.0,
        averaging: None,
    };
    let rep = apply_hygiene(&pts, &cfg).expect("ok");
    let close = pts.iter().filter(|m| m.distance_m < 100.0).count();
    let null = pts
        .iter()
        .filter(|m| m.distance_m >= 100.0 && m.antenna_gain_db < m.antenna_peak_gain_db - 20.0)
        .count();
    let kept: Vec<&Measurement> = pts
        .iter()
        .filter(|m| m.distance_m >= 100.0 && m.antenna_gain_db >= m.antenna_peak_gain_db - 20.0)
        .collect();
    let censored = kept
        .iter()
        .filter(|m| m.censored || m.rsrp_dbm <= -125.0)
        .count();
    assert_eq!((rep.n_too_close, rep.n_in_null), (close, null));
    assert_eq!(rep.kept.len(), kept.len());
    assert_eq!(rep.n_kept_points, kept.len());
    assert_eq!(rep.n_censored_points, censored);
    assert_eq!(rep.n_input, close + null + kept.len());
    // Censored points carry the sensitivity as their bound unless flagged on input.
    for (m, orig) in rep.kept.iter().zip(&kept) {
        if orig.rsrp_dbm <= -125.0 {
            assert!(m.censored && m.rsrp_dbm == -125.0);
        } else {
            assert_eq!(m.rsrp_dbm, orig.rsrp_dbm);
        }
    }
    // With averaging on, the per-row point counts still add up to the kept points.
    let avg = apply_hygiene(
        &pts,
        &HygieneConfig {
            averaging: Some(AveragingConfig::lee(900.0)),
            ..cfg
        },
    )
    .expect("ok");
    assert_eq!(avg.points_per_row.iter().sum::<usize>(), kept.len());
    assert_eq!(avg.points_per_row.len(), avg.kept.len());
    assert!(avg.kept.len() < kept.len());
    assert!(avg.n_censored_rows <= avg.n_censored_points);
}

#[test]
fn hygiene_parameters_are_validated() {
    let pts = random_points(10, 2);
    let bad = HygieneConfig {
        min_distance_m: f64::NAN,
        ..HygieneConfig::default()
    };
    let err = apply_hygiene(&pts, &bad).expect_err("nan");
    assert!(err.to_string().contains("min_distance_m") && err.to_string().contains(" m"));
    let bad = HygieneConfig {
        averaging: Some(AveragingConfig {
            freq_mhz: -1.0,
            bin_wavelengths: 40.0,
        }),
        ..HygieneConfig::default()
    };
    assert!(matches!(
        apply_hygiene(&pts, &bad),
        Err(CalibrationError::InvalidParameter {
            name: "averaging.freq_mhz",
            ..
        })
    ));
}
