//! Weighted maximum coverage: pick at most `budget` candidates maximising covered demand weight.
//!
//! The objective f(S) = Σ weight of demand covered by S or initially covered is monotone
//! submodular, so the greedy algorithm is within a factor 1 − (1 − 1/k)^k ≥ 1 − 1/e of the
//! optimum on the weight it adds (Nemhauser, Wolsey & Fisher, "An analysis of approximations for
//! maximizing submodular set functions—I", Math. Programming 14, 1978, pp. 265-294). [`lazy_greedy`]
//! is Minoux's accelerated greedy (M. Minoux, "Accelerated greedy algorithms for maximizing
//! submodular set functions", Optimization Techniques, LNCIS 7, 1978): marginal gains only shrink,
//! so stale gains kept in a max-heap are upper bounds and only the top needs re-evaluating.
//!
//! Input conventions (bad input never panics): `cover[c]` lists demand indices candidate `c`
//! covers; duplicates are ignored and indices ≥ `weight.len()` are dropped. A weight that is not
//! finite and positive counts as 0. `initially_covered` shorter than `weight` is padded with
//! `false`. Ties are broken deterministically: larger gain first, then lower candidate index.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Result of a greedy run.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Candidate indices in pick order.
    pub chosen: Vec<usize>,
    /// Marginal weight added by each pick (same length as `chosen`, all > 0).
    pub gains: Vec<f64>,
    /// Covered weight before any pick and after each pick: `covered_weight[0]` is the initially
    /// covered weight and `covered_weight[i]` the weight covered after `i` picks
    /// (length `chosen.len() + 1`).
    pub covered_weight: Vec<f64>,
}

/// Normalised instance plus the current covered state.
struct State {
    cover: Vec<Vec<u32>>,
    weight: Vec<f64>,
    covered: Vec<bool>,
}

