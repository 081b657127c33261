//! Property tests of the text readers a user feeds phusong (site CSV, OpenCelliD CSV, scenario TOML,
//! stage JSON): arbitrary or mutated bytes return `Ok` or a typed error, never a panic; valid inputs
//! read back to what was written. A few hundred cases each, seconds in all.

use crate::crs::{Projector, DEFAULT_EPSG};
use crate::io::opencellid::{read_opencellid, SectorDefaults};
use crate::io::sites_csv::{read_sites_csv, write_sites_csv};
use crate::reports::{read_json, to_json, AreaCoverageJson, CoverageReport};
use crate::scenario::Scenario;
use phusong_engine::radio::{Sector, Site};
use proptest::prelude::*;
use std::collections::BTreeMap;

const SITES_HEADER: &str = "site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,\
                            elec_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm";

fn valid_sites_csv() -> String {
    format!(
        "{SITES_HEADER}\nA,Viettel,105.6813,18.6734,30,0,2,4,1800,20,61\n\
         A,Viettel,105.6813,18.6734,30,120,2,4,1800,20,61\n\
         B,MobiFone,105.70,18.70,45,240,0,6,900,10,58\n"
    )
}

fn valid_opencellid_csv() -> String {
    let eci = |enb: u64, cid: u64| enb * 256 + cid;
    format!(
        "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n\
         LTE,452,4,3001,{},0,105.60,18.70,1000,5,1,1500000000,1600000000,0\n\
         LTE,452,4,3001,{},0,105.61,18.71,1000,5,1,1500000000,1600000000,0\n\
         GSM,452,4,3001,12345,0,105.00,19.00,1000,5,1,1500000000,1600000000,0\n\
         LTE,452,1,3001,{},0,104.50,19.50,1000,5,1,1500000000,1600000000,0\n",
        eci(123_456, 0),
        eci(123_456, 1),
        eci(77, 2)
    )
}

