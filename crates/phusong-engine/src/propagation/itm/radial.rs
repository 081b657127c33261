//! ITM point-to-point along a radial, for coverage: the loss from one site to every sample of a
//! radial, each the ITM prediction for the profile from the site to that sample (what calling
//! [`super::p2p`] on every prefix of the radial gives), at a fraction of the cost.
//!
//! Two entry points:
//! - [`ItmSite::radial_losses`] takes the whole radial (and optionally which samples are wanted)
//!   and is the fast one: it sees ahead, so it can interpolate between exact evaluations;
//! - [`ItmRadial::push`] / [`ItmRadial::skip`] take one sample at a time (the prediction at every
//!   pushed sample is evaluated; only the profile analysis is incremental).
//!
//! What is exact (the algorithm, computed differently):
//! - **Transmitter horizon**: the point of greatest elevation angle from the transmitter
//!   ([`super::profile::horizons`]) is a running maximum over the intermediate points (O(1)).
//! - **Receiver horizon**: with heights corrected for the earth's curvature (Z = z − x²/2a_e, x
//!   from the transmitter), the elevation angle from the receiver of every point is
//!   (Z_i − Z_r)/(x_r − x_i) − x_r/a_e: the slope plus a term common to all points. So the horizon
//!   is the upper tangent from the receiver to the upper convex hull of the profile; a
//!   monotone-chain hull is kept as points arrive and the tangent found by binary search
//!   (O(log h)).
//! - **Mean height and least-squares fits** ([`super::profile::fit_line_ends`]) from running sums of
//!   z and k·z (O(1)).
//! - Everything that depends only on the parameters and the frequency ([`MediumConstants`],
//!   [`Variability`], the free-space term) is computed once per site.
//!
//! What is approximated (each a knob of [`FastOptions`]; [`FastOptions::exact`] turns them all
//! off and the evaluator then reproduces `p2p` on every prefix to 1e-6 dB):
//! - **Elementary functions**: exp, ln, log10, cube root, sin/cos by short polynomials
//!   ([`super::math::Fast`], < 1e-9 relative).
//! - **Effective earth radius**: a_e follows the path's mean height; it is recomputed only when
//!   that height has moved by 5 m (a_e then changes by ~3e-4 relative), and the horizon searches
//!   keep what they found under earlier samples' a_e (the receiver hull is built with the first
//!   sample's a_e and its tangent refined along the hull with the current one): only near-ties
//!   can differ.
//! - **Terrain irregularity Δh** (the interdecile range of the terrain about a straight line,
//!   O(n) per computation): computed on at most 75 resampled points instead of the algorithm's
//!   245, and only when the path has grown by 25 % since the last computation (every sample for
//!   the first few); in between, interpolated linearly (batch) or held (push). Its distance
//!   correction [ERL 79 eq. (3)] is applied at every sample.
//! - **Interpolation** (batch only): the full model is evaluated at the ends of runs of up to 8
//!   samples (at most a quarter of the distance); the samples between get the attenuation
//!   relative to free space interpolated linearly, when the run stays on one geometry branch
//!   (well-within-line-of-sight or not, each terminal seeing the other or not), both ends are in
//!   the same propagation region, and the effective heights, horizon angles and distances inside
//!   are close to linear. Otherwise the run is halved, down to evaluating every sample.
//! - Samples of runs without a wanted sample only extend the profile (no horizons, no Δh).
//!
//! The fidelity against `p2p` is tested on synthetic mountain, lowland and coast terrain
//! (`tests/radial_fidelity.rs`); `examples/site_timing.rs` measures the speed.

use super::math::{Fast, Math};
use super::profile::{self, Horizons};
use super::reference::reference_attenuation;
use super::variability::{Quantiles, Variability};
use super::{
    validate, ItmError, ItmParams, Mdvar, Medium, MediumConstants, Mode, PathGeometry, PropMode,
};
use std::collections::BTreeMap;

/// Knobs of the radial evaluator's approximations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FastOptions {
    /// [`ItmSite::radial_losses`]: Δh is recomputed once the path has grown by this fraction of
    /// its length at the last computation (at every sample while that is less than one sample),
    /// and interpolated linearly in between; 0 recomputes it at every sample.
    pub delta_h_growth: f64,
    /// The same for [`ItmRadial::push`], which cannot see ahead and holds Δh between
    /// computations (so it recomputes more often).
    pub push_delta_h_growth: f64,
    /// [`ItmSite::radial_losses`] only: the longest run of samples bridged by interpolating the
    /// attenuation relative to free space between two exact evaluations (1: every sample
    /// evaluated). Runs are also at most a quarter of the distance, so short paths are evaluated
    /// densely.
    pub max_span: usize,
    /// [`ItmSite::radial_losses`] only: a run is bridged only if, at every sample inside it, the
    /// effective heights lie within this many metres (plus [`FastOptions::rel_tolerance`] of
    /// their value) of the straight line between the run's ends; otherwise it is split.
    pub height_tolerance_m: f64,
    /// Relative part of the effective-height tolerance.
    pub rel_tolerance: f64,
    /// ... and the horizon elevation angles within this many radians of theirs.
    pub angle_tolerance_rad: f64,
    /// The medium (surface refractivity N_s and effective earth radius a_e, which follow the
    /// path's mean height) is recomputed only when the mean height has moved by at least this
    /// many metres: 5 m changes a_e by about 3e-4 relative, the earth bulge over 25 km by 1 cm.
    pub medium_reuse_m: f64,
    /// The interdecile range of Δh is taken over at most 10·p − 5 points resampled from the
    /// profile, p = this (4–25); the algorithm uses 25 (245 points). Fewer points make each Δh
    /// computation cheaper and its estimate a little noisier.
    pub delta_h_max_p10: usize,
}

impl Default for FastOptions {
    fn default() -> Self {
        FastOptions {
            delta_h_growth: 0.25,
            push_delta_h_growth: 0.1,
            max_span: 8,
            height_tolerance_m: 10.0,
            rel_tolerance: 0.25,
            angle_tolerance_rad: 0.02,
            medium_reuse_m: 5.0,
            delta_h_max_p10: 8,
        }
    }
}

impl FastOptions {
    /// Every sample evaluated, Δh and the medium recomputed at every sample: the radial then
    /// agrees with [`super::p2p`] on every prefix up to rounding (and horizon near-ties).
    pub fn exact() -> FastOptions {
        FastOptions {
            delta_h_growth: 0.0,
            push_delta_h_growth: 0.0,
            max_span: 1,
            medium_reuse_m: 0.0,
            delta_h_max_p10: 25,
            ..FastOptions::default()
        }
    }

