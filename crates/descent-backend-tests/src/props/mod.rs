//! The suite's tests, each generic over `T: Dtype` and `B: Backend<T>`, one module per op
//! family. [`backend_suite!`](crate::backend_suite) stamps each out for `f32` and `f64`.
//!
//! Properties (proptest, seeded) take the [`Site`](crate::harness::Site) that says where their
//! failures are persisted; the other tests take nothing. A failing test panics with a message
//! naming the op, the shapes and the element.

pub mod contract;
pub mod elementwise;
pub mod errors;
pub mod gemm;
pub mod hand_computed;
pub mod no_alloc;
pub mod reductions;
pub mod storage;
pub mod training;
