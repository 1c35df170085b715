//! Applying a fitted `TableEncoding` to a table: columns found by name once, then rows encoded without allocating.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::encoding::{ColumnKind, TableEncoding};
use super::fitter::quoted;
use super::options::Unknown;
use super::raw::{Cell, RawTable};
use super::rows::Row;
use super::stats::NumberText;
use crate::csv::shorten;
use crate::error::{IoError, Result};

/// A [`TableEncoding`] with the positions of its columns in one table, from
/// [`TableEncoding::bind`]: encodes that table's rows.
#[derive(Debug, Clone)]
pub struct BoundEncoding<'a> {
    rows: RowEncoder<'a>,
    table: &'a RawTable,
}

/// A [`TableEncoding`] with the positions of its columns among a file's column names, from
/// [`TableEncoding::bind_columns`]: encodes [`Row`]s of that file as they are read.
#[derive(Debug, Clone)]
pub struct RowEncoder<'a> {
    encoding: &'a TableEncoding,
    path: PathBuf,
    /// The file's column for each input column.
    columns: Vec<usize>,
    target: Option<usize>,
}

impl TableEncoding {
    /// Finds the encoding's columns in `table` by name: any order, extra columns ignored.
    /// The target column may be absent (data to predict on); then
    /// [`BoundEncoding::encode_target`] fails.
    ///
    /// # Errors
    /// [`IoError::Table`] naming every input column that `table` lacks.
    pub fn bind<'a>(&'a self, table: &'a RawTable) -> Result<BoundEncoding<'a>> {
        let rows = self.bind_columns(&table.path, &table.names)?;
        Ok(BoundEncoding { rows, table })
    }

    /// Finds the encoding's columns among `names`, the columns of the file `path` (as
    /// [`TableRows::column_names`](super::TableRows::column_names) lists them), as
    /// [`TableEncoding::bind`] does for a table in memory.
    ///
    /// # Errors
    /// [`IoError::Table`] naming every input column that `names` lacks.
    pub fn bind_columns(&self, path: &Path, names: &[String]) -> Result<RowEncoder<'_>> {
        let index: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let missing: Vec<&str> = self
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !index.contains_key(n))
            .collect();
        if !missing.is_empty() {
            return Err(IoError::Table {
                path: path.to_path_buf(),
                reason: format!(
                    "the model's input column{} {} {} not in the table; its columns are {}",
                    if missing.len() == 1 { "" } else { "s" },
                    quoted(missing.iter().copied()),
                    if missing.len() == 1 { "is" } else { "are" },
                    quoted(names.iter().map(String::as_str))
                ),
            });
        }
        let columns = self.columns.iter().map(|c| index[c.name.as_str()]).collect();
        let target = index.get(self.target.name.as_str()).copied();
        Ok(RowEncoder { encoding: self, path: path.to_path_buf(), columns, target })
    }
}

impl BoundEncoding<'_> {
    /// Whether the table has the target column.
    #[must_use]
    pub fn has_target(&self) -> bool {
        self.rows.has_target()
    }

    /// The number of rows of the table.
    #[must_use]
    pub fn n_rows(&self) -> usize {
        self.table.n_rows()
    }

    /// Writes the inputs of row `row` into `out` (of [`TableEncoding::n_inputs`] values), as
    /// [`RowEncoder::encode_row`]. Allocates nothing unless it fails.
    ///
    /// # Errors
    /// As [`RowEncoder::encode_row`].
    ///
    /// # Panics
    /// When `row` is out of range.
    pub fn encode_row(&self, row: usize, out: &mut [f64], unknown: Unknown) -> Result<()> {
        self.rows.encode_row(&Row::of_table(self.table, row), out, unknown)
    }

    /// The target of row `row`, as [`RowEncoder::encode_target`].
    ///
    /// # Errors
    /// As [`RowEncoder::encode_target`].
    ///
    /// # Panics
    /// When `row` is out of range.
    pub fn encode_target(&self, row: usize) -> Result<f64> {
        self.rows.encode_target(&Row::of_table(self.table, row))
    }
}