    fn validate(&self) -> Result<(), ItmError> {
        let checks = [
            (
                "delta_h_growth",
                self.delta_h_growth,
                0.0,
                1.0,
                "a fraction in 0–1",
            ),
            (
                "height_tolerance_m",
                self.height_tolerance_m,
                0.0,
                1e4,
                "0–10 000 m",
            ),
            (
                "rel_tolerance",
                self.rel_tolerance,
                0.0,
                1.0,
                "a fraction in 0–1",
            ),
            (
                "angle_tolerance_rad",
                self.angle_tolerance_rad,
                0.0,
                1.0,
                "0–1 rad",
            ),
            ("medium_reuse_m", self.medium_reuse_m, 0.0, 100.0, "0–100 m"),
        ];
        for (name, v, lo, hi, what) in checks {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                return Err(ItmError::Option {
                    name,
                    value: v,
                    expected: what.into(),
                });
            }
        }
        if !(4..=25).contains(&self.delta_h_max_p10) {
            return Err(ItmError::Option {
                name: "delta_h_max_p10",
                value: self.delta_h_max_p10 as f64,
                expected: "4–25 (a tenth of the resampled points)".into(),
            });
        }
        if !(1..=64).contains(&self.max_span) {
            return Err(ItmError::Option {
                name: "max_span",
                value: self.max_span as f64,
                expected: "1–64 samples".into(),
            });
        }
        Ok(())
    }
}

/// Everything one site (terminal heights, frequency, sample spacing, ITM parameters) shares
/// across its radials: validated once, constants computed once.
#[derive(Clone, Debug)]
pub struct ItmSite {
    h_m: [f64; 2],
    step_m: f64,
    medium: MediumConstants,
    variability: Variability,
    /// Input warnings ([`super::warn`]) every prediction of this site carries.
    input_warnings: u32,
    /// 32.45 + 20 log f, dB: free-space loss less its distance term.
    fspl_freq_db: f64,
    /// Free-space loss at sample k (k·step), dB, for k < [`FSPL_TABLE_LEN`].
    fspl_table_db: Vec<f64>,
    options: FastOptions,
}

impl ItmSite {
    /// Validates the inputs as [`super::p2p`] does (same errors and NTIA codes); `step_m` is the
    /// spacing of the radial's samples, m (finite, > 0).
    pub fn new(
        params: &ItmParams,
        tx_height_m: f64,
        rx_height_m: f64,
        step_m: f64,
        freq_mhz: f64,
    ) -> Result<ItmSite, ItmError> {
        let input_warnings = validate(tx_height_m, rx_height_m, freq_mhz, params)?;
        if !(step_m > 0.0 && step_m.is_finite()) {
            return Err(ItmError::Profile(format!(
                "point spacing {step_m} m; expected a finite spacing > 0 m"
            )));
        }
        let mdvar = Mdvar::from_code(params.mdvar)?;
        let quantiles = Quantiles {
            time_pct: params.time_pct,
            location_pct: params.location_pct,
            situation_pct: params.situation_pct,
        };
        let fspl_freq_db = 32.45 + 20.0 * freq_mhz.log10();
        let fspl_table_db = (0..FSPL_TABLE_LEN)
            .map(|k| fspl_freq_db + 20.0 * (k as f64 * step_m / 1000.0).log10())
            .collect();
        Ok(ItmSite {
            h_m: [tx_height_m, rx_height_m],
            step_m,
            medium: MediumConstants::new(params, freq_mhz),
            variability: Variability::new(&quantiles, mdvar, params.climate, freq_mhz),
            input_warnings,
            fspl_freq_db,
            fspl_table_db,
            options: FastOptions::default(),
        })
    }

    /// The same site with other approximation knobs (validated).
    pub fn with_options(mut self, options: FastOptions) -> Result<ItmSite, ItmError> {
        options.validate()?;
        self.options = options;
        Ok(self)
    }

    pub fn options(&self) -> &FastOptions {
        &self.options
    }

    pub fn step_m(&self) -> f64 {
        self.step_m
    }

    /// Free-space basic transmission loss at sample k, dB (as [`super::free_space_loss_db`]).
    fn fspl_db(&self, k: usize) -> f64 {
        match self.fspl_table_db.get(k) {
            Some(&l) => l,
            None => self.fspl_freq_db + 20.0 * (k as f64 * self.step_m / 1000.0).log10(),
        }
    }

