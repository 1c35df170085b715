//! `Feed`: the gathered mini-batches [`Trainer::fit`](crate::Trainer::fit) trains on, copied
//! on the training thread, or prefetched by a second thread while the current batch trains.
//!
//! Prefetching overlaps reading the next batch (from a memory-mapped file: page faults and
//! conversion) with the current step. The worker walks the same permutations in the same order
//! and gathers with the same code, so the batches — and the parameters — are bit-identical to
//! those of the inline path. Its buffers are allocated before the first step and handed
//! between the threads through queues of reserved capacity under a mutex ([`Handoff`]): a
//! step allocates nothing on either thread.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use descent_core::{Backend, Error, Result, Scalar};

use crate::weights::BatchWeights;
use crate::{Batches, DataSource, Output};

/// One gathered batch: the examples (features × n) and their encoded targets (outputs × n).
pub(crate) struct Gathered<T: Scalar, B: Backend<T>> {
    pub x: B::Matrix,
    pub y: B::Matrix,
    /// The examples' weights (filled when the run weighs its examples).
    pub w: Vec<T>,
    /// The batch's number of examples (the full or the partial size).
    pub n: usize,
}

impl<T: Scalar, B: Backend<T>> Gathered<T, B> {
    fn new(layers: &[usize], n: usize) -> Self {
        let (x, y) = (B::zeros(layers[0], n), B::zeros(layers[layers.len() - 1], n));
        Self { x, y, w: vec![T::ZERO; n], n }
    }
}

/// Where the training loop gets each batch from.
pub(crate) struct Feed<'a, T: Scalar, B: Backend<T>> {
    /// The size of full batches (a partial last batch is smaller).
    full_n: usize,
    mode: Mode<'a, T, B>,
}

enum Mode<'a, T: Scalar, B: Backend<T>> {
    /// Gathered on the training thread when asked for: one buffer pair per batch size.
    Inline {
        batches: Batches,
        target: Vec<T>,
        output: Output,
        weights: Option<BatchWeights<T>>,
        /// Whether the current epoch's features are checked ([`FeedPlan::checked_before`]).
        check: bool,
        /// The first epoch whose features are not checked.
        checked_before: usize,
        full: Option<Gathered<T, B>>,
        partial: Option<Gathered<T, B>>,
    },
    /// Gathered ahead by [`Feed::prefetched`]'s worker.
    Prefetched(&'a Handoff<T, B>),
}

/// The batches' order and sizes, and how far the first epoch is already trained.
pub(crate) struct FeedPlan<'a, T> {
    /// The network's widths (input first, output last).
    pub layers: &'a [usize],
    /// How targets are encoded.
    pub output: Output,
    /// The epochs to feed, in order.
    pub epochs: std::ops::Range<usize>,
    /// Batches of the first epoch already trained (after a stop mid-epoch).
    pub skip: usize,
    /// How the examples are weighted, if they are.
    pub weights: Option<BatchWeights<T>>,
}

impl<T> FeedPlan<'_, T> {
    /// The first epoch whose features are not checked to be finite: the features are
    /// checked up to the first epoch that gathers every example (the first, or the second
    /// after a stop mid-epoch); later epochs read the same examples again.
    fn checked_before(&self) -> usize {
        self.epochs.start + 1 + usize::from(self.skip > 0)
    }
}

/// The buffers passed between the training thread and the prefetching worker: two full pairs
/// (one trains while the other fills) and one partial pair, in queues whose capacity is
/// reserved up front. A mutex and a condition variable (futexes) hand them over: unlike a
/// channel's first blocking wait, they never allocate.
pub(crate) struct Handoff<T: Scalar, B: Backend<T>> {
    queues: Mutex<Queues<T, B>>,
    changed: Condvar,
}

struct Queues<T: Scalar, B: Backend<T>> {
    /// Gathered batches, in training order.
    filled: VecDeque<Result<Gathered<T, B>>>,
    free_full: Vec<Gathered<T, B>>,
    free_partial: Vec<Gathered<T, B>>,
    /// The training loop is done (the feed was dropped): the worker stops.
    stopped: bool,
    /// The worker is done (all batches gathered, or it panicked).
    finished: bool,
}

