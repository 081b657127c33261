//! OpenCelliD cell exports → sites: LTE cells grouped by eNodeB into one site each.
//!
//! Layout (one cell per line, comma-separated; OpenCelliD's full dumps have no header, per-country
//! downloads may have one; it is detected from the first field being `radio`):
//! `radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal`.
//!
//! For LTE, `cell` is the 28-bit E-UTRAN Cell Identifier, ECI = eNB ID (20 bits) ‖ Cell ID (8 bits)
//! (3GPP TS 36.413 §9.2.1.38 "E-UTRAN CGI"; TS 23.003 §19.6): eNB id = ECI >> 8, local cell id =
//! ECI & 0xFF. Cells of one (mcc, net, eNB id) are one site at the mean position of its cells.
//!
//! For NR (only with `include_nr`), `cell` is the 36-bit NR Cell Identity, NCI = gNB ID (22…32 bits)
//! ‖ local cell id (TS 38.413 §9.3.1.7, TS 23.003 §19.6B). The gNB ID length is operator-configured
//! and not in the export: this reader **assumes 24 bits** (local cell id = NCI & 0xFFF). NR sites are
//! kept separate from LTE sites even when co-located.
//!
//! OpenCelliD has no antenna data; every sector takes its parameters from [`SectorDefaults`].
//! GSM, UMTS and CDMA rows are skipped.

use crate::crs::Projector;
use crate::error::{Context, Error, Result};
use phusong_engine::radio::{Sector, Site};
use std::collections::HashMap;
use std::path::Path;

/// Sector parameters OpenCelliD does not provide, applied to every imported cell.
#[derive(Clone, Debug, PartialEq)]
pub struct SectorDefaults {
    /// Antenna height above ground, m.
    pub height_m: f64,
    /// Carrier EIRP at boresight, dBm.
    pub eirp_dbm: f64,
    pub freq_mhz: f64,
    pub bandwidth_mhz: f64,
    pub mech_tilt_deg: f64,
    pub elec_tilt_deg: f64,
    pub h_beamwidth_deg: f64,
    pub v_beamwidth_deg: f64,
    /// Sectors per site for azimuths: azimuth = (local cell id mod n) · 360°/n, so with n = 3
    /// cells 0, 1, 2 point at 0°, 120°, 240° (the usual numbering of a 3-sector site).
    pub sectors_per_site: u32,
}

impl Default for SectorDefaults {
    /// A typical rural 3-sector LTE 1800 macro: 30 m mast, 61 dBm EIRP (≈ 46 dBm + 18 dBi − 3 dB),
    /// 20 MHz, 2° mechanical + 4° electrical down-tilt, 65° × 10° beams.
    fn default() -> Self {
        SectorDefaults {
            height_m: 30.0,
            eirp_dbm: 61.0,
            freq_mhz: 1800.0,
            bandwidth_mhz: 20.0,
            mech_tilt_deg: 2.0,
            elec_tilt_deg: 4.0,
            h_beamwidth_deg: 65.0,
            v_beamwidth_deg: 10.0,
            sectors_per_site: 3,
        }
    }
}

/// Operator name for a PLMN: Vietnam's MCC 452 networks by name, others as "MCC-MNC".
pub fn operator_name(mcc: u32, mnc: u32) -> String {
    match (mcc, mnc) {
        (452, 1) => "MobiFone".into(),
        (452, 2) => "VinaPhone".into(),
        (452, 4) => "Viettel".into(),
        (452, 5) => "Vietnamobile".into(),
        (452, 7) => "Gmobile".into(),
        _ => format!("{mcc}-{mnc:02}"),
    }
}

/// A cell farther than this from the median position of its eNB's cells is not part of that site:
/// OpenCelliD positions are crowd-sourced estimates, and one stray cell would otherwise move the
/// whole site (a 3-sector macro's cells are estimated within a few km of each other).
pub const MAX_CELL_SPREAD_M: f64 = 20_000.0;

/// What the reader skipped and why, besides the sites it returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OpenCellIdReport {
    /// Cells of a kept radio outside `bbox`, skipped.
    pub cells_outside_bbox: usize,
    /// One message per cell (or eNB) left out for lying more than [`MAX_CELL_SPREAD_M`] from its
    /// eNB's other cells, naming the line, the cell and the distance.
    pub spread: Vec<String>,
}

