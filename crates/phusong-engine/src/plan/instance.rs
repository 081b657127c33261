//! The coverage instance, its validation, item merging and exact evaluation of a choice.

use crate::plan::PlanError;
use serde::{Deserialize, Serialize};

/// Relative tolerance used when comparing sums of weights or costs that were added in
/// different orders (a money budget or a coverage target that is met "exactly").
pub const REL_TOL: f64 = 1e-9;

/// A weighted coverage instance: which demand items each candidate tower would cover.
///
/// Items already covered by existing towers should simply be left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Instance {
    /// Weight of each demand item (people for villages, area for land cells), ≥ 0.
    pub weight: Vec<f64>,
    /// For each candidate, the strictly increasing list of item indices it covers.
    pub cover: Vec<Vec<u32>>,
    /// Cost of each candidate in money units, ≥ 0 (use 1.0 everywhere for tower counts).
    pub cost: Vec<f64>,
    /// Alternatives: candidates sharing a group id exclude each other (at most one of a group is
    /// built, e.g. one height per place). Empty: no two candidates exclude each other.
    #[serde(default)]
    pub group: Vec<u32>,
}

impl Instance {
    /// Number of candidate towers.
    pub fn candidate_count(&self) -> usize {
        self.cover.len()
    }

    /// Number of demand items.
    pub fn item_count(&self) -> usize {
        self.weight.len()
    }

    /// Checks every weight, cost and cover list; see [`PlanError`] for what is rejected.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.cover.len() != self.cost.len() {
            return Err(PlanError::CandidateLengthMismatch {
                cover_len: self.cover.len(),
                cost_len: self.cost.len(),
            });
        }
        if !self.group.is_empty() && self.group.len() != self.cover.len() {
            return Err(PlanError::GroupLengthMismatch {
                cover_len: self.cover.len(),
                group_len: self.group.len(),
            });
        }
        for (item, &value) in self.weight.iter().enumerate() {
            if !value.is_finite() || value < 0.0 {
                return Err(PlanError::InvalidWeight { item, value });
            }
        }
        for (candidate, &value) in self.cost.iter().enumerate() {
            if !value.is_finite() || value < 0.0 {
                return Err(PlanError::InvalidCost { candidate, value });
            }
        }
        let item_count = self.weight.len();
        for (candidate, list) in self.cover.iter().enumerate() {
            for (position, &item) in list.iter().enumerate() {
                if item as usize >= item_count {
                    return Err(PlanError::ItemOutOfRange {
                        candidate,
                        item,
                        item_count,
                    });
                }
                if position > 0 && list[position - 1] >= item {
                    return Err(PlanError::CoverNotSorted {
                        candidate,
                        position,
                    });
                }
            }
        }
        Ok(())
    }

    /// Weight covered when exactly the candidates in `chosen` are built, summed in item order
    /// (so the result does not depend on the order of `chosen`). Out-of-range candidate
    /// indices are ignored.
    pub fn covered_weight(&self, chosen: &[usize]) -> f64 {
        let covered = self.covered_mask(chosen);
        self.weight
            .iter()
            .zip(&covered)
            .filter(|(_, c)| **c)
            .map(|(w, _)| *w)
            .sum()
    }

    /// Group of candidate `j` (its own index when the instance has no groups).
    pub fn group_of(&self, j: usize) -> u32 {
        self.group.get(j).copied().unwrap_or(j as u32)
    }

    /// True when `chosen` holds at most one candidate of every group (and no index twice).
    pub fn respects_groups(&self, chosen: &[usize]) -> bool {
        let mut g: Vec<u32> = chosen.iter().map(|&j| self.group_of(j)).collect();
        g.sort_unstable();
        g.windows(2).all(|w| w[0] != w[1])
    }

    /// Total money cost of `chosen`, summed in ascending candidate order.
    pub fn total_cost(&self, chosen: &[usize]) -> f64 {
        let mut sorted: Vec<usize> = chosen.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        sorted.iter().filter_map(|&j| self.cost.get(j)).sum()
    }

    /// Weight of all items that at least one candidate covers.
    pub fn coverable_weight(&self) -> f64 {
        let all: Vec<usize> = (0..self.cover.len()).collect();
        self.covered_weight(&all)
    }

    pub(crate) fn covered_mask(&self, chosen: &[usize]) -> Vec<bool> {
        let mut covered = vec![false; self.weight.len()];
        for &j in chosen {
            if let Some(list) = self.cover.get(j) {
                for &i in list {
                    if let Some(c) = covered.get_mut(i as usize) {
                        *c = true;
                    }
                }
            }
        }
        covered
    }

    /// Item → covering candidates (CSR), candidates ascending within each item.
    pub(crate) fn transpose(&self) -> Transposed {
        let n = self.weight.len();
        let mut start = vec![0usize; n + 1];
        for list in &self.cover {
            for &i in list {
                start[i as usize + 1] += 1;
            }
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut cands = vec![0u32; start[n]];
        for (j, list) in self.cover.iter().enumerate() {
            for &i in list {
                let slot = &mut fill[i as usize];
                cands[*slot] = j as u32;
                *slot += 1;
            }
        }
        Transposed { start, cands }
    }
}

