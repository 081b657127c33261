//! The new-tower design and optimiser settings (`[plan]` in a study file).

use crate::error::{check_range, ParamError};
use serde::{Deserialize, Serialize};

/// The new-tower design and optimiser settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanParams {
    /// Most towers to propose.
    pub budget: usize,
    /// Spacing of the regular candidate grid, metres.
    pub grid_spacing_m: f64,
    /// Radius around each uncovered hamlet searched for high ground, metres.
    pub high_ground_radius_m: f64,
    /// A candidate within this distance of a grid-powered hamlet is flagged grid-powered, else solar.
    pub grid_power_reach_m: f64,
    /// Weight of one km² of uncovered land in the objective, in persons (hamlet population is the
    /// main term; area breaks ties and drives towers once people are covered).
    pub area_weight_per_km2: f64,
    /// Design of a new tower.
    pub tower_height_m: f64,
    pub freq_mhz: f64,
    pub bandwidth_mhz: f64,
    pub eirp_dbm: f64,
    pub tilt_deg: f64,
    /// Hamlet coverage targets (%) for which the number of towers needed is reported.
    pub targets_pct: Vec<f64>,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            budget: 700,
            grid_spacing_m: 3000.0,
            high_ground_radius_m: 3000.0,
            grid_power_reach_m: 2000.0,
            area_weight_per_km2: 5.0,
            tower_height_m: 40.0,
            freq_mhz: 900.0,
            bandwidth_mhz: 10.0,
            eirp_dbm: 58.0,
            tilt_deg: 3.0,
            targets_pct: vec![95.0, 99.0, 100.0],
        }
    }
}

/// Largest budget accepted (towers).
pub const MAX_BUDGET: usize = 100_000;

impl PlanParams {
    /// Checks every field: finite and in range, with its unit; keys are named as in the study file.
    pub fn validate(&self) -> Result<(), ParamError> {
        let k = |e: ParamError| e.under("plan");
        if self.budget > MAX_BUDGET {
            return Err(k(ParamError::new("budget", self.budget, "0–100000 towers")));
        }
        check_range(
            "grid_spacing_m",
            self.grid_spacing_m,
            100.0,
            100_000.0,
            "100 m – 100 km",
        )
        .map_err(k)?;
        check_range(
            "high_ground_radius_m",
            self.high_ground_radius_m,
            0.0,
            50_000.0,
            "0–50 km",
        )
        .map_err(k)?;
        check_range(
            "grid_power_reach_m",
            self.grid_power_reach_m,
            0.0,
            100_000.0,
            "0–100 km",
        )
        .map_err(k)?;
        check_range(
            "area_weight_per_km2",
            self.area_weight_per_km2,
            0.0,
            1e9,
            "≥ 0 persons per km²",
        )
        .map_err(k)?;
        check_range("tower_height_m", self.tower_height_m, 3.0, 300.0, "3–300 m").map_err(k)?;
        check_range(
            "freq_mhz",
            self.freq_mhz,
            400.0,
            6000.0,
            "400–6000 MHz (LTE bands)",
        )
        .map_err(k)?;
        if ![1.4, 3.0, 5.0, 10.0, 15.0, 20.0].contains(&self.bandwidth_mhz) {
            return Err(k(ParamError::new(
                "bandwidth_mhz",
                self.bandwidth_mhz,
                "an LTE channel: 1.4, 3, 5, 10, 15 or 20 MHz",
            )));
        }
        check_range("eirp_dbm", self.eirp_dbm, 20.0, 80.0, "20–80 dBm").map_err(k)?;
        check_range("tilt_deg", self.tilt_deg, -10.0, 20.0, "−10–20°").map_err(k)?;
        for &t in &self.targets_pct {
            check_range("targets_pct", t, 0.0, 100.0, "percentages 0–100").map_err(k)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_bad_values_are_named_with_units() {
        PlanParams::default().validate().unwrap();
        let cases: Vec<(PlanParams, &str)> = vec![
            (
                PlanParams {
                    grid_spacing_m: 0.0,
                    ..Default::default()
                },
                "plan.grid_spacing_m",
            ),
            (
                PlanParams {
                    grid_spacing_m: -5.0,
                    ..Default::default()
                },
                "plan.grid_spacing_m",
            ),
            (
                PlanParams {
                    freq_mhz: 0.0,
                    ..Default::default()
                },
                "MHz",
            ),
            (
                PlanParams {
                    eirp_dbm: f64::NAN,
                    ..Default::default()
                },
                "plan.eirp_dbm",
            ),
            (
                PlanParams {
                    eirp_dbm: 1e308,
                    ..Default::default()
                },
                "dBm",
            ),
            (
                PlanParams {
                    tower_height_m: -100.0,
                    ..Default::default()
                },
                "plan.tower_height_m",
            ),
            (
                PlanParams {
                    bandwidth_mhz: 0.0,
                    ..Default::default()
                },
                "plan.bandwidth_mhz",
            ),
            (
                PlanParams {
                    tilt_deg: f64::NAN,
                    ..Default::default()
                },
                "plan.tilt_deg",
            ),
            (
                PlanParams {
                    targets_pct: vec![101.0],
                    ..Default::default()
                },
                "plan.targets_pct",
            ),
        ];
        for (p, want) in cases {
            let e = p.validate().unwrap_err().to_string();
            assert!(e.contains(want), "{e} lacks {want}");
        }
    }
}
