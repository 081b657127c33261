//! Point-to-point link analysis: the terrain profile between two antennas, line of sight, first
//! Fresnel zone clearance with effective-Earth curvature, and the path loss under each propagation
//! model — what a radio planner checks before choosing a backhaul path between two towers.
//!
//! - [`profile`]: ground heights along the path from a height raster.
//! - [`fresnel`]: earth bulge, Fresnel radius, clearance and the worst obstruction.
//! - [`losses`]: one row per propagation model (loss and received power).
//! - [`dem`]: the window of any GDAL raster around the path.
//! - [`plot`]: the profile drawn as SVG.
//!
//! Distances are measured in the projected CRS (UTM 48N by default), whose scale error is below
//! 0.1 % inside the zone.

pub mod dem;
pub mod fresnel;
pub mod losses;
pub mod plot;
pub mod profile;

use crate::crs::Projector;
use crate::error::{Error, Result};
use crate::study::files;
use fresnel::{Clearance, CLEAR_FRACTION};
use losses::{LossInputs, ModelLoss};
use phusong_engine::grid::Raster;
use phusong_engine::propagation::knife_edge::wavelength_m;
use phusong_engine::propagation::models::ModelConfig;
use profile::PathProfile;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Default antenna height above ground at the `from` end (a new tower), m.
pub const DEFAULT_FROM_HEIGHT_M: f64 = 30.0;
/// Default antenna height above ground at the `to` end (an existing tower), m.
pub const DEFAULT_TO_HEIGHT_M: f64 = 30.0;
/// Accepted frequencies, MHz: the VHF low end of ITM up to millimetre-wave backhaul.
pub const FREQ_RANGE_MHZ: (f64, f64) = (20.0, 100_000.0);
/// Longest link analysed, m (far beyond any radio horizon between towers).
pub const MAX_DISTANCE_M: f64 = 300_000.0;
/// Highest antenna above ground accepted, m.
pub const MAX_ANTENNA_HEIGHT_M: f64 = 2000.0;

/// One end of a link: WGS84 position and antenna height above ground.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Endpoint {
    pub lon: f64,
    pub lat: f64,
    pub antenna_height_m: f64,
}

impl Endpoint {
    /// Parses `LON,LAT[,HEIGHT_M]` (decimal degrees, metres above ground); `flag` names the
    /// option in errors, `default_height_m` is used when the height is left out.
    pub fn parse(text: &str, flag: &str, default_height_m: f64) -> Result<Self> {
        let bad = |why: &str| {
            Error::Other(format!(
                "{flag}: expected LON,LAT[,HEIGHT_M], got '{text}'{why}"
            ))
        };
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad(""));
        }
        let num = |s: &str, what: &str| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(&format!(" ({what} '{s}' is not a number)")))
        };
        let lon = num(parts[0], "longitude")?;
        let lat = num(parts[1], "latitude")?;
        let antenna_height_m = match parts.get(2) {
            Some(h) => num(h, "height")?,
            None => default_height_m,
        };
        if !(-180.0..=180.0).contains(&lon) {
            return Err(bad(" (longitude must be −180–180°)"));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(bad(" (latitude must be −90–90°)"));
        }
        if !(0.0..=MAX_ANTENNA_HEIGHT_M).contains(&antenna_height_m) {
            return Err(bad(&format!(
                " (antenna height must be 0–{MAX_ANTENNA_HEIGHT_M} m above ground)"
            )));
        }
        Ok(Endpoint {
            lon,
            lat,
            antenna_height_m,
        })
    }
}

/// Radio parameters of a link analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkParams {
    pub freq_mhz: f64,
    /// Effective Earth-radius factor of the geometry: earth bulge, Fresnel clearance, the Deygout
    /// term (4/3 for the standard atmosphere; the study model's own when it has one).
    pub k_factor: f64,
    /// The study's model and shared settings; the other models' rows use their defaults.
    pub model: ModelConfig,
    /// Transmit power at `from`, dBm; without it no received power is computed.
    pub tx_power_dbm: Option<f64>,
    pub tx_gain_dbi: f64,
    pub rx_gain_dbi: f64,
    /// Projected CRS of the analysis.
    pub epsg: u32,
}

