//! What a proposed tower costs (`[plan.costs]` in a study file): the tower itself (by height), its
//! power (a grid connection priced by the straight-line distance to the grid-powered village that
//! powers it, else a solar kit) and its backhaul (0 until backhaul is planned), plus a yearly
//! operating cost reported beside the capital cost.
//!
//! The defaults are illustrative orders of magnitude for a rural greenfield site in a lower-middle
//! income market (README "Costs" says where they come from); a study sets its own.

use crate::error::{check_range, ParamError};
use serde::{Deserialize, Serialize};

/// Unit costs, in `currency`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Costs {
    /// Currency of every cost (a label: ISO 4217 code such as USD or VND).
    pub currency: String,
    /// One tower up to 30 m of antenna height: mast, foundation, radio equipment, installation.
    pub tower: f64,
    /// Added per metre of antenna height above 30 m (taller masts need more steel and footing).
    pub tower_per_m_above_30m: f64,
    /// Grid connection per km of straight-line distance to the grid-powered village that powers
    /// the tower (a medium/low-voltage line).
    pub grid_connection_per_km: f64,
    /// Solar panels, batteries and controller for a tower with no grid within reach.
    pub solar_kit: f64,
    /// One microwave backhaul hop (both ends). Not used until backhaul is planned.
    pub microwave_hop: f64,
    /// One satellite backhaul terminal. Not used until backhaul is planned.
    pub satellite_terminal: f64,
    /// Yearly operating cost per tower (site rent, maintenance, energy), reported beside the
    /// capital cost and not part of it.
    pub yearly_operating: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            currency: "USD".into(),
            tower: 50_000.0,
            tower_per_m_above_30m: 1_000.0,
            grid_connection_per_km: 20_000.0,
            solar_kit: 30_000.0,
            microwave_hop: 20_000.0,
            satellite_terminal: 10_000.0,
            yearly_operating: 10_000.0,
        }
    }
}

/// Antenna height included in [`Costs::tower`], metres.
pub const TOWER_BASE_HEIGHT_M: f64 = 30.0;

/// Largest unit cost accepted (any currency; 1e12 VND is about 40 million USD).
const MAX_COST: f64 = 1e12;

/// One tower's capital cost by part, and its yearly operating cost (all in [`Costs::currency`],
/// rounded to whole units).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TowerCost {
    pub tower: f64,
    /// Grid connection or solar kit.
    pub power: f64,
    /// 0 until backhaul is planned.
    pub backhaul: f64,
    /// tower + power + backhaul.
    pub total: f64,
    pub yearly_operating: f64,
}

impl Costs {
    /// Checks every cost: finite, 0–1e12, the currency a short label.
    pub fn validate(&self) -> Result<(), ParamError> {
        let k = |e: ParamError| e.under("costs");
        let c = self.currency.trim();
        if c.is_empty() || c.len() > 8 || !c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
            return Err(k(ParamError::new(
                "currency",
                format!("{:?}", self.currency),
                "a currency code of 1–8 letters or digits, e.g. USD or VND",
            )));
        }
        for (key, v) in [
            ("tower", self.tower),
            ("tower_per_m_above_30m", self.tower_per_m_above_30m),
            ("grid_connection_per_km", self.grid_connection_per_km),
            ("solar_kit", self.solar_kit),
            ("microwave_hop", self.microwave_hop),
            ("satellite_terminal", self.satellite_terminal),
            ("yearly_operating", self.yearly_operating),
        ] {
            let unit = match key {
                "tower_per_m_above_30m" => "0–1e12 per metre, in the study's currency",
                "grid_connection_per_km" => "0–1e12 per km, in the study's currency",
                "yearly_operating" => "0–1e12 per tower per year, in the study's currency",
                _ => "0–1e12 per tower, in the study's currency",
            };
            check_range(key, v, 0.0, MAX_COST, unit).map_err(k)?;
        }
        Ok(())
    }

    /// The cost of a tower `height_m` tall, grid-powered from `grid_distance_m` away (straight
    /// line) or, with `None`, solar.
    pub fn tower_cost(&self, height_m: f64, grid_distance_m: Option<f64>) -> TowerCost {
        let tower =
            self.tower + self.tower_per_m_above_30m * (height_m - TOWER_BASE_HEIGHT_M).max(0.0);
        let power = match grid_distance_m {
            Some(d) => self.grid_connection_per_km * d.max(0.0) / 1000.0,
            None => self.solar_kit,
        };
        let (tower, power) = (tower.round(), power.round());
        TowerCost {
            tower,
            power,
            backhaul: 0.0,
            total: tower + power,
            yearly_operating: self.yearly_operating.round(),
        }
    }
}

