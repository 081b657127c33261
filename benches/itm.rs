//! One Longley-Rice (ITM) point-to-point evaluation on a 223-point profile, the unit of work of ITM
//! coverage. `cargo bench --bench itm` (NTIA's C++ ITM 1.4 takes about 5–6 µs for this on the
//! project's machine).

use criterion::{criterion_group, criterion_main, Criterion};
use phusong_engine::benchmark::itm_bench_profile;
use phusong_engine::propagation::itm::{self, ItmParams};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let ground = itm_bench_profile();
    let p = ItmParams::default();
    c.bench_function("itm_p2p_223_points", |b| {
        b.iter(|| {
            black_box(itm::p2p(
                black_box(30.0),
                1.5,
                black_box(&ground),
                90.0,
                900.0,
                &p,
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
