//! Base-station sites and their sectors, in the study CRS.

use serde::{Deserialize, Serialize};

/// One sector (cell) of a site: an LTE carrier radiated by one antenna.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sector {
    /// Boresight azimuth, degrees clockwise from north.
    pub azimuth_deg: f64,
    /// Mechanical down-tilt, degrees (positive = down).
    pub mech_tilt_deg: f64,
    /// Electrical down-tilt, degrees (positive = down).
    pub elec_tilt_deg: f64,
    /// Carrier centre frequency, MHz.
    pub freq_mhz: f64,
    /// Channel bandwidth, MHz (sets the number of resource elements RSRP is spread over).
    pub bandwidth_mhz: f64,
    /// Peak EIRP of the whole carrier at boresight, dBm (transmit power + antenna gain − feeder loss).
    pub eirp_dbm: f64,
    /// Horizontal half-power beamwidth, degrees (3GPP TR 36.814: 70°).
    pub h_beamwidth_deg: f64,
    /// Vertical half-power beamwidth, degrees (3GPP TR 36.814: 10°).
    pub v_beamwidth_deg: f64,
    /// A measured pattern (MSI/Planet file); `None` uses the 3GPP TR 36.814 pattern with the
    /// beamwidths above. Shared between the sectors that name the same file.
    #[serde(skip)]
    pub pattern: Option<std::sync::Arc<crate::radio::AntennaPattern>>,
}

impl Sector {
    /// Total down-tilt, degrees.
    pub fn tilt_deg(&self) -> f64 {
        self.mech_tilt_deg + self.elec_tilt_deg
    }
    /// Relative antenna gain (dB, ≤ 0) towards `azimuth_deg` (clockwise from north) and
    /// `depression_deg` below the horizon: the measured pattern when there is one (tilted by the
    /// mechanical tilt and by any electrical tilt beyond the one built into its vertical cut),
    /// else the 3GPP TR 36.814 pattern.
    pub fn gain_db(&self, azimuth_deg: f64, depression_deg: f64) -> f64 {
        let off = azimuth_deg - self.azimuth_deg;
        match &self.pattern {
            Some(p) => p.gain_db(
                off,
                depression_deg,
                self.mech_tilt_deg + self.elec_tilt_deg - p.elec_tilt_deg,
            ),
            None => crate::radio::antenna::pattern_db(
                off,
                depression_deg,
                self.tilt_deg(),
                self.h_beamwidth_deg,
                self.v_beamwidth_deg,
            ),
        }
    }
    /// Reference-signal EIRP per resource element, dBm: carrier EIRP spread evenly over the
    /// 12·N_RB subcarriers (3GPP TS 36.214 RSRP definition, equal RS/data EPRE assumed).
    pub fn rs_eirp_dbm(&self) -> f64 {
        self.eirp_dbm - 10.0 * (subcarriers(self.bandwidth_mhz) as f64).log10()
    }
}

/// Number of subcarriers in an LTE channel (TS 36.101 Table 5.6-1: N_RB = 6, 15, 25, 50, 75, 100).
pub fn subcarriers(bandwidth_mhz: f64) -> u32 {
    let n_rb = match bandwidth_mhz {
        b if b <= 1.4 => 6,
        b if b <= 3.0 => 15,
        b if b <= 5.0 => 25,
        b if b <= 10.0 => 50,
        b if b <= 15.0 => 75,
        _ => 100,
    };
    12 * n_rb
}

/// A site: a mast with one or more sectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Unique id within a study (1-based; 0 means "none" in rasters).
    pub id: u32,
    pub name: String,
    pub operator: String,
    /// Position in the study CRS, metres.
    pub x_m: f64,
    pub y_m: f64,
    /// WGS84 position, degrees (for outputs).
    pub lon: f64,
    pub lat: f64,
    /// Antenna height above ground, metres.
    pub height_m: f64,
    pub sectors: Vec<Sector>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rs_power_spreads_over_subcarriers() {
        let s = Sector {
            azimuth_deg: 0.0,
            mech_tilt_deg: 0.0,
            elec_tilt_deg: 0.0,
            freq_mhz: 1800.0,
            bandwidth_mhz: 20.0,
            eirp_dbm: 61.0,
            h_beamwidth_deg: 65.0,
            v_beamwidth_deg: 10.0,
            pattern: None,
        };
        // 1200 subcarriers: 10·log10(1200) = 30.79 dB.
        assert!((s.rs_eirp_dbm() - (61.0 - 30.7918)).abs() < 1e-3);
        assert_eq!(subcarriers(5.0), 300);
        assert_eq!(subcarriers(10.0), 600);
    }
}
