//! `descent predict`: one prediction per example, as CSV on standard output or in `--out`:
//! `class,probability` for a classifier (the probability of the predicted class; with
//! `--proba` also `p_<class name>` for every class), `value` (or `value1..valueK`) for
//! regression. Numbers are written in the model's scalar type as Rust's `Display` writes them:
//! the shortest text that reads back to the same `f32`/`f64`.
//!
//! A `.npy` features file is not loaded: it is memory-mapped (`MmapDataset::open_features`),
//! standardized on the fly with the model's statistics (`Standardized`) and read one chunk of
//! examples at a time, and each chunk's rows are written as soon as they are computed, so
//! nothing grows with the data. Every other source (CSV, built-in data) is loaded in memory.
//! Both paths standardize in `f64` and only then convert to the model's scalar type, so a
//! `.npy` file and a CSV file of the same values give the same predictions. `--out` is written
//! through a temporary file renamed over it at the end (`AtomicFile`): a failed run leaves an
//! existing file as it was.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use descent::train::{DataSource, Dataset, FeatureStats, Output, Standardized, predict_chunks};
use descent::{Backend, Scalar};
use descent_io::{AtomicFile, MmapDataset, ModelFile};

use crate::args::{DtypeArg, PredictArgs};
use crate::failure::Failure;
use crate::output::boundary::class_of;
use crate::plan::model::{check_width, class_names, load_model};
use crate::plan::{data, table};
use crate::run::{check_no_clobber, check_output_folder};

/// Runs `descent predict`.
pub fn run(args: &PredictArgs) -> Result<(), Failure> {
    crate::threads::set(crate::threads::ONE);
    check_output_folder("--out", args.out.as_deref()).map_err(Failure::Input)?;
    data::check_no_header(&args.data).map_err(Failure::Input)?;
    let data_file = std::path::Path::new(&args.data.data);
    check_no_clobber(
        &[("--out", args.out.as_deref())],
        &[
            ("--data", Some(data_file).filter(|p| p.is_file())),
            ("--model", Some(args.model.as_path())),
        ],
        &[],
    )
    .map_err(Failure::Input)?;
    let model = load_model(&args.model).map_err(Failure::Input)?;
    let name = &args.data.data;
    let mut out = Destination::open(args.out.as_deref())?;
    let w = &mut out.writer;
    if !data::is_built_in(name) && descent_io::is_npy(std::path::Path::new(name)) {
        let mapped = MmapDataset::open_features(name).context("--data").map_err(Failure::Input)?;
        check_width(&model, DataSource::<f64>::n_features(&mapped), name)
            .map_err(Failure::Input)?;
        // One streaming pass rejects NaN or infinite features, as loading the file does.
        FeatureStats::scan::<f64>(&mapped)
            .with_context(|| format!("--data {name}"))
            .map_err(Failure::Input)?;
        let dtype = DtypeArg::from(model.dtype);
        match &model.standardize {
            Some(stats) => {
                let source = Standardized::new::<f64>(&mapped, stats)
                    .context("--model: the standardization does not fit the data")
                    .map_err(Failure::Input)?;
                dispatch!(args.backend, dtype, predictions(&model, &source, args.proba, w))?
            }
            None => dispatch!(args.backend, dtype, predictions(&model, &mapped, args.proba, w))?,
        }
    } else {
        let (n_features, mut x) = match &model.encoding {
            Some(enc) if table::is_table(name) => {
                // Read by column name and encoded as in training; a label column is ignored.
                let path = std::path::Path::new(name);
                let (d, _) = table::encode_file(
                    enc,
                    path,
                    data::header(&args.data),
                    None,
                    args.unknown.into(),
                    false,
                )
                .map_err(Failure::Input)?;
                (d.n_features(), d.features().to_vec())
            }
            _ => data::load_features(&args.data, model.layers[0]).map_err(Failure::Input)?,
        };
        check_width(&model, n_features, name).map_err(Failure::Input)?;
        if let Some(stats) = &model.standardize {
            for example in x.chunks_mut(n_features.max(1)) {
                stats.apply(example);
            }
        }
        let m = x.len() / n_features;
        let data = Dataset::new(n_features, x, 1, vec![0.0; m])
            .context("--data")
            .map_err(Failure::Input)?;
        dispatch!(
            args.backend,
            DtypeArg::from(model.dtype),
            predictions(&model, &data, args.proba, w)
        )?
    }
    out.finish()
}

/// Where the CSV goes: `--out` through a temporary file renamed into place at the end, or
/// standard output.
enum Sink {
    File(AtomicFile),
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}

