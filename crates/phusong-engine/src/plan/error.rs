//! Typed errors for the coverage optimiser.

/// Everything that can be wrong with the input of this crate.
///
/// Solver trouble (HiGHS errors, work limits) is *not* an error: it is reported in
/// [`crate::plan::Solution::status`] and the greedy solution is returned instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// `cover` and `cost` must have one entry per candidate.
    #[error(
        "cover has {cover_len} candidates but cost has {cost_len}: expected one cost (money units) per candidate"
    )]
    CandidateLengthMismatch {
        /// `cover.len()`.
        cover_len: usize,
        /// `cost.len()`.
        cost_len: usize,
    },
    /// `group` must be empty or have one entry per candidate.
    #[error(
        "cover has {cover_len} candidates but group has {group_len}: expected no groups or one group id per candidate"
    )]
    GroupLengthMismatch {
        /// `cover.len()`.
        cover_len: usize,
        /// `group.len()`.
        group_len: usize,
    },
    /// An item weight is NaN, infinite or negative.
    #[error("weight[{item}] = {value}: expected a finite weight ≥ 0 (people or area units)")]
    InvalidWeight {
        /// Item index.
        item: usize,
        /// Offending value.
        value: f64,
    },
    /// A candidate cost is NaN, infinite or negative.
    #[error("cost[{candidate}] = {value}: expected a finite cost ≥ 0 (money units)")]
    InvalidCost {
        /// Candidate index.
        candidate: usize,
        /// Offending value.
        value: f64,
    },
    /// A cover list names an item that does not exist.
    #[error(
        "cover[{candidate}] contains item {item}: expected an item index < {item_count} (number of items)"
    )]
    ItemOutOfRange {
        /// Candidate index.
        candidate: usize,
        /// Offending item index.
        item: u32,
        /// Number of items in the instance.
        item_count: usize,
    },
    /// A cover list is not strictly increasing.
    #[error(
        "cover[{candidate}] at position {position}: expected strictly increasing item indices (sorted, no duplicates)"
    )]
    CoverNotSorted {
        /// Candidate index.
        candidate: usize,
        /// Position in the list where the order breaks.
        position: usize,
    },
    /// A money budget is NaN, infinite or negative.
    #[error("money budget = {value}: expected a finite budget ≥ 0 (money units)")]
    InvalidBudget {
        /// Offending value.
        value: f64,
    },
    /// A coverage target is NaN, infinite or negative.
    #[error("target weight = {value}: expected a finite weight ≥ 0 (people or area units)")]
    InvalidTarget {
        /// Offending value.
        value: f64,
    },
    /// The target weight exceeds what all candidates together can cover.
    #[error(
        "target weight = {target}: no choice of candidates reaches it; expected at most {max_coverable} (people or area units coverable by all candidates together)"
    )]
    TargetUnreachable {
        /// Requested target.
        target: f64,
        /// Weight covered when every candidate is built.
        max_coverable: f64,
    },
    /// Neither the greedy nor HiGHS within its node limit found a plan reaching the target
    /// (possible only with groups of alternatives).
    #[error(
        "target weight = {target}: no plan found within limits.max_nodes = {max_nodes} branch-and-bound nodes; expected a plan or a proof that none exists (raise max_nodes)"
    )]
    NoPlanWithinLimits {
        /// Requested target.
        target: f64,
        /// Node limit used.
        max_nodes: u32,
    },
    /// A solver limit is out of range.
    #[error("limits.{name} = {value}: expected {expected}")]
    InvalidLimit {
        /// Field name in [`crate::plan::Limits`].
        name: &'static str,
        /// Offending value.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// The MILP would exceed HiGHS' 32-bit index range.
    #[error(
        "model has {value} {what}: expected at most {max} (HiGHS 32-bit index range); merge items first"
    )]
    ModelTooLarge {
        /// What overflowed (rows, columns, nonzeros).
        what: &'static str,
        /// Size required.
        value: usize,
        /// Largest size accepted.
        max: usize,
    },
    /// The list of tower counts for a coverage curve is not strictly increasing.
    #[error(
        "exact_at[{position}] = {value}: expected strictly increasing tower counts, each ≤ max_towers = {max_towers}"
    )]
    InvalidCurvePoints {
        /// Position in `exact_at`.
        position: usize,
        /// Offending tower count.
        value: u32,
        /// Curve length.
        max_towers: u32,
    },
}
