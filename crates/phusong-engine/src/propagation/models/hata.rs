//! Okumura-Hata / COST-231-Hata alone: the empirical median loss, terrain ignored.

use super::{
    Cursor, LinkSpec, LossTable, PathLossModel, PathWalk, ProfilePoint, Reliability, Warning,
    Warnings,
};
use crate::error::{check_range, ParamError};
use crate::propagation::free_space::fspl_db;
use crate::propagation::hata::{hata_db, Environment, COST231_FROM_MHZ};
use serde::{Deserialize, Serialize};

/// Shadowing standard deviation of Hata-type models when none is given, dB (a common planning value
/// for macro cells, cf. Jakes 1974).
pub const HATA_SHADOW_SIGMA_DB: f64 = 8.0;

/// `kind = "hata"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Hata {
    /// Environment correction: urban, suburban or rural (open).
    pub environment: Environment,
    /// Log-normal shadowing σ, dB (default 8 dB).
    pub shadow_sigma_db: Option<f64>,
}

impl Default for Hata {
    fn default() -> Self {
        Hata {
            environment: Environment::Suburban,
            shadow_sigma_db: None,
        }
    }
}

/// Hata (< 1500 MHz) or COST-231-Hata (≥ 1500 MHz), never below free space, dB.
pub(crate) fn hata_or_free_space_db(link: &LinkSpec, d_m: f64, env: Environment) -> f64 {
    let d = d_m.max(1.0);
    let fs = fspl_db(d, link.freq_mhz);
    hata_db(
        link.freq_mhz,
        link.tx_height_m,
        link.rx_height_m,
        d / 1000.0,
        env,
    )
    .max(fs)
}

/// The first criterion of the Hata family's published validity that a link fails: Okumura-Hata
/// 150–1500 MHz (Hata 1980), COST-231-Hata 1500–2000 MHz (COST 231 final report §4.4.1); base
/// height 30–200 m, mobile height 1–10 m, distance 1–20 km.
pub(crate) fn hata_validity(link: &LinkSpec, d_m: f64) -> Option<Warning> {
    let f = link.freq_mhz;
    let freq_ok = if f < COST231_FROM_MHZ {
        (150.0..=1500.0).contains(&f)
    } else {
        f <= 2000.0
    };
    if !freq_ok {
        Some(Warning::HataFrequency)
    } else if !(30.0..=200.0).contains(&link.tx_height_m) {
        Some(Warning::HataBaseHeight)
    } else if !(1.0..=10.0).contains(&link.rx_height_m) {
        Some(Warning::HataMobileHeight)
    } else if !(1000.0..=20_000.0).contains(&d_m) {
        Some(Warning::HataDistance)
    } else {
        None
    }
}

/// Checks an optional shadowing σ.
pub(crate) fn check_sigma(sigma: Option<f64>) -> Result<(), ParamError> {
    match sigma {
        Some(s) => check_range("shadow_sigma_db", s, 0.0, 30.0, "0–30 dB"),
        None => Ok(()),
    }
}

impl PathLossModel for Hata {
    fn kind(&self) -> &'static str {
        "hata"
    }
    fn validate(&self) -> Result<(), ParamError> {
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
    fn walker<'a>(&'a self, table: &'a LossTable, _tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        Box::new(TableWalk(Cursor::new(table)))
    }
}

/// A walker that only reads the table (terrain ignored).
struct TableWalk<'a>(Cursor<'a>);

impl PathWalk for TableWalk<'_> {
    fn step(&mut self, _p: &ProfilePoint) -> f64 {
        match self.0.advance() {
            Some((k, _)) => {
                self.0.evaluated(k);
                self.0.table.nlos_db[k]
            }
            None => f64::NAN,
        }
    }
    fn skip(&mut self, _p: &ProfilePoint) {
        self.0.k += 1;
    }
    fn warnings(&self) -> &Warnings {
        &self.0.warnings
    }
}
