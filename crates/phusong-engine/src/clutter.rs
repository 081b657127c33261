//! Land cover (clutter): the study's class table, the class raster on the DEM grid, and the one
//! rule deciding how each model family uses it.
//!
//! Every class has a code (the raster's value), a representative height (ITU-R P.1812-6 §3.2,
//! Table 2: water/sea and open/rural 0 m, suburban 10 m, urban/trees/forest 15 m, dense urban
//! 20 m), its P.1812 category, whether ITU-R P.2108-1 §3.1's terminal correction applies and with
//! which of its clutter types, and an extra loss for the empirical models.
//!
//! Clutter is never counted twice ([`ClutterUse`]): P.1812 gets the heights along the profile and
//! nothing at the receiver; ITM and 3GPP get the P.2108 terminal loss at the receiver cell; the
//! Hata family gets the class's extra loss there (relative to the model's own `environment`
//! correction, which stays the study-wide baseline).

use crate::grid::Raster;
use crate::propagation::models::{LinkSpec, Model};
use crate::propagation::p1812::ClutterCategory;
use crate::propagation::p2108::{self, P2108Clutter};
use serde::{Deserialize, Serialize};

/// A class table or clutter raster the engine cannot use; the message names the source, the
/// row or parameter, and what was expected.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct ClutterError {
    pub source_name: String,
    pub message: String,
}

impl ClutterError {
    fn new(source_name: &str, message: impl Into<String>) -> Self {
        ClutterError {
            source_name: source_name.to_string(),
            message: message.into(),
        }
    }
}

/// One land-cover class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClutterClass {
    /// Raster value, 1–255 (0 is no data: no clutter).
    pub code: u8,
    pub name: String,
    /// Representative clutter height R, m (P.1812 §3.2; P.2108's R).
    pub height_m: f64,
    /// P.1812 clutter category (Table 2), for reporting and defaults.
    pub p1812: ClutterCategory,
    /// P.2108 §3.1 clutter type when its terminal loss applies (ITM, 3GPP); `None`: no loss.
    pub p2108: Option<P2108Clutter>,
    /// Loss added at a receiver in this class by the Hata family, dB.
    pub extra_loss_db: f64,
}

/// The study's classes (unique codes) and P.2108's street width.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClutterTable {
    pub classes: Vec<ClutterClass>,
    /// Street width w_s of P.2108 §3.1, m (Table 3 default 27 m).
    pub street_width_m: f64,
}

/// Codes of the default table (also those of the synthesised raster).
pub mod codes {
    pub const WATER: u8 = 1;
    pub const OPEN: u8 = 2;
    pub const SUBURBAN: u8 = 3;
    pub const URBAN: u8 = 4;
    pub const FOREST: u8 = 5;
    pub const DENSE_URBAN: u8 = 6;
}

impl Default for ClutterTable {
    /// Water, open/rural, suburban, urban, forest, dense urban: heights from P.1812 Table 2, P.2108
    /// on the built-up and forest classes (water and open land have R = 0: no terminal loss), and
    /// no offsets for the Hata family: its environment class already stands for the average
    /// clutter, and per-class offsets are what `phusong calibrate` fits from measurements (a
    /// table with them replaces this one).
    fn default() -> Self {
        use ClutterCategory as C;
        use P2108Clutter as P;
        let c = |code, name: &str, height_m, p1812, p2108, extra_loss_db| ClutterClass {
            code,
            name: name.into(),
            height_m,
            p1812,
            p2108,
            extra_loss_db,
        };
        ClutterTable {
            classes: vec![
                c(codes::WATER, "water", 0.0, C::WaterSea, None, 0.0),
                c(codes::OPEN, "open/rural", 0.0, C::OpenRural, None, 0.0),
                c(
                    codes::SUBURBAN,
                    "suburban",
                    10.0,
                    C::Suburban,
                    Some(P::Suburban),
                    0.0,
                ),
                c(
                    codes::URBAN,
                    "urban",
                    15.0,
                    C::UrbanTreesForest,
                    Some(P::Urban),
                    0.0,
                ),
                c(
                    codes::FOREST,
                    "forest",
                    15.0,
                    C::UrbanTreesForest,
                    Some(P::TreesForest),
                    0.0,
                ),
                c(
                    codes::DENSE_URBAN,
                    "dense urban",
                    20.0,
                    C::DenseUrban,
                    Some(P::DenseUrban),
                    0.0,
                ),
            ],
            street_width_m: p2108::DEFAULT_STREET_WIDTH_M,
        }
    }
}

