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
//! bound is rounded towards the plans (⌈LP⌉ towers): a greedy plan meeting the rounded LP bound
//! is proven optimal without branching.
//!
//! Alternatives: candidates sharing a group id get a row `Σ_{j ∈ g} x_j ≤ 1`.
//!
//! Determinism: HiGHS runs on one thread with a fixed `random_seed`, node and simplex
//! iteration limits and no time limit, so the same input gives bit-identical output.

use crate::plan::error::PlanError;
use crate::plan::greedy::{fits_budget, greedy_max, greedy_min_cost, GreedyBudget};
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
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_nodes: 5_000,
            max_lp_iterations: 1_000_000,
            mip_rel_gap: 1e-9,
            random_seed: 0,
            use_milp: true,
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
    /// The lazy greedy heuristic (warm start / fallback).
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
    /// Objective of the greedy solution, for comparison.
    pub greedy_objective: f64,
    /// Optimum of the LP relaxation: an upper bound (maximum coverage) or lower bound
    /// (minimum cost) on the MILP optimum, up to HiGHS' 1e-7 tolerances. `None` if the LP
    /// stopped at its iteration limit or HiGHS failed.
    pub lp_bound: Option<f64>,
    /// HiGHS' branch-and-bound dual bound (same side as `lp_bound`, never looser after a
    /// full solve), if the MILP was run.
    pub mip_bound: Option<f64>,
    /// `(bound − objective)/bound·100` (max) or `(objective − bound)/objective·100` (min),
    /// with the tighter of the two bounds, rounded to a whole number towards the plans when
    /// every plan's objective is one (tower counts, unit weights); 0 when proven optimal;
    /// `None` without any bound.
    pub optimality_gap_pct: Option<f64>,
    /// True when `objective` is proven optimal within `Limits::mip_rel_gap`.
    pub proven_optimal: bool,
    /// How the solve ended.
    pub status: SolveStatus,
    /// Where `chosen` came from.
    pub source: Source,
}

/// Maximises covered weight under a tower-count or money budget.
///
/// Runs the lazy greedy (warm start and fallback), the LP relaxation (bound) and, unless the
/// greedy already meets the bound, HiGHS' branch-and-bound. Call [`crate::plan::merge_items`]
/// first on large instances: the optimum is unchanged and the model much smaller.
pub fn max_coverage(inst: &Instance, budget: Budget, limits: &Limits) -> Result<Solution, PlanError> {
    validate_max(inst, budget, limits)?;
    let warm = greedy_max(
        &inst.cover,
        &inst.weight,
        &greedy_budget(inst, budget),
        &[],
        &inst.group,
    );
    solve_max_from(inst, budget, limits, warm)
}

pub(crate) fn validate_max(inst: &Instance, budget: Budget, limits: &Limits) -> Result<(), PlanError> {
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
) -> Result<Solution, PlanError> {
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
    let run = Run {
        inst,
        model: &model,
        limits: *limits,
        dir: Direction::Maximise,
        integral: all_integer(&inst.weight),
    };
    // With a warm start the solve always returns a plan; the error is for the type only.
    run.solve(Some(warm), |c| inst.covered_weight(c), feasible)
        .map_err(|e| e.error(cap, inst.coverable_weight(), limits))
}

