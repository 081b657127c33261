//! A prepared study: grid, terrain, study mask, communes, hamlets, sites — real where given,
//! synthesised otherwise — and its folder of input files, which every later stage reads back.

use crate::crs::Projector;
use crate::error::{Context, Error, Result};
use crate::io::raster_in::{read_raster_to_grid, Resample};
use crate::io::vector_in::{self, CommuneFields, HamletFields};
use crate::io::{atomic, gpkg, layer, raster_out, sites_csv};
use crate::scenario::Scenario;
use crate::synth;
use geo::{BoundingRect, LineString, MultiPolygon};
use phusong_engine::demand::{Commune, Hamlet, VillageCells};
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::radio::Site;
use phusong_engine::terrain::Terrain;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File names inside a run folder's `inputs/`.
pub mod files {
    pub const DIR: &str = "inputs";
    pub const STUDY: &str = "study.json";
    pub const DEM: &str = "dem_m.tif";
    /// Land-cover class codes (u8) on the study grid, and their table.
    pub const CLUTTER: &str = "clutter.tif";
    pub const CLUTTER_CLASSES: &str = "clutter_classes.csv";
    pub const MASK: &str = "study_mask.tif";
    pub const COMMUNE_ID: &str = "commune_id.tif";
    pub const COMMUNES: &str = "communes.gpkg";
    pub const HAMLETS: &str = "hamlets.gpkg";
    pub const ROADS: &str = "roads.gpkg";
    pub const SITES: &str = "sites.csv";
}

/// What `inputs/study.json` records: the grid and which layers are synthetic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    pub name: String,
    pub grid: GridSpec,
    pub seed: u64,
    /// Layers produced by phusong's synthesiser rather than read from real data.
    pub synthetic_layers: Vec<String>,
    /// Where each real layer came from.
    pub real_layers: Vec<String>,
    /// Province population as the census/commune layer gives it (or the synthesiser's total).
    pub population: u64,
    /// What the input checks found and let through (features outside the study area, stray
    /// OpenCelliD cells…), one sentence each; copied into `summary.json`.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The synthesiser's counts (sites, hamlets, …), each with the rule that derived it or a note
    /// that the scenario gave it; copied into `summary.json`.
    #[serde(default)]
    pub counts: Vec<crate::derive::CountRule>,
}

impl StudyInfo {
    /// Reads `run_dir/inputs/study.json` (the grid and the layers' provenance) alone.
    pub fn load(run_dir: &Path) -> Result<StudyInfo> {
        let info_path = run_dir.join(files::DIR).join(files::STUDY);
        let text = std::fs::read_to_string(&info_path).map_err(|e| {
            Error::input(
                &info_path,
                format!("cannot read ({e}); run `phusong synth` first"),
            )
        })?;
        let info: StudyInfo =
            serde_json::from_str(&text).map_err(|e| Error::input(&info_path, e.to_string()))?;
        info.check_grid()
            .map_err(|m| Error::input(&info_path, format!("grid.{m}")))?;
        check_memory(info.grid.len())?;
        Ok(info)
    }

    /// The grid as `study.json` gives it (perhaps edited by hand) must be one phusong can compute
    /// on: the same ranges as the scenario's `resolution_m` and `crs_epsg`.
    fn check_grid(&self) -> std::result::Result<(), String> {
        let g = &self.grid;
        if !(g.cell_m.is_finite() && (10.0..=1000.0).contains(&g.cell_m)) {
            return Err(format!(
                "cell_m = {}: expected 10–1000 m (the scenario's resolution_m)",
                g.cell_m
            ));
        }
        if !(g.x0_m.is_finite() && g.y0_m.is_finite() && g.x0_m.abs() < 1e8 && g.y0_m.abs() < 1e8) {
            return Err(format!(
                "x0_m, y0_m = {}, {}: expected finite coordinates in metres of EPSG:{}",
                g.x0_m, g.y0_m, g.epsg
            ));
        }
        if g.nx == 0 || g.ny == 0 || g.nx > 1_000_000 || g.ny > 1_000_000 {
            return Err(format!(
                "nx × ny = {} × {}: expected 1–1000000 cells each way",
                g.nx, g.ny
            ));
        }
        if !(1024..=32767).contains(&g.epsg) {
            return Err(format!(
                "epsg = {}: expected an EPSG code of a projected CRS in metres",
                g.epsg
            ));
        }
        Ok(())
    }
}

/// Everything the coverage, gap and plan stages need.
pub struct Study {
    pub info: StudyInfo,
    pub proj: Projector,
    pub terrain: Terrain,
    /// 1 = land cell inside the study area.
    pub mask: Raster<u8>,
    /// Commune index per cell, −1 outside every commune.
    pub commune_of_cell: Raster<i32>,
    pub communes: Vec<Commune>,
    pub hamlets: Vec<Hamlet>,
    /// Every hamlet's cells on the grid and the people in each (from its polygon).
    pub village_cells: VillageCells,
    pub sites: Vec<Site>,
    pub roads: Vec<LineString<f64>>,
}

fn real_path(s: &Scenario, given: &Option<PathBuf>, under_real: &str) -> Option<PathBuf> {
    given.as_ref().map(|p| s.resolve(p)).or_else(|| {
        s.inputs
            .real_layers
            .as_ref()
            .map(|d| s.resolve(d).join(under_real))
            .filter(|p| p.exists())
    })
}

/// Towns (x, y, population) from the GeoNames TSV (name, geonameid, admin_ids, country_idx, population, lat, lon).
pub fn read_places(path: &Path, proj: &Projector) -> Result<Vec<(String, f64, f64, u64)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            return Err(Error::record(
                path,
                "line",
                i + 1,
                format!("expected 7 tab-separated fields, found {}", f.len()),
            ));
        }
        let num = |k: usize, what: &str| {
            f[k].trim().parse::<f64>().map_err(|_| {
                Error::record(
                    path,
                    "line",
                    i + 1,
                    format!("{what} {} is not a number", crate::io::shown_value(f[k])),
                )
            })
        };
        let (pop, lat, lon) = (num(4, "population")?, num(5, "lat")?, num(6, "lon")?);
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(Error::record(
                path,
                "line",
                i + 1,
                format!("lat {lat}, lon {lon}: expected −90…90° and −180…180°"),
            ));
        }
        let (x, y) = proj.project(lon, lat)?;
        out.push((f[0].to_string(), x, y, pop.max(0.0) as u64));
    }
    Ok(out)
}

/// What [`Study::prepare`] carries from step to step: the scenario, its projection, and which
/// layers so far are real (with their source) or synthetic.
struct Prep<'a> {
    s: &'a Scenario,
    proj: Projector,
    synthetic: Vec<String>,
    real: Vec<String>,
    warnings: Vec<String>,
    /// The real commune layer, when one is given (named in errors about the study area).
    communes_path: Option<PathBuf>,
}

