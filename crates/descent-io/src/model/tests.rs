//! Tests of the model file: round trips, golden files from Python, and each way a file can be wrong.

use super::*;
use crate::test_util::TempFile;
use descent_ndarray::Ndarray;

/// The fixtures folder, with files written by `tests/fixtures/make_fixtures.py`.
fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The 2-3-1 network of the fixtures `model_f32.safetensors` and `descent_written.safetensors`.
fn written_model() -> ModelFile {
    ModelFile {
        layers: vec![2, 3, 1],
        activation: Activation::Relu,
        output: Output::Sigmoid,
        dtype: Dtype::F32,
        params: vec![
            vec![0.5, -1.0, 0.25, f64::from(0.1_f32), -2.0, 3.0],
            vec![0.0, 1.5, -0.5],
            vec![1.0, -0.75, 2.0],
            vec![0.125],
        ],
        standardize: Some(FeatureStats { mean: vec![0.5, -1.25], std: vec![2.0, 0.0] }),
        encoding: None,
    }
}

/// A 2-2-3 tanh/softmax network in float64.
fn softmax_model() -> ModelFile {
    ModelFile {
        layers: vec![2, 2, 3],
        activation: Activation::Tanh,
        output: Output::Softmax,
        dtype: Dtype::F64,
        params: vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![0.5, -0.5],
            vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            vec![1.0, 2.0, 3.0],
        ],
        standardize: Some(FeatureStats { mean: vec![0.5, -1.25], std: vec![2.0, 0.0] }),
        encoding: None,
    }
}

/// One tensor of a hand-made file: name, dtype, shape, values (written in that dtype).
type Spec<'a> = (&'a str, StDtype, Vec<usize>, Vec<f64>);

