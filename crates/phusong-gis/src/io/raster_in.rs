//! Reading any GDAL raster (GeoTIFF, SRTM .hgt, ESRI ASCII grid, …) in any CRS onto the study grid,
//! through GDAL's warper, so a user can swap in their own DEM or mask without reprojecting it first.

use crate::crs::srs_from_epsg;
use crate::error::{Context, Error, Result};
use gdal::{DriverManager, GeoTransform};
use phusong_engine::grid::{GridSpec, Raster};
use std::ffi::{CStr, CString};
use std::path::Path;

/// Resampling kernel used when warping a source raster onto the study grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resample {
    Nearest,
    Bilinear,
    Cubic,
    CubicSpline,
    /// Mean of all contributing source pixels (for downsampling, e.g. a fine land mask to land fraction).
    Average,
}

impl Resample {
    fn gdal(self) -> gdal_sys::GDALResampleAlg::Type {
        use gdal_sys::GDALResampleAlg as A;
        match self {
            Resample::Nearest => A::GRA_NearestNeighbour,
            Resample::Bilinear => A::GRA_Bilinear,
            Resample::Cubic => A::GRA_Cubic,
            Resample::CubicSpline => A::GRA_CubicSpline,
            Resample::Average => A::GRA_Average,
        }
    }
}

/// Native cell size of the raster at `path` in metres, the larger of its two sides (degrees of a
/// geographic CRS converted at the raster's central latitude, 111.32 km per degree of longitude
/// at the equator, 110.57 km per degree of latitude).
pub fn native_cell_m(path: &Path) -> Result<f64> {
    let src = crate::io::open_dataset(path, "a raster GDAL reads")?;
    let gt = src
        .geo_transform()
        .ctx(|| format!("{}: reading geotransform", path.display()))?;
    let srs = src
        .spatial_ref()
        .ctx(|| format!("{}: reading CRS", path.display()))?;
    let (dx, dy) = (gt[1].abs(), gt[5].abs());
    if srs.is_geographic() {
        let lat = gt[3] + gt[5] * src.raster_size().1 as f64 / 2.0;
        let kx = 111_320.0 * lat.to_radians().cos();
        Ok((dx * kx).max(dy * 110_574.0))
    } else {
        Ok(dx.max(dy) * srs.linear_units())
    }
}

