//! ITM batch files in NTIA's test-vector layout, so anyone can run phusong's ITM on NTIA's own inputs.
//!
//! - point-to-point: a CSV with header `h_tx__meter,h_rx__meter,epsilon,sigma,N_0,f__mhz,pol,climate,
//!   time,location,situation,mdvar[,A__db]` and a profile file with one line per row of it, in ITM's
//!   PFL layout `n, step_m, z₀, …, z_n` (comma-separated);
//! - area: a CSV with header `h_tx__meter,h_rx__meter,delta_h__meter,mdvar,d__km,tx_siting_criteria,
//!   rx_siting_criteria,epsilon,sigma,N_0,f__mhz,pol,climate,time,location,situation[,A__db]`.
//!
//! Columns are found by header name (any order, extra columns such as the expected `A__db` ignored).
//! A row ITM rejects — or that cannot be read — becomes an [`Outcome`] carrying the error text, never
//! an abort: one bad row must not hide the answers for the others.

use crate::error::{Context, Error, Result};
use phusong_engine::propagation::itm::{self, Climate, ItmParams, ItmResult, Polarization, Siting};
use std::io::Write;
use std::path::Path;

/// What one input row gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Ok(ItmResult),
    /// NTIA's error code (0 when the row could not be read at all) and a message.
    Err(u32, String),
}

/// A parsed CSV: header names and the rows' raw fields.
struct Table {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

fn read_table(path: &Path) -> Result<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::input(path, e.to_string()))?;
    let header = rdr
        .headers()
        .map_err(|e| Error::input(path, e.to_string()))?
        .iter()
        .map(|h| h.to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        rows.push(r.map_err(|e| Error::record(path, "row", i + 1, e.to_string()))?);
    }
    Ok(Table { header, rows })
}

/// Column positions of `names` in the header, or an error naming the missing one.
fn columns<const N: usize>(path: &Path, header: &[String], names: [&str; N]) -> Result<[usize; N]> {
    let mut out = [0; N];
    for (o, name) in out.iter_mut().zip(names) {
        *o = header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::input(
                    path,
                    format!("missing column `{name}` (header: {})", header.join(",")),
                )
            })?;
    }
    Ok(out)
}

/// The row's numbers in column order, or a message naming the column and value.
fn numbers<const N: usize>(
    path: &Path,
    row: usize,
    rec: &csv::StringRecord,
    cols: &[usize; N],
    names: &[&str; N],
) -> std::result::Result<[f64; N], String> {
    let mut out = [0.0; N];
    for k in 0..N {
        let raw = rec.get(cols[k]).unwrap_or("");
        out[k] = raw.parse::<f64>().map_err(|_| {
            format!(
                "{}: row {row}, column `{}`: expected a number, got {raw:?}",
                path.display(),
                names[k]
            )
        })?;
    }
    Ok(out)
}

/// Integer-valued field (climate, pol, mdvar, siting) as an integer, or a message.
fn integer(path: &Path, row: usize, name: &str, v: f64) -> std::result::Result<i64, String> {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        Ok(v as i64)
    } else {
        Err(format!(
            "{}: row {row}, column `{name}`: expected an integer code, got {v}",
            path.display()
        ))
    }
}

fn params(
    eps: f64,
    sigma: f64,
    n0: f64,
    pol: i64,
    climate: i64,
    tls: [f64; 3],
    mdvar: i64,
) -> std::result::Result<ItmParams, itm::ItmError> {
    Ok(ItmParams {
        climate: Climate::from_code(climate)?,
        n0,
        epsilon: eps,
        sigma_s_per_m: sigma,
        polarization: Polarization::from_code(pol)?,
        mdvar,
        time_pct: tls[0],
        location_pct: tls[1],
        situation_pct: tls[2],
    })
}

fn itm_outcome(r: std::result::Result<ItmResult, itm::ItmError>) -> Outcome {
    match r {
        Ok(v) => Outcome::Ok(v),
        Err(e) => Outcome::Err(e.code(), e.to_string()),
    }
}

