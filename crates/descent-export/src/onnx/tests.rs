//! Unit tests of the ONNX export: the file's structure read back with prost, and refusals.

use std::path::Path;

use descent_io::{Dtype, ModelFile};
use descent_train::{Activation, FeatureStats, Output};
use prost::Message;

use super::proto::ModelProto;
use super::proto::tensor_shape_proto::dimension::Value as Dim;
use super::proto::type_proto::Value as Type;
use super::*;

fn model(output: Output, dtype: Dtype) -> ModelFile {
    let n_out = if output == Output::Softmax { 3 } else { 1 };
    ModelFile {
        layers: vec![2, 2, n_out],
        activation: Activation::Relu,
        output,
        dtype,
        params: vec![
            vec![0.5, -1.0, 0.25, 2.0],
            vec![0.1, 0.2],
            vec![0.3; 2 * n_out],
            vec![0.0; n_out],
        ],
        standardize: Some(FeatureStats { mean: vec![1.0, 2.0], std: vec![0.5, 0.0] }),
        encoding: None,
    }
}

fn decode(model: &ModelFile) -> ModelProto {
    ModelProto::decode(encode(Path::new("m.onnx"), model).unwrap().as_slice()).unwrap()
}

/// The names and shapes of a graph's outputs: (name, element type, dims as text).
fn outputs(file: &ModelProto) -> Vec<(String, i32, Vec<String>)> {
    let graph = file.graph.as_ref().unwrap();
    graph
        .output
        .iter()
        .map(|v| {
            let Some(Type::TensorType(t)) = v.r#type.as_ref().unwrap().value.as_ref() else {
                panic!("not a tensor")
            };
            let dims =
                t.shape.as_ref().unwrap().dim.iter().map(|d| match d.value.as_ref().unwrap() {
                    Dim::DimValue(n) => n.to_string(),
                    Dim::DimParam(p) => p.clone(),
                });
            (v.name.clone().unwrap(), t.elem_type.unwrap(), dims.collect())
        })
        .collect()
}

#[test]
fn a_softmax_model_has_an_input_an_output_and_a_label_with_a_dynamic_batch() {
    let file = decode(&model(Output::Softmax, Dtype::F64));
    assert_eq!((file.ir_version, file.opset_import[0].version), (Some(8), Some(17)));
    let graph = file.graph.as_ref().unwrap();
    assert_eq!(graph.input[0].name.as_deref(), Some("input"));
    let n = |s: &str| s.to_owned();
    assert_eq!(
        outputs(&file),
        [(n("output"), 11, vec![n("N"), n("3")]), (n("label"), 7, vec![n("N")])]
    );
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_deref().unwrap()).collect();
    assert_eq!(ops, ["Sub", "Div", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax", "ArgMax"]);
    // The zero standard deviation divides by 1, as FeatureStats::apply does.
    let std =
        graph.initializer.iter().find(|t| t.name.as_deref() == Some("standardize_std")).unwrap();
    let raw = std.raw_data.as_ref().unwrap();
    assert_eq!(raw[8..], 1.0f64.to_le_bytes());
    let meta: Vec<(&str, &str)> = file
        .metadata_props
        .iter()
        .map(|e| (e.key.as_deref().unwrap(), e.value.as_deref().unwrap()))
        .collect();
    assert!(meta.contains(&("input_names", r#"["x1","x2"]"#)), "{meta:?}");
    assert!(meta.contains(&("class_names", r#"["0","1","2"]"#)), "{meta:?}");
    assert!(meta.contains(&("descent_version", env!("CARGO_PKG_VERSION"))), "{meta:?}");
}

#[test]
fn an_f32_sigmoid_model_standardizes_in_double_and_a_linear_one_has_no_label() {
    let file = decode(&model(Output::Sigmoid, Dtype::F32));
    let graph = file.graph.as_ref().unwrap();
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_deref().unwrap()).collect();
    assert_eq!(
        ops,
        [
            "Cast", "Sub", "Div", "Cast", "MatMul", "Add", "Relu", "MatMul", "Add", "Neg", "Exp",
            "Add", "Div", "Greater", "Cast", "Squeeze"
        ]
    );
    assert_eq!(outputs(&file)[0].1, 1);
    let linear = decode(&ModelFile { standardize: None, ..model(Output::Linear, Dtype::F32) });
    assert_eq!(outputs(&linear).len(), 1);
    let graph = linear.graph.as_ref().unwrap();
    assert_eq!(graph.node.last().unwrap().output, ["output"]);
    assert!(!linear.metadata_props.iter().any(|e| e.key.as_deref() == Some("class_names")));
}

#[test]
fn a_bad_model_is_refused_naming_the_file_and_nothing_is_written() {
    let dir = std::env::temp_dir().join(format!("descent-export-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kept.onnx");
    std::fs::write(&path, b"old").unwrap();
    let mut short = model(Output::Sigmoid, Dtype::F32);
    short.params[0].pop();
    let mut wide = model(Output::Sigmoid, Dtype::F32);
    wide.standardize = Some(FeatureStats { mean: vec![0.0; 3], std: vec![1.0; 3] });
    let mut huge = model(Output::Sigmoid, Dtype::F32);
    huge.params[2][0] = 1e300;
    for (bad, words) in
        [(short, "`W1` has 3 values"), (wide, "3 standardization means"), (huge, "`W2`")]
    {
        let err = write_onnx(&path, &bad).unwrap_err();
        assert!(matches!(err, OnnxError::Model { .. }));
        let message = err.to_string();
        assert!(message.contains("kept.onnx") && message.contains(words), "{message}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    let missing = dir.join("no-such-folder").join("m.onnx");
    let err = write_onnx(&missing, &model(Output::Linear, Dtype::F64)).unwrap_err();
    assert!(matches!(err, OnnxError::Write(_)) && err.to_string().contains("m.onnx"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
