//! Exact maximum coverage and minimum-cost coverage as MILPs solved by HiGHS.
//!
//! Maximum coverage (Nemhauser & Wolsey, *Integer and Combinatorial Optimization*, 1988;
//! the MCLP of Church & ReVelle, Papers Reg. Sci. Assoc. 32 (1974) 101–118, eqs. (1)–(5)):
//!
//! ```text
//! max Σ_i w_i y_i   s.t.  Σ_j b_j x_j ≤ B,   y_i ≤ Σ_{j ∋ i} x_j,   x ∈ {0,1}^m,  y ∈ [0,1]^n
//! ```
//!
//! Minimum cost for a target: `min Σ_j c_j x_j` with `Σ_i w_i y_i ≥ T` and the same linking
//! rows; covering every coverable item is the plain set-cover model `Σ_{j ∋ i} x_j ≥ 1`.
//!
//! Exact reductions applied before the model is handed over:
//! * items of weight 0 are dropped (except in the set-cover model);
//! * an item covered by a single candidate j needs no `y`: `y_i = x_j` at every optimum of
//!   the MILP and of its LP relaxation, so its weight is added to x_j's coefficient instead
//!   (in set cover, such an item fixes x_j = 1).
//!
//! When every plan's objective is a whole number (tower counts, integer weights or costs), a
//! bound is rounded towards the plans (⌈LP⌉ towers): a plan meeting the rounded bound is
//! proven optimal without (further) branching.
//!
//! Alternatives: candidates sharing a group id (the heights of one place) get a row
//! `Σ_{j ∈ g} x_j ≤ 1`.
//!
//! Determinism: HiGHS runs on one thread with a fixed `random_seed`, node and simplex
//! iteration limits and no time limit, so the same input gives bit-identical output.

use crate::plan::error::PlanError;
use crate::plan::greedy::{
    drop_redundant, fits_budget, greedy_max, greedy_min_cost, improve_by_swaps, GreedyBudget,
};
use crate::plan::instance::{Instance, Transposed, REL_TOL};
use crate::plan::reduce::{reduce, Reduction};
use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Row, Sense};
use serde::{Deserialize, Serialize};

/// Budget of a maximum-coverage plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Budget {
    /// At most this many new towers (costs ignored).
    Towers(u32),
    /// Total `cost` of the chosen candidates at most this much (money units).
    Money(f64),
}

/// What a minimum-cost plan minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CostMeasure {
    /// Number of new towers.
    Towers,
    /// Sum of candidate `cost` (money units).
    Money,
}

/// Coverage a minimum-cost plan must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// Covered weight at least this much (people or area units).
    Weight(f64),
    /// Every item that some candidate covers, including items of weight 0.
    AllCoverable,
}

/// Deterministic work limits for HiGHS (no wall-clock limit on purpose).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// HiGHS `mip_max_nodes`: branch-and-bound nodes before giving up on a proof.
    pub max_nodes: u32,
    /// HiGHS `simplex_iteration_limit` for the LP-relaxation (bound) solve.
    pub max_lp_iterations: u32,
    /// HiGHS `mip_rel_gap`: relative gap at which HiGHS stops and calls the MILP optimal.
    /// The default 1e-9 proves exact optimality whenever weights (or costs) are integers
    /// and the objective is below 1e9.
    pub mip_rel_gap: f64,
    /// HiGHS `random_seed` (0 ..= 2147483647).
    pub random_seed: u32,
    /// When false, only the greedy solution and the LP bound are computed.
    pub use_milp: bool,
    /// Fix candidates by LP reduced costs against the greedy incumbent before branching
    /// (exact; off only for comparison).
    pub reduced_cost_fixing: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nodes: 5_000,
            max_lp_iterations: 1_000_000,
            mip_rel_gap: 1e-9,
            random_seed: 0,
            use_milp: true,
            reduced_cost_fixing: true,
        }
    }
}

impl Limits {
    /// Checks every field; see [`PlanError::InvalidLimit`].
    pub fn validate(&self) -> Result<(), PlanError> {
        let max_int = i32::MAX as u32;
        for (name, value) in [
            ("max_nodes", self.max_nodes),
            ("max_lp_iterations", self.max_lp_iterations),
            ("random_seed", self.random_seed),
        ] {
            if value > max_int {
                return Err(PlanError::InvalidLimit {
                    name,
                    value: f64::from(value),
                    expected: "an integer ≤ 2147483647 (HiGHS int option)",
                });
            }
        }
        if !(self.mip_rel_gap.is_finite() && (0.0..1.0).contains(&self.mip_rel_gap)) {
            return Err(PlanError::InvalidLimit {
                name: "mip_rel_gap",
                value: self.mip_rel_gap,
                expected: "a finite relative gap in [0, 1) (dimensionless)",
            });
        }
        Ok(())
    }
}

/// Where the returned choice of candidates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// The lazy greedy heuristic, for maximum coverage polished by 1-swap local search
    /// (warm start / fallback).
    Greedy,
    /// HiGHS' branch-and-bound.
    Milp,
}

/// How the solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SolveStatus {
    /// Proven optimal within `mip_rel_gap` (by HiGHS, by the greedy solution meeting the LP
    /// bound, or trivially).
    Optimal,
    /// `max_nodes` reached before a proof; best known solution returned.
    WorkLimit,
    /// HiGHS failed or answered something unusable; the greedy solution is returned.
    SolverFailed,
    /// `Limits::use_milp` was false; greedy solution with the LP bound.
    MilpDisabled,
}

