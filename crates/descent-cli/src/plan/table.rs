//! Tables (CSV or Parquet) as the network sees them: the columns encoded by
//! `descent_io::TableEncoding` — numeric inputs (imputed with `--impute`), one-hot categories,
//! class names — fitted on the training rows only (after the stratified `--validation` split)
//! and stored in the model, so `eval` and `predict` read columns by name and encode them the
//! same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use descent::train::{Dataset, FeatureStats, Output};
use descent_io::{Cell, ColumnOptions, Header, Impute, RawTable, TableEncoding, Unknown};

use super::split::{self, Holdout};
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
    header: Header,
    options: &ColumnOptions,
    validation: Option<Holdout>,
    seed: u64,
    sample_weight: Option<&str>,
) -> anyhow::Result<Encoded> {
    let table = descent_io::read_table_with(path, header).context("--data")?;
    let weight_col = sample_weight.map(|name| weight_column(&table, name, options)).transpose()?;
    let mut options = options.clone();
    options.ignore.extend(sample_weight.map(str::to_owned));
    let options = &options;
    let m = table.n_rows();
    let (train_rows, val_rows) = match validation {
        None => ((0..m).collect(), Vec::new()),
        Some(holdout) => {
            let keys = (!options.regression).then(|| label_keys(&table, options)).transpose()?;
            split::rows(m, holdout, seed, keys.as_deref())?
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
    let stats = FeatureStats::scan::<f64>(data).context("--standardize")?;
    Ok(numeric_only(encoding, stats))
}

/// `stats` with the one-hot inputs of `encoding` left as they are (mean 0, standard
/// deviation 1): `--standardize` scales numeric inputs only.
pub fn numeric_only(encoding: &TableEncoding, mut stats: FeatureStats) -> FeatureStats {
    for (i, numeric) in encoding.numeric_inputs().into_iter().enumerate() {
        if !numeric {
            stats.mean[i] = 0.0;
            stats.std[i] = 1.0;
        }
    }
    stats
}

/// The encoding `descent encode` wrote beside the `.npy` features `data` (`X.encoding.json`
/// beside `X.npy`), when there is one: `train` stores it in the model so that `eval` and
/// `predict` take raw table rows. It must describe `n_features` inputs.
pub fn picked_up(data: &str, n_features: usize) -> anyhow::Result<Option<TableEncoding>> {
    let path = Path::new(data);
    if !descent_io::is_npy(path) {
        return Ok(None);
    }
    let json = encoding_path(path);
    if !json.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&json)
        .with_context(|| format!("--data {data}: reading {}", json.display()))?;
    let encoding = TableEncoding::from_json(&text)
        .with_context(|| format!("--data {data}: {}", json.display()))?;
    if encoding.n_inputs() != n_features {
        return Err(anyhow!(
            "--data {data}: {} describes {} inputs but the file has {n_features} features; \
             it belongs to another file (encode the table again, or remove it)",
            json.display(),
            encoding.n_inputs()
        ));
    }
    Ok(Some(encoding))
}

/// Why a table's inputs are so many, for the memory check: the input width and the widest
/// one-hot columns, e.g. "12,345 inputs: column `zip` has 11,000 categories (one input
/// each), column `city` 1,200; try --ignore zip or --max-memory".
pub fn width_note(encoding: &TableEncoding) -> String {
    let mut wide: Vec<(&str, usize)> =
        encoding.column_widths().into_iter().filter(|&(_, w)| w > 1).collect();
    wide.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    wide.truncate(3);
    let columns: Vec<String> = wide
        .iter()
        .enumerate()
        .map(|(i, &(name, w))| {
            let unit = if i == 0 { " categories (one input each)" } else { "" };
            format!("column `{name}` has {}{unit}", thousands(w))
        })
        .collect();
    let ignore: Vec<&str> = wide.iter().map(|&(name, _)| name).collect();
    format!(
        "{} inputs: {}; try --ignore {} or --max-memory",
        thousands(encoding.n_inputs()),
        columns.join(", "),
        ignore.join(",")
    )
}

/// `n` with commas between groups of three digits: `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Where the encoding of the features file `features` is kept: `X.encoding.json` beside
/// `X.npy` (written by `descent encode`, picked up by `train --data X.npy`).
pub fn encoding_path(features: &Path) -> PathBuf {
    features.with_extension("encoding.json")
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
    header: Header,
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
    let table = descent_io::read_table_with(path, header).context("--data")?;
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
