//! The notebook's training loop, replayed with its seeds, decay timing and cost definition.

use std::fmt;
use std::ops::ControlFlow;

use descent_core::{Backend, Error, Result};
use descent_train::{Activation, Dataset, EVAL_CHUNK, Init, Mlp, MlpConfig, Output, Workspace};

use crate::run::PRINTED_EPOCHS;
use crate::{RandomState, Run, Settings, moons};

/// The network's layer widths: 2 inputs, hidden layers of 5 and 2 (ReLU), 1 sigmoid output.
pub const LAYERS: [usize; 4] = [2, 5, 2, 1];
/// Examples per mini-batch; the last batch of an epoch keeps the remainder (44 of 300).
pub const BATCH_SIZE: usize = 64;
/// The seed before the first epoch: epoch `e` (from 0) shuffles after
/// `np.random.seed(FIRST_BATCH_SEED + 1 + e)`.
pub const FIRST_BATCH_SEED: u32 = 10;

/// A finished replay: the cost of every epoch, the trained network and its accuracy.
#[derive(Clone)]
pub struct Replay<B: Backend<f64>> {
    /// The run replayed.
    pub run: Run,
    /// The cost of every epoch as the notebook computes it: the summed cross-entropy of the
    /// epoch's mini-batches (each evaluated before its update) divided by 300.
    pub costs: Vec<f64>,
    /// Points of the 300 predicted correctly after training (`a3 > 0.5` against the label).
    pub correct: usize,
    /// `correct / 300`, the accuracy as the notebook prints it.
    pub accuracy: f64,
    /// The trained network.
    pub mlp: Mlp<f64, B>,
    /// The training data, the course's moons.
    pub data: Dataset<f64>,
}

impl<B: Backend<f64>> fmt::Debug for Replay<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("run", &self.run)
            .field("backend", &B::NAME)
            .field("correct", &self.correct)
            .field("accuracy", &self.accuracy)
            .field("printed_costs", &self.printed_costs())
            .finish_non_exhaustive()
    }
}

impl<B: Backend<f64>> Replay<B> {
    /// The costs of [`PRINTED_EPOCHS`] (0, 1000, …, 4000), the ones the notebook prints (NaN
    /// for an epoch a shortened replay did not reach).
    #[must_use]
    pub fn printed_costs(&self) -> [f64; 5] {
        PRINTED_EPOCHS.map(|e| self.costs.get(e).copied().unwrap_or(f64::NAN))
    }

    /// The trained network's output `a3` (the probability of label 1) for every point of
    /// `points`, given as (x1, x2) pairs one after the other (the course's `X` of shape
    /// (2, n), column-major). Allocates.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `points` has an odd length.
    pub fn predict(&self, points: &[f64]) -> Result<Vec<f64>> {
        if !points.len().is_multiple_of(2) {
            return Err(Error::LengthMismatch {
                op: "predict",
                expected: points.len() + 1,
                got: points.len(),
            });
        }
        let mut res = Vec::with_capacity(points.len() / 2);
        for chunk in points.chunks(2 * EVAL_CHUNK) {
            let n = chunk.len() / 2;
            let x = B::from_col_major(2, n, chunk)?;
            let mut ws = Workspace::new(&LAYERS, n);
            self.mlp.forward(&x, &mut ws)?;
            res.extend(B::to_col_major(ws.output()));
        }
        Ok(res)
    }

    /// The notebook's decision-boundary plot: the network's output on a grid spaced `h`
    /// apart over the data's range widened by 1 on every side (`plot_decision_boundary`,
    /// which uses `h = 0.01`). Allocates.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"decision_grid"`) when `h` is not positive and finite
    /// or the grid would exceed 10⁷ points.
    pub fn decision_grid(&self, h: f64) -> Result<Grid> {
        let invalid = |reason: String| Err(Error::InvalidArgument { op: "decision_grid", reason });
        if !(h > 0.0 && h.is_finite()) {
            return invalid(format!("the spacing must be a positive finite number, got {h}"));
        }
        let features = self.data.features();
        let axis = |k: usize| {
            let values = features.iter().skip(k).step_by(2);
            let min = values.clone().fold(f64::INFINITY, |m, &v| m.min(v)) - 1.0;
            let max = values.fold(f64::NEG_INFINITY, |m, &v| m.max(v)) + 1.0;
            // np.arange(min, max, h): ⌈(max - min)/h⌉ values `min + i·h`.
            let n = ((max - min) / h).ceil();
            (min, n)
        };
        let ((x1_min, n1), (x2_min, n2)) = (axis(0), axis(1));
        if n1 * n2 > 1e7 {
            return invalid(format!("a spacing of {h} gives {n1} × {n2} points, more than 10^7"));
        }
        // Both counts are positive whole numbers below 10^7 here.
        let (n1, n2) = (n1 as usize, n2 as usize);
        let x1: Vec<f64> = (0..n1).map(|i| x1_min + i as f64 * h).collect();
        let x2: Vec<f64> = (0..n2).map(|i| x2_min + i as f64 * h).collect();
        let points: Vec<f64> =
            x2.iter().flat_map(|&b| x1.iter().flat_map(move |&a| [a, b])).collect();
        let probs = self.predict(&points)?;
        Ok(Grid { x1, x2, probs })
    }
}

