//! phusong's site CSV: one row per sector, rows sharing a `site_id` form one site.
//!
//! This is the file format a user edits to replace the synthetic site layer with real sites.
//!
//! # Format
//!
//! UTF-8 CSV with a header line; columns are found by header name (case-insensitive, any order, extra
//! columns ignored). Coordinates are WGS84 longitude/latitude in decimal degrees.
//!
//! | column | required | unit / values | valid range |
//! |---|---|---|---|
//! | `site_id` | yes | any text; rows with the same id are sectors of one site | non-empty |
//! | `operator` | yes | text | non-empty |
//! | `lon` | yes | degrees east (WGS84) | −180 … 180 |
//! | `lat` | yes | degrees north (WGS84) | −90 … 90 |
//! | `height_m` | yes | antenna height above ground, m | 1 … 300 |
//! | `azimuth_deg` | yes | boresight, degrees clockwise from north | 0 … 360 |
//! | `mech_tilt_deg` | yes | mechanical down-tilt, degrees (positive = down) | −30 … 30 |
//! | `elec_tilt_deg` | yes | electrical down-tilt, degrees (positive = down) | −30 … 30 |
//! | `freq_mhz` | yes | carrier centre frequency, MHz | 400 … 6000 |
//! | `bandwidth_mhz` | yes | LTE channel bandwidth, MHz | 1.4, 3, 5, 10, 15 or 20 |
//! | `eirp_dbm` | yes¹ | peak carrier EIRP at boresight, dBm | 20 … 80 |
//! | `tx_power_dbm` | no¹ | transmitter power at the antenna port, dBm | |
//! | `antenna_gain_dbi` | no¹ | antenna gain, dBi | |
//! | `feeder_loss_db` | no¹ | feeder/jumper loss, dB (empty or absent = 0) | |
//! | `h_beamwidth_deg` | no | horizontal half-power beamwidth, degrees; default **65** | 0 < bw ≤ 360 |
//! | `v_beamwidth_deg` | no | vertical half-power beamwidth, degrees; default **10** | 0 < bw ≤ 180 |
//! | `name` | no | site name; default: the `site_id` text | |
//! | `antenna_file` | no | the sector's measured pattern, an MSI/Planet file (path relative to the CSV); empty = the 3GPP TR 36.814 pattern with the beamwidths above | 360 + 360 points |
//!
//! ¹ When `eirp_dbm` is absent or empty on a row, the row must give `tx_power_dbm` and
//! `antenna_gain_dbi`, and EIRP = tx_power_dbm + antenna_gain_dbi − feeder_loss_db (which must then
//! fall in 20 … 80 dBm).
//!
//! With `antenna_file`, the file's vertical cut already holds its own electrical tilt (`TILT` /
//! `ELECTRICAL_TILT`); the row's `mech_tilt_deg`, and any `elec_tilt_deg` beyond the file's, tilt it
//! further. EIRP stays the row's: the file's `GAIN` is not added again.
//!
//! Two rows of one site with the same `azimuth_deg` and `freq_mhz` are the same sector listed twice
//! and refused, naming both lines.
//!
//! All rows of one site must agree on `operator`, `lon`, `lat` and `height_m`; the site's `name` is
//! taken from its first row. Sites get ids 1, 2, … in order of first appearance in the file.
//!
//! ```text
//! site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm
//! VINH-001,Viettel,105.6813,18.6734,30,0,2,4,1800,20,61
//! VINH-001,Viettel,105.6813,18.6734,30,120,2,4,1800,20,61
//! VINH-001,Viettel,105.6813,18.6734,30,240,2,4,1800,20,61
//! ```
//!
//! Errors name the file, the 1-based line number, the column and the offending value.

use crate::crs::Projector;
use crate::error::{Context, Error, Result};
use phusong_engine::radio::{AntennaPattern, Sector, Site};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Horizontal half-power beamwidth used when the column is absent or empty, degrees
/// (a common 3-sector panel; 3GPP TR 36.814 Table A.2.1.1-2 models 70°).
pub const DEFAULT_H_BEAMWIDTH_DEG: f64 = 65.0;
/// Vertical half-power beamwidth used when the column is absent or empty, degrees (TR 36.814: 10°).
pub const DEFAULT_V_BEAMWIDTH_DEG: f64 = 10.0;

