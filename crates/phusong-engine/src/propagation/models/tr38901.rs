//! 3GPP TR 38.901 V17 §7.4.1 rural (RMa) and urban (UMa) macro path loss: the LOS formula where the
//! terrain profile leaves line of sight to the receiver, NLOS (= max(LOS, NLOS′)) elsewhere; σ_SF of
//! Table 7.4.1-1 for location reliability.

use super::hata::check_sigma;
use super::{
    Cursor, LinkSpec, LossTable, PathLossModel, PathWalk, ProfilePoint, Reliability, Warning,
    Warnings,
};
use crate::error::ParamError;
use crate::propagation::deygout::DEFAULT_K_FACTOR;
use crate::propagation::radial::RadialWalker;
use crate::propagation::tr38901::{self as algo, Scenario3gpp};
use serde::{Deserialize, Serialize};

/// `kind = "3gpp-rma"`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rma {
    /// Shadow-fading σ, dB (default: Table 7.4.1-1's σ_SF by LOS state).
    pub shadow_sigma_db: Option<f64>,
}

/// `kind = "3gpp-uma"`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Uma {
    /// Shadow-fading σ, dB (default: Table 7.4.1-1's σ_SF by LOS state).
    pub shadow_sigma_db: Option<f64>,
}

/// What RMa and UMa share.
trait Macro {
    const SCENARIO: Scenario3gpp;
    const KIND: &'static str;
    fn sigma(&self) -> Option<f64>;
}

impl Macro for Rma {
    const SCENARIO: Scenario3gpp = Scenario3gpp::RMa;
    const KIND: &'static str = "3gpp-rma";
    fn sigma(&self) -> Option<f64> {
        self.shadow_sigma_db
    }
}

impl Macro for Uma {
    const SCENARIO: Scenario3gpp = Scenario3gpp::UMa;
    const KIND: &'static str = "3gpp-uma";
    fn sigma(&self) -> Option<f64> {
        self.shadow_sigma_db
    }
}

impl<M: Macro + Send + Sync> PathLossModel for M {
    fn kind(&self) -> &'static str {
        M::KIND
    }
    fn validate(&self) -> Result<(), ParamError> {
        check_sigma(self.sigma())
    }
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, _rel: Reliability) -> f64 {
        algo::path_loss_db(
            M::SCENARIO,
            d_m,
            link.tx_height_m,
            link.rx_height_m,
            link.freq_mhz,
            false,
        )
    }
    fn terrain_free_db(&self, link: &LinkSpec, d_m: f64, los: bool) -> f64 {
        algo::path_loss_db(
            M::SCENARIO,
            d_m,
            link.tx_height_m,
            link.rx_height_m,
            link.freq_mhz,
            los,
        )
    }
    fn shadow_sigma_db(&self, link: &LinkSpec, d_m: f64, los: bool) -> Option<f64> {
        Some(self.sigma().unwrap_or_else(|| {
            algo::shadow_sigma_db(
                M::SCENARIO,
                los,
                d_m,
                link.tx_height_m,
                link.rx_height_m,
                link.freq_mhz,
            )
        }))
    }
    fn needs_los_table(&self) -> bool {
        true
    }
    /// Checked against the NLOS ranges of Table 7.4.1-1 (the narrower ones).
    fn validity(&self, link: &LinkSpec, d_m: f64) -> Option<Warning> {
        algo::check_validity(
            M::SCENARIO,
            d_m,
            link.tx_height_m,
            link.rx_height_m,
            link.freq_mhz,
            false,
        )
        .err()
        .map(|_| Warning::Tr38901Range)
    }
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        let link = &table.link;
        Box::new(LosWalk {
            cursor: Cursor::new(table),
            radial: RadialWalker::new(
                tx_ground_m + link.tx_height_m,
                link.freq_mhz,
                DEFAULT_K_FACTOR,
            ),
        })
    }
}

/// Picks the LOS or NLOS table entry by the terrain's line of sight (standard atmosphere).
struct LosWalk<'a> {
    cursor: Cursor<'a>,
    radial: RadialWalker,
}

impl PathWalk for LosWalk<'_> {
    fn step(&mut self, p: &ProfilePoint) -> f64 {
        let ground_m = p.ground_m;
        let Some((k, d)) = self.cursor.advance() else {
            return f64::NAN;
        };
        self.cursor.evaluated(k);
        let t = self.cursor.table;
        let rx = t.link.rx_height_m;
        let los = self.radial.line_of_sight(d, ground_m, rx);
        self.radial.step(d, ground_m, rx);
        if los {
            t.los_db[k]
        } else {
            t.nlos_db[k]
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
