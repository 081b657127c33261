//! 3GPP TR 38.901 macro-cell path loss (RMa, UMa), LOS probability and shadow-fading σ.
//!
//! Source: 3GPP TR 38.901 "Study on channel model for frequencies from 0.5 to 100 GHz",
//! V16.1.0 (2019-12) / V17.0.0 (2022-03), identical for these clauses:
//! - §7.4.1 Table 7.4.1-1 (path loss and σ_SF) with its notes: note 1 (UMa effective
//!   environment height h_E), note 5 (RMa breakpoint d_BP = 2π h_BS h_UT f_c / c with f_c in Hz
//!   and c = 3.0·10⁸ m/s), note 6 (in the formulas f_c is in GHz, distances and heights in m).
//! - §7.4.2 Table 7.4.2-1 (LOS probability, outdoor users: d_2D,out = d_2D).
//!
//! Units: phusong carries frequencies in MHz; here f_c(GHz) = freq_mhz / 1000 in the
//! formulas and f_c(Hz) = freq_mhz · 10⁶ in the breakpoint distances. d_3D = √(d_2D² +
//! (h_BS − h_UT)²). Losses are positive dB (median, no shadowing).
//!
//! Applicability (Table 7.4.1-1 and its notes), enforced only by [`check_validity`]:
//! - RMa: 10 m ≤ d_2D ≤ 10 km (LOS: PL1 up to d_BP, PL2 beyond), NLOS 10 m ≤ d_2D ≤ 5 km;
//!   10 m ≤ h_BS ≤ 150 m, 1 m ≤ h_UT ≤ 10 m; street width W and building height h in 5–50 m
//!   (fixed here to the table's defaults W = 20 m, h = 5 m); 0.5 ≤ f_c ≤ 30 GHz. We use the
//!   V16/V17 range: the notes extend RMa from the original 0.5–7 GHz up to 30 GHz on the basis
//!   of a single 24 GHz measurement campaign. All LTE bands (0.7–2.6 GHz) lie below 7 GHz.
//! - UMa: 10 m ≤ d_2D ≤ 5 km, h_BS = 25 m (the only value specified), 1.5 m ≤ h_UT ≤ 22.5 m,
//!   0.5 ≤ f_c ≤ 100 GHz.
//!
//! Out-of-range inputs never panic and never produce NaN from finite input: d_2D is floored at
//! 10 m (the tables' minimum), heights are floored at 1 m (RMa) / 1.5 m (UMa, which keeps the
//! effective heights h − h_E ≥ 0.5 m so d'_BP > 0) and the frequency at 1 MHz. Beyond the
//! maximum distance the formulas are simply extrapolated (PL2 / PL'_NLOS keep their slopes).
//!
//! UMa breakpoint: note 1 makes h_E random (1 m with probability 1/(1 + C(d_2D, h_UT)),
//! otherwise uniform on {12, 15, …, h_UT − 1.5}); C = 0 for h_UT < 13 m, so h_E = 1 m is then
//! certain. We always use the deterministic h_E = 1 m ([`UMA_H_E_M`]), exact for h_UT < 13 m
//! and the most likely value above.

use serde::{Deserialize, Serialize};

/// 3GPP TR 38.901 macro scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scenario3gpp {
    /// Rural macro-cell.
    RMa,
    /// Urban macro-cell.
    UMa,
}

/// Speed of light as fixed by the table's notes (3.0·10⁸ m/s, not the exact SI value).
const C_M_S: f64 = 3.0e8;
/// Minimum 2D distance of every Table 7.4.1-1 formula; shorter distances are clamped to it.
pub const MIN_D_2D_M: f64 = 10.0;
/// RMa average street width W (Table 7.4.1-1 default).
pub const RMA_STREET_WIDTH_M: f64 = 20.0;
/// RMa average building height h (Table 7.4.1-1 default).
pub const RMA_BUILDING_HEIGHT_M: f64 = 5.0;
/// UMa effective environment height h_E used for d'_BP (note 1, deterministic choice).
pub const UMA_H_E_M: f64 = 1.0;

const MIN_FREQ_MHZ: f64 = 1.0;
const RMA_MIN_HEIGHT_M: f64 = 1.0;
const UMA_MIN_HEIGHT_M: f64 = 1.5;

