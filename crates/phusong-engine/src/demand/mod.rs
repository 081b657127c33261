//! Demand: hamlets (thôn/bản) and communes, the units coverage is rolled up to.

pub mod cells;

use geo::MultiPolygon;

pub use cells::{village_covered, VillageCells};

/// A hamlet or village: its settled area (a polygon) and a label point inside it, in the study CRS.
#[derive(Clone, Debug, PartialEq)]
pub struct Hamlet {
    pub id: u32,
    pub name: String,
    /// Index into the study's commune list, if the hamlet falls in one.
    pub commune: Option<usize>,
    /// Label (representative) point, inside `area`: where the village is named, its commune taken
    /// and its gap cause evaluated.
    pub x_m: f64,
    pub y_m: f64,
    pub lon: f64,
    pub lat: f64,
    pub population: u32,
    /// Connected to the electricity grid.
    pub grid_power: bool,
    /// Settled area in the study CRS: coverage of the village is coverage across the grid cells
    /// whose centre lies in it (see [`cells`]).
    pub area: MultiPolygon<f64>,
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
