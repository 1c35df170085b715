//! The per-thread state of small products: the buffers of transposed copies and the plans of
//! recent products, one set per scalar type ([`Element`]).

use std::cell::RefCell;

use descent_core::Trans;
use nalgebra::RealField;

use super::cost::ProductPlan;

/// The per-thread buffers that hold transposed copies of `a` and `b`, and the transposed
/// result of a product computed as `outᵀ = op(b)ᵀ·op(a)ᵀ`; and the plans of the last
/// [`PLAN_CACHE`] distinct small products.
#[derive(Debug)]
pub struct Scratch<T> {
    pub(super) a: Vec<T>,
    pub(super) b: Vec<T>,
    pub(super) out: Vec<T>,
    pub(super) plans: PlanCache,
}

impl<T> Scratch<T> {
    const fn new() -> Self {
        Self { a: Vec::new(), b: Vec::new(), out: Vec::new(), plans: PlanCache::new() }
    }
}

/// Distinct small products whose [`ProductPlan`] each thread remembers: a training step of a
/// three-layer network has 8 products, times two batch sizes (full and last).
const PLAN_CACHE: usize = 16;

/// A product's shape, transposes and whether `out` is read.
type PlanKey = (usize, usize, usize, u8);

/// The plans of the last [`PLAN_CACHE`] distinct products, replaced round-robin: evaluating
/// the cost model costs about as much as a tiny product's `gemm_tr` (it showed up at 10% of an
/// SGD step), a lookup a few comparisons.
#[derive(Debug)]
pub(super) struct PlanCache {
    entries: [(PlanKey, ProductPlan); PLAN_CACHE],
    next: usize,
}

impl PlanCache {
    const fn new() -> Self {
        // `u8::MAX` matches no key: the flags use three bits.
        const EMPTY: (PlanKey, ProductPlan) =
            ((0, 0, 0, u8::MAX), ProductPlan { dot: false, transposed: false });
        Self { entries: [EMPTY; PLAN_CACHE], next: 0 }
    }

    pub(super) fn plan(
        &mut self,
        (m, n, k): (usize, usize, usize),
        ta: Trans,
        tb: Trans,
        out_unread: bool,
    ) -> ProductPlan {
        let flags = u8::from(ta == Trans::Yes)
            | u8::from(tb == Trans::Yes) << 1
            | u8::from(out_unread) << 2;
        let key = (m, n, k, flags);
        if let Some(&(_, plan)) = self.entries.iter().find(|(k, _)| *k == key) {
            return plan;
        }
        let plan = ProductPlan::choose((m, n, k), ta, tb, out_unread);
        self.entries[self.next] = (key, plan);
        self.next = (self.next + 1) % PLAN_CACHE;
        plan
    }
}

/// The scalars the nalgebra backend computes with, each with its own per-thread [`Scratch`].
pub trait Element: RealField + Copy {
    /// Runs `f` with this thread's scratch buffers for `Self`.
    fn with_scratch<R>(f: impl FnOnce(&mut Scratch<Self>) -> R) -> R;
}

macro_rules! impl_element {
    ($t:ty, $key:ident) => {
        thread_local! {
            static $key: RefCell<Scratch<$t>> =
                const { RefCell::new(Scratch::new()) };
        }

        impl Element for $t {
            fn with_scratch<R>(f: impl FnOnce(&mut Scratch<Self>) -> R) -> R {
                $key.with(|s| f(&mut s.borrow_mut()))
            }
        }
    };
}

impl_element!(f32, SCRATCH_F32);
impl_element!(f64, SCRATCH_F64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_cache_returns_what_the_model_chooses() {
        let mut cache = PlanCache::new();
        let (no, yes) = (Trans::No, Trans::Yes);
        // More distinct products than entries, each asked twice (a miss, then a hit or a
        // recomputation after eviction): always the model's answer.
        for round in 0..2 {
            for m in 1..=6 {
                for (ta, tb, unread) in [(no, no, true), (yes, no, false), (no, yes, true)] {
                    let shape = (m, 64, 7 - m);
                    let want = ProductPlan::choose(shape, ta, tb, unread);
                    assert_eq!(cache.plan(shape, ta, tb, unread), want, "round {round} {shape:?}");
                }
            }
        }
    }
}
