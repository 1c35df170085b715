//! `Faer`: the `Backend` implementation for `f32` and `f64` on `faer::Mat`.

use descent_core::{Backend, Result, Trans, check_gemm};
use faer::linalg::matmul::matmul;
use faer::{Accum, Mat};

use crate::threads::par_for;

/// The faer backend: matrices are [`faer::Mat`], GEMM is `faer::linalg::matmul::matmul`.
///
/// faer pads each column to a multiple of the SIMD alignment, so the storage is never
/// exposed as one slice ([`Backend::as_slice`] keeps its default `None`); columns are.
/// GEMM runs on as many threads as [`set_threads`](crate::set_threads) allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faer;

macro_rules! impl_backend {
    ($t:ty) => {
        impl Backend<$t> for Faer {
            type Matrix = Mat<$t>;
            const NAME: &'static str = "faer";

            #[inline]
            fn zeros(rows: usize, cols: usize) -> Self::Matrix {
                Mat::zeros(rows, cols)
            }

            #[inline]
            fn shape(m: &Self::Matrix) -> (usize, usize) {
                m.shape()
            }

            #[inline]
            fn col(m: &Self::Matrix, j: usize) -> &[$t] {
                m.col_as_slice(j)
            }

            #[inline]
            fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [$t] {
                m.col_as_slice_mut(j)
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
                let (m, n, k) = check_gemm(out.shape(), a.shape(), ta, b.shape(), tb)?;
                // `Accum::Replace` never reads `out`; any other `beta` scales it first.
                let accum = if beta == 0.0 {
                    Accum::Replace
                } else {
                    if beta != 1.0 {
                        <Self as Backend<$t>>::scale(out, beta);
                    }
                    Accum::Add
                };
                let lhs = match ta {
                    Trans::No => a.as_ref(),
                    Trans::Yes => a.transpose(),
                };
                let rhs = match tb {
                    Trans::No => b.as_ref(),
                    Trans::Yes => b.transpose(),
                };
                matmul(out.as_mut(), accum, lhs, rhs, alpha, par_for(m, n, k));
                // faer's kernels return without `vzeroupper`: in a generic x86-64 build the
                // SSE code after them would run slowly on Intel CPUs (a no-op in ours).
                descent_core::simd::clear_upper_registers();
                Ok(())
            }
        }
    };
}

impl_backend!(f32);
impl_backend!(f64);

#[cfg(test)]
mod tests {
    use descent_core::Error;
    use faer::Par;

    use super::*;

    type B64 = Faer;

    fn mat(rows: usize, cols: usize, row_major: &[f64]) -> Mat<f64> {
        <B64 as Backend<f64>>::from_row_major(rows, cols, row_major).unwrap()
    }

    fn rows(m: &Mat<f64>) -> Vec<f64> {
        <B64 as Backend<f64>>::to_row_major(m)
    }

    fn gemm(
        out: &mut Mat<f64>,
        alpha: f64,
        (a, ta): (&Mat<f64>, Trans),
        (b, tb): (&Mat<f64>, Trans),
        beta: f64,
    ) -> Result<()> {
        <B64 as Backend<f64>>::gemm(out, alpha, a, ta, b, tb, beta)
    }

    /// `a = [[1, 2, 3], [4, 5, 6]]`, `b = [[7, 8], [9, 10], [11, 12]]`, and each stored
    /// transposed too; `a·b = [[58, 64], [139, 154]]` by hand.
    fn operands() -> [(Mat<f64>, Mat<f64>); 2] {
        let a = mat(2, 3, &[1., 2., 3., 4., 5., 6.]);
        let at = mat(3, 2, &[1., 4., 2., 5., 3., 6.]);
        let b = mat(3, 2, &[7., 8., 9., 10., 11., 12.]);
        let bt = mat(2, 3, &[7., 9., 11., 8., 10., 12.]);
        [(a, at), (b, bt)]
    }

    #[test]
    fn gemm_matches_hand_computed_products_for_every_transpose() {
        let [(a, at), (b, bt)] = operands();
        let cases = [
            ((&a, Trans::No), (&b, Trans::No)),
            ((&at, Trans::Yes), (&b, Trans::No)),
            ((&a, Trans::No), (&bt, Trans::Yes)),
            ((&at, Trans::Yes), (&bt, Trans::Yes)),
        ];
        for (lhs, rhs) in cases {
            let mut out = mat(2, 2, &[f64::NAN; 4]);
            gemm(&mut out, 1.0, lhs, rhs, 0.0).unwrap();
            assert_eq!(rows(&out), [58., 64., 139., 154.]);

            // 2·a·b + 0.5·[[1, 2], [3, 4]].
            let mut out = mat(2, 2, &[1., 2., 3., 4.]);
            gemm(&mut out, 2.0, lhs, rhs, 0.5).unwrap();
            assert_eq!(rows(&out), [116.5, 129., 279.5, 310.]);

            // -a·b + [[1, 2], [3, 4]]: `beta == 1` accumulates without scaling.
            let mut out = mat(2, 2, &[1., 2., 3., 4.]);
            gemm(&mut out, -1.0, lhs, rhs, 1.0).unwrap();
            assert_eq!(rows(&out), [-57., -62., -136., -150.]);
        }
    }

