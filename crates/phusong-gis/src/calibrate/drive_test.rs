//! `phusong drive-test`: a synthetic drive test along the study's roads near a few sites.
//!
//! The RSRP of each point is the best sector of the site under a *truth* model (by default another
//! model than the scenario's, so that calibration has something to correct), minus spatially
//! correlated log-normal shadowing along the route (Gudmundson 1991, exponential autocorrelation,
//! [`gudmundson_shadowing_db`]) and independent measurement noise, floored at the receiver
//! sensitivity (a scanner reports nothing weaker: the row keeps the floor value and `calibrate`
//! treats it as censored). Sites are drawn independently (no cross-site shadowing correlation).
//! Deterministic for a seed.

use super::{best_sector, cells::CellTable, median, Inputs};
use crate::error::{Error, Result};
use crate::io::{atomic, vector_in};
use crate::study::files as inputs;
use geo::LineString;
use phusong_engine::calibration::{gudmundson_shadowing_db, GaussianSource, SplitMix64};
use phusong_engine::coverage::{point_links, CoverageParams};
use phusong_engine::propagation::models::{Calibration, ModelConfig};
use std::fmt::Write as _;
use std::path::Path;

/// Settings of a synthetic drive test (validated by [`DriveTest::validate`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DriveTest {
    pub seed: u64,
    /// Shadowing σ, dB.
    pub sigma_db: f64,
    /// Gudmundson decorrelation distance, m.
    pub decorrelation_m: f64,
    /// Independent measurement noise σ, dB.
    pub noise_db: f64,
    /// The truth model (kind and parameters), with any known correction in its `calibration`.
    pub truth: ModelConfig,
    /// Number of sites driven around.
    pub sites: usize,
    /// Points farther than this from their site are not driven, m.
    pub radius_m: f64,
    /// Spacing of the points along a road, m.
    pub step_m: f64,
    /// Most points per site (evenly thinned beyond).
    pub max_points_per_site: usize,
    /// Receiver sensitivity: weaker RSRP is reported at this floor, dBm.
    pub sensitivity_dbm: f64,
}

impl DriveTest {
    /// Defaults with the truth model `truth`.
    pub fn new(truth: ModelConfig) -> Self {
        DriveTest {
            seed: 1,
            sigma_db: 7.0,
            decorrelation_m: 100.0,
            noise_db: 1.0,
            truth,
            sites: 6,
            radius_m: 5000.0,
            step_m: 20.0,
            max_points_per_site: 2000,
            sensitivity_dbm: -125.0,
        }
    }

    /// Checks every setting, naming the flag and its unit.
    pub fn validate(&self) -> Result<()> {
        let check = |flag: &str, v: f64, lo: f64, hi: f64, unit: &str| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(Error::Other(format!(
                    "{flag} {v}: expected {lo}–{hi} {unit}"
                )))
            }
        };
        check("--sigma-db", self.sigma_db, 0.0, 20.0, "dB")?;
        check(
            "--decorrelation-m",
            self.decorrelation_m,
            1.0,
            10_000.0,
            "m",
        )?;
        check("--noise-db", self.noise_db, 0.0, 10.0, "dB")?;
        check("--radius-m", self.radius_m, 200.0, 50_000.0, "m")?;
        check("--step-m", self.step_m, 1.0, 1000.0, "m")?;
        check(
            "--sensitivity-dbm",
            self.sensitivity_dbm,
            -160.0,
            -60.0,
            "dBm",
        )?;
        check("--sites", self.sites as f64, 1.0, 10_000.0, "sites")?;
        check(
            "--max-points-per-site",
            self.max_points_per_site as f64,
            10.0,
            1e6,
            "points",
        )?;
        self.truth
            .validate()
            .map_err(|e| Error::Other(format!("truth model: {e}")))
    }
}

/// A point along a road: position (m, study CRS) and distance along the roads, m (gaps of 1000 km
/// between roads, so their shadowing is independent).
#[derive(Clone, Copy, Debug)]
struct RoadPoint {
    x: f64,
    y: f64,
    s: f64,
}

/// Points every `step_m` along every road, inside the grid.
fn road_points(
    roads: &[LineString<f64>],
    step_m: f64,
    g: &phusong_engine::grid::GridSpec,
) -> Vec<RoadPoint> {
    let mut out = Vec::new();
    let mut s0 = 0.0;
    for road in roads {
        let mut carry = 0.0; // distance along the road to the next point
        let mut along = 0.0;
        for seg in road.lines() {
            let (a, b) = (seg.start, seg.end);
            let len = (b.x - a.x).hypot(b.y - a.y);
            let mut t = carry;
            while t <= len && len > 0.0 {
                let (x, y) = (a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len);
                if g.cell_of(x, y).is_some() {
                    out.push(RoadPoint {
                        x,
                        y,
                        s: s0 + along + t,
                    });
                }
                t += step_m;
            }
            carry = t - len;
            along += len;
        }
        s0 += along + 1.0e6;
    }
    out
}

/// The `n` sites with the most road points within `radius_m` (ties: lower id), in id order, with
/// their points.
fn choose_sites(inp: &Inputs, pts: &[RoadPoint], dt: &DriveTest) -> Vec<(usize, Vec<RoadPoint>)> {
    let mut near: Vec<(usize, Vec<RoadPoint>)> = inp
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let v: Vec<RoadPoint> = pts
                .iter()
                .filter(|p| (p.x - s.x_m).hypot(p.y - s.y_m) <= dt.radius_m)
                .copied()
                .collect();
            (i, v)
        })
        .filter(|(_, v)| v.len() >= 10)
        .collect();
    near.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then(inp.sites[a.0].id.cmp(&inp.sites[b.0].id))
    });
    near.truncate(dt.sites);
    near.sort_by_key(|(i, _)| inp.sites[*i].id);
    for (_, v) in &mut near {
        if v.len() > dt.max_points_per_site {
            let k = v.len().div_ceil(dt.max_points_per_site);
            *v = v.iter().step_by(k).copied().collect();
        }
    }
    near
}