impl RowEncoder<'_> {
    /// Whether the file has the target column.
    #[must_use]
    pub fn has_target(&self) -> bool {
        self.target.is_some()
    }

    /// Writes the inputs of `row` into `out` (of [`TableEncoding::n_inputs`] values).
    /// Allocates nothing unless it fails.
    ///
    /// # Errors
    /// [`IoError::TableCell`] naming the line and column for text in a numeric column, a
    /// missing cell in a numeric column fitted without imputation, or (with
    /// [`Unknown::Error`]) a category the training rows did not have;
    /// [`IoError::Table`] when `out` has the wrong length.
    ///
    /// # Panics
    /// When `row` has fewer columns than the file the encoder was bound to.
    pub fn encode_row(&self, row: &Row<'_>, out: &mut [f64], unknown: Unknown) -> Result<()> {
        let enc = self.encoding;
        if out.len() != enc.n_inputs() {
            return Err(IoError::Table {
                path: self.path.clone(),
                reason: format!(
                    "the encoding writes {} inputs, the buffer has {}",
                    enc.n_inputs(),
                    out.len()
                ),
            });
        }
        for (k, (column, &col)) in enc.columns.iter().zip(&self.columns).enumerate() {
            let slot = &mut out[enc.offsets[k]..enc.offsets[k + 1]];
            let cell = row.cell(col);
            let reason = match (&column.kind, cell) {
                (ColumnKind::Numeric { .. }, Cell::Number(x)) => {
                    slot[0] = x;
                    continue;
                }
                (ColumnKind::Numeric { fill: Some(fill) }, Cell::Missing) => {
                    slot[0] = *fill;
                    continue;
                }
                (ColumnKind::Numeric { fill: None }, Cell::Missing) => {
                    "the cell is missing and the model was trained without --impute".to_owned()
                }
                (ColumnKind::Numeric { .. }, Cell::Text(s)) => {
                    format!("`{}` is not a number (the column is numeric)", shorten(s))
                }
                (ColumnKind::Categorical { categories, missing }, cell) => {
                    slot.fill(0.0);
                    let number;
                    let found = match cell {
                        Cell::Missing => missing.then_some(categories.len()),
                        Cell::Number(x) => {
                            number = NumberText::new(x);
                            find(categories, number.as_str())
                        }
                        Cell::Text(s) => find(categories, s),
                    };
                    match (found, unknown) {
                        (Some(i), _) => {
                            slot[i] = 1.0;
                            continue;
                        }
                        (None, Unknown::Ignore) => continue,
                        (None, Unknown::Error) => unseen(cell),
                    }
                }
            };
            return Err(self.cell_error(row, &column.name, reason));
        }
        Ok(())
    }

    /// The target of `row`: the class index (as `f64`) for a classifier, the value for
    /// regression.
    ///
    /// # Errors
    /// [`IoError::Table`] when the file has no target column; [`IoError::TableCell`] for a
    /// missing label, a class the training rows did not have (naming it), or text as a
    /// regression target.
    pub fn encode_target(&self, row: &Row<'_>) -> Result<f64> {
        let name = &self.encoding.target.name;
        let Some(col) = self.target else {
            return Err(IoError::Table {
                path: self.path.clone(),
                reason: format!("the table has no target column `{name}`"),
            });
        };
        let cell = row.cell(col);
        let reason = match (&self.encoding.target.classes, cell) {
            (_, Cell::Missing) => "the label is missing".to_owned(),
            (None, Cell::Number(x)) => return Ok(x),
            (None, Cell::Text(s)) => {
                format!("`{}` is not a number; the model is a regression", shorten(s))
            }
            (Some(classes), cell) => {
                let found = match (&classes.values, cell) {
                    (Some(values), Cell::Number(x)) => {
                        values.binary_search_by(|v| v.total_cmp(&(x + 0.0))).ok()
                    }
                    (None, Cell::Number(x)) => find(&classes.names, NumberText::new(x).as_str()),
                    (None, Cell::Text(s)) => find(&classes.names, s),
                    _ => None,
                };
                if let Some(k) = found {
                    return Ok(k as f64);
                }
                let label = match cell {
                    Cell::Number(x) => NumberText::new(x).as_str().to_owned(),
                    Cell::Text(s) => shorten(s),
                    Cell::Missing => String::new(),
                };
                format!(
                    "the class `{label}` is not one the model was trained on ({})",
                    quoted(classes.names.iter().map(String::as_str))
                )
            }
        };
        Err(self.cell_error(row, name, reason))
    }

    fn cell_error(&self, row: &Row<'_>, column: &str, reason: String) -> IoError {
        IoError::TableCell {
            path: self.path.clone(),
            at: row.origin(),
            column: column.to_owned(),
            reason,
        }
    }
}

/// The position of `key` in sorted `names`.
fn find(names: &[String], key: &str) -> Option<usize> {
    names.binary_search_by(|n| n.as_str().cmp(key)).ok()
}

/// The message for a category the training rows did not have.
fn unseen(cell: Cell<'_>) -> String {
    let value = match cell {
        Cell::Missing => "a missing cell".to_owned(),
        Cell::Number(x) => format!("`{}`", NumberText::new(x).as_str()),
        Cell::Text(s) => format!("`{}`", shorten(s)),
    };
    format!(
        "{value} is a category the training rows did not have; --unknown ignore encodes it \
         as all zeros"
    )
}
