//! Unit tests of the nalgebra backend: GEMM on both sides of the routing threshold.

use descent_core::{Backend, Error, Scalar, Trans};
use nalgebra::DMatrix;

use super::Nalgebra;
use crate::SMALL;

const TRANSPOSES: [(Trans, Trans); 4] = [
    (Trans::No, Trans::No),
    (Trans::Yes, Trans::No),
    (Trans::No, Trans::Yes),
    (Trans::Yes, Trans::Yes),
];

/// Dimensions around the routing threshold and nalgebra's own cut-off at 5.
const DIMS: [usize; 7] = [1, 2, 5, 6, SMALL - 1, SMALL, SMALL + 1];

/// A matrix of reproducible values in `[-1, 1)` (a linear congruential generator).
fn filled<T: Scalar>(rows: usize, cols: usize, seed: u64) -> DMatrix<T> {
    let mut state =
        seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    DMatrix::from_fn(rows, cols, |_, _| {
        state =
            state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        T::from_f64((state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
    })
}

/// The stored shape of an operand whose `op` is `rows × cols`.
fn stored(t: Trans, rows: usize, cols: usize) -> (usize, usize) {
    t.apply((rows, cols))
}

/// `alpha·op(a)·op(b) + beta·out` by the textbook triple loop in `f64`, and for each element
/// the sum of the magnitudes of its terms (for the error bound).
fn naive<T: Scalar>(
    alpha: f64,
    a: &DMatrix<T>,
    ta: Trans,
    b: &DMatrix<T>,
    tb: Trans,
    beta: f64,
    out: &DMatrix<T>,
) -> (DMatrix<f64>, DMatrix<f64>) {
    let (m, n) = out.shape();
    let k = ta.apply(a.shape()).1;
    let at = |i: usize, l: usize| if ta == Trans::No { a[(i, l)] } else { a[(l, i)] }.to_f64();
    let bt = |l: usize, j: usize| if tb == Trans::No { b[(l, j)] } else { b[(j, l)] }.to_f64();
    let mut res = DMatrix::zeros(m, n);
    let mut mag = DMatrix::zeros(m, n);
    for i in 0..m {
        for j in 0..n {
            let (mut acc, mut acc_mag) = (0.0, 0.0);
            for l in 0..k {
                acc += at(i, l) * bt(l, j);
                acc_mag += (at(i, l) * bt(l, j)).abs();
            }
            let o = if beta == 0.0 { 0.0 } else { beta * out[(i, j)].to_f64() };
            res[(i, j)] = alpha * acc + o;
            mag[(i, j)] = (alpha * acc_mag).abs() + o.abs();
        }
    }
    (res, mag)
}

/// Runs one product through the backend and compares it with [`naive`], within a bound that
/// grows with `k` and the magnitude of the terms.
#[allow(clippy::too_many_arguments)] // The GEMM arguments plus the shape.
fn check_against_naive<T: Scalar>(
    (m, n, k): (usize, usize, usize),
    ta: Trans,
    tb: Trans,
    alpha: f64,
    beta: f64,
    seed: u64,
) where
    Nalgebra: Backend<T, Matrix = DMatrix<T>>,
{
    let (ar, ac) = stored(ta, m, k);
    let (br, bc) = stored(tb, k, n);
    let a = filled::<T>(ar, ac, seed);
    let b = filled::<T>(br, bc, seed + 1);
    let mut out = filled::<T>(m, n, seed + 2);
    if beta == 0.0 {
        out.fill(T::from_f64(f64::NAN));
    }
    let (expected, mag) = naive(alpha, &a, ta, &b, tb, beta, &out);
    <Nalgebra as Backend<T>>::gemm(&mut out, T::from_f64(alpha), &a, ta, &b, tb, T::from_f64(beta))
        .unwrap();
    let eps = T::EPSILON.to_f64();
    for i in 0..m {
        for j in 0..n {
            let (got, want) = (out[(i, j)].to_f64(), expected[(i, j)]);
            let bound = 2.0 * (k as f64 + 2.0) * eps * mag[(i, j)] + f64::MIN_POSITIVE;
            assert!(
                (got - want).abs() <= bound,
                "{m}×{n}×{k} {ta:?},{tb:?} alpha={alpha} beta={beta} at ({i}, {j}): got {got}, want {want}"
            );
        }
    }
}

/// `(alpha, beta)` pairs: beta 0 (with NaN in `out`), beta 1, and neither 0 nor 1.
const SCALES: [(f64, f64); 3] = [(1.0, 0.0), (0.5, 1.0), (-1.5, -0.25)];

fn sweep<T: Scalar>(shapes: &[(usize, usize, usize)], scales: &[(f64, f64)])
where
    Nalgebra: Backend<T, Matrix = DMatrix<T>>,
{
    for (s, &shape) in shapes.iter().enumerate() {
        for (ta, tb) in TRANSPOSES {
            for &(alpha, beta) in scales {
                check_against_naive::<T>(shape, ta, tb, alpha, beta, s as u64 * 16);
            }
        }
    }
}

fn shapes_around_threshold() -> Vec<(usize, usize, usize)> {
    let mut res = Vec::new();
    for m in DIMS {
        for n in DIMS {
            for k in DIMS {
                res.push((m, n, k));
            }
        }
    }
    res
}

/// Shapes with one small and one or two large dimensions: the small path with transposed copies
/// longer than a tile, both of its forms with `a` large, and the classic network's
/// layers at batch 64.
const LOPSIDED: [(usize, usize, usize); 17] = [
    (2, 64, 1),
    (64, 2, 1),
    (1, 70, 45),
    (45, 70, 1),
    (70, 1, 45),
    (2, 300, 5),
    (300, 33, 2),
    (5, 2, 64),
    (2, 5, 64),
    (1, 2, 64),
    (5, 64, 2),
    (2, 64, 5),
    (1, 64, 2),
    (SMALL, 257, SMALL - 1),
    (31, 2, 40),
    (40, 3, 64),
    (64, 3, 300),
];

/// Large shapes: the strided path, each dimension at least `SMALL`, one at least 256.
const LARGE: [(usize, usize, usize); 4] =
    [(256, 256, 256), (257, SMALL, 300), (SMALL, 300, 256), (33, 40, 260)];

#[test]
fn gemm_agrees_with_naive_around_the_threshold_f64() {
    sweep::<f64>(&shapes_around_threshold(), &SCALES);
}

#[test]
fn gemm_agrees_with_naive_around_the_threshold_f32() {
    sweep::<f32>(&shapes_around_threshold(), &SCALES);
}

#[test]
fn gemm_agrees_with_naive_on_lopsided_shapes() {
    sweep::<f64>(&LOPSIDED, &SCALES);
    sweep::<f32>(&LOPSIDED, &SCALES);
}

#[test]
fn gemm_agrees_with_naive_on_large_shapes() {
    sweep::<f64>(&LARGE, &SCALES[..2]);
    sweep::<f32>(&LARGE, &SCALES[1..]);
}

type B = Nalgebra;

fn mat(rows: usize, cols: usize, row_major: &[f64]) -> DMatrix<f64> {
    <B as Backend<f64>>::from_row_major(rows, cols, row_major).unwrap()
}

/// `out = alpha·op(a)·op(b) + beta·out` on one combination, returned in row-major order.
fn gemm_f64(
    out: &[f64],
    alpha: f64,
    a: &DMatrix<f64>,
    ta: Trans,
    b: &DMatrix<f64>,
    tb: Trans,
    beta: f64,
) -> Vec<f64> {
    let mut out = mat(2, 2, out);
    <B as Backend<f64>>::gemm(&mut out, alpha, a, ta, b, tb, beta).unwrap();
    <B as Backend<f64>>::to_row_major(&out)
}

#[test]
fn gemm_hand_computed_for_every_transpose() {
    // a = [1 2 3; 4 5 6] (2×3), c = [1 0; 0 1; 1 1] (3×2), out = [1 1; 1 1].
    let a = mat(2, 3, &[1., 2., 3., 4., 5., 6.]);
    let c = mat(3, 2, &[1., 0., 0., 1., 1., 1.]);
    let (at, ct) = (a.transpose(), c.transpose());
    let ones = [1.0; 4];
    // a·c = [4 5; 10 11]; 2·(a·c) + 3·out.
    assert_eq!(gemm_f64(&ones, 2.0, &a, Trans::No, &c, Trans::No, 3.0), vec![11., 13., 23., 25.]);
    assert_eq!(gemm_f64(&ones, 2.0, &at, Trans::Yes, &c, Trans::No, 3.0), vec![11., 13., 23., 25.]);
    assert_eq!(gemm_f64(&ones, 2.0, &a, Trans::No, &ct, Trans::Yes, 3.0), vec![11., 13., 23., 25.]);
    assert_eq!(
        gemm_f64(&ones, 2.0, &at, Trans::Yes, &ct, Trans::Yes, 3.0),
        vec![11., 13., 23., 25.]
    );
    // a·aᵀ = [14 32; 32 77] and cᵀ·c = [2 1; 1 2]; alpha = -1, beta = 0.5.
    assert_eq!(
        gemm_f64(&ones, -1.0, &a, Trans::No, &a, Trans::Yes, 0.5),
        vec![-13.5, -31.5, -31.5, -76.5]
    );
    assert_eq!(
        gemm_f64(&ones, -1.0, &c, Trans::Yes, &c, Trans::No, 0.5),
        vec![-1.5, -0.5, -0.5, -1.5]
    );
    // alpha = 1 and beta = 0 with both operands transposed: (aᵀ)ᵀ·(cᵀ)ᵀ = a·c.
    assert_eq!(
        gemm_f64(&[0.; 4], 1.0, &at, Trans::Yes, &ct, Trans::Yes, 0.0),
        vec![4., 5., 10., 11.]
    );
}

#[test]
fn gemm_hand_computed_in_f32() {
    let a = <B as Backend<f32>>::from_row_major(2, 2, &[1., 2., 3., 4.]).unwrap();
    let mut out = <B as Backend<f32>>::from_row_major(2, 2, &[1., 0., 0., 1.]).unwrap();
    // aᵀ·a = [10 14; 14 20]; out = 0.5·aᵀ·a + 2·I.
    <B as Backend<f32>>::gemm(&mut out, 0.5, &a, Trans::Yes, &a, Trans::No, 2.0).unwrap();
    assert_eq!(<B as Backend<f32>>::to_row_major(&out), vec![7., 7., 7., 12.]);
}

#[test]
fn gemm_with_beta_zero_ignores_nan_in_the_output_on_both_paths() {
    for dim in [2, SMALL + 3] {
        for (ta, tb) in TRANSPOSES {
            let eye = DMatrix::<f64>::identity(dim, dim);
            let x = filled::<f64>(dim, dim, 7);
            let mut out = DMatrix::from_element(dim, dim, f64::NAN);
            <B as Backend<f64>>::gemm(&mut out, 1.0, &eye, ta, &x, tb, 0.0).unwrap();
            let want = if tb == Trans::No { x.clone() } else { x.transpose() };
            assert_eq!(out, want, "{dim} {ta:?},{tb:?}");
        }
    }
}

#[test]
fn gemm_rejects_mismatched_shapes() {
    let a = <B as Backend<f64>>::zeros(2, 3);
    let mut out = <B as Backend<f64>>::zeros(2, 2);
    // Inner dimensions: a is 2×3, op(b) = b is 2×2.
    let b = <B as Backend<f64>>::zeros(2, 2);
    let err =
        <B as Backend<f64>>::gemm(&mut out, 1.0, &a, Trans::No, &b, Trans::No, 0.0).unwrap_err();
    assert_eq!(err, Error::ShapeMismatch { op: "gemm", expected: (3, 2), got: (2, 2) });
    // Output: a·aᵀ is 2×2, out is 3×2.
    let mut out = <B as Backend<f64>>::zeros(3, 2);
    let err =
        <B as Backend<f64>>::gemm(&mut out, 1.0, &a, Trans::No, &a, Trans::Yes, 0.0).unwrap_err();
    assert_eq!(err, Error::ShapeMismatch { op: "gemm", expected: (2, 2), got: (3, 2) });
    // The same on the large path.
    let big = <B as Backend<f32>>::zeros(300, 300);
    let mut out = <B as Backend<f32>>::zeros(300, 299);
    let err = <B as Backend<f32>>::gemm(&mut out, 1.0, &big, Trans::Yes, &big, Trans::Yes, 0.0)
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "gemm", .. }));
}

