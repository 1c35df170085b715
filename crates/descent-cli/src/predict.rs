//! `descent predict`: one prediction per example, as CSV on standard output or in `--out`:
//! `class,probability` for a classifier (the probability of the predicted class), `value` (or
//! `value1..valueK`) for regression.

use anyhow::Context;
use descent::train::{Dataset, Output, predict};
use descent::{Backend, Scalar};
use descent_io::ModelFile;

use crate::Failure;
use crate::args::PredictArgs;
use crate::boundary::class_of;
use crate::data;
use crate::eval::{check_width, dtype_arg, load_model};
use crate::plan::check_output_folder;

/// Runs `descent predict`.
pub fn run(args: &PredictArgs) -> Result<(), Failure> {
    check_output_folder("--out", args.out.as_deref()).map_err(Failure::Input)?;
    let model = load_model(&args.model).map_err(Failure::Input)?;
    let (n_features, mut x) =
        data::load_features(&args.data, model.layers[0]).map_err(Failure::Input)?;
    check_width(&model, n_features, &args.data.data).map_err(Failure::Input)?;
    if let Some(s) = &model.standardize {
        data::standardize_features(&mut x, n_features, s);
    }
    let n_out = model.layers[model.layers.len() - 1];
    let m = x.len() / n_features;
    // The targets are not read: zeros of the output's width fit every output kind.
    let n_targets = if model.output == Output::Linear { n_out } else { 1 };
    let data = Dataset::new(n_features, x, n_targets, vec![0.0; m * n_targets])
        .context("--data")
        .map_err(Failure::Input)?;
    let csv = dispatch!(args.backend, dtype_arg(model.dtype), predictions(&model, &data))?;
    match &args.out {
        Some(path) => {
            descent_io::write_atomic(path, &csv).context("--out").map_err(Failure::Run)?
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&csv)
                .and_then(|()| stdout.flush())
                .context("writing to standard output")
                .map_err(Failure::Run)?;
        }
    }
    Ok(())
}

/// The predictions as CSV bytes.
fn predictions<T: Scalar, B: Backend<T>>(
    model: &ModelFile,
    data: &Dataset<f64>,
) -> Result<Vec<u8>, Failure> {
    let mlp = model.to_mlp::<T, B>().context("--model").map_err(Failure::Input)?;
    let outputs = predict(&mlp, &data.cast::<T>()).map_err(|e| Failure::Run(e.into()))?;
    let n_out = model.layers[model.layers.len() - 1];
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: Vec<String>| {
        w.write_record(row).context("writing the predictions").map_err(Failure::Run)
    };
    match model.output {
        Output::Linear => {
            let header = if n_out == 1 {
                vec!["value".to_owned()]
            } else {
                (1..=n_out).map(|k| format!("value{k}")).collect()
            };
            write(&mut w, header)?;
            for col in outputs.chunks(n_out) {
                write(&mut w, col.iter().map(|v| v.to_f64().to_string()).collect())?;
            }
        }
        output => {
            write(&mut w, vec!["class".into(), "probability".into()])?;
            for col in outputs.chunks(n_out) {
                let class = class_of(output, col);
                let p = match output {
                    Output::Sigmoid if class == 0 => 1.0 - col[0].to_f64(),
                    Output::Sigmoid => col[0].to_f64(),
                    _ => col[class].to_f64(),
                };
                write(&mut w, vec![class.to_string(), p.to_string()])?;
            }
        }
    }
    w.into_inner().map_err(|e| Failure::Run(anyhow::anyhow!("writing the predictions: {e}")))
}
