//! Charts as server-rendered SVG (through maud, so every label is escaped):
//! bars of a distribution, lines of shares over periods, a step chart of one
//! enterprise's class.

use maud::{Markup, html};

const W: f64 = 560.0;
const H: f64 = 200.0;
const PAD: f64 = 30.0;
const COLOURS: [&str; 6] = [
    "#2e7d32", "#9e9d24", "#ef6c00", "#c62828", "#6a1b9a", "#37474f",
];

fn colour(i: usize) -> &'static str {
    COLOURS[i % COLOURS.len()]
}

/// Bars: one per (label, value), with the value written above.
pub(crate) fn bars(title: &str, items: &[(String, u64)]) -> Markup {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let step = (W - 2.0 * PAD) / items.len().max(1) as f64;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(W) height=(H) role="img" aria-label=(title) {
            title { (title) }
            @for (i, (label, v)) in items.iter().enumerate() {
                @let h = (H - 2.0 * PAD) * (*v as f64) / max;
                @let x = PAD + step * i as f64 + step * 0.1;
                rect x=(x) y=(H - PAD - h) width=(step * 0.8) height=(h) fill=(colour(i)) {}
                text x=(x + step * 0.4) y=(H - PAD - h - 4.0) text-anchor="middle" font-size="11" { (v) }
                text x=(x + step * 0.4) y=(H - PAD + 14.0) text-anchor="middle" font-size="12" { (label) }
            }
        }
    }
}

/// Lines: for each series (label, values per x), over the x labels.
pub(crate) fn lines(title: &str, xs: &[String], series: &[(String, Vec<f64>)]) -> Markup {
    let max = series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let dx = (W - 2.0 * PAD) / (xs.len().max(2) - 1) as f64;
    let y = |v: f64| H - PAD - (H - 2.0 * PAD) * v / max;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(W) height=(H) role="img" aria-label=(title) {
            title { (title) }
            @for (i, x) in xs.iter().enumerate() {
                text x=(PAD + dx * i as f64) y=(H - PAD + 14.0) text-anchor="middle" font-size="10" { (x) }
            }
            @for (k, (label, values)) in series.iter().enumerate() {
                @let points: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", PAD + dx * i as f64, y(*v))).collect();
                polyline points=(points.join(" ")) fill="none" stroke=(colour(k)) stroke-width="2" {}
                text x=(W - PAD + 4.0) y=(values.last().map_or(H - PAD, |v| y(*v))) font-size="11" fill=(colour(k)) { (label) }
            }
        }
    }
}

/// A step chart of a class (an index into `classes`, or none) over periods.
pub(crate) fn class_steps(
    title: &str,
    xs: &[String],
    classes: &[String],
    at: &[Option<usize>],
) -> Markup {
    let k = classes.len().max(2);
    let dx = (W - 2.0 * PAD) / (xs.len().max(2) - 1) as f64;
    let y = |c: usize| PAD + (H - 2.0 * PAD) * c as f64 / (k - 1) as f64;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(W) height=(H) role="img" aria-label=(title) {
            title { (title) }
            @for (c, name) in classes.iter().enumerate() {
                text x="4" y=(y(c) + 4.0) font-size="11" { (name) }
            }
            @for (i, x) in xs.iter().enumerate() {
                text x=(PAD + dx * i as f64) y=(H - 6.0) text-anchor="middle" font-size="10" { (x) }
                @if let Some(c) = at.get(i).copied().flatten() {
                    circle cx=(PAD + dx * i as f64) cy=(y(c)) r="5" fill=(colour(c)) {}
                }
            }
        }
    }
}
