//! AdamW: Adam with decoupled weight decay, as PyTorch's `torch.optim.AdamW`.

use std::fmt;

use descent_core::{Backend, Optimizer, OptimizerState, Result, Scalar, elementwise};

use super::adam::{AdamKernel, check_adam};
use super::check_weight_decay;
use super::state::Slots;
use crate::optim::AdamConfig;

/// Settings of [`AdamW`]; the defaults are PyTorch's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamWConfig {
    /// The decay `β1` of the first moment, in `[0, 1)`. Default 0.9.
    pub beta1: f64,
    /// The decay `β2` of the second moment, in `[0, 1)`. Default 0.999.
    pub beta2: f64,
    /// `ε`, added to `√ŝ`; positive. Default 1e-8.
    pub epsilon: f64,
    /// The decoupled weight decay `λ`, non-negative. Default 0.01 (as PyTorch).
    pub weight_decay: f64,
}

impl Default for AdamWConfig {
    fn default() -> Self {
        Self { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.01 }
    }
}

impl AdamWConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"adamw"`) when
    /// `beta1` or `beta2` is outside `[0, 1)`, `epsilon` is not a positive finite number, or
    /// `weight_decay` is negative, infinite or NaN.
    pub fn validate(&self) -> Result<()> {
        check_adam("adamw", self.beta1, self.beta2, self.epsilon)?;
        check_weight_decay("adamw", self.weight_decay)
    }

    /// The optimizer with these settings.
    ///
    /// # Errors
    /// As [`validate`](AdamWConfig::validate).
    pub fn build<T: Scalar, B: Backend<T>>(&self) -> Result<AdamW<T, B>> {
        AdamW::new(*self)
    }

    fn adam(&self) -> AdamConfig {
        AdamConfig { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon }
    }
}

/// AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization", ICLR 2019), the
/// algorithm of PyTorch's `torch.optim.AdamW` (with `amsgrad=False`).
///
/// Every parameter, biases included, first decays at the current learning rate, then takes
/// the [`Adam`](super::Adam) step:
/// ```text
/// W = W·(1 - lr·λ)          (PyTorch's `param.mul_(1 - lr * weight_decay)`)
/// v = β1·v + (1 - β1)·g
/// v̂ = v / (1 - β1^t)
/// s = β2·s + (1 - β2)·g²
/// ŝ = s / (1 - β2^t)
/// W = W - lr·v̂ / (√ŝ + ε)
/// ```
/// The decay factor `1 - lr·λ` is computed in `f64` once per step. The Adam part is
/// evaluated in the course's order, like [`Adam`](super::Adam), so results differ from
/// PyTorch's in the last bits only. Unlike L2 regularisation (adding `λ·W` to the gradient),
/// the decay is not scaled by `1/(√ŝ + ε)`. With `λ = 0` this is Adam, bit for bit.
///
/// State: `"v"` and `"s"` per parameter, and the step count `t`, as Adam (so an Adam state
/// loads into AdamW and back).
pub struct AdamW<T: Scalar, B: Backend<T>> {
    config: AdamWConfig,
    slots: Slots<T, B, 2>,
}

impl<T: Scalar, B: Backend<T>> AdamW<T, B> {
    /// AdamW with these settings and no state yet.
    ///
    /// # Errors
    /// As [`AdamWConfig::validate`].
    pub fn new(config: AdamWConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config, slots: Slots::new(["v", "s"]) })
    }

    /// The settings.
    pub fn config(&self) -> &AdamWConfig {
        &self.config
    }
}

impl<T: Scalar, B: Backend<T>> fmt::Debug for AdamW<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdamW")
            .field("config", &self.config)
            .field("step", &self.slots.step)
            .finish_non_exhaustive()
    }
}

