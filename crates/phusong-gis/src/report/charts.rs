//! The plan's curves as inline SVG: coverage (villages, people, land, %) against the number of new
//! towers, from `plan.json`'s `curve` (the towers in rank order).

use super::html::esc;
use phusong_engine::plan::build::CurvePoint;
use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 340.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 44.0;

/// The measures drawn: (label, colour, value of a point).
type Series = (&'static str, &'static str, fn(&CurvePoint) -> f64);

pub const SERIES: [Series; 3] = [
    ("villages covered", "#d95f02", |p| p.hamlets_covered_pct),
    ("people covered", "#1b9e77", |p| p.population_covered_pct),
    ("land covered", "#7570b3", |p| p.land_area_covered_pct),
];

/// A step (1, 2 or 5 × 10ⁿ) giving about `n` ticks over `span`.
fn nice_step(span: f64, n: f64) -> f64 {
    let raw = (span / n).max(1e-9);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&v| v >= raw)
        .unwrap_or(10.0 * p)
}

/// The y range: from a round value at or below the lowest point to 100 %.
fn y_range(curve: &[CurvePoint]) -> (f64, f64, f64) {
    let lo = curve
        .iter()
        .flat_map(|p| SERIES.iter().map(move |s| (s.2)(p)))
        .fold(100.0f64, f64::min);
    let step = nice_step((100.0 - lo).max(0.01), 5.0);
    let y0 = ((lo / step).floor() * step).max(0.0);
    let y0 = if y0 >= 100.0 { 100.0 - step } else { y0 };
    (y0, 100.0, step)
}

/// Decimals that tell ticks `step` apart.
fn decimals(step: f64) -> usize {
    (-step.log10().floor()).max(0.0) as usize
}

/// The curve of coverage against new towers; an explanatory paragraph when there is no curve.
pub fn curve_svg(curve: &[CurvePoint]) -> String {
    let towers: Vec<f64> = curve.iter().map(|p| p.towers as f64).collect();
    curve_svg_over(
        curve,
        &towers,
        "curve",
        "new towers (in the plan's build order)",
    )
}

/// The same curve against the cumulative capital cost of the towers (`cumulative[k]` for the
/// first k towers), in thousands of `currency`.
pub fn cost_curve_svg(curve: &[CurvePoint], cumulative: &[f64], currency: &str) -> String {
    if cumulative.len() != curve.len() {
        return "<p>No cost curve: plan.json's cumulative cost does not line up with its curve.</p>"
            .into();
    }
    let thousands: Vec<f64> = cumulative.iter().map(|c| c / 1000.0).collect();
    let label = format!("capital cost of the new towers, thousand {currency}");
    curve_svg_over(curve, &thousands, "cost-curve", &label)
}

/// Coverage (villages, people, land, %) against `x` (one value per curve point), as SVG with id
/// `id` and x-axis label `x_label`.
fn curve_svg_over(curve: &[CurvePoint], x: &[f64], id: &str, x_label: &str) -> String {
    if curve.len() < 2 {
        return "<p>No curve: the plan proposes no tower.</p>".into();
    }
    let max_t = x.iter().copied().fold(0.0, f64::max).max(1.0);
    let (y0, y1, ystep) = y_range(curve);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let sx = |t: f64| LEFT + t / max_t * pw;
    let sy = |v: f64| TOP + (y1 - v) / (y1 - y0) * ph;
    let mut s = format!(
        "<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" \
         height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    let d = decimals(ystep);
    let mut v = y0;
    while v <= y1 + 1e-9 {
        let y = sy(v);
        let _ = write!(
            s,
            "<path d=\"M{LEFT} {y:.1}H{:.1}\" stroke=\"#e0e0e0\"/><text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{v:.d$} %</text>",
            LEFT + pw,
            LEFT - 6.0,
            y + 4.0
        );
        v += ystep;
    }
    let tstep = nice_step(max_t, 8.0);
    let mut t = 0.0;
    while t <= max_t + 1e-9 {
        let x = sx(t);
        let _ = write!(
            s,
            "<path d=\"M{x:.1} {:.1}v5\" stroke=\"#000\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{t}</text>",
            TOP + ph,
            TOP + ph + 18.0
        );
        t += tstep;
    }
    let _ = write!(
        s,
        "<path d=\"M{LEFT} {TOP}V{:.1}H{:.1}\" fill=\"none\" stroke=\"#000\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        TOP + ph,
        LEFT + pw,
        LEFT + pw / 2.0,
        H - 6.0,
        esc(x_label)
    );
    for (k, (label, colour, f)) in SERIES.iter().enumerate() {
        let pts: Vec<String> = curve
            .iter()
            .zip(x)
            .map(|(p, &xv)| format!("{:.1},{:.1}", sx(xv), sy(f(p))))
            .collect();
        let _ = write!(
            s,
            "<polyline data-series=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            esc(label),
            pts.join(" ")
        );
        let ly = TOP + 10.0 + 22.0 * k as f64;
        let lx = LEFT + pw + 16.0;
        let _ = write!(
            s,
            "<path d=\"M{lx:.0} {ly:.0}h24\" stroke=\"{colour}\" stroke-width=\"3\"/><text x=\"{:.0}\" y=\"{:.0}\">{}</text>",
            lx + 30.0,
            ly + 4.0,
            esc(label)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(t: usize, v: f64) -> CurvePoint {
        CurvePoint {
            towers: t,
            hamlets_covered_pct: v,
            population_covered_pct: v + 0.5,
            land_area_covered_pct: v - 0.25,
        }
    }

    #[test]
    fn y_range_holds_every_point_and_ends_at_100() {
        for curve in [
            vec![pt(0, 97.3), pt(5, 99.9)],
            vec![pt(0, 99.99), pt(1, 99.995)],
            vec![pt(0, 12.0), pt(40, 80.0)],
        ] {
            let (y0, y1, step) = y_range(&curve);
            assert_eq!(y1, 100.0);
            assert!(y0 < 100.0 && step > 0.0);
            for p in &curve {
                for s in SERIES {
                    assert!((s.2)(p) >= y0 - 1e-9, "{} below {y0}", (s.2)(p));
                }
            }
        }
    }

    #[test]
    fn one_polyline_point_per_curve_point() {
        let curve: Vec<CurvePoint> = (0..7).map(|t| pt(t, 90.0 + t as f64)).collect();
        let svg = curve_svg(&curve);
        assert_eq!(svg.matches("<polyline").count(), 3);
        for poly in svg.split("points=\"").skip(1) {
            let pts = &poly[..poly.find('"').unwrap()];
            assert_eq!(pts.split(' ').count(), 7);
        }
        assert!(curve_svg(&curve[..1]).starts_with("<p>"));
    }
}
