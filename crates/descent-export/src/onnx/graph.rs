//! The ONNX graph of a model: standardization nodes, one `Gemm` and activation per layer, the
//! output and, for classifiers, the label.

use descent_io::{Dtype, ModelFile};
use descent_train::{Activation, Output};

use super::proto::attribute_proto::AttributeType;
use super::proto::tensor_proto::DataType;
use super::proto::tensor_shape_proto::{Dimension, dimension};
use super::proto::{
    AttributeProto, GraphProto, NodeProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto, type_proto,
};

/// The name of the dynamic batch dimension of `input`, `output` and `label`.
pub(super) const BATCH: &str = "N";

/// The shape of parameter `k` in the order `W1, b1, W2, b2, …`: `W_l` is (n_l, n_{l-1}),
/// `b_l` (n_l, 1).
pub(super) fn param_shape(layers: &[usize], k: usize) -> (usize, usize) {
    let l = k / 2;
    if k.is_multiple_of(2) { (layers[l + 1], layers[l]) } else { (layers[l + 1], 1) }
}

/// The name of parameter `k` in the order `W1, b1, W2, b2, …`, as the model file names it.
pub(super) fn param_name(k: usize) -> String {
    format!("{}{}", if k.is_multiple_of(2) { 'W' } else { 'b' }, k / 2 + 1)
}

/// The graph of a checked model.
pub(super) fn graph(model: &ModelFile) -> GraphProto {
    let elem = match model.dtype {
        Dtype::F32 => DataType::Float,
        Dtype::F64 => DataType::Double,
    };
    let mut g = Builder { graph: GraphProto::default(), elem, dtype: model.dtype };
    let n_out = model.layers[model.layers.len() - 1];
    let mut x = "input".to_owned();
    if let Some(stats) = &model.standardize {
        x = g.standardize(&x, &stats.mean, &stats.std);
    }
    let n_layers = model.layers.len() - 1;
    for l in 1..=n_layers {
        let (w, b) = (&model.params[2 * (l - 1)], &model.params[2 * l - 1]);
        let (rows, cols) = param_shape(&model.layers, 2 * (l - 1));
        // W_l transposed, (n_{l-1}, n_l): MatMul then Add (tract's Gemm import fails on f64).
        let wt: Vec<f64> =
            (0..cols).flat_map(|j| (0..rows).map(move |i| w[i * cols + j])).collect();
        g.initializer(&format!("W{l}"), &[cols, rows], &wt);
        g.initializer(&format!("b{l}"), &[rows], b);
        let last = l == n_layers;
        let z = if last && model.output == Output::Linear {
            "output".to_owned()
        } else {
            format!("z{l}")
        };
        let product = format!("xw{l}");
        g.node("MatMul", &format!("layer{l}_matmul"), &[&x, &format!("W{l}")], &product, vec![]);
        g.node("Add", &format!("layer{l}_add"), &[&product, &format!("b{l}")], &z, vec![]);
        x = match (last, model.output, model.activation) {
            (false, _, Activation::Relu) => g.unary("Relu", l, &z, vec![]),
            (false, _, Activation::Tanh) => g.unary("Tanh", l, &z, vec![]),
            (true, Output::Sigmoid, _) => g.sigmoid(&z),
            (true, Output::Softmax, _) => g.output("Softmax", &z, vec![int_attribute("axis", 1)]),
            (true, Output::Linear, _) => z,
        };
    }
    let batch = || Dimension {
        value: Some(dimension::Value::DimParam(BATCH.to_owned())),
        ..Default::default()
    };
    let fixed = |n: usize| Dimension {
        value: Some(dimension::Value::DimValue(n as i64)),
        ..Default::default()
    };
    g.graph.input.push(value_info("input", elem, vec![batch(), fixed(model.layers[0])]));
    g.graph.output.push(value_info("output", elem, vec![batch(), fixed(n_out)]));
    match model.output {
        Output::Sigmoid => {
            g.scalar_initializer("half", 0.5);
            g.node("Greater", "label_greater", &["output", "half"], "label_positive", vec![]);
            let to_int64 = int_attribute("to", DataType::Int64 as i64);
            g.node("Cast", "label_cast", &["label_positive"], "label_column", vec![to_int64]);
            g.graph.initializer.push(TensorProto {
                name: Some("label_axes".to_owned()),
                dims: vec![1],
                data_type: Some(DataType::Int64 as i32),
                int64_data: vec![1],
                ..Default::default()
            });
            g.node("Squeeze", "label_squeeze", &["label_column", "label_axes"], "label", vec![]);
        }
        Output::Softmax => {
            let attrs = vec![
                int_attribute("axis", 1),
                int_attribute("keepdims", 0),
                int_attribute("select_last_index", 0),
            ];
            g.node("ArgMax", "label_argmax", &["output"], "label", attrs);
        }
        Output::Linear => {}
    }
    if model.output != Output::Linear {
        g.graph.output.push(value_info("label", DataType::Int64, vec![batch()]));
    }
    g.graph.name = Some("descent".to_owned());
    g.graph
}

