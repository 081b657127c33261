//! Path loss of one link under every propagation model phusong has, one row per model, each
//! evaluated through the engine's model abstraction ([`ModelConfig::profile_loss_db`]) exactly as the
//! coverage engine's point evaluation does. The study's own model (from its scenario, with any
//! command-line overrides) is one of the rows; the others use their defaults.

use super::profile::PathProfile;
use phusong_engine::propagation::deygout::{deygout_loss_db, line_of_sight};
use phusong_engine::propagation::free_space::fspl_db;
use phusong_engine::propagation::hata::{Environment, COST231_FROM_MHZ};
use phusong_engine::propagation::itm::{self, PropMode};
use phusong_engine::propagation::models::{
    fspl_deygout::FsplDeygout, hata::Hata, hata_deygout::HataDeygout, LinkSpec, Model, ModelConfig,
    TerrainProfile, KINDS,
};
use phusong_engine::propagation::tr38901::{self, Scenario3gpp};
use serde::Serialize;

/// One model's result. `loss_db` is `None` when the model cannot evaluate this path (the note says
/// why); `rx_power_dbm` is `None` without a transmit power or for a partial loss term.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelLoss {
    pub model: String,
    pub loss_db: Option<f64>,
    pub rx_power_dbm: Option<f64>,
    pub note: Option<String>,
}

/// Everything a model may use about the link.
#[derive(Clone, Debug)]
pub struct LossInputs<'a> {
    pub profile: &'a PathProfile,
    /// Antenna heights above local ground at `from` (the base station) and `to`, m.
    pub from_height_m: f64,
    pub to_height_m: f64,
    pub freq_mhz: f64,
    /// Effective Earth-radius factor of the geometry (line of sight, Deygout term).
    pub k_factor: f64,
    /// The study's model and shared settings (reliability, extra loss).
    pub study: &'a ModelConfig,
}

impl LossInputs<'_> {
    fn link(&self) -> LinkSpec {
        LinkSpec {
            freq_mhz: self.freq_mhz,
            tx_height_m: self.from_height_m,
            rx_height_m: self.to_height_m,
        }
    }

    /// The configuration of `kind`: the study's own, or that kind's defaults with the study's
    /// shared settings, environment and k factor where the kind has them.
    pub fn config_of(&self, kind: &str) -> Option<ModelConfig> {
        if kind == self.study.kind() {
            return Some(self.study.clone());
        }
        let (env, k) = match &self.study.model {
            Model::HataDeygout(m) => (Some(m.environment), m.k_factor),
            Model::Hata(m) => (Some(m.environment), self.k_factor),
            Model::FsplDeygout(m) => (None, m.k_factor),
            _ => (None, self.k_factor),
        };
        let env = env.unwrap_or(Environment::Suburban);
        let model = match Model::default_of(kind)? {
            Model::HataDeygout(m) => Model::HataDeygout(HataDeygout {
                environment: env,
                k_factor: k,
                ..m
            }),
            Model::Hata(m) => Model::Hata(Hata {
                environment: env,
                ..m
            }),
            Model::FsplDeygout(m) => Model::FsplDeygout(FsplDeygout { k_factor: k, ..m }),
            other => other,
        };
        // The study's drive-test calibration was fitted to its own model, not to this one.
        Some(ModelConfig {
            model,
            calibration: Default::default(),
            ..self.study.clone()
        })
    }
}

/// Free-space and Deygout-term rows, then one row per model kind, the study's first.
pub fn model_losses(inputs: &LossInputs, eirp_plus_rx_gain_db: Option<f64>) -> Vec<ModelLoss> {
    let mut kinds: Vec<&str> = vec![inputs.study.kind()];
    kinds.extend(KINDS.iter().copied().filter(|k| *k != inputs.study.kind()));
    let mut rows = vec![free_space(inputs)];
    for kind in kinds {
        if let Some(cfg) = inputs.config_of(kind) {
            rows.push(model_row(inputs, &cfg));
        }
    }
    rows.push(deygout_only(inputs));
    for row in &mut rows {
        if row.model != DEYGOUT_ONLY {
            row.rx_power_dbm = eirp_plus_rx_gain_db.zip(row.loss_db).map(|(p, l)| p - l);
        }
    }
    rows
}