impl<T: Scalar, B: Backend<T>> Handoff<T, B> {
    /// The buffers for batches of `batches`' sizes.
    pub fn new(batches: &Batches, layers: &[usize]) -> Self {
        let full = batches.batch_size();
        let mut filled = VecDeque::new();
        filled.reserve_exact(3);
        Self {
            queues: Mutex::new(Queues {
                filled,
                free_full: (0..2).map(|_| Gathered::new(layers, full)).collect(),
                free_partial: batches
                    .remainder()
                    .map(|r| Gathered::new(layers, r))
                    .into_iter()
                    .collect(),
                stopped: false,
                finished: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queues<T, B>> {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `ready` holds for the queues, and returns them locked.
    fn wait_until(&self, ready: impl Fn(&Queues<T, B>) -> bool) -> MutexGuard<'_, Queues<T, B>> {
        let mut q = self.lock();
        while !ready(&q) {
            q = self.changed.wait(q).unwrap_or_else(PoisonError::into_inner);
        }
        q
    }

    fn update(&self, f: impl FnOnce(&mut Queues<T, B>)) {
        f(&mut self.lock());
        self.changed.notify_all();
    }
}

/// Marks the worker finished when it ends, by returning or by panicking.
struct Finished<'a, T: Scalar, B: Backend<T>>(&'a Handoff<T, B>);

impl<T: Scalar, B: Backend<T>> Drop for Finished<'_, T, B> {
    fn drop(&mut self) {
        self.0.update(|q| q.finished = true);
    }
}

impl<'a, T: Scalar, B: Backend<T>> Feed<'a, T, B> {
    /// The inline feed.
    pub fn inline(batches: Batches, plan: &FeedPlan<'_, T>, n_targets: usize) -> Self {
        let full_n = batches.batch_size();
        let full = Some(Gathered::new(plan.layers, full_n));
        let partial = batches.remainder().map(|r| Gathered::new(plan.layers, r));
        let target = vec![T::ZERO; n_targets];
        let checked_before = plan.checked_before();
        let (output, check, weights) = (plan.output, true, plan.weights.clone());
        let mode =
            Mode::Inline { batches, target, output, weights, check, checked_before, full, partial };
        Self { full_n, mode }
    }

    /// A feed whose batches a worker spawned in `scope` gathers ahead into `handoff`'s
    /// buffers, in the order the loop trains them: `plan.epochs`, skipping `plan.skip` batches
    /// of the first. The worker stops when the feed is dropped.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"prefetch"`) when the thread cannot be started.
    pub fn prefetched<D: DataSource<T> + ?Sized>(
        scope: &'a std::thread::Scope<'a, '_>,
        data: &'a D,
        mut batches: Batches,
        plan: &FeedPlan<'_, T>,
        handoff: &'a Handoff<T, B>,
    ) -> Result<Self> {
        let full_n = batches.batch_size();
        let partial_n = batches.remainder();
        let mut target = vec![T::ZERO; data.n_targets()];
        let (output, epochs, mut skip) = (plan.output, plan.epochs.clone(), plan.skip);
        let checked_before = plan.checked_before();
        let weights = plan.weights.clone();
        let worker = move || {
            let _finished = Finished(handoff);
            for epoch in epochs {
                let check = epoch < checked_before;
                batches.start_epoch(epoch);
                for idx in batches.iter().skip(std::mem::take(&mut skip)) {
                    let partial = Some(idx.len()) == partial_n;
                    let mut q = handoff.wait_until(|q| {
                        q.stopped
                            || !(if partial { &q.free_partial } else { &q.free_full }).is_empty()
                    });
                    if q.stopped {
                        return;
                    }
                    let free = if partial { &mut q.free_partial } else { &mut q.free_full };
                    let Some(mut g) = free.pop() else { return };
                    drop(q);
                    let w = weights.as_ref();
                    let res = gather_encoded(output, w, data, idx, &mut target, &mut g, check);
                    let res = res.map(|()| g);
                    handoff.update(|q| q.filled.push_back(res));
                }
            }
        };
        std::thread::Builder::new()
            .name("descent-prefetch".into())
            .spawn_scoped(scope, worker)
            .map_err(|e| Error::InvalidArgument {
                op: "prefetch",
                reason: format!("cannot start the prefetching thread: {e}"),
            })?;
        Ok(Self { full_n, mode: Mode::Prefetched(handoff) })
    }

    /// Sets the order of `epoch` (a prefetching worker sets its own).
    pub fn start_epoch(&mut self, epoch: usize) {
        if let Mode::Inline { batches, check, checked_before, .. } = &mut self.mode {
            batches.start_epoch(epoch);
            *check = epoch < *checked_before;
        }
    }

    /// Batch `batch` of the current epoch, gathered; give it back with [`Feed::recycle`].
    ///
    /// # Errors
    /// A target the output cannot encode; [`Error::InvalidArgument`] (op `"prefetch"`) when
    /// the worker stopped early (it panicked).
    pub fn next(
        &mut self,
        data: &(impl DataSource<T> + ?Sized),
        batch: usize,
    ) -> Result<Gathered<T, B>> {
        match &mut self.mode {
            Mode::Inline { batches, target, output, weights, check, full, partial, .. } => {
                let idx = batches.iter().nth(batch).ok_or_else(|| out_of_step("no such batch"))?;
                let slot = match partial {
                    Some(p) if p.n == idx.len() => partial,
                    _ => full,
                };
                let mut g = slot.take().ok_or_else(|| out_of_step("the buffer is in use"))?;
                gather_encoded(*output, weights.as_ref(), data, idx, target, &mut g, *check)?;
                Ok(g)
            }
            Mode::Prefetched(handoff) => {
                let mut q = handoff.wait_until(|q| q.finished || !q.filled.is_empty());
                let res = q.filled.pop_front();
                drop(q);
                res.unwrap_or_else(|| Err(out_of_step("the prefetching thread stopped")))
            }
        }
    }

    /// Returns a batch's buffers for a later gather.
    pub fn recycle(&mut self, g: Gathered<T, B>) {
        let is_full = g.n == self.full_n;
        match &mut self.mode {
            Mode::Inline { full, partial, .. } => *(if is_full { full } else { partial }) = Some(g),
            Mode::Prefetched(handoff) => handoff.update(|q| {
                // Within the capacity these vectors were built with: no allocation.
                if is_full { q.free_full.push(g) } else { q.free_partial.push(g) }
            }),
        }
    }
}

impl<T: Scalar, B: Backend<T>> Drop for Feed<'_, T, B> {
    fn drop(&mut self) {
        if let Mode::Prefetched(handoff) = self.mode {
            handoff.update(|q| q.stopped = true);
        }
    }
}

/// Copies the examples `idx` into `g` with [`gather`]: features into `g.x`, targets encoded
/// for `output` into `g.y`, through `target` (`n_targets` long). With `check_finite`, the
/// features are then checked to be finite (one pass over the batch just copied; see
/// [`first_non_finite`]). With `weights`, the examples' weights go into `g.w`. Allocates
/// nothing.
fn gather_encoded<T: Scalar, B: Backend<T>>(
    output: Output,
    weights: Option<&BatchWeights<T>>,
    data: &(impl DataSource<T> + ?Sized),
    idx: &[u32],
    target: &mut [T],
    g: &mut Gathered<T, B>,
    check_finite: bool,
) -> Result<()> {
    gather::<T, B>(output, data, idx.iter().map(|&j| j as usize), target, &mut g.x, &mut g.y)?;
    if check_finite && !B::all_finite(&g.x) {
        return Err(first_non_finite::<T, B>(&g.x, idx));
    }
    if let Some(w) = weights {
        w.fill::<B>(data, idx, &g.y, &mut g.w)?;
    }
    Ok(())
}

/// The error naming the first non-finite feature of a gathered batch `x` of examples `idx`,
/// in the words of [`FeatureStats::scan`](crate::FeatureStats::scan).
fn first_non_finite<T: Scalar, B: Backend<T>>(x: &B::Matrix, idx: &[u32]) -> Error {
    let found = idx.iter().enumerate().find_map(|(c, &j)| {
        let col = B::col(x, c);
        col.iter().position(|v| !v.to_f64().is_finite()).map(|f| (j, f, col[f].to_f64()))
    });
    let (j, f, v) = found.unwrap_or((0, 0, f64::NAN));
    Error::InvalidArgument {
        op: "data",
        reason: format!(
            "feature {f} of example {j} is {v} (row {j}, column {f} of the features, counting \
             from 0)"
        ),
    }
}

/// Copies the examples `idx` into the batch buffers `x` (features) and `y` (encoded targets),
/// through `target` (`n_targets` long). Allocates nothing.
///
/// A sigmoid or linear output whose width is the data's target width stores the targets as
/// they are: they are read straight into `y`, and a sigmoid's label is checked to be 0 or 1
/// there. Softmax labels go through [`Mlp::encode_target`] (one-hot). Used by the training
/// feed (inline or prefetching) and by evaluation.
pub(crate) fn gather<T: Scalar, B: Backend<T>>(
    output: Output,
    data: &(impl DataSource<T> + ?Sized),
    idx: impl Iterator<Item = usize>,
    target: &mut [T],
    x: &mut B::Matrix,
    y: &mut B::Matrix,
) -> Result<()> {
    let as_stored = output != Output::Softmax && target.len() == B::shape(y).0;
    let sigmoid = output == Output::Sigmoid;
    // Whether a sigmoid label is neither 0 nor 1, accumulated without a branch per example
    // (the labels of a shuffled batch would mispredict half of them).
    let mut not_a_label = false;
    let mut n = 0;
    for (c, j) in idx.enumerate() {
        data.read_example(j, B::col_mut(x, c));
        if as_stored {
            let col = B::col_mut(y, c);
            data.read_target(j, col);
            not_a_label |= sigmoid & !((col[0] == T::ZERO) | (col[0] == T::ONE));
        } else {
            data.read_target(j, target);
            crate::cost::encode_target(output, target, B::col_mut(y, c))?;
        }
        n = c + 1;
    }
    if not_a_label {
        // `encode_target` names the first bad label in its error.
        for c in 0..n {
            target.copy_from_slice(B::col(y, c));
            crate::cost::encode_target(output, target, B::col_mut(y, c))?;
        }
    }
    Ok(())
}

/// An internal error: the feed and the loop disagree about the batches.
fn out_of_step(reason: &str) -> Error {
    Error::InvalidArgument { op: "prefetch", reason: reason.into() }
}
#[cfg(test)]
mod tests {
    use descent_nalgebra::Nalgebra;

