//! `descent train` and `descent eval` with `--data X.npy --labels y.npy`: the features stay on
//! disk, memory-mapped (`descent_io::MmapDataset`), and each mini-batch is copied straight
//! from the file. (`descent predict --data X.npy` maps its features alone, see `predict.rs`.)

use anyhow::Context;
use descent::train::{DataSource, FeatureStats, Standardized};
use descent_io::{MmapDataset, Standardization};

use crate::args::{DataArgs, TrainArgs};
use crate::data::{self, Source};

/// `true` when `train` streams: a `.npy` features file with a labels file, and no flag that
/// needs the features in memory (`--validation` splits them, `--plot` draws them).
pub fn wanted(args: &TrainArgs) -> bool {
    is_npy_pair(&args.data) && args.validation.is_none() && args.plot.is_none()
}

/// `true` for `--data X.npy --labels y.npy` (what `eval` streams).
pub fn is_npy_pair(d: &DataArgs) -> bool {
    !data::is_built_in(&d.data)
        && descent_io::is_npy(std::path::Path::new(&d.data))
        && d.labels.is_some()
        && d.target.is_none()
}

/// The mapped files, checked by one streaming pass over the features.
pub struct Mapped {
    /// The memory-mapped features and labels.
    pub data: MmapDataset,
    /// The per-feature statistics of that pass (the `--standardize` statistics).
    pub stats: FeatureStats,
    /// The standardization training applies on the fly (`--standardize` or `--init`'s).
    pub applied: Option<FeatureStats>,
}

impl Mapped {
    /// Maps `--data` and `--labels` and makes the streaming pass, with `--standardize` or
    /// not: it is what rejects a NaN or infinite feature (naming the file, row and column),
    /// since `MmapDataset::open` reads no feature.
    pub fn open(args: &DataArgs) -> anyhow::Result<Self> {
        let labels = args.labels.as_deref().context("--labels: needed with .npy data")?;
        let data = MmapDataset::open(&args.data, labels).context("--data")?;
        let stats =
            FeatureStats::scan::<f64>(&data).with_context(|| format!("--data {}", args.data))?;
        Ok(Self { data, stats, applied: None })
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        DataSource::<f64>::n_features(&self.data)
    }

    /// The statistics as the model file stores them (a constant feature has std 0, as
    /// `data::fit_standardization` gives).
    pub fn standardization(&self) -> Standardization {
        to_standardization(&self.stats)
    }

    /// Applies `s` on the fly from now on.
    pub fn apply(&mut self, s: &Standardization) {
        self.applied = Some(FeatureStats { mean: s.mean.clone(), std: s.std.clone() });
    }

    /// Trains with `f` on the source: the file, standardized on the fly when asked.
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

/// One-pass statistics in the model file's form, with the same rule for constant features as
/// the in-memory `data::fit_standardization`.
pub fn to_standardization(stats: &FeatureStats) -> Standardization {
    let std = stats
        .std
        .iter()
        .zip(&stats.mean)
        .map(|(&s, &mu)| if s <= 64.0 * f64::EPSILON * mu.abs() { 0.0 } else { s })
        .collect();
    Standardization { mean: stats.mean.clone(), std }
}
