//! The coverage engine: every site's signal over the terrain, computed in parallel and combined into
//! best-server RSRP, serving site, SINR and server-count rasters.

pub mod combine;
pub mod exact;
pub mod rollup;
pub mod site;

use crate::error::{check_range, ParamError};
use crate::propagation::models::{Model, ModelConfig};
use serde::{Deserialize, Serialize};

pub use combine::{
    combine, compute_coverage, compute_coverage_chunked, Combiner, CoverageRasters, SITES_PER_CHUNK,
};
pub use exact::site_losses_exact;
pub use site::{
    point_links, point_rsrp_dbm, site_losses, site_range_m, site_rsrp, site_window, PointLinks,
    SiteLosses, SiteWindow,
};

/// Parameters of a coverage computation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoverageParams {
    pub model: ModelConfig,
    /// Receiver (handset) height above ground, metres.
    pub rx_height_m: f64,
    /// Outdoor coverage threshold on RSRP, dBm.
    pub threshold_rsrp_dbm: f64,
    /// Extra margin for indoor coverage (building penetration), dB; 0 = outdoor.
    pub indoor_margin_db: f64,
    /// Sites are computed out to where their terrain-free RSRP falls this far below the threshold, dB
    /// (so weak interferers near the edge still count towards SINR).
    pub range_margin_db: f64,
    /// Upper bound on any site's computed radius, metres.
    pub max_radius_m: f64,
    /// Radial sampling step, in cells (< 1 oversamples so every cell is reached). Models whose
    /// loss depends on the profile's spacing (P.1812) use their own ([`Self::step_cells`]).
    pub sample_step_cells: f64,
    /// Fraction of time/resources neighbouring cells transmit (interference load), 0–1.
    pub load: f64,
    /// Receiver noise figure, dB.
    pub noise_figure_db: f64,
    /// Servers "within this margin" of the best are counted (overlap / pilot pollution), dB.
    pub overlap_margin_db: f64,
    /// A village counts as covered when at least this share of its cells (of its people) is, (0, 1].
    pub village_covered_share: f64,
}

impl Default for CoverageParams {
    fn default() -> Self {
        CoverageParams {
            model: ModelConfig::default(),
            rx_height_m: 1.5,
            threshold_rsrp_dbm: -110.0,
            indoor_margin_db: 0.0,
            range_margin_db: 10.0,
            max_radius_m: 30_000.0,
            sample_step_cells: 0.7,
            load: 0.5,
            noise_figure_db: 7.0,
            overlap_margin_db: 6.0,
            village_covered_share: 0.95,
        }
    }
}

impl CoverageParams {
    /// The radial (and point-to-point) profile step, in cells: the model's own when it has one —
    /// P.1812 takes profiles at the DEM's resolution, as its exact reference, since the clutter
    /// heights it adds at every intermediate point make its loss depend on their spacing — else
    /// `sample_step_cells`.
    pub fn step_cells(&self) -> f64 {
        self.model
            .model
            .as_dyn()
            .profile_step_cells()
            .unwrap_or(self.sample_step_cells)
    }

    /// The RSRP a location needs to count as covered: threshold plus indoor margin.
    pub fn effective_threshold_dbm(&self) -> f64 {
        self.threshold_rsrp_dbm + self.indoor_margin_db
    }
    /// The cell threshold (with indoor margin) and the village share rule.
    pub fn threshold(&self) -> rollup::Threshold {
        rollup::Threshold {
            rsrp_dbm: self.effective_threshold_dbm(),
            village_share: self.village_covered_share,
        }
    }
    /// Thermal noise per 15 kHz resource element at the receiver, dBm: −174 dBm/Hz + 10·log10(15 kHz) + NF.
    pub fn noise_per_re_dbm(&self) -> f64 {
        -174.0 + 10.0 * 15_000f64.log10() + self.noise_figure_db
    }
    /// Checks every field (finite, in range, unit in the message); keys as in the study file.
    pub fn validate(&self) -> Result<(), ParamError> {
        let c = |key, v, lo, hi, want| {
            check_range(key, v, lo, hi, want).map_err(|e| e.under("coverage"))
        };
        c("rx_height_m", self.rx_height_m, 0.0, 100.0, "0–100 m")?;
        c(
            "threshold_rsrp_dbm",
            self.threshold_rsrp_dbm,
            -160.0,
            -30.0,
            "−160 to −30 dBm",
        )?;
        c(
            "indoor_margin_db",
            self.indoor_margin_db,
            0.0,
            60.0,
            "0–60 dB",
        )?;
        c(
            "range_margin_db",
            self.range_margin_db,
            0.0,
            60.0,
            "0–60 dB",
        )?;
        c(
            "max_radius_m",
            self.max_radius_m,
            100.0,
            200_000.0,
            "100 m – 200 km",
        )?;
        c(
            "sample_step_cells",
            self.sample_step_cells,
            0.1,
            1.0,
            "0.1–1 cells",
        )?;
        c("load", self.load, 0.0, 1.0, "0–1")?;
        c(
            "noise_figure_db",
            self.noise_figure_db,
            0.0,
            30.0,
            "0–30 dB",
        )?;
        c(
            "overlap_margin_db",
            self.overlap_margin_db,
            0.0,
            30.0,
            "0–30 dB",
        )?;
        let v = self.village_covered_share;
        if !(v.is_finite() && v > 0.0 && v <= 1.0) {
            return Err(ParamError::new(
                "coverage.village_covered_share",
                v,
                "a share in (0, 1] (e.g. 0.95: 95 % of a village's cells)",
            ));
        }
        if matches!(self.model.model, Model::Itm(_)) && self.rx_height_m < 0.5 {
            return Err(ParamError::new(
                "coverage.rx_height_m",
                self.rx_height_m,
                "≥ 0.5 m with the ITM model",
            ));
        }
        self.model.validate()
    }
}

/// Computes every site's window in parallel (rayon), in site order. Sites whose range misses the grid
/// are skipped. `progress` is advanced once per site.
pub fn compute_windows(
    terrain: &crate::terrain::Terrain,
    sites: &[crate::radio::Site],
    p: &CoverageParams,
    progress: &dyn crate::progress::Progress,
) -> Vec<SiteWindow> {
    use rayon::prelude::*;
    progress.start("coverage", sites.len() as u64);
    let windows = sites
        .par_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let w = site_window(i, s, terrain, p);
            progress.advance(1);
            w
        })
        .collect();
    progress.finish();
    windows
}
