//! Tiny cases per op with outputs worked out by hand (or, for transcendental values, by
//! Python's `math`), on every backend: agreement with the reference cannot hide a shared bug.
//!
//! Inputs are small integers and halves, exact in `f32`, so every result that needs no
//! transcendental function is exact and compared with `==`. The golden values come from:
//! ```python
//! import math
//! sigmoid = lambda z: 1 / (1 + math.exp(-z))
//! print(repr(sigmoid(1.0)), repr(sigmoid(-2.0)), repr(math.tanh(0.5)), repr(math.tanh(-1.0)))
//! e = [math.exp(x) for x in (1, 2, 3)]
//! print([repr(x / sum(e)) for x in e])
//! ```

use descent_core::{Backend, Trans};

use crate::tolerance::Dtype;

/// `assert_eq!` whose message names the backend, the dtype and what was computed (the op and
/// its shapes); `B` and `T` are the calling function's.
macro_rules! same {
    ($got:expr, $want:expr, $($what:tt)+) => {
        assert_eq!($got, $want, "{} ({}): {}", B::NAME, T::DTYPE, format_args!($($what)+))
    };
}

/// A backend matrix from a row-major literal.
fn lit<T: Dtype, B: Backend<T>>(rows: usize, cols: usize, row_major: &[f64]) -> B::Matrix {
    let data: Vec<T> = row_major.iter().map(|&x| T::from_f64(x)).collect();
    B::from_row_major(rows, cols, &data).unwrap()
}

/// A NaN-filled output: every op below that overwrites must not read it.
fn nan<T: Dtype, B: Backend<T>>(rows: usize, cols: usize) -> B::Matrix {
    lit::<T, B>(rows, cols, &vec![f64::NAN; rows * cols])
}

/// The elements in row-major order, as `f64`.
fn rows_of<T: Dtype, B: Backend<T>>(m: &B::Matrix) -> Vec<f64> {
    B::to_row_major(m).into_iter().map(T::to_f64).collect()
}

/// Asserts `|got - want| ≤ rtol·|want| + MIN_POSITIVE` element for element.
fn assert_near<T: Dtype>(op: &str, got: &[f64], want: &[f64], rtol: f64) {
    assert_eq!(got.len(), want.len(), "{op}: length");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let bound = rtol * w.abs() + T::MIN_POSITIVE;
        assert!(
            (g - w).abs() <= bound,
            "{op} ({}): element {i} is {g:e}, expected {w:e}",
            T::DTYPE
        );
    }
}

/// Construction, element access, `fill` and `copy` of a 2×3 matrix.
pub fn hand_storage<T: Dtype, B: Backend<T>>() {
    let m = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    same!(B::shape(&m), (2, 3), "shape of a 2×3 matrix");
    let col_major: Vec<f64> = B::to_col_major(&m).into_iter().map(T::to_f64).collect();
    same!(col_major, [1., 4., 2., 5., 3., 6.], "to_col_major of a 2×3 matrix");
    same!(B::col(&m, 1), [T::from_f64(2.), T::from_f64(5.)], "col(1) of a 2×3 matrix");
    same!(B::get(&m, 1, 2).unwrap(), T::from_f64(6.), "get(1, 2) of a 2×3 matrix");
    let data: Vec<T> = [1., 2., 3., 4., 5., 6.].into_iter().map(T::from_f64).collect();
    let mut c = B::from_col_major(2, 3, &data).unwrap();
    same!(rows_of::<T, B>(&c), [1., 3., 5., 2., 4., 6.], "from_col_major 2×3");
    B::set(&mut c, 0, 1, T::from_f64(9.)).unwrap();
    same!(rows_of::<T, B>(&c), [1., 9., 5., 2., 4., 6.], "set(0, 1) of a 2×3 matrix");
    same!(rows_of::<T, B>(&B::zeros(2, 3)), [0.; 6], "zeros(2, 3)");
    B::fill(&mut c, T::from_f64(7.));
    same!(rows_of::<T, B>(&c), [7.; 6], "fill of a 2×3 matrix");
    let mut out = nan::<T, B>(2, 3);
    B::copy(&mut out, &m).unwrap();
    same!(rows_of::<T, B>(&out), [1., 2., 3., 4., 5., 6.], "copy into a NaN-filled 2×3 output");
}

