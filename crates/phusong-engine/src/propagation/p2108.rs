//! Recommendation ITU-R P.2108-1 (09/2021), Annex 1 §3.1: the height-gain terminal correction
//! model, the median loss A_h a terminal of height h suffers from clutter of representative
//! height R around it, added to a loss computed over the clutter.
//!
//! Equations (§3.1): for h ≥ R, A_h = 0; for h < R,
//! - (2a) A_h = J(ν) − 6.03 dB for suburban, urban, trees/forest and dense urban clutter;
//! - (2b) A_h = −K_h2 log10(h / R) dB for water/sea and open/rural;
//! - (2c) ν = K_ν √(h_dif θ_clut); (2d) h_dif = R − h (m); (2e) θ_clut = arctan(h_dif / w_s),
//!   degrees; (2f) K_h2 = 21.8 + 6.2 log10(f); (2g) K_ν = 0.342 √f, f in GHz;
//! - J(ν) the knife-edge loss of Rec. ITU-R P.526 Eq (31), 0 for ν ≤ −0.78.
//!
//! Table 3 gives the default R per clutter type (water/sea, open/rural, suburban 10 m; urban,
//! trees/forest 15 m; dense urban 20 m) and w_s = 27 m; here R is the class table's own height.
//! Valid for 0.03–3 GHz (§3.1).

use serde::{Deserialize, Serialize};

/// The clutter types of P.2108 §3.1 (Table 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum P2108Clutter {
    WaterSea,
    OpenRural,
    Suburban,
    Urban,
    TreesForest,
    DenseUrban,
}

impl P2108Clutter {
    /// All types, in Table 3's order.
    pub const ALL: [P2108Clutter; 6] = [
        P2108Clutter::WaterSea,
        P2108Clutter::OpenRural,
        P2108Clutter::Suburban,
        P2108Clutter::Urban,
        P2108Clutter::TreesForest,
        P2108Clutter::DenseUrban,
    ];

    /// Its name in class tables (kebab-case).
    pub fn name(self) -> &'static str {
        match self {
            P2108Clutter::WaterSea => "water-sea",
            P2108Clutter::OpenRural => "open-rural",
            P2108Clutter::Suburban => "suburban",
            P2108Clutter::Urban => "urban",
            P2108Clutter::TreesForest => "trees-forest",
            P2108Clutter::DenseUrban => "dense-urban",
        }
    }

    /// The type named `s` (as [`P2108Clutter::name`]).
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Table 3's default representative clutter height R, m.
    pub fn default_height_m(self) -> f64 {
        match self {
            P2108Clutter::WaterSea | P2108Clutter::OpenRural | P2108Clutter::Suburban => 10.0,
            P2108Clutter::Urban | P2108Clutter::TreesForest => 15.0,
            P2108Clutter::DenseUrban => 20.0,
        }
    }

    /// Whether Table 3 assigns Eq (2b) (the height-gain form) rather than Eq (2a) (diffraction).
    fn uses_height_gain(self) -> bool {
        matches!(self, P2108Clutter::WaterSea | P2108Clutter::OpenRural)
    }
}

/// Table 3's default street width w_s, m.
pub const DEFAULT_STREET_WIDTH_M: f64 = 27.0;

/// Knife-edge diffraction loss J(ν), dB (Rec. ITU-R P.526, Eq (31)); 0 for ν ≤ −0.78.
fn j_db(nu: f64) -> f64 {
    if nu <= -0.78 {
        0.0
    } else {
        6.9 + 20.0 * (((nu - 0.1).powi(2) + 1.0).sqrt() + nu - 0.1).log10()
    }
}

