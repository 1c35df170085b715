//! GEMM routed around nalgebra 0.35's out-of-bounds write on small transposed views.
//!
//! nalgebra's `gemm` hands products with every dimension above 5 to `matrixmultiply`, which
//! takes any strides. Smaller products run a column-by-column `axpy` loop that, when the left
//! operand is row-strided (a transposed view), walks past the end of the buffer
//! (dimforge/nalgebra#1616). So a transposed view reaches `gemm` only when every dimension is
//! at least [`SMALL`]; smaller products copy each transposed operand into a reusable
//! per-thread buffer and call `gemm` or `gemm_tr` on contiguous matrices, on the product as
//! given or on its transpose, whichever a measured cost model ([`Plan`]) expects to be faster.

use std::cell::RefCell;

use descent_core::Trans;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, Dyn, MatrixView, RealField};

/// Products with every dimension (`m`, `n`, `k`) at least this large hand transposed views to
/// `matrixmultiply` through nalgebra's `gemm`; smaller ones take the copy path.
///
/// Measured on the build machine (AMD EPYC without AVX-512, f32, release, x86-64-v3): at
/// `6×6×6` the copy path is faster when `a` is transposed (`aᵀ·b`: 118 ns against 244 ns),
/// from `8×8×8` on the strided views win every transpose combination (`aᵀ·b`: 160 ns against
/// 201 ns; `16³`: 498 ns against 1040 ns), and the gap grows with size (`aᵀ·b` at `256³`: 0.45 ms
/// against 3.7 ms with `gemm_tr`). It must stay above 5, where nalgebra's bug lives; 8 rather
/// than 6 also leaves a margin should a 0.35.x release move nalgebra's own cut-off.
pub const SMALL: usize = 8;

/// nalgebra's `gemm` calls `matrixmultiply` only when every dimension is above this
/// (`SMALL_DIM` in nalgebra's `src/base/blas_uninit.rs`); below, it loops over `axpy`s.
const NALGEBRA_SMALL_DIM: usize = 5;

/// Measured costs of nalgebra's small-product loops, in nanoseconds (f32, release, x86-64-v3;
/// f64 runs at about the same per-element speed here): a dot product costs `DOT_CALL +
/// DOT_ELEM` per element, an `axpy` `AXPY_CALL + AXPY_ELEM` per element (it vectorises, the
/// dot product does not), and the transposing copy `COPY_ELEM` per element.
const DOT_CALL: f64 = 5.0;
const DOT_ELEM: f64 = 0.22;
const AXPY_CALL: f64 = 5.0;
const AXPY_ELEM: f64 = 0.09;
const COPY_ELEM: f64 = 1.0;

/// The transposing copy works in blocks of this many elements along the longer side (measured
/// against 8 and 16: faster on every shape but `1024 × 1024`, where the power-of-two stride
/// makes every block fight for the same cache set).
const TILE: usize = 32;

/// A column-major view with run-time strides: how a transposed operand reaches `gemm`.
type StridedView<'a, T> = MatrixView<'a, T, Dyn, Dyn, Dyn, Dyn>;

/// The per-thread buffers that hold transposed copies of `a` and `b`, and the transposed
/// result of a product computed as `outᵀ = op(b)ᵀ·op(a)ᵀ`; and the plans of the last
/// [`PLAN_CACHE`] distinct small products.
#[derive(Debug)]
pub struct Scratch<T> {
    a: Vec<T>,
    b: Vec<T>,
    out: Vec<T>,
    plans: PlanCache,
}

impl<T> Scratch<T> {
    const fn new() -> Self {
        Self { a: Vec::new(), b: Vec::new(), out: Vec::new(), plans: PlanCache::new() }
    }
}

/// Distinct small products whose [`Plan`] each thread remembers: a training step of a
/// three-layer network has 8 products, times two batch sizes (full and last).
const PLAN_CACHE: usize = 16;

/// A product's shape, transposes and whether `out` is read.
type PlanKey = (usize, usize, usize, u8);

/// The plans of the last [`PLAN_CACHE`] distinct products, replaced round-robin: evaluating
/// the cost model costs about as much as a tiny product's `gemm_tr` (it showed up at 10% of an
/// SGD step), a lookup a few comparisons.
#[derive(Debug)]
struct PlanCache {
    entries: [(PlanKey, Plan); PLAN_CACHE],
    next: usize,
}

