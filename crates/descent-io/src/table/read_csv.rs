//! Reading a CSV file with a header row into a `RawTable`: any text in the cells, missing cells allowed.

use std::path::Path;

use super::raw::{Builder, RawTable, classify};
use crate::csv::{check_row, csv_error, open};
use crate::error::{IoError, Result, RowOrigin};

/// Reads a CSV table: the first row names the columns; cells are trimmed, then classified
/// as missing, numbers or text.
pub(crate) fn read_csv(path: &Path) -> Result<RawTable> {
    let (mut reader, names) = open(path)?;
    check_unique(path, &names)?;
    let n_cols = names.len();
    let mut table = Builder::new(path, names.clone());
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
        let line = check_row(path, &record, n_cols)?;
        for (c, cell) in record.iter().enumerate() {
            let cell_err = |reason| IoError::TableCell {
                path: path.to_path_buf(),
                at: RowOrigin::Line(line),
                column: names[c].clone(),
                reason,
            };
            let cell = classify(cell).map_err(cell_err)?;
            table.push(cell).map_err(cell_err)?;
        }
        table.line(line);
    }
    if table.n_cells() == 0 {
        return Err(IoError::Empty {
            path: path.to_path_buf(),
            what: "the file has a header row but no data rows".into(),
        });
    }
    Ok(table.finish())
}

/// Columns are found by name, so a name may appear only once.
pub(crate) fn check_unique(path: &Path, names: &[String]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            let n = names.iter().filter(|n| *n == name).count();
            return Err(IoError::Table {
                path: path.to_path_buf(),
                reason: format!(
                    "the column name `{name}` appears {n} times; columns are found by name, \
                     so each needs its own"
                ),
            });
        }
    }
    Ok(())
}
