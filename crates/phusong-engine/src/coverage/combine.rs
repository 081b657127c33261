//! Combining per-site windows into study-wide rasters, deterministically and in bounded memory.
//!
//! Windows are folded into per-row accumulators as they are computed, a chunk of sites at a time,
//! so memory is bounded by the grid plus one chunk of windows, not by the sum of every window.
//! Within a cell, sites are always folded in study order, so the floating-point sums — and therefore
//! the rasters — are identical at any thread count and any chunk size.

use crate::coverage::{site_window, CoverageParams, SiteWindow};
use crate::grid::{GridSpec, Raster};
use crate::progress::Progress;
use crate::propagation::models::Warnings;
use crate::radio::Site;
use crate::terrain::Terrain;
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
    pub warnings: Warnings,
}

/// Sites whose windows are held at once by [`compute_coverage`]: bounds the memory of windows in
/// flight (≈ 8 bytes per window cell each) while giving every thread enough work.
pub const SITES_PER_CHUNK: usize = 128;

/// One grid row's running state.
struct RowAcc {
    best: Vec<f32>,
    server: Vec<i32>,
    /// Sum of every site's total received power, mW, in site order.
    total_mw: Vec<f64>,
    /// Best RSRP per operator.
    ops: Vec<Vec<f32>>,
    /// RSRP values within the overlap margin of the running best (the best included); values that
    /// fall out of the margin as the best rises are dropped, so the final length is the server count.
    near: Vec<Vec<f32>>,
}

/// Folds site windows, in site order, into study-wide rasters.
pub struct Combiner<'a> {
    grid: GridSpec,
    sites: &'a [Site],
    operators: Vec<String>,
    op_of: Vec<usize>,
    margin_db: f64,
    noise_mw: f64,
    load: f64,
    rows: Vec<RowAcc>,
    warnings: Warnings,
    last_site: Option<usize>,
}

/// Sorted list of the distinct operators of `sites`.
pub fn operators_of(sites: &[Site]) -> Vec<String> {
    let mut ops: Vec<String> = sites.iter().map(|s| s.operator.clone()).collect();
    ops.sort();
    ops.dedup();
    ops
}

impl<'a> Combiner<'a> {
    pub fn new(grid: &GridSpec, sites: &'a [Site], p: &CoverageParams) -> Self {
        let operators = operators_of(sites);
        let op_of = sites
            .iter()
            .map(|s| operators.binary_search(&s.operator).unwrap_or(0))
            .collect();
        let nx = grid.nx;
        let rows = (0..grid.ny)
            .map(|_| RowAcc {
                best: vec![f32::NAN; nx],
                server: vec![0; nx],
                total_mw: vec![0.0; nx],
                ops: vec![vec![f32::NAN; nx]; operators.len()],
                near: vec![Vec::new(); nx],
            })
            .collect();
        Combiner {
            grid: grid.clone(),
            sites,
            operators,
            op_of,
            margin_db: p.overlap_margin_db,
            noise_mw: 10f64.powf(p.noise_per_re_dbm() / 10.0),
            load: p.load,
            rows,
            warnings: Warnings::default(),
            last_site: None,
        }
    }

    /// Folds a batch of windows, which must be in strictly increasing site order, after every
    /// window folded before; a window out of order is an error of the caller, reported as
    /// `Err(site index)` with nothing folded.
    pub fn add(&mut self, windows: &[&SiteWindow]) -> Result<(), usize> {
        let mut last = self.last_site;
        for w in windows {
            if last.is_some_and(|l| w.site <= l) {
                return Err(w.site);
            }
            last = Some(w.site);
        }
        let (sites, op_of, margin) = (self.sites, &self.op_of, self.margin_db);
        self.rows.par_iter_mut().enumerate().for_each(|(iy, row)| {
            for w in windows.iter().filter(|w| iy >= w.iy0 && iy < w.iy0 + w.ny) {
                let id = sites.get(w.site).map_or(0, |s| s.id as i32);
                fold_row(
                    row,
                    w,
                    iy,
                    id,
                    op_of.get(w.site).copied().unwrap_or(0),
                    margin,
                );
            }
        });
        for w in windows {
            self.warnings.merge(&w.warnings);
        }
        self.last_site = last;
        Ok(())
    }