/// A town: x, y (m, study CRS) and population.
type Town = (f64, f64, u64);

/// Census population per commune, the study's total, and the synthesiser's counts.
struct Population {
    census: Vec<Option<u64>>,
    total: u64,
    counts: crate::derive::Counts,
}

impl Prep<'_> {
    /// [min_lon, min_lat, max_lon, max_lat] of the grid, from its corners and edge midpoints.
    fn lon_lat_box(&self, g: &GridSpec) -> Result<[f64; 4]> {
        let (x0, x1, y0, y1) = (g.x0_m, g.x1_m(), g.y1_m(), g.y0_m);
        let (xm, ym) = (0.5 * (x0 + x1), 0.5 * (y0 + y1));
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (x, y) in [
            (x0, y0),
            (x0, y1),
            (x1, y0),
            (x1, y1),
            (xm, y0),
            (xm, y1),
            (x0, ym),
            (x1, ym),
        ] {
            let (lon, lat) = self.proj.unproject(x, y)?;
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
        Ok(b)
    }

    /// Real communes, if a commune layer is given or found under `real_layers`.
    fn real_communes(&mut self) -> Result<Option<Vec<Commune>>> {
        let s = self.s;
        let Some(p) = real_path(s, &s.inputs.communes, "admin/communes_2009_census.geojson") else {
            return Ok(None);
        };
        let fields = CommuneFields {
            code: s
                .inputs
                .commune_code_field
                .clone()
                .unwrap_or_else(|| "commune_id".into()),
            name: s
                .inputs
                .commune_name_field
                .clone()
                .unwrap_or_else(|| "commune_vn".into()),
            population: Some(
                s.inputs
                    .commune_population_field
                    .clone()
                    .unwrap_or_else(|| "population".into()),
            ),
        };
        let c =
            vector_in::read_communes(&p, s.inputs.communes_layer.as_deref(), &fields, s.crs_epsg)?;
        if c.is_empty() {
            return Err(Error::input(&p, "no commune polygons"));
        }
        self.real.push(format!("communes: {}", p.display()));
        self.communes_path = Some(p);
        Ok(Some(c))
    }

    /// Study area: the `inputs.outline` layer's union, else the union of the real communes, else
    /// the synthesiser's outline.
    fn outline(&mut self, real_communes: Option<&[Commune]>) -> Result<MultiPolygon<f64>> {
        let s = self.s;
        if let Some(p) = &s.inputs.outline {
            let p = s.resolve(p);
            let polys =
                vector_in::read_polygons(&p, s.inputs.outline_layer.as_deref(), s.crs_epsg)?;
            if polys.is_empty() {
                return Err(Error::input(&p, "no outline polygons"));
            }
            self.real.push(format!("outline: {}", p.display()));
            return Ok(MultiPolygon(polys.into_iter().flat_map(|m| m.0).collect()));
        }
        if let Some(c) = real_communes {
            return Ok(MultiPolygon(
                c.iter()
                    .flat_map(|c| c.geometry.0.iter().cloned())
                    .collect(),
            ));
        }
        self.synthetic
            .push("outline (approximate province boundary)".to_string());
        let wgs = synth::outline::approximate_outline_wgs84();
        let mut ring = Vec::new();
        for c in wgs.exterior().coords() {
            let (x, y) = self.proj.project(c.x, c.y)?;
            ring.push(geo::coord! { x: x, y: y });
        }
        Ok(MultiPolygon(vec![geo::Polygon::new(
            LineString(ring),
            vec![],
        )]))
    }

    /// The grid covering the outline, cut to `clip_m` if given.
    fn grid(&self, outline: &MultiPolygon<f64>, log: &dyn Fn(&str)) -> Result<GridSpec> {
        let (s, epsg) = (self.s, self.s.crs_epsg);
        let bb = outline
            .bounding_rect()
            .ok_or_else(|| Error::Other("study outline is empty".into()))?;
        let (mut x0, mut y0, mut x1, mut y1) = (bb.min().x, bb.min().y, bb.max().x, bb.max().y);
        if let Some(e) = s.extent_m {
            (x0, y0, x1, y1) = (e[0], e[1], e[2], e[3]);
        }
        if let Some([a, b, c, d]) = s.clip_m {
            (x0, y0, x1, y1) = (x0.max(a), y0.max(b), x1.min(c), y1.min(d));
            if x1 <= x0 || y1 <= y0 {
                let msg = format!(
                    "the study area (x {:.0}–{:.0} m, y {:.0}–{:.0} m in EPSG:{epsg}) does not \
                     overlap clip_m {:?}: expected them to overlap",
                    bb.min().x,
                    bb.max().x,
                    bb.min().y,
                    bb.max().y,
                    [a, b, c, d]
                );
                return Err(match &self.communes_path {
                    Some(p) => Error::input(p, format!("its communes span {msg}")),
                    None => Error::Config(msg),
                });
            }
        }
        let grid = GridSpec::covering(epsg, x0, y0, x1, y1, s.resolution_m);
        check_memory(grid.len())?;
        log(&format!(
            "grid: {} × {} cells of {} m in EPSG:{epsg}",
            grid.nx, grid.ny, grid.cell_m
        ));
        Ok(grid)
    }

    /// Terrain from the real DEM or synthesised on `land` (land fraction, no NaN), voids filled.
    /// P.1511 must cover the study area (`area`).
    fn terrain(
        &mut self,
        grid: &GridSpec,
        land: &Raster<f32>,
        area: &Raster<u8>,
        log: &dyn Fn(&str),
    ) -> Result<Terrain> {
        let s = self.s;
        let height = match &s.inputs.dem {
            Some(p) => {
                let p = s.resolve(p);
                self.real.push(format!("dem: {}", p.display()));
                let h = read_raster_to_grid(&p, grid, Resample::Bilinear)?;
                check_dem(&p, &h)?;
                let native_m = crate::io::raster_in::native_cell_m(&p)?;
                if native_m > MAX_DEM_COARSENING * grid.cell_m {
                    self.warnings.push(format!(
                        "dem: its cells of about {native_m:.0} m are coarser than {MAX_DEM_COARSENING} × the \
                         study's {} m: heights in between are interpolated, so terrain finer than \
                         {native_m:.0} m is missing",
                        grid.cell_m
                    ));
                }
                h
            }
            None => {
                self.synthetic.push(format!(
                    "dem ({} m fractal detail on ITU-R P.1511 relief)",
                    s.resolution_m
                ));
                let p = self.synth_file("p1511", &s.synth.p1511)?;
                let mut base = read_raster_to_grid(&p, grid, Resample::CubicSpline)?;
                let covered = count_in_area(area, |i| !base.data[i].is_nan());
                self.check_cover("P.1511 terrain (synth.p1511)", &p, covered, area)?;
                phusong_engine::terrain::fill_voids(&mut base);
                synth::terrain::synth_from_base(&base, land, s.seed, &Default::default())
            }
        };
        let n = height.data.len().max(1);
        let (terrain, voids) = Terrain::new(height);
        if voids > 0 {
            let msg = format!(
                "dem: {voids} of {n} cells ({:.2} %) were void (nodata, NaN or outside the file) and \
                 were filled from their neighbours; a DEM void over more than {:.0} % is refused",
                100.0 * voids as f64 / n as f64,
                100.0 * MAX_DEM_VOID_SHARE
            );
            log(&msg);
            self.warnings.push(msg);
        }
        Ok(terrain)
    }

    /// Study mask, commune index per cell and communes: from the real communes, or synthesised
    /// inside the outline.
    fn mask_and_communes(
        &mut self,
        grid: &GridSpec,
        land: &Raster<f32>,
        real_communes: Option<Vec<Commune>>,
        outline: &MultiPolygon<f64>,
    ) -> Result<(Raster<u8>, Raster<i32>, Vec<Commune>)> {
        if let Some(c) = real_communes {
            let given = c.len();
            self.warnings.extend(parts_outside(grid, &c));
            let (mask, ids, kept, claimed) = mask_from_communes(grid, c)?;
            if kept.is_empty() {
                let msg = format!(
                    "none of its {given} communes has a land cell in the study grid: expected \
                     polygons over land, in or reprojectable to EPSG:{}",
                    grid.epsg
                );
                return Err(match &self.communes_path {
                    Some(p) => Error::input(p, msg),
                    None => Error::Other(format!("communes: {msg}")),
                });
            }
            if claimed > 0 {
                self.warnings.push(format!(
                    "communes: {claimed} smaller than a {} m cell are given a cell at or near \
                     their interior point",
                    grid.cell_m
                ));
            }
            if kept.len() < given {
                self.warnings.push(format!(
                    "communes: {} of {given} have no land cell in the study grid and are left out",
                    given - kept.len()
                ));
            }
            return Ok((mask, ids, kept));
        }
        let mask = synth::outline::study_mask(grid, outline, land);
        let facts =
            crate::derive::facts_from_area(&mask, &self.synth_file("p1511", &self.s.synth.p1511)?)?;
        let n = crate::derive::counts(&self.s.synth, &facts, true).communes;
        self.synthetic.push(format!("communes ({n} Voronoi cells)"));
        let (c, ids) = synth::communes::synth_communes(&mask, n, self.s.seed)?;
        Ok((mask, ids, c))
    }

    /// Towns inside the mask (x, y, population), and roads: real, or synthesised between the towns.
    fn towns_and_roads(
        &mut self,
        terrain: &Terrain,
        mask: &Raster<u8>,
    ) -> Result<(Vec<Town>, Vec<LineString<f64>>)> {
        let s = self.s;
        let places_path = self.synth_file("places", &s.synth.places)?;
        let places = read_places(&places_path, &self.proj)?;
        self.check_places(&places_path, &places, mask)?;
        let towns: Vec<Town> = places
            .iter()
            .filter(|(_, x, y, _)| mask.at(*x, *y) == Some(1))
            .map(|(_, x, y, p)| (*x, *y, *p))
            .collect();
        let roads = match real_path(s, &s.inputs.roads, "roads/roads.geojson") {
            Some(p) => {
                self.real.push(format!("roads: {}", p.display()));
                vector_in::read_lines(&p, None, s.crs_epsg)?
            }
            None => {
                self.synthetic
                    .push("roads (least-cost paths between towns)".into());
                let xy: Vec<(f64, f64)> = towns.iter().map(|t| (t.0, t.1)).collect();
                synth::roads::synth_roads(&terrain.height_m, mask, &xy, s.seed)
            }
        };
        Ok((towns, roads))
    }

    /// Hamlets from the real layer (communes assigned from the raster), or synthesised.
    fn hamlets(
        &mut self,
        terrain: &Terrain,
        mask: &Raster<u8>,
        commune_of_cell: &Raster<i32>,
        population: &Population,
        roads: &[LineString<f64>],
        towns: &[Town],
    ) -> Result<Vec<Hamlet>> {
        let (s, counts) = (self.s, &population.counts);
        if let Some(p) = &s.inputs.hamlets {
            let p = s.resolve(p);
            let d = HamletFields::default();
            let fields = HamletFields {
                name: s.inputs.hamlet_name_field.clone().unwrap_or(d.name),
                population: s
                    .inputs
                    .hamlet_population_field
                    .clone()
                    .unwrap_or(d.population),
                grid_power: s.inputs.hamlet_power_field.clone().or(d.grid_power),
            };
            self.real.push(format!("hamlets: {}", p.display()));
            let mut h = vector_in::read_hamlets(
                &p,
                s.inputs.hamlets_layer.as_deref(),
                &fields,
                s.crs_epsg,
                s.plan.village_radius_m,
            )?;
            assign_communes(&mut h, commune_of_cell);
            return Ok(h);
        }
        self.synthetic.push(format!(
            "hamlets ({} thôn/bản, {} without grid power)",
            counts.hamlets, counts.unpowered_hamlets
        ));
        let params = synth::hamlets::HamletParams {
            count: counts.hamlets,
            total_population: population.total,
            unpowered: counts.unpowered_hamlets,
            mountain_share: counts.mountain_hamlet_share,
            ..Default::default()
        };
        synth::hamlets::synth_hamlets(
            &terrain.height_m,
            mask,
            commune_of_cell,
            &population.census,
            roads,
            towns,
            &params,
            s.seed,
            &self.proj,
        )
    }

    /// Land cover: the real raster of `inputs.clutter` (class table from `inputs.clutter_classes`,
    /// else the default one), or synthesised from the land fraction, the terrain and the towns'
    /// and hamlets' populations ([`synth::clutter`]).
    fn clutter(
        &mut self,
        terrain: &Terrain,
        land: &Raster<f32>,
        area: &Raster<u8>,
        towns: &[Town],
        hamlets: &[Hamlet],
    ) -> Result<phusong_engine::clutter::ClutterMap> {
        use crate::io::clutter_in;
        let s = self.s;
        let table = match &s.inputs.clutter_classes {
            Some(p) => {
                let p = s.resolve(p);
                self.real.push(format!("clutter classes: {}", p.display()));
                clutter_in::read_class_table(&p)?
            }
            None => Default::default(),
        };
        let grid = terrain.grid();
        let (classes, source) = match &s.inputs.clutter {
            Some(p) => {
                let p = s.resolve(p);
                self.real.push(format!("clutter: {}", p.display()));
                let r = clutter_in::read_clutter_raster(&p, grid)?;
                // Cells the raster leaves without a class (0) would silently get no clutter.
                let covered = count_in_area(area, |i| r.data[i] != 0);
                self.check_cover("land cover (inputs.clutter)", &p, covered, area)?;
                (r, p)
            }
            None => {
                if s.inputs.clutter_classes.is_some() {
                    return Err(Error::Config(
                        "inputs.clutter_classes is given without inputs.clutter: the synthesised \
                         land cover uses the default class table's codes; give the raster too, or \
                         leave both out"
                            .into(),
                    ));
                }
                self.synthetic.push(
                    "clutter (water from the land mask, forest on steep/high ground, built-up around \
                     towns and hamlets by population)"
                        .into(),
                );
                let mut places: Vec<(f64, f64, u64)> = towns.to_vec();
                places.extend(
                    hamlets
                        .iter()
                        .map(|h| (h.x_m, h.y_m, u64::from(h.population))),
                );
                let rules = synth::clutter::ClutterRules::default();
                let r = synth::clutter::synth_clutter(&terrain.height_m, land, &places, &rules);
                (r, PathBuf::from("synthesised clutter"))
            }
        };
        clutter_in::clutter_map(classes, table, &source)
    }

    /// Refuses a site file (phusong's CSV or OpenCelliD) none of whose sites lies on the study grid:
    /// coverage would be empty, so the study would be meaningless (synthesised sites may be none:
    /// a green-field plan).
    fn check_some_site_inside(&self, mask: &Raster<u8>, sites: &[Site]) -> Result<()> {
        let s = self.s;
        let (path, what) = match (&s.inputs.sites_csv, &s.inputs.opencellid_csv) {
            (Some(p), _) => (s.resolve(p), "site"),
            (None, Some(p)) => (
                s.resolve(p),
                "LTE cell (rows of other radios — GSM, UMTS, CDMA, NR — are not read)",
            ),
            (None, None) => return Ok(()),
        };
        let g = &mask.spec;
        if sites.iter().any(|x| g.cell_of(x.x_m, x.y_m).is_some()) {
            return Ok(());
        }
        Err(Error::input(
            &path,
            format!(
                "no {what} in the study area: {} read, none on the study grid (x {:.0}–{:.0} m, \
                 y {:.0}–{:.0} m, EPSG:{}); expected at least one",
                sites.len(),
                g.x0_m,
                g.x1_m(),
                g.y1_m(),
                g.y0_m,
                g.epsg
            ),
        ))
    }

    /// Sites from a sites CSV, else from OpenCelliD, else synthesised.
    fn sites(
        &mut self,
        terrain: &Terrain,
        mask: &Raster<u8>,
        hamlets: &[Hamlet],
        roads: &[LineString<f64>],
        counts: &crate::derive::Counts,
    ) -> Result<Vec<Site>> {
        let s = self.s;
        if let Some(p) = &s.inputs.sites_csv {
            let p = s.resolve(p);
            self.real.push(format!("sites: {}", p.display()));
            return sites_csv::read_sites_csv(&p, &self.proj);
        }
        if let Some(p) = &s.inputs.opencellid_csv {
            let p = s.resolve(p);
            self.real
                .push(format!("sites (OpenCelliD): {}", p.display()));
            let (sites, report) = crate::io::opencellid::read_opencellid_checked(
                &p,
                &self.proj,
                &Default::default(),
                Some(self.lon_lat_box(&mask.spec)?),
                false,
            )?;
            if report.cells_outside_bbox > 0 {
                self.warnings.push(format!(
                    "sites (OpenCelliD): {} cells outside the study area skipped",
                    report.cells_outside_bbox
                ));
            }
            self.warnings.extend(report.spread);
            return Ok(sites);
        }
        self.synthetic
            .push(format!("sites ({} BTS of 3 operators)", counts.sites));
        let params = synth::sites::SiteParams {
            count: counts.sites,
            unpowered_clearance_m: s.synth.unpowered_clearance_m,
            remote_share: s.synth.remote_share,
            underserved_hamlets: counts.underserved_hamlets,
            underserved_clearance_m: s.synth.underserved_clearance_m,
            ..Default::default()
        };
        synth::sites::synth_sites(
            &terrain.height_m,
            mask,
            hamlets,
            roads,
            &params,
            s.seed,
            &self.proj,
        )
    }
}

