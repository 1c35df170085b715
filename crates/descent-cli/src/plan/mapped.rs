//! `.npy` data that stays on disk: `--data X.npy --labels y.npy` memory-mapped
//! (`descent_io::MmapDataset`), each mini-batch copied straight from the file.
//! (`descent predict --data X.npy` maps its features alone.)
//!
//! Opening reads no feature. Training checks them as its first epoch gathers them
//! (`Trainer::fit_with`); `--standardize` and `eval` make one streaming pass
//! (`FeatureStats::scan`) that checks them too, naming the file, row and column of a NaN or
//! infinite value.

use anyhow::Context;
use descent::train::{DataSource, FeatureStats, Standardized};
use descent_io::MmapDataset;

use super::data::{self, Source};
use crate::args::DataArgs;

/// `true` when `train` streams: a `.npy` features file with a labels file, and no flag that
/// needs the features in memory (`--validation` splits them, `--plot` draws them).
pub fn wanted(data: &DataArgs, validation: bool, plot: bool) -> bool {
    is_npy_pair(data) && !validation && !plot
}

/// `true` for `--data X.npy --labels y.npy` (what `eval` streams).
pub fn is_npy_pair(d: &DataArgs) -> bool {
    !data::is_built_in(&d.data)
        && descent_io::is_npy(std::path::Path::new(&d.data))
        && d.labels.is_some()
        && d.target.is_none()
}

/// The mapped files.
pub struct Mapped {
    /// The memory-mapped features and labels.
    pub data: MmapDataset,
    /// The per-feature statistics of the streaming pass, when one was made.
    pub stats: Option<FeatureStats>,
    /// The standardization applied on the fly (`--standardize`, or a model's).
    applied: Option<FeatureStats>,
}

impl Mapped {
    /// Maps `--data` and `--labels`; with `scan`, makes the streaming pass over the features
    /// (statistics and the check that every feature is finite).
    pub fn open(args: &DataArgs, scan: bool) -> anyhow::Result<Self> {
        let labels = args.labels.as_deref().context("--labels: needed with .npy data")?;
        let data = MmapDataset::open(&args.data, labels).context("--data")?;
        let stats = scan
            .then(|| FeatureStats::scan::<f64>(&data))
            .transpose()
            .with_context(|| format!("--data {}", args.data))?;
        Ok(Self { data, stats, applied: None })
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        DataSource::<f64>::n_features(&self.data)
    }

    /// Applies `s` on the fly from now on.
    pub fn apply(&mut self, s: FeatureStats) {
        self.applied = Some(s);
    }

    /// Calls `f` with the source: the file, standardized on the fly when asked.
    pub fn with_source<T: descent::Scalar, R>(
        &self,
        f: impl FnOnce(&dyn DataSource<T>) -> R,
    ) -> anyhow::Result<R> {
        Ok(match &self.applied {
            Some(stats) => f(&Standardized::new::<T>(&self.data, stats)?),
            None => f(&self.data),
        })
    }
}

/// Where the labels of mapped data come from, for messages.
pub fn source(args: &DataArgs) -> Source {
    let labels_file = args.labels.as_ref().map(|l| l.display().to_string());
    Source { data: args.data.clone(), labels_file, csv: false }
}
