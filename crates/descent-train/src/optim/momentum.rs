//! Gradient descent with momentum: an exponentially weighted average of the gradients.

use std::fmt;

use descent_core::{Backend, Optimizer, OptimizerState, Result, Scalar, elementwise};

use super::check_beta;
use super::state::Slots;

/// Settings of [`Momentum`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MomentumConfig {
    /// The decay `β` of the velocity, in `[0, 1)`. Default 0.9. `β = 0` is plain gradient
    /// descent, bit for bit.
    pub beta: f64,
    /// Use Nesterov's look-ahead update (see [`Momentum`]). Default `false`.
    pub nesterov: bool,
}

impl Default for MomentumConfig {
    fn default() -> Self {
        Self { beta: 0.9, nesterov: false }
    }
}

impl MomentumConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) (op `"momentum"`)
    /// when `beta` is outside `[0, 1)` or NaN.
    pub fn validate(&self) -> Result<()> {
        check_beta("momentum", "beta", self.beta)
    }

    /// The optimizer with these settings.
    ///
    /// # Errors
    /// As [`validate`](MomentumConfig::validate).
    pub fn build<T: Scalar, B: Backend<T>>(&self) -> Result<Momentum<T, B>> {
        Momentum::new(*self)
    }
}

/// Gradient descent with momentum, the course's `update_parameters_with_momentum`.
///
/// For every parameter `W` with gradient `g` and velocity `v` (zeros at first):
/// ```text
/// v = β·v + (1 - β)·g
/// W = W - lr·v
/// ```
/// With [`nesterov`](MomentumConfig::nesterov), the velocity is updated the same way and the
/// parameter moves along the look-ahead `β·v + (1 - β)·g` (with the new `v`):
/// ```text
/// v = β·v + (1 - β)·g
/// W = W - lr·(β·v + (1 - β)·g)
/// ```
/// This is Nesterov's accelerated gradient in the form of Bengio, Boulanger-Lewandowski and
/// Pascanu, "Advances in optimizing recurrent networks" (ICASSP 2013, eq. 7:
/// `θ ← θ + μ·v_t - ε·∇f`), with the course's averaged velocity (the gradient weighted
/// `1 - β`), as Dozat writes it for NAdam ("Incorporating Nesterov momentum into Adam", ICLR
/// 2016 workshop, without bias correction).
///
/// State: one velocity `"v"` per parameter. The default `β = 0.9` averages over about the
/// last 10 gradients. References: Polyak, "Some methods of speeding up the convergence of
/// iteration methods" (1964); Sutskever et al., "On the importance of initialization and
/// momentum in deep learning" (ICML 2013).
pub struct Momentum<T: Scalar, B: Backend<T>> {
    config: MomentumConfig,
    slots: Slots<T, B, 1>,
}

impl<T: Scalar, B: Backend<T>> Momentum<T, B> {
    /// Momentum with these settings and no state yet.
    ///
    /// # Errors
    /// As [`MomentumConfig::validate`].
    pub fn new(config: MomentumConfig) -> Result<Self> {
        config.validate()?;
        Ok(Self { config, slots: Slots::new(["v"]) })
    }

    /// The settings.
    pub fn config(&self) -> &MomentumConfig {
        &self.config
    }
}

impl<T: Scalar, B: Backend<T>> fmt::Debug for Momentum<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Momentum")
            .field("config", &self.config)
            .field("step", &self.slots.step)
            .finish_non_exhaustive()
    }
}