/// The graph as it is built, with the model's element type.
struct Builder {
    graph: GraphProto,
    elem: DataType,
    dtype: Dtype,
}

impl Builder {
    /// Adds the nodes of `(x - mean) / std` (1 for a zero `std`), computed in double; returns
    /// the standardized value's name.
    fn standardize(&mut self, x: &str, mean: &[f64], std: &[f64]) -> String {
        let scale: Vec<f64> = std.iter().map(|&s| if s > 0.0 { s } else { 1.0 }).collect();
        for (name, values) in [("standardize_mean", mean), ("standardize_std", &scale)] {
            self.graph.initializer.push(TensorProto {
                name: Some(name.to_owned()),
                dims: vec![values.len() as i64],
                data_type: Some(DataType::Double as i32),
                raw_data: Some(values.iter().flat_map(|v| v.to_le_bytes()).collect()),
                ..Default::default()
            });
        }
        let mut x = x.to_owned();
        if self.dtype == Dtype::F32 {
            let to_double = int_attribute("to", DataType::Double as i64);
            self.node("Cast", "standardize_cast_in", &[&x], "input_double", vec![to_double]);
            x = "input_double".to_owned();
        }
        self.node("Sub", "standardize_sub", &[&x, "standardize_mean"], "centered", vec![]);
        let out = if self.dtype == Dtype::F32 { "standardized_double" } else { "standardized" };
        self.node("Div", "standardize_div", &["centered", "standardize_std"], out, vec![]);
        if self.dtype == Dtype::F32 {
            let to_float = int_attribute("to", DataType::Float as i64);
            self.node("Cast", "standardize_cast_out", &[out], "standardized", vec![to_float]);
        }
        "standardized".to_owned()
    }

    /// Adds a hidden layer's activation; returns its output's name.
    fn unary(&mut self, op: &str, l: usize, z: &str, attrs: Vec<AttributeProto>) -> String {
        let a = format!("a{l}");
        self.node(op, &format!("layer{l}_{}", op.to_lowercase()), &[z], &a, attrs);
        a
    }

    /// Adds the output layer's function, whose result is `output`.
    fn output(&mut self, op: &str, z: &str, attrs: Vec<AttributeProto>) -> String {
        self.node(op, &format!("output_{}", op.to_lowercase()), &[z], "output", attrs);
        "output".to_owned()
    }

    /// The sigmoid output as `1 / (1 + exp(−z))` in four nodes rather than `Sigmoid`: tract
    /// 0.23.9 has no f64 `Sigmoid`, and its f32 one is a rational approximation off by 0.5%
    /// relative at p ≈ 8e-7; `Exp` is exact to an ulp or two in both runtimes.
    fn sigmoid(&mut self, z: &str) -> String {
        self.scalar_initializer("one", 1.0);
        self.node("Neg", "output_neg", &[z], "neg_z", vec![]);
        self.node("Exp", "output_exp", &["neg_z"], "exp_neg_z", vec![]);
        self.node("Add", "output_add", &["exp_neg_z", "one"], "one_plus_exp", vec![]);
        self.node("Div", "output_div", &["one", "one_plus_exp"], "output", vec![]);
        "output".to_owned()
    }

    fn node(
        &mut self,
        op: &str,
        name: &str,
        inputs: &[&str],
        output: &str,
        attribute: Vec<AttributeProto>,
    ) {
        self.graph.node.push(NodeProto {
            input: inputs.iter().map(|&s| s.to_owned()).collect(),
            output: vec![output.to_owned()],
            name: Some(name.to_owned()),
            op_type: Some(op.to_owned()),
            domain: Some(String::new()),
            attribute,
            ..Default::default()
        });
    }

    /// A tensor of the model's element type, row-major, little-endian in `raw_data`.
    fn initializer(&mut self, name: &str, dims: &[usize], values: &[f64]) {
        let raw_data = match self.dtype {
            Dtype::F32 => values.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect(),
            Dtype::F64 => values.iter().flat_map(|&v| v.to_le_bytes()).collect(),
        };
        self.graph.initializer.push(TensorProto {
            name: Some(name.to_owned()),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(self.elem as i32),
            raw_data: Some(raw_data),
            ..Default::default()
        });
    }

    /// A scalar (shape `[]`) of the model's element type.
    fn scalar_initializer(&mut self, name: &str, value: f64) {
        self.initializer(name, &[], &[value]);
    }
}

/// An `INT` attribute.
fn int_attribute(name: &str, value: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.to_owned()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(value),
        ..Default::default()
    }
}

/// A graph input or output: a tensor of `elem` with the given dimensions.
fn value_info(name: &str, elem: DataType, dim: Vec<Dimension>) -> ValueInfoProto {
    let tensor =
        type_proto::Tensor { elem_type: Some(elem as i32), shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto {
        name: Some(name.to_owned()),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(tensor)),
            ..Default::default()
        }),
        ..Default::default()
    }
}
