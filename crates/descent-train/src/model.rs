//! The settings of a network: layer widths, activations, output kind and initialization.

use descent_core::{Error, Result};

/// The activation of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// `max(z, 0)`, the course's choice. Default.
    #[default]
    Relu,
    /// `tanh(z)`.
    Tanh,
}

/// The output layer and the cost it is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One sigmoid unit with binary cross-entropy; labels 0/1; predicts class 1 when `a > 0.5`.
    Sigmoid,
    /// `K ≥ 2` softmax units with categorical cross-entropy; labels `0..K`.
    Softmax,
    /// Linear units with mean squared error: `cost = mean over examples and outputs of
    /// (ŷ - y)²`; targets are real numbers.
    Linear,
}

impl Activation {
    /// The name as the command line spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
        }
    }
}

impl Output {
    /// The name as the command line spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Output::Sigmoid => "sigmoid",
            Output::Softmax => "softmax",
            Output::Linear => "linear",
        }
    }

    /// `true` for the classification outputs, which have an accuracy.
    #[must_use]
    pub fn is_classifier(self) -> bool {
        !matches!(self, Output::Linear)
    }
}

/// How the weights are drawn; biases always start at zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Init {
    /// He: `W_l ~ N(0, 1)·sqrt(2 / n_{l-1})`, the course's `initialize_parameters_he`. Default.
    #[default]
    He,
    /// Xavier: `W_l ~ N(0, 1)·sqrt(1 / n_{l-1})`, the course's variant of Glorot's rule.
    Xavier,
}

/// The shape and settings of a multilayer perceptron.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpConfig {
    /// Layer widths from input to output, e.g. `[2, 5, 2, 1]` for the course's network.
    pub layers: Vec<usize>,
    /// The hidden layers' activation.
    pub hidden: Activation,
    /// The output layer and its cost.
    pub output: Output,
    /// How weights are initialized.
    pub init: Init,
    /// Seed of the PCG generator that draws the weights.
    pub seed: u64,
}

impl MlpConfig {
    /// The course's network for the moons data: `[2, 5, 2, 1]`, ReLU, sigmoid, He, seed 1 (the
    /// command line's default seed).
    #[must_use]
    pub fn course() -> Self {
        Self {
            layers: vec![2, 5, 2, 1],
            hidden: Activation::Relu,
            output: Output::Sigmoid,
            init: Init::He,
            seed: 1,
        }
    }

    /// Checks the widths against the output kind and against `usize` overflow.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"mlp"`) when there are fewer than two widths, a width is
    /// zero, a sigmoid output is not 1 wide, a softmax output is narrower than 2, or the
    /// parameter count overflows.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "mlp", reason });
        if self.layers.len() < 2 {
            return invalid(format!(
                "need at least an input and an output width, got {:?}",
                self.layers
            ));
        }
        if let Some(l) = self.layers.iter().position(|&n| n == 0) {
            return invalid(format!("layer {l} has width 0 in {:?}", self.layers));
        }
        let n_out = self.layers[self.layers.len() - 1];
        match self.output {
            Output::Sigmoid if n_out != 1 => {
                return invalid(format!("a sigmoid output has 1 unit, got {n_out}"));
            }
            Output::Softmax if n_out < 2 => {
                return invalid(format!("a softmax output needs at least 2 units, got {n_out}"));
            }
            _ => {}
        }
        if self.n_params().is_none() {
            return invalid(format!("the parameter count of {:?} overflows", self.layers));
        }
        Ok(())
    }

    /// The number of scalar parameters (weights and biases), `None` on overflow.
    #[must_use]
    pub fn n_params(&self) -> Option<usize> {
        self.layers
            .windows(2)
            .try_fold(0_usize, |acc, w| w[0].checked_mul(w[1])?.checked_add(w[1])?.checked_add(acc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_network_is_valid_and_bad_widths_are_not() {
        let course = MlpConfig::course();
        course.validate().unwrap();
        assert_eq!(course.n_params(), Some(2 * 5 + 5 + 5 * 2 + 2 + 2 + 1));
        let with = |layers: Vec<usize>, output| MlpConfig { layers, output, ..MlpConfig::course() };
        for bad in [
            with(vec![2], Output::Sigmoid),
            with(vec![2, 0, 1], Output::Sigmoid),
            with(vec![2, 5, 2], Output::Sigmoid),
            with(vec![2, 1], Output::Softmax),
            with(vec![usize::MAX, 2, 1], Output::Sigmoid),
        ] {
            assert!(matches!(bad.validate(), Err(Error::InvalidArgument { .. })), "{bad:?}");
        }
    }
}
