//! Lazy greedy heuristics: the warm start and the fallback of the exact solver.
//!
//! Lazy evaluation follows M. Minoux, "Accelerated greedy algorithms for maximizing
//! submodular set functions", Optimization Techniques, LNCIS 7 (1978) 234–243: because
//! coverage is submodular, a candidate's marginal gain (and gain/cost ratio) can only
//! fall as others are chosen, so stale heap keys are upper bounds and a candidate whose
//! refreshed key still tops the heap is the true greedy choice.
//!
//! * Tower budget: the classic greedy, a (1 − 1/e)-approximation (Nemhauser, Wolsey &
//!   Fisher, Math. Programming 14 (1978) 265–294).
//! * Money budget: the gain/cost greedy that skips unaffordable candidates, compared with
//!   the best single affordable candidate — the "modified greedy" of Khuller, Moss & Naor,
//!   "The budgeted maximum coverage problem", Inf. Process. Lett. 70 (1999) 39–45, §2
//!   (guarantee (1 − 1/√e)/… ≥ 0.39).
//! * Minimum cost for a target: Chvátal's gain/cost greedy (Math. Oper. Res. 4 (1979)
//!   233–235) with the gain capped at the weight still missing (partial cover), followed by
//!   a reverse-delete pass that drops chosen candidates no longer needed, dearest first.
//!
//! Alternatives (candidates sharing a group id, e.g. the heights of one place) are honoured by
//! skipping a candidate once another of its group is chosen, and by swaps that keep one per
//! group; with groups the guarantees above no longer hold as stated (the greedy is then only the
//! warm start of the exact solver).

use crate::plan::instance::REL_TOL;
use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

/// Heap key: larger ratio first, then larger gain, then smaller candidate index.
#[derive(Clone, Copy, Debug)]
struct Key {
    ratio: f64,
    gain: f64,
    cand: usize,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ratio
            .total_cmp(&other.ratio)
            .then(self.gain.total_cmp(&other.gain))
            .then(other.cand.cmp(&self.cand))
    }
}

/// Gain per unit cost; a free candidate with positive gain ranks above everything.
fn ratio(gain: f64, cost: f64) -> f64 {
    if gain <= 0.0 {
        0.0
    } else if cost > 0.0 {
        gain / cost
    } else {
        f64::INFINITY
    }
}

/// True when spending `extra` on top of `spent` stays within `budget` (relative slack
/// [`REL_TOL`] for sums of decimal money amounts).
pub(crate) fn fits_budget(spent: f64, extra: f64, budget: f64) -> bool {
    spent + extra <= budget * (1.0 + REL_TOL)
}

/// Incremental coverage bookkeeping for one greedy run.
pub(crate) struct Coverage<'a> {
    cover: &'a [Vec<u32>],
    value: &'a [f64],
    /// Group of each candidate (empty: each its own).
    group: &'a [u32],
    groups_used: BTreeSet<u32>,
    count: Vec<u32>,
    /// Sum of the indices of the chosen candidates covering each item: for an item covered
    /// once, its only coverer.
    owner_sum: Vec<usize>,
    in_set: Vec<bool>,
    chosen: Vec<usize>,
    gained: f64,
}

impl<'a> Coverage<'a> {
    pub(crate) fn new(cover: &'a [Vec<u32>], value: &'a [f64], group: &'a [u32]) -> Self {
        Self {
            cover,
            value,
            group,
            groups_used: BTreeSet::new(),
            count: vec![0; value.len()],
            owner_sum: vec![0; value.len()],
            in_set: vec![false; cover.len()],
            chosen: Vec::new(),
            gained: 0.0,
        }
    }

    fn group_of(&self, j: usize) -> u32 {
        self.group.get(j).copied().unwrap_or(j as u32)
    }

    /// True when another candidate of `j`'s group is already chosen.
    fn excluded(&self, j: usize) -> bool {
        !self.in_set[j] && self.groups_used.contains(&self.group_of(j))
    }

    fn gain(&self, j: usize) -> f64 {
        self.cover[j]
            .iter()
            .filter(|&&i| self.count[i as usize] == 0)
            .map(|&i| self.value[i as usize])
            .sum()
    }

    fn loss(&self, j: usize) -> f64 {
        self.cover[j]
            .iter()
            .filter(|&&i| self.count[i as usize] == 1)
            .map(|&i| self.value[i as usize])
            .sum()
    }

    fn add(&mut self, j: usize) {
        if self.in_set[j] {
            return;
        }
        self.gained += self.gain(j);
        for &i in &self.cover[j] {
            self.count[i as usize] += 1;
            self.owner_sum[i as usize] += j;
        }
        self.in_set[j] = true;
        self.groups_used.insert(self.group_of(j));
        self.chosen.push(j);
    }

    fn remove(&mut self, j: usize) {
        if !self.in_set[j] {
            return;
        }
        self.gained -= self.loss(j);
        for &i in &self.cover[j] {
            self.count[i as usize] -= 1;
            self.owner_sum[i as usize] -= j;
        }
        self.in_set[j] = false;
        self.groups_used.remove(&self.group_of(j));
        self.chosen.retain(|&c| c != j);
    }
}

