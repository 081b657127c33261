//! The radial engine held to the exact per-cell evaluation (`phusong site --exact`) for every
//! model kind, on small synthetic DEMs: one site's path loss over its window, the engine's
//! (radials to the border, first sample per cell, holes filled; ITM through the fast radial
//! evaluator) against the model evaluated once per cell on the full profile from the site to the
//! cell centre at the DEM's resolution.
//!
//! The bar, per model and terrain: median |Δ| ≤ 0.3 dB and ≥ 95 % of cells within 3 dB. Cells off
//! by more than 10 dB are classified: a shadow edge crossing the cell (line of sight from the site
//! to some points of the cell and not to others, so a sample off the centre can legitimately see a
//! different path) or other; the counts are printed. See [`KNOWN_BELOW_BAR`] for the cases
//! measured below the bar, and why.

use phusong_engine::coverage::{site_losses, site_losses_exact, CoverageParams, SiteLosses};
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::propagation::deygout::{line_of_sight, Profile};
use phusong_engine::propagation::itm::synthetic::{height_m, Landscape};
use phusong_engine::propagation::models::{Model, ModelConfig, KINDS};
use phusong_engine::radio::{Sector, Site};
use phusong_engine::terrain::Terrain;

const CELL_M: f64 = 90.0;
const RADIUS_M: f64 = 6_000.0;
/// The site at the centre of a 14 km square DEM.
const X0: f64 = 500_000.0;
const Y0: f64 = 2_000_000.0;
const HALF_M: f64 = 7_000.0;

fn terrain(l: Landscape) -> Terrain {
    let g = GridSpec::covering(
        32648,
        X0 - HALF_M,
        Y0 - HALF_M,
        X0 + HALF_M,
        Y0 + HALF_M,
        CELL_M,
    );
    let mut r = Raster::filled(g.clone(), 0f32, None);
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let (x, y) = g.center(ix, iy);
            r.set(ix, iy, height_m(l, 3, x - X0, y - Y0) as f32);
        }
    }
    Terrain::new(r).0
}

fn site() -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: 4.0,
        freq_mhz: 900.0,
        bandwidth_mhz: 10.0,
        eirp_dbm: 58.0,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
        pattern: None,
    };
    Site {
        id: 1,
        name: "s".into(),
        operator: "op".into(),
        // Off the cell centre, as real sites are.
        x_m: X0 + 17.0,
        y_m: Y0 - 29.0,
        lon: 0.0,
        lat: 0.0,
        height_m: 30.0,
        sectors: vec![sector(0.0), sector(120.0), sector(240.0)],
    }
}

/// Every model to a fixed radius (the margin keeps any model's range from ending earlier).
fn params(kind: &str) -> CoverageParams {
    CoverageParams {
        model: ModelConfig::of(Model::default_of(kind).unwrap()),
        max_radius_m: RADIUS_M,
        range_margin_db: 80.0,
        ..Default::default()
    }
}

/// Whether the site sees some points of cell (ix, iy) and not others (centre and four points
/// 0.35 cell off it), on profiles at the DEM's resolution with the standard 4/3 earth.
fn shadow_edge_crosses(t: &Terrain, s: &Site, rx_h: f64, ix: usize, iy: usize) -> bool {
    let g = t.grid();
    let (cx, cy) = g.center(ix, iy);
    let o = 0.35 * CELL_M;
    let seen: Vec<bool> = [(0.0, 0.0), (o, o), (o, -o), (-o, o), (-o, -o)]
        .iter()
        .map(|&(dx, dy)| {
            let (x, y) = (cx + dx, cy + dy);
            let d = (x - s.x_m).hypot(y - s.y_m);
            let n = ((d / CELL_M).ceil() as usize).max(1);
            let ground_m = (0..=n)
                .map(|k| {
                    let f = k as f64 / n as f64;
                    t.height_at(s.x_m + f * (x - s.x_m), s.y_m + f * (y - s.y_m)) as f64
                })
                .collect();
            let p = Profile {
                step_m: d / n as f64,
                ground_m,
            };
            line_of_sight(&p, s.height_m, rx_h, 4.0 / 3.0)
        })
        .collect();
    seen.iter().any(|&v| v != seen[0])
}

struct Fidelity {
    cells: usize,
    median_db: f64,
    within_3db: f64,
    over_10db: usize,
    over_10db_shadow_edge: usize,
    worst_db: f64,
    /// Mean of fast − exact, dB.
    mean_signed_db: f64,
}

fn compare(
    t: &Terrain,
    s: &Site,
    p: &CoverageParams,
    fast: &SiteLosses,
    exact: &SiteLosses,
) -> Fidelity {
    assert_eq!(
        (fast.ix0, fast.iy0, fast.nx, fast.ny),
        (exact.ix0, exact.iy0, exact.nx, exact.ny)
    );
    let (mut diffs, mut over, mut edge) = (Vec::new(), 0, 0);
    let mut bias = 0.0;
    for (c, (a, b)) in fast.loss_db[0].iter().zip(&exact.loss_db[0]).enumerate() {
        if a.is_nan() || b.is_nan() {
            continue;
        }
        let d = (a - b).abs() as f64;
        diffs.push(d);
        bias += (a - b) as f64;
        if d > 10.0 {
            over += 1;
            let (ix, iy) = (fast.ix0 + c % fast.nx, fast.iy0 + c / fast.nx);
            if shadow_edge_crosses(t, s, p.rx_height_m, ix, iy) {
                edge += 1;
            }
        }
    }
    diffs.sort_by(f64::total_cmp);
    let n = diffs.len();
    Fidelity {
        cells: n,
        median_db: diffs[n / 2],
        within_3db: diffs.iter().filter(|&&d| d <= 3.0).count() as f64 / n as f64,
        over_10db: over,
        over_10db_shadow_edge: edge,
        worst_db: diffs[n - 1],
        mean_signed_db: bias / n as f64,
    }
}

