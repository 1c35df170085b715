//! Writing the run's checkpoint to `--save`: the network and the trainer's state, with the
//! settings, standardization and data fingerprint the run resolved.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use descent::train::{EpochControl, FeatureStats, Mlp, Trainer};
use descent::{Backend, Scalar};
use descent_io::{Checkpoint, DataFingerprint, Dtype, TableEncoding, TrainingSettings};

/// What a run writes into its checkpoints besides the network and the trainer.
pub struct Saver<'a> {
    /// The `--save` file (`None`: nothing is written).
    pub path: Option<&'a Path>,
    /// The element type of the file's tensors.
    pub dtype: Dtype,
    /// The inputs' statistics.
    pub standardize: Option<&'a FeatureStats>,
    /// How a table's columns became the inputs and labels.
    pub encoding: Option<&'a TableEncoding>,
    /// The settings of an exact resume.
    pub training: TrainingSettings,
    /// The data trained on (computed only when a checkpoint is written or checked).
    pub data: Option<DataFingerprint>,
    /// The `setting.<flag>` entries.
    pub settings: &'a BTreeMap<String, String>,
    /// The epoch of the last checkpoint written by this run.
    pub last: Option<usize>,
}

impl Saver<'_> {
    /// Writes the checkpoint (atomically) when the run has a `--save` file: with `control`,
    /// its state, and the best epoch's parameters as the model (`mlp` being the parameters
    /// training continues from).
    pub fn save<T: Scalar, B: Backend<T>>(
        &mut self,
        mlp: &Mlp<T, B>,
        trainer: &Trainer<T, B>,
        control: Option<&EpochControl>,
    ) -> anyhow::Result<()> {
        let (Some(path), Some(data)) = (self.path, self.data) else { return Ok(()) };
        let mut checkpoint = Checkpoint::capture(
            mlp,
            trainer,
            self.dtype,
            self.standardize.cloned(),
            self.training.clone(),
            data,
            self.settings.clone(),
        );
        if let Some(control) = control {
            checkpoint = checkpoint.with_control(control);
        }
        checkpoint.model.encoding = self.encoding.cloned();
        descent_io::save_checkpoint(path, &checkpoint).context("--save")?;
        self.last = Some(trainer.epochs_done());
        Ok(())
    }

    /// What is on disk after a failure: the last checkpoint this run wrote, or nothing.
    pub fn kept(&self) -> String {
        match (self.path, self.last) {
            (Some(path), Some(epoch)) => format!(
                "the last checkpoint, written after {epoch} epochs, is kept in {}",
                path.display()
            ),
            _ => "no model was saved".into(),
        }
    }
}
