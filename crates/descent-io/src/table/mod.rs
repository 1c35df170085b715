//! Real tables: a CSV or Parquet file of named columns with text, numbers and missing cells,
//! fitted into a [`TableEncoding`] (column types, one-hot categories, imputation, class
//! names) on the training rows and applied to any table with the same column names.
//!
//! ```
//! use descent_io::table::{ColumnOptions, Impute, TableEncoding, Unknown, read_table};
//!
//! let path = std::env::temp_dir().join(format!("descent-io-doc-table-{}.csv", std::process::id()));
//! std::fs::write(&path, "bill,island,species\n39.1,Torgersen,Adelie\nNA,Biscoe,Gentoo\n\
//!                        46.5,Dream,Chinstrap\n50.0,Biscoe,Gentoo\n")?;
//! let table = read_table(&path)?;
//! let options = ColumnOptions { target: Some("species".into()), impute: Impute::Median, ..Default::default() };
//! let train_rows = [0, 1, 2];
//! let encoding = TableEncoding::fit(&table, &train_rows, &options)?;
//! assert_eq!(encoding.input_names(), ["bill", "island=Biscoe", "island=Dream", "island=Torgersen"]);
//! assert_eq!(encoding.classes().unwrap(), ["Adelie", "Chinstrap", "Gentoo"]);
//!
//! let bound = encoding.bind(&table)?;
//! let mut inputs = vec![0.0; encoding.n_inputs()];
//! bound.encode_row(1, &mut inputs, Unknown::Error)?;
//! assert_eq!(inputs, [(39.1 + 46.5) / 2.0, 1.0, 0.0, 0.0]);
//! assert_eq!(bound.encode_target(1)?, 2.0);
//! assert_eq!(TableEncoding::from_json(&encoding.to_json())?, encoding);
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod encoding;
mod fit;
mod fitter;
mod json;
mod options;
mod raw;
mod read_csv;
mod read_parquet;
mod rows;
mod stats;
mod stream;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;

use std::path::Path;

use crate::csv::Header;

pub use apply::{BoundEncoding, RowEncoder};
pub use encoding::{MISSING_CATEGORY, TableEncoding};
pub use fitter::EncodingFitter;
pub use json::{ENCODING_FORMAT, InvalidEncoding};
pub use options::{ColumnOptions, Impute, Unknown};
pub use raw::{Cell, MISSING, RawTable, RowOrigin};
pub use rows::{Row, TableRows};
pub use stream::{encode_file, fit_file};

use crate::error::Result;

/// Reads a table: a Parquet file when the name ends in `.parquet`, else a CSV file whose
/// first row names the columns.
///
/// CSV cells are trimmed of spaces; [`MISSING`] lists the missing ones; a cell Rust's `f64`
/// parser reads is a number; anything else is text. Parquet numeric columns are numbers
/// (NaN is missing), strings and booleans text, dictionaries their values, nulls missing.
///
/// # Errors
/// [`IoError::Io`](crate::IoError::Io) when the file cannot be read;
/// [`IoError::Empty`](crate::IoError::Empty) for no rows;
/// [`IoError::CsvRow`](crate::IoError::CsvRow) for a ragged or unreadable CSV row;
/// [`IoError::TableCell`](crate::IoError::TableCell) for an infinite number (`inf`, `1e999`)
/// or a NaN not written as a missing cell, naming the line (or row index) and column;
/// [`IoError::Table`](crate::IoError::Table) for a column name that appears twice;
/// [`IoError::Parquet`](crate::IoError::Parquet) for a file the Parquet reader refuses or a
/// column of another type (dates, lists, …).
pub fn read_table(path: impl AsRef<Path>) -> Result<RawTable> {
    read_table_with(path, Header::FirstRow)
}

/// [`read_table`] for a CSV file with or without a header row ([`Header::Absent`]: the
/// columns are named `x1`…`xn`).
///
/// # Errors
/// As [`read_table`].
pub fn read_table_with(path: impl AsRef<Path>, header: Header) -> Result<RawTable> {
    let rows = TableRows::open_with(path, header)?;
    let (path, names) = (rows.path().to_path_buf(), rows.column_names().to_vec());
    let mut table = raw::Builder::new(&path, names.clone());
    rows.for_each(|row| {
        for (c, name) in names.iter().enumerate() {
            table.push(row.cell(c)).map_err(|reason| crate::IoError::TableCell {
                path: path.clone(),
                at: row.origin(),
                column: name.clone(),
                reason,
            })?;
        }
        table.origin(row.origin());
        Ok(())
    })?;
    Ok(table.finish())
}

/// Whether `path` names a Parquet file (its extension is `parquet`, in any case).
#[must_use]
pub fn is_parquet(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}
