//! Coordinate reference systems: transforms between WGS84 and the study's projected CRS, via GDAL/PROJ.

use crate::error::{Context, Result};
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};

/// Default study CRS: WGS 84 / UTM zone 48N.
pub const DEFAULT_EPSG: u32 = 32648;

/// A spatial reference with traditional GIS axis order (x = easting/longitude, y = northing/latitude).
pub fn srs_from_epsg(epsg: u32) -> Result<SpatialRef> {
    let mut srs = SpatialRef::from_epsg(epsg).ctx(|| format!("EPSG:{epsg}"))?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    // A VN-2000 study CRS (e.g. 3405, 9208) also takes the official shift.
    apply_vn2000_shift(&mut srs)?;
    Ok(srs)
}

/// The official seven-parameter shift VN-2000 → WGS 84 (Circular 973/2001/TT-TCĐC of the General
/// Department of Land Administration, 20 June 2001): ΔX, ΔY, ΔZ (m), rotations rX, rY, rZ (arc-seconds)
/// and scale (ppm), in the position-vector convention (EPSG method 9606) that PROJ's `+towgs84` uses.
/// The EPSG dataset holds the same transformation as EPSG:6960 "VN-2000 to WGS 84 (2)" in the
/// coordinate-frame convention (method 9607), i.e. with the three rotations negated:
/// −0.00928836″, +0.01975479″, −0.00427372″ (PROJ database shipped with GDAL 3.6.2); GDAL exports
/// EPSG:3405 (VN-2000 / UTM 48N) as `+towgs84=` exactly these seven values.
pub const VN2000_TOWGS84: [f64; 7] = [
    -191.904_414_29,
    -39.303_182_79,
    -111.450_328_35,
    0.009_288_36,
    -0.019_754_79,
    0.004_273_72,
    0.252_906_278,
];

/// Whether a CRS is on the VN-2000 datum (EPSG:6756), by its authority code or the datum names
/// GDAL, ESRI and Vietnamese .prj files use.
pub fn is_vn2000(srs: &SpatialRef) -> bool {
    let wkt = srs.to_wkt().unwrap_or_default();
    [
        "VN-2000",
        "VN_2000",
        "VN 2000",
        "Vietnam_2000",
        "Vietnam 2000",
        "\"6756\"",
    ]
    .iter()
    .any(|k| wkt.contains(k))
}

/// Gives a VN-2000 CRS without a datum shift of its own the official one ([`VN2000_TOWGS84`]), so
/// every transformation from it (national UTM zones EPSG:3405/3406, provincial TM-3 zones such as
/// Nghệ An's 104°45′, or a custom .prj) applies the Circular's seven parameters rather than
/// whatever PROJ would pick (EPSG also lists "VN-2000 to WGS 84 (1)", EPSG:5194) or a null shift
/// (~200 m off). Returns whether it was set.
pub fn apply_vn2000_shift(srs: &mut SpatialRef) -> Result<bool> {
    if !is_vn2000(srs) || srs.to_wkt().unwrap_or_default().contains("TOWGS84") {
        return Ok(false);
    }
    let [dx, dy, dz, rx, ry, rz, ppm] = VN2000_TOWGS84;
    // SAFETY: the handle is valid while `srs` lives; OSRSetTOWGS84 only edits that object.
    let err = unsafe { gdal_sys::OSRSetTOWGS84(srs.to_c_hsrs(), dx, dy, dz, rx, ry, rz, ppm) };
    if err != gdal_sys::OGRErr::OGRERR_NONE {
        return Err(crate::error::Error::Other(format!(
            "cannot set the VN-2000 datum shift (OGR error {err})"
        )));
    }
    Ok(true)
}

/// Transforms points between WGS84 (lon, lat) and a projected CRS.
pub struct Projector {
    epsg: u32,
    to_proj: CoordTransform,
    to_wgs: CoordTransform,
}

