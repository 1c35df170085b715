//! Running properties: the seeded proptest configuration, where failures are persisted, and
//! the glue to the backends.

use std::fmt::Debug;

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

/// Where a property runs: the embedder's crate, for the file proptest persists failures in.
///
/// [`backend_suite!`](crate::backend_suite) builds one per generated test from
/// `env!("CARGO_MANIFEST_DIR")` and `module_path!()` expanded in the embedder's crate, so a
/// failing case is written to `<embedder>/proptest-regressions/<module>/<property>.txt` and
/// replayed first on the next run there, never into descent's checkout.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// The directory of the failure files, `None` to persist nothing.
    regressions: Option<&'static str>,
}

impl Site {
    /// The site of the test module `module` (the generated module's `module_path!()`) of the
    /// crate at `manifest_dir`: failures go to `<manifest_dir>/proptest-regressions/` with one
    /// folder per enclosing module and the innermost one as the file name (`suite::gemm_nn` →
    /// `proptest-regressions/suite/gemm_nn.txt`).
    pub fn new(manifest_dir: &'static str, module: &'static str) -> Self {
        let mut file = std::path::Path::new(manifest_dir).join("proptest-regressions");
        file.extend(module.split("::"));
        file.set_extension("txt");
        let file = file.to_string_lossy().into_owned();
        // One short string per test, alive for the rest of the test process: proptest takes
        // a `&'static str`.
        Site { regressions: Some(Box::leak(file.into_boxed_str())) }
    }

    /// A site that persists no failure: for tests that expect a property to fail.
    pub fn without_persistence() -> Self {
        Site { regressions: None }
    }

    /// The proptest configuration: `cases` cases from the fixed seed, ChaCha generator,
    /// failures persisted in this site's file.
    pub fn config(&self, cases: u32) -> Config {
        Config {
            cases,
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(SEED),
            failure_persistence: self
                .regressions
                .map(|file| Box::new(FileFailurePersistence::Direct(file)) as Box<_>),
            // A shrink step of a large GEMM costs milliseconds; bound the search.
            max_shrink_iters: 4096,
            ..Config::default()
        }
    }

    /// Runs `test` on `cases` inputs drawn from `strategy`; panics with the shrunk input on
    /// failure.
    pub fn check<S: Strategy>(
        &self,
        cases: u32,
        strategy: S,
        test: impl Fn(S::Value) -> Result<(), TestCaseError>,
    ) {
        let mut runner = TestRunner::new(self.config(cases));
        if let Err(err) = runner.run(&strategy, test) {
            panic!("{err}");
        }
    }

    /// Runs `test` once on an input for each shape in `fixed`, then on `cases` inputs with
    /// shapes from `random`: `inputs` builds the input strategy for a shape strategy.
    pub fn check_shapes<Sh, S>(
        &self,
        cases: u32,
        fixed: &[Sh],
        random: impl Strategy<Value = Sh> + 'static,
        inputs: impl Fn(BoxedStrategy<Sh>) -> S,
        test: impl Fn(S::Value) -> Result<(), TestCaseError>,
    ) where
        Sh: Clone + Debug + 'static,
        S: Strategy,
    {
        for shape in fixed {
            let mut runner = TestRunner::new(self.config(1));
            if let Err(err) = runner.run(&inputs(Just(shape.clone()).boxed()), &test) {
                panic!("fixed shape {shape:?}: {err}");
            }
        }
        let mut runner = TestRunner::new(self.config(cases));
        if let Err(err) = runner.run(&inputs(random.boxed()), &test) {
            panic!("{err}");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_go_to_the_invoking_crate_one_folder_per_module() {
        let site = Site::new("/work/my-backend", "suite::gemm_nn");
        assert_eq!(
            site.regressions,
            Some("/work/my-backend/proptest-regressions/suite/gemm_nn.txt")
        );
        assert_eq!(Site::without_persistence().config(1).failure_persistence, None);
    }
}
