//! Cloud-optimised GeoTIFF output for [`Raster`]s.
//!
//! The raster is assembled in GDAL's in-memory (MEM) driver with its geotransform, CRS, nodata and
//! band description, then copied with the COG driver (GDAL ≥ 3.1; see <https://gdal.org/drivers/raster/cog.html>):
//! DEFLATE compression, 512-pixel tiles, automatic overviews. The file is written atomically.

use crate::crs::srs_from_epsg;
use crate::error::{Context, Error, Result};
use crate::io::atomic::write_atomic;
use gdal::cpl::CslStringList;
use gdal::raster::{Buffer, GdalType};
use gdal::{DriverManager, GeoTransform, Metadata};
use phusong_engine::grid::Raster;
use std::path::Path;

/// Writes `r` as a single-band cloud-optimised GeoTIFF at `path`, the band described as `band_name`.
///
/// Overviews use NEAREST resampling for integer types (ids, classes and counts must stay exact
/// values) and AVERAGE for floating-point types. `T: Into<f64>` is needed to pass the nodata value to
/// GDAL; it covers u8, u16, i16, i32, u32 and f32/f64.
pub fn write_cog<T: GdalType + Copy + Into<f64>>(
    path: &Path,
    r: &Raster<T>,
    band_name: &str,
) -> Result<()> {
    let (nx, ny) = (r.spec.nx, r.spec.ny);
    if nx == 0 || ny == 0 || r.data.len() != nx * ny {
        return Err(Error::Other(format!(
            "{}: raster has {} values for a {nx}×{ny} grid",
            path.display(),
            r.data.len()
        )));
    }
    let ctx = |what: &str| format!("{}: {what}", path.display());

    let mem = DriverManager::get_driver_by_name("MEM").ctx(|| ctx("MEM driver"))?;
    let mut ds = mem
        .create_with_band_type::<T, _>("", nx, ny, 1)
        .ctx(|| ctx("creating in-memory raster"))?;
    let gt: GeoTransform = r.spec.geo_transform();
    ds.set_geo_transform(&gt)
        .ctx(|| ctx("setting geotransform"))?;
    let srs = srs_from_epsg(r.spec.epsg)?;
    ds.set_spatial_ref(&srs).ctx(|| ctx("setting CRS"))?;
    {
        let mut band = ds.rasterband(1).ctx(|| ctx("band 1"))?;
        let mut buf = Buffer::new((nx, ny), r.data.clone());
        band.write((0, 0), (nx, ny), &mut buf)
            .ctx(|| ctx("writing pixels"))?;
        if let Some(nd) = r.nodata {
            band.set_no_data_value(Some(nd.into()))
                .ctx(|| ctx("setting nodata"))?;
        }
        band.set_description(band_name)
            .ctx(|| ctx("setting band description"))?;
    }

    let resampling = if T::datatype().is_floating() {
        "AVERAGE"
    } else {
        "NEAREST"
    };
    let mut opts = CslStringList::new();
    for (k, v) in [
        ("COMPRESS", "DEFLATE"),
        ("PREDICTOR", "YES"),
        ("BLOCKSIZE", "512"),
        ("OVERVIEWS", "AUTO"),
        ("RESAMPLING", resampling),
    ] {
        opts.set_name_value(k, v).ctx(|| ctx("COG options"))?;
    }
    let cog =
        DriverManager::get_driver_by_name("COG").ctx(|| ctx("COG driver (GDAL ≥ 3.1 needed)"))?;
    write_atomic(path, |tmp| {
        let out = ds
            .create_copy(&cog, tmp, &opts)
            .ctx(|| ctx("writing COG"))?;
        out.close().ctx(|| ctx("closing COG"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gdal::Dataset;
    use phusong_engine::grid::GridSpec;

    fn spec(nx: usize, ny: usize) -> GridSpec {
        GridSpec {
            epsg: 32648,
            x0_m: 500_000.0,
            y0_m: 2_100_000.0,
            cell_m: 30.0,
            nx,
            ny,
        }
    }

    #[test]
    fn f32_cog_round_trips_with_georeferencing_nodata_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rsrp.tif");
        // Large enough (> 512 px) for the COG driver to build overviews.
        let s = spec(700, 600);
        let mut r = Raster::filled(s.clone(), 0f32, Some(-9999.0));
        for iy in 0..s.ny {
            for ix in 0..s.nx {
                r.set(ix, iy, ix as f32 * 0.5 - iy as f32);
            }
        }
        r.set(3, 2, -9999.0);
        write_cog(&p, &r, "rsrp_dbm").unwrap();

        let ds = Dataset::open(&p).unwrap();
        assert_eq!(ds.raster_size(), (700, 600));
        assert_eq!(ds.geo_transform().unwrap(), s.geo_transform());
        assert_eq!(ds.spatial_ref().unwrap().auth_code().unwrap(), 32648);
        assert_eq!(
            ds.metadata_item("LAYOUT", "IMAGE_STRUCTURE").as_deref(),
            Some("COG")
        );
        assert_eq!(
            ds.metadata_item("COMPRESSION", "IMAGE_STRUCTURE")
                .as_deref(),
            Some("DEFLATE")
        );
        let band = ds.rasterband(1).unwrap();
        assert_eq!(band.no_data_value(), Some(-9999.0));
        assert_eq!(band.description().unwrap(), "rsrp_dbm");
        assert_eq!(band.block_size(), (512, 512));
        assert!(band.overview_count().unwrap() >= 1);
        let v = band.read_band_as::<f32>().unwrap();
        let d = v.data();
        assert_eq!(d[0], 0.0);
        assert_eq!(d[2 * 700 + 3], -9999.0);
        assert_eq!(d[599 * 700 + 699], 699.0 * 0.5 - 599.0);
        assert_eq!(d[10 * 700 + 20], 0.0);
        assert_eq!(d[11 * 700 + 20], -1.0);
    }

    fn round_trip<T>(
        vals: [T; 4],
        nodata: Option<T>,
    ) -> (Vec<T>, Option<f64>, gdal::raster::GdalDataType)
    where
        T: GdalType + Copy + Into<f64> + PartialEq + std::fmt::Debug,
    {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ids.tif");
        let r = Raster {
            spec: spec(2, 2),
            data: vals.to_vec(),
            nodata,
        };
        write_cog(&p, &r, "id").unwrap();
        let ds = Dataset::open(&p).unwrap();
        assert_eq!(
            ds.metadata_item("LAYOUT", "IMAGE_STRUCTURE").as_deref(),
            Some("COG")
        );
        let b = ds.rasterband(1).unwrap();
        (
            b.read_band_as::<T>().unwrap().data().to_vec(),
            b.no_data_value(),
            b.band_type(),
        )
    }

    #[test]
    fn integer_types_keep_exact_values_and_type() {
        use gdal::raster::GdalDataType as G;
        let (v, nd, t) = round_trip([i32::MIN, -1, 0, 2_000_000_000], Some(i32::MIN));
        assert_eq!(
            (v, nd, t),
            (
                vec![i32::MIN, -1, 0, 2_000_000_000],
                Some(i32::MIN as f64),
                G::Int32
            )
        );
        let (v, nd, t) = round_trip([0u8, 1, 254, 255], Some(255));
        assert_eq!((v, nd, t), (vec![0, 1, 254, 255], Some(255.0), G::UInt8));
        let (v, nd, t) = round_trip([0u16, 7, 65534, 65535], None);
        assert_eq!((v, nd, t), (vec![0, 7, 65534, 65535], None, G::UInt16));
    }

    #[test]
    fn wrong_data_length_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.tif");
        let r = Raster {
            spec: spec(3, 3),
            data: vec![0f32; 8],
            nodata: None,
        };
        assert!(write_cog(&p, &r, "x").is_err());
        assert!(!p.exists());
    }
}
