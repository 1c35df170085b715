//! Full passes over a data set: cost and accuracy, and predictions.

use std::ops::ControlFlow;

use descent_core::{Backend, Result, Scalar};

use crate::feed::gather;
use crate::{DataSource, Mlp, Workspace};

/// Examples per forward pass when evaluating, to bound the memory of the caches.
pub const EVAL_CHUNK: usize = 4096;

/// Cost and accuracy of a network on a data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Mean cost over the examples (mean squared error for a linear output).
    pub cost: f64,
    /// Fraction predicted correctly; `None` for a linear output.
    pub accuracy: Option<f64>,
    /// The number of examples.
    pub n_examples: usize,
}

/// Evaluates `mlp` on every example of `data`, in chunks of [`EVAL_CHUNK`]. Allocates the
/// buffers of one chunk, whatever the size of the data.
///
/// # Errors
/// [`descent_core::Error::InvalidArgument`] when the data does not fit the network.
pub fn evaluate<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<Evaluation> {
    let (mut cost, mut correct) = (0.0_f64, 0_usize);
    for_each_chunk(mlp, data, |ws, y| {
        cost += mlp.cost_sum(ws, y)?.to_f64();
        correct += mlp.count_correct(ws, y)?;
        Ok(ControlFlow::Continue(()))
    })?;
    let m = data.n_examples();
    Ok(Evaluation {
        cost: cost / m as f64,
        accuracy: mlp.output().is_classifier().then(|| correct as f64 / m as f64),
        n_examples: m,
    })
}

/// The network's outputs for every example, column-major (outputs, examples). Allocates.
///
/// # Errors
/// [`descent_core::Error::InvalidArgument`] when the data does not fit the network.
pub fn predict<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<Vec<T>> {
    let mut res = Vec::with_capacity(data.n_examples() * mlp.layers()[mlp.layers().len() - 1]);
    predict_chunks(mlp, data, |outputs| {
        res.extend_from_slice(outputs);
        ControlFlow::Continue(())
    })?;
    Ok(res)
}

/// The network's outputs chunk by chunk: `f` receives the outputs of up to [`EVAL_CHUNK`]
/// consecutive examples, column-major (outputs, examples), in order, and may stop the pass
/// with `ControlFlow::Break` (say, when writing them failed). Allocates the buffers of one
/// chunk, whatever the size of the data — for predicting data sets larger than memory.
///
/// # Errors
/// [`descent_core::Error::InvalidArgument`] when the data does not fit the network.
pub fn predict_chunks<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    mut f: impl FnMut(&[T]) -> ControlFlow<()>,
) -> Result<()> {
    let n_out = mlp.layers()[mlp.layers().len() - 1];
    let mut outputs = Vec::with_capacity(n_out * EVAL_CHUNK.min(data.n_examples()));
    for_each_chunk(mlp, data, |ws, _| {
        let out = ws.output();
        outputs.clear();
        for c in 0..B::shape(out).1 {
            outputs.extend_from_slice(B::col(out, c));
        }
        Ok(f(&outputs))
    })
}

/// The features, encoded targets and caches of one chunk.
type ChunkBuffers<T, B> = (<B as Backend<T>>::Matrix, <B as Backend<T>>::Matrix, Workspace<T, B>);

/// Runs the forward pass over `data` in chunks of [`EVAL_CHUNK`] examples and hands each
/// chunk's caches and encoded targets to `f`, which may stop the pass early.
pub(crate) fn for_each_chunk<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
    mut f: impl FnMut(&Workspace<T, B>, &B::Matrix) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let layers = mlp.layers();
    if data.n_features() != layers[0] {
        return Err(descent_core::Error::InvalidArgument {
            op: "data",
            reason: format!(
                "the data has {} features but the network's input is {} wide",
                data.n_features(),
                layers[0]
            ),
        });
    }
    let m = data.n_examples();
    let mut target = vec![T::ZERO; data.n_targets()];
    let mut buffers: Option<ChunkBuffers<T, B>> = None;
    for start in (0..m).step_by(EVAL_CHUNK) {
        let n = EVAL_CHUNK.min(m - start);
        // One set of buffers for the full chunks, new ones for the last partial chunk.
        let (x, y, ws) = match buffers.as_mut() {
            Some(b) if b.2.n_examples() == n => b,
            _ => buffers.insert((
                B::zeros(layers[0], n),
                B::zeros(layers[layers.len() - 1], n),
                Workspace::new(layers, n),
            )),
        };
        gather::<T, B>(mlp.output(), data, start..start + n, &mut target, x, y)?;
        mlp.forward(x, ws)?;
        if f(ws, y)?.is_break() {
            break;
        }
    }
    Ok(())
}
