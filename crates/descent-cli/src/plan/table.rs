//! Tables (CSV or Parquet) as the network sees them: the columns encoded by
//! `descent_io::TableEncoding` — numeric inputs (imputed with `--impute`), one-hot categories,
//! class names — fitted on the training rows only (after the stratified `--validation` split)
//! and stored in the model, so `eval` and `predict` read columns by name and encode them the
//! same way.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, anyhow};
use descent::train::{Dataset, FeatureStats, Output};
use descent_io::{Cell, ColumnOptions, Impute, RawTable, TableEncoding, Unknown};

use super::split;
use crate::args::{ColumnArgs, ImputeArg};

/// A table read for training: the encoded training and validation rows, and the encoding.
pub struct Encoded {
    /// The training rows, encoded (targets: class indices, or values for regression).
    pub train: Dataset<f64>,
    /// The held-out rows of `--validation`, encoded with the same encoding.
    pub validation: Option<Dataset<f64>>,
    /// The encoding fitted on the training rows.
    pub encoding: TableEncoding,
    /// The training rows' `--sample-weight` values.
    pub weights: Option<Vec<f64>>,
}

/// The library's options from the column flags.
pub fn options(
    columns: &ColumnArgs,
    target: Option<&str>,
    output: Option<Output>,
) -> ColumnOptions {
    ColumnOptions {
        target: target.map(str::to_owned),
        categorical: columns.categorical.clone(),
        ignore: columns.ignore.clone(),
        impute: match columns.impute {
            ImputeArg::None => Impute::None,
            ImputeArg::Mean => Impute::Mean,
            ImputeArg::Median => Impute::Median,
            ImputeArg::MostFrequent => Impute::MostFrequent,
        },
        max_categories: columns.max_categories,
        max_classes: columns.max_classes,
        regression: output == Some(Output::Linear),
        force_classes: output == Some(Output::Softmax),
    }
}

/// Reads `path`, splits its rows (stratified by the label's text for classification), fits
/// the encoding on the training rows and encodes both parts. Validation rows with a category
/// the training rows did not have encode it as none of the known ones. The `sample_weight`
/// column, when named, is no input: its training rows' values are the examples' weights.
pub fn load(
    path: &Path,
    options: &ColumnOptions,
    validation: Option<f64>,
    seed: u64,
    sample_weight: Option<&str>,
) -> anyhow::Result<Encoded> {
    let table = descent_io::read_table(path).context("--data")?;
    let weight_col = sample_weight.map(|name| weight_column(&table, name, options)).transpose()?;
    let mut options = options.clone();
    options.ignore.extend(sample_weight.map(str::to_owned));
    let options = &options;
    let m = table.n_rows();
    let (train_rows, val_rows) = match validation {
        None => ((0..m).collect(), Vec::new()),
        Some(f) => {
            let keys = (!options.regression).then(|| label_keys(&table, options)).transpose()?;
            split::rows(m, f, seed, keys.as_deref())?
        }
    };
    let encoding = TableEncoding::fit(&table, &train_rows, options).context("--data")?;
    let train = encode(&encoding, &table, &train_rows, Unknown::Error, true)?;
    let validation =
        validation.map(|_| encode(&encoding, &table, &val_rows, Unknown::Ignore, true));
    let weights = weight_col.map(|col| weights(&table, col, &train_rows)).transpose()?;
    Ok(Encoded { train, validation: validation.transpose()?, encoding, weights })
}

/// The index of the `--sample-weight` column: a column of the table that is neither the
/// target nor in `--categorical`.
fn weight_column(table: &RawTable, name: &str, options: &ColumnOptions) -> anyhow::Result<usize> {
    let col = table.column_index(name).ok_or_else(|| {
        anyhow!(
            "--sample-weight {name}: no such column in {}; the columns are {:?}",
            table.path().display(),
            table.column_names()
        )
    })?;
    let target = options.target.as_deref().or(table.column_names().last().map(String::as_str));
    if target == Some(name) || options.categorical.iter().any(|c| c == name) {
        return Err(anyhow!(
            "--sample-weight {name}: the column is the target or categorical; weights are a \
             numeric column of their own"
        ));
    }
    Ok(col)
}

