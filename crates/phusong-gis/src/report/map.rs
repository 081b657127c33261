//! The report's map, drawn by phusong itself: RSRP before the plan in discrete classes (a PNG of the
//! study grid, sampled at one cell per pixel centre), and the vectors over it as SVG — communes,
//! village polygons, gaps by cause, existing and proposed towers — with legend, scale bar and north
//! arrow. Deterministic: the same inputs give the same bytes.

use super::html::{base64, esc, int};
use crate::error::{Error, Result};
use geo::MultiPolygon;
use phusong_engine::demand::{Commune, Hamlet};
use phusong_engine::gaps::{Gap, GapCause};
use phusong_engine::grid::{GridSpec, Raster};
use phusong_engine::plan::candidates::PlannedTower;
use phusong_engine::radio::Site;
use std::fmt::Write;

/// Widest and tallest the map image may be, pixels.
const MAX_W_PX: f64 = 1200.0;
const MAX_H_PX: f64 = 1300.0;
/// Width of the legend panel right of the map, pixels.
const LEGEND_W_PX: f64 = 300.0;
/// Height in the legend panel where the scale bar and north arrow start, pixels.
const FURNITURE_Y: f64 = 430.0;

/// Colour of land cells with no server at all.
const NO_SIGNAL: &str = "#cfcfcf";
/// Colour of sea and cells outside the study area.
const OUTSIDE: &str = "#ffffff";
/// Gap markers (colours apart from the coverage classes' oranges and greens).
pub const GAP_SHADOW: &str = "#c51b7d";
pub const GAP_RANGE: &str = "#4b2991";
/// Proposed towers: grid-powered and solar.
pub const NEW_GRID: &str = "#08306b";
pub const NEW_SOLAR: &str = "#ffd92f";

/// The RSRP classes of the map: (lower bound dBm, upper bound dBm, colour, label), lowest first.
/// The break between the orange and the green classes is the coverage threshold itself.
pub fn rsrp_classes(threshold_dbm: f64) -> Vec<(f64, f64, &'static str, String)> {
    let t = threshold_dbm;
    let f = |v: f64| format!("{v:.0}").replace('-', "−");
    vec![
        (
            f64::NEG_INFINITY,
            t - 10.0,
            "#fdd0a2",
            format!("< {} dBm", f(t - 10.0)),
        ),
        (
            t - 10.0,
            t,
            "#f16913",
            format!("{} … {} dBm: below threshold", f(t - 10.0), f(t)),
        ),
        (
            t,
            t + 10.0,
            "#c7e9c0",
            format!("{} … {} dBm: covered", f(t), f(t + 10.0)),
        ),
        (
            t + 10.0,
            t + 20.0,
            "#74c476",
            format!("{} … {} dBm", f(t + 10.0), f(t + 20.0)),
        ),
        (
            t + 20.0,
            f64::INFINITY,
            "#006d2c",
            format!("≥ {} dBm", f(t + 20.0)),
        ),
    ]
}

/// What the map draws.
pub struct MapInputs<'a> {
    pub grid: &'a GridSpec,
    pub mask: &'a Raster<u8>,
    pub rsrp_dbm: &'a Raster<f32>,
    /// Coverage threshold (indoor margin included), dBm.
    pub threshold_dbm: f64,
    pub communes: &'a [Commune],
    pub hamlets: &'a [Hamlet],
    pub gaps: &'a [Gap],
    pub sites: &'a [Site],
    pub proposed: &'a [PlannedTower],
}

/// Pixels per grid cell and the image size, within [`MAX_W_PX`] × [`MAX_H_PX`].
fn frame(g: &GridSpec) -> (f64, usize, usize) {
    let scale = (MAX_W_PX / g.nx as f64).min(MAX_H_PX / g.ny as f64);
    let w = ((g.nx as f64 * scale).round() as usize).max(1);
    let h = ((g.ny as f64 * scale).round() as usize).max(1);
    (scale, w, h)
}

/// Palette index of one cell: 0 outside, 1 land without signal, 2.. the RSRP classes.
fn class_of(mask: u8, rsrp: f32, classes: &[(f64, f64, &str, String)]) -> u8 {
    if mask != 1 {
        return 0;
    }
    if !rsrp.is_finite() {
        return 1;
    }
    let v = rsrp as f64;
    let k = classes
        .iter()
        .position(|c| v >= c.0 && v < c.1)
        .unwrap_or(0);
    (k + 2) as u8
}

fn rgb(hex: &str) -> [u8; 3] {
    let p = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    [p(1), p(3), p(5)]
}

