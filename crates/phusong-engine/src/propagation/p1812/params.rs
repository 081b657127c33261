//! Input parameters (Rec. ITU-R P.1812-6, Annex 1 §3.1 Table 1) and profile points (§3.2).

use serde::{Deserialize, Serialize};

use crate::propagation::p1812::error::P1812Error;

/// Antenna polarisation (§3.1, Table 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Polarization {
    /// Horizontal (code 1 in the ITU-R validation files).
    Horizontal,
    /// Vertical (code 2 in the ITU-R validation files).
    Vertical,
}

impl Polarization {
    /// From the validation-file code: 1 = horizontal, 2 = vertical.
    pub fn from_code(code: u8) -> Option<Polarization> {
        match code {
            1 => Some(Polarization::Horizontal),
            2 => Some(Polarization::Vertical),
            _ => None,
        }
    }
}

/// Radio-climatic zone of a profile point (§3.3, Table 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RadioClimaticZone {
    /// Sea (code 1).
    Sea,
    /// Coastal land (code 3).
    CoastalLand,
    /// Inland (code 4).
    Inland,
}

impl RadioClimaticZone {
    /// From the Recommendation's code: 1 sea, 3 coastal land, 4 inland.
    pub fn from_code(code: u8) -> Option<RadioClimaticZone> {
        match code {
            1 => Some(RadioClimaticZone::Sea),
            3 => Some(RadioClimaticZone::CoastalLand),
            4 => Some(RadioClimaticZone::Inland),
            _ => None,
        }
    }

    /// The Recommendation's code.
    pub fn code(self) -> u8 {
        match self {
            RadioClimaticZone::Sea => 1,
            RadioClimaticZone::CoastalLand => 3,
            RadioClimaticZone::Inland => 4,
        }
    }

    /// Land (coastal or inland), as used for d_tm (§3.6).
    pub fn is_land(self) -> bool {
        !matches!(self, RadioClimaticZone::Sea)
    }
}

/// Clutter category of the validation profiles (§3.2.1, Table 2).
///
/// P.1812-6 uses only the representative clutter *height* of each point in the loss computation;
/// the category is carried for reporting and for choosing heights when building profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClutterCategory {
    /// Water/sea (code 1).
    WaterSea,
    /// Open/rural (code 2).
    OpenRural,
    /// Suburban (code 3).
    Suburban,
    /// Urban/trees/forest (code 4).
    UrbanTreesForest,
    /// Dense urban (code 5).
    DenseUrban,
}

impl ClutterCategory {
    /// From the validation-file code 1–5.
    pub fn from_code(code: u8) -> Option<ClutterCategory> {
        match code {
            1 => Some(ClutterCategory::WaterSea),
            2 => Some(ClutterCategory::OpenRural),
            3 => Some(ClutterCategory::Suburban),
            4 => Some(ClutterCategory::UrbanTreesForest),
            5 => Some(ClutterCategory::DenseUrban),
            _ => None,
        }
    }
}

/// One point of the radio path profile (§3.2): Tx is point 0, Rx the last point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfilePoint {
    /// Distance from the transmitter, km (first point 0, strictly increasing).
    pub d_km: f64,
    /// Terrain height above mean sea level, m.
    pub h_m: f64,
    /// Clutter code (see [`ClutterCategory::from_code`]); informational only.
    pub clutter_code: u8,
    /// Representative clutter height R, m (§3.2.1); added to the terrain at intermediate points.
    pub clutter_height_m: f64,
    /// Radio-climatic zone (§3.3).
    pub zone: RadioClimaticZone,
}

/// Building entry loss for an indoor receiver (§4.8, from Rec. ITU-R P.2109).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildingEntry {
    /// Median building entry loss L_be, dB.
    pub median_loss_db: f64,
    /// Standard deviation σ_b of the building entry loss, dB.
    pub std_dev_db: f64,
}

/// Inputs of a P.1812-6 prediction other than the profile (§3.1, Table 1; §3.4–3.5; §4.7–4.10).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct P1812Params {
    /// Frequency f, GHz (0.03–6).
    pub freq_ghz: f64,
    /// Time percentage p for which the loss is not exceeded, % (1–50).
    pub time_pct: f64,
    /// Location percentage pL for which the loss is not exceeded, % (1–99).
    pub location_pct: f64,
    /// Location-variability standard deviation σL, dB; `None` = §4.7's own formula
    /// σL = (0.52 + 0.024 f) w_a^0.28 u_h, using [`Self::location_area_width_m`] and, for the
    /// height factor u_h, h_rg against the receiver point's representative clutter height R.
    /// Not applied (σL = 0) when the receiver point is in the sea zone.
    pub sigma_l_db: Option<f64>,
    /// Width w_a of the square area over which location variability applies, m
    /// (the prediction resolution; used only when `sigma_l_db` is `None`).
    pub location_area_width_m: f64,
    /// Tx antenna centre height above ground h_tg, m (1–3000).
    pub htg_m: f64,
    /// Rx antenna centre height above ground h_rg, m (1–3000).
    pub hrg_m: f64,
    /// Polarisation.
    pub polarization: Polarization,
    /// Average radio-refractive index lapse-rate ΔN through the lowest 1 km, N-units/km (§3.5).
    pub delta_n_per_km: f64,
    /// Sea-level surface refractivity N0, N-units (§3.5).
    pub n0_n_units: f64,
    /// Distance over land from the Tx to the coast along the path, km (§3.4; 0 for a Tx at sea).
    pub dct_km: f64,
    /// Distance over land from the Rx to the coast along the path, km (§3.4; 0 for an Rx at sea).
    pub dcr_km: f64,
    /// Tx latitude φt, degrees north.
    pub phi_t_deg: f64,
    /// Rx latitude φr, degrees north.
    pub phi_r_deg: f64,
    /// Tx longitude ψt, degrees east.
    pub lam_t_deg: f64,
    /// Rx longitude ψr, degrees east.
    pub lam_r_deg: f64,
    /// Transmitter e.r.p., kW (only scales [`crate::propagation::p1812::P1812Result::ep_ptx_dbuvm`]).
    pub tx_erp_kw: f64,
    /// Building entry loss of an indoor receiver; `None` = outdoor receiver (§4.8).
    pub building_entry: Option<BuildingEntry>,
}

