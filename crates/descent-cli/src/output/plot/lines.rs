//! A panel of per-epoch curves (cost, accuracy or learning rate).
//!
//! Each curve is drawn in a strong colour over a white halo, so it stays visible over the
//! faint band of its mini-batch costs (thinned to their middle half — the quartiles — per
//! pixel column when there are more batches than pixels, so single-example costs spanning
//! decades do not fill the panel). A curve that lies within a line's width of
//! an earlier one is dashed and marked with rings, and its legend entry says whether the two
//! are identical or only close. The value of epoch `e` (from 0) sits at `x = e + 1`, the
//! epochs trained, and mini-batch `k` at `(k + 1) / batches per epoch`. A log axis is drawn
//! as a linear axis of logarithms, with ticks at 1, 2 and 5 times powers of ten (every
//! integer multiple on a narrow range), so each axis has labels however little it spans.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::ticks::{self, Ticked, tick_label};
use super::{Curve, colour};

/// Pixel columns a mini-batch band is thinned to.
const BAND_COLUMNS: usize = 500;
/// Curves closer than this fraction of the axis's span everywhere are drawn as coinciding.
const COINCIDE: f64 = 0.01;
/// Rings along a dashed curve.
const RINGS: usize = 12;

/// What a panel plots and how its y axis is laid out.
pub struct Axis {
    caption: &'static str,
    y_desc: &'static str,
    log: bool,
    /// An accuracy axis: linear, up to 1.
    unit: bool,
    /// Identical curves are drawn once, their names joined in one legend entry (the learning
    /// rates of runs sharing a schedule).
    merge: bool,
}

impl Axis {
    /// The cost per epoch.
    pub fn cost(log: bool) -> Self {
        let caption = if log { "cost per epoch (log scale)" } else { "cost per epoch" };
        Self { caption, y_desc: "cost", log, unit: false, merge: false }
    }

    /// The accuracy per epoch, linear, up to 1.
    pub fn accuracy() -> Self {
        Self {
            caption: "accuracy per epoch",
            y_desc: "accuracy",
            log: false,
            unit: true,
            merge: false,
        }
    }

    /// The learning rate each epoch trained with.
    pub fn rate(log: bool) -> Self {
        let caption = if log { "learning rate (log scale)" } else { "learning rate" };
        Self { caption, y_desc: "learning rate", log, unit: false, merge: true }
    }

    /// The value at `units` on the axis (the inverse of [`units`](Self::units)).
    fn value(&self, units: f64) -> f64 {
        if self.log { units.exp() } else { units }
    }

    /// Round values to label in `[lo, hi]` (see [`ticks::round`]).
    fn ticks(&self, lo: f64, hi: f64) -> Vec<f64> {
        ticks::round(self.log, lo, hi)
    }

    fn shown(&self, v: f64) -> bool {
        v.is_finite() && (!self.log || v > 0.0)
    }

    /// A value in the axis's units: its logarithm on a log axis.
    fn units(&self, v: f64) -> f64 {
        if self.log { v.ln() } else { v }
    }

    /// The y range: the epoch curves' values, widened to the mini-batch band within limits
    /// (a band of single examples must not flatten the curves).
    fn range(&self, curves: &[Curve]) -> (f64, f64) {
        let fold = |values: &mut dyn Iterator<Item = f64>| {
            values
                .filter(|&v| self.shown(v))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
        };
        let (lo, hi) = fold(&mut curves.iter().flat_map(|c| c.values.iter().copied()));
        let (blo, bhi) = fold(&mut curves.iter().flat_map(|c| c.batch_costs.iter().copied()));
        if !lo.is_finite() {
            return if self.log { (0.1, 1.0) } else { (0.0, 1.0) };
        }
        if self.unit {
            return (((lo * 10.0).floor() / 10.0).clamp(0.0, 0.9), hi.max(1.0) + 0.01);
        }
        if self.log {
            let (lo, hi) = (blo.max(lo / 10.0).min(lo), bhi.min(hi * 3.0).max(hi));
            let pad = if hi / lo < 1.5 { 1.25 } else { 1.1 };
            (lo / pad, hi * pad)
        } else {
            let hi = bhi.min(hi * 1.5).max(hi);
            (lo.min(0.0), if hi > 0.0 { hi * 1.05 } else { 1.0 })
        }
    }
}