/// A plan: which candidates to build, how good it is, and how far from optimal it may be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Chosen candidate indices, ascending.
    pub chosen: Vec<usize>,
    /// Covered weight (maximum coverage) or cost / tower count (minimum cost).
    pub objective: f64,
    /// Weight covered by `chosen`, summed in item order.
    pub covered_weight: f64,
    /// Total money cost of `chosen`.
    pub total_cost: f64,
    /// Objective of the greedy solution, for comparison (infinite for a target the greedy
    /// could not reach, possible only with groups of alternatives).
    pub greedy_objective: f64,
    /// Optimum of the LP relaxation: an upper bound (maximum coverage) or lower bound
    /// (minimum cost) on the MILP optimum, up to HiGHS' 1e-7 tolerances. `None` if the LP
    /// stopped at its iteration limit or HiGHS failed.
    pub lp_bound: Option<f64>,
    /// HiGHS' branch-and-bound dual bound (same side as `lp_bound`, never looser after a
    /// full solve), if the MILP was run.
    pub mip_bound: Option<f64>,
    /// `(bound − objective)/bound·100` (max) or `(objective − bound)/objective·100` (min),
    /// with the tighter of the two bounds; 0 when proven optimal; `None` without any bound.
    pub optimality_gap_pct: Option<f64>,
    /// True when `objective` is proven optimal within `Limits::mip_rel_gap`.
    pub proven_optimal: bool,
    /// How the solve ended.
    pub status: SolveStatus,
    /// Where `chosen` came from.
    pub source: Source,
    /// Candidates left in the model after the exact reductions (dominance, budget).
    pub model_candidates: usize,
    /// Candidates fixed by reduced-cost fixing before branch-and-bound.
    pub fixed_by_reduced_cost: usize,
}

/// Maximises covered weight under a tower-count or money budget.
///
/// Runs the lazy greedy (warm start and fallback), the LP relaxation (bound) and, unless the
/// greedy already meets the bound, HiGHS' branch-and-bound. Call [`crate::plan::merge_items`]
/// first on large instances: the optimum is unchanged and the model much smaller.
pub fn max_coverage(
    inst: &Instance,
    budget: Budget,
    limits: &Limits,
) -> Result<Solution, PlanError> {
    validate_max(inst, budget, limits)?;
    let warm = greedy_max(
        &inst.cover,
        &inst.weight,
        &greedy_budget(inst, budget),
        &[],
        &inst.group,
    );
    solve_max_from(inst, budget, limits, warm, None)
}

pub(crate) fn validate_max(
    inst: &Instance,
    budget: Budget,
    limits: &Limits,
) -> Result<(), PlanError> {
    inst.validate()?;
    limits.validate()?;
    if let Budget::Money(value) = budget {
        if !value.is_finite() || value < 0.0 {
            return Err(PlanError::InvalidBudget { value });
        }
    }
    Ok(())
}

pub(crate) fn greedy_budget(inst: &Instance, budget: Budget) -> GreedyBudget<'_> {
    match budget {
        Budget::Towers(k) => GreedyBudget::Count(k as usize),
        Budget::Money(b) => GreedyBudget::Money {
            cost: &inst.cost,
            budget: b,
        },
    }
}

/// Maximum coverage with a given feasible warm start (already validated input).
pub(crate) fn solve_max_from(
    inst: &Instance,
    budget: Budget,
    limits: &Limits,
    warm: Vec<usize>,
    reach: Option<f64>,
) -> Result<Solution, PlanError> {
    let warm = improve_by_swaps(
        &inst.cover,
        &inst.weight,
        &greedy_budget(inst, budget),
        warm,
        &inst.group,
    );
    let spend: Vec<f64> = match budget {
        Budget::Towers(_) => vec![1.0; inst.cover.len()],
        Budget::Money(_) => inst.cost.clone(),
    };
    let cap = match budget {
        Budget::Towers(k) => f64::from(k),
        Budget::Money(b) => b,
    };
    let feasible = |chosen: &[usize]| {
        inst.respects_groups(chosen)
            && match budget {
                Budget::Towers(k) => chosen.len() <= k as usize,
                Budget::Money(b) => fits_budget(0.0, inst.total_cost(chosen), b),
            }
    };
    let usable: Vec<bool> = spend.iter().map(|&c| fits_budget(0.0, c, cap)).collect();
    let relevant: Vec<bool> = inst.weight.iter().map(|&w| w > 0.0).collect();
    let reduction = reduce(inst, &spend, &usable, &relevant)?;
    let model = Model::new(reduction, ModelKind::MaxCover { cap })?;
    let mut sol = orchestrate(
        &Task {
            inst,
            model: &model,
            limits,
            dir: Direction::Maximise,
            reach,
            integral: all_integer(&inst.weight),
        },
        warm,
        |c| inst.covered_weight(c),
        feasible,
    );
    // Alternative optima: drop towers that add nothing (e.g. when the budget exceeds what
    // full coverage needs). The covered weight is unchanged.
    sol.chosen = drop_redundant(&inst.cover, &inst.weight, &inst.cost, &sol.chosen);
    sol.total_cost = inst.total_cost(&sol.chosen);
    sol.covered_weight = inst.covered_weight(&sol.chosen);
    Ok(sol)
}

