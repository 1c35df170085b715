//! The statistics a fit needs: a compensated sum for the mean, the median, and the canonical text of a number.

use std::fmt::{self, Write};

/// A compensated (Neumaier) sum, added to one value at a time.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    pub(crate) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.comp +=
            if self.sum.abs() >= x.abs() { (self.sum - t) + x } else { (x - t) + self.sum };
        self.sum = t;
    }

    pub(crate) fn total(&self) -> f64 {
        self.sum + self.comp
    }
}

/// The median as `numpy.median` gives it: the middle value, or the mean of the two middle
/// values for an even count; `values` is not empty.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_unstable_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
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
        let mut sum = Neumaier::default();
        for x in [1.0, 2.0, 4.0] {
            sum.add(x);
        }
        assert_eq!(sum.total() / 3.0, 7.0 / 3.0);
        let mut sum = Neumaier::default();
        for x in [1.0, 1e100, 1.0, -1e100] {
            sum.add(x);
        }
        assert_eq!(sum.total(), 2.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
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