    /// The rasters: best server, serving site, SINR, server count and best per operator.
    pub fn finish(self) -> CoverageRasters {
        let n = self.grid.len();
        let mut rsrp = Vec::with_capacity(n);
        let mut srv = Vec::with_capacity(n);
        let mut sinr = Vec::with_capacity(n);
        let mut cnt = Vec::with_capacity(n);
        let mut ops: Vec<Vec<f32>> = vec![Vec::with_capacity(n); self.operators.len()];
        for r in self.rows {
            sinr.extend(r.best.iter().zip(&r.total_mw).map(|(&b, &t)| {
                if b.is_nan() {
                    return f32::NAN;
                }
                let s = 10f64.powf(b as f64 / 10.0);
                let i = self.load * (t - s).max(0.0);
                (10.0 * (s / (i + self.noise_mw)).log10()) as f32
            }));
            cnt.extend(r.near.iter().map(|v| v.len().min(u8::MAX as usize) as u8));
            rsrp.extend(r.best);
            srv.extend(r.server);
            for (o, v) in ops.iter_mut().zip(r.ops) {
                o.extend(v);
            }
        }
        let grid = self.grid;
        let raster = |data: Vec<f32>| Raster {
            spec: grid.clone(),
            data,
            nodata: Some(f32::NAN),
        };
        CoverageRasters {
            warnings: self.warnings.finish(),
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
            operators: self.operators,
            operator_rsrp_dbm: ops.into_iter().map(raster).collect(),
        }
    }
}

/// Folds row `iy` of window `w` (site id `id`, operator index `op`) into `row`.
fn fold_row(row: &mut RowAcc, w: &SiteWindow, iy: usize, id: i32, op: usize, margin_db: f64) {
    let r = (iy - w.iy0) * w.nx;
    for i in 0..w.nx {
        let v = w.rsrp_dbm[r + i];
        if v.is_nan() {
            continue;
        }
        let ix = w.ix0 + i;
        let best = &mut row.best[ix];
        let near = &mut row.near[ix];
        if best.is_nan() || v > *best {
            *best = v;
            row.server[ix] = id;
            near.retain(|&x| x as f64 >= v as f64 - margin_db);
        }
        if v as f64 >= *best as f64 - margin_db {
            near.push(v);
        }
        row.total_mw[ix] += w.total_mw[r + i] as f64;
        if let Some(o) = row.ops.get_mut(op).map(|o| &mut o[ix]) {
            if o.is_nan() || v > *o {
                *o = v;
            }
        }
    }
}

/// Combines windows (in any order; they are sorted by site index here) into rasters on `grid`.
pub fn combine(
    grid: &GridSpec,
    sites: &[Site],
    windows: &[SiteWindow],
    p: &CoverageParams,
) -> CoverageRasters {
    let mut c = Combiner::new(grid, sites, p);
    let mut order: Vec<&SiteWindow> = windows.iter().collect();
    order.sort_by_key(|w| w.site);
    order.dedup_by_key(|w| w.site);
    // Sorted and without repeats, so `add` cannot refuse it.
    let _ = c.add(&order);
    c.finish()
}

/// Computes every site's coverage and folds it into study-wide rasters, [`SITES_PER_CHUNK`] sites
/// at a time (computed in parallel, folded in site order). Sites whose range misses the grid are
/// skipped. `progress` is advanced once per site.
pub fn compute_coverage(
    terrain: &Terrain,
    sites: &[Site],
    p: &CoverageParams,
    progress: &dyn Progress,
) -> CoverageRasters {
    compute_coverage_chunked(terrain, sites, p, progress, SITES_PER_CHUNK)
}

/// [`compute_coverage`] with `sites_per_chunk` windows held at once (at least 1); the rasters do not
/// depend on it.
pub fn compute_coverage_chunked(
    terrain: &Terrain,
    sites: &[Site],
    p: &CoverageParams,
    progress: &dyn Progress,
    sites_per_chunk: usize,
) -> CoverageRasters {
    let per = sites_per_chunk.max(1);
    progress.start("coverage", sites.len() as u64);
    let mut c = Combiner::new(terrain.grid(), sites, p);
    for (k, chunk) in sites.chunks(per).enumerate() {
        let base = k * per;
        let windows: Vec<SiteWindow> = chunk
            .par_iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let w = site_window(base + i, s, terrain, p);
                progress.advance(1);
                w
            })
            .collect();
        // Chunks arrive in increasing site order, each collected in order, so this cannot fail.
        let _ = c.add(&windows.iter().collect::<Vec<_>>());
    }
    progress.finish();
    c.finish()
}
