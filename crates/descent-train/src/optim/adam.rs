//! Adam: momentum and RMSProp combined, with bias correction.

use std::fmt;

use descent_core::{Backend, Optimizer, OptimizerState, Result, Scalar, elementwise};

use super::state::Slots;
use super::{check_beta, check_epsilon};

/// Settings of [`Adam`]; the defaults are the paper's and the course's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// The decay `β1` of the first moment (the average gradient), in `[0, 1)`. Default 0.9.
    pub beta1: f64,
    /// The decay `β2` of the second moment (the average squared gradient), in `[0, 1)`.
    /// Default 0.999.
    pub beta2: f64,
    /// `ε`, added to `√ŝ` so that the division is safe; positive. Default 1e-8.
    pub epsilon: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

impl AdamConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"adam"`) when
    /// `beta1` or `beta2` is outside `[0, 1)` or `epsilon` is not a positive finite number.
    pub fn validate(&self) -> Result<()> {
        check_adam("adam", self.beta1, self.beta2, self.epsilon)
    }

    /// The optimizer with these settings.
    ///
    /// # Errors
    /// As [`validate`](AdamConfig::validate).
    pub fn build<T: Scalar, B: Backend<T>>(&self) -> Result<Adam<T, B>> {
        Adam::new(*self)
    }
}

/// Adam (Kingma and Ba, "Adam: A method for stochastic optimization", ICLR 2015), the
/// course's `update_parameters_with_adam`.
///
/// For every parameter `W` with gradient `g`, first moment `v` and second moment `s` (zeros
/// at first), at update number `t` (counting from 1, across epochs):
/// ```text
/// v = β1·v + (1 - β1)·g
/// v̂ = v / (1 - β1^t)
/// s = β2·s + (1 - β2)·g²
/// ŝ = s / (1 - β2^t)
/// W = W - lr·v̂ / (√ŝ + ε)
/// ```
/// evaluated in this order, element by element, as the course's numpy code does (so in `f64`
/// the results match it bit for bit). `1 - β` and the bias corrections `1 - β^t` are computed
/// in `f64` once per step. PyTorch's `torch.optim.Adam` computes the same update in another
/// order (`lr/(1 - β1^t)·v / (√s/√(1 - β2^t) + ε)`), which differs in the last bits.
///
/// State: `"v"` and `"s"` per parameter, and the step count `t`.
pub struct Adam<T: Scalar, B: Backend<T>> {
    config: AdamConfig,
    slots: Slots<T, B, 2>,
}

impl<T: Scalar, B: Backend<T>> Adam<T, B> {
    /// Adam with these settings and no state yet.
    ///
    /// # Errors
    /// As [`AdamConfig::validate`].
    pub fn new(config: AdamConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config, slots: Slots::new(["v", "s"]) })
    }

    /// The settings.
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }
}

impl<T: Scalar, B: Backend<T>> fmt::Debug for Adam<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adam")
            .field("config", &self.config)
            .field("step", &self.slots.step)
            .finish_non_exhaustive()
    }
}

impl<T: Scalar, B: Backend<T>> Optimizer<T, B> for Adam<T, B> {
    fn name(&self) -> &'static str {
        "adam"
    }

    fn init(&mut self, params: &[B::Matrix]) -> Result<()> {
        self.slots.init(params);
        Ok(())
    }

    /// One Adam update of every parameter, fused: one pass over `W`, `v`, `s` and `g`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](descent_core::Error::ShapeMismatch) when a gradient (or the
    /// state) differs in shape from its parameter,
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the counts differ;
    /// nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()> {
        self.slots.prepare("adam", params, grads)?;
        self.slots.step += 1;
        let k = AdamKernel::<T>::new(&self.config, self.slots.step);
        let [v, s] = &mut self.slots.bufs;
        for (((p, v), s), g) in params.iter_mut().zip(v.iter_mut()).zip(s.iter_mut()).zip(grads) {
            elementwise::update3_with::<T, B>("adam", p, v, s, g, |p, v, s, g| {
                k.update(p, v, s, g, lr);
            })?;
        }
        Ok(())
    }

    fn state(&self) -> OptimizerState<T> {
        self.slots.save()
    }

    /// Restores the step count `t` and the moments `"v"` and `"s"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the state is not
    /// `"v"`, `"s"` per parameter, or its shapes differ from the parameters'.
    fn load_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        self.slots.load("adam", state)
    }
}

