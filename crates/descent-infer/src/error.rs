//! `Error`: what `predict` returns instead of panicking on slices of the wrong length.

use core::fmt;

use super::kind::Output;

/// The part of a model or of a call whose length is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `Model::weights`: one slice per layer.
    WeightSlices,
    /// `Model::biases`: one slice per layer.
    BiasSlices,
    /// `W_l` of layer `l` (1-based): `n_l · n_{l-1}` values.
    Weights(usize),
    /// `b_l` of layer `l` (1-based): `n_l` values.
    Biases(usize),
    /// The standardization's means: one per input.
    Mean,
    /// The standardization's standard deviations: one per input.
    Std,
    /// The input: one value per input.
    Input,
    /// The output: one value per output unit.
    Output,
    /// The scratch buffer: at least `scratch_len(layers)` values.
    Scratch,
}

/// Why a model or a call was refused. Nothing is written to the output when one is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Fewer than two widths (an input and an output), a width of zero, or a parameter
    /// count that overflows `usize`.
    Layers,
    /// A slice of the wrong length (for [`Part::Scratch`], `expected` is the least length).
    Length {
        /// Which slice.
        part: Part,
        /// The length the widths call for.
        expected: usize,
        /// The slice's length.
        got: usize,
    },
    /// An output width the output kind does not allow: sigmoid has 1 unit, softmax at least 2.
    OutputWidth {
        /// The output kind.
        output: Output,
        /// The last layer's width.
        width: usize,
    },
    /// `predict_class` on a model with a linear (regression) output.
    NotClassifier,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::WeightSlices => f.write_str("the weight slices"),
            Part::BiasSlices => f.write_str("the bias slices"),
            Part::Weights(l) => write!(f, "W{l}"),
            Part::Biases(l) => write!(f, "b{l}"),
            Part::Mean => f.write_str("the standardization's means"),
            Part::Std => f.write_str("the standardization's standard deviations"),
            Part::Input => f.write_str("the input"),
            Part::Output => f.write_str("the output"),
            Part::Scratch => f.write_str("the scratch buffer"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Layers => f.write_str(
                "the layer widths need an input and an output, no width of zero and a \
                 parameter count that fits in usize",
            ),
            Error::Length { part: Part::Scratch, expected, got } => {
                write!(f, "the scratch buffer has {got} values, it needs at least {expected}")
            }
            Error::Length { part, expected, got } => {
                write!(f, "{part} has {got} values, the layer widths call for {expected}")
            }
            Error::OutputWidth { output: Output::Sigmoid, width } => {
                write!(f, "a sigmoid output has 1 unit, the model has {width}")
            }
            Error::OutputWidth { output, width } => {
                write!(f, "a {} output cannot have {width} units", output.name())
            }
            Error::NotClassifier => f.write_str("a linear output has no classes"),
        }
    }
}

impl core::error::Error for Error {}