/// Counts of sites outside the study area (off the grid or on a cell outside the mask): they are
/// kept — a site outside still serves cells near the border — and reported.
fn outside_warnings(mask: &Raster<u8>, sites: &[Site]) -> Vec<String> {
    let outside = |x: f64, y: f64| mask.at(x, y) != Some(1);
    let mut out = Vec::new();
    let s: Vec<&Site> = sites.iter().filter(|s| outside(s.x_m, s.y_m)).collect();
    if let Some(first) = s.first() {
        out.push(format!(
            "sites: {} of {} lie outside the study area (first: '{}' at {:.5}, {:.5}); they are \
             kept for the coverage they give inside it",
            s.len(),
            sites.len(),
            first.name,
            first.lon,
            first.lat
        ));
    }
    out
}

/// Splits hamlets into those inside the study area (a land cell of the mask) and those outside;
/// the inside ones are renumbered 1, 2, … when any were dropped. Hamlets outside are left out of
/// every count: counting them as uncovered would understate coverage.
pub fn hamlets_inside(mask: &Raster<u8>, hamlets: Vec<Hamlet>) -> (Vec<Hamlet>, Vec<Hamlet>) {
    let (mut inside, outside): (Vec<Hamlet>, Vec<Hamlet>) = hamlets
        .into_iter()
        .partition(|h| mask.at(h.x_m, h.y_m) == Some(1));
    if !outside.is_empty() {
        for (k, h) in inside.iter_mut().enumerate() {
            h.id = k as u32 + 1;
        }
    }
    (inside, outside)
}

