//! `TableEncoding::fit`: column types, categories, fill values and classes, from the training rows only.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::encoding::{Classes, ColumnKind, InputColumn, TableEncoding, TargetColumn};
use super::options::{ColumnOptions, Impute};
use super::raw::{Cell, RawTable};
use super::stats::{NumberText, mean, median, most_frequent};
use crate::csv::shorten;
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
    /// have missing cells and `options.impute` is [`Impute::None`] (naming each, its count
    /// and first line), when a numeric column has no value at all, when a categorical column
    /// has more than `options.max_categories` values, when numeric labels are not whole
    /// numbers (regression needs `--output linear`), when there are more than
    /// `options.max_classes` classes (unless `options.force_classes`) or fewer than two, or
    /// when nothing is left for the inputs; [`IoError::TableCell`] for a missing label, or a
    /// text label when `options.regression`.
    pub fn fit(table: &RawTable, train_rows: &[usize], options: &ColumnOptions) -> Result<Self> {
        let fail = |reason: String| IoError::Table { path: table.path.clone(), reason };
        let columns_list = || quoted(table.column_names().iter().map(String::as_str));
        let target = match &options.target {
            None => table.n_columns() - 1,
            Some(name) => table.column_index(name).ok_or_else(|| {
                fail(format!(
                    "--target names `{name}`, which is not a column; the columns are {}",
                    columns_list()
                ))
            })?,
        };
        let target_name = &table.names[target];
        for (flag, names) in
            [("--categorical", &options.categorical), ("--ignore", &options.ignore)]
        {
            let unknown: Vec<&str> = names
                .iter()
                .filter(|n| table.column_index(n).is_none())
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                return Err(fail(format!(
                    "{flag} names {}, which {} not a column; the columns are {}",
                    quoted(unknown.iter().copied()),
                    if unknown.len() == 1 { "is" } else { "are" },
                    columns_list()
                )));
            }
            if names.contains(target_name) {
                return Err(fail(format!(
                    "`{target_name}` is the target column; it cannot be {flag} too"
                )));
            }
        }
        if train_rows.is_empty() {
            return Err(fail("there are no training rows to fit the encoding on".into()));
        }
        if let Some(&row) = train_rows.iter().find(|&&r| r >= table.n_rows()) {
            return Err(fail(format!(
                "training row {row} is out of range: the table has {} rows",
                table.n_rows()
            )));
        }

        let mut columns = Vec::new();
        let mut missing_report = Vec::new();
        for (col, name) in table.names.iter().enumerate() {
            if col == target || options.ignore.contains(name) {
                continue;
            }
            let forced = options.categorical.contains(name);
            let kind = fit_column(table, train_rows, col, forced, options, &mut missing_report)?;
            columns.push(InputColumn { name: name.clone(), kind });
        }
        if !missing_report.is_empty() {
            return Err(fail(format!(
                "{}; fill them with --impute mean, median or most-frequent, or drop the \
                 columns with --ignore",
                missing_report.join("; ")
            )));
        }
        if columns.is_empty() {
            return Err(fail(format!(
                "no column is left for the inputs: the target is `{target_name}` and the \
                 others are ignored"
            )));
        }
        let classes = fit_classes(table, train_rows, target, options)?;
        let target = TargetColumn { name: target_name.clone(), classes };
        Ok(TableEncoding::new(columns, target, options.impute))
    }
}

