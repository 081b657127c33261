use super::*;
use crate::propagation::deygout::{deygout_loss_db, Profile};
use crate::propagation::free_space::fspl_db;
use crate::propagation::hata::Environment;

const LINK: LinkSpec = LinkSpec {
    freq_mhz: 900.0,
    tx_height_m: 30.0,
    rx_height_m: 1.5,
};

fn with(model: Model, rel: f64) -> ModelConfig {
    ModelConfig {
        model,
        location_reliability_pct: rel,
        extra_loss_db: 0.0,
        calibration: Default::default(),
    }
}

#[test]
fn range_inverts_base_loss() {
    let m = ModelConfig::default();
    let r = m.range_m(&LINK, 150.0, 60_000.0);
    assert!((m.base_loss_db(&LINK, r) - 150.0).abs() < 0.01);
    assert!(m.base_loss_db(&LINK, r * 1.1) > 150.0);
}

#[test]
fn base_loss_never_below_free_space() {
    let m = ModelConfig::of(Model::HataDeygout(hata_deygout::HataDeygout {
        environment: Environment::Rural,
        ..Default::default()
    }));
    let link = LinkSpec {
        freq_mhz: 1800.0,
        tx_height_m: 40.0,
        ..LINK
    };
    for d in [10.0, 100.0, 500.0, 5_000.0, 50_000.0] {
        assert!(m.base_loss_db(&link, d) >= fspl_db(d, 1800.0) - 1e-9);
    }
}

#[test]
fn reliability_adds_sigma_times_normal_quantile() {
    // Φ⁻¹(0.9) = 1.2815515655446004 (independent: tables of the normal distribution).
    let z90 = 1.2815515655446004;
    let at = |m: Model, rel: f64| with(m, rel).base_loss_db(&LINK, 5_000.0);
    let hata = || Model::Hata(Default::default());
    let d = at(hata(), 90.0) - at(hata(), 50.0);
    assert!((d - 8.0 * z90).abs() < 1e-9, "{d}");
    let six = || {
        Model::Hata(hata::Hata {
            shadow_sigma_db: Some(6.0),
            ..Default::default()
        })
    };
    let d6 = at(six(), 95.0) - at(six(), 50.0);
    assert!((d6 - 6.0 * 1.6448536269514722).abs() < 1e-9, "{d6}");
    // RMa NLOS σ_SF = 8 dB (TR 38.901 Table 7.4.1-1).
    let rma = || Model::Rma(Default::default());
    let dr = at(rma(), 90.0) - at(rma(), 50.0);
    assert!((dr - 8.0 * z90).abs() < 1e-9, "{dr}");
    // ITM: its own location variability, σ_L = 10 kΔh/(kΔh + 13) with Δh(d) from 90 m terrain;
    // A&S 26.2.23 inside ITM approximates z to 4.5e-4.
    let itm = || Model::Itm(Default::default());
    let di = at(itm(), 90.0) - at(itm(), 50.0);
    let k = 900.0 / 47.7;
    let dh = 90.0 * (1.0 - 0.8 * (-5_000.0f64 / 50e3).exp());
    let sigma_l = 10.0 * k * dh / (k * dh + 13.0);
    assert!(
        (di - sigma_l * z90).abs() < 0.01,
        "{di} vs {}",
        sigma_l * z90
    );
}

