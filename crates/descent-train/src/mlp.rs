//! `Mlp`: a multilayer perceptron with the course's conventions — forward, cost, backward.

use descent_core::{Backend, Error, Result, Scalar, Trans, check_shape};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64;

use descent_core::elementwise::{update_with, zip_into};

use crate::dropout::Dropout;
use crate::model::{Activation, Init, MlpConfig, Output};
use crate::{Workspace, cost};

/// A dense network `Linear → activation → … → Linear → output`, generic over the backend.
///
/// Conventions of the course ("Improving Deep Neural Networks"):
/// - inputs `X` are (features, examples): one example per column;
/// - `W_l` is (n_l, n_{l-1}) and `b_l` is (n_l, 1), for `l = 1..L`; the parameters are stored
///   in the order `W1, b1, W2, b2, …` and named `"W1"`, `"b1"`, …;
/// - a batch's cost and gradients are means over its examples (`dW = (1/m)·dZ·A_prevᵀ`).
#[derive(Debug, Clone)]
pub struct Mlp<T: Scalar, B: Backend<T>> {
    layers: Vec<usize>,
    hidden: Activation,
    output: Output,
    params: Vec<B::Matrix>,
}

impl<T: Scalar, B: Backend<T>> Mlp<T, B> {
    /// A network with freshly drawn weights (He or Xavier, see [`Init`]) and zero biases.
    ///
    /// Weights are drawn from a PCG generator seeded with `config.seed`, layer by layer, each
    /// `W_l` in row-major order (as numpy fills `randn(n_l, n_{l-1})`).
    ///
    /// # Errors
    /// Whatever [`MlpConfig::validate`] rejects.
    pub fn new(config: &MlpConfig) -> Result<Self> {
        config.validate()?;
        let mut rng = Pcg64::seed_from_u64(config.seed);
        let mut params = Vec::with_capacity(2 * (config.layers.len() - 1));
        for w in config.layers.windows(2) {
            let (n_prev, n) = (w[0], w[1]);
            let gain = match config.init {
                Init::He => (2.0 / n_prev as f64).sqrt(),
                Init::Xavier => (1.0 / n_prev as f64).sqrt(),
            };
            let values: Vec<T> = (0..n * n_prev)
                .map(|_| {
                    let x: f64 = StandardNormal.sample(&mut rng);
                    T::from_f64(x * gain)
                })
                .collect();
            params.push(B::from_row_major(n, n_prev, &values)?);
            params.push(B::zeros(n, 1));
        }
        Ok(Self {
            layers: config.layers.clone(),
            hidden: config.hidden,
            output: config.output,
            params,
        })
    }

    /// A network with the given parameters `W1, b1, W2, b2, …`.
    ///
    /// # Errors
    /// What [`MlpConfig::validate`] rejects, and [`Error::ShapeMismatch`] when a parameter's
    /// shape does not follow from `config.layers` (`init` and `seed` are ignored).
    pub fn from_params(config: &MlpConfig, params: Vec<B::Matrix>) -> Result<Self> {
        config.validate()?;
        let n_layers = config.layers.len() - 1;
        if params.len() != 2 * n_layers {
            return Err(Error::InvalidArgument {
                op: "mlp",
                reason: format!(
                    "{} layers need {} parameters, got {}",
                    n_layers,
                    2 * n_layers,
                    params.len()
                ),
            });
        }
        for (l, w) in config.layers.windows(2).enumerate() {
            check_shape("mlp", (w[1], w[0]), B::shape(&params[2 * l]))?;
            check_shape("mlp", (w[1], 1), B::shape(&params[2 * l + 1]))?;
        }
        Ok(Self {
            layers: config.layers.clone(),
            hidden: config.hidden,
            output: config.output,
            params,
        })
    }

    /// Layer widths from input to output.
    #[must_use]
    pub fn layers(&self) -> &[usize] {
        &self.layers
    }

    /// The hidden activation.
    #[must_use]
    pub fn hidden(&self) -> Activation {
        self.hidden
    }

    /// The output kind.
    #[must_use]
    pub fn output(&self) -> Output {
        self.output
    }

    /// The number of layers `L` with parameters (3 for `[2, 5, 2, 1]`).
    #[must_use]
    pub fn n_layers(&self) -> usize {
        self.layers.len() - 1
    }

    /// The parameters `W1, b1, W2, b2, …`.
    #[must_use]
    pub fn params(&self) -> &[B::Matrix] {
        &self.params
    }

    /// The parameters, mutably (for optimizers).
    pub fn params_mut(&mut self) -> &mut [B::Matrix] {
        &mut self.params
    }

