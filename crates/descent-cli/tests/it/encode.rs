//! `descent encode`: a table streamed into the `.npy` pair and `X.encoding.json`; training on
//! them gives the model that training on the table gives, the model takes raw rows at eval
//! and predict, `--impute median` and bad cells are refused, and the memory check names the
//! one-hot columns that make a run too big.

use crate::common::{TempDir, descent, fails_once, ok};

/// A penguin-like table with an id column, a missing bill and string labels.
fn penguins(dir: &TempDir) -> String {
    let mut text = String::from("id,bill,island,species\n");
    for j in 0..90 {
        let (s, i, b) = match j % 3 {
            0 => ("Adelie", "Torgersen", 38.0),
            1 => ("Chinstrap", "Dream", 48.0),
            _ => ("Gentoo", "Biscoe", 58.0),
        };
        let bill =
            if j % 11 == 4 { "NA".to_owned() } else { (b + f64::from(j % 7) * 0.7).to_string() };
        // Islands mostly follow the species, with some mixing.
        let island = if j % 5 == 0 { "Dream" } else { i };
        text.push_str(&format!("{j},{bill},{island},{s}\n"));
    }
    dir.write("penguins.csv", text)
}

const COLUMNS: [&str; 6] = ["--target", "species", "--ignore", "id", "--impute", "mean"];
const NETWORK: [&str; 8] =
    ["--layers", "8", "--lr", "0.01", "--epochs", "40", "--batch-size", "16"];

#[test]
fn training_on_the_encoded_files_gives_the_model_of_the_table() {
    let dir = TempDir::new("encode");
    let csv = penguins(&dir);
    let (x, y) = (dir.file("X.npy"), dir.file("y.npy"));
    let mut args = vec!["encode", "--data", &csv, "--out", &x, "--labels", &y];
    args.extend(COLUMNS);
    let out = ok(&args);
    assert!(out.contains("90 rows, 4 inputs, 3 classes"), "{out}");
    let json = std::fs::read_to_string(dir.path("X.encoding.json")).unwrap();
    let encoding = descent_io::TableEncoding::from_json(json.trim()).unwrap();
    assert_eq!(
        encoding.input_names(),
        ["bill", "island=Biscoe", "island=Dream", "island=Torgersen"]
    );
    let (rows, width, features) = descent_io::load_npy_features(&x).unwrap();
    assert_eq!((rows, width), (90, 4));
    assert_eq!(&features[4..8], [48.0 + 0.7, 0.0, 1.0, 0.0].map(|v: f64| f64::from(v as f32)));
    assert_eq!(descent_io::load_npy_labels(&y).unwrap()[..4], [0.0, 1.0, 2.0, 0.0]);

    // The same flags on the table itself (no --validation, so every row trains and the
    // encoding is fitted on the same rows): the same parameters, bit for bit.
    let (from_csv, from_npy) = (dir.file("csv.safetensors"), dir.file("npy.safetensors"));
    let mut args = vec!["train", "--data", &csv, "--quiet", "--save", &from_csv];
    args.extend(COLUMNS);
    args.extend(NETWORK);
    ok(&args);
    let mut args = vec!["train", "--data", &x, "--labels", &y, "--quiet", "--save", &from_npy];
    args.extend(NETWORK);
    let out = ok(&args);
    assert!(out.contains("layers 4-8-3"), "{out}");
    let (a, b) =
        (descent_io::load_model(&from_csv).unwrap(), descent_io::load_model(&from_npy).unwrap());
    assert_eq!(a.params, b.params, "the encoded files train the table's network");
    assert_eq!(b.encoding.as_ref(), Some(&encoding), "train picked up X.encoding.json");

    // The model from the .npy pair takes raw rows: eval scores names, predict prints them.
    let eval_csv = ok(&["eval", "--model", &from_npy, "--data", &csv, "--json"]);
    let eval_npy = ok(&["eval", "--model", &from_npy, "--data", &x, "--labels", &y, "--json"]);
    let (eval_csv, eval_npy): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&eval_csv).unwrap(), serde_json::from_str(&eval_npy).unwrap());
    assert_eq!(eval_csv["accuracy"], eval_npy["accuracy"], "{eval_csv} {eval_npy}");
    let new = dir.write("new.csv", "island,bill\nBiscoe,58.3\nTorgersen,38.1\n");
    let predicted = ok(&["predict", "--model", &from_npy, "--data", &new]);
    let classes: Vec<&str> =
        predicted.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(classes.len(), 2, "{predicted}");
    assert!(classes.iter().all(|c| ["Adelie", "Chinstrap", "Gentoo"].contains(c)), "{predicted}");

    // --standardize on the encoded files scales the numeric input only, as on the table.
    let scaled = dir.file("scaled.safetensors");
    let mut args =
        vec!["train", "--data", &x, "--labels", &y, "--quiet", "--standardize", "--save", &scaled];
    args.extend(NETWORK);
    ok(&args);
    let stats = descent_io::load_model(&scaled).unwrap().standardize.unwrap();
    assert!((stats.mean[0] - 50.1).abs() < 0.5, "the mean bill, about 48 + 2.1: {stats:?}");
    assert_eq!((&stats.mean[1..], &stats.std[1..]), (&[0.0; 3][..], &[1.0; 3][..]));
}

