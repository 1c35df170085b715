//! GEMM routed around nalgebra 0.35's out-of-bounds write on small transposed views.
//!
//! nalgebra's `gemm` hands products with every dimension above 5 to `matrixmultiply`, which
//! takes any strides. Smaller products run a column-by-column `axpy` loop that, when the left
//! operand is row-strided (a transposed view), walks past the end of the buffer
//! (dimforge/nalgebra#1616). So a transposed view reaches `gemm` only when every dimension is
//! at least [`SMALL`]; smaller products copy each transposed operand into a reusable
//! per-thread buffer and call `gemm` or `gemm_tr` on contiguous matrices, on the product as
//! given or on its transpose, whichever a measured cost model ([`cost::ProductPlan`]) expects
//! to be faster.
//!
//! One job per module: this one routes a product, [`cost`] holds the cost model and its
//! [`ProductPlan`](cost::ProductPlan), [`cache`] the per-thread buffers and plan cache,
//! [`transpose`] the transposing copy.

mod cache;
mod cost;
mod transpose;

use descent_core::Trans;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, Dyn, MatrixView};

use cache::{Element, Scratch};
use cost::flip;
use transpose::{transpose_into, transposed_copy};

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

/// A column-major view with run-time strides: how a transposed operand reaches `gemm`.
type StridedView<'a, T> = MatrixView<'a, T, Dyn, Dyn, Dyn, Dyn>;

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
/// column: then `outᵀ` has the same memory). [`cost::ProductPlan::choose`] picks the
/// cheapest of the four by a measured cost model. When every dimension is above 5 (and one
/// below [`SMALL`]), `gemm` on contiguous operands calls `matrixmultiply`. Whichever operand is
/// not stored as the chosen form wants is transposed into this thread's [`Scratch`] first; both
/// forms want the right operand stored as `k × n`.
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

/// `op(x)` as a view with run-time strides: a transpose swaps the shape and the strides.
fn op_view<T: Element>(x: &DMatrix<T>, t: Trans) -> StridedView<'_, T> {
    let (rows, cols) = x.shape();
    match t {
        Trans::No => StridedView::from_slice_with_strides(x.as_slice(), rows, cols, 1, rows),
        Trans::Yes => StridedView::from_slice_with_strides(x.as_slice(), cols, rows, rows, 1),
    }
}

pub(super) fn contiguous_view<T: Element>(x: &DMatrix<T>) -> DMatrixView<'_, T> {
    let (rows, cols) = x.shape();
    DMatrixView::from_slice(x.as_slice(), rows, cols)
}
