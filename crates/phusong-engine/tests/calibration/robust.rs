//! (c) Robust IRLS against gross outliers, and checks of the least-squares core against closed
//! forms (simple regression, condition numbers).

use phusong_engine::calibration::{
    fit, CensoringPolicy, ClutterTerms, Coef, FitConfig, GaussianSource, Measurement, RobustLoss,
    Term, TermSet,
};

const TRUE_OFFSET_DB: f64 = 120.0;
const TRUE_SLOPE_DB: f64 = 35.0;

fn point(i: usize, distance_m: f64, loss_db: f64, clutter_class: u16) -> Measurement {
    Measurement {
        site_id: 1,
        cell_id: 0,
        distance_m,
        eff_height_m: 30.0,
        diffraction_db: 0.0,
        clutter_class,
        antenna_gain_db: 17.0,
        antenna_peak_gain_db: 17.0,
        rs_power_dbm: 18.0,
        rsrp_dbm: 18.0 + 17.0 - loss_db,
        x_m: i as f64,
        y_m: 0.0,
        censored: false,
    }
}

/// 400 points log-spaced over 0.2–10 km with 2 dB Gaussian noise, plus `n_outliers` far points
/// reported 40 dB too strong (e.g. a measurement attributed to the wrong cell).
fn data(n_outliers: usize) -> Vec<Measurement> {
    let mut g = GaussianSource::new(3);
    let mut v: Vec<Measurement> = (0..400)
        .map(|i| {
            let d = 200.0 * 50f64.powf(i as f64 / 399.0);
            let loss =
                TRUE_OFFSET_DB + TRUE_SLOPE_DB * (d / 1000.0).log10() + 2.0 * g.next_standard();
            point(i, d, loss, 1)
        })
        .collect();
    for k in 0..n_outliers {
        let d = 8000.0 + 250.0 * k as f64;
        let loss = TRUE_OFFSET_DB + TRUE_SLOPE_DB * (d / 1000.0).log10() - 40.0;
        v.push(point(400 + k, d, loss, 1));
    }
    v
}

fn two_terms() -> TermSet {
    TermSet {
        offset: Coef::Fit,
        log_distance: Coef::Fit,
        log_height: Coef::Fixed(0.0),
        log_height_log_distance: Coef::Fixed(0.0),
        diffraction: Coef::Fixed(0.0),
        clutter: ClutterTerms::None,
    }
}

fn config(loss: RobustLoss) -> FitConfig {
    FitConfig {
        loss,
        censoring: CensoringPolicy::Exclude,
        ..FitConfig::default()
    }
}

#[test]
fn huber_and_tukey_ignore_gross_outliers_that_pull_least_squares() {
    let rows = data(8);
    let ols = fit(&rows, &two_terms(), &config(RobustLoss::LeastSquares)).expect("ols");
    let huber = fit(&rows, &two_terms(), &config(RobustLoss::HUBER_95)).expect("huber");
    let tukey = fit(&rows, &two_terms(), &config(RobustLoss::TUKEY_95)).expect("tukey");
    let clean = fit(&data(0), &two_terms(), &config(RobustLoss::LeastSquares)).expect("clean");
    let slope_err =
        |f: &phusong_engine::calibration::FitResult| f.model.log_distance_db - TRUE_SLOPE_DB;
    assert!(
        slope_err(&ols) < -2.0,
        "OLS slope error {}",
        slope_err(&ols)
    );
    eprintln!(
        "slope error: OLS {:+.3}, Huber {:+.3}, Tukey {:+.3}, clean OLS {:+.3}",
        slope_err(&ols),
        slope_err(&huber),
        slope_err(&tukey),
        slope_err(&clean)
    );
    assert!(slope_err(&clean).abs() < 0.5);
    assert!(
        slope_err(&huber).abs() < 0.6,
        "Huber slope error {}",
        slope_err(&huber)
    );
    assert!(
        slope_err(&tukey).abs() < 0.5,
        "Tukey slope error {}",
        slope_err(&tukey)
    );
    assert!((huber.model.offset_db - TRUE_OFFSET_DB).abs() < 0.5);
    assert!((tukey.model.offset_db - TRUE_OFFSET_DB).abs() < 0.5);
    // Tukey's redescending weights reject the outliers entirely: it lands on the clean fit.
    assert!((tukey.model.log_distance_db - clean.model.log_distance_db).abs() < 0.2);
    assert!(huber.converged && tukey.converged && huber.iterations > 1);
    assert!(huber.n_downweighted >= 8);
    // Robust scale ≈ the 2 dB noise; the OLS residual RMS is inflated by the outliers.
    assert!((huber.scale_db - 2.0).abs() < 0.3 && ols.scale_db > 4.0);
}

#[test]
fn huber_solution_satisfies_its_estimating_equations() {
    // Independent check of the IRLS fixed point: Σ xᵢ ψ(rᵢ/s) = 0 with s = MAD(r)/0.6745.
    let rows = data(8);
    let f = fit(
        &rows,
        &two_terms(),
        &FitConfig {
            tolerance_db: 1e-10,
            ..config(RobustLoss::HUBER_95)
        },
    )
    .expect("fit");
    let r: Vec<f64> = rows
        .iter()
        .enumerate()
        .map(|(i, m)| m.measured_loss_db() - f.model.predict_loss_db(m, i).expect("no clutter"))
        .collect();
    let mut a: Vec<f64> = r.iter().map(|v| v.abs()).collect();
    a.sort_by(f64::total_cmp);
    let med = 0.5 * (a[a.len() / 2 - 1] + a[a.len() / 2]);
    let s = med / 0.674_489_750_196_081_7;
    let psi = |u: f64| u.clamp(-1.345, 1.345);
    let (mut e0, mut e1) = (0.0, 0.0);
    for (m, ri) in rows.iter().zip(&r) {
        e0 += psi(ri / s);
        e1 += psi(ri / s) * (m.distance_m / 1000.0).log10();
    }
    assert!(e0.abs() < 1e-6 && e1.abs() < 1e-6, "Σψ = {e0}, Σxψ = {e1}");
    assert!((f.scale_db - s).abs() < 1e-9);
}

