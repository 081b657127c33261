//! The ITS Irregular Terrain Model (Longley-Rice), point-to-point and area modes.
//!
//! Implemented from the published algorithm: G. A. Hufford, "The ITS Irregular Terrain Model, version
//! 1.2.2: The Algorithm" (NTIA/ITS, 1995) — cited below as *[Alg. eq. n]* — with its sources
//! A. G. Longley & P. L. Rice, "Prediction of tropospheric radio transmission loss over irregular
//! terrain", ESSA Tech. Rep. ERL 79-ITS 67 (1968) *[ERL 79]*, and P. L. Rice et al., NBS Technical
//! Note 101 (1967) *[TN101]*; plus the input limits, warning flags and error codes that NTIA's ITM 1.4
//! documents (`ERRORS_AND_WARNINGS.md`), so results and flags compare one to one with NTIA's test
//! vectors (tested in `tests/itm_ntia.rs` to 0.01 dB).
//!
//! The model is split as the algorithm is:
//! - [`profile`]: terrain-profile analysis — horizons, terrain irregularity Δh, effective heights;
//! - [`diffraction`]: knife-edge + smooth-earth diffraction and the clutter factor;
//! - [`line_of_sight`]: two-ray line-of-sight attenuation;
//! - [`troposcatter`]: forward-scatter attenuation;
//! - [`reference`]: the reference attenuation A_ref stitched over the three regions;
//! - [`variability`]: time, location and situation variability (quantiles of the loss);
//! - [`math`]: the elementary functions, exact ([`math::Libm`], used by [`p2p`] and [`area`]) or
//!   fast ([`math::Fast`], used by the radial evaluator);
//! - [`radial`]: ITM along a coverage radial, every prefix at once, much faster than [`p2p`] per
//!   prefix (incremental profile analysis, interpolation between exact evaluations);
//! - [`synthetic`]: deterministic synthetic terrain to test and time the radial evaluator.
//!
//! ```
//! use phusong_engine::propagation::itm::{self, ItmParams};
//!
//! // 10 km of flat ground at 100 m, 30 m mast to a 1.5 m handset at 900 MHz, median values.
//! let ground_m = vec![100.0; 101];
//! let r = itm::p2p(30.0, 1.5, &ground_m, 100.0, 900.0, &ItmParams::default()).unwrap();
//! let free_space_db = itm::free_space_loss_db(10_000.0, 900.0);
//! assert!(r.a_db > free_space_db && r.a_db < free_space_db + 60.0);
//! assert_eq!(r.mode, itm::PropMode::LineOfSight);
//! ```

pub mod diffraction;
pub mod line_of_sight;
pub mod math;
pub mod profile;
pub mod radial;
pub mod reference;
pub mod synthetic;
pub mod troposcatter;
pub mod variability;

mod complex;

use serde::{Deserialize, Serialize};

/// Radio climate [Alg. §5, Table 5.1]; numbered as NTIA numbers them (1–7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Climate {
    Equatorial = 1,
    ContinentalSubtropical = 2,
    MaritimeSubtropical = 3,
    Desert = 4,
    ContinentalTemperate = 5,
    MaritimeTemperateOverLand = 6,
    MaritimeTemperateOverSea = 7,
}

impl Climate {
    /// From NTIA's integer code 1–7.
    pub fn from_code(code: i64) -> Result<Climate, ItmError> {
        use Climate::*;
        Ok(match code {
            1 => Equatorial,
            2 => ContinentalSubtropical,
            3 => MaritimeSubtropical,
            4 => Desert,
            5 => ContinentalTemperate,
            6 => MaritimeTemperateOverLand,
            7 => MaritimeTemperateOverSea,
            _ => return Err(ItmError::Climate(code)),
        })
    }
    /// 0-based index into the climate tables.
    pub(crate) fn index(self) -> usize {
        self as usize - 1
    }
}

/// Antenna polarisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Polarization {
    Horizontal = 0,
    Vertical = 1,
}

impl Polarization {
    /// From NTIA's code: 0 horizontal, 1 vertical.
    pub fn from_code(code: i64) -> Result<Polarization, ItmError> {
        match code {
            0 => Ok(Polarization::Horizontal),
            1 => Ok(Polarization::Vertical),
            _ => Err(ItmError::Polarization(code)),
        }
    }
}

