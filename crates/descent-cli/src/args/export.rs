//! `descent export` flags: the model file and one flag per format to write it in.

use std::path::PathBuf;

use clap::{ArgGroup, Args};

/// `descent export` flags. At least one format flag is required (the `format` group); each
/// format names the file it writes.
#[derive(Debug, Args)]
#[command(group = ArgGroup::new("format").required(true).multiple(true))]
pub struct ExportArgs {
    /// The model file written by `descent train --save`.
    #[arg(long, value_name = "PATH")]
    pub model: PathBuf,
    /// Write an ONNX file (opset 17) that onnxruntime, tract or any conforming runtime runs:
    /// input `input` [N, inputs] (float32, float64 for an f64 model; the inputs after a
    /// table's encoding, one-hot inputs included), outputs `output` (the sigmoid probability
    /// [N, 1], the softmax probabilities [N, K] or the linear values [N, k]) and, for a
    /// classifier, `label` (int64 [N], the class `descent predict` prints, by index). The
    /// model's standardization is inside the graph (Sub/Div nodes, in float64); the input and
    /// class names and descent's version are in the file's metadata_props. Written
    /// atomically: a failed export leaves an existing file as it was.
    #[arg(long, value_name = "PATH", group = "format")]
    pub onnx: Option<PathBuf>,
    /// Write one self-contained Rust source file for no_std targets: the weights as const
    /// arrays, N_INPUTS, N_OUTPUTS, `pub fn predict(input: &[f32; N_INPUTS]) -> [f32;
    /// N_OUTPUTS]` (f64 throughout for an f64 model) and, for a classifier, `predict_class`
    /// and CLASS_NAMES; the standardization applied inside, no allocation, no dependency
    /// (descent-infer's code inlined). Written atomically.
    #[arg(long, value_name = "PATH", group = "format")]
    pub rust: Option<PathBuf>,
}