/// Minimises the number of towers or the money cost needed to reach `target`.
///
/// Returns [`PlanError::TargetUnreachable`] when all candidates together cover less than the
/// target (beyond a relative slack of 1e-9 for rounding), or — with groups of alternatives —
/// when HiGHS proves that no plan keeping one candidate per group reaches it;
/// [`PlanError::NoPlanWithinLimits`] when neither the greedy nor HiGHS within its node limit
/// finds such a plan.
pub fn min_cost_for_target(
    inst: &Instance,
    target: Target,
    measure: CostMeasure,
    limits: &Limits,
) -> Result<Solution, PlanError> {
    inst.validate()?;
    limits.validate()?;
    let price: Vec<f64> = match measure {
        CostMeasure::Towers => vec![1.0; inst.cover.len()],
        CostMeasure::Money => inst.cost.clone(),
    };
    let objective = |c: &[usize]| match measure {
        CostMeasure::Towers => c.len() as f64,
        CostMeasure::Money => inst.total_cost(c),
    };
    let tr = inst.transpose();
    let usable = vec![true; inst.cover.len()];
    let (model, warm, goal, feasible): (Model, _, f64, Feasible<'_>) = match target {
        Target::Weight(value) => {
            if !value.is_finite() || value < 0.0 {
                return Err(PlanError::InvalidTarget { value });
            }
            let max_coverable = inst.coverable_weight();
            let tol = REL_TOL * max_coverable.max(1.0);
            if value > max_coverable + tol {
                return Err(PlanError::TargetUnreachable {
                    target: value,
                    max_coverable,
                });
            }
            let warm = greedy_min_cost(&inst.cover, &inst.weight, &price, value, tol, &inst.group);
            let relevant: Vec<bool> = inst.weight.iter().map(|&w| w > 0.0).collect();
            let reduction = reduce(inst, &price, &usable, &relevant)?;
            let model = Model::new(reduction, ModelKind::MinTarget { target: value })?;
            if let (CostMeasure::Towers, true, Some(w)) = (measure, limits.use_milp, &warm) {
                return min_towers_via_max_coverage(inst, value, tol, w.clone(), &model, limits);
            }
            let feasible =
                move |c: &[usize]| inst.respects_groups(c) && inst.covered_weight(c) >= value - tol;
            (model, warm, value, Box::new(feasible))
        }
        Target::AllCoverable => {
            let coverable: Vec<f64> = (0..inst.weight.len())
                .map(|i| if tr.coverers(i).is_empty() { 0.0 } else { 1.0 })
                .collect();
            let count: f64 = coverable.iter().sum();
            let warm = greedy_min_cost(&inst.cover, &coverable, &price, count, 0.5, &inst.group);
            let relevant = vec![true; inst.weight.len()];
            let reduction = reduce(inst, &price, &usable, &relevant)?;
            let model = Model::new(reduction, ModelKind::MinAll)?;
            let tr = &tr;
            let feasible = move |c: &[usize]| {
                let mask = inst.covered_mask(c);
                inst.respects_groups(c)
                    && (0..inst.weight.len()).all(|i| mask[i] || tr.coverers(i).is_empty())
            };
            (model, warm, inst.coverable_weight(), Box::new(feasible))
        }
    };
    let task = Task {
        inst,
        model: &model,
        limits,
        dir: Direction::Minimise,
        reach: None,
        integral: all_integer(&price),
    };
    match warm {
        Some(w) => Ok(orchestrate(&task, w, objective, feasible)),
        // Only with groups: the greedy found no plan, which proves nothing.
        None => solve_without_incumbent(&task, goal, objective, feasible),
    }
}

/// Whether a plan satisfies a problem's constraints.
type Feasible<'a> = Box<dyn Fn(&[usize]) -> bool + 'a>;

/// A minimum-cost target the greedy could not reach (groups of alternatives): HiGHS alone,
/// from no start. Its infeasibility proves the target unreachable.
fn solve_without_incumbent(
    task: &Task<'_>,
    goal: f64,
    objective_of: impl Fn(&[usize]) -> f64,
    feasible: impl Fn(&[usize]) -> bool,
) -> Result<Solution, PlanError> {
    let (model, limits) = (task.model, task.limits);
    let lp = run_highs(model, limits, Sense::Minimise, false, None, &[], None);
    let infeasible = |o: &Option<HighsOutcome>| {
        o.as_ref()
            .is_some_and(|o| o.status == HighsModelStatus::Infeasible)
    };
    let unreachable = PlanError::TargetUnreachable {
        target: goal,
        max_coverable: task.inst.coverable_weight(),
    };
    if infeasible(&lp) {
        return Err(unreachable);
    }
    let lp_bound = lp
        .filter(|o| o.status == HighsModelStatus::Optimal)
        .map(|o| o.objective);
    let mip = if limits.use_milp {
        run_highs(model, limits, Sense::Minimise, true, None, &[], None)
    } else {
        None
    };
    if infeasible(&mip) {
        return Err(unreachable);
    }
    let plan = mip.as_ref().and_then(|o| {
        let c = model.chosen_from(o.columns.as_ref()?);
        feasible(&c).then(|| (objective_of(&c), c, o))
    });
    let Some((objective, chosen, o)) = plan else {
        return Err(PlanError::NoPlanWithinLimits {
            target: goal,
            max_nodes: limits.max_nodes,
        });
    };
    let rel = REL_TOL.max(limits.mip_rel_gap);
    let agrees = Direction::Minimise.meets(objective, o.objective, rel)
        && Direction::Minimise.meets(o.objective, objective, rel);
    let proven = o.status == HighsModelStatus::Optimal && agrees;
    let status = match o.status {
        HighsModelStatus::Optimal if proven => SolveStatus::Optimal,
        HighsModelStatus::Optimal => SolveStatus::SolverFailed,
        _ => SolveStatus::WorkLimit,
    };
    let inc = Incumbent {
        warm: Vec::new(),
        objective: f64::INFINITY,
        lp_bound,
        fixed: 0,
    };
    Ok(task.finish(
        &inc,
        chosen,
        objective,
        o.dual_bound,
        proven,
        status,
        Source::Milp,
    ))
}

