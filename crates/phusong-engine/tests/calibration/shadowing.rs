//! (b) Gudmundson shadowing: empirical autocorrelation and σ against the model
//! R(Δx) = σ²·exp(−|Δx|/d_corr), and the synthetic-RSRP generator built on it.

use crate::common;

use phusong_engine::calibration::{
    gudmundson_shadowing_db, synthesize_rsrp, GaussianSource, Measurement, ShadowingConfig,
};

fn autocorrelation(x: &[f64], lag: usize) -> f64 {
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let den: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    let num: f64 = (0..n - lag)
        .map(|i| (x[i] - mean) * (x[i + lag] - mean))
        .sum();
    num / den
}

#[test]
fn autocorrelation_and_sigma_match_the_exponential_model() {
    let (sigma, d_corr, step) = (6.0, 50.0, 5.0);
    let n = 200_000; // 1000 km of route
    let pos: Vec<f64> = (0..n).map(|i| i as f64 * step).collect();
    let x = gudmundson_shadowing_db(&pos, sigma, d_corr, &mut GaussianSource::new(11)).expect("ok");
    let mean = x.iter().sum::<f64>() / n as f64;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    // Sampling sd of σ̂ ≈ σ·√((1+φ²)/(2n(1−φ²))) ≈ 0.03 dB; of r(k) by Bartlett ≈ 0.006–0.007.
    assert!((sd - sigma).abs() < 0.15, "σ̂ = {sd}");
    assert!(mean.abs() < 0.3, "mean {mean}");
    let r1 = autocorrelation(&x, (d_corr / step) as usize);
    let r2 = autocorrelation(&x, (2.0 * d_corr / step) as usize);
    assert!((r1 - (-1.0f64).exp()).abs() < 0.03, "r(d_corr) = {r1}");
    assert!((r2 - (-2.0f64).exp()).abs() < 0.03, "r(2 d_corr) = {r2}");
    // Lag-one correlation is the AR coefficient exp(−step/d_corr).
    let r_step = autocorrelation(&x, 1);
    assert!(
        (r_step - (-step / d_corr).exp()).abs() < 0.01,
        "r(step) = {r_step}"
    );
}

#[test]
fn uneven_steps_keep_the_exponential_correlation() {
    // Many independent short routes with uneven point spacing; correlation across replicas.
    let (sigma, d_corr) = (8.0, 50.0);
    let pos = [0.0, 17.0, 50.0, 63.0, 100.0, 100.0];
    let reps = 40_000;
    let mut g = GaussianSource::new(5);
    let runs: Vec<Vec<f64>> = (0..reps)
        .map(|_| gudmundson_shadowing_db(&pos, sigma, d_corr, &mut g).expect("ok"))
        .collect();
    let corr = |a: usize, b: usize| {
        let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
        for r in &runs {
            sab += r[a] * r[b];
            saa += r[a] * r[a];
            sbb += r[b] * r[b];
        }
        sab / (saa * sbb).sqrt()
    };
    for (a, b) in [(0, 2), (0, 4), (1, 3), (1, 2), (2, 4)] {
        let want = (-(pos[b] - pos[a]) / d_corr).exp();
        let got = corr(a, b);
        assert!(
            (got - want).abs() < 0.025,
            "corr({a},{b}) = {got}, want {want}"
        );
    }
    for k in 0..pos.len() {
        let var = runs.iter().map(|r| r[k] * r[k]).sum::<f64>() / reps as f64;
        assert!(
            (var.sqrt() - sigma).abs() < 0.15,
            "σ at point {k}: {}",
            var.sqrt()
        );
    }
    // Two samples at the same position are the same value.
    assert!(runs.iter().all(|r| r[4] == r[5]));
}

fn straight_route(site_id: u32, n: usize) -> Vec<Measurement> {
    (0..n)
        .map(|i| Measurement {
            site_id,
            cell_id: 0,
            distance_m: 500.0 + 10.0 * i as f64,
            eff_height_m: 30.0,
            diffraction_db: 0.0,
            clutter_class: 1,
            antenna_gain_db: 15.0,
            antenna_peak_gain_db: 17.0,
            rs_power_dbm: 18.0,
            rsrp_dbm: 0.0,
            x_m: 500.0 + 10.0 * i as f64,
            y_m: f64::from(site_id) * 1e5,
            censored: true,
        })
        .collect()
}

#[test]
fn synthetic_rsrp_is_model_plus_shadowing_and_deterministic() {
    let model = common::truth(120.0);
    let mut route = straight_route(1, 3000);
    route.extend(straight_route(2, 3000));
    let quiet = ShadowingConfig {
        sigma_db: 0.0,
        decorrelation_m: 50.0,
        noise_sigma_db: 0.0,
        seed: 1,
    };
    let exact = synthesize_rsrp(&model, &route, &quiet).expect("ok");
    for (i, m) in exact.iter().enumerate() {
        let want = m.rs_power_dbm + m.antenna_gain_db - model.predict_loss_db(m, i).expect("class");
        assert!((m.rsrp_dbm - want).abs() < 1e-9);
        assert!(!m.censored);
    }
    let cfg = ShadowingConfig {
        sigma_db: 6.0,
        decorrelation_m: 50.0,
        noise_sigma_db: 1.0,
        seed: 42,
    };
    let a = synthesize_rsrp(&model, &route, &cfg).expect("ok");
    let b = synthesize_rsrp(&model, &route, &cfg).expect("ok");
    assert!(a
        .iter()
        .zip(&b)
        .all(|(p, q)| p.rsrp_dbm.to_bits() == q.rsrp_dbm.to_bits()));
    let c = synthesize_rsrp(&model, &route, &ShadowingConfig { seed: 43, ..cfg }).expect("ok");
    assert!(a.iter().zip(&c).any(|(p, q)| p.rsrp_dbm != q.rsrp_dbm));
    // Deviation from the model: σ_eff = √(6² + 1²); the two links are independent.
    let dev: Vec<f64> = a
        .iter()
        .zip(&exact)
        .map(|(p, q)| q.rsrp_dbm - p.rsrp_dbm)
        .collect();
    let (l1, l2) = dev.split_at(3000);
    let rms = (dev.iter().map(|v| v * v).sum::<f64>() / dev.len() as f64).sqrt();
    // 60 km of route, ~600 independent shadowing samples: sd of the RMS ≈ 0.2 dB.
    assert!((rms - 37f64.sqrt()).abs() < 0.8, "rms {rms}");
    let cross: f64 = l1.iter().zip(l2).map(|(p, q)| p * q).sum::<f64>() / 3000.0 / 37.0;
    assert!(cross.abs() < 0.2, "cross-link correlation {cross}");
    // Noise is independent per point: lag-1 (10 m) correlation is exp(−10/50)·36/37, not 1.
    let lag1 = autocorrelation(l1, 1);
    assert!(
        (lag1 - (-0.2f64).exp() * 36.0 / 37.0).abs() < 0.06,
        "lag-1 {lag1}"
    );
}
