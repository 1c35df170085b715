//! A progress bar on stderr (indicatif), shown only on a terminal and without `--quiet`. The
//! line always fits the terminal: the bar takes what the figures leave, and the figures that
//! do not fit are dropped, least important first (validation, accuracy, the times), so it
//! never wraps.

use std::fmt::Write;
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::time::Duration;

use descent::train::{EpochStats, Observer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::session::{Monitor, Validation};

/// The narrowest bar drawn; below it the bar goes and only the figures remain.
const MIN_BAR: usize = 10;

/// Draws epoch, cost, accuracy and ETA; hidden when stderr is not a terminal.
pub struct Progress {
    bar: ProgressBar,
    /// A name before the figures (`compare`'s optimizer, `cv`'s fold).
    name: String,
    cost: String,
    accuracy: String,
    validation: String,
}

impl Progress {
    /// A bar over `epochs` epochs, or a hidden one when `quiet` or stderr is not a terminal.
    pub fn new(epochs: usize, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::hidden());
        if !quiet && std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{wide_bar:.cyan/blue}{msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
        let (cost, accuracy, validation) = (String::new(), String::new(), String::new());
        Self { bar, name: String::new(), cost, accuracy, validation }
    }

    /// The same bar naming what it trains (e.g. `adam`).
    pub fn named(mut self, name: &str) -> Self {
        self.name = format!("{name}: ");
        self
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Redraws the figures, as many as fit beside a bar of at least [`MIN_BAR`] columns.
    fn redraw(&self) {
        let width = console_width();
        let epoch = format!(
            "{}epoch {}/{}",
            self.name,
            self.bar.position(),
            self.bar.length().unwrap_or(0)
        );
        let times = format!(" [{}, eta {}]", clock(self.bar.elapsed()), clock(self.bar.eta()));
        let message = fit(width, &epoch, [&self.cost, &times, &self.accuracy, &self.validation]);
        self.bar.set_message(message);
    }
}

/// ` epoch …` and as many of `optional` (most important first) as fit in `width` columns
/// with a bar of [`MIN_BAR`]; shown in the order epoch, cost, accuracy, validation, times.
fn fit(width: usize, epoch: &str, optional: [&str; 4]) -> String {
    let [cost, times, accuracy, validation] = optional;
    let room = width.saturating_sub(MIN_BAR + 1);
    let mut kept = [false; 4];
    let mut used = epoch.chars().count() + 1;
    for (i, part) in optional.iter().enumerate() {
        let n = part.chars().count();
        if used + n <= room {
            kept[i] = true;
            used += n;
        }
    }
    let mut out = format!(" {epoch}");
    for (i, part) in [(0, cost), (2, accuracy), (3, validation), (1, times)] {
        if kept[i] {
            let _ = write!(out, "{part}");
        }
    }
    // Too narrow for even the epoch: cut it to the width.
    out.chars().take(width.saturating_sub(MIN_BAR + 1).max(1)).collect()
}

/// The terminal's width in columns (80 when it cannot be read).
fn console_width() -> usize {
    let (_, cols) = console::Term::stderr().size();
    if cols == 0 { 80 } else { usize::from(cols) }
}

/// `h:mm:ss`, or `m:ss` under an hour.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

impl Monitor for Progress {
    /// Shows the validation set's latest accuracy (or cost) after the training figures.
    fn on_validation(&mut self, score: &Validation) {
        if self.bar.is_hidden() {
            return;
        }
        self.validation = match score.accuracy {
            Some(a) => format!(", validation accuracy {a:.4}"),
            None => format!(", validation cost {:.6}", score.cost),
        };
        self.redraw();
    }
}

impl Observer for Progress {
    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.bar.inc(1);
        if self.bar.is_hidden() {
            return ControlFlow::Continue(());
        }
        self.cost = format!(", cost {:.6}", stats.cost);
        self.accuracy = stats.accuracy.map_or(String::new(), |a| format!(", accuracy {a:.4}"));
        self.redraw();
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTS: [&str; 4] = [
        ", cost 0.123456",
        " [0:18, eta 2:41]",
        ", accuracy 0.9833",
        ", validation accuracy 0.9800",
    ];

    #[test]
    fn the_figures_fit_and_drop_least_important_first() {
        let epoch = "epoch 1942/20000";
        let wide = fit(200, epoch, PARTS);
        assert_eq!(
            wide,
            " epoch 1942/20000, cost 0.123456, accuracy 0.9833, validation accuracy 0.9800 [0:18, \
             eta 2:41]"
        );
        let at_80 = fit(80, epoch, PARTS);
        assert!(at_80.chars().count() + MIN_BAR < 80, "{at_80}");
        assert_eq!(at_80, " epoch 1942/20000, cost 0.123456, accuracy 0.9833 [0:18, eta 2:41]");
        assert_eq!(fit(50, epoch, PARTS), " epoch 1942/20000, cost 0.123456");
        for width in 0..120 {
            assert!(fit(width, epoch, PARTS).chars().count() + MIN_BAR < width.max(MIN_BAR + 2));
        }
    }

    #[test]
    fn clocks_read_like_clocks() {
        assert_eq!(clock(Duration::from_secs(75)), "1:15");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