/// How time, location and situation variability combine [Alg. §5; Hufford 1982].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VariabilityMode {
    /// Single-message mode: one confidence level covers everything.
    SingleMessage = 0,
    /// Accidental mode: time reliability, location folded into confidence.
    Accidental = 1,
    /// Mobile mode: time and location reliability combined.
    Mobile = 2,
    /// Broadcast mode: time, location and situation treated separately.
    Broadcast = 3,
}

/// NTIA's `mdvar`: a [`VariabilityMode`] plus 10 to eliminate location variability and/or 20 to
/// eliminate (direct) situation variability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mdvar {
    pub mode: VariabilityMode,
    pub no_location_variability: bool,
    pub no_situation_variability: bool,
}

impl Mdvar {
    /// From NTIA's integer code (0–3, 10–13, 20–23, 30–33).
    pub fn from_code(code: i64) -> Result<Mdvar, ItmError> {
        if !(0..=33).contains(&code) || code % 10 > 3 {
            return Err(ItmError::Mdvar(code));
        }
        let mode = match code % 10 {
            0 => VariabilityMode::SingleMessage,
            1 => VariabilityMode::Accidental,
            2 => VariabilityMode::Mobile,
            _ => VariabilityMode::Broadcast,
        };
        Ok(Mdvar {
            mode,
            no_location_variability: (code / 10) % 2 == 1,
            no_situation_variability: code >= 20,
        })
    }
    /// NTIA's integer code.
    pub fn code(&self) -> i64 {
        self.mode as i64
            + 10 * self.no_location_variability as i64
            + 20 * self.no_situation_variability as i64
    }
}

/// Siting criteria of a terminal in area mode [Alg. eq. (3.2)].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Siting {
    Random = 0,
    Careful = 1,
    VeryCareful = 2,
}

impl Siting {
    /// From NTIA's code 0–2; `rx` says which terminal (for the error).
    pub fn from_code(code: i64, rx: bool) -> Result<Siting, ItmError> {
        match code {
            0 => Ok(Siting::Random),
            1 => Ok(Siting::Careful),
            2 => Ok(Siting::VeryCareful),
            _ if rx => Err(ItmError::RxSiting(code)),
            _ => Err(ItmError::TxSiting(code)),
        }
    }
}

/// Environment and statistics of an ITM prediction (everything but geometry and frequency).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItmParams {
    pub climate: Climate,
    /// Surface refractivity reduced to sea level N₀, N-units (250–400).
    pub n0: f64,
    /// Relative permittivity of the ground ε_r.
    pub epsilon: f64,
    /// Ground conductivity σ, S/m.
    pub sigma_s_per_m: f64,
    pub polarization: Polarization,
    /// NTIA's `mdvar` code (see [`Mdvar`]).
    pub mdvar: i64,
    /// Time, location and situation (confidence) percentages, each in (0, 100).
    pub time_pct: f64,
    pub location_pct: f64,
    pub situation_pct: f64,
}

impl Default for ItmParams {
    /// Continental temperate climate, N₀ = 301, average ground (ε = 15, σ = 0.005 S/m), vertical
    /// polarisation, broadcast variability at 50 % time, location and situation (the median).
    fn default() -> Self {
        ItmParams {
            climate: Climate::ContinentalTemperate,
            n0: 301.0,
            epsilon: 15.0,
            sigma_s_per_m: 0.005,
            polarization: Polarization::Vertical,
            mdvar: 3,
            time_pct: 50.0,
            location_pct: 50.0,
            situation_pct: 50.0,
        }
    }
}

/// Which ITM mode a computation belongs to (the diffraction blend differs between them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    PointToPoint,
    Area,
}

/// Propagation region of the reference attenuation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PropMode {
    LineOfSight = 1,
    Diffraction = 2,
    Troposcatter = 3,
}