/// The weights in column `col` of `rows`: finite non-negative numbers, the first bad cell
/// named by its line.
fn weights(table: &RawTable, col: usize, rows: &[usize]) -> anyhow::Result<Vec<f64>> {
    let name = &table.column_names()[col];
    rows.iter()
        .map(|&r| match table.cell(r, col) {
            Cell::Number(w) if w >= 0.0 => Ok(w),
            cell => {
                let shown = match cell {
                    Cell::Missing => "a missing cell".to_owned(),
                    Cell::Number(w) => format!("{w}"),
                    Cell::Text(t) => format!("{t:?}"),
                };
                Err(anyhow!(
                    "--sample-weight {name}: {}, {}: {shown} is not a weight (a finite number \
                     ≥ 0)",
                    table.path().display(),
                    table.origin(r)
                ))
            }
        })
        .collect()
}

/// Each row's label as a class key (rows with the same label text share one), for the
/// stratified split.
fn label_keys(table: &RawTable, options: &ColumnOptions) -> anyhow::Result<Vec<usize>> {
    let names = table.column_names();
    let col = match &options.target {
        Some(t) => table
            .column_index(t)
            .ok_or_else(|| anyhow!("--target {t}: no such column; the columns are {names:?}"))?,
        None => names.len().checked_sub(1).context("--data: the table has no column")?,
    };
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    Ok((0..table.n_rows())
        .map(|r| {
            let key = match table.cell(r, col) {
                Cell::Missing => String::new(),
                Cell::Number(v) => v.to_string(),
                Cell::Text(t) => t.to_owned(),
            };
            let next = ids.len();
            *ids.entry(key).or_insert(next)
        })
        .collect())
}

/// The rows `rows` of `table` encoded: inputs, and with `targets` the labels (zeros without,
/// or when the table has no target column).
pub fn encode(
    encoding: &TableEncoding,
    table: &RawTable,
    rows: &[usize],
    unknown: Unknown,
    targets: bool,
) -> anyhow::Result<Dataset<f64>> {
    let bound = encoding.bind(table).context("--data")?;
    let n = encoding.n_inputs();
    let mut x = vec![0.0; n * rows.len()];
    for (i, &r) in rows.iter().enumerate() {
        bound.encode_row(r, &mut x[i * n..(i + 1) * n], unknown).context("--data")?;
    }
    let y = if targets && bound.has_target() {
        rows.iter().map(|&r| bound.encode_target(r)).collect::<Result<Vec<_>, _>>()?
    } else {
        vec![0.0; rows.len()]
    };
    Ok(Dataset::new(n, x, 1, y)?)
}

/// `--standardize` for a table: the numeric inputs' statistics; one-hot inputs are left as
/// they are (mean 0, standard deviation 1).
pub fn standardization(
    encoding: &TableEncoding,
    data: &Dataset<f64>,
) -> anyhow::Result<FeatureStats> {
    let mut stats = FeatureStats::scan::<f64>(data).context("--standardize")?;
    for (i, numeric) in encoding.numeric_inputs().into_iter().enumerate() {
        if !numeric {
            stats.mean[i] = 0.0;
            stats.std[i] = 1.0;
        }
    }
    Ok(stats)
}

/// Whether `--data` names a table the encoding reads: a file that is not `.npy`.
pub fn is_table(data: &str) -> bool {
    let path = Path::new(data);
    path.is_file() && !descent_io::is_npy(path)
}

/// Every row of the table `path` encoded with a model's `encoding` (for `eval` with
/// `targets`, `predict` without): the columns found by name; `--target`, when given, must be
/// the model's target column. Also says whether the table has the target column.
pub fn encode_file(
    encoding: &TableEncoding,
    path: &Path,
    target: Option<&str>,
    unknown: Unknown,
    targets: bool,
) -> anyhow::Result<(Dataset<f64>, bool)> {
    if let Some(t) = target
        && t != encoding.target_name()
    {
        return Err(anyhow!(
            "--target {t}: the model was trained on the column {:?}",
            encoding.target_name()
        ));
    }
    let table = descent_io::read_table(path).context("--data")?;
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let has_target = encoding.bind(&table).context("--data")?.has_target();
    Ok((encode(encoding, &table, &rows, unknown, targets)?, has_target))
}

impl From<crate::args::UnknownArg> for Unknown {
    fn from(arg: crate::args::UnknownArg) -> Self {
        match arg {
            crate::args::UnknownArg::Error => Unknown::Error,
            crate::args::UnknownArg::Ignore => Unknown::Ignore,
        }
    }
}
