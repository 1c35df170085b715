//! `TableEncoding::fit`: column types, categories, fill values and classes, from the training rows
//! only (through `EncodingFitter`, the same fit `descent encode` streams).

use super::encoding::TableEncoding;
use super::fitter::EncodingFitter;
use super::options::ColumnOptions;
use super::raw::RawTable;
use super::rows::Row;
use crate::error::{IoError, Result};

impl TableEncoding {
    /// Fits the encoding of `table` on the rows `train_rows` (indices from 0; the other rows,
    /// e.g. a validation set, are not looked at).
    ///
    /// The target is `options.target` or the last column; every other column not in
    /// `options.ignore` is an input. An input column is numeric when every non-missing
    /// training cell is a number and it is not in `options.categorical`; otherwise it is
    /// one-hot encoded. A classifier's classes are the distinct training labels, sorted
    /// numerically when all are numbers, else by their bytes.
    ///
    /// # Errors
    /// [`IoError::Table`] when a name in the options is not a column, when numeric columns
    /// have missing cells and `options.impute` is [`Impute::None`](super::Impute::None) (naming each, its count
    /// and first line), when a numeric column has no value at all, when a categorical column
    /// has more than `options.max_categories` values, when numeric labels are not whole
    /// numbers (regression needs `--output linear`), when there are more than
    /// `options.max_classes` classes (unless `options.force_classes`) or fewer than two, or
    /// when nothing is left for the inputs; [`IoError::TableCell`] for a missing label, or a
    /// text label when `options.regression`.
    pub fn fit(table: &RawTable, train_rows: &[usize], options: &ColumnOptions) -> Result<Self> {
        let mut fitter = EncodingFitter::new(&table.path, &table.names, options)?;
        if let Some(&row) = train_rows.iter().find(|&&r| r >= table.n_rows()) {
            return Err(IoError::Table {
                path: table.path.clone(),
                reason: format!(
                    "training row {row} is out of range: the table has {} rows",
                    table.n_rows()
                ),
            });
        }
        for &r in train_rows {
            fitter.observe(&Row::of_table(table, r));
        }
        fitter.finish()
    }
}
