//! The generated text itself: exact floats, docs and names, errors, and the atomic write.

use descent_export::rust::{RustError, source, write};
use descent_io::{Dtype, ModelFile};
use descent_train::{Activation, FeatureStats, Output};

fn model(dtype: Dtype, params: Vec<Vec<f64>>) -> ModelFile {
    ModelFile {
        layers: vec![2, 1],
        activation: Activation::Relu,
        output: Output::Sigmoid,
        dtype,
        params,
        standardize: None,
        encoding: None,
    }
}

/// The values of `const NAME: [..] = [...];` in `text`.
fn array_values(text: &str, name: &str) -> Vec<String> {
    let start = text.find(&format!("const {name}: ")).unwrap();
    let open = start + text[start..].find("= [").unwrap() + 3;
    let close = open + text[open..].find("];").unwrap();
    text[open..close]
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn floats_read_back_to_the_same_value_of_the_dtype() {
    let hard = vec![
        0.1,
        -1.0 / 3.0,
        1e-30,
        123_456_789.123,
        f64::MIN_POSITIVE,
        5e-324,
        -0.0,
        2.0_f64.sqrt(),
    ];
    let text = source(&model(Dtype::F64, vec![hard[..2].to_vec(), vec![hard[2]]])).unwrap();
    assert_eq!(array_values(&text, "W1"), ["0.1", "-0.3333333333333333"]);
    for x in &hard {
        let m = model(Dtype::F64, vec![vec![*x, *x], vec![*x]]);
        let text = source(&m).unwrap();
        let back: f64 = array_values(&text, "B1")[0].parse().unwrap();
        assert_eq!(back.to_bits(), x.to_bits(), "{x:e}");
        let m = model(Dtype::F32, vec![vec![*x, *x], vec![*x]]);
        let text = source(&m).unwrap();
        let back: f32 = array_values(&text, "B1")[0].parse().unwrap();
        assert_eq!(back.to_bits(), (*x as f32).to_bits(), "{x:e} as f32");
    }
}

#[test]
fn long_arrays_are_filled_lines_of_at_most_100_characters() {
    let mut m = model(Dtype::F64, vec![]);
    m.layers = vec![40, 1];
    m.params = vec![(0..40).map(|i| f64::from(i) / 7.0).collect(), vec![0.5]];
    let text = source(&m).unwrap();
    let values = array_values(&text, "W1");
    assert_eq!(values.len(), 40);
    assert_eq!(values[1].parse::<f64>().unwrap(), 1.0 / 7.0);
    let generated = &text[..text.find("mod infer {").unwrap()];
    let long: Vec<&str> = generated.lines().filter(|l| l.chars().count() > 100).collect();
    assert!(long.is_empty(), "{long:#?}");
}

#[test]
fn docs_name_the_model_its_classes_and_its_standardization() {
    let mut m = model(Dtype::F32, vec![vec![0.5, -1.0], vec![0.25]]);
    let text = source(&m).unwrap();
    assert!(text.starts_with("//! A descent model as Rust source: layers 2, 1, hidden activation relu, sigmoid output, f32."));
    assert!(text.contains("pub const CLASS_NAMES: [&str; 2] = [\"0\", \"1\"];"));
    assert!(text.contains("pub fn predict_class(input: &[f32; N_INPUTS]) -> usize"));
    assert!(text.contains("no standardization"));
    assert!(text.contains("//! - 0 to 1: the model's numeric inputs (no names recorded)"));
    assert!(!text.contains("INPUT_NAMES"));
    m.output = Output::Linear;
    m.dtype = Dtype::F64;
    m.standardize = Some(FeatureStats { mean: vec![1.5, 0.0], std: vec![2.0, 0.0] });
    let text = source(&m).unwrap();
    assert!(text.contains("pub fn predict(input: &[f64; N_INPUTS]) -> [f64; N_OUTPUTS]"));
    let generated = &text[..text.find("mod infer {").unwrap()];
    assert!(!generated.contains("predict_class") && !generated.contains("CLASS_NAMES"));
    assert!(text.contains("const MEAN: [f64; 2] = [1.5, 0.0];"));
    assert!(text.contains("const STD: [f64; 2] = [2.0, 0.0];"));
    assert!(!generated.contains("f32"), "an f64 model is f64 throughout");
}

#[test]
fn the_inlined_code_uses_core_alone() {
    let text = source(&model(Dtype::F32, vec![vec![0.5, -1.0], vec![0.25]])).unwrap();
    for banned in ["std::", "alloc::", "crate::", "extern crate", "cfg(test)", "```", "unsafe"] {
        assert!(!text.contains(banned), "the generated file contains `{banned}`");
    }
    // A module, not a crate root: no crate-level attribute.
    assert!(!text.lines().any(|l| l.trim_start().starts_with("#![no_std")));
    for (name, _) in descent_infer::source::MODULES {
        assert!(text.contains(&format!("    pub mod {name} {{")), "{name}");
    }
}

#[test]
fn models_that_cannot_be_written_are_refused_with_the_reason() {
    let short = model(Dtype::F32, vec![vec![0.5], vec![0.25]]);
    let e = source(&short).unwrap_err();
    assert!(matches!(e, RustError::Model { path: None, .. }));
    assert_eq!(
        e.to_string(),
        "cannot export the model as Rust source: W1 has 1 values, the layer widths call for 2"
    );
    let nan = model(Dtype::F64, vec![vec![0.5, f64::NAN], vec![0.25]]);
    assert_eq!(
        source(&nan).unwrap_err().to_string(),
        "cannot export the model as Rust source: W1[1] = NaN is not a finite f64"
    );
    let huge = model(Dtype::F32, vec![vec![0.5, 1e39], vec![0.25]]);
    let e = source(&huge).unwrap_err().to_string();
    assert!(e.ends_with("W1[1] = 1e39 is not a finite f32"), "{e}");
    let mut bad_std = model(Dtype::F64, vec![vec![0.5, 1.0], vec![0.25]]);
    bad_std.standardize =
        Some(FeatureStats { mean: vec![0.0, f64::INFINITY], std: vec![1.0, 1.0] });
    assert!(
        source(&bad_std)
            .unwrap_err()
            .to_string()
            .ends_with("the standardization's mean of input 1 is inf")
    );
}

#[test]
fn write_is_atomic_and_its_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("descent-export-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.rs");
    let good = model(Dtype::F32, vec![vec![0.5, -1.0], vec![0.25]]);
    write(&path, &good).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), source(&good).unwrap());
    // A refused model leaves the file as it was, and the message names the file.
    let bad = model(Dtype::F32, vec![vec![0.5], vec![0.25]]);
    let e = write(&path, &bad).unwrap_err();
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), source(&good).unwrap());
    // A folder that does not exist: an I/O error naming the path.
    let missing = dir.join("no-such-folder").join("model.rs");
    let e = write(&missing, &good).unwrap_err();
    assert!(matches!(e, RustError::Io(_)));
    assert!(format!("{e:#}").contains("no-such-folder"), "{e}");
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(!boxed.to_string().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_encoding_of_another_width_is_refused() {
    let dir = std::env::temp_dir().join(format!("descent-export-enc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.csv");
    std::fs::write(&path, "a,b,label\n1,2,x\n3,4,y\n5,6,x\n").unwrap();
    let table = descent_io::read_table(&path).unwrap();
    let encoding = descent_io::TableEncoding::fit(&table, &[0, 1, 2], &Default::default()).unwrap();
    assert_eq!(encoding.n_inputs(), 2);
    let mut m = model(Dtype::F32, vec![vec![0.5, -1.0, 2.0], vec![0.25]]);
    m.layers = vec![3, 1];
    let m = m.with_encoding(encoding);
    let e = source(&m).unwrap_err().to_string();
    assert!(e.ends_with("the table encoding names 2 inputs but the network has 3"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
