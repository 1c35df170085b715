//! `EncodingFitter`: a `TableEncoding` fitted row by row, keeping per column only what the fit
//! needs (distinct categories up to `--max-categories`, a compensated sum, value counts for
//! `most-frequent`, the values themselves only for `median`), so a table of any length can be
//! fitted in one streaming pass. `TableEncoding::fit` feeds it the training rows of a table
//! in memory; `descent encode` feeds it a file's rows as they are read.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::encoding::{Classes, ColumnKind, InputColumn, TableEncoding, TargetColumn};
use super::options::{ColumnOptions, Impute};
use super::raw::Cell;
use super::rows::Row;
use super::stats::{Neumaier, NumberText, median};
use crate::csv::shorten;
use crate::error::{IoError, Result, RowOrigin};

/// Fits a [`TableEncoding`] from rows given one at a time ([`EncodingFitter::observe`]);
/// [`EncodingFitter::finish`] decides the column types and checks everything
/// [`TableEncoding::fit`] checks, with the same messages.
#[derive(Debug)]
pub struct EncodingFitter {
    path: PathBuf,
    names: Vec<String>,
    options: ColumnOptions,
    target: usize,
    inputs: Vec<ColumnStats>,
    labels: LabelStats,
    n_rows: usize,
}

/// What one input column's cells have shown so far.
#[derive(Debug)]
struct ColumnStats {
    col: usize,
    forced_categorical: bool,
    /// Distinct text cells, then distinct numbers (as bits, `-0` as `0`), kept until the two
    /// together pass `max_categories` (then `overflow`).
    texts: BTreeSet<String>,
    numbers: HashSet<u64>,
    overflow: bool,
    /// A text cell was seen: the column is categorical.
    has_text: bool,
    missing: usize,
    first_missing: Option<RowOrigin>,
    values: ValueStats,
}

/// The numbers of a column, as far as the imputation needs them.
#[derive(Debug, Default)]
struct ValueStats {
    count: usize,
    sum: Neumaier,
    /// Every value (`median` only).
    all: Vec<f64>,
    /// How often each value occurs (`most-frequent` only), by bits with `-0` as `0`.
    counts: HashMap<u64, usize>,
}

/// What the target column's cells have shown so far.
#[derive(Debug, Default)]
struct LabelStats {
    first_missing: Option<RowOrigin>,
    first_text: Option<(RowOrigin, String)>,
    first_fraction: Option<(RowOrigin, f64)>,
    texts: BTreeSet<String>,
    numbers: HashSet<u64>,
}

/// The bits of `x` with `-0` as `0`: numbers equal as values share a key.
fn key(x: f64) -> u64 {
    (x + 0.0).to_bits()
}

impl EncodingFitter {
    /// Starts a fit of a table with the columns `names` (in file order), read from `path`.
    ///
    /// # Errors
    /// [`IoError::Table`] when `options.target`, `options.categorical` or `options.ignore`
    /// names a column the table does not have, or the target is also categorical or ignored.
    pub fn new(path: &Path, names: &[String], options: &ColumnOptions) -> Result<Self> {
        let fail = |reason: String| IoError::Table { path: path.to_path_buf(), reason };
        let columns_list = || quoted(names.iter().map(String::as_str));
        let index = |name: &str| names.iter().position(|n| n == name);
        let target = match &options.target {
            None => names.len() - 1,
            Some(name) => index(name).ok_or_else(|| {
                fail(format!(
                    "--target names `{name}`, which is not a column; the columns are {}",
                    columns_list()
                ))
            })?,
        };
        let target_name = &names[target];
        for (flag, list) in [("--categorical", &options.categorical), ("--ignore", &options.ignore)]
        {
            let unknown: Vec<&str> =
                list.iter().filter(|n| index(n).is_none()).map(String::as_str).collect();
            if !unknown.is_empty() {
                return Err(fail(format!(
                    "{flag} names {}, which {} not a column; the columns are {}",
                    quoted(unknown.iter().copied()),
                    if unknown.len() == 1 { "is" } else { "are" },
                    columns_list()
                )));
            }
            if list.contains(target_name) {
                return Err(fail(format!(
                    "`{target_name}` is the target column; it cannot be {flag} too"
                )));
            }
        }
        let inputs = (0..names.len())
            .filter(|&c| c != target && !options.ignore.contains(&names[c]))
            .map(|col| ColumnStats {
                col,
                forced_categorical: options.categorical.contains(&names[col]),
                texts: BTreeSet::new(),
                numbers: HashSet::new(),
                overflow: false,
                has_text: false,
                missing: 0,
                first_missing: None,
                values: ValueStats::default(),
            })
            .collect();
        Ok(Self {
            path: path.to_path_buf(),
            names: names.to_vec(),
            options: options.clone(),
            target,
            inputs,
            labels: LabelStats::default(),
            n_rows: 0,
        })
    }

