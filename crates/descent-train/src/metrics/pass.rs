//! One pass of a network over a data set that computes the cost, the accuracy and every
//! metric of [`Metrics`] together.

use std::ops::ControlFlow;

use descent_core::{Backend, Result, Scalar};

use super::{ClassificationAccumulator, ClassificationMetrics};
use super::{RegressionAccumulator, RegressionMetrics};
use crate::evaluate::for_each_chunk;
use crate::{DataSource, Evaluation, Mlp, Output};

/// The metrics of a classifier or of a regression.
#[derive(Debug, Clone, PartialEq)]
pub enum Metrics {
    /// A sigmoid (two classes) or softmax output.
    Classification(ClassificationMetrics),
    /// A linear output.
    Regression(RegressionMetrics),
}

/// What a pass accumulates.
enum Accumulator<T> {
    Classification(ClassificationAccumulator<T>),
    Regression(RegressionAccumulator),
}

/// Evaluates `mlp` on every example of `data`, as [`evaluate`](crate::evaluate), and computes
/// its [`Metrics`] in the same pass. The log loss clips at `T::EPSILON` (scikit-learn clips
/// at the epsilon of the probabilities' dtype). Memory: the buffers of one chunk, and for a
/// classifier the scores ROC-AUC needs (one `T` per example for two classes, one per class
/// and example for more).
///
/// # Errors
/// [`descent_core::Error::InvalidArgument`] when the data does not fit the network.
pub fn evaluate_metrics<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    data: &(impl DataSource<T> + ?Sized),
) -> Result<(Evaluation, Metrics)> {
    let layers = mlp.layers();
    let n_out = layers[layers.len() - 1];
    let output = mlp.output();
    let mut acc = match output {
        Output::Linear => Accumulator::Regression(RegressionAccumulator::new(n_out)),
        Output::Sigmoid => {
            Accumulator::Classification(ClassificationAccumulator::new(2, T::EPSILON.to_f64()))
        }
        Output::Softmax => {
            Accumulator::Classification(ClassificationAccumulator::new(n_out, T::EPSILON.to_f64()))
        }
    };
    if let Accumulator::Classification(a) = &mut acc {
        a.reserve(data.n_examples());
    }
    let (mut cost, mut correct) = (0.0_f64, 0_usize);
    let (mut target, mut prediction) = (vec![0.0; n_out], vec![0.0; n_out]);
    for_each_chunk(mlp, data, |ws, y| {
        cost += mlp.cost_sum(ws, y)?.to_f64();
        correct += mlp.count_correct(ws, y)?;
        let out = ws.output();
        for c in 0..B::shape(out).1 {
            let (p, t) = (B::col(out, c), B::col(y, c));
            match &mut acc {
                Accumulator::Classification(a) => a.add(true_class(output, t), p),
                Accumulator::Regression(a) => {
                    target.iter_mut().zip(t).for_each(|(o, v)| *o = v.to_f64());
                    prediction.iter_mut().zip(p).for_each(|(o, v)| *o = v.to_f64());
                    a.add(&target, &prediction);
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let m = data.n_examples();
    let evaluation = Evaluation {
        cost: cost / m as f64,
        accuracy: output.is_classifier().then(|| correct as f64 / m as f64),
        n_examples: m,
    };
    let metrics = match acc {
        Accumulator::Classification(a) => Metrics::Classification(a.finish()),
        Accumulator::Regression(a) => Metrics::Regression(a.finish()),
    };
    Ok((evaluation, metrics))
}

/// The class of an encoded target column: a sigmoid's 0/1 label, or the one-hot index.
fn true_class<T: Scalar>(output: Output, encoded: &[T]) -> usize {
    match output {
        Output::Sigmoid => usize::from(encoded[0] == T::ONE),
        _ => encoded.iter().position(|&v| v == T::ONE).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use descent_ndarray::Ndarray;

    use super::*;
    use crate::{Activation, Dataset, Init, MlpConfig, evaluate, predict};

    fn mlp(output: Output, layers: Vec<usize>) -> Mlp<f64, Ndarray> {
        let config =
            MlpConfig { layers, hidden: Activation::Tanh, output, init: Init::He, seed: 3 };
        Mlp::new(&config).unwrap()
    }

    #[test]
    fn the_pass_agrees_with_evaluate_and_with_the_predictions() {
        let x: Vec<f64> = (0..40).map(|i| ((i * 37 % 17) as f64 - 8.0) / 4.0).collect();
        let labels: Vec<f64> = (0..20).map(|j| (j % 3) as f64).collect();
        let data = Dataset::new(2, x.clone(), 1, labels.clone()).unwrap();
        let net = mlp(Output::Softmax, vec![2, 4, 3]);
        let (evaluation, metrics) = evaluate_metrics(&net, &data).unwrap();
        assert_eq!(evaluation, evaluate(&net, &data).unwrap());
        let outputs = predict(&net, &data).unwrap();
        let mut expected = ClassificationAccumulator::new(3, f64::EPSILON);
        for (col, &label) in outputs.chunks(3).zip(&labels) {
            expected.add(label as usize, col);
        }
        let Metrics::Classification(m) = metrics else { panic!("a classifier") };
        assert_eq!(m, expected.finish());
        assert_eq!(Some(m.accuracy), evaluation.accuracy);
        assert!(m.roc_auc.is_some());

        let targets: Vec<f64> = (0..40).map(|i| (i % 7) as f64).collect();
        let data = Dataset::new(2, x, 2, targets.clone()).unwrap();
        let net = mlp(Output::Linear, vec![2, 3, 2]);
        let (evaluation, metrics) = evaluate_metrics(&net, &data).unwrap();
        let Metrics::Regression(r) = metrics else { panic!("a regression") };
        // The cost of a linear output is the MSE averaged over the outputs.
        assert!((RegressionMetrics::mean(&r.mse) - evaluation.cost).abs() < 1e-12);
        let mut expected = RegressionAccumulator::new(2);
        let outputs = predict(&net, &data).unwrap();
        for (y_hat, y) in outputs.chunks(2).zip(targets.chunks(2)) {
            expected.add(y, y_hat);
        }
        assert_eq!(r, expected.finish());
    }
}
