//! Every classification metric of `descent eval` from one pass over the examples: the
//! confusion matrix and log loss are streamed, the scores kept for ROC-AUC.

use descent_core::Scalar;

use super::confusion::{ConfusionMatrix, Scores};
use super::log_loss::LogLoss;
use super::roc_auc::ScoreBuckets;

/// Accumulates the examples of a classifier: true class and predicted probabilities.
#[derive(Debug, Clone)]
pub struct ClassificationAccumulator<T> {
    confusion: ConfusionMatrix,
    log_loss: LogLoss,
    scores: ScoreBuckets<T>,
    /// One example's probabilities in `f64`, reused.
    scratch: Vec<f64>,
}

/// The metrics of a classifier, each as scikit-learn defines it (`zero_division=0`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationMetrics {
    /// Rows = true class, columns = predicted class.
    pub confusion: ConfusionMatrix,
    /// Precision, recall and F1 of each class.
    pub per_class: Vec<Scores>,
    /// The examples of each class.
    pub support: Vec<u64>,
    /// The unweighted mean over the classes.
    pub macro_average: Scores,
    /// The mean weighted by support.
    pub weighted_average: Scores,
    /// The fraction predicted correctly.
    pub accuracy: f64,
    /// The mean recall of the classes present; `None` without examples.
    pub balanced_accuracy: Option<f64>,
    /// The mean cross-entropy of the probabilities, clipped at the accumulator's `eps`.
    pub log_loss: f64,
    /// Two classes: of the positive class's probability; more: the macro average of the
    /// one-vs-rest areas. `None` when a class is absent from the data.
    pub roc_auc: Option<f64>,
}

impl<T: Scalar> ClassificationAccumulator<T> {
    /// An empty accumulator of `n_classes` classes (at least 2) whose log loss clips at `eps`.
    pub fn new(n_classes: usize, eps: f64) -> Self {
        Self {
            confusion: ConfusionMatrix::new(n_classes),
            log_loss: LogLoss::new(eps),
            scores: ScoreBuckets::new(n_classes),
            scratch: Vec::with_capacity(n_classes),
        }
    }

    /// Reserves ROC-AUC's scores for `n_examples` examples ([`ScoreBuckets::reserve`]).
    pub fn reserve(&mut self, n_examples: usize) {
        self.scores.reserve(n_examples);
    }

    /// Adds one example of true class `truth`. `probabilities` holds one per class or, for two
    /// classes, only the positive class's (a sigmoid). The predicted class is the network's:
    /// `p > 0.5` for one probability, else the first largest.
    ///
    /// # Panics
    /// When `truth` is not a class or `probabilities` has the wrong length.
    pub fn add(&mut self, truth: usize, probabilities: &[T]) {
        let predicted = predicted_class(probabilities);
        self.confusion.add(truth, predicted);
        self.scratch.clear();
        self.scratch.extend(probabilities.iter().map(|p| p.to_f64()));
        self.log_loss.add(truth, &self.scratch);
        self.scores.add(truth, probabilities);
    }

    /// The metrics of the examples added (ROC-AUC sorts the kept scores in place).
    pub fn finish(mut self) -> ClassificationMetrics {
        let roc_auc = self.scores.roc_auc();
        let c = &self.confusion;
        ClassificationMetrics {
            per_class: c.per_class(),
            support: c.support(),
            macro_average: c.macro_average(),
            weighted_average: c.weighted_average(),
            accuracy: c.accuracy(),
            balanced_accuracy: c.balanced_accuracy(),
            log_loss: self.log_loss.value(),
            roc_auc,
            confusion: c.clone(),
        }
    }
}

/// The class a network's output predicts: a sigmoid above ½, or the first largest softmax
/// probability (numpy's `argmax`).
pub fn predicted_class<T: Scalar>(probabilities: &[T]) -> usize {
    match probabilities {
        [p] => usize::from(p.to_f64() > 0.5),
        ps => (1..ps.len()).fold(0, |best, k| if ps[k] > ps[best] { k } else { best }),
    }
}