/// Item → list of candidates covering it, in compressed-row form.
pub(crate) struct Transposed {
    pub(crate) start: Vec<usize>,
    pub(crate) cands: Vec<u32>,
}

impl Transposed {
    pub(crate) fn coverers(&self, item: usize) -> &[u32] {
        &self.cands[self.start[item]..self.start[item + 1]]
    }
}

/// Result of [`merge_items`]: a smaller instance with the same optimum, and the way back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedItems {
    /// The merged instance (same candidates and costs, fewer items).
    pub instance: Instance,
    /// For each original item, the merged item it went into (`None` if no candidate covers it).
    pub merged_of_item: Vec<Option<u32>>,
    /// For each merged item, its original items in ascending order.
    pub items_of_merged: Vec<Vec<u32>>,
    /// Number of original items that no candidate covers (dropped).
    pub uncoverable_items: usize,
    /// Their total weight (people or area units): unreachable by any plan.
    pub uncoverable_weight: f64,
}

/// Merges items that are covered by exactly the same set of candidates into one item
/// carrying the summed weight, and drops items no candidate covers.
///
/// Any choice of candidates covers a merged item iff it covers all (equivalently, any) of
/// its original items, so every objective value is preserved. Merged items are numbered in
/// order of their smallest original item and weights are summed in ascending item order,
/// so the result is deterministic.
pub fn merge_items(inst: &Instance) -> Result<MergedItems, PlanError> {
    inst.validate()?;
    let n = inst.weight.len();
    let tr = inst.transpose();
    let mut uncoverable_items = 0usize;
    let mut uncoverable_weight = 0.0;
    let mut order: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n {
        if tr.coverers(i).is_empty() {
            uncoverable_items += 1;
            uncoverable_weight += inst.weight[i];
        } else {
            order.push(i as u32);
        }
    }
    // Sort by (covering set, item index): identical sets become adjacent, ties in index order.
    order.sort_unstable_by(|&a, &b| {
        tr.coverers(a as usize)
            .cmp(tr.coverers(b as usize))
            .then(a.cmp(&b))
    });
    // Groups in sorted order; then renumber by each group's smallest item.
    let mut groups: Vec<Vec<u32>> = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        let same = pos > 0 && tr.coverers(order[pos - 1] as usize) == tr.coverers(i as usize);
        match groups.last_mut() {
            Some(g) if same => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups.sort_unstable_by_key(|g| g[0]);
    let mut merged_of_item = vec![None; n];
    let mut weight = Vec::with_capacity(groups.len());
    let mut cover = vec![Vec::new(); inst.cover.len()];
    for (g, members) in groups.iter().enumerate() {
        let mut w = 0.0;
        for &i in members {
            merged_of_item[i as usize] = Some(g as u32);
            w += inst.weight[i as usize];
        }
        weight.push(w);
        for &j in tr.coverers(members[0] as usize) {
            cover[j as usize].push(g as u32);
        }
    }
    Ok(MergedItems {
        instance: Instance {
            weight,
            cover,
            cost: inst.cost.clone(),
            group: inst.group.clone(),
        },
        merged_of_item,
        items_of_merged: groups,
        uncoverable_items,
        uncoverable_weight,
    })
}
