//! Tests of tables: reading CSV and Parquet, fitting (types, categories, imputation against
//! scikit-learn, classes), applying by column name, unseen categories, JSON and model files,
//! and each error naming what it should.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, DictionaryArray, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;

use super::*;
use crate::IoError;
use crate::test_util::TempFile;

/// A CSV table from text; the file is kept alive beside it.
fn csv(text: &str) -> (TempFile, RawTable) {
    let file = TempFile::with_bytes("csv", text.as_bytes());
    let table = read_table(file.path()).unwrap();
    (file, table)
}

fn all_rows(table: &RawTable) -> Vec<usize> {
    (0..table.n_rows()).collect()
}

fn fit(table: &RawTable, options: &ColumnOptions) -> Result<TableEncoding> {
    TableEncoding::fit(table, &all_rows(table), options)
}

/// Every row encoded, one vector each.
fn encode_all(enc: &TableEncoding, table: &RawTable, unknown: Unknown) -> Result<Vec<Vec<f64>>> {
    let bound = enc.bind(table)?;
    (0..table.n_rows())
        .map(|r| {
            let mut out = vec![f64::NAN; enc.n_inputs()];
            bound.encode_row(r, &mut out, unknown).map(|()| out)
        })
        .collect()
}

fn targets(enc: &TableEncoding, table: &RawTable) -> Vec<f64> {
    let bound = enc.bind(table).unwrap();
    (0..table.n_rows()).map(|r| bound.encode_target(r).unwrap()).collect()
}

fn message(err: &IoError) -> String {
    err.to_string()
}

#[test]
fn reads_cells_lines_and_missing_spellings() {
    let (_f, t) = csv("a,b\n1, x \n\n NA ,2.5\nN/A,NaN\nnan,null\nNone,?\n,-3e2\n");
    assert_eq!(t.column_names(), ["a", "b"]);
    assert_eq!(t.n_rows(), 6);
    assert_eq!(t.cell(0, 0), Cell::Number(1.0));
    assert_eq!(t.cell(0, 1), Cell::Text("x"));
    assert_eq!(t.cell(1, 1), Cell::Number(2.5));
    assert_eq!(t.cell(5, 1), Cell::Number(-300.0));
    for r in 1..6 {
        assert_eq!(t.cell(r, 0), Cell::Missing, "row {r}");
    }
    for r in 2..5 {
        assert_eq!(t.cell(r, 1), Cell::Missing, "row {r}");
    }
    assert_eq!(t.origin(0), RowOrigin::Line(2));
    // The csv crate starts a record after a blank line at the blank line.
    assert_eq!(t.origin(1), RowOrigin::Line(3));
    assert_eq!(t.origin(2), RowOrigin::Line(5));
}

#[test]
fn infinite_cells_name_file_line_and_column() {
    for cell in ["inf", "-inf", "1e999", "Infinity"] {
        let file = TempFile::with_bytes("csv", format!("a,y\n1,0\n2,{cell}\n").as_bytes());
        let err = read_table(file.path()).unwrap_err();
        let IoError::TableCell { at, ref column, .. } = err else { panic!("{err}") };
        assert_eq!((at, column.as_str()), (RowOrigin::Line(3), "y"), "{cell}");
        let msg = message(&err);
        assert!(msg.contains(&file.path().display().to_string()), "{msg}");
        assert!(msg.contains("line 3, column `y`"), "{msg}");
        assert!(msg.ends_with("is not a finite number"), "{msg}");
    }
    let file = TempFile::with_bytes("csv", b"a,y\n1,NAN\n");
    assert!(matches!(read_table(file.path()), Err(IoError::TableCell { .. })));
}

#[test]
fn a_repeated_column_name_is_refused() {
    let file = TempFile::with_bytes("csv", b"a,a,y\n1,2,0\n");
    let err = read_table(file.path()).unwrap_err();
    assert!(matches!(err, IoError::Table { .. }) && message(&err).contains("`a` appears 2 times"));
}