/// GEMM of small integer matrices, every transpose combination, with `alpha` and `beta`.
pub fn hand_gemm<T: Dtype, B: Backend<T>>() {
    // [[1, 2, 3], [4, 5, 6]]·[[7, 8], [9, 10], [11, 12]] = [[58, 64], [139, 154]],
    // from every transpose combination of the stored operands.
    let a = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    let a_t = lit::<T, B>(3, 2, &[1., 4., 2., 5., 3., 6.]);
    let b = lit::<T, B>(3, 2, &[7., 8., 9., 10., 11., 12.]);
    let b_t = lit::<T, B>(2, 3, &[7., 9., 11., 8., 10., 12.]);
    let one = T::ONE;
    for (a, ta, b, tb) in [
        (&a, Trans::No, &b, Trans::No),
        (&a, Trans::No, &b_t, Trans::Yes),
        (&a_t, Trans::Yes, &b, Trans::No),
        (&a_t, Trans::Yes, &b_t, Trans::Yes),
    ] {
        let mut out = nan::<T, B>(2, 2);
        B::gemm(&mut out, one, a, ta, b, tb, T::ZERO).unwrap();
        same!(
            rows_of::<T, B>(&out),
            [58., 64., 139., 154.],
            "gemm (Trans::{ta:?}, Trans::{tb:?}), m=2 n=2 k=3"
        );
        // alpha = 2, beta = 0.5 on out = [[2, 4], [6, 8]]: 2·58 + 1 = 117, …
        let mut out = lit::<T, B>(2, 2, &[2., 4., 6., 8.]);
        B::gemm(&mut out, T::from_f64(2.), a, ta, b, tb, T::from_f64(0.5)).unwrap();
        same!(
            rows_of::<T, B>(&out),
            [117., 130., 281., 312.],
            "gemm ({ta:?}, {tb:?}), alpha=2 beta=0.5"
        );
        // alpha = -1, beta = 1: out - a·b.
        let mut out = lit::<T, B>(2, 2, &[60., 60., 140., 150.]);
        B::gemm(&mut out, -one, a, ta, b, tb, one).unwrap();
        same!(rows_of::<T, B>(&out), [2., -4., 1., -4.], "gemm ({ta:?}, {tb:?}), alpha=-1 beta=1");
    }
    // The trait's doc example and its mirror: aᵀ·a and a·aᵀ of [[1, 2], [3, 4]].
    let a = lit::<T, B>(2, 2, &[1., 2., 3., 4.]);
    let mut out = nan::<T, B>(2, 2);
    B::gemm(&mut out, one, &a, Trans::Yes, &a, Trans::No, T::ZERO).unwrap();
    same!(rows_of::<T, B>(&out), [10., 14., 14., 20.], "gemm (Trans::Yes, Trans::No), m=2 n=2 k=2");
    B::gemm(&mut out, one, &a, Trans::No, &a, Trans::Yes, T::ZERO).unwrap();
    same!(rows_of::<T, B>(&out), [5., 11., 11., 25.], "gemm (Trans::No, Trans::Yes), m=2 n=2 k=2");
    // An outer product (k = 1) and a dot product (m = n = 1) of [1, 2, 3].
    let v = lit::<T, B>(3, 1, &[1., 2., 3.]);
    let mut outer = nan::<T, B>(3, 3);
    B::gemm(&mut outer, one, &v, Trans::No, &v, Trans::Yes, T::ZERO).unwrap();
    same!(
        rows_of::<T, B>(&outer),
        [1., 2., 3., 2., 4., 6., 3., 6., 9.],
        "gemm (Trans::No, Trans::Yes), m=3 n=3 k=1"
    );
    let mut dot = nan::<T, B>(1, 1);
    B::gemm(&mut dot, one, &v, Trans::Yes, &v, Trans::No, T::ZERO).unwrap();
    same!(rows_of::<T, B>(&dot), [14.], "gemm (Trans::Yes, Trans::No), m=1 n=1 k=3");
}