fn d_3d_m(d_2d_m: f64, h_bs_m: f64, h_ut_m: f64) -> f64 {
    d_2d_m.hypot(h_bs_m - h_ut_m)
}

/// RMa LOS breakpoint distance d_BP = 2π h_BS h_UT f_c / c (m), Table 7.4.1-1 note 5.
/// Heights and frequency are floored as in the module docs.
pub fn rma_breakpoint_m(h_bs_m: f64, h_ut_m: f64, freq_mhz: f64) -> f64 {
    let h_bs = h_bs_m.max(RMA_MIN_HEIGHT_M);
    let h_ut = h_ut_m.max(RMA_MIN_HEIGHT_M);
    let f_hz = freq_mhz.max(MIN_FREQ_MHZ) * 1e6;
    2.0 * std::f64::consts::PI * h_bs * h_ut * f_hz / C_M_S
}

/// UMa LOS breakpoint distance d'_BP = 4 h'_BS h'_UT f_c / c (m) with h' = h − h_E, h_E = 1 m
/// (Table 7.4.1-1 note 1). Heights and frequency are floored as in the module docs.
pub fn uma_breakpoint_m(h_bs_m: f64, h_ut_m: f64, freq_mhz: f64) -> f64 {
    let h_bs = h_bs_m.max(UMA_MIN_HEIGHT_M) - UMA_H_E_M;
    let h_ut = h_ut_m.max(UMA_MIN_HEIGHT_M) - UMA_H_E_M;
    let f_hz = freq_mhz.max(MIN_FREQ_MHZ) * 1e6;
    4.0 * h_bs * h_ut * f_hz / C_M_S
}

/// RMa PL1 of Table 7.4.1-1 at a distance `d_m` (the 3D distance, or d_BP for the PL2 anchor):
/// 20 log(40π d f_c/3) + min(0.03 h^1.72, 10) log d − min(0.044 h^1.72, 14.77) + 0.002 log(h) d.
fn rma_pl1_db(d_m: f64, f_ghz: f64) -> f64 {
    let h = RMA_BUILDING_HEIGHT_M;
    let h172 = h.powf(1.72);
    20.0 * (40.0 * std::f64::consts::PI * d_m * f_ghz / 3.0).log10()
        + (0.03 * h172).min(10.0) * d_m.log10()
        - (0.044 * h172).min(14.77)
        + 0.002 * h.log10() * d_m
}

/// RMa median path loss (dB), TR 38.901 Table 7.4.1-1, with W = 20 m and h = 5 m.
///
/// LOS: PL1(d_3D) for d_2D ≤ d_BP, else PL2 = PL1(d_BP) + 40 log(d_3D / d_BP), where PL1(d_BP)
/// is PL1 evaluated at distance d_BP as written in the table. Because the switch is on d_2D
/// while PL1 and PL2 take d_3D, the curve steps by a few thousandths of a dB at d_BP for
/// typical heights (0.004 dB at 900 MHz, h_BS 35 m, h_UT 1.5 m).
/// NLOS: max(PL_LOS, PL'_NLOS) with PL'_NLOS = 161.04 − 7.1 log W + 7.5 log h
/// − (24.37 − 3.7 (h/h_BS)²) log h_BS + (43.42 − 3.1 log h_BS)(log d_3D − 3) + 20 log f_c
/// − (3.2 (log(11.75 h_UT))² − 4.97).
/// Inputs are clamped / extrapolated as described in the module docs; never panics.
pub fn rma_path_loss_db(d_2d_m: f64, h_bs_m: f64, h_ut_m: f64, freq_mhz: f64, los: bool) -> f64 {
    let d_2d = d_2d_m.max(MIN_D_2D_M);
    let h_bs = h_bs_m.max(RMA_MIN_HEIGHT_M);
    let h_ut = h_ut_m.max(RMA_MIN_HEIGHT_M);
    let f_ghz = freq_mhz.max(MIN_FREQ_MHZ) / 1000.0;
    let d_3d = d_3d_m(d_2d, h_bs, h_ut);
    let d_bp = rma_breakpoint_m(h_bs, h_ut, freq_mhz);
    let pl_los = if d_2d <= d_bp {
        rma_pl1_db(d_3d, f_ghz)
    } else {
        rma_pl1_db(d_bp, f_ghz) + 40.0 * (d_3d / d_bp).log10()
    };
    if los {
        return pl_los;
    }
    let (w, h) = (RMA_STREET_WIDTH_M, RMA_BUILDING_HEIGHT_M);
    let pl_nlos = 161.04 - 7.1 * w.log10() + 7.5 * h.log10()
        - (24.37 - 3.7 * (h / h_bs).powi(2)) * h_bs.log10()
        + (43.42 - 3.1 * h_bs.log10()) * (d_3d.log10() - 3.0)
        + 20.0 * f_ghz.log10()
        - (3.2 * (11.75 * h_ut).log10().powi(2) - 4.97);
    pl_los.max(pl_nlos)
}