/// Draws `curves` on `area`.
pub fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axis: &Axis,
    curves: &[Curve],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let epochs = curves.iter().map(|c| c.values.len()).max().unwrap_or(1).max(1) as f64;
    let (lo, hi) = axis.range(curves);
    let ticks: Vec<f64> = axis.ticks(lo, hi).into_iter().map(|t| axis.units(t)).collect();
    let y = Ticked::new(axis.units(lo)..axis.units(hi), ticks);
    let chart = ChartBuilder::on(area)
        .caption(axis.caption, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(66)
        .build_cartesian_2d(0.0..epochs, y)?;
    draw(chart, axis, curves, (lo, hi))
}

/// The chart of a panel: epochs across, the axis's units up.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Ticked>>;

/// For each curve, the earlier curve it lies on, if any, and whether the two are identical.
fn coinciding(axis: &Axis, curves: &[Curve], (lo, hi): (f64, f64)) -> Vec<Option<(usize, bool)>> {
    let span = (axis.units(hi) - axis.units(lo)).abs().max(f64::MIN_POSITIVE);
    let close = |a: &Curve, b: &Curve| {
        a.values.len() == b.values.len()
            && a.values.iter().zip(&b.values).all(|(&x, &y)| {
                let (sx, sy) = (axis.shown(x), axis.shown(y));
                sx == sy && (!sx || (axis.units(x) - axis.units(y)).abs() <= COINCIDE * span)
            })
    };
    (0..curves.len())
        .map(|i| {
            (0..i)
                .find(|&j| !curves[i].values.is_empty() && close(&curves[i], &curves[j]))
                .map(|j| (j, curves[i].values == curves[j].values))
        })
        .collect()
}

fn draw<'a, DB: DrawingBackend + 'a>(
    mut chart: Chart<'a, DB>,
    axis: &Axis,
    curves: &[Curve],
    range: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(axis.y_desc)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| tick_label(axis.value(*y)))
        .label_style(("sans-serif", 13))
        .light_line_style(TRANSPARENT)
        .draw()?;
    for (i, curve) in curves.iter().enumerate() {
        band(&mut chart, axis, curve, colour(i), range)?;
    }
    let shadows = coinciding(axis, curves, range);
    let mut names: Vec<String> = curves.iter().map(|c| c.name.clone()).collect();
    if axis.merge {
        for (i, shadow) in shadows.iter().enumerate() {
            if let Some((j, true)) = *shadow {
                names[j] = format!("{} = {}", names[j], curves[i].name);
            }
        }
    }
    for (i, curve) in curves.iter().enumerate() {
        if axis.merge && matches!(shadows[i], Some((_, true))) {
            continue;
        }
        let shown = curve.values.iter().enumerate().filter(|&(_, &v)| axis.shown(v));
        let thinned = thin(shown.map(|(e, &v)| (e as f64 + 1.0, axis.units(v))).collect());
        let points = || thinned.iter().copied();
        let style = colour(i).stroke_width(2);
        let label = match shadows[i] {
            Some((j, true)) => format!("{} (identical to {})", curve.name, curves[j].name),
            Some((j, false)) => format!("{} (on top of {})", curve.name, curves[j].name),
            None => names[i].clone(),
        };
        if shadows[i].is_some() {
            chart.draw_series(DashedLineSeries::new(points(), 9, 7, style))?.label(label).legend(
                move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (8, 0)], style)
                        + PathElement::new(vec![(13, 0), (20, 0)], style)
                        + Circle::new((10, 0), 4, style)
                },
            );
            let every = (curve.values.len() / RINGS).max(1);
            let rings = curve.values.iter().enumerate().skip(every / 2).step_by(every);
            let rings = rings.filter(|&(_, &v)| axis.shown(v));
            let rings = rings.map(|(e, &v)| Circle::new((e as f64 + 1.0, axis.units(v)), 4, style));
            chart.draw_series(rings)?;
        } else {
            chart.draw_series(LineSeries::new(points(), WHITE.stroke_width(5)))?;
            chart
                .draw_series(LineSeries::new(points(), style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        }
        if let Some((e, &v)) = curve.marked.and_then(|e| Some(e).zip(curve.values.get(e))) {
            let black = BLACK.filled();
            chart
                .draw_series(std::iter::once(Circle::new(
                    (e as f64 + 1.0, axis.units(v)),
                    6,
                    black,
                )))?
                .label(format!("best epoch {} ({} {v:.4})", e + 1, curve.name))
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, black));
        }
    }
    let position = legend_corner(axis, curves, range);
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}