/// The warning for hamlets left out by [`hamlets_inside`].
fn hamlets_outside_warning(inside: usize, outside: &[Hamlet]) -> Option<String> {
    let first = outside.first()?;
    Some(format!(
        "hamlets: {} of {} lie outside the study area (first: '{}' at {:.5}, {:.5}); they are left \
         out of the coverage counts",
        outside.len(),
        inside + outside.len(),
        first.name,
        first.lon,
        first.lat
    ))
}

/// Study mask, commune index per cell, kept communes, and how many took their interior point's cell.
type CommuneRasters = (Raster<u8>, Raster<i32>, Vec<Commune>, usize);

/// Mask and commune raster from real communes: land is the commune polygons themselves (a cell is
/// in the study when its centre lies in a commune). A commune too small to hold a cell centre takes
/// a cell at or near its interior point ([`cell_to_claim`]), so every commune on the grid is kept
/// at any resolution; communes still without a cell (off the grid) are left out. Returns the mask, the commune index per cell, the kept communes and how many communes
/// took their interior point's cell.
fn mask_from_communes(grid: &GridSpec, c: Vec<Commune>) -> Result<CommuneRasters> {
    let mut ids = crate::rasterize::commune_raster(grid, &c)?;
    let mut cells = vec![0usize; c.len()];
    for &k in &ids.data {
        if k >= 0 {
            cells[k as usize] += 1;
        }
    }
    let mut claimed = 0;
    for (k, commune) in c.iter().enumerate() {
        if cells[k] > 0 {
            continue;
        }
        let Some(p) = geo::InteriorPoint::interior_point(&commune.geometry) else {
            continue;
        };
        let Some((ix, iy)) = grid.cell_of(p.x(), p.y()) else {
            continue;
        };
        if let Some(i) = cell_to_claim(grid, &ids.data, &cells, ix, iy) {
            let owner = ids.data[i];
            if owner >= 0 {
                cells[owner as usize] -= 1;
            }
            ids.data[i] = k as i32;
            cells[k] = 1;
            claimed += 1;
        }
    }
    let mut mask = Raster::filled(grid.clone(), 0u8, None);
    for (m, &k) in mask.data.iter_mut().zip(&ids.data) {
        *m = u8::from(k >= 0);
    }
    let mut new_index = vec![-1i32; c.len()];
    let mut kept = Vec::new();
    for (k, commune) in c.into_iter().enumerate() {
        if cells[k] > 0 {
            new_index[k] = kept.len() as i32;
            kept.push(commune);
        }
    }
    for v in ids.data.iter_mut() {
        if *v >= 0 {
            *v = new_index[*v as usize];
        }
    }
    Ok((mask, ids, kept, claimed))
}

