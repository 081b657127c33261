//! The drive-test CSV: `lon,lat,rsrp_dbm` plus `site_id`, or `pci` and `earfcn`; optional `time`
//! and `clutter` (a land-cover class, 0–65535). Errors name the file, the row (1-based line
//! number) and the column.

use super::cells::CellTable;
use crate::crs::Projector;
use crate::error::{Error, Result};
use phusong_engine::grid::GridSpec;
use std::path::Path;

/// Plausible measured RSRP, dBm (3GPP TS 36.133 reports −140…−44; a wider span catches only typos).
const RSRP_RANGE_DBM: (f64, f64) = (-160.0, -20.0);

/// The measurement CSV's columns, by header name (case-insensitive).
pub const COLUMNS: [&str; 7] = ["lon", "lat", "rsrp_dbm", "site_id", "pci", "earfcn", "time"];

/// One measured row, tied to its site.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 1-based line number in the file.
    pub line: usize,
    /// Site index (in the sites CSV's order).
    pub site: usize,
    /// The sector when `pci` named it; else the best sector (of `earfcn`'s carrier when given).
    pub sector: Option<usize>,
    /// EARFCN restricting the candidate sectors, when given without a matched pci.
    pub earfcn: Option<u32>,
    pub x_m: f64,
    pub y_m: f64,
    pub rsrp_dbm: f64,
    /// Land-cover class, when the file has a `clutter` column.
    pub clutter: Option<u16>,
}

/// Header column indices.
struct Header {
    cols: Vec<Option<usize>>,
    clutter: Option<usize>,
}

impl Header {
    fn of(path: &Path, header: &csv::StringRecord) -> Result<Header> {
        let find = |n: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n));
        let cols: Vec<Option<usize>> = COLUMNS.iter().map(|c| find(c)).collect();
        for (i, c) in COLUMNS.iter().enumerate().take(3) {
            if cols[i].is_none() {
                return Err(Error::record(
                    path,
                    "row",
                    1,
                    format!(
                        "column '{c}' is missing from the header (expected lon,lat,rsrp_dbm plus \
                         site_id, or pci and earfcn)"
                    ),
                ));
            }
        }
        if cols[3].is_none() && (cols[4].is_none() || cols[5].is_none()) {
            return Err(Error::record(
                path,
                "row",
                1,
                "column 'site_id' is missing, and so is 'pci' or 'earfcn': each row must name its cell",
            ));
        }
        Ok(Header {
            cols,
            clutter: find("clutter"),
        })
    }
}

/// What a row is checked against.
pub struct Context<'a> {
    pub cells: &'a CellTable,
    pub proj: &'a Projector,
    pub grid: &'a GridSpec,
}

/// Reads every row; the first malformed one is an error naming its line and column.
pub fn read(path: &Path, cx: &Context<'_>) -> Result<Vec<Row>> {
    crate::io::check_input_file(path, crate::io::MAX_CSV_BYTES)?;
    let file =
        std::fs::File::open(path).map_err(|e| Error::input(path, format!("cannot open ({e})")))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let header = rdr
        .headers()
        .map_err(|e| Error::input(path, format!("not a CSV file: {e}")))?
        .clone();
    let h = Header::of(path, &header)?;
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::input(path, format!("not a CSV file: {e}")))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        rows.push(parse_row(path, &h, &rec, cx)?);
    }
    if rows.is_empty() {
        return Err(Error::input(path, "no measurement rows after the header"));
    }
    let with_clutter = rows.iter().filter(|r| r.clutter.is_some()).count();
    if let Some(r) = rows.iter().find(|r| r.clutter.is_none()) {
        if with_clutter > 0 {
            return Err(Error::record(
                path,
                "row",
                r.line,
                "column 'clutter' is empty: expected a class on every row once any row has one",
            ));
        }
    }
    Ok(rows)
}

