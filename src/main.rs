//! `phusong` command line: argument parsing, flags turned into settings in one place
//! ([`settings`]), progress on the terminal ([`progress`]) and one function per subcommand over the
//! `phusong-gis` pipeline and the `phusong-engine` computations.

mod progress;
mod settings;

use clap::{ArgGroup, Args, Parser, Subcommand};
use phusong_gis::link::{self, Endpoint, LinkParams};
use phusong_gis::pipeline::{self, Reporter};
use phusong_gis::reports::{human_summary, Summary};
use phusong_gis::scenario::Scenario;
use phusong_gis::study::Study;
use phusong_gis::{Error, Result};
use settings::{ModelArgs, StudyOverrides};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Mobile-network coverage planning: terrain propagation, coverage, gaps and new-tower plans.
#[derive(Parser)]
#[command(name = "phusong", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Worker threads (default: all cores). Results are identical at any thread count.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Print nothing but errors (no progress bars or stage lines).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Args, Clone)]
struct StudyArgs {
    /// Study file (scenario.toml); its relative paths resolve against its own folder.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Run folder for inputs and results (default: out/<scenario name>).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Folder of real layers laid out like ../shared/data/nghe-an (admin/, roads/): real communes with
    /// census population and real roads replace the synthesiser's approximations.
    #[arg(long, value_name = "DIR")]
    real_layers: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    study: StudyOverrides,
}

/// `phusong site`: one site of a study over its own window.
#[derive(Args, Clone)]
struct SiteArgs {
    /// Study file (scenario.toml) whose run folder holds `phusong synth` output.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// The site's `site_id` in the run folder's inputs/sites.csv.
    #[arg(long, value_name = "ID")]
    site: u32,
    /// Evaluate the model once per cell on the full profile from the site to the cell centre,
    /// sampled at the DEM's resolution, instead of by the radial engine (slower; the reference).
    #[arg(long)]
    exact: bool,
    /// Output folder for path_loss_db.tif, rsrp_dbm.tif and site.json (default:
    /// <run folder>/site_<ID>, or site_<ID>_exact).
    #[arg(long, short, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run folder of the study (default: out/<scenario name>).
    #[arg(long, value_name = "DIR")]
    run_dir: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
}

/// `phusong drive-test`: a synthetic drive test along the study's roads.
#[derive(Args, Clone)]
struct DriveTestArgs {
    /// Study file (scenario.toml) whose run folder holds `phusong synth` output.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Output CSV: lon,lat,rsrp_dbm,site_id,pci,earfcn,time.
    #[arg(long, short, value_name = "M.csv")]
    out: PathBuf,
    /// Run folder of the study (default: out/<scenario name>).
    #[arg(long, value_name = "DIR")]
    run: Option<PathBuf>,
    /// Seed of the shadowing and noise (same seed, same file).
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// Log-normal shadowing σ, dB (0–20).
    #[arg(long, value_name = "S", default_value_t = 7.0)]
    sigma_db: f64,
    /// Gudmundson decorrelation distance of the shadowing, m (1–10000).
    #[arg(long, value_name = "D", default_value_t = 100.0)]
    decorrelation_m: f64,
    /// Independent measurement noise σ, dB (0–10).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    noise_db: f64,
    /// Truth model (default: itm, or hata-deygout when the scenario uses itm), with its default
    /// parameters; `--truth-model` equal to the scenario's kind uses the scenario's parameters.
    #[arg(long, value_enum, value_name = "KIND")]
    truth_model: Option<settings::ModelKind>,
    /// Known correction added to the truth model's loss: offset, dB.
    #[arg(
        long,
        value_name = "DB",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    truth_offset_db: f64,
    /// Known correction: log-distance slope, dB per decade of distance from 1 km.
    #[arg(
        long,
        value_name = "DB",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    truth_slope_db_per_decade: f64,
    /// Known correction: dB per decade of antenna height above ground from 1 m.
    #[arg(
        long,
        value_name = "DB",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    truth_height_db_per_decade: f64,
    /// Number of sites driven around (those with the most road nearby; 1–10000).
    #[arg(long, value_name = "N", default_value_t = 6)]
    sites: usize,
    /// Drive within this distance of each site, m (200–50000).
    #[arg(long, value_name = "M", default_value_t = 5000.0)]
    radius_m: f64,
    /// Spacing of the points along the roads, m (1–1000).
    #[arg(long, value_name = "M", default_value_t = 20.0)]
    step_m: f64,
    /// Receiver sensitivity: weaker RSRP is written at this floor, dBm (−160 to −60).
    #[arg(long, value_name = "DBM", default_value_t = -125.0, allow_hyphen_values = true)]
    sensitivity_dbm: f64,
}