/// Fewest towers reaching `target` weight, as `min{k : OPT_max(k) ≥ target}`.
///
/// The direct model (a weight-target row over thousands of continuous `y`) makes HiGHS'
/// cut separation very slow, while maximum coverage under a tower budget (where every `y`
/// is implied integer) is solved fast. `OPT_max(k)` is non-decreasing in k, so starting
/// at k = ⌈LP bound of the direct model⌉ and going up, each k is either excluded (its LP
/// bound or proven optimum is below the target) or yields a plan reaching the target,
/// which then has the fewest towers. Each max-coverage solve stops as soon as HiGHS finds a
/// plan above the target (`objective_target`). The greedy plan caps the search.
fn min_towers_via_max_coverage(
    inst: &Instance,
    target: f64,
    tol: f64,
    warm: Vec<usize>,
    model: &Model,
    limits: &Limits,
) -> Result<Solution, PlanError> {
    let mut warm = warm;
    warm.sort_unstable();
    let greedy_objective = warm.len() as f64;
    let lp = run_highs(model, limits, Sense::Minimise, false, None, &[], None)
        .filter(|o| o.status == HighsModelStatus::Optimal);
    let lp_bound = lp.as_ref().map(|o| o.objective);
    let make = |chosen: Vec<usize>, lower: usize, proven: bool, status, source| {
        let objective = chosen.len() as f64;
        let mip_bound = Some(lower as f64);
        let bound = Direction::Minimise.tighter(lp_bound, mip_bound);
        Solution {
            covered_weight: inst.covered_weight(&chosen),
            total_cost: inst.total_cost(&chosen),
            chosen,
            objective,
            greedy_objective,
            lp_bound,
            mip_bound,
            optimality_gap_pct: if proven {
                Some(0.0)
            } else {
                bound.map(|b| Direction::Minimise.gap_pct(objective, b))
            },
            proven_optimal: proven,
            status,
            source,
            model_candidates: model.candidates,
            fixed_by_reduced_cost: 0,
        }
    };
    let first = lp_bound.map_or(0, |b| {
        (b - 1e-6 * b.abs().max(1.0)).ceil().max(0.0) as usize
    });
    let g = warm.len();
    let mut lower = first.min(g);
    for k in first..g {
        let budget = Budget::Towers(u32::try_from(k).unwrap_or(u32::MAX));
        let kwarm = greedy_max(
            &inst.cover,
            &inst.weight,
            &greedy_budget(inst, budget),
            &[],
            &inst.group,
        );
        let sol = solve_max_from(inst, budget, limits, kwarm, Some(target))?;
        if sol.covered_weight >= target - tol {
            return Ok(make(
                sol.chosen,
                k,
                true,
                SolveStatus::Optimal,
                Source::Milp,
            ));
        }
        let below = |b: Option<f64>| b.is_some_and(|b| b < target - tol);
        let excluded = sol.proven_optimal || below(sol.lp_bound) || below(sol.mip_bound);
        if !excluded {
            let status = if sol.status == SolveStatus::SolverFailed {
                SolveStatus::SolverFailed
            } else {
                SolveStatus::WorkLimit
            };
            return Ok(make(warm, lower, false, status, Source::Greedy));
        }
        lower = k + 1;
    }
    Ok(make(warm, g, true, SolveStatus::Optimal, Source::Greedy))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Maximise,
    Minimise,
}

impl Direction {
    /// True when `a` is strictly better than `b`.
    fn better(self, a: f64, b: f64) -> bool {
        match self {
            Direction::Maximise => a > b,
            Direction::Minimise => a < b,
        }
    }
    /// The tighter of two bounds.
    fn tighter(self, a: Option<f64>, b: Option<f64>) -> Option<f64> {
        match (a, b) {
            (Some(x), Some(y)) => Some(match self {
                Direction::Maximise => x.min(y),
                Direction::Minimise => x.max(y),
            }),
            (x, None) => x,
            (None, y) => y,
        }
    }
    /// True when `objective` meets `bound` within the relative tolerance `rel`.
    fn meets(self, objective: f64, bound: f64, rel: f64) -> bool {
        let slack = rel * objective.abs().max(bound.abs()).max(1.0);
        match self {
            Direction::Maximise => objective >= bound - slack,
            Direction::Minimise => objective <= bound + slack,
        }
    }
    fn gap_pct(self, objective: f64, bound: f64) -> f64 {
        let (num, den) = match self {
            Direction::Maximise => (bound - objective, bound),
            Direction::Minimise => (objective - bound, objective),
        };
        if den.abs() <= f64::MIN_POSITIVE {
            0.0
        } else {
            (num / den * 100.0).max(0.0)
        }
    }
    fn sense(self) -> Sense {
        match self {
            Direction::Maximise => Sense::Maximise,
            Direction::Minimise => Sense::Minimise,
        }
    }
}

/// What [`orchestrate`] solves: the instance, its model, limits, direction, and for an
/// internal reachability question (maximisation only) the value that must be reached.
#[derive(Clone, Copy)]
struct Task<'a> {
    inst: &'a Instance,
    model: &'a Model,
    limits: &'a Limits,
    dir: Direction,
    reach: Option<f64>,
    /// Every plan's objective is a whole number (unit weights, tower counts, integer costs),
    /// so a bound may be rounded towards the plans: ⌈LP⌉ towers, ⌊LP⌋ weight.
    integral: bool,
}

/// True when every value is a whole number, so every plan's objective is one too.
fn all_integer(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite() && v.fract() == 0.0)
}

/// The greedy incumbent and the LP bound a solve compares against.
struct Incumbent {
    warm: Vec<usize>,
    objective: f64,
    lp_bound: Option<f64>,
    fixed: usize,
}

/// What a HiGHS answer is worth: its plan, true objective, and whether the objective HiGHS
/// reported for it agrees with the true one.
type Checked = Option<(Vec<usize>, f64, bool)>;

