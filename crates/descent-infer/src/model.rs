//! `Model`: a network over borrowed slices, `const`-constructible, and its checks.

use super::error::{Error, Part};
use super::kind::{Activation, Output};

/// The z-scores the network was trained on: input `i` becomes
/// `(x_i − mean_i) / std_i`, dividing by 1 where `std_i == 0` (a constant feature), computed
/// in `f64` and then rounded to the model's type — exactly what `descent predict` does, so an
/// `f32` model standardizes in `f64` too.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standardize<'a> {
    /// One mean per input.
    pub mean: &'a [f64],
    /// One standard deviation per input (`0` for a constant feature).
    pub std: &'a [f64],
}

/// A dense network `Linear → activation → … → Linear → output` over borrowed slices, with
/// descent's conventions: `weights[l]` is `W_{l+1}` row-major, shape `(layers[l+1],
/// layers[l])`; `biases[l]` is `b_{l+1}`, `layers[l+1]` values. Every field is public so a
/// model can be written as a `const` or `static` literal (as the generated Rust source does);
/// [`Model::validate`] is a `const fn` to check one at compile time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model<'a, F> {
    /// Widths from input to output, e.g. `[2, 5, 2, 1]`.
    pub layers: &'a [usize],
    /// `W1, W2, …`, each row-major `(n_l, n_{l-1})`.
    pub weights: &'a [&'a [F]],
    /// `b1, b2, …`, `n_l` values each.
    pub biases: &'a [&'a [F]],
    /// The hidden layers' activation.
    pub activation: Activation,
    /// The output layer.
    pub output: Output,
    /// The inputs' standardization, when the network was trained on standardized inputs.
    pub standardize: Option<Standardize<'a>>,
}

impl<F> Model<'_, F> {
    /// Checks every slice's length against the widths, and the output width against the
    /// output kind (sigmoid 1 unit, softmax at least 2).
    ///
    /// # Errors
    /// [`Error::Layers`], [`Error::Length`] (the first slice of the wrong length, in the
    /// order weight and bias slices, `W1, b1, W2, …`, means, standard deviations) or
    /// [`Error::OutputWidth`].
    pub const fn validate(&self) -> Result<(), Error> {
        let layers = self.layers;
        let n = layers.len();
        if n < 2 {
            return Err(Error::Layers);
        }
        let mut i = 0;
        while i < n {
            if layers[i] == 0 {
                return Err(Error::Layers);
            }
            i += 1;
        }
        if self.weights.len() != n - 1 {
            let got = self.weights.len();
            return Err(Error::Length { part: Part::WeightSlices, expected: n - 1, got });
        }
        if self.biases.len() != n - 1 {
            let got = self.biases.len();
            return Err(Error::Length { part: Part::BiasSlices, expected: n - 1, got });
        }
        let mut l = 0;
        while l < n - 1 {
            let expected = match layers[l].checked_mul(layers[l + 1]) {
                Some(len) => len,
                None => return Err(Error::Layers),
            };
            let got = self.weights[l].len();
            if got != expected {
                return Err(Error::Length { part: Part::Weights(l + 1), expected, got });
            }
            let got = self.biases[l].len();
            if got != layers[l + 1] {
                let part = Part::Biases(l + 1);
                return Err(Error::Length { part, expected: layers[l + 1], got });
            }
            l += 1;
        }
        let width = layers[n - 1];
        match self.output {
            Output::Sigmoid if width != 1 => {
                return Err(Error::OutputWidth { output: self.output, width });
            }
            Output::Softmax if width < 2 => {
                return Err(Error::OutputWidth { output: self.output, width });
            }
            _ => {}
        }
        if let Some(s) = self.standardize {
            if s.mean.len() != layers[0] {
                let got = s.mean.len();
                return Err(Error::Length { part: Part::Mean, expected: layers[0], got });
            }
            if s.std.len() != layers[0] {
                let got = s.std.len();
                return Err(Error::Length { part: Part::Std, expected: layers[0], got });
            }
        }
        Ok(())
    }

    /// The input width, `layers[0]` (0 for a model without widths).
    #[must_use]
    pub const fn n_inputs(&self) -> usize {
        match self.layers.first() {
            Some(&n) => n,
            None => 0,
        }
    }

    /// The output width, the last of `layers` (0 for a model without widths).
    #[must_use]
    pub const fn n_outputs(&self) -> usize {
        match self.layers.last() {
            Some(&n) => n,
            None => 0,
        }
    }

    /// The least scratch length `predict` takes for this model: [`scratch_len`] of its widths.
    #[must_use]
    pub const fn scratch_len(&self) -> usize {
        scratch_len(self.layers)
    }
}

/// The least scratch length `predict` takes for widths `layers`: twice the widest of the
/// input and hidden layers (two buffers that each layer reads from and writes to in turn;
/// the last layer writes to the output). `const`, for a buffer on the stack:
/// `[0.0; scratch_len(&LAYERS)]`.
#[must_use]
pub const fn scratch_len(layers: &[usize]) -> usize {
    let mut widest = 0;
    let mut i = 0;
    while i + 1 < layers.len() {
        if layers[i] > widest {
            widest = layers[i];
        }
        i += 1;
    }
    2 * widest
}
