//! Longley-Rice ITM point-to-point over the DEM profile from the site to each location (Hufford's
//! ITM 1.2.2 algorithm with NTIA 1.4's limits; see [`crate::propagation::itm`]). ITM applies its own
//! effective earth from the surface refractivity and its own location variability, so no log-normal
//! margin is stacked on it.
//!
//! Point-to-point ([`ModelConfig::profile_loss_db`](super::ModelConfig::profile_loss_db), `link`,
//! gap analysis) evaluates the full algorithm ([`algo::p2p`]); the radial engine evaluates whole
//! radials with the fast radial evaluator ([`algo::radial::ItmSite`]), which gives the same
//! prediction to every sample within a fraction of a dB at a tenth of the cost.

use super::{
    Cursor, LinkSpec, LossTable, PathLossModel, PathWalk, ProfilePoint, RadialBatch, Reliability,
    Warning, Warnings,
};
use crate::error::{check_range, ParamError};
use crate::propagation::free_space::fspl_db;
use crate::propagation::itm::radial::ItmSite;
use crate::propagation::itm::{self as algo, Climate, ItmError, ItmParams, Polarization, Siting};
use serde::{Deserialize, Serialize};

/// Terrain irregularity the terrain-free ITM estimate assumes, m (ITM's "average terrain").
pub const ITM_AREA_DELTA_H_M: f64 = 90.0;

/// `kind = "itm"`: ITM's environment and statistics. The location quantile is the study's
/// `location_reliability_pct`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Itm {
    pub climate: Climate,
    /// Surface refractivity reduced to sea level N₀, N-units (250–400).
    pub n0: f64,
    /// Relative permittivity of the ground ε_r.
    pub epsilon: f64,
    /// Ground conductivity σ, S/m.
    pub sigma_s_per_m: f64,
    pub polarization: Polarization,
    /// NTIA's variability mode `mdvar` (0–3, +10 without location variability, +20 without
    /// situation variability).
    pub mdvar: i64,
    /// Time and situation (confidence) percentages, in (0, 100).
    pub time_pct: f64,
    pub situation_pct: f64,
}

impl Default for Itm {
    fn default() -> Self {
        let p = ItmParams::default();
        Itm {
            climate: p.climate,
            n0: p.n0,
            epsilon: p.epsilon,
            sigma_s_per_m: p.sigma_s_per_m,
            polarization: p.polarization,
            mdvar: p.mdvar,
            time_pct: p.time_pct,
            situation_pct: p.situation_pct,
        }
    }
}

impl Itm {
    /// The algorithm's parameters at a location reliability.
    pub fn params(&self, rel: Reliability) -> ItmParams {
        ItmParams {
            climate: self.climate,
            n0: self.n0,
            epsilon: self.epsilon,
            sigma_s_per_m: self.sigma_s_per_m,
            polarization: self.polarization,
            mdvar: self.mdvar,
            time_pct: self.time_pct,
            location_pct: rel.pct,
            situation_pct: self.situation_pct,
        }
    }
}

impl PathLossModel for Itm {
    fn kind(&self) -> &'static str {
        "itm"
    }
    /// NTIA ITM 1.4's input limits (`ValidateInputs`), named by key.
    fn validate(&self) -> Result<(), ParamError> {
        check_range("n0", self.n0, 250.0, 400.0, "250–400 N-units")?;
        check_range(
            "epsilon",
            self.epsilon,
            1.0,
            1e6,
            "≥ 1 (relative permittivity)",
        )?;
        check_range("sigma_s_per_m", self.sigma_s_per_m, 1e-9, 1e6, "> 0 S/m")?;
        check_range(
            "time_pct",
            self.time_pct,
            0.001,
            99.999,
            "0–100 % (exclusive)",
        )?;
        check_range(
            "situation_pct",
            self.situation_pct,
            0.001,
            99.999,
            "0–100 % (exclusive)",
        )?;
        let base = self.mdvar % 10;
        if !(0..=33).contains(&self.mdvar) || !(0..=3).contains(&base) {
            return Err(ParamError::new(
                "mdvar",
                self.mdvar,
                "0–3, plus 10 (no location variability) and/or 20 (no situation variability)",
            ));
        }
        Ok(())
    }
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, rel: Reliability) -> f64 {
        algo::area(
            link.tx_height_m.clamp(0.5, 3000.0),
            link.rx_height_m.clamp(0.5, 3000.0),
            [Siting::Random; 2],
            d_m / 1000.0,
            ITM_AREA_DELTA_H_M,
            link.freq_mhz,
            &self.params(rel),
        )
        .map(|r| r.a_db)
        .unwrap_or_else(|_| fspl_db(d_m, link.freq_mhz))
    }
    /// All of ITM's loss depends on the profile: nothing is tabulated.
    fn terrain_free_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> f64 {
        0.0
    }
    fn shadow_sigma_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> Option<f64> {
        None
    }
    fn is_costly(&self) -> bool {
        true
    }
    /// ITM needs a path; the site's own cell gets free space at half a step.
    fn origin_db(&self, table: &LossTable) -> f64 {
        fspl_db(0.5 * table.step_m, table.link.freq_mhz)
            + table.config.extra_loss_db
            + table
                .config
                .calibration
                .loss_db(&table.link, 0.5 * table.step_m)
    }
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        let mut ground = Vec::with_capacity(table.nlos_db.len());
        ground.push(tx_ground_m);
        Box::new(ItmWalk {
            cursor: Cursor::new(table),
            ground,
            params: self.params(table.config.reliability()),
        })
    }
    fn radial_batch<'a>(&'a self, table: &'a LossTable) -> Option<Box<dyn RadialBatch + 'a>> {
        let l = &table.link;
        let site = ItmSite::new(
            &self.params(table.config.reliability()),
            l.tx_height_m,
            l.rx_height_m,
            table.step_m,
            l.freq_mhz,
        );
        Some(Box::new(ItmBatch { table, site }))
    }
}