/// A safetensors file holding `tensors` and the string `meta`.
fn st_bytes(tensors: &[Spec<'_>], meta: &[(&str, &str)]) -> Vec<u8> {
    let data: Vec<Vec<u8>> = tensors
        .iter()
        .map(|(_, dtype, _, values)| match dtype {
            StDtype::F32 => values.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect(),
            StDtype::F64 => values.iter().flat_map(|&x| x.to_le_bytes()).collect(),
            StDtype::I32 => values.iter().flat_map(|&x| (x as i32).to_le_bytes()).collect(),
            _ => values.iter().flat_map(|&x| (x as u16).to_le_bytes()).collect(),
        })
        .collect();
    let views: Vec<(&str, TensorView<'_>)> = tensors
        .iter()
        .zip(&data)
        .map(|((name, dtype, shape, _), bytes)| {
            (*name, TensorView::new(*dtype, shape.clone(), bytes).unwrap())
        })
        .collect();
    let meta: HashMap<String, String> =
        meta.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    safetensors::serialize(views, (!meta.is_empty()).then_some(meta)).unwrap()
}

/// The tensors of `written_model` with the given changes.
fn specs<'a>() -> Vec<Spec<'a>> {
    let m = written_model();
    vec![
        ("W1", StDtype::F32, vec![3, 2], m.params[0].clone()),
        ("b1", StDtype::F32, vec![3, 1], m.params[1].clone()),
        ("W2", StDtype::F32, vec![1, 3], m.params[2].clone()),
        ("b2", StDtype::F32, vec![1, 1], m.params[3].clone()),
    ]
}

const META: &[(&str, &str)] = &[
    ("format", "descent-mlp"),
    ("version", "1"),
    ("layers", "2,3,1"),
    ("activation", "relu"),
    ("output", "sigmoid"),
    ("n_classes", "2"),
];

/// `META` with `key` replaced by `value` (or removed when `value` is `None`).
fn meta_with(key: &'static str, value: Option<&'static str>) -> Vec<(&'static str, &'static str)> {
    let mut meta: Vec<_> = META.iter().copied().filter(|(k, _)| *k != key).collect();
    meta.extend(value.map(|v| (key, v)));
    meta
}

fn load_bytes(bytes: &[u8]) -> Result<ModelFile> {
    let file = TempFile::with_bytes("safetensors", bytes);
    load_model(file.path())
}

fn tensor_error(err: &IoError) -> (&str, &str) {
    match err {
        IoError::Tensor { tensor, reason, .. } => (tensor, reason),
        other => panic!("expected IoError::Tensor, got {other}"),
    }
}

fn model_reason(err: &IoError) -> &str {
    match err {
        IoError::Model { reason, .. } => reason,
        other => panic!("expected IoError::Model, got {other}"),
    }
}

#[test]
fn round_trips_in_f32_and_f64() {
    for model in [written_model(), softmax_model()] {
        let file = TempFile::new("safetensors");
        save_model(file.path(), &model).unwrap();
        assert_eq!(load_model(file.path()).unwrap(), model);
    }
    let mut plain = softmax_model();
    plain.standardize = None;
    plain.output = Output::Linear;
    let file = TempFile::new("safetensors");
    save_model(file.path(), &plain).unwrap();
    let back = load_model(file.path()).unwrap();
    assert_eq!(back, plain);
    assert_eq!(back.n_classes(), None);
}

#[test]
fn f32_files_round_values_to_f32() {
    let mut model = written_model();
    model.params[0][3] = 0.1;
    let file = TempFile::new("safetensors");
    save_model(file.path(), &model).unwrap();
    assert_eq!(load_model(file.path()).unwrap(), written_model());
}

#[test]
fn mlp_round_trip_keeps_every_parameter() {
    let mut config = MlpConfig::course();
    config.layers = vec![3, 4, 2];
    config.output = Output::Softmax;
    let mlp = Mlp::<f64, Ndarray>::new(&config).unwrap();
    let model = ModelFile::from_mlp(&mlp, Dtype::F64, None);
    assert_eq!(model.n_classes(), Some(2));
    let file = TempFile::new("safetensors");
    save_model(file.path(), &model).unwrap();
    let back: Mlp<f64, Ndarray> = load_model(file.path()).unwrap().to_mlp().unwrap();
    assert_eq!(back.params(), mlp.params());
    assert_eq!((back.hidden(), back.output()), (mlp.hidden(), mlp.output()));
    let params = load_parameters(file.path()).unwrap();
    assert_eq!(params.to_matrices::<f64, Ndarray>().unwrap(), mlp.params());
}

#[test]
fn reads_the_numpy_fixtures_exactly() {
    let mut want = written_model();
    want.standardize = None;
    assert_eq!(load_model(fixture("model_f32.safetensors")).unwrap(), want);
    // Biases of shape (n,), float64, with statistics.
    assert_eq!(load_model(fixture("model_f64.safetensors")).unwrap(), softmax_model());
    // No metadata: widths come from the shapes.
    let bare = load_parameters(fixture("bare_f32.safetensors")).unwrap();
    assert_eq!(bare, Parameters { layers: vec![2, 3, 1], dtype: Dtype::F32, params: want.params });
    let err = load_model(fixture("bare_f32.safetensors")).unwrap_err();
    assert!(model_reason(&err).contains("no `format` entry"), "{err}");
}

/// Checks that what we write today matches, tensor by tensor and byte for byte, the file that
/// `make_fixtures.py --check` verified with numpy's safetensors reader.
#[test]
fn writes_what_the_reference_reader_verified() {
    let ours = encode(Path::new("x"), &written_model()).unwrap();
    let golden = std::fs::read(fixture("descent_written.safetensors")).unwrap();
    let (ours_st, golden_st) =
        (SafeTensors::deserialize(&ours).unwrap(), SafeTensors::deserialize(&golden).unwrap());
    let (mut a, mut b) = (ours_st.tensors(), golden_st.tensors());
    a.sort_by(|x, y| x.0.cmp(&y.0));
    b.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(a, b);
    let meta = |bytes| SafeTensors::read_metadata(bytes).unwrap().1.metadata().clone();
    assert_eq!(meta(&ours), meta(&golden));
    // Everything after the header: the tensors, in the same order.
    let data = |bytes: &[u8]| {
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        bytes[8 + n..].to_vec()
    };
    assert_eq!(data(&ours), data(&golden));
}

/// Regenerates `descent_written.safetensors`; check it afterwards with
/// `python3 make_fixtures.py --check` in `tests/fixtures`.
#[test]
#[ignore = "writes a fixture; run by hand, then check it with make_fixtures.py --check"]
fn write_descent_fixture() {
    save_model(fixture("descent_written.safetensors"), &written_model()).unwrap();
}

#[test]
fn missing_and_empty_files() {
    let missing = std::env::temp_dir().join("descent-io-no-such-model.safetensors");
    assert!(matches!(load_model(&missing), Err(IoError::Io { .. })));
    assert!(matches!(load_parameters(&missing), Err(IoError::Io { .. })));
    assert!(matches!(load_bytes(b""), Err(IoError::Empty { .. })));
}

#[test]
fn other_files_are_not_safetensors() {
    for bytes in [&b"x1,x2,y\n0.5,1,0\n"[..], b"\x93NUMPY\x01\x00", b"abc", &[0xff; 64]] {
        let err = load_bytes(bytes).unwrap_err();
        assert!(model_reason(&err).contains("not a safetensors file"), "{err}");
    }
    // A header of the right length that is not JSON.
    let mut bytes = 16_u64.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"not json at all!");
    assert!(model_reason(&load_bytes(&bytes).unwrap_err()).contains("not valid"));
}

#[test]
fn truncated_files_are_errors() {
    let good = st_bytes(&specs(), META);
    for cut in [4, 8, 20, good.len() / 2, good.len() - 1] {
        let err = load_bytes(&good[..cut]).unwrap_err();
        assert!(matches!(err, IoError::Model { .. }), "cut at {cut}: {err}");
    }
    let err = load_bytes(&good[..good.len() - 1]).unwrap_err();
    assert!(model_reason(&err).contains("truncated"), "{err}");
    let err = load_bytes(&[&good[..], &[0]].concat()).unwrap_err();
    assert!(matches!(err, IoError::Model { .. }), "{err}");
}

#[test]
fn missing_and_unexpected_tensors_are_named() {
    let mut s = specs();
    s.remove(2);
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err), ("W2", "missing from the file"));

    let mut s = specs();
    s.push(("W3", StDtype::F32, vec![1, 1], vec![1.0]));
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err).0, "W3");

    // PyTorch's names are not ours.
    let s: Vec<Spec<'_>> = specs()
        .into_iter()
        .zip(["0.weight", "0.bias", "2.weight", "2.bias"])
        .map(|((_, d, sh, v), name)| (name, d, sh, v))
        .collect();
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err).0, "0.bias");
    let file = TempFile::with_bytes("safetensors", &st_bytes(&s, &[]));
    let err = load_parameters(file.path()).unwrap_err();
    assert!(model_reason(&err).contains("no tensors W1, b1"), "{err}");
}