/// Warning flags, bit for bit as NTIA's ITM 1.4 sets them.
pub mod warn {
    pub const TX_TERMINAL_HEIGHT: u32 = 0x0001;
    pub const RX_TERMINAL_HEIGHT: u32 = 0x0002;
    pub const FREQUENCY: u32 = 0x0004;
    pub const PATH_DISTANCE_TOO_BIG_1: u32 = 0x0008;
    pub const PATH_DISTANCE_TOO_BIG_2: u32 = 0x0010;
    pub const PATH_DISTANCE_TOO_SMALL_1: u32 = 0x0020;
    pub const PATH_DISTANCE_TOO_SMALL_2: u32 = 0x0040;
    pub const TX_HORIZON_ANGLE: u32 = 0x0080;
    pub const RX_HORIZON_ANGLE: u32 = 0x0100;
    pub const TX_HORIZON_DISTANCE_1: u32 = 0x0200;
    pub const RX_HORIZON_DISTANCE_1: u32 = 0x0400;
    pub const TX_HORIZON_DISTANCE_2: u32 = 0x0800;
    pub const RX_HORIZON_DISTANCE_2: u32 = 0x1000;
    pub const EXTREME_VARIABILITIES: u32 = 0x2000;
    pub const SURFACE_REFRACTIVITY: u32 = 0x4000;
}

/// Inputs ITM refuses, with NTIA's error codes ([`ItmError::code`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ItmError {
    #[error("tx terminal height {0} m out of range (0.5–3000 m)")]
    TxHeight(f64),
    #[error("rx terminal height {0} m out of range (0.5–3000 m)")]
    RxHeight(f64),
    #[error("radio climate {0}: expected 1–7")]
    Climate(i64),
    #[error("time percentage {0} out of range (0–100, exclusive)")]
    Time(f64),
    #[error("location percentage {0} out of range (0–100, exclusive)")]
    Location(f64),
    #[error("situation percentage {0} out of range (0–100, exclusive)")]
    Situation(f64),
    #[error("surface refractivity N0 = {0} out of range (250–400 N-units)")]
    Refractivity(f64),
    #[error("frequency {0} MHz out of range (20–20000 MHz)")]
    Frequency(f64),
    #[error("polarisation {0}: expected 0 (horizontal) or 1 (vertical)")]
    Polarization(i64),
    #[error("relative permittivity {0} out of range (≥ 1)")]
    Epsilon(f64),
    #[error("conductivity {0} S/m out of range (> 0)")]
    Sigma(f64),
    #[error("ground impedance {re} + {im}i has imaginary part ≥ real part (check ε and σ)")]
    GroundImpedance { re: f64, im: f64 },
    #[error("mdvar {0}: expected 0–3 plus 0, 10, 20 or 30")]
    Mdvar(i64),
    #[error("effective earth radius {0:.0} m out of range (4000–13333 km)")]
    EffectiveEarth(f64),
    #[error("path distance {0} km out of range (> 0)")]
    PathDistance(f64),
    #[error("terrain irregularity Δh = {0} m out of range (≥ 0)")]
    DeltaH(f64),
    #[error("tx siting criteria {0}: expected 0, 1 or 2")]
    TxSiting(i64),
    #[error("rx siting criteria {0}: expected 0, 1 or 2")]
    RxSiting(i64),
    #[error("surface refractivity Ns = {0:.1} N-units below 150")]
    SurfaceRefractivitySmall(f64),
    #[error("surface refractivity Ns = {0:.1} N-units above 400")]
    SurfaceRefractivityLarge(f64),
    #[error("terrain profile: {0}")]
    Profile(String),
    /// A setting of the radial evaluator ([`radial::FastOptions`], or its `wanted` mask) out of range.
    #[error("radial evaluator: {name} = {value}; expected {expected}")]
    Option {
        name: &'static str,
        value: f64,
        expected: String,
    },
}

