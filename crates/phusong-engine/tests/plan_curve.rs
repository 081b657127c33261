//! Coverage curve: greedy prefix consistency and exact points against exhaustive search.
mod common;

use common::{brute_max, small_instance};
use phusong_engine::plan::{coverage_curve, max_coverage, Budget, Limits, PlanError};

#[test]
fn curve_matches_independent_solves_and_brute_force() {
    let off = Limits {
        use_milp: false,
        ..Limits::default()
    };
    for seed in 0..10 {
        let inst = small_instance(100 + seed, 11, 35, 0.15);
        let curve = coverage_curve(&inst, 6, &[1, 2, 4, 6], &Limits::default()).unwrap();
        assert_eq!(curve.points.len(), 6);
        let mut last_greedy = 0.0;
        let mut last_exact = 0.0;
        for p in &curve.points {
            let k = p.towers;
            // The greedy curve is the weight of the first k greedy picks, within the
            // (1 − 1/e) guarantee, and never above the polished heuristic of max_coverage.
            let prefix: Vec<usize> = curve
                .greedy_order
                .iter()
                .take(k as usize)
                .copied()
                .collect();
            assert!(
                (p.greedy_weight - inst.covered_weight(&prefix)).abs() < 1e-9,
                "seed {seed} k {k}"
            );
            let polished = max_coverage(&inst, Budget::Towers(k), &off)
                .unwrap()
                .greedy_objective;
            assert!(p.greedy_weight <= polished + 1e-9, "seed {seed} k {k}");
            let opt = brute_max(&inst, Some(k), None);
            assert!(p.greedy_weight >= (1.0 - (-1.0f64).exp()) * opt - 1e-9);
            assert!(p.greedy_weight >= last_greedy);
            last_greedy = p.greedy_weight;
            if let Some(e) = &p.exact {
                assert!([1, 2, 4, 6].contains(&k));
                let opt = brute_max(&inst, Some(k), None);
                assert!(
                    (e.objective - opt).abs() < 1e-6,
                    "seed {seed} k {k}: {} vs {opt}",
                    e.objective
                );
                assert!(e.proven_optimal);
                assert!(e.objective >= p.greedy_weight - 1e-9 && e.objective >= last_exact);
                assert!(e.chosen.len() <= k as usize);
                last_exact = e.objective;
            } else {
                assert!(![1, 2, 4, 6].contains(&k));
            }
        }
    }
}

#[test]
fn curve_rejects_bad_points() {
    let inst = small_instance(1, 6, 20, 0.2);
    let l = Limits::default();
    assert!(matches!(
        coverage_curve(&inst, 5, &[2, 2], &l),
        Err(PlanError::InvalidCurvePoints { position: 1, .. })
    ));
    assert!(matches!(
        coverage_curve(&inst, 5, &[0], &l),
        Err(PlanError::InvalidCurvePoints { position: 0, .. })
    ));
    assert!(matches!(
        coverage_curve(&inst, 5, &[6], &l),
        Err(PlanError::InvalidCurvePoints { .. })
    ));
    let c = coverage_curve(&inst, 0, &[], &l).unwrap();
    assert!(c.points.is_empty());
}