/// The faint band of one curve's mini-batch costs: a thin line when there are few, else the
/// lowest and highest cost of each of [`BAND_COLUMNS`] columns, filled between.
fn band<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    axis: &Axis,
    curve: &Curve,
    colour: RGBColor,
    (lo, hi): (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let costs = &curve.batch_costs;
    if costs.is_empty() || curve.values.is_empty() {
        return Ok(());
    }
    let per_epoch = costs.len() as f64 / curve.values.len() as f64;
    let x = |k: usize| (k as f64 + 1.0) / per_epoch;
    let clamp = |v: f64| axis.units(v.clamp(lo, hi));
    if costs.len() <= 2 * BAND_COLUMNS {
        let points = costs.iter().enumerate().filter(|&(_, &c)| axis.shown(c));
        let points = points.map(|(k, &c)| (x(k), clamp(c)));
        chart
            .draw_series(LineSeries::new(points, colour.mix(0.35).stroke_width(1)))?
            .label(format!("{} (mini-batches)", curve.name))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.mix(0.35).stroke_width(1))
            });
        return Ok(());
    }
    let (mut upper, mut lower) = (Vec::new(), Vec::new());
    let width = costs.len().div_ceil(BAND_COLUMNS);
    let mut column = Vec::with_capacity(width);
    for (c, chunk) in costs.chunks(width).enumerate() {
        column.clear();
        column.extend(chunk.iter().copied().filter(|&v| axis.shown(v)));
        if let Some((q1, q3)) = quartiles(&mut column) {
            let at = x(c * width + chunk.len() / 2);
            upper.push((at, clamp(q3)));
            lower.push((at, clamp(q1)));
        }
    }
    upper.extend(lower.into_iter().rev());
    let faint = colour.mix(0.22);
    chart
        .draw_series(std::iter::once(Polygon::new(upper, faint.filled())))?
        .label(format!("{} (mini-batches, middle half)", curve.name))
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], faint.filled()));
    Ok(())
}

/// A curve of more points than twice [`BAND_COLUMNS`] cut to the lowest and highest point of
/// each column, in their order: the same line on screen, a fraction of an SVG's size.
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if points.len() <= 2 * BAND_COLUMNS {
        return points;
    }
    let width = points.len().div_ceil(BAND_COLUMNS);
    let mut kept = Vec::with_capacity(2 * BAND_COLUMNS + 1);
    for column in points.chunks(width) {
        let by_y = |a: &&(f64, f64), b: &&(f64, f64)| a.1.total_cmp(&b.1);
        let (low, high) = (column.iter().min_by(by_y), column.iter().max_by(by_y));
        if let (Some(&low), Some(&high)) = (low, high) {
            kept.extend(if low.0 <= high.0 { [low, high] } else { [high, low] });
        }
    }
    kept.dedup();
    kept
}

