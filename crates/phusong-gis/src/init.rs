//! `phusong init`: a ready study for any province from its commune layer. Every value it derives
//! is written into `scenario.toml` with a comment saying how: the UTM zone of the communes'
//! centroid, the grid extent (the communes' bounds plus a margin for sites across the border, far
//! offshore islands left out), the bundled national data, and the synthesiser's counts by
//! [`crate::derive`]'s rules.
//!
//! Far-offshore rule: the communes' polygon parts are linked when their bounding boxes overlap or
//! their nearest vertices are within [`OFFSHORE_GAP_M`] (50 km); the linked group with the largest
//! area is the mainland and parts of every other group are left out of the extent, each listed in
//! the scenario's comments and, at run time, in `summary.json`'s warnings. 50 km keeps coastal
//! islands such as Lý Sơn (~25 km off Quảng Ngãi) or Cồn Cỏ and leaves out Bạch Long Vĩ, Phú Quý,
//! Côn Đảo and Trường Sa, which would otherwise stretch the grid over open sea.

use crate::derive;
use crate::error::{Error, Result};
use crate::io::vector_in::{read_communes, CommuneFields};
use crate::scenario::SynthParams;
use crate::study::{utm_epsg, utm_zone};
use geo::{Area, BoundingRect, Centroid, MultiPolygon, Polygon};
use phusong_engine::demand::Commune;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Nearest-vertex distance beyond which a polygon part is not linked to another, m.
pub const OFFSHORE_GAP_M: f64 = 50_000.0;
/// Margin round the communes' bounds, m: sites across the border (another province, Laos) still
/// serve the study's edge.
pub const DEFAULT_MARGIN_M: f64 = 5_000.0;

/// What `phusong init` is given.
#[derive(Clone, Debug)]
pub struct InitArgs {
    pub communes: PathBuf,
    pub layer: Option<String>,
    pub fields: CommuneFields,
    pub name: String,
    /// Folder the scenario is written into (created).
    pub dir: PathBuf,
    pub resolution_m: f64,
    pub margin_m: f64,
    /// Folder of the bundled national data (`data/vietnam`).
    pub data_dir: PathBuf,
}

/// What `phusong init` wrote and found.
#[derive(Clone, Debug)]
pub struct InitReport {
    pub scenario: PathBuf,
    pub epsg: u32,
    pub communes: usize,
    pub population: Option<u64>,
    pub left_out: Vec<String>,
    pub zones_note: Option<String>,
    pub counts: derive::Counts,
}

/// The mainland's polygon parts, each with its commune's index.
type Mainland = Vec<(usize, Polygon<f64>)>;

/// One polygon part of a commune.
struct Part {
    commune: usize,
    poly: Polygon<f64>,
    bbox: [f64; 4],
}

/// Writes `<dir>/scenario.toml` for the commune layer (refusing to overwrite one).
pub fn init(a: &InitArgs) -> Result<InitReport> {
    crate::scenario::Scenario {
        resolution_m: a.resolution_m,
        ..Default::default()
    }
    .validate()?;
    if !(a.margin_m.is_finite() && (0.0..=100_000.0).contains(&a.margin_m)) {
        return Err(Error::Config(format!(
            "--margin-m {}: expected 0–100000 m",
            a.margin_m
        )));
    }
    let target = a.dir.join("scenario.toml");
    if target.exists() {
        return Err(Error::input(
            &target,
            "already exists; remove it or choose another --dir",
        ));
    }
    let wgs = read_communes(&a.communes, a.layer.as_deref(), &a.fields, 4326)?;
    if wgs.is_empty() {
        return Err(Error::input(&a.communes, "no commune polygons"));
    }
    // Zone of the centroid of all parts, then again of the mainland once far parts are known.
    let mut epsg = centroid_epsg(wgs.iter().map(|c| &c.geometry))?;
    let (mut communes, mut keep) = project_and_cluster(a, epsg)?;
    let again = centroid_epsg_of_wgs(&wgs, &communes, &keep)?;
    if again != epsg {
        epsg = again;
        (communes, keep) = project_and_cluster(a, epsg)?;
    }
    let kept_ids: std::collections::BTreeSet<usize> = keep.iter().map(|(k, _)| *k).collect();
    let left_out = left_out_parts(&communes, &keep);
    let extent = extent_of(&keep, a.margin_m)?;
    let zones_note = zones_note(&wgs, &kept_ids, epsg);
    let kept: Vec<Commune> = kept_ids.iter().map(|&k| communes[k].clone()).collect();
    let p1511 = a.data_dir.join("dem/p1511_topo_5arcmin.asc");
    let facts = derive::facts_from_communes(&kept, extent, epsg, &p1511)?;
    let counts = derive::counts(&SynthParams::default(), &facts, false);
    std::fs::create_dir_all(&a.dir)
        .map_err(|e| Error::input(&a.dir, format!("cannot create: {e}")))?;
    let text = scenario_text(
        a,
        epsg,
        extent,
        &kept,
        &left_out,
        zones_note.as_deref(),
        &counts,
    )?;
    crate::io::atomic::write_string_atomic(&target, &text)?;
    Ok(InitReport {
        scenario: target,
        epsg,
        communes: kept.len(),
        population: facts.census_total(),
        left_out,
        zones_note,
        counts,
    })
}

