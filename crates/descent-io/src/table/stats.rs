//! The statistics a fit needs: mean, median and most frequent value, and the canonical text of a number.

use std::fmt::{self, Write};

/// The mean, with a compensated (Neumaier) sum; `values` is not empty.
pub(crate) fn mean(values: &[f64]) -> f64 {
    let (mut sum, mut comp) = (0.0_f64, 0.0_f64);
    for &x in values {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() { (sum - t) + x } else { (x - t) + sum };
        sum = t;
    }
    (sum + comp) / values.len() as f64
}

/// The median as `numpy.median` gives it: the middle value, or the mean of the two middle
/// values for an even count; `values` is not empty.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

/// The most frequent value, the smallest of them on a tie (scikit-learn's `SimpleImputer`
/// with `strategy="most_frequent"`); `values` is not empty.
pub(crate) fn most_frequent(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let (mut best, mut best_count) = (values[0], 0);
    let mut i = 0;
    while i < values.len() {
        let run = values[i..].iter().take_while(|&&x| x == values[i]).count();
        if run > best_count {
            (best, best_count) = (values[i], run);
        }
        i += run;
    }
    best
}

/// The text of a number as categories and class names spell it: whole numbers below 10^15
/// without a decimal point (`3`, `-1`), others in Rust's shortest round-trip form (`2.5`,
/// `1e20`). Written into a buffer on the stack, so encoding a row allocates nothing.
#[derive(Clone, Copy)]
pub(crate) struct NumberText {
    buf: [u8; 32],
    len: usize,
}

impl NumberText {
    pub(crate) fn new(x: f64) -> Self {
        let mut text = Self { buf: [0; 32], len: 0 };
        let res = if x.fract() == 0.0 && x.abs() < 1e15 {
            write!(text, "{}", x as i64)
        } else {
            write!(text, "{x:?}")
        };
        debug_assert!(res.is_ok(), "a finite f64 fits in 32 bytes");
        text
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl Write for NumberText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_by_hand() {
        assert_eq!(mean(&[1.0, 2.0, 4.0]), 7.0 / 3.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(most_frequent(&mut [3.0, 1.0, 3.0, 1.0, 2.0]), 1.0);
        assert_eq!(most_frequent(&mut [5.0, 2.0, 5.0]), 5.0);
    }

    #[test]
    fn number_text_is_canonical() {
        for (x, text) in [
            (3.0, "3"),
            (-1.0, "-1"),
            (-0.0, "0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (1e20, "1e20"),
            (1e-7, "1e-7"),
            (-1.234_567_890_123_456_8e-300, "-1.2345678901234568e-300"),
        ] {
            assert_eq!(NumberText::new(x).as_str(), text, "{x}");
        }
    }
}