/// The cell a commune without a cell centre takes: the nearest (in rings of up to
/// [`CLAIM_RADIUS_CELLS`] round its interior point's cell, row by row) owned by a commune that keeps
/// another cell, else the nearest cell outside every commune within one ring (it becomes land).
fn cell_to_claim(
    g: &GridSpec,
    ids: &[i32],
    cells: &[usize],
    ix: usize,
    iy: usize,
) -> Option<usize> {
    let ring = |r: usize| {
        let (x0, y0) = (ix.saturating_sub(r), iy.saturating_sub(r));
        let (x1, y1) = ((ix + r).min(g.nx - 1), (iy + r).min(g.ny - 1));
        (y0..=y1)
            .flat_map(move |y| (x0..=x1).map(move |x| (x, y)))
            .filter(move |&(x, y)| x.abs_diff(ix) == r || y.abs_diff(iy) == r)
    };
    for r in 0..=CLAIM_RADIUS_CELLS {
        if let Some((x, y)) = ring(r).find(|&(x, y)| {
            let o = ids[g.index(x, y)];
            o >= 0 && cells[o as usize] > 1
        }) {
            return Some(g.index(x, y));
        }
    }
    (0..=1)
        .flat_map(ring)
        .find(|&(x, y)| ids[g.index(x, y)] < 0)
        .map(|(x, y)| g.index(x, y))
}

/// How far (cells) a commune too small for a cell centre looks for a cell to take.
pub const CLAIM_RADIUS_CELLS: usize = 3;

/// Commune parts (polygons of multi-part communes, or whole communes) wholly outside the grid —
/// e.g. far-offshore islands that `phusong init` left out of the extent — one warning each.
fn parts_outside(grid: &GridSpec, communes: &[Commune]) -> Vec<String> {
    let (x0, x1, y0, y1) = (grid.x0_m, grid.x1_m(), grid.y1_m(), grid.y0_m);
    let mut out = Vec::new();
    for c in communes {
        let n = c.geometry.0.len();
        for (k, poly) in c.geometry.0.iter().enumerate() {
            let Some(b) = poly.bounding_rect() else {
                continue;
            };
            if b.max().x < x0 || b.min().x > x1 || b.max().y < y0 || b.min().y > y1 {
                let km2 = geo::Area::unsigned_area(poly) / 1e6;
                let (cx, cy) = (0.5 * (b.min().x + b.max().x), 0.5 * (b.min().y + b.max().y));
                out.push(format!(
                    "communes: part {} of {n} of '{}' ({}; {km2:.1} km² around x {cx:.0}, y {cy:.0} m) lies \
                     outside the study extent and is left out (far offshore?); its census population \
                     stays with the rest of the commune",
                    k + 1,
                    c.name,
                    c.code
                ));
            }
        }
    }
    out
}

/// Cells of `area` (value 1) for which `covered(index)` holds.
fn count_in_area(area: &Raster<u8>, covered: impl Fn(usize) -> bool) -> usize {
    area.data
        .iter()
        .enumerate()
        .filter(|&(i, &a)| a == 1 && covered(i))
        .count()
}

/// Largest share of the study area an input layer may leave uncovered (edge effects of resampling)
/// before it is refused (or, with `allow_partial_inputs`, reported).
pub const MAX_UNCOVERED_SHARE: f64 = 0.005;

/// Margin round the places' own bounding box within which a study still counts as covered by the
/// list, degrees (~25 km: a town's reach).
pub const PLACES_MARGIN_DEG: f64 = 0.25;

/// The communes' census populations; the total is their sum when every commune has one, else the
/// derived or given population.
fn study_population(communes: &[Commune], counts: crate::derive::Counts) -> Population {
    let census: Vec<Option<u64>> = communes.iter().map(|c| c.population).collect();
    let total = if census.iter().all(Option::is_some) && !census.is_empty() {
        census.iter().flatten().sum()
    } else {
        counts.population
    };
    Population {
        census,
        total,
        counts,
    }
}