/// Plausible antenna heights above ground, m: below 1 m or above 300 m is a typo (cm, feet).
const MIN_HEIGHT_M: f64 = 1.0;
const MAX_HEIGHT_M: f64 = 300.0;
/// Plausible macro/small-cell EIRP, dBm (a 20 W + 18 dBi macro is ≈ 61 dBm).
const MIN_EIRP_DBM: f64 = 20.0;
const MAX_EIRP_DBM: f64 = 80.0;

/// LTE channel bandwidths, MHz (3GPP TS 36.101 Table 5.6-1).
const LTE_BANDWIDTHS_MHZ: [f64; 6] = [1.4, 3.0, 5.0, 10.0, 15.0, 20.0];

const REQUIRED: [&str; 10] = [
    "site_id",
    "operator",
    "lon",
    "lat",
    "height_m",
    "azimuth_deg",
    "mech_tilt_deg",
    "elec_tilt_deg",
    "freq_mhz",
    "bandwidth_mhz",
];

/// Column order written by [`write_sites_csv`].
const WRITTEN: [&str; 15] = [
    "site_id",
    "name",
    "operator",
    "lon",
    "lat",
    "height_m",
    "azimuth_deg",
    "mech_tilt_deg",
    "elec_tilt_deg",
    "freq_mhz",
    "bandwidth_mhz",
    "eirp_dbm",
    "h_beamwidth_deg",
    "v_beamwidth_deg",
    "antenna_file",
];

/// Header name → column index.
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn get<'r>(&self, rec: &'r csv::StringRecord, name: &str) -> Option<&'r str> {
        self.index
            .get(name)
            .and_then(|&i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// One parsed row, before grouping.
struct Row {
    line: usize,
    site_id: String,
    name: Option<String>,
    operator: String,
    lon: f64,
    lat: f64,
    height_m: f64,
    sector: Sector,
}

/// Reads phusong's site CSV (format in the module doc) and projects sites into `proj`'s CRS.
pub fn read_sites_csv(path: &Path, proj: &Projector) -> Result<Vec<Site>> {
    crate::io::check_input_file(path, crate::io::MAX_CSV_BYTES)?;
    let file = std::fs::File::open(path).ctx(|| format!("opening {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let header = rdr.headers().map_err(|e| csv_error(path, e))?.clone();
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(Error::input(
            path,
            format!(
                "empty file: expected a header line with columns {}",
                REQUIRED.join(",")
            ),
        ));
    }
    let cols = columns(path, &header)?;

    let mut rows = Vec::new();
    let mut patterns = Patterns::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_error(path, e))?;
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let mut row = parse_row(path, &cols, &rec, line)?;
        if let Some(f) = cols.get(&rec, "antenna_file") {
            row.sector.pattern = Some(patterns.load(path, line, f)?);
        }
        rows.push(row);
    }
    group(path, rows, proj)
}

/// Antenna pattern files read so far, by resolved path: each is read once and shared.
#[derive(Default)]
struct Patterns(std::collections::BTreeMap<std::path::PathBuf, Arc<AntennaPattern>>);

impl Patterns {
    /// The pattern named on `line` of the CSV `csv`, its path relative to the CSV's folder.
    fn load(&mut self, csv: &Path, line: usize, name: &str) -> Result<Arc<AntennaPattern>> {
        let file = csv.parent().unwrap_or(Path::new(".")).join(name);
        if let Some(p) = self.0.get(&file) {
            return Ok(p.clone());
        }
        let on_row = |msg: String| Error::record(csv, "row", line, msg);
        // A pattern file is ~10 kB; a device or a huge file is not one.
        match std::fs::metadata(&file) {
            Ok(m) if m.is_file() && m.len() <= 1 << 20 => {}
            _ => {
                return Err(on_row(format!(
                "column 'antenna_file': {} is not a readable file of at most 1 MiB (expected an \
                     MSI/Planet pattern file)",
                file.display()
            )))
            }
        }
        let text = std::fs::read_to_string(&file).map_err(|e| {
            on_row(format!(
                "column 'antenna_file': cannot read {} as text: {e} (expected an MSI/Planet pattern file)",
                file.display()
            ))
        })?;
        let source = std::path::absolute(&file).unwrap_or(file.clone());
        let p = AntennaPattern::parse_msi(&text, &source.to_string_lossy()).map_err(|e| {
            on_row(format!(
                "column 'antenna_file': {}: {e} (expected an MSI/Planet pattern file)",
                file.display()
            ))
        })?;
        let p = Arc::new(p);
        self.0.insert(file, p.clone());
        Ok(p)
    }
}

