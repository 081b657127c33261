//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod atomic;
pub mod gpkg;
pub mod layer;
pub mod opencellid;
pub mod qgis;
pub mod qml;
pub mod raster_in;
pub mod raster_out;
pub mod sites_csv;
pub mod vector_in;
