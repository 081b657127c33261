//! Okumura-Hata / COST-231-Hata plus weighted Deygout diffraction over the terrain profile (the
//! default model): Hata gives the median loss over average ground, the Deygout term (ITU-R P.526-15
//! §4.5.1, with earth curvature) what the actual terrain adds.

use super::hata::{check_sigma, hata_or_free_space_db, hata_validity, HATA_SHADOW_SIGMA_DB};
use super::{
    Cursor, LinkSpec, LossTable, PathLossModel, PathWalk, ProfilePoint, Reliability, Warning,
    Warnings,
};
use crate::error::{check_range, ParamError};
use crate::propagation::deygout::DEFAULT_K_FACTOR;
use crate::propagation::hata::Environment;
use crate::propagation::radial::RadialWalker;
use serde::{Deserialize, Serialize};

/// `kind = "hata-deygout"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HataDeygout {
    /// Environment correction: urban, suburban or rural (open).
    pub environment: Environment,
    /// Effective earth-radius factor k (ITU-R P.453: 4/3 for the standard atmosphere).
    pub k_factor: f64,
    /// Weight on the Deygout loss added to Hata, 0–1 (Hata already contains average obstruction,
    /// so planning tools weight the explicit diffraction term; 1 adds it in full).
    pub diffraction_weight: f64,
    /// Log-normal shadowing σ, dB (default 8 dB).
    pub shadow_sigma_db: Option<f64>,
}

impl Default for HataDeygout {
    fn default() -> Self {
        HataDeygout {
            environment: Environment::Suburban,
            k_factor: DEFAULT_K_FACTOR,
            diffraction_weight: 0.4,
            shadow_sigma_db: None,
        }
    }
}

/// Checks an effective earth-radius factor.
pub(crate) fn check_k(k: f64) -> Result<(), ParamError> {
    check_range(
        "k_factor",
        k,
        0.5,
        10.0,
        "0.5–10 (4/3 = standard atmosphere)",
    )
}

impl PathLossModel for HataDeygout {
    fn kind(&self) -> &'static str {
        "hata-deygout"
    }
    fn validate(&self) -> Result<(), ParamError> {
        check_k(self.k_factor)?;
        check_range(
            "diffraction_weight",
            self.diffraction_weight,
            0.0,
            1.0,
            "0–1 (share of the Deygout loss added to Hata)",
        )?;
        check_sigma(self.shadow_sigma_db)
    }
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, _rel: Reliability) -> f64 {
        hata_or_free_space_db(link, d_m, self.environment)
    }
    fn terrain_free_db(&self, link: &LinkSpec, d_m: f64, _los: bool) -> f64 {
        hata_or_free_space_db(link, d_m, self.environment)
    }
    fn shadow_sigma_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> Option<f64> {
        Some(self.shadow_sigma_db.unwrap_or(HATA_SHADOW_SIGMA_DB))
    }
    fn validity(&self, link: &LinkSpec, d_m: f64) -> Option<Warning> {
        hata_validity(link, d_m)
    }
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        Box::new(DiffractionWalk::new(
            table,
            tx_ground_m,
            self.k_factor,
            self.diffraction_weight,
        ))
    }
}

/// Table loss plus `weight` × Deygout loss over the terrain passed (shared with `fspl-deygout`).
pub(crate) struct DiffractionWalk<'a> {
    cursor: Cursor<'a>,
    radial: RadialWalker,
    weight: Option<f64>,
}

impl<'a> DiffractionWalk<'a> {
    /// `weight = 1` adds the diffraction loss unweighted.
    pub fn new(table: &'a LossTable, tx_ground_m: f64, k_factor: f64, weight: f64) -> Self {
        let link = &table.link;
        DiffractionWalk {
            cursor: Cursor::new(table),
            radial: RadialWalker::new(tx_ground_m + link.tx_height_m, link.freq_mhz, k_factor),
            weight: (weight != 1.0).then_some(weight),
        }
    }
}

impl PathWalk for DiffractionWalk<'_> {
    fn step(&mut self, p: &ProfilePoint) -> f64 {
        let ground_m = p.ground_m;
        let Some((k, d)) = self.cursor.advance() else {
            return f64::NAN;
        };
        self.cursor.evaluated(k);
        let t = self.cursor.table;
        let diff = self.radial.step(d, ground_m, t.link.rx_height_m);
        match self.weight {
            Some(w) => t.nlos_db[k] + w * diff,
            None => t.nlos_db[k] + diff,
        }
    }
    fn skip(&mut self, p: &ProfilePoint) {
        let ground_m = p.ground_m;
        self.cursor.k += 1;
        let d = self.cursor.k as f64 * self.cursor.table.step_m;
        self.radial
            .step(d, ground_m, self.cursor.table.link.rx_height_m);
    }
    fn warnings(&self) -> &Warnings {
        &self.cursor.warnings
    }
}
