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

/// Largest CSV input read, bytes (a national OpenCelliD export is ~1 GB).
pub const MAX_CSV_BYTES: u64 = 4 << 30;

/// Refuses an input that is not a regular file (a device such as `/dev/zero`, a folder, a FIFO)
/// or is larger than `max_bytes`, naming the file and what was expected.
pub fn check_input_file(path: &std::path::Path, max_bytes: u64) -> crate::Result<()> {
    let meta = std::fs::metadata(path)
        .map_err(|e| crate::Error::input(path, format!("cannot read ({e})")))?;
    if !meta.is_file() {
        return Err(crate::Error::input(
            path,
            "not a regular file: expected a CSV file",
        ));
    }
    if meta.len() > max_bytes {
        return Err(crate::Error::input(
            path,
            format!("{} bytes: expected at most {max_bytes} bytes", meta.len()),
        ));
    }
    Ok(())
}
