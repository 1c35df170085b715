//! `predict` against descent-train's forward pass (`Mlp` on the ndarray backend and
//! `descent_train::predict`) on the same parameters, for every activation × output × dtype,
//! with and without standardization.

use descent_core::{Backend, Scalar};
use descent_infer::{Float, Model, Standardize};
use descent_ndarray::Ndarray;
use descent_train::{Activation, Dataset, FeatureStats, Mlp, MlpConfig, Output};

/// Relative tolerances per dtype, as descent promises for exported models.
const TOL_F32: f64 = 1e-5;
const TOL_F64: f64 = 1e-12;

/// Examples per case.
const N_EXAMPLES: usize = 200;

/// SplitMix64: a seeded stream of uniform numbers in [-1, 1).
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// The relative error of one output: `|got − want| / |want|` for a probability (0 when
/// equal); `|got − want| / max(|want|, 1)` for a linear output, whose values near 0 are the
/// difference of larger terms (a regression output of 1e-9 cannot agree to 1e-5 relative
/// when its terms are summed in another order).
pub fn rel(output_is_linear: bool, got: f64, want: f64) -> f64 {
    let scale = if output_is_linear { want.abs().max(1.0) } else { want.abs() };
    if got == want { 0.0 } else { (got - want).abs() / scale }
}

/// One case: random parameters of `layers` (rounded to `T`), examples whose features are
/// exactly `T` values, both forward passes; returns the worst relative error.
fn case<T: Scalar + Float>(
    layers: &[usize],
    activation: Activation,
    output: Output,
    standardize: bool,
    seed: u64,
) -> f64
where
    Ndarray: Backend<T>,
{
    let mut s = Stream(seed);
    let round = |x: f64| <T as Scalar>::to_f64(<T as Scalar>::from_f64(x));
    // Weights of a trained network's size: uniform in ±1.5/√fan-in, biases in ±0.5.
    let params: Vec<Vec<T>> = layers
        .windows(2)
        .flat_map(|w| [(w[0] * w[1], 1.5 / (w[0] as f64).sqrt()), (w[1], 0.5)])
        .map(|(n, scale)| (0..n).map(|_| <T as Scalar>::from_f64(scale * s.next())).collect())
        .collect();
    let n_in = layers[0];
    let stats = standardize.then(|| FeatureStats {
        mean: (0..n_in).map(|_| 20.0 * s.next()).collect(),
        // One constant feature (std 0, divided by 1) among spreads in [0.5, 5.5].
        std: (0..n_in).map(|i| if i == 1 { 0.0 } else { 3.0 + 2.5 * s.next() }).collect(),
    });
    // Features whose z-scores lie in ±2.5, exactly representable in `T`.
    let x: Vec<f64> = (0..N_EXAMPLES * n_in)
        .map(|i| {
            let (mean, std) = stats.as_ref().map_or((0.0, 1.0), |st| {
                (st.mean[i % n_in], if st.std[i % n_in] > 0.0 { st.std[i % n_in] } else { 1.0 })
            });
            round(mean + std * 2.5 * s.next())
        })
        .collect();

    // descent: the network on ndarray, standardization as `descent predict` applies it.
    let config =
        MlpConfig { layers: layers.to_vec(), hidden: activation, output, ..MlpConfig::course() };
    let shapes = layers.windows(2).flat_map(|w| [(w[1], w[0]), (w[1], 1)]);
    let matrices = shapes
        .zip(&params)
        .map(|((r, c), v)| <Ndarray as Backend<T>>::from_row_major(r, c, v).unwrap());
    let mlp: Mlp<T, Ndarray> = Mlp::from_params(&config, matrices.collect()).unwrap();
    let mut z = x.clone();
    if let Some(stats) = &stats {
        z.chunks_mut(n_in).for_each(|e| stats.apply(e));
    }
    let z: Vec<T> = z.into_iter().map(<T as Scalar>::from_f64).collect();
    let n_out = layers[layers.len() - 1];
    let n_targets = if output == Output::Linear { n_out } else { 1 };
    let y = vec![<T as Scalar>::ZERO; n_targets * N_EXAMPLES];
    let data = Dataset::new(n_in, z, n_targets, y).unwrap();
    let want = descent_train::predict(&mlp, &data).unwrap();

    // descent-infer.
    let weights: Vec<&[T]> = params.iter().step_by(2).map(Vec::as_slice).collect();
    let biases: Vec<&[T]> = params.iter().skip(1).step_by(2).map(Vec::as_slice).collect();
    let model = Model {
        layers,
        weights: &weights,
        biases: &biases,
        activation: match activation {
            Activation::Relu => descent_infer::Activation::Relu,
            Activation::Tanh => descent_infer::Activation::Tanh,
        },
        output: match output {
            Output::Sigmoid => descent_infer::Output::Sigmoid,
            Output::Softmax => descent_infer::Output::Softmax,
            Output::Linear => descent_infer::Output::Linear,
        },
        standardize: stats.as_ref().map(|s| Standardize { mean: &s.mean, std: &s.std }),
    };
    let mut scratch = vec![<T as Scalar>::ZERO; model.scratch_len()];
    let mut out = vec![<T as Scalar>::ZERO; n_out];
    let mut worst = 0.0_f64;
    for (j, example) in x.chunks(n_in).enumerate() {
        let input: Vec<T> = example.iter().map(|&v| <T as Scalar>::from_f64(v)).collect();
        descent_infer::predict(&model, &input, &mut scratch, &mut out).unwrap();
        for (k, &got) in out.iter().enumerate() {
            let want = <T as Scalar>::to_f64(want[j * n_out + k]);
            worst = worst.max(rel(output == Output::Linear, <T as Scalar>::to_f64(got), want));
        }
        let class = descent_infer::class_of(model.output, &out);
        if output.is_classifier() {
            let want_col: Vec<f64> =
                (0..n_out).map(|k| <T as Scalar>::to_f64(want[j * n_out + k])).collect();
            let want_class = match output {
                Output::Sigmoid => usize::from(want_col[0] > 0.5),
                _ => (0..n_out).fold(0, |b, i| if want_col[i] > want_col[b] { i } else { b }),
            };
            // Only an output within rounding of a tie may pick another class.
            if class != want_class {
                let gap = match output {
                    Output::Sigmoid => (want_col[0] - 0.5).abs(),
                    _ => (want_col[class] - want_col[want_class]).abs(),
                };
                assert!(gap < 1e-6, "example {j}: class {class}, descent {want_class}");
            }
        }
    }
    worst
}

