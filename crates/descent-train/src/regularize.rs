//! [`RegularizationConfig`]: the settings that make a run generalize — the L2 term of the
//! cost, inverted dropout and class weights — and the L2 term's cost and gradient.

use descent_core::{Backend, Error, Result, Scalar};

/// Settings of a run beyond [`TrainConfig`](crate::TrainConfig) that change the cost or the
/// forward pass during training (never evaluation or prediction), given to a trainer with
/// [`Trainer::with_regularization`](crate::Trainer::with_regularization). The default
/// changes nothing: the run is bit-identical to one without it.
///
/// - **L2** (`l2 = λ`): the cost of a batch of `m` examples is its mean loss plus
///   `λ/(2m)·Σ_l ‖W_l‖²_F` (weights only, biases excluded), and each weight gradient gains
///   `(λ/m)·W_l`, before clipping: the course's `compute_cost_with_regularization` and
///   `backward_propagation_with_regularization`, per mini-batch. [`EpochStats::cost`](crate::EpochStats::cost)
///   includes it: each batch adds `m·(its mean cost)` to the epoch's sum, that is its
///   (weighted mean) loss times `m` plus `λ/2·Σ_l ‖W_l‖²_F`, and the sum is divided by the
///   number of examples. The term uses the parameters the batch's forward pass used.
/// - **Dropout** (`keep_prob`): inverted dropout on each hidden layer's activations,
///   `A ← A·D/keep` with `D ~ Bernoulli(keep)`, and the backward pass masked the same way
///   (the course's `forward_propagation_with_dropout`). Empty (the default) or all ones is
///   off; one value applies to every hidden layer, otherwise one value per hidden layer.
///   Masks are drawn from a PCG generator seeded from `(seed, epoch, batch, layer)`, element
///   by element in column-major order, so a run is reproducible, independent of the backend
///   and the thread count, and a resume continues bit for bit without storing masks.
/// - **Class weights** (`class_weights`, one per class index: 2 for a sigmoid output, `K`
///   for softmax): each example `i` weighs `w_i = class weight of its label × its sample
///   weight` ([`DataSource::read_weight`](crate::DataSource::read_weight), 1 unless the
///   source has weights, see [`Weighted`](crate::Weighted)), and a batch's loss is
///   `Σ_i w_i·ℓ_i / Σ_i w_i` (PyTorch's `CrossEntropyLoss(weight=…)` with mean reduction,
///   for sigmoid outputs too). A batch whose weights sum to 0 trains nothing: no gradient, no
///   optimizer step (Adam's `t` does not advance); its loss counts as 0. Accuracy is not
///   weighted. [`balanced_class_weights`](crate::balanced_class_weights) computes
///   scikit-learn's `balanced` weights.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegularizationConfig {
    /// The L2 factor `λ ≥ 0`. Default 0 (off).
    pub l2: f64,
    /// Keep probabilities in `(0, 1]`: none, one for every hidden layer, or one per hidden
    /// layer. Default empty (off).
    pub keep_prob: Vec<f64>,
    /// One finite non-negative weight per class index. Default `None` (every class 1).
    pub class_weights: Option<Vec<f64>>,
}

impl RegularizationConfig {
    /// Checks the settings (the number of keep probabilities and class weights is checked
    /// against the network when training starts).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"regularization"`) for `λ` negative or not finite, a
    /// keep probability outside `(0, 1]`, or a class weight negative or not finite.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "regularization", reason });
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return invalid(format!("l2 must be a non-negative finite number, got {}", self.l2));
        }
        if let Some(&k) = self.keep_prob.iter().find(|&&k| !(k > 0.0 && k <= 1.0)) {
            return invalid(format!("keep probability must be in (0, 1], got {k}"));
        }
        if let Some(w) = &self.class_weights {
            if w.is_empty() {
                return invalid("class weights: none given".into());
            }
            if let Some((k, &v)) =
                w.iter().enumerate().find(|(_, v)| !(**v >= 0.0 && v.is_finite()))
            {
                return invalid(format!(
                    "the weight of class {k} must be a non-negative finite number, got {v}"
                ));
            }
        }
        Ok(())
    }

    /// Whether dropout is on: some keep probability below 1.
    #[must_use]
    pub fn drops(&self) -> bool {
        self.keep_prob.iter().any(|&k| k < 1.0)
    }
}

/// `Σ_l ‖W_l‖²_F` over the weights (`W1, W2, …`: every other parameter), in order.
pub(crate) fn weights_sum_squares<T: Scalar, B: Backend<T>>(params: &[B::Matrix]) -> T {
    let mut sum = T::ZERO;
    for w in params.iter().step_by(2) {
        sum += B::sum_squares(w);
    }
    sum
}

/// Adds `(λ/m)·W_l` to each weight gradient (`grads` and `params` in the order `W1, b1, …`).
///
/// # Errors
/// [`Error::ShapeMismatch`] when a gradient does not match its weight.
pub(crate) fn add_l2_gradient<T: Scalar, B: Backend<T>>(
    grads: &mut [B::Matrix],
    params: &[B::Matrix],
    lambda_over_m: T,
) -> Result<()> {
    for (g, w) in grads.iter_mut().zip(params).step_by(2) {
        B::axpy(g, lambda_over_m, w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused() {
        RegularizationConfig::default().validate().unwrap();
        let ok = RegularizationConfig {
            l2: 0.7,
            keep_prob: vec![1.0, 0.5],
            class_weights: Some(vec![0.0, 2.5]),
        };
        ok.validate().unwrap();
        assert!(ok.drops());
        for bad in [
            RegularizationConfig { l2: -0.1, ..RegularizationConfig::default() },
            RegularizationConfig { l2: f64::NAN, ..RegularizationConfig::default() },
            RegularizationConfig { l2: f64::INFINITY, ..RegularizationConfig::default() },
            RegularizationConfig { keep_prob: vec![0.0], ..RegularizationConfig::default() },
            RegularizationConfig { keep_prob: vec![1.5], ..RegularizationConfig::default() },
            RegularizationConfig { keep_prob: vec![f64::NAN], ..RegularizationConfig::default() },
            RegularizationConfig { class_weights: Some(vec![]), ..RegularizationConfig::default() },
            RegularizationConfig {
                class_weights: Some(vec![1.0, -1.0]),
                ..RegularizationConfig::default()
            },
            RegularizationConfig {
                class_weights: Some(vec![f64::INFINITY, 1.0]),
                ..RegularizationConfig::default()
            },
        ] {
            let err = bad.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "regularization", .. }), "{bad:?}");
        }
        let ones =
            RegularizationConfig { keep_prob: vec![1.0; 3], ..RegularizationConfig::default() };
        assert!(!ones.drops());
    }
}