/// P.2108 §3.1 terminal clutter loss A_h, dB, of a terminal `h_m` above ground amid clutter of
/// type `kind` and representative height `r_m`, street width `ws_m`, at `freq_ghz` (the caller
/// keeps it within 0.03–3 GHz and h > 0). 0 where h ≥ R.
pub fn terminal_loss_db(freq_ghz: f64, h_m: f64, r_m: f64, ws_m: f64, kind: P2108Clutter) -> f64 {
    if h_m >= r_m {
        return 0.0;
    }
    if kind.uses_height_gain() {
        let k_h2 = 21.8 + 6.2 * freq_ghz.log10(); // (2f)
        return -k_h2 * (h_m / r_m).log10(); // (2b)
    }
    let h_dif = r_m - h_m; // (2d)
    let theta_clut_deg = (h_dif / ws_m).atan().to_degrees(); // (2e)
    let k_nu = 0.342 * freq_ghz.sqrt(); // (2g)
    let nu = k_nu * (h_dif * theta_clut_deg).sqrt(); // (2c)
    j_db(nu) - 6.03 // (2a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffraction_form_matches_hand_computation() {
        // Urban, R = 15 m, h = 1.5 m, w_s = 27 m, f = 0.9 GHz, by hand:
        // h_dif = 13.5; θ = atan(0.5) = 26.56505°; K_ν = 0.342·0.948683 = 0.324450;
        // ν = 0.324450·√(13.5·26.56505) = 0.324450·18.937490 = 6.144260;
        // J = 6.9 + 20 log10(√(6.044260² + 1) + 6.044260) = 6.9 + 20 log10(12.170689)
        //   = 6.9 + 21.706300 = 28.606300; A_h = 22.576300 dB.
        let a = terminal_loss_db(0.9, 1.5, 15.0, 27.0, P2108Clutter::Urban);
        assert!((a - 22.5763).abs() < 1e-3, "{a}");
        // Trees/forest uses the same Eq (2a).
        let t = terminal_loss_db(0.9, 1.5, 15.0, 27.0, P2108Clutter::TreesForest);
        assert_eq!(a, t);
    }

    #[test]
    fn height_gain_form_matches_hand_computation() {
        // Open/rural, R = 10 m, h = 2 m, f = 1 GHz: K_h2 = 21.8; A_h = −21.8 log10(0.2)
        // = 21.8·0.698970 = 15.237546 dB.
        let a = terminal_loss_db(1.0, 2.0, 10.0, 27.0, P2108Clutter::OpenRural);
        assert!((a - 15.237546).abs() < 1e-5, "{a}");
        // f = 0.1 GHz: K_h2 = 21.8 − 6.2 = 15.6; h = 5, R = 10: 15.6·0.301030 = 4.696068 dB.
        let b = terminal_loss_db(0.1, 5.0, 10.0, 27.0, P2108Clutter::WaterSea);
        assert!((b - 4.696068).abs() < 1e-5, "{b}");
    }

    #[test]
    fn no_loss_at_or_above_the_clutter_and_monotone_below() {
        for kind in P2108Clutter::ALL {
            assert_eq!(terminal_loss_db(0.9, 15.0, 15.0, 27.0, kind), 0.0);
            assert_eq!(terminal_loss_db(0.9, 20.0, 15.0, 27.0, kind), 0.0);
            let (low, high) = (
                terminal_loss_db(0.9, 1.5, 15.0, 27.0, kind),
                terminal_loss_db(0.9, 10.0, 15.0, 27.0, kind),
            );
            assert!(low > high && high > 0.0, "{kind:?}: {low} {high}");
        }
        // Eq (2a) at ν = 0 (just below R) gives J(0) − 6.03 ≈ 0: continuous at h = R.
        let edge = terminal_loss_db(0.9, 14.999999, 15.0, 27.0, P2108Clutter::Urban);
        assert!(edge.abs() < 0.01, "{edge}");
    }

    #[test]
    fn names_round_trip() {
        for t in P2108Clutter::ALL {
            assert_eq!(P2108Clutter::from_name(t.name()), Some(t));
        }
        assert_eq!(P2108Clutter::from_name("jungle"), None);
    }
}
