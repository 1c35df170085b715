//! The training side of **descent**: the MLP, mini-batches, optimizers, learning-rate
//! schedules and the training loop, written once over any [`Backend`](descent_core::Backend).
//!
//! - [`Mlp`]: dense layers with ReLU or tanh, and a sigmoid, softmax or linear output, in the
//!   conventions of the course "Improving Deep Neural Networks" (`W_l` is (n_l, n_{l-1}),
//!   inputs are (features, examples), gradients are batch means);
//! - [`Batches`]: per-epoch shuffled mini-batches (SGD, mini-batch and batch GD alike);
//! - [`optim`]: gd, momentum, Adam, RMSProp, AdamW; [`schedule`]: learning-rate decay;
//! - [`Trainer`]: the loop, with per-epoch cost and accuracy and per-batch costs;
//! - [`DataSource`]: what the loop reads examples from: a [`Dataset`] in memory or any store
//!   that copies one example at a time (a memory-mapped file); [`FeatureStats`] and
//!   [`Standardized`] standardize a source in one streaming pass;
//! - [`RegularizationConfig`]: L2, inverted dropout and class weights
//!   ([`Trainer::with_regularization`]); [`Weighted`] adds sample weights to a source and
//!   [`balanced_class_weights`] computes scikit-learn's `balanced` weights;
//! - [`stopping`]: early stopping with the best epoch's parameters; [`schedule::Plateau`]:
//!   PyTorch's `ReduceLROnPlateau`; [`EpochControl`] runs both on a monitored value at every
//!   epoch boundary, and [`Controlled`] is a ready [`EpochHook`] with a validation set;
//! - [`datasets`]: moons, circles and spirals, generated from a seed;
//! - [`ResumeState`]: what an exact resume needs besides the parameters
//!   ([`Trainer::resume_state`], [`Trainer::restore`]); [`memory`]: a run's buffer sizes,
//!   checked against a limit before allocation;
//! - [`metrics`]: scikit-learn's classification and regression metrics, streamed over a
//!   data set ([`metrics::evaluate_metrics`]).
//!
//! # Example
//! The course's experiment on the moons data, on the ndarray backend:
//! ```
//! use descent_train::optim::{Adam, AdamConfig};
//! use descent_train::schedule::Constant;
//! use descent_train::{datasets, evaluate, Mlp, MlpConfig, Silent, TrainConfig, Trainer};
//! use descent_ndarray::Ndarray;
//!
//! # fn main() -> descent_core::Result<()> {
//! let data = datasets::moons(datasets::SyntheticConfig::default())?;
//! let mut mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course())?;
//! let config = TrainConfig { epochs: 100, ..TrainConfig::default() };
//! let adam = Adam::new(AdamConfig::default())?;
//! let mut trainer = Trainer::new(config, Box::new(adam), Box::new(Constant::new(0.0007)?))?;
//! let history = trainer.fit(&mut mlp, &data, &mut Silent)?;
//! assert_eq!(history.epochs.len(), 100);
//! let eval = evaluate(&mlp, &data)?;
//! assert!(eval.accuracy.unwrap() > 0.5);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod batches;
mod config;
mod control;
mod cost;
mod data;
pub mod datasets;
mod dropout;
mod evaluate;
mod feed;
pub mod memory;
pub mod metrics;
mod mlp;
mod model;
mod observe;
pub mod optim;
mod regularize;
mod resume;
pub mod schedule;
mod source;
pub mod stopping;
mod trainer;
mod weights;
mod workspace;

pub use batches::Batches;
pub use config::{EpochProgress, EpochStats, History, TrainConfig};
pub use control::{Controlled, EpochControl};
pub use data::Dataset;
pub use evaluate::{EVAL_CHUNK, Evaluation, evaluate, predict, predict_chunks};
pub use mlp::Mlp;
pub use model::{Activation, Init, MlpConfig, Output};
pub use observe::{Observer, Silent};
pub use regularize::RegularizationConfig;
pub use resume::{ResumeState, SavedOptimizer, SavedSlot};
pub use source::{DataSource, FeatureStats, Standardized};
pub use trainer::{EpochHook, Trainer};
pub use weights::{Weighted, balanced_class_weights};
pub use workspace::Workspace;
