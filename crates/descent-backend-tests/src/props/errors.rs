//! Bad shapes, lengths and indices are errors, with the right variant and op, on every backend.

use descent_core::{Backend, Error, Trans, check_gemm};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::harness::{BinaryOp, CASES, Site, UnaryOp, to_b};
use crate::reference::Mat;
use crate::strategies::{GemmDims, Shape, dim, gemm_dims, shape, trans};
use crate::tolerance::Dtype;

/// Shapes may be large here; only their disagreement matters, so keep them small and fast.
fn small_shape() -> impl Strategy<Value = Shape> {
    (1..=20_usize, 1..=20_usize)
}

/// Two different shapes.
fn two_shapes() -> impl Strategy<Value = (Shape, Shape)> {
    (small_shape(), small_shape()).prop_filter("shapes must differ", |(s, t)| s != t)
}

/// A zero matrix of `shape` on `B`.
fn zeros<T: Dtype, B: Backend<T>>(shape: Shape) -> B::Matrix {
    B::zeros(shape.0, shape.1)
}

/// Fails unless `res` is `Err(ShapeMismatch)` naming `op`.
fn expect_shape_mismatch<V: std::fmt::Debug>(
    op: &str,
    res: descent_core::Result<V>,
) -> Result<(), TestCaseError> {
    match res {
        Err(Error::ShapeMismatch { op: got, .. }) if got == op => Ok(()),
        other => Err(TestCaseError::fail(format!("{op}: expected ShapeMismatch, got {other:?}"))),
    }
}

/// The ops `f(out, x)` whose operands must have one shape.
fn unary_ops<T: Dtype, B: Backend<T>>() -> [(&'static str, UnaryOp<B::Matrix>); 6] {
    [
        ("copy", B::copy),
        ("axpy", |out, x| B::axpy(out, T::ONE, x)),
        ("relu", B::relu),
        ("sigmoid", B::sigmoid),
        ("tanh", B::tanh),
        ("softmax_cols", B::softmax_cols),
    ]
}

/// The ops `f(out, x, y)` whose three operands must have one shape.
fn binary_ops<T: Dtype, B: Backend<T>>() -> [(&'static str, BinaryOp<B::Matrix>); 4] {
    [
        ("mul_elem", B::mul_elem),
        ("relu_backward", B::relu_backward),
        ("sigmoid_backward", B::sigmoid_backward),
        ("tanh_backward", B::tanh_backward),
    ]
}

/// Elementwise ops reject operands of different shapes, whichever operand is off.
pub fn bad_shapes_elementwise<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check(CASES, (two_shapes(), 0..3_usize), |((s, t), odd_one)| {
        for (op, f) in unary_ops::<T, B>() {
            expect_shape_mismatch(op, f(&mut zeros::<T, B>(s), &zeros::<T, B>(t)))?;
        }
        let mut shapes = [s; 3];
        shapes[odd_one] = t;
        let [out, x, y] = shapes.map(zeros::<T, B>);
        for (op, f) in binary_ops::<T, B>() {
            expect_shape_mismatch(op, f(&mut out.clone(), &x, &y))?;
        }
        Ok(())
    });
}

/// `add_col` and `sum_cols` reject a column that is not `rows × 1`.
pub fn bad_shapes_columns<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs =
        (small_shape(), small_shape()).prop_filter("column must be wrong", |(s, v)| *v != (s.0, 1));
    site.check(CASES, inputs, |(s, v)| {
        let (mut m, mut col) = (zeros::<T, B>(s), zeros::<T, B>(v));
        expect_shape_mismatch("add_col", B::add_col(&mut m, &col))?;
        expect_shape_mismatch("sum_cols", B::sum_cols(&mut col, T::ONE, &m, T::ZERO))?;
        expect_shape_mismatch("sum_cols", B::sum_cols(&mut col, T::ONE, &m, T::ONE))
    });
}

/// A product whose shapes are wrong in one of three ways: `b`'s inner dimension, `out`'s
/// rows or `out`'s columns.
fn bad_gemm() -> impl Strategy<Value = (Trans, Trans, GemmDims, usize, usize)> {
    (trans(), trans(), gemm_dims(), 0..3_usize, dim())
        .prop_filter("the wrong dimension must differ", |(_, _, (m, n, k), which, wrong)| {
            *wrong != [*k, *m, *n][*which]
        })
}

