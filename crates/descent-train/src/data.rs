//! `Dataset`: examples and their targets in memory, in the course's (features, examples) layout.

use descent_core::{Error, Result, Scalar};

/// A data set held in memory: `n_examples` examples of `n_features` features, each with a
/// target of `n_targets` values.
///
/// Features are stored as the course's `X` of shape (features, examples), column-major, so one
/// example is one contiguous slice (the same bytes as a C-order numpy array of shape
/// (examples, features)). Targets are a class index (`n_targets == 1`, for sigmoid and
/// softmax outputs) or regression values.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<T> {
    n_features: usize,
    n_targets: usize,
    features: Vec<T>,
    targets: Vec<T>,
}

impl<T: Scalar> Dataset<T> {
    /// Builds a data set from features (column-major (features, examples)) and targets
    /// (column-major (targets, examples)).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a width is zero, the lengths do not describe the same
    /// number of examples, there are no examples, or a value is NaN or infinite.
    pub fn new(
        n_features: usize,
        features: Vec<T>,
        n_targets: usize,
        targets: Vec<T>,
    ) -> Result<Self> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "dataset", reason });
        if n_features == 0 || n_targets == 0 {
            return invalid("features and targets need at least one column each".into());
        }
        if !features.len().is_multiple_of(n_features) || !targets.len().is_multiple_of(n_targets) {
            return invalid("feature or target length is not a multiple of its width".into());
        }
        let n_examples = features.len() / n_features;
        if n_examples != targets.len() / n_targets {
            return invalid(format!(
                "{} examples of features but {} of targets",
                n_examples,
                targets.len() / n_targets
            ));
        }
        if n_examples == 0 {
            return invalid("the data set has no examples".into());
        }
        if let Some(pos) = features.iter().position(|x| !x.is_finite()) {
            return invalid(format!(
                "feature {} of example {} is not finite",
                pos % n_features,
                pos / n_features
            ));
        }
        if let Some(pos) = targets.iter().position(|x| !x.is_finite()) {
            return invalid(format!("target of example {} is not finite", pos / n_targets));
        }
        Ok(Self { n_features, n_targets, features, targets })
    }

    /// The number of features per example (the network's input width).
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The number of target values per example.
    #[must_use]
    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    /// The number of examples `m`.
    #[must_use]
    pub fn n_examples(&self) -> usize {
        self.features.len() / self.n_features
    }

    /// The features of example `j`.
    ///
    /// # Panics
    /// When `j >= n_examples`, like slice indexing.
    #[must_use]
    pub fn example(&self, j: usize) -> &[T] {
        &self.features[j * self.n_features..(j + 1) * self.n_features]
    }

    /// The target values of example `j`.
    ///
    /// # Panics
    /// When `j >= n_examples`, like slice indexing.
    #[must_use]
    pub fn target(&self, j: usize) -> &[T] {
        &self.targets[j * self.n_targets..(j + 1) * self.n_targets]
    }

    /// All features, column-major (features, examples).
    #[must_use]
    pub fn features(&self) -> &[T] {
        &self.features
    }

    /// All targets, column-major (targets, examples).
    #[must_use]
    pub fn targets(&self) -> &[T] {
        &self.targets
    }

    /// The number of classes `K` when every target is a single integer in `0..K` with `K ≥ 2`.
    #[must_use]
    pub fn n_classes(&self) -> Option<usize> {
        if self.n_targets != 1 {
            return None;
        }
        let mut max = 0_usize;
        for &t in &self.targets {
            max = max.max(class_index(t)?);
        }
        (max >= 1).then_some(max + 1)
    }

    /// Converts to another scalar type (e.g. built-in f64 data for f32 training).
    #[must_use]
    pub fn cast<U: Scalar>(&self) -> Dataset<U> {
        let conv = |v: &[T]| v.iter().map(|x| U::from_f64(x.to_f64())).collect();
        Dataset {
            n_features: self.n_features,
            n_targets: self.n_targets,
            features: conv(&self.features),
            targets: conv(&self.targets),
        }
    }
}

/// The class a target names, when it is a non-negative integer up to 10⁶.
pub(crate) fn class_index<T: Scalar>(t: T) -> Option<usize> {
    let t = t.to_f64();
    (t >= 0.0 && t.fract() == 0.0 && t <= 1e6).then_some(t as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_columns_and_classes_are_counted() {
        let d =
            Dataset::new(2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1, vec![0.0, 2.0, 1.0]).unwrap();
        assert_eq!(d.n_examples(), 3);
        assert_eq!(d.example(1), &[3.0, 4.0]);
        assert_eq!(d.target(2), &[1.0]);
        assert_eq!(d.n_classes(), Some(3));
        let reg = Dataset::new(1, vec![1.0, 2.0], 1, vec![0.5, 1.0]).unwrap();
        assert_eq!(reg.n_classes(), None);
    }

    #[test]
    fn inconsistent_input_is_an_error() {
        let err = |r: Result<Dataset<f64>>| matches!(r, Err(Error::InvalidArgument { .. }));
        assert!(err(Dataset::new(2, vec![1.0, 2.0, 3.0], 1, vec![0.0])));
        assert!(err(Dataset::new(1, vec![1.0, 2.0], 1, vec![0.0])));
        assert!(err(Dataset::new(1, vec![], 1, vec![])));
        assert!(err(Dataset::new(1, vec![f64::NAN], 1, vec![0.0])));
        assert!(err(Dataset::new(0, vec![], 1, vec![])));
    }
}
