//! GEMM routed around nalgebra 0.35's out-of-bounds write on small transposed views.
//!
//! nalgebra's `gemm` hands products with every dimension above 5 to `matrixmultiply`, which
//! takes any strides. Smaller products run a column-by-column `axpy` loop that, when the left
//! operand is row-strided (a transposed view), walks past the end of the buffer
//! (dimforge/nalgebra#1616). So a transposed view reaches `gemm` only when every dimension is
//! at least [`SMALL`]; smaller products copy each transposed operand into a reusable
//! per-thread buffer and call `gemm` or `gemm_tr` on contiguous matrices.

use std::cell::RefCell;

use descent_core::Trans;
use nalgebra::{DMatrix, DMatrixView, Dyn, MatrixView, RealField};

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

/// The two per-thread buffers that hold transposed copies of `a` and `b`.
#[derive(Debug, Default)]
pub struct Scratch<T> {
    a: Vec<T>,
    b: Vec<T>,
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
                const { RefCell::new(Scratch { a: Vec::new(), b: Vec::new() }) };
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
/// [`prefer_dot_form`] picks the cheaper of the two. When every dimension is above 5 (and
/// one below [`SMALL`]), `gemm` on contiguous operands calls `matrixmultiply`. Whichever
/// operand is not stored as the chosen form wants is transposed into this thread's
/// [`Scratch`] first; both forms want `b` stored as `k × n`.
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
    let dot_form = m.min(n).min(k) <= NALGEBRA_SMALL_DIM && prefer_dot_form((m, n, k), ta);
    // The dot form wants `a` stored transposed, the `gemm` form as it is.
    let copy_a = if dot_form { ta == Trans::No } else { ta == Trans::Yes };
    T::with_scratch(|scratch| {
        let p = if copy_a { transposed_copy(&mut scratch.a, a) } else { contiguous_view(a) };
        let q = match tb {
            Trans::No => contiguous_view(b),
            Trans::Yes => transposed_copy(&mut scratch.b, b),
        };
        if dot_form {
            out.gemm_tr(alpha, &p, &q, beta);
        } else {
            out.gemm(alpha, &p, &q, beta);
        }
    });
}

/// Whether `gemm_tr` (`m·n` dot products of length `k`) is expected to beat `gemm` (`n·k`
/// `axpy`s of length `m`) on a product with some dimension of 5 or less, counting the copy of
/// `a` that the form needs when `a` is not stored its way.
///
/// The model follows the measurements: the dot form wins for a short, wide `a` (`2×64×5`:
/// 0.39 µs against 1.3 µs; `1×1024×256`: 0.09 ms against 1.6 ms), the `axpy` form once its
/// vectors are long (`1024×256×1`: 0.03 ms against 0.27 ms with `gemm_tr`), and the copy
/// decides `aᵀ·b` at `256×5×1024` (`gemm_tr` on `a` as stored: 0.3 ms, copy then `gemm`: 0.8 ms).
fn prefer_dot_form((m, n, k): (usize, usize, usize), ta: Trans) -> bool {
    let (m, n, k) = (m as f64, n as f64, k as f64);
    let copy_a = m * k * COPY_ELEM;
    let dot = m * n * (DOT_CALL + k * DOT_ELEM) + if ta == Trans::No { copy_a } else { 0.0 };
    let axpy = n * k * (AXPY_CALL + m * AXPY_ELEM) + if ta == Trans::Yes { copy_a } else { 0.0 };
    dot < axpy
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
///
/// The inner loop runs along the longer side of `x`, so that the strided side of the copy is
/// the shorter one, in blocks of [`TILE`]. nalgebra's `tr_copy_from` walks a whole row of `x`
/// per output column and measured 2-5× slower on large matrices (f32 on a loaded machine, ns
/// per element: `1024 × 256` 4.6 against 1.2, `784 × 256` 1.2 against 0.7).
fn transposed_copy<'s, T: Element>(buf: &'s mut Vec<T>, x: &DMatrix<T>) -> DMatrixView<'s, T> {
    let (rows, cols) = x.shape();
    let len = rows * cols;
    if buf.len() < len {
        buf.resize(len, T::zero());
    }
    let (src, dst) = (x.as_slice(), &mut buf[..len]);
    // `dst` is `cols × rows`: element `(j, i)`, at `i * cols + j`, is `x[(i, j)]`.
    if rows >= cols {
        // Down each column of `x` in blocks: contiguous reads, writes `cols` apart.
        for i0 in (0..rows).step_by(TILE) {
            let i1 = (i0 + TILE).min(rows);
            for j in 0..cols {
                let src_col = &src[j * rows + i0..j * rows + i1];
                let dst_row = dst[i0 * cols + j..].iter_mut().step_by(cols);
                dst_row.zip(src_col).for_each(|(o, &v)| *o = v);
            }
        }
    } else {
        // Along each row of `x` in blocks: reads `rows` apart, contiguous writes.
        for j0 in (0..cols).step_by(TILE) {
            let j1 = (j0 + TILE).min(cols);
            for i in 0..rows {
                let dst_col = &mut dst[i * cols + j0..i * cols + j1];
                let src_row = src[i + j0 * rows..].iter().step_by(rows);
                dst_col.iter_mut().zip(src_row).for_each(|(o, &v)| *o = v);
            }
        }
    }
    DMatrixView::from_slice(&buf[..len], cols, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_copy_matches_nalgebra_transpose_and_reuses_its_buffer() {
        let mut buf = Vec::new();
        for (rows, cols) in [(70, 33), (33, 70), (1, 1), (64, 2), (2, 64), (0, 5), (5, 0), (3, 4)] {
            let x = DMatrix::<f64>::from_fn(rows, cols, |i, j| (i * 1000 + j) as f64);
            let t = transposed_copy(&mut buf, &x);
            assert_eq!(t.clone_owned(), x.transpose(), "{rows}×{cols}");
        }
        // The buffer grew to the largest matrix (70 × 33) and stayed there.
        assert_eq!(buf.len(), 70 * 33);
    }
}