/// The coverage classes as an indexed PNG, sampled at each pixel's centre.
fn coverage_png(m: &MapInputs, scale: f64, w: usize, h: usize) -> Result<Vec<u8>> {
    let classes = rsrp_classes(m.threshold_dbm);
    let g = m.grid;
    let mut pixels = vec![0u8; w * h];
    for py in 0..h {
        let iy = (((py as f64 + 0.5) / scale) as usize).min(g.ny - 1);
        for px in 0..w {
            let ix = (((px as f64 + 0.5) / scale) as usize).min(g.nx - 1);
            let i = g.index(ix, iy);
            pixels[py * w + px] = class_of(m.mask.data[i], m.rsrp_dbm.data[i], &classes);
        }
    }
    let mut palette = Vec::new();
    for c in [OUTSIDE, NO_SIGNAL]
        .into_iter()
        .chain(classes.iter().map(|c| c.2))
    {
        palette.extend(rgb(c));
    }
    let err =
        |e: png::EncodingError| Error::Other(format!("report.html: encoding the map PNG: {e}"));
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(palette);
        enc.set_compression(png::Compression::High);
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(&pixels).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

/// Study metres → map pixels.
struct Px<'a> {
    g: &'a GridSpec,
    scale: f64,
}

impl Px<'_> {
    fn xy(&self, x: f64, y: f64) -> (f64, f64) {
        let (fx, fy) = self.g.frac(x, y);
        (fx * self.scale, fy * self.scale)
    }
    /// SVG path data of polygons, rings with vertices closer than half a pixel merged.
    fn path(&self, out: &mut String, mp: &MultiPolygon<f64>) {
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                let mut last: Option<(f64, f64)> = None;
                let mut n = 0;
                for c in ring.coords() {
                    let (x, y) = self.xy(c.x, c.y);
                    if let Some((lx, ly)) = last {
                        if (x - lx).abs() < 0.5 && (y - ly).abs() < 0.5 {
                            continue;
                        }
                    }
                    let _ = write!(out, "{}{:.1} {:.1}", if n == 0 { "M" } else { "L" }, x, y);
                    last = Some((x, y));
                    n += 1;
                }
                if n > 0 {
                    out.push('Z');
                }
            }
        }
    }
}

/// Marker shapes (centred on 0, 0) used on the map and in its legend.
pub fn star(cx: f64, cy: f64, r: f64) -> String {
    let mut d = String::new();
    for k in 0..10 {
        let rr = if k % 2 == 0 { r } else { r * 0.45 };
        let a = std::f64::consts::PI * (k as f64) / 5.0;
        let _ = write!(
            d,
            "{}{:.1} {:.1}",
            if k == 0 { "M" } else { "L" },
            cx + rr * a.sin(),
            cy - rr * a.cos()
        );
    }
    d.push('Z');
    d
}

fn triangle(cx: f64, cy: f64, r: f64) -> String {
    format!(
        "M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z",
        cx,
        cy - r,
        cx + r * 0.87,
        cy + r * 0.5,
        cx - r * 0.87,
        cy + r * 0.5
    )
}

fn square(cx: f64, cy: f64, r: f64) -> String {
    let s = r * 0.8;
    format!(
        "M{:.1} {:.1}h{:.1}v{:.1}h{:.1}Z",
        cx - s,
        cy - s,
        2.0 * s,
        2.0 * s,
        -2.0 * s
    )
}

/// A gap marker: triangle (terrain shadow) or square (out of range), hollow without grid power.
fn gap_marker(cause: GapCause, grid_power: bool, cx: f64, cy: f64) -> String {
    let (d, c) = match cause {
        GapCause::TerrainShadow => (triangle(cx, cy, 6.0), GAP_SHADOW),
        GapCause::OutOfRange => (square(cx, cy, 5.5), GAP_RANGE),
    };
    let fill = if grid_power { c } else { "#ffffff" };
    format!("<path d=\"{d}\" fill=\"{fill}\" stroke=\"{c}\" stroke-width=\"1.8\"/>")
}

/// A proposed-tower marker: a star, dark blue on grid power, yellow on solar.
fn tower_marker(grid_powered: bool, cx: f64, cy: f64) -> String {
    let (fill, stroke) = if grid_powered {
        (NEW_GRID, "#ffffff")
    } else {
        (NEW_SOLAR, "#000000")
    };
    format!(
        "<path d=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1\"/>",
        star(cx, cy, 8.0)
    )
}