#[test]
fn gemm_with_k_zero_scales_the_output() {
    for (ta, tb) in TRANSPOSES {
        let a = DMatrix::<f64>::zeros(stored(ta, 3, 0).0, stored(ta, 3, 0).1);
        let b = DMatrix::<f64>::zeros(stored(tb, 0, 4).0, stored(tb, 0, 4).1);
        let mut out = DMatrix::from_element(3, 4, 2.0);
        <B as Backend<f64>>::gemm(&mut out, 1.0, &a, ta, &b, tb, 0.5).unwrap();
        assert_eq!(out, DMatrix::from_element(3, 4, 1.0), "{ta:?},{tb:?}");
        out.fill(f64::NAN);
        <B as Backend<f64>>::gemm(&mut out, 1.0, &a, ta, &b, tb, 0.0).unwrap();
        assert_eq!(out, DMatrix::zeros(3, 4), "{ta:?},{tb:?}");
    }
}

#[test]
fn gemm_on_empty_outputs_is_a_no_op() {
    for (m, n, k) in [(0, 3, 4), (3, 0, 4), (0, 0, 0), (0, 300, 300)] {
        for (ta, tb) in TRANSPOSES {
            let a = DMatrix::<f32>::zeros(stored(ta, m, k).0, stored(ta, m, k).1);
            let b = DMatrix::<f32>::zeros(stored(tb, k, n).0, stored(tb, k, n).1);
            let mut out = DMatrix::<f32>::zeros(m, n);
            <B as Backend<f32>>::gemm(&mut out, 1.0, &a, ta, &b, tb, 0.0).unwrap();
            assert_eq!(out.shape(), (m, n));
        }
    }
}

#[test]
fn columns_are_slices_of_the_column_major_buffer() {
    let mut m = mat(2, 3, &[1., 2., 3., 4., 5., 6.]);
    assert_eq!(<B as Backend<f64>>::col(&m, 1), &[2., 5.]);
    <B as Backend<f64>>::col_mut(&mut m, 2).copy_from_slice(&[7., 8.]);
    assert_eq!(<B as Backend<f64>>::as_slice(&m), Some(&[1., 4., 2., 5., 7., 8.][..]));
    assert_eq!(<B as Backend<f64>>::shape(&m), (2, 3));
    assert_eq!(<B as Backend<f32>>::NAME, "nalgebra");
}
