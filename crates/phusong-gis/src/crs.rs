//! Coordinate reference systems: transforms between WGS84 and the study's projected CRS, via GDAL/PROJ.

use crate::error::{Context, Result};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

/// Default study CRS: WGS 84 / UTM zone 48N.
pub const DEFAULT_EPSG: u32 = 32648;

/// A spatial reference with traditional GIS axis order (x = easting/longitude, y = northing/latitude).
pub fn srs_from_epsg(epsg: u32) -> Result<SpatialRef> {
    let mut srs = SpatialRef::from_epsg(epsg).ctx(|| format!("EPSG:{epsg}"))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    Ok(srs)
}

/// Transforms points between WGS84 (lon, lat) and a projected CRS.
pub struct Projector {
    epsg: u32,
    to_proj: CoordTransform,
    to_wgs: CoordTransform,
}

impl Projector {
    pub fn new(epsg: u32) -> Result<Self> {
        let wgs = srs_from_epsg(4326)?;
        let proj = srs_from_epsg(epsg)?;
        Ok(Projector {
            epsg,
            to_proj: CoordTransform::new(&wgs, &proj).ctx(|| format!("WGS84 → EPSG:{epsg}"))?,
            to_wgs: CoordTransform::new(&proj, &wgs).ctx(|| format!("EPSG:{epsg} → WGS84"))?,
        })
    }
    pub fn epsg(&self) -> u32 {
        self.epsg
    }
    /// (lon, lat) degrees → (x, y) metres.
    pub fn project(&self, lon: f64, lat: f64) -> Result<(f64, f64)> {
        let (mut x, mut y, mut z) = ([lon], [lat], [0.0]);
        self.to_proj
            .transform_coords(&mut x, &mut y, &mut z)
            .ctx(|| format!("projecting ({lon}, {lat}) to EPSG:{}", self.epsg))?;
        Ok((x[0], y[0]))
    }
    /// (x, y) metres → (lon, lat) degrees.
    pub fn unproject(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        let (mut xs, mut ys, mut z) = ([x], [y], [0.0]);
        self.to_wgs
            .transform_coords(&mut xs, &mut ys, &mut z)
            .ctx(|| format!("unprojecting ({x}, {y}) from EPSG:{}", self.epsg))?;
        Ok((xs[0], ys[0]))
    }
    /// Many points at once, in place: (x, y) metres → (lon, lat).
    pub fn unproject_many(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<()> {
        let mut z = vec![0.0; xs.len()];
        self.to_wgs
            .transform_coords(xs, ys, &mut z)
            .ctx(|| "unprojecting points".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vinh_round_trips_through_utm48n() {
        let p = Projector::new(DEFAULT_EPSG).unwrap();
        // Vinh ≈ 105.68°E 18.67°N: central meridian of zone 48 is 105°E, so easting > 500 km.
        let (x, y) = p.project(105.68, 18.67).unwrap();
        assert!(x > 560_000.0 && x < 580_000.0, "{x}");
        assert!(y > 2_060_000.0 && y < 2_070_000.0, "{y}");
        let (lon, lat) = p.unproject(x, y).unwrap();
        assert!((lon - 105.68).abs() < 1e-9 && (lat - 18.67).abs() < 1e-9);
    }
}
