//! The coverage engine against independent computations on small grids.

use phusong_engine::coverage::rollup::rollup;
use phusong_engine::coverage::{
    combine, compute_windows, point_rsrp_dbm, site_range_m, CoverageParams, CoverageRasters,
    SiteWindow,
};
use phusong_engine::demand::Hamlet;
use phusong_engine::grid::Raster;
use phusong_engine::propagation::models::Model;
use phusong_engine::radio::{Sector, Site};
use phusong_engine::terrain::Terrain;

fn hills() -> Terrain {
    phusong_engine::terrain::analytic_hills(20.0, 100.0)
}

fn site(id: u32, x: f64, y: f64, op: &str, freq: f64) -> Site {
    let sector = |az: f64| Sector {
        azimuth_deg: az,
        mech_tilt_deg: 0.0,
        elec_tilt_deg: 3.0,
        freq_mhz: freq,
        bandwidth_mhz: 10.0,
        eirp_dbm: 58.0,
        h_beamwidth_deg: 65.0,
        v_beamwidth_deg: 10.0,
    };
    Site {
        id,
        name: format!("S{id}"),
        operator: op.into(),
        x_m: x,
        y_m: y,
        lon: 0.0,
        lat: 0.0,
        height_m: 30.0,
        sectors: vec![sector(10.0), sector(130.0), sector(250.0)],
    }
}

fn sites() -> Vec<Site> {
    vec![
        site(1, 504_000.0, 2_005_000.0, "A", 900.0),
        site(2, 508_500.0, 2_014_000.0, "B", 1800.0),
        site(3, 515_000.0, 2_009_000.0, "A", 900.0),
        site(4, 518_000.0, 2_017_500.0, "C", 1800.0),
    ]
}

/// Brute force: best RSRP over every site whose computed range reaches the point (the engine's
/// definition), each evaluated along its own direct path.
fn brute(t: &Terrain, s: &[Site], p: &CoverageParams, x: f64, y: f64) -> f64 {
    s.iter()
        .filter(|st| (st.x_m - x).hypot(st.y_m - y) <= site_range_m(st, p))
        .map(|st| point_rsrp_dbm(st, t, p, x, y, true))
        .fold(f64::NEG_INFINITY, f64::max)
}

fn params() -> CoverageParams {
    CoverageParams {
        max_radius_m: 12_000.0,
        ..Default::default()
    }
}

/// The test study computed: terrain, sites, parameters, per-site windows and combined rasters.
fn computed() -> (
    Terrain,
    Vec<Site>,
    CoverageParams,
    Vec<SiteWindow>,
    CoverageRasters,
) {
    let (t, s, p) = (hills(), sites(), params());
    let w = compute_windows(&t, &s, &p, &phusong_engine::progress::NoProgress);
    let c = combine(t.grid(), &s, &w, &p);
    (t, s, p, w, c)
}

/// Share of sampled cells (every `stride`-th) whose raster RSRP is within 2 dB of brute force;
/// cells beyond every site's range must be unreachable by brute force too.
fn raster_vs_brute(p: &CoverageParams, stride: usize) -> (usize, f64, f64) {
    let (t, s) = (hills(), sites());
    let w = compute_windows(&t, &s, p, &phusong_engine::progress::NoProgress);
    let c = combine(t.grid(), &s, &w, p);
    let g = t.grid();
    let (mut n, mut close, mut worst) = (0, 0, 0f64);
    for iy in (3..g.ny).step_by(stride) {
        for ix in (3..g.nx).step_by(stride) {
            let (x, y) = g.center(ix, iy);
            let brute = brute(&t, &s, p, x, y);
            let v = c.rsrp_dbm.get(ix, iy) as f64;
            if v.is_nan() {
                // Beyond every site's range: no site may reach it by brute force either.
                assert_eq!(brute, f64::NEG_INFINITY, "{ix},{iy}");
                continue;
            }
            n += 1;
            let d = (v - brute).abs();
            worst = worst.max(d);
            if d < 2.0 {
                close += 1;
            }
        }
    }
    (n, close as f64 / n.max(1) as f64, worst)
}

#[test]
fn raster_matches_brute_force_point_evaluation() {
    let (n, share, worst) = raster_vs_brute(&params(), 7);
    assert!(n > 500, "{n}");
    assert!(share >= 0.95, "{share} within 2 dB, worst {worst}");
}

#[test]
fn itm_raster_matches_brute_force_itm_paths() {
    let mut p = params();
    p.model.model = Model::Itm(Default::default());
    p.max_radius_m = 5_000.0;
    let (n, share, worst) = raster_vs_brute(&p, 11);
    assert!(n > 100, "{n}");
    assert!(share >= 0.9, "{share} within 2 dB, worst {worst}");
}

#[test]
fn rma_raster_matches_brute_force_with_reliability_margin() {
    let mut p = params();
    p.model.model = Model::Rma(Default::default());
    p.model.location_reliability_pct = 90.0;
    let (n, share, worst) = raster_vs_brute(&p, 7);
    assert!(n > 150, "{n}");
    assert!(share >= 0.95, "{share} within 2 dB, worst {worst}");
}

