//! Reproducible speed measurements shared by `cargo bench` and `phusong bench`.

use crate::coverage::{site_losses_exact, site_rsrp, site_window, CoverageParams};
use crate::propagation::models::{Model, ModelConfig};
use crate::radio::{Sector, Site};
use crate::terrain::{analytic_hills, Terrain};
use std::time::Instant;

/// A three-sector site at the centre of [`bench_terrain`].
pub fn bench_site(freq_mhz: f64, bandwidth_mhz: f64, eirp_dbm: f64) -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: 4.0,
        freq_mhz,
        bandwidth_mhz,
        eirp_dbm,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
        pattern: None,
    };
    Site {
        id: 1,
        name: "bench".into(),
        operator: "op".into(),
        x_m: 530_000.0,
        y_m: 2_030_000.0,
        lon: 0.0,
        lat: 0.0,
        height_m: 35.0,
        sectors: vec![sector(0.0), sector(120.0), sector(240.0)],
    }
}

/// 60 × 60 km of analytic hills at 90 m.
pub fn bench_terrain() -> Terrain {
    analytic_hills(60.0, 90.0)
}

/// The benchmark cases: a lowland 1800 MHz site and a rural 900 MHz site of the Nghệ An study, with
/// default parameters, a site computed to a fixed 10 km and 25 km radius, and the 25 km site with
/// ITM and with ITU-R P.1812.
pub fn bench_cases() -> Vec<(&'static str, Site, CoverageParams)> {
    let fixed = |r: f64| CoverageParams {
        max_radius_m: r,
        range_margin_db: 80.0,
        ..Default::default()
    };
    // ITM over the DEM: one profile point per cell along each radial (as SPLAT! and Signal-Server
    // sample their DEM), every point of every radial a full point-to-point ITM evaluation.
    let itm = |p: CoverageParams| CoverageParams {
        model: ModelConfig {
            model: Model::Itm(Default::default()),
            ..p.model
        },
        sample_step_cells: 1.0,
        ..p
    };
    let p1812 = |p: CoverageParams| CoverageParams {
        model: ModelConfig {
            model: Model::P1812(Default::default()),
            ..p.model
        },
        sample_step_cells: 1.0,
        ..p
    };
    vec![
        (
            "site_1800MHz_lowland",
            bench_site(1800.0, 20.0, 61.0),
            CoverageParams::default(),
        ),
        (
            "site_900MHz_rural",
            bench_site(900.0, 10.0, 58.0),
            CoverageParams::default(),
        ),
        (
            "site_radius_10km",
            bench_site(900.0, 10.0, 58.0),
            fixed(10_000.0),
        ),
        (
            "site_radius_25km",
            bench_site(900.0, 10.0, 58.0),
            fixed(25_000.0),
        ),
        (
            "site_itm_radius_25km",
            bench_site(900.0, 10.0, 58.0),
            itm(fixed(25_000.0)),
        ),
        (
            "site_p1812_radius_25km",
            bench_site(900.0, 10.0, 58.0),
            p1812(fixed(25_000.0)),
        ),
    ]
}

/// Times each case `iterations` times on the current rayon pool; returns (name, cells computed,
/// median ms). `only`: restrict to case names containing this text.
pub fn run(iterations: usize, only: Option<&str>) -> Vec<(&'static str, usize, f64)> {
    let terrain = bench_terrain();
    bench_cases()
        .into_iter()
        .filter(|(name, _, _)| only.is_none_or(|o| name.contains(o)))
        .map(|(name, site, p)| {
            let mut times = Vec::with_capacity(iterations.max(1));
            let mut cells = 0;
            for _ in 0..iterations.max(1) {
                let t = Instant::now();
                let w = site_window(0, &site, &terrain, &p);
                times.push(t.elapsed().as_secs_f64() * 1e3);
                cells = w.map_or(0, |w| w.rsrp_dbm.iter().filter(|v| !v.is_nan()).count());
            }
            times.sort_by(f64::total_cmp);
            (name, cells, times[times.len() / 2])
        })
        .collect()
}

/// Times the exact per-cell evaluation ([`site_losses_exact`], then the RSRP) of the cases whose
/// name contains `only`, `iterations` times on the current rayon pool; returns (name, cells,
/// median ms) as [`run`] does.
pub fn run_exact(iterations: usize, only: &str) -> Vec<(&'static str, usize, f64)> {
    let terrain = bench_terrain();
    bench_cases()
        .into_iter()
        .filter(|(name, _, _)| name.contains(only))
        .map(|(name, site, p)| {
            let mut times = Vec::with_capacity(iterations.max(1));
            let mut cells = 0;
            for _ in 0..iterations.max(1) {
                let t = Instant::now();
                let w = site_losses_exact(0, &site, &terrain, &p)
                    .map(|l| site_rsrp(&site, &terrain, &p, &l));
                times.push(t.elapsed().as_secs_f64() * 1e3);
                cells = w.map_or(0, |w| w.rsrp_dbm.iter().filter(|v| !v.is_nan()).count());
            }
            times.sort_by(f64::total_cmp);
            (name, cells, times[times.len() / 2])
        })
        .collect()
}

/// A 223-point terrain profile (222 intervals of 90 m, 20 km) of rolling hills for timing one ITM
/// evaluation: deterministic, irregular (Δh ≈ 100 m), with a ridge shadowing the receiver.
pub fn itm_bench_profile() -> Vec<f64> {
    (0..223)
        .map(|i| {
            let x = i as f64;
            300.0 + 120.0 * (x * 0.05).sin() + 30.0 * (x * 0.71).cos() + 15.0 * (x * 1.93).sin()
        })
        .collect()
}