impl ItmError {
    /// NTIA ITM 1.4 return code (1000–1022); 1099 for a malformed profile, which NTIA does not check,
    /// 1098 for a bad option of the radial evaluator.
    pub fn code(&self) -> u32 {
        use ItmError::*;
        match self {
            TxHeight(_) => 1000,
            RxHeight(_) => 1001,
            Climate(_) => 1002,
            Time(_) => 1003,
            Location(_) => 1004,
            Situation(_) => 1005,
            Refractivity(_) => 1008,
            Frequency(_) => 1009,
            Polarization(_) => 1010,
            Epsilon(_) => 1011,
            Sigma(_) => 1012,
            GroundImpedance { .. } => 1013,
            Mdvar(_) => 1014,
            EffectiveEarth(_) => 1016,
            PathDistance(_) => 1017,
            DeltaH(_) => 1018,
            TxSiting(_) => 1019,
            RxSiting(_) => 1020,
            SurfaceRefractivitySmall(_) => 1021,
            SurfaceRefractivityLarge(_) => 1022,
            Profile(_) => 1099,
            Option { .. } => 1098,
        }
    }
}

/// An ITM prediction and the intermediate values planners and tests look at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItmResult {
    /// Basic transmission loss at the requested time/location/situation quantiles, dB.
    pub a_db: f64,
    /// [`warn`] flags.
    pub warnings: u32,
    pub mode: PropMode,
    /// Reference attenuation relative to free space (median, before variability), dB.
    pub a_ref_db: f64,
    /// Free-space basic transmission loss, dB.
    pub a_fs_db: f64,
    pub d_m: f64,
    /// Terrain irregularity parameter Δh, m.
    pub delta_h_m: f64,
    /// Effective antenna heights (tx, rx), m.
    pub h_e_m: [f64; 2],
    /// Horizon distances (tx, rx), m.
    pub d_hzn_m: [f64; 2],
    /// Horizon elevation angles (tx, rx), rad.
    pub theta_hzn: [f64; 2],
    /// Surface refractivity at the path's height, N-units.
    pub n_s: f64,
}

/// Geometry both modes hand to the reference attenuation: terminal heights and what the terrain
/// (analysed or estimated) gives for each terminal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PathGeometry {
    /// Structural antenna heights above ground (tx, rx), m.
    pub h_m: [f64; 2],
    /// Effective heights (tx, rx), m.
    pub h_e_m: [f64; 2],
    /// Horizon distances (tx, rx), m.
    pub d_hzn_m: [f64; 2],
    /// Horizon elevation angles (tx, rx), rad.
    pub theta_hzn: [f64; 2],
    /// Terrain irregularity Δh, m.
    pub delta_h_m: f64,
    /// Path length, m.
    pub d_m: f64,
}

/// Atmosphere and ground as ITM uses them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Medium {
    pub freq_mhz: f64,
    /// Surface refractivity N_s, N-units.
    pub n_s: f64,
    /// Effective earth curvature γ_e, 1/m.
    pub gamma_e: f64,
    /// Surface transfer impedance of the ground.
    pub z_g: complex::C64,
    /// |Z_g|.
    pub z_g_abs: f64,
    /// f^{1/3} (f in MHz), as the smooth-earth diffraction scales with it.
    pub freq_cbrt: f64,
}

/// What of the [`Medium`] depends only on the parameters and the frequency, not on the path:
/// computed once per site by the radial evaluator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MediumConstants {
    pub freq_mhz: f64,
    pub n0: f64,
    pub z_g: complex::C64,
    pub z_g_abs: f64,
    pub freq_cbrt: f64,
}

impl MediumConstants {
    pub fn new(params: &ItmParams, freq_mhz: f64) -> MediumConstants {
        // [Alg. §qlrps]: ε_r' = ε_r + i·18000σ/f; Z_g = √(ε_r' − 1), divided by ε_r' vertically.
        let eps = complex::C64::new(params.epsilon, 18_000.0 * params.sigma_s_per_m / freq_mhz);
        let mut z_g = (eps - 1.0).sqrt();
        if params.polarization == Polarization::Vertical {
            z_g = z_g / eps;
        }
        MediumConstants {
            freq_mhz,
            n0: params.n0,
            z_g,
            z_g_abs: z_g.abs(),
            freq_cbrt: freq_mhz.powf(1.0 / 3.0),
        }
    }
}

impl Medium {
    /// N_s at the path's mean height, effective curvature and ground impedance (the algorithm's
    /// preparatory step, `qlrps` in Hufford's listing).
    pub fn new(params: &ItmParams, freq_mhz: f64, h_sys_m: f64) -> Medium {
        Medium::at_height::<math::Libm>(&MediumConstants::new(params, freq_mhz), h_sys_m)
    }

