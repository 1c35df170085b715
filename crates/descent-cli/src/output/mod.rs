//! What runs show and write: the summary on stdout, the `--history` CSV, figures (`--plot`;
//! plotters), decision-boundary grids, the progress bar and the
//! evaluation report of `eval`.

pub mod boundary;
pub mod figure;
pub mod history;
pub mod plot;
pub mod progress;
pub mod report;
pub mod summary;