/// The reference's own spread inside a cell: the exact loss at a point (0.3, 0.2) cell off the
/// centre against the exact loss at the centre, over every 5th cell: (median |Δ|, share within 3 dB).
fn within_cell_spread(t: &Terrain, s: &Site, p: &CoverageParams, exact: &SiteLosses) -> (f64, f64) {
    use phusong_engine::propagation::models::{LinkSpec, TerrainProfile};
    let g = t.grid();
    let link = LinkSpec {
        freq_mhz: 900.0,
        tx_height_m: s.height_m,
        rx_height_m: p.rx_height_m,
    };
    let mut diffs = Vec::new();
    for (c, &e) in exact.loss_db[0].iter().enumerate().step_by(5) {
        let (ix, iy) = (exact.ix0 + c % exact.nx, exact.iy0 + c / exact.nx);
        let (cx, cy) = g.center(ix, iy);
        let (x, y) = (cx + 0.3 * CELL_M, cy + 0.2 * CELL_M);
        let d = (x - s.x_m).hypot(y - s.y_m);
        if e.is_nan() || !(2.0 * CELL_M..=RADIUS_M).contains(&d) {
            continue;
        }
        let n = (d / CELL_M).ceil() as usize;
        let ground: Vec<f64> = (0..=n)
            .map(|k| {
                let f = k as f64 / n as f64;
                t.height_at(s.x_m + f * (x - s.x_m), s.y_m + f * (y - s.y_m)) as f64
            })
            .collect();
        let prof = TerrainProfile::from_ground(d / n as f64, &ground);
        if let Ok((l, _)) = p.model.profile_loss_db(&link, &prof) {
            diffs.push((l - e as f64).abs());
        }
    }
    diffs.sort_by(f64::total_cmp);
    let n = diffs.len();
    (
        diffs[n / 2],
        diffs.iter().filter(|&&d| d <= 3.0).count() as f64 / n as f64,
    )
}

/// Where the engine was measured below the bar: (terrain, kind, median |Δ| dB, share within
/// 3 dB). Not a tolerance: the test fails if one of these meets the bar (update the list) or any
/// other case misses it; for these it fails if the engine gets worse than measured (0.05 dB of
/// median, half a point of share). Why they miss:
/// - mountains (relief 0–2,000 m at 90 m): the reference itself moves as much within a cell —
///   evaluated 0.36 cell off the centre it differs from itself at the centre by a median of
///   0.64 dB (hata-deygout), 1.5 dB (fspl-deygout), 0.33 dB (itm), with 75 %, 60 % and 92 % of
///   cells within 3 dB (printed by the test) — so no engine evaluating a cell anywhere but at its
///   centre meets the bar there. ITM through the engine's old per-cell `p2p` walk measured
///   0.444 dB / 91.69 % on the same DEM: the fast evaluator adds ~0.09 dB of median.
/// - lowland fspl-deygout: the engine keeps the smallest loss of the samples falling in a cell
///   (free space favours the nearest), a bias of −0.32 dB against the centre; 99.93 % of cells
///   are within 3 dB.
const KNOWN_BELOW_BAR: [(Landscape, &str, f64, f64); 4] = [
    (Landscape::Mountain, "hata-deygout", 0.624, 0.7564),
    (Landscape::Mountain, "fspl-deygout", 1.422, 0.6131),
    (Landscape::Mountain, "itm", 0.462, 0.9347),
    (Landscape::Lowland, "fspl-deygout", 0.365, 0.9993),
];

#[test]
fn radial_engine_meets_the_exact_evaluation_for_every_model() {
    let s = site();
    let mut unexpected = Vec::new();
    for l in [Landscape::Mountain, Landscape::Lowland] {
        let t = terrain(l);
        for kind in KINDS {
            let p = params(kind);
            let fast = site_losses(0, &s, &t, &p).unwrap();
            let exact = site_losses_exact(0, &s, &t, &p).unwrap();
            let f = compare(&t, &s, &p, &fast, &exact);
            let (spread_median, spread_3db) = within_cell_spread(&t, &s, &p, &exact);
            eprintln!(
                "{:8} {kind:13} {} cells: median |Δ| {:.3} dB, within 3 dB {:.2} %, mean Δ {:+.2} dB, \
                 > 10 dB {} ({} shadow edge in the cell, {} other), worst {:.1} dB; \
                 reference 0.36 cell off centre: median {spread_median:.3} dB, within 3 dB {:.2} %",
                l.name(),
                f.cells,
                f.median_db,
                100.0 * f.within_3db,
                f.mean_signed_db,
                f.over_10db,
                f.over_10db_shadow_edge,
                f.over_10db - f.over_10db_shadow_edge,
                f.worst_db,
                100.0 * spread_3db
            );
            assert!(f.cells > 10_000, "{kind}: {} cells", f.cells);
            let meets = f.median_db <= 0.3 && f.within_3db >= 0.95;
            let known = KNOWN_BELOW_BAR
                .iter()
                .find(|&&(kl, kk, _, _)| kl == l && kk == kind);
            if meets == known.is_some() {
                unexpected.push(format!("{} / {kind} (meets the bar: {meets})", l.name()));
            }
            if let Some(&(_, _, median_db, within_3db)) = known {
                assert!(
                    f.median_db <= median_db + 0.05 && f.within_3db >= within_3db - 0.005,
                    "{} / {kind}: worse than measured ({median_db} dB, {within_3db})",
                    l.name()
                );
            }
        }
    }
    assert!(unexpected.is_empty(), "unexpected: {unexpected:?}");
}
