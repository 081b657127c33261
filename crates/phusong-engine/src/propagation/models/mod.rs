//! Path-loss models behind one trait, and the study's choice of one (`[coverage.model]`).
//!
//! Each model is one file implementing [`PathLossModel`]; [`Model`] is the serde-tagged enum of them,
//! each variant carrying only its own parameters. Coverage, `link`, gaps and plan all evaluate losses
//! through [`ModelConfig`], which adds what every model shares: the location reliability and an extra
//! loss. Adding a model = one new file + one variant of [`Model`].
//!
//! Loss along a radial is split in two: a terrain-free part tabulated once per site and frequency
//! ([`LossTable`]) and a per-radial walker ([`PathWalk`]) that adds what the terrain passed does.
//! [`ModelConfig::profile_loss_db`] runs the same walker along one given profile: the point-to-point
//! evaluation `link` and gap analysis use, so the radial engine and point evaluations agree.

pub mod correction;
pub mod fspl_deygout;
pub mod hata;
pub mod hata_deygout;
pub mod itm;
pub mod p1812;
pub mod tr38901;
pub mod warnings;

use crate::error::{check_range, ParamError};
use crate::propagation::reliability::normal_quantile;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

pub use correction::Calibration;
pub use warnings::{Warning, Warnings};

/// The ends of a link, everything but the terrain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkSpec {
    pub freq_mhz: f64,
    /// Transmitter (base station) antenna height above its ground, m.
    pub tx_height_m: f64,
    /// Receiver antenna height above its ground, m.
    pub rx_height_m: f64,
}

/// What a model may use about one point of a terrain profile. Models use what they need: the
/// terrain models the ground height; clutter-aware models (ITU-R P.1812) the land-cover class, its
/// representative height and the radio-climatic zone.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProfilePoint {
    /// Ground height above sea level, m.
    pub ground_m: f64,
    /// Land-cover class of the study's class table (0 = unknown).
    pub clutter_class: u8,
    /// Representative clutter height, m.
    pub clutter_height_m: f32,
    /// Radio-climatic zone of ITU-R P.1812: 1 sea, 3 coastal land, 4 inland (0 = unknown).
    pub zone: u8,
}

impl ProfilePoint {
    /// A point known only by its ground height.
    pub fn ground(ground_m: f64) -> Self {
        ProfilePoint {
            ground_m,
            ..Default::default()
        }
    }
}

/// A terrain profile from the transmitter (first point) to the receiver (last), equally spaced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TerrainProfile {
    pub step_m: f64,
    pub points: Vec<ProfilePoint>,
}

impl TerrainProfile {
    /// A profile of ground heights only.
    pub fn from_ground(step_m: f64, ground_m: &[f64]) -> Self {
        TerrainProfile {
            step_m,
            points: ground_m.iter().map(|&z| ProfilePoint::ground(z)).collect(),
        }
    }
}

/// Location reliability of the losses: the quantile q of locations at which the loss is not exceeded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reliability {
    /// Percentage of locations, 1–99.9 (50 = median).
    pub pct: f64,
    /// Φ⁻¹(pct/100), the standard normal quantile (AS 241).
    pub z: f64,
}

impl Reliability {
    pub fn new(pct: f64) -> Self {
        Reliability {
            pct,
            z: normal_quantile(pct / 100.0),
        }
    }
}