#[test]
fn wrong_shapes_are_named() {
    let mut s = specs();
    s[2].2 = vec![3, 1];
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err), ("W2", "shape (3, 1), expected (1, 3)"));

    let mut s = specs();
    s[1].2 = vec![1, 3];
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err), ("b1", "shape (1, 3), expected (3, 1) or (3,)"));

    let mut s = specs();
    s[0].2 = vec![6];
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err), ("W1", "shape (6,), expected (3, 2)"));

    // Without metadata the chain of shapes must hold together.
    let mut s = specs();
    s[2] = ("W2", StDtype::F32, vec![1, 4], vec![0.0; 4]);
    let file = TempFile::with_bytes("safetensors", &st_bytes(&s, &[]));
    let err = load_parameters(file.path()).unwrap_err();
    assert_eq!(tensor_error(&err), ("W2", "shape (1, 4), expected (1, 3)"));
    let s = vec![("W1", StDtype::F32, vec![0, 2], vec![]), ("b1", StDtype::F32, vec![0], vec![])];
    let file = TempFile::with_bytes("safetensors", &st_bytes(&s, &[]));
    let err = load_parameters(file.path()).unwrap_err();
    assert!(tensor_error(&err).1.contains("zero dimension"), "{err}");
}

#[test]
fn wrong_dtypes_are_named() {
    let mut s = specs();
    s[3].1 = StDtype::I32;
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert_eq!(tensor_error(&err), ("b2", "dtype I32 is not supported; expected F32 or F64"));
    let mut s = specs();
    s[0].1 = StDtype::F16;
    assert_eq!(tensor_error(&load_bytes(&st_bytes(&s, META)).unwrap_err()).0, "W1");
    let mut s = specs();
    s[1].1 = StDtype::F64;
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert!(tensor_error(&err).1.contains("differs from W1's F32"), "{err}");
}

#[test]
fn non_finite_parameters_are_named() {
    let mut s = specs();
    s[2].3[1] = f64::NAN;
    let err = load_bytes(&st_bytes(&s, META)).unwrap_err();
    assert!(matches!(err, IoError::NotFinite { .. }), "{err}");
    assert!(err.to_string().contains("tensor `W2`, element (0, 1) is NaN"), "{err}");
}