/// Reads the LTE cells of an OpenCelliD export as sites in `proj`'s CRS.
/// `bbox` = [min_lon, min_lat, max_lon, max_lat] keeps only cells inside it.
pub fn read_opencellid(
    path: &Path,
    proj: &Projector,
    defaults: &SectorDefaults,
    bbox: Option<[f64; 4]>,
) -> Result<Vec<Site>> {
    read_opencellid_radios(path, proj, defaults, bbox, false)
}

/// As [`read_opencellid_radios`], with what was skipped: cells outside `bbox` and cells far from
/// their eNB's other cells (see [`MAX_CELL_SPREAD_M`]).
pub fn read_opencellid_checked(
    path: &Path,
    proj: &Projector,
    defaults: &SectorDefaults,
    bbox: Option<[f64; 4]>,
    include_nr: bool,
) -> Result<(Vec<Site>, OpenCellIdReport)> {
    let mut report = OpenCellIdReport::default();
    let sites = read_inner(path, proj, defaults, bbox, include_nr, &mut report)?;
    Ok((sites, report))
}

/// As [`read_opencellid`], also keeping NR cells when `include_nr` (see the module doc for the
/// gNB-id length assumption).
pub fn read_opencellid_radios(
    path: &Path,
    proj: &Projector,
    defaults: &SectorDefaults,
    bbox: Option<[f64; 4]>,
    include_nr: bool,
) -> Result<Vec<Site>> {
    read_inner(
        path,
        proj,
        defaults,
        bbox,
        include_nr,
        &mut OpenCellIdReport::default(),
    )
}

