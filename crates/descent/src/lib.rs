//! **descent**: train dense neural networks with the classic optimization methods — batch,
//! stochastic and mini-batch gradient descent, momentum, Adam, RMSProp, AdamW, learning-rate
//! decay — on the dense-math backend of your choice.
//!
//! This facade re-exports [`descent_core`] (as [`core`] and at the root), [`descent_train`]
//! (as [`train`]) and the backends enabled by cargo features:
//!
//! | feature (default: all) | backend type | crate | library |
//! |---|---|---|---|
//! | `ndarray` | [`Ndarray`] | `descent-ndarray` | ndarray + matrixmultiply |
//! | `nalgebra` | [`Nalgebra`] | `descent-nalgebra` | nalgebra |
//! | `faer` | [`Faer`] | `descent-faer` | faer |
//!
//! An embedding crate picks one:
//! ```toml
//! [dependencies]
//! descent = { version = "0.1", default-features = false, features = ["faer"] }
//! ```
//!
//! # Example
//! ```
//! # #[cfg(feature = "ndarray")] {
//! use descent::train::optim::OptimizerConfig;
//! use descent::train::schedule::ScheduleConfig;
//! use descent::train::{datasets, evaluate, Mlp, MlpConfig, Silent, TrainConfig, Trainer};
//! use descent::Ndarray;
//!
//! let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
//! let mut mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
//! let optimizer = OptimizerConfig::Gd.build::<f64, Ndarray>().unwrap();
//! let schedule = ScheduleConfig::Constant.build(0.1).unwrap();
//! let config = TrainConfig { epochs: 50, ..TrainConfig::default() };
//! let mut trainer = Trainer::new(config, optimizer, schedule).unwrap();
//! trainer.fit(&mut mlp, &data, &mut Silent).unwrap();
//! println!("accuracy {:?}", evaluate(&mlp, &data).unwrap().accuracy);
//! # }
//! ```

#![warn(missing_docs)]

pub use descent_core as core;
pub use descent_core::{Backend, Error, Optimizer, Result, Scalar, Schedule, Trans};
pub use descent_train as train;
pub use threads::{MATMUL_THREADS_VAR, set_threads};

mod threads;

#[cfg(feature = "faer")]
pub use descent_faer::Faer;
#[cfg(feature = "nalgebra")]
pub use descent_nalgebra::Nalgebra;
#[cfg(feature = "ndarray")]
pub use descent_ndarray::Ndarray;

/// The names of the backends compiled into this build, in the order `ndarray`, `nalgebra`,
/// `faer`.
pub const BACKENDS: &[&str] = &[
    #[cfg(feature = "ndarray")]
    "ndarray",
    #[cfg(feature = "nalgebra")]
    "nalgebra",
    #[cfg(feature = "faer")]
    "faer",
];
