//! `DataSource`: where training reads its examples from — a [`Dataset`] in memory, or any
//! store that can copy one example at a time (a memory-mapped file, in `descent-io`).

use descent_core::{Error, Result, Scalar};

use crate::Dataset;

/// Examples and targets that training, [`evaluate`](crate::evaluate) and
/// [`predict`](crate::predict) copy, one example at a time, into their batch buffers.
///
/// Only the examples of the current batch are copied, so a source need not hold its data in
/// memory: `descent-io`'s `MmapDataset` reads them from a memory-mapped `.npy` file. Copying
/// must allocate nothing (a steady-state training step allocates nothing). Indices are always
/// below [`n_examples`](DataSource::n_examples) and output slices always have the source's
/// widths; implementations may panic otherwise, like slice indexing. `Sync` so that a second
/// thread may gather while the first one computes.
pub trait DataSource<T: Scalar>: Sync {
    /// The number of examples `m`.
    fn n_examples(&self) -> usize;

    /// The number of features per example (the network's input width).
    fn n_features(&self) -> usize;

    /// The number of target values per example.
    fn n_targets(&self) -> usize;

    /// Copies the features of example `j` into `out` (`n_features` long).
    fn read_example(&self, j: usize, out: &mut [T]);

    /// Copies the target values of example `j` into `out` (`n_targets` long).
    fn read_target(&self, j: usize, out: &mut [T]);

    /// The sample weight of example `j`: a finite non-negative number that multiplies the
    /// example's loss in training ([`RegularizationConfig`](crate::RegularizationConfig)
    /// says how). Default 1: a source without weights. Training refuses a negative or
    /// non-finite weight, naming the example, before the batch that holds it trains.
    fn read_weight(&self, j: usize) -> f64 {
        let _ = j;
        1.0
    }

    /// Whether the source has sample weights ([`read_weight`](DataSource::read_weight) is
    /// not 1 throughout). Default `false`; training reads weights only when `true`.
    fn has_weights(&self) -> bool {
        false
    }

    /// Whether training should gather the next batch on a second thread while the current one
    /// trains, when [`TrainConfig::prefetch`](crate::TrainConfig::prefetch) leaves it to the
    /// source: `true` where reading an example is slow (a memory-mapped file), `false` (the
    /// default) where it is a copy in memory.
    fn prefers_prefetch(&self) -> bool {
        false
    }

    /// The number of classes `K` when every target is a single integer in `0..K` with `K ≥ 2`
    /// (one pass over the targets).
    fn n_classes(&self) -> Option<usize> {
        if self.n_targets() != 1 {
            return None;
        }
        let mut t = [T::ZERO];
        let mut max = 0_usize;
        for j in 0..self.n_examples() {
            self.read_target(j, &mut t);
            max = max.max(crate::data::class_index(t[0])?);
        }
        (max >= 1).then_some(max + 1)
    }
}

impl<T: Scalar> DataSource<T> for Dataset<T> {
    fn n_examples(&self) -> usize {
        Dataset::n_examples(self)
    }

    fn n_features(&self) -> usize {
        Dataset::n_features(self)
    }

    fn n_targets(&self) -> usize {
        Dataset::n_targets(self)
    }

    fn read_example(&self, j: usize, out: &mut [T]) {
        out.copy_from_slice(self.example(j));
    }

    fn read_target(&self, j: usize, out: &mut [T]) {
        out.copy_from_slice(self.target(j));
    }

    fn n_classes(&self) -> Option<usize> {
        Dataset::n_classes(self)
    }
}

/// The z-score statistics of the inputs, per feature: input `i` is fed to the network as
/// `(x_i - mean[i]) / std[i]`, or `x_i - mean[i]` when `std[i]` is 0 (a constant input).
/// Computed in one streaming pass over a source ([`FeatureStats::scan`]); model files store
/// them (descent-io) so evaluation and prediction standardize the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureStats {
    /// The mean of each feature.
    pub mean: Vec<f64>,
    /// The population standard deviation of each feature (`ddof = 0`, as numpy's `x.std(0)`).
    pub std: Vec<f64>,
}

impl FeatureStats {
    /// Computes the statistics in one pass over `data` (Welford's update in `f64`, examples in
    /// order), reading one example at a time: memory does not grow with the data. The pass also
    /// checks that every feature is finite, so it doubles as the validation of a source that
    /// was not checked when opened.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"data"`) naming the example and feature (row and
    /// column) of the first NaN or infinite value.
    pub fn scan<T: Scalar>(data: &(impl DataSource<T> + ?Sized)) -> Result<Self> {
        let n = data.n_features();
        let mut mean = vec![0.0_f64; n];
        let mut m2 = vec![0.0_f64; n];
        let mut x = vec![T::ZERO; n];
        for j in 0..data.n_examples() {
            data.read_example(j, &mut x);
            let count = (j + 1) as f64;
            for (f, &v) in x.iter().enumerate() {
                let v = v.to_f64();
                if !v.is_finite() {
                    return Err(Error::InvalidArgument {
                        op: "data",
                        reason: format!(
                            "feature {f} of example {j} is {v} (row {j}, column {f} of the \
                             features, counting from 0)"
                        ),
                    });
                }
                let delta = v - mean[f];
                mean[f] += delta / count;
                m2[f] += delta * (v - mean[f]);
            }
        }
        let m = data.n_examples().max(1) as f64;
        // A constant feature gets exactly 0, not the rounding residue of Welford's update, so
        // it is only centred.
        let std = m2
            .into_iter()
            .map(|s| (s / m).sqrt())
            .zip(&mean)
            .map(|(s, &mu)| if s <= 64.0 * f64::EPSILON * mu.abs() { 0.0 } else { s })
            .collect();
        Ok(Self { mean, std })
    }

