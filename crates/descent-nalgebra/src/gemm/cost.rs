//! The cost model of small products: which of nalgebra's loops, on the product as given or on
//! its transpose, [`gemm_small`](super::gemm_small) runs ([`ProductPlan`]).

use descent_core::Trans;

/// nalgebra's `gemm` calls `matrixmultiply` only when every dimension is above this
/// (`SMALL_DIM` in nalgebra's `src/base/blas_uninit.rs`); below, it loops over `axpy`s.
const NALGEBRA_SMALL_DIM: usize = 5;

/// Measured costs of nalgebra's small-product loops, in nanoseconds (f32, release, x86-64-v3;
/// f64 runs at about the same per-element speed here): a dot product costs `DOT_CALL +
/// DOT_ELEM` per element, an `axpy` `AXPY_CALL + AXPY_ELEM` per element (it vectorises, the
/// dot product does not), and the transposing copy `COPY_ELEM` per element.
const DOT_CALL: f64 = 5.0;
const DOT_ELEM: f64 = 0.22;
const AXPY_CALL: f64 = 5.0;
const AXPY_ELEM: f64 = 0.09;
const COPY_ELEM: f64 = 1.0;

/// How [`gemm_small`](super::gemm_small) computes a product: with `gemm_tr` or `gemm`, on the
/// product as given or on its transpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductPlan {
    /// `gemm_tr` (dot products) rather than `gemm` (`axpy`s).
    pub dot: bool,
    /// Computes `outᵀ = op(b)ᵀ·op(a)ᵀ`.
    pub transposed: bool,
}

impl ProductPlan {
    /// The cheapest plan by the cost model, for a product with every dimension positive.
    ///
    /// With every dimension above 5, `gemm` on the product as given (nalgebra then calls
    /// `matrixmultiply`). Otherwise the model counts `gemm_tr`'s `m·n` dot products of length
    /// `k` or `gemm`'s `n·k` `axpy`s of length `m`, plus the transposing copies each form needs:
    /// the operands not stored its way, and for the transposed problem the result unless `out`
    /// is a row or a column. The transposed problem needs `out_unread` (`beta == 0`) unless
    /// `out` is a row or a column. It wins for a short, wide `out`: `W1·X` of the classic
    /// network (5×64, `k = 2`) becomes 10 `axpy`s of length 64 instead of 128 of length 5.
    #[must_use]
    pub fn choose(
        (m, n, k): (usize, usize, usize),
        ta: Trans,
        tb: Trans,
        out_unread: bool,
    ) -> Self {
        let direct = Self { dot: false, transposed: false };
        if m.min(n).min(k) > NALGEBRA_SMALL_DIM {
            return direct;
        }
        let vector = m == 1 || n == 1;
        let mut best = (f64::INFINITY, direct);
        for transposed in [false, true] {
            if transposed && !(vector || out_unread) {
                continue;
            }
            for dot in [false, true] {
                let cost = if transposed {
                    let copy_out = if vector { 0.0 } else { (m * n) as f64 * COPY_ELEM };
                    form_cost((n, m, k), flip(tb), flip(ta), dot) + copy_out
                } else {
                    form_cost((m, n, k), ta, tb, dot)
                };
                if cost < best.0 {
                    best = (cost, Self { dot, transposed });
                }
            }
        }
        best.1
    }
}

/// The modelled cost of `gemm_tr` (`dot`) or `gemm` on `out = op(a)·op(b)` with contiguous
/// copies of the operands not stored as the form wants.
///
/// The model follows the measurements: the dot form wins for a short, wide `a` (`2×64×5`:
/// 0.39 µs against 1.3 µs; `1×1024×256`: 0.09 ms against 1.6 ms), the `axpy` form once its
/// vectors are long (`1024×256×1`: 0.03 ms against 0.27 ms with `gemm_tr`), and the copy
/// decides `aᵀ·b` at `256×5×1024` (`gemm_tr` on `a` as stored: 0.3 ms, copy then `gemm`: 0.8 ms).
fn form_cost((m, n, k): (usize, usize, usize), ta: Trans, tb: Trans, dot: bool) -> f64 {
    let (mf, nf, kf) = (m as f64, n as f64, k as f64);
    let copy_a = if dot { ta == Trans::No } else { ta == Trans::Yes };
    let mut cost = if dot {
        mf * nf * (DOT_CALL + kf * DOT_ELEM)
    } else {
        nf * kf * (AXPY_CALL + mf * AXPY_ELEM)
    };
    if copy_a {
        cost += mf * kf * COPY_ELEM;
    }
    if tb == Trans::Yes {
        cost += kf * nf * COPY_ELEM;
    }
    cost
}

/// The other transpose.
pub fn flip(t: Trans) -> Trans {
    match t {
        Trans::No => Trans::Yes,
        Trans::Yes => Trans::No,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_for_the_classic_network_and_their_limits() {
        let plan = |dot, transposed| ProductPlan { dot, transposed };
        let (no, yes) = (Trans::No, Trans::Yes);
        // W1·X (5×64, k = 2): 10 `axpy`s of length 64 on the transposed problem.
        assert_eq!(ProductPlan::choose((5, 64, 2), no, no, true), plan(false, true));
        // ... but only when `out` need not be read: otherwise the product as given.
        assert!(!ProductPlan::choose((5, 64, 2), no, no, false).transposed);
        // W3ᵀ·dZ3 (2×64, k = 1): dZ3ᵀ is dZ3's memory, 2 `axpy`s of length 64.
        assert_eq!(ProductPlan::choose((2, 64, 1), yes, no, true), plan(false, true));
        // W3·A2 (1×64): the output is a row, transposed for free, so even with `beta ≠ 0`.
        assert!(ProductPlan::choose((1, 64, 2), no, no, false).transposed);
        // dZ2·A1ᵀ (2×5, k = 64): dot products of length 64.
        assert_eq!(ProductPlan::choose((2, 5, 64), no, yes, true), plan(true, false));
        // Every dimension above 5: nalgebra's `gemm` (matrixmultiply) on the product as given.
        assert_eq!(ProductPlan::choose((6, 7, 6), yes, yes, true), plan(false, false));
    }
}
