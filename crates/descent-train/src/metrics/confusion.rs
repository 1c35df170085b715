//! The confusion matrix, counted one example at a time, and the scores scikit-learn derives
//! from it: per-class precision, recall and F1 (`zero_division=0`), their macro and weighted
//! averages, and balanced accuracy.

/// Counts of (true class, predicted class) pairs: row = true class, column = predicted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    n_classes: usize,
    /// Row-major, `n_classes × n_classes`.
    counts: Vec<u64>,
}

/// Precision, recall and F1 together (one class's, or an average).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// `tp / (tp + fp)`, 0 when nothing was predicted as the class.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0 when the class is absent from the data.
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)`, 0 when both sums are 0.
    pub f1: f64,
}

impl ConfusionMatrix {
    /// An empty matrix of `n_classes` classes.
    pub fn new(n_classes: usize) -> Self {
        Self { n_classes, counts: vec![0; n_classes * n_classes] }
    }

    /// Counts one example whose true class is `truth` and predicted class `predicted`.
    ///
    /// # Panics
    /// When either is not below the number of classes.
    pub fn add(&mut self, truth: usize, predicted: usize) {
        assert!(truth < self.n_classes && predicted < self.n_classes, "class out of range");
        self.counts[truth * self.n_classes + predicted] += 1;
    }

    /// The number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// The examples of true class `truth` predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> u64 {
        self.counts[truth * self.n_classes + predicted]
    }

    /// One row per true class, one column per predicted class.
    pub fn rows(&self) -> impl Iterator<Item = &[u64]> {
        self.counts.chunks(self.n_classes.max(1))
    }

    /// The number of examples counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The examples of each true class (scikit-learn's `support`).
    pub fn support(&self) -> Vec<u64> {
        self.rows().map(|r| r.iter().sum()).collect()
    }

    /// The examples predicted as each class.
    pub fn predicted(&self) -> Vec<u64> {
        (0..self.n_classes).map(|k| self.rows().map(|r| r[k]).sum()).collect()
    }

    /// The fraction of examples on the diagonal; 0 when there are none.
    pub fn accuracy(&self) -> f64 {
        let correct: u64 = (0..self.n_classes).map(|k| self.count(k, k)).sum();
        divide(correct as f64, self.total() as f64)
    }

    /// Each class's precision, recall and F1, as scikit-learn's
    /// `precision_recall_fscore_support(labels=range(K), average=None, zero_division=0)`:
    /// F1 is computed from the counts, `2·tp / (support + predicted)`.
    pub fn per_class(&self) -> Vec<Scores> {
        let (support, predicted) = (self.support(), self.predicted());
        (0..self.n_classes)
            .map(|k| {
                let tp = self.count(k, k) as f64;
                let (s, p) = (support[k] as f64, predicted[k] as f64);
                Scores {
                    precision: divide(tp, p),
                    recall: divide(tp, s),
                    f1: divide(2.0 * tp, s + p),
                }
            })
            .collect()
    }

    /// The unweighted mean of [`ConfusionMatrix::per_class`] over every class, absent ones
    /// included (`average="macro"`).
    pub fn macro_average(&self) -> Scores {
        let per_class = self.per_class();
        average(&per_class, &vec![1.0; per_class.len()])
    }

    /// The mean of [`ConfusionMatrix::per_class`] weighted by each class's support
    /// (`average="weighted"`); 0 when there are no examples.
    pub fn weighted_average(&self) -> Scores {
        let weights: Vec<f64> = self.support().iter().map(|&s| s as f64).collect();
        average(&self.per_class(), &weights)
    }

    /// The mean recall over the classes present in the data (scikit-learn's
    /// `balanced_accuracy_score`, which drops classes only predicted); `None` when there are
    /// no examples.
    pub fn balanced_accuracy(&self) -> Option<f64> {
        let support = self.support();
        let recalls: Vec<f64> = (0..self.n_classes)
            .filter(|&k| support[k] > 0)
            .map(|k| self.count(k, k) as f64 / support[k] as f64)
            .collect();
        (!recalls.is_empty()).then(|| recalls.iter().sum::<f64>() / recalls.len() as f64)
    }
}

/// `a / b`, or 0 when `b` is 0 (`zero_division=0`).
fn divide(a: f64, b: f64) -> f64 {
    if b == 0.0 { 0.0 } else { a / b }
}

/// The weighted mean of each score, as `np.average(x, weights=w)`; 0 when the weights sum to 0.
fn average(scores: &[Scores], weights: &[f64]) -> Scores {
    let total: f64 = weights.iter().sum();
    let mean = |f: fn(&Scores) -> f64| {
        divide(scores.iter().zip(weights).map(|(s, w)| f(s) * w).sum::<f64>(), total)
    };
    Scores { precision: mean(|s| s.precision), recall: mean(|s| s.recall), f1: mean(|s| s.f1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_counted_three_classes_with_one_never_predicted() {
        // truth 0 0 1 1 2, predicted 0 1 1 1 1: class 2 is never predicted.
        let mut c = ConfusionMatrix::new(3);
        for (t, p) in [(0, 0), (0, 1), (1, 1), (1, 1), (2, 1)] {
            c.add(t, p);
        }
        assert_eq!(c.rows().collect::<Vec<_>>(), [[1, 1, 0], [0, 2, 0], [0, 1, 0]]);
        let s = c.per_class();
        assert_eq!((s[0].precision, s[0].recall, s[0].f1), (1.0, 0.5, 2.0 / 3.0));
        assert_eq!((s[1].precision, s[1].recall, s[1].f1), (0.5, 1.0, 4.0 / 6.0));
        assert_eq!((s[2].precision, s[2].recall, s[2].f1), (0.0, 0.0, 0.0));
        assert_eq!(c.accuracy(), 0.6);
        assert_eq!(c.balanced_accuracy(), Some(0.5));
        assert_eq!(c.weighted_average().recall, 0.6);
        assert_eq!(ConfusionMatrix::new(2).balanced_accuracy(), None);
    }
}
