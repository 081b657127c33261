//! Coverage as a function of the number of new towers.
//!
//! Method (chosen for run time): one lazy-greedy pass gives the greedy coverage for every
//! k = 1..K at once — with deterministic tie-breaking the greedy plan for k towers is the
//! first k picks of the plan for K. Exact MILP solves run only at the tower counts the caller
//! asks for, in increasing order; each is warm-started from the better of the greedy prefix
//! and the previous exact plan extended greedily by the extra towers, so the exact curve is
//! non-decreasing in k even when a solve stops at its work limit.

use crate::plan::error::PlanError;
use crate::plan::greedy::{greedy_max, GreedyBudget};
use crate::plan::instance::Instance;
use crate::plan::milp::{solve_max_from, validate_max, Budget, Limits, Solution};
use serde::{Deserialize, Serialize};

/// One point of the curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Number of new towers k.
    pub towers: u32,
    /// Weight covered by the first k greedy picks (people or area units).
    pub greedy_weight: f64,
    /// Exact (or best-within-limits) plan for k towers, if requested.
    pub exact: Option<Solution>,
}

/// Coverage curve for k = 1..=K towers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageCurve {
    /// Greedy pick order (may be shorter than K when nothing more can be gained).
    pub greedy_order: Vec<usize>,
    /// Points for k = 1..=K.
    pub points: Vec<CurvePoint>,
}

/// Greedy coverage for every k ≤ `max_towers`, plus exact solves at `exact_at` (strictly
/// increasing tower counts, each in 1..=`max_towers`).
pub fn coverage_curve(
    inst: &Instance,
    max_towers: u32,
    exact_at: &[u32],
    limits: &Limits,
) -> Result<CoverageCurve, PlanError> {
    validate_max(inst, Budget::Towers(max_towers), limits)?;
    for (position, &value) in exact_at.iter().enumerate() {
        let increasing = position == 0 || exact_at[position - 1] < value;
        if value == 0 || value > max_towers || !increasing {
            return Err(PlanError::InvalidCurvePoints {
                position,
                value,
                max_towers,
            });
        }
    }
    let order = greedy_max(
        &inst.cover,
        &inst.weight,
        &GreedyBudget::Count(max_towers as usize),
        &[],
        &inst.group,
    );
    // Cumulative greedy coverage, adding each pick's newly covered items in item order.
    let mut covered = vec![false; inst.weight.len()];
    let mut cumulative = Vec::with_capacity(order.len());
    let mut total = 0.0;
    for &j in &order {
        for &i in &inst.cover[j] {
            let c = &mut covered[i as usize];
            if !*c {
                *c = true;
                total += inst.weight[i as usize];
            }
        }
        cumulative.push(total);
    }
    let mut points: Vec<CurvePoint> = (1..=max_towers)
        .map(|k| CurvePoint {
            towers: k,
            greedy_weight: cumulative
                .get((k as usize).min(order.len()).wrapping_sub(1))
                .copied()
                .unwrap_or(0.0),
            exact: None,
        })
        .collect();
    let mut previous: Vec<usize> = Vec::new();
    for &k in exact_at {
        let prefix: Vec<usize> = order.iter().take(k as usize).copied().collect();
        let extended = greedy_max(
            &inst.cover,
            &inst.weight,
            &GreedyBudget::Count(k as usize),
            &previous,
            &inst.group,
        );
        let warm = if inst.covered_weight(&extended) > inst.covered_weight(&prefix) {
            extended
        } else {
            prefix
        };
        let sol = solve_max_from(inst, Budget::Towers(k), limits, warm, None)?;
        previous = sol.chosen.clone();
        if let Some(p) = points.get_mut(k as usize - 1) {
            p.exact = Some(sol);
        }
    }
    Ok(CoverageCurve {
        greedy_order: order,
        points,
    })
}
