//! Burning polygons into rasters on the study grid, with GDAL: the commune-index raster and the
//! protected-area mask.

use crate::error::{Context, Result};
use gdal::raster::{rasterize, RasterizeOptions};
use gdal::vector::ToGdal;
use gdal::DriverManager;
use geo::MultiPolygon;
use phusong_engine::demand::Commune;
use phusong_engine::grid::{GridSpec, Raster};

/// Commune index (0-based, in `communes` order) of every cell whose centre lies in a commune; −1 elsewhere.
/// Where polygons overlap, the later commune wins (GDAL burns in order).
pub fn commune_raster(grid: &GridSpec, communes: &[Commune]) -> Result<Raster<i32>> {
    let polys: Vec<(&MultiPolygon<f64>, String)> = communes
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.geometry, format!("commune {} ({})", i, c.name)))
        .collect();
    let values: Vec<f64> = (0..communes.len()).map(|i| i as f64).collect();
    burn(grid, &polys, &values, -1.0)
}

/// 1 on every cell whose centre lies inside one of `polygons`, 0 elsewhere.
pub fn polygon_mask(grid: &GridSpec, polygons: &[MultiPolygon<f64>]) -> Result<Raster<u8>> {
    let polys: Vec<(&MultiPolygon<f64>, String)> = polygons
        .iter()
        .enumerate()
        .map(|(i, p)| (p, format!("polygon {i}")))
        .collect();
    let burnt = burn(grid, &polys, &vec![1.0; polygons.len()], 0.0)?;
    Ok(Raster {
        spec: burnt.spec,
        data: burnt.data.iter().map(|&v| u8::from(v == 1)).collect(),
        nodata: None,
    })
}

/// Burns `values[i]` into the cells whose centres lie in polygon i (later polygons win), `fill`
/// elsewhere.
fn burn(
    grid: &GridSpec,
    polygons: &[(&MultiPolygon<f64>, String)],
    values: &[f64],
    fill: f64,
) -> Result<Raster<i32>> {
    let driver = DriverManager::get_driver_by_name("MEM").ctx(|| "GDAL MEM driver".into())?;
    let mut ds = driver
        .create_with_band_type::<i32, _>("", grid.nx, grid.ny, 1)
        .ctx(|| "creating a raster to burn polygons into".into())?;
    ds.set_geo_transform(&grid.geo_transform())
        .ctx(|| "burn raster geotransform".into())?;
    ds.set_spatial_ref(&crate::crs::srs_from_epsg(grid.epsg)?)
        .ctx(|| "burn raster CRS".into())?;
    {
        let mut band = ds.rasterband(1).ctx(|| "burn raster band".into())?;
        band.fill(fill, None).ctx(|| "filling burn raster".into())?;
    }
    let mut geoms = Vec::with_capacity(polygons.len());
    for (g, what) in polygons {
        geoms.push(g.to_gdal().ctx(|| format!("{what} geometry"))?);
    }
    if !geoms.is_empty() {
        rasterize(
            &mut ds,
            &[1],
            &geoms,
            values,
            Some(RasterizeOptions::default()),
        )
        .ctx(|| "rasterizing polygons".into())?;
    }
    let band = ds.rasterband(1).ctx(|| "burn raster band".into())?;
    let buf = band
        .read_as::<i32>((0, 0), (grid.nx, grid.ny), (grid.nx, grid.ny), None)
        .ctx(|| "reading burnt raster".into())?;
    Ok(Raster {
        spec: grid.clone(),
        data: buf.data().to_vec(),
        nodata: Some(fill as i32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

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
        let m = polygon_mask(&g, &[sq(0.0, 300.0).geometry, sq(600.0, 700.0).geometry]).unwrap();
        assert_eq!(m.data.iter().filter(|&&v| v == 1).count(), 40);
        assert_eq!(
            (m.at(150.0, 500.0), m.at(650.0, 500.0), m.at(450.0, 10.0)),
            (Some(1), Some(1), Some(0))
        );
        assert!(polygon_mask(&g, &[]).unwrap().data.iter().all(|&v| v == 0));
    }
}