/// `scale`, `axpy`, `mul_elem`, `add_col` and `gather_cols` on small literals.
pub fn hand_blas1<T: Dtype, B: Backend<T>>() {
    let mut m = lit::<T, B>(2, 2, &[1., -2., 0.5, 4.]);
    B::scale(&mut m, T::from_f64(3.));
    same!(rows_of::<T, B>(&m), [3., -6., 1.5, 12.], "scale 2×2 by 3");

    let mut out = lit::<T, B>(2, 2, &[1., 2., 3., 4.]);
    let x = lit::<T, B>(2, 2, &[1., 1., 2., -2.]);
    B::axpy(&mut out, T::from_f64(0.5), &x).unwrap();
    same!(rows_of::<T, B>(&out), [1.5, 2.5, 4., 3.], "axpy 2×2, alpha=0.5");

    let (a, b) = (lit::<T, B>(2, 2, &[1., 2., 3., 4.]), lit::<T, B>(2, 2, &[-1., 0.5, 2., 0.]));
    let mut out = nan::<T, B>(2, 2);
    B::mul_elem(&mut out, &a, &b).unwrap();
    same!(rows_of::<T, B>(&out), [-1., 1., 6., 0.], "mul_elem 2×2");

    let mut out = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    B::add_col(&mut out, &lit::<T, B>(2, 1, &[10., -1.])).unwrap();
    same!(rows_of::<T, B>(&out), [11., 12., 13., 3., 4., 5.], "add_col 2×3");

    let src = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    let mut out = nan::<T, B>(2, 4);
    B::gather_cols(&mut out, &src, &[2, 0, 2, 1]).unwrap();
    same!(rows_of::<T, B>(&out), [3., 1., 3., 2., 6., 4., 6., 5.], "gather_cols 2×3 into 2×4");
}

/// `sum_cols` (with and without `beta`), `sum_squares` and `all_finite`.
pub fn hand_reductions<T: Dtype, B: Backend<T>>() {
    let a = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    // Row sums 6 and 15, halved; the NaN in `out` is not read when beta = 0.
    let mut out = nan::<T, B>(2, 1);
    B::sum_cols(&mut out, T::from_f64(0.5), &a, T::ZERO).unwrap();
    same!(rows_of::<T, B>(&out), [3., 7.5], "sum_cols 2×3, alpha=0.5, beta=0");
    // 1·[6, 15] + 2·[1, -1].
    let mut out = lit::<T, B>(2, 1, &[1., -1.]);
    B::sum_cols(&mut out, T::ONE, &a, T::from_f64(2.)).unwrap();
    same!(rows_of::<T, B>(&out), [8., 13.], "sum_cols 2×3, alpha=1, beta=2");

    same!(B::sum_squares(&lit::<T, B>(2, 2, &[1., 2., 3., -4.])).to_f64(), 30., "sum_squares 2×2");
    same!(B::all_finite(&lit::<T, B>(1, 2, &[1., 2.])), true, "all_finite 1×2 of finite values");
    same!(B::all_finite(&lit::<T, B>(1, 2, &[1., f64::NAN])), false, "all_finite 1×2 with a NaN");
    same!(
        B::all_finite(&lit::<T, B>(2, 1, &[f64::NEG_INFINITY, 0.])),
        false,
        "all_finite 2×1 with -inf"
    );
    same!(B::all_finite(&lit::<T, B>(1, 1, &[f64::INFINITY])), false, "all_finite 1×1 of +inf");
}

/// `relu` and `relu_backward`, including at `z = 0` and `z = -0`.
pub fn hand_relu<T: Dtype, B: Backend<T>>() {
    let z = lit::<T, B>(2, 3, &[-1., 0., 2., -0.5, 3., -0.]);
    let mut out = nan::<T, B>(2, 3);
    B::relu(&mut out, &z).unwrap();
    same!(rows_of::<T, B>(&out), [0., 0., 2., 0., 3., 0.], "relu 2×3");
    // The derivative at z = 0 is 0.
    let da = lit::<T, B>(2, 3, &[1., 2., 3., 4., 5., 6.]);
    B::relu_backward(&mut out, &da, &z).unwrap();
    same!(rows_of::<T, B>(&out), [0., 0., 3., 0., 5., 0.], "relu_backward 2×3");
}