impl PlanCache {
    const fn new() -> Self {
        // `u8::MAX` matches no key: the flags use three bits.
        const EMPTY: (PlanKey, Plan) = ((0, 0, 0, u8::MAX), Plan { dot: false, transposed: false });
        Self { entries: [EMPTY; PLAN_CACHE], next: 0 }
    }

    fn plan(
        &mut self,
        (m, n, k): (usize, usize, usize),
        ta: Trans,
        tb: Trans,
        out_unread: bool,
    ) -> Plan {
        let flags = u8::from(ta == Trans::Yes)
            | u8::from(tb == Trans::Yes) << 1
            | u8::from(out_unread) << 2;
        let key = (m, n, k, flags);
        if let Some(&(_, plan)) = self.entries.iter().find(|(k, _)| *k == key) {
            return plan;
        }
        let plan = Plan::choose((m, n, k), ta, tb, out_unread);
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

/// `out = alpha·op(a)·op(b) + beta·out` for shapes already checked, `(m, n, k)` the product's
/// dimensions. Chooses between [`gemm_strided`] and [`gemm_small`] by [`SMALL`].
#[allow(clippy::too_many_arguments)] // BLAS's own argument list.
pub fn gemm<T: Element>(
    out: &mut DMatrix<T>,
    alpha: T,
    a: &DMatrix<T>,
    ta: Trans,
    b: &DMatrix<T>,
    tb: Trans,
    beta: T,
    (m, n, k): (usize, usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    if m.min(n).min(k) >= SMALL {
        gemm_strided(out, alpha, a, ta, b, tb, beta);
    } else {
        gemm_small(out, alpha, a, ta, b, tb, beta, (m, n, k));
    }
}

/// The large-product path: nalgebra's `gemm` on transposed views, no copy.
///
/// Correct only when every dimension is above 5 (or nothing is transposed): then nalgebra
/// calls `matrixmultiply`, which takes the strides as they are.
pub fn gemm_strided<T: Element>(
    out: &mut DMatrix<T>,
    alpha: T,
    a: &DMatrix<T>,
    ta: Trans,
    b: &DMatrix<T>,
    tb: Trans,
    beta: T,
) {
    out.gemm(alpha, &op_view(a, ta), &op_view(b, tb), beta);
}

/// The small-product path: no strided view reaches nalgebra.
///
/// When some dimension is 5 or less, nalgebra's `gemm` runs `n·k` `axpy`s of length `m`, and
/// its `gemm_tr` (which wants `aᵀ` stored as `k × m`) runs `m·n` dot products of length `k`.
/// Either may also run on the transposed problem `outᵀ = op(b)ᵀ·op(a)ᵀ`, written into a
/// scratch matrix and transposed into `out` (or straight into `out` when it is a row or a
/// column: then `outᵀ` has the same memory). [`Plan::choose`] picks the cheapest of the four
/// by a measured cost model. When every dimension is above 5 (and one below [`SMALL`]),
/// `gemm` on contiguous operands calls `matrixmultiply`. Whichever operand is not stored as
/// the chosen form wants is transposed into this thread's [`Scratch`] first; both forms want
/// the right operand stored as `k × n`.
#[allow(clippy::too_many_arguments)] // BLAS's own argument list.
pub fn gemm_small<T: Element>(
    out: &mut DMatrix<T>,
    alpha: T,
    a: &DMatrix<T>,
    ta: Trans,
    b: &DMatrix<T>,
    tb: Trans,
    beta: T,
    (m, n, k): (usize, usize, usize),
) {
    T::with_scratch(|scratch| {
        let Scratch { a: sa, b: sb, out: so, plans } = scratch;
        let plan = plans.plan((m, n, k), ta, tb, beta == T::zero());
        if !plan.transposed {
            let out = DMatrixViewMut::from_slice(out.as_mut_slice(), m, n);
            return run_form(out, plan.dot, alpha, (a, ta), (b, tb), beta, (sa, sb));
        }
        // `outᵀ = op(b)ᵀ·op(a)ᵀ`: `b` is the left operand, used with the other transpose.
        let (a_t, b_t) = (flip(tb), flip(ta));
        if m == 1 || n == 1 {
            let out_t = DMatrixViewMut::from_slice(out.as_mut_slice(), n, m);
            run_form(out_t, plan.dot, alpha, (b, a_t), (a, b_t), beta, (sa, sb));
        } else {
            // Only chosen with `beta == 0`: `out` is not read.
            if so.len() < m * n {
                so.resize(m * n, T::zero());
            }
            let out_t = DMatrixViewMut::from_slice(&mut so[..m * n], n, m);
            run_form(out_t, plan.dot, alpha, (b, a_t), (a, b_t), T::zero(), (sa, sb));
            transpose_into(&so[..m * n], n, m, out.as_mut_slice());
        }
    });
}

/// `out = alpha·op(a)·op(b) + beta·out` with `gemm_tr` (`dot`) or `gemm`, on contiguous
/// operands: each operand not stored as the form wants is transposed into `sa` or `sb`.
fn run_form<T: Element>(
    mut out: DMatrixViewMut<'_, T>,
    dot: bool,
    alpha: T,
    (a, ta): (&DMatrix<T>, Trans),
    (b, tb): (&DMatrix<T>, Trans),
    beta: T,
    (sa, sb): (&mut Vec<T>, &mut Vec<T>),
) {
    // The dot form wants `a` stored transposed, the `gemm` form as it is.
    let copy_a = if dot { ta == Trans::No } else { ta == Trans::Yes };
    let p = if copy_a { transposed_copy(sa, a) } else { contiguous_view(a) };
    let q = match tb {
        Trans::No => contiguous_view(b),
        Trans::Yes => transposed_copy(sb, b),
    };
    if dot {
        out.gemm_tr(alpha, &p, &q, beta);
    } else {
        out.gemm(alpha, &p, &q, beta);
    }
}

fn flip(t: Trans) -> Trans {
    match t {
        Trans::No => Trans::Yes,
        Trans::Yes => Trans::No,
    }
}

/// How [`gemm_small`] computes a product: with `gemm_tr` or `gemm`, on the product as given
/// or on its transpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// `gemm_tr` (dot products) rather than `gemm` (`axpy`s).
    pub dot: bool,
    /// Computes `outᵀ = op(b)ᵀ·op(a)ᵀ`.
    pub transposed: bool,
}

impl Plan {
    /// The cheapest plan by the cost model, for a product with every dimension positive.
    ///
    /// With every dimension above 5, `gemm` on the product as given (nalgebra then calls
    /// `matrixmultiply`). Otherwise the model counts `gemm_tr`'s `m·n` dot products of length
    /// `k` or `gemm`'s `n·k` `axpy`s of length `m`, plus the transposing copies each form needs:
    /// the operands not stored its way, and for the transposed problem the result unless `out`
    /// is a row or a column. The transposed problem needs `out_unread` (`beta == 0`) unless
    /// `out` is a row or a column. It wins for a short, wide `out`: `W1·X` of the classic
    /// network (5×64, `k = 2`) becomes 10 `axpy`s of length 64 instead of 128 of length 5.
    #[must_use]
    pub fn choose(
        (m, n, k): (usize, usize, usize),
        ta: Trans,
        tb: Trans,
        out_unread: bool,
    ) -> Self {
        let direct = Self { dot: false, transposed: false };
        if m.min(n).min(k) > NALGEBRA_SMALL_DIM {
            return direct;
        }
        let vector = m == 1 || n == 1;
        let mut best = (f64::INFINITY, direct);
        for transposed in [false, true] {
            if transposed && !(vector || out_unread) {
                continue;
            }
            for dot in [false, true] {
                let cost = if transposed {
                    let copy_out = if vector { 0.0 } else { (m * n) as f64 * COPY_ELEM };
                    form_cost((n, m, k), flip(tb), flip(ta), dot) + copy_out
                } else {
                    form_cost((m, n, k), ta, tb, dot)
                };
                if cost < best.0 {
                    best = (cost, Self { dot, transposed });
                }
            }
        }
        best.1
    }
}

/// The modelled cost of `gemm_tr` (`dot`) or `gemm` on `out = op(a)·op(b)` with contiguous
/// copies of the operands not stored as the form wants.
///
/// The model follows the measurements: the dot form wins for a short, wide `a` (`2×64×5`:
/// 0.39 µs against 1.3 µs; `1×1024×256`: 0.09 ms against 1.6 ms), the `axpy` form once its
/// vectors are long (`1024×256×1`: 0.03 ms against 0.27 ms with `gemm_tr`), and the copy
/// decides `aᵀ·b` at `256×5×1024` (`gemm_tr` on `a` as stored: 0.3 ms, copy then `gemm`: 0.8 ms).
fn form_cost((m, n, k): (usize, usize, usize), ta: Trans, tb: Trans, dot: bool) -> f64 {
    let (mf, nf, kf) = (m as f64, n as f64, k as f64);
    let copy_a = if dot { ta == Trans::No } else { ta == Trans::Yes };
    let mut cost = if dot {
        mf * nf * (DOT_CALL + kf * DOT_ELEM)
    } else {
        nf * kf * (AXPY_CALL + mf * AXPY_ELEM)
    };
    if copy_a {
        cost += mf * kf * COPY_ELEM;
    }
    if tb == Trans::Yes {
        cost += kf * nf * COPY_ELEM;
    }
    cost
}

/// `op(x)` as a view with run-time strides: a transpose swaps the shape and the strides.
fn op_view<T: Element>(x: &DMatrix<T>, t: Trans) -> StridedView<'_, T> {
    let (rows, cols) = x.shape();
    match t {
        Trans::No => StridedView::from_slice_with_strides(x.as_slice(), rows, cols, 1, rows),
        Trans::Yes => StridedView::from_slice_with_strides(x.as_slice(), cols, rows, rows, 1),
    }
}

fn contiguous_view<T: Element>(x: &DMatrix<T>) -> DMatrixView<'_, T> {
    let (rows, cols) = x.shape();
    DMatrixView::from_slice(x.as_slice(), rows, cols)
}

