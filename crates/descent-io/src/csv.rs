//! CSV data sets: a header row, numeric cells, one label column.

use std::fs::File;
use std::path::Path;

use crate::error::{IoError, Result};

/// A numeric table read from a CSV file: the features of every example and, when asked for,
/// one label column.
///
/// Features are stored example after example (column-major (features, examples), the layout
/// of [`descent_train::Dataset`]), in the order of the file's columns with the label column
/// taken out.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    feature_names: Vec<String>,
    label_name: Option<String>,
    features: Vec<f64>,
    labels: Vec<f64>,
}

impl Table {
    /// The names of the feature columns, in file order.
    #[must_use]
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The name of the label column (`None` for [`load_csv_features`]).
    #[must_use]
    pub fn label_name(&self) -> Option<&str> {
        self.label_name.as_deref()
    }

    /// The number of feature columns (at least 1).
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// The number of examples (data rows, at least 1).
    #[must_use]
    pub fn n_examples(&self) -> usize {
        self.features.len() / self.feature_names.len()
    }

    /// All features, example after example: column-major (features, examples).
    #[must_use]
    pub fn features(&self) -> &[f64] {
        &self.features
    }

    /// The label of each example, in file order (empty for [`load_csv_features`]).
    #[must_use]
    pub fn labels(&self) -> &[f64] {
        &self.labels
    }

    /// The features and the labels, by value.
    #[must_use]
    pub fn into_parts(self) -> (Vec<f64>, Vec<f64>) {
        (self.features, self.labels)
    }
}

/// Reads a CSV file whose first row names the columns and whose other rows hold one finite
/// number per cell; the label column is the last one, or the one named `target`.
///
/// Cells are trimmed of surrounding spaces; quoted cells and blank lines are allowed; any
/// number Rust's `f64` parser reads is accepted (`1`, `-0.5`, `1e-3`), except NaN and
/// infinities.
///
/// # Errors
/// - [`IoError::Io`] when the file cannot be opened or read;
/// - [`IoError::Empty`] for an empty file or a header row with no data rows;
/// - [`IoError::Target`] when `target` names no column (the message lists the columns) or
///   more than one;
/// - [`IoError::CsvRow`] for a row with more or fewer cells than the header, a file that is
///   not UTF-8, or a header with no column left for the features;
/// - [`IoError::CsvCell`] for an empty, non-numeric, NaN or infinite cell, naming the line
///   and the column.
///
/// # Example
/// ```
/// let path = std::env::temp_dir().join(format!("descent-io-doc-csv-{}.csv", std::process::id()));
/// std::fs::write(&path, "x1,x2,y\n0.5,1,0\n-1,2.5,1\n")?;
/// let table = descent_io::load_csv(&path, None)?;
/// assert_eq!(table.feature_names(), ["x1", "x2"]);
/// assert_eq!(table.features(), [0.5, 1.0, -1.0, 2.5]);
/// assert_eq!(table.labels(), [0.0, 1.0]);
/// let by_name = descent_io::load_csv(&path, Some("x1"))?;
/// assert_eq!(by_name.features(), [1.0, 0.0, 2.5, 1.0]);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_csv(path: impl AsRef<Path>, target: Option<&str>) -> Result<Table> {
    read_table(path.as_ref(), Some(target), Header::FirstRow)
}

/// [`load_csv`] for a file with or without a header row ([`Header::Absent`]: the columns
/// are named `x1`…`xn`, the label the last by default).
///
/// # Errors
/// As [`load_csv`].
pub fn load_csv_with(
    path: impl AsRef<Path>,
    target: Option<&str>,
    header: Header,
) -> Result<Table> {
    read_table(path.as_ref(), Some(target), header)
}

/// Reads a CSV file like [`load_csv`] but takes every column as a feature (no label), for
/// data to predict on.
///
/// # Errors
/// As [`load_csv`], without the target errors.
pub fn load_csv_features(path: impl AsRef<Path>) -> Result<Table> {
    read_table(path.as_ref(), None, Header::FirstRow)
}