    /// The parameters' names in storage order: `W1, b1, W2, b2, …`.
    #[must_use]
    pub fn param_names(&self) -> Vec<String> {
        (1..=self.n_layers()).flat_map(|l| [format!("W{l}"), format!("b{l}")]).collect()
    }

    /// Zero-filled matrices shaped like the parameters, for gradients. Allocates.
    #[must_use]
    pub fn zeros_like_params(&self) -> Vec<B::Matrix> {
        self.params
            .iter()
            .map(|p| {
                let (r, c) = B::shape(p);
                B::zeros(r, c)
            })
            .collect()
    }

    /// Forward pass of the examples `x` (features × n) into `ws` (built for n examples).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `x` is not (input width × `ws.n_examples()`).
    pub fn forward(&self, x: &B::Matrix, ws: &mut Workspace<T, B>) -> Result<()> {
        self.forward_with(x, ws, None)
    }

    /// [`Mlp::forward`] with inverted dropout on the hidden layers whose masks `ws` holds
    /// (drawn by [`Dropout::draw`]): `dropped[l] = a[l]·mask[l]/keep` feeds layer `l + 1`.
    pub(crate) fn forward_with(
        &self,
        x: &B::Matrix,
        ws: &mut Workspace<T, B>,
        dropout: Option<&Dropout>,
    ) -> Result<()> {
        check_shape("forward", (self.layers[0], ws.n), B::shape(x))?;
        let last = self.n_layers() - 1;
        let keep = |l: usize| dropout.and_then(|d| d.keep(l));
        for l in 0..=last {
            let (a_prev, a_rest) = ws.a.split_at_mut(l);
            let input = match l {
                0 => x,
                _ if keep(l - 1).is_some() => &ws.dropped[l - 1],
                _ => &a_prev[l - 1],
            };
            let z = &mut ws.z[l];
            B::gemm(z, T::ONE, &self.params[2 * l], Trans::No, input, Trans::No, T::ZERO)?;
            B::add_col(z, &self.params[2 * l + 1])?;
            let a = &mut a_rest[0];
            match (l == last, self.hidden, self.output) {
                (false, Activation::Relu, _) => B::relu(a, z)?,
                (false, Activation::Tanh, _) => B::tanh(a, z)?,
                (true, _, Output::Sigmoid) => cost::sigmoid_output::<T, B>(a, z, &mut ws.softplus)?,
                (true, _, Output::Softmax) => B::softmax_cols(a, z)?,
                (true, _, Output::Linear) => B::copy(a, z)?,
            }
            if let Some(k) = keep(l) {
                let k = T::from_f64(k);
                zip_into::<T, B>("dropout", &mut ws.dropped[l], a, &ws.mask[l], |a, d| a * d / k)?;
            }
        }
        Ok(())
    }

    /// The cost of the last forward pass summed over its examples (not averaged), against
    /// targets `y` (n_L × n, encoded by [`Mlp::encode_target`]). Computed stably from the
    /// logits: never `log(0)`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `y` does not match the output.
    pub fn cost_sum(&self, ws: &Workspace<T, B>, y: &B::Matrix) -> Result<T> {
        check_shape("cost", B::shape(ws.output()), B::shape(y))?;
        Ok(cost::sum::<T, B>(self.output, ws.logits(), ws.output(), &ws.softplus, y, None))
    }

    /// [`Mlp::cost_sum`] with each example's cost multiplied by its weight: `Σ_j w_j·ℓ_j`.
    pub(crate) fn weighted_cost_sum(
        &self,
        ws: &Workspace<T, B>,
        y: &B::Matrix,
        weights: &[T],
    ) -> Result<T> {
        check_shape("cost", B::shape(ws.output()), B::shape(y))?;
        check_shape("cost", (ws.n, 1), (weights.len(), 1))?;
        let w = Some(weights);
        Ok(cost::sum::<T, B>(self.output, ws.logits(), ws.output(), &ws.softplus, y, w))
    }

    /// The number of examples of the last forward pass predicted correctly (0 for a linear
    /// output): sigmoid `a > 0.5`, softmax arg-max.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `y` does not match the output.
    pub fn count_correct(&self, ws: &Workspace<T, B>, y: &B::Matrix) -> Result<usize> {
        check_shape("accuracy", B::shape(ws.output()), B::shape(y))?;
        Ok(cost::count_correct::<T, B>(self.output, ws.output(), y))
    }

