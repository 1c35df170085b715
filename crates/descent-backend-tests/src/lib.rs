//! The test suite every descent backend passes, as a library: one line in a crate's `tests/`
//! proves a new `Backend` implementation.
//!
//! ```ignore
//! // tests/suite.rs of the crate that defines `my_backend::MyBackend`
//! descent_backend_tests::backend_suite!(my_backend::MyBackend);
//! ```
//!
//! `cargo test` then runs, for `f32` and `f64` (`gemm_nt::f32`, `training_matches_numpy::f64`,
//! …):
//!
//! - every op of [`Backend`](descent_core::Backend) against a naive reference with
//!   compensated sums ([`reference`](mod@reference)), within a tolerance per dtype and op ([`tolerance`]), on
//!   seeded random inputs ([`strategies`]) and on fixed shapes: sizes 0 and 1 in every
//!   position and sizes around SIMD widths (15–17, 31–33, 63–65, 127–129, 255–257);
//! - small cases worked out by hand, so that a bug shared with the reference cannot hide
//!   ([`props::hand_computed`]);
//! - bad shapes, lengths and indices as the right [`Error`](descent_core::Error) variant
//!   ([`props::errors`]), and the contract no result shows: `col` panics past the last column,
//!   `as_slice` is the whole matrix, matrices cross threads ([`props::contract`]);
//! - GEMM agreement with the built-in faer backend on the same inputs
//!   ([`props::gemm::gemm_agrees_with_faer`]);
//! - a few training steps of descent-train against parameters recorded from an independent
//!   numpy implementation, shipped in this crate ([`props::training`]);
//! - no allocation in steady-state training steps, nor in a GEMM with every dimension ≥ 64
//!   ([`props::no_alloc`]), counted by [`alloc::Counting`], which the macro installs as the test
//!   binary's global allocator.
//!
//! A failure names the op, the shapes and the element, then proptest's shrunk input:
//!
//! ```text
//! Test failed: gemm (Trans::No, Trans::No), m=1 n=1 k=1, alpha=1.0, beta=1.0 (f64, 1×1
//! result): element (0, 0) is 2.004181841203303e2, expected 2.155618315776267e2; error
//! 1.5143647457296396e1 > bound 1.4359302518871078e-13 (tol 6.66e-16 · scale 2.15e2).
//! minimal failing input: GemmCase { ta: No, tb: No, alpha: 1.0, beta: 1.0, … }
//! ```
//!
//! (a `gemm` that ignores `beta`: this crate's `tests/it/buggy.rs`). Proptest writes the
//! failing case to `proptest-regressions/` in the crate that invoked the macro and replays it
//! first on the
//! next run; commit that folder.
//!
//! # Forms of the macro
//!
//! | invocation | allocator of the test binary | no-allocation tests |
//! |---|---|---|
//! | `backend_suite!(B)` | installs [`alloc::Counting`] | run |
//! | `backend_suite!(B, allocator = installed)` | the binary installs [`alloc::Counting`] itself (several suites in one binary) | run |
//! | `backend_suite!(B, allocator = own)` | the binary has its own | skipped |
//!
//! The no-allocation tests check that [`alloc::Counting`] really counts before they count, so
//! they fail, rather than pass, in a binary where it is not the global allocator.
//!
//! # GEMMs on matrixmultiply
//!
//! Published matrixmultiply allocates its packing buffer in every call; descent's workspace
//! patches it (`vendor/matrixmultiply`, `[patch.crates-io]` in descent's root manifest). A
//! patch applies only in the workspace that declares it, so a backend crate of its own that
//! calls matrixmultiply fails `gemm_allocates_nothing` and `training_steps_allocate_nothing`
//! until its manifest adds `[patch.crates-io] matrixmultiply = { path =
//! "<descent>/vendor/matrixmultiply" }`. [`gemm_allocations`] counts what one GEMM call
//! allocates, for a test of one's own.
//!
//! # Running time
//!
//! 46 tests per dtype; case counts are bounded ([`harness::CASES`],
//! [`harness::GEMM_CASES`]) and every RNG is seeded ([`harness::SEED`]), so every run draws the
//! same inputs. Build tests optimised (`[profile.test] opt-level = 3`): the large GEMM cases
//! and the reference are slow in a debug build.

pub mod alloc;
pub mod harness;
#[rustfmt::skip]
mod numpy_fixture;
pub mod props;
pub mod reference;
pub mod strategies;
mod suite;
pub mod tolerance;

pub use alloc::gemm_allocations;
pub use tolerance::Dtype;
