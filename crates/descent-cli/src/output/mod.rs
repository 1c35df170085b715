//! What runs show and write: the summary on stdout, the `--history` CSV, figures (`--plot`;
//! plotters), decision-boundary grids, the progress bar, the evaluation report of `eval` and
//! the fold report of `cv`.

pub mod boundary;
pub mod describe;
pub mod figure;
pub mod folds;
pub mod history;
pub mod plot;
pub mod progress;
pub mod report;
pub mod summary;
pub mod tune;
pub mod tune_plot;