/// [`load_csv_features`] for a file with or without a header row.
///
/// # Errors
/// As [`load_csv`], without the target errors.
pub fn load_csv_features_with(path: impl AsRef<Path>, header: Header) -> Result<Table> {
    read_table(path.as_ref(), None, header)
}

/// Reads the table; `label` is `None` for no label column, `Some(None)` for the last column
/// and `Some(Some(name))` for the named one.
fn read_table(path: &Path, label: Option<Option<&str>>, header: Header) -> Result<Table> {
    let (mut reader, names) = open(path, header)?;
    let n_cols = names.len();
    let label_col = match label {
        None => None,
        Some(target) => Some(label_column(path, &names, target)?),
    };
    if n_cols == usize::from(label_col.is_some()) {
        return Err(IoError::CsvRow {
            path: path.to_path_buf(),
            line: 1,
            reason: format!(
                "the header has only the label column `{}`; the features need at least one more",
                names[0]
            ),
        });
    }
    let feature_names: Vec<String> =
        (0..n_cols).filter(|&c| Some(c) != label_col).map(|c| names[c].clone()).collect();

    let mut features = Vec::new();
    let mut labels = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
        let line = check_row(path, &record, n_cols)?;
        for (c, cell) in record.iter().enumerate() {
            let value = parse_cell(cell).map_err(|reason| IoError::CsvCell {
                path: path.to_path_buf(),
                line,
                column: names[c].clone(),
                reason,
            })?;
            if Some(c) == label_col { labels.push(value) } else { features.push(value) }
        }
    }
    if features.is_empty() {
        return Err(IoError::Empty {
            path: path.to_path_buf(),
            what: "the file has a header row but no data rows".into(),
        });
    }
    Ok(Table { feature_names, label_name: label_col.map(|c| names[c].clone()), features, labels })
}

/// Whether the first row of a CSV file names its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Header {
    /// The first row names the columns; a first row of numbers only is refused, since it is
    /// data (a file without a header row would silently lose its first example).
    #[default]
    FirstRow,
    /// Every row is data; the columns are named `x1`…`xn`.
    Absent,
}

/// Opens a CSV file and reads its header row: the reader (cells trimmed, blank lines
/// skipped) and the column names, an empty one named `column N`; with [`Header::Absent`]
/// the names `x1`…`xn` and every row left to read.
pub(crate) fn open(path: &Path, header: Header) -> Result<(csv::Reader<File>, Vec<String>)> {
    let file = File::open(path).map_err(|e| IoError::io(path, "open the file", e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(header == Header::FirstRow)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    // Without a header row this is the first record, still to be read as data.
    let first = reader.headers().map_err(|e| csv_error(path, e))?.clone();
    if first.is_empty() {
        return Err(IoError::Empty { path: path.to_path_buf(), what: "the file is empty".into() });
    }
    if header == Header::Absent {
        return Ok((reader, (1..=first.len()).map(|i| format!("x{i}")).collect()));
    }
    if first.iter().all(|cell| !cell.is_empty() && cell.parse::<f64>().is_ok()) {
        return Err(IoError::CsvRow {
            path: path.to_path_buf(),
            line: 1,
            reason: "the first row holds only numbers: a header row naming the columns is \
                     needed (a file without one: --no-header names the columns x1…xn, the \
                     label last)"
                .into(),
        });
    }
    let names = first
        .iter()
        .enumerate()
        .map(|(i, name)| if name.is_empty() { format!("column {}", i + 1) } else { name.into() })
        .collect();
    Ok((reader, names))
}

/// The line where `record` starts, after checking it has a cell per column.
pub(crate) fn check_row(path: &Path, record: &csv::StringRecord, n_cols: usize) -> Result<u64> {
    let line = record.position().map_or(0, csv::Position::line);
    if record.len() != n_cols {
        return Err(IoError::CsvRow {
            path: path.to_path_buf(),
            line,
            reason: format!("the row has {} cells but the header has {n_cols}", record.len()),
        });
    }
    Ok(line)
}

/// The index of the label column: the last one, or the one named `target`.
fn label_column(path: &Path, names: &[String], target: Option<&str>) -> Result<usize> {
    let Some(target) = target else { return Ok(names.len() - 1) };
    let hits: Vec<usize> = (0..names.len()).filter(|&c| names[c] == target).collect();
    let reason = match hits.len() {
        1 => return Ok(hits[0]),
        0 => format!("there is no column named `{target}`"),
        n => format!("the column name `{target}` appears {n} times"),
    };
    let columns = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    Err(IoError::Target { path: path.to_path_buf(), reason, columns })
}

/// Parses one trimmed cell as a finite number, or says why it is not one.
fn parse_cell(cell: &str) -> std::result::Result<f64, String> {
    if cell.is_empty() {
        return Err("the cell is empty".into());
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("`{}` is not a finite number", shorten(cell))),
        Err(_) => Err(format!("`{}` is not a number", shorten(cell))),
    }
}

/// The first 40 characters of a cell, for messages.
pub(crate) fn shorten(cell: &str) -> String {
    match cell.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &cell[..end]),
        None => cell.to_owned(),
    }
}

