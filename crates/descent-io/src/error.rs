//! `IoError`: everything that can be wrong with a data or model file, naming the file and the place.

use std::fmt;
use std::path::PathBuf;

/// A data or model file that cannot be read or written.
///
/// Every variant names the file; variants about a part of a file also name the line and column
/// (CSV), the array (`.npy`) or the tensor (safetensors) at fault. Messages are lowercase with
/// no trailing period, ready to print after `error: `.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The operating system refused to open, read, write or rename a file.
    #[error("{path}: cannot {action}: {error}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was attempted, e.g. `"read the file"`.
        action: &'static str,
        /// The operating system's error.
        error: std::io::Error,
    },
    /// The folder a file is to be written into does not exist.
    #[error("{path}: the folder {folder} does not exist")]
    MissingFolder {
        /// The file that was to be written.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
    },
    /// The file holds no data at all (no bytes, only a header row, or an array of no examples).
    #[error("{path}: {what}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// What is missing, e.g. `"the file is empty"`.
        what: String,
    },
    /// A CSV row is malformed as a whole: ragged, not UTF-8, or unreadable.
    #[error("{path}, line {line}: {reason}")]
    CsvRow {
        /// The file.
        path: PathBuf,
        /// The line (from 1) where the row starts.
        line: u64,
        /// What is wrong, in words.
        reason: String,
    },
    /// A CSV cell is not a finite number.
    #[error("{path}, line {line}, column `{column}`: {reason}")]
    CsvCell {
        /// The file.
        path: PathBuf,
        /// The line (from 1) of the row.
        line: u64,
        /// The column's name from the header row.
        column: String,
        /// What is wrong, quoting the cell.
        reason: String,
    },
    /// The requested target column is not in the CSV header (or is there more than once).
    #[error("{path}: {reason}; the columns are {columns}")]
    Target {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the requested column.
        reason: String,
        /// The header's column names, comma-separated and quoted.
        columns: String,
    },
    /// A `.npy` file is malformed, truncated, of an unsupported dtype or of the wrong shape.
    #[error("{path}: {reason}")]
    Npy {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// A value in an array is NaN or infinite.
    #[error("{path}: {what} is {value}, not a finite number")]
    NotFinite {
        /// The file.
        path: PathBuf,
        /// Where the value is, e.g. `"feature 2 of example 7"` or `"tensor `W1`, element 3"`.
        what: String,
        /// The value.
        value: f64,
    },
    /// The features and the labels describe different numbers of examples.
    #[error(
        "{features} has {n_features} examples but {labels} has {n_labels} labels; \
         they must describe the same examples"
    )]
    CountMismatch {
        /// The features file.
        features: PathBuf,
        /// Its number of examples.
        n_features: usize,
        /// The labels file.
        labels: PathBuf,
        /// Its number of labels.
        n_labels: usize,
    },
    /// A model file is not a readable safetensors file, or its metadata is missing or invalid.
    #[error("{path}: {reason}")]
    Model {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// A tensor of a model file is missing, unexpected, of the wrong shape or dtype.
    #[error("{path}: tensor `{tensor}`: {reason}")]
    Tensor {
        /// The file.
        path: PathBuf,
        /// The tensor's name, e.g. `"W2"`.
        tensor: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// A cell of a table ([`RawTable`](crate::RawTable)) that cannot be read or encoded.
    #[error("{path}, {at}, column `{column}`: {reason}")]
    TableCell {
        /// The file.
        path: PathBuf,
        /// The row: its CSV line or its Parquet row index.
        at: RowOrigin,
        /// The column's name.
        column: String,
        /// What is wrong, quoting the cell.
        reason: String,
    },
    /// A table's columns do not fit the encoding asked for (an unknown column name, missing
    /// cells without `--impute`, too many categories or classes, a missing input column).
    #[error("{path}: {reason}")]
    Table {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the columns and the flag that would help.
        reason: String,
    },
    /// A Parquet file that cannot be read, or holds a column of a type tables do not read.
    #[error("{path}: {reason}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// A combination of files that does not describe a data set (e.g. `.npy` features without
    /// labels).
    #[error("{path}: {reason}")]
    Unsupported {
        /// The data file.
        path: PathBuf,
        /// What is wrong, in words.
        reason: String,
    },
    /// A checkpoint is resumed on another data set than it was trained on.
    #[error(
        "{path} was trained on {expected}, but the data given has {got}; resume on the same \
         data"
    )]
    DataMismatch {
        /// The checkpoint.
        path: PathBuf,
        /// The fingerprint stored in the checkpoint.
        expected: String,
        /// The fingerprint of the data given.
        got: String,
    },
    /// The data of a file is valid on its own but not as a data set or a network (e.g. a model
    /// whose widths do not fit its output kind).
    #[error("{path}: {error}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The check that failed.
        error: descent_core::Error,
    },
}

/// Where a row of a [`RawTable`](crate::RawTable) came from, for messages: `line 7` or `row index 6`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOrigin {
    /// The CSV line (from 1; the header is line 1) where the row starts.
    Line(u64),
    /// The row's index (from 0) in a Parquet file.
    Index(usize),
}

impl fmt::Display for RowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowOrigin::Line(line) => write!(f, "line {line}"),
            RowOrigin::Index(i) => write!(f, "row index {i}"),
        }
    }
}

/// `Result` with [`IoError`] as the default error type.
pub type Result<T, E = IoError> = std::result::Result<T, E>;

impl IoError {
    /// The file at fault (the features file for [`IoError::CountMismatch`]).
    #[must_use]
    pub fn path(&self) -> &std::path::Path {
        match self {
            IoError::Io { path, .. }
            | IoError::MissingFolder { path, .. }
            | IoError::Empty { path, .. }
            | IoError::CsvRow { path, .. }
            | IoError::CsvCell { path, .. }
            | IoError::Target { path, .. }
            | IoError::Npy { path, .. }
            | IoError::NotFinite { path, .. }
            | IoError::Model { path, .. }
            | IoError::Tensor { path, .. }
            | IoError::TableCell { path, .. }
            | IoError::Table { path, .. }
            | IoError::Parquet { path, .. }
            | IoError::Unsupported { path, .. }
            | IoError::DataMismatch { path, .. }
            | IoError::Invalid { path, .. } => path,
            IoError::CountMismatch { features, .. } => features,
        }
    }

    pub(crate) fn io(path: &std::path::Path, action: &'static str, error: std::io::Error) -> Self {
        IoError::Io { path: path.to_path_buf(), action, error }
    }
}
