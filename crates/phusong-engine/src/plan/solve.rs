//! The plan's optimisation problems over the kept candidate towers: the budget plan (maximum
//! budget-objective coverage with at most `budget` towers, then the fewest towers that keep it),
//! the fewest towers for every coverage target of every measure, the lowest height each chosen tower
//! needs, and the building order. Every problem allows one height per candidate place.

use crate::plan::build::{Demand, PlanInputs};
use crate::plan::cover::CoverSets;
use crate::plan::greedy::{greedy_max, GreedyBudget};
use crate::plan::instance::{merge_items, Instance, REL_TOL};
use crate::plan::milp::{
    max_coverage, min_cost_for_target, Budget, CostMeasure, Limits, Solution, SolveStatus, Target,
};
use crate::plan::params::Objective;
use crate::plan::{PlanError, PlanParams};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kept candidate towers (variants that cover something) and the demand they cover.
pub(crate) struct Problem {
    /// Index into [`CoverSets::variants`] of each kept variant.
    pub variants: Vec<usize>,
    /// Candidate place of each kept variant: variants of one place are alternatives.
    pub place: Vec<u32>,
    pub height_m: Vec<f64>,
    /// Demand items each kept variant covers (numbered as in [`Demand`]).
    pub cover: Vec<Vec<u32>>,
    /// Budget-objective weight of every item.
    pub weight: Vec<f64>,
    /// Items below this index are villages not covered, the rest uncovered cells.
    pub hamlet_items: usize,
    /// People in each item's cell (0 for village items): the population measure.
    pub people: Vec<f64>,
    /// Whether each item is a land cell: the land-area measure.
    pub land: Vec<bool>,
    /// Capital cost of each kept variant (`[plan.costs]`, money units).
    pub cost: Vec<f64>,
}

impl Problem {
    /// The problem over `kept` variants; `cost_of(v)` is variant v's capital cost.
    pub(crate) fn new(
        demand: &Demand,
        sets: &CoverSets,
        kept: &[usize],
        cost_of: impl Fn(usize) -> f64,
    ) -> Problem {
        let hamlet_items = demand.hamlets.len();
        Problem {
            variants: kept.to_vec(),
            place: kept
                .iter()
                .map(|&v| sets.variants[v].place as u32)
                .collect(),
            height_m: kept.iter().map(|&v| sets.variants[v].height_m).collect(),
            cover: kept.iter().map(|&v| sets.cover[v].clone()).collect(),
            weight: demand.weight.clone(),
            hamlet_items,
            people: demand.people.clone(),
            land: demand.land.clone(),
            cost: kept.iter().map(|&v| cost_of(v)).collect(),
        }
    }

    /// Capital cost of the kept variants `chosen`.
    pub(crate) fn cost_of(&self, chosen: &[usize]) -> f64 {
        chosen.iter().map(|&j| self.cost[j]).sum()
    }

    /// The instance over the items `item_weight` gives a weight to (`None`: left out), renumbered
    /// in ascending item order; a tower costs its capital cost with `money`, else 1.
    fn instance(&self, item_weight: impl Fn(usize) -> Option<f64>, money: bool) -> Instance {
        let mut new_index = vec![u32::MAX; self.weight.len()];
        let mut weight = Vec::new();
        for (i, slot) in new_index.iter_mut().enumerate() {
            if let Some(w) = item_weight(i) {
                *slot = weight.len() as u32;
                weight.push(w);
            }
        }
        let cover = self
            .cover
            .iter()
            .map(|c| {
                c.iter()
                    .map(|&i| new_index[i as usize])
                    .filter(|&i| i != u32::MAX)
                    .collect()
            })
            .collect();
        Instance {
            weight,
            cover,
            cost: if money {
                self.cost.clone()
            } else {
                vec![1.0; self.cover.len()]
            },
            group: self.place.clone(),
        }
    }
}

/// Solver limits from `[plan]`: one thread, node limit, no clock.
pub(crate) fn limits(p: &PlanParams) -> Limits {
    Limits {
        max_nodes: p.milp_max_nodes,
        use_milp: p.milp,
        ..Limits::default()
    }
}

