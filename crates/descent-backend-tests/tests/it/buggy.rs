//! Backends with one deliberate bug each, over faer: the suite's test of that op fails, and
//! its message names the op and the shapes.

use std::panic::{UnwindSafe, catch_unwind};

use descent_backend_tests::harness::Site;
use descent_backend_tests::props::{gemm, no_alloc};
use descent_core::{Backend, Result, Trans};
use descent_faer::Faer;

/// A backend whose `gemm` ignores `beta` (computes `alpha·op(a)·op(b)` as if `beta == 0`).
struct IgnoresBeta;

/// A backend whose `gemm` allocates a scratch vector in every call.
struct AllocatingGemm;

macro_rules! delegate_to_faer {
    ($backend:ty, $t:ty, $name:literal, |$out:ident, $alpha:ident, $a:ident, $ta:ident, $b:ident, $tb:ident, $beta:ident| $gemm:expr) => {
        impl Backend<$t> for $backend {
            type Matrix = <Faer as Backend<$t>>::Matrix;
            const NAME: &'static str = $name;

            fn zeros(rows: usize, cols: usize) -> Self::Matrix {
                <Faer as Backend<$t>>::zeros(rows, cols)
            }

            fn shape(m: &Self::Matrix) -> (usize, usize) {
                <Faer as Backend<$t>>::shape(m)
            }

            fn col(m: &Self::Matrix, j: usize) -> &[$t] {
                <Faer as Backend<$t>>::col(m, j)
            }

            fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [$t] {
                <Faer as Backend<$t>>::col_mut(m, j)
            }

            fn gemm(
                $out: &mut Self::Matrix,
                $alpha: $t,
                $a: &Self::Matrix,
                $ta: Trans,
                $b: &Self::Matrix,
                $tb: Trans,
                $beta: $t,
            ) -> Result<()> {
                $gemm
            }
        }
    };
}

delegate_to_faer!(IgnoresBeta, f64, "ignores-beta", |out, alpha, a, ta, b, tb, _beta| {
    <Faer as Backend<f64>>::gemm(out, alpha, a, ta, b, tb, 0.0)
});

delegate_to_faer!(AllocatingGemm, f64, "allocating-gemm", |out, alpha, a, ta, b, tb, beta| {
    std::hint::black_box(vec![0.0_f64; 16]);
    <Faer as Backend<f64>>::gemm(out, alpha, a, ta, b, tb, beta)
});

/// The message `f` panics with; fails if it returns.
fn panic_message(f: impl FnOnce() + UnwindSafe) -> String {
    let payload = catch_unwind(f).expect_err("the suite's test passed on a buggy backend");
    match payload.downcast::<String>() {
        Ok(msg) => *msg,
        Err(payload) => payload.downcast::<&str>().map(|s| s.to_string()).unwrap_or_default(),
    }
}

#[test]
fn a_gemm_that_ignores_beta_fails_gemm_nn_naming_op_and_shapes() {
    let msg = panic_message(|| gemm::gemm_nn::<f64, IgnoresBeta>(&Site::without_persistence()));
    for part in ["gemm (Trans::No, Trans::No), m=", " n=", " k=", "alpha=", "beta=", "element ("] {
        assert!(msg.contains(part), "the message lacks {part:?}: {msg}");
    }
    assert!(!msg.contains("beta=0.0,"), "a case with beta = 0 cannot fail: {msg}");
}

#[test]
fn a_gemm_that_allocates_fails_the_allocation_test_naming_the_patch() {
    assert!(descent_backend_tests::gemm_allocations::<f64, AllocatingGemm>(64, 64, 64) >= 1);
    assert_eq!(descent_backend_tests::gemm_allocations::<f64, Faer>(64, 64, 64), 0);
    let msg = panic_message(no_alloc::gemm_allocates_nothing::<f64, AllocatingGemm>);
    for part in ["allocating-gemm f64: one gemm of m=64 n=64 k=64", "vendor/matrixmultiply"] {
        assert!(msg.contains(part), "the message lacks {part:?}: {msg}");
    }
}