fn parse_row(path: &Path, h: &Header, rec: &csv::StringRecord, cx: &Context<'_>) -> Result<Row> {
    let line = rec.position().map_or(0, |p| p.line() as usize);
    let field = |i: usize| h.cols[i].and_then(|c| rec.get(c)).map_or("", str::trim);
    let err =
        |col: &str, msg: String| Error::record(path, "row", line, format!("column '{col}': {msg}"));
    let number = |i: usize, lo: f64, hi: f64, want: &str| -> Result<f64> {
        let v = field(i);
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Ok(x),
            Ok(_) => Err(err(
                COLUMNS[i],
                format!("{v} is out of range (expected {want})"),
            )),
            Err(_) => Err(err(
                COLUMNS[i],
                format!(
                    "{} is not a number (expected {want})",
                    crate::io::shown_value(v)
                ),
            )),
        }
    };
    let lon = number(0, -180.0, 180.0, "longitude −180…180°, WGS84")?;
    let lat = number(1, -90.0, 90.0, "latitude −90…90°, WGS84")?;
    let (lo, hi) = RSRP_RANGE_DBM;
    let rsrp_dbm = number(2, lo, hi, "RSRP −160…−20 dBm")?;
    let (x_m, y_m) = cx.proj.project(lon, lat)?;
    let g = cx.grid;
    if !(g.x0_m..=g.x1_m()).contains(&x_m) {
        return Err(err(
            "lon",
            format!(
                "{lon}° is outside the study (its grid spans EPSG:{} x {:.0}…{:.0} m)",
                g.epsg,
                g.x0_m,
                g.x1_m()
            ),
        ));
    }
    if !(g.y1_m()..=g.y0_m).contains(&y_m) {
        return Err(err(
            "lat",
            format!(
                "{lat}° is outside the study (its grid spans EPSG:{} y {:.0}…{:.0} m)",
                g.epsg,
                g.y1_m(),
                g.y0_m
            ),
        ));
    }
    let clutter = match h.clutter.and_then(|c| rec.get(c)).map_or("", str::trim) {
        "" => None,
        v => Some(v.parse::<u16>().map_err(|_| {
            err(
                "clutter",
                format!(
                    "{} is not a class number (expected an integer 0–65535)",
                    crate::io::shown_value(v)
                ),
            )
        })?),
    };
    let (site, sector, earfcn) = identify(h, rec, cx.cells, &err)?;
    Ok(Row {
        line,
        site,
        sector,
        earfcn,
        x_m,
        y_m,
        rsrp_dbm,
        clutter,
    })
}

/// The row's site, and its sector or carrier when `pci` / `earfcn` say.
fn identify(
    h: &Header,
    rec: &csv::StringRecord,
    cells: &CellTable,
    err: &dyn Fn(&str, String) -> Error,
) -> Result<(usize, Option<usize>, Option<u32>)> {
    let field = |i: usize| h.cols[i].and_then(|c| rec.get(c)).map_or("", str::trim);
    let pci = match field(4) {
        "" => None,
        v => Some(v.parse::<u16>().ok().filter(|p| *p < 504).ok_or_else(|| {
            err(
                "pci",
                format!(
                    "{} (expected a physical cell id 0–503)",
                    crate::io::shown_value(v)
                ),
            )
        })?),
    };
    let earfcn = match field(5) {
        "" => None,
        v => Some(
            v.parse::<u32>()
                .ok()
                .filter(|e| *e <= 262_143)
                .ok_or_else(|| {
                    err(
                        "earfcn",
                        format!(
                            "{} (expected an E-UTRA ARFCN 0–262143)",
                            crate::io::shown_value(v)
                        ),
                    )
                })?,
        ),
    };
    let id = field(3);
    if !id.is_empty() {
        let site = *cells.site_of_id.get(id).ok_or_else(|| {
            err(
                "site_id",
                format!(
                    "{} is not a site_id of the sites CSV ({} sites)",
                    crate::io::shown_value(id),
                    cells.site_of_id.len()
                ),
            )
        })?;
        // A pci (with its earfcn when given) picks the sector within the site.
        let sector = match pci {
            None => None,
            Some(p) => {
                let m: Vec<_> = cells
                    .cells
                    .iter()
                    .filter(|c| {
                        c.site == site
                            && c.pci == Some(p)
                            && earfcn.is_none_or(|e| c.earfcn == Some(e))
                    })
                    .collect();
                match m.as_slice() {
                    [one] => Some(one.sector),
                    [] => {
                        return Err(err(
                            "pci",
                            format!("{p} is not a cell of site_id '{id}' in the sites CSV"),
                        ))
                    }
                    _ => {
                        return Err(err(
                            "pci",
                            format!(
                                "{p} names {} cells of site_id '{id}': add the earfcn column",
                                m.len()
                            ),
                        ))
                    }
                }
            }
        };
        return Ok((site, sector, earfcn));
    }
    let (Some(p), Some(e)) = (pci, earfcn) else {
        return Err(err(
            "site_id",
            "empty, and pci or earfcn empty too: expected a site_id, or a pci and an earfcn".into(),
        ));
    };
    match cells.matching(p, e).as_slice() {
        [one] => Ok((one.site, Some(one.sector), Some(e))),
        [] => Err(err("pci", format!("pci {p} with earfcn {e} matches no cell of the sites CSV (its pci/earfcn columns, or earfcn derived from freq_mhz)"))),
        many => Err(err("pci", format!(
            "pci {p} with earfcn {e} is ambiguous: it matches {} cells of the sites CSV (sites {}); add a site_id column",
            many.len(),
            many.iter().map(|c| cells.id_of(c.site).unwrap_or("?").to_string()).collect::<Vec<_>>().join(", ")
        ))),
    }
}
