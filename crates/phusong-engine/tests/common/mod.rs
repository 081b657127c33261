//! Shared test helpers: a tiny seeded PRNG, random instances and brute-force references.
#![allow(dead_code)]

use phusong_engine::plan::Instance;

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): state += golden gamma, then the variant-13 finaliser.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in lo..=hi.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
}

/// Small random instance: `m` candidates, `n` items, integer weights 0..=100 (some 0),
/// integer costs 1..=9 (some 0), a few items nobody covers, coverage density ~ `density`.
pub fn small_instance(seed: u64, m: usize, n: usize, density: f64) -> Instance {
    let mut rng = SplitMix64(seed);
    let weight: Vec<f64> = (0..n)
        .map(|_| {
            if rng.unit() < 0.1 {
                0.0
            } else {
                rng.range(1, 100) as f64
            }
        })
        .collect();
    let cover: Vec<Vec<u32>> = (0..m)
        .map(|_| (0..n as u32).filter(|_| rng.unit() < density).collect())
        .collect();
    let cost: Vec<f64> = (0..m)
        .map(|_| {
            if rng.unit() < 0.05 {
                0.0
            } else {
                rng.range(1, 9) as f64
            }
        })
        .collect();
    Instance {
        weight,
        cover,
        cost,
        group: Vec::new(),
    }
}

/// `small_instance` with its candidates in groups of alternatives (about `m / 3` groups, like the
/// heights of one place), so at most one candidate per group may be built.
pub fn grouped_instance(seed: u64, m: usize, n: usize, density: f64) -> Instance {
    let mut inst = small_instance(seed, m, n, density);
    let mut rng = SplitMix64(seed ^ 0x6A09_E667);
    let groups = (m / 3).max(1) as u64;
    inst.group = (0..m).map(|_| rng.range(0, groups - 1) as u32).collect();
    inst
}

/// Bit mask of covering candidates for every item (m ≤ 32).
fn item_masks(inst: &Instance) -> Vec<u32> {
    let mut masks = vec![0u32; inst.weight.len()];
    for (j, list) in inst.cover.iter().enumerate() {
        for &i in list {
            masks[i as usize] |= 1 << j;
        }
    }
    masks
}

fn subset_weight(inst: &Instance, masks: &[u32], s: u32) -> f64 {
    inst.weight
        .iter()
        .zip(masks)
        .filter(|(_, m)| **m & s != 0)
        .map(|(w, _)| *w)
        .sum()
}

/// True when subset `s` holds at most one candidate of every group.
fn subset_respects_groups(inst: &Instance, s: u32) -> bool {
    let chosen: Vec<usize> = (0..inst.cover.len())
        .filter(|j| s & (1 << j) != 0)
        .collect();
    inst.respects_groups(&chosen)
}

fn subset_cost(inst: &Instance, s: u32) -> f64 {
    (0..inst.cover.len())
        .filter(|j| s & (1 << j) != 0)
        .map(|j| inst.cost[j])
        .sum()
}

/// Exhaustive maximum coverage over all 2^m subsets (at most one per group). `money = None`
/// means a tower budget.
pub fn brute_max(inst: &Instance, towers: Option<u32>, money: Option<f64>) -> f64 {
    let m = inst.cover.len();
    let masks = item_masks(inst);
    let mut best = 0.0f64;
    for s in 0u32..(1u32 << m) {
        if let Some(k) = towers {
            if s.count_ones() > k {
                continue;
            }
        }
        if let Some(b) = money {
            if subset_cost(inst, s) > b * (1.0 + 1e-9) {
                continue;
            }
        }
        if !subset_respects_groups(inst, s) {
            continue;
        }
        best = best.max(subset_weight(inst, masks.as_slice(), s));
    }
    best
}

/// Exhaustive minimum cost (money when `money`, else tower count) to cover ≥ `target`
/// (None: every coverable item), at most one candidate per group. Returns None if unreachable.
pub fn brute_min(inst: &Instance, target: Option<f64>, money: bool) -> Option<f64> {
    let m = inst.cover.len();
    let masks = item_masks(inst);
    let total = subset_weight(
        inst,
        &masks,
        if m == 32 { u32::MAX } else { (1u32 << m) - 1 },
    );
    let mut best: Option<f64> = None;
    for s in 0u32..(1u32 << m) {
        let ok = match target {
            Some(t) => subset_weight(inst, &masks, s) >= t - 1e-9 * total.max(1.0),
            None => masks.iter().all(|&mk| mk == 0 || mk & s != 0),
        };
        if !ok || !subset_respects_groups(inst, s) {
            continue;
        }
        let c = if money {
            subset_cost(inst, s)
        } else {
            f64::from(s.count_ones())
        };
        if best.is_none_or(|b| c < b) {
            best = Some(c);
        }
    }
    best
}
