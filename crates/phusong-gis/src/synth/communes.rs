//! Synthetic communes (used only when no real commune layer is given): Voronoi cells of seeded points
//! inside the study mask, clipped to it, and vectorised with GDAL's polygonizer.

use super::rng::Rng;
use crate::error::{Context, Error, Result};
use gdal::vector::{LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType};
use gdal::DriverManager;
use geo::{MultiPolygon, Polygon};
use phusong_engine::demand::Commune;
use phusong_engine::grid::Raster;
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

/// `n` synthetic communes covering the mask cells (mask value ≠ 0) exactly once.
///
/// Seeds are mask cells drawn uniformly with a minimum spacing of 0.6·√(mask area / n) (dart throwing,
/// relaxed if it stalls); every mask cell goes to its nearest seed. Returns the communes (code
/// "SYN001"…, name "Synthetic commune 001"…, population None, geometry in the grid CRS) and the raster of
/// commune index per cell (−1 outside the mask).
pub fn synth_communes(
    mask: &Raster<u8>,
    n: usize,
    seed: u64,
) -> Result<(Vec<Commune>, Raster<i32>)> {
    let g = &mask.spec;
    let cells: Vec<usize> = (0..mask.data.len())
        .filter(|&i| mask.data[i] != 0)
        .collect();
    if n == 0 {
        return Err(Error::Config("synth_communes: n must be ≥ 1".into()));
    }
    if cells.len() < n {
        return Err(Error::Config(format!(
            "synth_communes: mask has {} cells, fewer than {n} communes",
            cells.len()
        )));
    }
    let mut rng = Rng::stream(seed, 0xC0_4417E);
    let mut min_d = 0.6 * (cells.len() as f64 * g.cell_m * g.cell_m / n as f64).sqrt();
    let mut seeds: Vec<[f64; 2]> = Vec::with_capacity(n);
    let mut fails = 0;
    while seeds.len() < n {
        let i = cells[rng.below(cells.len() as u64) as usize];
        let (x, y) = g.center(i % g.nx, i / g.nx);
        let ok = seeds
            .iter()
            .all(|s| (s[0] - x).powi(2) + (s[1] - y).powi(2) >= min_d * min_d);
        if ok && !seeds.iter().any(|s| s[0] == x && s[1] == y) {
            seeds.push([x, y]);
            fails = 0;
        } else {
            fails += 1;
            if fails > 2000 {
                min_d *= 0.8;
                fails = 0;
            }
        }
    }
    let tree = RTree::bulk_load(
        seeds
            .iter()
            .enumerate()
            .map(|(k, p)| GeomWithData::new(*p, k))
            .collect(),
    );
    let mut label = Raster::filled(g.clone(), -1i32, Some(-1));
    label
        .data
        .par_chunks_mut(g.nx)
        .enumerate()
        .for_each(|(iy, row)| {
            for (ix, l) in row.iter_mut().enumerate() {
                if mask.data[iy * g.nx + ix] != 0 {
                    let (x, y) = g.center(ix, iy);
                    // Ties broken by the lowest index so the result never depends on tree internals.
                    let mut best = (f64::INFINITY, usize::MAX);
                    for c in tree.nearest_neighbor_iter_with_distance_2(&[x, y]) {
                        if c.1 > best.0 {
                            break;
                        }
                        if c.1 < best.0 || c.0.data < best.1 {
                            best = (c.1, c.0.data);
                        }
                    }
                    *l = best.1 as i32;
                }
            }
        });
    let geoms = polygonize_labels(&label, n)?;
    let communes = geoms
        .into_iter()
        .enumerate()
        .map(|(k, geometry)| Commune {
            code: format!("SYN{:03}", k + 1),
            name: format!("Synthetic commune {:03}", k + 1),
            population: None,
            geometry,
        })
        .collect();
    Ok((communes, label))
}

