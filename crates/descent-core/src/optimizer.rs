//! The `Optimizer` trait: how parameters move given their gradients, and its saved state.

use crate::{Backend, Result, Scalar};

/// An update rule such as gradient descent, momentum or Adam.
///
/// Parameters and gradients come as parallel slices (`W1, b1, W2, b2, …` in the trainer);
/// `grads[i]` has the shape of `params[i]`. State (velocities, moments) is allocated once, by
/// [`init`](Optimizer::init) or lazily by the first [`step`](Optimizer::step), and reused:
/// steady-state steps allocate nothing.
///
/// The implementations (gd, momentum, Adam, RMSProp, AdamW) live in `descent-train`, written
/// once over any [`Backend`].
pub trait Optimizer<T: Scalar, B: Backend<T>>: Send {
    /// The optimizer's name as the command line spells it, e.g. `"adam"`.
    fn name(&self) -> &'static str;

    /// Allocates per-parameter state shaped like `params` (zeros) and resets the step count.
    ///
    /// # Errors
    /// When the optimizer's settings are invalid.
    fn init(&mut self, params: &[B::Matrix]) -> Result<()>;

    /// Applies one update with learning rate `lr`: `params[i]` moves against `grads[i]`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) when `grads` does not match
    /// `params` (or the state allocated for them); nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()>;

    /// A copy of the state (step count and buffers), for checkpoints. Allocates.
    fn state(&self) -> OptimizerState<T>;

    /// Restores a state produced by [`state`](Optimizer::state) of the same kind of optimizer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) when the state belongs to
    /// another optimizer or its buffers do not match.
    fn load_state(&mut self, state: &OptimizerState<T>) -> Result<()>;
}

/// An optimizer's state in plain vectors, independent of the backend.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OptimizerState<T> {
    /// The number of updates applied so far (Adam's `t`).
    pub step: u64,
    /// The state buffers, e.g. Adam's `v` and `s` for every parameter.
    pub slots: Vec<StateSlot<T>>,
}

/// One state buffer of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct StateSlot<T> {
    /// The buffer's role, e.g. `"v"` or `"s"`.
    pub name: &'static str,
    /// Index of the parameter it belongs to.
    pub param: usize,
    /// Shape `(rows, cols)`.
    pub shape: (usize, usize),
    /// Elements in column-major order.
    pub data: Vec<T>,
}
