//! Tests of the checkpoint file: round trip, reproducible bytes, a model reader reads it, and
//! each way a checkpoint can be wrong.

use std::collections::BTreeMap;

use descent_ndarray::Ndarray;
use descent_train::optim::OptimizerConfig;
use descent_train::schedule::ScheduleConfig;
use descent_train::{MlpConfig, Silent, datasets};

use super::*;
use crate::test_util::TempFile;
use crate::{load_model, save_model};

fn settings(optimizer: OptimizerConfig, schedule: ScheduleConfig) -> TrainingSettings {
    TrainingSettings {
        optimizer,
        lr: 0.01,
        schedule,
        batch_size: 32,
        shuffle: true,
        seed: 11,
        clip_norm: Some(2.5),
        init: Init::He,
        init_seed: 4,
    }
}

/// A checkpoint of `epochs` epochs of training on 300 moons (f32 or f64 in the file).
fn trained(optimizer: OptimizerConfig, dtype: Dtype, epochs: usize) -> Checkpoint {
    let data = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    let training = settings(optimizer, ScheduleConfig::Scheduled { rate: 1.0, interval: 2 });
    let mlp_config = MlpConfig { layers: vec![2, 4, 1], seed: 4, ..MlpConfig::course() };
    let mut mlp = Mlp::<f64, Ndarray>::new(&mlp_config).unwrap();
    let mut trainer = Trainer::new(
        training.train_config(epochs),
        training.optimizer.build().unwrap(),
        training.schedule.build(training.lr).unwrap(),
    )
    .unwrap();
    trainer.fit(&mut mlp, &data, &mut Silent).unwrap();
    let extra = BTreeMap::from([("backend".to_owned(), "ndarray".to_owned())]);
    Checkpoint::capture(&mlp, &trainer, dtype, None, training, DataFingerprint::of(&data), extra)
}

#[test]
fn round_trips_for_every_optimizer_and_is_read_as_a_model() {
    for optimizer in OptimizerConfig::all_defaults() {
        let checkpoint = trained(optimizer, Dtype::F64, 2);
        let file = TempFile::new("safetensors");
        save_checkpoint(file.path(), &checkpoint).unwrap();
        assert_eq!(load_checkpoint(file.path()).unwrap(), checkpoint, "{}", optimizer.name());
        assert_eq!(load_model(file.path()).unwrap(), checkpoint.model);
        assert_eq!(crate::load_parameters(file.path()).unwrap().params, checkpoint.model.params);
    }
}

#[test]
fn the_same_run_writes_the_same_bytes() {
    let (a, b) = (TempFile::new("safetensors"), TempFile::new("safetensors"));
    save_checkpoint(a.path(), &trained(OptimizerConfig::default(), Dtype::F32, 2)).unwrap();
    save_checkpoint(b.path(), &trained(OptimizerConfig::default(), Dtype::F32, 2)).unwrap();
    let (a, b) = (std::fs::read(a.path()).unwrap(), std::fs::read(b.path()).unwrap());
    assert_eq!(a, b);
    // The header is canonical: sorted keys, so hash-map order does not leak into the file.
    let n = u64::from_le_bytes(a[..8].try_into().unwrap()) as usize;
    let header = std::str::from_utf8(&a[8..8 + n]).unwrap();
    let pos = |key: &str| header.find(&format!("\"{key}\"")).unwrap();
    assert!(
        pos("W1") < pos("b1")
            && pos("__metadata__") < pos("b1")
            && pos("opt.s.W1") < pos("opt.v.W1")
    );
    assert!(pos("batch_size") < pos("checkpoint") && pos("checkpoint") < pos("seed"));
    // A model file too, whatever the order of insertion into its metadata map.
    let model = trained(OptimizerConfig::Gd, Dtype::F64, 1).model;
    let (c, d) = (TempFile::new("safetensors"), TempFile::new("safetensors"));
    save_model(c.path(), &model).unwrap();
    save_model(d.path(), &model).unwrap();
    assert_eq!(std::fs::read(c.path()).unwrap(), std::fs::read(d.path()).unwrap());
}

