//! Plain (mini-batch) gradient descent: `W -= lr·dW`.

use std::fmt;
use std::marker::PhantomData;

use descent_core::{Backend, Error, Optimizer, OptimizerState, Result, Scalar, elementwise};

use super::state::check_grads;

/// Gradient descent, the course's `update_parameters_with_gd`: for every parameter `W` with
/// gradient `dW`, `W = W - lr·dW`.
///
/// Batch, stochastic and mini-batch gradient descent are this rule with different batch
/// sizes. It keeps no buffers, only the number of steps taken. It has no hyper-parameters
/// besides the learning rate, so it has no config struct: build it with
/// [`GradientDescent::new`] or [`OptimizerConfig::Gd`](super::OptimizerConfig::Gd).
pub struct GradientDescent<T: Scalar, B: Backend<T>> {
    step: u64,
    _backend: PhantomData<fn() -> (T, B)>,
}

impl<T: Scalar, B: Backend<T>> GradientDescent<T, B> {
    /// Gradient descent, with no step taken yet.
    #[must_use]
    pub fn new() -> Self {
        Self { step: 0, _backend: PhantomData }
    }
}

impl<T: Scalar, B: Backend<T>> Default for GradientDescent<T, B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar, B: Backend<T>> fmt::Debug for GradientDescent<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GradientDescent").field("step", &self.step).finish()
    }
}

impl<T: Scalar, B: Backend<T>> Optimizer<T, B> for GradientDescent<T, B> {
    fn name(&self) -> &'static str {
        "gd"
    }

    fn init(&mut self, _params: &[B::Matrix]) -> Result<()> {
        self.step = 0;
        Ok(())
    }

    /// `W = W - lr·dW` for every parameter (no fused multiply-add, like numpy).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a gradient's shape differs from its parameter's,
    /// [`Error::InvalidArgument`] when the counts differ; nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()> {
        check_grads::<T, B>("gd", params, grads)?;
        self.step += 1;
        for (p, g) in params.iter_mut().zip(grads) {
            elementwise::update_with::<T, B>("gd", p, g, |p, g| p - lr * g)?;
        }
        Ok(())
    }

    fn state(&self) -> OptimizerState<T> {
        OptimizerState { step: self.step, slots: Vec::new() }
    }

    /// Restores the step count.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the state holds buffers (it belongs to another
    /// optimizer).
    fn load_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        if let Some(slot) = state.slots.first() {
            return Err(Error::InvalidArgument {
                op: "gd",
                reason: format!(
                    "gd keeps no state buffers, got {} (the first is \"{}\")",
                    state.slots.len(),
                    slot.name
                ),
            });
        }
        self.step = state.step;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::test_support::{
        G1, G2, LR1, LR2, assert_values, backend_tests, check_rejects_bad_grads,
        check_resume_is_bit_identical, tiny_grads, tiny_params, values,
    };
    use descent_core::StateSlot;

    /// Values from tests/fixtures/optim/reference.py (`gd`).
    const GD: [f64; 3] = [0.5005, -1.0, 0.25];

    fn two_steps_match_reference<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut gd = GradientDescent::<T, B>::new();
        gd.init(&params).unwrap();
        gd.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        gd.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        assert_values::<T>(&values::<T, B>(&params), &GD, 0.0, "gd");
        assert_eq!(gd.state().step, 2);
    }

    fn bad_grads_change_nothing<T: Scalar, B: Backend<T>>() {
        check_rejects_bad_grads::<T, B>(&mut GradientDescent::new());
    }

    fn resume_is_bit_identical<T: Scalar, B: Backend<T>>() {
        check_resume_is_bit_identical::<T, B, _>(GradientDescent::new);
    }

    fn rejects_a_state_with_buffers<T: Scalar, B: Backend<T>>() {
        let mut gd = GradientDescent::<T, B>::new();
        let state = OptimizerState {
            step: 3,
            slots: vec![StateSlot { name: "v", param: 0, shape: (1, 1), data: vec![T::ZERO] }],
        };
        let err = gd.load_state(&state).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "gd", .. }), "{err}");
        assert_eq!(gd.state().step, 0);
    }

    backend_tests!(
        two_steps_match_reference,
        bad_grads_change_nothing,
        resume_is_bit_identical,
        rejects_a_state_with_buffers,
    );
}
