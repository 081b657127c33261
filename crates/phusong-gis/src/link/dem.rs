//! The terrain under one link: the window of any GDAL raster (any CRS) around the path, warped by
//! GDAL onto a north-up grid of the link's projected CRS at about the raster's own resolution.

use crate::crs::srs_from_epsg;
use crate::error::{Context, Error, Result};
use crate::io::raster_in::{read_raster_to_grid, Resample};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::GeoTransformEx;
use phusong_engine::grid::{GridSpec, Raster};
use std::path::Path;

/// Finest and coarsest grid used for a link, m.
const MIN_CELL_M: f64 = 1.0;
const MAX_CELL_M: f64 = 1000.0;
/// Most cells warped for one link (the bounding box of a long diagonal path is large).
const MAX_CELLS: f64 = 16e6;
/// Cells of margin around the path's bounding box, so bilinear sampling at the ends has neighbours.
const MARGIN_CELLS: f64 = 3.0;

/// Heights around a path, NaN where the source has voids or no coverage.
#[derive(Clone, Debug)]
pub struct PathDem {
    pub height_m: Raster<f32>,
}

/// Transforms one point, naming `what` in the error.
fn transform(t: &CoordTransform, x: f64, y: f64, what: &str) -> Result<(f64, f64)> {
    let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
    t.transform_coords(&mut xs, &mut ys, &mut zs)
        .ctx(|| format!("transforming {what} ({x}, {y})"))?;
    Ok((xs[0], ys[0]))
}

/// The DEM's extent in WGS84 as "lon a–b, lat c–d" (from its four corners), for error messages.
fn extent_text(to_wgs: &CoordTransform, gt: &[f64; 6], w: usize, h: usize) -> String {
    let corners = [
        (0.0, 0.0),
        (w as f64, 0.0),
        (0.0, h as f64),
        (w as f64, h as f64),
    ];
    let mut lon = (f64::INFINITY, f64::NEG_INFINITY);
    let mut lat = lon;
    for (c, r) in corners {
        let (x, y) = gt.apply(c, r);
        if let Ok((a, b)) = transform(to_wgs, x, y, "DEM corner") {
            (lon.0, lon.1) = (lon.0.min(a), lon.1.max(a));
            (lat.0, lat.1) = (lat.0.min(b), lat.1.max(b));
        }
    }
    format!(
        "lon {:.4}–{:.4}, lat {:.4}–{:.4}",
        lon.0, lon.1, lat.0, lat.1
    )
}