/// UMa median path loss (dB), TR 38.901 Table 7.4.1-1.
///
/// LOS: PL1 = 28 + 22 log d_3D + 20 log f_c for d_2D ≤ d'_BP, else
/// PL2 = 28 + 40 log d_3D + 20 log f_c − 9 log(d'_BP² + (h_BS − h_UT)²) (continuous at d'_BP).
/// NLOS: max(PL_LOS, PL'_NLOS), PL'_NLOS = 13.54 + 39.08 log d_3D + 20 log f_c − 0.6 (h_UT − 1.5).
/// d'_BP uses h_E = 1 m (see module docs). Inputs are clamped / extrapolated as described in
/// the module docs; never panics.
pub fn uma_path_loss_db(d_2d_m: f64, h_bs_m: f64, h_ut_m: f64, freq_mhz: f64, los: bool) -> f64 {
    let d_2d = d_2d_m.max(MIN_D_2D_M);
    let h_bs = h_bs_m.max(UMA_MIN_HEIGHT_M);
    let h_ut = h_ut_m.max(UMA_MIN_HEIGHT_M);
    let log_f = (freq_mhz.max(MIN_FREQ_MHZ) / 1000.0).log10();
    let d_3d = d_3d_m(d_2d, h_bs, h_ut);
    let d_bp = uma_breakpoint_m(h_bs, h_ut, freq_mhz);
    let pl_los = if d_2d <= d_bp {
        28.0 + 22.0 * d_3d.log10() + 20.0 * log_f
    } else {
        28.0 + 40.0 * d_3d.log10() + 20.0 * log_f
            - 9.0 * (d_bp * d_bp + (h_bs - h_ut).powi(2)).log10()
    };
    if los {
        return pl_los;
    }
    let pl_nlos = 13.54 + 39.08 * d_3d.log10() + 20.0 * log_f - 0.6 * (h_ut - 1.5);
    pl_los.max(pl_nlos)
}

/// Path loss (dB) of `scenario`: dispatches to [`rma_path_loss_db`] or [`uma_path_loss_db`].
pub fn path_loss_db(
    scenario: Scenario3gpp,
    d_2d_m: f64,
    h_bs_m: f64,
    h_ut_m: f64,
    freq_mhz: f64,
    los: bool,
) -> f64 {
    match scenario {
        Scenario3gpp::RMa => rma_path_loss_db(d_2d_m, h_bs_m, h_ut_m, freq_mhz, los),
        Scenario3gpp::UMa => uma_path_loss_db(d_2d_m, h_bs_m, h_ut_m, freq_mhz, los),
    }
}

/// Probability of line of sight for an outdoor user, TR 38.901 Table 7.4.2-1.
///
/// RMa: 1 for d_2D ≤ 10 m, else exp(−(d_2D − 10)/1000).
/// UMa: 1 for d_2D ≤ 18 m, else [18/d_2D + exp(−d_2D/63)(1 − 18/d_2D)]
/// · [1 + C'(h_UT) (5/4)(d_2D/100)³ exp(−d_2D/150)], with C'(h_UT) = 0 for h_UT ≤ 13 m and
/// ((h_UT − 13)/10)^1.5 for 13 m < h_UT ≤ 23 m (h_UT above 23 m is held at 23 m). `h_ut_m` is
/// ignored for RMa. The result is kept in [0, 1]; NaN distance counts as ≤ the threshold.
pub fn los_probability(scenario: Scenario3gpp, d_2d_m: f64, h_ut_m: f64) -> f64 {
    match scenario {
        Scenario3gpp::RMa => {
            if d_2d_m > 10.0 {
                (-(d_2d_m - 10.0) / 1000.0).exp()
            } else {
                1.0
            }
        }
        Scenario3gpp::UMa => {
            if d_2d_m.is_nan() || d_2d_m <= 18.0 {
                return 1.0;
            }
            let c_prime = if h_ut_m > 13.0 {
                ((h_ut_m.min(23.0) - 13.0) / 10.0).powf(1.5)
            } else {
                0.0
            };
            let base = 18.0 / d_2d_m + (-d_2d_m / 63.0).exp() * (1.0 - 18.0 / d_2d_m);
            let high_ut = 1.0 + c_prime * 1.25 * (d_2d_m / 100.0).powi(3) * (-d_2d_m / 150.0).exp();
            (base * high_ut).clamp(0.0, 1.0)
        }
    }
}

