//! One site's signal over its own window of the study grid, by radial terrain walks.

use crate::clutter::ClutterUse;
use crate::coverage::CoverageParams;
use crate::grid::GridSpec;
use crate::propagation::models::{
    LinkSpec, LossTable, ProfilePoint, RadialBatch, TerrainProfile, Warnings,
};
use crate::radio::Site;
use crate::terrain::Terrain;

/// A site's best-sector RSRP and total received power over a rectangular window of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteWindow {
    /// Index of the site in the study's site list.
    pub site: usize,
    pub ix0: usize,
    pub iy0: usize,
    pub nx: usize,
    pub ny: usize,
    /// RSRP of the site's strongest sector, dBm; NaN beyond the site's computed range.
    pub rsrp_dbm: Vec<f32>,
    /// Sum over the site's sectors of RSRP, linear mW (0 beyond range).
    pub total_mw: Vec<f32>,
    /// The model's warnings and refusals over the window.
    pub warnings: Warnings,
}

impl SiteWindow {
    /// Value at a grid cell, if the window covers it and the site reaches it.
    pub fn rsrp_at(&self, ix: usize, iy: usize) -> Option<f32> {
        if ix < self.ix0 || iy < self.iy0 || ix >= self.ix0 + self.nx || iy >= self.iy0 + self.ny {
            return None;
        }
        let v = self.rsrp_dbm[(iy - self.iy0) * self.nx + ix - self.ix0];
        (!v.is_nan()).then_some(v)
    }
}

/// Distance out to which a site is computed: where its best sector's RSRP, without terrain, falls
/// `range_margin_db` below the threshold (capped at `max_radius_m`).
pub fn site_range_m(site: &Site, p: &CoverageParams) -> f64 {
    let floor_dbm = p.threshold_rsrp_dbm - p.range_margin_db;
    site.sectors
        .iter()
        .map(|s| {
            let max_loss = s.rs_eirp_dbm() - floor_dbm;
            p.model
                .range_m(&link(site, p, s.freq_mhz), max_loss, p.max_radius_m)
        })
        .fold(0.0, f64::max)
}

/// The link from `site` at `freq_mhz` to a receiver at the study's handset height.
pub(crate) fn link(site: &Site, p: &CoverageParams, freq_mhz: f64) -> LinkSpec {
    LinkSpec {
        freq_mhz,
        tx_height_m: site.height_m,
        rx_height_m: p.rx_height_m,
    }
}

/// Path loss (dB) from `site` over its window, one value per cell (NaN beyond range), and the model's
/// warnings. Radials are cast from the site to every cell on the window's border and sampled every
/// `sample_step` cells; each cell keeps the smallest loss of the samples falling in it, and cells
/// no radial sample lands in take the mean of their computed neighbours.
fn loss_window(
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
    freq_mhz: f64,
    w: &Window,
) -> (Vec<f32>, Warnings) {
    let g = terrain.grid();
    let step_m = g.cell_m * p.step_cells();
    let n_max = (w.radius_m / step_m).ceil() as usize + 1;
    let table = p.model.loss_table(&link(site, p, freq_mhz), step_m, n_max);
    let walk = RadialWalk {
        site,
        terrain,
        table: &table,
        w,
        ground0: terrain.height_at(site.x_m, site.y_m) as f64,
    };
    let mut loss = vec![f32::NAN; w.nx * w.ny];
    walk.put(site.x_m, site.y_m, table.origin_db(), &mut loss);
    let targets = border_targets(g, site, w.radius_m);
    let mut warnings = Warnings::default();
    if table.is_costly() {
        // Costly models: the border is cut into a fixed number of arcs computed in parallel. With a
        // whole-radial evaluator (ITM, P.1812) each arc gives a cell the loss at its sample nearest
        // the cell's centre, and across arcs the nearest wins (ties: the earlier arc); otherwise
        // each arc is first-radial-wins and the earlier arc wins. Same result at any thread count.
        use rayon::prelude::*;
        const ARCS: usize = 16;
        let batch = table.radial_batch();
        let chunk = targets.len().div_ceil(ARCS).max(1);
        let parts: Vec<(Vec<f32>, Vec<f32>, Warnings)> = targets
            .par_chunks(chunk)
            .map(|arc| {
                let mut part = vec![f32::NAN; w.nx * w.ny];
                let mut dist2 = vec![f32::INFINITY; w.nx * w.ny];
                let mut warn = Warnings::default();
                match &batch {
                    Some(b) => walk.arc_batch(arc, b.as_ref(), &mut part, &mut dist2, &mut warn),
                    None => {
                        for &t in arc {
                            walk.radial(t, &mut part, &mut warn);
                        }
                        // First radial wins within the arc, the earlier arc across arcs.
                        for (d, v) in dist2.iter_mut().zip(&part) {
                            if !v.is_nan() {
                                *d = 0.0;
                            }
                        }
                    }
                }
                (part, dist2, warn)
            })
            .collect();
        // The site's own cell keeps its origin loss.
        let mut best: Vec<f32> = loss
            .iter()
            .map(|v| {
                if v.is_nan() {
                    f32::INFINITY
                } else {
                    f32::NEG_INFINITY
                }
            })
            .collect();
        for (part, dist2, warn) in parts {
            warnings.merge(&warn);
            for (((c, b), v), d) in loss.iter_mut().zip(best.iter_mut()).zip(part).zip(dist2) {
                if !v.is_nan() && d < *b {
                    *c = v;
                    *b = d;
                }
            }
        }
    } else {
        for &t in &targets {
            walk.radial(t, &mut loss, &mut warnings);
        }
    }
    fill_holes(&mut loss, w, g, site);
    add_receiver_clutter(&mut loss, w, terrain, p, site, &link(site, p, freq_mhz));
    (loss, warnings)
}