/// Turns the csv crate's error into ours, keeping its line.
pub(crate) fn csv_error(path: &Path, error: csv::Error) -> IoError {
    let line = error.position().map_or(1, csv::Position::line);
    let reason = match error.kind() {
        csv::ErrorKind::Io(e) => {
            return IoError::io(
                path,
                "read the file",
                std::io::Error::new(e.kind(), e.to_string()),
            );
        }
        csv::ErrorKind::Utf8 { err, .. } => format!("the row is not valid UTF-8 text ({err})"),
        _ => format!("the row cannot be read: {error}"),
    };
    IoError::CsvRow { path: path.to_path_buf(), line, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::TempFile;

    fn table(text: &str, target: Option<&str>) -> Result<Table> {
        let file = TempFile::with_bytes("csv", text.as_bytes());
        load_csv(file.path(), target)
    }

    #[test]
    fn reads_features_labels_and_names() {
        let t = table("a, b ,label\n1,2,0\n\n\"3.5\", -4e1 ,1\n", None).unwrap();
        assert_eq!(t.feature_names(), ["a", "b"]);
        assert_eq!(t.label_name(), Some("label"));
        assert_eq!((t.n_examples(), t.n_features()), (2, 2));
        assert_eq!(t.features(), [1.0, 2.0, 3.5, -40.0]);
        assert_eq!(t.labels(), [0.0, 1.0]);
    }

    #[test]
    fn target_picks_a_middle_column() {
        let t = table("a,y,b\n1,0,2\n3,1,4\n", Some("y")).unwrap();
        assert_eq!(t.feature_names(), ["a", "b"]);
        assert_eq!(t.features(), [1.0, 2.0, 3.0, 4.0]);
        assert_eq!(t.labels(), [0.0, 1.0]);
    }

    #[test]
    fn a_first_row_of_numbers_is_no_header_unless_the_file_has_none() {
        let file = TempFile::with_bytes("csv", b"1,2,0\n3,4,1\n5,6,0\n");
        let e = load_csv(file.path(), None).unwrap_err();
        assert!(matches!(e, IoError::CsvRow { line: 1, .. }), "{e}");
        assert!(e.to_string().contains("header row") && e.to_string().contains("--no-header"));
        let t = load_csv_with(file.path(), None, Header::Absent).unwrap();
        assert_eq!(t.feature_names(), ["x1", "x2"]);
        assert_eq!(t.label_name(), Some("x3"));
        assert_eq!(t.features(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(t.labels(), [0.0, 1.0, 0.0]);
        let t = load_csv_features_with(file.path(), Header::Absent).unwrap();
        assert_eq!(t.n_examples(), 3);
        // One name that is not a number makes a header row.
        let file = TempFile::with_bytes("csv", b"1,2,y\n3,4,1\n");
        assert_eq!(load_csv(file.path(), None).unwrap().n_examples(), 1);
        // Without a header row the tables read every row too.
        let file = TempFile::with_bytes("csv", b"1,red,0\n3,blue,1\n");
        let raw = crate::read_table_with(file.path(), Header::Absent).unwrap();
        assert_eq!(raw.column_names(), ["x1", "x2", "x3"]);
        assert_eq!(raw.n_rows(), 2);
        assert!(crate::read_table(file.path()).is_ok_and(|t| t.n_rows() == 1));
    }

    #[test]
    fn unlabeled_tables_keep_every_column() {
        let file = TempFile::with_bytes("csv", b"a,b\n1,2\n");
        let t = load_csv_features(file.path()).unwrap();
        assert_eq!(t.feature_names(), ["a", "b"]);
        assert_eq!(t.label_name(), None);
        assert!(t.labels().is_empty());
        assert_eq!(t.into_parts().0, [1.0, 2.0]);
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let path = std::env::temp_dir().join("descent-io-no-such-file.csv");
        let err = load_csv(&path, None).unwrap_err();
        assert!(matches!(err, IoError::Io { .. }), "{err}");
        assert!(err.to_string().contains("descent-io-no-such-file.csv"), "{err}");
    }

    #[test]
    fn empty_file_and_header_only_are_empty() {
        for text in ["", "\n\n", "a,b,y\n"] {
            let err = table(text, None).unwrap_err();
            assert!(matches!(err, IoError::Empty { .. }), "{text:?}: {err}");
        }
    }

    #[test]
    fn ragged_row_names_its_line() {
        let err = table("a,b,y\n1,2,0\n1,2\n", None).unwrap_err();
        assert!(matches!(err, IoError::CsvRow { line: 3, .. }), "{err}");
        assert!(err.to_string().contains("line 3: the row has 2 cells but the header has 3"));
        let err = table("a,b,y\n1,2,0,5\n", None).unwrap_err();
        assert!(matches!(err, IoError::CsvRow { line: 2, .. }), "{err}");
    }

    #[test]
    fn non_numeric_cell_names_line_and_column() {
        let err = table("a,b,y\n1,2,0\n1,two,1\n", None).unwrap_err();
        let IoError::CsvCell { line, ref column, .. } = err else { panic!("{err}") };
        assert_eq!((line, column.as_str()), (3, "b"));
        assert!(err.to_string().ends_with("line 3, column `b`: `two` is not a number"), "{err}");
        let err = table("a,y\n1,\n", None).unwrap_err();
        assert!(err.to_string().contains("column `y`: the cell is empty"), "{err}");
    }

    #[test]
    fn nan_and_infinite_cells_are_rejected() {
        for cell in ["NaN", "nan", "inf", "-infinity", "1e400"] {
            let err = table(&format!("a,y\n1,0\n{cell},1\n"), None).unwrap_err();
            assert!(matches!(err, IoError::CsvCell { line: 3, .. }), "{cell}: {err}");
            assert!(err.to_string().contains("is not a finite number"), "{err}");
        }
    }

    #[test]
    fn unknown_target_lists_the_columns() {
        let err = table("a,b,y\n1,2,0\n", Some("label")).unwrap_err();
        assert!(matches!(err, IoError::Target { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("no column named `label`"), "{msg}");
        assert!(msg.ends_with("the columns are `a`, `b`, `y`"), "{msg}");
        let err = table("a,a,y\n1,2,0\n", Some("a")).unwrap_err();
        assert!(err.to_string().contains("appears 2 times"), "{err}");
    }

    #[test]
    fn a_lone_label_column_leaves_no_features() {
        let err = table("y\n1\n", None).unwrap_err();
        assert!(matches!(err, IoError::CsvRow { line: 1, .. }), "{err}");
    }

    #[test]
    fn invalid_utf8_is_a_row_error() {
        let file = TempFile::with_bytes("csv", b"a,y\n1,0\n\xff\xfe,1\n");
        let err = load_csv(file.path(), None).unwrap_err();
        assert!(matches!(err, IoError::CsvRow { line: 3, .. }), "{err}");
    }

    #[test]
    fn long_cells_are_shortened_in_messages() {
        let long = "x".repeat(100);
        let err = table(&format!("a,y\n{long},0\n"), None).unwrap_err();
        assert!(err.to_string().contains(&format!("`{}…`", "x".repeat(40))), "{err}");
    }
}
