//! `descent predict`: one prediction per example, as CSV on standard output or in `--out`:
//! `class,probability` for a classifier (the probability of the predicted class), `value` (or
//! `value1..valueK`) for regression.
//!
//! A `.npy` features file is not loaded: it is memory-mapped (`MmapDataset::open_features`),
//! standardized on the fly with the model's statistics (`Standardized`) and read one chunk of
//! examples at a time. Every other source (CSV, built-in data) is loaded in memory. Both paths
//! standardize in `f64` and only then convert to the model's scalar type, so a `.npy` file and
//! a CSV file of the same values give the same predictions.

use std::sync::Mutex;

use anyhow::Context;
use descent::train::{DataSource, Dataset, FeatureStats, Output, Standardized, predict};
use descent::{Backend, Scalar};
use descent_io::{MmapDataset, ModelFile};

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
    let name = &args.data.data;
    let csv = if !data::is_built_in(name) && descent_io::is_npy(std::path::Path::new(name)) {
        let mapped = MmapDataset::open_features(name).context("--data").map_err(Failure::Input)?;
        check_width(&model, DataSource::<f64>::n_features(&mapped), name)
            .map_err(Failure::Input)?;
        // One streaming pass rejects NaN or infinite features, as loading the file does.
        FeatureStats::scan::<f64>(&mapped)
            .with_context(|| format!("--data {name}"))
            .map_err(Failure::Input)?;
        match &model.standardize {
            Some(s) => {
                let stats = FeatureStats { mean: s.mean.clone(), std: s.std.clone() };
                let source = Standardized::new::<f64>(&mapped, &stats)
                    .context("--model: the standardization does not fit the data")
                    .map_err(Failure::Input)?;
                dispatch!(args.backend, dtype_arg(model.dtype), predictions(&model, &source))?
            }
            None => dispatch!(args.backend, dtype_arg(model.dtype), predictions(&model, &mapped))?,
        }
    } else {
        let (n_features, mut x) =
            data::load_features(&args.data, model.layers[0]).map_err(Failure::Input)?;
        check_width(&model, n_features, name).map_err(Failure::Input)?;
        if let Some(s) = &model.standardize {
            data::standardize_features(&mut x, n_features, s);
        }
        let m = x.len() / n_features;
        let data = Dataset::new(n_features, x, 1, vec![0.0; m])
            .context("--data")
            .map_err(Failure::Input)?;
        dispatch!(args.backend, dtype_arg(model.dtype), predictions(&model, &data))?
    };
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

/// The network's inputs: the examples of an `f64` source (already standardized), converted to
/// the model's scalar type as each one is read, with zero targets of the width the output
/// layer checks (`n_out` for a linear output, one label otherwise). The targets are never used.
struct Inputs<'a, S: ?Sized> {
    source: &'a S,
    n_targets: usize,
    /// One example in `f64`, reused (a lock so that the source stays `Sync`).
    scratch: Mutex<Vec<f64>>,
}

impl<T: Scalar, S: DataSource<f64> + ?Sized> DataSource<T> for Inputs<'_, S> {
    fn n_examples(&self) -> usize {
        self.source.n_examples()
    }

    fn n_features(&self) -> usize {
        self.source.n_features()
    }

    fn n_targets(&self) -> usize {
        self.n_targets
    }

    fn read_example(&self, j: usize, out: &mut [T]) {
        let mut x = self.scratch.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.source.read_example(j, &mut x);
        for (o, &v) in out.iter_mut().zip(x.iter()) {
            *o = T::from_f64(v);
        }
    }

    fn read_target(&self, _j: usize, out: &mut [T]) {
        out.fill(T::ZERO);
    }
}

/// The predictions as CSV bytes.
fn predictions<T: Scalar, B: Backend<T>>(
    model: &ModelFile,
    data: &(impl DataSource<f64> + ?Sized),
) -> Result<Vec<u8>, Failure> {
    let mlp = model.to_mlp::<T, B>().context("--model").map_err(Failure::Input)?;
    let n_out = model.layers[model.layers.len() - 1];
    let inputs = Inputs {
        source: data,
        n_targets: if model.output == Output::Linear { n_out } else { 1 },
        scratch: Mutex::new(vec![0.0; data.n_features()]),
    };
    let outputs = predict(&mlp, &inputs).map_err(|e| Failure::Run(e.into()))?;
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

#[cfg(test)]
mod tests {
    use descent::Ndarray;
    use descent::train::{Activation, Init, Mlp, MlpConfig};

    use super::*;

    #[test]
    fn inputs_give_the_outputs_of_the_cast_data_set_for_a_linear_output_of_two() {
        let config = MlpConfig {
            layers: vec![2, 3, 2],
            hidden: Activation::Relu,
            output: Output::Linear,
            init: Init::He,
            seed: 7,
        };
        let mlp = Mlp::<f32, Ndarray>::new(&config).unwrap();
        let x = vec![0.1, -1.3, 2.7, 0.4, -0.9, 1.1];
        let features = Dataset::new(2, x.clone(), 1, vec![0.0; 3]).unwrap();
        let inputs = Inputs { source: &features, n_targets: 2, scratch: Mutex::new(vec![0.0; 2]) };
        let in_memory = Dataset::new(2, x, 2, vec![0.0; 6]).unwrap().cast::<f32>();
        let expected = predict(&mlp, &in_memory).unwrap();
        assert_eq!(expected.len(), 6);
        assert_eq!(predict(&mlp, &inputs).unwrap(), expected);
        // One target per example does not fit two linear outputs.
        let one = Inputs { source: &features, n_targets: 1, scratch: Mutex::new(vec![0.0; 2]) };
        assert!(predict(&mlp, &one).is_err());
    }
}