fn read_inner(
    path: &Path,
    proj: &Projector,
    defaults: &SectorDefaults,
    bbox: Option<[f64; 4]>,
    include_nr: bool,
    report: &mut OpenCellIdReport,
) -> Result<Vec<Site>> {
    if defaults.sectors_per_site == 0 {
        return Err(Error::Config(
            "SectorDefaults.sectors_per_site must be at least 1".into(),
        ));
    }
    if let Some([w, s, e, n]) = bbox {
        if !(w < e && s < n) {
            return Err(Error::Config(format!(
                "OpenCelliD bbox [{w}, {s}, {e}, {n}] must be [min_lon, min_lat, max_lon, max_lat]"
            )));
        }
    }
    crate::io::check_input_file(path, crate::io::MAX_CSV_BYTES)?;
    let file = std::fs::File::open(path).ctx(|| format!("opening {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);

    // Column positions: fixed layout, or from the header when there is one.
    let mut pos = Positions::default();
    let mut cells: Vec<Cell> = Vec::new();
    let mut seen: HashMap<(Radio, u32, u32, u64), usize> = HashMap::new();
    let mut first = true;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| crate::io::sites_csv::csv_error(path, e))?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if first {
            first = false;
            if is_header(&rec) {
                pos = Positions::from_header(path, &rec)?;
                continue;
            }
        }
        let Some(cell) = parse_row(path, &pos, &rec, line, include_nr)? else {
            continue;
        };
        if let Some([w, s, e, n]) = bbox {
            if !(w..=e).contains(&cell.lon) || !(s..=n).contains(&cell.lat) {
                report.cells_outside_bbox += 1;
                continue;
            }
        }
        let key = (cell.radio, cell.mcc, cell.mnc, cell.cell_identity);
        if let Some(&k) = seen.get(&key) {
            return Err(Error::record(
                path,
                "row",
                line,
                format!(
                    "cell {} of {}-{} already listed on line {}",
                    cell.cell_identity, cell.mcc, cell.mnc, cells[k].line
                ),
            ));
        }
        seen.insert(key, cells.len());
        cells.push(cell);
    }
    group(path, &cells, proj, defaults, report)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Radio {
    Lte,
    Nr,
}

struct Cell {
    line: usize,
    radio: Radio,
    mcc: u32,
    mnc: u32,
    /// ECI (LTE) or NCI (NR).
    cell_identity: u64,
    lon: f64,
    lat: f64,
}

impl Cell {
    /// (node id, local cell id): TS 36.413 / 23.003 split for LTE; 24-bit gNB id assumed for NR.
    fn split(&self) -> (u64, u64) {
        match self.radio {
            Radio::Lte => (self.cell_identity >> 8, self.cell_identity & 0xFF),
            Radio::Nr => (self.cell_identity >> 12, self.cell_identity & 0xFFF),
        }
    }
}

struct Positions {
    radio: usize,
    mcc: usize,
    net: usize,
    cell: usize,
    lon: usize,
    lat: usize,
}

impl Default for Positions {
    fn default() -> Self {
        Positions {
            radio: 0,
            mcc: 1,
            net: 2,
            cell: 4,
            lon: 6,
            lat: 7,
        }
    }
}

impl Positions {
    fn from_header(path: &Path, rec: &csv::StringRecord) -> Result<Self> {
        let find = |name: &str| {
            rec.iter()
                .position(|h| {
                    h.trim()
                        .trim_start_matches('\u{feff}')
                        .eq_ignore_ascii_case(name)
                })
                .ok_or_else(|| {
                    Error::input(
                        path,
                        format!(
                            "header has no column '{name}': expected OpenCelliD's header \
                             (radio,mcc,net,area,cell,unit,lon,lat,…) or none ({})",
                            crate::io::shown_header(rec.iter())
                        ),
                    )
                })
        };
        Ok(Positions {
            radio: find("radio")?,
            mcc: find("mcc")?,
            net: find("net")?,
            cell: find("cell")?,
            lon: find("lon")?,
            lat: find("lat")?,
        })
    }
}

/// A first line naming any of the layout's columns is a header (data lines start with a radio name).
fn is_header(rec: &csv::StringRecord) -> bool {
    const NAMES: [&str; 6] = ["radio", "mcc", "net", "cell", "lon", "lat"];
    rec.iter().any(|f| {
        let f = f.trim().trim_start_matches('\u{feff}');
        NAMES.iter().any(|n| f.eq_ignore_ascii_case(n))
    })
}

/// Parses one row; `None` for radios that are not kept.
fn parse_row(
    path: &Path,
    pos: &Positions,
    rec: &csv::StringRecord,
    line: usize,
    include_nr: bool,
) -> Result<Option<Cell>> {
    let err = |msg: String| Error::record(path, "row", line, msg);
    let field = |i: usize, name: &str| -> Result<&str> {
        rec.get(i)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                err(format!(
                    "column '{name}' (field {}) is missing or empty",
                    i + 1
                ))
            })
    };
    let radio_text = field(pos.radio, "radio")?;
    let radio = match radio_text.to_ascii_uppercase().as_str() {
        "LTE" => Radio::Lte,
        "NR" if include_nr => Radio::Nr,
        "NR" | "GSM" | "UMTS" | "CDMA" => return Ok(None),
        _ => {
            return Err(err(format!(
                "column 'radio' is {}, expected GSM, UMTS, CDMA, LTE or NR",
                crate::io::shown_value(radio_text)
            )))
        }
    };
    let int = |i: usize, name: &str| -> Result<u64> {
        let s = field(i, name)?;
        s.parse::<u64>().map_err(|_| {
            err(format!(
                "column '{name}' is {}, expected a non-negative integer",
                crate::io::shown_value(s)
            ))
        })
    };
    let deg = |i: usize, name: &str, lim: f64| -> Result<f64> {
        let s = field(i, name)?;
        match s.parse::<f64>() {
            Ok(v) if (-lim..=lim).contains(&v) => Ok(v),
            _ => Err(err(format!(
                "column '{name}' is {}, expected degrees in −{lim} … {lim}",
                crate::io::shown_value(s)
            ))),
        }
    };
    let mcc = int(pos.mcc, "mcc")?;
    if !(1..=999).contains(&mcc) {
        return Err(err(format!("column 'mcc' is {mcc}, expected 1 … 999")));
    }
    let mnc = int(pos.net, "net")?;
    if mnc > 999 {
        return Err(err(format!("column 'net' is {mnc}, expected 0 … 999")));
    }
    let cell_identity = int(pos.cell, "cell")?;
    let (bits, what) = match radio {
        Radio::Lte => (28, "a 28-bit E-UTRAN Cell Identifier"),
        Radio::Nr => (36, "a 36-bit NR Cell Identity"),
    };
    if cell_identity >> bits != 0 {
        return Err(err(format!(
            "column 'cell' is {cell_identity}, expected {what} (< {})",
            1u64 << bits
        )));
    }
    let lon = deg(pos.lon, "lon", 180.0)?;
    let lat = deg(pos.lat, "lat", 90.0)?;
    Ok(Some(Cell {
        line,
        radio,
        mcc: mcc as u32,
        mnc: mnc as u32,
        cell_identity,
        lon,
        lat,
    }))
}