/// ITM over whole radials of one site and frequency: the fast radial evaluator, validated once
/// (a site ITM refuses — e.g. a terminal height out of range — refuses every sample).
struct ItmBatch<'a> {
    table: &'a LossTable,
    site: Result<ItmSite, ItmError>,
}

impl RadialBatch for ItmBatch<'_> {
    fn losses(
        &self,
        points: &[ProfilePoint],
        wanted: &[bool],
        warnings: &mut Warnings,
    ) -> Vec<f64> {
        let t = self.table;
        // ITM sees the ground only (clutter enters at the receiver, through P.2108).
        let ground_m: Vec<f64> = points.iter().map(|p| p.ground_m).collect();
        // Samples past the table's end are not computed (as the walker's).
        let n = t.batch_samples(ground_m.len(), wanted.len());
        let mut out = vec![f64::NAN; ground_m.len().saturating_sub(1)];
        let asked = wanted[..n].iter().filter(|&&w| w).count() as u64;
        warnings.evaluations += asked;
        let result = self
            .site
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|s| s.radial_losses_with_stats(&ground_m[..=n], Some(&wanted[..n])));
        match result {
            Ok((losses, stats)) => {
                for (bit, &count) in stats.flag_counts.iter().enumerate() {
                    if count > 0 {
                        warnings.add(Warning::ItmFlag(bit as u8), count as u64);
                    }
                }
                for (&code, &count) in &stats.refusals_by_code {
                    warnings.add(Warning::ItmError(code as u16), count as u64);
                }
                // The table holds what every sample adds (extra loss).
                for (k, (o, l)) in (1..).zip(out.iter_mut().zip(losses)) {
                    *o = l + t.nlos_db[k];
                }
            }
            Err(e) => warnings.add(Warning::ItmError(e.code() as u16), asked),
        }
        out
    }
}

/// ITM point-to-point on the profile from the site to each sample.
struct ItmWalk<'a> {
    cursor: Cursor<'a>,
    ground: Vec<f64>,
    params: ItmParams,
}

impl PathWalk for ItmWalk<'_> {
    fn step(&mut self, p: &ProfilePoint) -> f64 {
        let ground_m = p.ground_m;
        let Some((k, _)) = self.cursor.advance() else {
            return f64::NAN;
        };
        self.ground.push(ground_m);
        self.cursor.evaluated(k);
        let t = self.cursor.table;
        let l = &t.link;
        match algo::p2p(
            l.tx_height_m,
            l.rx_height_m,
            &self.ground,
            t.step_m,
            l.freq_mhz,
            &self.params,
        ) {
            Ok(r) => {
                self.cursor.warnings.add_itm_flags(r.warnings);
                r.a_db + t.nlos_db[k]
            }
            Err(e) => {
                self.cursor
                    .warnings
                    .add(Warning::ItmError(e.code() as u16), 1);
                f64::NAN
            }
        }
    }
    fn skip(&mut self, p: &ProfilePoint) {
        let ground_m = p.ground_m;
        self.cursor.k += 1;
        self.ground.push(ground_m);
    }
    fn warnings(&self) -> &Warnings {
        &self.cursor.warnings
    }
}
