//! Per-site coverage speed: one three-sector site computed over its whole window.
//! `cargo bench --bench coverage`

use criterion::{criterion_group, criterion_main, Criterion};
use phusong::coverage::{site_window, CoverageParams};
use phusong::radio::{Sector, Site};
use phusong::terrain::analytic_hills;
use std::hint::black_box;

fn site(freq_mhz: f64, bandwidth_mhz: f64, eirp_dbm: f64) -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: 4.0,
        freq_mhz,
        bandwidth_mhz,
        eirp_dbm,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
    };
    Site {
        id: 1,
        name: "bench".into(),
        operator: "op".into(),
        x_m: 520_000.0,
        y_m: 2_020_000.0,
        lon: 0.0,
        lat: 0.0,
        height_m: 35.0,
        sectors: vec![sector(0.0), sector(120.0), sector(240.0)],
    }
}

fn bench(c: &mut Criterion) {
    let terrain = analytic_hills(40.0, 90.0);
    let p = CoverageParams::default();
    let mut g = c.benchmark_group("site_coverage_90m");
    g.sample_size(20);
    // Typical lowland site (1800 MHz, 20 MHz) and rural site (900 MHz, 10 MHz) of the Nghệ An study.
    for (name, s) in [
        ("1800MHz_lowland", site(1800.0, 20.0, 61.0)),
        ("900MHz_rural", site(900.0, 10.0, 58.0)),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| black_box(site_window(0, &s, &terrain, &p)))
        });
    }
    // A fixed 10 km radius, comparable across models and tools.
    let p10 = CoverageParams {
        max_radius_m: 10_000.0,
        range_margin_db: 60.0,
        ..Default::default()
    };
    let s = site(900.0, 10.0, 58.0);
    g.bench_function("radius_10km", |b| {
        b.iter(|| black_box(site_window(0, &s, &terrain, &p10)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