/// P.1812 category names in class tables.
fn category_name(c: ClutterCategory) -> &'static str {
    match c {
        ClutterCategory::WaterSea => "water-sea",
        ClutterCategory::OpenRural => "open-rural",
        ClutterCategory::Suburban => "suburban",
        ClutterCategory::UrbanTreesForest => "urban-trees-forest",
        ClutterCategory::DenseUrban => "dense-urban",
    }
}

const CATEGORIES: [ClutterCategory; 5] = [
    ClutterCategory::WaterSea,
    ClutterCategory::OpenRural,
    ClutterCategory::Suburban,
    ClutterCategory::UrbanTreesForest,
    ClutterCategory::DenseUrban,
];

/// The columns of a CSV class table, in order.
pub const CSV_HEADER: &str = "code,name,height_m,p1812,p2108,extra_loss_db";

impl ClutterTable {
    /// The class of `code`, if any.
    pub fn class(&self, code: u8) -> Option<&ClutterClass> {
        self.classes.iter().find(|c| c.code == code)
    }

    /// Checks every class: codes 1–255 and unique, names non-empty and unique, heights 0–100 m,
    /// extra loss −30–60 dB, R > 0 where P.2108 applies, street width 1–200 m.
    pub fn validate(&self, source_name: &str) -> Result<(), ClutterError> {
        let err = |m: String| Err(ClutterError::new(source_name, m));
        if self.classes.is_empty() {
            return err("no class: expected at least one row".into());
        }
        let w = self.street_width_m;
        if !(w.is_finite() && (1.0..=200.0).contains(&w)) {
            return err(format!("street_width_m = {w}: expected 1–200 m"));
        }
        for (i, c) in self.classes.iter().enumerate() {
            let at = format!("class {} ({:?})", c.code, c.name);
            if c.code == 0 {
                return err(format!("{at}: code 0 is no data: expected a code of 1–255"));
            }
            if c.name.trim().is_empty() {
                return err(format!("{at}: empty name: expected a class name"));
            }
            if let Some(prev) = self.classes[..i].iter().find(|p| p.code == c.code) {
                return err(format!(
                    "{at}: code {} already used by {:?}: expected unique codes",
                    c.code, prev.name
                ));
            }
            if self.classes[..i].iter().any(|p| p.name == c.name) {
                return err(format!("{at}: name used twice: expected unique names"));
            }
            if !(c.height_m.is_finite() && (0.0..=100.0).contains(&c.height_m)) {
                return err(format!("{at}: height_m = {}: expected 0–100 m", c.height_m));
            }
            if !(c.extra_loss_db.is_finite() && (-30.0..=60.0).contains(&c.extra_loss_db)) {
                return err(format!(
                    "{at}: extra_loss_db = {}: expected −30–60 dB",
                    c.extra_loss_db
                ));
            }
            if c.p2108.is_some() && c.height_m <= 0.0 {
                return err(format!(
                    "{at}: height_m = {} with p2108 set: expected R > 0 m (P.2108 §3.1), or p2108 = none",
                    c.height_m
                ));
            }
        }
        Ok(())
    }

