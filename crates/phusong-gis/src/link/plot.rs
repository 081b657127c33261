//! The link profile as an SVG drawing: terrain, terrain raised by the earth bulge, the line of
//! sight, the first Fresnel zone and its 60 % core, the worst obstruction, axes in km and m.
//!
//! Drawn in the flat-earth frame of the clearance computation (terrain + bulge under a straight
//! ray), so what touches the line or the zone on the drawing is what obstructs the link.

use super::fresnel::CLEAR_FRACTION;
use super::Link;
use crate::error::Result;
use crate::io::atomic::write_string_atomic;
use std::fmt::Write as _;
use std::path::Path;

const W: f64 = 960.0;
const H: f64 = 570.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 64.0;
const BOTTOM: f64 = 84.0;

/// XML-escapes text content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Tick positions covering [lo, hi] at a 1-2-5 step giving about `target` intervals.
fn ticks(lo: f64, hi: f64, target: f64) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return vec![lo];
    }
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    // The 1e-9 keeps ends that are multiples of the step despite rounding (0.7 / 0.1 = 6.999…).
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Tick label without spurious decimals.
fn label(v: f64) -> String {
    let r = (v * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

/// The link's curves along the path, and the mapping of (km, m) onto the drawing.
struct Plot<'a> {
    link: &'a Link,
    d_km: Vec<f64>,
    /// Terrain raised by the earth bulge.
    raised: Vec<f64>,
    /// Upper and lower edges of the first Fresnel zone.
    upper: Vec<f64>,
    lower: Vec<f64>,
    x_hi: f64,
    y_lo: f64,
    y_hi: f64,
}

impl<'a> Plot<'a> {
    /// The curves, and axis ranges padded to fit all of them.
    fn new(link: &'a Link) -> Plot<'a> {
        let (p, c) = (&link.profile, &link.clearance);
        let n = p.ground_m.len();
        let d_km: Vec<f64> = (0..n).map(|i| p.distance_at(i) / 1000.0).collect();
        let raised: Vec<f64> = (0..n).map(|i| p.ground_m[i] + c.bulge_m[i]).collect();
        let upper: Vec<f64> = (0..n).map(|i| c.los_m[i] + c.r1_m[i]).collect();
        let lower: Vec<f64> = (0..n).map(|i| c.los_m[i] - c.r1_m[i]).collect();

        let fmin = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let fmax = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = fmin(&p.ground_m).min(fmin(&lower));
        let hi = fmax(&raised).max(fmax(&upper));
        let pad = ((hi - lo) * 0.06).max(5.0);
        let (y_lo, y_hi) = (lo - pad, hi + pad);
        let x_hi = d_km.last().copied().unwrap_or(1.0).max(1e-3);
        Plot {
            link,
            d_km,
            raised,
            upper,
            lower,
            x_hi,
            y_lo,
            y_hi,
        }
    }

    fn px(&self, x: f64) -> f64 {
        LEFT + (W - LEFT - RIGHT) * x / self.x_hi
    }

    fn py(&self, y: f64) -> f64 {
        TOP + (H - TOP - BOTTOM) * (self.y_hi - y) / (self.y_hi - self.y_lo)
    }

    /// SVG points of the curve `ys` along the path.
    fn pts(&self, ys: &[f64]) -> String {
        let mut s = String::new();
        for (x, y) in self.d_km.iter().zip(ys) {
            let _ = write!(s, "{:.1},{:.1} ", self.px(*x), self.py(*y));
        }
        s.trim_end().to_string()
    }

    /// Closed area between a curve and the bottom of the plot.
    fn area(&self, ys: &[f64]) -> String {
        format!(
            "M{:.1},{:.1} L{} L{:.1},{:.1} Z",
            self.px(0.0),
            self.py(self.y_lo),
            self.pts(ys),
            self.px(self.x_hi),
            self.py(self.y_lo)
        )
    }

    /// Opening tag, background, title (endpoints, distance, frequency) and the clearance verdict.
    fn header(&self, s: &mut String) {
        let r = &self.link.report;
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#
        );
        let title = format!(
            "A {:.5}, {:.5} → B {:.5}, {:.5}: {:.2} km at {} MHz, k = {:.2}",
            r.from.lon,
            r.from.lat,
            r.to.lon,
            r.to.lat,
            r.distance_m / 1000.0,
            r.freq_mhz,
            r.k_factor
        );
        let _ = writeln!(s, "<title>{}</title>", esc(&title));
        let _ = writeln!(s, r##"<rect width="{W}" height="{H}" fill="#ffffff"/>"##);
        let _ = writeln!(
            s,
            r#"<text id="title" x="{LEFT}" y="24" font-size="16" font-weight="bold">{}</text>"#,
            esc(&title)
        );
        let verdict = format!(
            "line of sight: {} · {:.0} % of first Fresnel zone clear: {}",
            if r.line_of_sight { "yes" } else { "no" },
            CLEAR_FRACTION * 100.0,
            if r.fresnel_60_clear { "yes" } else { "no" }
        );
        let _ = writeln!(
            s,
            r##"<text id="subtitle" x="{LEFT}" y="44" fill="{}">{}</text>"##,
            if r.fresnel_60_clear {
                "#1a7f37"
            } else {
                "#b42318"
            },
            esc(&verdict)
        );
    }

    /// Grid, ticks, plot frame and axis labels.
    fn axes(&self, s: &mut String) {
        let (x0, x1, y0, y1) = (
            self.px(0.0),
            self.px(self.x_hi),
            self.py(self.y_lo),
            self.py(self.y_hi),
        );
        s.push_str("<g id=\"axes\" stroke=\"#d0d0d0\" stroke-width=\"1\">\n");
        for t in ticks(0.0, self.x_hi, 10.0) {
            let x = self.px(t);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{y1:.1}" x2="{x:.1}" y2="{y0:.1}"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" stroke="none" fill="#333">{}</text>"##,
                y0 + 16.0,
                label(t)
            );
        }
        for t in ticks(self.y_lo, self.y_hi, 8.0) {
            let y = self.py(t);
            let _ = writeln!(
                s,
                r##"<line x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end" stroke="none" fill="#333">{}</text>"##,
                x0 - 6.0,
                y + 4.0,
                label(t)
            );
        }
        s.push_str("</g>\n");
        let _ = writeln!(
            s,
            r##"<rect x="{x0:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="#555"/>"##,
            x1 - x0,
            y0 - y1
        );
        let _ = writeln!(
            s,
            r##"<text id="xlabel" x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">distance from A (km)</text>"##,
            (x0 + x1) / 2.0,
            y0 + 36.0
        );
        let _ = writeln!(
            s,
            r##"<text id="ylabel" transform="translate(18,{:.1}) rotate(-90)" text-anchor="middle" fill="#333">height above datum (m)</text>"##,
            (y0 + y1) / 2.0
        );
    }

    /// Terrain raised by the bulge (light) under the bare terrain (dark): the band between them is
    /// the earth bulge.
    fn terrain(&self, s: &mut String) {
        let _ = writeln!(
            s,
            r##"<path id="terrain-bulge" d="{}" fill="#e8d8b0" stroke="#8a6d3b" stroke-width="1.2"/>"##,
            self.area(&self.raised)
        );
        let _ = writeln!(
            s,
            r##"<path id="terrain" d="{}" fill="#a58a5c" stroke="none"/>"##,
            self.area(&self.link.profile.ground_m)
        );
    }

    /// First Fresnel zone (filled) and its 60 % core (dashed).
    fn fresnel(&self, s: &mut String) {
        let c = &self.link.clearance;
        let mut zone = format!("M{}", self.pts(&self.upper));
        let mut back: Vec<(f64, f64)> = self
            .d_km
            .iter()
            .copied()
            .zip(self.lower.iter().copied())
            .collect();
        back.reverse();
        for (x, y) in back {
            let _ = write!(zone, " L{:.1},{:.1}", self.px(x), self.py(y));
        }
        zone.push_str(" Z");
        let _ = writeln!(
            s,
            r##"<path id="fresnel" d="{zone}" fill="#3b82f6" fill-opacity="0.15" stroke="#3b82f6" stroke-width="1"/>"##
        );
        for (id, sign) in [("fresnel60-upper", 1.0), ("fresnel60-lower", -1.0)] {
            let ys: Vec<f64> = (0..self.d_km.len())
                .map(|i| c.los_m[i] + sign * CLEAR_FRACTION * c.r1_m[i])
                .collect();
            let _ = writeln!(
                s,
                r##"<polyline id="{id}" points="{}" fill="none" stroke="#3b82f6" stroke-width="1" stroke-dasharray="6 4"/>"##,
                self.pts(&ys)
            );
        }
    }

    /// Masts and the line of sight.
    fn masts(&self, s: &mut String) {
        let (p, c, r) = (&self.link.profile, &self.link.clearance, &self.link.report);
        let n = p.ground_m.len();
        for (name, i, e) in [("A (from)", 0, &r.from), ("B (to)", n - 1, &r.to)] {
            let (x, g, top) = (
                self.px(self.d_km[i]),
                self.py(p.ground_m[i]),
                self.py(c.los_m[i]),
            );
            let anchor = if i == 0 { "start" } else { "end" };
            let dx = if i == 0 { 5.0 } else { -5.0 };
            let _ = writeln!(
                s,
                r##"<line class="mast" x1="{x:.1}" y1="{g:.1}" x2="{x:.1}" y2="{top:.1}" stroke="#111" stroke-width="3"/><text x="{:.1}" y="{:.1}" text-anchor="{anchor}" fill="#111">{name}, {:.0} m</text>"##,
                x + dx,
                top - 6.0,
                e.antenna_height_m
            );
        }
        let last = n - 1;
        let _ = writeln!(
            s,
            r##"<line id="los" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#d62728" stroke-width="1.8"/>"##,
            self.px(0.0),
            self.py(c.los_m[0]),
            self.px(self.d_km[last]),
            self.py(c.los_m[last])
        );
    }

    /// The worst obstruction, marked and labelled (if any).
    fn worst(&self, s: &mut String) {
        let (c, r) = (&self.link.clearance, &self.link.report);
        let (Some(i), Some(o)) = (c.worst, &r.worst_obstruction) else {
            return;
        };
        let (x, y) = (self.px(self.d_km[i]), self.py(self.raised[i]));
        let text = format!(
            "worst: {:.2} km, clearance {:.1} m ({:.2} r1)",
            o.distance_m / 1000.0,
            o.clearance_m,
            o.clearance_fraction_r1
        );
        let anchor = if self.d_km[i] > self.x_hi * 0.6 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -8.0 } else { 8.0 };
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{:.1}" stroke="#b42318" stroke-dasharray="2 2"/><circle id="worst" cx="{x:.1}" cy="{y:.1}" r="5" fill="#b42318" stroke="#fff"/><text id="worst-label" x="{:.1}" y="{:.1}" text-anchor="{anchor}" fill="#b42318" font-weight="bold">{}</text>"##,
            self.py(c.los_m[i]),
            x + dx,
            y - 10.0,
            esc(&text)
        );
    }
}

