//! Exact resume: the state besides the parameters that continuing a run needs, in plain `f64`
//! vectors, and how a [`Trainer`] hands it out and takes it back.
//!
//! What a run depends on besides the parameters:
//! - the optimizer's state: its step count `t` and buffers (velocities, moments);
//! - the epoch reached: the schedule's learning rate is a function of the epoch alone
//!   ([`Schedule::lr`](descent_core::Schedule::lr)), and so is the order of the examples:
//!   [`Batches`](crate::Batches) draws epoch `e`'s permutation from a generator seeded with
//!   `(seed, e)`, so the random state is the seed (in [`TrainConfig`](crate::TrainConfig))
//!   plus the epoch;
//! - with a hook that adapts the rate ([`EpochHook::learning_rate`](crate::EpochHook::learning_rate)),
//!   the hook's state: [`EpochControl`](crate::EpochControl)'s early-stopping and plateau
//!   states are plain structs ([`EarlyStoppingState`](crate::stopping::EarlyStoppingState),
//!   [`PlateauState`](crate::schedule::PlateauState)) for the caller to save beside this one;
//! - inside an epoch stopped early ([`Observer::should_stop`](crate::Observer::should_stop)),
//!   the batches done and the epoch's partial cost and accuracy ([`EpochProgress`]).
//!
//! Restoring these into a fresh [`Trainer`] built with the same settings and continuing gives
//! parameters bit-identical to an uninterrupted run (tested for every optimizer, schedule and
//! backend in `tests/it/resume.rs`).

use descent_core::{Backend, Error, OptimizerState, Result, Scalar, StateSlot};

use crate::{EpochProgress, Mlp, Trainer};

/// One optimizer state buffer in plain form.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedSlot {
    /// The buffer's role, e.g. `"v"` or `"s"`.
    pub name: String,
    /// The index of the parameter it belongs to (`W1, b1, W2, …` from 0).
    pub param: usize,
    /// Its shape `(rows, cols)`, the parameter's.
    pub shape: (usize, usize),
    /// Its elements, column-major, as `f64` (exact for `f32` and `f64` training).
    pub data: Vec<f64>,
}

/// An optimizer's state in plain form, with the optimizer's name.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedOptimizer {
    /// The optimizer's name, e.g. `"adam"` ([`Optimizer::name`](descent_core::Optimizer::name)).
    pub name: String,
    /// Updates applied so far (Adam's `t`).
    pub step: u64,
    /// The buffers, in the optimizer's order ([`Optimizer::state`](descent_core::Optimizer::state)).
    pub slots: Vec<SavedSlot>,
}

/// Everything besides the parameters and the settings that continuing a run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumeState {
    /// Complete epochs trained.
    pub epochs_done: usize,
    /// How far into the next epoch the run got.
    pub progress: EpochProgress,
    /// The optimizer's state.
    pub optimizer: SavedOptimizer,
}

impl SavedOptimizer {
    /// The plain form of an optimizer's state.
    #[must_use]
    pub fn from_state<T: Scalar>(name: &str, state: &OptimizerState<T>) -> Self {
        Self {
            name: name.to_owned(),
            step: state.step,
            slots: state
                .slots
                .iter()
                .map(|s| SavedSlot {
                    name: s.name.to_owned(),
                    param: s.param,
                    shape: s.shape,
                    data: s.data.iter().map(|x| x.to_f64()).collect(),
                })
                .collect(),
        }
    }
}

impl<T: Scalar, B: Backend<T>> Trainer<T, B> {
    /// The state to save with the parameters for an exact resume. Allocates (a copy of the
    /// optimizer's buffers).
    #[must_use]
    pub fn resume_state(&self) -> ResumeState {
        ResumeState {
            epochs_done: self.epochs_done,
            progress: self.progress,
            optimizer: SavedOptimizer::from_state(self.optimizer.name(), &self.optimizer.state()),
        }
    }