/// Every activation × output × standardization on a few shapes; the worst error.
fn all_cases<T: Scalar + Float>(tol: f64) -> f64
where
    Ndarray: Backend<T>,
{
    let mut worst = 0.0_f64;
    let shapes: [(&[usize], Output); 6] = [
        (&[3, 16, 17, 1], Output::Sigmoid),
        (&[2, 1, 1], Output::Sigmoid),
        (&[4, 15, 3], Output::Softmax),
        (&[5, 8, 8, 2], Output::Softmax),
        (&[3, 7, 2], Output::Linear),
        (&[6, 1], Output::Linear),
    ];
    for (i, (layers, output)) in shapes.into_iter().enumerate() {
        for activation in [Activation::Relu, Activation::Tanh] {
            for standardize in [false, true] {
                let e = case::<T>(layers, activation, output, standardize, 17 + i as u64);
                assert!(e <= tol, "{layers:?} {activation:?} {output:?} {standardize}: {e:e}");
                worst = worst.max(e);
            }
        }
    }
    worst
}

#[test]
fn f32_agrees_with_descent_train_within_1e_5_relative() {
    let worst = all_cases::<f32>(TOL_F32);
    eprintln!("f32: worst relative error {worst:.3e}");
}

#[test]
fn f64_agrees_with_descent_train_within_1e_12_relative() {
    let worst = all_cases::<f64>(TOL_F64);
    eprintln!("f64: worst relative error {worst:.3e}");
}
