//! A few training steps against recorded answers: parameters after training runs computed by
//! an independent numpy implementation written the way the course's `opt_utils` writes it
//! (`fixtures/course_numpy.py` in this crate, values in `numpy_fixture.rs`).
//!
//! 4 epochs of no-shuffle mini-batches of 5, 5 and 2 examples with scheduled decay, every
//! optimizer, a ReLU/sigmoid network ([2, 5, 2, 1]) and a tanh/softmax one ([2, 4, 3]): every
//! op of a training step, composed as descent-train composes them.

use descent_core::Backend;
use descent_train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Activation, Dataset, Init, Mlp, MlpConfig, Output, Silent, TrainConfig, Trainer,
};

use crate::numpy_fixture as fx;
use crate::tolerance::Dtype;

/// (name, optimizer, lr0) as in the script's `LR0`.
fn runs() -> [(&'static str, OptimizerConfig, f64); 5] {
    [
        ("gd", OptimizerConfig::Gd, 0.1),
        ("momentum", OptimizerConfig::Momentum(MomentumConfig { beta: 0.9, nesterov: false }), 0.1),
        (
            "adam",
            OptimizerConfig::Adam(AdamConfig { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }),
            0.01,
        ),
        ("rmsprop", OptimizerConfig::RmsProp(RmsPropConfig { beta: 0.9, epsilon: 1e-8 }), 0.01),
        (
            "adamw",
            OptimizerConfig::AdamW(AdamWConfig {
                beta1: 0.9,
                beta2: 0.999,
                epsilon: 1e-8,
                weight_decay: 0.01,
            }),
            0.01,
        ),
    ]
}

struct Net {
    config: MlpConfig,
    labels: &'static [f64],
    init: Vec<&'static [f64]>,
    expected: fn(&str) -> Vec<&'static [f64]>,
}

fn course() -> Net {
    Net {
        config: MlpConfig {
            layers: vec![2, 5, 2, 1],
            hidden: Activation::Relu,
            output: Output::Sigmoid,
            init: Init::He,
            seed: 0,
        },
        labels: fx::LABELS_BINARY,
        init: vec![fx::COURSE_INIT_W1, fx::COURSE_INIT_W2, fx::COURSE_INIT_W3],
        expected: |opt| match opt {
            "gd" => vec![
                fx::COURSE_GD_W1,
                fx::COURSE_GD_B1,
                fx::COURSE_GD_W2,
                fx::COURSE_GD_B2,
                fx::COURSE_GD_W3,
                fx::COURSE_GD_B3,
            ],
            "momentum" => vec![
                fx::COURSE_MOMENTUM_W1,
                fx::COURSE_MOMENTUM_B1,
                fx::COURSE_MOMENTUM_W2,
                fx::COURSE_MOMENTUM_B2,
                fx::COURSE_MOMENTUM_W3,
                fx::COURSE_MOMENTUM_B3,
            ],
            "adam" => vec![
                fx::COURSE_ADAM_W1,
                fx::COURSE_ADAM_B1,
                fx::COURSE_ADAM_W2,
                fx::COURSE_ADAM_B2,
                fx::COURSE_ADAM_W3,
                fx::COURSE_ADAM_B3,
            ],
            "rmsprop" => vec![
                fx::COURSE_RMSPROP_W1,
                fx::COURSE_RMSPROP_B1,
                fx::COURSE_RMSPROP_W2,
                fx::COURSE_RMSPROP_B2,
                fx::COURSE_RMSPROP_W3,
                fx::COURSE_RMSPROP_B3,
            ],
            _ => vec![
                fx::COURSE_ADAMW_W1,
                fx::COURSE_ADAMW_B1,
                fx::COURSE_ADAMW_W2,
                fx::COURSE_ADAMW_B2,
                fx::COURSE_ADAMW_W3,
                fx::COURSE_ADAMW_B3,
            ],
        },
    }
}

fn softmax() -> Net {
    Net {
        config: MlpConfig {
            layers: vec![2, 4, 3],
            hidden: Activation::Tanh,
            output: Output::Softmax,
            init: Init::He,
            seed: 0,
        },
        labels: fx::LABELS_3,
        init: vec![fx::SOFTMAX_INIT_W1, fx::SOFTMAX_INIT_W2],
        expected: |opt| match opt {
            "gd" => {
                vec![fx::SOFTMAX_GD_W1, fx::SOFTMAX_GD_B1, fx::SOFTMAX_GD_W2, fx::SOFTMAX_GD_B2]
            }
            "momentum" => vec![
                fx::SOFTMAX_MOMENTUM_W1,
                fx::SOFTMAX_MOMENTUM_B1,
                fx::SOFTMAX_MOMENTUM_W2,
                fx::SOFTMAX_MOMENTUM_B2,
            ],
            "adam" => vec![
                fx::SOFTMAX_ADAM_W1,
                fx::SOFTMAX_ADAM_B1,
                fx::SOFTMAX_ADAM_W2,
                fx::SOFTMAX_ADAM_B2,
            ],
            "rmsprop" => vec![
                fx::SOFTMAX_RMSPROP_W1,
                fx::SOFTMAX_RMSPROP_B1,
                fx::SOFTMAX_RMSPROP_W2,
                fx::SOFTMAX_RMSPROP_B2,
            ],
            _ => vec![
                fx::SOFTMAX_ADAMW_W1,
                fx::SOFTMAX_ADAMW_B1,
                fx::SOFTMAX_ADAMW_W2,
                fx::SOFTMAX_ADAMW_B2,
            ],
        },
    }
}

/// Largest |ours - numpy| over the largest |numpy|, across all runs of `net`.
fn max_relative_error<T: Dtype, B: Backend<T>>(net: &Net) -> f64 {
    let cast = |v: &[f64]| v.iter().map(|&x| T::from_f64(x)).collect::<Vec<T>>();
    let data = Dataset::new(2, cast(fx::FEATURES_COL_MAJOR), 1, cast(net.labels)).unwrap();
    let mut worst = 0.0_f64;
    for (name, optimizer, lr0) in runs() {
        let mut params = Vec::new();
        for (l, w) in net.config.layers.windows(2).enumerate() {
            params.push(B::from_row_major(w[1], w[0], &cast(net.init[l])).unwrap());
            params.push(B::zeros(w[1], 1));
        }
        let mut mlp = Mlp::<T, B>::from_params(&net.config, params).unwrap();
        let config =
            TrainConfig { epochs: 4, batch_size: 5, shuffle: false, ..TrainConfig::default() };
        let schedule = ScheduleConfig::Scheduled { rate: 1.0, interval: 2 }.build(lr0).unwrap();
        let mut trainer =
            Trainer::new(config, optimizer.build::<T, B>().unwrap(), schedule).unwrap();
        trainer.fit(&mut mlp, &data, &mut Silent).unwrap();
        for (ours, expected) in mlp.params().iter().zip((net.expected)(name)) {
            let ours = B::to_row_major(ours);
            let scale = expected.iter().fold(0.0_f64, |m, x| m.max(x.abs())).max(1e-3);
            for (a, b) in ours.iter().zip(expected) {
                worst = worst.max((a.to_f64() - b).abs() / scale);
            }
        }
    }
    worst
}

/// Both networks, every optimizer: the parameters after training differ from numpy's by less
/// than [`Dtype::TRAINING`] relative to each parameter's largest magnitude.
pub fn training_matches_numpy<T: Dtype, B: Backend<T>>() {
    for (net_name, net) in [("course", course()), ("softmax", softmax())] {
        let err = max_relative_error::<T, B>(&net);
        assert!(
            err < T::TRAINING,
            "{} {}: training the {net_name} network for 4 epochs ended {err:e} (relative) away \
             from numpy's parameters, more than {:e}",
            B::NAME,
            T::DTYPE,
            T::TRAINING,
        );
    }
}