#[test]
fn hamlet_rollup_equals_brute_force_classification() {
    let (t, s, p, _, c) = computed();
    let g = t.grid().clone();
    // Hamlets on a regular lattice, populations 1..n.
    let mut hamlets = Vec::new();
    for k in 0..400u32 {
        let (x, y) = (
            500_050.0 + (k % 20) as f64 * 1000.0,
            2_000_050.0 + (k / 20) as f64 * 1000.0,
        );
        hamlets.push(Hamlet {
            id: k + 1,
            name: String::new(),
            commune: Some((k % 3) as usize),
            x_m: x,
            y_m: y,
            lon: 0.0,
            lat: 0.0,
            population: k + 1,
            grid_power: true,
            // Smaller than a cell: the village takes the cell holding its centroid.
            area: geo::MultiPolygon(vec![
                geo::Rect::new((x - 5.0, y - 5.0), (x + 5.0, y + 5.0)).to_polygon()
            ]),
        });
    }
    let mask = Raster::filled(g.clone(), 1u8, None);
    let mut communes = Raster::filled(g.clone(), -1i32, Some(-1));
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            communes.set(ix, iy, ((ix / 67) % 3) as i32);
        }
    }
    let thr = p.threshold_rsrp_dbm;
    let vc = phusong_engine::demand::VillageCells::new(&mask, &hamlets);
    let t_v = phusong_engine::coverage::rollup::Threshold {
        rsrp_dbm: thr,
        village_share: 0.95,
    };
    let roll = rollup(&c.rsrp_dbm, &mask, &communes, 3, &hamlets, &vc, t_v);
    let (mut checked, mut agree) = (0, 0);
    for (h, hc) in hamlets.iter().zip(&roll.hamlets) {
        let (ix, iy) = g.cell_of(h.x_m, h.y_m).unwrap();
        let (cx, cy) = g.center(ix, iy);
        let brute = brute(&t, &s, &p, cx, cy);
        // Classification must agree wherever brute force is clear of the threshold by the ray-sampling tolerance.
        if (brute - thr).abs() > 3.0 {
            checked += 1;
            if hc.covered == (brute >= thr) {
                agree += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
    assert_eq!(agree, checked);
    // Conservation: communes partition the hamlets and the people.
    let pop: u64 = roll.communes.iter().map(|c| c.population).sum();
    assert_eq!(pop, (1..=400u64).sum::<u64>());
    assert_eq!(roll.total.population, pop);
    let hc: u64 = roll.communes.iter().map(|c| c.population_covered).sum();
    assert_eq!(hc, roll.total.population_covered);
    let cells: u64 = roll.communes.iter().map(|c| c.land_cells).sum();
    assert_eq!(cells, g.len() as u64);
    assert!(roll.total.hamlets_covered > 0 && roll.total.hamlets_covered < 400);
}

#[test]
fn identical_rasters_at_one_and_two_threads() {
    identical_at_one_and_two_threads(params());
}

/// ITM computes one site's radials in parallel arcs: still the same bits at any thread count.
#[test]
fn itm_rasters_identical_at_one_and_two_threads() {
    let mut p = params();
    p.model.model = Model::Itm(Default::default());
    p.max_radius_m = 4_000.0;
    identical_at_one_and_two_threads(p);
}

fn identical_at_one_and_two_threads(p: CoverageParams) {
    let t = hills();
    let s = sites();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let w = compute_windows(&t, &s, &p, &phusong_engine::progress::NoProgress);
            combine(t.grid(), &s, &w, &p)
        })
    };
    let (a, b) = (run(1), run(2));
    let bits = |r: &Raster<f32>| r.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.rsrp_dbm), bits(&b.rsrp_dbm));
    assert_eq!(bits(&a.sinr_db), bits(&b.sinr_db));
    assert_eq!(a.server.data, b.server.data);
    assert_eq!(a.servers_in_margin.data, b.servers_in_margin.data);
}

#[test]
fn sinr_and_server_count_follow_their_definitions() {
    let (t, _, p, w, c) = computed();
    let g = t.grid();
    let noise_mw = 10f64.powf(p.noise_per_re_dbm() / 10.0);
    let mut checked = 0;
    for iy in (0..g.ny).step_by(11) {
        for ix in (0..g.nx).step_by(11) {
            let vals: Vec<(usize, f32, f32)> = w
                .iter()
                .filter_map(|sw| {
                    sw.rsrp_at(ix, iy)
                        .map(|v| (sw.site, v, sw.total_mw[(iy - sw.iy0) * sw.nx + ix - sw.ix0]))
                })
                .collect();
            if vals.is_empty() {
                assert!(c.rsrp_dbm.get(ix, iy).is_nan());
                continue;
            }
            let best = vals.iter().map(|v| v.1).fold(f32::NEG_INFINITY, f32::max);
            assert_eq!(c.rsrp_dbm.get(ix, iy), best);
            let n6 = vals
                .iter()
                .filter(|v| v.1 as f64 >= best as f64 - 6.0)
                .count();
            assert_eq!(c.servers_in_margin.get(ix, iy) as usize, n6);
            let total: f64 = vals.iter().map(|v| v.2 as f64).sum();
            let sig = 10f64.powf(best as f64 / 10.0);
            let sinr = 10.0 * (sig / (p.load * (total - sig) + noise_mw)).log10();
            assert!((c.sinr_db.get(ix, iy) as f64 - sinr).abs() < 1e-3);
            checked += 1;
        }
    }
    assert!(checked > 50);
}
