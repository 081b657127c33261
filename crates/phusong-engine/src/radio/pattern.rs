//! Measured antenna patterns in the MSI/Planet format: a horizontal and a vertical cut, 360 points each.
//!
//! The format (as documented for Planet and read by most planning tools): header lines `KEY value`
//! (`NAME`, `MAKE`, `FREQUENCY` in MHz, `H_WIDTH`, `V_WIDTH`, `FRONT_TO_BACK`, `GAIN` in dBd unless
//! followed by `dBi`, `TILT` or `ELECTRICAL_TILT`, `COMMENT`), then `HORIZONTAL 360` and 360 lines
//! `angle loss`, then `VERTICAL 360` and 360 more. Losses are attenuation in dB below the peak (≥ 0).
//! Horizontal angles run clockwise from boresight; vertical angles run from the horizon in front
//! (0°) downwards (90° = nadir) round to the horizon behind (180°) and up.
//!
//! The 3-D gain is built from the two cuts by the summing rule of 3GPP TR 36.814 V9.0.0 Annex
//! A.2.1.1 (Table A.2.1.1-2), A(φ, θ) = −min(H(φ) + V(θ), A_m), with the measured cuts in place of
//! the parametric ones and A_m the largest loss of the horizontal cut (its front-to-back ratio).
//! Behind the antenna (|φ| > 90°) the vertical cut is read on its back half, relative to its value
//! at the back horizon, so the horizontal cut alone gives the gain at the horizon all round.

/// Errors reading a pattern file; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    #[error("line {line}: {what}")]
    Line { line: usize, what: String },
    #[error("{0}")]
    Shape(String),
}

/// A sector antenna's measured pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct AntennaPattern {
    /// Where it was read from (kept so site files can be written back pointing at it).
    pub source: String,
    pub name: String,
    /// Peak gain, dBi (informational: a site's EIRP already includes its antenna gain).
    pub gain_dbi: Option<f64>,
    pub freq_mhz: Option<f64>,
    /// Electrical down-tilt built into the vertical cut, degrees (positive = down); 0 if the file
    /// does not say.
    pub elec_tilt_deg: f64,
    /// Attenuation below the peak at 0°, 1°, … 359°, dB.
    horizontal_db: Vec<f64>,
    vertical_db: Vec<f64>,
}

/// Linear interpolation of a 360-point cut at any angle in degrees (wrapped).
fn cut_db(cut: &[f64], angle_deg: f64) -> f64 {
    let a = angle_deg.rem_euclid(360.0);
    let i = a.floor() as usize % 360;
    let f = a - a.floor();
    cut[i] * (1.0 - f) + cut[(i + 1) % 360] * f
}

