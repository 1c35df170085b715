//! Tolerances per dtype and op, and the assertions that apply them.
//!
//! An element passes when `|got - want| ≤ tol·scale + MIN_POSITIVE`, where `scale` comes from
//! the reference (`reference::Expected`) and `tol` from this module:
//!
//! | op | `f64` | `f32` |
//! |---|---|---|
//! | exact ops (storage, `fill`, `copy`, `gather_cols`, `relu`, `relu_backward`) | bit-equal | bit-equal |
//! | arithmetic (`scale`, `axpy`, `mul_elem`, `add_col`, `*_backward`) | `1e-12` | `1e-6` (≈ 8 ε) |
//! | transcendental (`sigmoid`, `tanh`) | `1e-12` | `1e-5` (≈ 84 ε) |
//! | sums of `k` terms (`gemm`, `sum_cols`, `sum_squares`) | `C0·(k + 2)·ε` | same |
//! | `softmax_cols` | `C0·ε`, scale `out·(rows + |z - max| + 8)` | same |
//!
//! The `f64` elementwise tolerance is the issue's `1e-12`, about 4500 ulp: loose enough for any
//! sensible evaluation order and libm, tight enough that a wrong formula fails by orders of
//! magnitude. The `f32` ones are a few ulp of headroom over the error of a correct
//! implementation (at most 2 roundings for arithmetic, a few ulp for a libm or vectorised
//! `exp`/`tanh`).
//!
//! The absolute floor `MIN_POSITIVE` (the dtype's smallest normal number) only matters where the
//! result underflows: a subnormal carries no relative precision, and `sigmoid(-800)` may be
//! computed as `1 / (1 + inf) = 0` or as a subnormal `e^z`; every other result sits far above it.

use std::fmt::Debug;

use descent_core::Scalar;
use proptest::test_runner::TestCaseError;

use crate::reference::Expected;

/// `C0` of the accumulation bound `|c - ref| ≤ C0·(k + 2)·ε·scale`.
///
/// With unit roundoff `u = ε/2`, a dot product of length `k` in any order satisfies
/// `|err| ≤ γ_k·Σ|x_l·y_l|` with `γ_k = k·u/(1 - k·u)`; scaling by `alpha`, adding `beta·out`
/// and rounding the result add at most 2 more roundings, hence `(k + 2)·u`. `C0 = 1` with `ε`
/// (not `u`) leaves a factor 2 of headroom, so a correct GEMM never fails and a GEMM that drops
/// or doubles a term fails by far.
pub const C0: f64 = 1.0;

/// A dtype under test, with its elementwise tolerances.
pub trait Dtype: Scalar {
    /// The smallest positive normal number: the absolute floor of every comparison.
    const MIN_POSITIVE: f64;
    /// Relative tolerance of ops with a few roundings (`axpy`, `mul_elem`, …).
    const ARITHMETIC: f64;
    /// Relative tolerance of `sigmoid` and `tanh`.
    const TRANSCENDENTAL: f64;
    /// The largest difference to numpy's parameters after the recorded training runs,
    /// relative to each parameter's largest magnitude (`training::matches_numpy`).
    const TRAINING: f64;
}

impl Dtype for f64 {
    const MIN_POSITIVE: f64 = f64::MIN_POSITIVE;
    const ARITHMETIC: f64 = 1e-12;
    const TRANSCENDENTAL: f64 = 1e-12;
    const TRAINING: f64 = 1e-12;
}

impl Dtype for f32 {
    const MIN_POSITIVE: f64 = f32::MIN_POSITIVE as f64;
    const ARITHMETIC: f64 = 1e-6;
    const TRANSCENDENTAL: f64 = 1e-5;
    const TRAINING: f64 = 1e-4;
}

/// The tolerance of a sum of `k` (products of) terms: `C0·(k + 2)·ε`.
pub fn accumulated<T: Dtype>(k: usize) -> f64 {
    C0 * (k as f64 + 2.0) * T::EPSILON.to_f64()
}

/// The tolerance of `softmax_cols`, whose scale already carries the row count: `C0·ε`.
pub fn softmax<T: Dtype>() -> f64 {
    C0 * T::EPSILON.to_f64()
}

/// Checks `got` (a `rows`-tall column-major result of `op`) against the reference within
/// `tol·scale + MIN_POSITIVE` per element; NaN never passes.
pub fn assert_close<T: Dtype>(
    op: &str,
    rows: usize,
    got: &[T],
    want: &Expected,
    tol: f64,
) -> Result<(), TestCaseError> {
    check_len(op, got.len(), want.value.len())?;
    for (idx, (&got, (&value, &scale))) in
        got.iter().zip(want.value.iter().zip(&want.scale)).enumerate()
    {
        let bound = tol * scale + T::MIN_POSITIVE;
        let got = got.to_f64();
        let err = (got - value).abs();
        if err.is_nan() || err > bound {
            let (i, j) = (idx % rows.max(1), idx / rows.max(1));
            let shape = shape_of(rows, want.value.len());
            return Err(TestCaseError::fail(format!(
                "{op} ({}, {shape} result): element ({i}, {j}) is {got:e}, expected {value:e}; \
                 error {err:e} > bound {bound:e} (tol {tol:e} · scale {scale:e})",
                T::DTYPE
            )));
        }
    }
    Ok(())
}

/// Checks that `got` equals `want` element for element (`==`, so NaN never passes).
pub fn assert_exact<T: PartialEq + Debug>(
    op: &str,
    rows: usize,
    got: &[T],
    want: &[T],
) -> Result<(), TestCaseError> {
    check_len(op, got.len(), want.len())?;
    if let Some(idx) = got.iter().zip(want).position(|(g, w)| g != w) {
        let (i, j) = (idx % rows.max(1), idx / rows.max(1));
        let shape = shape_of(rows, want.len());
        return Err(TestCaseError::fail(format!(
            "{op} ({shape} result): element ({i}, {j}) is {:?}, expected exactly {:?}",
            got[idx], want[idx]
        )));
    }
    Ok(())
}

/// `rows×cols` of a `rows`-tall result of `len` elements.
fn shape_of(rows: usize, len: usize) -> String {
    format!("{rows}×{}", len.checked_div(rows).unwrap_or(0))
}

fn check_len(op: &str, got: usize, want: usize) -> Result<(), TestCaseError> {
    if got == want {
        Ok(())
    } else {
        Err(TestCaseError::fail(format!("{op}: {got} elements, expected {want}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounds_accept_a_rounding_and_reject_a_wrong_answer() {
        let want = Expected { value: vec![1.0, 0.0], scale: vec![1.0, 0.0] };
        let one_ulp = 1.0 + f64::EPSILON;
        assert!(assert_close::<f64>("t", 2, &[one_ulp, 0.0], &want, 1e-12).is_ok());
        assert!(assert_close::<f64>("t", 2, &[1.0 + 1e-9, 0.0], &want, 1e-12).is_err());
        assert!(assert_close::<f64>("t", 2, &[1.0, 1e-300], &want, 1e-12).is_err());
        assert!(assert_close::<f64>("t", 2, &[1.0, 1e-310], &want, 1e-12).is_ok());
        assert!(assert_close::<f64>("t", 2, &[f64::NAN, 0.0], &want, 1e-12).is_err());
        assert!(assert_close::<f32>("t", 2, &[1.0 + f32::EPSILON, 0.0], &want, 1e-6).is_ok());
    }
}
