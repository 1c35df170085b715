//! `backend_suite!`: the whole suite as `#[test]` functions in the invoking crate.

/// Generates the whole backend suite as `#[test]` functions for `f32` and `f64` of a type
/// implementing `Backend<f32>` and `Backend<f64>`: one module per test (`gemm_nn`, `axpy`, …)
/// with tests `f32` and `f64`, at the place of the invocation.
///
/// ```ignore
/// descent_backend_tests::backend_suite!(my_backend::MyBackend);
/// ```
///
/// - `backend_suite!(B)` also installs [`alloc::Counting`](crate::alloc::Counting) as the
///   binary's `#[global_allocator]` (each `tests/*.rs` file is a binary of its own).
/// - `backend_suite!(B, allocator = installed)` runs the same tests in a binary that installs
///   `Counting` itself, so that several suites can share one binary.
/// - `backend_suite!(B, allocator = own)` leaves the binary's allocator alone and skips the
///   two no-allocation tests.
///
/// Property tests persist their failing cases under `proptest-regressions/` of the invoking
/// crate (`env!("CARGO_MANIFEST_DIR")` and `module_path!()` expand there).
#[macro_export]
macro_rules! backend_suite {
    ($backend:ty $(,)?) => {
        $crate::backend_suite!($backend, allocator = install);
    };
    ($backend:ty, allocator = install) => {
        #[global_allocator]
        static DESCENT_BACKEND_SUITE_ALLOCATOR: $crate::alloc::Counting = $crate::alloc::Counting;
        $crate::backend_suite!($backend, allocator = installed);
    };
    ($backend:ty, allocator = installed) => {
        $crate::backend_suite!($backend, allocator = own);
        $crate::__backend_suite_tests! {
            $backend;
            cases: no_alloc::training_steps_allocate_nothing, no_alloc::gemm_allocates_nothing,
        }
    };
    ($backend:ty, allocator = own) => {
        $crate::__backend_suite_tests! {
            $backend;
            properties:
                storage::zeros, storage::round_trips, storage::get_set, storage::fill,
                storage::copy,
                elementwise::scale, elementwise::axpy, elementwise::mul_elem,
                elementwise::add_col, elementwise::relu, elementwise::relu_backward,
                elementwise::sigmoid, elementwise::sigmoid_backward, elementwise::tanh,
                elementwise::tanh_backward, elementwise::gather_cols, elementwise::all_finite,
                reductions::sum_cols, reductions::sum_squares, reductions::softmax_cols,
                gemm::gemm_nn, gemm::gemm_nt, gemm::gemm_tn, gemm::gemm_tt, gemm::gemm_large,
                gemm::gemm_agrees_with_faer,
                errors::bad_shapes_elementwise, errors::bad_shapes_columns,
                errors::bad_shapes_gemm, errors::bad_lengths, errors::out_of_bounds_get_set,
                errors::bad_gather_cols,
        }
        $crate::__backend_suite_tests! {
            $backend;
            cases:
                hand_computed::hand_storage, hand_computed::hand_gemm, hand_computed::hand_blas1,
                hand_computed::hand_reductions, hand_computed::hand_relu,
                hand_computed::hand_sigmoid, hand_computed::hand_tanh,
                hand_computed::hand_softmax,
                contract::col_panics_past_the_last_column,
                contract::as_slice_is_the_whole_matrix, contract::matrices_cross_threads,
                training::training_matches_numpy,
        }
    };
}

/// One module per test with an `f32` and an `f64` `#[test]`: `properties` take the
/// [`Site`](crate::harness::Site) of their module, `cases` take nothing.
#[doc(hidden)]
#[macro_export]
macro_rules! __backend_suite_tests {
    ($backend:ty; properties: $($family:ident :: $test:ident),* $(,)?) => {$(
        mod $test {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn f32() {
                let site = $crate::harness::Site::new(env!("CARGO_MANIFEST_DIR"), module_path!());
                $crate::props::$family::$test::<f32, $backend>(&site);
            }

            #[test]
            fn f64() {
                let site = $crate::harness::Site::new(env!("CARGO_MANIFEST_DIR"), module_path!());
                $crate::props::$family::$test::<f64, $backend>(&site);
            }
        }
    )*};
    ($backend:ty; cases: $($family:ident :: $test:ident),* $(,)?) => {$(
        mod $test {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn f32() {
                $crate::props::$family::$test::<f32, $backend>();
            }

            #[test]
            fn f64() {
                $crate::props::$family::$test::<f64, $backend>();
            }
        }
    )*};
}