#[test]
fn string_labels_are_classes_in_byte_order() {
    let (_f, t) = csv("x,species\n1,Gentoo\n2,Adelie\n3,Chinstrap\n4,Adelie\n");
    let enc = fit(&t, &ColumnOptions::default()).unwrap();
    assert_eq!(enc.target_name(), "species");
    assert_eq!(enc.classes().unwrap(), ["Adelie", "Chinstrap", "Gentoo"]);
    assert_eq!(targets(&enc, &t), [2.0, 0.0, 1.0, 0.0]);
    assert_eq!(enc.input_names(), ["x"]);
    assert_eq!(enc.numeric_inputs(), [true]);
}

#[test]
fn numeric_labels_sort_by_value() {
    let (_f, t) = csv("x,y\n1,3\n2,10\n3,2\n4,3\n");
    let enc = fit(&t, &ColumnOptions::default()).unwrap();
    assert_eq!(enc.classes().unwrap(), ["2", "3", "10"]);
    assert_eq!(targets(&enc, &t), [1.0, 2.0, 0.0, 1.0]);
    let (_f, t) = csv("x,y\n1,1\n2,-1\n3,1.0\n");
    let enc = fit(&t, &ColumnOptions::default()).unwrap();
    assert_eq!(enc.classes().unwrap(), ["-1", "1"]);
    assert_eq!(targets(&enc, &t), [1.0, 0.0, 1.0]);
    let (_f, t) = csv("x,y\n1,1\n2,2\n3,3\n");
    let enc = fit(&t, &ColumnOptions::default()).unwrap();
    assert_eq!(enc.classes().unwrap(), ["1", "2", "3"]);
}

#[test]
fn fractional_labels_need_regression() {
    let (_f, t) = csv("x,y\n1,0.5\n2,1.5\n");
    let err = fit(&t, &ColumnOptions::default()).unwrap_err();
    let msg = message(&err);
    assert!(msg.contains("not whole numbers (0.5 at line 2)"), "{msg}");
    assert!(msg.contains("--output linear"), "{msg}");
    let options = ColumnOptions { regression: true, ..Default::default() };
    let enc = fit(&t, &options).unwrap();
    assert_eq!(enc.classes(), None);
    assert_eq!(targets(&enc, &t), [0.5, 1.5]);
    let (_f, t) = csv("x,y\n1,0.5\n2,high\n");
    let err = fit(&t, &options).unwrap_err();
    assert!(matches!(err, IoError::TableCell { at: RowOrigin::Line(3), .. }), "{err}");
    assert!(message(&err).contains("`high` is not a number"), "{err}");
}

#[test]
fn too_many_classes_suggest_linear_unless_forced() {
    let text: String =
        std::iter::once("x,y\n".to_owned()).chain((0..5).map(|i| format!("{i},{i}\n"))).collect();
    let (_f, t) = csv(&text);
    let options = ColumnOptions { max_classes: 4, ..Default::default() };
    let msg = message(&fit(&t, &options).unwrap_err());
    assert!(msg.contains("5 distinct values"), "{msg}");
    assert!(msg.contains("--max-classes 4") && msg.contains("--output linear"), "{msg}");
    let forced = ColumnOptions { force_classes: true, ..options };
    assert_eq!(fit(&t, &forced).unwrap().classes().unwrap().len(), 5);
    let (_f, t) = csv("x,y\n1,a\n2,a\n");
    assert!(message(&fit(&t, &ColumnOptions::default()).unwrap_err()).contains("one class"));
}

#[test]
fn a_missing_label_names_its_line() {
    let (_f, t) = csv("x,y\n1,a\n2,NA\n3,b\n");
    let err = fit(&t, &ColumnOptions::default()).unwrap_err();
    let IoError::TableCell { at, ref column, .. } = err else { panic!("{err}") };
    assert_eq!((at, column.as_str()), (RowOrigin::Line(3), "y"));
    assert!(message(&err).contains("the label is missing"), "{err}");
}