/// Legend: one row under the plot, clear of the drawing, starting at `x0`.
fn legend(s: &mut String, x0: f64) {
    s.push_str("<g id=\"legend\">\n");
    let items: [(&str, &str); 5] = [
        (
            r##"<rect width="18" height="8" y="-7" fill="#a58a5c"/>"##,
            "terrain",
        ),
        (
            r##"<rect width="18" height="8" y="-7" fill="#e8d8b0" stroke="#8a6d3b"/>"##,
            "terrain + earth bulge",
        ),
        (
            r##"<line x2="18" y1="-3" y2="-3" stroke="#d62728" stroke-width="2"/>"##,
            "line of sight",
        ),
        (
            r##"<rect width="18" height="8" y="-7" fill="#3b82f6" fill-opacity="0.25" stroke="#3b82f6"/>"##,
            "first Fresnel zone",
        ),
        (
            r##"<line x2="18" y1="-3" y2="-3" stroke="#3b82f6" stroke-dasharray="6 4"/>"##,
            "60 % of first Fresnel zone",
        ),
    ];
    let widths = [90.0, 180.0, 125.0, 160.0, 200.0];
    let mut x = x0;
    for ((sym, text), w) in items.iter().zip(widths) {
        let _ = writeln!(
            s,
            r##"<g transform="translate({x:.1},{:.1})">{sym}<text x="24" fill="#222">{text}</text></g>"##,
            H - 12.0
        );
        x += w;
    }
    s.push_str("</g>\n");
}

