//! Reductions: `sum_cols`, `sum_squares` and `softmax_cols`, within bounds that grow with the
//! number of terms.

use descent_core::Backend;
use proptest::prelude::*;

use crate::harness::{CASES, Site, from_b, ok, to_b};
use crate::reference::{self, Expected, Mat, Neumaier};
use crate::strategies::{
    ELEMENTWISE_SHAPES, alpha, beta, beta_out, logit_mat, mat, scalar, shape, value,
};
use crate::tolerance::{Dtype, accumulated, assert_close, softmax};

/// `out = alpha·Σ_j a[:, j] + beta·out`, with `beta` 0 (NaN-filled `out`), 1 or general.
pub fn sum_cols<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs = |s: BoxedStrategy<(usize, usize)>| {
        (s, scalar::<T>(alpha()), beta()).prop_flat_map(|(s, alpha, beta)| {
            let out = beta_out::<T>((s.0, 1), beta);
            (mat::<T>(s, value()), Just(alpha), Just(T::from_f64(beta)), out)
        })
    };
    site.check_shapes(CASES, ELEMENTWISE_SHAPES, shape(), inputs, |(a, alpha, beta, out)| {
        let mut got = to_b::<T, B>(&out)?;
        ok(B::sum_cols(&mut got, alpha, &to_b::<T, B>(&a)?, beta))?;
        let want = reference::sum_cols(&out, alpha, &a, beta);
        let tol = accumulated::<T>(a.cols);
        assert_close("sum_cols", a.rows, &from_b::<T, B>(&got).data, &want, tol)
    });
}

/// The sum of squares of every element.
pub fn sum_squares<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, value())),
        |m| {
            let got = B::sum_squares(&to_b::<T, B>(&m)?);
            let tol = accumulated::<T>(m.data.len());
            assert_close("sum_squares", 1, &[got], &reference::sum_squares(&m), tol)
        },
    );
}

/// `softmax_cols` on logits up to 10⁴ (whose exponentials overflow unless shifted) into a
/// NaN-filled output: no NaN, each column sums to 1, each element within the reference's
/// bound.
pub fn softmax_cols<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(logit_mat::<T>),
        |z| {
            let mut out = to_b::<T, B>(&Mat::filled(z.rows, z.cols, T::from_f64(f64::NAN)))?;
            ok(B::softmax_cols(&mut out, &to_b::<T, B>(&z)?))?;
            let got = from_b::<T, B>(&out);
            assert_close(
                "softmax_cols",
                z.rows,
                &got.data,
                &reference::softmax_cols(&z),
                softmax::<T>(),
            )?;
            if z.rows == 0 {
                // An empty column has no elements to sum to 1.
                return Ok(());
            }
            // Each element's error is at most (rows + |z - max| + 5)·u relative, and
            // Σ out·|z - max| ≤ rows/e, so the column sum is within (2·rows + 8)·ε of 1.
            let sums = Expected {
                value: vec![1.0; z.cols],
                scale: vec![2.0 * z.rows as f64 + 8.0; z.cols],
            };
            let col_sums: Vec<f64> = (0..z.cols)
                .map(|j| {
                    let mut sum = Neumaier::default();
                    got.col(j).iter().for_each(|x| sum.add(x.to_f64()));
                    sum.value()
                })
                .collect();
            assert_close::<f64>("softmax_cols column sum", 1, &col_sums, &sums, softmax::<T>())
        },
    );
}