/// Mutations of a valid file: (position fraction, kind, byte).
fn mutate(base: &[u8], edits: &[(f64, u8, u8)]) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(at, kind, byte) in edits {
        if b.is_empty() {
            b.push(byte);
            continue;
        }
        let i = ((at * b.len() as f64) as usize).min(b.len() - 1);
        match kind % 5 {
            0 => b[i] = byte,
            1 => {
                b.remove(i);
            }
            2 => b.insert(i, byte),
            3 => b.truncate(i),
            _ => {
                // Duplicate a slice (a repeated row or column).
                let end = (i + 1 + byte as usize).min(b.len());
                let piece = b[i..end].to_vec();
                b.splice(i..i, piece);
            }
        }
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<(f64, u8, u8)>> {
    prop::collection::vec((0.0..1.0f64, any::<u8>(), any::<u8>()), 1..8)
}

fn read_sites_bytes(bytes: &[u8]) -> crate::Result<Vec<Site>> {
    let dir = tempfile::tempdir().map_err(|e| crate::Error::Other(e.to_string()))?;
    let p = dir.path().join("sites.csv");
    std::fs::write(&p, bytes).map_err(|e| crate::Error::Other(e.to_string()))?;
    read_sites_csv(&p, &Projector::new(DEFAULT_EPSG)?)
}

fn read_cells_bytes(bytes: &[u8]) -> crate::Result<Vec<Site>> {
    let dir = tempfile::tempdir().map_err(|e| crate::Error::Other(e.to_string()))?;
    let p = dir.path().join("cells.csv");
    std::fs::write(&p, bytes).map_err(|e| crate::Error::Other(e.to_string()))?;
    let proj = Projector::new(DEFAULT_EPSG)?;
    read_opencellid(&p, &proj, &SectorDefaults::default(), None)
}

/// Every value a site reader accepts must be finite and in its documented range.
fn assert_plausible(sites: &[Site]) {
    for s in sites {
        assert!(s.x_m.is_finite() && s.y_m.is_finite(), "{s:?}");
        assert!((1.0..=300.0).contains(&s.height_m), "{s:?}");
        assert!(!s.sectors.is_empty());
        for sec in &s.sectors {
            assert!((400.0..=6000.0).contains(&sec.freq_mhz), "{sec:?}");
            assert!((20.0..=80.0).contains(&sec.eirp_dbm), "{sec:?}");
            assert!(sec.h_beamwidth_deg > 0.0 && sec.v_beamwidth_deg > 0.0);
        }
    }
}

fn sector_strategy() -> impl Strategy<Value = Sector> {
    (
        0.0..360.0f64,
        -30.0..30.0f64,
        -30.0..30.0f64,
        400.0..6000.0f64,
        prop::sample::select(vec![1.4, 3.0, 5.0, 10.0, 15.0, 20.0]),
        20.0..80.0f64,
        1.0..360.0f64,
        1.0..180.0f64,
    )
        .prop_map(|(az, mt, et, f, bw, e, hb, vb)| Sector {
            azimuth_deg: az,
            mech_tilt_deg: mt,
            elec_tilt_deg: et,
            freq_mhz: f,
            bandwidth_mhz: bw,
            eirp_dbm: e,
            h_beamwidth_deg: hb,
            v_beamwidth_deg: vb,
            pattern: None,
        })
}

fn area() -> impl Strategy<Value = AreaCoverageJson> {
    (
        0.0..1e6f64,
        0.0..100.0f64,
        0..1_000_000u64,
        0.0..100.0f64,
        0..1_000_000u64,
        0..100_000_000u64,
        0.0..100.0f64,
    )
        .prop_map(|(a, ap, h, hp, hu, p, pp)| AreaCoverageJson {
            land_area_km2: a,
            land_area_covered_pct: ap,
            hamlets: h,
            hamlets_covered_pct: hp,
            hamlets_uncovered: hu,
            hamlets_partial: hu / 2,
            population: p,
            population_covered_pct: pp,
        })
}

fn coverage_report() -> impl Strategy<Value = CoverageReport> {
    (
        -140.0..-60.0f64,
        50.0..99.9f64,
        "[a-z ]{0,12}",
        0.0..30.0f64,
        0..10_000usize,
        area(),
        prop::collection::btree_map("[A-Za-z]{1,8}", area(), 0..4),
        prop::option::of(-20.0..40.0f64),
    )
        .prop_map(|(t, r, m, i, n, total, per, sinr)| CoverageReport {
            threshold_rsrp_dbm: t,
            location_reliability_pct: r,
            reliability_method: m,
            indoor_margin_db: i,
            sites: n,
            total,
            per_operator: per,
            mean_sinr_db: sinr,
            model_warnings: Default::default(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sites_csv_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(sites) = read_sites_bytes(&bytes) {
            assert_plausible(&sites);
        }
    }

    #[test]
    fn sites_csv_mutations_never_panic(e in edits()) {
        let bytes = mutate(valid_sites_csv().as_bytes(), &e);
        if let Ok(sites) = read_sites_bytes(&bytes) {
            assert_plausible(&sites);
        }
    }

    #[test]
    fn sites_csv_round_trips(
        sites in prop::collection::vec(
            (-0.5..0.5f64, -0.5..0.5f64, 1.0..300.0f64, "[A-Za-z0-9 ,\"]{1,10}",
             prop::collection::vec(sector_strategy(), 1..4)),
            0..5),
    ) {
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let sites: Vec<Site> = sites
            .into_iter()
            .enumerate()
            .map(|(k, (dlon, dlat, h, name, mut sectors))| {
                // Distinct azimuths: identical sectors are refused as duplicates.
                for (j, s) in sectors.iter_mut().enumerate() {
                    s.azimuth_deg = (s.azimuth_deg + 97.0 * j as f64) % 360.0;
                }
                let (lon, lat) = (105.0 + dlon, 19.0 + dlat);
                let (x_m, y_m) = proj.project(lon, lat).unwrap();
                Site { id: k as u32 + 1, name: name.trim().to_string(), operator: "Viettel".into(),
                       x_m, y_m, lon, lat, height_m: h, sectors }
            })
            .filter(|s| !s.name.is_empty())
            .enumerate()
            .map(|(k, mut s)| { s.id = k as u32 + 1; s })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sites.csv");
        write_sites_csv(&p, &sites).unwrap();
        let back = read_sites_csv(&p, &proj).unwrap();
        prop_assert_eq!(back, sites);
    }

    #[test]
    fn opencellid_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(sites) = read_cells_bytes(&bytes) {
            for s in &sites {
                prop_assert!(s.x_m.is_finite() && s.y_m.is_finite());
            }
        }
    }

    #[test]
    fn opencellid_mutations_never_panic(e in edits()) {
        let bytes = mutate(valid_opencellid_csv().as_bytes(), &e);
        if let Ok(sites) = read_cells_bytes(&bytes) {
            for s in &sites {
                prop_assert!(s.x_m.is_finite() && s.y_m.is_finite() && !s.sectors.is_empty());
            }
        }
    }

    #[test]
    fn opencellid_valid_rows_round_trip(
        cells in prop::collection::btree_map((0u64..50, 0u64..6), (-0.01..0.01f64, -0.01..0.01f64), 1..20),
    ) {
        // Each eNB's cells within ~1 km; one site per eNB at their mean position.
        let mut text = String::new();
        for (&(enb, cid), &(dx, dy)) in &cells {
            let lon = 104.0 + enb as f64 * 0.05 + dx;
            let lat = 19.0 + dy;
            text.push_str(&format!("LTE,452,4,1,{},0,{lon},{lat},1000,1,1,0,0,0\n", enb * 256 + cid));
        }
        let sites = read_cells_bytes(text.as_bytes()).unwrap();
        let mut per_enb: BTreeMap<u64, Vec<(u64, f64)>> = BTreeMap::new();
        for (&(enb, cid), &(dx, _)) in &cells {
            per_enb.entry(enb).or_default().push((cid, 104.0 + enb as f64 * 0.05 + dx));
        }
        prop_assert_eq!(sites.len(), per_enb.len());
        for (s, (enb, cs)) in sites.iter().zip(&per_enb) {
            prop_assert!(s.name.ends_with(&format!("-{enb}")), "{}", s.name);
            prop_assert_eq!(s.sectors.len(), cs.len());
            let mean = cs.iter().map(|c| c.1).sum::<f64>() / cs.len() as f64;
            prop_assert!((s.lon - mean).abs() < 1e-9);
        }
    }

    #[test]
    fn scenario_arbitrary_text_never_panics(text in "(?s).{0,300}") {
        if let Ok(s) = toml::from_str::<Scenario>(&text) {
            let _ = s.validate();
        }
    }

    #[test]
    fn scenario_mutations_never_panic_and_accepted_values_are_finite(e in edits()) {
        let base = "name = \"x\"\nresolution_m = 250.0\nseed = 7\n\
                    clip_m = [505000.0, 2085000.0, 520000.0, 2100000.0]\n\
                    [synth]\nsites = 60\nhamlets = 80\n[plan]\nbudget = 5\ngrid_spacing_m = 4000.0\n\
                    [coverage]\nthreshold_rsrp_dbm = -110.0\n[coverage.model]\nkind = \"itm\"\n";
        let bytes = mutate(base.as_bytes(), &e);
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(s) = toml::from_str::<Scenario>(&text) {
            if s.validate().is_ok() {
                prop_assert!(s.resolution_m.is_finite() && s.resolution_m >= 10.0);
                prop_assert!(s.coverage.threshold_rsrp_dbm.is_finite());
                prop_assert!(s.plan.grid_spacing_m.is_finite() && s.plan.grid_spacing_m > 0.0);
            }
        }
    }

    #[test]
    fn scenario_round_trips_through_toml(
        seed in any::<u32>(),
        res in 10.0..1000.0f64,
        thr in -130.0..-80.0f64,
        budget in 0usize..1000,
        sites in 0usize..1000,
    ) {
        let mut s = Scenario { seed: seed as u64, resolution_m: res, ..Scenario::default() };
        s.coverage.threshold_rsrp_dbm = thr;
        s.plan.budget = budget;
        s.synth.sites = Some(sites);
        s.validate().unwrap();
        let text = toml::to_string(&s).unwrap();
        let back: Scenario = toml::from_str(&text).unwrap();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn stage_json_round_trips(r in coverage_report()) {
        let text = to_json(&r, "coverage.json").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("coverage.json");
        std::fs::write(&p, &text).unwrap();
        let back: CoverageReport = read_json(&p, "coverage").unwrap();
        prop_assert_eq!(to_json(&back, "coverage.json").unwrap(), text);
    }

    #[test]
    fn stage_json_mutations_never_panic(r in coverage_report(), e in edits()) {
        let text = to_json(&r, "coverage.json").unwrap();
        let bytes = mutate(text.as_bytes(), &e);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("coverage.json");
        std::fs::write(&p, &bytes).unwrap();
        let _ = read_json::<CoverageReport>(&p, "coverage");
        let _ = read_json::<crate::reports::Summary>(&p, "run");
        let _ = read_json::<crate::reports::PlanReport>(&p, "plan");
    }

    #[test]
    fn non_finite_reports_are_refused_before_writing(r in coverage_report(), which in 0u8..3) {
        let mut r = r;
        match which {
            0 => r.threshold_rsrp_dbm = f64::NAN,
            1 => r.total.land_area_km2 = f64::INFINITY,
            _ => r.indoor_margin_db = f64::NEG_INFINITY,
        }
        prop_assert!(to_json(&r, "coverage.json").is_err());
    }
}