/// The loss the receiver cell's land cover adds, for the model's family ([`ClutterUse`]): the
/// class offset (Hata family), or ITU-R P.2108-1 §3.1's A_h (ITM, 3GPP). P.2108's A_h is to be
/// added to a path computed to the representative clutter height R, not to the handset height
/// h, so the model's own height gain from h to R over average ground at that distance is taken
/// off (clamped at 0): L(h) − [L_area(h) − L_area(R)] + A_h. Distances are rounded to whole
/// cells so windows and single points agree. `None` without a clutter map or for P.1812.
pub(crate) struct ReceiverClutter<'a> {
    map: &'a crate::clutter::ClutterMap,
    p: &'a CoverageParams,
    link: LinkSpec,
    /// Offset or A_h per class code, dB.
    db: [f32; 256],
    /// Representative height R per class code where the height gain applies (P.2108, R > h).
    raise_to_m: [Option<f64>; 256],
    cell_m: f64,
}

impl<'a> ReceiverClutter<'a> {
    pub(crate) fn new(
        terrain: &'a Terrain,
        p: &'a CoverageParams,
        link: &LinkSpec,
    ) -> Option<Self> {
        let map = terrain.clutter.as_ref()?;
        let usage = ClutterUse::of(&p.model.model);
        if usage == ClutterUse::ProfileHeights {
            return None;
        }
        let (mut db, mut raise_to_m) = ([0f32; 256], [None; 256]);
        for c in &map.table.classes {
            db[c.code as usize] = usage.receiver_db(link, c, map.table.street_width_m) as f32;
            if usage == ClutterUse::P2108Terminal
                && c.p2108.is_some()
                && c.height_m > link.rx_height_m
            {
                raise_to_m[c.code as usize] = Some(c.height_m);
            }
        }
        Some(ReceiverClutter {
            map,
            p,
            link: *link,
            db,
            raise_to_m,
            cell_m: terrain.grid().cell_m,
        })
    }

    /// The model's gain, over average ground, from raising the receiver to `r_m` at `d_m`
    /// (rounded to whole cells), dB ≥ 0.
    fn height_gain_db(&self, r_m: f64, d_m: f64) -> f64 {
        let d = ((d_m / self.cell_m).round().max(1.0)) * self.cell_m;
        let raised = LinkSpec {
            rx_height_m: r_m,
            ..self.link
        };
        let m = &self.p.model;
        (m.base_loss_db(&self.link, d) - m.base_loss_db(&raised, d)).max(0.0)
    }

    /// The loss added for a receiver of class `code` at `d_m` from the site, dB.
    pub(crate) fn loss_db(&self, code: u8, d_m: f64) -> f64 {
        let base = f64::from(self.db[code as usize]);
        match self.raise_to_m[code as usize] {
            Some(r) => base - self.height_gain_db(r, d_m),
            None => base,
        }
    }

