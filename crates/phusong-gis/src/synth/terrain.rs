//! Synthetic fine DEM: the real large-scale relief (ITU-R P.1511, ~9 km) plus fractal ridges and carved
//! valleys whose amplitude grows with the large-scale height, so the coastal plain stays flat and the
//! Trường Sơn range is rugged. Mean height over ~9 km blocks is preserved (the added detail is high-passed).
//!
//! Only a stand-in for a real 30/90 m DEM (SRTM, Copernicus), which a user should supply when they have one.

use super::noise::Noise2;
use super::rng::derive;
use crate::error::Result;
use crate::io::raster_in::{read_raster_to_grid, Resample};
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::terrain::fill_voids;
use rayon::prelude::*;
use std::path::Path;

/// Knobs of the synthetic relief. Defaults give peaks of ~2,000–2,700 m where P.1511 is 1,300–2,000 m
/// and a few metres of relief on the coastal plain.
#[derive(Clone, Debug)]
pub struct TerrainParams {
    /// Detail amplitude (m) = `amp_floor_m + amp_max_m · tanh(base / amp_scale_m)` + relief term.
    pub amp_floor_m: f64,
    pub amp_max_m: f64,
    pub amp_scale_m: f64,
    /// Extra amplitude per metre of large-scale height change across one P.1511 cell (~9 km).
    pub amp_per_relief: f64,
    /// Wavelength of the ridge pattern, km.
    pub ridge_wavelength_km: f64,
    /// Wavelength of the valley network, km (long low corridors).
    pub valley_wavelength_km: f64,
    /// Depth of carved valleys as a fraction of the local amplitude.
    pub valley_depth: f64,
    /// Side of the square window over which the large-scale mean is preserved, m.
    pub preserve_window_m: f64,
}

impl Default for TerrainParams {
    fn default() -> Self {
        TerrainParams {
            amp_floor_m: 4.0,
            amp_max_m: 1700.0,
            amp_scale_m: 1200.0,
            amp_per_relief: 0.25,
            ridge_wavelength_km: 9.0,
            valley_wavelength_km: 28.0,
            valley_depth: 1.1,
            preserve_window_m: 9000.0,
        }
    }
}

/// Land fraction (0 = sea, 1 = land) of each cell from a land/water mask raster, area-averaged.
/// Cells outside the mask's footprint count as land (the mask covers the coast; beyond it is inland):
/// a study checks first that the mask covers its area (`study.rs`, `synth.landmask`), refusing a
/// mask that covers only part of it.
pub fn read_land_fraction(landmask: &Path, grid: &GridSpec) -> Result<Raster<f32>> {
    let mut r = read_raster_to_grid(landmask, grid, Resample::Average)?;
    for v in &mut r.data {
        *v = if v.is_nan() { 1.0 } else { v.clamp(0.0, 1.0) };
    }
    r.nodata = None;
    Ok(r)
}

/// Synthetic DEM on `grid` from the P.1511 heights file and a land mask, with default knobs.
/// Sea cells (land fraction < 0.5) are 0 m; land cells are ≥ 1 m. No NaN.
pub fn synth_dem(grid: &GridSpec, p1511: &Path, landmask: &Path, seed: u64) -> Result<Raster<f32>> {
    synth_dem_with(grid, p1511, landmask, seed, &TerrainParams::default())
}

/// [`synth_dem`] with explicit knobs.
pub fn synth_dem_with(
    grid: &GridSpec,
    p1511: &Path,
    landmask: &Path,
    seed: u64,
    params: &TerrainParams,
) -> Result<Raster<f32>> {
    let mut base = read_raster_to_grid(p1511, grid, Resample::CubicSpline)?;
    fill_voids(&mut base);
    let land = read_land_fraction(landmask, grid)?;
    Ok(synth_from_base(&base, &land, seed, params))
}

