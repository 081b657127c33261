//! Combining per-site windows into study-wide rasters, deterministically.
//!
//! Rows are processed in parallel, but within a cell sites are always visited in study order, so the
//! floating-point sums — and therefore the rasters — are identical at any thread count.

use crate::coverage::{CoverageParams, SiteWindow};
use crate::grid::{GridSpec, Raster};
use crate::radio::Site;
use rayon::prelude::*;

/// Study-wide coverage rasters (NaN = no site reaches the cell).
#[derive(Clone, Debug)]
pub struct CoverageRasters {
    /// Best-server RSRP, dBm.
    pub rsrp_dbm: Raster<f32>,
    /// Id of the serving site (`Site::id`), 0 where none.
    pub server: Raster<i32>,
    /// SINR of the best server, dB, with neighbours at `CoverageParams::load`.
    pub sinr_db: Raster<f32>,
    /// Number of sites within `overlap_margin_db` of the best (including it).
    pub servers_in_margin: Raster<u8>,
    /// Best RSRP per operator, dBm, in `operators` order.
    pub operators: Vec<String>,
    pub operator_rsrp_dbm: Vec<Raster<f32>>,
    /// The model's warnings and refusals summed over every site.
    pub warnings: crate::propagation::models::Warnings,
}

struct Row {
    rsrp: Vec<f32>,
    server: Vec<i32>,
    sinr: Vec<f32>,
    count: Vec<u8>,
    ops: Vec<Vec<f32>>,
}

/// Sorted list of the distinct operators of `sites`.
pub fn operators_of(sites: &[Site]) -> Vec<String> {
    let mut ops: Vec<String> = sites.iter().map(|s| s.operator.clone()).collect();
    ops.sort();
    ops.dedup();
    ops
}

/// Combines windows (in any order; they are sorted by site index here) into rasters on `grid`.
pub fn combine(
    grid: &GridSpec,
    sites: &[Site],
    windows: &[SiteWindow],
    p: &CoverageParams,
) -> CoverageRasters {
    let mut order: Vec<&SiteWindow> = windows.iter().collect();
    order.sort_by_key(|w| w.site);
    let operators = operators_of(sites);
    let op_of: Vec<usize> = sites
        .iter()
        .map(|s| operators.binary_search(&s.operator).unwrap_or(0))
        .collect();
    let noise_mw = 10f64.powf(p.noise_per_re_dbm() / 10.0);
    let nx = grid.nx;
    let rows: Vec<Row> = (0..grid.ny)
        .into_par_iter()
        .map(|iy| {
            let mut best = vec![f32::NAN; nx];
            let mut server = vec![0i32; nx];
            let mut total = vec![0f64; nx];
            let mut ops = vec![vec![f32::NAN; nx]; operators.len()];
            let here: Vec<&&SiteWindow> = order
                .iter()
                .filter(|w| iy >= w.iy0 && iy < w.iy0 + w.ny)
                .collect();
            for w in &here {
                let r = (iy - w.iy0) * w.nx;
                let op = op_of.get(w.site).copied().unwrap_or(0);
                for i in 0..w.nx {
                    let v = w.rsrp_dbm[r + i];
                    if v.is_nan() {
                        continue;
                    }
                    let ix = w.ix0 + i;
                    if best[ix].is_nan() || v > best[ix] {
                        best[ix] = v;
                        server[ix] = sites.get(w.site).map_or(0, |s| s.id as i32);
                    }
                    total[ix] += w.total_mw[r + i] as f64;
                    let o = &mut ops[op][ix];
                    if o.is_nan() || v > *o {
                        *o = v;
                    }
                }
            }
            let mut count = vec![0u8; nx];
            for w in &here {
                let r = (iy - w.iy0) * w.nx;
                for i in 0..w.nx {
                    let v = w.rsrp_dbm[r + i];
                    let ix = w.ix0 + i;
                    if !v.is_nan() && v as f64 >= best[ix] as f64 - p.overlap_margin_db {
                        count[ix] = count[ix].saturating_add(1);
                    }
                }
            }
            let sinr = (0..nx)
                .map(|ix| {
                    if best[ix].is_nan() {
                        return f32::NAN;
                    }
                    let s = 10f64.powf(best[ix] as f64 / 10.0);
                    let i = p.load * (total[ix] - s).max(0.0);
                    (10.0 * (s / (i + noise_mw)).log10()) as f32
                })
                .collect();
            Row {
                rsrp: best,
                server,
                sinr,
                count,
                ops,
            }
        })
        .collect();
    let mut rsrp = Vec::with_capacity(grid.len());
    let mut srv = Vec::with_capacity(grid.len());
    let mut sinr = Vec::with_capacity(grid.len());
    let mut cnt = Vec::with_capacity(grid.len());
    let mut ops: Vec<Vec<f32>> = vec![Vec::with_capacity(grid.len()); operators.len()];
    for r in rows {
        rsrp.extend(r.rsrp);
        srv.extend(r.server);
        sinr.extend(r.sinr);
        cnt.extend(r.count);
        for (o, v) in ops.iter_mut().zip(r.ops) {
            o.extend(v);
        }
    }
    let raster = |data: Vec<f32>| Raster {
        spec: grid.clone(),
        data,
        nodata: Some(f32::NAN),
    };
    let mut warnings = crate::propagation::models::Warnings::default();
    for w in windows {
        warnings.merge(&w.warnings);
    }
    CoverageRasters {
        warnings: warnings.finish(),
        rsrp_dbm: raster(rsrp),
        server: Raster {
            spec: grid.clone(),
            data: srv,
            nodata: Some(0),
        },
        sinr_db: raster(sinr),
        servers_in_margin: Raster {
            spec: grid.clone(),
            data: cnt,
            nodata: None,
        },
        operators,
        operator_rsrp_dbm: ops.into_iter().map(raster).collect(),
    }
}
