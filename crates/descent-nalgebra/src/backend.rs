//! `Nalgebra`: the `Backend` implementation for `f32` and `f64`.

use descent_core::{Backend, Result, Trans, check_gemm};
use nalgebra::DMatrix;

use crate::gemm;

/// The nalgebra backend: matrices are [`DMatrix`], GEMM is nalgebra's `gemm` / `gemm_tr`.
///
/// Products with every dimension at least [`SMALL`](crate::SMALL) hand transposed operands to
/// `gemm` as strided views (nalgebra then calls `matrixmultiply`); smaller products copy each
/// transposed operand into a per-thread buffer first, because nalgebra 0.35 writes out of
/// bounds on small transposed views (see the [crate documentation](crate)).
#[derive(Debug, Clone, Copy, Default)]
pub struct Nalgebra;

macro_rules! impl_backend {
    ($t:ty) => {
        impl Backend<$t> for Nalgebra {
            type Matrix = DMatrix<$t>;
            const NAME: &'static str = "nalgebra";

            #[inline]
            fn zeros(rows: usize, cols: usize) -> Self::Matrix {
                DMatrix::zeros(rows, cols)
            }

            #[inline]
            fn shape(m: &Self::Matrix) -> (usize, usize) {
                m.shape()
            }

            #[inline]
            fn col(m: &Self::Matrix, j: usize) -> &[$t] {
                let (rows, cols) = m.shape();
                assert!(j < cols, "column {j} out of range for {cols} columns");
                &m.as_slice()[j * rows..(j + 1) * rows]
            }

            #[inline]
            fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [$t] {
                let (rows, cols) = m.shape();
                assert!(j < cols, "column {j} out of range for {cols} columns");
                &mut m.as_mut_slice()[j * rows..(j + 1) * rows]
            }

            #[inline]
            fn as_slice(m: &Self::Matrix) -> Option<&[$t]> {
                Some(m.as_slice())
            }

            #[inline]
            fn as_mut_slice(m: &mut Self::Matrix) -> Option<&mut [$t]> {
                Some(m.as_mut_slice())
            }

            fn gemm(
                out: &mut Self::Matrix,
                alpha: $t,
                a: &Self::Matrix,
                ta: Trans,
                b: &Self::Matrix,
                tb: Trans,
                beta: $t,
            ) -> Result<()> {
                let dims = check_gemm(out.shape(), a.shape(), ta, b.shape(), tb)?;
                gemm::gemm(out, alpha, a, ta, b, tb, beta, dims);
                Ok(())
            }
        }
    };
}

impl_backend!(f32);
impl_backend!(f64);

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