/// Minimises the number of towers or the money cost needed to reach `target`.
///
/// Returns [`PlanError::TargetUnreachable`] when all candidates together cover less than the
/// target (beyond a relative slack of 1e-9 for rounding), or — with groups of alternatives —
/// when HiGHS proves that no choice respecting the groups reaches it;
/// [`PlanError::NoPlanWithinLimits`] when neither the greedy nor HiGHS within its limits finds a
/// plan reaching it.
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
    fn run<'a>(inst: &'a Instance, model: &'a Model, limits: &Limits, integral: bool) -> Run<'a> {
        Run {
            inst,
            model,
            limits: *limits,
            dir: Direction::Minimise,
            integral,
        }
    }
    let integral = all_integer(&price);
    let usable = vec![true; inst.cover.len()];
    match target {
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
            let warm =
                greedy_min_cost(&inst.cover, &inst.weight, &price, value, tol, &inst.group);
            let relevant: Vec<bool> = inst.weight.iter().map(|&w| w > 0.0).collect();
            let reduction = reduce(inst, &price, &usable, &relevant)?;
            let model = Model::new(reduction, ModelKind::MinTarget { target: value })?;
            let feasible =
                |c: &[usize]| inst.respects_groups(c) && inst.covered_weight(c) >= value - tol;
            run(inst, &model, limits, integral)
                .solve(warm, objective, feasible)
                .map_err(|e| e.error(value, max_coverable, limits))
        }
        Target::AllCoverable => {
            let tr = inst.transpose();
            let coverable: Vec<f64> = (0..inst.weight.len())
                .map(|i| if tr.coverers(i).is_empty() { 0.0 } else { 1.0 })
                .collect();
            let count: f64 = coverable.iter().sum();
            let warm = greedy_min_cost(&inst.cover, &coverable, &price, count, 0.5, &inst.group);
            let relevant = vec![true; inst.weight.len()];
            let reduction = reduce(inst, &price, &usable, &relevant)?;
            let model = Model::new(reduction, ModelKind::MinAll)?;
            let feasible = |c: &[usize]| {
                let mask = inst.covered_mask(c);
                inst.respects_groups(c)
                    && (0..inst.weight.len()).all(|i| mask[i] || tr.coverers(i).is_empty())
            };
            let all = inst.coverable_weight();
            run(inst, &model, limits, integral)
                .solve(warm, objective, feasible)
                .map_err(|e| e.error(all, all, limits))
        }
    }
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
    /// The objective of "no plan" for comparisons: worse than any plan.
    fn worst(self) -> f64 {
        match self {
            Direction::Maximise => f64::NEG_INFINITY,
            Direction::Minimise => f64::INFINITY,
        }
    }
}

/// Why a solve without a greedy plan returned none.
enum NoPlan {
    /// HiGHS proved the model infeasible.
    Infeasible,
    /// HiGHS stopped (limit or failure) without a feasible plan.
    Limit,
}

impl NoPlan {
    fn error(self, target: f64, max_coverable: f64, limits: &Limits) -> PlanError {
        match self {
            NoPlan::Infeasible => PlanError::TargetUnreachable {
                target,
                max_coverable,
            },
            NoPlan::Limit => PlanError::NoPlanWithinLimits {
                target,
                max_nodes: limits.max_nodes,
            },
        }
    }
}

/// True when every value is a whole number, so every plan's objective is one too.
fn all_integer(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite() && v.fract() == 0.0)
}

/// One optimisation: the instance, its reduced model, the limits and the direction.
struct Run<'a> {
    inst: &'a Instance,
    model: &'a Model,
    limits: Limits,
    dir: Direction,
    /// Every plan's objective is a whole number (unit weights or tower counts), so a bound may be
    /// rounded towards the plans: ⌈LP⌉ towers, ⌊LP⌋ weight.
    integral: bool,
}

/// What a HiGHS answer is worth: its plan, true objective, and whether the objective HiGHS
/// reported for it agrees with the true one.
type Checked = Option<(Vec<usize>, f64, bool)>;

