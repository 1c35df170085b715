//! Running properties: the seeded proptest configuration and the glue to the backends.

use std::fmt::Debug;
use std::panic::Location;

use descent_core::Backend;
use proptest::prelude::*;
use proptest::test_runner::{
    Config, FileFailurePersistence, RngAlgorithm, RngSeed, TestCaseError, TestRunner,
};

use crate::reference::Mat;
use crate::tolerance::Dtype;

/// The seed of every property: each run draws the same cases, and every backend sees the
/// same inputs (the properties of one op consume the generator in the same order).
pub const SEED: u64 = 0x0de5_ce47;

/// Cases per property for cheap ops.
pub const CASES: u32 = 48;

/// Cases per GEMM property (random `m`, `n`, `k` up to 300).
pub const GEMM_CASES: u32 = 32;

/// Cases per property that forces a dimension of at least 256.
pub const LARGE_GEMM_CASES: u32 = 8;

/// The proptest configuration: `cases` cases from the fixed seed, ChaCha generator, failures
/// persisted in `proptest-regressions/` beside `tests/it`.
pub fn config(cases: u32, source_file: &'static str) -> Config {
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(SEED),
        source_file: Some(source_file),
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel(
            "proptest-regressions",
        ))),
        // A shrink step of a large GEMM costs milliseconds; bound the search.
        max_shrink_iters: 4096,
        ..Config::default()
    }
}

/// Runs `test` on `cases` inputs drawn from `strategy`; panics with the shrunk input on failure.
#[track_caller]
pub fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config(cases, Location::caller().file()));
    if let Err(err) = runner.run(&strategy, test) {
        panic!("{err}");
    }
}

/// Runs `test` once on an input for each shape in `fixed`, then on `cases` inputs with shapes
/// from `random`: `inputs` builds the input strategy for a shape strategy.
#[track_caller]
pub fn check_shapes<Sh, S>(
    cases: u32,
    fixed: &[Sh],
    random: impl Strategy<Value = Sh> + 'static,
    inputs: impl Fn(BoxedStrategy<Sh>) -> S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    Sh: Clone + Debug + 'static,
    S: Strategy,
{
    let file = Location::caller().file();
    for shape in fixed {
        let mut runner = TestRunner::new(config(1, file));
        if let Err(err) = runner.run(&inputs(Just(shape.clone()).boxed()), &test) {
            panic!("fixed shape {shape:?}: {err}");
        }
    }
    let mut runner = TestRunner::new(config(cases, file));
    if let Err(err) = runner.run(&inputs(random.boxed()), &test) {
        panic!("{err}");
    }
}

/// An op `f(out, x)`, such as `B::relu`.
pub type UnaryOp<M> = fn(&mut M, &M) -> descent_core::Result<()>;

/// An op `f(out, x, y)`, such as `B::mul_elem`.
pub type BinaryOp<M> = fn(&mut M, &M, &M) -> descent_core::Result<()>;

/// A backend error as a test failure.
pub fn ok<V>(res: descent_core::Result<V>) -> Result<V, TestCaseError> {
    res.map_err(|err| TestCaseError::fail(format!("unexpected error: {err}")))
}

/// The backend's copy of a test matrix.
pub fn to_b<T: Dtype, B: Backend<T>>(m: &Mat<T>) -> Result<B::Matrix, TestCaseError> {
    ok(B::from_col_major(m.rows, m.cols, &m.data))
}

/// A backend matrix back in plain memory, read column by column through `col`.
pub fn from_b<T: Dtype, B: Backend<T>>(m: &B::Matrix) -> Mat<T> {
    let (rows, cols) = B::shape(m);
    let data = (0..cols).flat_map(|j| B::col(m, j).iter().copied()).collect();
    Mat { rows, cols, data }
}