impl AntennaPattern {
    /// Parses an MSI/Planet file's text; `source` names it in the result.
    pub fn parse_msi(text: &str, source: &str) -> Result<Self, PatternError> {
        let bad = |line: usize, what: String| PatternError::Line { line, what };
        let mut p = AntennaPattern {
            source: source.to_string(),
            name: String::new(),
            gain_dbi: None,
            freq_mhz: None,
            elec_tilt_deg: 0.0,
            horizontal_db: Vec::new(),
            vertical_db: Vec::new(),
        };
        // Which cut the numeric lines belong to: `Some(true)` horizontal, `Some(false)` vertical.
        let mut cut: Option<bool> = None;
        for (k, raw) in text.lines().enumerate() {
            let line = k + 1;
            let mut words = raw.split_whitespace();
            let Some(key) = words.next() else { continue };
            let rest: Vec<&str> = words.collect();
            let number = |s: Option<&&str>, what: &str| -> Result<f64, PatternError> {
                s.and_then(|s| s.parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(line, format!("{what}: expected a number, found '{raw}'")))
            };
            match key.to_ascii_uppercase().as_str() {
                "NAME" => p.name = rest.join(" "),
                "FREQUENCY" => p.freq_mhz = Some(number(rest.first(), "FREQUENCY (MHz)")?),
                "GAIN" => {
                    let g = number(rest.first(), "GAIN")?;
                    let dbi = rest.get(1).is_some_and(|u| u.eq_ignore_ascii_case("dbi"));
                    // dBd → dBi: a half-wave dipole has 2.15 dBi.
                    p.gain_dbi = Some(if dbi { g } else { g + 2.15 });
                }
                "ELECTRICAL_TILT" => p.elec_tilt_deg = number(rest.first(), "ELECTRICAL_TILT")?,
                "TILT" => {
                    // `TILT 6` or `TILT ELECTRICAL 6`; `TILT MECHANICAL` says nothing of the cut.
                    if let Some(v) = rest.iter().find_map(|w| w.parse::<f64>().ok()) {
                        if !rest.iter().any(|w| w.eq_ignore_ascii_case("mechanical")) {
                            p.elec_tilt_deg = v;
                        }
                    }
                }
                "HORIZONTAL" | "VERTICAL" => {
                    let n = number(rest.first(), key)?;
                    if n != 360.0 {
                        return Err(bad(line, format!("{key} {n}: expected 360 points")));
                    }
                    cut = Some(key.eq_ignore_ascii_case("horizontal"));
                }
                _ if key.parse::<f64>().is_ok() => {
                    let Some(horizontal) = cut else {
                        return Err(bad(line, "a data line before HORIZONTAL 360".into()));
                    };
                    let angle = number(Some(&key), "angle (°)")?;
                    let loss = number(rest.first(), "loss (dB)")?.abs();
                    let v = if horizontal {
                        &mut p.horizontal_db
                    } else {
                        &mut p.vertical_db
                    };
                    if angle != v.len() as f64 {
                        return Err(bad(
                            line,
                            format!(
                                "angle {angle}: expected {} (0 to 359 in steps of 1°)",
                                v.len()
                            ),
                        ));
                    }
                    if loss > 100.0 {
                        return Err(bad(line, format!("loss {loss} dB: expected 0–100 dB")));
                    }
                    v.push(loss);
                }
                _ => {} // MAKE, COMMENT, H_WIDTH, V_WIDTH, vendor keys: not needed.
            }
        }
        for (what, v) in [
            ("HORIZONTAL", &p.horizontal_db),
            ("VERTICAL", &p.vertical_db),
        ] {
            if v.len() != 360 {
                return Err(PatternError::Shape(format!(
                    "{what} cut has {} points, expected 360",
                    v.len()
                )));
            }
        }
        if !(-30.0..=30.0).contains(&p.elec_tilt_deg) {
            return Err(PatternError::Shape(format!(
                "electrical tilt {} °: expected −30 to 30 °",
                p.elec_tilt_deg
            )));
        }
        Ok(p)
    }

    /// Largest loss of the horizontal cut, dB: the floor of the 3-D pattern (front-to-back ratio).
    pub fn floor_db(&self) -> f64 {
        self.horizontal_db.iter().copied().fold(0.0, f64::max)
    }

