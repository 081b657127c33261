//! Sector antenna pattern of 3GPP TR 36.814 V9.0.0 (2010-03), Annex A.2.1.1, Table A.2.1.1-2.
//!
//! Relative gains in dB (≤ 0) versus boresight: horizontal A_H(φ) = −min(12(φ/φ3dB)², A_m),
//! vertical A_V(θ) = −min(12((θ − θtilt)/θ3dB)², SLA_v), combined A = −min(−(A_H + A_V), A_m),
//! with front-to-back ratio A_m = 25 dB and side-lobe level SLA_v = 20 dB.

/// Front-to-back ratio A_m, dB (Table A.2.1.1-2).
pub const FRONT_TO_BACK_DB: f64 = 25.0;
/// Vertical side-lobe attenuation SLA_v, dB (Table A.2.1.1-2).
pub const VERTICAL_SIDELOBE_DB: f64 = 20.0;

/// Wrap an angle in degrees to [−180, 180).
fn wrap_deg(a_deg: f64) -> f64 {
    (a_deg + 180.0).rem_euclid(360.0) - 180.0
}

/// Horizontal relative gain (dB) at azimuth offset `az_offset_deg` from boresight (any value; it
/// is wrapped to ±180°) for half-power beamwidth `h_bw_deg` (70° in the 3GPP table).
pub fn horizontal_db(az_offset_deg: f64, h_bw_deg: f64) -> f64 {
    let r = wrap_deg(az_offset_deg) / h_bw_deg;
    -(12.0 * r * r).min(FRONT_TO_BACK_DB)
}

/// Vertical relative gain (dB). `depression_deg` is the angle of the path below the horizon
/// (positive = downwards), `tilt_deg` the total downtilt (positive = down), `v_bw_deg` the
/// vertical half-power beamwidth (10° in the 3GPP table).
pub fn vertical_db(depression_deg: f64, tilt_deg: f64, v_bw_deg: f64) -> f64 {
    let r = (depression_deg - tilt_deg) / v_bw_deg;
    -(12.0 * r * r).min(VERTICAL_SIDELOBE_DB)
}

/// Combined 3-D relative gain (dB): −min(−(A_H + A_V), A_m).
pub fn pattern_db(
    az_offset_deg: f64,
    depression_deg: f64,
    tilt_deg: f64,
    h_bw_deg: f64,
    v_bw_deg: f64,
) -> f64 {
    let sum =
        horizontal_db(az_offset_deg, h_bw_deg) + vertical_db(depression_deg, tilt_deg, v_bw_deg);
    -(-sum).min(FRONT_TO_BACK_DB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizontal_table_values() {
        // Half the 3 dB beamwidth off boresight is the −3 dB point: 12·(35/70)² = 3.
        assert!((horizontal_db(35.0, 70.0) + 3.0).abs() < 1e-12);
        assert!((horizontal_db(-35.0, 70.0) + 3.0).abs() < 1e-12);
        assert_eq!(horizontal_db(0.0, 70.0), 0.0);
        assert_eq!(horizontal_db(180.0, 70.0), -25.0);
        // 12·(70/70)² = 12 dB at φ = φ3dB; floor reached at φ = 70·sqrt(25/12) = 101.04°.
        assert!((horizontal_db(70.0, 70.0) + 12.0).abs() < 1e-12);
        assert!(horizontal_db(100.0, 70.0) > -25.0);
        assert_eq!(horizontal_db(102.0, 70.0), -25.0);
        // Wrapping: 350° is −10°, 395° is 35°.
        assert!((horizontal_db(350.0, 70.0) - horizontal_db(-10.0, 70.0)).abs() < 1e-12);
        assert!((horizontal_db(395.0, 70.0) + 3.0).abs() < 1e-9);
        assert!((horizontal_db(-325.0, 70.0) + 3.0).abs() < 1e-9);
    }

    #[test]
    fn vertical_table_values() {
        assert_eq!(vertical_db(6.0, 6.0, 10.0), 0.0);
        // 5° off the tilt with 10° beamwidth: 12·0.25 = 3 dB either side.
        assert!((vertical_db(11.0, 6.0, 10.0) + 3.0).abs() < 1e-12);
        assert!((vertical_db(1.0, 6.0, 10.0) + 3.0).abs() < 1e-12);
        // Far above the beam: side-lobe floor 20 dB.
        assert_eq!(vertical_db(-30.0, 6.0, 10.0), -20.0);
    }

    #[test]
    fn combined_pattern() {
        assert_eq!(pattern_db(0.0, 8.0, 8.0, 65.0, 10.0), 0.0);
        // −3 + −3 = −6 dB.
        assert!((pattern_db(35.0, 11.0, 6.0, 70.0, 10.0) + 6.0).abs() < 1e-12);
        // Back lobe plus vertical side lobe: −25 + −20 floors at −25.
        assert_eq!(pattern_db(180.0, -40.0, 6.0, 70.0, 10.0), -25.0);
        // −12 (h at φ3dB) + −20 (v floor) = −32 → floored at −25.
        assert_eq!(pattern_db(70.0, 60.0, 0.0, 70.0, 10.0), -25.0);
        for az in [-170.0, -60.0, 0.0, 20.0, 90.0, 200.0] {
            for dep in [-20.0, 0.0, 3.0, 15.0] {
                let g = pattern_db(az, dep, 4.0, 65.0, 8.0);
                assert!((-25.0..=0.0).contains(&g));
            }
        }
    }
}