/// Writes `xᵀ` into `buf` (grown once, then reused) and returns it as a contiguous view.
fn transposed_copy<'s, T: Element>(buf: &'s mut Vec<T>, x: &DMatrix<T>) -> DMatrixView<'s, T> {
    let (rows, cols) = x.shape();
    let len = rows * cols;
    if buf.len() < len {
        buf.resize(len, T::zero());
    }
    transpose_into(x.as_slice(), rows, cols, &mut buf[..len]);
    DMatrixView::from_slice(&buf[..len], cols, rows)
}

/// Writes the transpose of the column-major `rows × cols` matrix `src` into `dst` (column-major
/// `cols × rows`, the same length).
///
/// The inner loop runs along the longer side of `src`, so that the strided side of the copy is
/// the shorter one, in blocks of [`TILE`]. nalgebra's `tr_copy_from` walks a whole row of `x`
/// per output column and measured 2-5× slower on large matrices (f32 on a loaded machine, ns
/// per element: `1024 × 256` 4.6 against 1.2, `784 × 256` 1.2 against 0.7).
///
/// A side of at most 8 (the layers of a small network against its batch) takes a loop with
/// that side fixed at compile time instead: 2–4× faster on `2 × 64`, `5 × 64`, `64 × 5`.
fn transpose_into<T: Element>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    macro_rules! fixed {
        ($side:expr, $f:ident, $other:expr) => {
            match $side {
                1 => $f::<T, 1>(src, $other, dst),
                2 => $f::<T, 2>(src, $other, dst),
                3 => $f::<T, 3>(src, $other, dst),
                4 => $f::<T, 4>(src, $other, dst),
                5 => $f::<T, 5>(src, $other, dst),
                6 => $f::<T, 6>(src, $other, dst),
                7 => $f::<T, 7>(src, $other, dst),
                _ => $f::<T, 8>(src, $other, dst),
            }
        };
    }
    if rows == 0 || cols == 0 {
        return;
    }
    if rows <= 8 {
        return fixed!(rows, few_rows, cols);
    }
    if cols <= 8 {
        return fixed!(cols, few_cols, rows);
    }
    // `dst` is `cols × rows`: element `(j, i)`, at `i * cols + j`, is `src[(i, j)]`.
    if rows >= cols {
        // Down each column of `src` in blocks: contiguous reads, writes `cols` apart.
        for i0 in (0..rows).step_by(TILE) {
            let i1 = (i0 + TILE).min(rows);
            for j in 0..cols {
                let src_col = &src[j * rows + i0..j * rows + i1];
                let dst_row = dst[i0 * cols + j..].iter_mut().step_by(cols);
                dst_row.zip(src_col).for_each(|(o, &v)| *o = v);
            }
        }
    } else {
        // Along each row of `src` in blocks: reads `rows` apart, contiguous writes.
        for j0 in (0..cols).step_by(TILE) {
            let j1 = (j0 + TILE).min(cols);
            for i in 0..rows {
                let dst_col = &mut dst[i * cols + j0..i * cols + j1];
                let src_row = src[i + j0 * rows..].iter().step_by(rows);
                dst_col.iter_mut().zip(src_row).for_each(|(o, &v)| *o = v);
            }
        }
    }
}

