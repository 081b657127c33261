//! Demand: hamlets (thôn/bản) and communes, the units coverage is rolled up to.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};

/// A hamlet or village, as a point in the study CRS.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hamlet {
    pub id: u32,
    pub name: String,
    /// Index into the study's commune list, if the hamlet falls in one.
    pub commune: Option<usize>,
    pub x_m: f64,
    pub y_m: f64,
    pub lon: f64,
    pub lat: f64,
    pub population: u32,
    /// Connected to the electricity grid.
    pub grid_power: bool,
}

/// A commune (xã/phường) polygon in the study CRS.
#[derive(Clone, Debug)]
pub struct Commune {
    pub code: String,
    pub name: String,
    /// Census population, if known (otherwise the sum of its hamlets).
    pub population: Option<u64>,
    pub geometry: MultiPolygon<f64>,
}
