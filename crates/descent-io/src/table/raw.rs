//! `RawTable`: a table's cells as read, each missing, a number or text, and where each row came from.

use std::path::{Path, PathBuf};

use crate::csv::shorten;
pub use crate::error::RowOrigin;

/// One cell of a [`RawTable`], classified once when the file is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Empty, `NA`, `N/A`, `NaN`, `nan`, `null`, `None` or `?` (after trimming spaces), or
    /// a Parquet null.
    Missing,
    /// A finite number: a CSV cell that Rust's `f64` parser reads, or a Parquet numeric value.
    Number(f64),
    /// Any other text (trimmed), a Parquet string or a boolean (`true`/`false`).
    Text(&'a str),
}

/// The cells as stored: 16 bytes each, text as a range of one shared buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stored {
    Missing,
    Number(f64),
    Text { start: u32, len: u32 },
}

/// A table read by [`read_table`](super::read_table): named columns of cells that are
/// missing, numbers or text, before any column is given a type.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    pub(crate) path: PathBuf,
    pub(crate) names: Vec<String>,
    /// Row after row.
    pub(crate) cells: Vec<Stored>,
    pub(crate) text: String,
    /// The CSV line of each row; empty for Parquet (rows are their index).
    pub(crate) lines: Vec<u64>,
}

impl RawTable {
    /// The file the table was read from.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in file order (an empty CSV header cell is named `column N`).
    #[must_use]
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// The position of the column called `name`.
    #[must_use]
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The number of columns.
    #[must_use]
    pub fn n_columns(&self) -> usize {
        self.names.len()
    }

    /// The number of data rows.
    #[must_use]
    pub fn n_rows(&self) -> usize {
        self.cells.len().checked_div(self.names.len()).unwrap_or(0)
    }

    /// The cell of row `row` (from 0) and column `col`.
    ///
    /// # Panics
    /// When `row` or `col` is out of range.
    #[must_use]
    pub fn cell(&self, row: usize, col: usize) -> Cell<'_> {
        assert!(col < self.names.len(), "column {col} of a table of {}", self.names.len());
        match self.cells[row * self.names.len() + col] {
            Stored::Missing => Cell::Missing,
            Stored::Number(x) => Cell::Number(x),
            Stored::Text { start, len } => {
                Cell::Text(&self.text[start as usize..start as usize + len as usize])
            }
        }
    }

    /// Where row `row` came from: its CSV line, or its index in a Parquet file.
    #[must_use]
    pub fn origin(&self, row: usize) -> RowOrigin {
        self.lines.get(row).map_or(RowOrigin::Index(row), |&line| RowOrigin::Line(line))
    }
}

/// The cells the table treats as missing, compared after trimming spaces.
pub const MISSING: [&str; 8] = ["", "NA", "N/A", "NaN", "nan", "null", "None", "?"];

/// What a trimmed text cell is: missing, a finite number or text; `Err` (the reason) for a
/// number that is not finite.
pub(crate) fn classify(cell: &str) -> Result<Cell<'_>, String> {
    if MISSING.contains(&cell) {
        return Ok(Cell::Missing);
    }
    match cell.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Cell::Number(x)),
        Ok(x) if x.is_nan() => {
            Err(format!("`{cell}` is not a number; write a missing cell as an empty cell or NA"))
        }
        Ok(_) => Err(format!("`{}` is not a finite number", shorten(cell))),
        Err(_) => Ok(Cell::Text(cell)),
    }
}

/// Builds a [`RawTable`] cell by cell, row after row.
pub(crate) struct Builder {
    table: RawTable,
}

impl Builder {
    pub(crate) fn new(path: &Path, names: Vec<String>) -> Self {
        let table = RawTable {
            path: path.to_path_buf(),
            names,
            cells: Vec::new(),
            text: String::new(),
            lines: Vec::new(),
        };
        Self { table }
    }

    /// Stores a cell; `Err` (the reason) when the table's text would pass 4 GiB.
    pub(crate) fn push(&mut self, cell: Cell<'_>) -> Result<(), String> {
        match cell {
            Cell::Missing => self.table.cells.push(Stored::Missing),
            Cell::Number(x) => self.table.cells.push(Stored::Number(x)),
            Cell::Text(s) => self.text(s)?,
        }
        Ok(())
    }

    /// Records where the last row came from.
    pub(crate) fn origin(&mut self, origin: RowOrigin) {
        if let RowOrigin::Line(line) = origin {
            self.table.lines.push(line);
        }
    }

    /// Stores a text cell; `Err` when the table's text would pass 4 GiB.
    fn text(&mut self, s: &str) -> Result<(), String> {
        let start = u32::try_from(self.table.text.len()).ok();
        let len = u32::try_from(s.len()).ok();
        match (start, len) {
            (Some(start), Some(len)) if start.checked_add(len).is_some() => {
                self.table.text.push_str(s);
                self.table.cells.push(Stored::Text { start, len });
                Ok(())
            }
            _ => {
                Err("the table's text passes 4 GiB; encode it in pieces with `descent encode`"
                    .into())
            }
        }
    }

    pub(crate) fn finish(self) -> RawTable {
        self.table
    }
}