/// EPSG of the UTM zone of the area-weighted centroid of lon/lat polygons.
fn centroid_epsg<'a>(polys: impl Iterator<Item = &'a MultiPolygon<f64>>) -> Result<u32> {
    let all = MultiPolygon(polys.flat_map(|m| m.0.iter().cloned()).collect());
    let c = all
        .centroid()
        .ok_or_else(|| Error::Other("the commune polygons have no area".into()))?;
    Ok(utm_epsg(c.x(), c.y()))
}

/// The centroid zone of the mainland parts only (`keep` holds the projected parts kept; the same
/// parts are taken from the lon/lat layer by commune and order).
fn centroid_epsg_of_wgs(
    wgs: &[Commune],
    projected: &[Commune],
    keep: &[(usize, Polygon<f64>)],
) -> Result<u32> {
    let mut parts = Vec::new();
    for (k, p) in keep {
        if let Some(i) = projected[*k].geometry.0.iter().position(|q| q == p) {
            if let Some(w) = wgs.get(*k).and_then(|c| c.geometry.0.get(i)) {
                parts.push(w.clone());
            }
        }
    }
    let m = MultiPolygon(parts);
    centroid_epsg(std::iter::once(&m))
}

/// Communes in EPSG:`epsg` and the mainland parts (commune index, polygon).
fn project_and_cluster(a: &InitArgs, epsg: u32) -> Result<(Vec<Commune>, Mainland)> {
    let communes = read_communes(&a.communes, a.layer.as_deref(), &a.fields, epsg)?;
    let mut parts = Vec::new();
    for (k, c) in communes.iter().enumerate() {
        for p in &c.geometry.0 {
            if let Some(b) = p.bounding_rect() {
                parts.push(Part {
                    commune: k,
                    poly: p.clone(),
                    bbox: [b.min().x, b.min().y, b.max().x, b.max().y],
                });
            }
        }
    }
    let group = link_parts(&parts, OFFSHORE_GAP_M);
    let mut area = std::collections::BTreeMap::<usize, f64>::new();
    for (p, &g) in parts.iter().zip(&group) {
        *area.entry(g).or_default() += p.poly.unsigned_area();
    }
    let main = area
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(g, _)| *g)
        .unwrap_or(0);
    let keep = parts
        .into_iter()
        .zip(&group)
        .filter(|(_, &g)| g == main)
        .map(|(p, _)| (p.commune, p.poly))
        .collect();
    Ok((communes, keep))
}