/// The network's output over a rectangular grid, for a decision-boundary plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The grid's first coordinates, increasing.
    pub x1: Vec<f64>,
    /// The grid's second coordinates, increasing.
    pub x2: Vec<f64>,
    /// `a3` at `(x1[i], x2[j])` in `probs[j·x1.len() + i]`: one row per `x2`.
    pub probs: Vec<f64>,
}

/// Replays `run` on the backend `B`; see [`replay_with`].
///
/// # Errors
/// As [`replay_with`].
pub fn replay<B: Backend<f64>>(run: Run) -> Result<Replay<B>> {
    replay_with::<B>(run, |_, _| {})
}

/// Replays `run` on the backend `B` exactly as the notebook trains, calling
/// `on_epoch(epoch, cost)` after every epoch (the notebook prints the cost when
/// `epoch % 1000 == 0`).
///
/// The notebook's conventions, all in `f64`:
/// - data: [`course_moons`](crate::course_moons); initialization: `np.random.seed(3)`, then
///   for every layer `W_l = randn(n_l, n_{l-1})·√(2/n_{l-1})` ([`he_init`]), `b_l = 0`;
/// - epoch `e` (from 0): `np.random.seed(11 + e)`, `permutation(300)`, then mini-batches of
///   64 in that order, the last one of 44; each batch: forward, cost, backward (gradients of
///   the batch mean), one optimizer step; Adam's `t` counts mini-batches from 1;
/// - the epoch's cost is the sum over its batches of `Σ -y·ln(a3) - (1-y)·ln(1-a3)`
///   (each batch summed in numpy's pairwise order), divided by 300;
/// - decay: after epoch `e` the learning rate becomes `f(e)` ([`Run::decay`]), so epoch
///   `e + 1` trains with `f(e)`;
/// - accuracy: one forward pass over the 300 points, `a3 > 0.5` against the labels.
///
/// # Errors
/// [`Error::Diverged`] if an epoch's cost is not finite (it never happens for these runs);
/// any backend error.
pub fn replay_with<B: Backend<f64>>(
    run: Run,
    on_epoch: impl FnMut(usize, f64),
) -> Result<Replay<B>> {
    replay_settings::<B>(run, &run.settings(), on_epoch)
}

/// Replays `run` as [`replay_with`] does, with `settings` in place of the notebook's (the
/// learning rate, the epochs, the optimizer's hyper-parameters, the decay): the same data,
/// initialization, mini-batch seeds and decay timing.
///
/// # Errors
/// As [`replay_with`]; [`Error::InvalidArgument`] for settings that do not validate.
pub fn replay_settings<B: Backend<f64>>(
    run: Run,
    settings: &Settings,
    mut on_epoch: impl FnMut(usize, f64),
) -> Result<Replay<B>> {
    replay_until::<B>(run, settings, |epoch, cost| {
        on_epoch(epoch, cost);
        ControlFlow::Continue(())
    })
}

