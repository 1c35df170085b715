//! Training that blows up stops with `Error::Diverged` naming epoch and batch, and keeps the
//! last good (finite) parameters.

use descent_core::{Backend, Error};
use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{
    Activation, Dataset, Init, Mlp, MlpConfig, Output, Silent, TrainConfig, Trainer,
};

type B = Ndarray;

#[test]
fn exploding_regression_stops_with_the_epoch_and_batch() {
    // y = 3x with a learning rate far too large: every gd step multiplies the error by about
    // -lr·2·x² ≈ -2e4, so the cost overflows f64 after a few dozen steps.
    let xs: Vec<f64> = (1..=8).map(f64::from).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 3.0 * x).collect();
    let data = Dataset::new(1, xs, 1, ys).unwrap();
    let config = MlpConfig {
        layers: vec![1, 1],
        hidden: Activation::Relu,
        output: Output::Linear,
        init: Init::He,
        seed: 5,
    };
    let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
    let train =
        TrainConfig { epochs: 1000, batch_size: 4, shuffle: false, ..TrainConfig::default() };
    let schedule = ScheduleConfig::Constant.build(500.0).unwrap();
    let mut trainer =
        Trainer::new(train, OptimizerConfig::Gd.build::<f64, B>().unwrap(), schedule).unwrap();
    let err = trainer.fit(&mut mlp, &data, &mut Silent).unwrap_err();
    println!("{err}");
    let Error::Diverged { epoch, batch, what } = err else {
        panic!("expected Diverged, got {err:?}")
    };
    assert!(epoch < 1000 && batch < 2, "epoch {epoch} batch {batch}");
    assert!(["cost", "gradient", "parameter"].contains(&what));
    if what != "parameter" {
        assert!(
            mlp.params().iter().all(<B as Backend<f64>>::all_finite),
            "last good parameters kept"
        );
    }
    assert_eq!(trainer.epochs_done(), epoch, "the diverged epoch is not counted as done");
}
