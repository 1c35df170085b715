//! `descent eval`: cost, accuracy and the metrics of `descent_train::metrics` (for a
//! classifier the confusion matrix, precision/recall/F1, log loss, ROC-AUC; for regression
//! MSE, RMSE, MAE, R²) of a saved model on a data set, as a readable report or one line of
//! JSON. One pass over the data; on memory-mapped `.npy` files nothing is kept per example
//! but ROC-AUC's scores (one model-dtype value per example, one per class for softmax).

use anyhow::Context;
use descent::train::metrics::evaluate_metrics;
use descent::{Backend, Scalar};
use descent_io::ModelFile;

use crate::args::{DtypeArg, EvalArgs};
use crate::failure::Failure;
use crate::output::report;
use crate::plan::mapped::{self, Mapped};
use crate::plan::model::{check_width, class_names, load_model};
use crate::plan::{Examples, data, table};

/// Runs `descent eval`.
pub fn run(args: &EvalArgs) -> Result<(), Failure> {
    crate::threads::set(crate::threads::ONE);
    data::check_no_header(&args.data).map_err(Failure::Input)?;
    let model = load_model(&args.model).map_err(Failure::Input)?;
    let n_out = model.layers[model.layers.len() - 1];
    let examples = if mapped::is_npy_pair(&args.data) {
        // The features stay on disk, memory-mapped; one streaming pass checks them.
        let mut mapped = Mapped::open(&args.data, true).map_err(Failure::Input)?;
        check_width(&model, mapped.n_features(), &args.data.data).map_err(Failure::Input)?;
        let source = mapped::source(&args.data);
        // The labels are read from the mapping: nothing is copied.
        data::check_labels(&mapped.data, &source, model.output, n_out).map_err(Failure::Input)?;
        if let Some(s) = &model.standardize {
            mapped.apply(s.clone());
        }
        Examples::Mapped(Box::new(mapped))
    } else if let (Some(enc), true) = (&model.encoding, table::is_table(&args.data.data)) {
        // Read by column name and encoded as in training; labels may be class names.
        let path = std::path::Path::new(&args.data.data);
        let (raw, has_target) = table::encode_file(
            enc,
            path,
            data::header(&args.data),
            args.data.target.as_deref(),
            args.unknown.into(),
            true,
        )
        .map_err(Failure::Input)?;
        if !has_target {
            return Err(Failure::Input(anyhow::anyhow!(
                "--data {}: no column {:?}, the model's target",
                args.data.data,
                enc.target_name()
            )));
        }
        Examples::Memory(match &model.standardize {
            Some(s) => data::standardize(&raw, s).map_err(Failure::Input)?,
            None => raw,
        })
    } else {
        let (raw, source) = data::load(&args.data).map_err(Failure::Input)?;
        check_width(&model, raw.n_features(), &args.data.data).map_err(Failure::Input)?;
        data::check_labels(&raw, &source, model.output, n_out).map_err(Failure::Input)?;
        Examples::Memory(match &model.standardize {
            Some(s) => data::standardize(&raw, s).map_err(Failure::Input)?,
            None => raw,
        })
    };
    dispatch!(args.backend, DtypeArg::from(model.dtype), eval(&model, &examples, args))
}

fn eval<T: Scalar, B: Backend<T>>(
    model: &ModelFile,
    data: &Examples,
    args: &EvalArgs,
) -> Result<(), Failure> {
    let mlp = model.to_mlp::<T, B>().context("--model").map_err(Failure::Input)?;
    let res = match data {
        Examples::Memory(d) => evaluate_metrics(&mlp, &d.cast::<T>()),
        Examples::Mapped(m) => {
            m.with_source(|s| evaluate_metrics(&mlp, s)).map_err(Failure::Input)?
        }
    };
    let (res, metrics) = res.map_err(|e| Failure::Run(e.into()))?;
    let classes = class_names(model);
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
        report::add_json(&mut json, &metrics, &classes);
        println!("{json}");
    } else {
        let accuracy = res.accuracy.map_or(String::new(), |a| format!(", accuracy {a:.4}"));
        let headline = format!(
            "descent eval: {} on {} ({} examples): {cost_name} {:.6}{accuracy}",
            args.model.display(),
            args.data.data,
            res.n_examples,
            res.cost
        );
        print!("{}", report::text(&headline, &metrics, &classes));
    }
    Ok(())
}