#[test]
fn names_that_are_not_columns_are_named() {
    let (_f, t) = csv("a,b,y\n1,2,0\n2,3,1\n");
    let cases = [
        (
            ColumnOptions { target: Some("label".into()), ..Default::default() },
            "--target",
            "`label`",
        ),
        (ColumnOptions { ignore: vec!["id".into()], ..Default::default() }, "--ignore", "`id`"),
        (
            ColumnOptions {
                categorical: vec!["zip".into(), "a".into(), "c".into()],
                ..Default::default()
            },
            "--categorical",
            "`zip`, `c`",
        ),
    ];
    for (options, flag, names) in cases {
        let msg = message(&fit(&t, &options).unwrap_err());
        assert!(msg.contains(flag) && msg.contains(names), "{msg}");
        assert!(msg.ends_with("the columns are `a`, `b`, `y`"), "{msg}");
    }
    let options = ColumnOptions { ignore: vec!["a".into(), "b".into()], ..Default::default() };
    assert!(message(&fit(&t, &options).unwrap_err()).contains("no column is left"));
    let options = ColumnOptions { ignore: vec!["y".into()], ..Default::default() };
    assert!(message(&fit(&t, &options).unwrap_err()).contains("`y` is the target"));
}

#[test]
fn missing_numeric_cells_without_impute_name_each_column() {
    let (_f, t) = csv("a,b,c,y\n1,,x,0\n2,NA,,1\nNA,3,z,0\n4,5,x,1\n");
    let err = fit(&t, &ColumnOptions::default()).unwrap_err();
    assert!(matches!(err, IoError::Table { .. }), "{err}");
    let msg = message(&err);
    assert!(msg.contains("column `a` has 1 missing cell, the first at line 4"), "{msg}");
    assert!(msg.contains("column `b` has 2 missing cells, the first at line 2"), "{msg}");
    assert!(!msg.contains("column `c`"), "categorical columns have a missing category: {msg}");
    assert!(msg.contains("--impute"), "{msg}");
    // Only the training rows count.
    let enc = TableEncoding::fit(&t, &[3], &ColumnOptions::default());
    assert!(enc.is_err(), "one class");
    let enc = TableEncoding::fit(
        &t,
        &[0, 3],
        &ColumnOptions { ignore: vec!["b".into()], ..Default::default() },
    )
    .unwrap();
    assert_eq!(enc.input_names(), ["a", "c=x"]);
    // Applied to a row with a missing cell, a model without imputation names it.
    let err = encode_all(&enc, &t, Unknown::Ignore).unwrap_err();
    assert!(message(&err).contains("line 4, column `a`: the cell is missing"), "{err}");
}

#[test]
fn a_numeric_column_without_values_must_be_ignored() {
    let (_f, t) = csv("a,b,y\nNA,1,0\n,2,1\n");
    let options = ColumnOptions { impute: Impute::Mean, ..Default::default() };
    let msg = message(&fit(&t, &options).unwrap_err());
    assert!(msg.contains("column `a` has no value") && msg.contains("--ignore"), "{msg}");
}

#[test]
fn too_many_categories_suggest_ignore() {
    let (_f, t) = csv("id,x,y\na,1,0\nb,2,1\nc,3,0\n");
    let options = ColumnOptions { max_categories: 2, ..Default::default() };
    let msg = message(&fit(&t, &options).unwrap_err());
    assert!(msg.contains("column `id` has more than 2 distinct values"), "{msg}");
    assert!(msg.contains("--ignore") && msg.contains("--max-categories"), "{msg}");
}

#[test]
fn categorical_columns_one_hot_with_missing_last() {
    let (_f, t) = csv("zip,color,y\n02134,b,0\n10001,NA,1\n2134,a,0\n10001,b,1\n");
    let options = ColumnOptions { categorical: vec!["zip".into()], ..Default::default() };
    let enc = fit(&t, &options).unwrap();
    assert_eq!(enc.input_names(), ["zip=10001", "zip=2134", "color=a", "color=b", "color=NA"]);
    assert_eq!(enc.numeric_inputs(), [false; 5]);
    assert_eq!(enc.column_widths(), [("zip", 2), ("color", 3)]);
    assert_eq!(enc.categories("color").unwrap(), ["a", "b"]);
    let rows = encode_all(&enc, &t, Unknown::Error).unwrap();
    assert_eq!(rows[0], [0.0, 1.0, 0.0, 1.0, 0.0]);
    assert_eq!(rows[1], [1.0, 0.0, 0.0, 0.0, 1.0]);
    assert_eq!(rows[2], [0.0, 1.0, 1.0, 0.0, 0.0]);
}

