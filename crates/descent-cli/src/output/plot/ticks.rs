//! The y axis of a line panel: round tick values (a log axis is a linear axis of
//! logarithms, ticked at 1, 2 and 5 times powers of ten) and their labels.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Round values to label in `[lo, hi]`: 1, 2 and 5 times powers of ten on a log axis
/// (every integer multiple when that gives fewer than three), else a step of 1, 2 or 5
/// times a power of ten giving four to nine ticks.
pub fn round(log: bool, lo: f64, hi: f64) -> Vec<f64> {
    let within = |v: &f64| (lo..=hi).contains(v);
    if log {
        let decades = lo.log10().floor() as i32..=hi.log10().ceil() as i32;
        let at = |multiples: &[f64]| -> Vec<f64> {
            let each = |k: i32| multiples.iter().map(move |m| m * 10f64.powi(k));
            decades.clone().flat_map(each).filter(within).collect()
        };
        let ticks = at(&[1.0, 2.0, 5.0]);
        let mut ticks = if ticks.len() >= 3 {
            ticks
        } else {
            at(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
        };
        while ticks.len() > 7 {
            ticks = ticks.into_iter().step_by(2).collect();
        }
        ticks
    } else {
        let raw = (hi - lo) / 8.0;
        if !(raw.is_finite() && raw > 0.0) {
            return vec![lo];
        }
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&s| s >= raw);
        let step = step.unwrap_or(magnitude * 10.0);
        let first = (lo / step).ceil() as i64;
        let last = (hi / step).floor() as i64;
        (first..=last).map(|i| i as f64 * step).collect()
    }
}

/// A linear y axis with the ticks of [`round`] (in the axis's units) and labels from
/// the mesh's formatter.
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    /// The axis over `range` with ticks at `ticks`.
    pub fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        Self { inner: range.into(), ticks }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }
}

/// A tick's label: up to four significant digits, in scientific notation when very large or
/// small.
pub fn tick_label(v: f64) -> String {
    let magnitude = v.abs();
    if magnitude == 0.0 {
        return "0".to_owned();
    }
    if !(1e-3..1e5).contains(&magnitude) {
        let text = format!("{v:.3e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_values_inside_the_range() {
        assert_eq!(round(true, 0.008, 1.2), [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]);
        let narrow = round(true, 0.3, 0.72);
        assert_eq!(
            narrow.iter().map(|&t| tick_label(t)).collect::<Vec<_>>(),
            ["0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        let linear = round(false, 0.0, 0.73);
        assert_eq!(
            linear.iter().map(|&t| tick_label(t)).collect::<Vec<_>>(),
            ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"]
        );
        assert_eq!(tick_label(0.0007), "7e-4");
        assert_eq!(tick_label(2.5e-5), "2.5e-5");
        assert_eq!(tick_label(1500.0), "1500");
    }
}
