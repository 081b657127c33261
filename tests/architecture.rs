//! The workspace's shape, checked: the engine depends on no GIS, CLI or terminal crate, and no
//! function outside tests grows past 120 lines.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn engine_dependency_tree_has_no_gdal_clap_or_indicatif() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "phusong-engine",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        tree.contains("phusong-engine") && tree.contains("rayon"),
        "{tree}"
    );
    for banned in ["gdal ", "gdal-sys ", "clap ", "indicatif "] {
        assert!(
            !tree.lines().any(|l| l.starts_with(banned)),
            "phusong-engine depends on {banned}:\n{tree}"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Lengths of the `fn` bodies in `text` before its `#[cfg(test)]` module, by brace matching on
/// lines with comments and string/char literals blanked.
fn long_functions(text: &str, max_lines: usize) -> Vec<(usize, usize)> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = Vec::new();
    let lines: Vec<String> = code.lines().map(blank_literals).collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim_start();
        let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn "]
            .iter()
            .any(|p| l.starts_with(p));
        if is_fn {
            let (mut depth, mut opened, mut j) = (0i64, false, i);
            while j < lines.len() {
                for c in lines[j].chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        ';' if !opened && depth == 0 => break,
                        _ => {}
                    }
                }
                if opened && depth <= 0 || !opened && lines[j].contains(';') {
                    break;
                }
                j += 1;
            }
            if opened && j - i + 1 > max_lines {
                found.push((i + 1, j - i + 1));
            }
        }
        i += 1;
    }
    found
}

/// A line with `//` comments and the contents of string and char literals removed.
fn blank_literals(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '/' if chars.peek() == Some(&'/') => break,
            '\'' => {
                // A char literal like '{' or '\n' (lifetimes have no closing quote soon after).
                let rest: String = chars.clone().take(3).collect();
                if rest.chars().nth(1) == Some('\'') {
                    chars.nth(1);
                } else if rest.starts_with('\\') && rest.chars().nth(2) == Some('\'') {
                    chars.nth(2);
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn no_function_outside_tests_exceeds_120_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "crates/phusong-engine/src", "crates/phusong-gis/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut long = Vec::new();
    for f in &files {
        if f.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (line, n) in long_functions(&text, 120) {
            long.push(format!(
                "{}:{line} ({n} lines)",
                f.strip_prefix(root).unwrap().display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "functions over 120 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_length_checker_sees_a_long_function() {
    let body: String = (0..130)
        .map(|i| format!("    let x{i} = \"{{\";\n"))
        .collect();
    let text = format!("fn short() {{ 1 }}\n\nfn long() {{\n{body}}}\n");
    assert_eq!(long_functions(&text, 120), vec![(3, 132)]);
}