#[test]
fn imputation_and_one_hot_match_scikit_learn() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/table");
    let table = read_table(dir.join("table.csv")).unwrap();
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n_train = expected["train_rows"].as_u64().unwrap() as usize;
    let train: Vec<usize> = (0..n_train).collect();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
    for impute in [Impute::Mean, Impute::Median, Impute::MostFrequent] {
        let options = ColumnOptions { impute, ..Default::default() };
        let enc = TableEncoding::fit(&table, &train, &options).unwrap();
        let want_categories: Vec<String> =
            serde_json::from_value(expected["categories"]["color"].clone()).unwrap();
        assert_eq!(enc.categories("color").unwrap(), want_categories);
        assert_eq!(enc.input_names().last().map(String::as_str), Some("height"));
        assert_eq!(enc.input_names()[4], "color=NA");
        assert_eq!(expected["missing_category"]["color"], true);
        for column in ["age", "height"] {
            let want = expected["fill"][impute.name()][column].as_f64().unwrap();
            let got = enc.fill_value(column).unwrap();
            assert!(close(got, want), "{} of {column}: {got} vs {want}", impute.name());
        }
        // Rows 10 and 11: `purple` was not in the training rows and encodes as zeros.
        let rows = encode_all(&enc, &table, Unknown::Ignore).unwrap();
        let want = expected["encoded"][impute.name()].as_array().unwrap();
        assert_eq!(rows.len(), want.len());
        for (r, (got, want)) in rows.iter().zip(want).enumerate() {
            let want: Vec<f64> = serde_json::from_value(want.clone()).unwrap();
            assert!(
                got.iter().zip(&want).all(|(&a, &b)| close(a, b)),
                "row {r}: {got:?} vs {want:?}"
            );
        }
        assert_eq!(enc.classes().unwrap(), ["no", "yes"]);
    }
}

#[test]
fn columns_are_found_by_name_at_apply_time() {
    let (_f, train) = csv("a,c,b,y\n1,x,10,p\n2,z,20,q\n3,x,30,p\n");
    let enc = fit(&train, &ColumnOptions::default()).unwrap();
    let (_g, shuffled) = csv("extra,y,b,a,c\nfoo,q,20,2,z\nbar,p,10,1,x\n");
    let rows = encode_all(&enc, &shuffled, Unknown::Error).unwrap();
    let want = encode_all(&enc, &train, Unknown::Error).unwrap();
    assert_eq!(rows, [want[1].clone(), want[0].clone()]);
    assert_eq!(targets(&enc, &shuffled), [1.0, 0.0]);
    // Without the target the rows still encode; without an input column, nothing binds.
    let (_h, no_target) = csv("c,b,a\nx,1,2\n");
    let bound = enc.bind(&no_target).unwrap();
    assert!(!bound.has_target());
    assert!(message(&bound.encode_target(0).unwrap_err()).contains("no target column `y`"));
    let (_i, no_b) = csv("c,a,y\nx,1,p\n");
    let err = enc.bind(&no_b).unwrap_err();
    assert!(message(&err).contains("input column `b` is not in the table"), "{err}");
}

#[test]
fn unseen_categories_and_classes_both_ways() {
    let (_f, train) = csv("color,x,y\nred,1,a\nblue,2,b\nred,3,a\n");
    let enc = fit(&train, &ColumnOptions::default()).unwrap();
    assert_eq!(enc.input_names(), ["color=blue", "color=red", "x"]);
    let (_g, test) = csv("color,x,y\nblue,1,a\ngreen,2,b\n,3,NA\n");
    let err = encode_all(&enc, &test, Unknown::Error).unwrap_err();
    let IoError::TableCell { at, ref column, .. } = err else { panic!("{err}") };
    assert_eq!((at, column.as_str()), (RowOrigin::Line(3), "color"));
    let msg = message(&err);
    assert!(msg.contains("`green` is a category the training rows did not have"), "{msg}");
    assert!(msg.contains("--unknown ignore"), "{msg}");
    let rows = encode_all(&enc, &test, Unknown::Ignore).unwrap();
    assert_eq!(rows, [[1.0, 0.0, 1.0], [0.0, 0.0, 2.0], [0.0, 0.0, 3.0]]);
    let bound = enc.bind(&test).unwrap();
    let err = bound.encode_target(2).unwrap_err();
    assert!(message(&err).contains("line 4, column `y`: the label is missing"), "{err}");
    let (_h, test) = csv("color,x,y\nblue,1,c\n");
    let err = enc.bind(&test).unwrap().encode_target(0).unwrap_err();
    assert!(message(&err).contains("the class `c` is not one the model was trained on"), "{err}");
}

