//! Models of a table: numeric and one-hot inputs from a `TableEncoding`, the encoding's
//! names in the file, standardization of the numeric inputs only.

use descent_io::Dtype;
use descent_io::table::{ColumnOptions, TableEncoding, Unknown, read_table};
use descent_train::{Activation, FeatureStats, Output};

use crate::{check, model, onnx_path};

/// A table of two numeric and three categorical columns: species (three classes), sex (two)
/// or mass (a number) is the target.
const CSV: &str = "\
bill,island,mass,sex,species
39.1,Torgersen,3750,male,Adelie
46.5,Dream,3500,female,Chinstrap
50.0,Biscoe,5700,male,Gentoo
38.6,Torgersen,3800,female,Adelie
49.5,Dream,4100,male,Chinstrap
46.1,Biscoe,4500,female,Gentoo
41.1,Biscoe,3200,female,Adelie
";

/// The table's rows encoded, the encoding, and the statistics `--standardize` would store
/// (one-hot inputs: mean 0, std 0, so left as they are).
fn encoded(target: &str, regression: bool) -> (TableEncoding, Vec<f64>, FeatureStats) {
    // One file per test thread: the cases run in parallel.
    let path = onnx_path(&format!("table-{:?}", std::thread::current().id())).with_extension("csv");
    std::fs::write(&path, CSV).unwrap();
    let table = read_table(&path).unwrap();
    let options = ColumnOptions { target: Some(target.into()), regression, ..Default::default() };
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let encoding = TableEncoding::fit(&table, &rows, &options).unwrap();
    let bound = encoding.bind(&table).unwrap();
    let n = encoding.n_inputs();
    let mut x = vec![0.0; rows.len() * n];
    for (r, out) in rows.iter().zip(x.chunks_mut(n)) {
        bound.encode_row(*r, out, Unknown::Error).unwrap();
    }
    let numeric = encoding.numeric_inputs();
    let mut stats = FeatureStats { mean: vec![0.0; n], std: vec![0.0; n] };
    for i in (0..n).filter(|&i| numeric[i]) {
        let col: Vec<f64> = x.chunks(n).map(|row| row[i]).collect();
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / col.len() as f64;
        (stats.mean[i], stats.std[i]) = (mean, var.sqrt());
    }
    std::fs::remove_file(&path).unwrap();
    (encoding, x, stats)
}

fn table_case(name: &str, output: Output, dtype: Dtype) {
    let (target, regression) = match output {
        Output::Sigmoid => ("sex", false),
        Output::Softmax => ("species", false),
        Output::Linear => ("mass", true),
    };
    let (encoding, x, stats) = encoded(target, regression);
    let mut m = model(encoding.n_inputs(), Activation::Tanh, output, dtype, 21);
    m.standardize = Some(stats);
    let m = m.with_encoding(encoding);
    let names = descent_export::onnx::input_names(&m);
    assert!(names.iter().any(|s| s == "island=Dream"), "{names:?}");
    check(name, &m, &x);
}

#[test]
fn a_softmax_model_of_a_table_with_one_hot_inputs_f32() {
    table_case("table_softmax_f32", Output::Softmax, Dtype::F32);
}

#[test]
fn a_softmax_model_of_a_table_with_one_hot_inputs_f64() {
    table_case("table_softmax_f64", Output::Softmax, Dtype::F64);
}

#[test]
fn a_sigmoid_model_of_a_table_with_one_hot_inputs_f32() {
    table_case("table_sigmoid_f32", Output::Sigmoid, Dtype::F32);
}

#[test]
fn a_sigmoid_model_of_a_table_with_one_hot_inputs_f64() {
    table_case("table_sigmoid_f64", Output::Sigmoid, Dtype::F64);
}

#[test]
fn a_linear_model_of_a_table_with_one_hot_inputs_f32() {
    table_case("table_linear_f32", Output::Linear, Dtype::F32);
}

#[test]
fn a_linear_model_of_a_table_with_one_hot_inputs_f64() {
    table_case("table_linear_f64", Output::Linear, Dtype::F64);
}
