//! Log loss (cross-entropy of the predicted probabilities), accumulated one example at a time,
//! as scikit-learn's `log_loss`.

use super::sum::Sum;

/// The mean of `−ln p_true` over the examples, where `p_true` is the probability given to the
/// example's true class, clipped to `[eps, 1 − eps]` first: scikit-learn ≥ 1.5 clips at the
/// machine epsilon of the probabilities' dtype and no longer renormalizes the rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLoss {
    eps: f64,
    sum: Sum,
    n: u64,
}

impl LogLoss {
    /// An empty sum that clips at `eps` (`f64::EPSILON` for `f64` probabilities,
    /// `f32::EPSILON` for `f32`, as scikit-learn does for arrays of that dtype).
    pub fn new(eps: f64) -> Self {
        Self { eps, sum: Sum::default(), n: 0 }
    }

    /// Adds one example of true class `truth`. `probabilities` holds one probability per class
    /// or, for two classes, only the positive class's (scikit-learn's 1-D `y_proba`, a
    /// sigmoid's output): then the negative class's is `1 − p`, the positive one clipped.
    ///
    /// # Panics
    /// When `truth` has no probability.
    pub fn add(&mut self, truth: usize, probabilities: &[f64]) {
        let clip = |p: f64| p.clamp(self.eps, 1.0 - self.eps);
        let p_true = match probabilities {
            [p] if truth == 1 => clip(*p),
            [p] => clip(1.0 - *p),
            ps => clip(ps[truth]),
        };
        self.sum.add(-p_true.ln());
        self.n += 1;
    }

    /// The mean loss; NaN when there are no examples.
    pub fn value(&self) -> f64 {
        self.sum.value() / self.n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certain_mistakes_cost_minus_ln_eps() {
        let mut l = LogLoss::new(f64::EPSILON);
        l.add(0, &[1.0]);
        assert_eq!(l.value(), -f64::EPSILON.ln());
        let mut l = LogLoss::new(f64::EPSILON);
        l.add(1, &[0.25, 0.75]);
        l.add(0, &[0.5, 0.5]);
        assert!((l.value() - (-(0.75f64).ln() - 0.5f64.ln()) / 2.0).abs() < 1e-16);
    }
}
