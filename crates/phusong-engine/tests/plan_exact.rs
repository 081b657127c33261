//! The MILP against exhaustive search, bounds on the correct side, greedy never better.
mod common;

use common::{brute_max, brute_min, small_instance, SplitMix64};
use phusong_engine::plan::{
    max_coverage, min_cost_for_target, Budget, CostMeasure, Instance, Limits, Solution,
    SolveStatus, Target,
};

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * a.abs().max(b.abs()).max(1.0)
}

/// Bounds: upper bounds for maximisation (≥ optimum), lower bounds for minimisation.
fn check_bounds(sol: &Solution, opt: f64, maximise: bool) {
    for b in [sol.lp_bound, sol.mip_bound].into_iter().flatten() {
        let slack = TOL * opt.abs().max(1.0);
        if maximise {
            assert!(b >= opt - slack, "upper bound {b} below optimum {opt}");
        } else {
            assert!(b <= opt + slack, "lower bound {b} above optimum {opt}");
        }
    }
    assert!(sol.lp_bound.is_some(), "LP bound missing");
}

/// 40 seeded cases; `PLAN_MILP_CASES=n` runs more (used once with 400 for a wider sweep).
fn cases() -> impl Iterator<Item = (u64, Instance)> {
    let n: u64 = std::env::var("PLAN_MILP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    (0..n).map(|seed| {
        let mut rng = SplitMix64(seed ^ 0xC0FF_EE00);
        let m = rng.range(8, 12) as usize;
        let n = rng.range(20, 40) as usize;
        let density = 0.08 + 0.2 * rng.unit();
        (seed, small_instance(seed, m, n, density))
    })
}

#[test]
fn max_coverage_towers_equals_exhaustive_search() {
    let limits = Limits::default();
    let mut fixed_somewhere = 0;
    for (seed, inst) in cases() {
        for k in [1u32, 2, 3, 5] {
            let opt = brute_max(&inst, Some(k), None);
            let sol = max_coverage(&inst, Budget::Towers(k), &limits).unwrap();
            assert!(
                close(sol.objective, opt),
                "seed {seed} k {k}: {} vs brute {opt}",
                sol.objective
            );
            assert!(
                sol.proven_optimal && sol.status == SolveStatus::Optimal,
                "seed {seed} k {k}"
            );
            assert_eq!(sol.optimality_gap_pct, Some(0.0));
            assert!(sol.chosen.len() <= k as usize);
            assert_eq!(sol.objective, inst.covered_weight(&sol.chosen));
            // No chosen tower is redundant.
            for &j in &sol.chosen {
                let rest: Vec<usize> = sol.chosen.iter().copied().filter(|&c| c != j).collect();
                assert!(
                    inst.covered_weight(&rest) < sol.objective,
                    "seed {seed} k {k}: {j} redundant"
                );
            }
            assert!(
                sol.objective >= sol.greedy_objective,
                "seed {seed} k {k}: worse than greedy"
            );
            check_bounds(&sol, opt, true);
            fixed_somewhere += usize::from(sol.fixed_by_reduced_cost > 0);
        }
    }
    // The reduced-cost-fixing path was exercised against exhaustive search.
    assert!(fixed_somewhere > 0);
}

/// Reduced-cost fixing and the min-towers-by-max-coverage route change nothing: same optima
/// as the plain model on instances too large for exhaustive search.
#[test]
fn reduced_cost_fixing_keeps_the_optimum() {
    let plain = Limits {
        reduced_cost_fixing: false,
        ..Limits::default()
    };
    let mut fixed = 0;
    for seed in 0..6 {
        let inst = small_instance(500 + seed, 30, 150, 0.08);
        for budget in [Budget::Towers(3), Budget::Towers(6), Budget::Money(15.0)] {
            let a = max_coverage(&inst, budget, &Limits::default()).unwrap();
            let b = max_coverage(&inst, budget, &plain).unwrap();
            assert!(a.proven_optimal && b.proven_optimal);
            assert!(close(a.objective, b.objective), "seed {seed} {budget:?}");
            fixed += a.fixed_by_reduced_cost;
        }
        let t = Target::Weight((0.8 * inst.coverable_weight()).floor());
        let a = min_cost_for_target(&inst, t, CostMeasure::Money, &Limits::default()).unwrap();
        let b = min_cost_for_target(&inst, t, CostMeasure::Money, &plain).unwrap();
        assert!(a.proven_optimal && b.proven_optimal && close(a.objective, b.objective));
        fixed += a.fixed_by_reduced_cost;
    }
    assert!(fixed > 0);
}

