//! Named per-parameter state buffers shared by the optimizers: allocation, checks, save, load.

use descent_core::{Backend, Error, OptimizerState, Result, Scalar, StateSlot, check_shape};

/// Checks that there is one gradient per parameter, shaped like it.
///
/// # Errors
/// [`Error::InvalidArgument`] when the counts differ; [`Error::ShapeMismatch`] naming `op`
/// for the first gradient whose shape differs from its parameter's.
pub(crate) fn check_grads<T: Scalar, B: Backend<T>>(
    op: &'static str,
    params: &[B::Matrix],
    grads: &[B::Matrix],
) -> Result<()> {
    if params.len() != grads.len() {
        return Err(Error::InvalidArgument {
            op,
            reason: format!("{} parameters but {} gradients", params.len(), grads.len()),
        });
    }
    for (p, g) in params.iter().zip(grads) {
        check_shape(op, B::shape(p), B::shape(g))?;
    }
    Ok(())
}

/// `N` named buffers per parameter and the number of updates applied so far.
///
/// `bufs[k][i]` is buffer `names[k]` of parameter `i`, shaped like that parameter. The
/// buffers are allocated by [`init`](Slots::init), or by the first [`prepare`](Slots::prepare)
/// when `init` was never called, and reused by every later step.
pub(crate) struct Slots<T: Scalar, B: Backend<T>, const N: usize> {
    names: [&'static str; N],
    pub(crate) bufs: [Vec<B::Matrix>; N],
    /// The number of updates applied (Adam's `t` after the step that made it).
    pub(crate) step: u64,
    /// `true` once the buffers have been allocated for a list of parameters.
    ready: bool,
}

impl<T: Scalar, B: Backend<T>, const N: usize> Slots<T, B, N> {
    /// No buffers yet, step 0.
    pub(crate) fn new(names: [&'static str; N]) -> Self {
        Self { names, bufs: std::array::from_fn(|_| Vec::new()), step: 0, ready: false }
    }

    /// Allocates zero buffers shaped like `params` and resets the step count.
    pub(crate) fn init(&mut self, params: &[B::Matrix]) {
        for bufs in &mut self.bufs {
            bufs.clear();
            bufs.extend(params.iter().map(|p| {
                let (rows, cols) = B::shape(p);
                B::zeros(rows, cols)
            }));
        }
        self.step = 0;
        self.ready = true;
    }

    /// Checks `grads` and the buffers against `params` before a step, allocating the buffers
    /// (zeros) when this is the first step and `init` was never called.
    ///
    /// # Errors
    /// As [`check_grads`], and [`Error::InvalidArgument`] / [`Error::ShapeMismatch`] when the
    /// buffers were allocated for other parameters. Nothing is changed on an error.
    pub(crate) fn prepare(
        &mut self,
        op: &'static str,
        params: &[B::Matrix],
        grads: &[B::Matrix],
    ) -> Result<()> {
        check_grads::<T, B>(op, params, grads)?;
        if !self.ready {
            self.init(params);
            return Ok(());
        }
        for bufs in &self.bufs {
            if bufs.len() != params.len() {
                return Err(Error::InvalidArgument {
                    op,
                    reason: format!(
                        "state holds {} parameters but the step got {}",
                        bufs.len(),
                        params.len()
                    ),
                });
            }
            for (b, p) in bufs.iter().zip(params) {
                check_shape(op, B::shape(b), B::shape(p))?;
            }
        }
        Ok(())
    }

    /// A copy of the step count and buffers: for each parameter in order, its `N` buffers in
    /// the order of `names`. Allocates.
    pub(crate) fn save(&self) -> OptimizerState<T> {
        let n_params = self.bufs.first().map_or(0, Vec::len);
        let mut slots = Vec::with_capacity(N * n_params);
        for param in 0..n_params {
            for (name, bufs) in self.names.iter().zip(&self.bufs) {
                let m = &bufs[param];
                slots.push(StateSlot { name, param, shape: B::shape(m), data: B::to_col_major(m) });
            }
        }
        OptimizerState { step: self.step, slots }
    }

    /// Restores a state in the layout [`save`](Slots::save) produces. When the buffers are
    /// allocated already, the state must match their shapes and is copied into them; else it
    /// allocates them.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `op` when a slot has another name, parameter index or
    /// shape than expected, or its data does not fill its shape. Nothing is changed then.
    pub(crate) fn load(&mut self, op: &'static str, state: &OptimizerState<T>) -> Result<()> {
        let invalid = |reason: String| Error::InvalidArgument { op, reason };
        let n_slots = state.slots.len();
        if N == 0 {
            if n_slots != 0 {
                return Err(invalid(format!("expected no state buffers, got {n_slots}")));
            }
            self.step = state.step;
            self.ready = true;
            return Ok(());
        }
        if !n_slots.is_multiple_of(N) {
            return Err(invalid(format!(
                "expected {N} state buffers per parameter ({:?}), got {n_slots} buffers",
                self.names
            )));
        }
        let n_params = n_slots / N;
        if self.ready && n_params != self.bufs[0].len() {
            return Err(invalid(format!(
                "state holds {n_params} parameters, the optimizer {}",
                self.bufs[0].len()
            )));
        }
        for (idx, slot) in state.slots.iter().enumerate() {
            let (param, k) = (idx / N, idx % N);
            if slot.name != self.names[k] || slot.param != param {
                return Err(invalid(format!(
                    "state buffer {idx} is \"{}\" of parameter {}, expected \"{}\" of parameter \
                     {param}",
                    slot.name, slot.param, self.names[k]
                )));
            }
            let (rows, cols) = slot.shape;
            if rows.checked_mul(cols) != Some(slot.data.len()) {
                return Err(invalid(format!(
                    "state buffer \"{}\" of parameter {param} has shape {:?} but {} elements",
                    slot.name,
                    slot.shape,
                    slot.data.len()
                )));
            }
            let expected = if self.ready {
                B::shape(&self.bufs[k][param])
            } else {
                state.slots[idx - k].shape
            };
            if slot.shape != expected {
                return Err(invalid(format!(
                    "state buffer \"{}\" of parameter {param} has shape {:?}, expected {expected:?}",
                    slot.name, slot.shape
                )));
            }
        }
        if !self.ready {
            for bufs in &mut self.bufs {
                bufs.clear();
            }
        }
        for (idx, slot) in state.slots.iter().enumerate() {
            let (param, k) = (idx / N, idx % N);
            let (rows, cols) = slot.shape;
            if self.ready {
                let buf = &mut self.bufs[k][param];
                if rows > 0 {
                    for (j, src) in slot.data.chunks_exact(rows).enumerate() {
                        B::col_mut(buf, j).copy_from_slice(src);
                    }
                }
            } else {
                // The length was checked above, so this cannot fail.
                self.bufs[k].push(B::from_col_major(rows, cols, &slot.data)?);
            }
        }
        self.step = state.step;
        self.ready = true;
        Ok(())
    }
}
