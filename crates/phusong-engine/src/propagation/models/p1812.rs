//! ITU-R P.1812-6 (path-specific point-to-area prediction, 30 MHz–6 GHz) as a coverage model:
//! [`crate::propagation::p1812::predict`] on the profile from the site to each location.
//!
//! P.1812 has its own location variability (§4.7: σL from the Recommendation's formula unless
//! given), so the study's `location_reliability_pct` is its pL and no log-normal margin is
//! stacked on it; its time percentage is `time_pct`. Clutter enters through the profile points'
//! representative heights (§3.2), never as an extra offset as well.
//!
//! Point-to-point (`link`, gap analysis, `phusong site --exact`) evaluates the Recommendation on
//! the whole profile. Along a radial, the engine evaluates it exactly at a subset of the wanted
//! samples and interpolates the loss relative to free space in between, only across runs where
//! nothing that changes P.1812's branch happens: the transmitter horizon (a running maximum of
//! the elevation angles of Attachment 1 Eq (77)) stays the same point and the path stays line of
//! sight or trans-horizon throughout, and the excess loss at the run's ends differs by no more
//! than [`P1812::interp_tolerance_db`]; otherwise the run is halved down to evaluating every
//! wanted sample. `tests/fast_vs_exact.rs` holds the result to the exact evaluation per cell.

use super::{
    Cursor, LinkSpec, LossTable, PathLossModel, PathWalk, ProfilePoint, RadialBatch, Reliability,
    Warning, Warnings,
};
use crate::error::{check_range, ParamError};
use crate::propagation::free_space::fspl_db;
use crate::propagation::p1812::{
    self as algo, radiomet, P1812Params, Polarization, RadioClimaticZone,
};
use serde::{Deserialize, Serialize};

/// `kind = "p1812"`: the Recommendation's inputs that are not the path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct P1812 {
    /// Time percentage p for which the loss is not exceeded, % (1–50; 50 = median time).
    pub time_pct: f64,
    /// Average radio-refractive lapse rate ΔN through the lowest 1 km, N-units/km (§3.5; read
    /// from the ITU-R P.453 maps at the study's centre; ~45 over northern Viet Nam).
    pub delta_n_per_km: f64,
    /// Sea-level surface refractivity N₀, N-units (§3.5, P.453 maps; ~350 over northern Viet Nam).
    pub n0: f64,
    /// Location-variability σL, dB; absent: the Recommendation's §4.7 formula
    /// (0.52 + 0.024 f) w_a^0.28 with `location_area_width_m`.
    pub sigma_l_db: Option<f64>,
    /// Width w_a of the square area the location variability applies to, m (the grid cell).
    pub location_area_width_m: f64,
    pub polarization: Polarization,
    /// Latitude and longitude of the study's centre, degrees (path-centre latitude for β0, §3.6).
    pub latitude_deg: f64,
    pub longitude_deg: f64,
    /// Distance over land from the terminals to the coast, km (§3.4; ducting at small p).
    pub coast_distance_km: f64,
    /// Radial engine: longest run of wanted samples bridged by interpolation (1 = every wanted
    /// sample evaluated exactly).
    pub interp_max_span: usize,
    /// Radial engine: a run is bridged only if the excess loss over free space at its ends
    /// differs by at most this many dB.
    pub interp_tolerance_db: f64,
    /// Radial engine: ... and the surface inside (ground plus clutter) stays within this many metres of the straight
    /// line between the run's ends.
    pub interp_height_tolerance_m: f64,
}

impl Default for P1812 {
    fn default() -> Self {
        P1812 {
            time_pct: 50.0,
            delta_n_per_km: 45.0,
            n0: 350.0,
            sigma_l_db: None,
            location_area_width_m: 100.0,
            polarization: Polarization::Vertical,
            latitude_deg: 19.0,
            longitude_deg: 105.0,
            coast_distance_km: 50.0,
            interp_max_span: 8,
            interp_tolerance_db: 2.0,
            interp_height_tolerance_m: 10.0,
        }
    }
}