impl Task<'_> {
    /// `bound` rounded towards the plans when objectives are whole numbers (after a relative
    /// slack of 1e-6 for HiGHS' tolerances), else unchanged.
    fn rounded(&self, bound: Option<f64>) -> Option<f64> {
        let b = bound?;
        if !self.integral {
            return Some(b);
        }
        let slack = 1e-6 * b.abs().max(1.0);
        Some(match self.dir {
            Direction::Maximise => (b + slack).floor(),
            Direction::Minimise => (b - slack).ceil(),
        })
    }

    /// The solution record; the gap uses the tighter bound, rounded when objectives are whole.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        inc: &Incumbent,
        chosen: Vec<usize>,
        objective: f64,
        mip_bound: Option<f64>,
        proven: bool,
        status: SolveStatus,
        source: Source,
    ) -> Solution {
        let bound = self.rounded(self.dir.tighter(inc.lp_bound, mip_bound));
        // A plan meeting the (rounded) bound is optimal whatever stopped the search.
        let meets = bound.is_some_and(|b| self.dir.meets(objective, b, REL_TOL));
        let upgrade = !proven && meets && status == SolveStatus::WorkLimit;
        let (proven, status) = if upgrade {
            (true, SolveStatus::Optimal)
        } else {
            (proven, status)
        };
        let optimality_gap_pct = if proven {
            Some(0.0)
        } else {
            bound.map(|b| self.dir.gap_pct(objective, b))
        };
        Solution {
            covered_weight: self.inst.covered_weight(&chosen),
            total_cost: self.inst.total_cost(&chosen),
            chosen,
            objective,
            greedy_objective: inc.objective,
            lp_bound: inc.lp_bound,
            mip_bound,
            optimality_gap_pct,
            proven_optimal: proven,
            status,
            source,
            model_candidates: self.model.candidates,
            fixed_by_reduced_cost: inc.fixed,
        }
    }

    /// The incumbent as the answer.
    fn greedy(
        &self,
        inc: &Incumbent,
        mip_bound: Option<f64>,
        proven: bool,
        status: SolveStatus,
    ) -> Solution {
        let warm = inc.warm.clone();
        self.finish(
            inc,
            warm,
            inc.objective,
            mip_bound,
            proven,
            status,
            Source::Greedy,
        )
    }
}

/// Greedy → LP bound → reduced-cost fixing → (maybe) MILP → pick and certify.
fn orchestrate(
    task: &Task<'_>,
    warm: Vec<usize>,
    objective_of: impl Fn(&[usize]) -> f64,
    feasible: impl Fn(&[usize]) -> bool,
) -> Solution {
    let Task {
        model,
        limits,
        dir,
        reach,
        ..
    } = *task;
    let mut warm = warm;
    warm.sort_unstable();
    warm.dedup();
    let mut inc = Incumbent {
        objective: objective_of(&warm),
        warm,
        lp_bound: None,
        fixed: 0,
    };
    if model.is_trivial() {
        // No column can change the objective: greedy (empty or forced) is optimal.
        inc.lp_bound = Some(inc.objective);
        return task.greedy(&inc, None, true, SolveStatus::Optimal);
    }
    let lp = run_highs(model, limits, dir.sense(), false, None, &[], None);
    let lp = lp.filter(|o| o.status == HighsModelStatus::Optimal);
    inc.lp_bound = lp.as_ref().map(|o| o.objective);
    // Greedy meets the LP bound (rounded for whole-number objectives): optimal without
    // branching.
    if task
        .rounded(inc.lp_bound)
        .is_some_and(|b| dir.meets(inc.objective, b, REL_TOL))
    {
        return task.greedy(&inc, None, true, SolveStatus::Optimal);
    }
    if !limits.use_milp {
        return task.greedy(&inc, None, false, SolveStatus::MilpDisabled);
    }
    // Only asked whether `reach` is attainable (maximisation): the LP bound says no.
    if let (Some(t), Some(b)) = (reach, task.rounded(inc.lp_bound)) {
        if b < t - REL_TOL * t.abs().max(1.0) {
            return task.greedy(&inc, None, false, SolveStatus::WorkLimit);
        }
    }
    // Reduced-cost fixing against the greedy incumbent (Nemhauser & Wolsey 1988, §II.6.2,
    // Prop. 2.1; Crowder, Johnson & Padberg, Oper. Res. 31 (1983) 803–834): with LP optimum
    // z and reduced cost d_j of a candidate at bound in the LP, every plan that flips x_j
    // is worth at most z − |d_j| (max) or at least z + |d_j| (min). When that cannot beat
    // the incumbent, x_j is fixed at its LP value: the restricted MILP then contains every
    // plan strictly better than the incumbent, so max/min(restricted optimum, incumbent) is
    // the global optimum. The margin absorbs HiGHS' 1e-7 dual tolerances.
    let fixed: Vec<(usize, f64)> = match &lp {
        Some(o) if limits.reduced_cost_fixing => model.reduced_cost_fixing(o, inc.objective, dir),
        _ => Vec::new(),
    };
    inc.fixed = fixed.len();
    // True objective of HiGHS' answer, if it is feasible, and whether it agrees with the
    // objective HiGHS reports for it.
    let rel = REL_TOL.max(limits.mip_rel_gap);
    let check = |o: &HighsOutcome| -> Checked {
        let c = model.chosen_from(o.columns.as_ref()?);
        if !feasible(&c) {
            return None;
        }
        let obj = objective_of(&c);
        let agrees = dir.meets(obj, o.objective, rel) && dir.meets(o.objective, obj, rel);
        Some((c, obj, agrees))
    };
    let Some(mip) = branch_and_bound(task, &inc.warm, &fixed, &check) else {
        return task.greedy(&inc, None, false, SolveStatus::SolverFailed);
    };
    let checked = check(&mip);
    conclude(task, &inc, !fixed.is_empty(), &mip, checked)
}