/// As [`replay_settings`], ending after the epoch for which `on_epoch` returns
/// `ControlFlow::Break` (Ctrl-C): the replay then holds the costs of the epochs trained and
/// the accuracy of the network as it stands.
///
/// # Errors
/// As [`replay_settings`].
pub fn replay_until<B: Backend<f64>>(
    run: Run,
    settings: &Settings,
    mut on_epoch: impl FnMut(usize, f64) -> ControlFlow<()>,
) -> Result<Replay<B>> {
    settings.optimizer.validate()?;
    if let Some(d) = &settings.decay {
        d.validate_for(settings.lr0)?;
    }
    let data = moons::course_moons()?;
    let m = data.n_examples();
    let mut rng = RandomState::new(moons::COURSE_SEED);
    let mut params = Vec::with_capacity(2 * (LAYERS.len() - 1));
    for (w, values) in LAYERS.windows(2).zip(he_init(&LAYERS, &mut rng)) {
        params.push(B::from_row_major(w[1], w[0], &values)?);
        params.push(B::zeros(w[1], 1));
    }
    let config = MlpConfig {
        layers: LAYERS.to_vec(),
        hidden: Activation::Relu,
        output: Output::Sigmoid,
        init: Init::He,
        seed: 0,
    };
    let mut mlp = Mlp::<f64, B>::from_params(&config, params)?;
    let x_all = B::from_col_major(2, m, data.features())?;
    let y_all = B::from_col_major(1, m, data.targets())?;
    let mut optimizer = settings.optimizer.build::<f64, B>()?;
    optimizer.init(mlp.params())?;
    let decay = settings.decay.map(|d| d.build(settings.lr0)).transpose()?;

    let mut full = Batch::<B>::new(BATCH_SIZE);
    let mut last = Batch::<B>::new(m % BATCH_SIZE);
    let mut grads = mlp.zeros_like_params();
    let mut logprobs = Vec::with_capacity(BATCH_SIZE);
    let mut perm = Vec::with_capacity(m);
    let mut costs = Vec::with_capacity(settings.epochs);
    let mut lr = settings.lr0;
    let mut seed = FIRST_BATCH_SEED;
    for epoch in 0..settings.epochs {
        seed += 1;
        rng.seed(seed);
        rng.permutation_into(m, &mut perm);
        let mut cost_total = 0.0;
        for (k, idx) in perm.chunks(BATCH_SIZE).enumerate() {
            let batch = if idx.len() == BATCH_SIZE { &mut full } else { &mut last };
            B::gather_cols(&mut batch.x, &x_all, idx)?;
            B::gather_cols(&mut batch.y, &y_all, idx)?;
            mlp.forward(&batch.x, &mut batch.ws)?;
            cost_total += compute_cost::<B>(batch.ws.output(), &batch.y, &mut logprobs);
            mlp.backward(&batch.x, &batch.y, &mut batch.ws, &mut grads)?;
            optimizer.step(mlp.params_mut(), &grads, lr)?;
            if !cost_total.is_finite() {
                return Err(Error::Diverged { epoch, batch: k, what: "cost" });
            }
        }
        let cost = cost_total / m as f64;
        costs.push(cost);
        if on_epoch(epoch, cost).is_break() {
            break;
        }
        if let Some(decay) = &decay {
            lr = decay.lr(epoch);
        }
    }

    let mut ws = Workspace::new(&LAYERS, m);
    mlp.forward(&x_all, &mut ws)?;
    let correct = mlp.count_correct(&ws, &y_all)?;
    Ok(Replay { run, costs, correct, accuracy: correct as f64 / m as f64, mlp, data })
}

/// The notebook's `initialize_parameters` after the caller's `np.random.seed`: for every
/// layer, `np.random.randn(n_l, n_{l-1}) * np.sqrt(2 / n_{l-1})`, each `W_l` row-major
/// (the biases are zeros). Allocates.
#[must_use]
pub fn he_init(layers: &[usize], rng: &mut RandomState) -> Vec<Vec<f64>> {
    layers
        .windows(2)
        .map(|w| {
            let gain = (2.0 / w[0] as f64).sqrt();
            rng.randn(w[1] * w[0]).into_iter().map(|x| x * gain).collect()
        })
        .collect()
}

/// The buffers of one batch size.
struct Batch<B: Backend<f64>> {
    x: B::Matrix,
    y: B::Matrix,
    ws: Workspace<f64, B>,
}

impl<B: Backend<f64>> Batch<B> {
    fn new(n: usize) -> Self {
        Self { x: B::zeros(LAYERS[0], n), y: B::zeros(1, n), ws: Workspace::new(&LAYERS, n) }
    }
}

/// The notebook's `compute_cost(a3, Y)`:
/// `np.sum(np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y))`, the sum in
/// numpy's pairwise order. `scratch` holds the terms (reused, no allocation once it is big
/// enough).
fn compute_cost<B: Backend<f64>>(a3: &B::Matrix, y: &B::Matrix, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    for j in 0..B::shape(a3).1 {
        let (a, y) = (B::col(a3, j)[0], B::col(y, j)[0]);
        scratch.push(-a.ln() * y + -(1.0 - a).ln() * (1.0 - y));
    }
    pairwise_sum(scratch)
}

/// numpy's `pairwise_sum` for doubles (`numpy/_core/src/umath/loops_utils.h.src`): below 8
/// terms a plain loop; up to 128, eight interleaved partial sums combined as
/// `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`, then the remainder; above, split in two halves
/// (the first a multiple of 8).
fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        for block in a[8..whole].chunks_exact(8) {
            for (r, &x) in r.iter_mut().zip(block) {
                *r += x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[whole..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_follows_numpys_order() {
        // 1e16 + 1 + 1 … loses the ones one at a time in a left-to-right sum; numpy's eight
        // partial sums keep the seven ones of the other lanes together until the end.
        let mut a = vec![1.0; 16];
        a[0] = 1e16;
        assert_eq!(pairwise_sum(&a), 1e16 + 14.0);
        assert_eq!(a.iter().sum::<f64>(), 1e16);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
        assert_eq!(pairwise_sum(&vec![0.5; 300]), 150.0);
    }
}
