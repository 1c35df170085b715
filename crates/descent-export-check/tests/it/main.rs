//! Every kind of model descent trains, exported to ONNX and run by tract: output kind
//! (sigmoid, softmax, linear) × hidden activation (ReLU, tanh) × dtype (f32, f64), with and
//! without standardization, and models of a table with one-hot inputs. Each run agrees with
//! descent's own forward pass within [`F32_TOLERANCE`] / [`F64_TOLERANCE`] relative, and the
//! labels agree exactly.

mod table;

use std::path::PathBuf;

use descent_export::onnx::write_onnx;
use descent_export_check::{Inputs, descent_outputs, relative_error, tract_outputs};
use descent_io::{Dtype, ModelFile};
use descent_ndarray::Ndarray;
use descent_train::{Activation, FeatureStats, Init, Mlp, MlpConfig, Output};

/// The largest relative error allowed between tract's and descent's outputs in f32.
pub const F32_TOLERANCE: f64 = 1e-5;
/// The largest relative error allowed in f64.
pub const F64_TOLERANCE: f64 = 1e-12;

/// A fresh path for an exported file of test `name`.
pub fn onnx_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("descent-export-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.onnx"))
}

/// A model of `n_inputs` inputs, two hidden layers, the output's width (1 for sigmoid, 3
/// for softmax, 2 for linear), He-initialized from `seed`.
pub fn model(
    n_inputs: usize,
    activation: Activation,
    output: Output,
    dtype: Dtype,
    seed: u64,
) -> ModelFile {
    let n_out = match output {
        Output::Sigmoid => 1,
        Output::Softmax => 3,
        Output::Linear => 2,
    };
    let config = MlpConfig {
        layers: vec![n_inputs, 7, 5, n_out],
        hidden: activation,
        output,
        init: Init::He,
        seed,
    };
    let mlp = Mlp::<f64, Ndarray>::new(&config).unwrap();
    let mut file = ModelFile::from_mlp(&mlp, dtype, None);
    // Biases away from zero, so that every layer's bias is checked.
    let mut draw = Inputs::new(seed + 100);
    for b in file.params.iter_mut().skip(1).step_by(2) {
        b.iter_mut().for_each(|v| *v = draw.next(-0.5, 0.5));
    }
    file
}

/// Exports `model`, runs it in tract on `n_examples` rows of `x` and on its first row alone
/// (the batch dimension is dynamic), compares with descent, and returns the largest
/// relative error seen.
pub fn check(name: &str, model: &ModelFile, x: &[f64]) -> f64 {
    let n_inputs = model.layers[0];
    let path = onnx_path(name);
    write_onnx(&path, model).unwrap();
    let tolerance = match model.dtype {
        Dtype::F32 => F32_TOLERANCE,
        Dtype::F64 => F64_TOLERANCE,
    };
    let mut worst = 0.0f64;
    for rows in [x, &x[..n_inputs]] {
        let ours = descent_outputs(model, rows, n_inputs).unwrap();
        let theirs = tract_outputs(&path, model.dtype, rows, n_inputs).unwrap();
        assert_eq!(ours.values.len(), theirs.values.len(), "{name}: output length");
        for (i, (a, b)) in ours.values.iter().zip(&theirs.values).enumerate() {
            let err = relative_error(*a, *b);
            assert!(
                err <= tolerance,
                "{name}: output {i}: descent {a}, tract {b}, relative error {err:e}"
            );
            worst = worst.max(err);
        }
        assert_eq!(ours.labels, theirs.labels, "{name}: labels");
    }
    eprintln!("{name}: max relative error {worst:e} ({:?})", model.dtype);
    std::fs::remove_file(&path).unwrap();
    worst
}

/// Inputs of `n` rows of `n_inputs` values around `centre`, each an exact `f32`.
pub fn inputs(n: usize, n_inputs: usize, centre: f64, seed: u64) -> Vec<f64> {
    let mut draw = Inputs::new(seed);
    (0..n * n_inputs).map(|_| centre + draw.next(-3.0, 3.0)).collect()
}

/// One case: a model of 4 inputs, 53 rows; with `standardize`, statistics far from 0 and 1
/// (one standard deviation 0, which descent replaces by 1) and inputs around them.
fn case(name: &str, activation: Activation, output: Output, dtype: Dtype, standardize: bool) {
    let mut m = model(4, activation, output, dtype, 7);
    let centre = if standardize {
        m.standardize = Some(FeatureStats {
            mean: vec![10.0, -3.5, 0.25, 100.0],
            std: vec![2.5, 0.0, 0.125, 40.0],
        });
        10.0
    } else {
        0.0
    };
    let x = inputs(53, 4, centre, 11);
    check(name, &m, &x);
}

macro_rules! cases {
    ($($name:ident: $act:ident, $out:ident, $dtype:ident, $std:expr;)*) => {$(
        #[test]
        fn $name() {
            case(stringify!($name), Activation::$act, Output::$out, Dtype::$dtype, $std);
        }
    )*};
}

cases! {
    sigmoid_relu_f32: Relu, Sigmoid, F32, false;
    sigmoid_relu_f64: Relu, Sigmoid, F64, false;
    sigmoid_tanh_f32: Tanh, Sigmoid, F32, false;
    sigmoid_tanh_f64: Tanh, Sigmoid, F64, false;
    softmax_relu_f32: Relu, Softmax, F32, false;
    softmax_relu_f64: Relu, Softmax, F64, false;
    softmax_tanh_f32: Tanh, Softmax, F32, false;
    softmax_tanh_f64: Tanh, Softmax, F64, false;
    linear_relu_f32: Relu, Linear, F32, false;
    linear_relu_f64: Relu, Linear, F64, false;
    linear_tanh_f32: Tanh, Linear, F32, false;
    linear_tanh_f64: Tanh, Linear, F64, false;
    standardized_sigmoid_relu_f32: Relu, Sigmoid, F32, true;
    standardized_sigmoid_relu_f64: Relu, Sigmoid, F64, true;
    standardized_sigmoid_tanh_f32: Tanh, Sigmoid, F32, true;
    standardized_sigmoid_tanh_f64: Tanh, Sigmoid, F64, true;
    standardized_softmax_relu_f32: Relu, Softmax, F32, true;
    standardized_softmax_relu_f64: Relu, Softmax, F64, true;
    standardized_softmax_tanh_f32: Tanh, Softmax, F32, true;
    standardized_softmax_tanh_f64: Tanh, Softmax, F64, true;
    standardized_linear_relu_f32: Relu, Linear, F32, true;
    standardized_linear_relu_f64: Relu, Linear, F64, true;
    standardized_linear_tanh_f32: Tanh, Linear, F32, true;
    standardized_linear_tanh_f64: Tanh, Linear, F64, true;
}

/// The comparison can fail: a model changed after export disagrees with the file.
#[test]
fn a_changed_weight_is_caught() {
    let m = model(4, Activation::Relu, Output::Linear, Dtype::F64, 3);
    let path = onnx_path("changed");
    write_onnx(&path, &m).unwrap();
    let mut changed = m.clone();
    changed.params[4][0] += 1e-9;
    let x = inputs(9, 4, 0.0, 5);
    let ours = descent_outputs(&changed, &x, 4).unwrap();
    let theirs = tract_outputs(&path, Dtype::F64, &x, 4).unwrap();
    let worst = ours
        .values
        .iter()
        .zip(&theirs.values)
        .map(|(a, b)| relative_error(*a, *b))
        .fold(0.0, f64::max);
    assert!(worst > F64_TOLERANCE, "{worst:e}");
    std::fs::remove_file(&path).unwrap();
}