/// Counts of a written drive test.
#[derive(Clone, Debug, PartialEq)]
pub struct DriveSummary {
    pub sites: Vec<u32>,
    pub points: usize,
    /// Rows at the sensitivity floor.
    pub floored: usize,
    pub truth_kind: String,
}

/// Synthesises the drive test of `dt` for the study of `s` in `run_dir` and writes it to `out`.
pub fn run_drive_test(
    p: &CoverageParams,
    run_dir: &Path,
    dt: &DriveTest,
    out: &Path,
) -> Result<DriveSummary> {
    dt.validate()?;
    let inp = Inputs::load(run_dir)?;
    let cells = CellTable::read(&inp.sites_path, &inp.sites)?;
    let roads_path = run_dir.join(inputs::DIR).join(inputs::ROADS);
    let roads = vector_in::read_lines(&roads_path, None, inp.info.grid.epsg)?;
    let pts = road_points(&roads, dt.step_m, &inp.info.grid);
    let chosen = choose_sites(&inp, &pts, dt);
    if chosen.is_empty() {
        return Err(Error::input(
            &roads_path,
            format!(
                "no site has 10 road points within --radius-m {} m",
                dt.radius_m
            ),
        ));
    }
    let truth = CoverageParams {
        model: ModelConfig {
            location_reliability_pct: 50.0,
            ..dt.truth.clone()
        },
        ..median(p)
    };
    let mut seeds = SplitMix64::new(dt.seed);
    let mut text = String::from("lon,lat,rsrp_dbm,site_id,pci,earfcn,time\n");
    let mut summary = DriveSummary {
        sites: Vec::new(),
        points: 0,
        floored: 0,
        truth_kind: truth.model.kind().into(),
    };
    let mut clock_s = 0.0;
    for (si, route) in &chosen {
        let site = &inp.sites[*si];
        let mut gauss = GaussianSource::new(seeds.next_u64());
        let pos: Vec<f64> = route.iter().map(|p| p.s).collect();
        let shadow = gudmundson_shadowing_db(&pos, dt.sigma_db, dt.decorrelation_m, &mut gauss)
            .map_err(|e| Error::Other(e.to_string()))?;
        summary.sites.push(site.id);
        for (k, pt) in route.iter().enumerate() {
            let links = point_links(site, &inp.terrain, &truth, pt.x, pt.y);
            let noise = dt.noise_db * gauss.next_standard();
            let Some((sector, rsrp)) = best_sector(site, &links, |_| true) else {
                continue;
            };
            let mut v = rsrp - shadow[k] - noise;
            if v <= dt.sensitivity_dbm {
                v = dt.sensitivity_dbm;
                summary.floored += 1;
            }
            if k > 0 {
                clock_s += (pt.s - route[k - 1].s).min(1000.0) / 10.0; // 36 km/h
            }
            let (lon, lat) = inp.proj.unproject(pt.x, pt.y)?;
            let cell = cells.cell(*si, sector);
            let id = cells.id_of(*si).unwrap_or("");
            let pci = cell
                .and_then(|c| c.pci)
                .map_or(String::new(), |p| p.to_string());
            let earfcn = cell
                .and_then(|c| c.earfcn)
                .map_or(String::new(), |e| e.to_string());
            let _ = writeln!(
                text,
                "{lon:.7},{lat:.7},{v:.2},{id},{pci},{earfcn},{}",
                iso_time(clock_s)
            );
            summary.points += 1;
        }
        clock_s += 600.0; // to the next site
    }
    atomic::write_string_atomic(out, &text)?;
    Ok(summary)
}

/// 2025-01-06T08:00:00Z plus `seconds` (whole seconds), as ISO 8601 UTC.
fn iso_time(seconds: f64) -> String {
    let t = 8 * 3600 + seconds.max(0.0).floor() as u64;
    let (days, sod) = (t / 86_400, t % 86_400);
    let (y, m, d) = civil_from_days(20_094 + days as i64); // 20094 = days from 1970-01-01 to 2025-01-06
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant, "chrono-Compatible
/// Low-Level Date Algorithms", `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The default truth model for a scenario model: ITM, or Hata + Deygout when the scenario uses ITM.
pub fn default_truth(scenario_model: &ModelConfig) -> ModelConfig {
    let kind = if scenario_model.kind() == "itm" {
        "hata-deygout"
    } else {
        "itm"
    };
    ModelConfig::of(
        phusong_engine::propagation::models::Model::default_of(kind).unwrap_or_default(),
    )
}

/// A known correction on top of a truth model.
pub fn with_correction(mut m: ModelConfig, c: Calibration) -> ModelConfig {
    m.calibration = c;
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_time_counts_days_and_months() {
        assert_eq!(iso_time(0.0), "2025-01-06T08:00:00Z");
        assert_eq!(iso_time(3661.5), "2025-01-06T09:01:01Z");
        // 26 days later is 1 February (January has 31 days).
        assert_eq!(iso_time(26.0 * 86_400.0), "2025-02-01T08:00:00Z");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