/// The vector layers over the image.
fn vectors(m: &MapInputs, px: &Px) -> String {
    let mut out = String::new();
    let mut d = String::new();
    for c in m.communes {
        px.path(&mut d, &c.geometry);
    }
    let _ = writeln!(out, "<path id=\"map-communes\" d=\"{d}\" fill=\"none\" stroke=\"#8c8c8c\" stroke-width=\"0.6\"/>");
    d.clear();
    for h in m.hamlets {
        px.path(&mut d, &h.area);
    }
    let _ = writeln!(out, "<path id=\"map-villages\" d=\"{d}\" fill=\"none\" stroke=\"#252525\" stroke-width=\"0.7\"/>");
    out.push_str("<g id=\"map-sites\" fill=\"#000000\" fill-opacity=\"0.7\">");
    for s in m.sites {
        let (x, y) = px.xy(s.x_m, s.y_m);
        let _ = write!(out, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"1.6\"/>");
    }
    out.push_str("</g>\n<g id=\"map-gaps\">");
    for g in m.gaps {
        if let Some(h) = m.hamlets.get(g.hamlet) {
            let (x, y) = px.xy(h.x_m, h.y_m);
            out.push_str(&gap_marker(g.cause, g.grid_power, x, y));
        }
    }
    out.push_str("</g>\n<g id=\"map-proposed\">");
    for t in m.proposed {
        let (x, y) = px.xy(t.x_m, t.y_m);
        out.push_str(&tower_marker(t.grid_powered, x, y));
    }
    out.push_str("</g>\n");
    out
}

/// A round length (1, 2 or 5 × 10ⁿ metres) near a fifth of the map's width.
pub fn scale_bar_m(map_width_m: f64) -> f64 {
    let target = (map_width_m / 5.0).max(1.0);
    let p = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&v| v <= target)
        .unwrap_or(p)
}

/// Scale bar and north arrow (grid north), drawn under the legend (legend coordinates).
fn furniture(g: &GridSpec, scale: f64) -> String {
    let len_m = scale_bar_m(g.nx as f64 * g.cell_m);
    let len_px = len_m / g.cell_m * scale;
    let (x0, y0) = (4.0, FURNITURE_Y);
    let label = if len_m >= 1000.0 {
        format!("{} km", len_m / 1000.0)
    } else {
        format!("{len_m} m")
    };
    let half = len_px / 2.0;
    let mut s = format!(
        "<g id=\"map-scale\"><rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{half:.1}\" height=\"5\" fill=\"#000\"/>\
         <rect x=\"{:.1}\" y=\"{y0:.1}\" width=\"{half:.1}\" height=\"5\" fill=\"#fff\" stroke=\"#000\"/>\
         <text x=\"{x0:.1}\" y=\"{:.1}\" font-size=\"11\">0</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" data-scale-m=\"{len_m}\">{label}</text>\
         <text x=\"{x0:.1}\" y=\"{:.1}\" font-size=\"11\">scale bar</text></g>",
        x0 + half,
        y0 - 4.0,
        x0 + len_px,
        y0 - 4.0,
        y0 + 20.0
    );
    let nx = 250.0;
    let ny = FURNITURE_Y + 40.0;
    let _ = write!(
        s,
        "<g id=\"map-north\"><path d=\"M{nx:.1} {ny:.1}L{:.1} {:.1}L{nx:.1} {:.1}L{:.1} {:.1}Z\" fill=\"#000\"/>\
         <text x=\"{nx:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" font-weight=\"bold\">N</text></g>",
        nx + 9.0,
        ny + 30.0,
        ny + 23.0,
        nx - 9.0,
        ny + 30.0,
        ny + 46.0
    );
    s
}

