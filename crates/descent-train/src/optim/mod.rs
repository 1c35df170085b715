//! Optimizers: gd, momentum, Adam, RMSProp and AdamW over any backend, and gradient clipping.
//!
//! Every optimizer implements [`Optimizer`](descent_core::Optimizer) for every
//! `T: Scalar, B: Backend<T>`. Each is built from a `*Config` with documented defaults
//! ([`MomentumConfig`], [`AdamConfig`], [`RmsPropConfig`], [`AdamWConfig`]) whose `validate`
//! rejects bad hyper-parameters with [`Error::InvalidArgument`](descent_core::Error) before
//! training starts; [`OptimizerConfig`] picks one by name for front ends.
//!
//! The updates follow the course "Improving Deep Neural Networks" (week 2) in its order of
//! evaluation, one fused pass per parameter (`descent_core::elementwise::update2_with` /
//! `update3_with`); state buffers (velocities, moments) are allocated once and reused, so a
//! step allocates nothing. `step` checks every gradient against its parameter before touching
//! anything: on an error nothing is updated.
//!
//! Hyper-parameters are `f64`, like the Python floats of the course; they are converted to
//! the training dtype once per step (after computing `1 - β` and the bias corrections in
//! `f64`).
//!
//! # Example
//! ```
//! use descent_core::{Backend, Optimizer};
//! use descent_ndarray::Ndarray;
//! use descent_train::optim::{Adam, AdamConfig};
//!
//! # fn main() -> descent_core::Result<()> {
//! type B = Ndarray;
//! let mut params = vec![<B as Backend<f64>>::from_col_major(2, 1, &[0.5, -1.0])?];
//! let grads = vec![<B as Backend<f64>>::from_col_major(2, 1, &[0.1, -0.2])?];
//! let mut adam = Adam::<f64, B>::new(AdamConfig::default())?;
//! adam.init(&params)?;
//! adam.step(&mut params, &grads, 0.01)?;
//! // The first bias-corrected Adam step moves each weight by about lr against its gradient.
//! let w = <B as Backend<f64>>::to_col_major(&params[0]);
//! assert!((w[0] - 0.49).abs() < 1e-8 && (w[1] + 0.99).abs() < 1e-8);
//! # Ok(()) }
//! ```

mod adam;
mod adamw;
mod clip;
mod config;
mod gd;
mod momentum;
mod rmsprop;
mod state;
#[cfg(test)]
mod test_support;

pub use adam::{Adam, AdamConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use clip::clip_by_global_norm;
pub use config::OptimizerConfig;
pub use gd::GradientDescent;
pub use momentum::{Momentum, MomentumConfig};
pub use rmsprop::{RmsProp, RmsPropConfig};

use descent_core::{Error, Result};

/// Checks that a decay rate `β` of `op` is a number in `[0, 1)`.
fn check_beta(op: &'static str, name: &str, beta: f64) -> Result<()> {
    if (0.0..1.0).contains(&beta) {
        Ok(())
    } else {
        Err(Error::InvalidArgument { op, reason: format!("{name} must be in [0, 1), got {beta}") })
    }
}

/// Checks that `ε` of `op` is a positive finite number.
fn check_epsilon(op: &'static str, epsilon: f64) -> Result<()> {
    if epsilon > 0.0 && epsilon.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            reason: format!("epsilon must be a positive finite number, got {epsilon}"),
        })
    }
}

/// Checks that a weight decay `λ` of `op` is a non-negative finite number.
fn check_weight_decay(op: &'static str, weight_decay: f64) -> Result<()> {
    if weight_decay >= 0.0 && weight_decay.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            reason: format!(
                "weight decay must be a non-negative finite number, got {weight_decay}"
            ),
        })
    }
}