const DEYGOUT_ONLY: &str = "deygout";

fn row(model: &str, loss_db: f64, note: Option<String>) -> ModelLoss {
    ModelLoss {
        model: model.into(),
        loss_db: Some(loss_db),
        rx_power_dbm: None,
        note,
    }
}

/// Free-space basic transmission loss, ITU-R P.525-4 eq. (4).
fn free_space(i: &LossInputs) -> ModelLoss {
    row(
        "free-space",
        fspl_db(i.profile.distance_m, i.freq_mhz),
        None,
    )
}

/// Deygout's multiple knife-edge diffraction alone (Deygout 1966, ≤ 3 edges, ITU-R P.526-15
/// eqs. (26), (31)), with earth curvature: the excess over free space due to terrain.
fn deygout_only(i: &LossInputs) -> ModelLoss {
    let d = deygout_loss_db(
        &i.profile.to_deygout(),
        i.from_height_m,
        i.to_height_m,
        i.freq_mhz,
        i.k_factor,
    );
    row(
        DEYGOUT_ONLY,
        d,
        Some("diffraction excess over free space, not a total loss".into()),
    )
}

/// One model over the profile, through the engine's point evaluation.
fn model_row(i: &LossInputs, cfg: &ModelConfig) -> ModelLoss {
    let p = i.profile;
    let kind = cfg.kind();
    let mut notes = Vec::new();
    if cfg.kind() == i.study.kind() {
        notes.push("the study's model and parameters".to_string());
    }
    notes.push(describe(i, cfg));
    match cfg.profile_loss_db(
        &i.link(),
        &TerrainProfile::from_ground(p.step_m, &p.ground_m),
    ) {
        Ok((loss, _)) => row(kind, loss, Some(notes.join("; "))),
        Err(w) => {
            let why = w.finish().counts.into_keys().collect::<Vec<_>>().join(", ");
            notes.push(format!("refused this link: {why}"));
            ModelLoss {
                model: kind.into(),
                loss_db: None,
                rx_power_dbm: None,
                note: Some(notes.join("; ")),
            }
        }
    }
}

/// What the row's model did on this link: the formula used and where it is extrapolated.
fn describe(i: &LossInputs, cfg: &ModelConfig) -> String {
    match &cfg.model {
        Model::HataDeygout(m) => format!(
            "{}; + {} × deygout",
            hata_note(i, m.environment),
            m.diffraction_weight
        ),
        Model::Hata(m) => hata_note(i, m.environment),
        Model::FsplDeygout(_) => "free space + deygout".into(),
        Model::Itm(m) => itm_note(i, cfg, m),
        Model::P1812(m) => format!(
            "ITU-R P.1812-6, {} % time, {} % locations, σL {}; no clutter on the profile",
            m.time_pct,
            cfg.location_reliability_pct,
            m.sigma_l_db
                .map_or("by §4.7".to_string(), |s| format!("{s} dB"))
        ),
        Model::Rma(_) => tr38901_note(i, Scenario3gpp::RMa),
        Model::Uma(_) => tr38901_note(i, Scenario3gpp::UMa),
    }
}

