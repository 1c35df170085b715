//! Criterion benchmarks of descent, one module per area: `gemm/<backend>/<shape>`, the elementwise ops
//! and optimizer updates (`relu/<backend>/<shape>`, `adam/<backend>/<shape>`, …) and
//! `train_step/<backend>/<network>`. Run them with `cargo xtask bench --criterion`, which first checks
//! every backend against its reference answers (`check-backends`) and then writes
//! `BENCHMARKS.md`; or alone with `cargo bench -p descent-benches --bench main`.
//!
//! Every backend runs on one thread (faer's default, nalgebra's only mode, and ndarray's
//! matrixmultiply without its `threading` feature), so the numbers compare the libraries'
//! kernels rather than the machine's cores.

use criterion::{criterion_group, criterion_main};

mod gemm;
mod ops;
mod train_step;

criterion_group!(benches, gemm::bench, ops::bench, train_step::bench);
criterion_main!(benches);