impl P1812 {
    /// The Recommendation's parameters for one link at a location percentage.
    pub fn params(&self, link: &LinkSpec, rel: Reliability) -> P1812Params {
        P1812Params {
            freq_ghz: link.freq_mhz / 1000.0,
            time_pct: self.time_pct,
            location_pct: rel.pct,
            sigma_l_db: self.sigma_l_db,
            location_area_width_m: self.location_area_width_m,
            htg_m: link.tx_height_m,
            hrg_m: link.rx_height_m,
            polarization: self.polarization,
            delta_n_per_km: self.delta_n_per_km,
            n0_n_units: self.n0,
            dct_km: self.coast_distance_km,
            dcr_km: self.coast_distance_km,
            phi_t_deg: self.latitude_deg,
            phi_r_deg: self.latitude_deg,
            lam_t_deg: self.longitude_deg,
            lam_r_deg: self.longitude_deg,
            tx_erp_kw: 1.0,
            building_entry: None,
        }
    }
}

/// A profile point of the engine in the Recommendation's form, at `d_m` from the transmitter.
fn point(p: &ProfilePoint, d_m: f64) -> algo::ProfilePoint {
    algo::ProfilePoint {
        d_km: d_m / 1000.0,
        h_m: p.ground_m,
        clutter_code: p.clutter_class,
        clutter_height_m: f64::from(p.clutter_height_m),
        zone: RadioClimaticZone::from_code(p.zone).unwrap_or(RadioClimaticZone::Inland),
    }
}

/// P.1812 on `profile` (points `step_m` apart, transmitter first); a one-step path gets a
/// midpoint (the Recommendation needs one intermediate point). The loss, or why it was refused.
fn predict_db(
    params: &P1812Params,
    profile: &[algo::ProfilePoint],
) -> Result<algo::P1812Result, algo::P1812Error> {
    with_midpoint(profile, |p| algo::predict(params, p))
}

/// Calls `f` on `profile`, or on it with a midpoint added when it has only its two ends.
fn with_midpoint<T>(profile: &[algo::ProfilePoint], f: impl Fn(&[algo::ProfilePoint]) -> T) -> T {
    if profile.len() == 2 {
        let (a, b) = (profile[0], profile[1]);
        let mid = algo::ProfilePoint {
            d_km: 0.5 * b.d_km,
            h_m: 0.5 * (a.h_m + b.h_m),
            ..a
        };
        return f(&[a, mid, b]);
    }
    f(profile)
}