/// How one optimisation ended, as reported in `plan.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SolveReport {
    /// LP-relaxation optimum: an upper bound on coverage (budget) or a lower bound on towers
    /// (targets); `None` if the LP hit its iteration limit.
    pub lp_bound: Option<f64>,
    /// Distance of the plan from the best bound (LP or branch and bound), % of the bound
    /// (coverage) or of the plan (towers); 0 when proven optimal.
    pub optimality_gap_pct: Option<f64>,
    pub proven_optimal: bool,
    /// `optimal`, `work-limit` (node limit reached: best plan found), `solver-failed` (greedy plan
    /// kept) or `milp-disabled`.
    pub status: String,
    /// Whether the plan came from the MILP or the greedy warm start.
    pub source: String,
}

impl From<&Solution> for SolveReport {
    fn from(s: &Solution) -> Self {
        SolveReport {
            lp_bound: s.lp_bound,
            optimality_gap_pct: s.optimality_gap_pct,
            proven_optimal: s.proven_optimal,
            status: match s.status {
                SolveStatus::Optimal => "optimal",
                SolveStatus::WorkLimit => "work-limit",
                SolveStatus::MilpDisabled => "milp-disabled",
                _ => "solver-failed",
            }
            .into(),
            source: format!("{:?}", s.source).to_lowercase(),
        }
    }
}

/// The budget plan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BudgetResult {
    /// Most towers allowed (not binding when `budget_money` is set).
    pub budget: usize,
    /// Most capital cost allowed, in `[plan.costs]` currency, when the budget is money.
    #[serde(default)]
    pub budget_money: Option<f64>,
    /// Budget-objective weight (people + area) the plan covers, and all candidates together could.
    pub objective_covered: f64,
    pub objective_coverable: f64,
    /// What the greedy plan for the same budget covers.
    pub greedy_objective: f64,
    /// The maximum-coverage solve: its bound and gap are on `objective_covered`.
    pub max_coverage: SolveReport,
    /// When the budget covers all it could: the fewest towers (with `objective = "cost"`: the
    /// least capital cost) keeping that coverage, bound and gap on that measure. `None` when the
    /// budget is binding.
    pub fewest_towers: Option<SolveReport>,
    /// Towers in the plan.
    pub towers: usize,
}

/// What plans minimise: tower count or capital cost.
fn measure_of(p: &PlanParams) -> CostMeasure {
    match p.objective {
        Objective::Towers => CostMeasure::Towers,
        Objective::Cost => CostMeasure::Money,
    }
}