    /// A radial starting at the transmitter, whose ground is `tx_ground_m` (m above sea level).
    pub fn radial(&self, tx_ground_m: f64) -> Result<ItmRadial<'_>, ItmError> {
        self.radial_with_capacity(tx_ground_m, 512)
    }

    /// [`ItmSite::radial`] with room for `samples` samples.
    fn radial_with_capacity(
        &self,
        tx_ground_m: f64,
        samples: usize,
    ) -> Result<ItmRadial<'_>, ItmError> {
        let mut sums = Vec::with_capacity(samples + 2);
        sums.push(0.0);
        let mut r = ItmRadial {
            site: self,
            z: Vec::with_capacity(samples + 1),
            sum_z: sums.clone(),
            sum_kz: sums,
            tx_best: None,
            hull: Vec::with_capacity(64),
            curvature_ref: 0.0,
            inv_2a: 0.0,
            held_delta_h: None,
            last: None,
            medium_cache: None,
            scratch: Vec::with_capacity(245),
        };
        r.extend(tx_ground_m, 0)?;
        let m = Medium::at_height::<Fast>(&self.medium, tx_ground_m);
        r.inv_2a = 0.5 * m.gamma_e;
        r.curvature_ref = r.inv_2a;
        r.hull.push(HullPoint {
            i: 0,
            zc: tx_ground_m + self.h_m[0],
        });
        Ok(r)
    }

    /// Losses along a whole radial at once: `ground_m[0]` is the transmitter's ground,
    /// `ground_m[k]` the ground of sample k (at k·step). Returns the basic transmission loss (dB)
    /// to each sample k ≥ 1 at index k − 1; NaN where `wanted` (if given, one flag per sample
    /// k ≥ 1) is false or where ITM refuses the path. Fails only on malformed input (non-finite
    /// height, `wanted` of the wrong length).
    ///
    /// Seeing the whole radial, it computes the profile analysis at every sample but the full
    /// model only at some: runs of samples whose geometry is smooth (same horizons, same
    /// line-of-sight branch, effective heights and horizon angles close to linear — see
    /// [`FastOptions`]) and whose ends are in the same propagation region get the attenuation
    /// relative to free space interpolated linearly between the ends; other runs are split in two
    /// until they pass or every sample is evaluated.
    pub fn radial_losses(
        &self,
        ground_m: &[f64],
        wanted: Option<&[bool]>,
    ) -> Result<Vec<f64>, ItmError> {
        self.radial_losses_with_stats(ground_m, wanted)
            .map(|(l, _)| l)
    }

    /// [`ItmSite::radial_losses`] and how much work it did.
    pub fn radial_losses_with_stats(
        &self,
        ground_m: &[f64],
        wanted: Option<&[bool]>,
    ) -> Result<(Vec<f64>, RadialStats), ItmError> {
        let Some((&first, rest)) = ground_m.split_first() else {
            return Err(ItmError::Profile(
                "empty radial; expected the transmitter's ground first".into(),
            ));
        };
        let n_last = rest.len();
        if let Some(w) = wanted {
            if w.len() != n_last {
                return Err(ItmError::Option {
                    name: "wanted (flags)",
                    value: w.len() as f64,
                    expected: format!("one flag per sample after the first ({n_last})"),
                });
            }
        }
        let is_wanted = |k: usize| wanted.is_none_or(|w| w[k - 1]);
        let mut stats = RadialStats {
            samples: n_last,
            ..RadialStats::default()
        };
        if n_last == 0 {
            return Ok((Vec::new(), stats));
        }
        // The runs bridged by interpolation; samples of runs without a wanted sample are only
        // appended to the profile.
        let runs = self.runs(n_last);
        let mut needed = vec![false; n_last + 1];
        for &(a, b) in &runs {
            if (a..=b).any(is_wanted) {
                needed[a..=b].fill(true);
            }
        }
        // 1. Horizons and terrain windows where needed (they depend on the profile up to the
        // sample, so they are found as the profile grows).
        let mut r = self.radial_with_capacity(first, n_last)?;
        let mut pre: Vec<Option<ProfileState>> = vec![None; n_last + 1];
        for (k, &z) in (1..).zip(rest) {
            r.advance(z)?;
            if needed[k] {
                pre[k] = Some(r.profile_state(k));
            }
        }
        // 2. Δh at a geometric schedule of the needed samples, interpolated in between.
        let (ranges, refreshes) = r.delta_h_schedule(&pre);
        stats.delta_h_computations = refreshes;
        // 3. Exact evaluations at the ends of runs, interpolation or splitting in between.
        let mut batch = Batch {
            site: self,
            radial: &r,
            pre: &pre,
            ranges: &ranges,
            geo: vec![None; n_last + 1],
            evals: vec![None; n_last + 1],
            out: vec![f64::NAN; n_last],
            interpolated_flags: vec![0; n_last + 1],
            interpolated: 0,
        };
        for &(a, b) in runs.iter().filter(|&&(a, _)| needed[a]) {
            batch.bridge(a, b, &is_wanted);
        }
        stats.evaluations = batch.evals.iter().filter(|e| e.is_some()).count();
        stats.interpolated = batch.interpolated;
        // 4. Warning flags and refusals over the wanted samples; an interpolated sample carries
        // the flags of the evaluation at the start of its run.
        for k in (1..=n_last).filter(|&k| is_wanted(k)) {
            match batch.evals[k] {
                Some(Ok(e)) => stats.count_flags(e.warnings),
                Some(Err(code)) => {
                    stats.refused += 1;
                    *stats.refusals_by_code.entry(code).or_default() += 1;
                }
                None => stats.count_flags(batch.interpolated_flags[k]),
            }
        }
        Ok((batch.out, stats))
    }

    /// The runs (a, b) of samples bridged by interpolation, covering 1…`n_last`: at most
    /// [`FastOptions::max_span`] samples and a quarter of the distance.
    fn runs(&self, n_last: usize) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        let mut a = 1;
        loop {
            let b = (a + (a / 4).clamp(1, self.options.max_span)).min(n_last);
            runs.push((a, b));
            if b == n_last {
                return runs;
            }
            a = b;
        }
    }

    /// The full model over one analysed path: attenuation relative to free space (dB) and what
    /// else the prediction gave.
    fn evaluate(
        &self,
        geom: &PathGeometry,
        medium: &Medium,
    ) -> Result<(f64, SampleInfo), ItmError> {
        let reference = reference_attenuation::<Fast>(geom, medium, Mode::PointToPoint)?;
        let v = self.variability.apply::<Fast>(geom, reference.a_ref_db);
        Ok((
            v.a_db,
            SampleInfo {
                warnings: self.input_warnings | reference.warnings | v.warnings,
                mode: reference.mode,
                delta_h_m: geom.delta_h_m,
            },
        ))
    }
}

/// One call of [`ItmSite::radial_losses_with_stats`] after the profile analysis: the geometry and
/// the exact evaluations computed so far (index = sample), and the losses.
struct Batch<'a> {
    site: &'a ItmSite,
    radial: &'a ItmRadial<'a>,
    pre: &'a [Option<ProfileState>],
    /// Interdecile ranges of Δh per sample (computed or interpolated).
    ranges: &'a [Option<f64>],
    geo: Vec<Option<PathGeometry>>,
    /// Exact evaluations; `Err` holds ITM's refusal code (0: no profile state, which does not
    /// happen for the samples evaluated).
    evals: Vec<Option<Result<Eval, u32>>>,
    /// Loss to sample k at index k − 1, dB.
    out: Vec<f64>,
    /// Warning flags an interpolated sample carries.
    interpolated_flags: Vec<u32>,
    interpolated: usize,
}

