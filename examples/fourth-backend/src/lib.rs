//! A fourth descent backend: a column-major `Vec<T>` whose GEMM is matrixmultiply's.
//!
//! What `descent_core::Backend` asks of an implementation, and how this one meets it:
//!
//! - **Five required methods** (`zeros`, `shape`, `col`, `col_mut`, `gemm`) and `NAME`; every
//!   other op is a default method built on them. Override one only where a library is faster.
//! - **Column-major, each column one contiguous slice**: element `(i, j)` is `data[i + j·rows]`.
//!   Padding between columns is allowed, but then `as_slice` must stay `None`.
//! - **`as_slice` is the fast path of every default op**: when it returns the buffer, ops walk
//!   it in one pass instead of column by column, so it must hold exactly the `rows·cols`
//!   elements in column-major order, nothing more.
//! - **`col(m, j)` panics for `j >= cols`**, like slice indexing, even with 0 rows (where the
//!   slice `j·rows..(j + 1)·rows` is empty and in bounds: check `j` itself).
//! - **`gemm` calls `check_gemm` first**, so every backend rejects the same shapes with the same
//!   error; it returns `(m, n, k)`, the output's shape then the inner dimension (BLAS says
//!   `(m, k, n)`). With `beta == 0`, `out` is not read: NaN in it must not propagate.
//! - **Only constructors allocate**: `gemm` writes into the caller's `out` (with published
//!   matrixmultiply it allocates a packing buffer per call; `Cargo.toml` patches it).
//! - **`Matrix: Clone + Send + Sync + Debug`** and the backend `Send + Sync + 'static`:
//!   training prefetches batches on a second thread, and the suite moves matrices across
//!   threads. `Vec<T>` is all of these.
//!
//! `tests/suite.rs` proves it: `descent_backend_tests::backend_suite!(fourth_backend::VecBackend);`

use descent_core::{Backend, Result, Scalar, Trans, check_gemm};

/// The backend: a unit struct; its methods are associated functions over [`VecMatrix`].
#[derive(Debug, Clone, Copy, Default)]
pub struct VecBackend;

/// A `rows × cols` matrix, column after column, without padding.
#[derive(Debug, Clone, PartialEq)]
pub struct VecMatrix<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

/// matrixmultiply's `sgemm`/`dgemm`: each matrix is a pointer and its (row, column) strides.
#[rustfmt::skip] // One line per group of arguments.
pub type GemmFn<T> = unsafe fn(
    usize, usize, usize,           // m, k, n
    T, *const T, isize, isize,     // alpha, a, rsa, csa
    *const T, isize, isize,        // b, rsb, csb
    T, *mut T, isize, isize,       // beta, c, rsc, csc
);

/// The scalars matrixmultiply multiplies: `sgemm` for `f32`, `dgemm` for `f64`.
pub trait Gemm: Scalar {
    /// The GEMM for this scalar.
    const GEMM: GemmFn<Self>;
}

impl Gemm for f32 {
    const GEMM: GemmFn<f32> = matrixmultiply::sgemm;
}

impl Gemm for f64 {
    const GEMM: GemmFn<f64> = matrixmultiply::dgemm;
}

/// The strides (row, column) of `op(m)` for a column-major `m`.
fn strides<T>(m: &VecMatrix<T>, t: Trans) -> (isize, isize) {
    let rows = isize::try_from(m.rows).expect("a Vec holds at most isize::MAX bytes");
    match t {
        Trans::No => (1, rows),
        Trans::Yes => (rows, 1),
    }
}

impl<T: Gemm> Backend<T> for VecBackend {
    type Matrix = VecMatrix<T>;
    const NAME: &'static str = "vec";

    fn zeros(rows: usize, cols: usize) -> VecMatrix<T> {
        VecMatrix { rows, cols, data: vec![T::ZERO; rows * cols] }
    }

    fn shape(m: &VecMatrix<T>) -> (usize, usize) {
        (m.rows, m.cols)
    }

    fn col(m: &VecMatrix<T>, j: usize) -> &[T] {
        assert!(j < m.cols, "column {j} out of range for {} columns", m.cols);
        &m.data[j * m.rows..(j + 1) * m.rows]
    }

    fn col_mut(m: &mut VecMatrix<T>, j: usize) -> &mut [T] {
        assert!(j < m.cols, "column {j} out of range for {} columns", m.cols);
        &mut m.data[j * m.rows..(j + 1) * m.rows]
    }

    fn as_slice(m: &VecMatrix<T>) -> Option<&[T]> {
        Some(&m.data)
    }

    fn as_mut_slice(m: &mut VecMatrix<T>) -> Option<&mut [T]> {
        Some(&mut m.data)
    }

    fn gemm(
        out: &mut VecMatrix<T>,
        alpha: T,
        a: &VecMatrix<T>,
        ta: Trans,
        b: &VecMatrix<T>,
        tb: Trans,
        beta: T,
    ) -> Result<()> {
        let (m, n, k) = check_gemm(Self::shape(out), Self::shape(a), ta, Self::shape(b), tb)?;
        let ((rsa, csa), (rsb, csb), (rsc, csc)) =
            (strides(a, ta), strides(b, tb), strides(out, Trans::No));
        let (pa, pb, pc) = (a.data.as_ptr(), b.data.as_ptr(), out.data.as_mut_ptr());
        // SAFETY: check_gemm proved op(a) is m × k, op(b) k × n and out m × n, and the strides
        // address exactly those column-major elements; `out` is borrowed mutably, so it
        // aliases neither `a` nor `b`. matrixmultiply reads no `out` when beta == 0.
        unsafe { T::GEMM(m, k, n, alpha, pa, rsa, csa, pb, rsb, csb, beta, pc, rsc, csc) };
        Ok(())
    }
}