#[test]
fn toml_tables_parse_per_model_and_refuse_other_models_keys() {
    let parse = |t: &str| toml::from_str::<ModelConfig>(t);
    let m = parse("kind = \"itm\"\nclimate = \"maritime-subtropical\"\nn0 = 350\nlocation_reliability_pct = 90.0\n").unwrap();
    match &m.model {
        Model::Itm(i) => {
            assert_eq!(
                i.climate,
                crate::propagation::itm::Climate::MaritimeSubtropical
            );
            assert_eq!(i.n0, 350.0);
            assert_eq!(i.params(m.reliability()).location_pct, 90.0);
        }
        other => panic!("{other:?}"),
    }
    // Kind defaults to hata-deygout; its own keys are accepted.
    let d = parse("diffraction_weight = 0.5\n").unwrap();
    assert_eq!(d.kind(), "hata-deygout");
    // A key of another model is refused, naming it.
    let e = parse("kind = \"hata\"\ndiffraction_weight = 0.5\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("diffraction_weight"), "{e}");
    let e = parse("kind = \"itm\"\nclimat = \"desert\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("climat"), "{e}");
    let e = parse("kind = \"okumura\"\n").unwrap_err().to_string();
    assert!(e.contains("okumura"), "{e}");
    assert!(parse("kind = \"3gpp-rma\"\n").unwrap().model == Model::Rma(Default::default()));
    // Round trip through serialisation.
    let text = toml::to_string(&m).unwrap();
    assert_eq!(parse(&text).unwrap(), m);
}

#[test]
fn out_of_range_fields_are_named_with_the_key() {
    let cases: Vec<(ModelConfig, &str)> = vec![
        (
            ModelConfig::of(Model::HataDeygout(hata_deygout::HataDeygout {
                diffraction_weight: 5.0,
                ..Default::default()
            })),
            "coverage.model.diffraction_weight",
        ),
        (
            ModelConfig::of(Model::HataDeygout(hata_deygout::HataDeygout {
                diffraction_weight: f64::NAN,
                ..Default::default()
            })),
            "coverage.model.diffraction_weight",
        ),
        (
            ModelConfig::of(Model::FsplDeygout(fspl_deygout::FsplDeygout {
                k_factor: 0.0,
                ..Default::default()
            })),
            "coverage.model.k_factor",
        ),
        (
            with(Model::default(), 100.0),
            "coverage.model.location_reliability_pct",
        ),
        (
            ModelConfig {
                extra_loss_db: f64::INFINITY,
                ..Default::default()
            },
            "coverage.model.extra_loss_db",
        ),
        (
            ModelConfig::of(Model::Itm(itm::Itm {
                n0: 100.0,
                ..Default::default()
            })),
            "coverage.model.n0",
        ),
        (
            ModelConfig::of(Model::Itm(itm::Itm {
                mdvar: 5,
                ..Default::default()
            })),
            "coverage.model.mdvar",
        ),
        (
            ModelConfig::of(Model::Uma(tr38901::Uma {
                shadow_sigma_db: Some(-1.0),
            })),
            "coverage.model.shadow_sigma_db",
        ),
    ];
    for (m, key) in cases {
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains(key), "{e} lacks {key}");
    }
    for kind in KINDS {
        ModelConfig::of(Model::default_of(kind).unwrap())
            .validate()
            .unwrap();
    }
}

#[test]
fn profile_loss_of_hata_deygout_is_hata_plus_weighted_deygout() {
    // Independent reference: Hata from its formula plus 0.4 × the reference Deygout over the profile.
    let ground: Vec<f64> = (0..=40)
        .map(|i| if i == 20 { 180.0 } else { 20.0 + (i as f64) })
        .collect();
    let step = 100.0;
    let m = ModelConfig::default();
    let (l, _) = m
        .profile_loss_db(&LINK, &TerrainProfile::from_ground(step, &ground))
        .unwrap();
    let d = step * 40.0;
    let hata =
        crate::propagation::hata::hata_db(900.0, 30.0, 1.5, d / 1000.0, Environment::Suburban)
            .max(fspl_db(d, 900.0));
    let p = Profile {
        step_m: step,
        ground_m: ground.clone(),
    };
    let dey = deygout_loss_db(&p, 30.0, 1.5, 900.0, 4.0 / 3.0);
    assert!(dey > 5.0, "ridge must obstruct: {dey}");
    assert!(
        (l - (hata + 0.4 * dey)).abs() < 1e-6,
        "{l} vs {}",
        hata + 0.4 * dey
    );
}

#[test]
fn validity_warnings_are_counted_and_itm_refusals_reported() {
    // Hata at 500 m: below its 1–20 km distance range; one point-to-point evaluation.
    let m = ModelConfig::of(Model::Hata(Default::default()));
    let (_, w) = m
        .profile_loss_db(&LINK, &TerrainProfile::from_ground(100.0, &[0.0; 6]))
        .unwrap();
    assert_eq!(w.evaluations, 1);
    assert_eq!(w.count(Warning::HataDistance), 1);
    // Along a radial every sample is evaluated: 15 samples at 100 m, 9 of them under 1 km.
    let table = m.loss_table(&LINK, 100.0, 15);
    let mut walker = table.walker(0.0);
    for _ in 0..15 {
        walker.step(&ProfilePoint::ground(0.0));
    }
    assert_eq!(walker.warnings().evaluations, 15);
    assert_eq!(walker.warnings().count(Warning::HataDistance), 9);
    // ITM refuses a 0.2 m receiver (NTIA error 1001): an error, not a silent value.
    let low = LinkSpec {
        rx_height_m: 0.2,
        ..LINK
    };
    let itm = ModelConfig::of(Model::Itm(Default::default()));
    let e = itm
        .profile_loss_db(&low, &TerrainProfile::from_ground(100.0, &[0.0; 30]))
        .unwrap_err();
    assert_eq!(e.count(Warning::ItmError(1001)), 1);
    assert_eq!(e.refusals(), 1);
    let named = e.finish();
    assert_eq!(named.counts["itm: error 1001 (path refused, no value)"], 1);
}

/// Every model kind, with its defaults.
fn all_kinds() -> Vec<Model> {
    KINDS.iter().filter_map(|k| Model::default_of(k)).collect()
}

/// A hilly 10 km profile at 100 m steps (so Deygout and ITM see obstacles).
fn hilly_profile() -> TerrainProfile {
    let ground: Vec<f64> = (0..=100)
        .map(|k| 50.0 + 80.0 * (k as f64 * 0.21).sin() + 0.5 * k as f64)
        .collect();
    TerrainProfile::from_ground(100.0, &ground)
}

#[test]
fn zero_calibration_changes_no_loss_and_is_not_written() {
    for model in all_kinds() {
        let m = with(model, 90.0);
        assert!(m.calibration.is_zero());
        // The table without the correction term, as it was computed before the term existed.
        let table = m.loss_table(&LINK, 90.0, 50);
        let dynm = m.model.as_dyn();
        for (k, v) in table.nlos_db.iter().enumerate() {
            let d = (k as f64 * 90.0).max(45.0);
            let want = dynm.terrain_free_db(&LINK, d, false)
                + m.extra_loss_db
                + m.margin_db(&LINK, d, false);
            assert_eq!(v.to_bits(), want.to_bits(), "{} at sample {k}", m.kind());
        }
        let text = toml::to_string(&m).unwrap();
        assert!(!text.contains("calibration"), "{text}");
        // An explicit zero table reads back as the default.
        let explicit = format!("{text}\n[calibration]\noffset_db = 0.0\n");
        assert_eq!(toml::from_str::<ModelConfig>(&explicit).unwrap(), m);
    }
}

#[test]
fn calibration_adds_offset_slope_and_height_terms_to_every_model() {
    let c = Calibration {
        offset_db: -4.5,
        log_distance_db_per_decade: 7.0,
        log_height_db_per_decade: -3.0,
    };
    let p = hilly_profile();
    for model in all_kinds() {
        let plain = ModelConfig::of(model.clone());
        let fitted = ModelConfig {
            calibration: c,
            ..plain.clone()
        };
        for n in [3usize, 20, 100] {
            let sub = TerrainProfile {
                step_m: p.step_m,
                points: p.points[..=n].to_vec(),
            };
            let (a, _) = plain.profile_loss_db(&LINK, &sub).unwrap();
            let (b, _) = fitted.profile_loss_db(&LINK, &sub).unwrap();
            let d_km = n as f64 * p.step_m / 1000.0;
            // Independent evaluation of ΔL = K1 + K2·log10(d/1 km) + K3·log10(30 m).
            let want = -4.5 + 7.0 * d_km.log10() - 3.0 * 30f64.log10();
            assert!((b - a - want).abs() < 1e-9, "{} at {d_km} km", plain.kind());
            let base = fitted.base_loss_db(&LINK, d_km * 1000.0)
                - plain.base_loss_db(&LINK, d_km * 1000.0);
            assert!((base - want).abs() < 1e-9);
        }
    }
    // Written as a table and read back; out-of-range terms are named with their unit.
    let m = ModelConfig {
        calibration: c,
        ..Default::default()
    };
    let text = toml::to_string(&m).unwrap();
    assert!(text.contains("[calibration]"), "{text}");
    assert_eq!(toml::from_str::<ModelConfig>(&text).unwrap(), m);
    let bad = ModelConfig {
        calibration: Calibration {
            log_distance_db_per_decade: 90.0,
            ..c
        },
        ..Default::default()
    };
    let e = bad.validate().unwrap_err().to_string();
    assert!(
        e.contains("coverage.model.calibration.log_distance_db_per_decade")
            && e.contains("dB/decade"),
        "{e}"
    );
    let e = toml::from_str::<ModelConfig>("[calibration]\noffset = 3.0\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("offset"), "{e}");
}