/// Shadow-fading standard deviation σ_SF (dB), TR 38.901 Table 7.4.1-1.
///
/// RMa: LOS 4 dB for d_2D ≤ d_BP (PL1) and 6 dB beyond (PL2); NLOS 8 dB.
/// UMa: LOS 4 dB; NLOS 6 dB. Heights and frequency only matter for the RMa breakpoint.
pub fn shadow_sigma_db(
    scenario: Scenario3gpp,
    los: bool,
    d_2d_m: f64,
    h_bs_m: f64,
    h_ut_m: f64,
    freq_mhz: f64,
) -> f64 {
    match (scenario, los) {
        (Scenario3gpp::RMa, true) => {
            if d_2d_m.max(MIN_D_2D_M) <= rma_breakpoint_m(h_bs_m, h_ut_m, freq_mhz) {
                4.0
            } else {
                6.0
            }
        }
        (Scenario3gpp::RMa, false) => 8.0,
        (Scenario3gpp::UMa, true) => 4.0,
        (Scenario3gpp::UMa, false) => 6.0,
    }
}

/// One input outside TR 38.901 Table 7.4.1-1's applicability range.
#[derive(Clone, Debug, PartialEq)]
pub struct OutOfRange {
    pub name: &'static str,
    pub value: f64,
    pub lo: f64,
    pub hi: f64,
    pub unit: &'static str,
    pub scenario: Scenario3gpp,
    pub los: bool,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sc = match self.scenario {
            Scenario3gpp::RMa => "RMa",
            Scenario3gpp::UMa => "UMa",
        };
        let state = if self.los { "LOS" } else { "NLOS" };
        let OutOfRange {
            name,
            value,
            lo,
            hi,
            unit,
            ..
        } = self;
        write!(
            f,
            "{name} = {value} {unit} outside {lo}–{hi} {unit} ({sc} {state})"
        )
    }
}

/// Every input of a link outside the table's applicability ranges.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(|o| o.to_string()).collect::<Vec<_>>().join("; "))]
pub struct OutsideValidity(pub Vec<OutOfRange>);