/// The legend panel right of the map.
fn legend(m: &MapInputs, x0: f64) -> String {
    let mut s =
        format!("<g id=\"map-legend\" transform=\"translate({x0:.0},0)\" font-size=\"12\">");
    let mut y = 20.0;
    let row = |s: &mut String, swatch: String, label: &str, y: &mut f64| {
        let _ = write!(
            s,
            "{swatch}<text x=\"30\" y=\"{:.0}\">{}</text>",
            *y + 4.0,
            esc(label)
        );
        *y += 20.0;
    };
    let _ = write!(
        s,
        "<text x=\"0\" y=\"{y:.0}\" font-weight=\"bold\">RSRP before the plan</text>"
    );
    y += 20.0;
    let classes = rsrp_classes(m.threshold_dbm);
    for c in classes.iter().rev() {
        let sw = format!("<rect x=\"4\" y=\"{:.0}\" width=\"18\" height=\"12\" fill=\"{}\" stroke=\"#555\" stroke-width=\"0.5\"/>", y - 6.0, c.2);
        row(&mut s, sw, &c.3, &mut y);
    }
    let sw = format!("<rect x=\"4\" y=\"{:.0}\" width=\"18\" height=\"12\" fill=\"{NO_SIGNAL}\" stroke=\"#555\" stroke-width=\"0.5\"/>", y - 6.0);
    row(&mut s, sw, "no signal", &mut y);
    y += 8.0;
    let _ = write!(
        s,
        "<text x=\"0\" y=\"{y:.0}\" font-weight=\"bold\">Vectors</text>"
    );
    y += 20.0;
    let line = |c: &str, w: f64, y: f64| {
        format!("<path d=\"M4 {y:.0}h18\" stroke=\"{c}\" stroke-width=\"{w}\"/>")
    };
    row(
        &mut s,
        line("#252525", 1.5, y),
        "village (settled area)",
        &mut y,
    );
    row(&mut s, line("#8c8c8c", 1.5, y), "commune boundary", &mut y);
    let items: [(String, String); 7] = [
        (
            format!("<circle cx=\"13\" cy=\"{y:.0}\" r=\"2.5\" fill=\"#000\"/>"),
            format!("existing site ({})", int(m.sites.len() as u64)),
        ),
        (
            gap_marker(GapCause::TerrainShadow, true, 13.0, y + 20.0),
            "gap: terrain shadow".into(),
        ),
        (
            gap_marker(GapCause::OutOfRange, true, 13.0, y + 40.0),
            "gap: out of range".into(),
        ),
        (
            gap_marker(GapCause::TerrainShadow, false, 13.0, y + 60.0),
            "hollow: gap without grid power".into(),
        ),
        (
            tower_marker(true, 13.0, y + 80.0),
            "proposed tower, grid power".into(),
        ),
        (
            tower_marker(false, 13.0, y + 100.0),
            "proposed tower, solar".into(),
        ),
        (
            String::new(),
            format!("{} proposed, {} gaps", m.proposed.len(), m.gaps.len()),
        ),
    ];
    for (sw, label) in items {
        row(&mut s, sw, &label, &mut y);
    }
    s.push_str("</g>");
    s
}

/// The whole map as one inline SVG element (the PNG inside as a `data:` URI).
pub fn map_svg(m: &MapInputs) -> Result<String> {
    let (scale, w, h) = frame(m.grid);
    let png = coverage_png(m, scale, w, h)?;
    let px = Px { g: m.grid, scale };
    let total_w = w as f64 + LEGEND_W_PX;
    let total_h = (h as f64).max(FURNITURE_Y + 110.0);
    let mut s = format!(
        "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total_w:.0} {total_h:.0}\" \
         width=\"{total_w:.0}\" height=\"{total_h:.0}\" font-family=\"sans-serif\">\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{OUTSIDE}\" stroke=\"#000\"/>\n\
         <image x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" style=\"image-rendering:pixelated\" \
         href=\"data:image/png;base64,{}\"/>\n<svg x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" overflow=\"hidden\">\n",
        base64(&png)
    );
    s.push_str(&vectors(m, &px));
    s.push_str("</svg>\n");
    s.push_str(&legend(m, w as f64 + 20.0));
    let _ = write!(
        s,
        "<g transform=\"translate({:.0},0)\">{}</g>",
        w as f64 + 20.0,
        furniture(m.grid, scale)
    );
    s.push_str("\n</svg>\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_break_at_the_threshold_and_tile_the_line() {
        let c = rsrp_classes(-110.0);
        // Contiguous, from −∞ to +∞, one break exactly at the threshold.
        assert_eq!(c[0].0, f64::NEG_INFINITY);
        assert_eq!(c[c.len() - 1].1, f64::INFINITY);
        for w in c.windows(2) {
            assert_eq!(w[0].1, w[1].0);
        }
        assert!(c.iter().any(|k| k.1 == -110.0) && c.iter().any(|k| k.0 == -110.0));
        let cls = |v: f32| class_of(1, v, &c);
        assert!(cls(-110.01) < cls(-110.0));
        assert_eq!(class_of(0, -60.0, &c), 0);
        assert_eq!(class_of(1, f32::NAN, &c), 1);
        // Every colour differs from the others and from the markers'.
        let mut colours: Vec<&str> = c.iter().map(|k| k.2).collect();
        colours.extend([
            NO_SIGNAL, OUTSIDE, GAP_SHADOW, GAP_RANGE, NEW_GRID, NEW_SOLAR,
        ]);
        let n = colours.len();
        colours.sort();
        colours.dedup();
        assert_eq!(colours.len(), n);
    }

    #[test]
    fn scale_bar_is_round_and_near_a_fifth() {
        assert_eq!(scale_bar_m(100_000.0), 20_000.0);
        assert_eq!(scale_bar_m(25_000.0), 5_000.0);
        assert_eq!(scale_bar_m(180_000.0), 20_000.0);
        assert_eq!(scale_bar_m(260_000.0), 50_000.0);
        for w in [900.0, 12_345.0, 77_777.0, 333_333.0] {
            let b = scale_bar_m(w);
            assert!(b <= w / 5.0 && b > w / 5.0 / 2.5, "{w} → {b}");
        }
    }
}
