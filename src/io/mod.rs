//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod atomic;
pub mod gpkg;
pub mod layer;
pub mod qgis;
pub mod qml;
pub mod raster_out;
