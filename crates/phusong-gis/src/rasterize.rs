//! Burning commune polygons into a commune-index raster on the study grid, with GDAL.

use crate::error::{Context, Result};
use gdal::raster::{rasterize, RasterizeOptions};
use gdal::vector::ToGdal;
use gdal::DriverManager;
use phusong_engine::demand::Commune;
use phusong_engine::grid::{GridSpec, Raster};

/// Commune index (0-based, in `communes` order) of every cell whose centre lies in a commune; −1 elsewhere.
/// Where polygons overlap, the later commune wins (GDAL burns in order).
pub fn commune_raster(grid: &GridSpec, communes: &[Commune]) -> Result<Raster<i32>> {
    let driver = DriverManager::get_driver_by_name("MEM").ctx(|| "GDAL MEM driver".into())?;
    let mut ds = driver
        .create_with_band_type::<i32, _>("", grid.nx, grid.ny, 1)
        .ctx(|| "creating commune raster".into())?;
    ds.set_geo_transform(&grid.geo_transform())
        .ctx(|| "commune raster geotransform".into())?;
    ds.set_spatial_ref(&crate::crs::srs_from_epsg(grid.epsg)?)
        .ctx(|| "commune raster CRS".into())?;
    {
        let mut band = ds.rasterband(1).ctx(|| "commune raster band".into())?;
        band.fill(-1.0, None)
            .ctx(|| "filling commune raster".into())?;
    }
    let mut geoms = Vec::with_capacity(communes.len());
    let mut values = Vec::with_capacity(communes.len());
    for (i, c) in communes.iter().enumerate() {
        geoms.push(
            c.geometry
                .to_gdal()
                .ctx(|| format!("commune {} ({}) geometry", i, c.name))?,
        );
        values.push(i as f64);
    }
    rasterize(
        &mut ds,
        &[1],
        &geoms,
        &values,
        Some(RasterizeOptions::default()),
    )
    .ctx(|| "rasterizing communes".into())?;
    let band = ds.rasterband(1).ctx(|| "commune raster band".into())?;
    let buf = band
        .read_as::<i32>((0, 0), (grid.nx, grid.ny), (grid.nx, grid.ny), None)
        .ctx(|| "reading commune raster".into())?;
    Ok(Raster {
        spec: grid.clone(),
        data: buf.data().to_vec(),
        nodata: Some(-1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    #[test]
    fn burns_cell_centres_inside_each_polygon() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 1000.0, 1000.0, 100.0);
        let sq = |x0: f64, x1: f64| Commune {
            code: String::new(),
            name: String::new(),
            population: None,
            geometry: MultiPolygon(vec![
                polygon![(x: x0, y: 0.0), (x: x1, y: 0.0), (x: x1, y: 1000.0), (x: x0, y: 1000.0)],
            ]),
        };
        let r = commune_raster(&g, &[sq(0.0, 300.0), sq(300.0, 700.0)]).unwrap();
        let count = |k: i32| r.data.iter().filter(|&&v| v == k).count();
        assert_eq!((count(0), count(1), count(-1)), (30, 40, 30));
        assert_eq!(r.at(150.0, 500.0), Some(0));
        assert_eq!(r.at(650.0, 500.0), Some(1));
        assert_eq!(r.at(950.0, 500.0), Some(-1));
    }
}