impl Batch<'_> {
    /// Effective geometry at sample k (computed once).
    fn geometry(&mut self, k: usize) -> Option<PathGeometry> {
        if self.geo[k].is_none() {
            let p = self.pre[k].as_ref()?;
            let dh = delta_h_from_range(self.ranges[k], p.window_m, self.site.step_m);
            self.geo[k] = Some(self.radial.geometry(k, p, dh));
        }
        self.geo[k]
    }

    /// The full model at sample k (evaluated once).
    fn eval(&mut self, k: usize) -> Result<Eval, u32> {
        if let Some(e) = self.evals[k] {
            return e;
        }
        let e = match (self.pre[k], self.geometry(k)) {
            (Some(p), Some(g)) => self
                .site
                .evaluate(&g, &p.medium)
                .map(|(a_rel_db, info)| Eval {
                    a_rel_db,
                    mode: info.mode,
                    warnings: info.warnings,
                })
                .map_err(|e| e.code()),
            _ => Err(0),
        };
        self.evals[k] = Some(e);
        e
    }

    /// The wanted samples of run (a, b): its ends evaluated, the inside interpolated when the run
    /// is smooth and both ends are in one propagation region, else the run halved.
    fn bridge(&mut self, a: usize, b: usize, is_wanted: &dyn Fn(usize) -> bool) {
        let mut stack = vec![(a, b)];
        while let Some((lo, hi)) = stack.pop() {
            let inner_wanted = (lo + 1..hi).any(is_wanted);
            // Ends exact (when wanted, or needed to bridge the inside).
            for k in [lo, hi] {
                if is_wanted(k) {
                    if let Ok(e) = self.eval(k) {
                        self.out[k - 1] = self.site.fspl_db(k) + e.a_rel_db;
                    }
                }
            }
            if !inner_wanted {
                continue;
            }
            match (self.eval(lo), self.eval(hi)) {
                (Ok(ea), Ok(eb)) if ea.mode == eb.mode && self.smooth_between(lo, hi) => {
                    for k in (lo + 1..hi).filter(|&k| is_wanted(k)) {
                        let t = (k - lo) as f64 / (hi - lo) as f64;
                        let a_rel = ea.a_rel_db + t * (eb.a_rel_db - ea.a_rel_db);
                        self.out[k - 1] = self.site.fspl_db(k) + a_rel;
                        self.interpolated_flags[k] = ea.warnings;
                        self.interpolated += 1;
                    }
                }
                _ => {
                    let mid = (lo + hi) / 2;
                    stack.push((mid, hi));
                    stack.push((lo, mid));
                }
            }
        }
    }

    /// Whether samples lo < k < hi lie on the same line-of-sight branch as both ends (and see or
    /// do not see the other terminal as they do) and their effective heights, horizon angles and
    /// horizon distances are close to the straight line between the ends' — then the attenuation
    /// is smooth enough to interpolate. The branch is checked at every sample; the continuous
    /// quantities at every sample of runs up to 4, at every other sample of longer runs.
    fn smooth_between(&mut self, lo: usize, hi: usize) -> bool {
        let o = self.site.options;
        let step_m = self.site.step_m;
        let pre = self.pre;
        let Some(signature) = pre[lo].map(|p| p.signature) else {
            return false;
        };
        if (lo + 1..=hi).any(|k| pre[k].is_none_or(|p| p.signature != signature)) {
            return false;
        }
        let (Some(ga), Some(gb)) = (self.geometry(lo), self.geometry(hi)) else {
            return false;
        };
        let stride = if hi - lo <= 4 { 1 } else { 2 };
        for k in (lo + stride..hi).step_by(stride) {
            let t = (k - lo) as f64 / (hi - lo) as f64;
            let Some(g) = self.geometry(k) else {
                return false;
            };
            let lerp = |a: f64, b: f64| a + t * (b - a);
            for i in 0..2 {
                let he = lerp(ga.h_e_m[i], gb.h_e_m[i]);
                let th = lerp(ga.theta_hzn[i], gb.theta_hzn[i]);
                let dh = lerp(ga.d_hzn_m[i], gb.d_hzn_m[i]);
                if (g.h_e_m[i] - he).abs() > o.height_tolerance_m + o.rel_tolerance * he.abs()
                    || (g.theta_hzn[i] - th).abs() > o.angle_tolerance_rad
                    || (g.d_hzn_m[i] - dh).abs() > step_m + o.rel_tolerance * dh
                {
                    return false;
                }
            }
        }
        true
    }
}

/// Samples whose free-space loss each site tabulates (longer radials compute it).
const FSPL_TABLE_LEN: usize = 2048;

/// Work done by [`ItmSite::radial_losses_with_stats`] on one radial.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RadialStats {
    pub samples: usize,
    /// Samples where the full model was evaluated.
    pub evaluations: usize,
    /// Wanted samples whose loss was interpolated.
    pub interpolated: usize,
    /// Exact Δh computations.
    pub delta_h_computations: usize,
    /// How many wanted samples raised each of ITM's warning flags ([`super::warn`], index = bit).
    pub flag_counts: [usize; 16],
    /// Wanted samples ITM refused (NaN in the losses).
    pub refused: usize,
    /// The same by NTIA error code.
    pub refusals_by_code: BTreeMap<u32, usize>,
}

impl RadialStats {
    /// Counts each set bit of one sample's warning flags.
    fn count_flags(&mut self, flags: u32) {
        let mut f = flags;
        while f != 0 {
            if let Some(count) = self.flag_counts.get_mut(f.trailing_zeros() as usize) {
                *count += 1;
            }
            f &= f - 1;
        }
    }
}

/// One exact evaluation in [`ItmSite::radial_losses`].
#[derive(Clone, Copy, Debug)]
struct Eval {
    a_rel_db: f64,
    mode: PropMode,
    warnings: u32,
}

/// Δh from an interdecile range over the window (d_start, d_end) [ERL 79 eq. (3)]: Δh(d) divided by
/// 1 − 0.8 e^{−d/50 km}; 0 when the window spans under two samples, as [`profile::delta_h_m`].
fn delta_h_from_range(range_m: Option<f64>, [d_start, d_end]: [f64; 2], step_m: f64) -> f64 {
    match range_m {
        Some(r) if (d_end - d_start) / step_m >= 2.0 => {
            r / (1.0 - 0.8 * Fast::exp(-(d_end - d_start) / 50e3))
        }
        _ => 0.0,
    }
}

/// The algorithm's interdecile range Δh(d) of the terrain between `window_m` = (d_start, d_end)
/// [Alg. routine `dlthx`; ERL 79 eq. (3)], as [`profile::interdecile_range_resampled_m`] computes
/// it — `10·p − 5` points resampled by linear interpolation (p = a tenth of the points, 4 to
/// `max_p10`), a trapezoid-weighted least-squares line, the p-th largest minus the p-th smallest
/// deviation — written for speed: the resampling indexes directly and the buffer is reused. It
/// agrees with the profile routine up to rounding.
fn interdecile_range_m(
    z: &[f64],
    step_m: f64,
    [d_start_m, d_end_m]: [f64; 2],
    max_p10: usize,
    buf: &mut Vec<f64>,
) -> Option<f64> {
    let n = z.len() - 1;
    let (x0, x1) = (d_start_m / step_m, d_end_m / step_m);
    if x1 - x0 < 2.0 || n < 1 {
        return None;
    }
    let p10 = ((0.1 * (x1 - x0 + 8.0)) as usize).clamp(4, max_p10.clamp(4, 25));
    let m = 10 * p10 - 5;
    let spacing = (x1 - x0) / (m - 1) as f64;
    let centre = 0.5 * (m - 1) as f64;
    buf.clear();
    let (mut sum, mut moment) = (0.0, 0.0);
    let last_seg = (n - 1) as i64;
    for j in 0..m {
        let x = x0 + j as f64 * spacing;
        let i = ((x as i64).clamp(0, last_seg)) as usize;
        let v = z[i] + (z[i + 1] - z[i]) * (x - i as f64);
        sum += v;
        moment += v * (j as f64 - centre);
        buf.push(v);
    }
    let (first, last) = (buf[0], buf[m - 1]);
    sum -= 0.5 * (first + last);
    moment -= 0.5 * (first * -centre + last * centre);
    let len = (m - 1) as f64;
    let mean = sum / len;
    let slope = moment * 12.0 / ((len * len + 2.0) * len);
    let a = mean - slope * centre;
    for (j, v) in buf.iter_mut().enumerate() {
        *v -= a + slope * j as f64;
    }
    let (q10, q90) = kth_largest_and_smallest(buf, p10);
    Some(q10 - q90)
}