    /// The medium over a path of mean height `h_sys_m` (m above sea level).
    pub fn at_height<M: math::Math>(c: &MediumConstants, h_sys_m: f64) -> Medium {
        // [TN101 eq. (4.3)]: refractivity decays with height, scale 9.46 km.
        let n_s = if h_sys_m == 0.0 {
            c.n0
        } else {
            c.n0 * M::exp(-h_sys_m / 9460.0)
        };
        // [TN101 eq. (4.4)], as reworked in [Alg.]: γ_e = γ_a (1 − 0.04665 e^{N_s/179.3}), γ_a = 157e-9 /m.
        let gamma_e = 157e-9 * (1.0 - 0.04665 * M::exp(n_s / 179.3));
        Medium {
            freq_mhz: c.freq_mhz,
            n_s,
            gamma_e,
            z_g: c.z_g,
            z_g_abs: c.z_g_abs,
            freq_cbrt: c.freq_cbrt,
        }
    }
}

/// Checks the inputs common to both modes; returns the input warnings NTIA raises.
pub(crate) fn validate(
    h_tx_m: f64,
    h_rx_m: f64,
    freq_mhz: f64,
    p: &ItmParams,
) -> Result<u32, ItmError> {
    let mut w = 0;
    if !(1.0..=1000.0).contains(&h_tx_m) {
        w |= warn::TX_TERMINAL_HEIGHT;
    }
    if !(0.5..=3000.0).contains(&h_tx_m) {
        return Err(ItmError::TxHeight(h_tx_m));
    }
    if !(1.0..=1000.0).contains(&h_rx_m) {
        w |= warn::RX_TERMINAL_HEIGHT;
    }
    if !(0.5..=3000.0).contains(&h_rx_m) {
        return Err(ItmError::RxHeight(h_rx_m));
    }
    if !(250.0..=400.0).contains(&p.n0) {
        return Err(ItmError::Refractivity(p.n0));
    }
    if !(40.0..=10_000.0).contains(&freq_mhz) {
        w |= warn::FREQUENCY;
    }
    if !(20.0..=20_000.0).contains(&freq_mhz) {
        return Err(ItmError::Frequency(freq_mhz));
    }
    if p.epsilon.is_nan() || p.epsilon < 1.0 {
        return Err(ItmError::Epsilon(p.epsilon));
    }
    if p.sigma_s_per_m.is_nan() || p.sigma_s_per_m <= 0.0 {
        return Err(ItmError::Sigma(p.sigma_s_per_m));
    }
    Mdvar::from_code(p.mdvar)?;
    let open = |v: f64| v > 0.0 && v < 100.0;
    if !open(p.situation_pct) {
        return Err(ItmError::Situation(p.situation_pct));
    }
    if !open(p.time_pct) {
        return Err(ItmError::Time(p.time_pct));
    }
    if !open(p.location_pct) {
        return Err(ItmError::Location(p.location_pct));
    }
    Ok(w)
}

/// Free-space basic transmission loss as ITM computes it, dB: 32.45 + 20 log f_MHz + 20 log d_km.
pub fn free_space_loss_db(d_m: f64, freq_mhz: f64) -> f64 {
    32.45 + 20.0 * freq_mhz.log10() + 20.0 * (d_m / 1000.0).log10()
}

