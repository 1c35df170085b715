//! The flags of `descent encode`: a table (CSV or Parquet) of any size encoded into the
//! float32 `.npy` pair that `train` memory-maps, with the column flags of `train`.

use std::path::PathBuf;

use clap::Args;

use super::train::ColumnArgs;
use super::values::OutputArg;

/// `descent encode` flags.
#[derive(Debug, Args)]
pub struct EncodeArgs {
    /// The table: a CSV file with a header row, or a .parquet file. It is read twice, row by
    /// row (once to fit the encoding, once to write), never whole.
    #[arg(long, value_name = "PATH")]
    pub data: PathBuf,
    /// The label column [default: the last column].
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// How the columns are encoded (as `train` does; --impute median is refused: a median
    /// needs every value in memory).
    #[command(flatten)]
    pub columns: ColumnArgs,
    /// The output `train` will use: linear for a numeric (regression) target, softmax to
    /// insist on classes past --max-classes [default: classes].
    #[arg(long, value_enum)]
    pub output: Option<OutputArg>,
    /// The features file, float32, shape (rows, inputs); the fitted encoding is written
    /// beside it as <stem>.encoding.json, which `train --data` picks up.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// The labels file, float32, shape (rows,): class indices of the encoding's class names
    /// (values for --output linear).
    #[arg(long, value_name = "PATH")]
    pub labels: PathBuf,
}
