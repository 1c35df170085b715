//! GEMM: all four transpose combinations against the reference, large products, and the
//! backends pairwise.

use descent_core::{Backend, Trans};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::harness::{GEMM_CASES, LARGE_GEMM_CASES, check_shapes, from_b, ok, to_b};
use crate::reference::{self, Expected, Mat};
use crate::strategies::{
    GEMM_SHAPES, GemmDims, LARGE_GEMM_SHAPES, alpha, beta, beta_out, gemm_dims, large_gemm_dims,
    mat, scalar, trans, value,
};
use crate::tolerance::{Dtype, accumulated, assert_close, assert_exact};

/// One product `out = alpha·op(a)·op(b) + beta·out`.
#[derive(Debug, Clone)]
struct GemmCase<T> {
    ta: Trans,
    tb: Trans,
    alpha: T,
    beta: T,
    a: Mat<T>,
    b: Mat<T>,
    /// NaN-filled when `beta == 0`.
    out: Mat<T>,
}

impl<T: Dtype> GemmCase<T> {
    /// The inner dimension `k`.
    fn k(&self) -> usize {
        self.ta.apply(self.a.shape()).1
    }

    fn reference(&self) -> Expected {
        reference::gemm(self.alpha, &self.a, self.ta, &self.b, self.tb, self.beta, &self.out)
    }

    /// Runs the product on backend `B` and returns `out` in plain memory.
    fn run<B: Backend<T>>(&self) -> Result<Mat<T>, TestCaseError> {
        let (a, b) = (to_b::<T, B>(&self.a)?, to_b::<T, B>(&self.b)?);
        let mut out = to_b::<T, B>(&self.out)?;
        ok(B::gemm(&mut out, self.alpha, &a, self.ta, &b, self.tb, self.beta))?;
        Ok(from_b::<T, B>(&out))
    }
}

/// Products with dimensions from `dims` and transposes from `transposes`.
fn gemm_case<T: Dtype>(
    transposes: impl Strategy<Value = (Trans, Trans)>,
    dims: impl Strategy<Value = GemmDims>,
) -> impl Strategy<Value = GemmCase<T>> {
    (transposes, dims, scalar::<T>(alpha()), beta()).prop_flat_map(
        |((ta, tb), (m, n, k), alpha, beta)| {
            let a = mat::<T>(ta.apply((m, k)), value());
            let b = mat::<T>(tb.apply((k, n)), value());
            (a, b, beta_out::<T>((m, n), beta)).prop_map(move |(a, b, out)| GemmCase {
                ta,
                tb,
                alpha,
                beta: T::from_f64(beta),
                a,
                b,
                out,
            })
        },
    )
}

/// `B`'s product is within `C0·(k + 2)·ε·(|alpha|·|op(a)|·|op(b)| + |beta|·|out|)` of the
/// reference, elementwise.
fn agrees_with_reference<T: Dtype, B: Backend<T>>(case: GemmCase<T>) -> Result<(), TestCaseError> {
    let got = case.run::<B>()?;
    prop_assert_eq!(got.shape(), case.out.shape(), "gemm changed the output's shape");
    assert_close("gemm", got.rows, &got.data, &case.reference(), accumulated::<T>(case.k()))
}

fn gemm_transposed<T: Dtype, B: Backend<T>>(ta: Trans, tb: Trans) {
    check_shapes(
        GEMM_CASES,
        GEMM_SHAPES,
        gemm_dims(),
        |dims| gemm_case::<T>(Just((ta, tb)), dims),
        agrees_with_reference::<T, B>,
    );
}

fn gemm_nn<T: Dtype, B: Backend<T>>() {
    gemm_transposed::<T, B>(Trans::No, Trans::No);
}

fn gemm_nt<T: Dtype, B: Backend<T>>() {
    gemm_transposed::<T, B>(Trans::No, Trans::Yes);
}

fn gemm_tn<T: Dtype, B: Backend<T>>() {
    gemm_transposed::<T, B>(Trans::Yes, Trans::No);
}

fn gemm_tt<T: Dtype, B: Backend<T>>() {
    gemm_transposed::<T, B>(Trans::Yes, Trans::Yes);
}

/// Products with a dimension of at least 256: [`LARGE_GEMM_SHAPES`] with every transpose
/// combination, then random ones. Each runs twice and must give bit-identical results (the
/// trait promises deterministic results).
fn gemm_large<T: Dtype, B: Backend<T>>() {
    let all = [Trans::No, Trans::Yes];
    let fixed: Vec<_> = LARGE_GEMM_SHAPES
        .iter()
        .flat_map(|&dims| all.into_iter().flat_map(move |ta| all.map(|tb| ((ta, tb), dims))))
        .collect();
    check_shapes(
        LARGE_GEMM_CASES,
        &fixed,
        ((trans(), trans()), large_gemm_dims()),
        |s| s.prop_flat_map(|(transposes, dims)| gemm_case::<T>(Just(transposes), Just(dims))),
        |case| {
            let first = case.run::<B>()?;
            let tol = accumulated::<T>(case.k());
            assert_close("gemm", first.rows, &first.data, &case.reference(), tol)?;
            let again = case.run::<B>()?;
            assert_exact("gemm run twice", first.rows, &again.data, &first.data)
        },
    );
}

backend_tests!(gemm_nn, gemm_nt, gemm_tn, gemm_tt, gemm_large);

/// Every pair of backends agrees within twice the reference tolerance, on the same inputs.
fn backends_agree<T: Dtype>()
where
    descent_ndarray::Ndarray: Backend<T>,
    descent_nalgebra::Nalgebra: Backend<T>,
    descent_faer::Faer: Backend<T>,
{
    check_shapes(
        GEMM_CASES,
        GEMM_SHAPES,
        gemm_dims(),
        |dims| gemm_case::<T>((trans(), trans()), dims),
        |case| {
            let want = case.reference();
            let tol = 2.0 * accumulated::<T>(case.k());
            let results = [
                ("ndarray", case.run::<descent_ndarray::Ndarray>()?),
                ("nalgebra", case.run::<descent_nalgebra::Nalgebra>()?),
                ("faer", case.run::<descent_faer::Faer>()?),
            ];
            for (i, (name_x, x)) in results.iter().enumerate() {
                for (name_y, y) in &results[i + 1..] {
                    let x_as_ref = Expected {
                        value: x.data.iter().map(|v| v.to_f64()).collect(),
                        scale: want.scale.clone(),
                    };
                    let op = format!("gemm {name_y} vs {name_x}");
                    assert_close(&op, x.rows, &y.data, &x_as_ref, tol)?;
                }
            }
            Ok(())
        },
    );
}

mod gemm_backends_agree {
    #[test]
    fn f32() {
        super::backends_agree::<f32>();
    }

    #[test]
    fn f64() {
        super::backends_agree::<f64>();
    }
}
