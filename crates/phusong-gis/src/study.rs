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
        serde_json::from_str(&text).map_err(|e| Error::input(&info_path, e.to_string()))
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
                    format!("{what} '{}' is not a number", f[k]),
                )
            })
        };
        let (pop, lat, lon) = (num(4, "population")?, num(5, "lat")?, num(6, "lon")?);
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
}

/// A town: x, y (m, study CRS) and population.
type Town = (f64, f64, u64);

/// Census population per commune, and the study's total.
struct Population {
    census: Vec<Option<u64>>,
    total: u64,
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
        Ok(Some(c))
    }

    /// Study area: the union of the real communes, or the synthesiser's outline.
    fn outline(&mut self, real_communes: Option<&[Commune]>) -> Result<MultiPolygon<f64>> {
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
        if let Some([a, b, c, d]) = s.clip_m {
            (x0, y0, x1, y1) = (x0.max(a), y0.max(b), x1.min(c), y1.min(d));
            if x1 <= x0 || y1 <= y0 {
                return Err(Error::Config(format!(
                    "clip_m {:?} does not overlap the study area",
                    s.clip_m
                )));
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

    /// Terrain from the real DEM or synthesised, voids filled.
    fn terrain(&mut self, grid: &GridSpec, landmask: &Path, log: &dyn Fn(&str)) -> Result<Terrain> {
        let s = self.s;
        let height = match &s.inputs.dem {
            Some(p) => {
                let p = s.resolve(p);
                self.real.push(format!("dem: {}", p.display()));
                let h = read_raster_to_grid(&p, grid, Resample::Bilinear)?;
                check_dem(&p, &h)?;
                h
            }
            None => {
                self.synthetic.push(format!(
                    "dem ({} m fractal detail on ITU-R P.1511 relief)",
                    s.resolution_m
                ));
                synth::terrain::synth_dem(grid, &s.resolve(&s.synth.p1511), landmask, s.seed)?
            }
        };
        let (terrain, voids) = Terrain::new(height);
        if voids > 0 {
            log(&format!("terrain: filled {voids} void cells"));
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
            let (mask, ids, kept) = mask_from_communes(grid, land, c)?;
            if kept.len() < given {
                self.warnings.push(format!(
                    "communes: {} of {given} have no land cell in the study grid and are left out",
                    given - kept.len()
                ));
            }
            return Ok((mask, ids, kept));
        }
        let s = self.s;
        let mask = synth::outline::study_mask(grid, outline, land);
        self.synthetic
            .push(format!("communes ({} Voronoi cells)", s.synth.communes));
        let (c, ids) = synth::communes::synth_communes(&mask, s.synth.communes, s.seed)?;
        Ok((mask, ids, c))
    }

    /// Towns inside the mask (x, y, population), and roads: real, or synthesised between the towns.
    fn towns_and_roads(
        &mut self,
        terrain: &Terrain,
        mask: &Raster<u8>,
    ) -> Result<(Vec<Town>, Vec<LineString<f64>>)> {
        let s = self.s;
        let places = read_places(&s.resolve(&s.synth.places), &self.proj)?;
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
        let s = self.s;
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
            s.synth.hamlets, s.synth.unpowered_hamlets
        ));
        let params = synth::hamlets::HamletParams {
            count: s.synth.hamlets,
            total_population: population.total,
            unpowered: s.synth.unpowered_hamlets,
            mountain_share: s.synth.mountain_hamlet_share,
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

    /// Sites from a sites CSV, else from OpenCelliD, else synthesised.
    fn sites(
        &mut self,
        terrain: &Terrain,
        mask: &Raster<u8>,
        hamlets: &[Hamlet],
        roads: &[LineString<f64>],
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
            .push(format!("sites ({} BTS of 3 operators)", s.synth.sites));
        let params = synth::sites::SiteParams {
            count: s.synth.sites,
            unpowered_clearance_m: s.synth.unpowered_clearance_m,
            remote_share: s.synth.remote_share,
            underserved_hamlets: s.synth.underserved_hamlets,
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

/// Counts of sites and hamlets outside the study area (off the grid or on a cell outside the
/// mask): they are kept — a site outside still serves cells near the border; a hamlet outside
/// counts in no commune — and reported.
fn outside_warnings(mask: &Raster<u8>, sites: &[Site], hamlets: &[Hamlet]) -> Vec<String> {
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
    let h: Vec<&Hamlet> = hamlets.iter().filter(|h| outside(h.x_m, h.y_m)).collect();
    if let Some(first) = h.first() {
        out.push(format!(
            "hamlets: {} of {} lie outside the study area (first: '{}' at {:.5}, {:.5})",
            h.len(),
            hamlets.len(),
            first.name,
            first.lon,
            first.lat
        ));
    }
    out
}

/// Mask and commune raster from real communes, keeping the communes with land on the grid (all of
/// them unless `clip_m` cuts the area); a commune cut by the clip window keeps its whole census
/// population.
fn mask_from_communes(
    grid: &GridSpec,
    land: &Raster<f32>,
    c: Vec<Commune>,
) -> Result<(Raster<u8>, Raster<i32>, Vec<Commune>)> {
    let mut ids = crate::rasterize::commune_raster(grid, &c)?;
    let mut mask = Raster::filled(grid.clone(), 0u8, None);
    let mut cells = vec![0usize; c.len()];
    for i in 0..grid.len() {
        let l = land.data[i];
        let inside = ids.data[i] >= 0 && !l.is_nan() && l >= 0.5;
        mask.data[i] = inside as u8;
        if inside {
            cells[ids.data[i] as usize] += 1;
        }
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
    Ok((mask, ids, kept))
}

/// The communes' census populations; the total is their sum when every commune has one, else the
/// scenario's synthetic population.
fn study_population(s: &Scenario, communes: &[Commune]) -> Population {
    let census: Vec<Option<u64>> = communes.iter().map(|c| c.population).collect();
    let total = if census.iter().all(Option::is_some) && !census.is_empty() {
        census.iter().flatten().sum()
    } else {
        s.synth.population
    };
    Population { census, total }
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
        };
        let landmask_path = s.resolve(&s.synth.landmask);
        let real_communes = prep.real_communes()?;
        let outline = prep.outline(real_communes.as_deref())?;
        let grid = prep.grid(&outline, log)?;
        let terrain = prep.terrain(&grid, &landmask_path, log)?;
        let land = read_raster_to_grid(&landmask_path, &grid, Resample::Average)?;
        let (mask, commune_of_cell, communes) =
            prep.mask_and_communes(&grid, &land, real_communes, &outline)?;
        let (towns, roads) = prep.towns_and_roads(&terrain, &mask)?;
        let population = study_population(s, &communes);
        let hamlets = prep.hamlets(
            &terrain,
            &mask,
            &commune_of_cell,
            &population,
            &roads,
            &towns,
        )?;
        let sites = prep.sites(&terrain, &mask, &hamlets, &roads)?;
        prep.warnings
            .extend(outside_warnings(&mask, &sites, &hamlets));
        let village_cells = VillageCells::new(&mask, &hamlets);
        prep.warnings.extend(village_cells.warnings(&hamlets));
        let info = StudyInfo {
            name: s.name.clone(),
            grid,
            seed: s.seed,
            synthetic_layers: prep.synthetic,
            real_layers: prep.real,
            population: population.total,
            warnings: prep.warnings,
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

/// Sets each hamlet's commune from the commune raster.
pub fn assign_communes(hamlets: &mut [Hamlet], commune_of_cell: &Raster<i32>) {
    for h in hamlets {
        h.commune = commune_of_cell
            .at(h.x_m, h.y_m)
            .filter(|&k| k >= 0)
            .map(|k| k as usize);
    }
}

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
        .find(|v| v.is_finite() && !(-500.0..=9000.0).contains(*v) && h.nodata != Some(**v))
    {
        return Err(Error::input(
            path,
            format!("height {bad} m: expected −500 to 9000 m above sea level"),
        ));
    }
    Ok(())
}

/// Bytes per grid cell a study holds at its peak (terrain, mask and commune rasters, best-server,
/// SINR, serving-site and per-operator rasters, combine buffers and site windows), measured on the
/// Nghệ An demo (2.73 GB peak for 4.0 M cells at 90 m) and rounded up.
pub const PEAK_BYTES_PER_CELL: u64 = 700;

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