/// The CSV writer of `descent predict` and where it writes.
struct Destination {
    writer: csv::Writer<Sink>,
    /// `--out`'s path, for error messages; `None` for standard output.
    path: Option<PathBuf>,
}

impl Destination {
    fn open(out: Option<&Path>) -> Result<Self, Failure> {
        let sink = match out {
            Some(path) => Sink::File(
                AtomicFile::create(path)
                    .with_context(|| format!("--out {}", path.display()))
                    .map_err(Failure::Run)?,
            ),
            None => Sink::Stdout(std::io::BufWriter::new(std::io::stdout().lock())),
        };
        Ok(Self { writer: csv::Writer::from_writer(sink), path: out.map(Path::to_path_buf) })
    }

    /// Flushes the rows; for `--out`, renames the file into place.
    fn finish(self) -> Result<(), Failure> {
        let what = match &self.path {
            Some(path) => format!("writing --out {}", path.display()),
            None => "writing to standard output".to_owned(),
        };
        let sink = self.writer.into_inner().map_err(|e| anyhow::anyhow!("{what}: {}", e.error()));
        match sink.map_err(Failure::Run)? {
            Sink::File(f) => f.commit().context(what).map_err(Failure::Run),
            Sink::Stdout(mut s) => s.flush().context(what).map_err(Failure::Run),
        }
    }
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

/// Writes the predictions as CSV rows to `w`, one chunk of examples at a time; with `proba`,
/// every class's probability too.
fn predictions<T: Scalar, B: Backend<T>>(
    model: &ModelFile,
    data: &(impl DataSource<f64> + ?Sized),
    proba: bool,
    w: &mut csv::Writer<Sink>,
) -> Result<(), Failure> {
    let mlp = model.to_mlp::<T, B>().context("--model").map_err(Failure::Input)?;
    let n_out = model.layers[model.layers.len() - 1];
    // A table's classes by name; a model of numeric labels prints the class index.
    let classes = class_names(model);
    let output = model.output;
    let inputs = Inputs {
        source: data,
        n_targets: if output == Output::Linear { n_out } else { 1 },
        scratch: Mutex::new(vec![0.0; data.n_features()]),
    };
    let header: Vec<String> = match output {
        Output::Linear if n_out == 1 => vec!["value".into()],
        Output::Linear => (1..=n_out).map(|k| format!("value{k}")).collect(),
        _ => {
            let mut header = vec!["class".to_owned(), "probability".to_owned()];
            if proba {
                header.extend(classes.iter().map(|name| format!("p_{name}")));
            }
            header
        }
    };
    let mut failed: Option<csv::Error> = None;
    if write_row(w, &header, &mut failed).is_continue() {
        let mut row = Vec::with_capacity(n_out.max(2) + classes.len());
        predict_chunks(&mlp, &inputs, |outputs| {
            for col in outputs.chunks(n_out) {
                row.clear();
                if output == Output::Linear {
                    row.extend(col.iter().map(ToString::to_string));
                } else {
                    let class = class_of(output, col);
                    let p = class_probability(output, col, class);
                    row.extend([classes[class].clone(), p.to_string()]);
                    if proba {
                        let n_classes = classes.len();
                        row.extend(
                            (0..n_classes).map(|k| class_probability(output, col, k).to_string()),
                        );
                    }
                }
                write_row(w, &row, &mut failed)?;
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| Failure::Run(e.into()))?;
    }
    match failed {
        Some(e) => Err(Failure::Run(anyhow::Error::new(e).context("writing the predictions"))),
        None => Ok(()),
    }
}

/// The probability of class `k` in one output column: a sigmoid gives class 1's, so class 0's
/// is `1 − p`.
fn class_probability<T: Scalar>(output: Output, col: &[T], k: usize) -> T {
    match output {
        Output::Sigmoid if k == 0 => T::ONE - col[0],
        Output::Sigmoid => col[0],
        _ => col[k],
    }
}

/// Writes one CSV row; on failure keeps the error in `failed` and breaks.
fn write_row(
    w: &mut csv::Writer<Sink>,
    row: &[String],
    failed: &mut Option<csv::Error>,
) -> ControlFlow<()> {
    match w.write_record(row) {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => {
            *failed = Some(e);
            ControlFlow::Break(())
        }
    }
}

#[cfg(test)]
mod tests {
    use descent::Ndarray;
    use descent::train::{Activation, Init, Mlp, MlpConfig, predict};

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
