//! Reading checkpoints: the model, then the checkpoint entries and the optimizer's buffers,
//! each checked before use.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;

use descent_train::optim::{
    AdamConfig, AdamWConfig, MomentumConfig, OptimizerConfig, RmsPropConfig,
};
use descent_train::schedule::PlateauState;
use descent_train::schedule::ScheduleConfig;
use descent_train::stopping::EarlyStoppingState;
use descent_train::{EpochProgress, Init, ResumeState, SavedOptimizer, SavedSlot};
use safetensors::tensor::Dtype as StDtype;

use super::control::{ControlState, col_major};
use super::{
    CHECKPOINT_VERSION, Checkpoint, DataFingerprint, LAST_PREFIX, OPT_PREFIX, TrainingSettings,
    slot_tensor,
};
use crate::error::{IoError, Result};
use crate::model::{Dtype, ModelFile, decode_model, param_name, param_shapes, read_file};
use crate::npy::shape_str;

/// Reads a checkpoint written by [`save_checkpoint`](crate::save_checkpoint).
///
/// # Errors
/// What [`load_model`](crate::load_model) returns for the model part; [`IoError::Model`]
/// when the file is a plain model (no `checkpoint` entry), an entry is missing or malformed
/// (naming it), the version is newer than [`CHECKPOINT_VERSION`] or a setting is invalid;
/// [`IoError::Tensor`] for an optimizer buffer that is missing, unexpected, or of the wrong
/// shape or dtype; [`IoError::NotFinite`] for a NaN or infinite value.
pub fn load_checkpoint(path: impl AsRef<Path>) -> Result<Checkpoint> {
    let path = path.as_ref();
    let bytes = read_file(path)?;
    decode_checkpoint(path, &bytes)
}

/// Decodes the bytes of a checkpoint file; `path` is for messages.
pub(crate) fn decode_checkpoint(path: &Path, bytes: &[u8]) -> Result<Checkpoint> {
    let (model, st, meta) = decode_model(path, bytes)?;
    let m = Meta { path, meta: &meta };
    let version = m.get("checkpoint").map_err(|_| {
        m.bad("a model file, not a checkpoint: the metadata has no `checkpoint` entry".into())
    })?;
    match version.parse::<u32>() {
        Ok(v) if (1..=CHECKPOINT_VERSION).contains(&v) => {}
        Ok(v) if v > CHECKPOINT_VERSION => {
            return Err(m.bad(format!(
                "checkpoint version {v} is newer than this build reads (version \
                 {CHECKPOINT_VERSION}); update descent"
            )));
        }
        _ => {
            return Err(
                m.bad(format!("metadata `checkpoint` is `{version}`, not a version number"))
            );
        }
    }
    let optimizer = read_optimizer(&m)?;
    let lr: f64 = m.num("lr")?;
    let schedule = read_schedule(&m)?;
    schedule.build(lr).map_err(|error| IoError::Invalid { path: path.to_path_buf(), error })?;
    let clip_norm = match meta.get("clip_norm") {
        None => None,
        Some(_) => Some(m.num::<f64>("clip_norm")?),
    };
    let init = match m.get("init")? {
        "he" => Init::He,
        "xavier" => Init::Xavier,
        other => return Err(m.bad(format!("metadata `init` is `{other}`, not he or xavier"))),
    };
    let training = TrainingSettings {
        optimizer,
        lr,
        schedule,
        batch_size: m.num("batch_size")?,
        shuffle: m.num("shuffle")?,
        seed: m.num("seed")?,
        clip_norm,
        init,
        init_seed: m.num("init_seed")?,
    };
    training
        .train_config(1)
        .validate()
        .map_err(|error| IoError::Invalid { path: path.to_path_buf(), error })?;
    let progress = EpochProgress {
        batches: m.num("batches_done")?,
        cost_sum: m.num("epoch_cost_sum")?,
        correct: m.num("epoch_correct")?,
    };
    if !progress.cost_sum.is_finite() {
        return Err(IoError::NotFinite {
            path: path.to_path_buf(),
            what: "metadata `epoch_cost_sum`".into(),
            value: progress.cost_sum,
        });
    }
    let slots = read_slots(&m, &st, &model.layers, model.dtype, optimizer.state_buffers())?;
    let resume = ResumeState {
        epochs_done: m.num("epochs_done")?,
        progress,
        optimizer: SavedOptimizer {
            name: optimizer.name().to_owned(),
            step: m.num("optimizer.step")?,
            slots,
        },
    };
    let hash = m.get("data.xxh3")?;
    let data = DataFingerprint {
        n_examples: m.num("data.examples")?,
        n_features: m.num("data.features")?,
        n_targets: m.num("data.targets")?,
        xxh3: u64::from_str_radix(hash, 16)
            .ok()
            .filter(|_| hash.len() == 16)
            .ok_or_else(|| m.bad(format!("metadata `data.xxh3` is `{hash}`, not 16 hex digits")))?,
    };
    let settings: BTreeMap<String, String> = meta
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("setting.")?.to_owned(), v.clone())))
        .collect();
    let control = read_control(&m, &st, &model)?;
    Ok(Checkpoint { model, training, resume, data, settings, control })
}