/// Core of the synthesis on already-gridded inputs: `base` (large-scale heights, no NaN) and `land`
/// (land fraction). Pure function of its inputs; rows are computed in parallel but each cell depends
/// only on its coordinates, so the result is identical at any thread count.
pub fn synth_from_base(
    base: &Raster<f32>,
    land: &Raster<f32>,
    seed: u64,
    p: &TerrainParams,
) -> Raster<f32> {
    let g = &base.spec;
    let (nx, ny) = (g.nx, g.ny);
    let warp_x = Noise2::new(derive(seed, 101));
    let warp_y = Noise2::new(derive(seed, 102));
    let ridge = Noise2::new(derive(seed, 103));
    let valley = Noise2::new(derive(seed, 104));
    let hills = Noise2::new(derive(seed, 105));
    // Large-scale relief: height change across one P.1511 cell (~9 km), from central differences.
    let step = (9000.0 / g.cell_m).round().max(1.0) as usize;
    let relief = |ix: usize, iy: usize| -> f64 {
        let (x0, x1) = (ix.saturating_sub(step), (ix + step).min(nx - 1));
        let (y0, y1) = (iy.saturating_sub(step), (iy + step).min(ny - 1));
        let dx =
            (base.get(x1, iy) - base.get(x0, iy)) as f64 / ((x1 - x0).max(1) as f64 / step as f64);
        let dy =
            (base.get(ix, y1) - base.get(ix, y0)) as f64 / ((y1 - y0).max(1) as f64 / step as f64);
        0.5 * (dx * dx + dy * dy).sqrt()
    };

    let mut detail = vec![0f64; nx * ny];
    detail.par_chunks_mut(nx).enumerate().for_each(|(iy, row)| {
        for (ix, out) in row.iter_mut().enumerate() {
            let (x, y) = g.center(ix, iy);
            let (u, v) = (x / 1000.0, y / 1000.0); // km
            let b = (base.get(ix, iy) as f64).max(0.0);
            let amp = p.amp_floor_m
                + p.amp_max_m * (b / p.amp_scale_m).tanh()
                + p.amp_per_relief * relief(ix, iy);
            // Domain warp (a few km) makes ridges and valleys meander instead of following noise cells.
            let wx = 3.0 * warp_x.fbm(u / 20.0, v / 20.0, 3, 2.0, 0.5);
            let wy = 3.0 * warp_y.fbm(u / 20.0, v / 20.0, 3, 2.0, 0.5);
            let (uw, vw) = (u + wx, v + wy);
            let r = ridge.ridged(
                uw / p.ridge_wavelength_km,
                vw / p.ridge_wavelength_km,
                6,
                2.1,
                0.5,
            );
            let h = hills.fbm(uw / 14.0, vw / 14.0, 6, 2.0, 0.5);
            // Valley lines: crests of a ridged field, flattened into corridors with a smoothstep.
            let vl = valley.ridged(
                uw / p.valley_wavelength_km,
                vw / p.valley_wavelength_km,
                3,
                2.0,
                0.45,
            );
            let t = ((vl - 0.45) / 0.45).clamp(0.0, 1.0);
            let carve = t * t * (3.0 - 2.0 * t);
            *out = amp * (0.9 * (r - 0.3) + 0.6 * h - p.valley_depth * carve);
        }
    });

    // High-pass: subtract the detail's window mean so the large-scale mean stays P.1511's.
    let rad = ((p.preserve_window_m / g.cell_m) / 2.0).round().max(1.0) as usize;
    let lowpass = box_mean(&detail, nx, ny, rad);
    let mut out = Raster::filled(g.clone(), 0f32, None);
    out.data.par_iter_mut().enumerate().for_each(|(i, o)| {
        *o = if land.data[i] < 0.5 {
            0.0
        } else {
            (base.data[i] as f64 + detail[i] - lowpass[i]).max(1.0) as f32
        };
    });
    out
}