    #[test]
    fn gemm_with_beta_zero_ignores_nan_in_the_output() {
        // General, matrix·vector, vector·matrix, 1×1 and k == 0 take different faer paths.
        for (m, n, k) in [(2, 2, 2), (17, 5, 9), (3, 1, 4), (1, 3, 4), (1, 1, 5), (3, 2, 0)] {
            let a = Mat::<f64>::from_fn(m, k, |i, j| (i + 2 * j) as f64);
            let b = Mat::<f64>::from_fn(k, n, |i, j| (3 * i + j) as f64 - 2.0);
            let mut out = Mat::<f64>::from_fn(m, n, |_, _| f64::NAN);
            let mut reference = <B64 as Backend<f64>>::zeros(m, n);
            gemm(&mut out, 1.5, (&a, Trans::No), (&b, Trans::No), 0.0).unwrap();
            gemm(&mut reference, 1.5, (&a, Trans::No), (&b, Trans::No), 1.0).unwrap();
            assert!(<B64 as Backend<f64>>::all_finite(&out), "{m}×{n}·{k}");
            assert_eq!(rows(&out), rows(&reference), "{m}×{n}·{k}");
        }
    }

    #[test]
    fn gemm_rejects_mismatched_shapes() {
        let [(a, _), (b, _)] = operands();
        let mut out = <B64 as Backend<f64>>::zeros(2, 2);
        // Inner dimensions: op(a) is 2×3, op(b) = bᵀ is 2×3.
        let err = gemm(&mut out, 1.0, (&a, Trans::No), (&b, Trans::Yes), 0.0).unwrap_err();
        assert_eq!(err, Error::ShapeMismatch { op: "gemm", expected: (3, 3), got: (2, 3) });
        // Output: a·b is 2×2, out is 3×2.
        let mut out = <B64 as Backend<f64>>::zeros(3, 2);
        let err = gemm(&mut out, 1.0, (&a, Trans::No), (&b, Trans::No), 0.0).unwrap_err();
        assert_eq!(err, Error::ShapeMismatch { op: "gemm", expected: (2, 2), got: (3, 2) });
        assert_eq!(rows(&out), [0.0; 6], "a rejected gemm leaves out untouched");
    }

    #[test]
    fn gemm_with_k_zero_gives_beta_times_out() {
        let a = <B64 as Backend<f64>>::zeros(2, 0);
        let b = <B64 as Backend<f64>>::zeros(0, 3);
        let mut out = mat(2, 3, &[f64::NAN; 6]);
        gemm(&mut out, 1.0, (&a, Trans::No), (&b, Trans::No), 0.0).unwrap();
        assert_eq!(rows(&out), [0.0; 6]);

        let mut out = mat(2, 3, &[1., 2., 3., 4., 5., 6.]);
        gemm(&mut out, 1.0, (&a, Trans::No), (&b, Trans::No), 2.0).unwrap();
        assert_eq!(rows(&out), [2., 4., 6., 8., 10., 12.]);

        // The transposed spelling of the same empty product.
        let mut out = mat(2, 3, &[1., 2., 3., 4., 5., 6.]);
        let (at, bt) = (<B64 as Backend<f64>>::zeros(0, 2), <B64 as Backend<f64>>::zeros(3, 0));
        gemm(&mut out, 1.0, (&at, Trans::Yes), (&bt, Trans::Yes), 1.0).unwrap();
        assert_eq!(rows(&out), [1., 2., 3., 4., 5., 6.]);
    }

    #[test]
    fn gemm_accepts_empty_outputs() {
        let a = <B64 as Backend<f64>>::zeros(0, 4);
        let b = <B64 as Backend<f64>>::zeros(4, 3);
        let mut out = <B64 as Backend<f64>>::zeros(0, 3);
        gemm(&mut out, 1.0, (&a, Trans::No), (&b, Trans::No), 0.5).unwrap();
        assert_eq!(<B64 as Backend<f64>>::shape(&out), (0, 3));
        let mut out = <B64 as Backend<f64>>::zeros(4, 0);
        let c = <B64 as Backend<f64>>::zeros(0, 0);
        gemm(&mut out, 1.0, (&a, Trans::Yes), (&c, Trans::No), 0.0).unwrap();
        assert_eq!(<B64 as Backend<f64>>::shape(&out), (4, 0));
    }

