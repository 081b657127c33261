//! Reading inputs and writing outputs, all through GDAL/OGR.

pub mod atomic;
pub mod clutter_in;
pub mod gpkg;
pub mod layer;
pub mod opencellid;
pub mod qgis;
pub mod qgis_layout;
pub mod qml;
pub mod raster_in;
pub mod raster_out;
pub mod sites_csv;
pub mod vector_in;

/// Largest CSV input read, bytes (a national OpenCelliD export is ~1 GB).
pub const MAX_CSV_BYTES: u64 = 4 << 30;

/// The header fields of a CSV, for an error message — only when they look like column names
/// (short, letters, digits and `_ -.()`), so that an error on a file that is not a CSV at all
/// (`/etc/passwd`, a key file) never echoes its content.
pub(crate) fn shown_header<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let f: Vec<&str> = fields.map(str::trim).collect();
    let plain = |h: &str| {
        h.len() <= 40
            && h.trim_start_matches('\u{feff}')
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " _-.()".contains(c))
    };
    if f.len() <= 64 && f.iter().all(|h| plain(h)) {
        format!("header has: {}", f.join(", "))
    } else {
        "its first line is not a header of column names; not shown".to_string()
    }
}

/// A field value for an error message, quoted — only when short and plain (letters, digits,
/// `+-._ `), so that an error on a file that is not what it should be never echoes its content.
pub(crate) fn shown_value(v: &str) -> String {
    let plain = v.chars().count() <= 24
        && v.chars()
            .all(|c| c.is_alphanumeric() || "+-._ ".contains(c));
    if plain {
        format!("'{v}'")
    } else {
        format!("a value of {} characters (not shown)", v.chars().count())
    }
}

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

/// Opens a GDAL dataset (raster or vector) given as an input, naming the file and what was expected
/// when it cannot: missing, not a regular file or folder (a device such as `/dev/zero`), or in no
/// format GDAL reads (GDAL then reports only "NULL pointer. Error msg: ''").
pub fn open_dataset(path: &std::path::Path, expected: &str) -> crate::Result<gdal::Dataset> {
    let meta = std::fs::metadata(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            _ => format!("cannot read ({e})"),
        };
        crate::Error::input(path, format!("{why}: expected {expected}"))
    })?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(crate::Error::input(
            path,
            format!("not a regular file: expected {expected}"),
        ));
    }
    gdal::Dataset::open(path).map_err(|e| {
        let why = match &e {
            gdal::errors::GdalError::NullPointer { msg, .. } if msg.trim().is_empty() => {
                "no format GDAL reads recognises it".to_string()
            }
            gdal::errors::GdalError::NullPointer { msg, .. } => format!("GDAL: {}", msg.trim()),
            other => format!("GDAL: {other}"),
        };
        crate::Error::input(path, format!("cannot open ({why}): expected {expected}"))
    })
}