impl<T: Scalar, B: Backend<T>> Optimizer<T, B> for Momentum<T, B> {
    fn name(&self) -> &'static str {
        "momentum"
    }

    fn init(&mut self, params: &[B::Matrix]) -> Result<()> {
        self.slots.init(params);
        Ok(())
    }

    /// One momentum update of every parameter, fused: one pass over `W`, `v` and `g`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`](descent_core::Error::ShapeMismatch) when a gradient (or the
    /// state) differs in shape from its parameter,
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the counts differ;
    /// nothing is updated then.
    fn step(&mut self, params: &mut [B::Matrix], grads: &[B::Matrix], lr: T) -> Result<()> {
        self.slots.prepare("momentum", params, grads)?;
        self.slots.step += 1;
        let beta = T::from_f64(self.config.beta);
        let one_minus_beta = T::from_f64(1.0 - self.config.beta);
        let [velocities] = &mut self.slots.bufs;
        for ((p, v), g) in params.iter_mut().zip(velocities.iter_mut()).zip(grads) {
            if self.config.nesterov {
                elementwise::update2_with::<T, B>("momentum", p, v, g, |p, v, g| {
                    *v = beta * *v + one_minus_beta * g;
                    *p -= lr * (beta * *v + one_minus_beta * g);
                })?;
            } else {
                elementwise::update2_with::<T, B>("momentum", p, v, g, |p, v, g| {
                    *v = beta * *v + one_minus_beta * g;
                    *p -= lr * *v;
                })?;
            }
        }
        Ok(())
    }

    fn state(&self) -> OptimizerState<T> {
        self.slots.save()
    }

    /// Restores the step count and the velocities `"v"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](descent_core::Error::InvalidArgument) when the state is not
    /// one `"v"` per parameter, or its shapes differ from the parameters'.
    fn load_state(&mut self, state: &OptimizerState<T>) -> Result<()> {
        self.slots.load("momentum", state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::GradientDescent;
    use crate::optim::test_support::{
        G1, G2, LR1, LR2, assert_values, backend_tests, check_rejects_bad_grads,
        check_rejects_state, check_resume_is_bit_identical, slot_values, tiny_grads, tiny_params,
        values,
    };
    use descent_core::{Error, StateSlot};

    // Values from tests/fixtures/optim/reference.py (`momentum_*`, `nesterov_*`).
    const MOMENTUM_P: [f64; 3] = [0.500005, -0.9999100000000001, 0.2499999999955];
    const MOMENTUM_V: [f64; 3] = [-0.02099999999999999, 0.021999999999999995, -1.1e-09];
    const NESTEROV_P: [f64; 3] = [0.5000545, -0.999919, 0.24999999999595002];

    fn run<T: Scalar, B: Backend<T>>(config: MomentumConfig) -> (Vec<f64>, OptimizerState<T>) {
        let mut params = tiny_params::<T, B>();
        let mut opt = Momentum::<T, B>::new(config).unwrap();
        opt.init(&params).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G1), T::from_f64(LR1)).unwrap();
        opt.step(&mut params, &tiny_grads::<T, B>(G2), T::from_f64(LR2)).unwrap();
        (values::<T, B>(&params), opt.state())
    }

    fn two_steps_match_reference<T: Scalar, B: Backend<T>>() {
        let (p, state) = run::<T, B>(MomentumConfig::default());
        assert_values::<T>(&p, &MOMENTUM_P, 0.0, "momentum W");
        assert_values::<T>(&slot_values(&state, "v"), &MOMENTUM_V, 0.0, "momentum v");
        assert_eq!(state.step, 2);
        let (p, state) =
            run::<T, B>(MomentumConfig { nesterov: true, ..MomentumConfig::default() });
        assert_values::<T>(&p, &NESTEROV_P, 0.0, "nesterov W");
        assert_values::<T>(&slot_values(&state, "v"), &MOMENTUM_V, 0.0, "nesterov v");
    }

    /// `β = 0` is gradient descent bit for bit, with and without Nesterov, over many steps.
    fn beta_zero_is_gd_bit_for_bit<T: Scalar, B: Backend<T>>() {
        for nesterov in [false, true] {
            let mut gd_params = tiny_params::<T, B>();
            let mut m_params = tiny_params::<T, B>();
            let mut gd = GradientDescent::<T, B>::new();
            let mut m = Momentum::<T, B>::new(MomentumConfig { beta: 0.0, nesterov }).unwrap();
            for k in 0..20 {
                let x = f64::from(k) * 0.37;
                let g = tiny_grads::<T, B>([x.sin(), (1.3 * x).cos() * 1e3, -1e-7 * x]);
                let lr = T::from_f64(0.1 / (1.0 + x));
                gd.step(&mut gd_params, &g, lr).unwrap();
                m.step(&mut m_params, &g, lr).unwrap();
                assert_eq!(values::<T, B>(&m_params), values::<T, B>(&gd_params));
            }
        }
    }

    fn bad_grads_change_nothing<T: Scalar, B: Backend<T>>() {
        check_rejects_bad_grads::<T, B>(&mut Momentum::new(MomentumConfig::default()).unwrap());
    }

    fn resume_is_bit_identical<T: Scalar, B: Backend<T>>() {
        for nesterov in [false, true] {
            let config = MomentumConfig { nesterov, ..MomentumConfig::default() };
            check_resume_is_bit_identical::<T, B, _>(|| Momentum::new(config).unwrap());
        }
    }

    fn rejects_foreign_states<T: Scalar, B: Backend<T>>() {
        let slot = |name, param, shape: (usize, usize)| StateSlot {
            name,
            param,
            shape,
            data: vec![T::ZERO; shape.0 * shape.1],
        };
        let foreign = [
            // RMSProp's state: "s" instead of "v".
            OptimizerState { step: 1, slots: vec![slot("s", 0, (2, 1)), slot("s", 1, (1, 1))] },
            // Adam's state: two buffers per parameter.
            OptimizerState {
                step: 1,
                slots: vec![
                    slot("v", 0, (2, 1)),
                    slot("s", 0, (2, 1)),
                    slot("v", 1, (1, 1)),
                    slot("s", 1, (1, 1)),
                ],
            },
            // Wrong shape, and data that does not fill the shape.
            OptimizerState { step: 1, slots: vec![slot("v", 0, (1, 2)), slot("v", 1, (1, 1))] },
            OptimizerState {
                step: 1,
                slots: vec![
                    StateSlot { name: "v", param: 0, shape: (2, 1), data: vec![T::ZERO; 3] },
                    slot("v", 1, (1, 1)),
                ],
            },
            // A parameter missing.
            OptimizerState { step: 1, slots: vec![slot("v", 0, (2, 1))] },
        ];
        for state in &foreign {
            check_rejects_state::<T, B>(
                &mut Momentum::new(MomentumConfig::default()).unwrap(),
                state,
            );
        }
    }

    #[test]
    fn config_rejects_bad_beta() {
        for beta in [-0.1, 1.0, 1.5, f64::NAN, f64::INFINITY] {
            let err = MomentumConfig { beta, nesterov: false }.validate().unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "momentum", .. }), "{beta}: {err}");
            assert!(
                Momentum::<f64, descent_ndarray::Ndarray>::new(MomentumConfig {
                    beta,
                    nesterov: false
                })
                .is_err()
            );
        }
        assert!(MomentumConfig { beta: 0.0, nesterov: true }.validate().is_ok());
        assert_eq!(MomentumConfig::default(), MomentumConfig { beta: 0.9, nesterov: false });
    }

    backend_tests!(
        two_steps_match_reference,
        beta_zero_is_gd_bit_for_bit,
        bad_grads_change_nothing,
        resume_is_bit_identical,
        rejects_foreign_states,
    );
}