    /// Relative gain (dB, ≤ 0) towards azimuth `az_offset_deg` from boresight (clockwise) and
    /// `depression_deg` below the horizon, with the antenna tilted down a further `extra_tilt_deg`
    /// beyond the tilt built into its vertical cut (mechanical tilt, or a different electrical one).
    pub fn gain_db(&self, az_offset_deg: f64, depression_deg: f64, extra_tilt_deg: f64) -> f64 {
        let phi = (az_offset_deg + 180.0).rem_euclid(360.0) - 180.0;
        let theta = depression_deg - extra_tilt_deg;
        let h = cut_db(&self.horizontal_db, phi);
        let v = if phi.abs() <= 90.0 {
            cut_db(&self.vertical_db, theta)
        } else {
            // Behind: the back half of the vertical cut (180° − θ), relative to the back horizon.
            (cut_db(&self.vertical_db, 180.0 - theta) - cut_db(&self.vertical_db, 180.0)).max(0.0)
        };
        -(h + v).min(self.floor_db())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A synthetic file: horizontal loss 12(φ/65)² capped at 25, vertical 12((θ−6)/10)² capped at
    /// 20, i.e. the TR 36.814 parametric pattern with 6° electrical tilt.
    fn parametric_msi(gain: &str) -> String {
        let mut s =
            format!("NAME test\nMAKE none\nFREQUENCY 1800\nGAIN {gain}\nTILT ELECTRICAL 6\n");
        s.push_str("HORIZONTAL 360\n");
        for a in 0..360 {
            let phi = if a > 180 { a as f64 - 360.0 } else { a as f64 };
            s.push_str(&format!(
                "{a} {:.4}\n",
                (12.0 * (phi / 65.0).powi(2)).min(25.0)
            ));
        }
        s.push_str("VERTICAL 360\n");
        for a in 0..360 {
            let th = if a > 180 { a as f64 - 360.0 } else { a as f64 };
            s.push_str(&format!(
                "{a} {:.4}\n",
                (12.0 * ((th - 6.0) / 10.0).powi(2)).min(20.0)
            ));
        }
        s
    }

    #[test]
    fn reads_header_and_cuts() {
        let p = AntennaPattern::parse_msi(&parametric_msi("15.85"), "t.msi").unwrap();
        assert_eq!(p.name, "test");
        assert_eq!(p.freq_mhz, Some(1800.0));
        assert!((p.gain_dbi.unwrap() - 18.0).abs() < 1e-12, "dBd + 2.15");
        assert_eq!(p.elec_tilt_deg, 6.0);
        assert_eq!(p.floor_db(), 25.0);
        let q = AntennaPattern::parse_msi(&parametric_msi("18 dBi"), "t.msi").unwrap();
        assert_eq!(q.gain_dbi, Some(18.0));
    }

    /// In front of the antenna the measured-cut pattern equals the parametric TR 36.814 pattern it
    /// was sampled from (to the 1° sampling's interpolation error).
    #[test]
    fn front_hemisphere_matches_the_parametric_pattern() {
        let p = AntennaPattern::parse_msi(&parametric_msi("18 dBi"), "t.msi").unwrap();
        for az in [-80.0, -32.5, -10.0, 0.0, 7.3, 45.0, 89.0] {
            for dep in [-10.0, 0.0, 2.5, 6.0, 11.0, 30.0] {
                let want = crate::radio::antenna::pattern_db(az, dep, 6.0, 65.0, 10.0);
                let got = p.gain_db(az, dep, 0.0);
                assert!(
                    (got - want).abs() < 0.05,
                    "az {az} dep {dep}: {got} vs {want}"
                );
            }
        }
        // Boresight at the built-in tilt: 0 dB; 3 dB down 5° either side.
        assert!(p.gain_db(0.0, 6.0, 0.0).abs() < 1e-9);
        assert!((p.gain_db(0.0, 11.0, 0.0) + 3.0).abs() < 1e-9);
        // A further 4° of mechanical tilt moves the peak to 10° below the horizon.
        assert!(p.gain_db(0.0, 10.0, 4.0).abs() < 1e-9);
        assert!(p.gain_db(0.0, 6.0, 4.0) < -1.0);
    }

    #[test]
    fn behind_the_horizontal_cut_rules_at_the_horizon_and_the_floor_holds() {
        let p = AntennaPattern::parse_msi(&parametric_msi("18 dBi"), "t.msi").unwrap();
        assert!((p.gain_db(180.0, 0.0, 0.0) + 25.0).abs() < 1e-9);
        assert!(
            (p.gain_db(120.0, 0.0, 0.0) + (12.0 * (120.0f64 / 65.0).powi(2)).min(25.0)).abs()
                < 1e-9
        );
        for az in (0..360).step_by(7) {
            for dep in (-90..=90).step_by(9) {
                let g = p.gain_db(az as f64, dep as f64, 2.0);
                assert!((-25.0..=0.0).contains(&g), "{az} {dep}: {g}");
            }
        }
        // Symmetric file → symmetric pattern.
        assert!((p.gain_db(40.0, 3.0, 0.0) - p.gain_db(-40.0, 3.0, 0.0)).abs() < 1e-9);
    }

    #[test]
    fn malformed_files_name_the_line() {
        let good = parametric_msi("18");
        let cases = [
            (good.replace("HORIZONTAL 360", "HORIZONTAL 180"), "line 6"),
            (good.replace("\n17 ", "\n18 "), "line 24"),
            (good.replace("\n17 ", "\n17 x"), "line 24"),
            (good.replace("\n17 ", "\n17 400"), "0–100 dB"),
            (
                good.replace("NAME test\n", "NAME test\n0 1.5\n"),
                "line 2: a data line before",
            ),
            (
                good.replace("TILT ELECTRICAL 6", "TILT ELECTRICAL 60"),
                "−30 to 30",
            ),
            (
                good.lines().take(300).collect::<Vec<_>>().join("\n"),
                "HORIZONTAL cut has 294 points",
            ),
        ];
        for (text, want) in cases {
            let e = AntennaPattern::parse_msi(&text, "t.msi")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{e} should contain {want}");
        }
    }
}
