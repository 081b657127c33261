//! A study described by one `scenario.toml`: inputs, every parameter, the seed. Paths in the file are
//! relative to the file's own folder.

use crate::error::{Error, Result};
use phusong_engine::coverage::CoverageParams;
use phusong_engine::error::{check_range, ParamError};
use phusong_engine::plan::PlanParams;
use phusong_engine::radio::Site;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Inputs. Any layer left out is synthesised (and reported as synthetic).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Inputs {
    /// Terrain raster (GeoTIFF, SRTM .hgt, ESRI .asc; any CRS). Synthesised when absent.
    pub dem: Option<PathBuf>,
    /// Land cover: any GDAL raster of class codes (any CRS; warped by nearest neighbour).
    /// Synthesised when absent (see README "Clutter").
    pub clutter: Option<PathBuf>,
    /// The clutter class table (CSV or TOML) replacing the default one.
    pub clutter_classes: Option<PathBuf>,
    /// Sites in phusong's CSV layout (see README).
    pub sites_csv: Option<PathBuf>,
    /// Sites in OpenCelliD's CSV layout (LTE rows).
    pub opencellid_csv: Option<PathBuf>,
    /// Hamlets/villages: any OGR vector (points or polygons).
    pub hamlets: Option<PathBuf>,
    pub hamlets_layer: Option<String>,
    pub hamlet_name_field: Option<String>,
    pub hamlet_population_field: Option<String>,
    pub hamlet_power_field: Option<String>,
    /// Communes: any OGR vector of polygons.
    pub communes: Option<PathBuf>,
    pub communes_layer: Option<String>,
    pub commune_code_field: Option<String>,
    pub commune_name_field: Option<String>,
    pub commune_population_field: Option<String>,
    /// Roads (lines), used to place synthetic hamlets and sites.
    pub roads: Option<PathBuf>,
    /// Protected areas (national parks, reserves…): any OGR vector of polygons, any CRS. No new tower
    /// is proposed on a cell whose centre lies inside one.
    pub protected_areas: Option<PathBuf>,
    pub protected_areas_layer: Option<String>,
    /// Study outline: any OGR polygon layer, any CRS. The study area is its union (else the union of
    /// the communes, else the synthesiser's Nghệ An outline).
    pub outline: Option<PathBuf>,
    pub outline_layer: Option<String>,
    /// Folder laid out like `../shared/data/nghe-an` (admin/, roads/, coast/): real communes with census
    /// population and real roads replace the synthesiser's approximations.
    pub real_layers: Option<PathBuf>,
}

/// Synthesiser settings (used for every input not given).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthParams {
    /// ITU-R P.1511 coarse heights and the GSHHG land mask (registry-derived, shipped in data/).
    pub p1511: PathBuf,
    pub landmask: PathBuf,
    /// GeoNames populated places (towns), TSV.
    pub places: PathBuf,
    /// Counts left out (`None`) are derived by the documented rules of [`crate::derive`] and listed
    /// in `summary.json` with the rule used.
    pub sites: Option<usize>,
    pub hamlets: Option<usize>,
    /// Villages without grid power: 0 unless the user says.
    pub unpowered_hamlets: usize,
    /// Province population when no census layer is given.
    pub population: Option<u64>,
    pub communes: Option<usize>,
    /// Site placement knobs (see `synth::sites::SiteParams`).
    pub unpowered_clearance_m: f64,
    pub remote_share: f64,
    /// Remote powered hamlets operators have not built near, and the clearance kept from them.
    pub underserved_hamlets: Option<usize>,
    pub underserved_clearance_m: f64,
    /// Share of hamlets placed in mountain valleys (see `synth::hamlets::HamletParams`).
    pub mountain_hamlet_share: Option<f64>,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            p1511: "dem/p1511_topo_5arcmin.asc".into(),
            landmask: "coast/landmask_3s.tif".into(),
            places: "places/geonames_places.tsv".into(),
            sites: None,
            hamlets: None,
            unpowered_hamlets: 0,
            population: None,
            communes: None,
            unpowered_clearance_m: 2500.0,
            remote_share: 0.9,
            underserved_hamlets: None,
            underserved_clearance_m: 1500.0,
            mountain_hamlet_share: None,
        }
    }
}

/// Default seed of the synthesiser: the example study's (`data/nghe-an/scenario.toml`).
pub const DEFAULT_SEED: u64 = 20240710;

