//! Per-example loss weights: scikit-learn's `balanced` class weights, sample weights beside
//! a source ([`Weighted`]), and each batch's weights, filled as the batch is gathered.

use descent_core::{Backend, Error, Result, Scalar};

use crate::{DataSource, Output};

/// scikit-learn's `class_weight="balanced"`: `n / (K·n_k)` for each class `k` of `0..K`,
/// where `n_k` counts the examples of `data` labelled `k` (one pass over the targets).
///
/// # Errors
/// [`Error::InvalidArgument`] (op `"class weights"`) when `n_classes < 2`, a target is not a
/// class index below `n_classes`, or a class has no example.
///
/// # Example
/// ```
/// use descent_train::{balanced_class_weights, Dataset};
///
/// let data = Dataset::new(1, vec![0.0; 4], 1, vec![0.0, 1.0, 1.0, 1.0]).unwrap();
/// // 4 / (2·1) and 4 / (2·3).
/// assert_eq!(balanced_class_weights(&data, 2).unwrap(), vec![2.0, 4.0 / 6.0]);
/// ```
pub fn balanced_class_weights<T: Scalar>(
    data: &(impl DataSource<T> + ?Sized),
    n_classes: usize,
) -> Result<Vec<f64>> {
    let invalid = |reason: String| Err(Error::InvalidArgument { op: "class weights", reason });
    if n_classes < 2 || data.n_targets() != 1 {
        return invalid(format!(
            "balanced weights need single class labels of at least 2 classes, got {n_classes} \
             classes and {} target values per example",
            data.n_targets()
        ));
    }
    let mut counts = vec![0_usize; n_classes];
    let mut t = [T::ZERO];
    for j in 0..data.n_examples() {
        data.read_target(j, &mut t);
        match crate::data::class_index(t[0]).filter(|&k| k < n_classes) {
            Some(k) => counts[k] += 1,
            None => {
                return invalid(format!("example {j}: {} is not a class below {n_classes}", t[0]));
            }
        }
    }
    if let Some(k) = counts.iter().position(|&c| c == 0) {
        return invalid(format!("class {k} has no example"));
    }
    let n = data.n_examples() as f64;
    Ok(counts.iter().map(|&c| n / (n_classes as f64 * c as f64)).collect())
}

/// A source with sample weights beside it, one per example
/// ([`DataSource::read_weight`]); everything else is the source's.
#[derive(Debug, Clone, Copy)]
pub struct Weighted<'a, S: ?Sized> {
    source: &'a S,
    weights: &'a [f64],
}

impl<'a, S: ?Sized> Weighted<'a, S> {
    /// Wraps `source` with `weights`.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when there is not one weight per example;
    /// [`Error::InvalidArgument`] (op `"data"`) naming the first weight that is negative or
    /// not finite.
    pub fn new<T: Scalar>(source: &'a S, weights: &'a [f64]) -> Result<Self>
    where
        S: DataSource<T>,
    {
        let m = source.n_examples();
        if weights.len() != m {
            return Err(Error::LengthMismatch {
                op: "sample weights",
                expected: m,
                got: weights.len(),
            });
        }
        if let Some(j) = weights.iter().position(|w| !(*w >= 0.0 && w.is_finite())) {
            return Err(bad_weight(j, weights[j]));
        }
        Ok(Self { source, weights })
    }
}

impl<T: Scalar, S: DataSource<T> + ?Sized> DataSource<T> for Weighted<'_, S> {
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
    }

    fn read_target(&self, j: usize, out: &mut [T]) {
        self.source.read_target(j, out);
    }

    fn read_weight(&self, j: usize) -> f64 {
        self.weights[j]
    }

    fn has_weights(&self) -> bool {
        true
    }

    fn prefers_prefetch(&self) -> bool {
        self.source.prefers_prefetch()
    }

    fn n_classes(&self) -> Option<usize> {
        self.source.n_classes()
    }
}

fn bad_weight(j: usize, w: f64) -> Error {
    Error::InvalidArgument {
        op: "data",
        reason: format!("the weight of example {j} must be a non-negative finite number, got {w}"),
    }
}

/// How a run weighs the examples of each batch: class weights (in the training dtype), the
/// source's sample weights, or both.
#[derive(Debug, Clone)]
pub(crate) struct BatchWeights<T> {
    class: Option<Vec<T>>,
    sample: bool,
}

impl<T: Scalar> BatchWeights<T> {
    /// The weighting of a run with these class weights, for an `output` of `n_out` units;
    /// `None` when the examples are not weighted.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"class weights"`) for class weights with a linear
    /// output, or not one per class (2 for sigmoid).
    pub fn new(
        class: Option<&[f64]>,
        output: Output,
        n_out: usize,
        sample: bool,
    ) -> Result<Option<Self>> {
        if let Some(w) = class {
            let n_classes = match output {
                Output::Sigmoid => 2,
                Output::Softmax => n_out,
                Output::Linear => 0,
            };
            if w.len() != n_classes {
                return Err(Error::InvalidArgument {
                    op: "class weights",
                    reason: format!(
                        "{} class weights for a {} output with {n_classes} classes",
                        w.len(),
                        output.name()
                    ),
                });
            }
        }
        let class = class.map(|w| w.iter().map(|&x| T::from_f64(x)).collect());
        Ok((class.is_some() || sample).then_some(Self { class, sample }))
    }

    /// Writes the weight of each example `idx[c]` of a gathered batch into `w[c]`: its
    /// class's weight (from its encoded target, column `c` of `y`) times its sample weight.
    /// Allocates nothing.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"data"`) naming an example whose sample weight is
    /// negative or not finite.
    pub fn fill<B: Backend<T>>(
        &self,
        data: &(impl DataSource<T> + ?Sized),
        idx: &[u32],
        y: &B::Matrix,
        w: &mut [T],
    ) -> Result<()> {
        for (c, (&j, w)) in idx.iter().zip(w.iter_mut()).enumerate() {
            let class = self.class.as_ref().map_or(T::ONE, |cw| {
                let col = B::col(y, c);
                let k = if col.len() == 1 {
                    usize::from(col[0] > T::from_f64(0.5))
                } else {
                    crate::cost::argmax(col)
                };
                cw[k]
            });
            *w = if self.sample {
                let s = data.read_weight(j as usize);
                if !(s >= 0.0 && s.is_finite()) {
                    return Err(bad_weight(j as usize, s));
                }
                class * T::from_f64(s)
            } else {
                class
            };
        }
        Ok(())
    }
}
