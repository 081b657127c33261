//! The two calibration plots as small, deterministic hand-written SVG: measured vs predicted RSRP
//! with the 1:1 line, and prediction error vs distance (log scale); before calibration in grey,
//! after in blue. At most [`MAX_POINTS`] rows are drawn (evenly thinned).

use phusong_engine::calibration::{Measurement, Model};
use std::fmt::Write as _;

/// Most points drawn per series.
pub const MAX_POINTS: usize = 2000;

const W: f64 = 560.0;
const H: f64 = 420.0;
const LEFT: f64 = 60.0;
const BOTTOM: f64 = 50.0;
const PAD: f64 = 20.0;

/// A linear axis over [lo, hi] mapped to pixels [p0, p1].
#[derive(Clone, Copy)]
struct Axis {
    lo: f64,
    hi: f64,
    p0: f64,
    p1: f64,
}

impl Axis {
    fn at(&self, v: f64) -> f64 {
        self.p0 + (v - self.lo) / (self.hi - self.lo) * (self.p1 - self.p0)
    }
}

/// [lo, hi] rounded out to multiples of `step`, never empty.
fn span(values: impl Iterator<Item = f64>, step: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, step);
    }
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + step)
    }
}

fn frame(
    title: &str,
    xlabel: &str,
    ylabel: &str,
    x: Axis,
    y: Axis,
    xticks: &[(f64, String)],
    yticks: &[(f64, String)],
) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"14\" text-anchor=\"middle\" font-size=\"13\">{title}</text>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{xlabel}</text>\n\
         <text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">{ylabel}</text>\n\
         <rect x=\"{LEFT}\" y=\"{PAD}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n",
        W / 2.0,
        (LEFT + W - PAD) / 2.0,
        H - 12.0,
        (PAD + H - BOTTOM) / 2.0,
        W - PAD - LEFT,
        H - BOTTOM - PAD
    );
    for (v, l) in xticks {
        let px = x.at(*v);
        let _ = writeln!(s, "<line x1=\"{px:.1}\" y1=\"{PAD}\" x2=\"{px:.1}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{px:.1}\" y=\"{}\" text-anchor=\"middle\">{l}</text>", H - BOTTOM, H - BOTTOM + 14.0);
    }
    for (v, l) in yticks {
        let py = y.at(*v);
        let _ = writeln!(s, "<line x1=\"{LEFT}\" y1=\"{py:.1}\" x2=\"{}\" y2=\"{py:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{l}</text>", W - PAD, LEFT - 4.0, py + 4.0);
    }
    s
}

fn dots(s: &mut String, pts: &[(f64, f64)], x: Axis, y: Axis, color: &str) {
    let k = pts.len().div_ceil(MAX_POINTS).max(1);
    let _ = writeln!(s, "<g fill=\"{color}\" fill-opacity=\"0.5\">");
    for (a, b) in pts.iter().step_by(k) {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\"/>",
            x.at(*a),
            y.at(*b)
        );
    }
    s.push_str("</g>\n");
}

fn legend(s: &mut String) {
    let _ = writeln!(
        s,
        "<circle cx=\"{}\" cy=\"32\" r=\"3\" fill=\"#999\"/><text x=\"{}\" y=\"36\">before</text>",
        LEFT + 12.0,
        LEFT + 20.0
    );
    let _ = writeln!(s, "<circle cx=\"{}\" cy=\"48\" r=\"3\" fill=\"#1f5fbf\"/><text x=\"{}\" y=\"52\">after calibration</text>", LEFT + 12.0, LEFT + 20.0);
}

fn ticks(lo: f64, hi: f64, step: f64, label: impl Fn(f64) -> String) -> Vec<(f64, String)> {
    let n = ((hi - lo) / step).round() as usize;
    (0..=n)
        .map(|i| lo + i as f64 * step)
        .map(|v| (v, label(v)))
        .collect()
}

