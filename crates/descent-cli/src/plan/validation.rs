//! `--validation-data`: an explicit validation set read like `--data` — a table encoded with
//! the training rows' encoding (the same `--target` column), or `.npy` features with
//! `--validation-labels`, or a numeric CSV — and checked against the network's inputs and
//! outputs before training starts.

use std::path::Path;

use anyhow::{Context, anyhow};
use descent::train::Dataset;
use descent_io::{TableEncoding, Unknown};

use super::data::header;
use super::table;
use crate::run::{RunSpec, ValidationFile};

/// The validation examples of `file`, not yet standardized: `n_in` inputs, labels that are
/// classes of the network's `n_classes` (`None`: regression).
pub fn load(
    file: &ValidationFile,
    spec: &RunSpec,
    encoding: Option<&TableEncoding>,
    n_in: usize,
    n_classes: Option<usize>,
) -> anyhow::Result<Dataset<f64>> {
    let path = Path::new(&file.data);
    let flag = format!("--validation-data {}", file.data);
    if !path.is_file() {
        return Err(anyhow!("{flag}: no such file"));
    }
    let data = match encoding {
        Some(e) => {
            let target = spec.data.target.as_deref();
            let (data, has_target) =
                table::encode_file(e, path, header(&spec.data), target, Unknown::Ignore, true)
                    .with_context(|| flag.clone())?;
            if !has_target {
                return Err(anyhow!(
                    "{flag}: no column {:?}, the target of the training rows",
                    e.target_name()
                ));
            }
            data
        }
        None => descent_io::load_dataset(path, file.labels.as_deref(), spec.data.target.as_deref())
            .with_context(|| flag.clone())?,
    };
    if data.n_features() != n_in {
        return Err(anyhow!(
            "{flag}: {} inputs per example, the training data has {n_in}",
            data.n_features()
        ));
    }
    if let Some(k) = n_classes {
        check_labels(&data, k, &flag)?;
    }
    Ok(data)
}

/// Refuses labels the network cannot score: one label per example, each a class index below
/// `classes`.
fn check_labels(data: &Dataset<f64>, classes: usize, flag: &str) -> anyhow::Result<()> {
    if data.n_targets() != 1 {
        return Err(anyhow!("{flag}: {} labels per example, expected one", data.n_targets()));
    }
    let bad =
        data.targets().iter().position(|&t| !(t >= 0.0 && t.fract() == 0.0 && t < classes as f64));
    match bad {
        None => Ok(()),
        Some(j) => Err(anyhow!(
            "{flag}: example {j} has label {}, not a class of the training data",
            data.targets()[j]
        )),
    }
}
