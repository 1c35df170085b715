//! Elementwise ops, activations and `gather_cols`, against the reference.
//!
//! Ops that overwrite their output get a NaN-filled one: a backend that reads it fails.

use descent_core::Backend;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;

use crate::harness::{BinaryOp, CASES, Site, UnaryOp, from_b, ok, to_b};
use crate::reference::{self, Mat};
use crate::strategies::{
    ELEMENTWISE_SHAPES, Shape, alpha, logit, mat, scalar, shape, signed_unit, unit, value,
};
use crate::tolerance::{Dtype, assert_close, assert_exact};

/// A NaN-filled backend matrix of `shape`: an output that must be overwritten, not read.
fn nan_out<T: Dtype, B: Backend<T>>(shape: Shape) -> Result<B::Matrix, TestCaseError> {
    to_b::<T, B>(&Mat::filled(shape.0, shape.1, T::from_f64(f64::NAN)))
}

/// Two matrices of one shape, with elements from `first` and `second`.
fn pair<T: Dtype, S1, S2>(
    shape: BoxedStrategy<Shape>,
    first: fn() -> S1,
    second: fn() -> S2,
) -> impl Strategy<Value = (Mat<T>, Mat<T>)>
where
    S1: Strategy<Value = f64>,
    S2: Strategy<Value = f64>,
{
    shape.prop_flat_map(move |s| (mat::<T>(s, first()), mat::<T>(s, second())))
}

/// Applies a unary op `f(out, z)` on `B` to a NaN-filled output and returns the result.
fn unary<T: Dtype, B: Backend<T>>(
    z: &Mat<T>,
    f: UnaryOp<B::Matrix>,
) -> Result<Mat<T>, TestCaseError> {
    let mut out = nan_out::<T, B>(z.shape())?;
    ok(f(&mut out, &to_b::<T, B>(z)?))?;
    Ok(from_b::<T, B>(&out))
}

/// Applies a binary op `f(out, x, y)` on `B` to a NaN-filled output and returns the result.
fn binary<T: Dtype, B: Backend<T>>(
    x: &Mat<T>,
    y: &Mat<T>,
    f: BinaryOp<B::Matrix>,
) -> Result<Mat<T>, TestCaseError> {
    let mut out = nan_out::<T, B>(x.shape())?;
    ok(f(&mut out, &to_b::<T, B>(x)?, &to_b::<T, B>(y)?))?;
    Ok(from_b::<T, B>(&out))
}

/// `out = alpha·out`.
pub fn scale<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| (mat::<T>(s, value()), scalar::<T>(alpha()))),
        |(m, alpha)| {
            let mut out = to_b::<T, B>(&m)?;
            B::scale(&mut out, alpha);
            let want = reference::scale(&m, alpha);
            assert_close("scale", m.rows, &from_b::<T, B>(&out).data, &want, T::ARITHMETIC)
        },
    );
}

/// `out = alpha·x + out`.
pub fn axpy<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| pair::<T, _, _>(s, value, value).prop_flat_map(|p| (Just(p), scalar::<T>(alpha()))),
        |((m, x), alpha)| {
            let mut out = to_b::<T, B>(&m)?;
            ok(B::axpy(&mut out, alpha, &to_b::<T, B>(&x)?))?;
            let want = reference::axpy(&m, alpha, &x);
            assert_close("axpy", m.rows, &from_b::<T, B>(&out).data, &want, T::ARITHMETIC)
        },
    );
}

/// `out = a ⊙ b`.
pub fn mul_elem<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| pair::<T, _, _>(s, value, value),
        |(a, b)| {
            let got = binary::<T, B>(&a, &b, B::mul_elem)?;
            assert_close("mul_elem", a.rows, &got.data, &reference::mul_elem(&a, &b), T::ARITHMETIC)
        },
    );
}

/// `out += v·1ᵀ` for a column `v`.
pub fn add_col<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| (mat::<T>(s, value()), mat::<T>((s.0, 1), value()))),
        |(m, v)| {
            let mut out = to_b::<T, B>(&m)?;
            ok(B::add_col(&mut out, &to_b::<T, B>(&v)?))?;
            let want = reference::add_col(&m, &v);
            assert_close("add_col", m.rows, &from_b::<T, B>(&out).data, &want, T::ARITHMETIC)
        },
    );
}

/// `relu` is exact, including at zero.
pub fn relu<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, value())),
        |z| {
            let got = unary::<T, B>(&z, B::relu)?;
            assert_exact("relu", z.rows, &got.data, &reference::relu(&z))
        },
    );
}