/// Where the link lies outside the published validity of Hata (150–1500 MHz) / COST-231-Hata
/// (1500–2000 MHz): base height 30–200 m, mobile height 1–10 m, distance 1–20 km.
fn hata_note(i: &LossInputs, env: Environment) -> String {
    let env = match env {
        Environment::Urban => "urban",
        Environment::Suburban => "suburban",
        Environment::Rural => "rural (open area)",
    };
    let name = if i.freq_mhz < COST231_FROM_MHZ {
        "Okumura-Hata"
    } else {
        "COST-231-Hata"
    };
    let mut out = vec![format!(
        "{name}, {env}; from = base station, to = mobile; never below free space"
    )];
    let d_km = i.profile.distance_m / 1000.0;
    if !(1.0..=20.0).contains(&d_km) {
        out.push(format!("distance {d_km:.1} km outside 1–20 km"));
    }
    if !(150.0..=2000.0).contains(&i.freq_mhz) {
        out.push(format!("{} MHz outside 150–2000 MHz", i.freq_mhz));
    }
    if !(30.0..=200.0).contains(&i.from_height_m) {
        out.push(format!(
            "base height {} m outside 30–200 m",
            i.from_height_m
        ));
    }
    if !(1.0..=10.0).contains(&i.to_height_m) {
        out.push(format!(
            "mobile height {} m clamped to 1–10 m",
            i.to_height_m
        ));
    }
    if out.len() > 1 {
        out.insert(1, "extrapolated:".into());
        let head = out[..2].join("; ");
        return format!("{head} {}", out[2..].join(", "));
    }
    out.remove(0)
}

/// ITM's region and warnings on this profile. ITM derives its own effective Earth from the surface
/// refractivity, so `k` does not apply.
fn itm_note(
    i: &LossInputs,
    cfg: &ModelConfig,
    m: &phusong_engine::propagation::models::itm::Itm,
) -> String {
    let p = i.profile;
    let params = m.params(cfg.reliability());
    match itm::p2p(
        i.from_height_m,
        i.to_height_m,
        &p.ground_m,
        p.step_m,
        i.freq_mhz,
        &params,
    ) {
        Ok(r) => {
            // ITM's region follows its smooth-earth horizons, not the terrain clearance above.
            let region = match r.mode {
                PropMode::LineOfSight => "line-of-sight",
                PropMode::Diffraction => "diffraction",
                PropMode::Troposcatter => "troposcatter",
            };
            let mut note = format!(
                "ITM 1.2.2 p2p, {} % of locations, ITM region {region}; own effective earth (k not applied)",
                cfg.location_reliability_pct
            );
            if r.warnings != 0 {
                note.push_str(&format!(
                    "; ITM warnings 0x{:04x} (outside its validated ranges)",
                    r.warnings
                ));
            }
            note
        }
        Err(e) => format!("ITM: {e} (code {})", e.code()),
    }
}