/// A whole study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// Projected CRS for all computation.
    pub crs_epsg: u32,
    /// Grid resolution, metres.
    pub resolution_m: f64,
    /// Seed of every random choice of the synthesiser.
    pub seed: u64,
    pub inputs: Inputs,
    pub synth: SynthParams,
    pub coverage: CoverageParams,
    pub plan: PlanParams,
    /// Optional window (study CRS, metres: xmin, ymin, xmax, ymax) to run on part of the area.
    pub clip_m: Option<[f64; 4]>,
    /// The study grid's extent (study CRS, metres: xmin, ymin, xmax, ymax); default: the study
    /// area's bounds. `phusong init` writes the communes' bounds plus a margin for sites across the
    /// border, leaving far-offshore islands out.
    pub extent_m: Option<[f64; 4]>,
    /// Accept input layers (DEM, land mask, places, communes) that cover only part of the study
    /// area, with a warning naming the layer and the missing share, instead of an error.
    pub allow_partial_inputs: bool,
    /// Only this operator's existing sites are the network the study assumes (case-insensitive
    /// match on the sites' `operator`); absent: every operator's sites (shared towers).
    pub operator: Option<String>,
    /// Folder the relative paths are resolved against (the scenario file's folder).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "study".into(),
            crs_epsg: crate::crs::DEFAULT_EPSG,
            resolution_m: 90.0,
            seed: DEFAULT_SEED,
            inputs: Inputs::default(),
            synth: SynthParams::default(),
            coverage: CoverageParams::default(),
            plan: PlanParams::default(),
            clip_m: None,
            extent_m: None,
            allow_partial_inputs: false,
            operator: None,
            base_dir: PathBuf::from("."),
        }
    }
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::input(path, format!("cannot read: {e}")))?;
        let mut s: Scenario =
            toml::from_str(&text).map_err(|e| Error::input(path, e.to_string()))?;
        s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        s.validate()
            .map_err(|e| Error::input(path, e.to_string()))?;
        Ok(s)
    }
    /// Resolves a path from the file against its folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
    /// Checks every parameter (finite, in range, unit in the message), naming its key.
    pub fn validate(&self) -> Result<()> {
        self.coverage.validate()?;
        self.plan.validate()?;
        self.synth.validate()?;
        check_range("resolution_m", self.resolution_m, 10.0, 1000.0, "10–1000 m")?;
        if !(1024..=32767).contains(&self.crs_epsg) {
            return Err(ParamError::new(
                "crs_epsg",
                self.crs_epsg,
                "an EPSG code of a projected CRS in metres (e.g. 32648)",
            )
            .into());
        }
        for (key, window) in [("clip_m", self.clip_m), ("extent_m", self.extent_m)] {
            if let Some(c) = window {
                if c.iter().any(|v| !v.is_finite()) || c[0] >= c[2] || c[1] >= c[3] {
                    return Err(ParamError::new(
                        key,
                        format!("{c:?}"),
                        "[xmin, ymin, xmax, ymax] in metres, finite, with xmin < xmax and ymin < ymax",
                    )
                    .into());
                }
            }
        }
        if let Some(op) = &self.operator {
            if op.trim().is_empty() {
                return Err(
                    ParamError::new("operator", "\"\"", "an operator name, e.g. Viettel").into(),
                );
            }
        }
        if self.inputs.sites_csv.is_some() && self.inputs.opencellid_csv.is_some() {
            return Err(Error::Config(
                "inputs: give sites_csv or opencellid_csv, not both".into(),
            ));
        }
        Ok(())
    }
}

impl Scenario {
    /// The existing sites the study assumes: only [`Scenario::operator`]'s when it is set, else
    /// all. An operator none of the sites belongs to is an error naming the operators present.
    pub fn existing_sites(&self, sites: Vec<Site>) -> Result<Vec<Site>> {
        let Some(op) = &self.operator else {
            return Ok(sites);
        };
        let wanted = op.trim().to_lowercase();
        let kept: Vec<Site> = sites
            .iter()
            .filter(|s| s.operator.trim().to_lowercase() == wanted)
            .cloned()
            .collect();
        if kept.is_empty() {
            let present: std::collections::BTreeSet<&str> =
                sites.iter().map(|s| s.operator.as_str()).collect();
            let present: Vec<&str> = present.into_iter().collect();
            return Err(Error::Config(format!(
                "operator {op:?}: no existing site belongs to it; operators present: {}",
                if present.is_empty() {
                    "none (no sites)".to_string()
                } else {
                    present.join(", ")
                }
            )));
        }
        Ok(kept)
    }
}

