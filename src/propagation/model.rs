//! The path-loss model a study uses, and the walker that evaluates it along a radial.
//!
//! Models: Okumura-Hata / COST-231 with weighted Deygout terrain diffraction (the default), free space
//! with Deygout, Hata alone, Longley-Rice (ITM) over the terrain profile, and 3GPP TR 38.901 RMa / UMa
//! with line of sight decided by the terrain. Location reliability above 50 % adds σ·Φ⁻¹(r) of
//! log-normal shadowing to the statistical models and moves ITM to the requested location quantile
//! through ITM's own location variability.

use crate::propagation::free_space::fspl_db;
use crate::propagation::hata::{hata_db, Environment};
use crate::propagation::itm::{self, ItmParams, Siting};
use crate::propagation::radial::RadialWalker;
use crate::propagation::reliability::normal_quantile;
use crate::propagation::tr38901::{self, Scenario3gpp};
use serde::{Deserialize, Serialize};

/// Which model computes path loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Okumura-Hata / COST-231-Hata by band (never below free space) plus Deygout terrain diffraction
    /// over the profile (earth curvature included), weighted by `diffraction_weight`.
    #[default]
    HataDeygout,
    /// Free-space loss plus Deygout terrain diffraction: the physical lower bound of loss over terrain.
    #[serde(rename = "fspl-deygout")]
    FreeSpaceDeygout,
    /// Okumura-Hata / COST-231-Hata alone (terrain ignored).
    Hata,
    /// Longley-Rice ITM point-to-point over the DEM profile from the site to each location
    /// (`[coverage.model.itm]` sets climate, ground and variability).
    Itm,
    /// 3GPP TR 38.901 rural macro (RMa): LOS formula where the terrain leaves line of sight, NLOS
    /// elsewhere.
    #[serde(rename = "3gpp-rma")]
    Rma,
    /// 3GPP TR 38.901 urban macro (UMa), LOS/NLOS by terrain as for RMa.
    #[serde(rename = "3gpp-uma")]
    Uma,
}

/// Parameters of the path-loss model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    pub kind: ModelKind,
    /// Hata environment correction: urban, suburban or rural (open).
    pub environment: Environment,
    /// Effective earth-radius factor k (ITU-R P.453: 4/3 for the standard atmosphere); ITM derives
    /// its own from the surface refractivity.
    pub k_factor: f64,
    /// Weight on the Deygout diffraction loss added to Hata (Hata already contains average obstruction,
    /// so planning tools weight the explicit diffraction term; 1.0 adds it in full).
    pub diffraction_weight: f64,
    /// Extra loss on every path, dB (body loss, clutter, foliage margin).
    pub extra_loss_db: f64,
    /// Location reliability, %: the loss used is the one not exceeded at this share of locations
    /// (50 = median). ITM: its location variability; other models: log-normal shadowing.
    pub location_reliability_pct: f64,
    /// Shadow-fading standard deviation for the statistical models, dB. Default: 8 dB for Hata; the
    /// TR 38.901 Table 7.4.1-1 value (by LOS state) for 3GPP models.
    pub shadow_sigma_db: Option<f64>,
    /// ITM environment (used when `kind = "itm"`); its `location_pct` is ignored in favour of
    /// `location_reliability_pct`.
    pub itm: ItmParams,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            kind: ModelKind::HataDeygout,
            environment: Environment::Suburban,
            k_factor: 4.0 / 3.0,
            diffraction_weight: 0.4,
            extra_loss_db: 0.0,
            location_reliability_pct: 50.0,
            shadow_sigma_db: None,
            itm: ItmParams::default(),
        }
    }
}

/// Shadowing standard deviation of Hata-type models when none is given, dB (a common planning value
/// for macro cells, cf. Jakes 1974).
pub const HATA_SHADOW_SIGMA_DB: f64 = 8.0;

/// Terrain irregularity the terrain-free ITM estimate assumes, m (ITM's "average terrain").
pub const ITM_AREA_DELTA_H_M: f64 = 90.0;

