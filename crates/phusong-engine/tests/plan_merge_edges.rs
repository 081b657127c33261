//! Item merging, typed errors, empty instances, work-limit fallback and determinism.
mod common;

use common::{small_instance, SplitMix64};
use phusong_engine::plan::{
    max_coverage, merge_items, min_cost_for_target, Budget, CostMeasure, Instance, Limits,
    PlanError, SolveStatus, Source, Target,
};

/// Sparse instance (many items with identical covering sets) plus duplicated items.
fn mergeable(seed: u64) -> Instance {
    let mut rng = SplitMix64(seed);
    let m = rng.range(8, 12) as usize;
    let mut inst = small_instance(seed, m, 30, 0.12);
    // Append copies of existing items so duplicates certainly exist.
    let n = inst.weight.len() as u32;
    for copy in 0..10u32 {
        let src = (rng.next_u64() % u64::from(n)) as u32;
        let new = n + copy;
        inst.weight.push(rng.range(0, 50) as f64);
        for list in inst.cover.iter_mut() {
            if list.contains(&src) {
                list.push(new);
            }
        }
    }
    inst
}

fn coverers(inst: &Instance, item: u32) -> Vec<usize> {
    (0..inst.cover.len())
        .filter(|&j| inst.cover[j].binary_search(&item).is_ok())
        .collect()
}

#[test]
fn merge_preserves_weight_coverers_and_is_deterministic() {
    for seed in 0..30 {
        let inst = mergeable(seed);
        let merged = merge_items(&inst).unwrap();
        let again = merge_items(&inst).unwrap();
        assert_eq!(merged, again);
        let mi = &merged.instance;
        mi.validate().unwrap();
        assert!(
            mi.weight.len() < inst.weight.len(),
            "seed {seed}: nothing merged"
        );
        // Weight conservation.
        let before: f64 = inst.weight.iter().sum();
        let after: f64 = mi.weight.iter().sum::<f64>() + merged.uncoverable_weight;
        assert!((before - after).abs() < 1e-9, "seed {seed}");
        // Every original item maps to a merged item with exactly its coverers.
        let mut uncoverable = 0;
        for i in 0..inst.weight.len() as u32 {
            let own = coverers(&inst, i);
            match merged.merged_of_item[i as usize] {
                None => {
                    assert!(own.is_empty());
                    uncoverable += 1;
                }
                Some(g) => {
                    assert_eq!(own, coverers(mi, g), "seed {seed} item {i}");
                    assert!(merged.items_of_merged[g as usize].contains(&i));
                }
            }
        }
        assert_eq!(uncoverable, merged.uncoverable_items);
        // Distinct merged items have distinct coverer sets.
        let mut sets: Vec<Vec<usize>> = (0..mi.weight.len() as u32)
            .map(|g| coverers(mi, g))
            .collect();
        sets.sort();
        sets.dedup();
        assert_eq!(sets.len(), mi.weight.len());
    }
}

#[test]
fn merged_instance_has_the_same_optima() {
    let limits = Limits::default();
    for seed in 0..20 {
        let inst = mergeable(seed);
        let mi = merge_items(&inst).unwrap().instance;
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(1.0);
        for budget in [Budget::Towers(3), Budget::Money(12.0)] {
            let a = max_coverage(&inst, budget, &limits).unwrap();
            let b = max_coverage(&mi, budget, &limits).unwrap();
            assert!(a.proven_optimal && b.proven_optimal);
            assert!(close(a.objective, b.objective), "seed {seed} {budget:?}");
            // The merged plan covers the same weight in the original instance.
            assert!(close(inst.covered_weight(&b.chosen), b.objective));
        }
        for target in [
            Target::AllCoverable,
            Target::Weight((0.7 * inst.coverable_weight()).floor()),
        ] {
            for measure in [CostMeasure::Towers, CostMeasure::Money] {
                let a = min_cost_for_target(&inst, target, measure, &limits).unwrap();
                let b = min_cost_for_target(&mi, target, measure, &limits).unwrap();
                assert!(a.proven_optimal && b.proven_optimal);
                assert!(
                    close(a.objective, b.objective),
                    "seed {seed} {target:?} {measure:?}"
                );
            }
        }
    }
}

