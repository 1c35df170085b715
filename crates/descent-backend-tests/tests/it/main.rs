//! Backend agreement: every `Backend` op, on every backend and dtype, against a naive reference.
//!
//! Each property is written once, generic over `T: Dtype` and `B: Backend<T>`, compares the
//! backend with `reference.rs` within a tolerance from `tolerance.rs` (so all backends agree
//! with each other transitively), and is stamped out per backend and dtype by
//! [`backend_tests!`]: `cargo test -p descent-backend-tests gemm_nt::faer_f32`.
//! `hand_computed.rs` checks tiny cases against literals worked out by hand, so that a bug
//! shared by the reference and every backend cannot hide; `errors.rs` checks that bad shapes
//! are errors on every backend. Every RNG is seeded (`harness::SEED`).

/// Stamps out generic properties `fn prop<T: Dtype, B: Backend<T>>()` as one test per backend
/// and dtype: `backend_tests!(axpy)` makes `axpy::ndarray_f32`, `axpy::faer_f64`, ….
macro_rules! backend_tests {
    ($($prop:ident),* $(,)?) => {$(
        mod $prop {
            #[test]
            fn ndarray_f32() {
                super::$prop::<f32, descent_ndarray::Ndarray>();
            }
            #[test]
            fn ndarray_f64() {
                super::$prop::<f64, descent_ndarray::Ndarray>();
            }
            #[test]
            fn nalgebra_f32() {
                super::$prop::<f32, descent_nalgebra::Nalgebra>();
            }
            #[test]
            fn nalgebra_f64() {
                super::$prop::<f64, descent_nalgebra::Nalgebra>();
            }
            #[test]
            fn faer_f32() {
                super::$prop::<f32, descent_faer::Faer>();
            }
            #[test]
            fn faer_f64() {
                super::$prop::<f64, descent_faer::Faer>();
            }
        }
    )*};
}

mod elementwise;
mod errors;
mod gemm;
mod hand_computed;
mod harness;
mod reductions;
mod reference;
mod storage;
mod strategies;
mod tolerance;