/// One propagation model. Losses are positive dB; `los` selects a model's line-of-sight formula
/// where it has one (TR 38.901), and is ignored by the others.
pub trait PathLossModel: Send + Sync {
    /// Its `kind` in study files.
    fn kind(&self) -> &'static str;
    /// Checks its own parameters; keys are relative to `[coverage.model]`.
    fn validate(&self) -> Result<(), ParamError>;
    /// Loss over average ground at `d_m` without terrain detail, before extra loss and shadowing
    /// margin: sizes each site's computed range and tells terrain shadow from lack of range.
    fn area_loss_db(&self, link: &LinkSpec, d_m: f64, rel: Reliability) -> f64;
    /// The part of the loss at `d_m` that does not depend on the terrain, tabulated per site.
    fn terrain_free_db(&self, link: &LinkSpec, d_m: f64, los: bool) -> f64;
    /// Log-normal shadow-fading σ, dB; `None` when the model has its own location variability.
    fn shadow_sigma_db(&self, link: &LinkSpec, d_m: f64, los: bool) -> Option<f64>;
    /// Whether the table needs line-of-sight entries.
    fn needs_los_table(&self) -> bool {
        false
    }
    /// Whether each walker step is a full model evaluation (callers then skip known samples).
    fn is_costly(&self) -> bool {
        false
    }
    /// The profile step the model is evaluated at, in grid cells, when it has its own (its loss
    /// depends on the profile's spacing); `None`: the study's `sample_step_cells`.
    fn profile_step_cells(&self) -> Option<f64> {
        None
    }
    /// Loss at the transmitter's own cell, dB.
    fn origin_db(&self, table: &LossTable) -> f64 {
        table.nlos_db[0]
    }
    /// Where a link lies outside the model's published validity (counted per run).
    fn validity(&self, _link: &LinkSpec, _d_m: f64) -> Option<Warning> {
        None
    }
    /// A walker along one radial whose transmitter ground is `tx_ground_m`.
    fn walker<'a>(&'a self, table: &'a LossTable, tx_ground_m: f64) -> Box<dyn PathWalk + 'a>;
    /// An evaluator of whole radials, prepared once per site and frequency, for models that gain
    /// from seeing the radial at once (ITM); `None`: the radial engine walks with
    /// [`PathLossModel::walker`].
    fn radial_batch<'a>(&'a self, _table: &'a LossTable) -> Option<Box<dyn RadialBatch + 'a>> {
        None
    }
}

/// Losses along whole radials of one site and frequency (see [`PathLossModel::radial_batch`]).
pub trait RadialBatch: Sync {
    /// Losses (dB) to samples k = 1…n of a radial whose points are `points` (index 0 the
    /// transmitter's, k at `k·step_m`), at index k − 1; `wanted[k − 1]` says which are needed.
    /// NaN where not wanted, where the model refuses the path, or past the table's end.
    /// Adds one evaluation per wanted sample, with its warnings and refusals, to `warnings`.
    fn losses(&self, points: &[ProfilePoint], wanted: &[bool], warnings: &mut Warnings)
        -> Vec<f64>;
}

/// Loss along one radial, sample by sample (k = 1, 2, … at `k·step_m`).
pub trait PathWalk {
    /// Loss (dB) to a receiver at the next sample, at point `p`; NaN where the model refuses the
    /// path (counted in [`PathWalk::warnings`]) or past the table's end.
    fn step(&mut self, p: &ProfilePoint) -> f64;
    /// Advances without computing the loss (the point still enters later samples).
    fn skip(&mut self, p: &ProfilePoint);
    /// Warnings and refusals met so far.
    fn warnings(&self) -> &Warnings;
}

/// The path-loss model of a study. Variants carry only their own parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Model {
    /// Okumura-Hata / COST-231-Hata by band, never below free space, plus weighted Deygout.
    HataDeygout(hata_deygout::HataDeygout),
    /// Free space plus Deygout: the physical lower bound of loss over terrain.
    FsplDeygout(fspl_deygout::FsplDeygout),
    /// Okumura-Hata / COST-231-Hata alone (terrain ignored).
    Hata(hata::Hata),
    /// Longley-Rice ITM point-to-point over the DEM profile.
    Itm(itm::Itm),
    /// ITU-R P.1812-6 over the DEM profile, with its own location variability.
    P1812(p1812::P1812),
    /// 3GPP TR 38.901 rural macro, LOS where the terrain leaves line of sight.
    #[serde(rename = "3gpp-rma")]
    Rma(tr38901::Rma),
    /// 3GPP TR 38.901 urban macro, LOS as for RMa.
    #[serde(rename = "3gpp-uma")]
    Uma(tr38901::Uma),
}

/// Model kinds, for command-line choices.
pub const KINDS: [&str; 7] = [
    "hata-deygout",
    "fspl-deygout",
    "hata",
    "itm",
    "p1812",
    "3gpp-rma",
    "3gpp-uma",
];

impl Default for Model {
    fn default() -> Self {
        Model::HataDeygout(Default::default())
    }
}