/// Maximum coverage for the budget (`p.budget` towers, or `p.budget_money` of capital cost);
/// when that covers everything coverable, the fewest towers (or least cost, by `p.objective`)
/// that still do. Returns the result and the chosen kept-variant indices.
pub(crate) fn budget_plan(
    problem: &Problem,
    p: &PlanParams,
    limits: &Limits,
) -> Result<(BudgetResult, Vec<usize>), PlanError> {
    let measure = measure_of(p);
    // Tower counts alone keep the instance's costs at 1 (the plan is then as before costs).
    let money = p.budget_money.is_some() || measure == CostMeasure::Money;
    // Items of no weight (no area weight set) play no part in the budget objective.
    let inst = problem.instance(
        |i| (problem.weight[i] > 0.0).then_some(problem.weight[i]),
        money,
    );
    let merged = merge_items(&inst)?.instance;
    let budget = match p.budget_money {
        Some(b) => Budget::Money(b),
        None => Budget::Towers(u32::try_from(p.budget).unwrap_or(u32::MAX)),
    };
    let best = max_coverage(&merged, budget, limits)?;
    let coverable = merged.coverable_weight();
    let mut result = BudgetResult {
        budget: p.budget,
        budget_money: p.budget_money,
        objective_covered: best.covered_weight,
        objective_coverable: coverable,
        greedy_objective: best.greedy_objective,
        max_coverage: SolveReport::from(&best),
        fewest_towers: None,
        towers: best.chosen.len(),
    };
    let mut chosen = best.chosen.clone();
    if best.covered_weight >= coverable * (1.0 - REL_TOL) && !chosen.is_empty() {
        // Every item has a weight, so covering the same weight is covering every coverable item:
        // the set-cover model, much smaller and tighter than a weight target.
        // (With one height per place, every coverable item at once may be out of reach: then the
        // maximum-coverage plan stands.)
        match min_cost_for_target(&merged, Target::AllCoverable, measure, limits) {
            Ok(fewest) => {
                let better = match measure {
                    CostMeasure::Towers => fewest.chosen.len() <= chosen.len(),
                    CostMeasure::Money => {
                        problem.cost_of(&fewest.chosen) <= problem.cost_of(&chosen)
                    }
                };
                if better {
                    chosen = fewest.chosen.clone();
                    result.objective_covered = fewest.covered_weight;
                }
                result.fewest_towers = Some(SolveReport::from(&fewest));
                result.towers = chosen.len();
            }
            Err(PlanError::TargetUnreachable { .. } | PlanError::NoPlanWithinLimits { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((result, chosen))
}

/// Gives each chosen tower the lowest height at its place that still covers every item only it
/// covers in the plan, so the plan's coverage is kept (towers taken in ascending index order).
pub(crate) fn lower_heights(problem: &Problem, chosen: Vec<usize>) -> Vec<usize> {
    let mut count = vec![0u32; problem.weight.len()];
    for &j in &chosen {
        for &i in &problem.cover[j] {
            count[i as usize] += 1;
        }
    }
    // Kept variants of each place, lowest first.
    let mut by_place: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (j, &q) in problem.place.iter().enumerate() {
        by_place.entry(q).or_default().push(j);
    }
    for v in by_place.values_mut() {
        v.sort_by(|&a, &b| problem.height_m[a].total_cmp(&problem.height_m[b]));
    }
    let mut out = chosen;
    for slot in out.iter_mut() {
        let j = *slot;
        let alone: Vec<u32> = problem.cover[j]
            .iter()
            .copied()
            .filter(|&i| count[i as usize] == 1)
            .collect();
        let lower = by_place
            .get(&problem.place[j])
            .into_iter()
            .flatten()
            .copied()
            .take_while(|&a| problem.height_m[a] < problem.height_m[j])
            .find(|&a| {
                alone
                    .iter()
                    .all(|i| problem.cover[a].binary_search(i).is_ok())
            });
        if let Some(a) = lower {
            for &i in &problem.cover[j] {
                count[i as usize] -= 1;
            }
            for &i in &problem.cover[a] {
                count[i as usize] += 1;
            }
            *slot = a;
        }
    }
    out.sort_unstable();
    out
}

/// Building order of `chosen`: each next tower adds the most budget-objective weight (lazy greedy
/// restricted to the plan; ties to the lower index); towers adding nothing go last. Returns variant
/// indices into [`CoverSets::variants`].
pub(crate) fn rank(problem: &Problem, chosen: &[usize]) -> Vec<usize> {
    let cover: Vec<Vec<u32>> = chosen.iter().map(|&j| problem.cover[j].clone()).collect();
    let mut order = greedy_max(
        &cover,
        &problem.weight,
        &GreedyBudget::Count(chosen.len()),
        &[],
        &[],
    );
    let mut picked = vec![false; chosen.len()];
    order.iter().for_each(|&k| picked[k] = true);
    order.extend((0..chosen.len()).filter(|&k| !picked[k]));
    order
        .into_iter()
        .map(|k| problem.variants[chosen[k]])
        .collect()
}

/// Fewest towers (or least capital cost, with `objective = "cost"`) for one target.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TargetResult {
    /// Hamlets, people or land cells the plan must add to the existing coverage.
    pub needed: f64,
    /// Towers of the plan found: the fewest, or those of the least-cost plan (`None`: the target
    /// is beyond what every candidate together reaches).
    pub towers: Option<usize>,
    /// Capital cost of that plan (`[plan.costs]` currency, before the lowering of heights that
    /// only the budget plan gets).
    #[serde(default)]
    pub cost: Option<f64>,
    /// Towers the greedy plan needs.
    pub greedy_towers: Option<usize>,
    /// How the solve ended (`None` when the target is met today or unreachable).
    pub solve: Option<SolveReport>,
}

/// The three measures the report gives: (name, item weight, total, covered before the plan),
/// towers costing their capital cost with `money`. Villages count by the share rule; people and
/// land by cell.
fn measures(
    problem: &Problem,
    inputs: &PlanInputs,
    money: bool,
) -> Vec<(&'static str, Instance, f64, f64)> {
    let t = &inputs.before.total;
    let h = problem.hamlet_items;
    vec![
        (
            "hamlets",
            problem.instance(|i| (i < h).then_some(1.0), money),
            t.hamlets as f64,
            t.hamlets_covered as f64,
        ),
        (
            "population",
            problem.instance(
                |i| (problem.people[i] > 0.0).then(|| problem.people[i]),
                money,
            ),
            t.population as f64,
            t.population_covered as f64,
        ),
        (
            "land_area",
            problem.instance(|i| problem.land[i].then_some(1.0), money),
            t.land_cells as f64,
            t.land_cells_covered as f64,
        ),
    ]
}

/// What must be added to reach `pct` % of `total` from `before` (counts rounded up to whole items).
fn needed(measure: &str, pct: f64, total: f64, before: f64) -> f64 {
    let goal = pct / 100.0 * total;
    let goal = if measure == "population" {
        goal
    } else {
        (goal - 1e-9 * total.max(1.0)).ceil()
    };
    (goal - before).max(0.0)
}

/// Fewest towers (or least cost, by `p.objective`) for every target % of every measure.
pub(crate) fn targets(
    problem: &Problem,
    inputs: &PlanInputs,
    p: &PlanParams,
    limits: &Limits,
) -> Result<BTreeMap<String, BTreeMap<String, TargetResult>>, PlanError> {
    let measure = measure_of(p);
    let targets_pct = &p.targets_pct;
    let mut out = BTreeMap::new();
    for (name, inst, total, before) in measures(problem, inputs, measure == CostMeasure::Money) {
        let merged = merge_items(&inst)?.instance;
        let coverable = merged.coverable_weight();
        let mut per = BTreeMap::new();
        for &pct in targets_pct {
            let need = needed(name, pct, total, before);
            let tol = REL_TOL * coverable.max(1.0);
            let result = if need <= 0.0 {
                TargetResult {
                    needed: 0.0,
                    towers: Some(0),
                    cost: Some(0.0),
                    greedy_towers: Some(0),
                    solve: None,
                }
            } else if need > coverable + tol {
                TargetResult {
                    needed: need,
                    towers: None,
                    cost: None,
                    greedy_towers: None,
                    solve: None,
                }
            } else {
                let target = if need >= coverable - tol {
                    Target::AllCoverable
                } else {
                    Target::Weight(need)
                };
                match min_cost_for_target(&merged, target, measure, limits) {
                    Ok(s) => TargetResult {
                        needed: need,
                        towers: Some(s.chosen.len()),
                        cost: Some(problem.cost_of(&s.chosen)),
                        // The greedy's objective is a tower count only when counting towers.
                        greedy_towers: (measure == CostMeasure::Towers
                            && s.greedy_objective.is_finite())
                        .then(|| s.greedy_objective.round() as usize),
                        solve: Some(SolveReport::from(&s)),
                    },
                    // One height per place can put a target the union of candidates reaches out
                    // of reach (proven by HiGHS), or beyond what the node limit finds.
                    Err(
                        PlanError::TargetUnreachable { .. } | PlanError::NoPlanWithinLimits { .. },
                    ) => TargetResult {
                        needed: need,
                        towers: None,
                        cost: None,
                        greedy_towers: None,
                        solve: None,
                    },
                    Err(e) => return Err(e),
                }
            };
            per.insert(format!("{pct}"), result);
        }
        out.insert(name.to_string(), per);
    }
    Ok(out)
}

/// The most each measure reaches with every kept candidate built, % of its total.
pub(crate) fn reachable_pct(problem: &Problem, inputs: &PlanInputs) -> BTreeMap<String, f64> {
    measures(problem, inputs, false)
        .into_iter()
        .map(|(name, inst, total, before)| {
            let pct = if total > 0.0 {
                100.0 * (before + inst.coverable_weight()) / total
            } else {
                100.0
            };
            (name.to_string(), pct)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small random problem: `places` places × 2 heights, the taller covering a superset and
    /// costing more; costs vary by place as grid distances do.
    fn problem(seed: u64, places: usize, items: usize) -> Problem {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: u64| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 33) % n
        };
        let (mut place, mut height_m, mut cover, mut cost) = (vec![], vec![], vec![], vec![]);
        for q in 0..places {
            let low: Vec<u32> = (0..items as u32).filter(|_| next(4) == 0).collect();
            let mut high = low.clone();
            high.extend((0..items as u32).filter(|i| !low.contains(i) && next(5) == 0));
            high.sort_unstable();
            let base = 50_000.0 + 1000.0 * next(60) as f64;
            for (h, c, extra) in [(30.0, low, 0.0), (60.0, high, 30_000.0)] {
                place.push(q as u32);
                height_m.push(h);
                cover.push(c);
                cost.push(base + extra);
            }
        }
        let weight = (0..items).map(|_| 1.0 + next(20) as f64).collect();
        Problem {
            variants: (0..place.len()).collect(),
            place,
            height_m,
            cover,
            weight,
            hamlet_items: 0,
            people: vec![0.0; items],
            land: vec![true; items],
            cost,
        }
    }

    /// Every plan with at most one height per place, by brute force: (chosen, weight, cost).
    fn all_plans(p: &Problem) -> Vec<(Vec<usize>, f64, f64)> {
        let places = 1 + *p.place.iter().max().unwrap() as usize;
        let mut out = Vec::new();
        // Each place: none, low or high.
        for code in 0..3usize.pow(places as u32) {
            let (mut c, mut chosen) = (code, Vec::new());
            for q in 0..places {
                if c % 3 > 0 {
                    chosen.push(2 * q + c % 3 - 1);
                }
                c /= 3;
            }
            let mut hit = vec![false; p.weight.len()];
            chosen
                .iter()
                .for_each(|&j| p.cover[j].iter().for_each(|&i| hit[i as usize] = true));
            let w = (0..hit.len())
                .filter(|&i| hit[i])
                .map(|i| p.weight[i])
                .sum();
            out.push((chosen.clone(), w, p.cost_of(&chosen)));
        }
        out
    }

    #[test]
    fn least_cost_plans_and_money_budgets_match_brute_force() {
        let limits = Limits::default();
        let mut cheaper = 0;
        for seed in 0..12 {
            let p = problem(seed, 6, 14);
            let plans = all_plans(&p);
            let coverable = plans.iter().map(|x| x.1).fold(0.0, f64::max);
            if coverable == 0.0 {
                continue;
            }
            // A budget big enough for everything: the budget plan covers all it can with the
            // fewest towers, or with the least cost.
            let params = |objective, budget_money| PlanParams {
                budget: 100,
                budget_money,
                objective,
                ..Default::default()
            };
            let (_, by_towers) =
                budget_plan(&p, &params(Objective::Towers, None), &limits).unwrap();
            let (r, by_cost) = budget_plan(&p, &params(Objective::Cost, None), &limits).unwrap();
            assert!(r.fewest_towers.as_ref().unwrap().proven_optimal);
            let full: Vec<_> = plans.iter().filter(|x| x.1 >= coverable - 1e-9).collect();
            let least_cost = full.iter().map(|x| x.2).fold(f64::INFINITY, f64::min);
            let fewest = full.iter().map(|x| x.0.len()).min().unwrap();
            let weight = |c: &[usize]| all_plans_weight(&p, c);
            // Both reach the target (everything coverable), each optimal for its own measure,
            // and the least-cost plan never costs more than the fewest-towers plan.
            assert_eq!(weight(&by_towers), coverable, "seed {seed}");
            assert_eq!(weight(&by_cost), coverable, "seed {seed}");
            assert_eq!(by_towers.len(), fewest, "seed {seed}");
            assert_eq!(p.cost_of(&by_cost), least_cost, "seed {seed}");
            assert!(p.cost_of(&by_cost) <= p.cost_of(&by_towers), "seed {seed}");
            cheaper += usize::from(p.cost_of(&by_cost) < p.cost_of(&by_towers));
            // A money budget: the most weight any plan within it covers.
            let money = 0.4 * p.cost_of(&by_towers);
            let (r, chosen) =
                budget_plan(&p, &params(Objective::Towers, Some(money)), &limits).unwrap();
            assert!(r.max_coverage.proven_optimal, "seed {seed}");
            assert!(p.cost_of(&chosen) <= money, "seed {seed}");
            let best = plans
                .iter()
                .filter(|x| x.2 <= money)
                .map(|x| x.1)
                .fold(0.0, f64::max);
            assert_eq!(weight(&chosen), best, "seed {seed}: money {money}");
            assert_eq!(r.budget_money, Some(money));
        }
        // The two objectives differ on some of these cases (else the test tells nothing).
        assert!(cheaper > 0);
    }

    /// Weight `chosen` covers.
    fn all_plans_weight(p: &Problem, chosen: &[usize]) -> f64 {
        let mut hit = vec![false; p.weight.len()];
        chosen
            .iter()
            .for_each(|&j| p.cover[j].iter().for_each(|&i| hit[i as usize] = true));
        (0..hit.len())
            .filter(|&i| hit[i])
            .map(|i| p.weight[i])
            .sum()
    }
}