/// Reads the part of the raster `dem` around the path between `ends` (WGS84 lon, lat), on a grid of
/// EPSG:`epsg` whose cell is the DEM's pixel size measured at the path's middle (1–1000 m, coarser
/// if the window would exceed 16 million cells). `ends_xy` are the same ends in EPSG:`epsg`.
///
/// Errors name the file: unreadable, no CRS, or an end outside the raster's extent.
pub fn read_path_dem(
    dem: &Path,
    epsg: u32,
    ends: [(&str, f64, f64); 2],
    ends_xy: [(f64, f64); 2],
) -> Result<PathDem> {
    if !dem.exists() {
        return Err(Error::input(dem, "file not found"));
    }
    let ds = crate::io::open_dataset(
        dem,
        "a DEM raster GDAL reads (GeoTIFF, SRTM .hgt, ESRI .asc, …)",
    )?;
    let wkt = ds.projection();
    if wkt.trim().is_empty() {
        return Err(Error::input(
            dem,
            "raster has no coordinate reference system (add a .prj / embed the CRS)",
        ));
    }
    let mut dem_srs = SpatialRef::from_wkt(&wkt).ctx(|| format!("{}: CRS", dem.display()))?;
    dem_srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let wgs = srs_from_epsg(4326)?;
    let grid_srs = srs_from_epsg(epsg)?;
    let to_dem = CoordTransform::new(&wgs, &dem_srs).ctx(|| "WGS84 → DEM CRS".into())?;
    let to_wgs = CoordTransform::new(&dem_srs, &wgs).ctx(|| "DEM CRS → WGS84".into())?;
    let dem_to_grid =
        CoordTransform::new(&dem_srs, &grid_srs).ctx(|| format!("DEM CRS → EPSG:{epsg}"))?;
    let gt = ds
        .geo_transform()
        .ctx(|| format!("{}: geotransform", dem.display()))?;
    let inv = gt
        .invert()
        .ctx(|| format!("{}: inverting the geotransform", dem.display()))?;
    let (w, h) = ds.raster_size();

    // Both ends must fall on the raster.
    for (name, lon, lat) in ends {
        let (x, y) = transform(&to_dem, lon, lat, name)?;
        let (col, row) = inv.apply(x, y);
        if !(col >= 0.0 && row >= 0.0 && col <= w as f64 && row <= h as f64) {
            return Err(Error::input(
                dem,
                format!(
                    "{name} ({lon}, {lat}) lies outside this DEM, which covers {}",
                    extent_text(&to_wgs, &gt, w, h)
                ),
            ));
        }
    }

    // The DEM's pixel size at the middle of the path, in metres of the grid CRS.
    let (mlon, mlat) = ((ends[0].1 + ends[1].1) / 2.0, (ends[0].2 + ends[1].2) / 2.0);
    let (mx, my) = transform(&to_dem, mlon, mlat, "path middle")?;
    let (cm, rm) = inv.apply(mx, my);
    let p0 = gt.apply(cm, rm);
    let p_col = gt.apply(cm + 1.0, rm);
    let p_row = gt.apply(cm, rm + 1.0);
    let g0 = transform(&dem_to_grid, p0.0, p0.1, "DEM pixel")?;
    let gc = transform(&dem_to_grid, p_col.0, p_col.1, "DEM pixel")?;
    let gr = transform(&dem_to_grid, p_row.0, p_row.1, "DEM pixel")?;
    let pixel_m = ((gc.0 - g0.0).hypot(gc.1 - g0.1)).min((gr.0 - g0.0).hypot(gr.1 - g0.1));
    let mut cell_m = if pixel_m.is_finite() {
        pixel_m.clamp(MIN_CELL_M, MAX_CELL_M)
    } else {
        MAX_CELL_M
    };

    let [(ax, ay), (bx, by)] = ends_xy;
    let (w_m, h_m) = ((ax - bx).abs(), (ay - by).abs());
    let cells =
        |c: f64| (w_m / c + 2.0 * MARGIN_CELLS + 1.0) * (h_m / c + 2.0 * MARGIN_CELLS + 1.0);
    while cells(cell_m) > MAX_CELLS {
        cell_m *= 1.25;
    }
    let margin = MARGIN_CELLS * cell_m;
    let grid = GridSpec::covering(
        epsg,
        ax.min(bx) - margin,
        ay.min(by) - margin,
        ax.max(bx) + margin,
        ay.max(by) + margin,
        cell_m,
    );
    let height_m = read_raster_to_grid(dem, &grid, Resample::Bilinear)?;
    Ok(PathDem { height_m })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use gdal::raster::Buffer;
    use gdal::DriverManager;

    /// A WGS84 GeoTIFF, 0.001° pixels over lon 105.0–105.2, lat 18.8–19.0, height 10 m per
    /// 0.001° of longitude east of 105°.
    fn wgs84_tiff(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("ramp.tif");
        let drv = DriverManager::get_driver_by_name("GTiff").unwrap();
        let (w, h) = (200usize, 200usize);
        let mut ds = drv.create_with_band_type::<f32, _>(&path, w, h, 1).unwrap();
        ds.set_geo_transform(&[105.0, 0.001, 0.0, 19.0, 0.0, -0.001])
            .unwrap();
        ds.set_spatial_ref(&srs_from_epsg(4326).unwrap()).unwrap();
        let data: Vec<f32> = (0..w * h).map(|i| ((i % w) as f32 + 0.5) * 10.0).collect();
        ds.rasterband(1)
            .unwrap()
            .write((0, 0), (w, h), &mut Buffer::new((w, h), data))
            .unwrap();
        path
    }

    #[test]
    fn window_is_at_native_resolution_and_reproduces_the_ramp() {
        let dir = tempfile::tempdir().unwrap();
        let path = wgs84_tiff(dir.path());
        let p = Projector::new(32648).unwrap();
        let a = p.project(105.05, 18.9).unwrap();
        let b = p.project(105.15, 18.95).unwrap();
        let d = read_path_dem(
            &path,
            32648,
            [("--from", 105.05, 18.9), ("--to", 105.15, 18.95)],
            [a, b],
        )
        .unwrap();
        let g = &d.height_m.spec;
        // 0.001° of longitude at 18.9°N is 111.32 km·cos(18.9°)/1000 ≈ 105.3 m; of latitude 110.7 m.
        // The grid cell is the smaller, within UTM's scale factor.
        assert!((g.cell_m - 105.3).abs() < 1.0, "{}", g.cell_m);
        assert!(g.cell_of(a.0, a.1).is_some() && g.cell_of(b.0, b.1).is_some());
        // Height at a point = 10 m per 0.001° east of 105°: 105.10° → 1000 m.
        let (x, y) = p.project(105.1, 18.92).unwrap();
        let v = d.height_m.bilinear(x, y) as f64;
        assert!((v - 1000.0).abs() < 10.0, "{v}");
    }

    #[test]
    fn end_outside_is_a_named_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = wgs84_tiff(dir.path());
        let p = Projector::new(32648).unwrap();
        let a = p.project(105.05, 18.9).unwrap();
        let b = p.project(105.5, 18.9).unwrap();
        let e = read_path_dem(
            &path,
            32648,
            [("--from", 105.05, 18.9), ("--to", 105.5, 18.9)],
            [a, b],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("ramp.tif")
                && e.contains("--to (105.5, 18.9) lies outside")
                && e.contains("lon 105.0000–105.2000"),
            "{e}"
        );
        let e = read_path_dem(
            Path::new("/nonexistent/dem.tif"),
            32648,
            [("--from", 105.05, 18.9), ("--to", 105.1, 18.9)],
            [a, b],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not found"), "{e}");
    }
}