impl Projector {
    pub fn new(epsg: u32) -> Result<Self> {
        let wgs = srs_from_epsg(4326)?;
        let proj = srs_from_epsg(epsg)?;
        Ok(Projector {
            epsg,
            to_proj: CoordTransform::new(&wgs, &proj).ctx(|| format!("WGS84 → EPSG:{epsg}"))?,
            to_wgs: CoordTransform::new(&proj, &wgs).ctx(|| format!("EPSG:{epsg} → WGS84"))?,
        })
    }
    pub fn epsg(&self) -> u32 {
        self.epsg
    }
    /// (lon, lat) degrees → (x, y) metres.
    pub fn project(&self, lon: f64, lat: f64) -> Result<(f64, f64)> {
        let (mut x, mut y, mut z) = ([lon], [lat], [0.0]);
        self.to_proj
            .transform_coords(&mut x, &mut y, &mut z)
            .ctx(|| format!("projecting ({lon}, {lat}) to EPSG:{}", self.epsg))?;
        Ok((x[0], y[0]))
    }
    /// (x, y) metres → (lon, lat) degrees.
    pub fn unproject(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        let (mut xs, mut ys, mut z) = ([x], [y], [0.0]);
        self.to_wgs
            .transform_coords(&mut xs, &mut ys, &mut z)
            .ctx(|| format!("unprojecting ({x}, {y}) from EPSG:{}", self.epsg))?;
        Ok((xs[0], ys[0]))
    }
    /// Many points at once, in place: (x, y) metres → (lon, lat).
    pub fn unproject_many(&self, xs: &mut [f64], ys: &mut [f64]) -> Result<()> {
        let mut z = vec![0.0; xs.len()];
        self.to_wgs
            .transform_coords(xs, ys, &mut z)
            .ctx(|| "unprojecting points".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Geodetic (lon, lat in degrees, h = 0) on WGS 84's ellipsoid → geocentric X, Y, Z (m).
    fn to_ecef(lon: f64, lat: f64) -> [f64; 3] {
        let (a, f) = (6_378_137.0, 1.0 / 298.257_223_563);
        let e2 = f * (2.0 - f);
        let (l, p) = (lon.to_radians(), lat.to_radians());
        let n = a / (1.0 - e2 * p.sin().powi(2)).sqrt();
        [
            n * p.cos() * l.cos(),
            n * p.cos() * l.sin(),
            n * (1.0 - e2) * p.sin(),
        ]
    }

    /// Geocentric → geodetic (lon, lat degrees), by Bowring's iteration.
    fn from_ecef(x: [f64; 3]) -> (f64, f64) {
        let (a, f) = (6_378_137.0, 1.0 / 298.257_223_563);
        let e2 = f * (2.0 - f);
        let p = x[0].hypot(x[1]);
        let mut lat = (x[2] / (p * (1.0 - e2))).atan();
        for _ in 0..10 {
            let n = a / (1.0 - e2 * lat.sin().powi(2)).sqrt();
            let h = p / lat.cos() - n;
            lat = (x[2] / (p * (1.0 - e2 * n / (n + h)))).atan();
        }
        (x[1].atan2(x[0]).to_degrees(), lat.to_degrees())
    }

    /// The official shift applied by hand: position-vector Helmert (EPSG Guidance Note 7-2,
    /// method 9606), X' = T + (1 + s)·R·X with R = [[1, −rz, ry], [rz, 1, −rx], [−ry, rx, 1]].
    fn helmert_pv(x: [f64; 3]) -> [f64; 3] {
        let [tx, ty, tz, rx, ry, rz, ppm] = VN2000_TOWGS84;
        let sec = std::f64::consts::PI / (180.0 * 3600.0);
        let (rx, ry, rz, k) = (rx * sec, ry * sec, rz * sec, 1.0 + ppm * 1e-6);
        [
            tx + k * (x[0] - rz * x[1] + ry * x[2]),
            ty + k * (rz * x[0] + x[1] - rx * x[2]),
            tz + k * (-ry * x[0] + rx * x[1] + x[2]),
        ]
    }

    /// A point in Nghệ An's provincial TM-3 zone (VN-2000, central meridian 104°45′, k = 0.9999,
    /// as a Vietnamese .prj gives it, without a datum shift) reaches WGS 84 within a metre of the
    /// Circular's seven parameters applied by hand, and round-trips back to the same metre.
    #[test]
    fn vn2000_tm3_104_45_uses_the_official_shift() {
        let wkt = "PROJCS[\"VN_2000_TM3_104_45\",GEOGCS[\"GCS_VN_2000\",DATUM[\"D_Vietnam_2000\",\
                   SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],\
                   UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],\
                   PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],\
                   PARAMETER[\"Central_Meridian\",104.75],PARAMETER[\"Scale_Factor\",0.9999],\
                   PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
        let mut tm3 = SpatialRef::from_wkt(wkt).unwrap();
        tm3.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        assert!(apply_vn2000_shift(&mut tm3).unwrap());
        assert!(!apply_vn2000_shift(&mut tm3).unwrap(), "set once");
        // The same projection on the bare ellipsoid: inverse TM only, no datum change.
        let mut geog = SpatialRef::from_proj4("+proj=longlat +ellps=WGS84 +no_defs").unwrap();
        geog.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let mut bare = SpatialRef::from_proj4(
            "+proj=tmerc +lat_0=0 +lon_0=104.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs",
        )
        .unwrap();
        bare.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
        let wgs = srs_from_epsg(4326).unwrap();
        let (e, n) = (600_000.0, 2_070_000.0); // near Vinh
        let run = |from: &SpatialRef, to: &SpatialRef, x: f64, y: f64| {
            let (mut xs, mut ys, mut zs) = ([x], [y], [0.0]);
            CoordTransform::new(from, to)
                .unwrap()
                .transform_coords(&mut xs, &mut ys, &mut zs)
                .unwrap();
            (xs[0], ys[0])
        };
        let (lon_vn, lat_vn) = run(&bare, &geog, e, n);
        let want = from_ecef(helmert_pv(to_ecef(lon_vn, lat_vn)));
        let got = run(&tm3, &wgs, e, n);
        let m_per_deg = 111_320.0;
        let err_m = ((got.0 - want.0) * m_per_deg * lat_vn.to_radians().cos())
            .hypot((got.1 - want.1) * m_per_deg);
        assert!(err_m < 1.0, "{err_m} m: {got:?} vs {want:?}");
        // The shift matters: ~200 m between VN-2000 and WGS 84 coordinates of the same point.
        let shift_m = ((lon_vn - want.0) * m_per_deg * lat_vn.to_radians().cos())
            .hypot((lat_vn - want.1) * m_per_deg);
        assert!(shift_m > 150.0 && shift_m < 300.0, "{shift_m}");
        let back = run(&wgs, &tm3, got.0, got.1);
        assert!((back.0 - e).hypot(back.1 - n) < 1e-3, "{back:?}");
        // EPSG:3405 (VN-2000 / UTM 48N) through the same path agrees with the hand computation.
        let mut utm = srs_from_epsg(3405).unwrap();
        apply_vn2000_shift(&mut utm).unwrap();
        let mut vn = srs_from_epsg(4756).unwrap();
        apply_vn2000_shift(&mut vn).unwrap();
        let (ue, un) = run(&vn, &utm, lon_vn, lat_vn);
        let got = run(&utm, &wgs, ue, un);
        let err_m = ((got.0 - want.0) * m_per_deg * lat_vn.to_radians().cos())
            .hypot((got.1 - want.1) * m_per_deg);
        assert!(err_m < 1.0, "EPSG:3405: {err_m} m");
    }

    #[test]
    fn vinh_round_trips_through_utm48n() {
        let p = Projector::new(DEFAULT_EPSG).unwrap();
        // Vinh ≈ 105.68°E 18.67°N: central meridian of zone 48 is 105°E, so easting > 500 km.
        let (x, y) = p.project(105.68, 18.67).unwrap();
        assert!(x > 560_000.0 && x < 580_000.0, "{x}");
        assert!(y > 2_060_000.0 && y < 2_070_000.0, "{y}");
        let (lon, lat) = p.unproject(x, y).unwrap();
        assert!((lon - 105.68).abs() < 1e-9 && (lat - 18.67).abs() < 1e-9);
    }
}