    /// The loss added at a point (its cell's class), dB; 0 outside the map or with no class.
    pub(crate) fn at(&self, x: f64, y: f64, d_m: f64) -> f64 {
        self.map
            .class_at(x, y)
            .map_or(0.0, |c| self.loss_db(c.code, d_m))
    }
}

/// Adds the receiver-cell clutter loss to every computed cell of a window: the one place the
/// receiver's land cover enters the radial engine's and the exact evaluation's losses.
pub(crate) fn add_receiver_clutter(
    loss: &mut [f32],
    w: &Window,
    terrain: &Terrain,
    p: &CoverageParams,
    site: &Site,
    link: &LinkSpec,
) {
    let Some(rc) = ReceiverClutter::new(terrain, p, link) else {
        return;
    };
    let g = terrain.grid();
    // Height gains per clutter height and whole-cell distance, computed once per window (classes
    // sharing a height share the row).
    let n_bins = (w.radius_m / g.cell_m).ceil() as usize + 2;
    let mut rows: Vec<(f64, Vec<f32>)> = Vec::new();
    let mut table: Vec<Option<usize>> = vec![None; 256];
    for (code, r) in rc.raise_to_m.iter().enumerate() {
        let Some(r) = *r else { continue };
        let row = rows.iter().position(|(h, _)| *h == r).unwrap_or_else(|| {
            let gains = (0..n_bins)
                .map(|k| rc.height_gain_db(r, k as f64 * g.cell_m) as f32)
                .collect();
            rows.push((r, gains));
            rows.len() - 1
        });
        table[code] = Some(row);
    }
    for j in 0..w.ny {
        for i in 0..w.nx {
            let v = &mut loss[j * w.nx + i];
            if v.is_nan() {
                continue;
            }
            let code = rc.map.classes.get(w.ix0 + i, w.iy0 + j);
            let mut add = rc.db[code as usize];
            if let Some(t) = table[code as usize].map(|r| &rows[r].1) {
                let (x, y) = g.center(w.ix0 + i, w.iy0 + j);
                let d = (x - site.x_m).hypot(y - site.y_m);
                let k = ((d / g.cell_m).round().max(1.0) as usize).min(t.len() - 1);
                add -= t[k];
            }
            *v += add;
        }
    }
}

/// Border cells of the (unclipped) square of half-size `radius_m` (+1 cell) around the site's cell,
/// in order (top, right, bottom, left), so chunks of it are contiguous arcs.
fn border_targets(g: &GridSpec, site: &Site, radius_m: f64) -> Vec<(i64, i64)> {
    let rc = (radius_m / g.cell_m).ceil() as i64 + 1;
    let (cx, cy) = g.frac(site.x_m, site.y_m);
    let (cx, cy) = (cx.floor() as i64, cy.floor() as i64);
    let mut targets = Vec::with_capacity(8 * rc as usize);
    targets.extend((-rc..rc).map(|t| (cx + t, cy - rc)));
    targets.extend((-rc..rc).map(|t| (cx + rc, cy + t)));
    targets.extend((-rc..rc).map(|t| (cx - t, cy + rc)));
    targets.extend((-rc..rc).map(|t| (cx - rc, cy - t)));
    targets
}

/// What every radial of one site and frequency shares.
struct RadialWalk<'a> {
    site: &'a Site,
    terrain: &'a Terrain,
    table: &'a LossTable,
    w: &'a Window,
    ground0: f64,
}

