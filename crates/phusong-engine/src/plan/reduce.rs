//! Exact problem reductions applied before the MILP is built.
//!
//! Candidate dominance (a standard set-covering reduction, e.g. Beasley, "An algorithm for
//! set covering problem", EJOR 31 (1987) 85–93, §2 "column domination"): if candidate `a`
//! covers every relevant item that `b` covers and costs no more, some optimal plan avoids
//! `b` — replace `b` by `a` (or drop it if `a` is already chosen); coverage does not fall
//! and neither count nor cost rises. Removing dominated candidates shrinks the coverer set
//! of many items, which then merge (identical coverer sets) or become private (one coverer),
//! so the model handed to HiGHS has far fewer rows. The MILP optimum is unchanged; the LP
//! relaxation of the reduced model is a bound at least as tight as that of the full one.
//!
//! With groups of alternatives (at most one candidate per group) the exchange must not put
//! two candidates of one group into a plan, so dominance is applied in two passes: first
//! only within a group (the replaced candidate was its group's only one in the plan), then
//! across groups only by a candidate that is the sole survivor of its group (so no other
//! candidate of that group can already be in the plan).

use crate::plan::error::PlanError;
use crate::plan::instance::{merge_items, Instance, Transposed};

/// A reduced instance and the way between its candidates and the original ones.
pub(crate) struct Reduction {
    /// Kept candidates only, relevant items only, items merged; `cost` = the price used by
    /// the model (1 per tower or the money cost).
    pub(crate) inst: Instance,
    /// Reduced candidate index → original candidate index.
    pub(crate) kept: Vec<usize>,
    /// Original candidate → reduced index of the kept candidate that replaces it
    /// (itself if kept), `None` if it is unusable or covers nothing relevant.
    pub(crate) replace: Vec<Option<usize>>,
}

impl Reduction {
    /// A placeholder with no candidates.
    pub(crate) fn empty() -> Reduction {
        Reduction {
            inst: Instance::default(),
            kept: Vec::new(),
            replace: Vec::new(),
        }
    }

    /// Maps a plan on the original candidates to a plan on the kept ones that is at least
    /// as good and no more expensive.
    pub(crate) fn map_plan(&self, chosen: &[usize]) -> Vec<usize> {
        let mut out: Vec<usize> = chosen
            .iter()
            .filter_map(|&j| self.replace.get(j).copied().flatten())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// What the dominance passes look at.
struct Domination<'a> {
    rel_cover: &'a [Vec<u32>],
    tr: &'a Transposed,
    price: &'a [f64],
}

impl Domination<'_> {
    /// For every `alive` candidate b, the smallest-index `alive` candidate a ≠ b with
    /// `may(a, b)` that covers every item b covers at no higher price (ties broken towards the
    /// larger cover, then the lower price, then the lower index, so chains end).
    fn pass(&self, alive: &[bool], may: impl Fn(usize, usize) -> bool) -> Vec<Option<usize>> {
        let m = self.rel_cover.len();
        let mut dominator: Vec<Option<usize>> = vec![None; m];
        let mut hits = vec![0u32; m];
        let mut touched: Vec<usize> = Vec::new();
        for b in (0..m).filter(|&b| alive[b]) {
            let len = self.rel_cover[b].len();
            for &i in &self.rel_cover[b] {
                for &a in self.tr.coverers(i as usize) {
                    let a = a as usize;
                    if hits[a] == 0 {
                        touched.push(a);
                    }
                    hits[a] += 1;
                }
            }
            touched.sort_unstable();
            for &a in &touched {
                if a == b || !alive[a] || hits[a] as usize != len || !may(a, b) {
                    continue;
                }
                // a covers everything b covers.
                let strictly =
                    self.rel_cover[a].len() > len || self.price[a] < self.price[b] || a < b;
                if self.price[a] <= self.price[b] && strictly {
                    dominator[b] = Some(a);
                    break;
                }
            }
            for &a in &touched {
                hits[a] = 0;
            }
            touched.clear();
        }
        dominator
    }
}

/// Removes unusable candidates (`usable[j] == false`), items that are not `relevant`, and
/// dominated candidates under `price`; then merges identical items.
pub(crate) fn reduce(
    inst: &Instance,
    price: &[f64],
    usable: &[bool],
    relevant: &[bool],
) -> Result<Reduction, PlanError> {
    let m = inst.cover.len();
    let n = inst.weight.len();
    let rel_cover: Vec<Vec<u32>> = (0..m)
        .map(|j| {
            if usable[j] {
                inst.cover[j]
                    .iter()
                    .copied()
                    .filter(|&i| relevant[i as usize])
                    .collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let tr = Instance {
        weight: vec![0.0; n],
        cover: rel_cover.clone(),
        cost: vec![0.0; m],
        group: Vec::new(),
    }
    .transpose();
    let dom = Domination {
        rel_cover: &rel_cover,
        tr: &tr,
        price,
    };
    let alive: Vec<bool> = rel_cover.iter().map(|c| !c.is_empty()).collect();
    // Pass 1: within a group.
    let first = dom.pass(&alive, |a, b| inst.group_of(a) == inst.group_of(b));
    let survivors: Vec<bool> = (0..m).map(|j| alive[j] && first[j].is_none()).collect();
    let mut group_size: std::collections::BTreeMap<u32, usize> = Default::default();
    for j in (0..m).filter(|&j| survivors[j]) {
        *group_size.entry(inst.group_of(j)).or_insert(0) += 1;
    }
    // Pass 2: across groups, by the sole survivor of a group.
    let second = dom.pass(&survivors, |a, _| {
        group_size.get(&inst.group_of(a)) == Some(&1)
    });
    let dominator: Vec<Option<usize>> = (0..m).map(|j| first[j].or(second[j])).collect();
    // Kept candidates and their new indices.
    let mut new_index = vec![None; m];
    let mut kept = Vec::new();
    for j in 0..m {
        if alive[j] && dominator[j].is_none() {
            new_index[j] = Some(kept.len());
            kept.push(j);
        }
    }
    // Follow dominator chains to a kept candidate (chains are finite: dominance is a strict
    // order; the step bound is only a guard).
    let replace: Vec<Option<usize>> = (0..m)
        .map(|j| {
            if !alive[j] {
                return None;
            }
            let mut c = j;
            for _ in 0..m {
                match dominator[c] {
                    Some(d) => c = d,
                    None => return new_index[c],
                }
            }
            None
        })
        .collect();
    let sub = Instance {
        weight: inst.weight.clone(),
        cover: kept.iter().map(|&j| rel_cover[j].clone()).collect(),
        cost: kept.iter().map(|&j| price[j]).collect(),
        group: if inst.group.is_empty() {
            Vec::new()
        } else {
            kept.iter().map(|&j| inst.group_of(j)).collect()
        },
    };
    let merged = merge_items(&sub)?;
    Ok(Reduction {
        inst: merged.instance,
        kept,
        replace,
    })
}
