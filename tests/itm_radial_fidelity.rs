//! The radial evaluator against exact `itm::p2p` on every prefix of synthetic radials (mountain,
//! lowland, steep coast). The bar: median |Δ| ≤ 0.3 dB and ≥ 95 % of samples within 3 dB per
//! terrain type; the share off by more than 10 dB (LOS/diffraction flips) is printed.
//! With `FastOptions::exact()` the evaluator must reproduce p2p on every prefix, which checks the
//! incremental horizons (running maximum, convex hull), running-sum fits and mean height against
//! the algorithm's direct computation.

use phusong_engine::propagation::itm::radial::{FastOptions, ItmSite};
use phusong_engine::propagation::itm::synthetic::{radials, Landscape};
use phusong_engine::propagation::itm::{self, Climate, ItmParams};

struct Config {
    name: &'static str,
    params: ItmParams,
    h_tx_m: f64,
    h_rx_m: f64,
    freq_mhz: f64,
}

fn configs() -> Vec<Config> {
    vec![
        Config {
            name: "900 MHz, 30 m, median, continental temperate",
            params: ItmParams::default(),
            h_tx_m: 30.0,
            h_rx_m: 1.5,
            freq_mhz: 900.0,
        },
        Config {
            name: "1800 MHz, 40 m, 90 % locations, maritime subtropical, N0 350",
            params: ItmParams {
                climate: Climate::MaritimeSubtropical,
                n0: 350.0,
                location_pct: 90.0,
                ..ItmParams::default()
            },
            h_tx_m: 40.0,
            h_rx_m: 1.5,
            freq_mhz: 1800.0,
        },
    ]
}

/// |fast − exact| over every sample of `n_radials` radials of 280 samples at 90 m, two sites;
/// `push` walks the radials sample by sample instead of handing them over whole.
fn differences(
    l: Landscape,
    c: &Config,
    options: FastOptions,
    n_radials: usize,
    push: bool,
) -> Vec<f64> {
    let site = ItmSite::new(&c.params, c.h_tx_m, c.h_rx_m, 90.0, c.freq_mhz)
        .unwrap()
        .with_options(options)
        .unwrap();
    let mut diffs = Vec::new();
    for seed in [11, 12] {
        for g in radials(l, seed, n_radials, 280, 90.0) {
            let fast = if push {
                let mut r = site.radial(g[0]).unwrap();
                g[1..].iter().map(|&z| r.push(z).unwrap()).collect()
            } else {
                site.radial_losses(&g, None).unwrap()
            };
            for (n, f) in (1..g.len()).zip(&fast) {
                let e = itm::p2p(c.h_tx_m, c.h_rx_m, &g[..=n], 90.0, c.freq_mhz, &c.params)
                    .unwrap()
                    .a_db;
                assert!(f.is_finite(), "{} sample {n}: no loss", l.name());
                diffs.push((f - e).abs());
            }
        }
    }
    diffs.sort_by(f64::total_cmp);
    diffs
}

#[test]
fn fast_radials_meet_the_fidelity_bar_on_every_terrain() {
    for c in configs() {
        for l in Landscape::ALL {
            let d = differences(l, &c, FastOptions::default(), 12, false);
            let n = d.len() as f64;
            let median = d[d.len() / 2];
            let within_3 = d.iter().filter(|&&x| x <= 3.0).count() as f64 / n;
            let over_10 = d.iter().filter(|&&x| x > 10.0).count() as f64 / n;
            eprintln!(
                "{:9} {}: median {median:.3} dB, p95 {:.2} dB, within 3 dB {:.2} %, > 10 dB {:.3} %",
                l.name(),
                c.name,
                d[d.len() * 95 / 100],
                100.0 * within_3,
                100.0 * over_10
            );
            assert!(median <= 0.3, "{} / {}: median {median}", l.name(), c.name);
            assert!(within_3 >= 0.95, "{} / {}: {within_3}", l.name(), c.name);
        }
    }
}

#[test]
fn exact_options_reproduce_p2p_on_every_prefix() {
    for c in configs() {
        for l in Landscape::ALL {
            let d = differences(l, &c, FastOptions::exact(), 3, l == Landscape::Lowland);
            let worst = d[d.len() - 1];
            assert!(worst < 1e-6, "{} / {}: {worst} dB", l.name(), c.name);
        }
    }
}

#[test]
fn push_meets_the_fidelity_bar_too() {
    let c = &configs()[0];
    for l in Landscape::ALL {
        let d = differences(l, c, FastOptions::default(), 6, true);
        let n = d.len() as f64;
        let median = d[d.len() / 2];
        let within_3 = d.iter().filter(|&&x| x <= 3.0).count() as f64 / n;
        eprintln!(
            "push {:9}: median {median:.3} dB, within 3 dB {:.2} %",
            l.name(),
            100.0 * within_3
        );
        assert!(median <= 0.3 && within_3 >= 0.95, "{}", l.name());
    }
}
