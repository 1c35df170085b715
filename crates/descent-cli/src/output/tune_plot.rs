//! `descent tune --plot`: the score of every trial against each searched setting, one panel
//! per setting (a log axis where the setting was sampled on a log scale: `1 − x` for
//! `:log1m`, base 2 for `:log2`; a choice's options side by side), the best trial ringed.

use std::path::Path;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::plot::{colour, register_bundled_font};
use super::tune::TrialReport;
use crate::run::{Dimension, Scale, Search, Space};

/// Panels per row.
const COLUMNS: usize = 3;

/// Draws the figure to `path` (PNG or SVG by its extension).
pub fn draw(
    path: &Path,
    title: &str,
    search: &Search,
    score: &str,
    results: &[TrialReport],
    best: Option<usize>,
) -> anyhow::Result<()> {
    register_bundled_font()?;
    let panels = search.dims.len().max(1);
    let cols = panels.min(COLUMNS);
    let rows = panels.div_ceil(COLUMNS);
    let size = (440 * cols as u32, 60 + 380 * rows as u32);
    let is_svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let res = if is_svg {
        figure(SVGBackend::new(path, size).into_drawing_area(), title, search, score, results, best)
    } else {
        let area = BitMapBackend::new(path, size).into_drawing_area();
        figure(area, title, search, score, results, best)
    };
    res.with_context(|| format!("--plot {}: cannot draw the figure", path.display()))
}

fn figure<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    search: &Search,
    score: &str,
    results: &[TrialReport],
    best: Option<usize>,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
    let panels = search.dims.len().max(1);
    let areas = root.split_evenly((panels.div_ceil(COLUMNS), panels.min(COLUMNS)));
    let scores: Vec<f64> = results.iter().filter_map(|r| r.score).collect();
    let (lo, hi) =
        scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &s| (l.min(s), h.max(s)));
    let (lo, hi) = if lo.is_finite() { pad(lo, hi) } else { (0.0, 1.0) };
    for (d, (area, dim)) in areas.iter().zip(&search.dims).enumerate() {
        let points: Vec<(f64, f64, bool)> = results
            .iter()
            .filter_map(|r| {
                let x = axis_value(dim, r.settings[d].position(&dim.space));
                r.score.map(|s| (x, s, Some(r.trial) == best))
            })
            .collect();
        let xs = points.iter().map(|p| p.0);
        let (xlo, xhi) =
            xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| (l.min(x), h.max(x)));
        let (xlo, xhi) = if xlo.is_finite() { (xlo, xhi) } else { (0.0, 1.0) };
        let label = match dim.space {
            Space::Range { scale: Scale::Log1m, .. } => format!("1 − {}", dim.key),
            _ => dim.key.clone(),
        };
        match dim.space {
            Space::Range { scale, .. } if scale.is_log() => {
                // The axis is the exponent, labelled with the value it stands for.
                let base = if scale == Scale::Log2 { 2f64 } else { 10f64 };
                let (a, b) = pad(xlo, xhi);
                let fmt = move |x: &f64| {
                    let v = base.powf(*x);
                    if base == 2.0 { format!("{v:.0}") } else { format!("{v:.1e}") }
                };
                panel(area, a..b, lo..hi, &label, score, &points, &fmt)
            }
            Space::Choice(ref options) => {
                let names = options.clone();
                let fmt = move |x: &f64| {
                    let i = x.round();
                    if (x - i).abs() < 1e-9 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                };
                panel(area, -0.5..options.len() as f64 - 0.5, lo..hi, &label, score, &points, &fmt)
            }
            _ => {
                let (a, b) = pad(xlo, xhi);
                panel(area, a..b, lo..hi, &label, score, &points, &|x| format!("{x:.3}"))
            }
        }
        .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

/// Where a setting sits on its axis: the exponent on a log scale (base 2 for `:log2`), of
/// `1 − x` for `:log1m`.
fn axis_value(dim: &Dimension, x: f64) -> f64 {
    match dim.space {
        Space::Range { scale: Scale::Log, .. } => x.log10(),
        Space::Range { scale: Scale::Log1m, .. } => (1.0 - x).log10(),
        Space::Range { scale: Scale::Log2, .. } => x.log2(),
        _ => x,
    }
}

/// A range widened by 5% on each side (a unit around a single value).
fn pad(lo: f64, hi: f64) -> (f64, f64) {
    let margin = if hi > lo { 0.05 * (hi - lo) } else { 0.5 * lo.abs().max(1.0) };
    (lo - margin, hi + margin)
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    label: &str,
    score: &str,
    points: &[(f64, f64, bool)],
    x_format: &dyn Fn(&f64) -> String,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let mut chart = ChartBuilder::on(area)
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc(label)
        .y_desc(score)
        .x_labels(6)
        .x_label_formatter(x_format)
        .label_style(("sans-serif", 13))
        .draw()?;
    let dot = colour(0).mix(0.8).filled();
    chart.draw_series(points.iter().map(|&(x, s, _)| Circle::new((x, s), 4, dot)))?;
    let ring = BLACK.stroke_width(2);
    chart.draw_series(
        points.iter().filter(|p| p.2).map(|&(x, s, _)| Circle::new((x, s), 8, ring)),
    )?;
    Ok(())
}
