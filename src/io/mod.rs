//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod layer;
pub mod atomic;
pub mod gpkg;
pub mod qgis;
pub mod raster_out;
pub mod qml;