    /// Takes one training row into the fit (its cells by the column order of `new`).
    pub fn observe(&mut self, row: &Row<'_>) {
        self.n_rows += 1;
        let (impute, max) = (self.options.impute, self.options.max_categories);
        for column in &mut self.inputs {
            column.observe(row.cell(column.col), row.origin(), impute, max);
        }
        self.labels.observe(row.cell(self.target), row.origin(), self.options.regression);
    }

    /// The encoding: column types, categories, fill values and classes.
    ///
    /// # Errors
    /// As [`TableEncoding::fit`].
    pub fn finish(self) -> Result<TableEncoding> {
        let fail = |reason: String| IoError::Table { path: self.path.clone(), reason };
        if self.n_rows == 0 {
            return Err(fail("there are no training rows to fit the encoding on".into()));
        }
        let mut columns = Vec::new();
        let mut missing_report = Vec::new();
        for column in self.inputs {
            let name = &self.names[column.col];
            let kind = column.finish(name, &self.options, &mut missing_report);
            columns.push(InputColumn { name: name.clone(), kind: kind.map_err(fail)? });
        }
        let target_name = &self.names[self.target];
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
        let classes = self.labels.finish(&self.path, target_name, &self.options)?;
        let target = TargetColumn { name: target_name.clone(), classes };
        Ok(TableEncoding::new(columns, target, self.options.impute))
    }
}

impl ColumnStats {
    fn observe(&mut self, cell: Cell<'_>, at: RowOrigin, impute: Impute, max_categories: usize) {
        let distinct = self.texts.len() + self.numbers.len();
        match cell {
            Cell::Missing => {
                self.missing += 1;
                self.first_missing.get_or_insert(at);
            }
            Cell::Text(s) => {
                if !self.has_text {
                    // Categorical for sure: the statistics of its numbers are not needed.
                    self.has_text = true;
                    self.values = ValueStats::default();
                }
                if !self.overflow && !self.texts.contains(s) {
                    self.texts.insert(s.to_owned());
                    self.overflow = distinct + 1 > max_categories;
                }
            }
            Cell::Number(x) => {
                if !self.overflow && self.numbers.insert(key(x)) {
                    self.overflow = distinct + 1 > max_categories;
                }
                if !self.has_text {
                    self.values.observe(x, impute);
                }
            }
        }
        if self.overflow && !self.texts.is_empty() {
            self.texts.clear();
            self.numbers.clear();
        }
    }

    /// The column's type; a numeric column with missing cells and no imputation adds a line
    /// to `missing_report` (all such columns are reported together).
    fn finish(
        self,
        name: &str,
        options: &ColumnOptions,
        missing_report: &mut Vec<String>,
    ) -> Result<ColumnKind, String> {
        if self.forced_categorical || self.has_text {
            if self.overflow {
                return Err(format!(
                    "column `{name}` has more than {} distinct values (--max-categories): \
                     an id or free text? drop it with --ignore, or raise --max-categories",
                    options.max_categories
                ));
            }
            let mut categories: BTreeSet<String> = self.texts;
            categories.extend(
                self.numbers
                    .iter()
                    .map(|&b| NumberText::new(f64::from_bits(b)).as_str().to_owned()),
            );
            let categories = categories.into_iter().collect();
            return Ok(ColumnKind::Categorical { categories, missing: self.missing > 0 });
        }
        let mut values = self.values;
        if values.count == 0 {
            return Err(format!(
                "column `{name}` has no value in the training rows; drop it with --ignore"
            ));
        }
        if self.missing > 0 && options.impute == Impute::None {
            let at = self.first_missing.map(|o| o.to_string()).unwrap_or_default();
            missing_report.push(format!(
                "column `{name}` has {} missing cell{}, the first at {at}",
                self.missing,
                if self.missing == 1 { "" } else { "s" }
            ));
        }
        Ok(ColumnKind::Numeric {
            fill: match options.impute {
                Impute::None => None,
                Impute::Mean => Some(values.sum.total() / values.count as f64),
                Impute::Median => Some(median(&mut values.all)),
                Impute::MostFrequent => Some(values.most_frequent()),
            },
        })
    }
}