impl<T: Scalar, B: Backend<T>> Optimizer<T, B> for AdamW<T, B> {
    fn name(&self) -> &'static str {
        "adamw"
    }

    fn init(&mut self, params: &[B::Matrix]) -> Result<()> {
        self.slots.init(params);
        Ok(())
    }

    /// One AdamW update of every parameter, fused: one pass over `W`, `v`, `s` and `g`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](descent_core::Error::ShapeMismatch) when a gradient (or the
    /// state) differs in shape from its parameter,
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the counts differ;
    /// nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()> {
        self.slots.prepare("adamw", params, grads)?;
        self.slots.step += 1;
        let k = AdamKernel::<T>::new(&self.config.adam(), self.slots.step);
        let decay = T::from_f64(1.0 - lr.to_f64() * self.config.weight_decay);
        let [v, s] = &mut self.slots.bufs;
        for (((p, v), s), g) in params.iter_mut().zip(v.iter_mut()).zip(s.iter_mut()).zip(grads) {
            elementwise::update3_with::<T, B>("adamw", p, v, s, g, |p, v, s, g| {
                *p *= decay;
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
        self.slots.load("adamw", state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Adam;
    use crate::optim::test_support::{
        G1, G2, LR1, LR2, assert_values, backend_tests, check_rejects_bad_grads,
        check_rejects_state, check_resume_is_bit_identical, slot_values, tiny_grads, tiny_params,
        values,
    };
    use descent_core::Error;

    // Values from tests/fixtures/optim/reference.py: its mirror of PyTorch 2.15's
    // `_single_tensor_adam` with `decoupled_weight_decay=True` (what `torch.optim.AdamW` runs).
    const TORCH_P: [f64; 3] = [0.4923964525559532, -0.9916810230772769, 0.24608414415363083];
    const TORCH_V: [f64; 3] = [-0.020999999999999994, 0.022, -1.0999999999999995e-09];
    const TORCH_S: [f64; 3] =
        [9.999000000000008e-05, 0.00019996000000000022, 4.999000000000005e-19];
    const TORCH_WD05_P: [f64; 3] = [0.4887522000535032, -0.9843680180760519, 0.24426201790363083];

    fn run<T: Scalar, B: Backend<T>>(weight_decay: f64) -> (Vec<f64>, OptimizerState<T>) {
        let mut params = tiny_params::<T, B>();
        let config = AdamWConfig { weight_decay, ..AdamWConfig::default() };
        let mut opt = AdamW::<T, B>::new(config).unwrap();
        opt.init(&params).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        (values::<T, B>(&params), opt.state())
    }

    /// Two steps agree with PyTorch's algorithm to the last bits (the Adam part is evaluated
    /// in another order), for the default λ and a large one that dominates the update.
    fn two_steps_match_torch<T: Scalar, B: Backend<T>>() {
        let (p, state) = run::<T, B>(0.01);
        assert_values::<T>(&p, &TORCH_P, 1e-15, "adamw W");
        assert_values::<T>(&slot_values(&state, "v"), &TORCH_V, 1e-17, "adamw v");
        assert_values::<T>(&slot_values(&state, "s"), &TORCH_S, 1e-19, "adamw s");
        assert_eq!(state.step, 2);
        let (p, _) = run::<T, B>(0.5);
        assert_values::<T>(&p, &TORCH_WD05_P, 1e-15, "adamw λ = 0.5 W");
    }

    /// With λ = 0, AdamW is Adam bit for bit.
    fn zero_decay_is_adam<T: Scalar, B: Backend<T>>() {
        let (p, state) = run::<T, B>(0.0);
        let mut params = tiny_params::<T, B>();
        let mut adam = Adam::<T, B>::new(AdamConfig::default()).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        adam.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        assert_eq!(p, values::<T, B>(&params));
        assert_eq!(state, adam.state());
    }

    fn bad_grads_change_nothing<T: Scalar, B: Backend<T>>() {
        check_rejects_bad_grads::<T, B>(&mut AdamW::new(AdamWConfig::default()).unwrap());
    }

    fn resume_is_bit_identical<T: Scalar, B: Backend<T>>() {
        check_resume_is_bit_identical::<T, B, _>(|| AdamW::new(AdamWConfig::default()).unwrap());
    }

    fn rejects_a_momentum_state<T: Scalar, B: Backend<T>>() {
        let mut params = tiny_params::<T, B>();
        let mut momentum = crate::optim::Momentum::<T, B>::new(Default::default()).unwrap();
        momentum.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        let mut adamw = AdamW::new(AdamWConfig::default()).unwrap();
        check_rejects_state::<T, B>(&mut adamw, &momentum.state());
    }

    #[test]
    fn config_rejects_bad_values() {
        let d = AdamWConfig::default();
        let bad = [
            AdamWConfig { beta1: 1.0, ..d },
            AdamWConfig { beta2: -0.1, ..d },
            AdamWConfig { epsilon: 0.0, ..d },
            AdamWConfig { weight_decay: -0.01, ..d },
            AdamWConfig { weight_decay: f64::NAN, ..d },
            AdamWConfig { weight_decay: f64::INFINITY, ..d },
        ];
        for config in bad {
            let err = config.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "adamw", .. }), "{config:?}: {err}");
            assert!(config.build::<f64, descent_ndarray::Ndarray>().is_err());
        }
        assert!(AdamWConfig { weight_decay: 0.0, ..d }.validate().is_ok());
        assert_eq!(d, AdamWConfig { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0.01 });
    }

    backend_tests!(
        two_steps_match_torch,
        zero_decay_is_adam,
        bad_grads_change_nothing,
        resume_is_bit_identical,
        rejects_a_momentum_state,
    );
}