/// Greedy budget: at most `Count` candidates, or a money budget over per-candidate costs.
pub(crate) enum GreedyBudget<'a> {
    Count(usize),
    Money { cost: &'a [f64], budget: f64 },
}

/// Lazy greedy for maximum coverage, starting from the candidates in `start` (kept even if
/// they exceed the budget; callers pass feasible starts), never two of one `group` (empty: no
/// groups). Returns the chosen candidates in the order they were picked (start first).
pub(crate) fn greedy_max(
    cover: &[Vec<u32>],
    weight: &[f64],
    budget: &GreedyBudget<'_>,
    start: &[usize],
    group: &[u32],
) -> Vec<usize> {
    let mut cov = Coverage::new(cover, weight, group);
    for &j in start {
        cov.add(j);
    }
    let cost_of = |j: usize| match budget {
        GreedyBudget::Count(_) => 1.0,
        GreedyBudget::Money { cost, .. } => cost[j],
    };
    let mut spent: f64 = cov.chosen.iter().map(|&j| cost_of(j)).sum();
    let affordable = |spent: f64, n: usize, j: usize| match budget {
        GreedyBudget::Count(k) => n < *k,
        GreedyBudget::Money { cost, budget } => fits_budget(spent, cost[j], *budget),
    };
    let mut heap: BinaryHeap<Key> = (0..cover.len())
        .filter(|&j| !cov.in_set[j])
        .map(|j| {
            let gain = cov.gain(j);
            Key {
                ratio: ratio(gain, cost_of(j)),
                gain,
                cand: j,
            }
        })
        .filter(|k| k.gain > 0.0)
        .collect();
    while let Some(top) = heap.pop() {
        let j = top.cand;
        if cov.excluded(j) || !affordable(spent, cov.chosen.len(), j) {
            // Budgets only shrink, so an unaffordable candidate stays unaffordable.
            continue;
        }
        let gain = cov.gain(j);
        if gain <= 0.0 {
            continue;
        }
        let fresh = Key {
            ratio: ratio(gain, cost_of(j)),
            gain,
            cand: j,
        };
        match heap.peek() {
            Some(next) if fresh < *next => heap.push(fresh),
            _ => {
                cov.add(j);
                spent += cost_of(j);
            }
        }
    }
    let mut best = cov.chosen.clone();
    // Khuller–Moss–Naor: compare with the best single affordable candidate.
    if let (true, GreedyBudget::Money { cost, budget: b }) = (start.is_empty(), budget) {
        let mut single: Option<(f64, usize)> = None;
        for j in 0..cover.len() {
            if !fits_budget(0.0, cost[j], *b) {
                continue;
            }
            let g: f64 = cover[j].iter().map(|&i| weight[i as usize]).sum();
            if single.is_none_or(|(sg, _)| g > sg) {
                single = Some((g, j));
            }
        }
        if let Some((_, j)) = single.filter(|&(g, _)| g > cov.gained) {
            best = vec![j];
        }
    }
    best
}

/// Upper bound on improving passes of [`improve_by_swaps`] (each pass strictly improves the
/// coverage, so this only caps work on huge instances; it keeps run time bounded and
/// deterministic).
const MAX_SWAP_PASSES: usize = 25;