impl LinkParams {
    /// Defaults around a frequency: k = 4/3, the default model (as in a study file without
    /// `[coverage.model]`), no transmit power, 0 dBi, UTM 48N.
    pub fn new(freq_mhz: f64) -> Self {
        LinkParams {
            freq_mhz,
            k_factor: phusong_engine::propagation::deygout::DEFAULT_K_FACTOR,
            model: ModelConfig::default(),
            tx_power_dbm: None,
            tx_gain_dbi: 0.0,
            rx_gain_dbi: 0.0,
            epsg: crate::crs::DEFAULT_EPSG,
        }
    }

    /// Checks every value, naming the command-line option at fault.
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = FREQ_RANGE_MHZ;
        if !(lo..=hi).contains(&self.freq_mhz) {
            return Err(Error::Other(format!(
                "--freq-mhz {}: expected {lo}–{hi} MHz",
                self.freq_mhz
            )));
        }
        if !(self.k_factor.is_finite() && self.k_factor > 0.0) {
            return Err(Error::Other(format!(
                "--k-factor {}: expected a positive number (4/3 for the standard atmosphere)",
                self.k_factor
            )));
        }
        self.model.validate()?;
        for (flag, v) in [
            ("--tx-power-dbm", self.tx_power_dbm.unwrap_or(0.0)),
            ("--tx-gain-dbi", self.tx_gain_dbi),
            ("--rx-gain-dbi", self.rx_gain_dbi),
        ] {
            if !(v.is_finite() && v.abs() <= 200.0) {
                return Err(Error::Other(format!("{flag} {v}: expected −200–200")));
            }
        }
        Ok(())
    }
}

/// The study DEM of a run folder (`RUN_DIR/inputs/dem_m.tif`), which `phusong synth` writes.
pub fn study_dem(run_dir: &Path, scenario: &Path) -> Result<PathBuf> {
    let p = run_dir.join(files::DIR).join(files::DEM);
    if p.is_file() {
        Ok(p)
    } else {
        Err(Error::input(
            &p,
            format!(
                "no study DEM here; run `phusong synth {}` first (or give --dem FILE)",
                scenario.display()
            ),
        ))
    }
}

/// One end as reported.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointReport {
    pub lon: f64,
    pub lat: f64,
    /// Position in the analysis CRS, m.
    pub x_m: f64,
    pub y_m: f64,
    /// Ground height from the DEM, m.
    pub ground_m: f64,
    /// Antenna height above ground, m.
    pub antenna_height_m: f64,
}

/// The profile sample with the smallest clearance relative to the first Fresnel radius.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Obstruction {
    /// Distance from `from`, m.
    pub distance_m: f64,
    pub lon: f64,
    pub lat: f64,
    pub x_m: f64,
    pub y_m: f64,
    /// Ground height, m.
    pub terrain_m: f64,
    /// Earth bulge added to the ground at this point, m.
    pub earth_bulge_m: f64,
    /// Height of the line of sight, m.
    pub los_height_m: f64,
    /// First Fresnel zone radius, m.
    pub fresnel_radius_m: f64,
    /// Line of sight − (terrain + bulge), m; negative = the terrain blocks the line of sight.
    pub clearance_m: f64,
    /// `clearance_m / fresnel_radius_m`; ≥ 0.6 is the usual microwave criterion.
    pub clearance_fraction_r1: f64,
}

/// Everything `phusong link` reports (its `--json` output).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkReport {
    /// Analysis CRS, e.g. "EPSG:32648".
    pub crs: String,
    /// Terrain source.
    pub dem: String,
    pub from: EndpointReport,
    pub to: EndpointReport,
    pub distance_m: f64,
    pub freq_mhz: f64,
    pub wavelength_m: f64,
    pub k_factor: f64,
    /// The study's model (`kind`).
    pub model: String,
    /// Profile samples and their spacing, m.
    pub samples: usize,
    pub step_m: f64,
    /// Samples on DEM voids, interpolated along the path.
    pub void_samples: usize,
    pub line_of_sight: bool,
    /// At least 60 % of the first Fresnel zone clear everywhere.
    pub fresnel_60_clear: bool,
    pub worst_obstruction: Option<Obstruction>,
    pub tx_power_dbm: Option<f64>,
    pub tx_gain_dbi: f64,
    pub rx_gain_dbi: f64,
    pub losses: Vec<ModelLoss>,
}