/// Mean over the (2·rad+1)² window around each cell (clipped at the edges), via a summed-area table.
pub(crate) fn box_mean(v: &[f64], nx: usize, ny: usize, rad: usize) -> Vec<f64> {
    let w = nx + 1;
    let mut sat = vec![0f64; w * (ny + 1)];
    for iy in 0..ny {
        let mut row = 0.0;
        for ix in 0..nx {
            row += v[iy * nx + ix];
            sat[(iy + 1) * w + ix + 1] = sat[iy * w + ix + 1] + row;
        }
    }
    let mut out = vec![0f64; nx * ny];
    out.par_chunks_mut(nx).enumerate().for_each(|(iy, orow)| {
        let (y0, y1) = (iy.saturating_sub(rad), (iy + rad + 1).min(ny));
        for (ix, o) in orow.iter_mut().enumerate() {
            let (x0, x1) = (ix.saturating_sub(rad), (ix + rad + 1).min(nx));
            let s = sat[y1 * w + x1] - sat[y0 * w + x1] - sat[y1 * w + x0] + sat[y0 * w + x0];
            *o = s / ((y1 - y0) * (x1 - x0)) as f64;
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use std::path::PathBuf;

    fn data(p: &str) -> PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("data/nghe-an")
            .join(p)
    }

    /// A 54×54 km grid at 180 m spanning lowland (east, incl. sea) and mountains (west) in a band
    /// across the province around 19.0–19.5°N.
    fn test_grid(lon0: f64, lat0: f64, km: f64, cell_m: f64) -> GridSpec {
        let p = Projector::new(32648).unwrap();
        let (x, y) = p.project(lon0, lat0).unwrap();
        GridSpec::covering(32648, x, y, x + km * 1000.0, y + km * 1000.0, cell_m)
    }

    fn block_mean(r: &Raster<f32>, bx: usize, by: usize, n: usize) -> f64 {
        let mut s = 0.0;
        for iy in by * n..(by + 1) * n {
            for ix in bx * n..(bx + 1) * n {
                s += r.get(ix, iy) as f64;
            }
        }
        s / (n * n) as f64
    }

    /// Roughness: RMS difference between neighbouring cells.
    fn roughness(r: &Raster<f32>) -> f64 {
        let (mut s, mut n) = (0.0, 0);
        for iy in 0..r.spec.ny {
            for ix in 1..r.spec.nx {
                let d = (r.get(ix, iy) - r.get(ix - 1, iy)) as f64;
                s += d * d;
                n += 1;
            }
        }
        (s / n as f64).sqrt()
    }

    #[test]
    fn deterministic_and_block_means_match_p1511() {
        // Mountains near the Lao border (west of Con Cuông).
        let g = test_grid(104.3, 19.1, 54.0, 180.0);
        let a = synth_dem(
            &g,
            &data("dem/p1511_topo_5arcmin.asc"),
            &data("coast/landmask_3s.tif"),
            7,
        )
        .unwrap();
        let b = synth_dem(
            &g,
            &data("dem/p1511_topo_5arcmin.asc"),
            &data("coast/landmask_3s.tif"),
            7,
        )
        .unwrap();
        assert_eq!(a.data, b.data);
        let c = synth_dem(
            &g,
            &data("dem/p1511_topo_5arcmin.asc"),
            &data("coast/landmask_3s.tif"),
            8,
        )
        .unwrap();
        assert_ne!(a.data, c.data);
        let mut base = read_raster_to_grid(
            &data("dem/p1511_topo_5arcmin.asc"),
            &g,
            Resample::CubicSpline,
        )
        .unwrap();
        fill_voids(&mut base);
        // 9-km blocks (50 cells of 180 m): mean within 12% of the local height + 40 m.
        let n = 50;
        for by in 0..g.ny / n {
            for bx in 0..g.nx / n {
                let (m, want) = (block_mean(&a, bx, by, n), block_mean(&base, bx, by, n));
                assert!(
                    (m - want).abs() < 0.12 * want + 40.0,
                    "block ({bx},{by}): {m} vs {want}"
                );
            }
        }
        let max = a.data.iter().cloned().fold(0f32, f32::max);
        assert!(max > 1200.0 && max < 3200.0, "max {max}");
    }

    #[test]
    fn sea_is_zero_and_mountains_rougher_than_lowland() {
        let dem = data("dem/p1511_topo_5arcmin.asc");
        let lm = data("coast/landmask_3s.tif");
        // Coastal strip north of Vinh, including sea.
        let gl = test_grid(105.55, 18.75, 30.0, 180.0);
        let low = synth_dem(&gl, &dem, &lm, 1).unwrap();
        let land = read_land_fraction(&lm, &gl).unwrap();
        let sea: Vec<usize> = (0..land.data.len())
            .filter(|&i| land.data[i] < 0.5)
            .collect();
        assert!(!sea.is_empty());
        assert!(sea.iter().all(|&i| low.data[i] == 0.0));
        assert!((0..land.data.len())
            .filter(|&i| land.data[i] >= 0.5)
            .all(|i| low.data[i] >= 1.0));
        let gm = test_grid(104.3, 19.1, 30.0, 180.0);
        let mtn = synth_dem(&gm, &dem, &lm, 1).unwrap();
        let (rl, rm) = (roughness(&low), roughness(&mtn));
        assert!(rm > 8.0 * rl, "mountain {rm} vs lowland {rl}");
    }

    #[test]
    fn box_mean_matches_brute_force() {
        let (nx, ny) = (7, 5);
        let v: Vec<f64> = (0..nx * ny).map(|i| ((i * 37) % 11) as f64).collect();
        let m = box_mean(&v, nx, ny, 2);
        for iy in 0..ny {
            for ix in 0..nx {
                let (mut s, mut k) = (0.0, 0);
                for jy in iy.saturating_sub(2)..(iy + 3).min(ny) {
                    for jx in ix.saturating_sub(2)..(ix + 3).min(nx) {
                        s += v[jy * nx + jx];
                        k += 1;
                    }
                }
                assert!((m[iy * nx + ix] - s / k as f64).abs() < 1e-9);
            }
        }
    }
}
