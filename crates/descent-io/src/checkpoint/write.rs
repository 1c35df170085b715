//! Writing checkpoints: the model's tensors and metadata, the optimizer's buffers and the
//! checkpoint entries, checked first, written atomically.

use std::collections::HashMap;
use std::path::Path;

use super::control::col_major;
use super::{
    CHECKPOINT_VERSION, Checkpoint, DataFingerprint, LAST_PREFIX, optimizer_entries,
    schedule_entries, slot_tensor,
};
use crate::atomic::write_atomic;
use crate::error::{IoError, Result};
use crate::model::{Dtype, RawTensor, encode_with, le_bytes, param_name, param_shapes};

/// Writes a checkpoint atomically ([`write_atomic`]): a reader, or a crash at any moment,
/// sees either the old file or the whole new one.
///
/// # Errors
/// Before anything is written: what [`save_model`](crate::save_model) rejects about the
/// model, and [`IoError::Model`] when the optimizer state does not belong to the optimizer
/// in the settings or does not fit the network, a value is NaN or infinite, or a setting's
/// key is not made of letters, digits, `_` and `-`. Then what [`write_atomic`] returns.
pub fn save_checkpoint(path: impl AsRef<Path>, checkpoint: &Checkpoint) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode_checkpoint(path, checkpoint)?;
    write_atomic(path, &bytes)
}

/// The bytes of a checkpoint file.
pub(crate) fn encode_checkpoint(path: &Path, c: &Checkpoint) -> Result<Vec<u8>> {
    let bad = |reason: String| IoError::Model { path: path.to_path_buf(), reason };
    let saved = &c.resume.optimizer;
    if saved.name != c.training.optimizer.name() {
        return Err(bad(format!(
            "the optimizer state belongs to \"{}\" but the settings name \"{}\"",
            saved.name,
            c.training.optimizer.name()
        )));
    }
    let shapes = param_shapes(&c.model.layers);
    let per_param = c.training.optimizer.state_buffers();
    if saved.slots.len() != per_param * shapes.len() {
        return Err(bad(format!(
            "{} keeps {per_param} buffers for each of {} parameters, the state has {}",
            saved.name,
            shapes.len(),
            saved.slots.len()
        )));
    }
    let slot_names: Vec<&str> =
        saved.slots.iter().take(per_param).map(|s| s.name.as_str()).collect();
    let mut tensors: Vec<RawTensor> = Vec::with_capacity(saved.slots.len());
    for (idx, slot) in saved.slots.iter().enumerate() {
        let (param, name) = (idx / per_param.max(1), slot_names[idx % per_param.max(1)]);
        let (rows, cols) = shapes[param];
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if slot.param != param || slot.name != name || !valid_name {
            return Err(bad(format!(
                "optimizer buffer {idx} is \"{}\" of parameter {}, expected \"{name}\" of \
                 parameter {param}",
                slot.name, slot.param
            )));
        }
        if slot.shape != (rows, cols) || slot.data.len() != rows * cols {
            return Err(bad(format!(
                "optimizer buffer \"{name}\" of parameter {param} has shape {:?} and {} values; \
                 the parameter is ({rows}, {cols})",
                slot.shape,
                slot.data.len()
            )));
        }
        let fits = |x: f64| match c.model.dtype {
            Dtype::F32 => (x as f32).is_finite(),
            Dtype::F64 => x.is_finite(),
        };
        if let Some(i) = slot.data.iter().position(|&x| !fits(x)) {
            return Err(IoError::NotFinite {
                path: path.to_path_buf(),
                what: format!("optimizer buffer `{}`, element {i}", slot_tensor(name, param)),
                value: slot.data[i],
            });
        }
        // Column-major in memory, row-major in the file.
        let row_major: Vec<f64> =
            (0..rows * cols).map(|k| slot.data[(k % cols) * rows + k / cols]).collect();
        tensors.push((
            slot_tensor(name, param),
            vec![rows, cols],
            le_bytes(c.model.dtype, &row_major),
        ));
    }
    tensors.extend(control_tensors(path, c)?);
    let progress = &c.resume.progress;
    if !progress.cost_sum.is_finite() {
        return Err(IoError::NotFinite {
            path: path.to_path_buf(),
            what: "the epoch's partial cost".into(),
            value: progress.cost_sum,
        });
    }
    let t = &c.training;
    let f = |x: f64| format!("{x:?}");
    let mut meta: HashMap<String, String> = HashMap::from([
        // Version 2 only for what version 1 could not hold: older files stay byte-identical.
        (
            "checkpoint".into(),
            if c.control.is_empty() { 1 } else { CHECKPOINT_VERSION }.to_string(),
        ),
        ("optimizer".into(), saved.name.clone()),
        ("optimizer.step".into(), saved.step.to_string()),
        ("optimizer.slots".into(), slot_names.join(",")),
        ("lr".into(), f(t.lr)),
        ("schedule".into(), t.schedule.name().into()),
        ("epochs_done".into(), c.resume.epochs_done.to_string()),
        ("batches_done".into(), progress.batches.to_string()),
        ("epoch_cost_sum".into(), f(progress.cost_sum)),
        ("epoch_correct".into(), progress.correct.to_string()),
        ("batch_size".into(), t.batch_size.to_string()),
        ("shuffle".into(), t.shuffle.to_string()),
        ("seed".into(), t.seed.to_string()),
        ("init".into(), init_name(t.init).into()),
        ("init_seed".into(), t.init_seed.to_string()),
    ]);
    if let Some(clip) = t.clip_norm {
        meta.insert("clip_norm".into(), f(clip));
    }
    for (key, value) in optimizer_entries(&t.optimizer) {
        meta.insert(format!("optimizer.{key}"), value);
    }
    for (key, value) in schedule_entries(&t.schedule) {
        meta.insert(format!("schedule.{key}"), value);
    }
    let DataFingerprint { n_examples, n_features, n_targets, xxh3 } = c.data;
    meta.insert("data.examples".into(), n_examples.to_string());
    meta.insert("data.features".into(), n_features.to_string());
    meta.insert("data.targets".into(), n_targets.to_string());
    meta.insert("data.xxh3".into(), format!("{xxh3:016x}"));
    meta.extend(c.control.entries());
    for (key, value) in &c.settings {
        if key.is_empty()
            || !key.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
        {
            return Err(bad(format!(
                "setting `{key}`: a key is made of letters, digits, `_` and `-`"
            )));
        }
        meta.insert(format!("setting.{key}"), value.clone());
    }
    encode_with(path, &c.model, tensors, meta)
}