#[test]
fn a_plain_model_is_not_a_checkpoint_and_other_data_is_refused() {
    let checkpoint = trained(OptimizerConfig::default(), Dtype::F32, 1);
    let file = TempFile::new("safetensors");
    save_model(file.path(), &checkpoint.model).unwrap();
    let err = load_checkpoint(file.path()).unwrap_err().to_string();
    assert!(err.contains("a model file, not a checkpoint"), "{err}");

    let other = datasets::circles(datasets::SyntheticConfig::default()).unwrap();
    let err = checkpoint.check_data(file.path(), &DataFingerprint::of(&other)).unwrap_err();
    assert!(matches!(err, IoError::DataMismatch { .. }));
    let text = err.to_string();
    assert!(
        text.contains("was trained on 300 examples of 2 features and 1 target (xxh3 "),
        "{text}"
    );
    let moons = datasets::moons(datasets::SyntheticConfig::default()).unwrap();
    checkpoint.check_data(file.path(), &DataFingerprint::of(&moons)).unwrap();
    // The same values in f32 hash differently from f64 ones only if a value changes.
    assert_eq!(DataFingerprint::of(&moons), DataFingerprint::of(&moons.cast::<f64>()));
}

/// The bytes of `checkpoint` after `edit` changes its metadata and tensors.
fn edited(
    checkpoint: &Checkpoint,
    edit: impl FnOnce(&mut HashMap<String, String>, &mut Vec<RawTensor>),
) -> Vec<u8> {
    let bytes = write::encode_checkpoint(Path::new("x"), checkpoint).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut meta =
        safetensors::SafeTensors::read_metadata(&bytes).unwrap().1.metadata().clone().unwrap();
    let mut tensors: Vec<RawTensor> = st
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec(), view.data().to_vec()))
        .collect();
    edit(&mut meta, &mut tensors);
    let dtype = st.tensor("W1").unwrap().dtype();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .map(|(n, s, d)| {
            (n.clone(), safetensors::tensor::TensorView::new(dtype, s.clone(), d).unwrap())
        })
        .collect();
    safetensors::serialize(views, Some(meta)).unwrap()
}

use crate::model::RawTensor;
use std::collections::HashMap;

#[test]
fn each_bad_entry_or_buffer_is_named() {
    let checkpoint = trained(OptimizerConfig::default(), Dtype::F64, 1);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no `optimizer.step` entry", edited(&checkpoint, |m, _| drop(m.remove("optimizer.step")))),
        ("`lr` is `fast`", edited(&checkpoint, |m, _| drop(m.insert("lr".into(), "fast".into())))),
        (
            "`optimizer` is `sgd`",
            edited(&checkpoint, |m, _| drop(m.insert("optimizer".into(), "sgd".into()))),
        ),
        (
            "beta1 must be in [0, 1)",
            edited(&checkpoint, |m, _| drop(m.insert("optimizer.beta1".into(), "1.5".into()))),
        ),
        (
            "version 9 is newer",
            edited(&checkpoint, |m, _| drop(m.insert("checkpoint".into(), "9".into()))),
        ),
        (
            "batch size must be at least 1",
            edited(&checkpoint, |m, _| drop(m.insert("batch_size".into(), "0".into()))),
        ),
        (
            "`data.xxh3` is `12`",
            edited(&checkpoint, |m, _| drop(m.insert("data.xxh3".into(), "12".into()))),
        ),
        ("`opt.s.b1`: missing", edited(&checkpoint, |_, t| t.retain(|x| x.0 != "opt.s.b1"))),
        (
            "`opt.x.W1`: unexpected optimizer buffer",
            edited(&checkpoint, |_, t| {
                let w1 = t.iter().find(|x| x.0 == "W1").unwrap().clone();
                t.push(("opt.x.W1".into(), w1.1, w1.2));
            }),
        ),
        (
            "`opt.v.W2`: shape (4,), expected (1, 4)",
            edited(&checkpoint, |_, t| {
                t.iter_mut().find(|x| x.0 == "opt.v.W2").unwrap().1 = vec![4];
            }),
        ),
        (
            "`optimizer.slots` is `v`",
            edited(&checkpoint, |m, _| drop(m.insert("optimizer.slots".into(), "v".into()))),
        ),
    ];
    for (expected, bytes) in cases {
        let err =
            read::decode_checkpoint(Path::new("ckpt.safetensors"), &bytes).unwrap_err().to_string();
        assert!(err.starts_with("ckpt.safetensors"), "{err}");
        assert!(err.contains(expected), "expected `{expected}` in: {err}");
    }
}