impl PathLossModel for P1812 {
    fn kind(&self) -> &'static str {
        "p1812"
    }
    /// The Recommendation's validity ranges (§1, Table 1), named by key.
    fn validate(&self) -> Result<(), ParamError> {
        check_range("time_pct", self.time_pct, 1.0, 50.0, "1–50 % of time")?;
        check_range(
            "delta_n_per_km",
            self.delta_n_per_km,
            0.0,
            150.0,
            "0–150 N-units/km (k50 = 157/(157 − ΔN), Eq (5))",
        )?;
        check_range("n0", self.n0, 250.0, 450.0, "250–450 N-units")?;
        if let Some(s) = self.sigma_l_db {
            check_range("sigma_l_db", s, 0.0, 30.0, "0–30 dB")?;
        }
        check_range(
            "location_area_width_m",
            self.location_area_width_m,
            1.0,
            10_000.0,
            "1–10000 m",
        )?;
        check_range("latitude_deg", self.latitude_deg, -80.0, 80.0, "−80–80°")?;
        check_range(
            "longitude_deg",
            self.longitude_deg,
            -180.0,
            180.0,
            "−180–180°",
        )?;
        check_range(
            "coast_distance_km",
            self.coast_distance_km,
            0.0,
            5000.0,
            "0–5000 km",
        )?;
        if !(1..=64).contains(&self.interp_max_span) {
            return Err(ParamError::new(
                "interp_max_span",
                self.interp_max_span,
                "1–64 samples",
            ));
        }
        check_range(
            "interp_tolerance_db",
            self.interp_tolerance_db,
            0.0,
            20.0,
            "0–20 dB",
        )?;
        check_range(
            "interp_height_tolerance_m",
            self.interp_height_tolerance_m,
            0.0,
            1000.0,
            "0–1000 m",
        )
    }
    /// P.1812 over flat land at sea level (no terrain, no clutter): sizes each site's range.
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, rel: Reliability) -> f64 {
        const POINTS: usize = 16;
        let flat: Vec<algo::ProfilePoint> = (0..=POINTS)
            .map(|i| point(&ProfilePoint::ground(0.0), d_m * i as f64 / POINTS as f64))
            .collect();
        predict_db(&self.params(link, rel), &flat)
            .map(|r| r.lb_db)
            .unwrap_or_else(|_| fspl_db(d_m, link.freq_mhz))
    }
    /// All of P.1812's loss depends on the profile: nothing is tabulated.
    fn terrain_free_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> f64 {
        0.0
    }
    fn shadow_sigma_db(&self, _link: &LinkSpec, _d_m: f64, _los: bool) -> Option<f64> {
        None
    }
    fn is_costly(&self) -> bool {
        true
    }
    /// One profile point per DEM cell, as the exact per-cell reference: P.1812 adds clutter
    /// heights at every intermediate point (§3.2), so its loss depends on their spacing.
    fn profile_step_cells(&self) -> Option<f64> {
        Some(1.0)
    }
    /// The site's own cell gets free space at half a step.
    fn origin_db(&self, table: &LossTable) -> f64 {
        fspl_db(0.5 * table.step_m, table.link.freq_mhz) + table.config.extra_loss_db
    }
    /// §1: the method is for paths of 0.25–3000 km.
    fn validity(&self, _link: &LinkSpec, d_m: f64) -> Option<Warning> {
        (!(250.0..=3_000_000.0).contains(&d_m)).then_some(Warning::P1812Distance)
    }
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a> {
        Box::new(P1812Walk {
            cursor: Cursor::new(table),
            profile: vec![point(&ProfilePoint::ground(tx_ground_m), 0.0)],
            params: self.params(&table.link, table.config.reliability()),
        })
    }
    fn radial_batch<'a>(&'a self, table: &'a LossTable) -> Option<Box<dyn RadialBatch + 'a>> {
        // Validated once: the radials' own profiles are valid by construction.
        let params = self.params(&table.link, table.config.reliability());
        let params = params.validate().map(|()| params);
        let ae_m = 1000.0 * radiomet::effective_earth_radius_km(self.delta_n_per_km);
        Some(Box::new(P1812Batch {
            model: self,
            table,
            params,
            ae_m,
        }))
    }
}

/// P.1812 point-to-point on the profile from the site to each sample.
struct P1812Walk<'a> {
    cursor: Cursor<'a>,
    profile: Vec<algo::ProfilePoint>,
    params: P1812Params,
}

impl PathWalk for P1812Walk<'_> {
    fn step(&mut self, p: &ProfilePoint) -> f64 {
        let Some((k, d_m)) = self.cursor.advance() else {
            return f64::NAN;
        };
        self.profile.push(point(p, d_m));
        self.cursor.evaluated(k);
        match predict_db(&self.params, &self.profile) {
            Ok(r) => r.lb_db + self.cursor.table.nlos_db[k],
            Err(_) => {
                self.cursor.warnings.add(Warning::P1812Refused, 1);
                f64::NAN
            }
        }
    }
    fn skip(&mut self, p: &ProfilePoint) {
        self.cursor.k += 1;
        let d_m = self.cursor.k as f64 * self.cursor.table.step_m;
        self.profile.push(point(p, d_m));
    }
    fn warnings(&self) -> &Warnings {
        &self.cursor.warnings
    }
}

/// P.1812 over whole radials of one site and frequency (see the module's documentation).
struct P1812Batch<'a> {
    model: &'a P1812,
    table: &'a LossTable,
    /// The Recommendation's inputs, or why it refuses every path of this site and frequency.
    params: Result<P1812Params, algo::P1812Error>,
    /// Median effective earth radius a_e, m (§3.5, Eq (7)).
    ae_m: f64,
}

/// What decides P.1812's branch at one sample, known without evaluating it: whether the path is
/// trans-horizon and which point is the transmitter's horizon (Attachment 1 Eqs (77)–(79)).
#[derive(Clone, Copy, PartialEq)]
struct Branch {
    trans_horizon: bool,
    tx_horizon: usize,
}