/// `sigmoid` at 0, ±800, 1 and -2, and `sigmoid_backward`.
pub fn hand_sigmoid<T: Dtype, B: Backend<T>>() {
    let z = lit::<T, B>(1, 5, &[0., 800., -800., 1., -2.]);
    let mut out = nan::<T, B>(1, 5);
    B::sigmoid(&mut out, &z).unwrap();
    let got = rows_of::<T, B>(&out);
    // Exact: 1/2, and 1 and 0 where e^{±800} overflows or underflows every dtype.
    same!(got[..3], [0.5, 1., 0.], "sigmoid 1×5 at 0, 800, -800");
    assert_near::<T>(
        "sigmoid",
        &got[3..],
        &[0.7310585786300049, 0.11920292202211755],
        T::TRANSCENDENTAL,
    );
    // 2·½·½ = 0.5, 4·¼·¾ = 0.75, 3·1·0 = 0.
    let (da, a) = (lit::<T, B>(1, 3, &[2., 4., 3.]), lit::<T, B>(1, 3, &[0.5, 0.25, 1.]));
    let mut dz = nan::<T, B>(1, 3);
    B::sigmoid_backward(&mut dz, &da, &a).unwrap();
    same!(rows_of::<T, B>(&dz), [0.5, 0.75, 0.], "sigmoid_backward 1×3");
}

/// `tanh` at 0, ±800, 0.5 and -1, and `tanh_backward`.
pub fn hand_tanh<T: Dtype, B: Backend<T>>() {
    let z = lit::<T, B>(5, 1, &[0., 800., -800., 0.5, -1.]);
    let mut out = nan::<T, B>(5, 1);
    B::tanh(&mut out, &z).unwrap();
    let got = rows_of::<T, B>(&out);
    same!(got[..3], [0., 1., -1.], "tanh 5×1 at 0, 800, -800");
    assert_near::<T>(
        "tanh",
        &got[3..],
        &[0.46211715726000974, -0.7615941559557649],
        T::TRANSCENDENTAL,
    );
    // 2·(1 - ¼) = 1.5, 4·(1 - 1) = 0, 1·(1 - 0) = 1.
    let (da, a) = (lit::<T, B>(3, 1, &[2., 4., 1.]), lit::<T, B>(3, 1, &[0.5, -1., 0.]));
    let mut dz = nan::<T, B>(3, 1);
    B::tanh_backward(&mut dz, &da, &a).unwrap();
    same!(rows_of::<T, B>(&dz), [1.5, 0., 1.], "tanh_backward 3×1");
}

/// `softmax_cols` of equal, huge and underflowing logits, and of `[1, 2, 3]`.
pub fn hand_softmax<T: Dtype, B: Backend<T>>() {
    // Columns: equal logits; equal large logits (e^1000 overflows unless shifted); a logit
    // whose exponential underflows next to 0.
    let z = lit::<T, B>(
        4,
        3,
        &[0., 1000., -1000., 0., 1000., 0., 0., 1000., -1000., 0., 1000., -1000.],
    );
    let mut out = nan::<T, B>(4, 3);
    B::softmax_cols(&mut out, &z).unwrap();
    same!(
        rows_of::<T, B>(&out),
        [0.25, 0.25, 0., 0.25, 0.25, 1., 0.25, 0.25, 0., 0.25, 0.25, 0.],
        "softmax_cols 4×3 of equal, huge and underflowing logits"
    );
    let z = lit::<T, B>(3, 1, &[1., 2., 3.]);
    let mut out = nan::<T, B>(3, 1);
    B::softmax_cols(&mut out, &z).unwrap();
    let want = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
    assert_near::<T>("softmax_cols", &rows_of::<T, B>(&out), &want, T::TRANSCENDENTAL);
}
