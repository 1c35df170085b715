//! `descent eval`: cost and accuracy (mean squared error for regression) of a saved model on a
//! data set, as text or as one line of JSON.

use anyhow::{Context, anyhow};
use descent::train::{Dataset, evaluate};
use descent::{Backend, Scalar};
use descent_io::{Dtype, ModelFile};

use crate::Failure;
use crate::args::{DtypeArg, EvalArgs};
use crate::data;

/// Runs `descent eval`.
pub fn run(args: &EvalArgs) -> Result<(), Failure> {
    let model = load_model(&args.model).map_err(Failure::Input)?;
    if crate::stream::is_npy_pair(&args.data) {
        // The features stay on disk, memory-mapped.
        let mut mapped = crate::stream::Mapped::open(&args.data).map_err(Failure::Input)?;
        check_width(&model, mapped.n_features(), &args.data.data).map_err(Failure::Input)?;
        let source = crate::stream::source(&args.data);
        let n_out = model.layers[model.layers.len() - 1];
        // The labels are read from the mapping: nothing is copied.
        data::check_labels(&mapped.data, &source, model.output, n_out).map_err(Failure::Input)?;
        if let Some(s) = &model.standardize {
            mapped.apply(s);
        }
        let data = Examples::Mapped(&mapped);
        return dispatch!(args.backend, dtype_arg(model.dtype), eval(&model, &data, args));
    }
    let (raw, source) = data::load(&args.data).map_err(Failure::Input)?;
    check_width(&model, raw.n_features(), &args.data.data).map_err(Failure::Input)?;
    let n_out = model.layers[model.layers.len() - 1];
    data::check_labels(&raw, &source, model.output, n_out).map_err(Failure::Input)?;
    let data = match &model.standardize {
        Some(s) => data::standardize(&raw, s).map_err(Failure::Input)?,
        None => raw,
    };
    dispatch!(args.backend, dtype_arg(model.dtype), eval(&model, &Examples::Memory(&data), args))
}

/// The examples `eval` scores: loaded, or memory-mapped.
enum Examples<'a> {
    Memory(&'a Dataset<f64>),
    Mapped(&'a crate::stream::Mapped),
}

/// Reads `--model`.
pub fn load_model(path: &std::path::Path) -> anyhow::Result<ModelFile> {
    descent_io::load_model(path).context("--model")
}

/// Refuses data whose width differs from the model's input.
pub fn check_width(model: &ModelFile, n_features: usize, data: &str) -> anyhow::Result<()> {
    if model.layers[0] != n_features {
        return Err(anyhow!(
            "--data {data}: {n_features} features, but the model's input is {} wide",
            model.layers[0]
        ));
    }
    Ok(())
}

/// The scalar type of a model file's tensors.
pub fn dtype_arg(dtype: Dtype) -> DtypeArg {
    match dtype {
        Dtype::F32 => DtypeArg::F32,
        Dtype::F64 => DtypeArg::F64,
    }
}

fn eval<T: Scalar, B: Backend<T>>(
    model: &ModelFile,
    data: &Examples<'_>,
    args: &EvalArgs,
) -> Result<(), Failure> {
    let mlp = model.to_mlp::<T, B>().context("--model").map_err(Failure::Input)?;
    let res = match data {
        Examples::Memory(d) => evaluate(&mlp, &d.cast::<T>()),
        Examples::Mapped(m) => m.with_source(|s| evaluate(&mlp, s)).map_err(Failure::Input)?,
    };
    let res = res.map_err(|e| Failure::Run(e.into()))?;
    let cost_name = if res.accuracy.is_some() { "cost" } else { "mse" };
    if args.json {
        let mut json = serde_json::json!({
            "model": args.model.display().to_string(),
            "data": args.data.data,
            "examples": res.n_examples,
            "output": model.output.name(),
            "cost": res.cost,
            "accuracy": res.accuracy,
        });
        if res.accuracy.is_none() {
            json["mse"] = serde_json::json!(res.cost);
        }
        println!("{json}");
    } else {
        let accuracy = res.accuracy.map_or(String::new(), |a| format!(", accuracy {a:.4}"));
        println!(
            "descent eval: {} on {} ({} examples): {cost_name} {:.6}{accuracy}",
            args.model.display(),
            args.data.data,
            res.n_examples,
            res.cost
        );
    }
    Ok(())
}
