//! Small HTML building blocks for the report: escaping, number formats, tables, base64 `data:` URIs.

use std::fmt::Write;

/// Text escaped for HTML element content and double-quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An integer with thin groups of three digits ("1,234,567").
pub fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value as `summary.json` writes it (serde_json's shortest round-trip form), for `data-value`.
pub fn json_number(v: f64) -> String {
    serde_json::Value::from(v).to_string()
}

/// One table cell; `sort` is the key the column sorts by (numeric when it parses as a number).
pub struct Cell {
    pub text: String,
    pub sort: Option<String>,
    pub attrs: String,
    /// `text` is already HTML (a link): not escaped.
    pub raw: bool,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            sort: None,
            attrs: String::new(),
            raw: false,
        }
    }
    /// A number shown as `text`, sorted by `value`.
    pub fn num(text: impl Into<String>, value: f64) -> Cell {
        Cell {
            text: text.into(),
            sort: Some(json_number(value)),
            attrs: " class=\"n\"".into(),
            raw: false,
        }
    }
    pub fn html(h: impl Into<String>) -> Cell {
        Cell {
            raw: true,
            ..Cell::text(h)
        }
    }
    /// Adds ` name="value"` (value escaped).
    pub fn attr(mut self, name: &str, value: &str) -> Cell {
        let _ = write!(self.attrs, " {name}=\"{}\"", esc(value));
        self
    }
}

/// A table sortable by clicking its headers (`report.js`), with `id` and one `<tr>` attribute
/// string per row.
pub fn table(id: &str, headers: &[&str], rows: Vec<(String, Vec<Cell>)>) -> String {
    let mut h = format!("<table class=\"sortable\" id=\"{}\">\n<thead><tr>", esc(id));
    for name in headers {
        let _ = write!(h, "<th>{}</th>", esc(name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (row_attrs, cells) in rows {
        let _ = write!(h, "<tr{row_attrs}>");
        for c in cells {
            let sort = c
                .sort
                .as_ref()
                .map_or(String::new(), |s| format!(" data-sort=\"{}\"", esc(s)));
            let text = if c.raw { c.text } else { esc(&c.text) };
            let _ = write!(h, "<td{}{sort}>{text}</td>", c.attrs);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h
}

/// Standard base64 (RFC 4648 §4, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_test_vectors() {
        // RFC 4648 §10.
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc, "{plain}");
        }
        // Every byte value round-trips through a hand decoder.
        let all: Vec<u8> = (0..=255u8).collect();
        let text = base64(&all);
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = Vec::new();
        for c in text.trim_end_matches('=').chars() {
            let v = alphabet.find(c).unwrap();
            bits.extend((0..6).rev().map(|k| (v >> k) & 1));
        }
        let back: Vec<u8> = bits
            .chunks(8)
            .filter(|c| c.len() == 8)
            .map(|c| c.iter().fold(0u8, |a, b| (a << 1) | *b as u8))
            .collect();
        assert_eq!(back, all);
    }

    #[test]
    fn escapes_and_groups() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(3478795), "3,478,795");
        assert_eq!(json_number(99.98097412480975), "99.98097412480975");
        assert_eq!(json_number(100.0), "100.0");
    }
}