/// The `k`-th largest and the `k`-th smallest of `v` (1 ≤ k ≤ 25, 2k ≤ len), in one pass with
/// two binary heaps of size k: a min-heap of the k largest values seen and a min-heap of the
/// negated k smallest; each new value replaces a heap's root only if it belongs there
/// (O(len + k log k · log(len/k)) on average, O(len log k) at worst).
fn kth_largest_and_smallest(v: &[f64], k: usize) -> (f64, f64) {
    /// Restores the min-heap property from the root down.
    fn sift_down(h: &mut [f64]) {
        let mut i = 0;
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut least = i;
            if l < h.len() && h[l] < h[least] {
                least = l;
            }
            if r < h.len() && h[r] < h[least] {
                least = r;
            }
            if least == i {
                return;
            }
            h.swap(i, least);
            i = least;
        }
    }
    fn heapify(h: &mut [f64]) {
        for start in (0..h.len() / 2).rev() {
            let mut i = start;
            loop {
                let (l, r) = (2 * i + 1, 2 * i + 2);
                let mut least = i;
                if l < h.len() && h[l] < h[least] {
                    least = l;
                }
                if r < h.len() && h[r] < h[least] {
                    least = r;
                }
                if least == i {
                    break;
                }
                h.swap(i, least);
                i = least;
            }
        }
    }
    let mut top = [0.0f64; 25];
    let mut bottom = [0.0f64; 25];
    let (top, bottom) = (&mut top[..k], &mut bottom[..k]);
    top.copy_from_slice(&v[..k]);
    for (b, &x) in bottom.iter_mut().zip(&v[..k]) {
        *b = -x;
    }
    heapify(top);
    heapify(bottom);
    for &x in &v[k..] {
        if x > top[0] {
            top[0] = x;
            sift_down(top);
        }
        if -x > bottom[0] {
            bottom[0] = -x;
            sift_down(bottom);
        }
    }
    (top[0], -bottom[0])
}

/// A point of the receiver-horizon hull: profile index and curvature-corrected height
/// z − x²/(2a_ref), m.
#[derive(Clone, Copy, Debug)]
struct HullPoint {
    i: usize,
    zc: f64,
}

/// Held terrain irregularity: the interdecile range computed at sample `n`.
#[derive(Clone, Copy, Debug)]
struct HeldDeltaH {
    n: usize,
    range_m: Option<f64>,
}

/// What the profile up to sample n gives before Δh and the effective heights.
#[derive(Clone, Copy, Debug)]
struct ProfileState {
    medium: Medium,
    horizons: Horizons,
    /// (d_start, d_end) of the terrain that counts, m.
    window_m: [f64; 2],
    /// Which geometry the sample has: well within line of sight (0, 0, 0), else (1, transmitter
    /// horizon index — 0 when it sees the receiver —, receiver horizon index — 0 when it sees
    /// the transmitter).
    signature: (u8, usize, usize),
}

/// What an evaluated sample gave besides the loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleInfo {
    /// [`super::warn`] flags, as [`super::p2p`] would raise them.
    pub warnings: u32,
    pub mode: PropMode,
    pub delta_h_m: f64,
}

/// ITM along one radial of an [`ItmSite`]: push the ground of each successive sample and get the
/// loss to it.
#[derive(Clone, Debug)]
pub struct ItmRadial<'a> {
    site: &'a ItmSite,
    /// Ground heights, index 0 the transmitter's.
    z: Vec<f64>,
    /// Running sums Σ_{i<k} z_i and Σ_{i<k} i·z_i (length = z.len() + 1).
    sum_z: Vec<f64>,
    sum_kz: Vec<f64>,
    /// Intermediate point of greatest elevation angle from the transmitter.
    tx_best: Option<usize>,
    /// Upper hull of (x_i, z_i − x_i²·curvature_ref) over the transmitter's antenna tip and the
    /// intermediate points.
    hull: Vec<HullPoint>,
    /// 1/(2a) the hull was built with, 1/m.
    curvature_ref: f64,
    /// 1/(2a_e) of the latest sample, 1/m.
    inv_2a: f64,
    held_delta_h: Option<HeldDeltaH>,
    last: Option<SampleInfo>,
    /// The medium of the last mean path height it was computed for (reused while the mean moves
    /// less than [`FastOptions::medium_reuse_m`]).
    medium_cache: Option<(f64, Medium)>,
    /// Reused buffer of the Δh computation.
    scratch: Vec<f64>,
}

/// (a − o) × (b − o) in the (x, zc) plane, x in samples.
fn cross(o: HullPoint, a: HullPoint, b: HullPoint) -> f64 {
    (a.i as f64 - o.i as f64) * (b.zc - o.zc) - (a.zc - o.zc) * (b.i as f64 - o.i as f64)
}

