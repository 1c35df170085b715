//! The file formats of **descent**: data sets from CSV and NumPy `.npy` files, and the model
//! file, a safetensors file that numpy and PyTorch read as it is.
//!
//! - [`load_csv`] / [`load_csv_features`]: a header row and numeric cells, the label in the last
//!   column or a named one; [`load_csv_dataset`] turns it into a
//!   [`Dataset`](descent_train::Dataset);
//! - [`load_npy_features`] (shape (examples, features), float32/float64) and
//!   [`load_npy_labels`] (shape (examples,) or (examples, 1), any numeric dtype);
//!   [`load_npy_dataset`] pairs them;
//! - [`MmapDataset`]: the same `.npy` pair (or the features alone, for prediction)
//!   memory-mapped, for data larger than memory: training copies each batch's examples
//!   straight from the files; [`NpyWriter`] writes such files in pieces;
//! - [`load_dataset`]: either, chosen by the file's extension, as the command line's `--data`,
//!   `--labels` and `--target` describe;
//! - [`save_model`] / [`load_model`]: the model file ([`ModelFile`]: `W1..WL`, `b1..bL` and
//!   metadata; see the [`model`] module for the layout); [`load_parameters`] reads only the
//!   tensors, for starting training from another tool's file;
//! - [`save_checkpoint`] / [`load_checkpoint`]: a model file plus the optimizer state, the
//!   position, the settings and the data's fingerprint ([`Checkpoint`]; see the
//!   [`checkpoint`] module): training resumes bit for bit, and `load_model` reads it as a model;
//! - [`read_table`] and [`TableEncoding`]: real tables (CSV or Parquet, text, categories,
//!   missing cells) fitted into an encoding of inputs and classes, applied row by row, and
//!   stored in the model file (see the [`table`] module);
//! - [`write_atomic`]: how every file is saved: a temporary file, flushed, renamed over the
//!   target.
//!
//! Every function returns [`IoError`], whose message names the file and the line, column,
//! array or tensor at fault; no input makes them panic, and sizes declared in a header are
//! checked against the file's length before anything is allocated for them.
//!
//! # Example
//! Train on a CSV file, save the network, read it back:
//! ```
//! use descent_io::{Dtype, ModelFile, load_csv_dataset, load_model, save_model};
//! use descent_ndarray::Ndarray;
//! use descent_train::{Mlp, MlpConfig, evaluate};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = std::env::temp_dir();
//! let data_path = dir.join(format!("descent-io-doc-lib-{}.csv", std::process::id()));
//! std::fs::write(&data_path, "x1,x2,label\n0.1,0.2,0\n0.9,0.8,1\n0.2,0.1,0\n")?;
//! let data = load_csv_dataset(&data_path, Some("label"))?;
//! assert_eq!((data.n_examples(), data.n_features()), (3, 2));
//!
//! let mlp = Mlp::<f64, Ndarray>::new(&MlpConfig::course())?;
//! let model_path = dir.join(format!("descent-io-doc-lib-{}.safetensors", std::process::id()));
//! save_model(&model_path, &ModelFile::from_mlp(&mlp, Dtype::F64, None))?;
//!
//! let model = load_model(&model_path)?;
//! assert_eq!(model.layers, [2, 5, 2, 1]);
//! let back: Mlp<f64, Ndarray> = model.to_mlp()?;
//! assert_eq!(evaluate(&back, &data)?, evaluate(&mlp, &data)?);
//! # std::fs::remove_file(&data_path)?;
//! # std::fs::remove_file(&model_path)?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod atomic;
pub mod checkpoint;
mod csv;
mod dataset;
mod error;
mod mmap;
pub mod model;
mod npy;
mod npy_write;
pub mod table;
#[cfg(test)]
mod test_util;

pub use atomic::{AtomicFile, write_atomic};
pub use checkpoint::{
    CHECKPOINT_VERSION, Checkpoint, ControlState, DataFingerprint, TrainingSettings,
    load_checkpoint, save_checkpoint,
};
pub use csv::{Header, Table, load_csv, load_csv_features, load_csv_features_with, load_csv_with};
pub use dataset::{is_npy, load_csv_dataset, load_dataset, load_npy_dataset};
pub use error::{IoError, Result};
pub use mmap::MmapDataset;
pub use model::{
    Dtype, MODEL_FORMAT, MODEL_VERSION, ModelFile, Parameters, load_model, load_parameters,
    save_model,
};
pub use npy::{load_npy_features, load_npy_labels};
pub use npy_write::NpyWriter;
pub use table::{
    BoundEncoding, Cell, ColumnOptions, Impute, RawTable, RowOrigin, TableEncoding, Unknown,
    read_table, read_table_with,
};