/// `phusong calibrate`: fit the study's model to measured RSRP.
#[derive(Args, Clone)]
struct CalibrateArgs {
    /// Study file (scenario.toml) whose run folder holds `phusong synth` output.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Measurements: lon,lat,rsrp_dbm plus site_id (or pci and earfcn); optional time, clutter.
    #[arg(long, value_name = "M.csv")]
    measurements: PathBuf,
    /// Output folder: calibration.json, model-snippet.toml and two SVG plots.
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,
    /// Run folder of the study (default: out/<scenario name>).
    #[arg(long, value_name = "DIR")]
    run: Option<PathBuf>,
    /// Receiver sensitivity: RSRP at or below it is censored, dBm (−160 to −60).
    #[arg(long, value_name = "DBM", default_value_t = -125.0, allow_hyphen_values = true)]
    sensitivity_dbm: f64,
    /// Points nearer their site than this are dropped, m (0–10000).
    #[arg(long, value_name = "M", default_value_t = 100.0)]
    min_distance_m: f64,
    /// Points more than this below the sector's peak gain (antenna nulls) are dropped, dB.
    #[arg(long, value_name = "DB", default_value_t = 20.0)]
    max_null_depth_db: f64,
    /// Also fit the antenna-height term (dB per decade of height; needs sites of varied heights).
    #[arg(long)]
    fit_height: bool,
    #[command(flatten)]
    model: ModelArgs,
}

/// `phusong link`: one point-to-point path over a DEM file or a study's DEM.
#[derive(Args, Clone)]
#[command(group(ArgGroup::new("terrain").required(true).args(["dem", "scenario"])))]
struct LinkArgs {
    /// One end (e.g. the candidate tower): WGS84 degrees and antenna height above ground
    /// (default 30 m).
    #[arg(long, value_name = "LON,LAT[,HEIGHT_M]", allow_hyphen_values = true)]
    from: String,
    /// Other end (e.g. the existing site): WGS84 degrees and antenna height above ground
    /// (default 30 m).
    #[arg(long, value_name = "LON,LAT[,HEIGHT_M]", allow_hyphen_values = true)]
    to: String,
    /// Carrier frequency, MHz (20–100 000).
    #[arg(long, value_name = "F")]
    freq_mhz: f64,
    /// Terrain: any GDAL raster (GeoTIFF, SRTM .hgt, ESRI .asc), any CRS.
    #[arg(long, value_name = "FILE")]
    dem: Option<PathBuf>,
    /// Terrain: the study DEM of this scenario's run folder (<out>/inputs/dem_m.tif).
    #[arg(value_name = "SCENARIO", conflicts_with = "dem")]
    scenario: Option<PathBuf>,
    /// Run folder of that study (default: out/<scenario name>).
    #[arg(long, short, value_name = "RUN_DIR", requires = "scenario")]
    out: Option<PathBuf>,
    /// Projected CRS of the analysis (default: the scenario's, else the WGS 84 UTM zone of the
    /// link's midpoint, e.g. 32648 = UTM 48N).
    #[arg(long, value_name = "EPSG")]
    epsg: Option<u32>,
    /// The model of the link's main row: the scenario's, with these overrides (without a scenario:
    /// hata-deygout with its defaults).
    #[command(flatten)]
    model: ModelArgs,
    /// Transmit power at `from`, dBm (enables the received-power column).
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    tx_power_dbm: Option<f64>,
    /// Antenna gain at `from`, dBi.
    #[arg(
        long,
        value_name = "G",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    tx_gain_dbi: f64,
    /// Antenna gain at `to`, dBi.
    #[arg(
        long,
        value_name = "G",
        default_value_t = 0.0,
        allow_hyphen_values = true
    )]
    rx_gain_dbi: f64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also draw the profile (terrain, line of sight, Fresnel zone) to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// `phusong init`: a new study from a commune layer.
