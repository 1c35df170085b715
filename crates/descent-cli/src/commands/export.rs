//! `descent export`: a saved model written in other runtimes' formats (`--onnx`, `--rust`), each file
//! written atomically, after the model has been read and checked.

use anyhow::anyhow;
use descent_export::onnx::{self, OnnxError};
use descent_export::rust::{self, RustError};
use descent_io::{Dtype, ModelFile};

use crate::args::ExportArgs;
use crate::failure::Failure;
use crate::plan::model::load_model;
use crate::run::{ExportSpec, Format};

/// Runs `descent export`.
pub fn run(args: &ExportArgs) -> Result<(), Failure> {
    let spec = ExportSpec::resolve(args).map_err(Failure::Input)?;
    let model = load_model(&spec.model).map_err(Failure::Input)?;
    for (format, path) in &spec.targets {
        match format {
            Format::Onnx => {
                onnx::write_onnx(path, &model).map_err(|e| match e {
                    OnnxError::Model { .. } => Failure::Input(anyhow!(e).context("--onnx")),
                    _ => Failure::Run(anyhow!(e).context("--onnx")),
                })?;
                println!("{}: {}", path.display(), onnx_summary(&model));
            }
            Format::Rust => {
                rust::write(path, &model).map_err(|e| match e {
                    RustError::Model { .. } => Failure::Input(anyhow!(e).context("--rust")),
                    _ => Failure::Run(anyhow!(e).context("--rust")),
                })?;
                let n_out = model.layers[model.layers.len() - 1];
                println!(
                    "{}: Rust source, predict(&[{t}; {}]) -> [{t}; {n_out}]{}, no_std",
                    path.display(),
                    model.layers[0],
                    if model.n_classes().is_some() { ", predict_class" } else { "" },
                    t = model.dtype.name(),
                );
            }
        }
    }
    Ok(())
}

/// One line about the ONNX file: opset, input and outputs with their shapes.
fn onnx_summary(model: &ModelFile) -> String {
    let elem = match model.dtype {
        Dtype::F32 => "float32",
        Dtype::F64 => "float64",
    };
    let n_out = model.layers[model.layers.len() - 1];
    let label = if model.n_classes().is_some() { ", label int64 [N]" } else { "" };
    let standardized = if model.standardize.is_some() { ", standardization inside" } else { "" };
    format!(
        "ONNX opset {}, input {elem} [N, {}] → output {elem} [N, {n_out}] ({}){label}{standardized}",
        onnx::OPSET,
        model.layers[0],
        model.output.name()
    )
}
