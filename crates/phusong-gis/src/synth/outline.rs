//! An approximate outline of Nghệ An province (used only when no real boundary is given) and the study
//! mask: land cells inside the outline.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use phusong_engine::grid::{GridSpec, Raster};

/// Hand-made approximation of Nghệ An's outline, WGS84 (lon, lat), drawn from general geographic
/// knowledge, not from any boundary file: the coast from Quỳnh Lưu to Cửa Hội, the Lam (Cả) river
/// frontier with Hà Tĩnh past Vinh and Nam Đàn, Thanh Chương in the south, the Lao border north-west
/// through Con Cuông, Tương Dương and Kỳ Sơn (westernmost ~103.87°E), Quế Phong in the north (~20.0°N)
/// and the Thanh Hóa boundary back east to the coast. About 16,500 km²; accurate only to a few km.
pub fn approximate_outline_wgs84() -> Polygon<f64> {
    const V: [(f64, f64); 32] = [
        (105.81, 19.30), // Quỳnh Lưu coast, Thanh Hóa boundary
        (105.76, 19.18),
        (105.71, 19.07),
        (105.66, 18.98), // Diễn Châu coast
        (105.70, 18.85),
        (105.76, 18.76), // Cửa Hội (Lam river mouth)
        (105.70, 18.65), // south of Vinh along the Lam
        (105.55, 18.64),
        (105.42, 18.62), // Nam Đàn / Thanh Chương
        (105.30, 18.56),
        (105.15, 18.55), // southern tip, Thanh Chương
        (105.00, 18.63), // Lao border, Thanh Thủy
        (104.88, 18.76),
        (104.72, 18.86), // Pù Mát, Con Cuông
        (104.52, 18.97),
        (104.32, 19.02), // Tương Dương / Kỳ Sơn
        (104.12, 19.10),
        (103.95, 19.20),
        (103.88, 19.30), // westernmost, Kỳ Sơn
        (103.97, 19.38),
        (104.10, 19.42), // Nậm Cắn
        (104.28, 19.52),
        (104.45, 19.62),
        (104.62, 19.76), // Quế Phong, Lao border
        (104.78, 19.95),
        (104.93, 19.99), // northern tip
        (105.12, 19.88), // Thanh Hóa boundary heading south-east
        (105.17, 19.72),
        (105.30, 19.60),
        (105.48, 19.52), // Nghĩa Đàn / Quỳnh Lưu
        (105.64, 19.40),
        (105.75, 19.35),
    ];
    let mut ring: Vec<Coord<f64>> = V.iter().map(|&(x, y)| Coord { x, y }).collect();
    ring.push(ring[0]);
    Polygon::new(LineString::new(ring), vec![])
}

/// Study mask on `grid`: 1 where the cell centre lies inside `outline` (in the grid's CRS) and the
/// cell is land (land fraction ≥ 0.5 in `landmask`, which must be on the same grid), else 0.
pub fn study_mask(
    grid: &GridSpec,
    outline: &MultiPolygon<f64>,
    landmask: &Raster<f32>,
) -> Raster<u8> {
    let inside = rasterize_centres(grid, outline);
    let mut out = Raster::filled(grid.clone(), 0u8, None);
    for (i, o) in out.data.iter_mut().enumerate() {
        let land = landmask.data.get(i).is_none_or(|v| v.is_nan() || *v >= 0.5);
        *o = u8::from(inside[i] && land);
    }
    out
}