/// HiGHS' branch and bound with the incumbent as MIP start (when it respects the fixings).
fn branch_and_bound(
    task: &Task<'_>,
    warm: &[usize],
    fixed: &[(usize, f64)],
    check: &dyn Fn(&HighsOutcome) -> Checked,
) -> Option<HighsOutcome> {
    let Task {
        model,
        limits,
        dir,
        reach,
        ..
    } = *task;
    let stop_above = reach.map(|t| t - REL_TOL * t.abs().max(1.0));
    // The incumbent is a valid MIP start only if it respects the fixings.
    let start = model.start_vector(warm);
    let start_ok = fixed.iter().all(|&(j, v)| start.get(j) == Some(&v));
    let mip = run_highs(
        model,
        limits,
        dir.sense(),
        true,
        start_ok.then_some(start.as_slice()),
        fixed,
        stop_above,
    );
    // HiGHS 1.16 maps a MIP start into the presolved space; when presolve has dropped one
    // of the start's columns (e.g. a dominated candidate) the image is a different, cheaper
    // "solution" whose objective HiGHS then reports and prunes with. That shows up as a
    // disagreement between the reported and the true objective: solve again without start.
    match &mip {
        Some(o)
            if start_ok
                && o.status == HighsModelStatus::Optimal
                && check(o).is_none_or(|(_, _, ok)| !ok) =>
        {
            run_highs(model, limits, dir.sense(), true, None, fixed, stop_above)
        }
        _ => mip,
    }
}

/// The answer after branch and bound: HiGHS' plan when better (or equal and proven), else the
/// incumbent, with what is proven.
fn conclude(
    task: &Task<'_>,
    inc: &Incumbent,
    fixings_active: bool,
    mip: &HighsOutcome,
    checked: Checked,
) -> Solution {
    let dir = task.dir;
    let status = match mip.status {
        HighsModelStatus::Optimal => SolveStatus::Optimal,
        // Nothing satisfies the fixings: no plan beats the incumbent.
        HighsModelStatus::Infeasible if fixings_active => SolveStatus::Optimal,
        HighsModelStatus::ReachedSolutionLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedMemoryLimit
        | HighsModelStatus::ObjectiveTarget => SolveStatus::WorkLimit,
        _ => SolveStatus::SolverFailed,
    };
    // Global dual bound: with fixings, the best of the restricted bound and the incumbent.
    let mip_bound = if fixings_active {
        match (status, mip.dual_bound) {
            (SolveStatus::Optimal, _) if mip.status == HighsModelStatus::Infeasible => {
                Some(inc.objective)
            }
            (_, Some(b)) => Some(match dir {
                Direction::Maximise => b.max(inc.objective),
                Direction::Minimise => b.min(inc.objective),
            }),
            (_, None) => None,
        }
    } else {
        mip.dual_bound
    };
    if mip.status == HighsModelStatus::Infeasible && fixings_active {
        return task.greedy(inc, mip_bound, true, SolveStatus::Optimal);
    }
    let agrees = checked.as_ref().is_some_and(|(_, _, ok)| *ok);
    let failed_unless = |proven: bool| {
        if status == SolveStatus::Optimal && !proven {
            SolveStatus::SolverFailed
        } else {
            status
        }
    };
    match checked {
        Some((c, obj, _)) if dir.better(obj, inc.objective) => {
            let proven = status == SolveStatus::Optimal && agrees;
            task.finish(
                inc,
                c,
                obj,
                mip_bound,
                proven,
                failed_unless(proven),
                Source::Milp,
            )
        }
        Some((c, obj, _))
            if status == SolveStatus::Optimal && agrees && !dir.better(inc.objective, obj) =>
        {
            // HiGHS' optimum equals the incumbent's value: report HiGHS' plan.
            task.finish(inc, c, obj, mip_bound, true, status, Source::Milp)
        }
        _ => {
            // HiGHS found nothing better. With fixings, a proven restricted optimum (whose
            // reported value agrees with its plan) below the incumbent proves the incumbent
            // optimal; without fixings that would contradict HiGHS, so it proves nothing.
            let proven = status == SolveStatus::Optimal && fixings_active && agrees;
            task.greedy(inc, mip_bound, proven, failed_unless(proven))
        }
    }
}

enum ModelKind {
    MaxCover { cap: f64 },
    MinTarget { target: f64 },
    MinAll,
}

/// The reduced MILP in column-wise form; [`Model::build`] hands it to HiGHS as a MILP or as
/// its LP relaxation.
struct Model {
    row_lo: Vec<f64>,
    row_hi: Vec<f64>,
    /// Per column: objective, lower and upper bound, integrality, range into `entries`.
    cols: Vec<ColSpec>,
    entries: Vec<(usize, f64)>,
    candidates: usize,
    /// Reduced ↔ original candidates.
    reduction: Reduction,
    /// For every `y` column (after the candidates): the candidates covering its item.
    y_coverers: Vec<Vec<u32>>,
}

struct ColSpec {
    obj: f64,
    lo: f64,
    hi: f64,
    integer: bool,
    start: usize,
    end: usize,
}

/// Items split for the model: weight of items each candidate covers alone, candidates that alone
/// cover some item, and the items covered by at least two candidates.
struct ItemSplit {
    private: Vec<f64>,
    forced: Vec<bool>,
    shared: Vec<usize>,
}

impl ItemSplit {
    fn new(inst: &Instance, tr: &Transposed, set_cover: bool) -> ItemSplit {
        let m = inst.cover.len();
        let mut split = ItemSplit {
            private: vec![0.0; m],
            forced: vec![false; m],
            shared: Vec::new(),
        };
        for i in 0..inst.weight.len() {
            let cov = tr.coverers(i);
            let w = inst.weight[i];
            if cov.is_empty() || (!set_cover && w <= 0.0) {
                continue;
            }
            if cov.len() == 1 {
                split.private[cov[0] as usize] += w;
                split.forced[cov[0] as usize] = true;
            } else {
                split.shared.push(i);
            }
        }
        split
    }
}