fn columns(path: &Path, header: &csv::StringRecord) -> Result<Columns> {
    let mut index = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let key = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        if index.insert(key.clone(), i).is_some() {
            return Err(Error::input(
                path,
                format!("column '{key}' appears twice in the header"),
            ));
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "missing column(s) {}: expected a header line naming the columns of phusong's site \
                 CSV (see README) ({})",
                missing.join(", "),
                crate::io::shown_header(header.iter())
            ),
        ));
    }
    let has = |c: &str| index.contains_key(c);
    let can_compute = has("tx_power_dbm") && has("antenna_gain_dbi");
    if !has("eirp_dbm") && !can_compute {
        return Err(Error::input(
            path,
            "missing column eirp_dbm (or tx_power_dbm and antenna_gain_dbi to compute it)",
        ));
    }
    Ok(Columns { index })
}

fn parse_row(path: &Path, cols: &Columns, rec: &csv::StringRecord, line: usize) -> Result<Row> {
    let err = |msg: String| Error::record(path, "row", line, msg);
    let text = |name: &str| -> Result<String> {
        cols.get(rec, name)
            .map(str::to_string)
            .ok_or_else(|| err(format!("column '{name}' is empty")))
    };
    let opt_num = |name: &str| -> Result<Option<f64>> {
        match cols.get(rec, name) {
            None => Ok(None),
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Some(v)),
                _ => Err(err(format!(
                    "column '{name}' is {}, expected a number",
                    crate::io::shown_value(s)
                ))),
            },
        }
    };
    let num = |name: &str| -> Result<f64> {
        opt_num(name)?.ok_or_else(|| err(format!("column '{name}' is empty, expected a number")))
    };
    let in_range = |name: &str, v: f64, lo: f64, hi: f64| -> Result<f64> {
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(err(format!("column '{name}' is {v}, expected {lo} … {hi}")))
        }
    };

    let site_id = text("site_id")?;
    let operator = text("operator")?;
    let lon = in_range("lon", num("lon")?, -180.0, 180.0)?;
    let lat = in_range("lat", num("lat")?, -90.0, 90.0)?;
    let height_m = in_range("height_m", num("height_m")?, MIN_HEIGHT_M, MAX_HEIGHT_M)?;
    let azimuth_deg = in_range("azimuth_deg", num("azimuth_deg")?, 0.0, 360.0)?;
    let mech_tilt_deg = in_range("mech_tilt_deg", num("mech_tilt_deg")?, -30.0, 30.0)?;
    let elec_tilt_deg = in_range("elec_tilt_deg", num("elec_tilt_deg")?, -30.0, 30.0)?;
    let freq_mhz = in_range("freq_mhz", num("freq_mhz")?, 400.0, 6000.0)?;
    let bandwidth_mhz = num("bandwidth_mhz")?;
    if !LTE_BANDWIDTHS_MHZ
        .iter()
        .any(|b| (b - bandwidth_mhz).abs() < 1e-6)
    {
        return Err(err(format!(
            "column 'bandwidth_mhz' is {bandwidth_mhz}, expected one of 1.4, 3, 5, 10, 15, 20"
        )));
    }
    let eirp_dbm = match opt_num("eirp_dbm")? {
        Some(v) => in_range("eirp_dbm", v, MIN_EIRP_DBM, MAX_EIRP_DBM)?,
        None => {
            let p = opt_num("tx_power_dbm")?;
            let g = opt_num("antenna_gain_dbi")?;
            let l = opt_num("feeder_loss_db")?.unwrap_or(0.0);
            match (p, g) {
                (Some(p), Some(g)) => {
                    let e = p + g - l;
                    if !(MIN_EIRP_DBM..=MAX_EIRP_DBM).contains(&e) {
                        return Err(err(format!(
                            "EIRP from tx_power_dbm {p} + antenna_gain_dbi {g} − feeder_loss_db {l} \
                             is {e} dBm, expected {MIN_EIRP_DBM} … {MAX_EIRP_DBM}"
                        )));
                    }
                    e
                }
                _ => return Err(err(
                    "column 'eirp_dbm' is empty and tx_power_dbm/antenna_gain_dbi are not both \
                         given"
                        .into(),
                )),
            }
        }
    };
    let h_bw = opt_num("h_beamwidth_deg")?.unwrap_or(DEFAULT_H_BEAMWIDTH_DEG);
    if !(h_bw > 0.0 && h_bw <= 360.0) {
        return Err(err(format!(
            "column 'h_beamwidth_deg' is {h_bw}, expected 0 < value ≤ 360"
        )));
    }
    let v_bw = opt_num("v_beamwidth_deg")?.unwrap_or(DEFAULT_V_BEAMWIDTH_DEG);
    if !(v_bw > 0.0 && v_bw <= 180.0) {
        return Err(err(format!(
            "column 'v_beamwidth_deg' is {v_bw}, expected 0 < value ≤ 180"
        )));
    }
    Ok(Row {
        line,
        site_id,
        name: cols.get(rec, "name").map(str::to_string),
        operator,
        lon,
        lat,
        height_m,
        sector: Sector {
            azimuth_deg,
            mech_tilt_deg,
            elec_tilt_deg,
            freq_mhz,
            bandwidth_mhz,
            eirp_dbm,
            h_beamwidth_deg: h_bw,
            v_beamwidth_deg: v_bw,
            pattern: None,
        },
    })
}

