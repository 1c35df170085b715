//! The shapes of a GEMM: [`Trans`], and [`check_gemm`], which every `Backend::gemm` calls first.

use crate::{Result, check_shape};

/// Whether a GEMM operand is used as stored or transposed (BLAS's `N` / `T`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trans {
    /// Use the operand as stored.
    No,
    /// Use the operand's transpose.
    Yes,
}

impl Trans {
    /// The shape of `op(m)` for a matrix of shape `(rows, cols)`.
    #[must_use]
    pub fn apply(self, (rows, cols): (usize, usize)) -> (usize, usize) {
        match self {
            Trans::No => (rows, cols),
            Trans::Yes => (cols, rows),
        }
    }
}

/// Checks the shapes of `out = op(a)·op(b)` and returns `(m, n, k)`.
///
/// Backends call this first in [`Backend::gemm`](crate::Backend::gemm), so every backend
/// rejects the same shapes with the same error. The arguments are shapes in the order of `gemm`'s operands (`out`,
/// `a`, `ta`, `b`, `tb`); the result is the output's shape `(m, n)` then the inner dimension
/// `k`, **not** BLAS's `(m, k, n)`: `let (m, n, k) = check_gemm(...)?;` then
/// `sgemm(m, k, n, …)`.
///
/// # Errors
/// [`Error::ShapeMismatch`](crate::Error::ShapeMismatch) with op `"gemm"`: first when the
/// inner dimensions differ (expected `op(b)` to be `k × n`), then when `out` is not `m × n`.
pub fn check_gemm(
    out: (usize, usize),
    a: (usize, usize),
    ta: Trans,
    b: (usize, usize),
    tb: Trans,
) -> Result<(usize, usize, usize)> {
    let (m, k) = ta.apply(a);
    let (kb, n) = tb.apply(b);
    check_shape("gemm", (k, n), (kb, n))?;
    check_shape("gemm", (m, n), out)?;
    Ok((m, n, k))
}