/// Checks that `value` is finite and within `[lo, hi]`.
fn check(
    name: &'static str,
    value: f64,
    lo: f64,
    hi: f64,
    unit: &'static str,
    expected: &'static str,
) -> Result<(), P1812Error> {
    if value.is_finite() && value >= lo && value <= hi {
        Ok(())
    } else {
        Err(P1812Error::Param {
            name,
            value,
            unit,
            expected,
        })
    }
}

impl P1812Params {
    /// Checks every parameter against the Recommendation's validity ranges (§1, Table 1).
    pub fn validate(&self) -> Result<(), P1812Error> {
        check("freq_ghz", self.freq_ghz, 0.03, 6.0, "GHz", "0.03 to 6 GHz")?;
        check("time_pct", self.time_pct, 1.0, 50.0, "%", "1 to 50 %")?;
        check(
            "location_pct",
            self.location_pct,
            1.0,
            99.0,
            "%",
            "1 to 99 %",
        )?;
        if let Some(s) = self.sigma_l_db {
            check("sigma_l_db", s, 0.0, 30.0, "dB", "0 to 30 dB")?;
        }
        check(
            "location_area_width_m",
            self.location_area_width_m,
            1.0,
            100_000.0,
            "m",
            "1 to 100000 m",
        )?;
        check("htg_m", self.htg_m, 1.0, 3000.0, "m", "1 to 3000 m")?;
        check("hrg_m", self.hrg_m, 1.0, 3000.0, "m", "1 to 3000 m")?;
        // k50 = 157/(157 − ΔN) (Eq 6) must stay positive and finite.
        check(
            "delta_n_per_km",
            self.delta_n_per_km,
            0.0,
            150.0,
            "N-units/km",
            "0 to 150 N-units/km",
        )?;
        check(
            "n0_n_units",
            self.n0_n_units,
            150.0,
            500.0,
            "N-units",
            "150 to 500 N-units",
        )?;
        check(
            "dct_km",
            self.dct_km,
            0.0,
            f64::MAX,
            "km",
            "a finite distance ≥ 0 km",
        )?;
        check(
            "dcr_km",
            self.dcr_km,
            0.0,
            f64::MAX,
            "km",
            "a finite distance ≥ 0 km",
        )?;
        check(
            "phi_t_deg",
            self.phi_t_deg,
            -90.0,
            90.0,
            "degrees",
            "-90 to 90 degrees",
        )?;
        check(
            "phi_r_deg",
            self.phi_r_deg,
            -90.0,
            90.0,
            "degrees",
            "-90 to 90 degrees",
        )?;
        check(
            "lam_t_deg",
            self.lam_t_deg,
            -360.0,
            360.0,
            "degrees",
            "-360 to 360 degrees",
        )?;
        check(
            "lam_r_deg",
            self.lam_r_deg,
            -360.0,
            360.0,
            "degrees",
            "-360 to 360 degrees",
        )?;
        if !(self.tx_erp_kw.is_finite() && self.tx_erp_kw > 0.0) {
            return Err(P1812Error::Param {
                name: "tx_erp_kw",
                value: self.tx_erp_kw,
                unit: "kW",
                expected: "a finite power > 0 kW",
            });
        }
        if let Some(be) = self.building_entry {
            check(
                "building_entry.median_loss_db",
                be.median_loss_db,
                0.0,
                100.0,
                "dB",
                "0 to 100 dB",
            )?;
            check(
                "building_entry.std_dev_db",
                be.std_dev_db,
                0.0,
                30.0,
                "dB",
                "0 to 30 dB",
            )?;
        }
        Ok(())
    }
}

/// Checks the profile: ≥ 3 points, first distance 0, strictly increasing finite distances,
/// finite heights, clutter heights finite and ≥ 0.
pub(crate) fn validate_profile(profile: &[ProfilePoint]) -> Result<(), P1812Error> {
    if profile.len() < 3 {
        return Err(P1812Error::ProfileTooShort {
            count: profile.len(),
        });
    }
    let mut prev = f64::NEG_INFINITY;
    for (index, p) in profile.iter().enumerate() {
        let bad = |field, value, unit, expected| P1812Error::ProfilePoint {
            index,
            field,
            value,
            unit,
            expected,
        };
        if index == 0 && p.d_km != 0.0 {
            return Err(bad("d_km", p.d_km, "km", "0 km at the transmitter"));
        }
        if !p.d_km.is_finite() || p.d_km <= prev {
            return Err(bad(
                "d_km",
                p.d_km,
                "km",
                "a finite distance greater than the previous point's",
            ));
        }
        prev = p.d_km;
        if !p.h_m.is_finite() || p.h_m.abs() > 20_000.0 {
            return Err(bad("h_m", p.h_m, "m", "a finite height within ±20000 m"));
        }
        if !p.clutter_height_m.is_finite() || !(0.0..=1000.0).contains(&p.clutter_height_m) {
            return Err(bad(
                "clutter_height_m",
                p.clutter_height_m,
                "m",
                "a finite height 0 to 1000 m",
            ));
        }
    }
    Ok(())
}