#[test]
fn text_in_a_numeric_column_and_a_wrong_buffer_are_errors() {
    let (_f, train) = csv("x,y\n1,a\n2,b\n");
    let enc = fit(&train, &ColumnOptions::default()).unwrap();
    let (_g, test) = csv("x,y\nbig,a\n");
    let err = encode_all(&enc, &test, Unknown::Ignore).unwrap_err();
    assert!(message(&err).contains("line 2, column `x`: `big` is not a number"), "{err}");
    let bound = enc.bind(&train).unwrap();
    assert!(matches!(
        bound.encode_row(0, &mut [0.0; 2], Unknown::Error),
        Err(IoError::Table { .. })
    ));
}

#[test]
fn json_round_trips_with_sorted_keys() {
    let (_f, t) = csv("a,b,c,y\n1.5,x,,p\n2,y,3,q\nNA,NA,4,p\n");
    let options = ColumnOptions { impute: Impute::Median, ..Default::default() };
    let enc = fit(&t, &options).unwrap();
    let json = enc.to_json();
    assert!(json.starts_with(r#"{"columns":[{"fill":1.75,"name":"a","type":"numeric"}"#), "{json}");
    assert_eq!(TableEncoding::from_json(&json).unwrap(), enc);
    assert_eq!(TableEncoding::from_json(&json).unwrap().to_json(), json);
    let (_r, t) = csv("a,y\n1,0.5\n2,1.5\n");
    let regression = fit(&t, &ColumnOptions { regression: true, ..Default::default() }).unwrap();
    assert_eq!(TableEncoding::from_json(&regression.to_json()).unwrap(), regression);
    for bad in [
        "",
        "{}",
        r#"{"format":"descent-table","version":2}"#,
        &json.replace("\"x\",\"y\"", "\"y\",\"x\""),
    ] {
        assert!(TableEncoding::from_json(bad).is_err(), "{bad}");
    }
    // A value whose shortest form is long still reads back exactly.
    let (_g, t) = csv("a,y\n0.1,p\n0.2,q\nNA,p\n");
    let enc = TableEncoding::fit(
        &t,
        &[0, 1, 2],
        &ColumnOptions { impute: Impute::Mean, ..Default::default() },
    )
    .unwrap();
    assert_eq!(enc.fill_value("a"), Some((0.1 + 0.2) / 2.0));
    assert_eq!(TableEncoding::from_json(&enc.to_json()).unwrap(), enc);
}

#[test]
fn the_model_file_stores_the_encoding() {
    use crate::{Dtype, ModelFile, load_model, save_model};
    use descent_train::{Activation, Output};
    let (_f, t) = csv("a,b,y\n1,x,p\n2,z,q\n");
    let enc = fit(&t, &ColumnOptions::default()).unwrap();
    let model = ModelFile {
        layers: vec![3, 1],
        activation: Activation::Relu,
        output: Output::Sigmoid,
        dtype: Dtype::F32,
        params: vec![vec![0.5, -1.0, 0.25], vec![0.125]],
        standardize: None,
        encoding: None,
    }
    .with_encoding(enc.clone());
    let file = TempFile::new("safetensors");
    save_model(file.path(), &model).unwrap();
    let back = load_model(file.path()).unwrap();
    assert_eq!(back, model);
    assert_eq!(back.encoding.unwrap().classes().unwrap(), ["p", "q"]);
    // An encoding that does not fit the network is refused before writing.
    let wrong =
        ModelFile { layers: vec![2, 1], params: vec![vec![0.5, -1.0], vec![0.1]], ..model.clone() };
    let err = save_model(file.path(), &wrong).unwrap_err();
    assert!(message(&err).contains("makes 3 inputs but the network has 2"), "{err}");
    let wrong = ModelFile { output: Output::Linear, ..model };
    assert!(message(&save_model(file.path(), &wrong).unwrap_err()).contains("2 classes"));
}

/// The fixture table as a Parquet file: `age` Int64, `color` a dictionary of strings,
/// `height` Float64 (NaN for one missing cell), `label` Utf8; nulls where the CSV is missing.
pub(super) fn fixture_parquet(path: &std::path::Path) {
    let age = Int64Array::from(vec![
        Some(23),
        Some(35),
        None,
        Some(41),
        Some(35),
        Some(29),
        None,
        Some(52),
        Some(35),
        Some(47),
        Some(33),
        None,
    ]);
    let color: DictionaryArray<Int32Type> = vec![
        Some("red"),
        Some("blue"),
        Some("green"),
        Some("red"),
        None,
        Some("blue"),
        Some("red"),
        Some("green"),
        Some("blue"),
        Some(" "),
        Some("purple"),
        Some("red"),
    ]
    .into_iter()
    .collect();
    let height = Float64Array::from(vec![
        Some(1.62),
        None,
        Some(1.75),
        Some(1.80),
        Some(1.55),
        Some(1.70),
        Some(1.62),
        Some(f64::NAN),
        Some(1.91),
        Some(1.62),
        Some(1.68),
        Some(1.50),
    ]);
    let label = StringArray::from(vec![
        "yes", "no", "yes", "no", "yes", "no", "yes", "no", "yes", "no", "yes", "no",
    ]);
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("age", Arc::new(age)),
        ("color", Arc::new(color)),
        ("height", Arc::new(height)),
        ("label", Arc::new(label)),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(&batch.slice(0, 5)).unwrap();
    writer.flush().unwrap(); // a second row group
    writer.write(&batch.slice(5, 7)).unwrap();
    writer.close().unwrap();
}

#[test]
fn parquet_and_csv_give_the_same_encoding_and_rows() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/table");
    let from_csv = read_table(dir.join("table.csv")).unwrap();
    let file = TempFile::new("parquet");
    fixture_parquet(file.path());
    let from_parquet = read_table(file.path()).unwrap();
    assert_eq!(from_parquet.column_names(), from_csv.column_names());
    assert_eq!(from_parquet.n_rows(), 12);
    assert_eq!(from_parquet.origin(11), RowOrigin::Index(11));
    let train: Vec<usize> = (0..10).collect();
    for impute in [Impute::Mean, Impute::Median, Impute::MostFrequent] {
        let options = ColumnOptions { impute, ..Default::default() };
        let a = TableEncoding::fit(&from_csv, &train, &options).unwrap();
        let b = TableEncoding::fit(&from_parquet, &train, &options).unwrap();
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(
            encode_all(&a, &from_csv, Unknown::Ignore).unwrap(),
            encode_all(&b, &from_parquet, Unknown::Ignore).unwrap()
        );
        assert_eq!(targets(&a, &from_csv), targets(&b, &from_parquet));
        // The CSV's encoding applies to the Parquet file, and back.
        assert_eq!(
            encode_all(&a, &from_parquet, Unknown::Ignore).unwrap(),
            encode_all(&b, &from_csv, Unknown::Ignore).unwrap()
        );
    }
}

#[test]
fn parquet_errors_name_the_file_the_row_and_the_column() {
    let file = TempFile::new("parquet");
    let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, f64::INFINITY]));
    let batch = RecordBatch::try_from_iter([("x", x)]).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(file.path()).unwrap(), batch.schema(), None)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let err = read_table(file.path()).unwrap_err();
    assert!(message(&err).contains("row index 1, column `x`: inf is not a finite number"), "{err}");
    let not_parquet = TempFile::with_bytes("parquet", b"a,b\n1,2\n");
    let err = read_table(not_parquet.path()).unwrap_err();
    assert!(matches!(err, IoError::Parquet { .. }), "{err}");
}
