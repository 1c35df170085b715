//! GEMM: all four transpose combinations against the reference, large products, and the
//! agreement with the reference backend ([`Faer`]) on the same inputs.

use descent_core::{Backend, Trans};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use descent_faer::Faer;

use crate::harness::{GEMM_CASES, LARGE_GEMM_CASES, Site, from_b, ok, to_b};
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

    /// What a failure message names: the transposes, `m n k`, `alpha` and `beta`.
    fn describe(&self, what: &str) -> String {
        let (m, n) = self.out.shape();
        let (ta, tb, k) = (self.ta, self.tb, self.k());
        let (alpha, beta) = (self.alpha, self.beta);
        format!(
            "{what} (Trans::{ta:?}, Trans::{tb:?}), m={m} n={n} k={k}, alpha={alpha:?}, beta={beta:?}"
        )
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
    prop_assert_eq!(
        got.shape(),
        case.out.shape(),
        "{} changed the output's shape",
        case.describe("gemm")
    );
    let tol = accumulated::<T>(case.k());
    assert_close(&case.describe("gemm"), got.rows, &got.data, &case.reference(), tol)
}

fn gemm_transposed<T: Dtype, B: Backend<T>>(site: &Site, ta: Trans, tb: Trans) {
    site.check_shapes(
        GEMM_CASES,
        GEMM_SHAPES,
        gemm_dims(),
        |dims| gemm_case::<T>(Just((ta, tb)), dims),
        agrees_with_reference::<T, B>,
    );
}

/// `out = alpha·a·b + beta·out` against the reference, on [`GEMM_SHAPES`] and random shapes.
pub fn gemm_nn<T: Dtype, B: Backend<T>>(site: &Site) {
    gemm_transposed::<T, B>(site, Trans::No, Trans::No);
}

/// `out = alpha·a·bᵀ + beta·out` against the reference.
pub fn gemm_nt<T: Dtype, B: Backend<T>>(site: &Site) {
    gemm_transposed::<T, B>(site, Trans::No, Trans::Yes);
}

/// `out = alpha·aᵀ·b + beta·out` against the reference.
pub fn gemm_tn<T: Dtype, B: Backend<T>>(site: &Site) {
    gemm_transposed::<T, B>(site, Trans::Yes, Trans::No);
}

/// `out = alpha·aᵀ·bᵀ + beta·out` against the reference.
pub fn gemm_tt<T: Dtype, B: Backend<T>>(site: &Site) {
    gemm_transposed::<T, B>(site, Trans::Yes, Trans::Yes);
}

/// Products with a dimension of at least 256: [`LARGE_GEMM_SHAPES`] with every transpose
/// combination, then random ones. Each runs twice and must give bit-identical results (the
/// trait promises deterministic results).
pub fn gemm_large<T: Dtype, B: Backend<T>>(site: &Site) {
    let all = [Trans::No, Trans::Yes];
    let fixed: Vec<_> = LARGE_GEMM_SHAPES
        .iter()
        .flat_map(|&dims| all.into_iter().flat_map(move |ta| all.map(|tb| ((ta, tb), dims))))
        .collect();
    site.check_shapes(
        LARGE_GEMM_CASES,
        &fixed,
        ((trans(), trans()), large_gemm_dims()),
        |s| s.prop_flat_map(|(transposes, dims)| gemm_case::<T>(Just(transposes), Just(dims))),
        |case| {
            let first = case.run::<B>()?;
            let tol = accumulated::<T>(case.k());
            assert_close(&case.describe("gemm"), first.rows, &first.data, &case.reference(), tol)?;
            let again = case.run::<B>()?;
            assert_exact(&case.describe("gemm run twice"), first.rows, &again.data, &first.data)
        },
    );
}

/// `B` agrees with the reference backend [`Faer`] within twice the reference tolerance, on
/// the same inputs, every transpose combination: both are within the tolerance of the
/// compensated-sum reference, so this adds the check that the two disagree in the same way
/// nowhere.
pub fn gemm_agrees_with_faer<T: Dtype, B: Backend<T>>(site: &Site)
where
    Faer: Backend<T>,
{
    site.check_shapes(
        GEMM_CASES,
        GEMM_SHAPES,
        gemm_dims(),
        |dims| gemm_case::<T>((trans(), trans()), dims),
        |case| {
            let want = case.reference();
            let tol = 2.0 * accumulated::<T>(case.k());
            let (faer, got) = (case.run::<Faer>()?, case.run::<B>()?);
            let faer_as_ref = Expected {
                value: faer.data.iter().map(|v| v.to_f64()).collect(),
                scale: want.scale.clone(),
            };
            let op = case.describe(&format!("gemm of {} vs faer", B::NAME));
            assert_close(&op, got.rows, &got.data, &faer_as_ref, tol)
        },
    );
}