#[derive(Args, Clone)]
struct InitArgs {
    /// Commune polygons with census population: any OGR vector (GeoJSON, GPKG, Shapefile), any CRS
    /// (VN-2000 included).
    #[arg(long, value_name = "FILE")]
    communes: PathBuf,
    /// Layer of that file (default: its first).
    #[arg(long, value_name = "LAYER")]
    layer: Option<String>,
    /// Census population field (people).
    #[arg(long, value_name = "F", default_value = "population")]
    population_field: String,
    /// Commune name field.
    #[arg(long, value_name = "F", default_value = "commune_vn")]
    name_field: String,
    /// Commune code field (unique per commune).
    #[arg(long, value_name = "F", default_value = "commune_id")]
    code_field: String,
    /// Study name (run folder out/<NAME>).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Folder to write scenario.toml into (default: studies/<NAME>).
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Study grid cell, m (10–1000).
    #[arg(long, value_name = "M", default_value_t = 90.0)]
    resolution_m: f64,
    /// Margin round the communes' bounds for sites across the border, m (0–100000).
    #[arg(long, value_name = "M", default_value_t = phusong_gis::init::DEFAULT_MARGIN_M)]
    margin_m: f64,
}

#[derive(Subcommand)]
enum Command {
    /// A new study from a commune layer: writes DIR/scenario.toml with the UTM zone, extent, land,
    /// bundled national data and derived counts written out and commented.
    Init(InitArgs),
    /// The whole Nghệ An study on the embedded data (data/nghe-an/scenario.toml) into out/nghe-an.
    Demo {
        /// Folder of real layers (see `run --help`).
        #[arg(long, value_name = "DIR")]
        real_layers: Option<PathBuf>,
        /// Run folder (default: out/nghe-an).
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Grid resolution in metres (default: the scenario's, 90 m).
        #[arg(long, value_name = "M")]
        resolution_m: Option<f64>,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        study: StudyOverrides,
    },
    /// Every stage of a study: synth → coverage → gaps → plan → export.
    Run(StudyArgs),
    /// Stage 1: read real inputs and synthesise the missing ones into <out>/inputs/.
    Synth(StudyArgs),
    /// Stage 2: coverage rasters (RSRP dBm, serving site, SINR dB, servers within 6 dB) and coverage.json.
    Coverage(StudyArgs),
    /// Stage 3: uncovered hamlets with their cause (terrain shadow or out of range) → gaps.json.
    Gaps(StudyArgs),
    /// Stage 4: choose new towers (exact MILP with HiGHS after a greedy start) → plan.json, proposed_sites.csv.
    Plan(StudyArgs),
    /// Stage 5: styled GeoPackage, QGIS project (project.qgs) and summary.json.
    Export(StudyArgs),
    /// Point-to-point link (e.g. a candidate tower's backhaul to an existing site): terrain
    /// profile, line of sight, first Fresnel zone clearance and path loss under each model.
    Link(LinkArgs),
    /// One site's path loss (dB, per sector frequency) and RSRP (dBm) over its own window, reading
    /// only that window of the study's DEM; `--exact` evaluates every cell on its own profile.
    Site(SiteArgs),
    /// A synthetic drive test along the study's roads near a few sites: RSRP from a truth model,
    /// correlated log-normal shadowing and noise, floored at the sensitivity.
    DriveTest(DriveTestArgs),
    /// Fit the study's model to drive-test RSRP (robust least squares, leave-one-site-out CV):
    /// calibration.json, a [coverage.model] snippet and plots.
    Calibrate(CalibrateArgs),
    /// Time one site's coverage (the `cargo bench` cases) and, with a scenario, its whole coverage stage.
    Bench {
        /// Repetitions per case (the median is printed).
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// Also time the coverage stage of this study (its run folder must hold `phusong synth` output).
        #[arg(value_name = "SCENARIO")]
        scenario: Option<PathBuf>,
        /// Run folder of that study (default: out/<scenario name>).
        #[arg(long, short, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// ITU-R P.1812-6 on one path in the ITU-R validation layout; prints `Lb_db,Ep_dbuvm`.
    P1812 {
        /// Terrain profile: distance km, height m, clutter code, clutter height m, zone (ITU-R layout).
        #[arg(long, value_name = "PROFILE.csv")]
        profile: PathBuf,
        /// Parameters: a results file's parameter block (the rows before its first empty row).
        #[arg(long, value_name = "PARAMS.csv")]
        params: PathBuf,
    },
    /// Longley-Rice (ITM) on batch files in NTIA's test-vector layout; prints `row,A__db,warnings`.
    #[command(subcommand)]
    Itm(ItmCommand),
}

#[derive(Subcommand)]
enum ItmCommand {
    /// Point-to-point mode: inputs CSV plus one PFL profile line per row.
    P2p {
        /// Inputs: h_tx__meter,h_rx__meter,epsilon,sigma,N_0,f__mhz,pol,climate,time,location,situation,mdvar.
        #[arg(long, value_name = "CSV")]
        p2p: PathBuf,
        /// Profiles, one per input row: n, step_m, z_0 … z_n.
        #[arg(long, value_name = "FILE")]
        pfls: PathBuf,
    },
    /// Area mode: h_tx__meter,h_rx__meter,delta_h__meter,mdvar,d__km,tx/rx_siting_criteria,epsilon,sigma,
    /// N_0,f__mhz,pol,climate,time,location,situation.
    Area {
        #[arg(long, value_name = "CSV")]
        area: PathBuf,
    },
}

fn load(a: &StudyArgs) -> Result<(Scenario, PathBuf)> {
    let mut s = Scenario::load(&a.scenario)?;
    if let Some(r) = &a.real_layers {
        s.inputs.real_layers = Some(std::path::absolute(r).unwrap_or_else(|_| r.clone()));
    }
    a.model.apply(&mut s.coverage.model)?;
    a.study.apply(&mut s)?;
    s.validate()?;
    let out = match &a.out {
        Some(o) => o.clone(),
        // A scenario's name never leads outside out/ (no `..`, absolute paths or separators).
        None => phusong_gis::run_folder::confine(Path::new("out"), &s.name)?,
    };
    Ok((s, out))
}

/// The embedded scenario: ./data/nghe-an/scenario.toml, else the one beside the crate's sources.
fn demo_scenario() -> PathBuf {
    let local = Path::new("data/nghe-an/scenario.toml");
    if local.exists() {
        local.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(local)
    }
}

fn run_link(a: &LinkArgs) -> Result<()> {
    let from = Endpoint::parse(&a.from, "--from", link::DEFAULT_FROM_HEIGHT_M)?;
    let to = Endpoint::parse(&a.to, "--to", link::DEFAULT_TO_HEIGHT_M)?;
    let mut params = LinkParams::new(a.freq_mhz);
    let dem = match (&a.dem, &a.scenario) {
        (Some(dem), _) => {
            // No study: the UTM zone of the link's midpoint (not always zone 48).
            params.epsg =
                phusong_gis::study::utm_epsg(0.5 * (from.lon + to.lon), 0.5 * (from.lat + to.lat));
            dem.clone()
        }
        (None, Some(scenario)) => {
            let (s, out) = load(&StudyArgs {
                scenario: scenario.clone(),
                out: a.out.clone(),
                real_layers: None,
                model: ModelArgs::default(),
                study: StudyOverrides::default(),
            })?;
            params.epsg = s.crs_epsg;
            params.model = s.coverage.model;
            link::study_dem(&out, scenario)?
        }
        (None, None) => {
            return Err(Error::Other(
                "give the terrain: --dem FILE or a SCENARIO".into(),
            ))
        }
    };
    a.model.apply(&mut params.model)?;
    params.epsg = a.epsg.unwrap_or(params.epsg);
    params.k_factor = settings::k_factor_of(&params.model);
    params.tx_power_dbm = a.tx_power_dbm;
    params.tx_gain_dbi = a.tx_gain_dbi;
    params.rx_gain_dbi = a.rx_gain_dbi;
    let l = link::analyse(&dem, from, to, &params)?;
    if let Some(p) = &a.plot {
        link::plot::write_svg(p, &l)?;
    }
    if a.json {
        println!("{}", l.report.to_json()?);
    } else {
        print!("{}", l.report.to_text());
        if let Some(p) = &a.plot {
            println!("profile drawn in {}", p.display());
        }
    }
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    let term = progress::Terminal::new(cli.quiet);
    let r: &dyn Reporter = &term;
    let t = std::time::Instant::now();
    let print_summary = |s: &Summary, out: &Path| {
        println!("{}", human_summary(s));
        println!(
            "outputs in {} ({:.0} s)",
            out.display(),
            t.elapsed().as_secs_f64()
        );
    };
    match &cli.command {
        Command::Demo {
            real_layers,
            out,
            resolution_m,
            model,
            study,
        } => {
            let args = StudyArgs {
                scenario: demo_scenario(),
                out: out.clone(),
                real_layers: real_layers.clone(),
                model: model.clone(),
                study: study.clone(),
            };
            let (mut s, out) = load(&args)?;
            if let Some(m) = resolution_m {
                s.resolution_m = *m;
                s.validate()?;
            }
            let summary = pipeline::run_all(&s, &out, r)?;
            print_summary(&summary, &out);
        }
        Command::Run(a) => {
            let (s, out) = load(a)?;
            let summary = pipeline::run_all(&s, &out, r)?;
            print_summary(&summary, &out);
        }
        Command::Link(a) => run_link(a)?,
        Command::Init(a) => run_init(a)?,
        Command::Site(a) => run_site(a)?,
        Command::DriveTest(a) => run_drive_test(a)?,
        Command::Calibrate(a) => run_calibrate(a)?,
        Command::Synth(a) => {
            let (s, out) = load(a)?;
            pipeline::stage_synth(&s, &pipeline::Run::open(&out)?, r)?;
        }
        Command::Coverage(a) => {
            let (s, out) = load(a)?;
            let run = pipeline::Run::open(&out)?;
            pipeline::stage_coverage(&s, &pipeline::load_study(&s, &out)?, &run, r)?;
        }
        Command::Gaps(a) => {
            let (s, out) = load(a)?;
            let run = pipeline::Run::open(&out)?;
            pipeline::stage_gaps(&s, &pipeline::load_study(&s, &out)?, &run, r)?;
        }
        Command::Plan(a) => {
            let (s, out) = load(a)?;
            let run = pipeline::Run::open(&out)?;
            pipeline::stage_plan(&s, &pipeline::load_study(&s, &out)?, &run, r)?;
        }
        Command::Bench {
            iterations,
            scenario,
            out,
        } => run_bench(*iterations, scenario.as_deref(), out.clone(), r)?,
        Command::Itm(c) => run_itm(c)?,
        Command::P1812 { profile, params } => run_p1812(profile, params)?,
        Command::Export(a) => {
            let (s, out) = load(a)?;
            let run = pipeline::Run::open(&out)?;
            let summary = pipeline::stage_export(&s, &pipeline::load_study(&s, &out)?, &run, r)?;
            print_summary(&summary, &out);
        }
    }
    Ok(())
}

/// The bundled national data: ./data/vietnam, else the one beside the crate's sources.
fn national_data() -> PathBuf {
    let local = Path::new("data/vietnam");
    if local.exists() {
        std::path::absolute(local).unwrap_or_else(|_| local.to_path_buf())
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(local)
    }
}

/// `phusong init`: writes the scenario and says what it derived.
fn run_init(a: &InitArgs) -> Result<()> {
    let dir = match &a.dir {
        Some(d) => d.clone(),
        None => phusong_gis::run_folder::confine(Path::new("studies"), &a.name)?,
    };
    let r = phusong_gis::init::init(&phusong_gis::init::InitArgs {
        communes: a.communes.clone(),
        layer: a.layer.clone(),
        fields: phusong_gis::io::vector_in::CommuneFields {
            code: a.code_field.clone(),
            name: a.name_field.clone(),
            population: Some(a.population_field.clone()),
        },
        name: a.name.clone(),
        dir,
        resolution_m: a.resolution_m,
        margin_m: a.margin_m,
        data_dir: national_data(),
    })?;
    println!(
        "{}: {} communes{}, EPSG:{}; sites {}, hamlets {}, unpowered {}",
        r.scenario.display(),
        r.communes,
        r.population
            .map_or(String::new(), |p| format!(" ({p} people)")),
        r.epsg,
        r.counts.sites,
        r.counts.hamlets,
        r.counts.unpowered_hamlets
    );
    if let Some(z) = &r.zones_note {
        println!("note: {z}");
    }
    for l in &r.left_out {
        println!("warning: left out of the grid: {l}");
    }
    println!("next: phusong run {}", r.scenario.display());
    Ok(())
}

/// `phusong site`: one site's rasters and report.
fn run_site(a: &SiteArgs) -> Result<()> {
    use phusong_gis::single_site;
    let (s, run_dir) = load(&StudyArgs {
        scenario: a.scenario.clone(),
        out: a.run_dir.clone(),
        real_layers: None,
        model: a.model.clone(),
        study: StudyOverrides::default(),
    })?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| single_site::default_out(&run_dir, a.site, a.exact));
    let t = std::time::Instant::now();
    let r = single_site::run_site(&s, &run_dir, a.site, a.exact, &out)?;
    println!(
        "site {} ({}): {} evaluation with {} to {:.0} m, {} cells, {} × {} window at {:?} MHz \
         ({:.2} s); {} in {}",
        r.site_id,
        r.site_name,
        r.evaluation,
        r.model,
        r.radius_m,
        r.cells,
        r.window[2],
        r.window[3],
        r.freqs_mhz,
        t.elapsed().as_secs_f64(),
        r.files.join(", "),
        out.display()
    );
    if r.model_warnings.refusals() > 0 {
        println!(
            "the model refused {} of {} evaluations (see {})",
            r.model_warnings.refusals(),
            r.model_warnings.evaluations,
            single_site::files::REPORT
        );
    }
    Ok(())
}

/// `phusong drive-test`: writes the CSV and says what it drove.
fn run_drive_test(a: &DriveTestArgs) -> Result<()> {
    use phusong_gis::calibrate::drive_test::{default_truth, run_drive_test, DriveTest};
    let (s, run_dir) = load(&StudyArgs {
        scenario: a.scenario.clone(),
        out: a.run.clone(),
        real_layers: None,
        model: ModelArgs::default(),
        study: StudyOverrides::default(),
    })?;
    let mut truth = match a.truth_model {
        None => default_truth(&s.coverage.model),
        Some(kind) => {
            let mut m = s.coverage.model.clone();
            settings::ModelArgs {
                model: Some(kind),
                ..Default::default()
            }
            .apply(&mut m)?;
            if m.kind() == s.coverage.model.kind() {
                s.coverage.model.clone()
            } else {
                // The scenario's calibration belongs to its own model, not to this one.
                m.calibration = Default::default();
                m
            }
        }
    };
    truth.calibration = phusong_engine::propagation::models::Calibration {
        offset_db: truth.calibration.offset_db + a.truth_offset_db,
        log_distance_db_per_decade: truth.calibration.log_distance_db_per_decade
            + a.truth_slope_db_per_decade,
        log_height_db_per_decade: truth.calibration.log_height_db_per_decade
            + a.truth_height_db_per_decade,
    };
    let dt = DriveTest {
        seed: a.seed,
        sigma_db: a.sigma_db,
        decorrelation_m: a.decorrelation_m,
        noise_db: a.noise_db,
        sites: a.sites,
        radius_m: a.radius_m,
        step_m: a.step_m,
        sensitivity_dbm: a.sensitivity_dbm,
        ..DriveTest::new(truth)
    };
    let r = run_drive_test(&s.coverage, &run_dir, &dt, &a.out)?;
    println!(
        "{}: {} points around sites {:?} from {} (σ {} dB, {} m decorrelation, noise {} dB); {} at the \
         {} dBm floor",
        a.out.display(),
        r.points,
        r.sites,
        r.truth_kind,
        a.sigma_db,
        a.decorrelation_m,
        a.noise_db,
        r.floored,
        a.sensitivity_dbm
    );
    Ok(())
}

/// `phusong calibrate`: fits and writes the outputs, prints before/after.
fn run_calibrate(a: &CalibrateArgs) -> Result<()> {
    use phusong_gis::calibrate::fit::{run_calibrate, Options};
    let (s, run_dir) = load(&StudyArgs {
        scenario: a.scenario.clone(),
        out: a.run.clone(),
        real_layers: None,
        model: a.model.clone(),
        study: StudyOverrides::default(),
    })?;
    let o = Options {
        sensitivity_dbm: a.sensitivity_dbm,
        min_distance_m: a.min_distance_m,
        max_null_depth_db: a.max_null_depth_db,
        fit_height: a.fit_height,
    };
    let r = run_calibrate(&s, &run_dir, &a.measurements, &a.out, &o)?;
    println!(
        "{} model on {} rows: RMSE {:.2} dB before (mean {:+.2} dB), {:.2} dB after (mean {:+.2} dB){}",
        r.model,
        r.after.n,
        r.before.rmse_db,
        r.before.mean_db,
        r.after.rmse_db,
        r.after.mean_db,
        r.cv_rmse_db
            .map_or(String::new(), |c| format!("; {c:.2} dB on held-out sites"))
    );
    for t in &r.terms {
        println!(
            "  {} = {:.3} ± {:.3} {}",
            t.name, t.value, t.std_error, t.unit
        );
    }
    println!("outputs in {}", a.out.display());
    Ok(())
}

/// `phusong bench`: one site's speed per case, and with a scenario its whole coverage stage.
fn run_bench(
    iterations: usize,
    scenario: Option<&Path>,
    out: Option<PathBuf>,
    r: &dyn Reporter,
) -> Result<()> {
    println!("case,cells,median_ms (one thread, median of {iterations} runs)");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::Other(e.to_string()))?;
    for (name, cells, ms) in one.install(|| phusong_engine::benchmark::run(iterations, None)) {
        println!("{name},{cells},{ms:.2}");
    }
    // The reference the radial engine is held to: every cell on its own profile (`site --exact`).
    for (name, cells, ms) in one.install(|| phusong_engine::benchmark::run_exact(iterations, "itm"))
    {
        println!("{name} exact per cell,{cells},{ms:.2}");
    }
    let threads = rayon::current_num_threads();
    if threads > 1 {
        // ITM parallelises one site's radials; the other cases parallelise over sites.
        for (name, cells, ms) in phusong_engine::benchmark::run(iterations, Some("itm")) {
            println!("{name} ({threads} threads),{cells},{ms:.2}");
        }
    }
    if let Some(sc) = scenario {
        let (s, dir) = load(&StudyArgs {
            scenario: sc.to_path_buf(),
            out,
            real_layers: None,
            model: ModelArgs::default(),
            study: StudyOverrides::default(),
        })?;
        let study = Study::load(&dir)?;
        let t = std::time::Instant::now();
        let c = pipeline::coverage_rasters(&study, &study.sites, &s.coverage, r);
        println!(
            "coverage of {} sites on {} × {} cells: {:.1} s with {} threads ({} cells reached)",
            study.sites.len(),
            study.info.grid.nx,
            study.info.grid.ny,
            t.elapsed().as_secs_f64(),
            rayon::current_num_threads(),
            c.rsrp_dbm.data.iter().filter(|v| !v.is_nan()).count()
        );
    }
    Ok(())
}

