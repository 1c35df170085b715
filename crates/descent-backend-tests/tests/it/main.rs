//! The suite on descent's three backends, and the suite failing where it should.
//!
//! One binary: [`Counting`](descent_backend_tests::alloc::Counting) is installed here once and
//! the three suites run with `allocator = installed`. Test names read
//! `faer::gemm_nt::f32`, `ndarray::training_matches_numpy::f64`, …

#[global_allocator]
static ALLOC: descent_backend_tests::alloc::Counting = descent_backend_tests::alloc::Counting;

mod ndarray {
    descent_backend_tests::backend_suite!(descent_ndarray::Ndarray, allocator = installed);
}

mod nalgebra {
    descent_backend_tests::backend_suite!(descent_nalgebra::Nalgebra, allocator = installed);
}

mod faer {
    descent_backend_tests::backend_suite!(descent_faer::Faer, allocator = installed);
}

mod buggy;

#[test]
fn the_nalgebra_shapes_follow_the_backend() {
    assert_eq!(descent_backend_tests::strategies::NALGEBRA_SMALL, descent_nalgebra::SMALL);
}