#[test]
fn unreachable_target_is_a_typed_error() {
    let inst = small_instance(3, 10, 30, 0.1);
    let coverable = inst.coverable_weight();
    let err = min_cost_for_target(
        &inst,
        Target::Weight(coverable + 1.0),
        CostMeasure::Towers,
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::TargetUnreachable {
            target: coverable + 1.0,
            max_coverable: coverable
        }
    );
    assert!(err.to_string().contains("people or area"));
    // Exactly the coverable weight is reachable.
    let ok = min_cost_for_target(
        &inst,
        Target::Weight(coverable),
        CostMeasure::Towers,
        &Limits::default(),
    )
    .unwrap();
    assert!(ok.covered_weight >= coverable);
}

#[test]
fn invalid_input_is_rejected_with_the_parameter_named() {
    let good = small_instance(1, 5, 10, 0.3);
    let limits = Limits::default();
    let mut bad = good.clone();
    bad.weight[2] = f64::NAN;
    assert!(matches!(
        max_coverage(&bad, Budget::Towers(2), &limits),
        Err(PlanError::InvalidWeight { item: 2, .. })
    ));
    let mut bad = good.clone();
    bad.cost[1] = -1.0;
    assert!(matches!(
        merge_items(&bad),
        Err(PlanError::InvalidCost { candidate: 1, .. })
    ));
    let mut bad = good.clone();
    bad.cover[0] = vec![3, 1];
    assert!(matches!(
        bad.validate(),
        Err(PlanError::CoverNotSorted {
            candidate: 0,
            position: 1
        })
    ));
    let mut bad = good.clone();
    bad.cover[4] = vec![10];
    let e = bad.validate().unwrap_err();
    assert!(matches!(
        e,
        PlanError::ItemOutOfRange {
            candidate: 4,
            item: 10,
            item_count: 10
        }
    ));
    assert!(e.to_string().contains("cover[4]"));
    let mut bad = good.clone();
    bad.cost.pop();
    assert!(matches!(
        bad.validate(),
        Err(PlanError::CandidateLengthMismatch { .. })
    ));
    assert!(matches!(
        max_coverage(&good, Budget::Money(f64::INFINITY), &limits),
        Err(PlanError::InvalidBudget { .. })
    ));
    assert!(matches!(
        min_cost_for_target(&good, Target::Weight(-1.0), CostMeasure::Money, &limits),
        Err(PlanError::InvalidTarget { .. })
    ));
    let bad_limits = Limits {
        mip_rel_gap: 1.5,
        ..limits
    };
    let e = max_coverage(&good, Budget::Towers(1), &bad_limits).unwrap_err();
    assert!(e.to_string().contains("limits.mip_rel_gap"));
    let bad_limits = Limits {
        max_nodes: u32::MAX,
        ..limits
    };
    assert!(matches!(
        max_coverage(&good, Budget::Towers(1), &bad_limits),
        Err(PlanError::InvalidLimit {
            name: "max_nodes",
            ..
        })
    ));
}

#[test]
fn empty_and_degenerate_instances() {
    let limits = Limits::default();
    let empty = Instance::default();
    for budget in [Budget::Towers(5), Budget::Money(10.0)] {
        let s = max_coverage(&empty, budget, &limits).unwrap();
        assert!(s.chosen.is_empty() && s.objective == 0.0 && s.proven_optimal);
    }
    let s =
        min_cost_for_target(&empty, Target::AllCoverable, CostMeasure::Towers, &limits).unwrap();
    assert!(s.chosen.is_empty() && s.objective == 0.0 && s.proven_optimal);
    let s = min_cost_for_target(&empty, Target::Weight(0.0), CostMeasure::Money, &limits).unwrap();
    assert!(s.chosen.is_empty());
    assert!(matches!(
        min_cost_for_target(&empty, Target::Weight(1.0), CostMeasure::Money, &limits),
        Err(PlanError::TargetUnreachable { .. })
    ));
    let m = merge_items(&empty).unwrap();
    assert!(m.instance.weight.is_empty() && m.uncoverable_items == 0);

    // Items but no candidates: everything uncoverable.
    let lonely = Instance {
        group: Vec::new(),
        weight: vec![3.0, 4.0],
        cover: vec![],
        cost: vec![],
    };
    let m = merge_items(&lonely).unwrap();
    assert_eq!((m.uncoverable_items, m.uncoverable_weight), (2, 7.0));
    assert_eq!(
        max_coverage(&lonely, Budget::Towers(3), &limits)
            .unwrap()
            .objective,
        0.0
    );

    // Zero budget; zero-weight items only; free candidates.
    let inst = small_instance(9, 8, 25, 0.2);
    let s = max_coverage(&inst, Budget::Towers(0), &limits).unwrap();
    assert!(s.chosen.is_empty() && s.proven_optimal);
    let zero_w = Instance {
        weight: vec![0.0; 25],
        ..inst.clone()
    };
    let s = max_coverage(&zero_w, Budget::Towers(3), &limits).unwrap();
    assert_eq!(s.objective, 0.0);
    assert!(s.proven_optimal);
    let free = Instance {
        cost: vec![0.0; inst.cost.len()],
        ..inst.clone()
    };
    let s = max_coverage(&free, Budget::Money(0.0), &limits).unwrap();
    assert_eq!(s.objective, free.coverable_weight());
    let s = min_cost_for_target(&free, Target::AllCoverable, CostMeasure::Money, &limits).unwrap();
    assert_eq!(s.objective, 0.0);
    assert!(s.proven_optimal);
}

