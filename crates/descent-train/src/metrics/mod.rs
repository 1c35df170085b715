//! Model quality metrics, each defined as scikit-learn defines it (`sklearn.metrics`) and
//! tested against it: for classifiers the confusion matrix, per-class precision, recall and
//! F1 (`zero_division=0`) with their macro and weighted averages, balanced accuracy, log loss
//! and ROC-AUC (binary, or macro one-vs-rest); for regression MSE, RMSE, MAE and R², per
//! output and averaged.
//!
//! Everything is accumulated one example at a time ([`ClassificationAccumulator`],
//! [`RegressionAccumulator`]), so a data set larger than memory streams through; only ROC-AUC
//! keeps something per example (its scores, [`ScoreBuckets`]). [`evaluate_metrics`] runs a
//! network over a [`DataSource`](crate::DataSource) and fills them in the same pass as the
//! cost and accuracy of [`evaluate`](crate::evaluate).
//!
//! ```
//! use descent_train::metrics::ClassificationAccumulator;
//!
//! // Two classes, the positive class's probability (a sigmoid's output).
//! let mut acc = ClassificationAccumulator::<f64>::new(2, f64::EPSILON);
//! for (truth, p) in [(0, 0.2), (0, 0.6), (1, 0.7), (1, 0.9)] {
//!     acc.add(truth, &[p]);
//! }
//! let m = acc.finish();
//! assert_eq!(m.confusion.rows().collect::<Vec<_>>(), [[1, 1], [0, 2]]);
//! assert_eq!(m.per_class[1].precision, 2.0 / 3.0);
//! assert_eq!(m.roc_auc, Some(1.0));
//! ```

mod classification;
mod confusion;
mod log_loss;
mod pass;
mod regression;
mod roc_auc;
mod sum;

pub use classification::{ClassificationAccumulator, ClassificationMetrics, predicted_class};
pub use confusion::{ConfusionMatrix, Scores};
pub use log_loss::LogLoss;
pub use pass::{Metrics, evaluate_metrics};
pub use regression::{RegressionAccumulator, RegressionMetrics};
pub use roc_auc::{ScoreBuckets, binary_roc_auc};