/// `relu_backward` is exact; its derivative at `z = 0` is 0.
pub fn relu_backward<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| pair::<T, _, _>(s, value, value),
        |(da, z)| {
            let got = binary::<T, B>(&da, &z, B::relu_backward)?;
            assert_exact("relu_backward", da.rows, &got.data, &reference::relu_backward(&da, &z))
        },
    );
}

/// `sigmoid` for `|z|` up to 800: no NaN or infinity, every value in `[0, 1]`.
pub fn sigmoid<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, logit())),
        |z| {
            let got = unary::<T, B>(&z, B::sigmoid)?;
            let in_range = got.data.iter().all(|&a| a >= T::ZERO && a <= T::ONE);
            prop_assert!(in_range, "sigmoid left [0, 1] (or returned NaN) on {z:?}: {got:?}");
            assert_close("sigmoid", z.rows, &got.data, &reference::sigmoid(&z), T::TRANSCENDENTAL)
        },
    );
}

/// `dz = da ⊙ a ⊙ (1 - a)`, for `a` in `[0, 1]` and general `a`.
pub fn sigmoid_backward<T: Dtype, B: Backend<T>>(site: &Site) {
    let a_values = || prop_oneof![3 => unit(), 1 => value()];
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| pair::<T, _, _>(s, value, a_values),
        |(da, a)| {
            let got = binary::<T, B>(&da, &a, B::sigmoid_backward)?;
            let want = reference::sigmoid_backward(&da, &a);
            assert_close("sigmoid_backward", da.rows, &got.data, &want, T::ARITHMETIC)
        },
    );
}

/// `tanh` for `|z|` up to 800: every value in `[-1, 1]`.
pub fn tanh<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, logit())),
        |z| {
            let got = unary::<T, B>(&z, B::tanh)?;
            let in_range = got.data.iter().all(|&a| a >= -T::ONE && a <= T::ONE);
            prop_assert!(in_range, "tanh left [-1, 1] (or returned NaN) on {z:?}: {got:?}");
            assert_close("tanh", z.rows, &got.data, &reference::tanh(&z), T::TRANSCENDENTAL)
        },
    );
}

/// `dz = da ⊙ (1 - a²)`, for `a` in `[-1, 1]` and general `a`.
pub fn tanh_backward<T: Dtype, B: Backend<T>>(site: &Site) {
    let a_values = || prop_oneof![3 => signed_unit(), 1 => value()];
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| pair::<T, _, _>(s, value, a_values),
        |(da, a)| {
            let got = binary::<T, B>(&da, &a, B::tanh_backward)?;
            let want = reference::tanh_backward(&da, &a);
            assert_close("tanh_backward", da.rows, &got.data, &want, T::ARITHMETIC)
        },
    );
}

/// `gather_cols` with random index lists (repeats likely once the list is longer than
/// about √cols), into a NaN-filled output.
pub fn gather_cols<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs = |s: BoxedStrategy<Shape>| {
        s.prop_flat_map(|(rows, cols)| {
            let idx = if cols == 0 {
                Just(Vec::new()).boxed()
            } else {
                vec(0..cols, 1..=2 * cols.min(100)).boxed()
            };
            (mat::<T>((rows, cols), value()), idx)
        })
    };
    site.check_shapes(CASES, ELEMENTWISE_SHAPES, shape(), inputs, |(src, idx)| {
        let mut out = nan_out::<T, B>((src.rows, idx.len()))?;
        ok(B::gather_cols(&mut out, &to_b::<T, B>(&src)?, &idx))?;
        let want = reference::gather_cols(&src, &idx);
        assert_exact("gather_cols", src.rows, &from_b::<T, B>(&out).data, &want)
    });
}

/// `all_finite` is false exactly when one element is NaN or ±∞.
pub fn all_finite<T: Dtype, B: Backend<T>>(site: &Site) {
    let specials = select(&[f64::NAN, f64::INFINITY, f64::NEG_INFINITY][..]);
    let inputs = move |s: BoxedStrategy<Shape>| {
        let specials = specials.clone();
        s.prop_flat_map(move |(rows, cols)| {
            let poison = if rows * cols == 0 {
                Just(None).boxed()
            } else {
                prop::option::of((0..rows * cols, specials.clone())).boxed()
            };
            (mat::<T>((rows, cols), value()), poison)
        })
    };
    site.check_shapes(CASES, ELEMENTWISE_SHAPES, shape(), inputs, |(mut m, poison)| {
        if let Some((idx, x)) = poison {
            m.data[idx] = T::from_f64(x);
        }
        let got = B::all_finite(&to_b::<T, B>(&m)?);
        prop_assert_eq!(got, reference::all_finite(&m), "all_finite of {:?}", m);
        Ok(())
    });
}