/// (measured vs predicted, error vs distance) SVGs of the uncensored `rows`.
pub fn plots(rows: &[Measurement], before: &Model, after: &Model) -> (String, String) {
    let rows: Vec<(usize, &Measurement)> = rows
        .iter()
        .enumerate()
        .filter(|(_, m)| !m.censored)
        .collect();
    let pred = |model: &Model| -> Vec<f64> {
        rows.iter()
            .map(|(i, m)| {
                model
                    .predict_loss_db(m, *i)
                    .map_or(f64::NAN, |l| m.rs_power_dbm + m.antenna_gain_db - l)
            })
            .collect()
    };
    let (pb, pa) = (pred(before), pred(after));
    let meas: Vec<f64> = rows.iter().map(|(_, m)| m.rsrp_dbm).collect();
    // Scatter: predicted (x) vs measured (y), a square frame with the 1:1 diagonal.
    let (lo, hi) = span(pb.iter().chain(&pa).chain(&meas).copied(), 10.0);
    let x = Axis {
        lo,
        hi,
        p0: LEFT,
        p1: W - PAD,
    };
    let y = Axis {
        lo,
        hi,
        p0: H - BOTTOM,
        p1: PAD,
    };
    let t = ticks(lo, hi, 10.0, |v| format!("{v:.0}"));
    let mut a = frame(
        "Measured vs predicted RSRP",
        "predicted RSRP (dBm)",
        "measured RSRP (dBm)",
        x,
        y,
        &t,
        &t,
    );
    let _ = writeln!(a, "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"4 3\"/>", x.at(lo), y.at(lo), x.at(hi), y.at(hi));
    let zip = |p: &[f64]| -> Vec<(f64, f64)> {
        p.iter()
            .zip(&meas)
            .filter(|(a, _)| a.is_finite())
            .map(|(a, b)| (*a, *b))
            .collect()
    };
    dots(&mut a, &zip(&pb), x, y, "#999");
    dots(&mut a, &zip(&pa), x, y, "#1f5fbf");
    legend(&mut a);
    a.push_str("</svg>\n");
    // Error (predicted − measured loss = measured − predicted RSRP) vs log10 distance.
    let logd: Vec<f64> = rows
        .iter()
        .map(|(_, m)| (m.distance_m / 1000.0).log10())
        .collect();
    let err = |p: &[f64]| -> Vec<(f64, f64)> {
        p.iter()
            .zip(&meas)
            .zip(&logd)
            .filter(|((a, _), _)| a.is_finite())
            .map(|((a, b), d)| (*d, b - a))
            .collect()
    };
    let (eb, ea) = (err(&pb), err(&pa));
    let (dlo, dhi) = span(logd.iter().copied(), 1.0);
    let (elo, ehi) = span(eb.iter().chain(&ea).map(|p| p.1), 10.0);
    let x = Axis {
        lo: dlo,
        hi: dhi,
        p0: LEFT,
        p1: W - PAD,
    };
    let y = Axis {
        lo: elo,
        hi: ehi,
        p0: H - BOTTOM,
        p1: PAD,
    };
    let xt = ticks(dlo, dhi, 1.0, |v| {
        let m = (1000.0 * 10f64.powf(v)).round();
        if m >= 1000.0 {
            format!("{:.0} km", m / 1000.0)
        } else {
            format!("{m:.0} m")
        }
    });
    let yt = ticks(elo, ehi, 10.0, |v| format!("{v:.0}"));
    let mut b = frame(
        "Prediction error vs distance",
        "distance from the site (log scale)",
        "predicted − measured loss (dB)",
        x,
        y,
        &xt,
        &yt,
    );
    let _ = writeln!(b, "<line x1=\"{LEFT}\" y1=\"{:.1}\" x2=\"{}\" y2=\"{:.1}\" stroke=\"black\" stroke-dasharray=\"4 3\"/>", y.at(0.0), W - PAD, y.at(0.0));
    dots(&mut b, &eb, x, y, "#999");
    dots(&mut b, &ea, x, y, "#1f5fbf");
    legend(&mut b);
    b.push_str("</svg>\n");
    (a, b)
}