/// A finished analysis: the report plus the profile and clearance it was computed from (for plots).
#[derive(Clone, Debug)]
pub struct Link {
    pub report: LinkReport,
    pub profile: PathProfile,
    pub clearance: Clearance,
}

/// Analyses the link between `from` and `to` over the DEM file `dem` (any GDAL raster, any CRS).
pub fn analyse(dem: &Path, from: Endpoint, to: Endpoint, params: &LinkParams) -> Result<Link> {
    params.validate()?;
    let srs = crate::crs::srs_from_epsg(params.epsg)?;
    if !(srs.is_projected() && (srs.linear_units() - 1.0).abs() < 1e-9) {
        return Err(Error::Other(format!(
            "--epsg {}: expected a projected CRS in metres (e.g. 32648, UTM 48N)",
            params.epsg
        )));
    }
    let proj = Projector::new(params.epsg)?;
    let a = proj.project(from.lon, from.lat)?;
    let b = proj.project(to.lon, to.lat)?;
    check_distance((a.0 - b.0).hypot(a.1 - b.1))?;
    let d = dem::read_path_dem(
        dem,
        params.epsg,
        [("--from", from.lon, from.lat), ("--to", to.lon, to.lat)],
        [a, b],
    )?;
    let step_m = d.height_m.spec.cell_m / 2.0;
    analyse_on(
        &d.height_m,
        step_m,
        &dem.display().to_string(),
        &proj,
        from,
        to,
        params,
    )
}

fn check_distance(distance_m: f64) -> Result<()> {
    if distance_m.is_nan() || distance_m < 1.0 {
        return Err(Error::Other(
            "--from and --to are the same point: a link needs two distinct ends".into(),
        ));
    }
    if distance_m > MAX_DISTANCE_M {
        return Err(Error::Other(format!(
            "the ends are {:.0} km apart: at most {:.0} km is analysed",
            distance_m / 1000.0,
            MAX_DISTANCE_M / 1000.0
        )));
    }
    Ok(())
}

/// Analyses the link over a height raster already in `proj`'s CRS, sampling every `max_step_m`
/// (half a cell is the usual choice). `dem_label` is reported as the terrain source.
pub fn analyse_on(
    height_m: &Raster<f32>,
    max_step_m: f64,
    dem_label: &str,
    proj: &Projector,
    from: Endpoint,
    to: Endpoint,
    params: &LinkParams,
) -> Result<Link> {
    params.validate()?;
    if height_m.spec.epsg != proj.epsg() {
        return Err(Error::Other(format!(
            "terrain grid is in EPSG:{} but the link is analysed in EPSG:{}",
            height_m.spec.epsg,
            proj.epsg()
        )));
    }
    let a = proj.project(from.lon, from.lat)?;
    let b = proj.project(to.lon, to.lat)?;
    check_distance((a.0 - b.0).hypot(a.1 - b.1))?;
    let profile = profile::extract(height_m, a, b, max_step_m)?;
    let (hf, ht) = (from.antenna_height_m, to.antenna_height_m);
    let clearance = fresnel::clearance(
        &profile.ground_m,
        profile.step_m,
        hf,
        ht,
        params.freq_mhz,
        params.k_factor,
    );
    let last = profile.ground_m.len() - 1;
    let end = |e: Endpoint, (x_m, y_m): (f64, f64), i: usize| EndpointReport {
        lon: e.lon,
        lat: e.lat,
        x_m,
        y_m,
        ground_m: profile.ground_m[i],
        antenna_height_m: e.antenna_height_m,
    };
    let worst_obstruction = match clearance.worst {
        Some(i) => {
            let (x_m, y_m) = profile.xy_at(i);
            let (lon, lat) = proj.unproject(x_m, y_m)?;
            Some(Obstruction {
                distance_m: profile.distance_at(i),
                lon,
                lat,
                x_m,
                y_m,
                terrain_m: profile.ground_m[i],
                earth_bulge_m: clearance.bulge_m[i],
                los_height_m: clearance.los_m[i],
                fresnel_radius_m: clearance.r1_m[i],
                clearance_m: clearance.clearance_m[i],
                clearance_fraction_r1: clearance.fraction(i),
            })
        }
        None => None,
    };
    let inputs = LossInputs {
        profile: &profile,
        from_height_m: hf,
        to_height_m: ht,
        freq_mhz: params.freq_mhz,
        k_factor: params.k_factor,
        study: &params.model,
    };
    let budget_dbm = params
        .tx_power_dbm
        .map(|p| p + params.tx_gain_dbi + params.rx_gain_dbi);
    let report = LinkReport {
        crs: format!("EPSG:{}", proj.epsg()),
        dem: dem_label.to_string(),
        from: end(from, a, 0),
        to: end(to, b, last),
        distance_m: profile.distance_m,
        freq_mhz: params.freq_mhz,
        wavelength_m: wavelength_m(params.freq_mhz),
        k_factor: params.k_factor,
        model: params.model.kind().to_string(),
        samples: profile.ground_m.len(),
        step_m: profile.step_m,
        void_samples: profile.void_samples,
        line_of_sight: clearance.line_of_sight(),
        fresnel_60_clear: clearance.fresnel_clear(CLEAR_FRACTION),
        worst_obstruction,
        tx_power_dbm: params.tx_power_dbm,
        tx_gain_dbi: params.tx_gain_dbi,
        rx_gain_dbi: params.rx_gain_dbi,
        losses: losses::model_losses(&inputs, budget_dbm),
    };
    Ok(Link {
        report,
        profile,
        clearance,
    })
}

