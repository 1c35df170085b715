//! Tests of the streaming fit and encoding: the same encoding, rows, targets and errors as
//! `read_table` + `TableEncoding::fit` on all rows, for CSV and Parquet, and the refusal of
//! `--impute median`.

use super::*;
use crate::IoError;
use crate::test_util::TempFile;

/// The in-memory path: read the whole table, fit on every row, encode every row.
fn in_memory(
    path: &std::path::Path,
    options: &ColumnOptions,
) -> Result<(String, Vec<f64>, Vec<f64>)> {
    let table = read_table(path)?;
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let enc = TableEncoding::fit(&table, &rows, options)?;
    let bound = enc.bind(&table)?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let mut row = vec![0.0; enc.n_inputs()];
    for r in rows {
        bound.encode_row(r, &mut row, Unknown::Error)?;
        x.extend_from_slice(&row);
        y.push(bound.encode_target(r)?);
    }
    Ok((enc.to_json(), x, y))
}

/// The streaming path: `fit_file`, then `encode_file`.
fn streamed(
    path: &std::path::Path,
    options: &ColumnOptions,
) -> Result<(String, Vec<f64>, Vec<f64>)> {
    let (enc, n_rows) = fit_file(path, options)?;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let n = encode_file(path, &enc, Unknown::Error, |row, target| {
        x.extend_from_slice(row);
        y.push(target.expect("the table has its target"));
        Ok(())
    })?;
    assert_eq!(n, n_rows);
    Ok((enc.to_json(), x, y))
}

fn fixture() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/table/table.csv")
}

#[test]
fn streaming_gives_the_encoding_rows_and_targets_of_the_table_in_memory() {
    for impute in [Impute::Mean, Impute::MostFrequent] {
        for categorical in [vec![], vec!["age".to_owned()]] {
            let options = ColumnOptions { impute, categorical, ..Default::default() };
            let expected = in_memory(&fixture(), &options).unwrap();
            assert_eq!(streamed(&fixture(), &options).unwrap(), expected, "{options:?}");
        }
    }
    // Parquet too: the fixture as written by the parquet crate in two row groups.
    let parquet = TempFile::new("parquet");
    super::tests::fixture_parquet(parquet.path());
    let options = ColumnOptions { impute: Impute::Mean, ..Default::default() };
    assert_eq!(
        streamed(parquet.path(), &options).unwrap(),
        in_memory(&fixture(), &options).unwrap()
    );
}

#[test]
fn a_text_cell_after_many_numbers_makes_a_column_categorical_as_in_memory() {
    let mut text = String::from("code,y\n");
    for j in 0..40 {
        text.push_str(&format!("{},{}\n", j % 7, j % 2));
    }
    text.push_str("x9,1\n");
    let file = TempFile::with_bytes("csv", text.as_bytes());
    let options = ColumnOptions::default();
    let expected = in_memory(file.path(), &options).unwrap();
    assert_eq!(streamed(file.path(), &options).unwrap(), expected);
    assert!(
        expected.0.contains(r#""categories":["0","1","2","3","4","5","6","x9"]"#),
        "{}",
        expected.0
    );
    // Past --max-categories only once the column turns out categorical; numbers alone may
    // have any number of distinct values.
    let options = ColumnOptions { max_categories: 5, ..Default::default() };
    let a = in_memory(file.path(), &options).unwrap_err().to_string();
    let b = streamed(file.path(), &options).unwrap_err().to_string();
    assert_eq!(a, b);
    assert!(a.contains("column `code` has more than 5 distinct values"), "{a}");
    let numbers = TempFile::with_bytes("csv", text.replace("x9", "9.5").as_bytes());
    assert_eq!(
        streamed(numbers.path(), &options).unwrap(),
        in_memory(numbers.path(), &options).unwrap()
    );
}

#[test]
fn streaming_errors_are_the_errors_of_the_table_in_memory() {
    for (text, options, needle) in [
        (
            "a,b,y\n1,NA,0\n2,3,1\nNA,4,0\n",
            ColumnOptions::default(),
            "column `a` has 1 missing cell, the first at line 4; column `b`",
        ),
        (
            "a,y\n1,0\n2,\n3,1\n",
            ColumnOptions::default(),
            "line 3, column `y`: the label is missing",
        ),
        ("a,y\n1,0\n2,1.5\n3,1\n", ColumnOptions::default(), "not whole numbers (1.5 at line 3)"),
        (
            "a,y\n1,0\n2,x\n",
            ColumnOptions { regression: true, ..Default::default() },
            "line 3, column `y`: `x` is not a number",
        ),
        ("a,y\n1,0\n1e999,1\n", ColumnOptions::default(), "line 3, column `a`"),
        (
            "a,y\n1,0\n2,1\n",
            ColumnOptions { ignore: vec!["b".into()], ..Default::default() },
            "--ignore names `b`",
        ),
        ("a,y\nNA,0\nNA,1\n", ColumnOptions::default(), "column `a` has no value"),
        ("a,y\n1,0\n2,0\n", ColumnOptions::default(), "one class"),
        ("a,y\n", ColumnOptions::default(), "no data rows"),
    ] {
        let file = TempFile::with_bytes("csv", text.as_bytes());
        let a = in_memory(file.path(), &options).unwrap_err().to_string();
        let b = streamed(file.path(), &options).unwrap_err().to_string();
        assert_eq!(a, b, "{text:?}");
        assert!(a.contains(needle), "{text:?}: {a}");
    }
}

#[test]
fn median_is_refused_with_the_reason() {
    let options = ColumnOptions { impute: Impute::Median, ..Default::default() };
    let err = fit_file(fixture(), &options).unwrap_err();
    assert!(matches!(err, IoError::Table { .. }), "{err}");
    assert!(
        err.to_string().contains("--impute median needs every value of a column in memory"),
        "{err}"
    );
}
