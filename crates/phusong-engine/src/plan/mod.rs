//! Planning: choosing new towers to cover unmet demand.
//!
//! [`exclusions`] marks where a tower may stand; [`candidates`] finds places there (in every uncovered
//! hamlet, on high ground, on a grid); [`cover`] computes what each place would cover at each
//! configured height; [`instance`], [`reduce`], [`greedy`] and [`milp`] solve weighted maximum
//! coverage under a tower budget and minimum towers for a coverage target exactly with HiGHS (lazy
//! greedy warm start and fallback, LP-relaxation bounds, optimality gaps); [`curve`] gives coverage
//! against tower count; [`solve`] poses the plan's problems and [`build`] puts the plan together.

pub mod build;
pub mod candidates;
pub mod costs;
pub mod cover;
pub mod curve;
pub mod error;
pub mod exclusions;
pub mod greedy;
pub mod instance;
pub mod milp;
pub mod params;
mod reduce;
pub mod solve;

pub use costs::{CostSummary, Costs, TowerCost};
pub use curve::{coverage_curve, CoverageCurve, CurvePoint};
pub use error::PlanError;
pub use instance::{merge_items, Instance, MergedItems, REL_TOL};
pub use milp::{
    max_coverage, min_cost_for_target, Budget, CostMeasure, Limits, Solution, SolveStatus, Source,
    Target,
};
pub use params::PlanParams;