/// Point-to-point ITM over a terrain profile: `ground_m` holds heights above sea level (no earth
/// curvature applied — ITM applies its own effective earth) every `step_m` metres from the
/// transmitter (index 0) to the receiver (last), so the path is `(len − 1)·step_m` long.
pub fn p2p(
    h_tx_m: f64,
    h_rx_m: f64,
    ground_m: &[f64],
    step_m: f64,
    freq_mhz: f64,
    params: &ItmParams,
) -> Result<ItmResult, ItmError> {
    let mut warnings = validate(h_tx_m, h_rx_m, freq_mhz, params)?;
    if ground_m.len() < 2 {
        return Err(ItmError::Profile(format!(
            "{} points; expected at least 2",
            ground_m.len()
        )));
    }
    if !(step_m > 0.0 && step_m.is_finite()) {
        return Err(ItmError::Profile(format!(
            "point spacing {step_m} m; expected > 0"
        )));
    }
    if let Some(i) = ground_m.iter().position(|z| !z.is_finite()) {
        return Err(ItmError::Profile(format!(
            "height at point {i} is {}; expected a finite number",
            ground_m[i]
        )));
    }
    let medium = Medium::new(params, freq_mhz, profile::mean_path_height_m(ground_m));
    let geom = profile::analyse(ground_m, step_m, [h_tx_m, h_rx_m], medium.gamma_e);
    let reference =
        reference::reference_attenuation::<math::Libm>(&geom, &medium, Mode::PointToPoint)?;
    warnings |= reference.warnings;
    finish(geom, medium, reference, params, warnings)
}

/// Area-mode ITM: no profile; the terrain is described by Δh and the terminals' siting.
#[allow(clippy::too_many_arguments)]
pub fn area(
    h_tx_m: f64,
    h_rx_m: f64,
    siting: [Siting; 2],
    d_km: f64,
    delta_h_m: f64,
    freq_mhz: f64,
    params: &ItmParams,
) -> Result<ItmResult, ItmError> {
    let mut warnings = validate(h_tx_m, h_rx_m, freq_mhz, params)?;
    if d_km.is_nan() || d_km <= 0.0 {
        return Err(ItmError::PathDistance(d_km));
    }
    if delta_h_m.is_nan() || delta_h_m < 0.0 {
        return Err(ItmError::DeltaH(delta_h_m));
    }
    let medium = Medium::new(params, freq_mhz, 0.0);
    let geom = profile::area_geometry(
        [h_tx_m, h_rx_m],
        siting,
        delta_h_m,
        d_km * 1000.0,
        medium.gamma_e,
    );
    let reference = reference::reference_attenuation::<math::Libm>(&geom, &medium, Mode::Area)?;
    warnings |= reference.warnings;
    finish(geom, medium, reference, params, warnings)
}