#[test]
fn bad_metadata_is_explained() {
    let s = specs();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (meta_with("format", None), "no `format` entry"),
        (meta_with("format", Some("other")), "`format` is `other`"),
        (meta_with("version", Some("2")), "version 2 is newer"),
        (meta_with("version", Some("one")), "not a version number"),
        (meta_with("layers", None), "no `layers` entry"),
        (meta_with("layers", Some("2,,1")), "not widths"),
        (meta_with("layers", Some("2,0,1")), "not widths"),
        (meta_with("activation", Some("gelu")), "`activation` is `gelu`"),
        (meta_with("output", None), "no `output` entry"),
        (meta_with("n_classes", Some("3")), "`n_classes` is `3`"),
        (
            [META, &[("standardize_mean", "0,0")]].concat(),
            "only one of `standardize_mean` and `standardize_std`",
        ),
        (
            [META, &[("standardize_mean", "0,0,0"), ("standardize_std", "1,1,1")]].concat(),
            "has 3 values but the network has 2 inputs",
        ),
        (
            [META, &[("standardize_mean", "0,x"), ("standardize_std", "1,1")]].concat(),
            "not a comma-separated list",
        ),
        (
            [META, &[("standardize_mean", "0,0"), ("standardize_std", "1,-1")]].concat(),
            "is negative",
        ),
    ];
    for (meta, want) in cases {
        let err = load_bytes(&st_bytes(&s, &meta)).unwrap_err();
        assert!(model_reason(&err).contains(want), "{want}: {err}");
    }
    // Layers that contradict the tensors name the first tensor that disagrees.
    let err = load_bytes(&st_bytes(&s, &meta_with("layers", Some("2,4,1")))).unwrap_err();
    assert_eq!(tensor_error(&err).0, "W1");
    // A sigmoid output must be one unit wide.
    let err = load_bytes(&st_bytes(&s[..2], &meta_with("layers", Some("2,3")))).unwrap_err();
    assert!(matches!(err, IoError::Invalid { .. }), "{err}");
}

#[test]
fn invalid_models_are_not_saved_and_keep_the_old_file() {
    let file = TempFile::with_bytes("safetensors", b"previous checkpoint");
    let mut nan = written_model();
    nan.params[2][0] = f64::NAN;
    let mut huge = written_model();
    huge.params[1][2] = 1e40;
    let mut short = written_model();
    short.params[0].pop();
    let mut missing = written_model();
    missing.params.pop();
    let mut stats = written_model();
    stats.standardize = Some(FeatureStats { mean: vec![0.0], std: vec![1.0] });
    let mut widths = written_model();
    widths.layers = vec![2, 3, 2];
    for (model, kind) in [
        (nan, "NotFinite"),
        (huge, "NotFinite"),
        (short, "Tensor"),
        (missing, "Model"),
        (stats, "Model"),
        (widths, "Invalid"),
    ] {
        let err = save_model(file.path(), &model).unwrap_err();
        assert!(format!("{err:?}").starts_with(kind), "{kind}: {err:?}");
        assert_eq!(std::fs::read(file.path()).unwrap(), b"previous checkpoint");
    }
}

#[test]
fn saving_into_a_missing_folder_names_it() {
    let folder = TempFile::new("dir");
    let err = save_model(folder.path().join("m.safetensors"), &written_model()).unwrap_err();
    assert!(matches!(err, IoError::MissingFolder { .. }), "{err}");
    assert!(err.to_string().contains(&folder.path().display().to_string()), "{err}");
}

#[test]
fn saving_replaces_an_existing_file() {
    let file = TempFile::with_bytes("safetensors", b"old");
    save_model(file.path(), &softmax_model()).unwrap();
    save_model(file.path(), &written_model()).unwrap();
    assert_eq!(load_model(file.path()).unwrap(), written_model());
}

#[test]
fn mangled_files_never_panic() {
    let valid = st_bytes(&specs(), META);
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..1000 {
        let mut bytes = valid.clone();
        for _ in 0..1 + next() % 3 {
            let i = (next() % bytes.len() as u64) as usize;
            bytes[i] = next() as u8;
        }
        let file = TempFile::with_bytes("safetensors", &bytes);
        let _ = load_model(file.path());
        let _ = load_parameters(file.path());
    }
}
