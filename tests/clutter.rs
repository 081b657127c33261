//! Land cover end to end through the synth stage: synthesised when absent (and listed as
//! synthetic), replaced by a real GeoTIFF given as `inputs.clutter` with its class table, and
//! read back from the run folder.

use gdal::raster::Buffer;
use gdal::spatial_ref::SpatialRef;
use gdal::DriverManager;
use phusong_engine::clutter::codes;
use phusong_gis::scenario::Scenario;
use phusong_gis::study::Study;
use std::path::{Path, PathBuf};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/nghe-an")
}

/// A 25 × 25 km window of central Nghệ An at 250 m (as tests/pipeline.rs), `extra` appended.
fn scenario(dir: &Path, extra: &str) -> Scenario {
    let d = data();
    let text = format!(
        r#"name = "small"
resolution_m = 250.0
seed = 7
clip_m = [500000.0, 2080000.0, 525000.0, 2105000.0]
[synth]
p1511 = "{p1511}"
landmask = "{landmask}"
places = "{places}"
sites = 40
hamlets = 200
unpowered_hamlets = 5
underserved_hamlets = 10
population = 150000
communes = 6
{extra}
"#,
        p1511 = d.join("dem/p1511_topo_5arcmin.asc").display(),
        landmask = d.join("coast/landmask_3s.tif").display(),
        places = d.join("places/geonames_places.tsv").display(),
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    Scenario::load(&path).unwrap()
}

/// A 25 × 25 px GeoTIFF of 1 km cells over the window (UTM 48N): `west` left of 512.5 km E,
/// `east` right of it.
fn write_classes(path: &Path, west: u8, east: u8) {
    let drv = DriverManager::get_driver_by_name("GTiff").unwrap();
    let mut ds = drv.create_with_band_type::<u8, _>(path, 25, 25, 1).unwrap();
    ds.set_geo_transform(&[500_000.0, 1000.0, 0.0, 2_105_000.0, 0.0, -1000.0])
        .unwrap();
    ds.set_spatial_ref(&SpatialRef::from_epsg(32648).unwrap())
        .unwrap();
    let data: Vec<u8> = (0..625)
        .map(|i| if i % 25 < 12 { west } else { east })
        .collect();
    let mut buf = Buffer::new((25, 25), data);
    ds.rasterband(1)
        .unwrap()
        .write((0, 0), (25, 25), &mut buf)
        .unwrap();
}

#[test]
fn synthesised_when_absent_and_listed_as_synthetic() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "");
    let run = tmp.path().join("run");
    let study = Study::prepare(&s, &run, &|_| {}).unwrap();
    assert!(study
        .info
        .synthetic_layers
        .iter()
        .any(|l| l.starts_with("clutter")));
    let map = study.terrain.clutter.as_ref().expect("a clutter map");
    assert!(run.join("inputs/clutter.tif").is_file());
    assert!(run.join("inputs/clutter_classes.csv").is_file());
    // Some forest in the hills and some open land; every code is in the default table.
    let n = |c: u8| map.classes.data.iter().filter(|&&v| v == c).count();
    assert!(n(codes::FOREST) > 0 && n(codes::OPEN) > 0);
    // Read back from the run folder: the same classes.
    let back = Study::load(&run).unwrap();
    let back_map = back.terrain.clutter.as_ref().unwrap();
    assert_eq!(back_map.classes.data, map.classes.data);
    assert_eq!(back_map.table, map.table);
}

#[test]
fn a_real_geotiff_replaces_the_synthetic_clutter() {
    let tmp = tempfile::tempdir().unwrap();
    let tif = tmp.path().join("lc.tif");
    write_classes(&tif, 11, 12);
    std::fs::write(
        tmp.path().join("lc.csv"),
        "code,name,height_m,p1812,p2108,extra_loss_db\n\
         11,rice paddies,0,open-rural,none,0\n\
         12,acacia plantation,12,urban-trees-forest,trees-forest,5\n",
    )
    .unwrap();
    let s = scenario(
        tmp.path(),
        "[inputs]\nclutter = \"lc.tif\"\nclutter_classes = \"lc.csv\"\n",
    );
    let run = tmp.path().join("run");
    let study = Study::prepare(&s, &run, &|_| {}).unwrap();
    assert!(!study
        .info
        .synthetic_layers
        .iter()
        .any(|l| l.starts_with("clutter")));
    assert!(study
        .info
        .real_layers
        .iter()
        .any(|l| l.starts_with("clutter:")));
    let map = study.terrain.clutter.as_ref().unwrap();
    assert_eq!(
        map.class_at(505_000.0, 2_090_000.0).unwrap().name,
        "rice paddies"
    );
    assert_eq!(map.class_at(520_000.0, 2_090_000.0).unwrap().code, 12);
    assert_eq!(map.class_at(520_000.0, 2_090_000.0).unwrap().height_m, 12.0);
    let back = Study::load(&run).unwrap();
    assert_eq!(back.terrain.clutter.as_ref().unwrap().table, map.table);

    // A code the table lacks is refused, naming the file and the code.
    write_classes(&tif, 11, 7);
    let e = Study::prepare(&s, &tmp.path().join("run2"), &|_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("lc.tif") && e.contains("class code 7"), "{e}");

    // A raster leaving half the study without a class is refused, naming the layer and the share.
    write_classes(&tif, 0, 12);
    let e = Study::prepare(&s, &tmp.path().join("run3"), &|_| {})
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("lc.tif") && e.contains("land cover (inputs.clutter) covers only"),
        "{e}"
    );
}