/// Cells whose centre lies inside the multipolygon (even–odd rule over all rings), by scanline:
/// for each row, the crossings of every edge with the row's centre line are sorted and the cells
/// between successive pairs filled. Cost O(rows × edges + cells).
pub fn rasterize_centres(grid: &GridSpec, mp: &MultiPolygon<f64>) -> Vec<bool> {
    let mut edges: Vec<(Coord<f64>, Coord<f64>)> = Vec::new();
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            for l in ring.lines() {
                if l.start.y != l.end.y {
                    edges.push((l.start, l.end));
                }
            }
        }
    }
    let mut out = vec![false; grid.len()];
    let mut xs: Vec<f64> = Vec::new();
    for iy in 0..grid.ny {
        let y = grid.y0_m - (iy as f64 + 0.5) * grid.cell_m;
        xs.clear();
        for (a, b) in &edges {
            // Half-open rule on y so a vertex shared by two edges is counted once.
            if (a.y <= y) != (b.y <= y) {
                xs.push(a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y));
            }
        }
        xs.sort_by(|p, q| p.total_cmp(q));
        for pair in xs.chunks_exact(2) {
            // Cells with centre x in [pair[0], pair[1]).
            let c0 = ((pair[0] - grid.x0_m) / grid.cell_m - 0.5).ceil().max(0.0);
            let c1 = ((pair[1] - grid.x0_m) / grid.cell_m - 0.5)
                .ceil()
                .min(grid.nx as f64);
            if c1 > c0 {
                let row = iy * grid.nx;
                out[row + c0 as usize..row + c1 as usize]
                    .iter_mut()
                    .for_each(|v| *v = true);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use geo::{Area, BooleanOps, Contains, MapCoords, Point};

    fn projected(p: &Polygon<f64>) -> Polygon<f64> {
        let pr = Projector::new(32648).unwrap();
        p.map_coords(|c| {
            let (x, y) = pr.project(c.x, c.y).unwrap();
            Coord { x, y }
        })
    }

    #[test]
    fn outline_area_and_known_points() {
        let o = approximate_outline_wgs84();
        let a_km2 = projected(&o).unsigned_area() / 1e6;
        assert!((a_km2 - 16_490.0).abs() < 1_649.0, "{a_km2} km²");
        assert!(o.contains(&Point::new(105.68, 18.67)), "Vinh");
        assert!(!o.contains(&Point::new(103.5, 19.0)), "Laos");
        assert!(!o.contains(&Point::new(106.0, 19.0)), "sea");
    }

    #[test]
    fn scanline_matches_brute_force_containment() {
        // An L-shaped polygon with a hole, on a small grid; compare with geo's Contains per centre.
        let ext = LineString::from(vec![
            (0.0, 0.0),
            (1000.0, 0.0),
            (1000.0, 400.0),
            (430.0, 400.0),
            (430.0, 1000.0),
            (0.0, 1000.0),
            (0.0, 0.0),
        ]);
        let hole = LineString::from(vec![
            (100.0, 100.0),
            (300.0, 120.0),
            (250.0, 300.0),
            (100.0, 100.0),
        ]);
        let mp = MultiPolygon(vec![Polygon::new(ext, vec![hole])]);
        let g = GridSpec {
            epsg: 32648,
            x0_m: -50.0,
            y0_m: 1050.0,
            cell_m: 37.0,
            nx: 32,
            ny: 31,
        };
        let r = rasterize_centres(&g, &mp);
        let mut n = 0;
        for iy in 0..g.ny {
            for ix in 0..g.nx {
                let (x, y) = g.center(ix, iy);
                assert_eq!(
                    r[g.index(ix, iy)],
                    mp.contains(&Point::new(x, y)),
                    "cell {ix},{iy}"
                );
                n += usize::from(r[g.index(ix, iy)]);
            }
        }
        assert!(n > 100);
    }

    #[test]
    fn study_mask_excludes_sea_and_outside() {
        let mp = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![
                (0.0, -10.0),
                (510.0, -10.0),
                (510.0, 500.0),
                (0.0, -10.0),
            ]),
            vec![],
        )]);
        let g = GridSpec {
            epsg: 32648,
            x0_m: 0.0,
            y0_m: 500.0,
            cell_m: 100.0,
            nx: 5,
            ny: 5,
        };
        let mut land = Raster::filled(g.clone(), 1f32, None);
        land.set(4, 4, 0.2); // sea, inside the triangle
        let m = study_mask(&g, &mp, &land);
        assert_eq!(m.get(4, 3), 1);
        assert_eq!(m.get(4, 4), 0);
        assert_eq!(m.get(0, 0), 0); // outside the triangle
        assert_eq!(m.data.iter().map(|v| *v as usize).sum::<usize>(), 9); // 10 centres strictly below the diagonal − 1 sea
    }

    #[test]
    #[ignore = "needs ../shared"]
    fn overlaps_census_province_outline() {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("../shared/data/nghe-an/admin/province_2009_census.geojson");
        use gdal::vector::LayerAccess;
        let ds = gdal::Dataset::open(&path).unwrap();
        let mut layer = ds.layer(0).unwrap();
        let f = layer.features().next().unwrap();
        let g: geo::Geometry<f64> = f.geometry().unwrap().to_geo().unwrap();
        let real: MultiPolygon<f64> = match g {
            geo::Geometry::MultiPolygon(m) => m,
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            _ => panic!("unexpected geometry"),
        };
        let real = MultiPolygon(real.0.iter().map(projected).collect());
        let ours = MultiPolygon(vec![projected(&approximate_outline_wgs84())]);
        let inter = ours.intersection(&real).unsigned_area();
        let union = ours.union(&real).unsigned_area();
        let iou = inter / union;
        eprintln!("IoU {iou}");
        assert!(iou >= 0.6, "IoU {iou}");
    }
}
