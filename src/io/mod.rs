//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod layer;
pub mod raster_in;