/// Reads band 1 of the raster at `path` and warps it onto `grid` (CRS `EPSG:grid.epsg`).
///
/// Source nodata and voids become NaN; cells outside the source's footprint are NaN. A source without a
/// CRS is an error naming the file (warping it would silently misplace it).
pub fn read_raster_to_grid(
    path: &Path,
    grid: &GridSpec,
    resample: Resample,
) -> Result<Raster<f32>> {
    let src = crate::io::open_dataset(
        path,
        "a raster GDAL reads (GeoTIFF, SRTM .hgt, ESRI .asc, …) with a CRS",
    )?;
    if src.raster_count() < 1 {
        return Err(Error::input(path, "has no raster band"));
    }
    let src_wkt = src.projection();
    if src_wkt.trim().is_empty() {
        return Err(Error::input(
            path,
            "raster has no coordinate reference system (add a .prj / embed the CRS, e.g. with gdal_edit.py -a_srs)",
        ));
    }
    if grid.is_empty() {
        return Err(Error::Config(
            "read_raster_to_grid: empty target grid".into(),
        ));
    }
    let dst_wkt = srs_from_epsg(grid.epsg)?
        .to_wkt()
        .ctx(|| format!("EPSG:{} to WKT", grid.epsg))?;

    let mem = DriverManager::get_driver_by_name("MEM").ctx(|| "GDAL MEM driver".into())?;
    let mut dst = mem
        .create_with_band_type::<f32, _>("", grid.nx, grid.ny, 1)
        .ctx(|| "creating in-memory target raster".into())?;
    let gt: GeoTransform = grid.geo_transform();
    dst.set_geo_transform(&gt)
        .ctx(|| "setting target geotransform".into())?;
    dst.set_projection(&dst_wkt)
        .ctx(|| "setting target CRS".into())?;
    {
        let mut band = dst.rasterband(1).ctx(|| "target band".into())?;
        band.set_no_data_value(Some(f64::NAN))
            .ctx(|| "target nodata".into())?;
        // Cells the warper never writes (outside the source) keep this value.
        band.fill(f64::NAN, None)
            .ctx(|| "initialising target".into())?;
    }

    let c_src =
        CString::new(src_wkt).map_err(|_| Error::input(path, "CRS text contains a NUL byte"))?;
    let c_dst = CString::new(dst_wkt)
        .map_err(|_| Error::Other("target CRS text contains a NUL byte".into()))?;
    // SAFETY: both datasets are alive for the call; the WKT strings outlive it; GDALReprojectImage
    // reads the source band's nodata value and honours the target's (NaN) itself.
    let rv = unsafe {
        gdal_sys::CPLErrorReset();
        gdal_sys::GDALReprojectImage(
            src.c_dataset(),
            c_src.as_ptr(),
            dst.c_dataset(),
            c_dst.as_ptr(),
            resample.gdal(),
            0.0,
            0.125, // max error in pixels for the approximate transformer (gdalwarp's default)
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if rv != gdal_sys::CPLErr::CE_None {
        // SAFETY: CPLGetLastErrorMsg returns a valid NUL-terminated string owned by GDAL.
        let msg = unsafe { CStr::from_ptr(gdal_sys::CPLGetLastErrorMsg()) }
            .to_string_lossy()
            .into_owned();
        return Err(Error::input(
            path,
            format!("warping onto EPSG:{} grid failed: {msg}", grid.epsg),
        ));
    }

    let band = dst.rasterband(1).ctx(|| "target band".into())?;
    let buf = band
        .read_as::<f32>((0, 0), (grid.nx, grid.ny), (grid.nx, grid.ny), None)
        .ctx(|| format!("{}: reading warped raster", path.display()))?;
    let (_, data) = buf.into_shape_and_vec();
    Ok(Raster {
        spec: grid.clone(),
        data,
        nodata: Some(f32::NAN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use gdal::raster::Buffer;

    /// Writes a 4326 GeoTIFF with value = 1000·lon + lat·10 (a plane in lon/lat), 0.01° pixels
    /// over lon 105.0–105.5, lat 18.5–19.0; pixel (5,5) is nodata (-9999).
    fn make_tiff(dir: &Path, with_crs: bool) -> std::path::PathBuf {
        let path = dir.join(if with_crs { "plane.tif" } else { "nocrs.tif" });
        let drv = DriverManager::get_driver_by_name("GTiff").unwrap();
        let (w, h) = (50usize, 50usize);
        let mut ds = drv.create_with_band_type::<f32, _>(&path, w, h, 1).unwrap();
        ds.set_geo_transform(&[105.0, 0.01, 0.0, 19.0, 0.0, -0.01])
            .unwrap();
        if with_crs {
            ds.set_spatial_ref(&srs_from_epsg(4326).unwrap()).unwrap();
        }
        let mut data = vec![0f32; w * h];
        for r in 0..h {
            for c in 0..w {
                let lon = 105.0 + (c as f64 + 0.5) * 0.01;
                let lat = 19.0 - (r as f64 + 0.5) * 0.01;
                data[r * w + c] = (1000.0 * (lon - 105.0) + 10.0 * (lat - 18.0)) as f32;
            }
        }
        for r in 20..30 {
            for c in 20..30 {
                data[r * w + c] = -9999.0;
            }
        }
        let mut band = ds.rasterband(1).unwrap();
        band.set_no_data_value(Some(-9999.0)).unwrap();
        band.write((0, 0), (w, h), &mut Buffer::new((w, h), data))
            .unwrap();
        path
    }

    fn utm_grid() -> GridSpec {
        let p = Projector::new(32648).unwrap();
        let (x0, y0) = p.project(104.95, 18.45).unwrap();
        let (x1, y1) = p.project(105.55, 19.05).unwrap();
        GridSpec::covering(32648, x0, y0, x1, y1, 500.0)
    }

    #[test]
    fn warps_wgs84_plane_onto_utm_grid() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_tiff(dir.path(), true);
        let g = utm_grid();
        let r = read_raster_to_grid(&path, &g, Resample::Bilinear).unwrap();
        let p = Projector::new(32648).unwrap();
        // Known points: the bilinear warp of a plane reproduces the plane (within the 0.01° pixel
        // discretisation of the lon term: 1000 per degree → ≤ ~1 unit near cell edges).
        for &(lon, lat) in &[
            (105.1, 18.6),
            (105.4, 18.9),
            (105.05, 18.95),
            (105.33, 18.55),
        ] {
            let (x, y) = p.project(lon, lat).unwrap();
            let v = r.at(x, y).unwrap();
            let want = 1000.0 * (lon - 105.0) + 10.0 * (lat - 18.0);
            assert!(
                (v as f64 - want).abs() < 3.0,
                "({lon},{lat}) got {v} want {want}"
            );
        }
        // Outside the source footprint → NaN.
        let (x, y) = p.project(104.97, 18.7).unwrap();
        assert!(r.at(x, y).unwrap().is_nan());
        let (x, y) = p.project(105.2, 19.03).unwrap();
        assert!(r.at(x, y).unwrap().is_nan());
        // Source nodata block (lon 105.2–105.3, lat 18.7–18.8) → NaN at its centre.
        let (x, y) = p.project(105.25, 18.75).unwrap();
        assert!(r.at(x, y).unwrap().is_nan());
        // No stray -9999 anywhere.
        assert!(r
            .data
            .iter()
            .all(|v| v.is_nan() || (*v > -1.0 && *v < 600.0)));
    }

    #[test]
    fn nearest_and_average_also_work() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_tiff(dir.path(), true);
        let g = utm_grid();
        let p = Projector::new(32648).unwrap();
        let (x, y) = p.project(105.1, 18.6).unwrap();
        for rs in [
            Resample::Nearest,
            Resample::Average,
            Resample::Cubic,
            Resample::CubicSpline,
        ] {
            let r = read_raster_to_grid(&path, &g, rs).unwrap();
            let v = r.at(x, y).unwrap() as f64;
            assert!((v - 106.0).abs() < 8.0, "{rs:?}: {v}");
        }
    }

    #[test]
    fn missing_crs_is_a_named_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = make_tiff(dir.path(), false);
        let err = read_raster_to_grid(&path, &utm_grid(), Resample::Nearest)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("nocrs.tif") && err.contains("coordinate reference system"),
            "{err}"
        );
    }

    #[test]
    fn nonexistent_file_is_a_named_error() {
        let err = read_raster_to_grid(
            Path::new("/nonexistent/dem.tif"),
            &utm_grid(),
            Resample::Nearest,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("/nonexistent/dem.tif") && err.contains("not found"),
            "{err}"
        );
    }

    #[test]
    fn reads_bundled_p1511_ascii_grid() {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("data/nghe-an/dem/p1511_topo_5arcmin.asc");
        let p = Projector::new(32648).unwrap();
        let (x0, y0) = p.project(105.5, 18.6).unwrap();
        let g = GridSpec::covering(32648, x0, y0, x0 + 20_000.0, y0 + 20_000.0, 1000.0);
        let r = read_raster_to_grid(&path, &g, Resample::Bilinear).unwrap();
        // The lowland around Vinh is below ~200 m in P.1511 and never NaN inside its footprint.
        assert!(r
            .data
            .iter()
            .all(|v| v.is_finite() && *v > -5.0 && *v < 400.0));
    }
}
