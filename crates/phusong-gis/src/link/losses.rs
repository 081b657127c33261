//! Path loss of one link under every propagation model phusong has, one row per model.
//!
//! Each model is one function `fn(&LossInputs) -> ModelLoss` listed in [`MODELS`]; adding a model
//! is adding one entry there.

use super::profile::PathProfile;
use crate::propagation::deygout::{deygout_loss_db, line_of_sight};
use crate::propagation::free_space::fspl_db;
use crate::propagation::hata::{Environment, COST231_FROM_MHZ};
use crate::propagation::itm::{self, ItmParams, PropMode};
use crate::propagation::model::{ModelKind, ModelParams};
use crate::propagation::tr38901::{self, Scenario3gpp};
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
    /// Antenna heights above local ground at `from` (Hata's base station) and `to`, m.
    pub from_height_m: f64,
    pub to_height_m: f64,
    pub freq_mhz: f64,
    /// Effective Earth-radius factor.
    pub k_factor: f64,
    /// Hata environment correction.
    pub environment: Environment,
    /// Weight of the Deygout term added to Hata, as in the coverage engine's `hata-deygout`.
    pub diffraction_weight: f64,
}

/// A model: its name and its loss for a link (without the received-power column).
pub type ModelFn = fn(&LossInputs) -> ModelLoss;

/// Every model evaluated by [`model_losses`], in output order.
pub const MODELS: &[ModelFn] = &[
    free_space,
    free_space_deygout,
    hata,
    hata_deygout,
    deygout_only,
    longley_rice,
    tr38901_rma,
    tr38901_uma,
];

/// Runs every model of [`MODELS`]; with `eirp_plus_rx_gain_db` (transmit power + both antenna
/// gains, dBm) each total loss also gets a received power = that − loss.
pub fn model_losses(inputs: &LossInputs, eirp_plus_rx_gain_db: Option<f64>) -> Vec<ModelLoss> {
    MODELS
        .iter()
        .map(|m| {
            let mut row = m(inputs);
            if row.rx_power_dbm.is_none() && !is_partial(&row.model) {
                row.rx_power_dbm = eirp_plus_rx_gain_db.zip(row.loss_db).map(|(p, l)| p - l);
            }
            row
        })
        .collect()
}

const DEYGOUT_ONLY: &str = "deygout";

/// Rows whose loss is a term to add to another model, not a total path loss.
fn is_partial(model: &str) -> bool {
    model == DEYGOUT_ONLY
}

fn row(model: &str, loss_db: f64, note: Option<String>) -> ModelLoss {
    ModelLoss {
        model: model.into(),
        loss_db: Some(loss_db),
        rx_power_dbm: None,
        note,
    }
}

fn diffraction_db(i: &LossInputs) -> f64 {
    deygout_loss_db(
        &i.profile.to_deygout(),
        i.from_height_m,
        i.to_height_m,
        i.freq_mhz,
        i.k_factor,
    )
}

/// Free-space basic transmission loss, ITU-R P.525-4 eq. (4).
fn free_space(i: &LossInputs) -> ModelLoss {
    row(
        "free-space",
        fspl_db(i.profile.distance_m, i.freq_mhz),
        None,
    )
}

/// Free space plus the full Deygout diffraction over the profile: the physical lower bound of loss
/// over terrain (the coverage engine's `fspl-deygout`).
fn free_space_deygout(i: &LossInputs) -> ModelLoss {
    let fs = fspl_db(i.profile.distance_m, i.freq_mhz);
    row("free-space+deygout", fs + diffraction_db(i), None)
}

fn hata_params(i: &LossInputs, kind: ModelKind) -> ModelParams {
    ModelParams {
        kind,
        environment: i.environment,
        k_factor: i.k_factor,
        diffraction_weight: i.diffraction_weight,
        extra_loss_db: 0.0,
        // Median (50 % of locations): no shadowing margin.
        ..ModelParams::default()
    }
}