fn finish(
    geom: PathGeometry,
    medium: Medium,
    reference: reference::Reference,
    params: &ItmParams,
    mut warnings: u32,
) -> Result<ItmResult, ItmError> {
    let mdvar = Mdvar::from_code(params.mdvar)?;
    let v = variability::quantile_db(
        &variability::Quantiles {
            time_pct: params.time_pct,
            location_pct: params.location_pct,
            situation_pct: params.situation_pct,
        },
        mdvar,
        params.climate,
        &geom,
        medium.freq_mhz,
        reference.a_ref_db,
    );
    warnings |= v.warnings;
    let a_fs_db = free_space_loss_db(geom.d_m, medium.freq_mhz);
    Ok(ItmResult {
        a_db: a_fs_db + v.a_db,
        warnings,
        mode: reference.mode,
        a_ref_db: reference.a_ref_db,
        a_fs_db,
        d_m: geom.d_m,
        delta_h_m: geom.delta_h_m,
        h_e_m: geom.h_e_m,
        d_hzn_m: geom.d_hzn_m,
        theta_hzn: geom.theta_hzn,
        n_s: medium.n_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mdvar_codes_round_trip() {
        for code in [0, 1, 2, 3, 10, 13, 20, 22, 30, 33] {
            assert_eq!(Mdvar::from_code(code).unwrap().code(), code);
        }
        for bad in [-1, 4, 9, 14, 24, 34, 100] {
            assert_eq!(Mdvar::from_code(bad).unwrap_err().code(), 1014);
        }
    }

    #[test]
    fn invalid_inputs_give_ntia_codes() {
        let p = ItmParams::default();
        let g = vec![0.0; 11];
        let code = |r: Result<ItmResult, ItmError>| r.unwrap_err().code();
        assert_eq!(code(p2p(0.4, 1.5, &g, 100.0, 900.0, &p)), 1000);
        assert_eq!(code(p2p(10.0, 3001.0, &g, 100.0, 900.0, &p)), 1001);
        assert_eq!(code(p2p(10.0, 1.5, &g, 100.0, 19.0, &p)), 1009);
        let q = ItmParams {
            n0: 200.0,
            ..p.clone()
        };
        assert_eq!(code(p2p(10.0, 1.5, &g, 100.0, 900.0, &q)), 1008);
        let q = ItmParams {
            time_pct: 100.0,
            ..p.clone()
        };
        assert_eq!(code(p2p(10.0, 1.5, &g, 100.0, 900.0, &q)), 1003);
        let q = ItmParams {
            sigma_s_per_m: 0.0,
            ..p.clone()
        };
        assert_eq!(code(p2p(10.0, 1.5, &g, 100.0, 900.0, &q)), 1012);
        assert_eq!(code(p2p(10.0, 1.5, &[0.0], 100.0, 900.0, &p)), 1099);
        assert_eq!(
            code(p2p(10.0, 1.5, &[0.0, f64::NAN], 100.0, 900.0, &p)),
            1099
        );
        assert_eq!(
            code(area(10.0, 1.5, [Siting::Random; 2], 0.0, 10.0, 900.0, &p)),
            1017
        );
        assert_eq!(
            code(area(10.0, 1.5, [Siting::Random; 2], 5.0, -1.0, 900.0, &p)),
            1018
        );
    }

    #[test]
    fn near_limit_inputs_warn() {
        let p = ItmParams::default();
        let g = vec![0.0; 101];
        let r = p2p(0.8, 1.5, &g, 100.0, 30.0, &p).unwrap();
        assert_ne!(r.warnings & warn::TX_TERMINAL_HEIGHT, 0);
        assert_ne!(r.warnings & warn::FREQUENCY, 0);
        assert_eq!(r.warnings & warn::RX_TERMINAL_HEIGHT, 0);
    }

    #[test]
    fn effective_earth_at_sea_level_is_about_four_thirds() {
        // [TN101 eq. (4.4)] at N_s = 301: a_e = 1/γ_e ≈ 8 497 km, k ≈ 4/3 of 6 370 km.
        let m = Medium::new(&ItmParams::default(), 900.0, 0.0);
        let a_e = 1.0 / m.gamma_e;
        assert!((a_e / 6_370e3 - 4.0 / 3.0).abs() < 0.01, "a_e = {a_e}");
    }

    /// Area mode at 100 m steps out to 400 km: the loss never jumps (the regions are joined
    /// continuously by construction) and all three regions occur.
    #[test]
    fn area_loss_is_continuous_across_regions() {
        let p = ItmParams {
            mdvar: 12,
            ..ItmParams::default()
        };
        let mut prev: Option<ItmResult> = None;
        let mut modes = Vec::new();
        for k in 10..=4000 {
            let d_km = k as f64 * 0.1;
            let r = area(30.0, 10.0, [Siting::Random; 2], d_km, 90.0, 900.0, &p).unwrap();
            if let Some(q) = &prev {
                let jump = r.a_ref_db - q.a_ref_db;
                assert!(
                    jump.abs() < 0.5,
                    "A_ref jumps {jump} dB at {d_km} km ({:?})",
                    r.mode
                );
            }
            if modes.last() != Some(&r.mode) {
                modes.push(r.mode);
            }
            prev = Some(r);
        }
        assert_eq!(
            modes,
            [
                PropMode::LineOfSight,
                PropMode::Diffraction,
                PropMode::Troposcatter
            ]
        );
    }

    /// Over flat ground the median loss grows with distance, and never falls below free space
    /// once the path is beyond the horizon.
    #[test]
    fn flat_ground_loss_is_monotone_and_above_free_space_beyond_horizon() {
        let p = ItmParams::default();
        let mut last = 0.0;
        for k in 1..=150 {
            let n = 10 * k; // 1 km steps at 100 m spacing, out to 150 km
            let g = vec![50.0; n + 1];
            let r = p2p(30.0, 1.5, &g, 100.0, 900.0, &p).unwrap();
            assert!(r.a_db >= last - 1e-9, "{} km: {} < {last}", k, r.a_db);
            if r.mode != PropMode::LineOfSight {
                assert!(r.a_db >= r.a_fs_db, "{} km: below free space", k);
            }
            last = r.a_db;
        }
    }

    /// Beyond the horizon (ITM decides the region by the smooth-earth horizon distance) every path
    /// over a ridge is in diffraction or troposcatter and loses well over free space.
    #[test]
    fn ridge_paths_beyond_the_horizon_lose_more_than_free_space() {
        let p = ItmParams::default();
        for ridge_m in [60.0, 120.0, 240.0, 480.0] {
            for at in [20, 50, 80] {
                let g: Vec<f64> = (0..=100)
                    .map(|i| (ridge_m - (i as f64 - at as f64).abs() * 8.0).max(0.0))
                    .collect();
                let r = p2p(30.0, 1.5, &g, 1000.0, 900.0, &p).unwrap();
                assert_ne!(r.mode, PropMode::LineOfSight, "{ridge_m} m at {at} km");
                assert!(r.a_db > r.a_fs_db + 10.0, "{ridge_m} m at {at} km");
            }
        }
    }

    /// Location variability: at 90 % of locations the loss is higher than the median by about
    /// 1.28 σ_L with σ_L = 10 kΔh(d)/(kΔh(d)+13) [Alg. §5].
    #[test]
    fn location_quantile_follows_sigma_l() {
        let g: Vec<f64> = (0..=200)
            .map(|i| 300.0 + 80.0 * ((i as f64) * 0.37).sin())
            .collect();
        let at = |loc: f64| {
            let p = ItmParams {
                location_pct: loc,
                ..ItmParams::default()
            };
            p2p(30.0, 1.5, &g, 100.0, 900.0, &p).unwrap()
        };
        let (med, hi) = (at(50.0), at(90.0));
        let k = 900.0 / 47.7;
        let dh = diffraction::delta_h_at::<math::Libm>(med.d_m, med.delta_h_m);
        let sigma_l = 10.0 * k * dh / (k * dh + 13.0);
        let z = variability::inverse_ccdf(0.1);
        // (A&S 26.2.23 gives Q⁻¹(0.5) ≈ 1e-4 rather than 0, hence the tolerance)
        assert!(
            ((hi.a_db - med.a_db) - sigma_l * z).abs() < 0.01,
            "{} {} {}",
            hi.a_db,
            med.a_db,
            sigma_l * z
        );
        assert!(sigma_l > 9.0 && sigma_l < 10.0);
    }

    /// The variability modes behave as their definitions say: +10 removes location variability,
    /// mobile mode ties location to time, and every climate gives a finite, distinct median.
    #[test]
    fn variability_modes_and_climates() {
        let g: Vec<f64> = (0..=300)
            .map(|i| 200.0 + 60.0 * ((i as f64) * 0.21).sin())
            .collect();
        let run = |mdvar: i64, time: f64, loc: f64, climate: Climate| {
            let p = ItmParams {
                mdvar,
                time_pct: time,
                location_pct: loc,
                climate,
                ..ItmParams::default()
            };
            p2p(30.0, 1.5, &g, 100.0, 900.0, &p).unwrap().a_db
        };
        let c = Climate::ContinentalTemperate;
        // +10: location percentage has no effect; without it, it does.
        assert_eq!(run(13, 50.0, 10.0, c), run(13, 50.0, 90.0, c));
        assert!(run(3, 50.0, 90.0, c) > run(3, 50.0, 10.0, c) + 5.0);
        // Mobile mode: the location percentage is ignored (z_L = z_T).
        assert_eq!(run(2, 80.0, 10.0, c), run(2, 80.0, 90.0, c));
        // Single-message mode: time and location both follow the situation percentage.
        assert_eq!(run(0, 10.0, 10.0, c), run(0, 90.0, 90.0, c));
        // Higher time percentage, higher loss, in every climate; climates differ.
        let mut medians = Vec::new();
        for code in 1..=7 {
            let cl = Climate::from_code(code).unwrap();
            assert!(
                run(3, 90.0, 50.0, cl) > run(3, 10.0, 50.0, cl),
                "climate {code}"
            );
            medians.push(run(3, 50.0, 50.0, cl));
        }
        medians.sort_by(f64::total_cmp);
        medians.dedup();
        assert!(medians.len() >= 5, "{medians:?}");
    }
}
