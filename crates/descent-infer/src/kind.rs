//! `Activation` and `Output`: the layer kinds descent trains.

/// The hidden layers' activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `max(z, 0)` (`0` for NaN, as descent's `z > 0 ? z : 0`).
    Relu,
    /// `tanh(z)`.
    Tanh,
}

/// The output layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One unit, `σ(z) = 1/(1 + e^{-z})`: the probability of class 1.
    Sigmoid,
    /// `K ≥ 2` units, `e^{z_k − max z} / Σ_j e^{z_j − max z}`: one probability per class.
    Softmax,
    /// The values `z` as they are (regression).
    Linear,
}

impl Output {
    /// The name descent's model files use: `"sigmoid"`, `"softmax"` or `"linear"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Output::Sigmoid => "sigmoid",
            Output::Softmax => "softmax",
            Output::Linear => "linear",
        }
    }

    /// Whether the output is a classifier's (sigmoid or softmax).
    #[must_use]
    pub const fn is_classifier(self) -> bool {
        !matches!(self, Output::Linear)
    }
}
