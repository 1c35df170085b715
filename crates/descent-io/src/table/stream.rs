//! Tables larger than memory: an encoding fitted on every row of a file in one streaming pass
//! (`fit_file`), and every row encoded in a second (`encode_file`), holding one CSV record or
//! one Parquet batch at a time, and per column only what the fit needs.

use std::path::Path;

use super::encoding::TableEncoding;
use super::fitter::EncodingFitter;
use super::options::{ColumnOptions, Impute, Unknown};
use super::rows::TableRows;
use crate::error::{IoError, Result};

/// Fits an encoding on every row of the table file `path` (CSV or Parquet), reading it once
/// row by row; returns it with the number of rows. The rules, and the encoding, are those of
/// [`read_table`](super::read_table) followed by [`TableEncoding::fit`] on all rows.
///
/// Memory does not grow with the rows: each column keeps its distinct categories (at most
/// `options.max_categories` + 1) and a compensated sum; `most-frequent` keeps a count per
/// distinct value of a numeric column; the target keeps its classes.
///
/// # Errors
/// [`IoError::Table`] for [`Impute::Median`], which needs every value of a column at once;
/// otherwise as [`read_table`](super::read_table) and [`TableEncoding::fit`].
pub fn fit_file(path: impl AsRef<Path>, options: &ColumnOptions) -> Result<(TableEncoding, usize)> {
    let path = path.as_ref();
    if options.impute == Impute::Median {
        return Err(IoError::Table {
            path: path.to_path_buf(),
            reason: "--impute median needs every value of a column in memory at once, and a \
                     streamed table is never held whole; use --impute mean or most-frequent, \
                     or train on the table itself"
                .into(),
        });
    }
    let rows = TableRows::open(path)?;
    let mut fitter = EncodingFitter::new(path, rows.column_names(), options)?;
    let n_rows = rows.for_each(|row| {
        fitter.observe(row);
        Ok(())
    })?;
    Ok((fitter.finish()?, n_rows))
}

/// Encodes every row of the table file `path` with `encoding`, reading it row by row: `f`
/// gets each row's inputs (a buffer reused from row to row) and, when the file has the target
/// column, its target (class index or value). Returns the number of rows.
///
/// # Errors
/// As [`read_table`](super::read_table), [`TableEncoding::bind_columns`] and
/// [`RowEncoder::encode_row`](super::RowEncoder::encode_row) /
/// [`encode_target`](super::RowEncoder::encode_target); and any error `f` returns.
pub fn encode_file(
    path: impl AsRef<Path>,
    encoding: &TableEncoding,
    unknown: Unknown,
    mut f: impl FnMut(&[f64], Option<f64>) -> Result<()>,
) -> Result<usize> {
    let path = path.as_ref();
    let rows = TableRows::open(path)?;
    let encoder = encoding.bind_columns(path, rows.column_names())?;
    let mut inputs = vec![0.0; encoding.n_inputs()];
    rows.for_each(|row| {
        encoder.encode_row(row, &mut inputs, unknown)?;
        let target = encoder.has_target().then(|| encoder.encode_target(row)).transpose()?;
        f(&inputs, target)
    })
}