#[test]
fn max_coverage_money_equals_exhaustive_search() {
    let limits = Limits::default();
    for (seed, inst) in cases() {
        let total: f64 = inst.cost.iter().sum();
        for frac in [0.1, 0.25, 0.5] {
            let budget = (total * frac).round();
            let opt = brute_max(&inst, None, Some(budget));
            let sol = max_coverage(&inst, Budget::Money(budget), &limits).unwrap();
            assert!(
                close(sol.objective, opt),
                "seed {seed} budget {budget}: {} vs {opt}",
                sol.objective
            );
            assert!(sol.proven_optimal, "seed {seed}");
            assert!(inst.total_cost(&sol.chosen) <= budget);
            assert!(sol.objective >= sol.greedy_objective);
            check_bounds(&sol, opt, true);
        }
    }
}

#[test]
fn min_cost_equals_exhaustive_search() {
    let limits = Limits::default();
    for (seed, inst) in cases() {
        let coverable = inst.coverable_weight();
        for (money, measure) in [(false, CostMeasure::Towers), (true, CostMeasure::Money)] {
            for frac in [0.3, 0.6, 0.9, 1.0] {
                let target = (coverable * frac).floor();
                let opt = brute_min(&inst, Some(target), money).unwrap();
                let sol =
                    min_cost_for_target(&inst, Target::Weight(target), measure, &limits).unwrap();
                assert!(
                    close(sol.objective, opt),
                    "seed {seed} target {target} money {money}: {} vs {opt}",
                    sol.objective
                );
                assert!(sol.proven_optimal, "seed {seed}");
                assert!(inst.covered_weight(&sol.chosen) >= target);
                assert!(sol.objective <= sol.greedy_objective);
                check_bounds(&sol, opt, false);
            }
            let opt = brute_min(&inst, None, money).unwrap();
            let sol = min_cost_for_target(&inst, Target::AllCoverable, measure, &limits).unwrap();
            assert!(
                close(sol.objective, opt),
                "seed {seed} all money {money}: {} vs {opt}",
                sol.objective
            );
            assert!(sol.proven_optimal, "seed {seed} all money {money}: {sol:?}");
            assert!(close(sol.covered_weight, coverable));
            assert!(sol.objective <= sol.greedy_objective);
            check_bounds(&sol, opt, false);
        }
    }
}

/// Nemhauser–Wolsey–Fisher (1978): greedy ≥ (1 − 1/e)·OPT for a tower budget;
/// Khuller–Moss–Naor (1999): modified greedy ≥ ½(1 − 1/e)·OPT for a money budget.
#[test]
fn greedy_meets_published_approximation_ratios() {
    let limits = Limits {
        use_milp: false,
        ..Limits::default()
    };
    let e_ratio = 1.0 - (-1.0f64).exp();
    for (seed, inst) in cases() {
        for k in [2u32, 4] {
            let opt = brute_max(&inst, Some(k), None);
            let sol = max_coverage(&inst, Budget::Towers(k), &limits).unwrap();
            assert!(
                sol.greedy_objective >= e_ratio * opt - 1e-9,
                "seed {seed} k {k}"
            );
            assert_eq!(sol.source, phusong_engine::plan::Source::Greedy);
            assert!(sol.status == SolveStatus::MilpDisabled || sol.proven_optimal);
        }
        let budget = (inst.cost.iter().sum::<f64>() * 0.3).round();
        let opt = brute_max(&inst, None, Some(budget));
        let sol = max_coverage(&inst, Budget::Money(budget), &limits).unwrap();
        assert!(
            sol.greedy_objective >= 0.5 * e_ratio * opt - 1e-9,
            "seed {seed} money"
        );
        assert!(inst.total_cost(&sol.chosen) <= budget);
    }
}

/// Without branching, a plan is called optimal only on a certificate: the greedy plan meets the
/// LP bound, rounded to a whole number for tower counts. Every such claim must hold against
/// exhaustive search, and the rounding must prove some plans the raw bound could not.
#[test]
fn rounded_lp_certificates_are_sound() {
    let off = Limits {
        use_milp: false,
        ..Limits::default()
    };
    let (mut claims, mut by_rounding) = (0, 0);
    for (seed, inst) in cases() {
        let coverable = inst.coverable_weight();
        for frac in [0.3, 0.6, 0.9] {
            let target = (coverable * frac).floor();
            let sol = min_cost_for_target(&inst, Target::Weight(target), CostMeasure::Towers, &off)
                .unwrap();
            let opt = brute_min(&inst, Some(target), false).unwrap();
            let lp = sol.lp_bound.unwrap();
            assert!(lp <= opt + 1e-6, "seed {seed}: LP {lp} above optimum {opt}");
            if sol.proven_optimal {
                claims += 1;
                assert_eq!(
                    sol.objective, opt,
                    "seed {seed} target {target}: false certificate"
                );
                if sol.objective > lp + 1e-6 {
                    by_rounding += 1;
                }
            } else {
                assert_eq!(sol.status, SolveStatus::MilpDisabled);
                assert!(sol.objective > lp.ceil() - 1e-9);
            }
        }
    }
    assert!(
        claims > 0 && by_rounding > 0,
        "claims {claims}, by rounding {by_rounding}"
    );
}