impl State {
    fn new(cover: &[Vec<u32>], weight: &[f64], initially_covered: &[bool]) -> State {
        let n_demand = weight.len();
        let cover = cover
            .iter()
            .map(|list| {
                let mut v: Vec<u32> = list
                    .iter()
                    .copied()
                    .filter(|&d| (d as usize) < n_demand)
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let weight = weight
            .iter()
            .map(|&w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
            .collect();
        let covered = (0..n_demand)
            .map(|d| initially_covered.get(d).copied().unwrap_or(false))
            .collect();
        State {
            cover,
            weight,
            covered,
        }
    }

    /// Weight candidate `c` would add now (sum in ascending demand order, so it is reproducible).
    fn gain(&self, c: usize) -> f64 {
        self.cover[c]
            .iter()
            .filter(|&&d| !self.covered[d as usize])
            .map(|&d| self.weight[d as usize])
            .sum()
    }

    fn take(&mut self, c: usize) {
        for &d in &self.cover[c] {
            self.covered[d as usize] = true;
        }
    }

    fn covered_total(&self) -> f64 {
        self.weight
            .iter()
            .zip(&self.covered)
            .filter(|(_, &c)| c)
            .map(|(w, _)| w)
            .sum()
    }
}

/// Heap entry: a candidate's gain as evaluated in greedy round `round`.
struct Entry {
    gain: f64,
    cand: usize,
    round: usize,
}

impl Ord for Entry {
    /// Larger gain first, then lower candidate index (a total order, NaN-safe via total_cmp).
    fn cmp(&self, other: &Self) -> Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then_with(|| other.cand.cmp(&self.cand))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}

fn record(sel: &mut Selection, c: usize, g: f64) {
    let prev = sel.covered_weight.last().copied().unwrap_or(0.0);
    sel.chosen.push(c);
    sel.gains.push(g);
    sel.covered_weight.push(prev + g);
}

/// Lazy (accelerated) greedy for weighted maximum coverage; stops after `budget` picks or as soon
/// as no candidate adds positive weight. Identical result to [`plain_greedy`].
pub fn lazy_greedy(
    cover: &[Vec<u32>],
    weight: &[f64],
    initially_covered: &[bool],
    budget: usize,
) -> Selection {
    let mut st = State::new(cover, weight, initially_covered);
    let mut sel = Selection {
        chosen: Vec::new(),
        gains: Vec::new(),
        covered_weight: vec![st.covered_total()],
    };
    let mut heap: BinaryHeap<Entry> = (0..st.cover.len())
        .map(|cand| Entry {
            gain: st.gain(cand),
            cand,
            round: 0,
        })
        .filter(|e| e.gain > 0.0)
        .collect();
    let mut round = 0;
    while sel.chosen.len() < budget {
        let Some(top) = heap.pop() else { break };
        if top.round == round {
            // Fresh and ≥ every other entry's upper bound (ties resolved by index): the greedy pick.
            st.take(top.cand);
            record(&mut sel, top.cand, top.gain);
            round += 1;
        } else {
            let gain = st.gain(top.cand);
            if gain > 0.0 {
                heap.push(Entry {
                    gain,
                    cand: top.cand,
                    round,
                });
            }
        }
    }
    sel
}

/// Textbook greedy: re-evaluates every candidate each round, O(k·Σ|cover|). Reference for tests.
pub fn plain_greedy(
    cover: &[Vec<u32>],
    weight: &[f64],
    initially_covered: &[bool],
    budget: usize,
) -> Selection {
    let mut st = State::new(cover, weight, initially_covered);
    let mut sel = Selection {
        chosen: Vec::new(),
        gains: Vec::new(),
        covered_weight: vec![st.covered_total()],
    };
    while sel.chosen.len() < budget {
        let mut best: Option<(usize, f64)> = None;
        for c in 0..st.cover.len() {
            let g = st.gain(c);
            if g > 0.0 && best.is_none_or(|(_, bg)| g > bg) {
                best = Some((c, g));
            }
        }
        let Some((c, g)) = best else { break };
        st.take(c);
        record(&mut sel, c, g);
    }
    sel
}

/// Exact optimum by enumerating every set of `min(k, n)` candidates (monotone objective, so a
/// full-size set is optimal). Returns the lexicographically first optimal set and its total
/// covered weight (initially covered weight included). Exponential: tiny instances only.
pub fn exhaustive_best(
    cover: &[Vec<u32>],
    weight: &[f64],
    initially_covered: &[bool],
    k: usize,
) -> (Vec<usize>, f64) {
    let base = State::new(cover, weight, initially_covered);
    let n = base.cover.len();
    let k = k.min(n);
    let mut idx: Vec<usize> = (0..k).collect();
    let mut best: Option<(Vec<usize>, f64)> = None;
    loop {
        let mut covered = base.covered.clone();
        for &c in &idx {
            for &d in &base.cover[c] {
                covered[d as usize] = true;
            }
        }
        let value: f64 = base
            .weight
            .iter()
            .zip(&covered)
            .filter(|(_, &c)| c)
            .map(|(w, _)| w)
            .sum();
        if best.as_ref().is_none_or(|(_, bv)| value > *bv) {
            best = Some((idx.clone(), value));
        }
        // Next combination in lexicographic order.
        let Some(i) = (0..k).rev().find(|&i| idx[i] < n - k + i) else {
            break;
        };
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
    best.unwrap_or((Vec::new(), base.covered_total()))
}

/// Smallest number of picks after which `sel` covers at least `target_frac · total_weight`
/// (0 if the initial coverage already does; `None` if the selection never does). A relative
/// slack of 1e-9·|total| absorbs summation rounding, so `target_frac = 1.0` works as expected.
pub fn picks_for_target(sel: &Selection, total_weight: f64, target_frac: f64) -> Option<usize> {
    let target = target_frac * total_weight - 1e-9 * total_weight.abs();
    sel.covered_weight.iter().position(|&w| w >= target)
}

/// A-posteriori upper bound on the best total covered weight achievable with `budget` picks.
///
/// Implements the online bound from Nemhauser-Wolsey-Fisher (1978): by submodularity, for any
/// set S, OPT ≤ f(S) + Σ_{c ∈ OPT} Δ(c | S) ≤ f(S) + Σ of the `budget` largest gains Δ(c | S). It is evaluated at every prefix
/// of `sel.chosen` (S = ∅, {c1}, {c1,c2}, …) and the minimum is returned, further capped by the
/// weight of all coverable demand. For a greedy `sel` this is never looser than the a-priori
/// bound f(G_k)/(1 − (1 − 1/k)^k), because that bound is derived from exactly these
/// inequalities; if greedy stopped early (no positive gain left) it proves greedy optimal.
/// Works for any `sel` (indices out of range are skipped). Cost O((|chosen|+1)·Σ|cover|).
pub fn upper_bound(
    cover: &[Vec<u32>],
    weight: &[f64],
    initially_covered: &[bool],
    sel: &Selection,
    budget: usize,
) -> f64 {
    let mut st = State::new(cover, weight, initially_covered);
    let n = st.cover.len();
    // Trivial bound: everything coverable.
    let mut all = st.covered.clone();
    for list in &st.cover {
        for &d in list {
            all[d as usize] = true;
        }
    }
    let mut bound: f64 = st
        .weight
        .iter()
        .zip(&all)
        .filter(|(_, &c)| c)
        .map(|(w, _)| w)
        .sum();
    let mut value = st.covered_total();
    let mut gains = Vec::with_capacity(n);
    let mut prefix = sel.chosen.iter().filter(|&&c| c < n);
    loop {
        gains.clear();
        gains.extend((0..n).map(|c| st.gain(c)));
        gains.sort_unstable_by(|a, b| b.total_cmp(a));
        let top: f64 = gains.iter().take(budget).sum();
        bound = bound.min(value + top);
        let Some(&c) = prefix.next() else { break };
        value += st.gain(c);
        st.take(c);
    }
    bound
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Knuth's MMIX linear congruential generator; returns the high 32 bits.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 32) as u32
        }
        fn below(&mut self, n: u32) -> u32 {
            self.next() % n
        }
    }

    struct Inst {
        cover: Vec<Vec<u32>>,
        weight: Vec<f64>,
        init: Vec<bool>,
    }

    /// Random instance; `integer_weights` makes many exact ties.
    fn random_instance(rng: &mut Lcg, n_cand: usize, n_dem: usize, integer_weights: bool) -> Inst {
        let density = 1 + rng.below(4); // each candidate covers each demand w.p. density/8
        let cover = (0..n_cand)
            .map(|_| {
                (0..n_dem as u32)
                    .filter(|_| rng.below(8) < density)
                    .collect()
            })
            .collect();
        let weight = (0..n_dem)
            .map(|_| {
                if integer_weights {
                    (1 + rng.below(5)) as f64
                } else {
                    rng.next() as f64 / 1e6
                }
            })
            .collect();
        let init = (0..n_dem).map(|_| rng.below(10) == 0).collect();
        Inst {
            cover,
            weight,
            init,
        }
    }

    fn check_consistent(sel: &Selection) {
        assert_eq!(sel.covered_weight.len(), sel.chosen.len() + 1);
        assert_eq!(sel.gains.len(), sel.chosen.len());
        for i in 0..sel.gains.len() {
            assert!(sel.gains[i] > 0.0);
            assert_eq!(
                sel.covered_weight[i + 1],
                sel.covered_weight[i] + sel.gains[i]
            );
            if i > 0 {
                assert!(
                    sel.gains[i] <= sel.gains[i - 1],
                    "greedy gains never increase"
                );
            }
        }
    }

    #[test]
    fn lazy_equals_plain_on_random_instances() {
        let mut rng = Lcg(2024);
        for t in 0..300 {
            let n_cand = 1 + rng.below(40) as usize;
            let n_dem = 1 + rng.below(120) as usize;
            let inst = random_instance(&mut rng, n_cand, n_dem, t % 2 == 0);
            let k = rng.below(n_cand as u32 + 3) as usize;
            let a = lazy_greedy(&inst.cover, &inst.weight, &inst.init, k);
            let b = plain_greedy(&inst.cover, &inst.weight, &inst.init, k);
            assert_eq!(a, b, "instance {t}");
            check_consistent(&a);
        }
    }

    #[test]
    fn greedy_within_bounds_of_exhaustive() {
        let e_ratio = 1.0 - (-1.0f64).exp();
        let mut rng = Lcg(7);
        for t in 0..400 {
            let n_cand = 1 + rng.below(9) as usize;
            let n_dem = 1 + rng.below(14) as usize;
            let inst = random_instance(&mut rng, n_cand, n_dem, t % 3 == 0);
            let k = 1 + rng.below(4) as usize;
            let sel = lazy_greedy(&inst.cover, &inst.weight, &inst.init, k);
            let (opt_set, opt) = exhaustive_best(&inst.cover, &inst.weight, &inst.init, k);
            assert_eq!(opt_set.len(), k.min(n_cand));
            let init = sel.covered_weight[0];
            let g = *sel.covered_weight.last().unwrap();
            let tol = 1e-9 * opt.max(1.0);
            assert!(g <= opt + tol, "greedy beats optimum? {t}");
            assert!(g - init >= e_ratio * (opt - init) - tol, "instance {t}");
            let kf = k as f64;
            let nwf = 1.0 - (1.0 - 1.0 / kf).powi(k as i32);
            assert!(g - init >= nwf * (opt - init) - tol, "instance {t}");
            let ub = upper_bound(&inst.cover, &inst.weight, &inst.init, &sel, k);
            assert!(
                ub >= opt - tol,
                "bound {ub} below optimum {opt}, instance {t}"
            );
            // Online bound never looser than the a-priori ratio bound (full-k greedy runs).
            if sel.chosen.len() == k {
                assert!(ub - init <= (g - init) / nwf + tol);
            }
        }
    }

    #[test]
    fn greedy_optimal_on_nested_instance() {
        // Disjoint candidates with distinct weights: greedy picks the heaviest, which is optimal.
        let cover = vec![vec![0, 1], vec![2], vec![3, 4, 5], vec![6]];
        let weight = [1.0, 1.0, 5.0, 2.0, 2.0, 2.0, 0.5];
        let sel = lazy_greedy(&cover, &weight, &[], 2);
        assert_eq!(sel.chosen, vec![2, 1]);
        assert_eq!(sel.gains, vec![6.0, 5.0]);
        assert_eq!(sel.covered_weight, vec![0.0, 6.0, 11.0]);
        let (best, v) = exhaustive_best(&cover, &weight, &[], 2);
        assert_eq!(best, vec![1, 2]);
        assert_eq!(v, 11.0);
        // The online bound proves optimality here. Gains at ∅ are [2, 5, 6, 0.5] → 0 + 6 + 5 = 11;
        // at S = {2}: 6 + 5 + 2 = 13; at S = {2, 1}: 11 + 2 + 0.5 = 13.5. Minimum 11 = optimum.
        assert_eq!(upper_bound(&cover, &weight, &[], &sel, 2), 11.0);
    }

    #[test]
    fn greedy_suboptimal_instance_and_tight_bound() {
        // Six unit demands; cand 2 covers the middle four. Greedy takes 2 (gain 4), then ties
        // between 0 and 1 (gain 1 each) → lower index 0; total 5. Optimum {0, 1} = 6.
        let cover = vec![vec![0, 1, 2], vec![3, 4, 5], vec![1, 2, 3, 4]];
        let weight = [1.0; 6];
        let sel = lazy_greedy(&cover, &weight, &[], 2);
        assert_eq!(sel.chosen, vec![2, 0]);
        assert_eq!(sel.covered_weight, vec![0.0, 4.0, 5.0]);
        assert_eq!(exhaustive_best(&cover, &weight, &[], 2), (vec![0, 1], 6.0));
        // Online bound: ∅ → 0 + 4 + 3 = 7; {2} → 4 + 1 + 1 = 6; {2,0} → 5 + 1 + 0 = 6. Min 6.
        assert_eq!(upper_bound(&cover, &weight, &[], &sel, 2), 6.0);
    }

    #[test]
    fn ties_are_broken_by_lower_index() {
        // Candidates 1, 3 and 4 tie at gain 2 (3 and 4 are identical); 0 and 2 tie at gain 1.
        let cover = vec![vec![0], vec![1, 2], vec![3], vec![4, 5], vec![5, 4, 4]];
        let weight = [1.0; 6];
        for _ in 0..3 {
            let lazy = lazy_greedy(&cover, &weight, &[], 10);
            let plain = plain_greedy(&cover, &weight, &[], 10);
            assert_eq!(lazy.chosen, vec![1, 3, 0, 2]);
            assert_eq!(lazy.gains, vec![2.0, 2.0, 1.0, 1.0]);
            assert_eq!(lazy, plain);
        }
        // Reversing the candidate order reverses the tie-breaks accordingly.
        let rev: Vec<Vec<u32>> = cover.iter().rev().cloned().collect();
        assert_eq!(lazy_greedy(&rev, &weight, &[], 10).chosen, vec![0, 3, 2, 4]);
    }

    #[test]
    fn initial_coverage_and_early_stop() {
        let cover = vec![vec![0, 1], vec![1, 2], vec![0]];
        let weight = [3.0, 4.0, 5.0];
        let init = [true, true];
        let sel = lazy_greedy(&cover, &weight, &init, 5);
        // Only demand 2 is left; candidate 1 adds 5, then nothing adds weight → stop at 1 pick.
        assert_eq!(sel.chosen, vec![1]);
        assert_eq!(sel.covered_weight, vec![7.0, 12.0]);
        assert_eq!(upper_bound(&cover, &weight, &init, &sel, 5), 12.0);
        let none = lazy_greedy(&cover, &weight, &init, 0);
        assert!(none.chosen.is_empty());
        assert_eq!(none.covered_weight, vec![7.0]);
    }

    #[test]
    fn bad_input_is_sanitised() {
        // Out-of-range demand index 9, duplicates, NaN / negative / infinite weights.
        let cover = vec![vec![9, 0, 0, 1], vec![2, 3]];
        let weight = [1.0, f64::NAN, -4.0, f64::INFINITY];
        let sel = lazy_greedy(&cover, &weight, &[], 3);
        assert_eq!(sel.chosen, vec![0]);
        assert_eq!(sel.gains, vec![1.0]);
        assert_eq!(sel, plain_greedy(&cover, &weight, &[], 3));
        assert_eq!(exhaustive_best(&cover, &weight, &[], 1), (vec![0], 1.0));
        let empty = lazy_greedy(&[], &[], &[], 3);
        assert_eq!(empty.covered_weight, vec![0.0]);
        assert_eq!(exhaustive_best(&[], &[], &[], 3), (vec![], 0.0));
        assert_eq!(upper_bound(&[], &[], &[], &empty, 3), 0.0);
    }

    #[test]
    fn picks_for_target_edges() {
        let sel = Selection {
            chosen: vec![4, 2, 7],
            gains: vec![50.0, 20.0, 10.0],
            covered_weight: vec![10.0, 60.0, 80.0, 90.0],
        };
        assert_eq!(picks_for_target(&sel, 100.0, 0.05), Some(0)); // already met
        assert_eq!(picks_for_target(&sel, 100.0, 0.10), Some(0)); // exactly met
        assert_eq!(picks_for_target(&sel, 100.0, 0.6), Some(1)); // boundary counts
        assert_eq!(picks_for_target(&sel, 100.0, 0.61), Some(2));
        assert_eq!(picks_for_target(&sel, 100.0, 0.9), Some(3));
        assert_eq!(picks_for_target(&sel, 100.0, 0.95), None); // never
        assert_eq!(picks_for_target(&sel, 90.0, 1.0), Some(3));
        assert_eq!(picks_for_target(&sel, 100.0, f64::NAN), None);
        // Rounding slack: 0.1 + 0.2 ≠ 0.3 in floating point, but full coverage is recognised.
        let sel = lazy_greedy(&[vec![0], vec![1]], &[0.1, 0.2], &[], 2);
        assert_eq!(picks_for_target(&sel, 0.3, 1.0), Some(2));
    }
}
