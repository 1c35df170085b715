//! The whole descent backend suite for `VecBackend`, f32 and f64: `cargo test`.
descent_backend_tests::backend_suite!(fourth_backend::VecBackend);