impl ModelParams {
    /// Checks ranges; returns a message naming the bad parameter.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |name: &str, v: f64, want: &str| {
            Err(crate::Error::Config(format!(
                "coverage.model.{name} = {v}: expected {want}"
            )))
        };
        let r = self.location_reliability_pct;
        if !(1.0..=99.9).contains(&r) {
            return bad("location_reliability_pct", r, "1–99.9 %");
        }
        if let Some(s) = self.shadow_sigma_db {
            if !(0.0..=30.0).contains(&s) {
                return bad("shadow_sigma_db", s, "0–30 dB");
            }
        }
        if !(0.5..=10.0).contains(&self.k_factor) {
            return bad("k_factor", self.k_factor, "0.5–10");
        }
        if self.kind == ModelKind::Itm {
            let probe = self.itm_params();
            itm::area(30.0, 1.5, [Siting::Random; 2], 10.0, 90.0, 900.0, &probe)
                .map_err(|e| crate::Error::Config(format!("coverage.model.itm: {e}")))?;
        }
        Ok(())
    }

    /// The ITM parameters used in coverage: `itm` with the location quantile set to the reliability.
    pub fn itm_params(&self) -> ItmParams {
        ItmParams {
            location_pct: self.location_reliability_pct,
            ..self.itm.clone()
        }
    }

    /// Shadowing margin σ·Φ⁻¹(r) for a statistical model, dB (0 for ITM and at 50 %).
    pub fn shadowing_margin_db(
        &self,
        los: bool,
        d_m: f64,
        h_tx_m: f64,
        h_rx_m: f64,
        f: f64,
    ) -> f64 {
        let z = normal_quantile(self.location_reliability_pct / 100.0);
        if z == 0.0 || self.kind == ModelKind::Itm {
            return 0.0;
        }
        let sigma = self
            .shadow_sigma_db
            .unwrap_or_else(|| match self.scenario_3gpp() {
                Some(sc) => tr38901::shadow_sigma_db(sc, los, d_m, h_tx_m, h_rx_m, f),
                None => HATA_SHADOW_SIGMA_DB,
            });
        sigma * z
    }

    /// Human description of how reliability is applied (for summaries).
    pub fn reliability_method(&self) -> String {
        let r = self.location_reliability_pct;
        match self.kind {
            ModelKind::Itm => format!("{r} % of locations through ITM location variability (mdvar {}, time {} %, situation {} %)", self.itm.mdvar, self.itm.time_pct, self.itm.situation_pct),
            _ if r == 50.0 => "50 % of locations (median loss, no shadowing margin)".into(),
            _ => match (self.shadow_sigma_db, self.scenario_3gpp()) {
                (Some(s), _) => format!("{r} % of locations: log-normal shadowing σ = {s} dB"),
                (None, Some(_)) => format!("{r} % of locations: log-normal shadowing with TR 38.901 σ_SF (LOS/NLOS)"),
                (None, None) => format!("{r} % of locations: log-normal shadowing σ = {HATA_SHADOW_SIGMA_DB} dB"),
            },
        }
    }

    fn scenario_3gpp(&self) -> Option<Scenario3gpp> {
        match self.kind {
            ModelKind::Rma => Some(Scenario3gpp::RMa),
            ModelKind::Uma => Some(Scenario3gpp::UMa),
            _ => None,
        }
    }

    /// Loss without terrain at `distance_m`, dB, including the reliability margin: what the model
    /// predicts over average ground (3GPP: NLOS; ITM: area mode over Δh = 90 m). Used for each site's
    /// computed range and to tell terrain shadow from lack of range.
    pub fn base_loss_db(
        &self,
        freq_mhz: f64,
        tx_height_m: f64,
        rx_height_m: f64,
        distance_m: f64,
    ) -> f64 {
        let d = distance_m.max(1.0);
        let fs = fspl_db(d, freq_mhz);
        let hata = || {
            hata_db(
                freq_mhz,
                tx_height_m,
                rx_height_m,
                d / 1000.0,
                self.environment,
            )
            .max(fs)
        };
        let base = match self.kind {
            ModelKind::FreeSpaceDeygout => fs,
            ModelKind::HataDeygout | ModelKind::Hata => hata(),
            ModelKind::Itm => itm::area(
                tx_height_m.clamp(0.5, 3000.0),
                rx_height_m.clamp(0.5, 3000.0),
                [Siting::Random; 2],
                d / 1000.0,
                ITM_AREA_DELTA_H_M,
                freq_mhz,
                &self.itm_params(),
            )
            .map(|r| r.a_db)
            .unwrap_or(fs),
            ModelKind::Rma | ModelKind::Uma => {
                let sc = self.scenario_3gpp().unwrap_or(Scenario3gpp::RMa);
                tr38901::path_loss_db(sc, d, tx_height_m, rx_height_m, freq_mhz, false)
            }
        };
        base + self.extra_loss_db
            + self.shadowing_margin_db(false, d, tx_height_m, rx_height_m, freq_mhz)
    }

    /// Smallest distance (m, ≤ `max_m`) beyond which the base loss exceeds `max_loss_db`.
    pub fn range_m(
        &self,
        freq_mhz: f64,
        tx_height_m: f64,
        rx_height_m: f64,
        max_loss_db: f64,
        max_m: f64,
    ) -> f64 {
        if self.base_loss_db(freq_mhz, tx_height_m, rx_height_m, max_m) <= max_loss_db {
            return max_m;
        }
        let (mut lo, mut hi) = (1.0, max_m);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if self.base_loss_db(freq_mhz, tx_height_m, rx_height_m, mid) <= max_loss_db {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Tables of the terrain-independent part of the loss at samples `k·step_m`, k = 0…n, shared by
    /// every radial of a site.
    pub fn loss_table(
        &self,
        freq_mhz: f64,
        tx_height_m: f64,
        rx_height_m: f64,
        step_m: f64,
        n: usize,
    ) -> LossTable {
        let at = |k: usize, los: bool| {
            let d = (k as f64 * step_m).max(step_m * 0.5);
            match self.scenario_3gpp() {
                Some(sc) => {
                    tr38901::path_loss_db(sc, d, tx_height_m, rx_height_m, freq_mhz, los)
                        + self.extra_loss_db
                        + self.shadowing_margin_db(los, d, tx_height_m, rx_height_m, freq_mhz)
                }
                None if self.kind == ModelKind::Itm => self.extra_loss_db,
                None => self.base_loss_db(freq_mhz, tx_height_m, rx_height_m, d),
            }
        };
        let nlos_db: Vec<f64> = (0..=n).map(|k| at(k, false)).collect();
        let los_db = if self.scenario_3gpp().is_some() {
            (0..=n).map(|k| at(k, true)).collect()
        } else {
            Vec::new()
        };
        LossTable {
            model: self.clone(),
            freq_mhz,
            tx_height_m,
            rx_height_m,
            step_m,
            los_db,
            nlos_db,
        }
    }
}

/// Terrain-independent loss per radial sample (see [`ModelParams::loss_table`]).
#[derive(Clone, Debug)]
pub struct LossTable {
    model: ModelParams,
    freq_mhz: f64,
    tx_height_m: f64,
    rx_height_m: f64,
    step_m: f64,
    /// Loss at sample k where the terrain leaves line of sight (3GPP models only; empty otherwise), dB.
    los_db: Vec<f64>,
    /// Loss at sample k otherwise (for ITM: only `extra_loss_db`), dB.
    nlos_db: Vec<f64>,
}

impl LossTable {
    /// Number of samples beyond the origin the table covers.
    pub fn len(&self) -> usize {
        self.nlos_db.len() - 1
    }
    /// Whether the table covers no sample beyond the origin.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn step_m(&self) -> f64 {
        self.step_m
    }
    /// Loss at the origin sample (the site's own cell), dB.
    pub fn origin_db(&self) -> f64 {
        if self.model.kind == ModelKind::Itm {
            // ITM needs a path; the site's own cell gets free space at half a step.
            fspl_db(0.5 * self.step_m, self.freq_mhz) + self.model.extra_loss_db
        } else {
            self.nlos_db[0]
        }
    }
    /// Whether each [`PathWalker::step`] costs a full model evaluation (ITM), so that callers should
    /// [`PathWalker::skip`] samples whose result they already have.
    pub fn is_costly(&self) -> bool {
        self.model.kind == ModelKind::Itm
    }
    /// A walker for one radial from a site whose ground is `tx_ground_m` above sea level.
    pub fn walker(&self, tx_ground_m: f64) -> PathWalker<'_> {
        let m = &self.model;
        let state = match m.kind {
            ModelKind::Hata => State::Plain,
            ModelKind::Itm => {
                let mut ground = Vec::with_capacity(self.nlos_db.len());
                ground.push(tx_ground_m);
                State::Itm {
                    ground,
                    params: m.itm_params(),
                }
            }
            _ => State::Terrain(RadialWalker::new(
                tx_ground_m + self.tx_height_m,
                self.freq_mhz,
                m.k_factor,
            )),
        };
        PathWalker {
            table: self,
            k: 0,
            state,
        }
    }
}