    use super::*;
    use crate::{Dataset, Mlp, MlpConfig};

    #[test]
    fn gather_reads_sigmoid_labels_as_stored_and_names_a_bad_one() {
        let mlp = Mlp::<f64, Nalgebra>::new(&MlpConfig::course()).unwrap();
        let features = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let good = Dataset::new(2, features.clone(), 1, vec![1.0, 0.0, 1.0]).unwrap();
        let zeros = <Nalgebra as Backend<f64>>::zeros;
        let (mut x, mut y) = (zeros(2, 2), zeros(1, 2));
        let mut target = [0.0];
        gather::<f64, Nalgebra>(
            mlp.output(),
            &good,
            [2, 1].into_iter(),
            &mut target,
            &mut x,
            &mut y,
        )
        .unwrap();
        assert_eq!(x.as_slice(), &[5.0, 6.0, 3.0, 4.0]);
        assert_eq!(y.as_slice(), &[1.0, 0.0]);
        // The first label that is neither 0 nor 1 in the batch's order is named.
        let bad = Dataset::new(2, features, 1, vec![1.0, 0.5, 2.0]).unwrap();
        let (mut x, mut y) = (zeros(2, 3), zeros(1, 3));
        let err = gather::<f64, Nalgebra>(
            mlp.output(),
            &bad,
            [0, 2, 1].into_iter(),
            &mut target,
            &mut x,
            &mut y,
        );
        let err = err.unwrap_err().to_string();
        assert!(err.contains("needs labels 0 or 1, got 2"), "{err}");
    }
}