#[test]
fn work_limit_falls_back_to_greedy_and_says_so() {
    // Seed chosen so that the greedy plan is below the LP bound (a proof needs branching).
    let inst = small_instance(0, 40, 200, 0.06);
    let exact = max_coverage(&inst, Budget::Towers(5), &Limits::default()).unwrap();
    assert!(exact.proven_optimal);
    let limited = Limits {
        max_nodes: 0,
        ..Limits::default()
    };
    let s = max_coverage(&inst, Budget::Towers(5), &limited).unwrap();
    assert_eq!(s.status, SolveStatus::WorkLimit);
    assert_eq!(s.source, Source::Greedy);
    assert!(!s.proven_optimal);
    assert_eq!(s.objective, s.greedy_objective);
    assert!(s.objective <= exact.objective);
    // Integer weights: the bound is rounded down to a whole number before the gap is taken.
    let lp = s.lp_bound.unwrap();
    let bound = (lp + 1e-6 * lp.max(1.0)).floor();
    let gap = s.optimality_gap_pct.unwrap();
    assert!(gap > 0.0);
    assert!((gap - (bound - s.objective) / bound * 100.0).abs() < 1e-9);
    // Same for minimum cost.
    let t = Target::Weight((0.8 * inst.coverable_weight()).floor());
    let exact = min_cost_for_target(&inst, t, CostMeasure::Money, &Limits::default()).unwrap();
    let s = min_cost_for_target(&inst, t, CostMeasure::Money, &limited).unwrap();
    assert!(s.objective >= exact.objective);
    if !s.proven_optimal {
        assert_eq!(s.status, SolveStatus::WorkLimit);
        assert_eq!(s.source, Source::Greedy);
        // Integer costs: the bound is rounded up to a whole number.
        let lp = s.lp_bound.unwrap();
        let bound = (lp - 1e-6 * lp.max(1.0)).ceil();
        assert!(
            (s.optimality_gap_pct.unwrap() - (s.objective - bound) / s.objective * 100.0).abs()
                < 1e-9
        );
    }
    // Minimum towers (solved through max-coverage MILPs): the bound stays a valid lower bound.
    let exact = min_cost_for_target(&inst, t, CostMeasure::Towers, &Limits::default()).unwrap();
    assert!(exact.proven_optimal);
    let s = min_cost_for_target(&inst, t, CostMeasure::Towers, &limited).unwrap();
    assert!(s.objective >= exact.objective);
    assert!(
        s.mip_bound.unwrap() <= exact.objective && s.lp_bound.unwrap() <= exact.objective + 1e-6
    );
    assert!(s.proven_optimal || (s.status, s.source) == (SolveStatus::WorkLimit, Source::Greedy));
    // MILP switched off: greedy with the LP bound.
    let off = Limits {
        use_milp: false,
        ..Limits::default()
    };
    let s = max_coverage(&inst, Budget::Towers(5), &off).unwrap();
    assert_eq!(
        (s.status, s.source),
        (SolveStatus::MilpDisabled, Source::Greedy)
    );
}

#[test]
fn repeated_solves_are_bit_identical() {
    let inst = small_instance(2, 60, 300, 0.05);
    let limits = Limits::default();
    let a = max_coverage(&inst, Budget::Towers(6), &limits).unwrap();
    let b = max_coverage(&inst, Budget::Towers(6), &limits).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    // Also under a node limit, where HiGHS stops mid-search.
    let few = Limits {
        max_nodes: 3,
        ..limits
    };
    let a = max_coverage(&inst, Budget::Money(20.0), &few).unwrap();
    let b = max_coverage(&inst, Budget::Money(20.0), &few).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let a = min_cost_for_target(&inst, Target::AllCoverable, CostMeasure::Money, &few).unwrap();
    let b = min_cost_for_target(&inst, Target::AllCoverable, CostMeasure::Money, &few).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}
