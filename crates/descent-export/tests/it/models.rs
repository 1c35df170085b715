//! Model files to export, made from seeded random parameters, and descent's own predictions
//! for them (`ModelFile::to_mlp` on the ndarray backend, `descent_train::predict`, the
//! standardization applied in f64 as `descent predict` applies it).

use descent_core::Scalar;
use descent_io::{Dtype, ModelFile};
use descent_ndarray::Ndarray;
use descent_train::{Activation, Dataset, FeatureStats, Mlp, Output};

/// SplitMix64: a seeded stream of uniform numbers in [-1, 1).
pub struct Stream(pub u64);

impl Stream {
    pub fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// A model of widths `layers` with parameters of a trained network's size (weights in
/// ±1.5/√fan-in, biases in ±0.5, rounded to the dtype), standardized when asked (means in
/// ±20, spreads in [0.5, 5.5], input 1 constant: std 0).
pub fn random_model(
    layers: &[usize],
    activation: Activation,
    output: Output,
    dtype: Dtype,
    standardize: bool,
    seed: u64,
) -> ModelFile {
    let mut s = Stream(seed);
    let round = |x: f64| match dtype {
        Dtype::F32 => f64::from(x as f32),
        Dtype::F64 => x,
    };
    let params = layers
        .windows(2)
        .flat_map(|w| [(w[0] * w[1], 1.5 / (w[0] as f64).sqrt()), (w[1], 0.5)])
        .map(|(n, scale)| (0..n).map(|_| round(scale * s.next())).collect())
        .collect();
    let n_in = layers[0];
    let standardize = standardize.then(|| FeatureStats {
        mean: (0..n_in).map(|_| 20.0 * s.next()).collect(),
        std: (0..n_in).map(|i| if i == 1 { 0.0 } else { 3.0 + 2.5 * s.next() }).collect(),
    });
    ModelFile {
        layers: layers.to_vec(),
        activation,
        output,
        dtype,
        params,
        standardize,
        encoding: None,
    }
}

/// `n` examples for `model` (row after row), exactly representable in its dtype, whose
/// z-scores lie in ±2.5.
pub fn inputs(model: &ModelFile, n: usize, seed: u64) -> Vec<f64> {
    let mut s = Stream(seed);
    let n_in = model.layers[0];
    (0..n * n_in)
        .map(|i| {
            let (mean, std) = model.standardize.as_ref().map_or((0.0, 1.0), |st| {
                let std = st.std[i % n_in];
                (st.mean[i % n_in], if std > 0.0 { std } else { 1.0 })
            });
            let x = mean + std * 2.5 * s.next();
            match model.dtype {
                Dtype::F32 => f64::from(x as f32),
                Dtype::F64 => x,
            }
        })
        .collect()
}

/// descent's outputs for `x` (row after row), one row of outputs per example, in f64.
pub fn descent_predictions(model: &ModelFile, x: &[f64]) -> Vec<f64> {
    match model.dtype {
        Dtype::F32 => predictions::<f32>(model, x),
        Dtype::F64 => predictions::<f64>(model, x),
    }
}

fn predictions<T: Scalar>(model: &ModelFile, x: &[f64]) -> Vec<f64>
where
    Ndarray: descent_core::Backend<T>,
{
    let mlp: Mlp<T, Ndarray> = model.to_mlp().unwrap();
    let n_in = model.layers[0];
    let mut z = x.to_vec();
    if let Some(stats) = &model.standardize {
        z.chunks_mut(n_in).for_each(|e| stats.apply(e));
    }
    let m = x.len() / n_in;
    let n_out = model.layers[model.layers.len() - 1];
    let n_targets = if model.output == Output::Linear { n_out } else { 1 };
    let z: Vec<T> = z.into_iter().map(T::from_f64).collect();
    let data = Dataset::new(n_in, z, n_targets, vec![T::ZERO; n_targets * m]).unwrap();
    descent_train::predict(&mlp, &data).unwrap().into_iter().map(T::to_f64).collect()
}

/// The relative error of one output: `|got − want| / |want|` for a probability (0 when
/// equal); `|got − want| / max(|want|, 1)` for a linear output, whose values near 0 are the
/// difference of larger terms summed in another order.
pub fn rel(output: Output, got: f64, want: f64) -> f64 {
    let scale = if output == Output::Linear { want.abs().max(1.0) } else { want.abs() };
    if got == want { 0.0 } else { (got - want).abs() / scale }
}

/// The class descent's CLI gives an output row (`class_of` of its `boundary.rs`).
pub fn class_of(output: Output, row: &[f64]) -> usize {
    match output {
        Output::Sigmoid => usize::from(row[0] > 0.5),
        _ => (0..row.len()).fold(0, |b, i| if row[i] > row[b] { i } else { b }),
    }
}