/// Group of each part under single linkage: parts whose boxes overlap, or whose nearest vertices
/// are within `gap_m`, share a group (union–find; group = smallest member index).
fn link_parts(parts: &[Part], gap_m: f64) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..parts.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..parts.len() {
        for j in i + 1..parts.len() {
            let (a, b) = (&parts[i].bbox, &parts[j].bbox);
            let dx = (b[0] - a[2]).max(a[0] - b[2]).max(0.0);
            let dy = (b[1] - a[3]).max(a[1] - b[3]).max(0.0);
            if dx * dx + dy * dy > gap_m * gap_m {
                continue;
            }
            let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
            if ri == rj {
                continue;
            }
            if (dx == 0.0 && dy == 0.0) || vertex_gap_m(&parts[i].poly, &parts[j].poly) <= gap_m {
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    (0..parts.len()).map(|i| find(&mut parent, i)).collect()
}

/// Smallest distance between the exterior vertices of two polygons, m.
fn vertex_gap_m(a: &Polygon<f64>, b: &Polygon<f64>) -> f64 {
    let mut best = f64::INFINITY;
    for p in a.exterior().coords() {
        for q in b.exterior().coords() {
            best = best.min((p.x - q.x).hypot(p.y - q.y));
        }
    }
    best
}

/// One sentence per left-out part.
fn left_out_parts(communes: &[Commune], keep: &[(usize, Polygon<f64>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, c) in communes.iter().enumerate() {
        for (i, p) in c.geometry.0.iter().enumerate() {
            if keep.iter().any(|(kk, q)| *kk == k && q == p) {
                continue;
            }
            let cen = p.centroid().map_or((0.0, 0.0), |c| (c.x(), c.y()));
            out.push(format!(
                "part {} of {} of commune '{}' ({}; population {}), {:.1} km² at x {:.0}, y {:.0} m: \
                 more than {:.0} km from the mainland",
                i + 1,
                c.geometry.0.len(),
                c.name,
                c.code,
                c.population.map_or("unknown".into(), |p| p.to_string()),
                p.unsigned_area() / 1e6,
                cen.0,
                cen.1,
                OFFSHORE_GAP_M / 1000.0
            ));
        }
    }
    out
}

/// Bounds of the kept parts plus the margin, rounded outward to whole kilometres.
fn extent_of(keep: &[(usize, Polygon<f64>)], margin_m: f64) -> Result<[f64; 4]> {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (_, p) in keep {
        if let Some(r) = p.bounding_rect() {
            b = [
                b[0].min(r.min().x),
                b[1].min(r.min().y),
                b[2].max(r.max().x),
                b[3].max(r.max().y),
            ];
        }
    }
    if !b.iter().all(|v| v.is_finite()) {
        return Err(Error::Other("the commune polygons have no extent".into()));
    }
    Ok([
        ((b[0] - margin_m) / 1000.0).floor() * 1000.0,
        ((b[1] - margin_m) / 1000.0).floor() * 1000.0,
        ((b[2] + margin_m) / 1000.0).ceil() * 1000.0,
        ((b[3] + margin_m) / 1000.0).ceil() * 1000.0,
    ])
}

/// When the kept communes span two or more UTM zones: which was chosen and why.
fn zones_note(
    wgs: &[Commune],
    kept: &std::collections::BTreeSet<usize>,
    epsg: u32,
) -> Option<String> {
    let (mut w, mut e) = (f64::INFINITY, f64::NEG_INFINITY);
    for &k in kept {
        if let Some(r) = wgs.get(k).and_then(|c| c.geometry.bounding_rect()) {
            w = w.min(r.min().x);
            e = e.max(r.max().x);
        }
    }
    (w.is_finite() && utm_zone(w) != utm_zone(e)).then(|| {
        format!(
            "the communes span UTM zones {} to {} ({w:.2}–{e:.2}°E); zone {} (EPSG:{epsg}) is chosen \
             because the communes' area-weighted centroid lies in it",
            utm_zone(w),
            utm_zone(e),
            epsg % 100
        )
    })
}

/// `to` relative to the folder `from` when both are absolute, else `to` as given.
fn relative_to(from: &Path, to: &Path) -> PathBuf {
    let (Ok(f), Ok(t)) = (std::path::absolute(from), std::path::absolute(to)) else {
        return to.to_path_buf();
    };
    let (fc, tc): (Vec<_>, Vec<_>) = (f.components().collect(), t.components().collect());
    let common = fc.iter().zip(&tc).take_while(|(a, b)| a == b).count();
    // Sharing only the root (or nothing): the absolute path reads better than a climb to /.
    if common <= 1 {
        return t;
    }
    let mut r = PathBuf::new();
    for _ in common..fc.len() {
        r.push("..");
    }
    for c in &tc[common..] {
        r.push(c.as_os_str());
    }
    r
}

/// A TOML string literal.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The scenario file's text: every derived value with a comment saying how.
fn scenario_text(
    a: &InitArgs,
    epsg: u32,
    extent: [f64; 4],
    kept: &[Commune],
    left_out: &[String],
    zones: Option<&str>,
    c: &derive::Counts,
) -> Result<String> {
    let rel = |p: &Path| relative_to(&a.dir, p).display().to_string();
    let pop = kept.iter().map(|c| c.population).sum::<Option<u64>>();
    let mut t = String::new();
    let w = |t: &mut String, s: String| t.push_str(&s);
    w(&mut t, format!(
        "# Study written by `phusong init` from {} ({} communes{}).\n\
         # Every value below was derived as its comment says; edit any of them. Paths are relative to\n\
         # this file's folder. Parameters not written here take phusong's defaults (coverage, model and\n\
         # plan: see data/nghe-an/scenario.toml, the annotated example).\n",
        a.communes.display(),
        kept.len(),
        pop.map_or(String::new(), |p| format!(", {p} people in the census field"))
    ));
    w(&mut t, format!("name = {}\n", q(&a.name)));
    w(&mut t, format!(
        "crs_epsg = {epsg}          # WGS 84 / UTM zone {}{}: the zone of the communes' area-weighted centroid\n",
        epsg % 100,
        if epsg >= 32700 { "S" } else { "N" }
    ));
    if let Some(z) = zones {
        w(&mut t, format!("# {z}\n"));
    }
    w(
        &mut t,
        format!(
            "resolution_m = {:?}      # study grid cell, m\n",
            a.resolution_m
        ),
    );
    w(
        &mut t,
        format!(
            "seed = {}           # the example's seed; any seed gives another synthetic study\n",
            crate::scenario::DEFAULT_SEED
        ),
    );
    w(&mut t, format!(
        "# Grid extent (xmin, ymin, xmax, ymax; EPSG:{epsg}, m): the communes' bounds plus {:.0} km for sites across\n\
         # the border, rounded out to whole km; polygon parts more than {:.0} km from the mainland are left out.\n\
         extent_m = [{:.1}, {:.1}, {:.1}, {:.1}]\n",
        a.margin_m / 1000.0,
        OFFSHORE_GAP_M / 1000.0,
        extent[0], extent[1], extent[2], extent[3]
    ));
    if left_out.is_empty() {
        w(
            &mut t,
            "# Left out: none (no polygon part lies far offshore).\n".into(),
        );
    } else {
        w(&mut t, format!("# WARNING: {} polygon part(s) left out of the grid (listed again in summary.json):\n", left_out.len()));
        for l in left_out {
            let _ = writeln!(t, "#   {l}");
        }
    }
    w(&mut t, "allow_partial_inputs = false   # true: a layer covering only part of the study is a warning, not an error\n\n".into());
    w(&mut t, "[inputs]\n".into());
    w(
        &mut t,
        format!(
            "communes = {}   # land = these polygons; census population per commune\n",
            q(&rel(&a.communes))
        ),
    );
    if let Some(l) = &a.layer {
        w(&mut t, format!("communes_layer = {}\n", q(l)));
    }
    w(
        &mut t,
        format!("commune_code_field = {}\n", q(&a.fields.code)),
    );
    w(
        &mut t,
        format!("commune_name_field = {}\n", q(&a.fields.name)),
    );
    if let Some(p) = &a.fields.population {
        w(&mut t, format!("commune_population_field = {}\n", q(p)));
    }
    w(&mut t, "# dem = \"my_dem.tif\"           # a real DEM (SRTM, Copernicus) replaces the synthetic terrain\n\
               # sites_csv = \"sites.csv\"       # real sites replace the synthetic ones (README: \"Site CSV\")\n\
               # opencellid_csv = \"452.csv\"    # or an OpenCelliD export\n\
               # hamlets = \"villages.gpkg\"     # real thôn/bản points or polygons with population\n\
               # roads = \"roads.geojson\"\n\n".into());
    synth_text(&mut t, a, &rel, c);
    Ok(t)
}

/// The `[synth]` section: the bundled data and every count with its rule.
fn synth_text(t: &mut String, a: &InitArgs, rel: &dyn Fn(&Path) -> String, c: &derive::Counts) {
    let w = |t: &mut String, s: String| t.push_str(&s);
    w(t, "[synth]\n# Bundled national data (registry packages, data/README.md); used for what is not given above.\n".into());
    let d = &a.data_dir;
    w(
        t,
        format!(
            "p1511 = {}\n",
            q(&rel(&d.join("dem/p1511_topo_5arcmin.asc")))
        ),
    );
    w(
        t,
        format!("landmask = {}\n", q(&rel(&d.join("coast/landmask_3s.tif")))),
    );
    w(
        t,
        format!(
            "places = {}\n",
            q(&rel(&d.join("places/geonames_places.tsv")))
        ),
    );
    w(t, "# Counts derived by documented rules (crates/phusong-gis/src/derive.rs); summary.json lists each\n\
               # with its rule. Change a value and it is reported as given instead.\n".into());
    for r in &c.rules {
        let key = r.key.trim_start_matches("synth.");
        if key == "population" {
            let _ = writeln!(t, "# population: {} ({})", r.value, r.rule);
            continue;
        }
        let v = if key == "mountain_hamlet_share" {
            format!("{:?}", r.value)
        } else {
            format!("{}", r.value as u64)
        };
        let _ = writeln!(t, "# {}\n{key} = {v}", r.rule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, side: f64) -> Polygon<f64> {
        polygon![(x: x, y: y), (x: x + side, y: y), (x: x + side, y: y + side), (x: x, y: y + side)]
    }

    #[test]
    fn far_parts_form_their_own_group_and_near_islands_join_the_mainland() {
        let part = |commune, poly: Polygon<f64>| {
            let b = poly.bounding_rect().unwrap();
            Part {
                commune,
                bbox: [b.min().x, b.min().y, b.max().x, b.max().y],
                poly,
            }
        };
        let parts = vec![
            part(0, square(0.0, 0.0, 40_000.0)),          // mainland
            part(1, square(40_000.0, 0.0, 30_000.0)),     // touching the mainland
            part(2, square(95_000.0, 10_000.0, 5_000.0)), // 25 km off: an island like Lý Sơn
            part(1, square(260_000.0, 0.0, 2_000.0)),     // 160 km off: far offshore
        ];
        let g = link_parts(&parts, OFFSHORE_GAP_M);
        assert_eq!(g[0], g[1]);
        assert_eq!(g[0], g[2]);
        assert_ne!(g[0], g[3]);
        // A chain of islands each within the gap of the next joins too.
        let chain = vec![
            part(0, square(0.0, 0.0, 10_000.0)),
            part(1, square(55_000.0, 0.0, 1_000.0)),
            part(2, square(100_000.0, 0.0, 1_000.0)),
        ];
        let g = link_parts(&chain, OFFSHORE_GAP_M);
        assert!(g[0] == g[1] && g[1] == g[2]);
    }

    #[test]
    fn relative_paths_walk_up_to_the_common_folder() {
        assert_eq!(
            relative_to(Path::new("/a/b/study"), Path::new("/a/data/x.tif")),
            PathBuf::from("../../data/x.tif")
        );
        assert_eq!(utm_epsg(108.8, 15.0), 32649);
        assert_eq!(utm_epsg(105.7, 18.7), 32648);
        assert_eq!(utm_epsg(-70.0, -33.0), 32719);
    }
}
