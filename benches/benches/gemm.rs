//! `gemm/<backend>/<dtype>_<shape>`: each backend's library GEMM on the course's and `wide`'s shapes.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use descent_benches::gemm::{COURSE, GemmCase, GemmInputs, WIDE};
use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;

/// Registers the GEMM benchmarks: the course's three products in f32, the `wide` network's
/// three in f32 and its forward product in f64.
pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    for case in &COURSE {
        each_backend::<f32>(&mut group, case);
    }
    // About a millisecond per product: 25 samples fit the measurement time.
    group.sample_size(25);
    for case in &WIDE {
        each_backend::<f32>(&mut group, case);
    }
    each_backend::<f64>(&mut group, &WIDE[0]);
    group.finish();
}

fn each_backend<T: Scalar>(group: &mut BenchmarkGroup<'_, WallTime>, case: &GemmCase)
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    one::<T, Ndarray>(group, case);
    one::<T, Nalgebra>(group, case);
    one::<T, Faer>(group, case);
}

fn one<T: Scalar, B: Backend<T>>(group: &mut BenchmarkGroup<'_, WallTime>, case: &GemmCase) {
    // Seeded operands and the output are allocated here, outside the timed closure.
    let mut inputs = GemmInputs::<T, B>::new(case, 1);
    group.throughput(Throughput::Elements(case.flops()));
    let id = BenchmarkId::new(B::NAME, format!("{}_{}", T::DTYPE, case.id()));
    group.bench_function(id, |b| {
        b.iter(|| black_box(&mut inputs).run().expect("the benchmarked shapes are consistent"));
    });
}