/// Candidates of every group with at least two members (the "at most one" rows), in group order.
fn group_rows(inst: &Instance) -> Vec<Vec<usize>> {
    let mut by_group: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for j in 0..inst.cover.len() {
        by_group.entry(inst.group_of(j)).or_default().push(j);
    }
    by_group.into_values().filter(|g| g.len() >= 2).collect()
}

impl Model {
    fn new(reduction: Reduction, kind: ModelKind) -> Result<Self, PlanError> {
        let inst = &reduction.inst;
        let tr = &inst.transpose();
        let m = inst.cover.len();
        let set_cover = matches!(kind, ModelKind::MinAll);
        let split = ItemSplit::new(inst, tr, set_cover);
        let groups = group_rows(inst);
        let head = usize::from(!set_cover);
        let rows = head + split.shared.len() + groups.len();
        let nnz: usize = split
            .shared
            .iter()
            .map(|&i| tr.coverers(i).len() + 1)
            .sum::<usize>()
            + m
            + groups.iter().map(Vec::len).sum::<usize>();
        let ncols = m + if set_cover { 0 } else { split.shared.len() };
        let max = i32::MAX as usize;
        for (what, value) in [("rows", rows), ("columns", ncols), ("nonzeros", nnz)] {
            if value > max {
                return Err(PlanError::ModelTooLarge { what, value, max });
            }
        }
        let (row_lo, row_hi) = Self::row_bounds(&kind, split.shared.len(), groups.len());
        // Candidate → its rows, ascending: linking rows, then its group row.
        let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); m];
        for (s, &i) in split.shared.iter().enumerate() {
            for &j in tr.coverers(i) {
                rows_of[j as usize].push(head + s);
            }
        }
        let group_head = head + split.shared.len();
        for (g, members) in groups.iter().enumerate() {
            for &j in members {
                rows_of[j].push(group_head + g);
            }
        }
        let mut model = Self {
            row_lo,
            row_hi,
            cols: Vec::with_capacity(ncols),
            entries: Vec::with_capacity(nnz),
            candidates: m,
            y_coverers: Vec::new(),
            reduction: Reduction::empty(),
        };
        model.add_candidate_columns(inst, &kind, &split, &rows_of, head, group_head);
        if !set_cover {
            model.add_item_columns(inst, tr, &kind, &split.shared, head);
        }
        model.reduction = reduction;
        Ok(model)
    }

    /// Row bounds: the budget or target row (unless set cover), linking rows (`y − Σx ≤ 0`, or
    /// `Σx ≥ 1` for set cover), then one `Σx ≤ 1` row per group of alternatives.
    fn row_bounds(kind: &ModelKind, shared: usize, groups: usize) -> (Vec<f64>, Vec<f64>) {
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        match kind {
            ModelKind::MaxCover { cap } => {
                lo.push(f64::NEG_INFINITY);
                hi.push(*cap);
            }
            ModelKind::MinTarget { target } => {
                lo.push(*target);
                hi.push(f64::INFINITY);
            }
            ModelKind::MinAll => {}
        }
        let set_cover = matches!(kind, ModelKind::MinAll);
        for _ in 0..shared {
            lo.push(if set_cover { 1.0 } else { f64::NEG_INFINITY });
            hi.push(if set_cover { f64::INFINITY } else { 0.0 });
        }
        for _ in 0..groups {
            lo.push(f64::NEG_INFINITY);
            hi.push(1.0);
        }
        (lo, hi)
    }

    fn add_candidate_columns(
        &mut self,
        inst: &Instance,
        kind: &ModelKind,
        split: &ItemSplit,
        rows_of: &[Vec<usize>],
        head: usize,
        group_head: usize,
    ) {
        let price = &inst.cost;
        let link_coef = if matches!(kind, ModelKind::MinAll) {
            1.0
        } else {
            -1.0
        };
        for (j, rows) in rows_of.iter().enumerate() {
            let (obj, head_coef, lo, hi) = match kind {
                // Candidates dearer than the whole budget were removed by the reduction.
                ModelKind::MaxCover { .. } => (split.private[j], price[j], 0.0, 1.0),
                ModelKind::MinTarget { .. } => (price[j], split.private[j], 0.0, 1.0),
                // The sole coverer of an item must be built.
                ModelKind::MinAll => (price[j], 0.0, if split.forced[j] { 1.0 } else { 0.0 }, 1.0),
            };
            let start = self.entries.len();
            if head == 1 && head_coef != 0.0 {
                self.entries.push((0, head_coef));
            }
            self.entries.extend(
                rows.iter()
                    .map(|&r| (r, if r >= group_head { 1.0 } else { link_coef })),
            );
            self.cols.push(ColSpec {
                obj,
                lo,
                hi,
                integer: true,
                start,
                end: self.entries.len(),
            });
        }
    }

    fn add_item_columns(
        &mut self,
        inst: &Instance,
        tr: &Transposed,
        kind: &ModelKind,
        shared: &[usize],
        head: usize,
    ) {
        let max_cover = matches!(kind, ModelKind::MaxCover { .. });
        for (s, &i) in shared.iter().enumerate() {
            let w = inst.weight[i];
            let start = self.entries.len();
            let obj = if max_cover {
                0.0_f64.max(w)
            } else {
                self.entries.push((0, w));
                0.0
            };
            self.entries.push((head + s, 1.0));
            self.cols.push(ColSpec {
                obj,
                lo: 0.0,
                hi: 1.0,
                integer: false,
                start,
                end: self.entries.len(),
            });
            self.y_coverers.push(tr.coverers(i).to_vec());
        }
    }

    /// True when no column has a nonzero objective, so any feasible choice is optimal.
    fn is_trivial(&self) -> bool {
        self.cols.iter().all(|c| c.obj == 0.0)
    }

    /// Candidate columns that reduced-cost fixing pins to 0 or 1 (see [`orchestrate`]).
    fn reduced_cost_fixing(
        &self,
        lp: &HighsOutcome,
        incumbent: f64,
        dir: Direction,
    ) -> Vec<(usize, f64)> {
        let (Some(x), Some(d)) = (&lp.columns, &lp.col_duals) else {
            return Vec::new();
        };
        let z = lp.objective;
        let margin = 1e-6 * z.abs().max(incumbent.abs()).max(1.0);
        let mut fixed = Vec::new();
        for j in 0..self.candidates {
            let (Some(&xj), Some(&dj), Some(col)) = (x.get(j), d.get(j), self.cols.get(j)) else {
                continue;
            };
            if col.lo == col.hi {
                continue;
            }
            let at = if xj <= 1e-9 {
                0.0
            } else if xj >= 1.0 - 1e-9 {
                1.0
            } else {
                continue;
            };
            let cannot_improve = match dir {
                Direction::Maximise => z - dj.abs() < incumbent - margin,
                Direction::Minimise => z + dj.abs() > incumbent + margin,
            };
            if cannot_improve {
                fixed.push((j, at));
            }
        }
        fixed
    }

    /// The HiGHS problem; `integer = false` gives the LP relaxation. `fixed` pins columns.
    fn build(&self, integer: bool, fixed: &[(usize, f64)]) -> ColProblem {
        let mut lo: Vec<f64> = self.cols.iter().map(|c| c.lo).collect();
        let mut hi: Vec<f64> = self.cols.iter().map(|c| c.hi).collect();
        for &(j, v) in fixed {
            if let (Some(l), Some(h)) = (lo.get_mut(j), hi.get_mut(j)) {
                *l = v;
                *h = v;
            }
        }
        let mut problem = ColProblem::default();
        let rows: Vec<Row> = self
            .row_lo
            .iter()
            .zip(&self.row_hi)
            .map(|(&lo, &hi)| problem.add_row(lo..=hi))
            .collect();
        for (k, c) in self.cols.iter().enumerate() {
            problem.add_column_with_integrality(
                c.obj,
                lo[k]..=hi[k],
                self.entries[c.start..c.end]
                    .iter()
                    .map(|&(r, v)| (rows[r], v)),
                integer && c.integer,
            );
        }
        problem
    }

    /// Column values for a warm start from a plan on the original candidates (mapped to
    /// kept candidates): x from the plan, y = 1 where a coverer is chosen.
    fn start_vector(&self, chosen: &[usize]) -> Vec<f64> {
        let mut x = vec![0.0; self.candidates];
        for j in self.reduction.map_plan(chosen) {
            if let Some(v) = x.get_mut(j) {
                *v = 1.0;
            }
        }
        let mut cols = x.clone();
        cols.extend(self.y_coverers.iter().map(|cov| {
            if cov.iter().any(|&j| x[j as usize] > 0.5) {
                1.0
            } else {
                0.0
            }
        }));
        cols
    }

    /// Original candidate indices (ascending) of the x columns at 1.
    fn chosen_from(&self, cols: &[f64]) -> Vec<usize> {
        let mut chosen: Vec<usize> = cols
            .iter()
            .take(self.candidates)
            .enumerate()
            .filter(|(_, v)| **v > 0.5)
            .filter_map(|(j, _)| self.reduction.kept.get(j).copied())
            .collect();
        chosen.sort_unstable();
        chosen
    }
}

