//! One training step — forward, cost, backward, Adam — with every buffer allocated up front.

use descent_core::{Backend, Optimizer, Result, Scalar};
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::{Mlp, MlpConfig, Workspace, datasets};

use crate::seeded_matrix;

/// The course's learning rate for Adam on the moons data.
pub const LR: f64 = 0.0007;

/// A network and the batch it trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepCase {
    /// The benchmark id, e.g. `course_2-5-2-1_b64`.
    pub name: &'static str,
    /// Layer widths from input to output (ReLU hidden layers, one sigmoid output).
    pub layers: &'static [usize],
    /// Examples per batch.
    pub batch: usize,
}

/// The course network on the first 64 examples of the built-in moons data.
pub const COURSE: StepCase =
    StepCase { name: "course_2-5-2-1_b64", layers: &[2, 5, 2, 1], batch: 64 };

/// The course network on one example: the `sgd` workload's step.
pub const SGD: StepCase = StepCase { name: "sgd_2-5-2-1_b1", layers: &[2, 5, 2, 1], batch: 1 };

/// The `deep-narrow` workload's step: four hidden layers of 64 on a batch of 32 seeded
/// examples of 32 features.
pub const DEEP_NARROW: StepCase = StepCase {
    name: "deep-narrow_32-64-64-64-64-1_b32",
    layers: &[32, 64, 64, 64, 64, 1],
    batch: 32,
};

/// A wide network on 256 seeded examples of 784 features (an MNIST-sized input), labelled by
/// the sign of their feature sum.
pub const WIDE: StepCase =
    StepCase { name: "wide_784-1024-1024-1_b256", layers: &[784, 1024, 1024, 1], batch: 256 };

impl StepCase {
    /// The network's settings: the course's (He initialization, seed 3) with these widths.
    #[must_use]
    pub fn mlp_config(&self) -> MlpConfig {
        MlpConfig { layers: self.layers.to_vec(), ..MlpConfig::course() }
    }
}

/// Everything one training step needs, allocated by [`Step::new`]; [`Step::run`] allocates
/// nothing.
pub struct Step<T: Scalar, B: Backend<T>> {
    mlp: Mlp<T, B>,
    ws: Workspace<T, B>,
    x: B::Matrix,
    y: B::Matrix,
    grads: Vec<B::Matrix>,
    optimizer: Box<dyn Optimizer<T, B>>,
    lr: T,
}

impl<T: Scalar, B: Backend<T>> std::fmt::Debug for Step<T, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Step")
            .field("layers", &self.mlp.layers())
            .field("batch", &self.ws.n_examples())
            .finish()
    }
}

impl<T: Scalar, B: Backend<T>> Step<T, B> {
    /// The network of `case` with fresh weights, its batch, gradients and an Adam optimizer
    /// with the defaults of [`AdamConfig`] and learning rate [`LR`].
    ///
    /// # Errors
    /// When the network or optimizer cannot be built (not for the cases of this module).
    pub fn new(case: &StepCase) -> Result<Self> {
        let mlp = Mlp::<T, B>::new(&case.mlp_config())?;
        let n = case.batch;
        let mut y = B::zeros(1, n);
        let x = if case.layers[0] == 2 {
            let data = datasets::moons(datasets::SyntheticConfig::default())?.cast::<T>();
            let mut x = B::zeros(2, n);
            for j in 0..n {
                B::col_mut(&mut x, j).copy_from_slice(data.example(j));
                mlp.encode_target(data.target(j), B::col_mut(&mut y, j))?;
            }
            x
        } else {
            let x = seeded_matrix::<T, B>(case.layers[0], n, 7);
            for j in 0..n {
                let sum = B::col(&x, j).iter().fold(0.0, |acc, v| acc + v.to_f64());
                B::col_mut(&mut y, j)[0] = if sum > 0.0 { T::ONE } else { T::ZERO };
            }
            x
        };
        let grads = mlp.zeros_like_params();
        let mut optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>()?;
        optimizer.init(mlp.params())?;
        let ws = Workspace::new(case.layers, n);
        Ok(Self { mlp, ws, x, y, grads, optimizer, lr: T::from_f64(LR) })
    }

    /// One step: forward, cost, backward, Adam update. Returns the batch's mean cost before
    /// the update.
    ///
    /// # Errors
    /// Only what the backend's ops report (not for the cases of this module).
    pub fn run(&mut self) -> Result<T> {
        self.mlp.forward(&self.x, &mut self.ws)?;
        let cost = self.mlp.cost_sum(&self.ws, &self.y)?;
        self.mlp.backward(&self.x, &self.y, &mut self.ws, &mut self.grads)?;
        self.optimizer.step(self.mlp.params_mut(), &self.grads, self.lr)?;
        Ok(cost / T::from_usize(self.ws.n_examples()))
    }

    /// The network (its parameters move with every step).
    #[must_use]
    pub fn mlp(&self) -> &Mlp<T, B> {
        &self.mlp
    }
}