    /// Standardizes one example in place: `(x - mean) / std`, dividing by 1 where a feature is
    /// constant (`std == 0`), computed in `f64`.
    pub fn apply<T: Scalar>(&self, example: &mut [T]) {
        for ((x, &mean), &std) in example.iter_mut().zip(&self.mean).zip(&self.std) {
            let scale = if std > 0.0 { std } else { 1.0 };
            *x = T::from_f64((x.to_f64() - mean) / scale);
        }
    }
}

/// A source whose examples are standardized on the fly by [`FeatureStats::apply`]: what
/// `--standardize` trains on when the data stays on disk.
#[derive(Debug, Clone, Copy)]
pub struct Standardized<'a, S: ?Sized> {
    source: &'a S,
    stats: &'a FeatureStats,
}

impl<'a, S: ?Sized> Standardized<'a, S> {
    /// Wraps `source`; `stats` must have one entry per feature.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when the statistics do not have one entry per feature.
    pub fn new<T: Scalar>(source: &'a S, stats: &'a FeatureStats) -> Result<Self>
    where
        S: DataSource<T>,
    {
        let n = source.n_features();
        for len in [stats.mean.len(), stats.std.len()] {
            if len != n {
                return Err(Error::LengthMismatch { op: "standardize", expected: n, got: len });
            }
        }
        Ok(Self { source, stats })
    }
}

impl<T: Scalar, S: DataSource<T> + ?Sized> DataSource<T> for Standardized<'_, S> {
    fn n_examples(&self) -> usize {
        self.source.n_examples()
    }

    fn n_features(&self) -> usize {
        self.source.n_features()
    }

    fn n_targets(&self) -> usize {
        self.source.n_targets()
    }

    fn read_example(&self, j: usize, out: &mut [T]) {
        self.source.read_example(j, out);
        self.stats.apply(out);
    }

    fn read_target(&self, j: usize, out: &mut [T]) {
        self.source.read_target(j, out);
    }

    fn prefers_prefetch(&self) -> bool {
        self.source.prefers_prefetch()
    }

    fn n_classes(&self) -> Option<usize> {
        self.source.n_classes()
    }

    fn read_weight(&self, j: usize) -> f64 {
        self.source.read_weight(j)
    }

    fn has_weights(&self) -> bool {
        self.source.has_weights()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_statistics_match_the_two_pass_formula() {
        // Features (1, 10), (2, 10), (6, 10): mean (3, 10), variance ((4 + 1 + 9) / 3, 0).
        let d =
            Dataset::new(2, vec![1.0, 10.0, 2.0, 10.0, 6.0, 10.0], 1, vec![0.0, 1.0, 1.0]).unwrap();
        let stats = FeatureStats::scan(&d).unwrap();
        assert_eq!(stats.mean, [3.0, 10.0]);
        assert!((stats.std[0] - (14.0_f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(stats.std[1], 0.0);
        let s = Standardized::new(&d, &stats).unwrap();
        let mut x = [0.0; 2];
        s.read_example(2, &mut x);
        assert!((x[0] - 3.0 / (14.0_f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(x[1], 0.0, "a constant feature is centred, not divided by 0");
        assert_eq!(DataSource::<f64>::n_classes(&s), Some(2));
    }

    #[test]
    fn default_class_count_agrees_with_the_dataset() {
        struct Plain(Dataset<f64>);
        impl DataSource<f64> for Plain {
            fn n_examples(&self) -> usize {
                self.0.n_examples()
            }
            fn n_features(&self) -> usize {
                self.0.n_features()
            }
            fn n_targets(&self) -> usize {
                self.0.n_targets()
            }
            fn read_example(&self, j: usize, out: &mut [f64]) {
                out.copy_from_slice(self.0.example(j));
            }
            fn read_target(&self, j: usize, out: &mut [f64]) {
                out.copy_from_slice(self.0.target(j));
            }
        }
        let three = Dataset::new(1, vec![0.0; 3], 1, vec![0.0, 2.0, 1.0]).unwrap();
        assert_eq!(Plain(three).n_classes(), Some(3));
        let reg = Dataset::new(1, vec![0.0; 2], 1, vec![0.5, 1.0]).unwrap();
        assert_eq!(Plain(reg).n_classes(), None);
    }

    #[test]
    fn a_non_finite_feature_is_named_by_example_and_feature() {
        // Example 1, feature 2 is infinite; example 2, feature 0 is NaN: the first one is named.
        let mut x = vec![0.0; 9];
        x[5] = f64::INFINITY;
        x[6] = f64::NAN;
        struct Raw(Vec<f64>);
        impl DataSource<f64> for Raw {
            fn n_examples(&self) -> usize {
                3
            }
            fn n_features(&self) -> usize {
                3
            }
            fn n_targets(&self) -> usize {
                1
            }
            fn read_example(&self, j: usize, out: &mut [f64]) {
                out.copy_from_slice(&self.0[3 * j..3 * j + 3]);
            }
            fn read_target(&self, _j: usize, out: &mut [f64]) {
                out[0] = 0.0;
            }
        }
        let err = FeatureStats::scan::<f64>(&Raw(x)).unwrap_err().to_string();
        assert!(err.contains("feature 2 of example 1 is inf (row 1, column 2"), "{err}");
    }

    #[test]
    fn mismatched_statistics_are_an_error() {
        let d = Dataset::new(2, vec![1.0, 2.0], 1, vec![0.0]).unwrap();
        let stats = FeatureStats { mean: vec![0.0], std: vec![1.0] };
        assert!(matches!(Standardized::new(&d, &stats), Err(Error::LengthMismatch { .. })));
    }
}
