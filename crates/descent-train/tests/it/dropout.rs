//! Inverted dropout: keep = 1 is bit-identical to no dropout; keep < 1 changes the run, is
//! reproducible run to run, agrees across backends (within 1e-9 in f64, masks being drawn
//! independently of the backend), and N + M epochs equal N epochs then M after a resume,
//! bit for bit, also after a stop mid-epoch.

use descent_core::{Backend, Scalar};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Activation, Mlp, MlpConfig, Observer, RegularizationConfig, Silent, TrainConfig, Trainer,
    datasets,
};

fn mlp_config(hidden: Activation) -> MlpConfig {
    MlpConfig { layers: vec![2, 16, 8, 1], hidden, seed: 4, ..MlpConfig::course() }
}

fn trainer<T: Scalar, B: Backend<T>>(keep_prob: Vec<f64>, epochs: usize) -> Trainer<T, B> {
    let config = TrainConfig { epochs, batch_size: 32, seed: 5, ..TrainConfig::default() };
    let adam = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>().unwrap();
    let schedule = ScheduleConfig::Constant.build(0.01).unwrap();
    let reg = RegularizationConfig { keep_prob, l2: 0.0, class_weights: None };
    Trainer::new(config, adam, schedule).unwrap().with_regularization(reg).unwrap()
}

fn params_f64<T: Scalar, B: Backend<T>>(mlp: &Mlp<T, B>) -> Vec<f64> {
    mlp.params().iter().flat_map(|p| B::to_col_major(p)).map(Scalar::to_f64).collect()
}

/// The parameters after `epochs` epochs with these keep probabilities.
fn train<B: Backend<f64>>(keep_prob: Vec<f64>, hidden: Activation, epochs: usize) -> Vec<f64> {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let mut mlp = Mlp::<f64, B>::new(&mlp_config(hidden)).unwrap();
    trainer::<f64, B>(keep_prob, epochs).fit(&mut mlp, &data, &mut Silent).unwrap();
    params_f64(&mlp)
}

#[test]
fn keep_one_is_the_run_without_dropout_bit_for_bit() {
    for hidden in [Activation::Relu, Activation::Tanh] {
        let none = train::<Ndarray>(vec![], hidden, 4);
        assert_eq!(train::<Ndarray>(vec![1.0], hidden, 4), none);
        assert_eq!(train::<Ndarray>(vec![1.0, 1.0], hidden, 4), none);
        assert_ne!(train::<Ndarray>(vec![0.8], hidden, 4), none, "keep 0.8 drops");
        assert_ne!(train::<Ndarray>(vec![1.0, 0.8], hidden, 4), none, "the second layer drops");
    }
}

#[test]
fn dropout_is_reproducible_and_agrees_across_backends() {
    for hidden in [Activation::Relu, Activation::Tanh] {
        let keep = vec![0.7, 0.9];
        let ndarray = train::<Ndarray>(keep.clone(), hidden, 5);
        assert_eq!(train::<Ndarray>(keep.clone(), hidden, 5), ndarray, "run to run");
        for other in [train::<Nalgebra>(keep.clone(), hidden, 5), train::<Faer>(keep, hidden, 5)] {
            let worst = ndarray
                .iter()
                .zip(&other)
                .map(|(a, b)| (a - b).abs() / a.abs().max(1e-3))
                .fold(0.0, f64::max);
            assert!(worst < 1e-9, "{hidden:?}: relative difference {worst:e}");
        }
    }
}

/// Stops after `after` batches (counted over the whole fit).
struct StopAfter(usize);

impl Observer for StopAfter {
    fn should_stop(&mut self) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 == 0
    }
}

fn resume_is_exact<B: Backend<f64>>() {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let config = mlp_config(Activation::Tanh);
    let keep = vec![0.6];
    let mut whole = Mlp::<f64, B>::new(&config).unwrap();
    trainer::<f64, B>(keep.clone(), 5).fit(&mut whole, &data, &mut Silent).unwrap();
    // 2 epochs and 3 batches of the third (10 batches per epoch), then the rest.
    let mut first = Mlp::<f64, B>::new(&config).unwrap();
    let mut t = trainer::<f64, B>(keep.clone(), 5);
    t.fit(&mut first, &data, &mut StopAfter(23)).unwrap();
    let state = t.resume_state();
    assert_eq!((state.epochs_done, state.progress.batches), (2, 3));
    let params = first
        .params()
        .iter()
        .map(|p| B::from_col_major(B::shape(p).0, B::shape(p).1, &B::to_col_major(p)).unwrap())
        .collect();
    let mut resumed = Mlp::<f64, B>::from_params(&config, params).unwrap();
    let mut t = trainer::<f64, B>(keep, 3);
    t.restore(&resumed, &state).unwrap();
    t.fit(&mut resumed, &data, &mut Silent).unwrap();
    let bits = |p: Vec<f64>| p.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(params_f64(&resumed)), bits(params_f64(&whole)), "{}", B::NAME);
}

#[test]
fn resume_with_dropout_is_bit_identical() {
    resume_is_exact::<Ndarray>();
    resume_is_exact::<Nalgebra>();
    resume_is_exact::<Faer>();
}