impl LinkReport {
    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Other(e.to_string()))
    }

    /// A short human-readable summary and a table of losses.
    pub fn to_text(&self) -> String {
        let yes = |b: bool| if b { "yes" } else { "NO" };
        let end = |e: &EndpointReport| {
            format!(
                "{:.5}, {:.5}  ground {:.0} m + antenna {:.1} m",
                e.lon, e.lat, e.ground_m, e.antenna_height_m
            )
        };
        let mut s = String::new();
        s.push_str(&format!("from   {}\n", end(&self.from)));
        s.push_str(&format!("to     {}\n", end(&self.to)));
        s.push_str(&format!(
            "path   {:.3} km at {} MHz, k = {:.3}, {} samples every {:.1} m ({}, DEM {})\n",
            self.distance_m / 1000.0,
            self.freq_mhz,
            self.k_factor,
            self.samples,
            self.step_m,
            self.crs,
            self.dem
        ));
        if self.void_samples > 0 {
            s.push_str(&format!(
                "       {} samples on DEM voids were interpolated\n",
                self.void_samples
            ));
        }
        s.push_str(&format!(
            "line of sight: {}    60 % of first Fresnel zone clear: {}\n",
            yes(self.line_of_sight),
            yes(self.fresnel_60_clear)
        ));
        if let Some(o) = &self.worst_obstruction {
            s.push_str(&format!(
                "worst point {:.3} km along the path ({:.5}, {:.5}): terrain {:.1} m + bulge {:.1} m, \
                 clearance {:.1} m = {:.2} × r1 (r1 = {:.1} m)\n",
                o.distance_m / 1000.0,
                o.lon,
                o.lat,
                o.terrain_m,
                o.earth_bulge_m,
                o.clearance_m,
                o.clearance_fraction_r1,
                o.fresnel_radius_m
            ));
        }
        let num = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
        s.push_str(&format!(
            "\n{:<20} {:>9} {:>9}  note\n",
            "model", "loss dB", "rx dBm"
        ));
        for r in &self.losses {
            s.push_str(&format!(
                "{:<20} {:>9} {:>9}  {}\n",
                r.model,
                num(r.loss_db),
                num(r.rx_power_dbm),
                r.note.as_deref().unwrap_or("")
            ));
        }
        if self.tx_power_dbm.is_none() {
            s.push_str("(give --tx-power-dbm for received power)\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phusong_engine::grid::GridSpec;
    use phusong_engine::propagation::free_space::fspl_db;

    #[test]
    fn endpoints_parse_and_bad_ones_are_named() {
        let e = Endpoint::parse("105.5, 18.7", "--from", 30.0).unwrap();
        assert_eq!((e.lon, e.lat, e.antenna_height_m), (105.5, 18.7, 30.0));
        let e = Endpoint::parse("-70.25,40,12.5", "--to", 30.0).unwrap();
        assert_eq!((e.lon, e.lat, e.antenna_height_m), (-70.25, 40.0, 12.5));
        for (text, why) in [
            ("105.5", "got '105.5'"),
            ("105.5;18.7", "got '105.5;18.7'"),
            ("a,18.7", "longitude 'a'"),
            ("105,18,x", "height 'x'"),
            ("105,18,5,6", "got '105,18,5,6'"),
            ("200,18", "longitude must"),
            ("105,95", "latitude must"),
            ("105,18,-3", "antenna height"),
            ("105,NaN", "latitude 'NaN'"),
        ] {
            let err = Endpoint::parse(text, "--from", 30.0)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("--from: expected LON,LAT[,HEIGHT_M]") && err.contains(why),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn params_are_validated() {
        assert!(LinkParams::new(900.0).validate().is_ok());
        let e = LinkParams::new(0.0).validate().unwrap_err().to_string();
        assert!(e.contains("--freq-mhz 0"), "{e}");
        let e = LinkParams::new(2e6).validate().unwrap_err().to_string();
        assert!(e.contains("--freq-mhz"), "{e}");
        let mut p = LinkParams::new(900.0);
        p.k_factor = 0.0;
        assert!(p.validate().unwrap_err().to_string().contains("--k-factor"));
        let mut p = LinkParams::new(900.0);
        p.tx_power_dbm = Some(f64::NAN);
        assert!(p.validate().is_err());
    }

    /// Flat 100 m ground, 20 × 20 km at 50 m, around (105.5°E, 18.8°N) in UTM 48N.
    fn flat(proj: &Projector) -> (Raster<f32>, (f64, f64)) {
        let c = proj.project(105.5, 18.8).unwrap();
        let g = GridSpec::covering(
            32648,
            c.0 - 10_000.0,
            c.1 - 10_000.0,
            c.0 + 10_000.0,
            c.1 + 10_000.0,
            50.0,
        );
        (Raster::filled(g, 100f32, None), c)
    }

    /// Ends 8 km apart east–west through `c`, with the given antenna heights.
    fn ends(proj: &Projector, c: (f64, f64), h_from_m: f64, h_to_m: f64) -> (Endpoint, Endpoint) {
        let end = |dx: f64, h: f64| {
            let (lon, lat) = proj.unproject(c.0 + dx, c.1).unwrap();
            Endpoint {
                lon,
                lat,
                antenna_height_m: h,
            }
        };
        (end(-4000.0, h_from_m), end(4000.0, h_to_m))
    }

    #[test]
    fn flat_link_report_by_hand() {
        let proj = Projector::new(32648).unwrap();
        let (r, c) = flat(&proj);
        // Ends 8 km apart east–west through the centre.
        let (from, to) = ends(&proj, c, 30.0, 10.0);
        let mut params = LinkParams::new(1000.0);
        params.tx_power_dbm = Some(30.0);
        params.tx_gain_dbi = 15.0;
        params.rx_gain_dbi = 15.0;
        let link = analyse_on(&r, 25.0, "flat", &proj, from, to, &params).unwrap();
        let rep = &link.report;
        assert!((rep.distance_m - 8000.0).abs() < 1e-3, "{}", rep.distance_m);
        assert_eq!(rep.samples, 321);
        assert!(rep.line_of_sight && rep.fresnel_60_clear);
        assert_eq!((rep.from.ground_m, rep.to.ground_m), (100.0, 100.0));
        // Worst point: where (line − bulge) / r1 is smallest. With tops at 130 and 110 m the line
        // sinks towards `to`; check it against a brute-force scan of the same formula.
        let o = rep.worst_obstruction.as_ref().unwrap();
        let lambda = 299.792458 / 1000.0;
        let brute = (1..320)
            .map(|i| {
                let d1 = 25.0 * i as f64;
                let d2 = 8000.0 - d1;
                let line = 130.0 - 20.0 * d1 / 8000.0;
                let bulge = d1 * d2 / (2.0 * 4.0 / 3.0 * 6_371_000.0);
                let r1 = (lambda * d1 * d2 / 8000.0).sqrt();
                (d1, (line - 100.0 - bulge) / r1)
            })
            .fold((0.0, f64::MAX), |b, v| if v.1 < b.1 { v } else { b });
        assert!(
            (o.distance_m - brute.0).abs() < 1e-6,
            "{} vs {}",
            o.distance_m,
            brute.0
        );
        assert!((o.clearance_fraction_r1 - brute.1).abs() < 1e-6);
        assert!((o.lat - from.lat).abs() < 1e-3);
        // Free-space row and received power: 30 + 15 + 15 − FSPL(8 km, 1 GHz) = 60 − 110.51.
        let fs = rep.losses.iter().find(|l| l.model == "free-space").unwrap();
        let want = fspl_db(8000.0, 1000.0);
        assert!((fs.loss_db.unwrap() - want).abs() < 1e-6);
        assert!((fs.rx_power_dbm.unwrap() - (60.0 - want)).abs() < 1e-6);
        // 32.4478 + 20 log 1000 + 20 log 8 = 32.4478 + 60 + 18.0618 = 110.5096 dB.
        assert!((want - 110.5096).abs() < 1e-3, "{want}");
        // JSON carries the documented fields.
        let v: serde_json::Value = serde_json::from_str(&rep.to_json().unwrap()).unwrap();
        for k in [
            "crs",
            "dem",
            "distance_m",
            "line_of_sight",
            "fresnel_60_clear",
            "worst_obstruction",
            "losses",
            "k_factor",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["from"]["antenna_height_m"], 30.0);
        assert_eq!(v["model"], "hata-deygout");
        let text = rep.to_text();
        assert!(
            text.contains("line of sight: yes") && text.contains("free-space"),
            "{text}"
        );
    }

    #[test]
    fn rising_ridge_flips_line_of_sight() {
        let proj = Projector::new(32648).unwrap();
        let (mut r, c) = flat(&proj);
        let (from, to) = ends(&proj, c, 30.0, 30.0);
        let params = LinkParams::new(900.0);
        let mut results = Vec::new();
        // A north–south wall three cells wide across the middle of the path; bulge at the middle
        // is 4000²/(2kR) = 0.94 m, so the line (130 m) clears up to 129.06 m of wall.
        for wall_m in [120.0f32, 128.0, 130.0, 140.0] {
            let g = r.spec.clone();
            let (ix, _) = g.cell_of(c.0, c.1).unwrap();
            for iy in 0..g.ny {
                for dx in 0..3 {
                    r.set(ix - 1 + dx, iy, wall_m);
                }
            }
            let link = analyse_on(&r, 25.0, "wall", &proj, from, to, &params).unwrap();
            let o = link.report.worst_obstruction.clone().unwrap();
            assert!((o.distance_m - 4000.0).abs() <= 200.0, "{}", o.distance_m);
            results.push((link.report.line_of_sight, o.clearance_m));
            let dey = link.report.losses.iter().find(|l| l.model == "deygout");
            let dey = dey.unwrap().loss_db.unwrap();
            // A wall above the line costs more than a grazing edge's 6 dB.
            if wall_m >= 130.0 {
                assert!(dey > 6.0, "{wall_m}: {dey}");
            }
        }
        assert_eq!(
            results.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![true, true, false, false]
        );
        assert!(
            (results[0].1 - (130.0 - 120.0 - 0.9416)).abs() < 0.01,
            "{:?}",
            results
        );
    }

    #[test]
    fn same_point_and_far_points_are_errors() {
        let proj = Projector::new(32648).unwrap();
        let (r, _) = flat(&proj);
        let p = Endpoint {
            lon: 105.5,
            lat: 18.8,
            antenna_height_m: 30.0,
        };
        let e = analyse_on(&r, 25.0, "x", &proj, p, p, &LinkParams::new(900.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("same point"), "{e}");
        let q = Endpoint { lon: 105.6, ..p };
        let e = analyse_on(&r, 25.0, "x", &proj, p, q, &LinkParams::new(900.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("to point") && e.contains("outside"), "{e}");
    }
}
