//! The new-tower design and optimiser settings (`[plan]` in a study file).

use crate::error::{check_range, ParamError};
use crate::plan::costs::Costs;
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
    /// Radius of a village given as a point: its settled area is a disc of this radius, metres.
    /// Also "at its edge" for candidates: a village whose every cell is excluded gets a candidate on
    /// the highest allowed cell within this distance of its label point.
    pub village_radius_m: f64,
    /// A candidate within this distance of a grid-powered hamlet is flagged grid-powered, else solar.
    pub grid_power_reach_m: f64,
    /// Weight of one km² of uncovered land in the budget objective, in persons (hamlet population is
    /// the main term; area breaks ties and drives towers once people are covered).
    pub area_weight_per_km2: f64,
    /// Heights a new tower may have, metres; every candidate place is tried at each (one height per
    /// place in a plan). `None`: [`DEFAULT_TOWER_HEIGHTS_M`].
    pub tower_heights_m: Option<Vec<f64>>,
    /// Older single-height key: the same as `tower_heights_m = [h]` (give one or the other).
    pub tower_height_m: Option<f64>,
    pub freq_mhz: f64,
    pub bandwidth_mhz: f64,
    pub eirp_dbm: f64,
    pub tilt_deg: f64,
    /// No candidate on ground steeper than this, degrees (Horn's 3×3 slope of the DEM; 90 = no limit).
    pub max_slope_deg: f64,
    /// No candidate closer than this to an existing site, metres (0 = no limit).
    pub min_distance_to_sites_m: f64,
    /// Coverage targets (%) for which the fewest towers are reported, per measure (hamlets,
    /// population, land area).
    pub targets_pct: Vec<f64>,
    /// Solve the plans exactly (HiGHS branch and bound) after the greedy warm start; `false`: greedy
    /// plans with their LP bounds only.
    pub milp: bool,
    /// Branch-and-bound nodes per MILP before the best plan found is kept and its gap reported (a
    /// deterministic work limit; there is no wall-clock limit).
    pub milp_max_nodes: u32,
    /// Unit costs of new towers (`[plan.costs]`); the defaults are illustrative.
    pub costs: Costs,
    /// Money budget: the budget plan maximises coverage for at most this capital cost (in
    /// `costs.currency`) instead of `budget` towers.
    pub budget_money: Option<f64>,
    /// What the target plans (and the budget plan once it covers all it can) minimise: `towers`
    /// (default) or capital `cost`.
    pub objective: Objective,
}

/// What plans minimise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Number of new towers.
    #[default]
    Towers,
    /// Capital cost (`[plan.costs]`).
    Cost,
}

/// Tower heights tried when `[plan]` gives none, metres.
pub const DEFAULT_TOWER_HEIGHTS_M: [f64; 3] = [30.0, 45.0, 60.0];

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams {
            budget: 700,
            grid_spacing_m: 3000.0,
            high_ground_radius_m: 3000.0,
            village_radius_m: 300.0,
            grid_power_reach_m: 2000.0,
            area_weight_per_km2: 5.0,
            tower_heights_m: None,
            tower_height_m: None,
            freq_mhz: 900.0,
            bandwidth_mhz: 10.0,
            eirp_dbm: 58.0,
            tilt_deg: 3.0,
            max_slope_deg: 90.0,
            min_distance_to_sites_m: 0.0,
            targets_pct: vec![95.0, 99.0, 100.0],
            milp: true,
            milp_max_nodes: 2000,
            costs: Costs::default(),
            budget_money: None,
            objective: Objective::Towers,
        }
    }
}

/// Largest budget accepted (towers).
pub const MAX_BUDGET: usize = 100_000;

/// Largest money budget accepted (any currency; 1e15 VND is about 40 billion USD).
pub const MAX_BUDGET_MONEY: f64 = 1e15;