/// The metadata with the file's path, for messages.
pub(super) struct Meta<'a> {
    pub(super) path: &'a Path,
    pub(super) meta: &'a HashMap<String, String>,
}

impl Meta<'_> {
    pub(super) fn bad(&self, reason: String) -> IoError {
        IoError::Model { path: self.path.to_path_buf(), reason }
    }

    pub(super) fn get(&self, key: &str) -> Result<&str> {
        self.meta
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| self.bad(format!("the checkpoint's metadata has no `{key}` entry")))
    }

    /// An entry parsed as a number (or `true`/`false`).
    pub(super) fn num<T: FromStr>(&self, key: &str) -> Result<T> {
        let text = self.get(key)?;
        text.parse().map_err(|_| {
            self.bad(format!(
                "metadata `{key}` is `{text}`, not a valid {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// The optimizer and its hyper-parameters, validated.
fn read_optimizer(m: &Meta<'_>) -> Result<OptimizerConfig> {
    let config = match m.get("optimizer")? {
        "gd" => OptimizerConfig::Gd,
        "momentum" => OptimizerConfig::Momentum(MomentumConfig {
            beta: m.num("optimizer.beta")?,
            nesterov: m.num("optimizer.nesterov")?,
        }),
        "adam" => OptimizerConfig::Adam(AdamConfig {
            beta1: m.num("optimizer.beta1")?,
            beta2: m.num("optimizer.beta2")?,
            epsilon: m.num("optimizer.epsilon")?,
        }),
        "rmsprop" => OptimizerConfig::RmsProp(RmsPropConfig {
            beta: m.num("optimizer.beta")?,
            epsilon: m.num("optimizer.epsilon")?,
        }),
        "adamw" => OptimizerConfig::AdamW(AdamWConfig {
            beta1: m.num("optimizer.beta1")?,
            beta2: m.num("optimizer.beta2")?,
            epsilon: m.num("optimizer.epsilon")?,
            weight_decay: m.num("optimizer.weight_decay")?,
        }),
        other => {
            return Err(m.bad(format!(
                "metadata `optimizer` is `{other}`, not one of {}",
                OptimizerConfig::NAMES.join(", ")
            )));
        }
    };
    config.validate().map_err(|error| IoError::Invalid { path: m.path.to_path_buf(), error })?;
    Ok(config)
}

/// The schedule and its settings (validated with `lr0` by the caller).
fn read_schedule(m: &Meta<'_>) -> Result<ScheduleConfig> {
    Ok(match m.get("schedule")? {
        "none" => ScheduleConfig::Constant,
        "inverse-time" => ScheduleConfig::InverseTime { rate: m.num("schedule.rate")? },
        "scheduled" => ScheduleConfig::Scheduled {
            rate: m.num("schedule.rate")?,
            interval: m.num("schedule.interval")?,
        },
        "exponential" => ScheduleConfig::Exponential {
            rate: m.num("schedule.rate")?,
            interval: m.num("schedule.interval")?,
        },
        "step" => ScheduleConfig::Step {
            rate: m.num("schedule.rate")?,
            interval: m.num("schedule.interval")?,
        },
        "cosine" => ScheduleConfig::Cosine {
            lr_min: m.num("schedule.lr_min")?,
            epochs: m.num("schedule.epochs")?,
        },
        other => {
            return Err(m.bad(format!(
                "metadata `schedule` is `{other}`, not one of {}",
                ScheduleConfig::NAMES.join(", ")
            )));
        }
    })
}

/// The optimizer buffers `opt.<slot>.<param>`: for every parameter, the slots named in
/// `optimizer.slots`, in that order; no other `opt.*` tensor.
fn read_slots(
    m: &Meta<'_>,
    st: &safetensors::SafeTensors<'_>,
    layers: &[usize],
    dtype: Dtype,
    per_param: usize,
) -> Result<Vec<SavedSlot>> {
    let tensor_err = |tensor: &str, reason: String| IoError::Tensor {
        path: m.path.to_path_buf(),
        tensor: tensor.to_owned(),
        reason,
    };
    let list = m.get("optimizer.slots")?;
    let names: Vec<&str> = if list.is_empty() { Vec::new() } else { list.split(',').collect() };
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    if names.len() != per_param || unique.len() != names.len() {
        return Err(m.bad(format!(
            "metadata `optimizer.slots` is `{list}`; the optimizer keeps {per_param} distinct \
             buffers per parameter"
        )));
    }
    let shapes = param_shapes(layers);
    let mut expected = Vec::with_capacity(per_param * shapes.len());
    let mut slots = Vec::with_capacity(per_param * shapes.len());
    for (param, &(rows, cols)) in shapes.iter().enumerate() {
        for &name in &names {
            let tensor = slot_tensor(name, param);
            let row_major = read_tensor(m, st, &tensor, (rows, cols), dtype)?;
            let col_major =
                (0..rows * cols).map(|k| row_major[(k % rows) * cols + k / rows]).collect();
            slots.push(SavedSlot {
                name: name.to_owned(),
                param,
                shape: (rows, cols),
                data: col_major,
            });
            expected.push(tensor);
        }
    }
    if let Some(extra) = st
        .names()
        .into_iter()
        .find(|n| n.starts_with(OPT_PREFIX) && !expected.iter().any(|e| e == *n))
    {
        return Err(tensor_err(
            extra,
            format!("unexpected optimizer buffer: the optimizer keeps only `{list}` per parameter"),
        ));
    }
    Ok(slots)
}

/// The tensor `tensor` of shape `(rows, cols)` (or `(rows,)` when `cols` is 1) and the
/// parameters' `dtype`, row-major, every value finite.
pub(super) fn read_tensor(
    m: &Meta<'_>,
    st: &safetensors::SafeTensors<'_>,
    tensor: &str,
    (rows, cols): (usize, usize),
    dtype: Dtype,
) -> Result<Vec<f64>> {
    let tensor_err = |reason: String| IoError::Tensor {
        path: m.path.to_path_buf(),
        tensor: tensor.to_owned(),
        reason,
    };
    let view = st.tensor(tensor).map_err(|_| tensor_err("missing from the checkpoint".into()))?;
    let want = match dtype {
        Dtype::F32 => StDtype::F32,
        Dtype::F64 => StDtype::F64,
    };
    if view.dtype() != want {
        return Err(tensor_err(format!(
            "dtype {:?}, expected the parameters' {want:?}",
            view.dtype()
        )));
    }
    if view.shape() != [rows, cols] && !(cols == 1 && view.shape() == [rows]) {
        return Err(tensor_err(format!(
            "shape {}, expected ({rows}, {cols})",
            shape_str(view.shape())
        )));
    }
    let data = view.data();
    let row_major: Vec<f64> = match dtype {
        Dtype::F32 => {
            data.as_chunks::<4>().0.iter().map(|c| f64::from(f32::from_le_bytes(*c))).collect()
        }
        Dtype::F64 => data.as_chunks::<8>().0.iter().map(|c| f64::from_le_bytes(*c)).collect(),
    };
    if let Some(i) = row_major.iter().position(|x| !x.is_finite()) {
        return Err(IoError::NotFinite {
            path: m.path.to_path_buf(),
            what: format!("tensor `{tensor}`, element ({}, {})", i / cols, i % cols),
            value: row_major[i],
        });
    }
    Ok(row_major)
}

/// The control state of a checkpoint being read: the `early_stopping.*` and `plateau.*`
/// entries (each group all or nothing) and the `last.*` tensors, which must be present exactly
/// when early stopping has a best epoch.
fn read_control(
    m: &Meta<'_>,
    st: &safetensors::SafeTensors<'_>,
    model: &ModelFile,
) -> Result<ControlState> {
    let has = |key: &str| m.meta.contains_key(key);
    let early_stopping = if has("early_stopping.bad_epochs") || has("early_stopping.best") {
        let best_epoch = match has("early_stopping.best_epoch") {
            true => Some(m.num::<usize>("early_stopping.best_epoch")?),
            false => None,
        };
        let best_params = match best_epoch {
            Some(_) => col_major(&model.layers, &model.params),
            None => Vec::new(),
        };
        let best: f64 = m.num("early_stopping.best")?;
        if best.is_nan() {
            return Err(m.bad("metadata `early_stopping.best` is NaN".into()));
        }
        Some(EarlyStoppingState {
            best,
            best_epoch,
            bad_epochs: m.num("early_stopping.bad_epochs")?,
            best_params,
        })
    } else {
        None
    };
    let plateau = if has("plateau.lr") || has("plateau.best") {
        let state = PlateauState {
            best: m.num("plateau.best")?,
            num_bad_epochs: m.num("plateau.num_bad_epochs")?,
            cooldown_counter: m.num("plateau.cooldown_counter")?,
            lr: m.num("plateau.lr")?,
        };
        if state.best.is_nan() || !(state.lr >= 0.0 && state.lr.is_finite()) {
            return Err(m.bad(format!(
                "the plateau state has best {} and lr {}; expected a number and a finite \
                 non-negative rate",
                state.best, state.lr
            )));
        }
        Some(state)
    } else {
        None
    };
    let with_best = early_stopping.as_ref().is_some_and(|e| e.best_epoch.is_some());
    let shapes = param_shapes(&model.layers);
    let names: Vec<String> =
        (0..shapes.len()).map(|k| format!("{LAST_PREFIX}{}", param_name(k))).collect();
    if let Some(extra) = st
        .names()
        .into_iter()
        .find(|n| n.starts_with(LAST_PREFIX) && (!with_best || !names.iter().any(|e| e == *n)))
    {
        return Err(IoError::Tensor {
            path: m.path.to_path_buf(),
            tensor: extra.to_owned(),
            reason: "unexpected: the last epoch's parameters are stored only beside early \
                     stopping's best epoch, as last.W1, last.b1, …"
                .into(),
        });
    }
    let last_params = match with_best {
        false => None,
        true => Some(
            names
                .iter()
                .zip(&shapes)
                .map(|(name, &shape)| read_tensor(m, st, name, shape, model.dtype))
                .collect::<Result<Vec<_>>>()?,
        ),
    };
    Ok(ControlState { early_stopping, plateau, last_params })
}
