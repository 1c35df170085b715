//! What a checkpoint keeps of the epoch-boundary control ([`EpochControl`]): early stopping's
//! and the plateau schedule's state, and — when early stopping keeps a best epoch — the
//! parameters after the last epoch, which training resumes from while the file's model holds
//! the best epoch's.
//!
//! | key or tensor | example | meaning |
//! |---|---|---|
//! | `early_stopping.best` | `0.3127` | the best monitored value (`inf`/`-inf` before any improved) |
//! | `early_stopping.best_epoch` | `41` | its epoch, from 0 (absent before any improved) |
//! | `early_stopping.bad_epochs` | `3` | epochs since the last improvement |
//! | `plateau.best`, `plateau.num_bad_epochs`, `plateau.cooldown_counter`, `plateau.lr` | `0.01` | PyTorch `ReduceLROnPlateau`'s state |
//! | tensors `last.W1`, `last.b1`, … | | the parameters after the last epoch trained (only with a best epoch: `W1`, … are the best epoch's) |
//!
//! A file with any of these is checkpoint version 2; without them the file is exactly what
//! version 1 wrote. The best epoch's parameters are not stored twice: they are the model's.

use std::collections::HashMap;

use descent_core::{Backend, Scalar};
use descent_train::EpochControl;
use descent_train::schedule::PlateauState;
use descent_train::stopping::EarlyStoppingState;

use super::Checkpoint;
use crate::model::param_shapes;

/// The state of early stopping and of the plateau schedule at an epoch boundary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ControlState {
    /// Early stopping's state (its `best_params`, column-major, are the model's parameters
    /// when it has a best epoch); `None` when early stopping was off.
    pub early_stopping: Option<EarlyStoppingState>,
    /// The plateau schedule's state; `None` when it was off.
    pub plateau: Option<PlateauState>,
    /// The parameters after the last epoch trained, row-major like
    /// [`ModelFile::params`](crate::ModelFile::params), when the model holds the best epoch's
    /// instead: training resumes from these.
    pub last_params: Option<Vec<Vec<f64>>>,
}

impl ControlState {
    /// Whether there is nothing to store (the file is then a version-1 checkpoint).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.early_stopping.is_none() && self.plateau.is_none() && self.last_params.is_none()
    }

    /// The metadata entries of the state.
    pub(crate) fn entries(&self) -> HashMap<String, String> {
        let f = |x: f64| format!("{x:?}");
        let mut meta = HashMap::new();
        if let Some(e) = &self.early_stopping {
            meta.insert("early_stopping.best".into(), f(e.best));
            meta.insert("early_stopping.bad_epochs".into(), e.bad_epochs.to_string());
            if let Some(epoch) = e.best_epoch {
                meta.insert("early_stopping.best_epoch".into(), epoch.to_string());
            }
        }
        if let Some(p) = &self.plateau {
            meta.insert("plateau.best".into(), f(p.best));
            meta.insert("plateau.num_bad_epochs".into(), p.num_bad_epochs.to_string());
            meta.insert("plateau.cooldown_counter".into(), p.cooldown_counter.to_string());
            meta.insert("plateau.lr".into(), f(p.lr));
        }
        meta
    }
}

impl Checkpoint {
    /// The checkpoint with `control`'s state: the plateau's, and early stopping's — whose best
    /// epoch's parameters become the model (what `eval` and `predict` use), the network as
    /// captured being kept as the parameters training resumes from.
    #[must_use]
    pub fn with_control(mut self, control: &EpochControl) -> Self {
        self.control.plateau = control.plateau().map(|p| *p.state());
        self.control.early_stopping = control.early_stopping().map(|e| e.state().clone());
        if let Some(state) = &self.control.early_stopping
            && state.best_epoch.is_some()
        {
            let best = row_major(&self.model.layers, &state.best_params);
            self.control.last_params = Some(std::mem::replace(&mut self.model.params, best));
        }
        self
    }

    /// The network training continues from: the last epoch's parameters (which differ from the
    /// model's when early stopping restored a best epoch).
    ///
    /// # Errors
    /// When the parameters do not fit the network (op `"resume"`).
    pub fn resume_mlp<T: Scalar, B: Backend<T>>(
        &self,
    ) -> descent_core::Result<descent_train::Mlp<T, B>> {
        match &self.control.last_params {
            None => self.model.to_mlp(),
            Some(last) => {
                let mut model = self.model.clone();
                model.params.clone_from(last);
                model.to_mlp()
            }
        }
    }
}

/// Column-major parameters (as [`EarlyStoppingState::best_params`]) row-major, the layout of
/// model files.
pub(crate) fn row_major(layers: &[usize], col_major: &[Vec<f64>]) -> Vec<Vec<f64>> {
    param_shapes(layers)
        .into_iter()
        .zip(col_major)
        .map(|((rows, cols), p)| {
            (0..rows * cols).map(|k| p[(k % cols) * rows + k / cols]).collect()
        })
        .collect()
}

/// Row-major parameters column-major.
pub(crate) fn col_major(layers: &[usize], row_major: &[Vec<f64>]) -> Vec<Vec<f64>> {
    param_shapes(layers)
        .into_iter()
        .zip(row_major)
        .map(|((rows, cols), p)| {
            (0..rows * cols).map(|k| p[(k % rows) * cols + k / rows]).collect()
        })
        .collect()
}
