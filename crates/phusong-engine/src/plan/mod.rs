//! Planning: choosing new sites to cover demand.
//!
//! [`candidates`] finds places a tower could go; [`greedy`] solves weighted maximum coverage (pick at
//! most k candidate sites to maximise the population weight covered) by the lazy greedy algorithm,
//! with exact brute force for tiny instances and an a-posteriori upper bound on the optimum;
//! [`build`] turns the coverage of the existing network and the candidates' coverage into a plan.

pub mod build;
pub mod candidates;
pub mod greedy;
pub mod params;

pub use greedy::{
    exhaustive_best, lazy_greedy, picks_for_target, plain_greedy, upper_bound, Selection,
};
pub use params::PlanParams;