/// The corner of the panel the curves cross least (upper right first), for the legend: the
/// corner's box is the outer 45% across and 35% up or down.
fn legend_corner(axis: &Axis, curves: &[Curve], (lo, hi): (f64, f64)) -> SeriesLabelPosition {
    use SeriesLabelPosition::{LowerLeft, LowerRight, UpperLeft, UpperRight};
    let span = (axis.units(hi) - axis.units(lo)).max(f64::MIN_POSITIVE);
    let points: Vec<(f64, f64)> = curves
        .iter()
        .flat_map(|c| {
            let n = c.values.len().max(1) as f64;
            let shown = c.values.iter().enumerate().filter(|&(_, &v)| axis.shown(v));
            shown
                .map(move |(e, &v)| ((e as f64 + 1.0) / n, (axis.units(v) - axis.units(lo)) / span))
        })
        .collect();
    let crossing = |right: bool, up: bool| {
        let inside = |&&(x, y): &&(f64, f64)| {
            (if right { x > 0.55 } else { x < 0.45 }) && (if up { y > 0.65 } else { y < 0.35 })
        };
        points.iter().filter(inside).count()
    };
    let corners = [
        (UpperRight, true, true),
        (LowerRight, true, false),
        (UpperLeft, false, true),
        (LowerLeft, false, false),
    ];
    let (mut best, mut fewest) = (UpperRight, usize::MAX);
    for (corner, right, up) in corners {
        let n = crossing(right, up);
        if n < fewest {
            (best, fewest) = (corner, n);
        }
    }
    best
}

/// The first and third quartiles of `values` (sorted in place; `None` when empty), by linear
/// interpolation between the closest ranks, as numpy's default `percentile`.
fn quartiles(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (values.len() - 1) as f64;
        let (i, frac) = (pos.floor() as usize, pos.fract());
        let next = values[(i + 1).min(values.len() - 1)];
        values[i] + frac * (next - values[i])
    };
    Some((at(0.25), at(0.75)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_close_curves_are_told_apart_from_distinct_ones() {
        let curve = |v: &[f64]| Curve::epochs("c", v.to_vec());
        let curves = [
            curve(&[1.0, 0.5, 0.25]),
            curve(&[1.0, 0.5, 0.25]),
            curve(&[1.0, 0.501, 0.2501]),
            curve(&[1.0, 0.8, 0.6]),
        ];
        let axis = Axis::cost(true);
        let found = coinciding(&axis, &curves, axis.range(&curves));
        assert_eq!(found, [None, Some((0, true)), Some((0, false)), None]);
    }

    #[test]
    fn a_long_curve_is_thinned_to_its_extremes_per_column() {
        let points: Vec<(f64, f64)> =
            (0..10_000).map(|i| (f64::from(i), f64::from(i % 7))).collect();
        let kept = thin(points.clone());
        assert!(kept.len() <= 2 * BAND_COLUMNS, "{}", kept.len());
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(kept.iter().all(|p| points.contains(p)));
        assert_eq!(kept.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max), 6.0);
        let short = points[..100].to_vec();
        assert_eq!(thin(short.clone()), short);
    }

    #[test]
    fn quartiles_interpolate_as_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [25, 75]) → [2., 4.]
        assert_eq!(quartiles(&mut [10.0, 1.0, 4.0, 2.0, 3.0]), Some((2.0, 4.0)));
        // numpy.percentile([1, 2, 3, 4], [25, 75]) → [1.75, 3.25]
        assert_eq!(quartiles(&mut [4.0, 3.0, 2.0, 1.0]), Some((1.75, 3.25)));
        assert_eq!(quartiles(&mut []), None);
    }

    #[test]
    fn the_band_widens_the_range_only_so_far() {
        let mut c = Curve::epochs("c", vec![1.0, 0.5]);
        c.batch_costs = vec![1e-9, 100.0, 0.4, 0.6];
        let (lo, hi) = Axis::cost(true).range(&[c]);
        assert!(lo >= 0.05 / 1.1 - 1e-12 && hi <= 3.0 * 1.1 + 1e-12, "{lo} {hi}");
        let accuracy = Axis::accuracy().range(&[Curve::epochs("a", vec![0.47, 0.93])]);
        assert_eq!(accuracy, (0.4, 1.01));
    }
}