    /// Restores a state from [`resume_state`](Trainer::resume_state) into this trainer, whose
    /// optimizer must be of the same kind, for the network `mlp` (its parameters restored
    /// already). The next [`fit`](Trainer::fit) continues where the saved run stopped.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"resume"`) when the state belongs to another optimizer,
    /// its buffers do not match the network's parameters in name, order or shape, or a value
    /// is NaN or infinite. The epoch and position are unchanged then; the optimizer's state
    /// is reset to zeros (as by [`Optimizer::init`](descent_core::Optimizer::init)).
    pub fn restore(&mut self, mlp: &Mlp<T, B>, state: &ResumeState) -> Result<()> {
        let invalid = |reason: String| Error::InvalidArgument { op: "resume", reason };
        let saved = &state.optimizer;
        if saved.name != self.optimizer.name() {
            return Err(invalid(format!(
                "the saved state belongs to optimizer \"{}\", this run uses \"{}\"",
                saved.name,
                self.optimizer.name()
            )));
        }
        // The optimizer's own layout for these parameters: names, order and shapes.
        self.optimizer.init(mlp.params())?;
        let template = self.optimizer.state();
        if template.slots.len() != saved.slots.len() {
            return Err(invalid(format!(
                "{} keeps {} state buffers for this network, the saved state has {}",
                saved.name,
                template.slots.len(),
                saved.slots.len()
            )));
        }
        let mut slots = Vec::with_capacity(template.slots.len());
        for (want, got) in template.slots.iter().zip(&saved.slots) {
            if want.name != got.name || want.param != got.param || want.shape != got.shape {
                return Err(invalid(format!(
                    "saved state buffer \"{}\" of parameter {} with shape {:?} where {} expects \
                     \"{}\" of parameter {} with shape {:?}",
                    got.name, got.param, got.shape, saved.name, want.name, want.param, want.shape
                )));
            }
            if got.data.len() != want.data.len() {
                return Err(invalid(format!(
                    "saved state buffer \"{}\" of parameter {} has {} values, its shape needs {}",
                    got.name,
                    got.param,
                    got.data.len(),
                    want.data.len()
                )));
            }
            if let Some(i) = got.data.iter().position(|x| !x.is_finite()) {
                return Err(invalid(format!(
                    "saved state buffer \"{}\" of parameter {} holds {} at element {i}",
                    got.name, got.param, got.data[i]
                )));
            }
            slots.push(StateSlot {
                name: want.name,
                param: want.param,
                shape: want.shape,
                data: got.data.iter().map(|&x| T::from_f64(x)).collect(),
            });
        }
        self.optimizer.load_state(&OptimizerState { step: saved.step, slots })?;
        self.epochs_done = state.epochs_done;
        self.progress = state.progress;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimizerConfig;
    use crate::schedule::ScheduleConfig;
    use crate::{MlpConfig, TrainConfig};
    use descent_ndarray::Ndarray;

    fn trainer(optimizer: &OptimizerConfig) -> Trainer<f64, Ndarray> {
        let schedule = ScheduleConfig::Constant.build(0.01).unwrap();
        Trainer::new(TrainConfig::default(), optimizer.build().unwrap(), schedule).unwrap()
    }

    #[test]
    fn restore_rejects_another_optimizer_and_mismatched_buffers() {
        let mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course()).unwrap();
        let mut adam = trainer(&OptimizerConfig::from_name("adam").unwrap());
        adam.optimizer.init(mlp.params()).unwrap();
        let state = adam.resume_state();
        assert_eq!(state.optimizer.slots.len(), 2 * 6, "v and s of 6 parameters");

        let mut rmsprop = trainer(&OptimizerConfig::from_name("rmsprop").unwrap());
        let err = rmsprop.restore(&mlp, &state).unwrap_err();
        assert!(err.to_string().contains("belongs to optimizer \"adam\""), "{err}");

        let mut bad = state.clone();
        bad.optimizer.slots.swap(0, 1);
        let err = adam.restore(&mlp, &bad).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "resume", .. }), "{err}");

        let mut bad = state.clone();
        bad.optimizer.slots[3].data[0] = f64::NAN;
        assert!(adam.restore(&mlp, &bad).is_err());

        let mut bad = state;
        bad.optimizer.slots.pop();
        assert!(adam.restore(&mlp, &bad).is_err());
    }
}