/// Checks Adam's (and AdamW's) `β1`, `β2` and `ε` for `op`.
pub(crate) fn check_adam(op: &'static str, beta1: f64, beta2: f64, epsilon: f64) -> Result<()> {
    check_beta(op, "beta1", beta1)?;
    check_beta(op, "beta2", beta2)?;
    check_epsilon(op, epsilon)
}

/// Adam's constants for update number `t`, in the training dtype: the element update shared
/// by [`Adam`] and [`AdamW`](super::AdamW).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AdamKernel<T> {
    beta1: T,
    one_minus_beta1: T,
    beta2: T,
    one_minus_beta2: T,
    /// `1 - β1^t`.
    correction1: T,
    /// `1 - β2^t`.
    correction2: T,
    epsilon: T,
}

impl<T: Scalar> AdamKernel<T> {
    /// The constants of update `t ≥ 1`, computed in `f64` and converted once.
    pub(crate) fn new(config: &AdamConfig, t: u64) -> Self {
        let AdamConfig { beta1, beta2, epsilon } = *config;
        // `powf` is C's `pow`, as Python's `beta1**t`; exact in `t` up to 2^53 updates.
        let t = t as f64;
        Self {
            beta1: T::from_f64(beta1),
            one_minus_beta1: T::from_f64(1.0 - beta1),
            beta2: T::from_f64(beta2),
            one_minus_beta2: T::from_f64(1.0 - beta2),
            correction1: T::from_f64(1.0 - beta1.powf(t)),
            correction2: T::from_f64(1.0 - beta2.powf(t)),
            epsilon: T::from_f64(epsilon),
        }
    }

    /// Updates one element: the moments `v`, `s` and the parameter `p`, in the course's order.
    #[inline(always)]
    pub(crate) fn update(&self, p: &mut T, v: &mut T, s: &mut T, g: T, lr: T) {
        *v = self.beta1 * *v + self.one_minus_beta1 * g;
        let v_hat = *v / self.correction1;
        *s = self.beta2 * *s + self.one_minus_beta2 * (g * g);
        let s_hat = *s / self.correction2;
        *p -= lr * v_hat / (s_hat.sqrt() + self.epsilon);
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
    use descent_core::{Error, StateSlot};

    // Values from tests/fixtures/optim/reference.py: the course's formula (`adam_t1_*` after
    // one step, `adam_t2_*` after two), and the mirror of PyTorch 2.15's `_single_tensor_adam`
    // (`adam_torch_p`).
    const T1_P: [f64; 3] = [0.4900000009999999, -0.9900000004999999, 0.245];
    const T1_V: [f64; 3] = [0.009999999999999998, -0.019999999999999997, 9.999999999999999e-10];
    const T1_S: [f64; 3] = [1.0000000000000011e-05, 4.0000000000000044e-05, 1.0000000000000009e-19];
    const T2_P: [f64; 3] = [0.4924709500560032, -0.9918305180773018, 0.24612139290363083];
    const T2_V: [f64; 3] = [-0.02099999999999999, 0.021999999999999995, -1.1e-09];
    const T2_S: [f64; 3] = [9.999000000000008e-05, 0.00019996000000000022, 4.999000000000005e-19];
    const TORCH_P: [f64; 3] = [0.4924709500560032, -0.9918305180773019, 0.24612139290363083];

    /// The bias correction at t = 1 makes the first step exactly `lr·g/(|g| + ε)`: about `lr`
    /// against the gradient for the weights, and half of it for the bias whose gradient is
    /// `ε`.
    fn steps_match_reference_with_bias_correction<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut adam = Adam::<T, B>::new(AdamConfig::default()).unwrap();
        adam.init(&params).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        let state = adam.state();
        assert_eq!(state.step, 1);
        assert_values::<T>(&values::<T, B>(&params), &T1_P, 0.0, "adam t=1 W");
        assert_values::<T>(&slot_values(&state, "v"), &T1_V, 0.0, "adam t=1 v");
        assert_values::<T>(&slot_values(&state, "s"), &T1_S, 0.0, "adam t=1 s");

        adam.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        let state = adam.state();
        assert_eq!(state.step, 2);
        let p = values::<T, B>(&params);
        assert_values::<T>(&p, &T2_P, 0.0, "adam t=2 W");
        assert_values::<T>(&slot_values(&state, "v"), &T2_V, 0.0, "adam t=2 v");
        assert_values::<T>(&slot_values(&state, "s"), &T2_S, 0.0, "adam t=2 s");
        // PyTorch's evaluation order agrees to rounding.
        assert_values::<T>(&p, &TORCH_P, 1e-15, "adam vs torch");
    }