/// UTM zone (1–60) of a longitude.
pub fn utm_zone(lon: f64) -> u32 {
    (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1
}

/// EPSG code of WGS 84 / UTM for a point (326zz north, 327zz south).
pub fn utm_epsg(lon: f64, lat: f64) -> u32 {
    if lat >= 0.0 {
        32600 + utm_zone(lon)
    } else {
        32700 + utm_zone(lon)
    }
}

impl Prep<'_> {
    /// A `[synth]` file, resolved, with a hint when it is missing.
    fn synth_file(&self, key: &str, p: &Path) -> Result<PathBuf> {
        let r = self.s.resolve(p);
        if r.exists() {
            return Ok(r);
        }
        Err(Error::input(
            &r,
            format!(
                "file not found: `synth.{key}` (\"{}\", relative to the scenario's folder) is the \
                 synthesiser's input; the project bundles Vietnam-wide files under data/vietnam/ \
                 (see data/README.md), and `phusong init` writes their paths into a new scenario",
                p.display()
            ),
        ))
    }

    /// Refuses (or, with `allow_partial_inputs`, reports) a layer that covers `covered` of the
    /// study area's cells, naming the layer and the missing share.
    fn check_cover(
        &mut self,
        layer: &str,
        path: &Path,
        covered: usize,
        area: &Raster<u8>,
    ) -> Result<()> {
        let total = area.data.iter().filter(|&&a| a == 1).count();
        if total == 0 {
            return Err(Error::Config(
                "the study area holds no cell of the grid".into(),
            ));
        }
        let missing = 1.0 - covered as f64 / total as f64;
        if missing <= MAX_UNCOVERED_SHARE {
            return Ok(());
        }
        let msg = format!(
            "{layer} covers only {:.1} % of the study area ({:.1} % missing)",
            100.0 * (1.0 - missing),
            100.0 * missing
        );
        if self.s.allow_partial_inputs {
            self.warnings.push(format!(
                "WARNING {}: {msg}; continuing because allow_partial_inputs = true",
                path.display()
            ));
            return Ok(());
        }
        Err(Error::input(
            path,
            format!(
                "{msg}: give a layer that covers the whole study (data/vietnam/ covers Vietnam), or set \
                 allow_partial_inputs = true to continue with a warning"
            ),
        ))
    }

    /// The places list must cover the study area: cells (sampled) whose centre lies within the
    /// places' bounding box widened by [`PLACES_MARGIN_DEG`].
    fn check_places(
        &mut self,
        path: &Path,
        places: &[(String, f64, f64, u64)],
        area: &Raster<u8>,
    ) -> Result<()> {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for (_, x, y, _) in places {
            let (lon, lat) = self.proj.unproject(*x, *y)?;
            b = [b[0].min(lon), b[1].min(lat), b[2].max(lon), b[3].max(lat)];
        }
        let m = PLACES_MARGIN_DEG;
        let g = &area.spec;
        // Every k-th cell in both directions: at most ~40,000 cells unprojected.
        let k = ((g.len() as f64 / 40_000.0).sqrt().ceil() as usize).max(1);
        let mut sample = Raster::filled(g.clone(), 0u8, None);
        let mut inside = vec![false; g.len()];
        for iy in (0..g.ny).step_by(k) {
            for ix in (0..g.nx).step_by(k) {
                let i = g.index(ix, iy);
                if area.data[i] != 1 {
                    continue;
                }
                sample.data[i] = 1;
                let (x, y) = g.center(ix, iy);
                let (lon, lat) = self.proj.unproject(x, y)?;
                inside[i] =
                    lon >= b[0] - m && lon <= b[2] + m && lat >= b[1] - m && lat <= b[3] + m;
            }
        }
        let covered = count_in_area(&sample, |i| inside[i]);
        self.check_cover("places (synth.places)", path, covered, &sample)
    }

    /// Land fraction per cell (0–1, no NaN) for the terrain and, without communes, the mask: the
    /// GSHHG land mask (which must cover the study area), raised to 1 on every commune cell —
    /// communes are land by definition. Outside the mask's footprint (beyond the study area, or
    /// allowed partial cover) cells count as land. Not read when a real DEM and communes are given.
    fn land(
        &mut self,
        grid: &GridSpec,
        area: &Raster<u8>,
        communes: Option<&[Commune]>,
    ) -> Result<Raster<f32>> {
        let s = self.s;
        let mut land = if s.inputs.dem.is_some() && communes.is_some() {
            Raster::filled(grid.clone(), 1f32, None)
        } else {
            let p = self.synth_file("landmask", &s.synth.landmask)?;
            let r = read_raster_to_grid(&p, grid, Resample::Average)?;
            let covered = count_in_area(area, |i| !r.data[i].is_nan());
            self.check_cover("land mask (synth.landmask)", &p, covered, area)?;
            r
        };
        for v in &mut land.data {
            *v = if v.is_nan() { 1.0 } else { v.clamp(0.0, 1.0) };
        }
        land.nodata = None;
        if let Some(c) = communes {
            let ids = crate::rasterize::commune_raster(grid, c)?;
            for (v, &k) in land.data.iter_mut().zip(&ids.data) {
                if k >= 0 {
                    *v = 1.0;
                }
            }
        }
        Ok(land)
    }

    /// The synthesiser's counts: given in the scenario, or derived by [`crate::derive`]'s rules
    /// over the study's extent (the same extent `phusong init` used).
    fn counts(
        &self,
        grid: &GridSpec,
        mask: &Raster<u8>,
        communes: &[Commune],
    ) -> Result<crate::derive::Counts> {
        let s = self.s;
        let p1511 = self.synth_file("p1511", &s.synth.p1511)?;
        let real =
            s.inputs.communes.is_some() || self.real.iter().any(|r| r.starts_with("communes"));
        let facts = if real {
            let b = s
                .extent_m
                .unwrap_or([grid.x0_m, grid.y1_m(), grid.x1_m(), grid.y0_m]);
            crate::derive::facts_from_communes(communes, b, grid.epsg, &p1511)?
        } else {
            crate::derive::facts_from_area(mask, &p1511)?
        };
        Ok(crate::derive::counts(&s.synth, &facts, !real))
    }

    /// Warns when the study CRS is a UTM zone other than the study centroid's, and when the study
    /// spans two zones (naming the one chosen).
    fn check_zone(&mut self, outline: &MultiPolygon<f64>) -> Result<()> {
        let epsg = self.s.crs_epsg;
        let (Some(c), Some(bb)) = (geo::Centroid::centroid(outline), outline.bounding_rect())
        else {
            return Ok(());
        };
        let (lon, lat) = self.proj.unproject(c.x(), c.y())?;
        let want = utm_epsg(lon, lat);
        let is_utm = (32601..=32660).contains(&epsg) || (32701..=32760).contains(&epsg);
        if is_utm && epsg != want {
            self.warnings.push(format!(
                "crs: the study's centroid ({lon:.3}°E, {lat:.3}°N) lies in UTM zone {} (EPSG:{want}) \
                 but the scenario uses EPSG:{epsg}; distances and areas away from that zone's \
                 meridian are distorted (`phusong init` picks the centroid's zone)",
                utm_zone(lon)
            ));
        }
        let (w, _) = self.proj.unproject(bb.min().x, c.y())?;
        let (e, _) = self.proj.unproject(bb.max().x, c.y())?;
        if utm_zone(w) != utm_zone(e) {
            self.warnings.push(format!(
                "crs: the study spans UTM zones {} and {} ({w:.2}–{e:.2}°E); EPSG:{epsg} is used for all of it",
                utm_zone(w),
                utm_zone(e)
            ));
        }
        Ok(())
    }
}