impl RadialWalk<'_> {
    /// Index in the window of the cell holding (x, y), if any.
    fn cell(&self, x: f64, y: f64) -> Option<usize> {
        let w = self.w;
        self.terrain
            .grid()
            .cell_of(x, y)
            .filter(|&(ix, iy)| {
                ix >= w.ix0 && iy >= w.iy0 && ix < w.ix0 + w.nx && iy < w.iy0 + w.ny
            })
            .map(|(ix, iy)| (iy - w.iy0) * w.nx + ix - w.ix0)
    }

    /// Keeps the smaller loss at the cell holding (x, y).
    fn put(&self, x: f64, y: f64, v: f64, loss: &mut [f32]) {
        if let Some(c) = self.cell(x, y) {
            self.put_cell(c, v, loss);
        }
    }

    /// Keeps the smaller loss at window cell `c`.
    fn put_cell(&self, c: usize, v: f64, loss: &mut [f32]) {
        let (c, v) = (&mut loss[c], v as f32);
        if c.is_nan() || v < *c {
            *c = v;
        }
    }

    /// Unit vector from the site towards the centre of border cell (tx, ty), if distinct.
    fn direction(&self, (tx, ty): (i64, i64)) -> Option<(f64, f64)> {
        let (g, site) = (self.terrain.grid(), self.site);
        let (ex, ey) = (
            g.x0_m + (tx as f64 + 0.5) * g.cell_m,
            g.y0_m - (ty as f64 + 0.5) * g.cell_m,
        );
        let (dx, dy) = (ex - site.x_m, ey - site.y_m);
        let len = (dx * dx + dy * dy).sqrt();
        (len > 0.0).then(|| (dx / len, dy / len))
    }

    /// Sample k of the radial along (ux, uy): its position, or `None` once it leaves the radius,
    /// the table or the grid.
    fn sample(&self, (ux, uy): (f64, f64), k: usize) -> Option<(f64, f64)> {
        let g = self.terrain.grid();
        let d = k as f64 * self.table.step_m();
        if k > self.table.len() || d > self.w.radius_m {
            return None;
        }
        let (x, y) = (self.site.x_m + ux * d, self.site.y_m + uy * d);
        let inside = x >= g.x0_m && x < g.x1_m() && y <= g.y0_m && y > g.y1_m();
        inside.then_some((x, y))
    }

    /// Centre of window cell `c`.
    fn centre(&self, c: usize) -> (f64, f64) {
        let w = self.w;
        self.terrain
            .grid()
            .center(w.ix0 + c % w.nx, w.iy0 + c / w.nx)
    }

    /// The radials of one arc through a whole-radial evaluator: each cell the arc reaches is
    /// evaluated once, at the arc's sample nearest its centre (ties: the earlier radial and
    /// sample), so its loss is the model's on a profile ending as close to the centre as the
    /// radials pass. `dist2` gets that sample's squared distance to the centre, m².
    fn arc_batch(
        &self,
        arc: &[(i64, i64)],
        batch: &dyn RadialBatch,
        loss: &mut [f32],
        dist2: &mut [f32],
        warnings: &mut Warnings,
    ) {
        let dirs: Vec<Option<(f64, f64)>> = arc.iter().map(|&t| self.direction(t)).collect();
        // The nearest sample per cell: (squared distance, radial, sample).
        let mut best = vec![(f32::INFINITY, 0u32, 0u32); loss.len()];
        for (r, u) in dirs.iter().enumerate() {
            let Some(u) = *u else { continue };
            for k in 1.. {
                let Some((x, y)) = self.sample(u, k) else {
                    break;
                };
                if let Some(c) = self.cell(x, y) {
                    let (cx, cy) = self.centre(c);
                    let d2 = ((x - cx).powi(2) + (y - cy).powi(2)) as f32;
                    if d2 < best[c].0 {
                        best[c] = (d2, r as u32, k as u32);
                    }
                }
            }
        }
        let mut wanted: Vec<Vec<usize>> = vec![Vec::new(); arc.len()];
        for &(d2, r, k) in &best {
            if d2.is_finite() {
                wanted[r as usize].push(k as usize);
            }
        }
        for (r, u) in dirs.iter().enumerate() {
            let (Some(u), Some(&n)) = (*u, wanted[r].iter().max()) else {
                continue;
            };
            // Samples past the last wanted one only lengthen the profile: not passed on.
            let mut points = vec![self.terrain.point_at(self.site.x_m, self.site.y_m)];
            let mut cells = vec![None];
            for k in 1..=n {
                let xy = self.sample(u, k);
                let (x, y) = xy.unwrap_or((self.site.x_m, self.site.y_m));
                points.push(self.terrain.point_at(x, y));
                cells.push(xy.and_then(|(x, y)| self.cell(x, y)));
            }
            let mut mask = vec![false; n];
            for &k in &wanted[r] {
                mask[k - 1] = true;
            }
            let losses = batch.losses(&points, &mask, warnings);
            for &k in &wanted[r] {
                if let (Some(c), l) = (cells[k], losses[k - 1]) {
                    if !l.is_nan() {
                        loss[c] = l as f32;
                        dist2[c] = best[c].0;
                    }
                }
            }
        }
    }

    /// One radial towards border cell `target`: the loss at each sample until it leaves the
    /// radius or the grid.
    fn radial(&self, target: (i64, i64), loss: &mut [f32], warnings: &mut Warnings) {
        let Some(u) = self.direction(target) else {
            return;
        };
        let costly = self.table.is_costly();
        let mut walker = self.table.walker(self.ground0);
        for k in 1.. {
            let Some((x, y)) = self.sample(u, k) else {
                break;
            };
            let pt = self.terrain.point_at(x, y);
            // Costly models (ITM) evaluate each cell once, on the first radial (in border order)
            // that reaches it.
            if costly && self.cell(x, y).is_some_and(|c| !loss[c].is_nan()) {
                walker.skip(&pt);
                continue;
            }
            let l = walker.step(&pt);
            if !l.is_nan() {
                self.put(x, y, l, loss);
            }
        }
        warnings.merge(walker.warnings());
    }
}