/// `gemm` rejects mismatched shapes with `ShapeMismatch`, exactly the error of
/// `descent_core::check_gemm` (the trait asks every backend to call it first).
pub fn bad_shapes_gemm<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check(CASES, bad_gemm(), |(ta, tb, (m, n, k), which, wrong)| {
        let (mut out_shape, mut kb) = ((m, n), k);
        match which {
            0 => kb = wrong,
            1 => out_shape.0 = wrong,
            _ => out_shape.1 = wrong,
        }
        let (a_shape, b_shape) = (ta.apply((m, k)), tb.apply((kb, n)));
        let (a, b) = (zeros::<T, B>(a_shape), zeros::<T, B>(b_shape));
        let mut out = zeros::<T, B>(out_shape);
        let res = B::gemm(&mut out, T::ONE, &a, ta, &b, tb, T::ZERO);
        expect_shape_mismatch("gemm", res.clone())?;
        let want = check_gemm(out_shape, a_shape, ta, b_shape, tb).map(|_| ());
        prop_assert_eq!(res, want);
        Ok(())
    });
}

/// `from_col_major` and `from_row_major` reject data of the wrong length.
pub fn bad_lengths<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs =
        (shape(), 0..400_usize).prop_filter("length must be wrong", |((r, c), n)| r * c != *n);
    site.check(CASES, inputs, |((rows, cols), len)| {
        let data = vec![T::ONE; len];
        let want = Error::LengthMismatch { op: "from_col_major", expected: rows * cols, got: len };
        prop_assert_eq!(B::from_col_major(rows, cols, &data).err(), Some(want));
        let want = Error::LengthMismatch { op: "from_row_major", expected: rows * cols, got: len };
        prop_assert_eq!(B::from_row_major(rows, cols, &data).err(), Some(want));
        Ok(())
    });
}

/// Fails unless `res` is `Err(IndexOutOfBounds)` naming `op`, for one of the offending
/// `(index, len)` pairs.
fn expect_out_of_bounds<V: std::fmt::Debug>(
    op: &str,
    res: descent_core::Result<V>,
    offending: &[(usize, usize)],
) -> Result<(), TestCaseError> {
    match res {
        Err(Error::IndexOutOfBounds { op: got, index, len })
            if got == op && offending.contains(&(index, len)) =>
        {
            Ok(())
        }
        other => Err(TestCaseError::fail(format!(
            "{op}: expected IndexOutOfBounds for one of {offending:?}, got {other:?}"
        ))),
    }
}

/// `get` and `set` reject a row or column outside the matrix, and leave it unchanged.
pub fn out_of_bounds_get_set<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs = small_shape()
        .prop_flat_map(|s| (Just(s), 0..s.0 + 3, 0..s.1 + 3))
        .prop_filter("index must be outside", |((r, c), i, j)| i >= r || j >= c);
    site.check(CASES, inputs, |((rows, cols), i, j)| {
        let mut offending = Vec::new();
        if i >= rows {
            offending.push((i, rows));
        }
        if j >= cols {
            offending.push((j, cols));
        }
        let mut m = zeros::<T, B>((rows, cols));
        expect_out_of_bounds("get", B::get(&m, i, j), &offending)?;
        expect_out_of_bounds("set", B::set(&mut m, i, j, T::ONE), &offending)?;
        prop_assert!(B::to_col_major(&m).iter().all(|&x| x == T::ZERO), "set wrote out of bounds");
        Ok(())
    });
}

/// `gather_cols` rejects an index outside `src` and an output of the wrong shape.
pub fn bad_gather_cols<T: Dtype, B: Backend<T>>(site: &Site) {
    let inputs = small_shape().prop_flat_map(|(rows, cols)| {
        let idx = proptest::collection::vec(0..cols, 1..10);
        (Just((rows, cols)), idx, 0..10_usize, cols..cols + 5, 1..5_usize)
    });
    site.check(CASES, inputs, |((rows, cols), mut idx, at, bad, extra)| {
        let src = to_b::<T, B>(&Mat::filled(rows, cols, T::ONE))?;
        // An output one column too wide or too narrow, or with extra rows.
        let mut out = zeros::<T, B>((rows, idx.len() + 1));
        expect_shape_mismatch("gather_cols", B::gather_cols(&mut out, &src, &idx))?;
        let mut out = zeros::<T, B>((rows + extra, idx.len()));
        expect_shape_mismatch("gather_cols", B::gather_cols(&mut out, &src, &idx))?;
        // An index past the last column.
        let at = at % idx.len();
        idx[at] = bad;
        let mut out = zeros::<T, B>((rows, idx.len()));
        expect_out_of_bounds("gather_cols", B::gather_cols(&mut out, &src, &idx), &[(bad, cols)])
    });
}