/// `phusong itm p2p|area`: NTIA's batch layout in, `row,A__db,warnings` out.
fn run_itm(c: &ItmCommand) -> Result<()> {
    use phusong_gis::itm_batch;
    let rows = match c {
        ItmCommand::P2p { p2p, pfls } => itm_batch::run_p2p(p2p, pfls)?,
        ItmCommand::Area { area } => itm_batch::run_area(area)?,
    };
    let stdout = std::io::stdout();
    itm_batch::write_outcomes(&mut stdout.lock(), &rows)
        .map_err(|e| Error::Other(format!("writing to stdout: {e}")))
}

/// `phusong p1812`: one path in the ITU-R validation layout, `Lb_db,Ep_dbuvm` out.
fn run_p1812(profile: &Path, params: &Path) -> Result<()> {
    use phusong_gis::p1812_batch::{read_params_block, read_profile_csv};
    let points = read_profile_csv(profile)?;
    let block = read_params_block(params)?;
    let r = phusong_engine::propagation::p1812::predict(&block.params, &points)?;
    println!("Lb_db,Ep_dbuvm");
    println!("{:.6},{:.6}", r.lb_db, r.ep_dbuvm);
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        if n == 0 || n > cores * 4 {
            eprintln!(
                "phusong: error: --threads {n}: expected 1–{} (4 × the {cores} available cores)",
                cores * 4
            );
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("phusong: cannot set {n} threads: {e}");
            return ExitCode::from(2);
        }
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("phusong: error: {e}");
            ExitCode::FAILURE
        }
    }
}