    /// Without `init`, the first step allocates the moments; `t` carries on across calls.
    fn lazy_state_matches_init<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut adam = Adam::<T, B>::new(AdamConfig::default()).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        assert_values::<T>(&values::<T, B>(&params), &T2_P, 0.0, "lazy adam");
        // `init` resets the moments and `t`.
        adam.init(&params).unwrap();
        let state = adam.state();
        assert_eq!(state.step, 0);
        assert!(state.slots.iter().all(|s| s.data.iter().all(|&x| x == T::ZERO)));
    }

    fn bad_grads_change_nothing<T: Scalar, B: Backend<T>>() {
        check_rejects_bad_grads::<T, B>(&mut Adam::new(AdamConfig::default()).unwrap());
    }

    fn resume_is_bit_identical<T: Scalar, B: Backend<T>>() {
        check_resume_is_bit_identical::<T, B, _>(|| Adam::new(AdamConfig::default()).unwrap());
    }

    fn rejects_foreign_states<T: Scalar, B: Backend<T>>() {
        let slot = |name, param, shape: (usize, usize)| StateSlot {
            name,
            param,
            shape,
            data: vec![T::ZERO; shape.0 * shape.1],
        };
        let foreign = [
            // Momentum's state: "v" only.
            OptimizerState { step: 1, slots: vec![slot("v", 0, (2, 1)), slot("v", 1, (1, 1))] },
            // The buffers in another order.
            OptimizerState {
                step: 1,
                slots: vec![
                    slot("s", 0, (2, 1)),
                    slot("v", 0, (2, 1)),
                    slot("v", 1, (1, 1)),
                    slot("s", 1, (1, 1)),
                ],
            },
            // "s" shaped unlike its parameter.
            OptimizerState {
                step: 1,
                slots: vec![
                    slot("v", 0, (2, 1)),
                    slot("s", 0, (1, 2)),
                    slot("v", 1, (1, 1)),
                    slot("s", 1, (1, 1)),
                ],
            },
            // Gradient descent's state.
            OptimizerState { step: 1, slots: Vec::new() },
        ];
        for state in &foreign {
            check_rejects_state::<T, B>(&mut Adam::new(AdamConfig::default()).unwrap(), state);
        }
    }

    #[test]
    fn config_rejects_bad_values() {
        let d = AdamConfig::default();
        let bad = [
            AdamConfig { beta1: 1.0, ..d },
            AdamConfig { beta1: -0.5, ..d },
            AdamConfig { beta2: 1.0, ..d },
            AdamConfig { beta2: f64::NAN, ..d },
            AdamConfig { epsilon: 0.0, ..d },
            AdamConfig { epsilon: -1e-8, ..d },
            AdamConfig { epsilon: f64::INFINITY, ..d },
        ];
        for config in bad {
            let err = config.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "adam", .. }), "{config:?}: {err}");
            assert!(config.build::<f32, descent_ndarray::Ndarray>().is_err());
        }
        assert!(AdamConfig { beta1: 0.0, beta2: 0.0, ..d }.validate().is_ok());
        assert_eq!(d, AdamConfig { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    }

    backend_tests!(
        steps_match_reference_with_bias_correction,
        lazy_state_matches_init,
        bad_grads_change_nothing,
        resume_is_bit_identical,
        rejects_foreign_states,
    );
}