#[test]
fn a_state_of_another_optimizer_is_not_written() {
    let mut checkpoint = trained(OptimizerConfig::default(), Dtype::F64, 1);
    checkpoint.training.optimizer = OptimizerConfig::Gd;
    let file = TempFile::new("safetensors");
    let err = save_checkpoint(file.path(), &checkpoint).unwrap_err().to_string();
    assert!(err.contains("belongs to \"adam\" but the settings name \"gd\""), "{err}");
    assert!(!file.path().exists());
}

#[test]
fn the_model_s_table_encoding_travels_in_the_checkpoint() {
    let file = TempFile::with_bytes("csv", b"x1,x2,y\n0.5,1,no\n-1,2,yes\n");
    let table = crate::read_table(file.path()).unwrap();
    let encoding =
        crate::TableEncoding::fit(&table, &[0, 1], &crate::ColumnOptions::default()).unwrap();
    let mut checkpoint = trained(OptimizerConfig::all_defaults()[0], Dtype::F64, 1);
    checkpoint.model = checkpoint.model.with_encoding(encoding);
    let out = TempFile::new("safetensors");
    save_checkpoint(out.path(), &checkpoint).unwrap();
    assert_eq!(load_checkpoint(out.path()).unwrap(), checkpoint);
    assert!(load_model(out.path()).unwrap().encoding.is_some());
}

#[test]
fn early_stopping_and_plateau_state_round_trip_with_the_best_epoch_as_the_model() {
    use descent_train::EpochControl;
    use descent_train::schedule::{Plateau, PlateauConfig};
    use descent_train::stopping::{EarlyStopping, EarlyStoppingConfig, Metric};

    let plain = trained(OptimizerConfig::default(), Dtype::F64, 2);
    let best: Mlp<f64, Ndarray> = plain.model.to_mlp().unwrap();
    let mut early = EarlyStopping::new(EarlyStoppingConfig::default()).unwrap();
    early.update(1, 0.5, &best);
    let mut plateau = Plateau::new(PlateauConfig::default(), 0.01).unwrap();
    plateau.step(0.5);
    let control = EpochControl::new(Metric::Cost, Some(early), Some(plateau), false).unwrap();
    // The network trained on after the best epoch: other parameters than the model's.
    let later = trained(OptimizerConfig::default(), Dtype::F64, 3);
    let mut checkpoint = later.clone().with_control(&control);
    checkpoint.model.params.clone_from(&plain.model.params);
    assert_eq!(checkpoint.control.last_params.as_ref(), Some(&later.model.params));
    let file = TempFile::new("safetensors");
    save_checkpoint(file.path(), &checkpoint).unwrap();
    let read = load_checkpoint(file.path()).unwrap();
    assert_eq!(read, checkpoint);
    assert_eq!(load_model(file.path()).unwrap().params, plain.model.params, "eval sees the best");
    let resumed: Mlp<f64, Ndarray> = read.resume_mlp().unwrap();
    let last: Mlp<f64, Ndarray> = later.model.to_mlp().unwrap();
    assert_eq!(resumed.params(), last.params(), "training resumes from the last epoch");
    let header = std::fs::read(file.path()).unwrap();
    assert!(header.windows(16).any(|w| w == b"\"checkpoint\":\"2\""));
    // Without control state the file is version 1, as before.
    save_checkpoint(file.path(), &later).unwrap();
    let header = std::fs::read(file.path()).unwrap();
    assert!(header.windows(16).any(|w| w == b"\"checkpoint\":\"1\""));
    // Best parameters that are not the model's are refused before anything is written.
    let mut wrong = checkpoint.clone();
    wrong.model.params[0][0] += 1.0;
    let err = save_checkpoint(file.path(), &wrong).unwrap_err().to_string();
    assert!(err.contains("best parameters"), "{err}");
}