impl Run<'_> {
    /// `bound` rounded towards the feasible side when objectives are whole numbers (after a
    /// relative slack of 1e-6 for HiGHS' tolerances), else unchanged.
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

    /// The solution record for `chosen` with its bounds; the gap uses the tighter bound.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        chosen: Vec<usize>,
        objective: f64,
        greedy_objective: f64,
        lp_bound: Option<f64>,
        mip_bound: Option<f64>,
        status: SolveStatus,
        source: Source,
    ) -> Solution {
        let proven = status == SolveStatus::Optimal;
        let bound = self.rounded(self.dir.tighter(lp_bound, mip_bound));
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
            greedy_objective,
            lp_bound,
            mip_bound,
            optimality_gap_pct,
            proven_optimal: proven,
            status,
            source,
        }
    }

    /// Greedy → LP bound → (maybe) MILP → pick and certify. `warm` is the greedy plan (`None`:
    /// the greedy found none; only possible for targets with groups of alternatives).
    fn solve(
        &self,
        warm: Option<Vec<usize>>,
        objective_of: impl Fn(&[usize]) -> f64,
        feasible: impl Fn(&[usize]) -> bool,
    ) -> Result<Solution, NoPlan> {
        let dir = self.dir;
        let warm = warm.map(|mut w| {
            w.sort_unstable();
            w.dedup();
            w
        });
        let greedy_objective = warm.as_deref().map_or(dir.worst(), &objective_of);
        let greedy = |lp: Option<f64>, status: SolveStatus| match &warm {
            Some(w) => Ok(self.finish(
                w.clone(),
                greedy_objective,
                greedy_objective,
                lp,
                None,
                status,
                Source::Greedy,
            )),
            None => Err(NoPlan::Limit),
        };
        if self.model.is_trivial() && warm.is_some() {
            // No column can change the objective: greedy (empty or forced) is optimal.
            return greedy(Some(greedy_objective), SolveStatus::Optimal);
        }
        let lp = run_highs(self.model, &self.limits, dir.sense(), false, None);
        if lp.as_ref().is_some_and(|o| o.status == HighsModelStatus::Infeasible) {
            return match warm {
                None => Err(NoPlan::Infeasible),
                Some(_) => greedy(None, SolveStatus::SolverFailed),
            };
        }
        let lp_bound = lp
            .filter(|o| o.status == HighsModelStatus::Optimal)
            .map(|o| o.objective);
        // Greedy meets the LP bound to within rounding: optimal without branching.
        if self
            .rounded(lp_bound)
            .is_some_and(|b| warm.is_some() && dir.meets(greedy_objective, b, REL_TOL))
        {
            return greedy(lp_bound, SolveStatus::Optimal);
        }
        if !self.limits.use_milp {
            return greedy(lp_bound, SolveStatus::MilpDisabled);
        }
        let rel = REL_TOL.max(self.limits.mip_rel_gap);
        let check = |o: &HighsOutcome| -> Checked {
            let c = self.model.chosen_from(o.columns.as_ref()?);
            if !feasible(&c) {
                return None;
            }
            let obj = objective_of(&c);
            let agrees = dir.meets(obj, o.objective, rel) && dir.meets(o.objective, obj, rel);
            Some((c, obj, agrees))
        };
        let Some(mip) = self.branch_and_bound(warm.as_deref(), &check) else {
            return greedy(lp_bound, SolveStatus::SolverFailed);
        };
        if mip.status == HighsModelStatus::Infeasible && warm.is_none() {
            return Err(NoPlan::Infeasible);
        }
        let status = match mip.status {
            HighsModelStatus::Optimal => SolveStatus::Optimal,
            HighsModelStatus::ReachedSolutionLimit
            | HighsModelStatus::ReachedIterationLimit
            | HighsModelStatus::ReachedTimeLimit
            | HighsModelStatus::ReachedInterrupt
            | HighsModelStatus::ReachedMemoryLimit => SolveStatus::WorkLimit,
            _ => SolveStatus::SolverFailed,
        };
        let checked = check(&mip);
        let agrees = checked.as_ref().is_some_and(|(_, _, ok)| *ok);
        let take = checked.as_ref().is_some_and(|(_, obj, _)| match status {
            SolveStatus::Optimal => !dir.better(greedy_objective, *obj),
            _ => dir.better(*obj, greedy_objective),
        });
        let (chosen, objective, source) = match (checked, &warm) {
            (Some((c, obj, _)), _) if take => (c, obj, Source::Milp),
            (_, Some(w)) => (w.clone(), greedy_objective, Source::Greedy),
            (_, None) => return Err(NoPlan::Limit),
        };
        let proven = status == SolveStatus::Optimal && agrees && source == Source::Milp;
        // A plan stopped by the work limit is still optimal when it meets the (rounded) bound.
        let meets_bound = self
            .rounded(dir.tighter(lp_bound, mip.dual_bound))
            .is_some_and(|b| dir.meets(objective, b, REL_TOL));
        let status = match (status, proven) {
            (_, true) => SolveStatus::Optimal,
            (SolveStatus::Optimal | SolveStatus::WorkLimit, false) if meets_bound => {
                SolveStatus::Optimal
            }
            (SolveStatus::Optimal, false) => SolveStatus::SolverFailed,
            (s, false) => s,
        };
        Ok(self.finish(
            chosen,
            objective,
            greedy_objective,
            lp_bound,
            mip.dual_bound,
            status,
            source,
        ))
    }

    /// HiGHS' branch and bound, started from `warm` when given.
    fn branch_and_bound(
        &self,
        warm: Option<&[usize]>,
        check: &dyn Fn(&HighsOutcome) -> Checked,
    ) -> Option<HighsOutcome> {
        let sense = self.dir.sense();
        let start = warm.map(|w| self.model.start_vector(w));
        let mip = run_highs(self.model, &self.limits, sense, true, start.as_deref());
        // HiGHS 1.16 maps a MIP start into the presolved space; when presolve has dropped one
        // of the start's columns (e.g. a dominated candidate) the image is a different, cheaper
        // "solution" whose objective HiGHS then reports and prunes with. That shows up as a
        // disagreement between the reported and the true objective: solve again without start.
        match &mip {
            Some(o)
                if start.is_some()
                    && o.status == HighsModelStatus::Optimal
                    && check(o).is_none_or(|(_, _, ok)| !ok) =>
            {
                run_highs(self.model, &self.limits, sense, true, None)
            }
            _ => mip,
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
        let link_coef = if matches!(kind, ModelKind::MinAll) { 1.0 } else { -1.0 };
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

    /// True when no column can change the objective, so any feasible choice is optimal.
    fn is_trivial(&self) -> bool {
        self.cols.iter().all(|c| c.obj == 0.0)
    }

    /// The HiGHS problem; `integer = false` gives the LP relaxation.
    fn build(&self, integer: bool) -> ColProblem {
        let mut problem = ColProblem::default();
        let rows: Vec<Row> = self
            .row_lo
            .iter()
            .zip(&self.row_hi)
            .map(|(&lo, &hi)| problem.add_row(lo..=hi))
            .collect();
        for c in &self.cols {
            problem.add_column_with_integrality(
                c.obj,
                c.lo..=c.hi,
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
    dual_bound: Option<f64>,
}

/// One HiGHS run (MILP or its LP relaxation). `None` when HiGHS reports an error.
fn run_highs(
    model: &Model,
    limits: &Limits,
    sense: Sense,
    integer: bool,
    start: Option<&[f64]>,
) -> Option<HighsOutcome> {
    let mut m = model.build(integer).try_optimise(sense).ok()?;
    let as_int = |v: u32| i32::try_from(v).ok();
    m.try_set_option("output_flag", std::env::var("TEMP_HIGHS_LOG").is_ok()).ok()?; // TEMP-LOG
    m.try_set_option("log_to_console", std::env::var("TEMP_HIGHS_LOG").is_ok()).ok()?; // TEMP-LOG
    m.try_set_option("threads", 1).ok()?;
    m.try_set_option("parallel", "off").ok()?;
    m.try_set_option("random_seed", as_int(limits.random_seed)?)
        .ok()?;
    if integer {
        m.try_set_option("mip_max_nodes", as_int(limits.max_nodes)?)
            .ok()?;
        m.try_set_option("mip_rel_gap", limits.mip_rel_gap).ok()?;
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
    let columns = has_primal.then(|| solved.get_solution().columns().to_vec());
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
        dual_bound,
    })
}