impl SynthParams {
    /// Checks the synthesiser's counts and distances.
    pub fn validate(&self) -> Result<(), ParamError> {
        let k = |e: ParamError| e.under("synth");
        let count = |key: &'static str, v: usize, max: usize| {
            if v <= max {
                Ok(())
            } else {
                Err(ParamError::new(key, v, format!("0–{max}")).under("synth"))
            }
        };
        let hamlets = self.hamlets.unwrap_or(1_000_000);
        count("sites", self.sites.unwrap_or(0), 1_000_000)?;
        count("hamlets", hamlets, 1_000_000)?;
        count("unpowered_hamlets", self.unpowered_hamlets, hamlets)?;
        count(
            "underserved_hamlets",
            self.underserved_hamlets.unwrap_or(0),
            hamlets,
        )?;
        count("communes", self.communes.unwrap_or(1), 100_000)?;
        if self.communes == Some(0) {
            return Err(ParamError::new("synth.communes", 0, "1–100000"));
        }
        if let Some(p) = self.population.filter(|&p| p > 2_000_000_000) {
            return Err(ParamError::new("synth.population", p, "0–2e9 people"));
        }
        check_range(
            "unpowered_clearance_m",
            self.unpowered_clearance_m,
            0.0,
            50_000.0,
            "0–50 km",
        )
        .map_err(k)?;
        check_range(
            "underserved_clearance_m",
            self.underserved_clearance_m,
            0.0,
            50_000.0,
            "0–50 km",
        )
        .map_err(k)?;
        check_range("remote_share", self.remote_share, 0.0, 1.0, "0–1").map_err(k)?;
        if let Some(m) = self.mountain_hamlet_share {
            check_range("mountain_hamlet_share", m, 0.0, 1.0, "0–1").map_err(k)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_partial_file_with_defaults_and_rejects_unknown_keys() {
        let s: Scenario = toml::from_str(
            "name = \"x\"\nseed = 7\n[coverage]\nthreshold_rsrp_dbm = -105.0\n[coverage.model]\nkind = \"fspl-deygout\"\n",
        )
        .unwrap();
        assert_eq!(s.seed, 7);
        assert_eq!(s.coverage.threshold_rsrp_dbm, -105.0);
        assert_eq!(s.coverage.rx_height_m, 1.5);
        assert_eq!(s.plan.budget, 700);
        assert!(toml::from_str::<Scenario>("nmae = \"typo\"").is_err());
    }

    #[test]
    fn bad_values_are_named() {
        let mut s = Scenario::default();
        s.coverage.load = 2.0;
        let e = s.validate().unwrap_err().to_string();
        assert!(e.contains("coverage.load"), "{e}");
    }

    #[test]
    fn itm_and_3gpp_models_parse_from_toml() {
        let s: Scenario = toml::from_str(
            "name = \"x\"\n[coverage.model]\nkind = \"itm\"\nlocation_reliability_pct = 90.0\n\
             climate = \"maritime-subtropical\"\nn0 = 350.0\n",
        )
        .unwrap();
        use phusong_engine::propagation::itm::Climate;
        use phusong_engine::propagation::models::Model;
        let Model::Itm(itm) = &s.coverage.model.model else {
            panic!("{:?}", s.coverage.model)
        };
        assert_eq!(itm.climate, Climate::MaritimeSubtropical);
        assert_eq!(itm.n0, 350.0);
        assert_eq!(s.coverage.model.location_reliability_pct, 90.0);
        s.validate().unwrap();
        let r: Scenario =
            toml::from_str("name = \"x\"\n[coverage.model]\nkind = \"3gpp-rma\"\n").unwrap();
        assert_eq!(r.coverage.model.kind(), "3gpp-rma");
        assert!(toml::from_str::<Scenario>(
            "name = \"x\"\n[coverage.model]\nkind = \"itm\"\nclimat = \"desert\"\n"
        )
        .is_err());
        let mut bad = s.clone();
        if let Model::Itm(i) = &mut bad.coverage.model.model {
            i.mdvar = 5;
        }
        assert!(bad.validate().unwrap_err().to_string().contains("mdvar"));
    }
}