/// Where the link lies outside the published validity of Hata (150–1500 MHz) / COST-231-Hata
/// (1500–2000 MHz): base height 30–200 m, mobile height 1–10 m, distance 1–20 km.
fn hata_note(i: &LossInputs) -> String {
    let env = match i.environment {
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

/// Okumura-Hata / COST-231-Hata by band (terrain ignored), the coverage engine's `hata`.
fn hata(i: &LossInputs) -> ModelLoss {
    let p = hata_params(i, ModelKind::Hata);
    let loss = p.base_loss_db(
        i.freq_mhz,
        i.from_height_m,
        i.to_height_m,
        i.profile.distance_m,
    );
    row("hata", loss, Some(hata_note(i)))
}

/// Hata plus the weighted Deygout diffraction, exactly as the coverage engine's `hata-deygout`.
fn hata_deygout(i: &LossInputs) -> ModelLoss {
    let p = hata_params(i, ModelKind::HataDeygout);
    let loss = p.base_loss_db(
        i.freq_mhz,
        i.from_height_m,
        i.to_height_m,
        i.profile.distance_m,
    ) + i.diffraction_weight * diffraction_db(i);
    let note = format!(
        "hata + {} × deygout (the coverage engine's hata-deygout)",
        i.diffraction_weight
    );
    row("hata+deygout", loss, Some(note))
}

/// Deygout's multiple knife-edge diffraction alone (Deygout 1966, ≤ 3 edges, ITU-R P.526-15
/// eqs. (26), (31)), with earth curvature: the excess over free space due to terrain.
fn deygout_only(i: &LossInputs) -> ModelLoss {
    row(
        DEYGOUT_ONLY,
        diffraction_db(i),
        Some("diffraction excess over free space, not a total loss".into()),
    )
}

/// ITM (Longley-Rice) point-to-point over the profile with [`ItmParams::default`]: continental
/// temperate climate, N₀ = 301, ε = 15, σ = 0.005 S/m, vertical polarisation, 50 % time,
/// location and situation. ITM derives its own effective Earth from the surface refractivity, so
/// `--k-factor` does not apply; inputs ITM refuses leave the loss empty with ITM's message.
fn longley_rice(i: &LossInputs) -> ModelLoss {
    let p = i.profile;
    let params = ItmParams::default();
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
                "ITM 1.2.2 p2p, median, ITM region {region}; own effective earth (k not applied)"
            );
            if r.warnings != 0 {
                note.push_str(&format!(
                    "; ITM warnings 0x{:04x} (outside its validated ranges)",
                    r.warnings
                ));
            }
            row("itm", r.a_db, Some(note))
        }
        Err(e) => ModelLoss {
            model: "itm".into(),
            loss_db: None,
            rx_power_dbm: None,
            note: Some(format!("ITM refused this link: {e} (code {})", e.code())),
        },
    }
}

/// 3GPP TR 38.901 Table 7.4.1-1 path loss (`from` = BS, `to` = UT), LOS or NLOS formula by the
/// terrain line of sight of the profile; the note lists the table's ranges the link is outside.
fn tr38901_row(i: &LossInputs, scenario: Scenario3gpp, model: &str) -> ModelLoss {
    let p = i.profile;
    let los = line_of_sight(&p.to_deygout(), i.from_height_m, i.to_height_m, i.k_factor);
    let (d, hb, hu, f) = (p.distance_m, i.from_height_m, i.to_height_m, i.freq_mhz);
    let loss = tr38901::path_loss_db(scenario, d, hb, hu, f, los);
    let mut note = format!(
        "{} formula (terrain line of sight {})",
        if los { "LOS" } else { "NLOS" },
        if los { "clear" } else { "blocked" }
    );
    // Whole metres keep the message readable; validity at ±0.5 m of a limit is moot.
    if let Err(e) = tr38901::check_validity(scenario, d.round(), hb, hu, f, los) {
        note.push_str(&format!("; extrapolated: {e}"));
    }
    row(model, loss, Some(note))
}

/// TR 38.901 rural macro (RMa).
fn tr38901_rma(i: &LossInputs) -> ModelLoss {
    tr38901_row(i, Scenario3gpp::RMa, "3gpp-rma")
}

/// TR 38.901 urban macro (UMa).
fn tr38901_uma(i: &LossInputs) -> ModelLoss {
    tr38901_row(i, Scenario3gpp::UMa, "3gpp-uma")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::hata::hata_db;

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

    fn inputs(p: &PathProfile) -> LossInputs<'_> {
        LossInputs {
            profile: p,
            from_height_m: 30.0,
            to_height_m: 30.0,
            freq_mhz: 900.0,
            k_factor: f64::INFINITY,
            environment: Environment::Rural,
            diffraction_weight: 0.4,
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
        let rows = model_losses(&inputs(&p), Some(43.0 + 17.0 + 17.0));
        assert_eq!(rows.len(), MODELS.len());
        let fs = fspl_db(10_000.0, 900.0);
        let j = get(&rows, "deygout").loss_db.unwrap();
        assert!((j - 13.9284).abs() < 1e-3, "{j}");
        assert_eq!(get(&rows, "free-space").loss_db, Some(fs));
        assert!((get(&rows, "free-space+deygout").loss_db.unwrap() - (fs + j)).abs() < 1e-9);
        // Rural Hata with the mobile clamped to 10 m (a(10 m) = 21.69 dB) gives ≈ 111.4 dB at
        // 10 km, just under free space (111.5 dB): the row is floored at free space.
        let h = hata_db(900.0, 30.0, 30.0, 10.0, Environment::Rural).max(fs);
        assert_eq!(h, fs);
        assert_eq!(get(&rows, "hata").loss_db, Some(h));
        assert!((get(&rows, "hata+deygout").loss_db.unwrap() - (h + 0.4 * j)).abs() < 1e-9);
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
        // A knife edge 20 m into the line costs ITM more than free space.
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
        let rows = model_losses(&inputs(&p), None);
        assert!(rows.iter().all(|r| r.rx_power_dbm.is_none()));
    }

    #[test]
    fn clear_path_has_no_diffraction_and_notes_stay_quiet_in_range() {
        let p = profile(vec![0.0; 51], 100.0);
        let mut i = inputs(&p);
        i.to_height_m = 10.0;
        let rows = model_losses(&i, None);
        assert_eq!(get(&rows, "deygout").loss_db, Some(0.0));
        assert_eq!(
            get(&rows, "free-space+deygout").loss_db,
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
        let mut i = inputs(&p);
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