impl Model {
    /// The model of `kind` with its default parameters.
    pub fn default_of(kind: &str) -> Option<Model> {
        Some(match kind {
            "hata-deygout" => Model::HataDeygout(Default::default()),
            "fspl-deygout" => Model::FsplDeygout(Default::default()),
            "hata" => Model::Hata(Default::default()),
            "itm" => Model::Itm(Default::default()),
            "p1812" => Model::P1812(Default::default()),
            "3gpp-rma" => Model::Rma(Default::default()),
            "3gpp-uma" => Model::Uma(Default::default()),
            _ => return None,
        })
    }

    /// The model as its trait.
    pub fn as_dyn(&self) -> &dyn PathLossModel {
        match self {
            Model::HataDeygout(m) => m,
            Model::FsplDeygout(m) => m,
            Model::Hata(m) => m,
            Model::Itm(m) => m,
            Model::P1812(m) => m,
            Model::Rma(m) => m,
            Model::Uma(m) => m,
        }
    }
}

/// `[coverage.model]`: the model, plus what every model shares.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelConfig {
    #[serde(flatten)]
    pub model: Model,
    /// Location reliability, %: the loss used is the one not exceeded at this share of locations
    /// (50 = median). ITM: its own location variability; other models: log-normal shadowing.
    pub location_reliability_pct: f64,
    /// Extra loss on every path, dB (body loss, foliage margin).
    pub extra_loss_db: f64,
    /// Drive-test correction of this model (`[coverage.model.calibration]`, from `phusong
    /// calibrate`); zero by default, and then not written out.
    #[serde(skip_serializing_if = "Calibration::is_zero")]
    pub calibration: Calibration,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            model: Model::default(),
            location_reliability_pct: 50.0,
            extra_loss_db: 0.0,
            calibration: Calibration::default(),
        }
    }
}

/// Reads the table with `kind` defaulting to `hata-deygout`; unknown keys are refused, naming the
/// keys the chosen model accepts.
impl<'de> Deserialize<'de> for ModelConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        let mut map = serde_json::Map::<String, Value>::deserialize(d)?;
        // Study files have no null: a null here was a NaN or infinity, which JSON cannot hold.
        if let Some((k, _)) = map.iter().find(|(_, v)| v.is_null()) {
            return Err(D::Error::custom(format!(
                "coverage.model.{k} is not a finite number: expected a finite value"
            )));
        }
        let mut take = |key: &str, default: f64| match map.remove(key) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| D::Error::custom(format!("{key} = {v}: expected a number"))),
        };
        let location_reliability_pct = take("location_reliability_pct", 50.0)?;
        let extra_loss_db = take("extra_loss_db", 0.0)?;
        let calibration = match map.remove("calibration") {
            None => Calibration::default(),
            Some(v) => serde_json::from_value(v)
                .map_err(|e| D::Error::custom(format!("coverage.model.calibration: {e}")))?,
        };
        map.entry("kind")
            .or_insert_with(|| Value::String("hata-deygout".into()));
        let model = serde_json::from_value(Value::Object(map)).map_err(D::Error::custom)?;
        Ok(ModelConfig {
            model,
            location_reliability_pct,
            extra_loss_db,
            calibration,
        })
    }
}

/// Bisection steps of the range search (60 halvings of ≤ 200 km: far below a millimetre).
const RANGE_SEARCH_ITERATIONS: usize = 60;

impl ModelConfig {
    /// A model with the shared settings at their defaults.
    pub fn of(model: Model) -> Self {
        ModelConfig {
            model,
            ..Default::default()
        }
    }

