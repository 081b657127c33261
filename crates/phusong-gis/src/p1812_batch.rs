//! Readers for the ITU-R P.1812 validation file layout (profiles and the parameter block of
//! the results files). Errors name the file, the 1-based row and column, and what was expected.

use std::path::{Path, PathBuf};

use phusong_engine::propagation::p1812::{CsvProblem, P1812Error};
use phusong_engine::propagation::p1812::{
    P1812Params, Polarization, ProfilePoint, RadioClimaticZone,
};

/// The parameter block of a results file: the prediction parameters plus the informational rows
/// that describe the profile (R at the second and the last-but-one point, clutter types there).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamsBlock {
    /// Parameters for [`crate::predict`]; `sigma_l_db` is `Some` with the file's σL.
    pub params: P1812Params,
    /// `R2 (m)`: representative clutter height at the profile's second point, if given.
    pub r2_m: Option<f64>,
    /// `Rn-1 (m)`: representative clutter height at the last-but-one point, if given.
    pub rn1_m: Option<f64>,
    /// `Ct Tx`: clutter code at the profile's second point, if given.
    pub ct_tx: Option<u8>,
    /// `Ct Rx`: clutter code at the last-but-one point, if given.
    pub ct_rx: Option<u8>,
}

/// The lines of a file, each split into trimmed cells (a trailing `;` is tolerated).
fn read_rows(path: &Path) -> Result<Vec<Vec<String>>, P1812Error> {
    let text = std::fs::read_to_string(path).map_err(|source| P1812Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(text
        .lines()
        .map(|line| {
            let line = line.trim_end_matches(['\r', ';']);
            line.split(',').map(|c| c.trim().to_string()).collect()
        })
        .collect())
}

fn is_empty_row(row: &[String]) -> bool {
    row.iter().all(|c| c.is_empty())
}

/// Parses cell `col` (0-based) of `row` (0-based) as a number.
fn number(
    path: &Path,
    rows: &[Vec<String>],
    row: usize,
    col: usize,
    expected: &'static str,
) -> Result<f64, P1812Error> {
    let err = |problem| P1812Error::Csv {
        path: path.to_path_buf(),
        row: row + 1,
        column: col + 1,
        problem,
    };
    let text = rows
        .get(row)
        .and_then(|r| r.get(col))
        .map(String::as_str)
        .unwrap_or("");
    if text.is_empty() {
        return Err(err(CsvProblem::Missing { expected }));
    }
    let v: f64 = text.parse().map_err(|_| {
        err(CsvProblem::NotANumber {
            text: text.to_string(),
            expected,
        })
    })?;
    if !v.is_finite() {
        return Err(err(CsvProblem::OutOfRange { value: v, expected }));
    }
    Ok(v)
}

/// Parses cell `col` of `row` as a small non-negative integer code accepted by `accept`.
fn code<T>(
    path: &Path,
    rows: &[Vec<String>],
    row: usize,
    col: usize,
    expected: &'static str,
    accept: impl Fn(u8) -> Option<T>,
) -> Result<T, P1812Error> {
    let v = number(path, rows, row, col, expected)?;
    let as_u8 = if v.fract() == 0.0 && (0.0..=255.0).contains(&v) {
        Some(v as u8)
    } else {
        None
    };
    as_u8.and_then(accept).ok_or_else(|| P1812Error::Csv {
        path: path.to_path_buf(),
        row: row + 1,
        column: col + 1,
        problem: CsvProblem::OutOfRange { value: v, expected },
    })
}

/// Reads the profile of a validation profile file: the rows after `Number of Points:`, each
/// `distance km, terrain height m, clutter code, representative clutter height m, zone`.
/// Rows are taken in file order (first row = transmitter).
pub fn read_profile_csv(path: impl AsRef<Path>) -> Result<Vec<ProfilePoint>, P1812Error> {
    let path = path.as_ref();
    let rows = read_rows(path)?;
    let header = rows
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("Number of Points:"))
        .ok_or_else(|| P1812Error::MissingRow {
            path: path.to_path_buf(),
            name: "Number of Points:",
            context: "profile header",
        })?;
    let expected = "a number of profile points (integer 3 to 10000000)";
    let v = number(path, &rows, header, 1, expected)?;
    if v.fract() != 0.0 || !(3.0..=1e7).contains(&v) {
        return Err(P1812Error::Csv {
            path: path.to_path_buf(),
            row: header + 1,
            column: 2,
            problem: CsvProblem::OutOfRange { value: v, expected },
        });
    }
    let count = v as usize;
    read_points(path, &rows, header + 1, count)
}