/// The plan's costs: the total, and the cumulative capital cost in the plan's order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostSummary {
    pub currency: String,
    /// Capital cost of every proposed tower.
    pub total: f64,
    /// Of which power (grid connections and solar kits), and backhaul (0 until backhaul is
    /// planned).
    pub power: f64,
    pub backhaul: f64,
    /// Yearly operating cost of the proposed towers together.
    pub yearly_operating: f64,
    /// Entry k: capital cost of the first k towers in rank order (k = 0 … towers), aligned with
    /// the plan's `curve`.
    pub cumulative: Vec<f64>,
}

impl CostSummary {
    /// The summary of `costs` (in rank order).
    pub fn new(currency: &str, costs: &[&TowerCost]) -> CostSummary {
        let mut cumulative = vec![0.0];
        let mut total = 0.0;
        for c in costs {
            total += c.total;
            cumulative.push(total);
        }
        CostSummary {
            currency: currency.to_string(),
            total,
            power: costs.iter().map(|c| c.power).sum(),
            backhaul: costs.iter().map(|c| c.backhaul).sum(),
            yearly_operating: costs.iter().map(|c| c.yearly_operating).sum(),
            cumulative,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tower_cost_adds_its_parts_by_height_and_power() {
        let c = Costs::default();
        c.validate().unwrap();
        let solar = c.tower_cost(30.0, None);
        assert_eq!(solar.tower, c.tower);
        assert_eq!(solar.power, c.solar_kit);
        assert_eq!(solar.backhaul, 0.0);
        assert_eq!(solar.total, c.tower + c.solar_kit);
        // 60 m: 30 m above the base height; 1.5 km of grid line.
        let tall = c.tower_cost(60.0, Some(1500.0));
        assert_eq!(tall.tower, c.tower + 30.0 * c.tower_per_m_above_30m);
        assert_eq!(tall.power, 1.5 * c.grid_connection_per_km);
        assert_eq!(tall.total, tall.tower + tall.power);
        // A tower beside its village costs only the tower.
        assert_eq!(c.tower_cost(20.0, Some(0.0)).total, c.tower);
        let s = CostSummary::new("USD", &[&solar, &tall]);
        assert_eq!(
            s.cumulative,
            vec![0.0, solar.total, solar.total + tall.total]
        );
        assert_eq!(s.total, s.cumulative[2]);
        assert_eq!(s.yearly_operating, 2.0 * c.yearly_operating);
    }

    #[test]
    fn bad_costs_are_named_with_units() {
        for (c, want) in [
            (
                Costs {
                    tower: f64::NAN,
                    ..Default::default()
                },
                "plan.costs.tower",
            ),
            (
                Costs {
                    solar_kit: -1.0,
                    ..Default::default()
                },
                "plan.costs.solar_kit",
            ),
            (
                Costs {
                    grid_connection_per_km: f64::INFINITY,
                    ..Default::default()
                },
                "per km",
            ),
            (
                Costs {
                    currency: "".into(),
                    ..Default::default()
                },
                "plan.costs.currency",
            ),
        ] {
            let e = c.validate().map_err(|e| e.under("plan")).unwrap_err();
            let e = e.to_string();
            assert!(e.contains(want), "{e} lacks {want}");
        }
    }
}