    /// Reads a CSV table with the columns [`CSV_HEADER`] (p1812: water-sea, open-rural, suburban,
    /// urban-trees-forest, dense-urban; p2108: none or one of P.2108's types), then validates it.
    /// `#` lines and blank lines are skipped. Errors name `source_name`, the line and the column.
    pub fn from_csv(text: &str, source_name: &str) -> Result<Self, ClutterError> {
        let mut rows = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let header: Vec<String> = match rows.next() {
            Some((_, h)) => h.split(',').map(|s| s.trim().to_lowercase()).collect(),
            None => {
                return Err(ClutterError::new(
                    source_name,
                    "empty file: expected the header ".to_string() + CSV_HEADER,
                ))
            }
        };
        if header != CSV_HEADER.split(',').collect::<Vec<_>>() {
            return Err(ClutterError::new(
                source_name,
                format!("header {:?}: expected {CSV_HEADER}", header.join(",")),
            ));
        }
        let mut classes = Vec::new();
        for (i, line) in rows {
            classes.push(parse_row(line, i + 1).map_err(|m| ClutterError::new(source_name, m))?);
        }
        let t = ClutterTable {
            classes,
            street_width_m: p2108::DEFAULT_STREET_WIDTH_M,
        };
        t.validate(source_name)?;
        Ok(t)
    }

    /// The table as CSV (the format [`ClutterTable::from_csv`] reads).
    pub fn to_csv(&self) -> String {
        let mut s = format!("{CSV_HEADER}\n");
        for c in &self.classes {
            s += &format!(
                "{},{},{},{},{},{}\n",
                c.code,
                c.name,
                c.height_m,
                category_name(c.p1812),
                c.p2108.map_or("none", |t| t.name()),
                c.extra_loss_db
            );
        }
        s
    }
}

/// One CSV row (line number `line`, 1-based).
fn parse_row(line: &str, line_no: usize) -> Result<ClutterClass, String> {
    let f: Vec<&str> = line.split(',').map(str::trim).collect();
    let at = |col: &str| format!("line {line_no}, column {col}");
    if f.len() != 6 {
        return Err(format!(
            "line {line_no}: {} fields: expected 6 ({CSV_HEADER})",
            f.len()
        ));
    }
    let num = |i: usize, col: &str, unit: &str| {
        f[i].parse::<f64>()
            .map_err(|_| format!("{}: {:?}: expected a number, {unit}", at(col), f[i]))
    };
    let code = f[0]
        .parse::<u8>()
        .map_err(|_| format!("{}: {:?}: expected an integer code 1–255", at("code"), f[0]))?;
    let p1812 = CATEGORIES
        .into_iter()
        .find(|c| category_name(*c) == f[3])
        .ok_or_else(|| format!("{}: {:?}: expected water-sea, open-rural, suburban, urban-trees-forest or dense-urban", at("p1812"), f[3]))?;
    let p2108 = match f[4] {
        "none" | "" => None,
        s => Some(P2108Clutter::from_name(s).ok_or_else(|| {
            format!("{}: {s:?}: expected none, water-sea, open-rural, suburban, urban, trees-forest or dense-urban", at("p2108"))
        })?),
    };
    Ok(ClutterClass {
        code,
        name: f[1].to_string(),
        height_m: num(2, "height_m", "m")?,
        p1812,
        p2108,
        extra_loss_db: num(5, "extra_loss_db", "dB")?,
    })
}

/// How a model family uses clutter: exactly one of these, never a sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClutterUse {
    /// Representative heights on the profile points (P.1812, natively); nothing at the receiver.
    ProfileHeights,
    /// ITU-R P.2108 §3.1 terminal loss at the receiver cell (ITM, 3GPP TR 38.901).
    P2108Terminal,
    /// The class's extra loss at the receiver cell (Hata, Hata + Deygout, free space + Deygout).
    ClassOffset,
}