/// Fills cells inside the radius that no radial sample reached with the mean of computed neighbours.
fn fill_holes(loss: &mut [f32], w: &Window, g: &GridSpec, site: &Site) {
    let r2 = w.radius_m * w.radius_m;
    for _ in 0..2 {
        let snapshot = loss.to_vec();
        for j in 0..w.ny {
            for i in 0..w.nx {
                if !snapshot[j * w.nx + i].is_nan() {
                    continue;
                }
                let (x, y) = g.center(w.ix0 + i, w.iy0 + j);
                if (x - site.x_m).powi(2) + (y - site.y_m).powi(2) > r2 {
                    continue;
                }
                let (mut s, mut n) = (0f32, 0);
                for dj in -1i64..=1 {
                    for di in -1i64..=1 {
                        let (a, b) = (i as i64 + di, j as i64 + dj);
                        if a < 0 || b < 0 || a >= w.nx as i64 || b >= w.ny as i64 {
                            continue;
                        }
                        let v = snapshot[b as usize * w.nx + a as usize];
                        if !v.is_nan() {
                            s += v;
                            n += 1;
                        }
                    }
                }
                if n > 0 {
                    loss[j * w.nx + i] = s / n as f32;
                }
            }
        }
    }
}

/// A site's computed window of the grid and its radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    pub ix0: usize,
    pub iy0: usize,
    pub nx: usize,
    pub ny: usize,
    pub radius_m: f64,
}

/// The window of grid cells within a site's range, `None` when it misses the grid (or the site
/// has no sector).
pub(crate) fn window_of(site: &Site, terrain: &Terrain, p: &CoverageParams) -> Option<Window> {
    let g = terrain.grid();
    let radius_m = site_range_m(site, p);
    let (fx0, fy0) = g.frac(site.x_m - radius_m, site.y_m + radius_m);
    let (fx1, fy1) = g.frac(site.x_m + radius_m, site.y_m - radius_m);
    let ix0 = fx0.floor().max(0.0) as usize;
    let iy0 = fy0.floor().max(0.0) as usize;
    let ix1 = (fx1.floor() as i64).min(g.nx as i64 - 1);
    let iy1 = (fy1.floor() as i64).min(g.ny as i64 - 1);
    if ix1 < ix0 as i64 || iy1 < iy0 as i64 || site.sectors.is_empty() {
        return None;
    }
    Some(Window {
        ix0,
        iy0,
        nx: ix1 as usize - ix0 + 1,
        ny: iy1 as usize - iy0 + 1,
        radius_m,
    })
}

/// The distinct carrier frequencies of a site's sectors, ascending, MHz.
pub(crate) fn distinct_freqs(site: &Site) -> Vec<f64> {
    let mut freqs: Vec<f64> = site.sectors.iter().map(|s| s.freq_mhz).collect();
    freqs.sort_by(f64::total_cmp);
    freqs.dedup();
    freqs
}

/// A site's path loss over its window, one layer per distinct sector frequency.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteLosses {
    /// Index of the site in the study's site list.
    pub site: usize,
    pub ix0: usize,
    pub iy0: usize,
    pub nx: usize,
    pub ny: usize,
    /// Distance out to which the site is computed ([`site_range_m`]), m.
    pub radius_m: f64,
    /// The distinct sector frequencies, ascending, MHz.
    pub freqs_mhz: Vec<f64>,
    /// Path loss per frequency (same order), row-major over the window, dB; NaN beyond range or
    /// where the model refused every path to the cell.
    pub loss_db: Vec<Vec<f32>>,
    /// The model's warnings and refusals over the window.
    pub warnings: Warnings,
}

impl SiteLosses {
    fn window(&self) -> Window {
        Window {
            ix0: self.ix0,
            iy0: self.iy0,
            nx: self.nx,
            ny: self.ny,
            radius_m: self.radius_m,
        }
    }
}