/// Vectorises a label raster (values 0..n, −1 = none) into one multipolygon per label, in the grid
/// CRS, with GDAL's polygonizer (exact cell boundaries, 4-connectivity).
pub fn polygonize_labels(label: &Raster<i32>, n: usize) -> Result<Vec<MultiPolygon<f64>>> {
    let g = &label.spec;
    let mem = DriverManager::get_driver_by_name("MEM").ctx(|| "GDAL MEM driver".into())?;
    let mut rds = mem
        .create_with_band_type::<i32, _>("", g.nx, g.ny, 1)
        .ctx(|| "label raster".into())?;
    rds.set_geo_transform(&g.geo_transform())
        .ctx(|| "label geotransform".into())?;
    {
        let mut band = rds.rasterband(1).ctx(|| "label band".into())?;
        let mut buf = gdal::raster::Buffer::new((g.nx, g.ny), label.data.clone());
        band.write((0, 0), (g.nx, g.ny), &mut buf)
            .ctx(|| "writing labels".into())?;
        band.set_no_data_value(Some(-1.0))
            .ctx(|| "label nodata".into())?;
    }
    let vdrv = DriverManager::get_driver_by_name("Memory").ctx(|| "OGR Memory driver".into())?;
    let mut vds = vdrv
        .create_vector_only("")
        .ctx(|| "polygon dataset".into())?;
    let mut out = vec![MultiPolygon::<f64>(vec![]); n];
    {
        let mut layer = vds
            .create_layer(LayerOptions {
                name: "cells",
                ty: OGRwkbGeometryType::wkbPolygon,
                ..Default::default()
            })
            .ctx(|| "polygon layer".into())?;
        layer
            .create_defn_fields(&[("label", OGRFieldType::OFTInteger)])
            .ctx(|| "label field".into())?;
        let band = rds.rasterband(1).ctx(|| "label band".into())?;
        // SAFETY: band and layer are alive for the call; the band's nodata (−1) masks out unlabelled
        // cells because GDALPolygonize uses the band's mask when hMaskBand is its mask band.
        let rv = unsafe {
            let hband = band.c_rasterband();
            gdal_sys::GDALPolygonize(
                hband,
                gdal_sys::GDALGetMaskBand(hband),
                layer.c_layer(),
                0,
                std::ptr::null_mut(),
                None,
                std::ptr::null_mut(),
            )
        };
        if rv != gdal_sys::CPLErr::CE_None {
            return Err(Error::Other(
                "GDALPolygonize failed on the commune raster".into(),
            ));
        }
        for f in layer.features() {
            let Some(k) = f.field_as_integer(0).ctx(|| "label field".into())? else {
                continue;
            };
            if k < 0 || k as usize >= n {
                continue;
            }
            let Some(geom) = f.geometry() else { continue };
            match geom.to_geo().ctx(|| "polygon to geo".into())? {
                geo::Geometry::Polygon(p) => out[k as usize].0.push(p),
                geo::Geometry::MultiPolygon(m) => out[k as usize].0.extend(m.0),
                _ => {}
            }
        }
    }
    // Deterministic order of parts: by their first vertex.
    for m in &mut out {
        m.0.sort_by(|a: &Polygon<f64>, b: &Polygon<f64>| {
            let (p, q) = (a.exterior().0[0], b.exterior().0[0]);
            (p.y, p.x)
                .partial_cmp(&(q.y, q.x))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;
    use phusong_engine::grid::GridSpec;

    /// A disc-with-a-notch mask, 200×160 cells of 90 m.
    fn mask() -> Raster<u8> {
        let g = GridSpec {
            epsg: 32648,
            x0_m: 500_000.0,
            y0_m: 2_100_000.0,
            cell_m: 90.0,
            nx: 200,
            ny: 160,
        };
        let mut m = Raster::filled(g.clone(), 0u8, None);
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (dx, dy) = (ix as f64 - 100.0, iy as f64 - 80.0);
                let notch = ix > 100 && (70..90).contains(&iy);
                if dx * dx / 9000.0 + dy * dy / 5500.0 < 1.0 && !notch {
                    m.set(ix, iy, 1);
                }
            }
        }
        m
    }

    #[test]
    fn communes_partition_the_mask_and_areas_add_up() {
        let m = mask();
        let (communes, label) = synth_communes(&m, 20, 3).unwrap();
        assert_eq!(communes.len(), 20);
        assert_eq!(communes[0].name, "Synthetic commune 001");
        let mut count = [0usize; 20];
        for (i, &l) in label.data.iter().enumerate() {
            if m.data[i] != 0 {
                assert!((0..20).contains(&l), "mask cell {i} unlabelled");
                count[l as usize] += 1;
            } else {
                assert_eq!(l, -1);
            }
        }
        assert!(count.iter().all(|&c| c > 0));
        let mask_km2 = m.data.iter().filter(|v| **v != 0).count() as f64 * m.spec.cell_area_km2();
        let poly_km2: f64 = communes
            .iter()
            .map(|c| c.geometry.unsigned_area() / 1e6)
            .sum();
        assert!(
            (poly_km2 - mask_km2).abs() < 0.01 * mask_km2,
            "{poly_km2} vs {mask_km2}"
        );
        // Each commune's polygon area equals its cell count (polygonize is exact).
        for (k, c) in communes.iter().enumerate() {
            let a = c.geometry.unsigned_area() / 1e6;
            assert!(
                (a - count[k] as f64 * m.spec.cell_area_km2()).abs() < 1e-6,
                "commune {k}"
            );
        }
    }

    #[test]
    fn deterministic_and_errors_on_bad_counts() {
        let m = mask();
        let (_, a) = synth_communes(&m, 15, 9).unwrap();
        let (_, b) = synth_communes(&m, 15, 9).unwrap();
        assert_eq!(a.data, b.data);
        assert!(synth_communes(&m, 0, 1).is_err());
        assert!(synth_communes(&m, 1_000_000, 1).is_err());
    }
}
