//! RMSProp: each step divided by a running root mean square of the gradients.

use std::fmt;

use descent_core::{Backend, Optimizer, OptimizerState, Result, Scalar, elementwise};

use super::state::Slots;
use super::{check_beta, check_epsilon};

/// Settings of [`RmsProp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsPropConfig {
    /// The decay `β` of the average squared gradient, in `[0, 1)`. Default 0.9 (Hinton's
    /// lecture; PyTorch's default `alpha` is 0.99).
    pub beta: f64,
    /// `ε`, added to `√s` so that the division is safe; positive. Default 1e-8.
    pub epsilon: f64,
}

impl Default for RmsPropConfig {
    fn default() -> Self {
        Self { beta: 0.9, epsilon: 1e-8 }
    }
}

impl RmsPropConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"rmsprop"`) when
    /// `beta` is outside `[0, 1)` or `epsilon` is not a positive finite number.
    pub fn validate(&self) -> Result<()> {
        check_beta("rmsprop", "beta", self.beta)?;
        check_epsilon("rmsprop", self.epsilon)
    }

    /// The optimizer with these settings.
    ///
    /// # Errors
    /// As [`validate`](RmsPropConfig::validate).
    pub fn build<T: Scalar, B: Backend<T>>(&self) -> Result<RmsProp<T, B>> {
        RmsProp::new(*self)
    }
}

/// RMSProp (Tieleman and Hinton, "Neural networks for machine learning", lecture 6e, 2012),
/// as in the course's lectures (week 2).
///
/// For every parameter `W` with gradient `g` and average squared gradient `s` (zeros at
/// first):
/// ```text
/// s = β·s + (1 - β)·g²
/// W = W - lr·g / (√s + ε)
/// ```
/// evaluated in this order, without bias correction, with `ε` outside the square root (as
/// PyTorch's `torch.optim.RMSprop` with `alpha = β`, `centered=False`, `momentum=0`).
///
/// State: one `"s"` per parameter.
pub struct RmsProp<T: Scalar, B: Backend<T>> {
    config: RmsPropConfig,
    slots: Slots<T, B, 1>,
}

impl<T: Scalar, B: Backend<T>> RmsProp<T, B> {
    /// RMSProp with these settings and no state yet.
    ///
    /// # Errors
    /// As [`RmsPropConfig::validate`].
    pub fn new(config: RmsPropConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config, slots: Slots::new(["s"]) })
    }

    /// The settings.
    pub fn config(&self) -> &RmsPropConfig {
        &self.config
    }
}

impl<T: Scalar, B: Backend<T>> fmt::Debug for RmsProp<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RmsProp")
            .field("config", &self.config)
            .field("step", &self.slots.step)
            .finish_non_exhaustive()
    }
}

impl<T: Scalar, B: Backend<T>> Optimizer<T, B> for RmsProp<T, B> {
    fn name(&self) -> &'static str {
        "rmsprop"
    }

    fn init(&mut self, params: &[B::Matrix]) -> Result<()> {
        self.slots.init(params);
        Ok(())
    }

    /// One RMSProp update of every parameter, fused: one pass over `W`, `s` and `g`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](descent_core::Error::ShapeMismatch) when a gradient (or the
    /// state) differs in shape from its parameter,
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the counts differ;
    /// nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()> {
        self.slots.prepare("rmsprop", params, grads)?;
        self.slots.step += 1;
        let beta = T::from_f64(self.config.beta);
        let one_minus_beta = T::from_f64(1.0 - self.config.beta);
        let epsilon = T::from_f64(self.config.epsilon);
        let [squares] = &mut self.slots.bufs;
        for ((p, s), g) in params.iter_mut().zip(squares.iter_mut()).zip(grads) {
            elementwise::update2_with::<T, B>("rmsprop", p, s, g, |p, s, g| {
                *s = beta * *s + one_minus_beta * (g * g);
                *p -= lr * g / (s.sqrt() + epsilon);
            })?;
        }
        Ok(())
    }

    fn state(&self) -> OptimizerState<T> {
        self.slots.save()
    }

    /// Restores the step count and the averages `"s"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the state is not
    /// one `"s"` per parameter, or its shapes differ from the parameters'.
    fn load_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        self.slots.load("rmsprop", state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::test_support::{
        G1, G2, LR1, LR2, assert_values, backend_tests, check_rejects_bad_grads,
        check_rejects_state, check_resume_is_bit_identical, slot_values, tiny_grads, tiny_params,
        values,
    };
    use descent_core::Error;

    // Values from tests/fixtures/optim/reference.py (`rmsprop_*`).
    const RMSPROP_P: [f64; 3] = [0.48345279911204986, -0.9826629416636216, 0.2482848836746969];
    const RMSPROP_S: [f64; 3] = [0.009899999999999997, 0.0196, 4.8999999999999995e-17];

    fn two_steps_match_reference<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut opt = RmsProp::<T, B>::new(RmsPropConfig::default()).unwrap();
        opt.init(&params).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        let state = opt.state();
        assert_values::<T>(&values::<T, B>(&params), &RMSPROP_P, 0.0, "rmsprop W");
        assert_values::<T>(&slot_values(&state, "s"), &RMSPROP_S, 0.0, "rmsprop s");
        assert_eq!(state.step, 2);
    }

    fn bad_grads_change_nothing<T: Scalar, B: Backend<T>>() {
        check_rejects_bad_grads::<T, B>(&mut RmsProp::new(RmsPropConfig::default()).unwrap());
    }

    fn resume_is_bit_identical<T: Scalar, B: Backend<T>>() {
        check_resume_is_bit_identical::<T, B, _>(|| {
            RmsProp::new(RmsPropConfig::default()).unwrap()
        });
    }

    fn rejects_an_adam_state<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut adam = crate::optim::Adam::<T, B>::new(Default::default()).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        let mut rmsprop = RmsProp::new(RmsPropConfig::default()).unwrap();
        check_rejects_state::<T, B>(&mut rmsprop, &adam.state());
    }

    #[test]
    fn config_rejects_bad_values() {
        let d = RmsPropConfig::default();
        for config in [
            RmsPropConfig { beta: 1.0, ..d },
            RmsPropConfig { beta: -1e-3, ..d },
            RmsPropConfig { epsilon: 0.0, ..d },
            RmsPropConfig { epsilon: f64::NAN, ..d },
        ] {
            let err = config.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "rmsprop", .. }), "{err}");
            assert!(config.build::<f64, descent_ndarray::Ndarray>().is_err());
        }
        assert_eq!(d, RmsPropConfig { beta: 0.9, epsilon: 1e-8 });
    }

    backend_tests!(
        two_steps_match_reference,
        bad_grads_change_nothing,
        resume_is_bit_identical,
        rejects_an_adam_state,
    );
}