/// One site's path loss over its window by the radial engine. `None` when the site's range misses
/// the grid entirely.
pub fn site_losses(
    index: usize,
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
) -> Option<SiteLosses> {
    let w = window_of(site, terrain, p)?;
    let freqs = distinct_freqs(site);
    let mut warnings = Warnings::default();
    let loss_db: Vec<Vec<f32>> = freqs
        .iter()
        .map(|&f| {
            let (l, warn) = loss_window(site, terrain, p, f, &w);
            warnings.merge(&warn);
            l
        })
        .collect();
    Some(SiteLosses {
        site: index,
        ix0: w.ix0,
        iy0: w.iy0,
        nx: w.nx,
        ny: w.ny,
        radius_m: w.radius_m,
        freqs_mhz: freqs,
        loss_db,
        warnings,
    })
}

/// Computes one site's window. `None` when the site's range misses the grid entirely.
pub fn site_window(
    index: usize,
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
) -> Option<SiteWindow> {
    site_losses(index, site, terrain, p).map(|l| site_rsrp(site, terrain, p, &l))
}

/// The site's best-sector RSRP and total received power from its path losses: each sector's
/// reference-signal EIRP plus its antenna gain towards the cell centre, less the loss at its
/// frequency.
pub fn site_rsrp(site: &Site, terrain: &Terrain, p: &CoverageParams, l: &SiteLosses) -> SiteWindow {
    let g = terrain.grid();
    let w = l.window();
    let (freqs, losses) = (&l.freqs_mhz, &l.loss_db);
    let tx_z = terrain.height_at(site.x_m, site.y_m) as f64 + site.height_m;
    let mut rsrp = vec![f32::NAN; w.nx * w.ny];
    let mut total = vec![0f32; w.nx * w.ny];
    for j in 0..w.ny {
        for i in 0..w.nx {
            let c = j * w.nx + i;
            let (x, y) = g.center(w.ix0 + i, w.iy0 + j);
            let (dx, dy) = (x - site.x_m, y - site.y_m);
            let d = (dx * dx + dy * dy).sqrt().max(1.0);
            let azimuth = dx.atan2(dy).to_degrees();
            let rx_z = terrain.height_m.get(w.ix0 + i, w.iy0 + j) as f64 + p.rx_height_m;
            let depression = (tx_z - rx_z).atan2(d).to_degrees();
            let (mut best, mut sum) = (f64::NEG_INFINITY, 0.0);
            for s in &site.sectors {
                let fi = freqs.iter().position(|&f| f == s.freq_mhz).unwrap_or(0);
                let l = losses[fi][c];
                if l.is_nan() {
                    continue;
                }
                let v = s.rs_eirp_dbm() + s.gain_db(azimuth, depression) - l as f64;
                best = best.max(v);
                sum += 10f64.powf(v / 10.0);
            }
            if best.is_finite() {
                rsrp[c] = best as f32;
                total[c] = sum as f32;
            }
        }
    }
    SiteWindow {
        site: l.site,
        ix0: w.ix0,
        iy0: w.iy0,
        nx: w.nx,
        ny: w.ny,
        rsrp_dbm: rsrp,
        total_mw: total,
        warnings: l.warnings.clone(),
    }
}

/// The direct path from `site` to (x, y), `d_m` away (≥ 1 m), in equal steps no longer than
/// `step_max_m`: ground heights by bilinear interpolation and the land cover of the cell under
/// each point ([`Terrain::point_at`]), the site's point first and (x, y) last.
pub(crate) fn direct_profile(
    site: &Site,
    terrain: &Terrain,
    (x, y): (f64, f64),
    d_m: f64,
    step_max_m: f64,
) -> TerrainProfile {
    let (dx, dy, d) = (x - site.x_m, y - site.y_m, d_m);
    let n = ((d / step_max_m).ceil() as usize).max(1);
    let step_m = d / n as f64;
    let points: Vec<ProfilePoint> = (0..=n)
        .map(|k| match k {
            0 => terrain.point_at(site.x_m, site.y_m),
            _ if k == n => terrain.point_at(x, y),
            _ => {
                let dk = k as f64 * step_m;
                terrain.point_at(site.x_m + dx * dk / d, site.y_m + dy * dk / d)
            }
        })
        .collect();
    TerrainProfile { step_m, points }
}

