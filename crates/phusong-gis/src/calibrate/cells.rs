//! Which sector of the sites CSV a drive-test row names: by `site_id` (the CSV's text id), or by
//! `pci` and `earfcn` matched to the CSV's optional `pci` / `earfcn` columns.
//!
//! The EARFCN of a sector without an `earfcn` column is derived from its `freq_mhz` when that is an
//! E-UTRA downlink frequency of a band used in Vietnam (3GPP TS 36.101, Table 5.7.3-1:
//! N_DL = N_Offs-DL + (F_DL − F_DL_low)/0.1 MHz).

use crate::error::{Context, Error, Result};
use phusong_engine::radio::Site;
use std::collections::BTreeMap;
use std::path::Path;

/// E-UTRA FDD/TDD downlink bands (TS 36.101 Table 5.7.3-1): band, F_DL_low MHz, F_DL_high MHz,
/// N_Offs-DL.
const BANDS: [(u8, f64, f64, u32); 8] = [
    (1, 2110.0, 2170.0, 0),
    (3, 1805.0, 1880.0, 1200),
    (5, 869.0, 894.0, 2400),
    (7, 2620.0, 2690.0, 2750),
    (8, 925.0, 960.0, 3450),
    (20, 791.0, 821.0, 6150),
    (28, 758.0, 803.0, 9210),
    (40, 2300.0, 2400.0, 38650),
];

/// The downlink EARFCN of a carrier at `freq_mhz`, if it lies in one of [`BANDS`] on the
/// 100 kHz raster.
pub fn earfcn_of(freq_mhz: f64) -> Option<u32> {
    BANDS.iter().find_map(|&(_, lo, hi, offs)| {
        let steps = (freq_mhz - lo) / 0.1;
        let n = steps.round();
        ((lo..hi).contains(&freq_mhz) && (steps - n).abs() < 1e-6).then(|| offs + n as u32)
    })
}

/// One sector row of the sites CSV.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// Index of its site in the list `read_sites_csv` returns (order of first appearance).
    pub site: usize,
    /// Index of the sector within that site.
    pub sector: usize,
    /// `pci` column, if given.
    pub pci: Option<u16>,
    /// `earfcn` column, else derived from `freq_mhz`.
    pub earfcn: Option<u32>,
}

/// The sites CSV's ids and cells, next to the parsed sites.
pub struct CellTable {
    /// Text `site_id` → site index.
    pub site_of_id: BTreeMap<String, usize>,
    pub cells: Vec<Cell>,
}

impl CellTable {
    /// Reads the id, pci, earfcn, freq and azimuth columns of `path` (already parsed into `sites`
    /// by `read_sites_csv`, which validated it) and ties each row to its sector.
    pub fn read(path: &Path, sites: &[Site]) -> Result<CellTable> {
        let file = std::fs::File::open(path).ctx(|| format!("opening {}", path.display()))?;
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let header = rdr
            .headers()
            .map_err(|e| Error::input(path, e.to_string()))?
            .clone();
        let col = |n: &str| header.iter().position(|h| h.trim().eq_ignore_ascii_case(n));
        let (id_c, pci_c, earfcn_c) = (col("site_id"), col("pci"), col("earfcn"));
        let (f_c, az_c) = (col("freq_mhz"), col("azimuth_deg"));
        let mut t = CellTable {
            site_of_id: BTreeMap::new(),
            cells: Vec::new(),
        };
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::input(path, e.to_string()))?;
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let line = rec.position().map_or(0, |p| p.line() as usize);
            let get = |c: Option<usize>| c.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
            let bad = |c: &str, v: &str, want: &str| {
                Error::record(
                    path,
                    "row",
                    line,
                    format!(
                        "column '{c}': {} (expected {want})",
                        crate::io::shown_value(v)
                    ),
                )
            };
            let next = t.site_of_id.len();
            let site = *t.site_of_id.entry(get(id_c).to_string()).or_insert(next);
            let num = |c: Option<usize>| get(c).parse::<f64>().unwrap_or(f64::NAN);
            let (f, az) = (num(f_c), num(az_c));
            let sector = sites
                .get(site)
                .and_then(|s| {
                    s.sectors
                        .iter()
                        .position(|q| q.freq_mhz == f && q.azimuth_deg == az)
                })
                .ok_or_else(|| bad("site_id", get(id_c), "a sector read from this file"))?;
            let pci = match get(pci_c) {
                "" => None,
                v => Some(
                    v.parse::<u16>()
                        .ok()
                        .filter(|p| *p < 504)
                        .ok_or_else(|| bad("pci", v, "a physical cell id 0–503"))?,
                ),
            };
            let earfcn = match get(earfcn_c) {
                "" => earfcn_of(f),
                v => Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|e| *e <= 262_143)
                        .ok_or_else(|| bad("earfcn", v, "an E-UTRA ARFCN 0–262143"))?,
                ),
            };
            t.cells.push(Cell {
                site,
                sector,
                pci,
                earfcn,
            });
        }
        Ok(t)
    }

    /// The cells with this pci and earfcn.
    pub fn matching(&self, pci: u16, earfcn: u32) -> Vec<&Cell> {
        self.cells
            .iter()
            .filter(|c| c.pci == Some(pci) && c.earfcn == Some(earfcn))
            .collect()
    }

    /// The cell of (site, sector), if listed.
    pub fn cell(&self, site: usize, sector: usize) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.site == site && c.sector == sector)
    }

    /// The text `site_id` of a site index.
    pub fn id_of(&self, site: usize) -> Option<&str> {
        self.site_of_id
            .iter()
            .find(|(_, &i)| i == site)
            .map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earfcn_follows_ts_36_101() {
        // Band 3 1815 MHz (a common Vietnamese LTE carrier): 1200 + 100 = 1300.
        assert_eq!(earfcn_of(1815.0), Some(1300));
        // Band 1 2110 MHz → 0; band 8 942.5 MHz → 3450 + 175 = 3625.
        assert_eq!(earfcn_of(2110.0), Some(0));
        assert_eq!(earfcn_of(942.5), Some(3625));
        // Off the 100 kHz raster, or outside every band: none.
        assert_eq!(earfcn_of(1815.05), None);
        assert_eq!(earfcn_of(1800.0), None);
    }
}