impl ClutterUse {
    /// The mechanism of `model`.
    pub fn of(model: &Model) -> Self {
        match model {
            Model::P1812(_) => ClutterUse::ProfileHeights,
            Model::Itm(_) | Model::Rma(_) | Model::Uma(_) => ClutterUse::P2108Terminal,
            Model::Hata(_) | Model::HataDeygout(_) | Model::FsplDeygout(_) => {
                ClutterUse::ClassOffset
            }
        }
    }

    /// Loss added at a receiver standing in `class`, dB: P.2108's A_h with R = the class's height
    /// and h = the receiver's height (frequency held to P.2108's 0.03–3 GHz), the class's offset,
    /// or 0 for P.1812.
    pub fn receiver_db(self, link: &LinkSpec, class: &ClutterClass, street_width_m: f64) -> f64 {
        match self {
            ClutterUse::ProfileHeights => 0.0,
            ClutterUse::ClassOffset => class.extra_loss_db,
            ClutterUse::P2108Terminal => class.p2108.map_or(0.0, |kind| {
                let f_ghz = (link.freq_mhz / 1000.0).clamp(0.03, 3.0);
                p2108::terminal_loss_db(
                    f_ghz,
                    link.rx_height_m,
                    class.height_m,
                    street_width_m,
                    kind,
                )
            }),
        }
    }
}

/// A class raster on the study grid with its table.
#[derive(Clone, Debug)]
pub struct ClutterMap {
    /// Class codes per cell (0 = no data), on the DEM's grid.
    pub classes: Raster<u8>,
    pub table: ClutterTable,
    /// Index into `table.classes` per code.
    slot: Vec<Option<usize>>,
}

impl ClutterMap {
    /// Checks the table and that every non-zero code of the raster is in it.
    pub fn new(
        classes: Raster<u8>,
        table: ClutterTable,
        source_name: &str,
    ) -> Result<Self, ClutterError> {
        table.validate(source_name)?;
        let mut slot = vec![None; 256];
        for (i, c) in table.classes.iter().enumerate() {
            slot[c.code as usize] = Some(i);
        }
        let mut unknown = [0usize; 256];
        for &v in &classes.data {
            if v != 0 && slot[v as usize].is_none() {
                unknown[v as usize] += 1;
            }
        }
        if let Some(code) = (0..256).find(|&c| unknown[c] > 0) {
            return Err(ClutterError::new(
                source_name,
                format!(
                    "class code {code} on {} cells is not in the class table (codes {}): expected a table row for every code",
                    unknown[code],
                    table.classes.iter().map(|c| c.code.to_string()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(ClutterMap {
            classes,
            table,
            slot,
        })
    }

    /// The class of grid cell (ix, iy), `None` for no data.
    #[inline]
    pub fn class_at_cell(&self, ix: usize, iy: usize) -> Option<&ClutterClass> {
        self.slot[self.classes.get(ix, iy) as usize].map(|i| &self.table.classes[i])
    }

    /// The class of the cell holding (x, y) (nearest neighbour), `None` outside or no data.
    #[inline]
    pub fn class_at(&self, x: f64, y: f64) -> Option<&ClutterClass> {
        let (ix, iy) = self.classes.spec.cell_of(x, y)?;
        self.class_at_cell(ix, iy)
    }

    /// Share of the cells in each class of the table (table order), and of no-data cells last.
    pub fn shares(&self) -> Vec<(String, f64)> {
        let mut count = vec![0usize; self.table.classes.len() + 1];
        for &v in &self.classes.data {
            count[self.slot[v as usize].unwrap_or(self.table.classes.len())] += 1;
        }
        let n = self.classes.data.len().max(1) as f64;
        let mut out: Vec<(String, f64)> = self
            .table
            .classes
            .iter()
            .zip(&count)
            .map(|(c, &k)| (c.name.clone(), k as f64 / n))
            .collect();
        out.push(("no data".into(), count[self.table.classes.len()] as f64 / n));
        out
    }
}

#[cfg(test)]
mod tests;