fn read_points(
    path: &Path,
    rows: &[Vec<String>],
    start: usize,
    count: usize,
) -> Result<Vec<ProfilePoint>, P1812Error> {
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let row = start + k;
        if row >= rows.len() {
            return Err(P1812Error::Csv {
                path: path.to_path_buf(),
                row: rows.len(),
                column: 1,
                problem: CsvProblem::Truncated {
                    announced: count,
                    found: k,
                },
            });
        }
        out.push(ProfilePoint {
            d_km: number(path, rows, row, 0, "distance from the first point in km")?,
            h_m: number(path, rows, row, 1, "terrain height a.m.s.l. in m")?,
            clutter_code: code(path, rows, row, 2, "clutter code 0–255", Some)?,
            clutter_height_m: number(path, rows, row, 3, "representative clutter height in m")?,
            zone: code(
                path,
                rows,
                row,
                4,
                "radio-climatic zone 1 (sea), 3 (coastal land) or 4 (inland)",
                RadioClimaticZone::from_code,
            )?,
        });
    }
    Ok(out)
}

/// Reads the parameter block of a results file: the rows before the first empty row, label in
/// column 1, value in column 4 (`Ptx (kW)`, `f (GHz)`, `p (%)`, `pL (%)`, `sigmaL (dB)`,
/// `phi_t (deg)`, `phi_r (deg)`, `lam_t (deg)`, `lam_r (deg)`, `htg (m)`, `hrg (m)`, `pol`,
/// `DN`, `N0`, `dct (km)`, `dcr (km)`, and optionally `R2 (m)`, `Rn-1 (m)`, `Ct Tx`, `Ct Rx`).
/// Unknown labels are ignored. The parameters are not range-checked here (see
/// [`P1812Params::validate`]).
pub fn read_params_block(path: impl AsRef<Path>) -> Result<ParamsBlock, P1812Error> {
    let path = path.as_ref();
    let rows = read_rows(path)?;
    let end = rows
        .iter()
        .position(|r| is_empty_row(r))
        .unwrap_or(rows.len());
    let find = |name: &'static str| -> Option<usize> {
        rows[..end]
            .iter()
            .position(|r| r.first().map(String::as_str) == Some(name))
    };
    let need = |name: &'static str, expected: &'static str| -> Result<f64, P1812Error> {
        let row = find(name).ok_or_else(|| P1812Error::MissingRow {
            path: PathBuf::from(path),
            name,
            context: "parameter block (rows before the first empty row)",
        })?;
        number(path, &rows, row, 3, expected)
    };
    let optional =
        |name: &'static str, expected: &'static str| -> Result<Option<f64>, P1812Error> {
            find(name)
                .map(|row| number(path, &rows, row, 3, expected))
                .transpose()
        };
    let ct = |name: &'static str| -> Result<Option<u8>, P1812Error> {
        find(name)
            .map(|row| code(path, &rows, row, 3, "clutter code 0–255", Some))
            .transpose()
    };
    // Rows are looked up in the order of the validation files, so the first missing one is named.
    let tx_erp_kw = optional("Ptx (kW)", "transmitter e.r.p. in kW")?.unwrap_or(1.0);
    let freq_ghz = need("f (GHz)", "frequency in GHz")?;
    let time_pct = need("p (%)", "time percentage in %")?;
    let location_pct = need("pL (%)", "location percentage in %")?;
    let sigma_l_db = Some(need("sigmaL (dB)", "location variability in dB")?);
    let phi_t_deg = need("phi_t (deg)", "Tx latitude in degrees")?;
    let phi_r_deg = need("phi_r (deg)", "Rx latitude in degrees")?;
    let lam_t_deg = need("lam_t (deg)", "Tx longitude in degrees")?;
    let lam_r_deg = need("lam_r (deg)", "Rx longitude in degrees")?;
    let htg_m = need("htg (m)", "Tx height above ground in m")?;
    let hrg_m = need("hrg (m)", "Rx height above ground in m")?;
    let pol_row = find("pol").ok_or_else(|| P1812Error::MissingRow {
        path: path.to_path_buf(),
        name: "pol",
        context: "parameter block (rows before the first empty row)",
    })?;
    let polarization = code(
        path,
        &rows,
        pol_row,
        3,
        "polarisation 1 (horizontal) or 2 (vertical)",
        Polarization::from_code,
    )?;
    let params = P1812Params {
        freq_ghz,
        time_pct,
        location_pct,
        sigma_l_db,
        location_area_width_m: 100.0,
        htg_m,
        hrg_m,
        polarization,
        delta_n_per_km: need("DN", "refractivity lapse rate in N-units/km")?,
        n0_n_units: need("N0", "sea-level surface refractivity in N-units")?,
        dct_km: need("dct (km)", "Tx distance to the coast in km")?,
        dcr_km: need("dcr (km)", "Rx distance to the coast in km")?,
        phi_t_deg,
        phi_r_deg,
        lam_t_deg,
        lam_r_deg,
        tx_erp_kw,
        building_entry: None,
    };
    Ok(ParamsBlock {
        params,
        r2_m: optional("R2 (m)", "clutter height in m")?,
        rn1_m: optional("Rn-1 (m)", "clutter height in m")?,
        ct_tx: ct("Ct Tx")?,
        ct_rx: ct("Ct Rx")?,
    })
}