impl P1812Batch<'_> {
    /// The branch at every sample k = 1…n of `ground_m` (index k − 1); `surface_m` is ground plus
    /// representative clutter height, what a point presents as an intermediate point (§3.2).
    fn branches(&self, ground_m: &[f64], surface_m: &[f64], n: usize) -> Vec<Branch> {
        let l = &self.table.link;
        let step = self.table.step_m;
        let hts = ground_m[0] + l.tx_height_m;
        let elevation = |i: usize, h: f64| {
            let d = i as f64 * step;
            (h - hts) / d - d / (2.0 * self.ae_m)
        };
        let (mut best, mut best_i) = (f64::NEG_INFINITY, 0);
        (1..=n)
            .map(|k| {
                let theta_td = elevation(k, ground_m[k] + l.rx_height_m);
                let trans_horizon = best_i > 0 && best > theta_td;
                let b = Branch {
                    trans_horizon,
                    tx_horizon: if trans_horizon { best_i } else { 0 },
                };
                let e = elevation(k, surface_m[k]);
                if e > best {
                    (best, best_i) = (e, k);
                }
                b
            })
            .collect()
    }
}

impl RadialBatch for P1812Batch<'_> {
    fn losses(
        &self,
        points: &[ProfilePoint],
        wanted: &[bool],
        warnings: &mut Warnings,
    ) -> Vec<f64> {
        let t = self.table;
        let n = t.batch_samples(points.len(), wanted.len());
        let mut out = vec![f64::NAN; points.len().saturating_sub(1)];
        // The points keep their clutter heights: P.1812 adds them at intermediate points (§3.2).
        let profile: Vec<algo::ProfilePoint> = points[..=n]
            .iter()
            .enumerate()
            .map(|(k, p)| point(p, k as f64 * t.step_m))
            .collect();
        let ground_m: Vec<f64> = points.iter().map(|p| p.ground_m).collect();
        let surface_m: Vec<f64> = points
            .iter()
            .map(|p| p.ground_m + f64::from(p.clutter_height_m))
            .collect();
        let fs = |k: usize| fspl_db(k as f64 * t.step_m, t.link.freq_mhz);
        let branch = self.branches(&ground_m, &surface_m, n);
        let want: Vec<usize> = (1..=n).filter(|&k| wanted[k - 1]).collect();
        warnings.evaluations += want.len() as u64;
        for &k in &want {
            if let Some(w) = t.validity[k] {
                warnings.add(w, 1);
            }
        }
        // Excess loss over free space at sample k, exactly; None where refused.
        let exact = |k: usize, warnings: &mut Warnings| match &self.params {
            Ok(params) => Some(
                with_midpoint(&profile[..=k], |p| algo::predict_trusted(params, p)).lb_db - fs(k),
            ),
            Err(_) => {
                warnings.add(Warning::P1812Refused, 1);
                None
            }
        };
        let mut excess = vec![None; n + 1];
        let span = self.model.interp_max_span;
        if let Some(&first) = want.first() {
            excess[first] = exact(first, warnings);
        }
        let mut i = 0;
        while i + 1 < want.len() {
            // A run from `a` reaches at most `span` wanted samples and a quarter of the distance.
            let a = want[i];
            let mut j = i + 1;
            while j + 1 < want.len() && j + 1 - i <= span && want[j + 1] <= a + a / 4 {
                j += 1;
            }
            self.bridge(
                &want[i..=j],
                &branch,
                &surface_m,
                &mut excess,
                &exact,
                warnings,
            );
            i = j;
        }
        for k in want {
            if let Some(e) = excess[k] {
                out[k - 1] = e + fs(k) + t.nlos_db[k];
            }
        }
        out
    }
}