/// The tensors `last.W1`, … of the control state, checked against the early-stopping state
/// and the model: present exactly when early stopping holds a best epoch, whose parameters are
/// the model's.
fn control_tensors(path: &Path, c: &Checkpoint) -> Result<Vec<RawTensor>> {
    let bad = |reason: &str| IoError::Model { path: path.to_path_buf(), reason: reason.into() };
    let state = &c.control;
    let best = state.early_stopping.as_ref().filter(|e| e.best_epoch.is_some());
    let (Some(early), Some(last)) = (best, &state.last_params) else {
        if best.is_some() || state.last_params.is_some() {
            return Err(bad("the last epoch's parameters are stored exactly when early stopping \
                 holds a best epoch"));
        }
        return Ok(Vec::new());
    };
    if early.best_params != col_major(&c.model.layers, &c.model.params) {
        return Err(bad("early stopping's best parameters are not the model's"));
    }
    let shapes = param_shapes(&c.model.layers);
    if last.len() != shapes.len() {
        return Err(bad("the last epoch's parameters do not fit the network"));
    }
    let mut tensors = Vec::with_capacity(shapes.len());
    for (k, (values, &(rows, cols))) in last.iter().zip(&shapes).enumerate() {
        let name = format!("{LAST_PREFIX}{}", param_name(k));
        if values.len() != rows * cols {
            return Err(bad(&format!(
                "`{name}` has {} values, expected {}",
                values.len(),
                rows * cols
            )));
        }
        if let Some(i) = values.iter().position(|x| !x.is_finite()) {
            return Err(IoError::NotFinite {
                path: path.to_path_buf(),
                what: format!("tensor `{name}`, element {i}"),
                value: values[i],
            });
        }
        tensors.push((name, vec![rows, cols], le_bytes(c.model.dtype, values)));
    }
    Ok(tensors)
}

/// The name of an initialization in the metadata.
pub(crate) fn init_name(init: descent_train::Init) -> &'static str {
    match init {
        descent_train::Init::He => "he",
        descent_train::Init::Xavier => "xavier",
    }
}
