//! `[coverage.model.calibration]`: a drive-test correction added to every model's path loss.
//!
//! `phusong calibrate` fits it to measurements (the Standard Propagation Model idea of correcting a
//! model's offset and distance slope, see [`crate::calibration`]) and writes it as a snippet to
//! paste into a scenario. The correction is terrain-free, so it enters the loss table every model
//! walks with, as the extra loss does:
//!
//! ΔL = offset_db + log_distance_db_per_decade · log10(d / 1 km) + log_height_db_per_decade · log10(h_tx / 1 m)
//!
//! All terms default to zero, and a zero correction leaves every loss bit for bit unchanged.

use crate::error::{check_range, ParamError};
use crate::propagation::models::LinkSpec;
use serde::{Deserialize, Serialize};

/// Calibration correction of a model's loss (all terms 0 = none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Calibration {
    /// Loss added at every distance (at 1 km and h_tx = 1 m for the other terms), dB.
    pub offset_db: f64,
    /// Loss added per decade of distance from 1 km (negative nearer), dB/decade.
    pub log_distance_db_per_decade: f64,
    /// Loss added per decade of transmitter height above ground from 1 m, dB/decade.
    pub log_height_db_per_decade: f64,
}

impl Calibration {
    /// Whether every term is zero (the correction then adds nothing and is not written out).
    pub fn is_zero(&self) -> bool {
        self.offset_db == 0.0
            && self.log_distance_db_per_decade == 0.0
            && self.log_height_db_per_decade == 0.0
    }

    /// The correction at distance `d_m` (> 0) for `link`, dB; exactly 0 when [`Self::is_zero`].
    pub fn loss_db(&self, link: &LinkSpec, d_m: f64) -> f64 {
        if self.is_zero() {
            return 0.0;
        }
        self.offset_db
            + self.log_distance_db_per_decade * (d_m / 1000.0).log10()
            + self.log_height_db_per_decade * link.tx_height_m.max(1.0).log10()
    }

    /// Checks every term; keys relative to `[coverage.model]`.
    pub fn validate(&self) -> Result<(), ParamError> {
        check_range(
            "calibration.offset_db",
            self.offset_db,
            -60.0,
            60.0,
            "−60–60 dB",
        )?;
        check_range(
            "calibration.log_distance_db_per_decade",
            self.log_distance_db_per_decade,
            -40.0,
            40.0,
            "−40–40 dB/decade",
        )?;
        check_range(
            "calibration.log_height_db_per_decade",
            self.log_height_db_per_decade,
            -40.0,
            40.0,
            "−40–40 dB/decade",
        )
    }
}