impl Study {
    /// Builds the study from the scenario (reading real layers, synthesising the rest) and writes its
    /// inputs into `run_dir/inputs/`.
    pub fn prepare(s: &Scenario, run_dir: &Path, log: &dyn Fn(&str)) -> Result<Study> {
        let mut prep = Prep {
            s,
            proj: Projector::new(s.crs_epsg)?,
            synthetic: Vec::new(),
            real: Vec::new(),
            warnings: Vec::new(),
            communes_path: None,
        };
        let real_communes = prep.real_communes()?;
        let outline = prep.outline(real_communes.as_deref())?;
        prep.check_zone(&outline)?;
        let grid = prep.grid(&outline, log)?;
        let area = crate::rasterize::polygon_mask(&grid, std::slice::from_ref(&outline))?;
        let land = prep.land(&grid, &area, real_communes.as_deref())?;
        let terrain = prep.terrain(&grid, &land, &area, log)?;
        let (mask, commune_of_cell, communes) =
            prep.mask_and_communes(&grid, &land, real_communes, &outline)?;
        if s.inputs.outline.is_some() && s.inputs.communes.is_some() {
            let covered = count_in_area(&area, |i| commune_of_cell.data[i] >= 0);
            let p = s.resolve(s.inputs.communes.as_deref().unwrap_or(Path::new("")));
            prep.check_cover("communes (inputs.communes)", &p, covered, &area)?;
        }
        let counts = prep.counts(&grid, &mask, &communes)?;
        let (towns, roads) = prep.towns_and_roads(&terrain, &mask)?;
        let population = study_population(&communes, counts);
        let hamlets = prep.hamlets(
            &terrain,
            &mask,
            &commune_of_cell,
            &population,
            &roads,
            &towns,
        )?;
        let (hamlets, outside) = hamlets_inside(&mask, hamlets);
        prep.warnings
            .extend(hamlets_outside_warning(hamlets.len(), &outside));
        let sites = prep.sites(&terrain, &mask, &hamlets, &roads, &population.counts)?;
        prep.check_some_site_inside(&mask, &sites)?;
        prep.warnings.extend(outside_warnings(&mask, &sites));
        let village_cells = VillageCells::new(&mask, &hamlets);
        prep.warnings.extend(village_cells.warnings(&hamlets));
        let clutter = prep.clutter(&terrain, &land, &area, &towns, &hamlets)?;
        log(&format!(
            "clutter: {}",
            crate::io::clutter_in::shares_text(&clutter)
        ));
        let terrain = terrain
            .with_clutter(clutter)
            .map_err(|e| Error::Other(e.to_string()))?;
        let info = StudyInfo {
            name: s.name.clone(),
            grid,
            seed: s.seed,
            synthetic_layers: prep.synthetic,
            real_layers: prep.real,
            population: population.total,
            warnings: prep.warnings,
            counts: population.counts.rules,
        };
        let study = Study {
            info,
            proj: prep.proj,
            terrain,
            mask,
            commune_of_cell,
            communes,
            hamlets,
            village_cells,
            sites,
            roads,
        };
        study.write(run_dir)?;
        Ok(study)
    }

    /// Writes the study's inputs to `run_dir/inputs/`, each in a format a user could replace.
    fn write(&self, run_dir: &Path) -> Result<()> {
        let dir = run_dir.join(files::DIR);
        std::fs::create_dir_all(&dir).ctx(|| format!("creating {}", dir.display()))?;
        raster_out::write_cog(&dir.join(files::DEM), &self.terrain.height_m, "height_m")?;
        raster_out::write_cog(&dir.join(files::MASK), &self.mask, "study_mask")?;
        if let Some(c) = &self.terrain.clutter {
            raster_out::write_cog(&dir.join(files::CLUTTER), &c.classes, "clutter_class")?;
            atomic::write_string_atomic(&dir.join(files::CLUTTER_CLASSES), &c.table.to_csv())?;
        }
        raster_out::write_cog(
            &dir.join(files::COMMUNE_ID),
            &self.commune_of_cell,
            "commune_index",
        )?;
        let epsg = self.info.grid.epsg;
        gpkg::write_gpkg(
            &dir.join(files::COMMUNES),
            &[crate::export::communes_layer(&self.communes, epsg, None)],
        )?;
        gpkg::write_gpkg(
            &dir.join(files::HAMLETS),
            &[crate::export::hamlets_layer(&self.hamlets, epsg, None)],
        )?;
        let mut roads = layer::Layer::new(
            "roads",
            epsg,
            &[],
            layer::Style::Single {
                color: "#7f5f3f".into(),
                size_mm: 0.4,
            },
        );
        roads.features = self
            .roads
            .iter()
            .map(|l| (geo::Geometry::LineString(l.clone()), vec![]))
            .collect();
        gpkg::write_gpkg(&dir.join(files::ROADS), &[roads])?;
        sites_csv::write_sites_csv(&dir.join(files::SITES), &self.sites)?;
        let json =
            serde_json::to_string_pretty(&self.info).map_err(|e| Error::Other(e.to_string()))?;
        atomic::write_string_atomic(&dir.join(files::STUDY), &json)
    }

    /// Reads a study back from `run_dir/inputs/` (written by [`Study::prepare`], or by a user).
    pub fn load(run_dir: &Path) -> Result<Study> {
        let dir = run_dir.join(files::DIR);
        let info = StudyInfo::load(run_dir)?;
        let grid = info.grid.clone();
        let epsg = grid.epsg;
        let proj = Projector::new(epsg)?;
        let (terrain, _) = Terrain::new(read_raster_to_grid(
            &dir.join(files::DEM),
            &grid,
            Resample::Bilinear,
        )?);
        let terrain = load_clutter(terrain, &dir, &grid)?;
        let to_u8 = |r: Raster<f32>| Raster {
            spec: r.spec,
            data: r
                .data
                .iter()
                .map(|v| (!v.is_nan() && *v >= 0.5) as u8)
                .collect(),
            nodata: None,
        };
        let to_i32 = |r: Raster<f32>| Raster {
            spec: r.spec,
            data: r
                .data
                .iter()
                .map(|v| if v.is_nan() { -1 } else { *v as i32 })
                .collect(),
            nodata: Some(-1),
        };
        let mask = to_u8(read_raster_to_grid(
            &dir.join(files::MASK),
            &grid,
            Resample::Nearest,
        )?);
        let commune_of_cell = to_i32(read_raster_to_grid(
            &dir.join(files::COMMUNE_ID),
            &grid,
            Resample::Nearest,
        )?);
        let communes = vector_in::read_communes(
            &dir.join(files::COMMUNES),
            None,
            &CommuneFields {
                code: "code".into(),
                name: "name".into(),
                population: Some("census_population".into()),
            },
            epsg,
        )?;
        // Written as polygons; a user's point layer here becomes discs of the default radius.
        let mut hamlets = vector_in::read_hamlets(
            &dir.join(files::HAMLETS),
            None,
            &HamletFields::default(),
            epsg,
            phusong_engine::plan::PlanParams::default().village_radius_m,
        )?;
        assign_communes(&mut hamlets, &commune_of_cell);
        let (hamlets, _) = hamlets_inside(&mask, hamlets);
        let village_cells = VillageCells::new(&mask, &hamlets);
        let sites = sites_csv::read_sites_csv(&dir.join(files::SITES), &proj)?;
        let roads = vector_in::read_lines(&dir.join(files::ROADS), None, epsg)?;
        Ok(Study {
            info,
            proj,
            terrain,
            mask,
            commune_of_cell,
            communes,
            hamlets,
            village_cells,
            sites,
            roads,
        })
    }
}

