//! A figure's title that fits its width: broken between words into lines, and set smaller
//! when a single word would still not fit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The largest and smallest font sizes of a title.
const LARGEST: f64 = 22.0;
const SMALLEST: f64 = 12.0;

/// A title broken into lines at one font size.
pub struct Title {
    lines: Vec<String>,
    size: f64,
}

/// Breaks `text` into lines no wider than `width` pixels in the bundled font (which must be
/// registered): as large as [`LARGEST`] when every word fits, smaller otherwise.
pub fn wrap(text: &str, width: u32) -> anyhow::Result<Title> {
    let mut size = LARGEST;
    loop {
        let font = FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal);
        let fits = |s: &str| font.box_size(s).map(|(w, _)| w <= width);
        let mut lines: Vec<String> = Vec::new();
        let mut all_fit = true;
        for word in text.split(' ').filter(|w| !w.is_empty()) {
            let joined = match lines.last() {
                Some(line) => format!("{line} {word}"),
                None => word.to_string(),
            };
            if lines.is_empty() {
                lines.push(joined);
            } else if fits(&joined).map_err(|e| anyhow::anyhow!("{e:?}"))? {
                *lines.last_mut().expect("a line") = joined;
            } else {
                lines.push(word.to_string());
            }
            let last = lines.last().expect("a line");
            all_fit &= fits(last).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        if all_fit || size <= SMALLEST {
            return Ok(Title { lines, size });
        }
        size -= 2.0;
    }
}

impl Title {
    /// The height the title takes at the top of the figure, in pixels.
    pub fn height(&self) -> u32 {
        let line = (self.size * 1.35).ceil() as u32;
        line * self.lines.len().max(1) as u32 + 14
    }

    /// The lines, for tests.
    #[cfg(test)]
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Draws the lines centred at the top of `area`.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let style = TextStyle::from(("sans-serif", self.size).into_font())
            .pos(Pos::new(HPos::Center, VPos::Top));
        let centre = area.dim_in_pixel().0 as i32 / 2;
        let line = (self.size * 1.35).ceil() as i32;
        for (i, text) in self.lines.iter().enumerate() {
            area.draw_text(text, &style, (centre, 8 + line * i as i32))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::plot::register_bundled_font;

    #[test]
    fn a_long_title_breaks_between_words_and_every_line_fits() {
        register_bundled_font().unwrap();
        let text = "data/breast_cancer.csv — layers 30-64-32-1, adam (β1 0.9, β2 0.999, ε 1e-8) \
                    lr 0.001, decay step (rate 1, every 1000 epochs), batch 64, 5000 epochs";
        let title = wrap(text, 560).unwrap();
        assert!(title.lines().len() >= 2, "{:?}", title.lines());
        assert_eq!(title.lines().join(" "), text.split_whitespace().collect::<Vec<_>>().join(" "));
        let font = FontDesc::new(FontFamily::SansSerif, title.size, FontStyle::Normal);
        for line in title.lines() {
            assert!(font.box_size(line).unwrap().0 <= 560, "{line}");
        }
        assert_eq!(wrap("moons", 560).unwrap().lines(), ["moons"]);
    }

    #[test]
    fn a_word_wider_than_the_figure_shrinks_the_font() {
        register_bundled_font().unwrap();
        let word = "x".repeat(40);
        let title = wrap(&word, 300).unwrap();
        assert!(title.size < LARGEST);
    }
}
