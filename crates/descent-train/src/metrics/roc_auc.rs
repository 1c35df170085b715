//! ROC-AUC as scikit-learn's `roc_auc_score`: the area under the ROC curve, trapezoids over
//! the distinct score thresholds (so tied scores count half), of the positive class's score
//! for two classes and the macro average of the one-vs-rest areas for more.
//!
//! The scores are kept: one per example for two classes, one per class and example for more,
//! in the model's scalar type (so `f32` scores take 4 bytes and no precision is lost), grouped
//! by true class so that no label needs storing beside them.

use descent_core::Scalar;

/// The scores of every example, grouped by true class.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreBuckets<T> {
    /// Scores per example: 1 (two classes: the positive class's) or the number of classes.
    width: usize,
    /// `buckets[k]`: the scores of the examples of true class `k`, `width` per example.
    buckets: Vec<Vec<T>>,
}

impl<T: Scalar> ScoreBuckets<T> {
    /// Empty buckets for `n_classes` classes; two classes keep one score per example.
    pub fn new(n_classes: usize) -> Self {
        let width = if n_classes == 2 { 1 } else { n_classes };
        Self { width, buckets: vec![Vec::new(); n_classes] }
    }

    /// Reserves room for `n_examples` scores in each class of two: address space only, so
    /// the memory in use still grows with the examples kept (one `T` each), without the
    /// copies of a growing vector. More classes grow as they fill.
    pub fn reserve(&mut self, n_examples: usize) {
        if self.width == 1 {
            self.buckets.iter_mut().for_each(|b| b.reserve_exact(n_examples));
        }
    }

    /// Keeps the scores of one example of true class `truth`: for two classes the positive
    /// class's score (`scores` of length 1, or the last of two), else one per class.
    ///
    /// # Panics
    /// When `truth` is not a class or `scores` has the wrong length.
    pub fn add(&mut self, truth: usize, scores: &[T]) {
        let kept = if self.width == 1 { &scores[scores.len() - 1..] } else { scores };
        assert!(scores.len() <= 2 || scores.len() == self.width, "one score per class");
        self.buckets[truth].extend_from_slice(kept);
    }

    /// The area under the ROC curve: two classes, of the positive class's score; more, the
    /// unweighted mean of each class's one-vs-rest area (`multi_class="ovr"`,
    /// `average="macro"`). `None` when a class is absent from the data (scikit-learn raises)
    /// or a score is NaN.
    pub fn roc_auc(&mut self) -> Option<f64> {
        if self.buckets.iter().any(Vec::is_empty) {
            return None;
        }
        if self.width == 1 {
            let (negative, positive) = self.buckets.split_at_mut(1);
            return binary_roc_auc(&mut positive[0], &mut negative[0]);
        }
        let mut total = 0.0;
        for k in 0..self.width {
            let column = |b: &Vec<T>| b.iter().skip(k).step_by(self.width).copied().collect();
            let mut positive: Vec<T> = column(&self.buckets[k]);
            let mut negative: Vec<T> = (0..self.width)
                .filter(|&c| c != k)
                .flat_map(|c| column(&self.buckets[c]))
                .collect();
            total += binary_roc_auc(&mut positive, &mut negative)?;
        }
        Some(total / self.width as f64)
    }
}

/// The area under the ROC curve of scores `positive` (of the positive examples) against
/// `negative`: the thresholds are the distinct scores, from the highest down; between two
/// thresholds the curve is a straight line (a trapezoid), so a tie between a positive and a
/// negative example counts ½. The area is summed exactly in integers (twice the trapezoids'
/// areas in units of one positive by one negative) and divided once. Sorts both slices in
/// place (no copy: the scores of a large data set are the one thing `eval` keeps per example).
/// `None` when either set is empty or a score is NaN.
pub fn binary_roc_auc<T: Scalar>(positive: &mut [T], negative: &mut [T]) -> Option<f64> {
    if positive.is_empty() || negative.is_empty() {
        return None;
    }
    for s in [&mut *positive, &mut *negative] {
        if s.iter().any(|x| x.partial_cmp(x).is_none()) {
            return None;
        }
        s.sort_unstable_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    }
    let (pos, neg) = (&*positive, &*negative);
    let (mut i, mut j) = (0_usize, 0_usize);
    let mut twice_area: u128 = 0;
    while i < pos.len() || j < neg.len() {
        let threshold = match (pos.get(i), neg.get(j)) {
            (Some(&p), Some(&n)) => p.max(n),
            (Some(&p), None) => p,
            (None, Some(&n)) => n,
            (None, None) => unreachable!("the loop runs while one is left"),
        };
        let tp_before = i;
        while pos.get(i).is_some_and(|&p| p == threshold) {
            i += 1;
        }
        let fp_before = j;
        while neg.get(j).is_some_and(|&n| n == threshold) {
            j += 1;
        }
        twice_area += ((j - fp_before) as u128) * ((tp_before + i) as u128);
    }
    let pairs = (pos.len() as u128) * (neg.len() as u128);
    Some(twice_area as f64 / (2 * pairs) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_count_half_and_a_missing_class_gives_none() {
        // Perfect separation, a full tie, and one tied pair out of four.
        assert_eq!(binary_roc_auc(&mut [0.9, 0.8], &mut [0.1, 0.2]), Some(1.0));
        assert_eq!(binary_roc_auc(&mut [0.5, 0.5], &mut [0.5]), Some(0.5));
        assert_eq!(binary_roc_auc(&mut [0.9, 0.5], &mut [0.5, 0.1]), Some(7.0 / 8.0));
        assert_eq!(binary_roc_auc::<f64>(&mut [0.9], &mut []), None);
        assert_eq!(binary_roc_auc(&mut [f64::NAN], &mut [0.1]), None);
        let mut b = ScoreBuckets::<f32>::new(3);
        b.add(0, &[0.8, 0.1, 0.1]);
        b.add(1, &[0.1, 0.8, 0.1]);
        assert_eq!(b.roc_auc(), None);
        b.add(2, &[0.1, 0.1, 0.8]);
        assert_eq!(b.roc_auc(), Some(1.0));
    }
}