/// Groups rows by site_id (order of first appearance), checking that shared fields agree.
fn group(path: &Path, rows: Vec<Row>, proj: &Projector) -> Result<Vec<Site>> {
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut sites: Vec<Site> = Vec::new();
    let mut first_line: Vec<usize> = Vec::new();
    let mut sector_lines: Vec<Vec<usize>> = Vec::new();
    for row in rows {
        match by_id.get(&row.site_id) {
            Some(&k) => {
                let s = &sites[k];
                let first = first_line[k];
                let disagree = |what: &str, here: String, there: String| {
                    Error::record(
                        path,
                        "row",
                        row.line,
                        format!(
                            "site_id '{}': {what} is {here} here but {there} on line {first}; all \
                             rows of a site must agree",
                            row.site_id
                        ),
                    )
                };
                if s.operator != row.operator {
                    return Err(disagree(
                        "operator",
                        row.operator.clone(),
                        s.operator.clone(),
                    ));
                }
                if s.lon != row.lon {
                    return Err(disagree("lon", row.lon.to_string(), s.lon.to_string()));
                }
                if s.lat != row.lat {
                    return Err(disagree("lat", row.lat.to_string(), s.lat.to_string()));
                }
                if s.height_m != row.height_m {
                    return Err(disagree(
                        "height_m",
                        row.height_m.to_string(),
                        s.height_m.to_string(),
                    ));
                }
                if let Some(j) = sites[k].sectors.iter().position(|q| {
                    q.azimuth_deg == row.sector.azimuth_deg && q.freq_mhz == row.sector.freq_mhz
                }) {
                    return Err(Error::record(
                        path,
                        "row",
                        row.line,
                        format!(
                            "site_id '{}': columns azimuth_deg {} and freq_mhz {} repeat the sector on line {}: a duplicate sector",
                            row.site_id,
                            row.sector.azimuth_deg,
                            row.sector.freq_mhz,
                            sector_lines[k][j]
                        ),
                    ));
                }
                sites[k].sectors.push(row.sector);
                sector_lines[k].push(row.line);
            }
            None => {
                let (x_m, y_m) = proj.project(row.lon, row.lat).map_err(|e| {
                    Error::record(
                        path,
                        "row",
                        row.line,
                        format!("cannot project position: {e}"),
                    )
                })?;
                by_id.insert(row.site_id.clone(), sites.len());
                first_line.push(row.line);
                sector_lines.push(vec![row.line]);
                sites.push(Site {
                    id: sites.len() as u32 + 1,
                    name: row.name.unwrap_or_else(|| row.site_id.clone()),
                    operator: row.operator,
                    x_m,
                    y_m,
                    lon: row.lon,
                    lat: row.lat,
                    height_m: row.height_m,
                    sectors: vec![row.sector],
                });
            }
        }
    }
    Ok(sites)
}

/// A csv-crate error as an [`Error`] naming the file and, when known, the line.
pub(crate) fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.position() {
        Some(p) => Error::record(
            path,
            "row",
            p.line() as usize,
            format!("malformed CSV: {e}"),
        ),
        None => Error::input(path, format!("malformed CSV: {e}")),
    }
}

/// Writes sites in the format [`read_sites_csv`] reads: one row per sector, `site_id` = the site's
/// numeric id, `name` column kept. Written to a temporary file in the same directory, then renamed
/// over `path`, so a reader never sees a half-written file.
pub fn write_sites_csv(path: &Path, sites: &[Site]) -> Result<()> {
    write_sites_csv_with(path, sites, &[])
}