/// Groups cells by (radio, mcc, mnc, node id), in order of first appearance; sectors sorted by
/// local cell id.
fn group(
    path: &Path,
    cells: &[Cell],
    proj: &Projector,
    d: &SectorDefaults,
    report: &mut OpenCellIdReport,
) -> Result<Vec<Site>> {
    let mut order: Vec<Vec<&Cell>> = Vec::new();
    let mut index: HashMap<(Radio, u32, u32, u64), usize> = HashMap::new();
    for c in cells {
        let key = (c.radio, c.mcc, c.mnc, c.split().0);
        let k = *index.entry(key).or_insert_with(|| {
            order.push(Vec::new());
            order.len() - 1
        });
        order[k].push(c);
    }
    let n = d.sectors_per_site as u64;
    let mut sites = Vec::with_capacity(order.len());
    for group in order {
        let Some(mut group) = within_spread(path, group, proj, report)? else {
            continue;
        };
        let k = sites.len();
        group.sort_by_key(|c| c.split().1);
        let first = group[0];
        let count = group.len() as f64;
        let lon = group.iter().map(|c| c.lon).sum::<f64>() / count;
        let lat = group.iter().map(|c| c.lat).sum::<f64>() / count;
        let (x_m, y_m) = proj.project(lon, lat).map_err(|e| {
            Error::record(
                path,
                "row",
                first.line,
                format!("cannot project site position: {e}"),
            )
        })?;
        let node = first.split().0;
        let tech = match first.radio {
            Radio::Lte => "eNB",
            Radio::Nr => "gNB",
        };
        sites.push(Site {
            id: k as u32 + 1,
            name: format!("{tech} {}-{:02}-{node}", first.mcc, first.mnc),
            operator: operator_name(first.mcc, first.mnc),
            x_m,
            y_m,
            lon,
            lat,
            height_m: d.height_m,
            sectors: group
                .iter()
                .map(|c| Sector {
                    azimuth_deg: (c.split().1 % n) as f64 * 360.0 / n as f64,
                    mech_tilt_deg: d.mech_tilt_deg,
                    elec_tilt_deg: d.elec_tilt_deg,
                    freq_mhz: d.freq_mhz,
                    bandwidth_mhz: d.bandwidth_mhz,
                    eirp_dbm: d.eirp_dbm,
                    h_beamwidth_deg: d.h_beamwidth_deg,
                    v_beamwidth_deg: d.v_beamwidth_deg,
                    pattern: None,
                })
                .collect(),
        });
    }
    Ok(sites)
}

