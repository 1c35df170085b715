//! Tables read one row at a time: `TableRows` walks a CSV file record by record or a Parquet
//! file batch by batch (a record or a batch in memory, never the table), and `Row` is one row's
//! cells, from such a walk or from a `RawTable`. `read_table`, `TableEncoding::fit` and
//! `descent encode` all read cells through it, so they share one set of rules.

use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use super::raw::{Cell, RawTable};
use super::read_csv::{self, Kind};
use super::read_parquet;
use crate::csv::{Header, csv_error};
use crate::error::{IoError, Result, RowOrigin};

/// One row of a table: its cells by column index, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    origin: RowOrigin,
    cells: Cells<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Cells<'a> {
    /// A CSV record and what each of its cells is.
    Csv { record: &'a csv::StringRecord, kinds: &'a [Kind] },
    /// Row `row` of a Parquet batch, column by column.
    Batch { columns: &'a [Vec<Cell<'a>>], row: usize },
    /// Row `row` of a table in memory.
    Table { table: &'a RawTable, row: usize },
}

impl<'a> Row<'a> {
    /// Row `row` (from 0) of `table`.
    ///
    /// # Panics
    /// When `row` is out of range.
    #[must_use]
    pub fn of_table(table: &'a RawTable, row: usize) -> Self {
        assert!(row < table.n_rows(), "row {row} of a table of {}", table.n_rows());
        Self { origin: table.origin(row), cells: Cells::Table { table, row } }
    }

    /// The cell of column `col` (from 0).
    ///
    /// # Panics
    /// When `col` is out of range.
    #[must_use]
    pub fn cell(&self, col: usize) -> Cell<'a> {
        match self.cells {
            Cells::Csv { record, kinds } => match kinds[col] {
                Kind::Missing => Cell::Missing,
                Kind::Number(x) => Cell::Number(x),
                Kind::Text => Cell::Text(&record[col]),
            },
            Cells::Batch { columns, row } => columns[col][row],
            Cells::Table { table, row } => table.cell(row, col),
        }
    }

    /// Where the row came from: its CSV line, or its index in a Parquet file.
    #[must_use]
    pub fn origin(&self) -> RowOrigin {
        self.origin
    }
}

/// A table file opened for reading row by row: its header (or schema) is read and checked,
/// its rows are not, until [`TableRows::for_each`].
pub struct TableRows {
    path: PathBuf,
    names: Vec<String>,
    source: Source,
}

enum Source {
    Csv(csv::Reader<File>),
    Parquet(ParquetRecordBatchReader),
}

impl TableRows {
    /// Opens a Parquet file when the name ends in `.parquet`, else a CSV file whose first row
    /// names the columns (see [`read_table`](super::read_table) for the rules).
    ///
    /// # Errors
    /// As [`read_table`](super::read_table), for the header or schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, Header::FirstRow)
    }

    /// [`TableRows::open`] for a CSV file with or without a header row (`header` is not
    /// looked at for Parquet, whose columns are always named).
    ///
    /// # Errors
    /// As [`TableRows::open`].
    pub fn open_with(path: impl AsRef<Path>, header: Header) -> Result<Self> {
        let path = path.as_ref();
        let (names, source) = if super::is_parquet(path) {
            let (names, reader) = read_parquet::open(path)?;
            (names, Source::Parquet(reader))
        } else {
            let (reader, names) = read_csv::open(path, header)?;
            (names, Source::Csv(reader))
        };
        Ok(Self { path: path.to_path_buf(), names, source })
    }

    /// The file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names, in file order.
    #[must_use]
    pub fn column_names(&self) -> &[String] {
        &self.names
    }

    /// Calls `f` with every row in file order, holding one CSV record or one Parquet batch at
    /// a time; stops at the first error, of the file or of `f`. Returns the number of rows.
    ///
    /// # Errors
    /// As [`read_table`](super::read_table): an unreadable or ragged row, an infinite number,
    /// no rows at all; and any error `f` returns.
    pub fn for_each(self, mut f: impl FnMut(&Row<'_>) -> Result<()>) -> Result<usize> {
        let path = self.path.as_path();
        let mut n_rows = 0;
        match self.source {
            Source::Csv(mut reader) => {
                let mut record = csv::StringRecord::new();
                let mut kinds = Vec::with_capacity(self.names.len());
                while reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
                    let line = read_csv::classify_record(path, &self.names, &record, &mut kinds)?;
                    let cells = Cells::Csv { record: &record, kinds: &kinds };
                    f(&Row { origin: RowOrigin::Line(line), cells })?;
                    n_rows += 1;
                }
            }
            Source::Parquet(reader) => {
                for batch in reader {
                    let batch = batch.map_err(|e| read_parquet::unreadable(path, &e))?;
                    let columns = read_parquet::batch_cells(path, &self.names, &batch, n_rows)?;
                    for row in 0..batch.num_rows() {
                        let cells = Cells::Batch { columns: &columns, row };
                        f(&Row { origin: RowOrigin::Index(n_rows + row), cells })?;
                    }
                    n_rows += batch.num_rows();
                }
            }
        }
        if n_rows == 0 {
            let what = if super::is_parquet(path) {
                "the file has no rows"
            } else {
                "the file has a header row but no data rows"
            };
            return Err(IoError::Empty { path: path.to_path_buf(), what: what.into() });
        }
        Ok(n_rows)
    }
}