/// Checks the inputs against the applicability ranges of TR 38.901 Table 7.4.1-1 (see module
/// docs). `Err` lists every parameter out of range, e.g.
/// "d_2d_m = 7000 m outside 10–5000 m (RMa NLOS)". For UMa the table specifies h_BS = 25 m
/// only, so any other base height is reported.
pub fn check_validity(
    scenario: Scenario3gpp,
    d_2d_m: f64,
    h_bs_m: f64,
    h_ut_m: f64,
    freq_mhz: f64,
    los: bool,
) -> Result<(), OutsideValidity> {
    // (name, value, lo, hi, unit) per Table 7.4.1-1 and its notes.
    let ranges: [(&'static str, f64, f64, f64, &'static str); 4] = match scenario {
        Scenario3gpp::RMa => [
            (
                "d_2d_m",
                d_2d_m,
                10.0,
                if los { 10_000.0 } else { 5_000.0 },
                "m",
            ),
            ("h_bs_m", h_bs_m, 10.0, 150.0, "m"),
            ("h_ut_m", h_ut_m, 1.0, 10.0, "m"),
            ("freq_mhz", freq_mhz, 500.0, 30_000.0, "MHz"),
        ],
        Scenario3gpp::UMa => [
            ("d_2d_m", d_2d_m, 10.0, 5_000.0, "m"),
            ("h_bs_m", h_bs_m, 25.0, 25.0, "m"),
            ("h_ut_m", h_ut_m, 1.5, 22.5, "m"),
            ("freq_mhz", freq_mhz, 500.0, 100_000.0, "MHz"),
        ],
    };
    // `contains` is false for NaN, so NaN is reported as out of range.
    let out: Vec<OutOfRange> = ranges
        .into_iter()
        .filter(|(_, v, lo, hi, _)| !(*lo..=*hi).contains(v))
        .map(|(name, value, lo, hi, unit)| OutOfRange {
            name,
            value,
            lo,
            hi,
            unit,
            scenario,
            los,
        })
        .collect();
    if out.is_empty() {
        Ok(())
    } else {
        Err(OutsideValidity(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RMA: Scenario3gpp = Scenario3gpp::RMa;
    const UMA: Scenario3gpp = Scenario3gpp::UMa;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn rma_hand_values() {
        // Reference values typed independently from Table 7.4.1-1 (python3, not this code).
        // f = 900 MHz (f_c = 0.9 GHz), h_BS = 35 m, h_UT = 1.5 m, W = 20 m, h = 5 m.
        // d_BP = 2π·35·1.5·0.9e9/3e8 = 2π·52.5·3 = 989.601686 m.
        // h^1.72 = 15.930463: min(0.03·,10) = 0.477914, min(0.044·,14.77) = 0.700940,
        // 0.002 log h = 0.00139794.
        // PL1(d) = 20 log(40π d·0.9/3) + 0.477914 log d − 0.700940 + 0.00139794 d.
        // d = 500 m: d_3D = √(500² + 33.5²) = 501.120993 ≤ d_BP → PL1 = 86.815411.
        // PL1(d_BP) = 91.435831 + 1.431572 − 0.700940 + 1.383404 = 93.549866.
        // d = 1 km: d_3D = 1000.560968 > d_BP → PL2 = 93.549866 + 40 log(1000.560968/989.601686)
        //   = 93.549866 + 0.191325 = 93.741192.
        // d = 3 km: d_3D = 3000.187036 → 93.549866 + 19.267516 = 112.817383.
        // d = 8 km: d_3D = 8000.070140 → 93.549866 + 36.305335 = 129.855201.
        // NLOS': 161.04 − 7.1 log 20 + 7.5 log 5 − (24.37 − 3.7 (5/35)²) log 35 = 119.532617;
        //   slope 43.42 − 3.1 log 35 = 38.633389; 20 log 0.9 = −0.915150;
        //   3.2 (log 17.625)² − 4.97 = −0.000919.
        // d = 500 m: 119.532617 + 38.633389·(−0.300057) − 0.915150 + 0.000919 = 107.026152.
        // d = 1 km: + 38.633389·0.000244 → 118.627795; 3 km: ·0.477148 → 137.052243;
        // 8 km: ·0.903094 → 153.507960. All exceed LOS, so NLOS = PL'_NLOS.
        let cases = [
            (500.0, 86.815411, 107.026152),
            (1000.0, 93.741192, 118.627795),
            (3000.0, 112.817383, 137.052243),
            (8000.0, 129.855201, 153.507960),
        ];
        close(rma_breakpoint_m(35.0, 1.5, 900.0), 989.601686, 1e-6);
        for (d, los, nlos) in cases {
            close(rma_path_loss_db(d, 35.0, 1.5, 900.0, true), los, 1e-5);
            close(rma_path_loss_db(d, 35.0, 1.5, 900.0, false), nlos, 1e-5);
        }
    }

    #[test]
    fn uma_hand_values() {
        // f = 1800 MHz (20 log 1.8 = 5.105450), h_BS = 25 m, h_UT = 1.5 m, h_E = 1 m.
        // d'_BP = 4·24·0.5·1.8e9/3e8 = 288 m; d'_BP² + 23.5² = 83496.25, 9 log(·) = 44.295003.
        // d = 200 m: d_3D = 201.375892, log = 2.304007 ≤ d'_BP → PL1 = 28 + 22·2.304007 + 5.105450
        //   = 83.793615; NLOS' = 13.54 + 39.08·2.304007 + 5.105450 − 0 = 108.686062.
        // d = 1 km: d_3D = 1000.276087, log = 3.000120 → PL2 = 28 + 120.004795 + 5.105450
        //   − 44.295003 = 108.815243; NLOS' = 135.890135.
        // d = 3 km: log d_3D = 3.477135 → PL2 = 127.895831; NLOS' = 154.531869.
        let cases = [
            (200.0, 83.793615, 108.686062),
            (1000.0, 108.815243, 135.890135),
            (3000.0, 127.895831, 154.531869),
        ];
        close(uma_breakpoint_m(25.0, 1.5, 1800.0), 288.0, 1e-9);
        for (d, los, nlos) in cases {
            close(uma_path_loss_db(d, 25.0, 1.5, 1800.0, true), los, 1e-5);
            close(uma_path_loss_db(d, 25.0, 1.5, 1800.0, false), nlos, 1e-5);
            close(path_loss_db(UMA, d, 25.0, 1.5, 1800.0, true), los, 1e-5);
        }
        // h_UT term of NLOS: raising h_UT from 1.5 to 11.5 m lowers PL'_NLOS by 0.6·10 = 6 dB
        // minus the d_3D change: 39.08 (log √(3000² + 13.5²) − log √(3000² + 23.5²)).
        let dl = 39.08 * ((3000f64.hypot(13.5)).log10() - (3000f64.hypot(23.5)).log10());
        close(
            uma_path_loss_db(3000.0, 25.0, 11.5, 1800.0, false),
            154.531869 - 6.0 + dl,
            1e-5,
        );
    }

    #[test]
    fn breakpoint_continuity() {
        // RMa: the table switches on d_2D but PL1/PL2 use d_3D; the step is tiny by construction.
        let d_bp = rma_breakpoint_m(35.0, 1.5, 900.0);
        let below = rma_path_loss_db(d_bp, 35.0, 1.5, 900.0, true);
        let above = rma_path_loss_db(d_bp * (1.0 + 1e-12), 35.0, 1.5, 900.0, true);
        assert!((above - below).abs() < 0.01, "{below} {above}");
        // UMa: PL2 − PL1 = 9 log(d_3D² / (d'_BP² + Δh²)) = 0 exactly at d_2D = d'_BP.
        for f in [700.0, 1800.0, 2600.0] {
            let d_bp = uma_breakpoint_m(25.0, 1.5, f);
            let below = uma_path_loss_db(d_bp, 25.0, 1.5, f, true);
            let above = uma_path_loss_db(d_bp * (1.0 + 1e-12), 25.0, 1.5, f, true);
            assert!((above - below).abs() < 1e-6, "{f}: {below} {above}");
        }
    }

    #[test]
    fn nlos_not_below_los_and_monotone() {
        for scenario in [RMA, UMA] {
            for f in [700.0, 900.0, 1800.0, 2600.0] {
                for (h_bs, h_ut) in [(25.0, 1.5), (35.0, 1.5), (60.0, 5.0)] {
                    let mut prev = [f64::NEG_INFINITY; 2];
                    let mut d = 10.0;
                    while d <= 12_000.0 {
                        let los = path_loss_db(scenario, d, h_bs, h_ut, f, true);
                        let nlos = path_loss_db(scenario, d, h_bs, h_ut, f, false);
                        assert!(nlos >= los, "{scenario:?} {f} {d}");
                        assert!(los >= prev[0] && nlos >= prev[1], "{scenario:?} {f} {d}");
                        prev = [los, nlos];
                        d *= 1.01;
                    }
                }
            }
        }
    }

    #[test]
    fn clamped_inputs_stay_finite() {
        // Below 10 m the distance is clamped: same loss as at 10 m.
        close(
            rma_path_loss_db(1.0, 35.0, 1.5, 900.0, false),
            rma_path_loss_db(10.0, 35.0, 1.5, 900.0, false),
            1e-12,
        );
        close(
            uma_path_loss_db(0.0, 25.0, 1.5, 1800.0, true),
            uma_path_loss_db(10.0, 25.0, 1.5, 1800.0, true),
            1e-12,
        );
        for scenario in [RMA, UMA] {
            for los in [true, false] {
                for (d, hb, hu, f) in [
                    (-5.0, 0.0, 0.0, 0.0),
                    (f64::NAN, 1.5, 1.5, 900.0),
                    (50_000.0, 1.0, 1.0, 1.0),
                    (20.0, 25.0, 25.0, 900.0),
                ] {
                    let pl = path_loss_db(scenario, d, hb, hu, f, los);
                    assert!(pl.is_finite(), "{scenario:?} {d} {hb} {hu} {f}: {pl}");
                }
            }
        }
    }

    #[test]
    fn los_probability_values() {
        // RMa: exp(−(d − 10)/1000): d = 100 → exp(−0.09) = 0.913931185271,
        // d = 1000 → exp(−0.99) = 0.371576691022.
        close(los_probability(RMA, 10.0, 1.5), 1.0, 1e-15);
        close(los_probability(RMA, 3.0, 1.5), 1.0, 1e-15);
        close(los_probability(RMA, 100.0, 1.5), 0.913931185271, 1e-11);
        close(los_probability(RMA, 1000.0, 1.5), 0.371576691022, 1e-11);
        // UMa, h_UT = 1.5 m (C' = 0): d = 50 → 18/50 + e^(−50/63)(1 − 0.36) = 0.649402190334;
        // d = 100 → 0.18 + e^(−100/63)·0.82 = 0.347670836844.
        close(los_probability(UMA, 18.0, 1.5), 1.0, 1e-15);
        close(los_probability(UMA, 50.0, 1.5), 0.649402190334, 1e-11);
        close(los_probability(UMA, 100.0, 1.5), 0.347670836844, 1e-11);
        // h_UT = 22.5 m: C' = 0.95^1.5 = 0.925945; d = 100 → 0.347670836844
        // · (1 + 0.925945·1.25·1·e^(−2/3)) = 0.554272602745.
        close(los_probability(UMA, 100.0, 22.5), 0.554272602745, 1e-11);
        close(los_probability(UMA, 500.0, 22.5), 0.223929048092, 1e-11);
        // C' is zero up to 13 m.
        close(
            los_probability(UMA, 300.0, 13.0),
            los_probability(UMA, 300.0, 1.5),
            1e-15,
        );
        // Non-increasing with distance (UMa checked where C' = 0) and within [0, 1].
        for (scenario, h_ut) in [(RMA, 1.5), (UMA, 1.5), (UMA, 10.0)] {
            let mut prev = 1.0;
            for i in 0..5000 {
                let p = los_probability(scenario, i as f64, h_ut);
                assert!(p <= prev && p >= 0.0, "{scenario:?} {i}");
                prev = p;
            }
            assert!(prev < 0.01);
        }
        for i in 0..5000 {
            let p = los_probability(UMA, i as f64, 30.0);
            assert!((0.0..=1.0).contains(&p));
        }
    }

    #[test]
    fn shadow_sigmas() {
        let d_bp = rma_breakpoint_m(35.0, 1.5, 900.0); // 989.6 m
        assert_eq!(shadow_sigma_db(RMA, true, 500.0, 35.0, 1.5, 900.0), 4.0);
        assert_eq!(
            shadow_sigma_db(RMA, true, d_bp + 1.0, 35.0, 1.5, 900.0),
            6.0
        );
        assert_eq!(shadow_sigma_db(RMA, false, 500.0, 35.0, 1.5, 900.0), 8.0);
        assert_eq!(shadow_sigma_db(UMA, true, 500.0, 25.0, 1.5, 1800.0), 4.0);
        assert_eq!(shadow_sigma_db(UMA, false, 500.0, 25.0, 1.5, 1800.0), 6.0);
    }

    #[test]
    fn validity_ranges() {
        assert!(check_validity(RMA, 8000.0, 35.0, 1.5, 900.0, true).is_ok());
        let e = check_validity(RMA, 8000.0, 35.0, 1.5, 900.0, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("d_2d_m") && e.contains("RMa NLOS"), "{e}");
        let e = check_validity(RMA, 5.0, 200.0, 1.5, 900.0, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("d_2d_m") && e.contains("h_bs_m"), "{e}");
        assert!(!e.contains("h_ut_m") && !e.contains("freq_mhz"), "{e}");
        let e = check_validity(RMA, 500.0, 35.0, 12.0, 400.0, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("h_ut_m") && e.contains("freq_mhz"), "{e}");
        assert!(check_validity(UMA, 3000.0, 25.0, 1.5, 1800.0, false).is_ok());
        let e = check_validity(UMA, 3000.0, 30.0, 1.5, 1800.0, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("h_bs_m") && e.contains("UMa"), "{e}");
        let e = check_validity(UMA, f64::NAN, 25.0, 23.0, 1800.0, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("d_2d_m") && e.contains("h_ut_m"), "{e}");
    }
}
