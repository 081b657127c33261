//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod layer;
pub mod opencellid;
pub mod sites_csv;
pub mod vector_in;