#[test]
fn parquet_encodes_to_the_same_files_as_csv() {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let dir = TempDir::new("encode-parquet");
    let csv = dir.write("t.csv", "bill,island,y\n1.5,a,no\nNA,b,yes\n2.5,a,no\n3.5,b,yes\n");
    let parquet = dir.file("t.parquet");
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("bill", Arc::new(Float64Array::from(vec![Some(1.5), None, Some(2.5), Some(3.5)]))),
        ("island", Arc::new(StringArray::from(vec!["a", "b", "a", "b"]))),
        ("y", Arc::new(StringArray::from(vec!["no", "yes", "no", "yes"]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&parquet).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let mut files = Vec::new();
    for (name, data) in [("c", &csv), ("p", &parquet)] {
        let (x, y) = (dir.file(&format!("{name}.npy")), dir.file(&format!("{name}-y.npy")));
        ok(&["encode", "--data", data, "--impute", "most-frequent", "--out", &x, "--labels", &y]);
        let json = std::fs::read(dir.path(&format!("{name}.encoding.json"))).unwrap();
        files.push((std::fs::read(&x).unwrap(), std::fs::read(&y).unwrap(), json));
    }
    assert_eq!(files[0], files[1]);
}

#[test]
fn median_bad_cells_and_stale_encodings_are_refused_and_outputs_are_kept() {
    let dir = TempDir::new("encode-refused");
    let csv = penguins(&dir);
    let (x, y) = (dir.file("X.npy"), dir.file("y.npy"));
    std::fs::write(&x, b"old").unwrap();
    let base = [
        "encode", "--data", &csv, "--target", "species", "--ignore", "id", "--out", &x, "--labels",
        &y,
    ];
    let mut args = base.to_vec();
    args.extend(["--impute", "median"]);
    fails_once(2, &args, &["--impute median", "in memory", "mean or most-frequent"]);
    let bad = dir.write("bad.csv", "a,y\n1,x\n2,z\ninf,x\n");
    fails_once(
        2,
        &["encode", "--data", &bad, "--out", &x, "--labels", &y],
        &["bad.csv", "line 4", "column `a`"],
    );
    let mut args = base.to_vec();
    args.extend(["--impute", "mean", "--max-categories", "2"]);
    fails_once(2, &args, &["island", "--ignore"]);
    fails_once(2, &["encode", "--data", &csv, "--out", &csv, "--labels", &y], &["--out", "--data"]);
    assert_eq!(std::fs::read(&x).unwrap(), b"old", "a refused run leaves the old file");
    assert!(!dir.path("y.npy").exists() && !dir.path("X.encoding.json").exists());

    // An encoding that does not describe the features beside it is refused by train.
    ok(&["gen", "--examples", "50", "--out", &x, "--labels", &y]);
    dir.write("X.encoding.json", "{}");
    fails_once(2, &["train", "--data", &x, "--labels", &y, "--epochs", "1"], &["X.encoding.json"]);
    let mut args = base.to_vec();
    args.extend(["--impute", "mean"]);
    ok(&args);
    ok(&["gen", "--examples", "50", "--out", &x, "--labels", &y]);
    fails_once(
        2,
        &["train", "--data", &x, "--labels", &y, "--epochs", "1"],
        &["X.encoding.json", "describes 4 inputs", "2 features"],
    );
}

#[test]
fn the_memory_check_names_the_one_hot_columns_that_make_the_inputs_wide() {
    let dir = TempDir::new("encode-memory");
    let mut text = String::from("zip,size,y\n");
    for j in 0..3000 {
        text.push_str(&format!("z{},{},{}\n", j % 1500, j % 13, j % 2));
    }
    let csv = dir.write("wide.csv", text);
    let run = |extra: &[&str]| {
        let mut args = vec!["train", "--data", &csv, "--layers", "64", "--epochs", "1"];
        args.extend(["--max-memory", "4M", "--quiet"]);
        args.extend_from_slice(extra);
        descent(&args)
    };
    let out = run(&["--max-categories", "2000"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for needle in [
        "--max-memory",
        "1,501 inputs",
        "column `zip` has 1,500 categories (one input each)",
        "try --ignore zip",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    let out = run(&["--ignore", "zip"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
