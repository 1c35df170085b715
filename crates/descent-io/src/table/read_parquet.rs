//! Reading a Parquet file batch by batch with the arrow-rs reader: numbers, text, booleans, nulls.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use super::raw::{Cell, MISSING};
use super::read_csv::check_unique;
use crate::error::{IoError, Result, RowOrigin};

/// Opens a Parquet file for reading batch by batch: the schema's names (each once) and
/// types (numbers, strings, booleans, dictionaries of them) checked.
pub(crate) fn open(path: &Path) -> Result<(Vec<String>, ParquetRecordBatchReader)> {
    let file = File::open(path).map_err(|e| IoError::io(path, "open the file", e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| unreadable(path, &e))?;
    let schema = builder.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    if names.is_empty() {
        return Err(IoError::Empty {
            path: path.to_path_buf(),
            what: "the file has no columns".into(),
        });
    }
    check_unique(path, &names)?;
    for field in schema.fields() {
        if !supported(field.data_type()) {
            return Err(IoError::Parquet {
                path: path.to_path_buf(),
                reason: format!(
                    "column `{}` is of Arrow type {}; descent reads numbers, strings, booleans \
                     and dictionaries of them (convert the column, or drop it before)",
                    field.name(),
                    field.data_type()
                ),
            });
        }
    }
    let reader = builder.build().map_err(|e| unreadable(path, &e))?;
    Ok((names, reader))
}

/// The error for a file (or a batch of it) the Parquet reader refuses.
pub(crate) fn unreadable(path: &Path, e: &dyn std::fmt::Display) -> IoError {
    IoError::Parquet {
        path: path.to_path_buf(),
        reason: format!("cannot read the file as Parquet: {e}"),
    }
}

/// The cells of one batch, column by column (numeric Arrow types are numbers, NaN missing;
/// strings and booleans text, strings trimmed and the missing spellings of CSV missing;
/// dictionaries their values; nulls missing), after checking, row after row, that no number
/// is infinite. `first_row` is the batch's first row index in the file.
pub(crate) fn batch_cells<'a>(
    path: &Path,
    names: &[String],
    batch: &'a RecordBatch,
    first_row: usize,
) -> Result<Vec<Vec<Cell<'a>>>> {
    let columns: Vec<Vec<Cell<'_>>> = batch.columns().iter().map(|a| cells(a.as_ref())).collect();
    for row in 0..batch.num_rows() {
        for (c, column) in columns.iter().enumerate() {
            if let Cell::Number(x) = column[row]
                && x.is_infinite()
            {
                return Err(IoError::TableCell {
                    path: path.to_path_buf(),
                    at: RowOrigin::Index(first_row + row),
                    column: names[c].clone(),
                    reason: format!("{x} is not a finite number"),
                });
            }
        }
    }
    Ok(columns)
}

/// Whether [`cells`] reads this type.
fn supported(dtype: &DataType) -> bool {
    use DataType as D;
    match dtype {
        D::Dictionary(_, values) => supported(values),
        D::Int8 | D::Int16 | D::Int32 | D::Int64 | D::UInt8 | D::UInt16 | D::UInt32 | D::UInt64 => {
            true
        }
        D::Float16 | D::Float32 | D::Float64 | D::Decimal128(..) => true,
        D::Utf8 | D::LargeUtf8 | D::Utf8View | D::Boolean => true,
        _ => false,
    }
}

/// The cells of one column of a batch (a type [`supported`] accepts; others are missing).
fn cells(array: &dyn Array) -> Vec<Cell<'_>> {
    let n = array.len();
    let mut out: Vec<Cell<'_>> = match array.data_type() {
        DataType::Int8 => numbers::<Int8Type>(array, f64::from),
        DataType::Int16 => numbers::<Int16Type>(array, f64::from),
        DataType::Int32 => numbers::<Int32Type>(array, f64::from),
        DataType::Int64 => numbers::<Int64Type>(array, |x| x as f64),
        DataType::UInt8 => numbers::<UInt8Type>(array, f64::from),
        DataType::UInt16 => numbers::<UInt16Type>(array, f64::from),
        DataType::UInt32 => numbers::<UInt32Type>(array, f64::from),
        DataType::UInt64 => numbers::<UInt64Type>(array, |x| x as f64),
        DataType::Float16 => numbers::<Float16Type>(array, f64::from),
        DataType::Float32 => numbers::<Float32Type>(array, f64::from),
        DataType::Float64 => numbers::<Float64Type>(array, |x| x),
        DataType::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            numbers::<arrow_array::types::Decimal128Type>(array, |x| x as f64 / div)
        }
        DataType::Utf8 => {
            array.as_string::<i32>().iter().map(|s| s.map_or(Cell::Missing, text)).collect()
        }
        DataType::LargeUtf8 => {
            array.as_string::<i64>().iter().map(|s| s.map_or(Cell::Missing, text)).collect()
        }
        DataType::Utf8View => {
            array.as_string_view().iter().map(|s| s.map_or(Cell::Missing, text)).collect()
        }
        DataType::Boolean => array
            .as_boolean()
            .iter()
            .map(|b| b.map_or(Cell::Missing, |b| Cell::Text(if b { "true" } else { "false" })))
            .collect(),
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary();
            let values = cells(dict.values().as_ref());
            if values.is_empty() {
                vec![Cell::Missing; n]
            } else {
                dict.normalized_keys().into_iter().map(|k| values[k]).collect()
            }
        }
        _ => vec![Cell::Missing; n],
    };
    for (i, cell) in out.iter_mut().enumerate() {
        if array.is_null(i) || matches!(cell, Cell::Number(x) if x.is_nan()) {
            *cell = Cell::Missing;
        }
    }
    out
}

/// A string cell: trimmed, missing when it is one of [`MISSING`].
fn text(s: &str) -> Cell<'_> {
    let s = s.trim();
    if MISSING.contains(&s) { Cell::Missing } else { Cell::Text(s) }
}

/// The values of a primitive array as numbers (nulls are fixed up by [`cells`]).
fn numbers<T: ArrowPrimitiveType>(
    array: &dyn Array,
    to_f64: impl Fn(T::Native) -> f64,
) -> Vec<Cell<'static>> {
    array.as_primitive::<T>().values().iter().map(|&x| Cell::Number(to_f64(x))).collect()
}
