//! `Workspace`: the buffers of one forward and backward pass, allocated once per batch size.

use descent_core::{Backend, Scalar};

/// Every intermediate of a forward and backward pass over `n` examples, reused from batch to
/// batch so that a steady-state training step allocates nothing.
///
/// For layer `l` (0-based, `L` layers): `z[l]` and `a[l]` are `n_{l+1} × n` (pre-activation
/// and activation; `a[L-1]` holds the network's output), `dz[l]` likewise, `da[l]` exists
/// for the hidden layers only. `softplus` is `ln(1 + e^{-|z|})` of the output logits, the
/// stable part of the binary cross-entropy (sigmoid output only). With dropout, `mask[l]`
/// (0 or 1) and `dropped[l] = a[l]·mask[l]/keep` exist for the hidden layers: `dropped[l]`
/// is then the next layer's input, and `a[l]` keeps the activation for the derivative.
#[derive(Debug, Clone)]
pub struct Workspace<T: Scalar, B: Backend<T>> {
    pub(crate) n: usize,
    pub(crate) z: Vec<B::Matrix>,
    pub(crate) a: Vec<B::Matrix>,
    pub(crate) dz: Vec<B::Matrix>,
    pub(crate) da: Vec<B::Matrix>,
    pub(crate) softplus: Vec<T>,
    pub(crate) mask: Vec<B::Matrix>,
    pub(crate) dropped: Vec<B::Matrix>,
}

impl<T: Scalar, B: Backend<T>> Workspace<T, B> {
    /// Allocates the buffers for a network with widths `layers` and batches of `n` examples.
    #[must_use]
    pub fn new(layers: &[usize], n: usize) -> Self {
        let hidden_and_out = &layers[1..];
        let alloc = |widths: &[usize]| widths.iter().map(|&w| B::zeros(w, n)).collect::<Vec<_>>();
        Self {
            n,
            z: alloc(hidden_and_out),
            a: alloc(hidden_and_out),
            dz: alloc(hidden_and_out),
            da: alloc(&hidden_and_out[..hidden_and_out.len() - 1]),
            softplus: vec![T::ZERO; layers[layers.len() - 1] * n],
            mask: Vec::new(),
            dropped: Vec::new(),
        }
    }

    /// Allocates the dropout buffers (a mask and the dropped activations of every hidden
    /// layer), once.
    pub(crate) fn enable_dropout(&mut self) {
        if self.mask.is_empty() {
            let hidden = &self.da;
            let alloc = || hidden.iter().map(|m| B::zeros(B::shape(m).0, self.n)).collect();
            self.mask = alloc();
            self.dropped = alloc();
        }
    }

    /// The number of examples the buffers hold.
    #[must_use]
    pub fn n_examples(&self) -> usize {
        self.n
    }

    /// The output of the last forward pass (`n_L × n`): probabilities or values.
    #[must_use]
    pub fn output(&self) -> &B::Matrix {
        &self.a[self.a.len() - 1]
    }

    /// The output layer's pre-activation of the last forward pass (`n_L × n`): the logits.
    #[must_use]
    pub fn logits(&self) -> &B::Matrix {
        &self.z[self.z.len() - 1]
    }
}