/// RSRP (dBm) of `site`'s best sector at one point, computed along the direct path: the reference
/// the raster engine is tested against, and what gap analysis uses. `with_terrain = false` drops
/// diffraction (used to tell terrain shadow from lack of range).
pub fn point_rsrp_dbm(
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
    x: f64,
    y: f64,
    with_terrain: bool,
) -> f64 {
    let g = terrain.grid();
    let (dx, dy) = (x - site.x_m, y - site.y_m);
    let d = (dx * dx + dy * dy).sqrt().max(1.0);
    let tx_z = terrain.height_at(site.x_m, site.y_m) as f64 + site.height_m;
    let rx_ground = terrain.height_at(x, y) as f64;
    let azimuth = dx.atan2(dy).to_degrees();
    let depression = (tx_z - rx_ground - p.rx_height_m).atan2(d).to_degrees();
    // The direct path in n equal steps no longer than the engine's sampling step.
    let profile = direct_profile(site, terrain, (x, y), d, g.cell_m * p.step_cells());
    let mut best = f64::NEG_INFINITY;
    for s in &site.sectors {
        let link = link(site, p, s.freq_mhz);
        // The receiver cell's clutter loss, as the radial engine adds it.
        let clutter_db = ReceiverClutter::new(terrain, p, &link).map_or(0.0, |rc| rc.at(x, y, d));
        let l = clutter_db
            + if with_terrain {
                p.model
                    .profile_loss_db(&link, &profile)
                    .map_or(f64::NAN, |(l, _)| l)
            } else {
                p.model.base_loss_db(&link, d)
            };
        if l.is_nan() {
            continue;
        }
        best = best.max(s.rs_eirp_dbm() + s.gain_db(azimuth, depression) - l);
    }
    best
}

/// One point seen from one site along the direct path, sector by sector (used to predict
/// drive-test measurements): the ground distance, the loss at each sector's frequency and each
/// sector's gain toward the point.
#[derive(Clone, Debug, PartialEq)]
pub struct PointLinks {
    /// Ground distance from the site, m (≥ 1).
    pub distance_m: f64,
    /// Per sector, in the site's order: path loss at its frequency along the direct path, dB
    /// (NaN where the model refuses the path).
    pub loss_db: Vec<f64>,
    /// Per sector: relative antenna gain toward the point, dB (≤ 0), as coverage applies it.
    pub gain_db: Vec<f64>,
}

/// The sector-by-sector view of (x, y) from `site` with the model of `p`: the same profile,
/// loss and antenna gain as [`point_rsrp_dbm`] (with terrain), one loss per distinct frequency.
pub fn point_links(
    site: &Site,
    terrain: &Terrain,
    p: &CoverageParams,
    x: f64,
    y: f64,
) -> PointLinks {
    let g = terrain.grid();
    let (dx, dy) = (x - site.x_m, y - site.y_m);
    let d = (dx * dx + dy * dy).sqrt().max(1.0);
    let tx_z = terrain.height_at(site.x_m, site.y_m) as f64 + site.height_m;
    let rx_ground = terrain.height_at(x, y) as f64;
    let azimuth = dx.atan2(dy).to_degrees();
    let depression = (tx_z - rx_ground - p.rx_height_m).atan2(d).to_degrees();
    let profile = direct_profile(site, terrain, (x, y), d, g.cell_m * p.step_cells());
    let mut by_freq: Vec<(f64, f64)> = Vec::new();
    let mut loss_db = Vec::with_capacity(site.sectors.len());
    for s in &site.sectors {
        let l = match by_freq.iter().find(|(f, _)| *f == s.freq_mhz) {
            Some(&(_, l)) => l,
            None => {
                let link = link(site, p, s.freq_mhz);
                // The receiver cell's clutter loss, as the radial engine adds it.
                let clutter_db =
                    ReceiverClutter::new(terrain, p, &link).map_or(0.0, |rc| rc.at(x, y, d));
                let l = clutter_db
                    + p.model
                        .profile_loss_db(&link, &profile)
                        .map_or(f64::NAN, |(l, _)| l);
                by_freq.push((s.freq_mhz, l));
                l
            }
        };
        loss_db.push(l);
    }
    PointLinks {
        distance_m: d,
        loss_db,
        gain_db: site
            .sectors
            .iter()
            .map(|s| s.gain_db(azimuth, depression))
            .collect(),
    }
}