/// TR 38.901 Table 7.4.1-1 (`from` = BS, `to` = UT): LOS or NLOS formula by the terrain line of
/// sight of the profile, and the table's ranges the link is outside.
fn tr38901_note(i: &LossInputs, scenario: Scenario3gpp) -> String {
    let p = i.profile;
    let los = line_of_sight(&p.to_deygout(), i.from_height_m, i.to_height_m, 4.0 / 3.0);
    let mut note = format!(
        "{} formula (terrain line of sight {})",
        if los { "LOS" } else { "NLOS" },
        if los { "clear" } else { "blocked" }
    );
    // Whole metres keep the message readable; validity at ±0.5 m of a limit is moot.
    let (d, hb, hu, f) = (p.distance_m, i.from_height_m, i.to_height_m, i.freq_mhz);
    if let Err(e) = tr38901::check_validity(scenario, d.round(), hb, hu, f, los) {
        note.push_str(&format!("; extrapolated: {e}"));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use phusong_engine::propagation::hata::hata_db;
    use phusong_engine::propagation::itm::ItmParams;

    fn profile(ground_m: Vec<f64>, step_m: f64) -> PathProfile {
        let n = ground_m.len() - 1;
        PathProfile {
            from_xy: (0.0, 0.0),
            to_xy: (step_m * n as f64, 0.0),
            distance_m: step_m * n as f64,
            step_m,
            ground_m,
            void_samples: 0,
        }
    }

    /// Rural Hata + 0.4 × Deygout on a flat earth (k = ∞), so knife edges are exact.
    fn study() -> ModelConfig {
        ModelConfig::of(Model::HataDeygout(HataDeygout {
            environment: Environment::Rural,
            k_factor: f64::INFINITY,
            diffraction_weight: 0.4,
            shadow_sigma_db: None,
        }))
    }

    fn inputs<'a>(p: &'a PathProfile, study: &'a ModelConfig) -> LossInputs<'a> {
        LossInputs {
            profile: p,
            from_height_m: 30.0,
            to_height_m: 30.0,
            freq_mhz: 900.0,
            k_factor: f64::INFINITY,
            study,
        }
    }

    fn get<'a>(rows: &'a [ModelLoss], m: &str) -> &'a ModelLoss {
        rows.iter().find(|r| r.model == m).unwrap()
    }

    #[test]
    fn rows_combine_the_propagation_functions() {
        // 10 km, flat except a knife edge 20 m above the 30 m line at 4 km (λ = 0.3331 m):
        // ν = 20·sqrt(2/0.333103·(1/4000 + 1/6000)) = 20·0.050016 = 1.000321,
        // J = 6.9 + 20 log(sqrt(0.900321² + 1) + 0.900321) = 13.9284 dB.
        let mut g = vec![0.0; 101];
        g[40] = 50.0;
        let p = profile(g, 100.0);
        let st = study();
        let rows = model_losses(&inputs(&p, &st), Some(43.0 + 17.0 + 17.0));
        assert_eq!(rows.len(), KINDS.len() + 2);
        // The study's model comes first after free space, and says so.
        assert_eq!(rows[1].model, "hata-deygout");
        assert!(rows[1]
            .note
            .as_deref()
            .unwrap()
            .contains("the study's model"));
        let fs = fspl_db(10_000.0, 900.0);
        let j = get(&rows, "deygout").loss_db.unwrap();
        assert!((j - 13.9284).abs() < 1e-3, "{j}");
        assert_eq!(get(&rows, "free-space").loss_db, Some(fs));
        assert!((get(&rows, "fspl-deygout").loss_db.unwrap() - (fs + j)).abs() < 1e-9);
        // Rural Hata with the mobile clamped to 10 m (a(10 m) = 21.69 dB) gives ≈ 111.4 dB at
        // 10 km, just under free space (111.5 dB): the row is floored at free space.
        let h = hata_db(900.0, 30.0, 30.0, 10.0, Environment::Rural).max(fs);
        assert_eq!(h, fs);
        assert_eq!(get(&rows, "hata").loss_db, Some(h));
        assert!((get(&rows, "hata-deygout").loss_db.unwrap() - (h + 0.4 * j)).abs() < 1e-9);
        // Received power: 77 dBm of power and gains minus each total loss; none for the
        // diffraction term alone.
        assert_eq!(get(&rows, "free-space").rx_power_dbm, Some(77.0 - fs));
        assert_eq!(get(&rows, "deygout").rx_power_dbm, None);
        // The mobile height 30 m is outside Hata's 1–10 m: the note says so.
        let note = get(&rows, "hata").note.clone().unwrap();
        assert!(
            note.contains("extrapolated") && note.contains("mobile height 30 m"),
            "{note}"
        );
        assert!(!note.contains("distance"), "{note}");
        // ITM over the same profile, with its default parameters, and the received power.
        let itm_row = get(&rows, "itm");
        let want = itm::p2p(30.0, 30.0, &p.ground_m, 100.0, 900.0, &ItmParams::default())
            .unwrap()
            .a_db;
        assert_eq!(itm_row.loss_db, Some(want));
        assert_eq!(itm_row.rx_power_dbm, Some(77.0 - want));
        assert!(want > fs + 3.0, "{want} vs {fs}");
        assert!(itm_row
            .note
            .as_deref()
            .unwrap()
            .starts_with("ITM 1.2.2 p2p"));
        // TR 38.901: the knife edge blocks the line of sight, so the NLOS formulas apply.
        for (m, sc) in [
            ("3gpp-rma", Scenario3gpp::RMa),
            ("3gpp-uma", Scenario3gpp::UMa),
        ] {
            let r = get(&rows, m);
            let want = tr38901::path_loss_db(sc, 10_000.0, 30.0, 30.0, 900.0, false);
            assert_eq!(r.loss_db, Some(want), "{m}");
            let note = r.note.as_deref().unwrap();
            assert!(
                note.starts_with("NLOS formula") && note.contains("h_ut_m"),
                "{note}"
            );
        }
        // No transmit power: no received power anywhere.
        let rows = model_losses(&inputs(&p, &st), None);
        assert!(rows.iter().all(|r| r.rx_power_dbm.is_none()));
    }

    #[test]
    fn the_study_row_uses_the_studys_parameters() {
        let mut g = vec![0.0; 101];
        g[40] = 50.0;
        let p = profile(g, 100.0);
        let st = ModelConfig {
            location_reliability_pct: 90.0,
            extra_loss_db: 3.0,
            ..ModelConfig::of(Model::HataDeygout(HataDeygout {
                diffraction_weight: 0.8,
                ..Default::default()
            }))
        };
        let rows = model_losses(&inputs(&p, &st), None);
        let link = LinkSpec {
            freq_mhz: 900.0,
            tx_height_m: 30.0,
            rx_height_m: 30.0,
        };
        let (want, _) = st
            .profile_loss_db(&link, &TerrainProfile::from_ground(100.0, &p.ground_m))
            .unwrap();
        assert_eq!(get(&rows, "hata-deygout").loss_db, Some(want));
        // Other kinds share the reliability and extra loss: hata = hata-deygout minus its term.
        let median = ModelConfig {
            location_reliability_pct: 50.0,
            extra_loss_db: 0.0,
            ..st.clone()
        };
        let (m50, _) = median
            .profile_loss_db(&link, &TerrainProfile::from_ground(100.0, &p.ground_m))
            .unwrap();
        assert!((want - m50 - 3.0 - 8.0 * 1.2815515655446004).abs() < 1e-9);
        assert!(get(&rows, "hata").loss_db.unwrap() < want);
    }

    #[test]
    fn clear_path_has_no_diffraction_and_notes_stay_quiet_in_range() {
        let p = profile(vec![0.0; 51], 100.0);
        let st = study();
        let mut i = inputs(&p, &st);
        i.to_height_m = 10.0;
        let rows = model_losses(&i, None);
        assert_eq!(get(&rows, "deygout").loss_db, Some(0.0));
        assert_eq!(
            get(&rows, "fspl-deygout").loss_db,
            get(&rows, "free-space").loss_db
        );
        let note = get(&rows, "hata").note.clone().unwrap();
        assert!(!note.contains("extrapolated"), "{note}");
        assert!(note.starts_with("Okumura-Hata, rural"), "{note}");
        // A clear 5 km path with a 30 m BS and a 10 m UT at 900 MHz lies inside RMa's LOS ranges.
        let rma = get(&rows, "3gpp-rma");
        assert_eq!(
            rma.note.as_deref(),
            Some("LOS formula (terrain line of sight clear)")
        );
        let want = tr38901::path_loss_db(Scenario3gpp::RMa, 5000.0, 30.0, 10.0, 900.0, true);
        assert_eq!(rma.loss_db, Some(want));
    }

    #[test]
    fn itm_refusal_is_a_row_without_loss() {
        // 30 GHz is above ITM's 20 GHz limit (error code 1009): the other models still report.
        let p = profile(vec![0.0; 51], 100.0);
        let st = study();
        let mut i = inputs(&p, &st);
        i.freq_mhz = 30_000.0;
        let rows = model_losses(&i, Some(50.0));
        let r = get(&rows, "itm");
        assert_eq!((r.loss_db, r.rx_power_dbm), (None, None));
        let note = r.note.as_deref().unwrap();
        assert!(
            note.contains("20000 MHz") && note.contains("1009"),
            "{note}"
        );
        assert!(get(&rows, "free-space").rx_power_dbm.is_some());
    }
}