/// The drawing as SVG text.
pub fn svg(link: &Link) -> String {
    let plot = Plot::new(link);
    let mut s = String::new();
    plot.header(&mut s);
    plot.axes(&mut s);
    plot.terrain(&mut s);
    plot.fresnel(&mut s);
    plot.masts(&mut s);
    plot.worst(&mut s);
    legend(&mut s, plot.px(0.0));
    s.push_str("</svg>\n");
    s
}

/// Writes [`svg`] to `path` atomically.
pub fn write_svg(path: &Path, link: &Link) -> Result<()> {
    write_string_atomic(path, &svg(link))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Projector;
    use crate::link::{analyse_on, Endpoint, LinkParams};
    use phusong_engine::grid::{GridSpec, Raster};

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(
            ticks(83.0, 312.0, 5.0),
            vec![100.0, 150.0, 200.0, 250.0, 300.0]
        );
        assert_eq!(ticks(0.0, 0.7, 7.0).len(), 8);
        assert_eq!(label(0.30000000000000004), "0.3");
        assert_eq!(label(150.0), "150");
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn svg_has_every_element_and_places_the_worst_point() {
        // 10 km path over 100 m ground with a 160 m knife ridge at 6 km (line at 130 m).
        let proj = Projector::new(32648).unwrap();
        let c = proj.project(105.5, 18.8).unwrap();
        let g = GridSpec::covering(
            32648,
            c.0 - 6000.0,
            c.1 - 1000.0,
            c.0 + 6000.0,
            c.1 + 1000.0,
            50.0,
        );
        let mut r = Raster::filled(g.clone(), 100f32, None);
        let (ix, _) = g.cell_of(c.0 + 1000.0, c.1).unwrap();
        for iy in 0..g.ny {
            for dx in 0..3 {
                r.set(ix - 1 + dx, iy, 160.0);
            }
        }
        let end = |dx: f64| {
            let (lon, lat) = proj.unproject(c.0 + dx, c.1).unwrap();
            Endpoint {
                lon,
                lat,
                antenna_height_m: 30.0,
            }
        };
        let link = analyse_on(
            &r,
            25.0,
            "t",
            &proj,
            end(-5000.0),
            end(5000.0),
            &LinkParams::new(900.0),
        )
        .unwrap();
        assert!(!link.report.line_of_sight);
        let s = svg(&link);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.trim_end().ends_with("</svg>"));
        for id in [
            "id=\"title\"",
            "id=\"terrain\"",
            "id=\"terrain-bulge\"",
            "id=\"los\"",
            "id=\"fresnel\"",
            "id=\"fresnel60-upper\"",
            "id=\"fresnel60-lower\"",
            "id=\"worst\"",
            "id=\"legend\"",
            "distance from A (km)",
            "height above datum (m)",
            "line of sight: no",
            "class=\"mast\"",
        ] {
            assert!(s.contains(id), "missing {id}");
        }
        // Balanced tags for the elements that have children.
        assert_eq!(s.matches("<g").count(), s.matches("</g>").count());
        assert_eq!(s.matches("<svg").count(), 1);
        // The worst point is at 6 km: its circle sits 60 % across the plot width.
        let o = link.report.worst_obstruction.as_ref().unwrap();
        assert!((o.distance_m - 6000.0).abs() <= 100.0, "{}", o.distance_m);
        let cx: f64 = s
            .split("id=\"worst\" cx=\"")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        let want = LEFT + (W - LEFT - RIGHT) * o.distance_m / link.report.distance_m;
        assert!((cx - want).abs() < 0.1, "{cx} vs {want}");
        // The x axis is labelled in km up to 10.
        assert!(s.contains(">10</text>"));
        // Written atomically.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("link.svg");
        write_svg(&path, &link).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), s);
    }
}