/// 1-swap local search for maximum coverage (the interchange heuristic of Teitz & Bart,
/// Oper. Res. 16 (1968) 955–961, applied to coverage): replace one chosen candidate `b`
/// by an unchosen `a` (or, under a money budget, add an affordable `a`) whenever that raises
/// the covered weight and keeps the budget. The change of weight is computed exactly:
/// `Δ(a, b) = gain(a) + shared(a, b) − loss(b)` where `gain(a)` is what `a` adds now,
/// `loss(b)` what only `b` covers, and `shared(a, b)` the part of `loss(b)` that `a` also
/// covers. Candidates are scanned in index order and the first improving move is applied,
/// so the result is deterministic. With groups, a candidate whose group is taken may only
/// replace that group's chosen candidate.
pub(crate) fn improve_by_swaps(
    cover: &[Vec<u32>],
    weight: &[f64],
    budget: &GreedyBudget<'_>,
    chosen: Vec<usize>,
    group: &[u32],
) -> Vec<usize> {
    let m = cover.len();
    let mut cov = Coverage::new(cover, weight, group);
    for &j in &chosen {
        cov.add(j);
    }
    let total: f64 = weight.iter().sum();
    let eps = REL_TOL * total.max(1.0);
    let cost_of = |j: usize| match budget {
        GreedyBudget::Count(_) => 1.0,
        GreedyBudget::Money { cost, .. } => cost[j],
    };
    let fits = |spent: f64, n_after: usize, extra: f64| match budget {
        GreedyBudget::Count(k) => n_after <= *k,
        GreedyBudget::Money { budget, .. } => fits_budget(spent, extra, *budget),
    };
    let mut shared = vec![0.0f64; m];
    let mut touched: Vec<usize> = Vec::new();
    // Loss of each chosen candidate and the money spent, refreshed after every move.
    let refresh = |cov: &Coverage<'_>| -> (Vec<(usize, f64)>, f64) {
        let losses = cov.chosen.iter().map(|&b| (b, cov.loss(b))).collect();
        let spent = cov.chosen.iter().map(|&j| cost_of(j)).sum();
        (losses, spent)
    };
    let (mut losses, mut spent) = refresh(&cov);
    for _ in 0..MAX_SWAP_PASSES {
        let mut improved = false;
        for (a, cover_a) in cover.iter().enumerate() {
            if cov.in_set[a] {
                continue;
            }
            // With groups, `a` may only replace the chosen candidate of its own group.
            let blocker = if cov.excluded(a) {
                cov.chosen
                    .iter()
                    .copied()
                    .find(|&b| cov.group_of(b) == cov.group_of(a))
            } else {
                None
            };
            let mut gain = 0.0;
            for &i in cover_a {
                let i = i as usize;
                match cov.count[i] {
                    0 => gain += weight[i],
                    1 => {
                        let b = cov.owner_sum[i];
                        if shared[b] == 0.0 {
                            touched.push(b);
                        }
                        shared[b] += weight[i];
                    }
                    _ => {}
                }
            }
            // Best move for `a`: pure addition, or a swap with the best partner.
            let mut best: Option<(f64, Option<usize>)> = None;
            if gain > eps && blocker.is_none() && fits(spent, cov.chosen.len() + 1, cost_of(a)) {
                best = Some((gain, None));
            }
            if gain > 0.0 || !touched.is_empty() {
                for &(b, loss_b) in &losses {
                    if blocker.is_some_and(|x| x != b)
                        || !fits(spent - cost_of(b), cov.chosen.len(), cost_of(a))
                    {
                        continue;
                    }
                    let delta = gain + shared[b] - loss_b;
                    if delta > eps && best.is_none_or(|(d, _)| delta > d) {
                        best = Some((delta, Some(b)));
                    }
                }
            }
            for &b in &touched {
                shared[b] = 0.0;
            }
            touched.clear();
            if let Some((_, out)) = best {
                if let Some(b) = out {
                    cov.remove(b);
                }
                cov.add(a);
                (losses, spent) = refresh(&cov);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    let mut out = cov.chosen;
    out.sort_unstable();
    out
}

/// Lazy greedy for the cheapest set of candidates whose covered `value` reaches `target`
/// (within `tol`), `cost[j]` per candidate, never two of one `group` (empty: no groups).
/// Returns `None` when the greedy falls short (always when all candidates together do; with
/// groups possibly also when some choice would reach the target). The result is pruned by
/// reverse delete and sorted ascending.
pub(crate) fn greedy_min_cost(
    cover: &[Vec<u32>],
    value: &[f64],
    cost: &[f64],
    target: f64,
    tol: f64,
    group: &[u32],
) -> Option<Vec<usize>> {
    let mut cov = Coverage::new(cover, value, group);
    let goal = target - tol;
    let missing = |gained: f64| (target - gained).max(0.0);
    let mut heap: BinaryHeap<Key> = (0..cover.len())
        .map(|j| {
            let gain = cov.gain(j).min(missing(0.0));
            Key {
                ratio: ratio(gain, cost[j]),
                gain,
                cand: j,
            }
        })
        .filter(|k| k.gain > 0.0)
        .collect();
    while cov.gained < goal {
        let top = heap.pop()?;
        let j = top.cand;
        if cov.excluded(j) {
            continue;
        }
        let gain = cov.gain(j).min(missing(cov.gained));
        if gain <= 0.0 {
            continue;
        }
        let fresh = Key {
            ratio: ratio(gain, cost[j]),
            gain,
            cand: j,
        };
        match heap.peek() {
            Some(next) if fresh < *next => heap.push(fresh),
            _ => cov.add(j),
        }
    }
    // Reverse delete: dearest first, later picks first among equal costs.
    let mut order: Vec<(usize, usize)> = cov.chosen.iter().copied().enumerate().collect();
    order.sort_by(|a, b| cost[b.1].total_cmp(&cost[a.1]).then(b.0.cmp(&a.0)));
    for (_, j) in order {
        if cov.gained - cov.loss(j) >= goal {
            cov.remove(j);
        }
    }
    let mut chosen = cov.chosen;
    chosen.sort_unstable();
    Some(chosen)
}

/// Drops chosen candidates whose removal loses no weight, dearest first (later index first
/// among equal costs). Covered weight is unchanged; cost and tower count can only fall.
pub(crate) fn drop_redundant(
    cover: &[Vec<u32>],
    weight: &[f64],
    cost: &[f64],
    chosen: &[usize],
) -> Vec<usize> {
    let mut cov = Coverage::new(cover, weight, &[]);
    for &j in chosen {
        cov.add(j);
    }
    let mut order: Vec<usize> = cov.chosen.clone();
    order.sort_by(|&a, &b| cost[b].total_cmp(&cost[a]).then(b.cmp(&a)));
    for j in order {
        if cov.loss(j) <= 0.0 {
            cov.remove(j);
        }
    }
    let mut out = cov.chosen;
    out.sort_unstable();
    out
}
