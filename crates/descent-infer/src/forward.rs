//! `predict` and `predict_class`: the forward pass, in the caller's buffers.

use super::error::{Error, Part};
use super::float::Float;
use super::kind::{Activation, Output};
use super::model::Model;

/// The network's outputs for one example: standardization (if the model has one), then each
/// layer's `z = W·a + b` (products summed in input order, then the bias added) and its
/// activation, the last layer's output function written to `out`.
///
/// `scratch` holds the intermediate activations: at least [`Model::scratch_len`] values (any
/// content; longer is fine). Nothing is allocated and nothing panics: lengths are checked
/// first ([`Model::validate`], then the three buffers), and on an error `out` is untouched.
///
/// The formulas are descent's: ReLU `z > 0 ? z : 0`; sigmoid `1/(1 + e)` for `z ≥ 0` and
/// `e/(1 + e)` below, `e = e^{-|z|}`; softmax shifted by the maximum, each `e^{z_k − max}`
/// multiplied by `1/Σ`; linear `z`.
///
/// # Errors
/// What [`Model::validate`] returns, then [`Error::Length`] for `input` (not `n_inputs`
/// long), `out` (not `n_outputs` long) or `scratch` (shorter than `scratch_len`).
///
/// See the crate's docs for examples.
pub fn predict<F: Float>(
    model: &Model<'_, F>,
    input: &[F],
    scratch: &mut [F],
    out: &mut [F],
) -> Result<(), Error> {
    model.validate()?;
    let layers = model.layers;
    let n_layers = layers.len() - 1;
    check(Part::Input, layers[0], input.len())?;
    check(Part::Output, layers[n_layers], out.len())?;
    let need = model.scratch_len();
    if scratch.len() < need {
        return Err(Error::Length { part: Part::Scratch, expected: need, got: scratch.len() });
    }
    let (mut cur, mut next) = scratch[..need].split_at_mut(need / 2);
    let x = &mut cur[..layers[0]];
    match model.standardize {
        Some(s) => {
            for (((x, &v), &mean), &std) in x.iter_mut().zip(input).zip(s.mean).zip(s.std) {
                let scale = if std > 0.0 { std } else { 1.0 };
                *x = F::from_f64((v.to_f64() - mean) / scale);
            }
        }
        None => x.copy_from_slice(input),
    }
    for l in 0..n_layers {
        let (w, b) = (model.weights[l], model.biases[l]);
        let a = &cur[..layers[l]];
        if l + 1 < n_layers {
            let z = &mut next[..layers[l + 1]];
            dense(w, b, a, z);
            match model.activation {
                Activation::Relu => z.iter_mut().for_each(|z| *z = relu(*z)),
                Activation::Tanh => z.iter_mut().for_each(|z| *z = z.tanh()),
            }
            core::mem::swap(&mut cur, &mut next);
        } else {
            dense(w, b, a, out);
            match model.output {
                Output::Sigmoid => out.iter_mut().for_each(|z| *z = sigmoid(*z)),
                Output::Softmax => softmax(out),
                Output::Linear => {}
            }
        }
    }
    Ok(())
}

/// [`predict`], then the class of the outputs ([`class_of`]).
///
/// # Errors
/// [`Error::NotClassifier`] for a linear output, then what [`predict`] returns.
pub fn predict_class<F: Float>(
    model: &Model<'_, F>,
    input: &[F],
    scratch: &mut [F],
    out: &mut [F],
) -> Result<usize, Error> {
    if !model.output.is_classifier() {
        return Err(Error::NotClassifier);
    }
    predict(model, input, scratch, out)?;
    Ok(class_of(model.output, out))
}

/// The class of a classifier's outputs, as descent decides it: sigmoid `p > 0.5` is class 1;
/// softmax the arg-max, the first of equal maxima. `0` for an empty slice or a linear output
/// (which has no classes).
#[must_use]
pub fn class_of<F: Float>(output: Output, out: &[F]) -> usize {
    match (output, out.first()) {
        (Output::Sigmoid, Some(&p)) => usize::from(p > F::HALF),
        (Output::Softmax, Some(_)) => {
            out.iter().enumerate().fold(0, |best, (i, &v)| if v > out[best] { i } else { best })
        }
        _ => 0,
    }
}

/// `Err` unless `got == expected`.
fn check(part: Part, expected: usize, got: usize) -> Result<(), Error> {
    if got == expected { Ok(()) } else { Err(Error::Length { part, expected, got }) }
}

/// `z = W·a + b`, `W` row-major `(z.len(), a.len())`; lengths checked by the caller.
fn dense<F: Float>(w: &[F], b: &[F], a: &[F], z: &mut [F]) {
    for ((z, row), &b) in z.iter_mut().zip(w.chunks_exact(a.len())).zip(b) {
        let mut acc = F::ZERO;
        for (&w, &a) in row.iter().zip(a) {
            acc = acc + w * a;
        }
        *z = acc + b;
    }
}

/// `z > 0 ? z : 0`.
fn relu<F: Float>(z: F) -> F {
    if z > F::ZERO { z } else { F::ZERO }
}

/// The logistic function without overflow, as descent computes its sigmoid output.
fn sigmoid<F: Float>(z: F) -> F {
    let e = (-z.abs()).exp();
    if z >= F::ZERO { F::ONE / (F::ONE + e) } else { e / (F::ONE + e) }
}

/// Softmax in place, shifted by the maximum (which skips NaN, as `f64::max` does).
fn softmax<F: Float>(z: &mut [F]) {
    let max = z.iter().fold(F::NEG_INFINITY, |m, &x| if x > m { x } else { m });
    let mut sum = F::ZERO;
    for z in z.iter_mut() {
        *z = (*z - max).exp();
        sum = sum + *z;
    }
    let inv = F::ONE / sum;
    z.iter_mut().for_each(|z| *z = *z * inv);
}
