//! `train_step/<backend>/<dtype>_<network>`: forward, cost, backward and an Adam update.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};
use descent_benches::step::{COURSE, DEEP_NARROW, SGD, Step, StepCase, WIDE};
use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;

/// Registers the training-step benchmarks: the course network (batch 64 and batch 1) in f32
/// and f64, `deep-narrow` and the `wide` network in f32.
pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    each_backend::<f32>(&mut group, &COURSE);
    each_backend::<f64>(&mut group, &COURSE);
    each_backend::<f32>(&mut group, &SGD);
    each_backend::<f64>(&mut group, &SGD);
    each_backend::<f32>(&mut group, &DEEP_NARROW);
    // Tens of milliseconds per step: flat sampling with few samples keeps this to seconds.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    each_backend::<f32>(&mut group, &WIDE);
    group.finish();
}

fn each_backend<T: Scalar>(group: &mut BenchmarkGroup<'_, WallTime>, case: &StepCase)
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    one::<T, Ndarray>(group, case);
    one::<T, Nalgebra>(group, case);
    one::<T, Faer>(group, case);
}

fn one<T: Scalar, B: Backend<T>>(group: &mut BenchmarkGroup<'_, WallTime>, case: &StepCase) {
    // The network, its batch, gradients and Adam's moments are allocated here, once.
    let mut step = Step::<T, B>::new(case).expect("the benchmarked networks are valid");
    group.throughput(Throughput::Elements(case.batch as u64));
    let id = BenchmarkId::new(B::NAME, format!("{}_{}", T::DTYPE, case.name));
    group.bench_function(id, |b| {
        b.iter(|| black_box(&mut step).run().expect("a training step on valid buffers"));
    });
}