/// [`write_sites_csv`] with extra columns after the standard ones: `(header, one value per site)`,
/// repeated on every sector row of the site. [`read_sites_csv`] ignores them.
pub fn write_sites_csv_with(
    path: &Path,
    sites: &[Site],
    extra: &[(&str, Vec<String>)],
) -> Result<()> {
    for (name, values) in extra {
        if values.len() != sites.len() || WRITTEN.contains(name) {
            return Err(Error::Other(format!(
                "{}: extra column '{name}' has {} values for {} sites (expected one per site, \
                 under a name the site CSV does not use)",
                path.display(),
                values.len(),
                sites.len()
            )));
        }
    }
    let io_err = |e: csv::Error| Error::Other(format!("writing {}: {e}", path.display()));
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = WRITTEN.iter().copied().chain(extra.iter().map(|(n, _)| *n));
    w.write_record(header).map_err(io_err)?;
    for (k, s) in sites.iter().enumerate() {
        for sec in &s.sectors {
            // `{}` on f64 prints the shortest text that parses back to the same value.
            let standard = [
                s.id.to_string(),
                s.name.clone(),
                s.operator.clone(),
                s.lon.to_string(),
                s.lat.to_string(),
                s.height_m.to_string(),
                sec.azimuth_deg.to_string(),
                sec.mech_tilt_deg.to_string(),
                sec.elec_tilt_deg.to_string(),
                sec.freq_mhz.to_string(),
                sec.bandwidth_mhz.to_string(),
                sec.eirp_dbm.to_string(),
                sec.h_beamwidth_deg.to_string(),
                sec.v_beamwidth_deg.to_string(),
                sec.pattern
                    .as_ref()
                    .map_or(String::new(), |p| p.source.clone()),
            ];
            let extras = extra.iter().map(|(_, v)| v[k].clone());
            w.write_record(standard.into_iter().chain(extras))
                .map_err(io_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Other(format!("writing {}: {e}", path.display())))?;
    // A unique temp name (pid and counter), fsync, rename, fsync of the folder.
    crate::run_folder::atomic_write(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::DEFAULT_EPSG;

    const HEADER: &str = "site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm";

    fn write(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
        let p = dir.path().join("sites.csv");
        std::fs::write(&p, text).unwrap();
        p
    }

    fn read_err(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, text);
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        read_sites_csv(&p, &proj).unwrap_err().to_string()
    }

    fn sector(az: f64) -> Sector {
        Sector {
            azimuth_deg: az,
            mech_tilt_deg: 2.0,
            elec_tilt_deg: 4.5,
            freq_mhz: 1800.0,
            bandwidth_mhz: 1.4,
            eirp_dbm: 61.3,
            h_beamwidth_deg: 65.0,
            v_beamwidth_deg: 7.0,
            pattern: None,
        }
    }

    #[test]
    fn round_trip_preserves_sites() {
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let mk = |id: u32, name: &str, lon: f64, lat: f64, n: usize| {
            let (x_m, y_m) = proj.project(lon, lat).unwrap();
            Site {
                id,
                name: name.into(),
                operator: "Viettel".into(),
                x_m,
                y_m,
                lon,
                lat,
                height_m: 32.5,
                sectors: (0..n).map(|k| sector(k as f64 * 120.0 + 0.1)).collect(),
            }
        };
        let sites = vec![
            mk(1, "Vinh, \"centre\"", 105.681_234_567, 18.673_4, 3),
            mk(2, "Bản Hợp", 104.1, 19.3, 1),
        ];
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        write_sites_csv(&p, &sites).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out.csv")
            .collect();
        assert!(left.is_empty(), "{left:?}");
        let back = read_sites_csv(&p, &proj).unwrap();
        assert_eq!(back.len(), 2);
        for (a, b) in sites.iter().zip(&back) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.name, b.name);
            assert_eq!(a.operator, b.operator);
            assert_eq!((a.lon, a.lat, a.height_m), (b.lon, b.lat, b.height_m));
            assert!((a.x_m - b.x_m).abs() < 1e-6 && (a.y_m - b.y_m).abs() < 1e-6);
            assert_eq!(a.sectors, b.sectors);
        }
        // Extra columns (as proposed_sites.csv has) are written on every row and ignored on reading.
        let extra = vec![
            ("commune", vec!["Xã Mường Lống".to_string(), String::new()]),
            ("new_hamlet_ids", vec!["12;40".to_string(), "7".to_string()]),
        ];
        write_sites_csv_with(&p, &sites, &extra).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text
            .lines()
            .next()
            .unwrap()
            .ends_with(",commune,new_hamlet_ids"));
        assert_eq!(text.matches("Xã Mường Lống,12;40").count(), 3);
        assert_eq!(read_sites_csv(&p, &proj).unwrap(), back);
        let bad = vec![("commune", vec!["only one".to_string()])];
        assert!(write_sites_csv_with(&p, &sites, &bad).is_err());
        let clash = vec![("height_m", vec![String::new(), String::new()])];
        assert!(write_sites_csv_with(&p, &sites, &clash).is_err());
    }

    /// Writers of one file at the same time (threads of one process) each use their own temp
    /// file: the result is wholly one writer's file and no temp is left (a fixed temp name let
    /// them truncate each other's file or rename it away).
    #[test]
    fn concurrent_writers_use_distinct_temp_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sites.csv");
        let versions: Vec<Vec<Site>> = (0..8)
            .map(|k| {
                vec![Site {
                    id: k + 1,
                    name: format!("S{k}"),
                    operator: "Viettel".into(),
                    x_m: 0.0,
                    y_m: 0.0,
                    lon: 105.0 + 0.01 * k as f64,
                    lat: 19.0,
                    height_m: 30.0,
                    sectors: (0..=k as usize).map(|j| sector(10.0 * j as f64)).collect(),
                }]
            })
            .collect();
        let expected: Vec<Vec<u8>> = versions
            .iter()
            .map(|v| {
                let q = dir.path().join("one.csv");
                write_sites_csv(&q, v).unwrap();
                std::fs::read(&q).unwrap()
            })
            .collect();
        std::fs::remove_file(dir.path().join("one.csv")).unwrap();
        for _ in 0..20 {
            std::thread::scope(|sc| {
                for v in &versions {
                    let p = &p;
                    sc.spawn(move || write_sites_csv(p, v).unwrap());
                }
            });
            let got = std::fs::read(&p).unwrap();
            assert!(expected.contains(&got), "a mix of writers");
        }
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["sites.csv".to_string()]);
    }

    #[test]
    fn groups_rows_any_column_order_and_computes_eirp() {
        let dir = tempfile::tempdir().unwrap();
        // Columns shuffled, EIRP from power+gain−loss on one row, defaults for beamwidths.
        let p = write(
            &dir,
            "lat,lon,site_id,operator,height_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm,tx_power_dbm,antenna_gain_dbi,feeder_loss_db,v_beamwidth_deg\n\
             18.67,105.68,A,MobiFone,30,0,2,4,1800,20,61,,,,\n\
             19.0,105.0,B,Viettel,40,90,0,6,900,10,,46,18,3,8\n\
             18.67,105.68,A,MobiFone,30,120,2,4,1800,20,61,,,,\n",
        );
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let s = read_sites_csv(&p, &proj).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            (s[0].id, s[0].name.as_str(), s[0].sectors.len()),
            (1, "A", 2)
        );
        assert_eq!(
            (s[1].id, s[1].name.as_str(), s[1].sectors.len()),
            (2, "B", 1)
        );
        assert_eq!(s[0].sectors[1].azimuth_deg, 120.0);
        assert_eq!(s[1].sectors[0].eirp_dbm, 46.0 + 18.0 - 3.0);
        assert_eq!(s[0].sectors[0].h_beamwidth_deg, DEFAULT_H_BEAMWIDTH_DEG);
        assert_eq!(s[0].sectors[0].v_beamwidth_deg, DEFAULT_V_BEAMWIDTH_DEG);
        assert_eq!(s[1].sectors[0].v_beamwidth_deg, 8.0);
        let (x, y) = proj.project(105.0, 19.0).unwrap();
        assert!((s[1].x_m - x).abs() < 1e-9 && (s[1].y_m - y).abs() < 1e-9);
    }

    #[test]
    fn missing_column_is_named() {
        let e = read_err("site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,freq_mhz,bandwidth_mhz,eirp_dbm\n");
        assert!(e.contains("missing column(s) elec_tilt_deg"), "{e}");
        let e = read_err("site_id,operator,lon,lat,height_m,azimuth_deg,mech_tilt_deg,elec_tilt_deg,freq_mhz,bandwidth_mhz,tx_power_dbm\n");
        assert!(e.contains("missing column eirp_dbm"), "{e}");
    }

    #[test]
    fn non_numeric_value_names_line_column_and_value() {
        let e = read_err(&format!("{HEADER}\nA,Viettel,105.6,18.7,30,0,2,4,1800,20,61\nA,Viettel,105.6,abc,30,120,2,4,1800,20,61\n"));
        assert!(
            e.contains("row 3: column 'lat' is 'abc', expected a number"),
            "{e}"
        );
        let e = read_err(&format!(
            "{HEADER}\nA,Viettel,105.6,18.7,30,0,2,4,1800,20,NaN\n"
        ));
        assert!(e.contains("row 2: column 'eirp_dbm' is 'NaN'"), "{e}");
        let e = read_err(&format!(
            "{HEADER}\nA,Viettel,105.6,18.7,30,0,2,4,1800,20\n"
        ));
        assert!(e.contains("row 2: column 'eirp_dbm' is empty"), "{e}");
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        let cases = [
            ("A,V,185,18.7,30,0,2,4,1800,20,61", "column 'lon' is 185"),
            ("A,V,105,-91,30,0,2,4,1800,20,61", "column 'lat' is -91"),
            (
                "A,V,105,18,501,0,2,4,1800,20,61",
                "column 'height_m' is 501",
            ),
            (
                "A,V,105,18,30,361,2,4,1800,20,61",
                "column 'azimuth_deg' is 361",
            ),
            (
                "A,V,105,18,30,0,31,4,1800,20,61",
                "column 'mech_tilt_deg' is 31",
            ),
            (
                "A,V,105,18,30,0,2,-40,1800,20,61",
                "column 'elec_tilt_deg' is -40",
            ),
            ("A,V,105,18,30,0,2,4,300,20,61", "column 'freq_mhz' is 300"),
            (
                "A,V,105,18,30,0,2,4,1800,7,61",
                "column 'bandwidth_mhz' is 7",
            ),
            ("A,V,105,18,30,0,2,4,1800,20,95", "column 'eirp_dbm' is 95"),
            // Plausibility: a 0.5 m or 400 m mast, a 10 or 85 dBm EIRP are typos.
            (
                "A,V,105,18,0.5,0,2,4,1800,20,61",
                "column 'height_m' is 0.5",
            ),
            (
                "A,V,105,18,400,0,2,4,1800,20,61",
                "column 'height_m' is 400",
            ),
            ("A,V,105,18,30,0,2,4,1800,20,10", "column 'eirp_dbm' is 10"),
            ("A,V,105,18,30,0,2,4,1800,20,85", "column 'eirp_dbm' is 85"),
            (
                "A,V,105,18,30,0,2,4,7000,20,61",
                "column 'freq_mhz' is 7000",
            ),
        ];
        for (row, want) in cases {
            let e = read_err(&format!("{HEADER}\n{row}\n"));
            assert!(e.contains(&format!("row 2: {want}")), "{row}: {e}");
        }
    }

    #[test]
    fn inconsistent_site_rows_name_both_lines() {
        let e = read_err(&format!(
            "{HEADER}\nA,Viettel,105.6,18.7,30,0,2,4,1800,20,61\nB,Viettel,105.0,18.0,30,0,2,4,1800,20,61\nA,Viettel,105.6,18.7,35,120,2,4,1800,20,61\n"
        ));
        assert!(
            e.contains("row 4: site_id 'A': height_m is 35 here but 30 on line 2"),
            "{e}"
        );
        let e = read_err(&format!(
            "{HEADER}\nA,Viettel,105.6,18.7,30,0,2,4,1800,20,61\nA,MobiFone,105.6,18.7,30,120,2,4,1800,20,61\n"
        ));
        assert!(
            e.contains("row 3: site_id 'A': operator is MobiFone here but Viettel on line 2"),
            "{e}"
        );
    }

    #[test]
    fn plausibility_errors_name_file_row_column_and_range() {
        let e = read_err(&format!(
            "{HEADER}\nA,V,105,18,30,0,2,4,1800,20,61\nA,V,105,18,350,0,2,4,1800,20,61\n"
        ));
        assert!(e.contains("sites.csv"), "{e}");
        assert!(
            e.contains("row 3: column 'height_m' is 350, expected 1 … 300"),
            "{e}"
        );
        let e = read_err(&format!("{HEADER}\nA,V,105,18,30,0,2,4,1800,20,81\n"));
        assert!(
            e.contains("sites.csv") && e.contains("expected 20 … 80"),
            "{e}"
        );
    }

    #[test]
    fn a_duplicate_sector_is_refused_naming_both_lines() {
        let e = read_err(&format!(
            "{HEADER}\nA,V,105,18,30,0,2,4,1800,20,61\nA,V,105,18,30,120,2,4,1800,20,61\nA,V,105,18,30,0,2,4,1800,20,61\n"
        ));
        assert!(e.contains("sites.csv"), "{e}");
        assert!(e.contains("row 4: site_id 'A'"), "{e}");
        assert!(e.contains("repeat the sector on line 2"), "{e}");
        // The same azimuth on another band is a second carrier, not a duplicate.
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            &dir,
            &format!("{HEADER}\nA,V,105,18,30,0,2,4,1800,20,61\nA,V,105,18,30,0,2,4,900,20,61\n"),
        );
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        assert_eq!(read_sites_csv(&p, &proj).unwrap()[0].sectors.len(), 2);
    }

    #[test]
    fn empty_file_is_an_error_header_only_is_no_sites() {
        let e = read_err("");
        assert!(e.contains("empty file: expected a header line"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = write(&dir, &format!("{HEADER}\n"));
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        assert_eq!(read_sites_csv(&p, &proj).unwrap().len(), 0);
    }

    /// A small valid MSI file: flat 0 dB cuts except a 20 dB back lobe.
    fn msi(tilt: f64) -> String {
        let mut t = format!("NAME panel\nGAIN 15.85\nTILT ELECTRICAL {tilt}\nHORIZONTAL 360\n");
        for a in 0..360 {
            t += &format!("{a} {}\n", if (90..270).contains(&a) { 20.0 } else { 0.0 });
        }
        t += "VERTICAL 360\n";
        for a in 0..360 {
            t += &format!("{a} 0.0\n");
        }
        t
    }

    #[test]
    fn antenna_files_are_read_shared_and_written_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("ant")).unwrap();
        std::fs::write(dir.path().join("ant/panel.msi"), msi(4.0)).unwrap();
        let p = write(
            &dir,
            &format!(
                "{HEADER},antenna_file\n\
                 A,Viettel,105.6,18.7,30,0,2,4,1800,20,61,ant/panel.msi\n\
                 A,Viettel,105.6,18.7,30,120,2,4,1800,20,61,ant/panel.msi\n\
                 A,Viettel,105.6,18.7,30,240,2,4,1800,20,61,\n"
            ),
        );
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        let sites = read_sites_csv(&p, &proj).unwrap();
        let s = &sites[0].sectors;
        let (a, b) = (
            s[0].pattern.as_ref().unwrap(),
            s[1].pattern.as_ref().unwrap(),
        );
        assert!(Arc::ptr_eq(a, b), "one file is read once");
        assert_eq!(a.elec_tilt_deg, 4.0);
        assert!((a.gain_dbi.unwrap() - 18.0).abs() < 1e-9);
        assert!(
            s[2].pattern.is_none(),
            "an empty cell keeps the 3GPP pattern"
        );
        // Back lobe: 20 dB down behind the first sector, none in front.
        assert!((s[0].gain_db(180.0, 0.0) + 20.0).abs() < 1e-9);
        assert!(s[0].gain_db(0.0, 3.0).abs() < 1e-9);
        // Written back with the file's absolute path, read again from another folder: same patterns.
        let other = tempfile::tempdir().unwrap();
        let q = other.path().join("copy.csv");
        write_sites_csv(&q, &sites).unwrap();
        let back = read_sites_csv(&q, &proj).unwrap();
        assert_eq!(back[0].sectors[0].pattern, sites[0].sectors[0].pattern);
        assert!(back[0].sectors[2].pattern.is_none());
    }

    #[test]
    fn a_missing_or_malformed_antenna_file_names_row_column_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let row = |f: &str| {
            format!("{HEADER},antenna_file\nA,Viettel,105.6,18.7,30,0,2,4,1800,20,61,{f}\n")
        };
        let e = read_err_in(&dir, &row("nope.msi"));
        assert!(e.contains("line 2") || e.contains("row 2"), "{e}");
        assert!(e.contains("antenna_file") && e.contains("nope.msi"), "{e}");
        std::fs::write(
            dir.path().join("bad.msi"),
            msi(4.0).replace("HORIZONTAL 360", "HORIZONTAL 90"),
        )
        .unwrap();
        let e = read_err_in(&dir, &row("bad.msi"));
        assert!(
            e.contains("bad.msi") && e.contains("line 4") && e.contains("360"),
            "{e}"
        );
    }

    fn read_err_in(dir: &tempfile::TempDir, text: &str) -> String {
        let p = write(dir, text);
        let proj = Projector::new(DEFAULT_EPSG).unwrap();
        read_sites_csv(&p, &proj).unwrap_err().to_string()
    }
}
