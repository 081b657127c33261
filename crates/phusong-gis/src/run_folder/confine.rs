//! Run names come from scenario files; they must name one folder directly under the
//! output root, never a path elsewhere.

use std::path::{Path, PathBuf};

use crate::run_folder::error::RunError;

/// Longest run name accepted, bytes (common file-system limit for one component).
pub const MAX_RUN_NAME_BYTES: usize = 255;

fn check_run_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty");
    }
    if name.len() > MAX_RUN_NAME_BYTES {
        return Err("longer than 255 bytes");
    }
    if name.contains('\0') {
        return Err("contains NUL");
    }
    if name.contains('/') || name.contains('\\') {
        return Err("contains a path separator; expected a single folder name");
    }
    if name == "." || name == ".." {
        return Err("is '.' or '..'");
    }
    if name.starts_with('.') {
        return Err("starts with '.' (hidden names are reserved)");
    }
    if name.chars().any(char::is_control) {
        return Err("contains a control character");
    }
    if name
        .chars()
        .any(|c| matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
    {
        return Err("contains one of < > : \" | ? * (not portable)");
    }
    if name.trim() != name || name.ends_with('.') {
        return Err("starts or ends with a space, or ends with '.' (not portable)");
    }
    if Path::new(name).is_absolute() {
        return Err("is an absolute path");
    }
    Ok(())
}

/// `out_root/name` if `name` is a plain folder name; refuses anything that could point
/// elsewhere (`../../x`, `/abs`, `a/b`, empty, `.`, NUL, hidden names) and an existing
/// `out_root/name` that is a symbolic link.
pub fn confine(out_root: &Path, name: &str) -> Result<PathBuf, RunError> {
    check_run_name(name).map_err(|reason| RunError::RunNameRefused {
        name: name.to_string(),
        reason,
    })?;
    let path = out_root.join(name);
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(RunError::RunNameRefused {
            name: name.to_string(),
            reason: "exists under the output root as a symbolic link",
        });
    }
    Ok(path)
}
