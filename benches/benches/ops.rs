//! `<op>/<backend>/<dtype>_<shape>`: the elementwise work of a step — bias add, activations and
//! their backward passes, bias gradients — and the fused optimizer updates, on the shapes of
//! the course (`5x64`) and `wide` (`1024x256` activations, `1024x784` weights) workloads.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use descent_benches::seeded_matrix;
use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, MomentumConfig, OptimizerConfig};

/// Activation shapes `(rows, cols)`: the course's first hidden layer on a batch of 64, and the
/// `wide` network's hidden layer on a batch of 256.
const ACTIVATIONS: [(usize, usize); 2] = [(5, 64), (1024, 256)];
/// Parameter shapes for the optimizer updates: the course's `W1`, `wide`'s `W1`.
const PARAMS: [(usize, usize); 2] = [(5, 2), (1024, 784)];

/// Registers the elementwise and optimizer benchmarks for every backend and dtype.
pub fn bench(c: &mut Criterion) {
    each::<f32>(c);
    each::<f64>(c);
}

fn each<T: Scalar>(c: &mut Criterion)
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    backend::<T, Ndarray>(c);
    backend::<T, Nalgebra>(c);
    backend::<T, Faer>(c);
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
}

fn backend<T: Scalar, B: Backend<T>>(c: &mut Criterion) {
    for (rows, cols) in ACTIVATIONS {
        let shape = format!("{}_{rows}x{cols}", T::DTYPE);
        let id = BenchmarkId::new(B::NAME, &shape);
        let z = seeded_matrix::<T, B>(rows, cols, 1);
        let da = seeded_matrix::<T, B>(rows, cols, 2);
        let bias = seeded_matrix::<T, B>(rows, 1, 3);
        let mut out = B::zeros(rows, cols);
        let mut col = B::zeros(rows, 1);
        let elements = Throughput::Elements((rows * cols) as u64);
        let mut run = |op: &str, f: &mut dyn FnMut(&mut B::Matrix, &mut B::Matrix)| {
            let mut group = c.benchmark_group(op);
            configure(&mut group);
            group.throughput(elements.clone());
            group.bench_function(id.clone(), |b| {
                b.iter(|| f(black_box(&mut out), black_box(&mut col)));
            });
            group.finish();
        };
        run("add_col", &mut |o, _| B::add_col(o, &bias).expect("shapes agree"));
        run("relu", &mut |o, _| B::relu(o, &z).expect("shapes agree"));
        run("relu_backward", &mut |o, _| B::relu_backward(o, &da, &z).expect("shapes agree"));
        run("sigmoid", &mut |o, _| B::sigmoid(o, &z).expect("shapes agree"));
        run("tanh", &mut |o, _| B::tanh(o, &z).expect("shapes agree"));
        run("sum_cols", &mut |_, c| B::sum_cols(c, T::ONE, &da, T::ZERO).expect("shapes agree"));
    }
    for (rows, cols) in PARAMS {
        let shape = format!("{}_{rows}x{cols}", T::DTYPE);
        let grads = vec![seeded_matrix::<T, B>(rows, cols, 4)];
        for config in [
            OptimizerConfig::Gd,
            OptimizerConfig::Momentum(MomentumConfig::default()),
            OptimizerConfig::Adam(AdamConfig::default()),
        ] {
            let mut params = vec![seeded_matrix::<T, B>(rows, cols, 5)];
            let mut optimizer = config.build::<T, B>().expect("default settings are valid");
            optimizer.init(&params).expect("fresh state");
            let lr = T::from_f64(1e-4);
            let mut group = c.benchmark_group(config.name());
            configure(&mut group);
            group.throughput(Throughput::Elements((rows * cols) as u64));
            group.bench_function(BenchmarkId::new(B::NAME, &shape), |b| {
                b.iter(|| {
                    optimizer.step(black_box(&mut params), &grads, lr).expect("shapes agree");
                });
            });
            group.finish();
        }
    }
}