impl P1812Batch<'_> {
    /// Fills `excess` at the wanted samples `run` (the first already evaluated): evaluates the
    /// last exactly, then interpolates between the ends if the run keeps one branch and the ends
    /// agree within the tolerance, else halves it.
    fn bridge(
        &self,
        run: &[usize],
        branch: &[Branch],
        ground_m: &[f64],
        excess: &mut [Option<f64>],
        exact: &dyn Fn(usize, &mut Warnings) -> Option<f64>,
        warnings: &mut Warnings,
    ) {
        if run.len() < 2 {
            return;
        }
        let (a, b) = (run[0], run[run.len() - 1]);
        if excess[b].is_none() {
            excess[b] = exact(b, warnings);
        }
        if run.len() == 2 {
            return;
        }
        let same_branch = branch[a - 1..b].iter().all(|&x| x == branch[a - 1]);
        // The receiver's own surroundings drive the Rx horizon: bridge only over ground that
        // stays near the straight line between the run's ends.
        let (ga, gb) = (ground_m[a], ground_m[b]);
        let smooth = (a + 1..b).all(|k| {
            let f = (k - a) as f64 / (b - a) as f64;
            (ground_m[k] - (ga + f * (gb - ga))).abs() <= self.model.interp_height_tolerance_m
        });
        if let (true, true, Some(ea), Some(eb)) = (same_branch, smooth, excess[a], excess[b]) {
            if (eb - ea).abs() <= self.model.interp_tolerance_db {
                for &k in &run[1..run.len() - 1] {
                    let f = (k - a) as f64 / (b - a) as f64;
                    excess[k] = Some(ea + f * (eb - ea));
                }
                return;
            }
        }
        let mid = run.len() / 2;
        excess[run[mid]] = exact(run[mid], warnings);
        self.bridge(&run[..=mid], branch, ground_m, excess, exact, warnings);
        self.bridge(&run[mid..], branch, ground_m, excess, exact, warnings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::models::{Model, ModelConfig, TerrainProfile};
    use crate::propagation::p1812::combination::sigma_location_db;
    use crate::propagation::reliability::normal_quantile;

    const LINK: LinkSpec = LinkSpec {
        freq_mhz: 900.0,
        tx_height_m: 30.0,
        rx_height_m: 1.5,
    };

    /// 12 km of hills with a ridge, 90 m apart.
    fn hills() -> TerrainProfile {
        let ground: Vec<f64> = (0..=133)
            .map(|i| {
                let x = i as f64 * 90.0;
                120.0 + 60.0 * (x / 1500.0).sin() + if (70..75).contains(&i) { 150.0 } else { 0.0 }
            })
            .collect();
        TerrainProfile::from_ground(90.0, &ground)
    }

    fn config(m: P1812, rel_pct: f64) -> ModelConfig {
        ModelConfig {
            model: Model::P1812(m),
            location_reliability_pct: rel_pct,
            ..ModelConfig::default()
        }
    }

    #[test]
    fn point_to_point_is_the_recommendation_on_the_same_profile() {
        let m = P1812::default();
        let prof = hills();
        let (loss, _) = config(m.clone(), 50.0)
            .profile_loss_db(&LINK, &prof)
            .unwrap();
        // The Recommendation called directly, km and GHz.
        let pts: Vec<algo::ProfilePoint> = prof
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| algo::ProfilePoint {
                d_km: i as f64 * 0.09,
                h_m: p.ground_m,
                clutter_code: 0,
                clutter_height_m: 0.0,
                zone: RadioClimaticZone::Inland,
            })
            .collect();
        let direct = algo::predict(&m.params(&LINK, Reliability::new(50.0)), &pts).unwrap();
        assert!(
            (loss - direct.lb_db).abs() < 1e-9,
            "{loss} vs {}",
            direct.lb_db
        );
        assert!(direct.trans_horizon, "the ridge hides the receiver");
        assert!(loss > fspl_db(prof.step_m * 133.0, 900.0) + 10.0);
    }

    #[test]
    fn location_percentage_moves_the_loss_by_the_recommendations_sigma() {
        let prof = hills();
        let at = |pct: f64| {
            config(P1812::default(), pct)
                .profile_loss_db(&LINK, &prof)
                .unwrap()
                .0
        };
        // §4.7: σL = (0.52 + 0.024 f) w_a^0.28 u_h, u_h = 1 − (h − R)/10 for R = 0, h = 1.5 m.
        let sigma = (0.52 + 0.024 * 0.9) * 100f64.powf(0.28) * (1.0 - 1.5 / 10.0);
        assert!((sigma - sigma_location_db(0.9, 100.0, 1.5, 0.0)).abs() < 1e-12);
        // Attachment 2's I(x) is the complementary quantile (I(0.9) ≈ −1.2816), within 4.5e-4
        // of the exact one.
        let z = -crate::propagation::p1812::stats::inv_cum_norm(0.9);
        assert!((z - normal_quantile(0.9)).abs() < 1e-3);
        let expected = sigma * z;
        assert!(
            ((at(90.0) - at(50.0)) - expected).abs() < 1e-6,
            "90 % − 50 % = {} dB, σL·z = {expected} dB",
            at(90.0) - at(50.0)
        );
        // No log-normal margin stacked: the terrain-free table holds nothing but the extra loss.
        let c = config(P1812::default(), 90.0);
        let t = c.loss_table(&LINK, 90.0, 10);
        assert!(t.nlos_db.iter().all(|&v| v == 0.0));
        // A given σL replaces the formula.
        let fixed = P1812 {
            sigma_l_db: Some(8.0),
            ..P1812::default()
        };
        let l = |pct| {
            config(fixed.clone(), pct)
                .profile_loss_db(&LINK, &prof)
                .unwrap()
                .0
        };
        assert!(((l(90.0) - l(50.0)) - 8.0 * z).abs() < 1e-6);
    }

    #[test]
    fn parameters_outside_the_recommendation_are_refused_by_name() {
        let bad = |m: P1812, pct: f64, key: &str| {
            let e = config(m, pct).validate().unwrap_err().to_string();
            assert!(e.contains(key), "{e}");
        };
        let d = P1812::default;
        bad(
            P1812 {
                time_pct: 60.0,
                ..d()
            },
            50.0,
            "time_pct",
        );
        bad(
            P1812 {
                n0: f64::NAN,
                ..d()
            },
            50.0,
            "n0",
        );
        bad(
            P1812 {
                sigma_l_db: Some(-1.0),
                ..d()
            },
            50.0,
            "sigma_l_db",
        );
        bad(
            P1812 {
                interp_max_span: 0,
                ..d()
            },
            50.0,
            "interp_max_span",
        );
        bad(d(), 99.5, "location_reliability_pct");
        assert!(config(d(), 99.0).validate().is_ok());
    }

    #[test]
    fn radial_batch_equals_exact_evaluation_when_interpolation_is_off() {
        // With every wanted sample evaluated, the batch (the Recommendation without its input
        // checks, and at p ≥ 50 % without L_dβ) is the walker's point-to-point on each prefix.
        let prof = hills();
        let ground: Vec<f64> = prof.points.iter().map(|p| p.ground_m).collect();
        let wanted = vec![true; ground.len() - 1];
        let mut fast: Vec<f64>;
        for time_pct in [50.0, 10.0] {
            let m = P1812 {
                interp_max_span: 1,
                time_pct,
                ..P1812::default()
            };
            let c = config(m, 50.0);
            let t = c.loss_table(&LINK, 90.0, ground.len() - 1);
            let batch = t.radial_batch().unwrap();
            fast = batch.losses(&prof.points, &wanted, &mut Warnings::default());
            for k in [1, 2, 5, 40, 72, 80, 133] {
                let exact = c
                    .profile_loss_db(&LINK, &TerrainProfile::from_ground(90.0, &ground[..=k]))
                    .unwrap()
                    .0;
                assert!(
                    (fast[k - 1] - exact).abs() < 1e-9,
                    "p {time_pct} %, k = {k}: {} vs {exact}",
                    fast[k - 1]
                );
            }
        }
        // Back at p = 50 % for the interpolated run below.
        let m = P1812 {
            interp_max_span: 1,
            ..P1812::default()
        };
        let t = config(m, 50.0).loss_table(&LINK, 90.0, ground.len() - 1);
        fast = t
            .radial_batch()
            .unwrap()
            .losses(&prof.points, &wanted, &mut Warnings::default());
        // And with interpolation on, every sample stays within the run tolerance of it.
        let c2 = config(P1812::default(), 50.0);
        let t2 = c2.loss_table(&LINK, 90.0, ground.len() - 1);
        let interp =
            t2.radial_batch()
                .unwrap()
                .losses(&prof.points, &wanted, &mut Warnings::default());
        let worst = fast
            .iter()
            .zip(&interp)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 3.0, "interpolated radial off by {worst} dB");
    }
}
