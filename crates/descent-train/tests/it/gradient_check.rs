//! Centered finite differences against `Mlp::backward`, in f64, for every output kind and
//! hidden activation: relative difference below 1e-7.

use descent_core::Backend;
use descent_ndarray::Ndarray;
use descent_train::{Activation, Dataset, Init, Mlp, MlpConfig, Output, Workspace};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

type B = Ndarray;
type M = <B as Backend<f64>>::Matrix;

/// Mean cost of `mlp` on the batch `(x, y)`.
fn mean_cost(mlp: &Mlp<f64, B>, x: &M, y: &M, ws: &mut Workspace<f64, B>) -> f64 {
    mlp.forward(x, ws).unwrap();
    mlp.cost_sum(ws, y).unwrap() / ws.n_examples() as f64
}

fn check(hidden: Activation, output: Output, n_out: usize) {
    let config =
        MlpConfig { layers: vec![3, 4, 3, n_out], hidden, output, init: Init::Xavier, seed: 7 };
    let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
    // Non-zero biases, so that their gradients are exercised too.
    let mut rng = Pcg64::seed_from_u64(11);
    for p in mlp.params_mut() {
        for j in 0..<B as Backend<f64>>::shape(p).1 {
            for v in <B as Backend<f64>>::col_mut(p, j) {
                *v += rng.random_range(-0.3..0.3);
            }
        }
    }
    let n = 5;
    let features: Vec<f64> = (0..3 * n).map(|_| rng.random_range(-2.0..2.0)).collect();
    let targets: Vec<f64> = match output {
        Output::Sigmoid => (0..n).map(|j| (j % 2) as f64).collect(),
        Output::Softmax => (0..n).map(|j| (j % n_out) as f64).collect(),
        Output::Linear => (0..n * n_out).map(|_| rng.random_range(-1.0..1.0)).collect(),
    };
    let n_targets = if output == Output::Linear { n_out } else { 1 };
    let data = Dataset::new(3, features, n_targets, targets).unwrap();
    let x = <B as Backend<f64>>::from_col_major(3, n, data.features()).unwrap();
    let mut y = <B as Backend<f64>>::zeros(n_out, n);
    for j in 0..n {
        mlp.encode_target(data.target(j), <B as Backend<f64>>::col_mut(&mut y, j)).unwrap();
    }
    let mut ws = Workspace::new(mlp.layers(), n);
    let mut grads = mlp.zeros_like_params();
    mlp.forward(&x, &mut ws).unwrap();
    mlp.backward(&x, &y, &mut ws, &mut grads).unwrap();

    let h = 1e-6;
    let (mut diff2, mut sum2) = (0.0_f64, 0.0_f64);
    for (p, grad) in grads.iter().enumerate() {
        let (rows, cols) = <B as Backend<f64>>::shape(&mlp.params()[p]);
        for j in 0..cols {
            for i in 0..rows {
                let orig = <B as Backend<f64>>::get(&mlp.params()[p], i, j).unwrap();
                <B as Backend<f64>>::set(&mut mlp.params_mut()[p], i, j, orig + h).unwrap();
                let plus = mean_cost(&mlp, &x, &y, &mut ws);
                <B as Backend<f64>>::set(&mut mlp.params_mut()[p], i, j, orig - h).unwrap();
                let minus = mean_cost(&mlp, &x, &y, &mut ws);
                <B as Backend<f64>>::set(&mut mlp.params_mut()[p], i, j, orig).unwrap();
                let numeric = (plus - minus) / (2.0 * h);
                let analytic = <B as Backend<f64>>::get(grad, i, j).unwrap();
                diff2 += (numeric - analytic).powi(2);
                sum2 += numeric.powi(2) + analytic.powi(2);
            }
        }
    }
    // Stricter than the course's `gradient_check_n` ‖g - g_num‖ / (‖g‖ + ‖g_num‖), since
    // √(‖g‖² + ‖g_num‖²) ≤ ‖g‖ + ‖g_num‖.
    let rel = diff2.sqrt() / sum2.sqrt();
    println!("gradient check {hidden:?}/{output:?}: relative difference {rel:.3e}");
    assert!(rel < 1e-7, "{hidden:?}/{output:?}: relative difference {rel:e}");
}

#[test]
fn relu_sigmoid() {
    check(Activation::Relu, Output::Sigmoid, 1);
}

#[test]
fn relu_softmax() {
    check(Activation::Relu, Output::Softmax, 3);
}

#[test]
fn relu_linear() {
    check(Activation::Relu, Output::Linear, 2);
}

#[test]
fn tanh_sigmoid() {
    check(Activation::Tanh, Output::Sigmoid, 1);
}

#[test]
fn tanh_softmax() {
    check(Activation::Tanh, Output::Softmax, 4);
}

#[test]
fn tanh_linear() {
    check(Activation::Tanh, Output::Linear, 1);
}
