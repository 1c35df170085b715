//! A progress bar on stderr (indicatif), shown only on a terminal and without `--quiet`.

use std::io::IsTerminal;
use std::ops::ControlFlow;

use descent::train::{EpochStats, Observer};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::session::{Monitor, Validation};

/// Draws epoch, cost, accuracy and ETA; hidden when stderr is not a terminal.
pub struct Progress {
    bar: ProgressBar,
    training: String,
    validation: String,
}

impl Progress {
    /// A bar over `epochs` epochs, or a hidden one when `quiet` or stderr is not a terminal.
    pub fn new(epochs: usize, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::hidden());
        if !quiet && std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30.cyan/blue} epoch {pos}/{len} {msg} [{elapsed_precise}, eta {eta}]",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
        }
        Self { bar, training: String::new(), validation: String::new() }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
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
        self.bar.set_message(format!("{}{}", self.training, self.validation));
    }
}

impl Observer for Progress {
    fn on_epoch(&mut self, stats: &EpochStats) -> ControlFlow<()> {
        self.bar.inc(1);
        if self.bar.is_hidden() {
            return ControlFlow::Continue(());
        }
        let accuracy = stats.accuracy.map_or(String::new(), |a| format!(", accuracy {a:.4}"));
        self.training = format!("cost {:.6}{accuracy}", stats.cost);
        self.bar.set_message(format!("{}{}", self.training, self.validation));
        ControlFlow::Continue(())
    }
}