/// The cells of one node within [`MAX_CELL_SPREAD_M`] of their median position; the others are
/// reported and left out. `None` (the node reported) when the cells kept still span more than that
/// distance, i.e. there is no telling where the site is.
fn within_spread<'c>(
    path: &Path,
    group: Vec<&'c Cell>,
    proj: &Projector,
    report: &mut OpenCellIdReport,
) -> Result<Option<Vec<&'c Cell>>> {
    let mut xy = Vec::with_capacity(group.len());
    for c in &group {
        xy.push(proj.project(c.lon, c.lat).map_err(|e| {
            Error::record(
                path,
                "row",
                c.line,
                format!("cannot project cell position: {e}"),
            )
        })?);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            0.5 * (v[n / 2 - 1] + v[n / 2])
        }
    };
    let mx = median(xy.iter().map(|p| p.0).collect());
    let my = median(xy.iter().map(|p| p.1).collect());
    let first = group[0];
    let (node, _) = first.split();
    let tech = match first.radio {
        Radio::Lte => "eNB",
        Radio::Nr => "gNB",
    };
    let mut kept = Vec::with_capacity(group.len());
    let mut kept_xy = Vec::with_capacity(group.len());
    let mut stray = Vec::new();
    for (c, &(x, y)) in group.iter().zip(&xy) {
        let d_m = (x - mx).hypot(y - my);
        if d_m > MAX_CELL_SPREAD_M {
            stray.push(format!(
                "{}: line {}: cell {} of {tech} {}-{:02}-{node} is {:.1} km from the median \
                 position of the {tech}'s cells (more than {:.0} km); left out of the site",
                path.display(),
                c.line,
                c.cell_identity,
                c.mcc,
                c.mnc,
                d_m / 1000.0,
                MAX_CELL_SPREAD_M / 1000.0
            ));
        } else {
            kept.push(*c);
            kept_xy.push((x, y));
        }
    }
    let pts = if kept_xy.is_empty() { &xy } else { &kept_xy };
    let mut span_m: f64 = 0.0;
    for (i, a) in pts.iter().enumerate() {
        for b in &pts[i + 1..] {
            span_m = span_m.max((a.0 - b.0).hypot(a.1 - b.1));
        }
    }
    if kept.is_empty() || span_m > MAX_CELL_SPREAD_M {
        report.spread.push(format!(
            "{}: line {}: the cells of {tech} {}-{:02}-{node} are spread over {:.1} km (more than \
             {:.0} km); the {tech} is left out",
            path.display(),
            first.line,
            first.mcc,
            first.mnc,
            span_m / 1000.0,
            MAX_CELL_SPREAD_M / 1000.0
        ));
        return Ok(None);
    }
    report.spread.extend(stray);
    Ok(Some(kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::DEFAULT_EPSG;

    const HEADER: &str = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal";

    fn read(text: &str, bbox: Option<[f64; 4]>, nr: bool) -> Result<Vec<Site>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cells.csv");
        std::fs::write(&p, text).unwrap();
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        read_opencellid_radios(&p, &proj, &SectorDefaults::default(), bbox, nr)
    }

    /// ECI = eNB id · 256 + local cell id.
    fn eci(enb: u64, cid: u64) -> u64 {
        enb * 256 + cid
    }

    fn body() -> String {
        [
            format!(
                "LTE,452,4,3001,{},0,105.60,18.70,1000,5,1,1500000000,1600000000,0",
                eci(123_456, 2)
            ),
            "GSM,452,4,3001,12345,0,105.00,19.00,1000,5,1,1500000000,1600000000,0".to_string(),
            format!(
                "LTE,452,4,3001,{},0,105.62,18.72,1000,5,1,1500000000,1600000000,0",
                eci(123_456, 0)
            ),
            format!(
                "LTE,452,1,3001,{},0,104.50,19.50,1000,5,1,1500000000,1600000000,0",
                eci(123_456, 1)
            ),
            format!(
                "LTE,452,4,3001,{},0,105.61,18.71,1000,5,1,1500000000,1600000000,0",
                eci(123_456, 4)
            ),
            format!(
                "NR,452,4,3001,{},0,105.00,18.00,1000,5,1,1500000000,1600000000,0",
                0xABCDEF_u64 << 12 | 5
            ),
            format!(
                "LTE,310,410,3001,{},0,105.00,18.00,1000,5,1,1500000000,1600000000,0",
                eci(7, 0)
            ),
        ]
        .join("\n")
            + "\n"
    }

    #[test]
    fn groups_cells_by_enb_and_splits_eci() {
        let sites = read(&body(), None, false).unwrap();
        assert_eq!(
            sites.len(),
            3,
            "GSM and NR skipped; Viettel and MobiFone eNB 123456 differ"
        );
        let s = &sites[0];
        assert_eq!(
            (s.id, s.name.as_str(), s.operator.as_str()),
            (1, "eNB 452-04-123456", "Viettel")
        );
        // Mean of the three cells' positions.
        assert!((s.lon - 105.61).abs() < 1e-12 && (s.lat - 18.71).abs() < 1e-12);
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let (x, y) = proj.project(105.61, 18.71).unwrap();
        assert!((s.x_m - x).abs() < 1e-6 && (s.y_m - y).abs() < 1e-6);
        // Local cell ids 0, 2, 4 → (id mod 3)·120° = 0°, 240°, 120°.
        let az: Vec<f64> = s.sectors.iter().map(|c| c.azimuth_deg).collect();
        assert_eq!(az, vec![0.0, 240.0, 120.0]);
        assert_eq!(s.height_m, 30.0);
        assert_eq!(s.sectors[0].eirp_dbm, 61.0);
        assert_eq!(s.sectors[0].tilt_deg(), 6.0);
        assert_eq!(sites[1].operator, "MobiFone");
        assert_eq!(sites[2].operator, "310-410");
        assert_eq!(sites[2].name, "eNB 310-410-7");
    }

    #[test]
    fn header_is_detected_and_optional() {
        let a = read(&body(), None, false).unwrap();
        let b = read(&format!("{HEADER}\n{}", body()), None, false).unwrap();
        assert_eq!(a, b);
        // A header in another column order is honoured.
        let c = read(
            &format!(
                "mcc,net,radio,cell,lat,lon\n452,2,LTE,{},19.1,104.9\n",
                eci(1000, 1)
            ),
            None,
            false,
        )
        .unwrap();
        assert_eq!(
            (c[0].operator.as_str(), c[0].lon, c[0].lat),
            ("VinaPhone", 104.9, 19.1)
        );
        assert_eq!(c[0].sectors[0].azimuth_deg, 120.0);
    }

    #[test]
    fn nr_flag_and_bbox() {
        let with_nr = read(&body(), None, true).unwrap();
        assert_eq!(with_nr.len(), 4);
        let nr = with_nr.iter().find(|s| s.name.starts_with("gNB")).unwrap();
        assert_eq!(nr.name, format!("gNB 452-04-{}", 0xABCDEF));
        assert_eq!(nr.sectors[0].azimuth_deg, 240.0); // local id 5 → 5 mod 3 = 2
        let boxed = read(&body(), Some([105.0, 18.5, 106.0, 19.0]), false).unwrap();
        // Only the Viettel eNB's three cells lie in the box (MobiFone at 104.5°E, 310-410 at 18°N).
        assert_eq!(boxed.len(), 1);
        assert_eq!(boxed[0].sectors.len(), 3);
        assert!(read(&body(), Some([106.0, 18.0, 105.0, 19.0]), false).is_err());
    }

    #[test]
    fn a_stray_cell_is_reported_not_moving_its_site() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cells.csv");
        // eNB 10: three cells near (105.60, 18.70) and one ~55 km away (line 4); eNB 11: two
        // cells ~110 km apart; eNB 12 outside the bbox.
        let row = |enb: u64, cid: u64, lon: f64, lat: f64| {
            format!(
                "LTE,452,4,1,{},0,{lon},{lat},1000,1,1,0,0,0\n",
                eci(enb, cid)
            )
        };
        let text = [
            row(10, 0, 105.60, 18.70),
            row(10, 1, 105.61, 18.70),
            row(10, 2, 105.60, 18.71),
            row(10, 3, 106.10, 18.80),
            row(11, 0, 105.00, 18.50),
            row(11, 1, 106.00, 18.40),
            row(12, 0, 109.00, 18.50),
        ]
        .concat();
        std::fs::write(&p, text).unwrap();
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let (sites, report) = read_opencellid_checked(
            &p,
            &proj,
            &SectorDefaults::default(),
            Some([104.0, 18.0, 107.0, 20.0]),
            false,
        )
        .unwrap();
        assert_eq!(report.cells_outside_bbox, 1);
        assert_eq!(sites.len(), 1, "{sites:?}");
        assert_eq!(sites[0].sectors.len(), 3);
        // The site stays at its three cells' mean, not pulled 13 km east by the stray one.
        assert!((sites[0].lon - (105.60 + 105.61 + 105.60) / 3.0).abs() < 1e-12);
        assert_eq!(report.spread.len(), 2, "{:?}", report.spread);
        assert!(report.spread[0].contains("line 4") && report.spread[0].contains("eNB 452-04-10"));
        assert!(report.spread[0].contains("km from the median position"));
        assert!(report.spread[1].contains("line 5") && report.spread[1].contains("eNB 452-04-11"));
        assert!(
            report.spread[1].contains("spread over 10"),
            "{}",
            report.spread[1]
        );
    }

    #[test]
    fn bad_rows_name_the_line() {
        let e = read(
            &format!("{HEADER}\nLTE,452,4,1,abc,0,105,18,1,1,1,1,1,0\n"),
            None,
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("row 2: column 'cell' is 'abc', expected a non-negative integer"),
            "{e}"
        );
        let e = read(
            &format!("LTE,452,4,1,{},0,105,18,1,1,1,1,1,0\n", 1u64 << 28),
            None,
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("row 1: column 'cell' is 268435456, expected a 28-bit"),
            "{e}"
        );
        let e = read("LTE,452,4,1,5,0,105,95,1,1,1,1,1,0\n", None, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1: column 'lat' is '95'"), "{e}");
        let e = read("LTE,452,4,1,5,0\n", None, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 1: column 'lon' (field 7) is missing"),
            "{e}"
        );
        let e = read("WiMAX,452,4,1,5,0,105,18\n", None, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1: column 'radio' is 'WiMAX'"), "{e}");
        let e = read(
            "LTE,452,4,1,5,0,105,18\nLTE,452,4,1,5,0,105.1,18\n",
            None,
            false,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("row 2: cell 5 of 452-4 already listed on line 1"),
            "{e}"
        );
        let e = read("mcc,net,cell,lon,lat\n452,4,5,105,18\n", None, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("header has no column 'radio'"), "{e}");
    }
}