enum State {
    Plain,
    Terrain(RadialWalker),
    Itm { ground: Vec<f64>, params: ItmParams },
}

/// Loss along one radial, sample by sample: call [`PathWalker::step`] with the ground height at
/// `k·step_m` for k = 1, 2, … .
pub struct PathWalker<'a> {
    table: &'a LossTable,
    k: usize,
    state: State,
}

impl PathWalker<'_> {
    /// Advances to the next sample without computing its loss (the terrain still enters the
    /// profile of later samples).
    pub fn skip(&mut self, ground_m: f64) {
        self.k += 1;
        let d = self.k as f64 * self.table.step_m;
        match &mut self.state {
            State::Plain => {}
            State::Terrain(w) => {
                w.step(d, ground_m, self.table.rx_height_m);
            }
            State::Itm { ground, .. } => ground.push(ground_m),
        }
    }

    /// Path loss (dB) to a receiver at the next sample, whose ground is `ground_m`; NaN past the
    /// table's end or where ITM rejects the path.
    pub fn step(&mut self, ground_m: f64) -> f64 {
        self.k += 1;
        let k = self.k;
        let t = self.table;
        if k >= t.nlos_db.len() {
            return f64::NAN;
        }
        let d = k as f64 * t.step_m;
        match &mut self.state {
            State::Plain => t.nlos_db[k],
            State::Terrain(w) => match t.model.kind {
                ModelKind::Rma | ModelKind::Uma => {
                    let los = w.line_of_sight(d, ground_m, t.rx_height_m);
                    w.step(d, ground_m, t.rx_height_m);
                    if los {
                        t.los_db[k]
                    } else {
                        t.nlos_db[k]
                    }
                }
                ModelKind::FreeSpaceDeygout => t.nlos_db[k] + w.step(d, ground_m, t.rx_height_m),
                _ => t.nlos_db[k] + t.model.diffraction_weight * w.step(d, ground_m, t.rx_height_m),
            },
            State::Itm { ground, params } => {
                ground.push(ground_m);
                match itm::p2p(
                    t.tx_height_m,
                    t.rx_height_m,
                    ground,
                    t.step_m,
                    t.freq_mhz,
                    params,
                ) {
                    Ok(r) => r.a_db + t.nlos_db[k],
                    Err(_) => f64::NAN,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_inverts_base_loss() {
        let m = ModelParams::default();
        let r = m.range_m(900.0, 30.0, 1.5, 150.0, 60_000.0);
        assert!((m.base_loss_db(900.0, 30.0, 1.5, r) - 150.0).abs() < 0.01);
        assert!(m.base_loss_db(900.0, 30.0, 1.5, r * 1.1) > 150.0);
    }

    #[test]
    fn base_loss_never_below_free_space() {
        let m = ModelParams {
            environment: Environment::Rural,
            ..Default::default()
        };
        for d in [10.0, 100.0, 500.0, 5_000.0, 50_000.0] {
            assert!(m.base_loss_db(1800.0, 40.0, 1.5, d) >= fspl_db(d, 1800.0) - 1e-9);
        }
    }

    #[test]
    fn reliability_adds_sigma_times_normal_quantile() {
        // Φ⁻¹(0.9) = 1.2815515655446004 (independent: tables of the normal distribution).
        let z90 = 1.2815515655446004;
        let at = |kind: ModelKind, rel: f64, sigma: Option<f64>| {
            let m = ModelParams {
                kind,
                location_reliability_pct: rel,
                shadow_sigma_db: sigma,
                ..Default::default()
            };
            m.base_loss_db(900.0, 30.0, 1.5, 5_000.0)
        };
        let hata = at(ModelKind::Hata, 90.0, None) - at(ModelKind::Hata, 50.0, None);
        assert!((hata - 8.0 * z90).abs() < 1e-9, "{hata}");
        let hata6 = at(ModelKind::Hata, 95.0, Some(6.0)) - at(ModelKind::Hata, 50.0, Some(6.0));
        assert!((hata6 - 6.0 * 1.6448536269514722).abs() < 1e-9, "{hata6}");
        // RMa NLOS σ_SF = 8 dB (TR 38.901 Table 7.4.1-1).
        let rma = at(ModelKind::Rma, 90.0, None) - at(ModelKind::Rma, 50.0, None);
        assert!((rma - 8.0 * z90).abs() < 1e-9, "{rma}");
        // ITM: its own location variability, σ_L = 10 kΔh/(kΔh + 13) with Δh(d) from 90 m terrain;
        // A&S 26.2.23 inside ITM approximates z to 4.5e-4.
        let itm = at(ModelKind::Itm, 90.0, None) - at(ModelKind::Itm, 50.0, None);
        let k = 900.0 / 47.7;
        let dh = 90.0 * (1.0 - 0.8 * (-5_000.0f64 / 50e3).exp());
        let sigma_l = 10.0 * k * dh / (k * dh + 13.0);
        assert!(
            (itm - sigma_l * z90).abs() < 0.01,
            "{itm} vs {}",
            sigma_l * z90
        );
    }

    #[test]
    fn bad_model_parameters_are_named() {
        let m = ModelParams {
            location_reliability_pct: 100.0,
            ..Default::default()
        };
        assert!(m
            .validate()
            .unwrap_err()
            .to_string()
            .contains("location_reliability_pct"));
        let mut m = ModelParams {
            kind: ModelKind::Itm,
            ..Default::default()
        };
        m.itm.n0 = 100.0;
        assert!(m
            .validate()
            .unwrap_err()
            .to_string()
            .contains("coverage.model.itm"));
    }
}