/// The type of one input column; a numeric column with missing cells and no imputation adds
/// a line to `missing_report` (all such columns are reported together).
fn fit_column(
    table: &RawTable,
    rows: &[usize],
    col: usize,
    forced_categorical: bool,
    options: &ColumnOptions,
    missing_report: &mut Vec<String>,
) -> Result<ColumnKind> {
    let name = &table.names[col];
    let numeric =
        !forced_categorical && rows.iter().all(|&r| !matches!(table.cell(r, col), Cell::Text(_)));
    if !numeric {
        let mut categories: BTreeSet<Cow<'_, str>> = BTreeSet::new();
        let mut missing = false;
        for &r in rows {
            match table.cell(r, col) {
                Cell::Missing => missing = true,
                Cell::Number(x) => {
                    categories.insert(Cow::Owned(NumberText::new(x).as_str().to_owned()));
                }
                Cell::Text(s) => {
                    categories.insert(Cow::Borrowed(s));
                }
            }
            if categories.len() > options.max_categories {
                return Err(IoError::Table {
                    path: table.path.clone(),
                    reason: format!(
                        "column `{name}` has more than {} distinct values (--max-categories): \
                         an id or free text? drop it with --ignore, or raise --max-categories",
                        options.max_categories
                    ),
                });
            }
        }
        let categories = categories.into_iter().map(Cow::into_owned).collect();
        return Ok(ColumnKind::Categorical { categories, missing });
    }
    let mut values: Vec<f64> = rows
        .iter()
        .filter_map(|&r| match table.cell(r, col) {
            Cell::Number(x) => Some(x),
            _ => None,
        })
        .collect();
    let n_missing = rows.len() - values.len();
    if values.is_empty() {
        return Err(IoError::Table {
            path: table.path.clone(),
            reason: format!(
                "column `{name}` has no value in the training rows; drop it with --ignore"
            ),
        });
    }
    if n_missing > 0 && options.impute == Impute::None {
        let first = rows.iter().find(|&&r| table.cell(r, col) == Cell::Missing).copied();
        let at = first.map(|r| table.origin(r).to_string()).unwrap_or_default();
        missing_report.push(format!(
            "column `{name}` has {n_missing} missing cell{}, the first at {at}",
            if n_missing == 1 { "" } else { "s" }
        ));
    }
    let fill = match options.impute {
        Impute::None => None,
        Impute::Mean => Some(mean(&values)),
        Impute::Median => Some(median(&mut values)),
        Impute::MostFrequent => Some(most_frequent(&mut values)),
    };
    Ok(ColumnKind::Numeric { fill })
}

/// The classes of the target column (`None` for regression), checking every training label.
fn fit_classes(
    table: &RawTable,
    rows: &[usize],
    col: usize,
    options: &ColumnOptions,
) -> Result<Option<Classes>> {
    let name = &table.names[col];
    let cell_err = |r: usize, reason: String| IoError::TableCell {
        path: table.path.clone(),
        at: table.origin(r),
        column: name.clone(),
        reason,
    };
    let fail = |reason: String| IoError::Table { path: table.path.clone(), reason };
    if let Some(&r) = rows.iter().find(|&&r| table.cell(r, col) == Cell::Missing) {
        return Err(cell_err(r, "the label is missing; every training row needs one".into()));
    }
    let text_row = rows.iter().copied().find(|&r| matches!(table.cell(r, col), Cell::Text(_)));
    if options.regression {
        if let Some(r) = text_row {
            let Cell::Text(s) = table.cell(r, col) else { unreachable!() };
            return Err(cell_err(
                r,
                format!(
                    "`{}` is not a number; a regression target (--output linear) must be",
                    shorten(s)
                ),
            ));
        }
        return Ok(None);
    }
    let classes = if text_row.is_none() {
        let mut values: Vec<f64> = rows
            .iter()
            .map(|&r| match table.cell(r, col) {
                Cell::Number(x) => x,
                _ => unreachable!("every label is a number"),
            })
            .collect();
        if let Some(&r) = rows
            .iter()
            .find(|&&r| matches!(table.cell(r, col), Cell::Number(x) if x.fract() != 0.0))
        {
            let Cell::Number(x) = table.cell(r, col) else { unreachable!() };
            return Err(fail(format!(
                "the target `{name}` has values that are not whole numbers ({x} at {}): \
                 regression needs --output linear",
                table.origin(r)
            )));
        }
        values.sort_unstable_by(f64::total_cmp);
        values.dedup();
        Classes::numeric(values)
    } else {
        let names: BTreeSet<Cow<'_, str>> = rows
            .iter()
            .map(|&r| match table.cell(r, col) {
                Cell::Number(x) => Cow::Owned(NumberText::new(x).as_str().to_owned()),
                Cell::Text(s) => Cow::Borrowed(s),
                Cell::Missing => unreachable!("no label is missing"),
            })
            .collect();
        Classes { names: names.into_iter().map(Cow::into_owned).collect(), values: None }
    };
    let n = classes.names.len();
    if n > options.max_classes && !options.force_classes {
        return Err(fail(format!(
            "the target `{name}` has {n} distinct values in the training rows, more than \
             --max-classes {}: for regression ask for --output linear; to train a classifier \
             anyway, raise --max-classes or ask for --output softmax",
            options.max_classes
        )));
    }
    if n < 2 {
        return Err(fail(format!(
            "the target `{name}` has one class (`{}`) in the training rows; a classifier needs two",
            classes.names[0]
        )));
    }
    Ok(Some(classes))
}

/// Names quoted and comma-separated: `` `a`, `b` ``.
pub(crate) fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