impl ItmRadial<'_> {
    /// Number of samples pushed or skipped (the receiver's index).
    pub fn len(&self) -> usize {
        self.z.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Warnings, region and Δh of the last evaluated sample.
    pub fn last_info(&self) -> Option<SampleInfo> {
        self.last
    }

    /// Appends the ground of the next sample and returns the basic transmission loss to a receiver
    /// there, dB — the ITM point-to-point prediction over the profile from the transmitter to it
    /// (Δh held between computations, see [`FastOptions::push_delta_h_growth`]). A path ITM refuses
    /// returns its error; the radial stays usable.
    pub fn push(&mut self, ground_m: f64) -> Result<f64, ItmError> {
        self.advance(ground_m)?;
        let n = self.len();
        let pre = self.profile_state(n);
        let growth = self.site.options.push_delta_h_growth;
        let due = match self.held_delta_h {
            None => true,
            Some(h) => h.range_m.is_none() || n - h.n >= 1.max((h.n as f64 * growth) as usize),
        };
        if due {
            let range_m = self.delta_h_range(n, pre.window_m);
            self.held_delta_h = Some(HeldDeltaH { n, range_m });
        }
        let range = self.held_delta_h.and_then(|h| h.range_m);
        let dh = delta_h_from_range(range, pre.window_m, self.site.step_m);
        let geom = self.geometry(n, &pre, dh);
        let (a_rel_db, info) = self.site.evaluate(&geom, &pre.medium)?;
        self.last = Some(info);
        Ok(self.site.fspl_db(n) + a_rel_db)
    }

    /// Appends the ground of the next sample without evaluating it (its terrain still counts for
    /// later samples).
    pub fn skip(&mut self, ground_m: f64) -> Result<(), ItmError> {
        self.advance(ground_m)?;
        // The a_e the horizon searches compare under follows the path's mean height.
        let n = self.len();
        let m = self.medium(n);
        self.inv_2a = 0.5 * m.gamma_e;
        Ok(())
    }

    /// Appends a ground height (index `k` = current length) to the profile and running sums.
    fn extend(&mut self, ground_m: f64, k: usize) -> Result<(), ItmError> {
        if !ground_m.is_finite() {
            return Err(ItmError::Profile(format!(
                "height at point {k} is {ground_m}; expected a finite number of m"
            )));
        }
        self.z.push(ground_m);
        let (s0, s1) = (self.sum_z[k], self.sum_kz[k]);
        self.sum_z.push(s0 + ground_m);
        self.sum_kz.push(s1 + k as f64 * ground_m);
        Ok(())
    }

    /// Appends the next sample; the previous receiver point becomes an intermediate point.
    fn advance(&mut self, ground_m: f64) -> Result<(), ItmError> {
        let n = self.len();
        self.extend(ground_m, n + 1)?;
        self.promote(n);
        Ok(())
    }

    /// Elevation angle of intermediate point i from the transmitter, under the current a_e.
    fn tx_angle(&self, i: usize) -> f64 {
        let s = i as f64 * self.site.step_m;
        (self.z[i] - (self.z[0] + self.site.h_m[0])) / s - s * self.inv_2a
    }

    /// Point i joins the intermediate points: transmitter running maximum and receiver hull.
    fn promote(&mut self, i: usize) {
        if i == 0 {
            return;
        }
        if self
            .tx_best
            .is_none_or(|b| self.tx_angle(i) > self.tx_angle(b))
        {
            self.tx_best = Some(i);
        }
        let x = i as f64 * self.site.step_m;
        let p = HullPoint {
            i,
            zc: self.z[i] - x * x * self.curvature_ref,
        };
        while let [.., o, a] = self.hull[..] {
            if cross(o, a, p) >= 0.0 {
                self.hull.pop();
            } else {
                break;
            }
        }
        self.hull.push(p);
    }

    /// Receiver horizon at sample n: the hull vertex of greatest elevation angle from the
    /// receiver at height `z_rx`; returns (angle, profile index).
    fn rx_horizon(&self, n: usize, z_rx: f64) -> (f64, usize) {
        let step = self.site.step_m;
        let d = n as f64 * step;
        let q = HullPoint {
            i: n,
            zc: z_rx - d * d * self.curvature_ref,
        };
        // The first hull edge that q lies on or above starts at the tangent point.
        let h = &self.hull;
        let (mut lo, mut hi) = (0, h.len() - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if cross(h[mid], h[mid + 1], q) >= 0.0 {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // Refine along the hull under the current a_e (the hull was built with a_ref); ties go to
        // the point nearer the transmitter, as the algorithm's scan from the transmitter does.
        let angle = |j: usize| {
            let i = h[j].i;
            let zi = if i == 0 {
                self.z[0] + self.site.h_m[0]
            } else {
                self.z[i]
            };
            let s = d - i as f64 * step;
            (zi - z_rx) / s - s * self.inv_2a
        };
        let mut j = lo;
        let mut best = angle(j);
        while j > 0 {
            let a = angle(j - 1);
            if a < best {
                break;
            }
            best = a;
            j -= 1;
        }
        while j + 1 < h.len() {
            let a = angle(j + 1);
            if a <= best {
                break;
            }
            best = a;
            j += 1;
        }
        (best, h[j].i)
    }

    /// Mean height without the first and last tenth, as [`profile::mean_path_height_m`].
    fn mean_height(&self, n: usize) -> f64 {
        let skip = (0.1 * n as f64) as usize;
        (self.sum_z[n - skip + 1] - self.sum_z[skip]) / (n + 1 - 2 * skip) as f64
    }

    /// The medium over the path to sample n (N_s at its mean height, a_e).
    fn medium(&mut self, n: usize) -> Medium {
        let h = self.mean_height(n);
        match self.medium_cache {
            Some((h0, m)) if (h - h0).abs() < self.site.options.medium_reuse_m => m,
            _ => {
                let m = Medium::at_height::<Fast>(&self.site.medium, h);
                self.medium_cache = Some((h, m));
                m
            }
        }
    }

    /// Medium, horizons and terrain window at sample n (the last appended).
    fn profile_state(&mut self, n: usize) -> ProfileState {
        let site = self.site;
        let step = site.step_m;
        let d = n as f64 * step;
        let h_m = site.h_m;
        let medium = self.medium(n);
        self.inv_2a = 0.5 * medium.gamma_e;
        let z_tx = self.z[0] + h_m[0];
        let z_rx = self.z[n] + h_m[1];
        // Horizons [TN101 eq. (6.15)]; each terminal sees the other unless a point rises above.
        let inv_2a = self.inv_2a;
        let elev = |z0: f64, z: f64, s: f64| (z - z0) / s - s * inv_2a;
        let (mut t0, mut d0, mut i0) = (elev(z_tx, z_rx, d), d, 0);
        if let Some(b) = self.tx_best {
            let t = self.tx_angle(b);
            if t > t0 {
                (t0, d0, i0) = (t, b as f64 * step, b);
            }
        }
        let (t1, i1) = self.rx_horizon(n, z_rx);
        let d1 = d - i1 as f64 * step;
        let horizons = Horizons {
            theta: [t0, t1],
            d_hzn_m: [d0, d1],
        };
        let (d_start, d_end) = profile::terrain_window_m(h_m, d, horizons.d_hzn_m);
        let signature = if d0 + d1 > 1.5 * d {
            (0, 0, 0)
        } else {
            (1, (i0 == 0) as usize, (i1 == 0) as usize)
        };
        ProfileState {
            medium,
            horizons,
            window_m: [d_start, d_end],
            signature,
        }
    }

    /// The interdecile range at sample n over `window_m` (O(points resampled)).
    fn delta_h_range(&mut self, n: usize, window_m: [f64; 2]) -> Option<f64> {
        let mut buf = std::mem::take(&mut self.scratch);
        let r = interdecile_range_m(
            &self.z[..=n],
            self.site.step_m,
            window_m,
            self.site.options.delta_h_max_p10,
            &mut buf,
        );
        self.scratch = buf;
        r
    }

    /// Interdecile ranges at the samples that have a profile state (index = sample): computed
    /// at a schedule of them growing by [`FastOptions::delta_h_growth`] (and at the last one),
    /// linear in between. Returns them and the number computed.
    fn delta_h_schedule(&mut self, pre: &[Option<ProfileState>]) -> (Vec<Option<f64>>, usize) {
        let growth = self.site.options.delta_h_growth;
        let mut out = vec![None; pre.len()];
        let mut computations = 0;
        let last = pre.iter().rposition(Option::is_some);
        // Last computed (sample, range) and the samples waiting for the next computation.
        let mut prev: Option<(usize, Option<f64>)> = None;
        let mut due = 0;
        let mut pending: Vec<usize> = Vec::new();
        for (k, p) in pre.iter().enumerate() {
            let Some(p) = p else { continue };
            if k < due && Some(k) != last {
                pending.push(k);
                continue;
            }
            let r = self.delta_h_range(k, p.window_m);
            computations += 1;
            out[k] = r;
            if let Some((j, Some(rj))) = prev {
                for &m in &pending {
                    out[m] = Some(match r {
                        Some(rk) => rj + (m - j) as f64 / (k - j) as f64 * (rk - rj),
                        None => rj,
                    });
                }
            }
            pending.clear();
            prev = Some((k, r));
            due = if r.is_none() {
                k + 1
            } else {
                k + 1.max((k as f64 * growth) as usize)
            };
        }
        (out, computations)
    }

    /// Effective heights and final horizons at sample n (≤ the last appended) for Δh `delta_h_m`.
    fn geometry(&self, n: usize, pre: &ProfileState, delta_h_m: f64) -> PathGeometry {
        let d = n as f64 * self.site.step_m;
        profile::effective_geometry::<Fast>(
            self.site.h_m,
            d,
            [self.z[0], self.z[n]],
            pre.horizons,
            pre.window_m,
            delta_h_m,
            1.0 / pre.medium.gamma_e,
            |a, b| self.fit(n, a, b),
        )
    }

    /// Least-squares line over [d_a, d_b] of the profile up to sample n from the running sums, as
    /// [`profile::fit_line_ends`] computes it.
    fn fit(&self, n: usize, d_a_m: f64, d_b_m: f64) -> (f64, f64) {
        let step = self.site.step_m;
        let nf = n as f64;
        let mut i0 = ((d_a_m / step).max(0.0) as usize).min(n);
        let mut i1 = n.saturating_sub((nf - d_b_m / step).max(0.0) as usize);
        if i1 <= i0 {
            i0 = i0.saturating_sub(1);
            i1 = (i1 + 1).min(n);
        }
        let z = &self.z;
        let len = (i1 - i0) as f64;
        let centre = 0.5 * (i0 + i1) as f64;
        // Interior points i0 < k < i1 at full weight, the ends at half (trapezoid).
        let (a, b) = if i1 > i0 + 1 {
            (
                self.sum_z[i1] - self.sum_z[i0 + 1],
                self.sum_kz[i1] - self.sum_kz[i0 + 1],
            )
        } else {
            (0.0, 0.0)
        };
        let sum = 0.5 * (z[i0] + z[i1]) + a;
        let moment = 0.5 * (z[i1] - z[i0]) * 0.5 * len + (b - centre * a);
        let mean = sum / len;
        let slope = moment * 12.0 / ((len * len + 2.0) * len);
        (mean - slope * centre, mean + slope * (nf - centre))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::itm::synthetic::{radials, Landscape};
    use crate::propagation::itm::{p2p, warn};

    fn site(options: FastOptions) -> ItmSite {
        ItmSite::new(&ItmParams::default(), 30.0, 1.5, 90.0, 900.0)
            .unwrap()
            .with_options(options)
            .unwrap()
    }

    #[test]
    fn push_with_exact_options_is_p2p_and_skip_does_not_change_later_samples() {
        let s = site(FastOptions::exact());
        let p = ItmParams::default();
        for g in radials(Landscape::Coast, 5, 4, 120, 90.0) {
            let mut all = s.radial(g[0]).unwrap();
            let mut sparse = s.radial(g[0]).unwrap();
            for n in 1..g.len() {
                let exact = p2p(30.0, 1.5, &g[..=n], 90.0, 900.0, &p).unwrap();
                let fast = all.push(g[n]).unwrap();
                assert!((fast - exact.a_db).abs() < 1e-6, "sample {n}");
                let info = all.last_info().unwrap();
                assert_eq!(info.mode, exact.mode);
                assert_eq!(info.warnings, exact.warnings);
                // Every third sample skipped: the others are unchanged.
                if n % 3 == 0 {
                    sparse.skip(g[n]).unwrap();
                } else {
                    assert_eq!(sparse.push(g[n]).unwrap(), fast);
                }
            }
            assert_eq!(all.len(), g.len() - 1);
        }
    }

    #[test]
    fn unwanted_samples_are_nan_and_wanted_ones_stay_faithful() {
        // A mask changes where Δh is computed and which runs are skipped, not the fidelity.
        let s = site(FastOptions::default());
        let p = ItmParams::default();
        let mut diffs = Vec::new();
        for g in radials(Landscape::Mountain, 3, 8, 200, 90.0) {
            let wanted: Vec<bool> = (1..g.len()).map(|k| k % 5 != 0 && k > 30).collect();
            let part = s.radial_losses(&g, Some(&wanted)).unwrap();
            for (k, (l, w)) in (1..).zip(part.iter().zip(&wanted)) {
                if *w {
                    let e = p2p(30.0, 1.5, &g[..=k], 90.0, 900.0, &p).unwrap().a_db;
                    diffs.push((l - e).abs());
                } else {
                    assert!(l.is_nan(), "sample {k}");
                }
            }
        }
        diffs.sort_by(f64::total_cmp);
        let within_3 = diffs.iter().filter(|&&d| d <= 3.0).count() as f64 / diffs.len() as f64;
        assert!(
            diffs[diffs.len() / 2] < 0.3,
            "median {}",
            diffs[diffs.len() / 2]
        );
        assert!(within_3 > 0.95, "{within_3}");
        // Nothing wanted: nothing computed.
        let g = &radials(Landscape::Lowland, 1, 1, 50, 90.0)[0];
        let (l, st) = s.radial_losses_with_stats(g, Some(&[false; 50])).unwrap();
        assert!(l.iter().all(|v| v.is_nan()));
        assert_eq!((st.evaluations, st.delta_h_computations), (0, 0));
    }

    #[test]
    fn interpolation_saves_evaluations_and_stays_close_on_smooth_ground() {
        // A gentle slope: one geometry throughout, so most samples are interpolated.
        let g: Vec<f64> = (0..=280).map(|k| 20.0 + 0.05 * k as f64).collect();
        let (fast, stats) = site(FastOptions::default())
            .radial_losses_with_stats(&g, None)
            .unwrap();
        assert_eq!(stats.samples, 280);
        assert!(stats.evaluations < 80, "{stats:?}");
        assert_eq!(stats.evaluations + stats.interpolated, 280);
        let p = ItmParams::default();
        for (n, f) in (1..g.len()).zip(&fast) {
            let e = p2p(30.0, 1.5, &g[..=n], 90.0, 900.0, &p).unwrap().a_db;
            assert!((f - e).abs() < 0.5, "sample {n}: {f} vs {e}");
        }
    }

    #[test]
    fn receiver_horizon_from_the_hull_matches_a_scan() {
        // Brute force over the profile with the same curvature as the hull's.
        for g in radials(Landscape::Mountain, 9, 8, 150, 90.0) {
            let s = site(FastOptions::exact());
            let mut r = s.radial(g[0]).unwrap();
            for n in 1..g.len() {
                r.advance(g[n]).unwrap();
                let z_rx = g[n] + 1.5;
                r.inv_2a = r.curvature_ref;
                let (theta, i) = r.rx_horizon(n, z_rx);
                let d = n as f64 * 90.0;
                let elev = |k: usize| {
                    let z = if k == 0 { g[0] + 30.0 } else { g[k] };
                    let s = d - k as f64 * 90.0;
                    (z - z_rx) / s - s * r.curvature_ref
                };
                let best = (0..n).map(elev).fold(f64::NEG_INFINITY, f64::max);
                assert!((theta - best).abs() < 1e-12, "sample {n}");
                assert!((elev(i) - best).abs() < 1e-12, "sample {n}");
            }
        }
    }

    #[test]
    fn heap_selection_matches_sorting() {
        let mut x = 987u64;
        let mut rnd = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) % 200) as f64 - 100.0
        };
        for &(m, k) in &[(35usize, 4usize), (95, 10), (115, 12), (245, 25)] {
            let random: Vec<f64> = (0..m).map(|_| rnd()).collect();
            let rising: Vec<f64> = (0..m).map(|i| i as f64 * 0.5).collect();
            let falling: Vec<f64> = rising.iter().rev().copied().collect();
            let flat = vec![3.0; m];
            for v in [random, rising, falling, flat] {
                let mut s = v.clone();
                s.sort_by(|a, b| b.total_cmp(a));
                assert_eq!(kth_largest_and_smallest(&v, k), (s[k - 1], s[m - k]));
            }
        }
    }

    #[test]
    fn fast_interdecile_range_agrees_with_the_profile_routine() {
        let mut buf = Vec::new();
        for g in radials(Landscape::Mountain, 4, 6, 280, 90.0) {
            for n in [3, 10, 37, 120, 280] {
                for (d0, d1) in [(0.0, n as f64 * 90.0), (450.0, n as f64 * 90.0 - 22.5)] {
                    for cap in [25, 8] {
                        let a = interdecile_range_m(&g[..=n], 90.0, [d0, d1], cap, &mut buf);
                        let b = profile::interdecile_range_resampled_m(&g[..=n], 90.0, d0, d1, cap);
                        match (a, b) {
                            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{n}: {a} {b}"),
                            (a, b) => assert_eq!(a, b, "{n}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bad_inputs_are_refused_with_their_codes() {
        let p = ItmParams::default();
        let code = |r: Result<ItmSite, ItmError>| r.unwrap_err().code();
        assert_eq!(code(ItmSite::new(&p, 0.2, 1.5, 90.0, 900.0)), 1000);
        assert_eq!(code(ItmSite::new(&p, 30.0, 1.5, 90.0, 10.0)), 1009);
        assert_eq!(code(ItmSite::new(&p, 30.0, 1.5, 0.0, 900.0)), 1099);
        assert_eq!(code(ItmSite::new(&p, 30.0, 1.5, f64::NAN, 900.0)), 1099);
        let bad = FastOptions {
            max_span: 0,
            ..FastOptions::default()
        };
        let e = ItmSite::new(&p, 30.0, 1.5, 90.0, 900.0)
            .unwrap()
            .with_options(bad)
            .unwrap_err();
        assert_eq!(e.code(), 1098);
        assert!(e.to_string().contains("max_span"), "{e}");
        let bad = FastOptions {
            delta_h_growth: f64::NAN,
            ..FastOptions::default()
        };
        assert!(
            code(
                ItmSite::new(&p, 30.0, 1.5, 90.0, 900.0)
                    .unwrap()
                    .with_options(bad)
            ) == 1098
        );
        let s = site(FastOptions::default());
        let e = s.radial_losses(&[10.0, 12.0, f64::NAN], None).unwrap_err();
        assert!(e.to_string().contains("point 2"), "{e}");
        assert_eq!(s.radial_losses(&[], None).unwrap_err().code(), 1099);
        let e = s
            .radial_losses(&[1.0, 2.0, 3.0], Some(&[true]))
            .unwrap_err();
        assert_eq!(e.code(), 1098);
        assert!(s.radial(f64::INFINITY).is_err());
        let mut r = s.radial(5.0).unwrap();
        assert!(r.push(f64::NAN).is_err());
        assert!(r.push(6.0).unwrap().is_finite());
    }

    #[test]
    fn input_warnings_carry_to_every_sample() {
        let s = ItmSite::new(&ItmParams::default(), 0.8, 1.5, 90.0, 900.0).unwrap();
        let mut r = s.radial(10.0).unwrap();
        r.push(11.0).unwrap();
        assert_ne!(
            r.last_info().unwrap().warnings & warn::TX_TERMINAL_HEIGHT,
            0
        );
        let g = vec![10.0; 61];
        let wanted: Vec<bool> = (1..=60).map(|k| k % 2 == 0).collect();
        let (_, st) = s.radial_losses_with_stats(&g, Some(&wanted)).unwrap();
        let bit = warn::TX_TERMINAL_HEIGHT.trailing_zeros() as usize;
        assert_eq!(st.flag_counts[bit], 30);
        assert_eq!(st.refused, 0);
    }

    #[test]
    fn refused_paths_are_nan_and_counted_with_their_code() {
        // N0 = 250 over ground at 6 km: N_s falls below 150, which ITM refuses (code 1021).
        let p = ItmParams {
            n0: 250.0,
            ..ItmParams::default()
        };
        let s = ItmSite::new(&p, 30.0, 1.5, 90.0, 900.0).unwrap();
        let g = vec![6_000.0; 41];
        let (l, st) = s.radial_losses_with_stats(&g, None).unwrap();
        assert!(l.iter().all(|v| v.is_nan()));
        assert_eq!(st.refused, 40);
        assert_eq!(st.refusals_by_code, BTreeMap::from([(1021, 40)]));
        assert_eq!(
            p2p(30.0, 1.5, &g, 90.0, 900.0, &p).unwrap_err().code(),
            1021
        );
        let mut r = s.radial(6_000.0).unwrap();
        assert_eq!(r.push(6_000.0).unwrap_err().code(), 1021);
    }
}
