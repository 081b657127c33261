//! Per-site coverage speed: one three-sector site computed over its whole window at 90 m.
//! `cargo bench --bench coverage` (the same cases as `phusong bench`).

use criterion::{criterion_group, criterion_main, Criterion};
use phusong_engine::benchmark::{bench_cases, bench_terrain};
use phusong_engine::coverage::site_window;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let terrain = bench_terrain();
    let mut g = c.benchmark_group("coverage");
    g.sample_size(10);
    for (name, site, p) in bench_cases() {
        g.bench_function(name, |b| {
            b.iter(|| black_box(site_window(0, &site, &terrain, &p)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