impl ValueStats {
    fn observe(&mut self, x: f64, impute: Impute) {
        self.count += 1;
        match impute {
            Impute::None => {}
            Impute::Mean => self.sum.add(x),
            Impute::Median => self.all.push(x),
            Impute::MostFrequent => *self.counts.entry(key(x)).or_insert(0) += 1,
        }
    }

    /// The most frequent value, the smallest of them on a tie (scikit-learn's
    /// `SimpleImputer(strategy="most_frequent")`).
    fn most_frequent(&self) -> f64 {
        let mut best: Option<(f64, usize)> = None;
        for (&bits, &n) in &self.counts {
            let x = f64::from_bits(bits);
            let better = match best {
                None => true,
                Some((b, m)) => n > m || (n == m && x.total_cmp(&b).is_lt()),
            };
            if better {
                best = Some((x, n));
            }
        }
        best.map_or(0.0, |(x, _)| x)
    }
}

impl LabelStats {
    fn observe(&mut self, cell: Cell<'_>, at: RowOrigin, regression: bool) {
        match cell {
            Cell::Missing => {
                self.first_missing.get_or_insert(at);
            }
            Cell::Text(s) => {
                if self.first_text.is_none() {
                    self.first_text = Some((at, shorten(s)));
                }
                if !regression && !self.texts.contains(s) {
                    self.texts.insert(s.to_owned());
                }
            }
            Cell::Number(x) => {
                if x.fract() != 0.0 && self.first_fraction.is_none() {
                    self.first_fraction = Some((at, x));
                }
                if !regression {
                    self.numbers.insert(key(x));
                }
            }
        }
    }

    /// The classes (`None` for regression), after the checks of every training label.
    fn finish(self, path: &Path, name: &str, options: &ColumnOptions) -> Result<Option<Classes>> {
        let cell_err = |at: RowOrigin, reason: String| IoError::TableCell {
            path: path.to_path_buf(),
            at,
            column: name.to_owned(),
            reason,
        };
        let fail = |reason: String| IoError::Table { path: path.to_path_buf(), reason };
        if let Some(at) = self.first_missing {
            return Err(cell_err(at, "the label is missing; every training row needs one".into()));
        }
        if options.regression {
            if let Some((at, text)) = self.first_text {
                return Err(cell_err(
                    at,
                    format!(
                        "`{text}` is not a number; a regression target (--output linear) must be"
                    ),
                ));
            }
            return Ok(None);
        }
        let classes = if self.first_text.is_none() {
            if let Some((at, x)) = self.first_fraction {
                return Err(fail(format!(
                    "the target `{name}` has values that are not whole numbers ({x} at {at}): \
                     regression needs --output linear"
                )));
            }
            let mut values: Vec<f64> = self.numbers.iter().map(|&b| f64::from_bits(b)).collect();
            values.sort_unstable_by(f64::total_cmp);
            Classes::numeric(values)
        } else {
            let mut names = self.texts;
            names.extend(
                self.numbers
                    .iter()
                    .map(|&b| NumberText::new(f64::from_bits(b)).as_str().to_owned()),
            );
            Classes { names: names.into_iter().collect(), values: None }
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
}

/// Names quoted and comma-separated: `` `a`, `b` ``.
pub(crate) fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