/// [`transpose_into`] for `src` of `R` rows: each column of `src` scatters its `R` elements to
/// the `R` columns of `dst`.
fn few_rows<T: Element, const R: usize>(src: &[T], cols: usize, dst: &mut [T]) {
    let mut dst_cols = dst.chunks_exact_mut(cols);
    let mut out: [&mut [T]; R] = std::array::from_fn(|_| dst_cols.next().unwrap_or_default());
    for (j, c) in src.chunks_exact(R).enumerate() {
        for (o, &v) in out.iter_mut().zip(c) {
            o[j] = v;
        }
    }
}

/// [`transpose_into`] for `src` of `C` columns: each column of `dst` gathers one element from
/// each of the `C` columns of `src`.
fn few_cols<T: Element, const C: usize>(src: &[T], rows: usize, dst: &mut [T]) {
    let mut src_cols = src.chunks_exact(rows);
    let cols: [&[T]; C] = std::array::from_fn(|_| src_cols.next().unwrap_or_default());
    for (i, d) in dst.chunks_exact_mut(C).enumerate() {
        for (d, c) in d.iter_mut().zip(&cols) {
            *d = c[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_copy_matches_nalgebra_transpose_and_reuses_its_buffer() {
        let mut buf = Vec::new();
        let shapes = [(70, 33), (33, 70), (1, 1), (64, 2), (2, 64), (0, 5), (5, 0), (3, 4)];
        let few = [(8, 9), (9, 8), (7, 40), (40, 7), (1, 64), (64, 1), (6, 6), (5, 64), (64, 5)];
        for (rows, cols) in shapes.into_iter().chain(few) {
            let x = DMatrix::<f64>::from_fn(rows, cols, |i, j| (i * 1000 + j) as f64);
            let t = transposed_copy(&mut buf, &x);
            assert_eq!(t.clone_owned(), x.transpose(), "{rows}×{cols}");
        }
        // The buffer grew to the largest matrix (70 × 33) and stayed there.
        assert_eq!(buf.len(), 70 * 33);
    }

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
                    let want = Plan::choose(shape, ta, tb, unread);
                    assert_eq!(cache.plan(shape, ta, tb, unread), want, "round {round} {shape:?}");
                }
            }
        }
    }

    #[test]
    fn plans_for_the_classic_network_and_their_limits() {
        let plan = |dot, transposed| Plan { dot, transposed };
        let (no, yes) = (Trans::No, Trans::Yes);
        // W1·X (5×64, k = 2): 10 `axpy`s of length 64 on the transposed problem.
        assert_eq!(Plan::choose((5, 64, 2), no, no, true), plan(false, true));
        // ... but only when `out` need not be read: otherwise the product as given.
        assert!(!Plan::choose((5, 64, 2), no, no, false).transposed);
        // W3ᵀ·dZ3 (2×64, k = 1): dZ3ᵀ is dZ3's memory, 2 `axpy`s of length 64.
        assert_eq!(Plan::choose((2, 64, 1), yes, no, true), plan(false, true));
        // W3·A2 (1×64): the output is a row, transposed for free, so even with `beta ≠ 0`.
        assert!(Plan::choose((1, 64, 2), no, no, false).transposed);
        // dZ2·A1ᵀ (2×5, k = 64): dot products of length 64.
        assert_eq!(Plan::choose((2, 5, 64), no, yes, true), plan(true, false));
        // Every dimension above 5: nalgebra's `gemm` (matrixmultiply) on the product as given.
        assert_eq!(Plan::choose((6, 7, 6), yes, yes, true), plan(false, false));
    }
}
