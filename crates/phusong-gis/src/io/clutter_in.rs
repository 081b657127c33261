//! Land cover in and out: any GDAL raster of class codes warped onto the study grid by nearest
//! neighbour, and the class table from CSV (`code,name,height_m,p1812,p2108,extra_loss_db`) or
//! TOML (`street_width_m` and `[[classes]]` with the same keys).

use crate::error::{Error, Result};
use crate::io::raster_in::{read_raster_to_grid, Resample};
use phusong_engine::clutter::{ClutterMap, ClutterTable};
use phusong_engine::grid::{GridSpec, Raster};
use std::path::Path;

/// Reads band 1 of the raster at `path` onto `grid` by nearest neighbour as class codes:
/// no data and cells outside the file become 0 (no clutter); other values must be integers
/// 0–255.
pub fn read_clutter_raster(path: &Path, grid: &GridSpec) -> Result<Raster<u8>> {
    let r = read_raster_to_grid(path, grid, Resample::Nearest)?;
    let mut data = Vec::with_capacity(r.data.len());
    for (i, &v) in r.data.iter().enumerate() {
        if v.is_nan() {
            data.push(0);
            continue;
        }
        if !(0.0..=255.0).contains(&v) || v.fract() != 0.0 {
            let (ix, iy) = (i % grid.nx, i / grid.nx);
            return Err(Error::input(
                path,
                format!(
                    "value {v} at study cell ({ix}, {iy}): expected an integer class code 0–255 (0 = no data)"
                ),
            ));
        }
        data.push(v as u8);
    }
    Ok(Raster {
        spec: grid.clone(),
        data,
        nodata: Some(0),
    })
}

/// Reads a class table: TOML for `.toml`, CSV otherwise; validated.
pub fn read_class_table(path: &Path) -> Result<ClutterTable> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(path, format!("cannot read the clutter class table ({e})")))?;
    let name = path.display().to_string();
    let is_toml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let table = if is_toml {
        let t: ClutterTable = toml::from_str(&text).map_err(|e| {
            Error::input(
                path,
                format!("{e}: expected street_width_m (m) and [[classes]] with code, name, height_m (m), p1812, p2108 (optional) and extra_loss_db (dB)"),
            )
        })?;
        t.validate(&name)
            .map_err(|e| Error::input(path, e.message))?;
        t
    } else {
        ClutterTable::from_csv(&text, &name).map_err(|e| Error::input(path, e.message))?
    };
    Ok(table)
}

/// A class raster and its table as the engine's clutter map; codes missing from the table are
/// an error naming `source`.
pub fn clutter_map(classes: Raster<u8>, table: ClutterTable, source: &Path) -> Result<ClutterMap> {
    ClutterMap::new(classes, table, &source.display().to_string())
        .map_err(|e| Error::input(source, e.message))
}

/// "water 3.1 %, open/rural 40.2 %, …": the class shares of a map, for logs and summaries.
pub fn shares_text(map: &ClutterMap) -> String {
    map.shares()
        .iter()
        .filter(|(n, s)| n != "no data" || *s > 0.0)
        .map(|(n, s)| format!("{n} {:.1} %", 100.0 * s))
        .collect::<Vec<_>>()
        .join(", ")
}
