//! `Ndarray`: the `Backend` implementation for `f32` and `f64`.

use descent_core::{Backend, Result, Trans, check_gemm};
use ndarray::linalg::general_mat_mul;

use crate::NdMatrix;

/// The ndarray backend: matrices are [`NdMatrix`], GEMM is `ndarray::linalg::general_mat_mul`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ndarray;

macro_rules! impl_backend {
    ($t:ty) => {
        impl Backend<$t> for Ndarray {
            type Matrix = NdMatrix<$t>;
            const NAME: &'static str = "ndarray";

            #[inline]
            fn zeros(rows: usize, cols: usize) -> Self::Matrix {
                NdMatrix::zeros(rows, cols)
            }

            #[inline]
            fn shape(m: &Self::Matrix) -> (usize, usize) {
                m.array().dim()
            }

            #[inline]
            fn col(m: &Self::Matrix, j: usize) -> &[$t] {
                let (rows, cols) = m.array().dim();
                // With 0 rows every range below is empty and in bounds: check `j` itself.
                assert!(j < cols, "column {j} out of range for {cols} columns");
                &m.as_slice()[j * rows..(j + 1) * rows]
            }

            #[inline]
            fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [$t] {
                let (rows, cols) = m.array().dim();
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
                let shape = <Self as Backend<$t>>::shape;
                check_gemm(shape(out), shape(a), ta, shape(b), tb)?;
                let a = match ta {
                    Trans::No => a.view(),
                    Trans::Yes => a.view().reversed_axes(),
                };
                let b = match tb {
                    Trans::No => b.view(),
                    Trans::Yes => b.view().reversed_axes(),
                };
                general_mat_mul(alpha, &a, &b, beta, out.array_mut());
                Ok(())
            }
        }
    };
}

impl_backend!(f32);
impl_backend!(f64);

#[cfg(test)]
mod tests {
    use super::*;

    type B64 = Ndarray;

    #[test]
    fn gemm_with_beta_zero_ignores_nan_in_the_output() {
        let a = <Ndarray as Backend<f64>>::from_row_major(2, 2, &[1., 2., 3., 4.]).unwrap();
        let mut out = <Ndarray as Backend<f64>>::from_row_major(2, 2, &[f64::NAN; 4]).unwrap();
        <B64 as Backend<f64>>::gemm(&mut out, 1.0, &a, Trans::No, &a, Trans::No, 0.0).unwrap();
        assert_eq!(<B64 as Backend<f64>>::to_row_major(&out), vec![7., 10., 15., 22.]);
    }

    #[test]
    fn from_array_makes_any_layout_column_major() {
        let c_order = ndarray::array![[1.0_f32, 2.0], [3.0, 4.0]];
        let m = NdMatrix::from_array(c_order);
        assert_eq!(m.as_slice(), &[1.0, 3.0, 2.0, 4.0]);
        assert_eq!(<Ndarray as Backend<f32>>::col(&m, 1), &[2.0, 4.0]);
    }
}
