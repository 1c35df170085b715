//! Reading a CSV file with a header row: the header checked, each record's cells trimmed and
//! classified as missing, numbers or text (any text allowed).

use std::fs::File;
use std::path::Path;

use super::raw::{Cell, classify};
use crate::csv::{Header, check_row};
use crate::error::{IoError, Result, RowOrigin};

/// What one CSV cell is, without borrowing the record (its text stays there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Missing,
    Number(f64),
    Text,
}

/// Opens a CSV table: the first row names the columns, each name once (or, without a header
/// row, `x1`…`xn`).
pub(crate) fn open(path: &Path, header: Header) -> Result<(csv::Reader<File>, Vec<String>)> {
    let (reader, names) = crate::csv::open(path, header)?;
    check_unique(path, &names)?;
    Ok((reader, names))
}

/// Checks that `record` has a cell per column and classifies each into `kinds` (reused from
/// row to row); returns the record's line.
pub(crate) fn classify_record(
    path: &Path,
    names: &[String],
    record: &csv::StringRecord,
    kinds: &mut Vec<Kind>,
) -> Result<u64> {
    let line = check_row(path, record, names.len())?;
    kinds.clear();
    for (c, cell) in record.iter().enumerate() {
        let kind = match classify(cell) {
            Ok(Cell::Missing) => Kind::Missing,
            Ok(Cell::Number(x)) => Kind::Number(x),
            Ok(Cell::Text(_)) => Kind::Text,
            Err(reason) => {
                return Err(IoError::TableCell {
                    path: path.to_path_buf(),
                    at: RowOrigin::Line(line),
                    column: names[c].clone(),
                    reason,
                });
            }
        };
        kinds.push(kind);
    }
    Ok(line)
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