    #[test]
    fn gemm_handles_one_wide_and_one_tall_operands() {
        let col = mat(3, 1, &[1., 2., 3.]);
        let row = mat(1, 2, &[4., 5.]);
        // Outer product col·row (k == 1).
        let mut out = <B64 as Backend<f64>>::zeros(3, 2);
        gemm(&mut out, 1.0, (&col, Trans::No), (&row, Trans::No), 0.0).unwrap();
        assert_eq!(rows(&out), [4., 5., 8., 10., 12., 15.]);
        // Inner product colᵀ·col into a 1×1 output, with beta.
        let mut dot = mat(1, 1, &[1.0]);
        gemm(&mut dot, 2.0, (&col, Trans::Yes), (&col, Trans::No), 3.0).unwrap();
        assert_eq!(rows(&dot), [31.0]);
        // Matrix·vector and vector·matrix: [[1, 2], [3, 4], [5, 6]] with [4, 5].
        let m = mat(3, 2, &[1., 2., 3., 4., 5., 6.]);
        let mut mv = <B64 as Backend<f64>>::zeros(3, 1);
        gemm(&mut mv, 1.0, (&m, Trans::No), (&row, Trans::Yes), 0.0).unwrap();
        assert_eq!(rows(&mv), [14., 32., 50.]);
        let mut vm = <B64 as Backend<f64>>::zeros(1, 2);
        gemm(&mut vm, 1.0, (&col, Trans::Yes), (&m, Trans::No), 0.0).unwrap();
        assert_eq!(rows(&vm), [22., 28.]);
    }

    #[test]
    fn padded_columns_round_trip() {
        // 17 rows of f32 are padded to a multiple of the SIMD width: columns are not adjacent.
        let data: Vec<f32> = (0..17 * 5).map(|x| x as f32).collect();
        let mut m = <Faer as Backend<f32>>::from_col_major(17, 5, &data).unwrap();
        assert!(m.col_stride() > 17, "faer 0.24 pads columns; col_stride {}", m.col_stride());
        assert_eq!(<Faer as Backend<f32>>::as_slice(&m), None);
        for j in 0..5 {
            assert_eq!(<Faer as Backend<f32>>::col(&m, j), &data[17 * j..17 * (j + 1)]);
        }
        assert_eq!(<Faer as Backend<f32>>::to_col_major(&m), data);
        <Faer as Backend<f32>>::col_mut(&mut m, 4)[16] = -1.0;
        assert_eq!(<Faer as Backend<f32>>::get(&m, 16, 4), Ok(-1.0));
        assert_eq!(m[(16, 4)], -1.0);

        let row_major = <Faer as Backend<f32>>::to_row_major(&m);
        let back = <Faer as Backend<f32>>::from_row_major(17, 5, &row_major).unwrap();
        assert_eq!(back, m);
        assert_eq!(<Faer as Backend<f32>>::sum_squares(&m), m.squared_norm_l2());
    }

    #[test]
    fn padded_gemm_agrees_with_a_naive_sum() {
        // Small integers keep every sum exact, so the comparison is exact in f32.
        let a = Mat::<f32>::from_fn(17, 5, |i, j| ((3 * i + j) % 7) as f32 - 3.0);
        let b = Mat::<f32>::from_fn(17, 9, |i, j| ((i + 5 * j) % 5) as f32 - 2.0);
        let mut out = <Faer as Backend<f32>>::zeros(5, 9);
        <Faer as Backend<f32>>::gemm(&mut out, 1.0, &a, Trans::Yes, &b, Trans::No, 0.0).unwrap();
        for i in 0..5 {
            for j in 0..9 {
                let expected: f32 = (0..17).map(|p| a[(p, i)] * b[(p, j)]).sum();
                assert_eq!(out[(i, j)], expected, "({i}, {j})");
            }
        }
    }

    #[test]
    fn parallel_gemm_is_bit_identical_to_sequential() {
        // Runs the matrix shapes on two threads whatever the rule's threshold (leaving the
        // process-wide count alone), and the matrix·vector shapes as the rule says: it keeps
        // them sequential, because faer's parallel matrix·vector product splits `k` and does
        // differ from the sequential one. `(512, 512, 512)` is above the threshold.
        let shapes =
            [(300, 257, 200), (256, 256, 784), (129, 127, 1000), (64, 64, 8192), (512, 512, 512)];
        let vectors = [(4096, 1, 512), (1, 2048, 512), (1, 1, 100_000)];
        for (m, n, k) in shapes.into_iter().chain(vectors) {
            let a = Mat::<f32>::from_fn(m, k, |i, j| ((i * 31 + j * 17) % 101) as f32 / 7.0 - 7.0);
            let b = Mat::<f32>::from_fn(n, k, |i, j| ((i * 13 + j * 29) % 97) as f32 / 11.0);
            let mut seq = Mat::<f32>::zeros(m, n);
            let mut par = Mat::<f32>::zeros(m, n);
            matmul(seq.as_mut(), Accum::Replace, a.as_ref(), b.transpose(), 1.0, Par::Seq);
            let rule = crate::threads::par_with(2, m, n, k);
            let vector = m == 1 || n == 1;
            if vector || m * n * k >= crate::PAR_THRESHOLD {
                assert_eq!(matches!(rule, Par::Seq), vector, "{m}×{k}·{k}×{n}");
            }
            let par_mode = if vector { rule } else { Par::rayon(2) };
            matmul(par.as_mut(), Accum::Replace, a.as_ref(), b.transpose(), 1.0, par_mode);
            assert!(seq == par, "{m}×{k}·{k}×{n}: parallel result differs from sequential");
        }
    }
}