/// Runs every row of a point-to-point batch (`p2p_path` + `pfls_path`, row i ↔ line i).
pub fn run_p2p(p2p_path: &Path, pfls_path: &Path) -> Result<Vec<Outcome>> {
    const NAMES: [&str; 12] = [
        "h_tx__meter",
        "h_rx__meter",
        "epsilon",
        "sigma",
        "N_0",
        "f__mhz",
        "pol",
        "climate",
        "time",
        "location",
        "situation",
        "mdvar",
    ];
    let t = read_table(p2p_path)?;
    let cols = columns(p2p_path, &t.header, NAMES)?;
    let pfl_text =
        std::fs::read_to_string(pfls_path).ctx(|| format!("reading {}", pfls_path.display()))?;
    let pfls: Vec<&str> = pfl_text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, rec) in t.rows.iter().enumerate() {
        let one = || -> std::result::Result<Outcome, String> {
            let v = numbers(p2p_path, i + 1, rec, &cols, &NAMES)?;
            let line = pfls.get(i).ok_or_else(|| {
                format!(
                    "{}: no profile line for row {} (file has {} lines)",
                    pfls_path.display(),
                    i + 1,
                    pfls.len()
                )
            })?;
            let (ground, step) = parse_pfl(pfls_path, i + 1, line)?;
            let int = |k: usize| integer(p2p_path, i + 1, NAMES[k], v[k]);
            let p = match params(
                v[2],
                v[3],
                v[4],
                int(6)?,
                int(7)?,
                [v[8], v[9], v[10]],
                int(11)?,
            ) {
                Ok(p) => p,
                Err(e) => return Ok(Outcome::Err(e.code(), e.to_string())),
            };
            Ok(itm_outcome(itm::p2p(v[0], v[1], &ground, step, v[5], &p)))
        };
        out.push(one().unwrap_or_else(|msg| Outcome::Err(0, msg)));
    }
    Ok(out)
}

/// One PFL line: `n, step, z₀ … z_n` → (heights, step).
fn parse_pfl(
    path: &Path,
    line_no: usize,
    line: &str,
) -> std::result::Result<(Vec<f64>, f64), String> {
    let mut vals = Vec::new();
    for (k, f) in line.split(',').enumerate() {
        let f = f.trim();
        if f.is_empty() {
            continue;
        }
        vals.push(f.parse::<f64>().map_err(|_| {
            format!(
                "{}: line {line_no}, value {}: expected a number, got {f:?}",
                path.display(),
                k + 1
            )
        })?);
    }
    if vals.len() < 4 {
        return Err(format!(
            "{}: line {line_no}: expected n, step and n + 1 heights",
            path.display()
        ));
    }
    let n = vals[0];
    if n.fract() != 0.0 || n < 1.0 || vals.len() as f64 != n + 3.0 {
        return Err(format!(
            "{}: line {line_no}: n = {n} intervals needs {} heights, found {}",
            path.display(),
            n + 1.0,
            vals.len() - 2
        ));
    }
    Ok((vals[2..].to_vec(), vals[1]))
}

/// Runs every row of an area-mode batch.
pub fn run_area(area_path: &Path) -> Result<Vec<Outcome>> {
    const NAMES: [&str; 16] = [
        "h_tx__meter",
        "h_rx__meter",
        "delta_h__meter",
        "mdvar",
        "d__km",
        "tx_siting_criteria",
        "rx_siting_criteria",
        "epsilon",
        "sigma",
        "N_0",
        "f__mhz",
        "pol",
        "climate",
        "time",
        "location",
        "situation",
    ];
    let t = read_table(area_path)?;
    let cols = columns(area_path, &t.header, NAMES)?;
    let mut out = Vec::with_capacity(t.rows.len());
    for (i, rec) in t.rows.iter().enumerate() {
        let one = || -> std::result::Result<Outcome, String> {
            let v = numbers(area_path, i + 1, rec, &cols, &NAMES)?;
            let int = |k: usize| integer(area_path, i + 1, NAMES[k], v[k]);
            let (mdvar, tx_s, rx_s, pol, climate) = (int(3)?, int(5)?, int(6)?, int(11)?, int(12)?);
            let run = || -> std::result::Result<ItmResult, itm::ItmError> {
                let p = params(v[7], v[8], v[9], pol, climate, [v[13], v[14], v[15]], mdvar)?;
                let siting = [
                    Siting::from_code(tx_s, false)?,
                    Siting::from_code(rx_s, true)?,
                ];
                itm::area(v[0], v[1], siting, v[4], v[2], v[10], &p)
            };
            Ok(itm_outcome(run()))
        };
        out.push(one().unwrap_or_else(|msg| Outcome::Err(0, msg)));
    }
    Ok(out)
}

/// Writes outcomes as CSV: `row,A__db,warnings` (0-based rows, loss to 4 decimals, warnings as the
/// integer flags), plus an `error` column when any row failed (empty A__db on those rows).
pub fn write_outcomes(out: &mut dyn Write, rows: &[Outcome]) -> std::io::Result<()> {
    let any_err = rows.iter().any(|r| matches!(r, Outcome::Err(..)));
    if any_err {
        writeln!(out, "row,A__db,warnings,error")?;
    } else {
        writeln!(out, "row,A__db,warnings")?;
    }
    for (i, r) in rows.iter().enumerate() {
        match r {
            Outcome::Ok(v) if any_err => writeln!(out, "{i},{:.4},{},", v.a_db, v.warnings)?,
            Outcome::Ok(v) => writeln!(out, "{i},{:.4},{}", v.a_db, v.warnings)?,
            Outcome::Err(code, msg) => {
                let msg = msg.replace('"', "'");
                writeln!(out, "{i},,,\"error {code}: {msg}\"")?
            }
        }
    }
    Ok(())
}
