//! Real tables end to end: string and numeric class labels, categorical columns and missing
//! cells, the encoding stored in the model and applied by name at eval and predict (columns
//! reordered, an unseen category both ways), and Parquet written with the parquet crate.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;

use crate::common::{TempDir, fails_once, ok};

/// A penguin-like table: `bill` numeric with a missing cell, `island` categorical, `species`
/// a string label; 3 species separated by `bill` and `island`.
fn penguins() -> (Vec<f64>, Vec<&'static str>, Vec<&'static str>) {
    let mut bill = Vec::new();
    let mut island = Vec::new();
    let mut species = Vec::new();
    for j in 0..60 {
        let (s, i, b) = match j % 3 {
            0 => ("Adelie", "Torgersen", 38.0),
            1 => ("Chinstrap", "Dream", 48.0),
            _ => ("Gentoo", "Biscoe", 58.0),
        };
        bill.push(b + f64::from(j % 7) * 0.3);
        island.push(i);
        species.push(s);
    }
    (bill, island, species)
}

fn penguins_csv(dir: &TempDir) -> String {
    let (bill, island, species) = penguins();
    let mut text = String::from("id,bill,island,species\n");
    for j in 0..bill.len() {
        // One missing bill: filled with --impute.
        let b = if j == 4 { "NA".to_owned() } else { bill[j].to_string() };
        text.push_str(&format!("{j},{b},{},{}\n", island[j], species[j]));
    }
    dir.write("penguins.csv", text)
}

#[test]
fn a_table_with_string_labels_categories_and_missing_cells_trains_evaluates_and_predicts_names() {
    let dir = TempDir::new("tables");
    let data = penguins_csv(&dir);
    let model = dir.file("m.safetensors");
    let train = |extra: &[&str]| {
        let mut args = vec!["train", "--data", &data, "--target", "species", "--ignore", "id"];
        args.extend(["--layers", "8", "--lr", "0.05", "--epochs", "300", "--quiet"]);
        args.extend_from_slice(extra);
        args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    // Without --impute the missing bill is refused, naming the column, count and line.
    let refused = train(&[]);
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    fails_once(2, &refused, &["bill", "line 6", "--impute"]);
    let args =
        train(&["--impute", "median", "--standardize", "--validation", "0.2", "--save", &model]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = ok(&args);
    assert!(out.contains("(48 examples, 12 held out)"), "stratified 20%: {out}");
    // eval takes the target from the model; labels are read as names.
    let eval = ok(&["eval", "--model", &model, "--data", &data, "--json"]);
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    assert!(eval["accuracy"].as_f64().unwrap() > 0.9, "{eval}");
    // predict reads columns by name in any order (extra columns ignored) and prints names.
    let reordered = dir.write(
        "new.csv",
        "species,island,extra,bill,id\nx,Biscoe,1,58.5,0\nx,Torgersen,2,38.2,1\n",
    );
    let predicted = ok(&["predict", "--model", &model, "--data", &reordered]);
    let classes: Vec<&str> =
        predicted.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(classes, ["Gentoo", "Adelie"], "{predicted}");
    // An island the training rows never had: refused by default, all zeros with ignore.
    let unseen = dir.write("unseen.csv", "bill,island\n48.1,Atlantis\n");
    fails_once(2, &["predict", "--model", &model, "--data", &unseen], &["island", "Atlantis"]);
    ok(&["predict", "--model", &model, "--data", &unseen, "--unknown", "ignore"]);
    // A missing input column is named.
    let no_island = dir.write("no-island.csv", "bill\n48.1\n");
    fails_once(2, &["predict", "--model", &model, "--data", &no_island], &["island"]);
}

#[test]
fn numeric_labels_1_to_3_are_classes_and_a_parquet_file_gives_the_same_model() {
    let dir = TempDir::new("tables-parquet");
    let (bill, island, species) = penguins();
    let label = |s: &str| match s {
        "Adelie" => 1.0,
        "Chinstrap" => 2.0,
        _ => 3.0,
    };
    let mut text = String::from("bill,island,y\n");
    for j in 0..bill.len() {
        text.push_str(&format!("{},{},{}\n", bill[j], island[j], label(species[j])));
    }
    let csv = dir.write("t.csv", text);
    let parquet = dir.file("t.parquet");
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("bill", Arc::new(Float64Array::from(bill.clone()))),
        ("island", Arc::new(StringArray::from(island.clone()))),
        ("y", Arc::new(Float64Array::from(species.iter().map(|s| label(s)).collect::<Vec<_>>()))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&parquet).unwrap(), batch.schema(), None)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let (from_csv, from_parquet) = (dir.file("csv.safetensors"), dir.file("parquet.safetensors"));
    for (data, model) in [(&csv, &from_csv), (&parquet, &from_parquet)] {
        let out = ok(&["train", "--data", data, "--epochs", "50", "--quiet", "--save", model]);
        assert!(out.contains("layers 4-5-2-3"), "3 classes, softmax: {out}");
    }
    let (a, b) = (
        descent_io::load_model(&from_csv).unwrap(),
        descent_io::load_model(&from_parquet).unwrap(),
    );
    assert_eq!(a.params, b.params, "the same table as CSV and Parquet trains the same network");
    let enc = a.encoding.unwrap();
    assert_eq!(enc.classes().unwrap(), ["1", "2", "3"]);
    let predicted = ok(&["predict", "--model", &from_parquet, "--data", &csv]);
    assert!(
        predicted.lines().skip(1).all(|l| ["1", "2", "3"].contains(&l.split(',').next().unwrap()))
    );
}