struct HighsOutcome {
    status: HighsModelStatus,
    objective: f64,
    columns: Option<Vec<f64>>,
    /// Reduced costs (LP runs only).
    col_duals: Option<Vec<f64>>,
    dual_bound: Option<f64>,
}

/// One HiGHS run (MILP or its LP relaxation). `None` when HiGHS reports an error.
fn run_highs(
    model: &Model,
    limits: &Limits,
    sense: Sense,
    integer: bool,
    start: Option<&[f64]>,
    fixed: &[(usize, f64)],
    objective_target: Option<f64>,
) -> Option<HighsOutcome> {
    let mut m = model.build(integer, fixed).try_optimise(sense).ok()?;
    let as_int = |v: u32| i32::try_from(v).ok();
    m.try_set_option("output_flag", false).ok()?;
    m.try_set_option("log_to_console", false).ok()?;
    m.try_set_option("threads", 1).ok()?;
    m.try_set_option("parallel", "off").ok()?;
    m.try_set_option("random_seed", as_int(limits.random_seed)?)
        .ok()?;
    if integer {
        m.try_set_option("mip_max_nodes", as_int(limits.max_nodes)?)
            .ok()?;
        m.try_set_option("mip_rel_gap", limits.mip_rel_gap).ok()?;
        if let Some(t) = objective_target {
            m.try_set_option("objective_target", t).ok()?;
        }
        if let Some(s) = start {
            m.try_set_solution(Some(s), None, None, None).ok()?;
        }
    } else {
        m.try_set_option("simplex_iteration_limit", as_int(limits.max_lp_iterations)?)
            .ok()?;
    }
    let solved = m.try_solve().ok()?;
    let status = solved.status();
    let has_primal = solved
        .int_info_value(c"primal_solution_status")
        .ok()
        .and_then(|v| HighsSolutionStatus::try_from(v as i32).ok())
        == Some(HighsSolutionStatus::Feasible);
    let solution = has_primal.then(|| solved.get_solution());
    let columns = solution.as_ref().map(|s| s.columns().to_vec());
    let col_duals = solution
        .as_ref()
        .filter(|_| !integer)
        .map(|s| s.dual_columns().to_vec());
    let dual_bound = if integer {
        solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|v| v.is_finite())
    } else {
        None
    };
    Some(HighsOutcome {
        status,
        objective: solved.objective_value(),
        columns,
        col_duals,
        dual_bound,
    })
}
