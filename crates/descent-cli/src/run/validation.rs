//! `--validation-data` and `--validation-labels`: the file of an explicit validation set,
//! given now or stored in a resumed checkpoint, checked for the labels a `.npy` file needs.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

use super::stored::Stored;
use crate::args::TrainArgs;

/// The file of `--validation-data`.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationFile {
    /// The features (a table, or `.npy`).
    pub data: String,
    /// `--validation-labels`: the labels of a `.npy` file.
    pub labels: Option<PathBuf>,
}

/// `--validation-data` and `--validation-labels` (labels only with a `.npy` file).
pub(super) fn validation_file(
    args: &TrainArgs,
    s: &Stored,
) -> anyhow::Result<Option<ValidationFile>> {
    let text = |t: &str| Ok::<_, String>(Some(t.to_owned()));
    let data = s.value("validation_data", args.validation_data.clone(), text)?;
    let labels = s.value("validation_labels", args.validation_labels.clone(), |t| {
        Ok::<_, String>(Some(PathBuf::from(t)))
    })?;
    match (data, labels) {
        (None, None) => Ok(None),
        (None, Some(l)) => Err(anyhow!(
            "--validation-labels {}: give --validation-data, the features they label",
            l.display()
        )),
        (Some(data), labels) => {
            let npy = descent_io::is_npy(Path::new(&data));
            match (npy, &labels) {
                (true, None) => Err(anyhow!(
                    "--validation-data {data}: a .npy file needs --validation-labels PATH"
                )),
                (false, Some(l)) => Err(anyhow!(
                    "--validation-labels {}: only for a .npy --validation-data; a table holds \
                     its labels in the --target column",
                    l.display()
                )),
                _ => Ok(Some(ValidationFile { data, labels })),
            }
        }
    }
}
