//! Regression metrics of one or several outputs, accumulated one example at a time:
//! scikit-learn's `mean_squared_error`, `root_mean_squared_error`, `mean_absolute_error` and
//! `r2_score`, per output and averaged over the outputs with uniform weights.

use super::sum::Sum;

/// Running sums for each output: squared and absolute errors, and the targets' mean and sum
/// of squared deviations (Welford's update, so no target is kept).
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionAccumulator {
    squared: Vec<Sum>,
    absolute: Vec<Sum>,
    mean: Vec<f64>,
    deviations: Vec<Sum>,
    n: u64,
}

/// Each metric per output (`*_outputs` in `descent eval --json`) and its uniform average.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionMetrics {
    /// Mean squared error of each output.
    pub mse: Vec<f64>,
    /// Its square root, per output.
    pub rmse: Vec<f64>,
    /// Mean absolute error of each output.
    pub mae: Vec<f64>,
    /// The coefficient of determination `1 − Σ(y − ŷ)² / Σ(y − ȳ)²` of each output, with
    /// scikit-learn's `force_finite`: 1 for perfect predictions (even of a constant target),
    /// 0 for imperfect predictions of a constant target. `None` with fewer than two examples.
    pub r2: Vec<Option<f64>>,
}

impl RegressionAccumulator {
    /// Empty sums for `n_outputs` outputs.
    pub fn new(n_outputs: usize) -> Self {
        Self {
            squared: vec![Sum::default(); n_outputs],
            absolute: vec![Sum::default(); n_outputs],
            mean: vec![0.0; n_outputs],
            deviations: vec![Sum::default(); n_outputs],
            n: 0,
        }
    }

    /// Adds one example: its targets and the predictions, one per output.
    ///
    /// # Panics
    /// When either length differs from the number of outputs.
    pub fn add(&mut self, target: &[f64], prediction: &[f64]) {
        assert!(target.len() == self.mean.len() && prediction.len() == self.mean.len());
        self.n += 1;
        let n = self.n as f64;
        for (k, (&y, &y_hat)) in target.iter().zip(prediction).enumerate() {
            let e = y - y_hat;
            self.squared[k].add(e * e);
            self.absolute[k].add(e.abs());
            let delta = y - self.mean[k];
            self.mean[k] += delta / n;
            self.deviations[k].add(delta * (y - self.mean[k]));
        }
    }

    /// The metrics of the examples added.
    pub fn finish(&self) -> RegressionMetrics {
        let n = self.n as f64;
        let mse: Vec<f64> = self.squared.iter().map(|s| s.value() / n).collect();
        let r2 = self
            .squared
            .iter()
            .zip(&self.deviations)
            .map(|(residual, total)| {
                let (num, den) = (residual.value(), total.value());
                (self.n >= 2).then_some(match (num == 0.0, den == 0.0) {
                    (true, _) => 1.0,
                    (false, true) => 0.0,
                    (false, false) => 1.0 - num / den,
                })
            })
            .collect();
        RegressionMetrics {
            rmse: mse.iter().map(|m| m.sqrt()).collect(),
            mae: self.absolute.iter().map(|s| s.value() / n).collect(),
            mse,
            r2,
        }
    }
}

impl RegressionMetrics {
    /// The number of outputs.
    pub fn n_outputs(&self) -> usize {
        self.mse.len()
    }

    /// The uniform average of a per-output metric (`multioutput="uniform_average"`; for RMSE
    /// that is the mean of the outputs' RMSE, as scikit-learn, not the root of the mean MSE).
    pub fn mean(per_output: &[f64]) -> f64 {
        per_output.iter().sum::<f64>() / per_output.len() as f64
    }

    /// The uniform average of R² over the outputs; `None` with fewer than two examples.
    pub fn r2_mean(&self) -> Option<f64> {
        let r2: Option<Vec<f64>> = self.r2.iter().copied().collect();
        r2.map(|r| Self::mean(&r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_target_gives_one_when_predicted_and_zero_otherwise() {
        let mut acc = RegressionAccumulator::new(2);
        for (y, y_hat) in [([0.1, 3.0], [0.1, 3.0]), ([0.1, 5.0], [0.1, 4.0])] {
            acc.add(&y, &y_hat);
        }
        let m = acc.finish();
        assert_eq!(m.mse, [0.0, 0.5]);
        assert_eq!(m.mae, [0.0, 0.5]);
        // Output 2: Σ(y − ȳ)² = 2, Σ(y − ŷ)² = 1.
        assert_eq!(m.r2, [Some(1.0), Some(0.5)]);
        let mut constant = RegressionAccumulator::new(1);
        constant.add(&[0.1], &[0.2]);
        assert_eq!(constant.finish().r2, [None]);
        constant.add(&[0.1], &[0.1]);
        assert_eq!(constant.finish().r2, [Some(0.0)]);
    }
}
