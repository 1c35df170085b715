//! What runs show and write: the summary on stdout, the `--history` CSV, figures (`--plot`;
//! plotters), decision-boundary grids and the progress bar.

pub mod boundary;
pub mod figure;
pub mod history;
pub mod plot;
pub mod progress;
pub mod summary;
