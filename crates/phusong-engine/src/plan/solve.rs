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
}

impl Problem {
    pub(crate) fn new(demand: &Demand, sets: &CoverSets, kept: &[usize]) -> Problem {
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
        }
    }

    /// The instance over the items `item_weight` gives a weight to (`None`: left out), renumbered
    /// in ascending item order; one tower costs 1.
    fn instance(&self, item_weight: impl Fn(usize) -> Option<f64>) -> Instance {
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
            cost: vec![1.0; self.cover.len()],
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
    /// Most towers allowed.
    pub budget: usize,
    /// Budget-objective weight (people + area) the plan covers, and all candidates together could.
    pub objective_covered: f64,
    pub objective_coverable: f64,
    /// What the greedy plan for the same budget covers.
    pub greedy_objective: f64,
    /// The maximum-coverage solve: its bound and gap are on `objective_covered`.
    pub max_coverage: SolveReport,
    /// When the budget covers all it could: the fewest towers keeping that coverage (bound and gap
    /// on the tower count). `None` when the budget is binding.
    pub fewest_towers: Option<SolveReport>,
    /// Towers in the plan.
    pub towers: usize,
}

/// Maximum coverage for the budget; when that covers everything coverable, the fewest towers that
/// still do. Returns the result and the chosen kept-variant indices.
pub(crate) fn budget_plan(
    problem: &Problem,
    budget: usize,
    limits: &Limits,
) -> Result<(BudgetResult, Vec<usize>), PlanError> {
    // Items of no weight (no area weight set) play no part in the budget objective.
    let inst = problem.instance(|i| (problem.weight[i] > 0.0).then_some(problem.weight[i]));
    let merged = merge_items(&inst)?.instance;
    let k = u32::try_from(budget).unwrap_or(u32::MAX);
    let best = max_coverage(&merged, Budget::Towers(k), limits)?;
    let coverable = merged.coverable_weight();
    let mut result = BudgetResult {
        budget,
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
        match min_cost_for_target(&merged, Target::AllCoverable, CostMeasure::Towers, limits) {
            Ok(fewest) => {
                if fewest.chosen.len() <= chosen.len() {
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

/// Fewest towers for one target.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TargetResult {
    /// Hamlets, people or land cells the plan must add to the existing coverage.
    pub needed: f64,
    /// Fewest towers found (`None`: the target is beyond what every candidate together reaches).
    pub towers: Option<usize>,
    /// Towers the greedy plan needs.
    pub greedy_towers: Option<usize>,
    /// How the solve ended (`None` when the target is met today or unreachable).
    pub solve: Option<SolveReport>,
}

/// The three measures the report gives: (name, item weight, total, covered before the plan).
/// Villages count by the share rule; people and land by cell.
fn measures(problem: &Problem, inputs: &PlanInputs) -> Vec<(&'static str, Instance, f64, f64)> {
    let t = &inputs.before.total;
    let h = problem.hamlet_items;
    vec![
        (
            "hamlets",
            problem.instance(|i| (i < h).then_some(1.0)),
            t.hamlets as f64,
            t.hamlets_covered as f64,
        ),
        (
            "population",
            problem.instance(|i| (problem.people[i] > 0.0).then(|| problem.people[i])),
            t.population as f64,
            t.population_covered as f64,
        ),
        (
            "land_area",
            problem.instance(|i| problem.land[i].then_some(1.0)),
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

/// Fewest towers for every target % of every measure.
pub(crate) fn targets(
    problem: &Problem,
    inputs: &PlanInputs,
    targets_pct: &[f64],
    limits: &Limits,
) -> Result<BTreeMap<String, BTreeMap<String, TargetResult>>, PlanError> {
    let mut out = BTreeMap::new();
    for (name, inst, total, before) in measures(problem, inputs) {
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
                    greedy_towers: Some(0),
                    solve: None,
                }
            } else if need > coverable + tol {
                TargetResult {
                    needed: need,
                    towers: None,
                    greedy_towers: None,
                    solve: None,
                }
            } else {
                let target = if need >= coverable - tol {
                    Target::AllCoverable
                } else {
                    Target::Weight(need)
                };
                match min_cost_for_target(&merged, target, CostMeasure::Towers, limits) {
                    Ok(s) => TargetResult {
                        needed: need,
                        towers: Some(s.chosen.len()),
                        greedy_towers: s
                            .greedy_objective
                            .is_finite()
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
    measures(problem, inputs)
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