/// The run folder's land cover on `terrain`, if `inputs/` has it (run folders from before clutter
/// existed have none: no clutter).
pub(crate) fn load_clutter(terrain: Terrain, dir: &Path, grid: &GridSpec) -> Result<Terrain> {
    use crate::io::clutter_in;
    let path = dir.join(files::CLUTTER);
    if !path.is_file() {
        return Ok(terrain);
    }
    let classes = clutter_in::read_clutter_raster(&path, grid)?;
    let table_path = dir.join(files::CLUTTER_CLASSES);
    let table = if table_path.is_file() {
        clutter_in::read_class_table(&table_path)?
    } else {
        Default::default()
    };
    let map = clutter_in::clutter_map(classes, table, &path)?;
    terrain
        .with_clutter(map)
        .map_err(|e| Error::input(&path, e.message))
}

/// Sets each hamlet's commune from the commune raster.
pub fn assign_communes(hamlets: &mut [Hamlet], commune_of_cell: &Raster<i32>) {
    for h in hamlets {
        h.commune = commune_of_cell
            .at(h.x_m, h.y_m)
            .filter(|&k| k >= 0)
            .map(|k| k as usize);
    }
}

/// How many times coarser than the study grid a DEM may be before a warning says its terrain is
/// interpolated.
pub const MAX_DEM_COARSENING: f64 = 2.0;

/// Largest share of the study grid a DEM may leave void (nodata, or outside the file) before its
/// terrain would be mostly invented by void filling.
pub const MAX_DEM_VOID_SHARE: f64 = 0.05;

/// Refuses a DEM whose heights cannot describe the study: voids (nodata, NaN or outside the file)
/// over more than [`MAX_DEM_VOID_SHARE`] of the grid, or heights outside −500…9000 m.
fn check_dem(path: &Path, h: &Raster<f32>) -> Result<()> {
    let n = h.data.len().max(1);
    let void = h
        .data
        .iter()
        .filter(|v| v.is_nan() || h.nodata.is_some_and(|nd| **v == nd))
        .count();
    let share = void as f64 / n as f64;
    if share > MAX_DEM_VOID_SHARE {
        return Err(Error::input(
            path,
            format!(
                "covers only {:.1} % of the study grid with heights ({:.1} % void or outside the file): \
                 expected at least {:.0} %",
                100.0 * (1.0 - share),
                100.0 * share,
                100.0 * (1.0 - MAX_DEM_VOID_SHARE)
            ),
        ));
    }
    if let Some(bad) = h
        .data
        .iter()
        .find(|v| !v.is_nan() && !(-500.0..=9000.0).contains(*v) && h.nodata != Some(**v))
    {
        return Err(Error::input(
            path,
            format!("height {bad} m: expected −500 to 9000 m above sea level"),
        ));
    }
    Ok(())
}

/// Bytes per grid cell a study holds at its peak (terrain, mask and commune rasters, best-server,
/// SINR, serving-site and per-operator rasters and the combiner's per-cell accumulators; site windows
/// are folded in as they finish, a chunk at a time), measured on the Nghệ An demo (532 MB peak RSS
/// for 4.0 M cells at 90 m, every stage) and rounded up with room for denser server overlap.
pub const PEAK_BYTES_PER_CELL: u64 = 200;

/// Refuses, before allocating anything, a grid whose estimated peak memory exceeds what this
/// machine has, naming the estimate.
fn check_memory(cells: usize) -> Result<()> {
    let need = cells as u64 * PEAK_BYTES_PER_CELL;
    let have = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024);
    match have {
        Some(have) if need > have => Err(Error::Config(format!(
            "resolution_m: a grid of {cells} cells needs about {:.1} GB at its peak ({PEAK_BYTES_PER_CELL} \
             bytes per cell), more than this machine's {:.1} GB; choose a coarser resolution or a clip_m window",
            need as f64 / 1e9,
            have as f64 / 1e9
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn commune(name: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Commune {
        Commune {
            code: name.into(),
            name: name.into(),
            population: Some(100),
            geometry: MultiPolygon(vec![
                polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)],
            ]),
        }
    }

    /// Three wards inside one 1 km cell of a big commune, and one ward off the grid: the three take
    /// distinct cells near their interior points (from the big commune, which keeps the rest), the
    /// one off the grid is left out, and the land area is unchanged.
    #[test]
    fn communes_smaller_than_a_cell_are_kept() {
        let g = GridSpec::covering(32648, 0.0, 0.0, 10_000.0, 10_000.0, 1000.0);
        let c = vec![
            commune("big", 0.0, 0.0, 10_000.0, 10_000.0),
            commune("w1", 4_100.0, 4_100.0, 4_300.0, 4_300.0),
            commune("w2", 4_520.0, 4_520.0, 4_580.0, 4_580.0), // no cell centre (4 500) inside
            commune("w3", 4_700.0, 4_700.0, 4_900.0, 4_900.0),
            commune("far", 50_000.0, 50_000.0, 50_100.0, 50_100.0),
        ];
        let (mask, ids, kept, claimed) = mask_from_communes(&g, c).unwrap();
        assert_eq!(claimed, 3);
        let names: Vec<&str> = kept.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["big", "w1", "w2", "w3"]);
        let count = |k: i32| ids.data.iter().filter(|&&v| v == k).count();
        assert_eq!((count(0), count(1), count(2), count(3)), (97, 1, 1, 1));
        assert_eq!(mask.data.iter().filter(|&&m| m == 1).count(), 100);
        // Each ward's cell is its interior point's cell or a neighbour of it (within 3 cells).
        let (cx, cy) = g.cell_of(4_500.0, 4_500.0).unwrap();
        for k in 1..=3 {
            let i = ids.data.iter().position(|&v| v == k).unwrap();
            let (x, y) = (i % g.nx, i / g.nx);
            assert!(
                x.abs_diff(cx) <= 3 && y.abs_diff(cy) <= 3,
                "ward {k} at {x},{y}"
            );
        }
    }

    #[test]
    fn utm_zones_of_vietnam() {
        assert_eq!(utm_epsg(107.99, 16.0), 32648);
        assert_eq!(utm_epsg(108.01, 16.0), 32649);
        assert_eq!(utm_zone(102.0), 48);
        assert_eq!(utm_zone(101.99), 47);
    }
}
