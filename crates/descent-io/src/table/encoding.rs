//! `TableEncoding`: what a fit decided about each column (type, categories, fill value) and the target's classes.

use super::options::Impute;
use super::stats::NumberText;

/// How a table's rows become a network's inputs and targets: fitted on training rows by
/// [`TableEncoding::fit`], applied to any table with the same column names by
/// [`TableEncoding::bind`], stored in model files by [`TableEncoding::to_json`].
///
/// Inputs follow the table's column order at fit time: a numeric column is one input (its
/// missing cells filled with the column's statistic), a categorical column one input per
/// category seen in the training rows, in byte order of the text, the missing category
/// last.
#[derive(Debug, Clone, PartialEq)]
pub struct TableEncoding {
    pub(crate) columns: Vec<InputColumn>,
    pub(crate) target: TargetColumn,
    pub(crate) impute: Impute,
    /// The first input of each column, then the total.
    pub(crate) offsets: Vec<usize>,
    pub(crate) input_names: Vec<String>,
}

/// One column that makes inputs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InputColumn {
    pub(crate) name: String,
    pub(crate) kind: ColumnKind,
}

/// A column's type as fitted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnKind {
    /// One input; missing cells get `fill` (`None`: fitted without imputation).
    Numeric { fill: Option<f64> },
    /// One input per category (sorted, distinct, as [`NumberText`] spells numbers), and one
    /// more after them when `missing` (the missing cells were a category of their own).
    Categorical { categories: Vec<String>, missing: bool },
}

/// The target column and, for a classifier, its classes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetColumn {
    pub(crate) name: String,
    /// `None` for regression.
    pub(crate) classes: Option<Classes>,
}

/// A classifier's classes in order: by value when every label is a number (`values`), else
/// by the bytes of the names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classes {
    pub(crate) names: Vec<String>,
    pub(crate) values: Option<Vec<f64>>,
}

/// The name of a categorical column's missing category in input names: `column=NA`.
pub const MISSING_CATEGORY: &str = "NA";

impl TableEncoding {
    /// Assembles an encoding, computing the input names and offsets.
    pub(crate) fn new(columns: Vec<InputColumn>, target: TargetColumn, impute: Impute) -> Self {
        let mut offsets = Vec::with_capacity(columns.len() + 1);
        let mut input_names = Vec::new();
        for column in &columns {
            offsets.push(input_names.len());
            match &column.kind {
                ColumnKind::Numeric { .. } => input_names.push(column.name.clone()),
                ColumnKind::Categorical { categories, missing } => {
                    input_names.extend(categories.iter().map(|c| format!("{}={c}", column.name)));
                    if *missing {
                        input_names.push(format!("{}={MISSING_CATEGORY}", column.name));
                    }
                }
            }
        }
        offsets.push(input_names.len());
        Self { columns, target, impute, offsets, input_names }
    }

    /// The number of inputs a row encodes to (the network's input width).
    #[must_use]
    pub fn n_inputs(&self) -> usize {
        self.input_names.len()
    }

    /// The name of each input: the column's name for a numeric column, `column=value` for a
    /// category (`column=NA` for the missing category).
    #[must_use]
    pub fn input_names(&self) -> &[String] {
        &self.input_names
    }

    /// Which inputs are numeric columns (those `--standardize` may scale); one-hot inputs
    /// are `false`.
    #[must_use]
    pub fn numeric_inputs(&self) -> Vec<bool> {
        let mut out = vec![false; self.n_inputs()];
        for (column, &first) in self.columns.iter().zip(&self.offsets) {
            if matches!(column.kind, ColumnKind::Numeric { .. }) {
                out[first] = true;
            }
        }
        out
    }

    /// The input columns in order, each with the number of inputs it makes (for messages
    /// about the input width).
    #[must_use]
    pub fn column_widths(&self) -> Vec<(&str, usize)> {
        self.columns
            .iter()
            .zip(self.offsets.windows(2))
            .map(|(c, w)| (c.name.as_str(), w[1] - w[0]))
            .collect()
    }

    /// The names of the input columns, in order.
    #[must_use]
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The categories of input column `name` (without the missing one), `None` when it is
    /// numeric or not an input column.
    #[must_use]
    pub fn categories(&self, name: &str) -> Option<&[String]> {
        self.columns.iter().find(|c| c.name == name).and_then(|c| match &c.kind {
            ColumnKind::Categorical { categories, .. } => Some(categories.as_slice()),
            ColumnKind::Numeric { .. } => None,
        })
    }

    /// The fill value of numeric input column `name` (`None`: fitted without imputation, or
    /// not a numeric input column).
    #[must_use]
    pub fn fill_value(&self, name: &str) -> Option<f64> {
        self.columns.iter().find(|c| c.name == name).and_then(|c| match c.kind {
            ColumnKind::Numeric { fill } => fill,
            ColumnKind::Categorical { .. } => None,
        })
    }

    /// The imputation the encoding was fitted with.
    #[must_use]
    pub fn impute(&self) -> Impute {
        self.impute
    }

    /// The target column's name.
    #[must_use]
    pub fn target_name(&self) -> &str {
        &self.target.name
    }

    /// The class names in order (class `k` is `classes()[k]`; with two classes the second is
    /// the positive one), `None` for regression.
    #[must_use]
    pub fn classes(&self) -> Option<&[String]> {
        self.target.classes.as_ref().map(|c| c.names.as_slice())
    }
}

impl Classes {
    /// Builds the classes from sorted distinct numbers.
    pub(crate) fn numeric(values: Vec<f64>) -> Self {
        let names = values.iter().map(|&x| NumberText::new(x).as_str().to_owned()).collect();
        Self { names, values: Some(values) }
    }
}