impl PlanParams {
    /// The tower heights a candidate place is tried at, metres, ascending and distinct.
    pub fn heights_m(&self) -> Vec<f64> {
        let mut h = match (&self.tower_heights_m, self.tower_height_m) {
            (Some(v), _) => v.clone(),
            (None, Some(h)) => vec![h],
            (None, None) => DEFAULT_TOWER_HEIGHTS_M.to_vec(),
        };
        h.sort_by(f64::total_cmp);
        h.dedup();
        h
    }

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
        if self.tower_heights_m.is_some() && self.tower_height_m.is_some() {
            return Err(k(ParamError::new(
                "tower_height_m",
                self.tower_height_m.unwrap_or_default(),
                "unset when tower_heights_m is given (tower_height_m = h is tower_heights_m = [h])",
            )));
        }
        if let Some(h) = self.tower_height_m {
            check_range("tower_height_m", h, 3.0, 300.0, "3–300 m").map_err(k)?;
        }
        if let Some(v) = &self.tower_heights_m {
            if v.is_empty() || v.len() > 8 {
                return Err(k(ParamError::new(
                    "tower_heights_m",
                    format!("{v:?}"),
                    "1 to 8 heights in metres",
                )));
            }
            for &h in v {
                check_range("tower_heights_m", h, 3.0, 300.0, "heights of 3–300 m").map_err(k)?;
            }
        }
        check_range(
            "village_radius_m",
            self.village_radius_m,
            0.0,
            5_000.0,
            "0–5 km",
        )
        .map_err(k)?;
        check_range("max_slope_deg", self.max_slope_deg, 0.0, 90.0, "0–90°").map_err(k)?;
        check_range(
            "min_distance_to_sites_m",
            self.min_distance_to_sites_m,
            0.0,
            50_000.0,
            "0–50 km",
        )
        .map_err(k)?;
        if self.milp_max_nodes > i32::MAX as u32 {
            return Err(k(ParamError::new(
                "milp_max_nodes",
                self.milp_max_nodes,
                "0–2147483647 branch-and-bound nodes",
            )));
        }
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
        self.costs.validate().map_err(k)?;
        if let Some(b) = self.budget_money {
            check_range(
                "budget_money",
                b,
                0.0,
                MAX_BUDGET_MONEY,
                "0–1e15 in the currency of plan.costs",
            )
            .map_err(k)?;
        }
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
                    tower_height_m: Some(-100.0),
                    ..Default::default()
                },
                "plan.tower_height_m",
            ),
            (
                PlanParams {
                    tower_heights_m: Some(vec![30.0, f64::NAN]),
                    ..Default::default()
                },
                "plan.tower_heights_m",
            ),
            (
                PlanParams {
                    tower_heights_m: Some(vec![]),
                    ..Default::default()
                },
                "plan.tower_heights_m",
            ),
            (
                PlanParams {
                    tower_heights_m: Some(vec![30.0]),
                    tower_height_m: Some(40.0),
                    ..Default::default()
                },
                "plan.tower_height_m",
            ),
            (
                PlanParams {
                    max_slope_deg: 91.0,
                    ..Default::default()
                },
                "°",
            ),
            (
                PlanParams {
                    min_distance_to_sites_m: -1.0,
                    ..Default::default()
                },
                "plan.min_distance_to_sites_m",
            ),
            (
                PlanParams {
                    village_radius_m: f64::INFINITY,
                    ..Default::default()
                },
                "plan.village_radius_m",
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

#[cfg(test)]
mod height_tests {
    use super::*;

    #[test]
    fn heights_default_old_key_and_list() {
        assert_eq!(PlanParams::default().heights_m(), vec![30.0, 45.0, 60.0]);
        let old = PlanParams {
            tower_height_m: Some(40.0),
            ..Default::default()
        };
        old.validate().unwrap();
        assert_eq!(old.heights_m(), vec![40.0]);
        let list = PlanParams {
            tower_heights_m: Some(vec![60.0, 30.0, 60.0]),
            ..Default::default()
        };
        list.validate().unwrap();
        assert_eq!(list.heights_m(), vec![30.0, 60.0]);
    }
}