#[test]
fn least_squares_matches_simple_regression_closed_form() {
    let rows = data(0);
    let f = fit(&rows, &two_terms(), &config(RobustLoss::LeastSquares)).expect("fit");
    assert_eq!(f.iterations, 1);
    let x: Vec<f64> = rows
        .iter()
        .map(|m| (m.distance_m / 1000.0).log10())
        .collect();
    let y: Vec<f64> = rows.iter().map(|m| m.measured_loss_db()).collect();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxx: f64 = x.iter().map(|v| (v - mx).powi(2)).sum();
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let icpt = my - slope * mx;
    let rss: f64 = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (b - icpt - slope * a).powi(2))
        .sum();
    let s2 = rss / (n - 2.0);
    let get = |t: Term| {
        f.coefficients
            .iter()
            .find(|c| c.term == t)
            .copied()
            .expect("term")
    };
    assert!((get(Term::LogDistance).value - slope).abs() < 1e-9);
    assert!((get(Term::Offset).value - icpt).abs() < 1e-9);
    assert!((get(Term::LogDistance).std_error - (s2 / sxx).sqrt()).abs() < 1e-9);
    assert!((get(Term::Offset).std_error - (s2 * (1.0 / n + mx * mx / sxx)).sqrt()).abs() < 1e-9);
    assert!((f.scale_db - s2.sqrt()).abs() < 1e-9);
    // Condition number of [1, x] with unit columns: √((1+c)/(1−c)), c = Σx/(√n·‖x‖).
    let c = x.iter().sum::<f64>() / (n.sqrt() * x.iter().map(|v| v * v).sum::<f64>().sqrt());
    let want = ((1.0 + c) / (1.0 - c)).sqrt();
    assert!(
        (f.condition_number - want).abs() < 1e-8 * want,
        "{} vs {want}",
        f.condition_number
    );
}

#[test]
fn absolute_and_relative_clutter_offsets_are_the_same_model() {
    // Two classes; absolute offsets equal the global offset plus the relative ones.
    let mut g = GaussianSource::new(9);
    let rows: Vec<Measurement> = (0..300)
        .map(|i| {
            let d = 300.0 + 20.0 * i as f64;
            let class = if i % 3 == 0 { 7 } else { 2 };
            let extra = if class == 7 { 9.0 } else { 0.0 };
            let loss = 100.0 + 30.0 * (d / 1000.0).log10() + extra + g.next_standard();
            point(i, d, loss, class)
        })
        .collect();
    let rel = TermSet {
        clutter: ClutterTerms::RelativeTo { reference_class: 2 },
        ..two_terms()
    };
    let abs = TermSet {
        offset: Coef::Fixed(0.0),
        clutter: ClutterTerms::Absolute,
        ..two_terms()
    };
    let cfg = config(RobustLoss::LeastSquares);
    let fr = fit(&rows, &rel, &cfg).expect("relative");
    let fa = fit(&rows, &abs, &cfg).expect("absolute");
    let off = |m: &phusong_engine::calibration::Model, c: u16| {
        m.clutter_offsets_db
            .iter()
            .find(|o| o.class == c)
            .map(|o| o.offset_db)
            .expect("class")
    };
    assert!((off(&fa.model, 2) - fr.model.offset_db).abs() < 1e-8);
    assert!((off(&fa.model, 7) - (fr.model.offset_db + off(&fr.model, 7))).abs() < 1e-8);
    assert!((fa.model.log_distance_db - fr.model.log_distance_db).abs() < 1e-9);
    assert!((off(&fr.model, 7) - 9.0).abs() < 0.5);
    // Predictions agree row by row.
    for (i, m) in rows.iter().enumerate() {
        let a = fa.model.predict_loss_db(m, i).expect("known");
        let r = fr.model.predict_loss_db(m, i).expect("known");
        assert!((a - r).abs() < 1e-8);
    }
}

#[test]
fn orthogonal_design_has_unit_condition_number() {
    // Absolute offsets of two equally populated classes, everything else fixed: the indicator
    // columns are orthogonal with equal norms.
    let rows: Vec<Measurement> = (0..100)
        .map(|i| {
            point(
                i,
                1000.0 + i as f64,
                100.0 + (i % 2) as f64 * 5.0,
                (i % 2) as u16,
            )
        })
        .collect();
    let terms = TermSet {
        offset: Coef::Fixed(0.0),
        log_distance: Coef::Fixed(0.0),
        clutter: ClutterTerms::Absolute,
        ..two_terms()
    };
    let f = fit(&rows, &terms, &config(RobustLoss::LeastSquares)).expect("fit");
    assert!((f.condition_number - 1.0).abs() < 1e-12);
    assert_eq!(f.model.clutter_offsets_db.len(), 2);
    assert!((f.model.clutter_offsets_db[1].offset_db - 105.0).abs() < 1e-9);
}