    /// The model's `kind`.
    pub fn kind(&self) -> &'static str {
        self.model.as_dyn().kind()
    }

    /// Checks every field; keys are named as in the study file (`coverage.model.…`).
    pub fn validate(&self) -> Result<(), ParamError> {
        let under = |e: ParamError| e.under("coverage.model");
        check_range(
            "location_reliability_pct",
            self.location_reliability_pct,
            1.0,
            99.9,
            "1–99.9 % of locations",
        )
        .map_err(under)?;
        check_range(
            "extra_loss_db",
            self.extra_loss_db,
            -50.0,
            100.0,
            "−50–100 dB",
        )
        .map_err(under)?;
        self.calibration.validate().map_err(under)?;
        self.model.as_dyn().validate().map_err(under)?;
        if matches!(self.model, Model::P1812(_)) {
            // P.1812's location percentage pL is 1–99 % (§1, Table 1).
            check_range(
                "location_reliability_pct",
                self.location_reliability_pct,
                1.0,
                99.0,
                "1–99 % of locations for kind = \"p1812\" (ITU-R P.1812 §1)",
            )
            .map_err(under)?;
        }
        Ok(())
    }

    pub fn reliability(&self) -> Reliability {
        Reliability::new(self.location_reliability_pct)
    }

    /// Shadowing margin σ·Φ⁻¹(r), dB (0 for a model with its own variability, and at 50 %).
    fn margin_db(&self, link: &LinkSpec, d_m: f64, los: bool) -> f64 {
        let z = self.reliability().z;
        if z == 0.0 {
            return 0.0;
        }
        match self.model.as_dyn().shadow_sigma_db(link, d_m, los) {
            Some(sigma) => sigma * z,
            None => 0.0,
        }
    }

    /// Loss over average ground at `distance_m` (terrain ignored), with extra loss and reliability
    /// margin, dB.
    pub fn base_loss_db(&self, link: &LinkSpec, distance_m: f64) -> f64 {
        let d = distance_m.max(1.0);
        self.model
            .as_dyn()
            .area_loss_db(link, d, self.reliability())
            + self.extra_loss_db
            + self.margin_db(link, d, false)
            + self.calibration.loss_db(link, d)
    }

    /// Smallest distance (m, ≤ `max_m`) beyond which the base loss exceeds `max_loss_db`.
    pub fn range_m(&self, link: &LinkSpec, max_loss_db: f64, max_m: f64) -> f64 {
        if self.base_loss_db(link, max_m) <= max_loss_db {
            return max_m;
        }
        let (mut lo, mut hi) = (1.0, max_m);
        for _ in 0..RANGE_SEARCH_ITERATIONS {
            let mid = 0.5 * (lo + hi);
            if self.base_loss_db(link, mid) <= max_loss_db {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The terrain-free part of the loss at samples `k·step_m`, k = 0…n, shared by a site's radials.
    pub fn loss_table(&self, link: &LinkSpec, step_m: f64, n: usize) -> LossTable {
        let m = self.model.as_dyn();
        let at = |k: usize, los: bool| {
            let d = (k as f64 * step_m).max(step_m * 0.5);
            m.terrain_free_db(link, d, los)
                + self.extra_loss_db
                + self.margin_db(link, d, los)
                + self.calibration.loss_db(link, d)
        };
        let validity = (0..=n)
            .map(|k| m.validity(link, (k as f64 * step_m).max(step_m * 0.5)))
            .collect();
        LossTable {
            config: self.clone(),
            link: *link,
            step_m,
            nlos_db: (0..=n).map(|k| at(k, false)).collect(),
            los_db: if m.needs_los_table() {
                (0..=n).map(|k| at(k, true)).collect()
            } else {
                Vec::new()
            },
            validity,
        }
    }

    /// Loss over one terrain profile from the transmitter (sample 0) to the receiver (last sample),
    /// equally spaced by `step_m`: the point-to-point evaluation, and the same walk the radial engine
    /// makes to that sample. Returns the loss and the warnings of that one evaluation; `Err` lists
    /// why the model refused the path.
    pub fn profile_loss_db(
        &self,
        link: &LinkSpec,
        profile: &TerrainProfile,
    ) -> Result<(f64, Warnings), Warnings> {
        let pts = &profile.points;
        let n = pts.len().saturating_sub(1);
        let table = self.loss_table(link, profile.step_m, n.max(1));
        if n == 0 {
            return Ok((table.origin_db(), Warnings::default()));
        }
        let mut walker = table.walker(pts[0].ground_m);
        for p in &pts[1..n] {
            walker.skip(p);
        }
        let loss = walker.step(&pts[n]);
        let w = walker.warnings().clone();
        if loss.is_nan() {
            Err(w)
        } else {
            Ok((loss, w))
        }
    }

    /// Human description of how reliability is applied (for summaries).
    pub fn reliability_method(&self) -> String {
        let r = self.location_reliability_pct;
        match &self.model {
            Model::Itm(m) => format!(
                "{r} % of locations through ITM location variability (mdvar {}, time {} %, situation {} %)",
                m.mdvar, m.time_pct, m.situation_pct
            ),
            Model::P1812(m) => format!(
                "{r} % of locations through ITU-R P.1812 location variability (σL {}, time {} %)",
                m.sigma_l_db.map_or("by §4.7's formula".to_string(), |s| format!("{s} dB")),
                m.time_pct
            ),
            _ if r == 50.0 => "50 % of locations (median loss, no shadowing margin)".into(),
            Model::Rma(tr38901::Rma { shadow_sigma_db })
            | Model::Uma(tr38901::Uma { shadow_sigma_db }) => match shadow_sigma_db {
                Some(s) => format!("{r} % of locations: log-normal shadowing σ = {s} dB"),
                None => format!("{r} % of locations: log-normal shadowing with TR 38.901 σ_SF (LOS/NLOS)"),
            },
            _ => {
                let link = LinkSpec { freq_mhz: 900.0, tx_height_m: 30.0, rx_height_m: 1.5 };
                let s = self.model.as_dyn().shadow_sigma_db(&link, 1000.0, false).unwrap_or(0.0);
                format!("{r} % of locations: log-normal shadowing σ = {s} dB")
            }
        }
    }
}

/// The terrain-free part of the loss per radial sample (see [`ModelConfig::loss_table`]).
#[derive(Clone, Debug)]
pub struct LossTable {
    pub config: ModelConfig,
    pub link: LinkSpec,
    pub step_m: f64,
    /// Loss at sample k, dB (for TR 38.901: where the terrain blocks the line of sight).
    pub nlos_db: Vec<f64>,
    /// Loss at sample k in line of sight (models with [`PathLossModel::needs_los_table`] only), dB.
    pub los_db: Vec<f64>,
    /// The model's validity warning at sample k, if any.
    pub validity: Vec<Option<Warning>>,
}

impl LossTable {
    /// Number of samples beyond the origin the table covers.
    pub fn len(&self) -> usize {
        self.nlos_db.len() - 1
    }
    /// Whether the table covers no sample beyond the origin.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn step_m(&self) -> f64 {
        self.step_m
    }
    /// Samples k = 1…n a whole-radial evaluator computes for a radial of `points` points (the
    /// transmitter's first) and a mask of `wanted` samples: none past the table's end.
    pub fn batch_samples(&self, points: usize, wanted: usize) -> usize {
        points.saturating_sub(1).min(self.len()).min(wanted)
    }
    /// Loss at the origin sample (the site's own cell), dB.
    pub fn origin_db(&self) -> f64 {
        self.config.model.as_dyn().origin_db(self)
    }
    /// Whether each [`PathWalk::step`] costs a full model evaluation.
    pub fn is_costly(&self) -> bool {
        self.config.model.as_dyn().is_costly()
    }
    /// A walker for one radial from a site whose ground is `tx_ground_m` above sea level.
    pub fn walker(&self, tx_ground_m: f64) -> Box<dyn PathWalk + '_> {
        self.config.model.as_dyn().walker(self, tx_ground_m)
    }
    /// The model's whole-radial evaluator, if it has one.
    pub fn radial_batch(&self) -> Option<Box<dyn RadialBatch + '_>> {
        self.config.model.as_dyn().radial_batch(self)
    }
}

/// Sample counter shared by the walkers: the index and distance of the next sample, and the
/// validity warnings of the samples evaluated.
pub(crate) struct Cursor<'a> {
    pub table: &'a LossTable,
    pub k: usize,
    pub warnings: Warnings,
}

impl<'a> Cursor<'a> {
    pub fn new(table: &'a LossTable) -> Self {
        Cursor {
            table,
            k: 0,
            warnings: Warnings::default(),
        }
    }
    /// Moves to the next sample; `None` past the table's end.
    pub fn advance(&mut self) -> Option<(usize, f64)> {
        self.k += 1;
        (self.k < self.table.nlos_db.len()).then_some((self.k, self.k as f64 * self.table.step_m))
    }
    /// Counts one evaluation at sample k (and its validity warning).
    pub fn evaluated(&mut self, k: usize) {
        self.warnings.evaluations += 1;
        if let Some(w) = self.table.validity[k] {
            self.warnings.add(w, 1);
        }
    }
}

#[cfg(test)]
mod tests;