    /// Backward pass after [`Mlp::forward`] on the same `x`: writes the gradients of the mean
    /// cost over the batch into `grads` (shaped like the parameters).
    ///
    /// As the course: `dZ_L = (1/m)·(A_L - Y)` (for the linear output `(2/(m·n_L))·(A_L - Y)`),
    /// `dW_l = dZ_l·A_{l-1}ᵀ`, `db_l = Σ_columns dZ_l`, `dA_{l-1} = W_lᵀ·dZ_l`,
    /// `dZ_{l-1} = dA_{l-1} ⊙ g'(Z_{l-1})`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `x`, `y` or `grads` do not fit.
    pub fn backward(
        &self,
        x: &B::Matrix,
        y: &B::Matrix,
        ws: &mut Workspace<T, B>,
        grads: &mut [B::Matrix],
    ) -> Result<()> {
        self.backward_with(x, y, ws, grads, None, None)
    }

    /// [`Mlp::backward`] of the weighted mean cost `Σ_j w_j·ℓ_j / Σ_j w_j` when `weights` is
    /// `(w, Σ w)` (column `j` of `dZ_L` is scaled by `w_j / Σ w` instead of `1/m`), through
    /// the dropout masks of the last [`Mlp::forward_with`] (`dA_l ← dA_l·mask_l/keep`).
    pub(crate) fn backward_with(
        &self,
        x: &B::Matrix,
        y: &B::Matrix,
        ws: &mut Workspace<T, B>,
        grads: &mut [B::Matrix],
        weights: Option<(&[T], T)>,
        dropout: Option<&Dropout>,
    ) -> Result<()> {
        check_shape("backward", (self.layers[0], ws.n), B::shape(x))?;
        if grads.len() != self.params.len() {
            return Err(Error::InvalidArgument {
                op: "backward",
                reason: format!("{} gradients for {} parameters", grads.len(), self.params.len()),
            });
        }
        let last = self.n_layers() - 1;
        let inv_m = T::ONE / T::from_usize(ws.n);
        let scale = match self.output {
            Output::Linear => T::from_f64(2.0) * inv_m / T::from_usize(self.layers[last + 1]),
            Output::Sigmoid | Output::Softmax => inv_m,
        };
        match weights {
            None => zip_into::<T, B>("backward", &mut ws.dz[last], &ws.a[last], y, |a, y| {
                scale * (a - y)
            })?,
            Some((w, w_sum)) => {
                check_shape("backward", B::shape(&ws.a[last]), B::shape(y))?;
                check_shape("backward", (ws.n, 1), (w.len(), 1))?;
                let factor = match self.output {
                    Output::Linear => T::from_f64(2.0) / T::from_usize(self.layers[last + 1]),
                    Output::Sigmoid | Output::Softmax => T::ONE,
                };
                for (j, &w) in w.iter().enumerate() {
                    let s = factor * (w / w_sum);
                    let (a, y) = (B::col(&ws.a[last], j), B::col(y, j));
                    let dz = B::col_mut(&mut ws.dz[last], j);
                    dz.iter_mut().zip(a.iter().zip(y)).for_each(|(d, (&a, &y))| *d = s * (a - y));
                }
            }
        }
        let keep = |l: usize| dropout.and_then(|d| d.keep(l));
        for l in (0..=last).rev() {
            let input = match l {
                0 => x,
                _ if keep(l - 1).is_some() => &ws.dropped[l - 1],
                _ => &ws.a[l - 1],
            };
            let (dz_prev, dz_rest) = ws.dz.split_at_mut(l);
            let dz = &dz_rest[0];
            let (dw, db) = grads[2 * l..].split_at_mut(1);
            B::gemm(&mut dw[0], T::ONE, dz, Trans::No, input, Trans::Yes, T::ZERO)?;
            B::sum_cols(&mut db[0], T::ONE, dz, T::ZERO)?;
            if l > 0 {
                let da = &mut ws.da[l - 1];
                B::gemm(da, T::ONE, &self.params[2 * l], Trans::Yes, dz, Trans::No, T::ZERO)?;
                if let Some(k) = keep(l - 1) {
                    let k = T::from_f64(k);
                    update_with::<T, B>("dropout", da, &ws.mask[l - 1], |da, d| da * d / k)?;
                }
                match self.hidden {
                    Activation::Relu => B::relu_backward(&mut dz_prev[l - 1], da, &ws.z[l - 1])?,
                    Activation::Tanh => B::tanh_backward(&mut dz_prev[l - 1], da, &ws.a[l - 1])?,
                }
            }
        }
        Ok(())
    }

    /// Writes one example's target as an output column: 0/1 for sigmoid, one-hot for softmax,
    /// the values for linear.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the target is not a valid label for this output.
    pub fn encode_target(&self, target: &[T], col: &mut [T]) -> Result<()> {
        cost::encode_target(self.output, target, col)
    }
}
