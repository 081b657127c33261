//! Free space (ITU-R P.525-4 eq. (4)) plus the full Deygout diffraction over the terrain (ITU-R
//! P.526-15 §4.5.1): the physical lower bound of loss over terrain.

use super::hata::{check_sigma, HATA_SHADOW_SIGMA_DB};
use super::hata_deygout::{check_k, DiffractionWalk};
use super::{LinkSpec, LossTable, PathLossModel, PathWalk, Reliability};
use crate::error::ParamError;
use crate::propagation::deygout::DEFAULT_K_FACTOR;
use crate::propagation::free_space::fspl_db;
use serde::{Deserialize, Serialize};

/// `kind = "fspl-deygout"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FsplDeygout {
    /// Effective earth-radius factor k (4/3 = standard atmosphere).
    pub k_factor: f64,
    /// Log-normal shadowing σ, dB (default 8 dB).
    pub shadow_sigma_db: Option<f64>,
}

impl Default for FsplDeygout {
    fn default() -> Self {
        FsplDeygout {
            k_factor: DEFAULT_K_FACTOR,
            shadow_sigma_db: None,
        }
    }
}

impl PathLossModel for FsplDeygout {
    fn kind(&self) -> &'static str {
        "fspl-deygout"
    }
    fn validate(&self) -> Result<(), ParamError> {
        check_k(self.k_factor)?;
        check_sigma(self.shadow_sigma_db)
    }
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, _rel: Reliability) -> f64 {
        fspl_db(d_m.max(1.0), link.freq_mhz)
    }
    fn terrain_free_db(&self, link: &LinkSpec, d_m: f64, _los: bool) -> f64 {
        fspl_db(d_m.max(1.0), link.freq_mhz)
    }
    fn shadow_sigma_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> Option<f64> {
        Some(self.shadow_sigma_db.unwrap_or(HATA_SHADOW_SIGMA_DB))
    }
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        Box::new(DiffractionWalk::new(table, tx_ground_m, self.k_factor, 1.0))
    }
}
