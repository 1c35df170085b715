//! One test per bad input of the issue: exit status 2 (1 mid-run), one message naming the
//! file, line, column or flag, no panic, and no `--save` file created or replaced.

use crate::common::{TempDir, binary_csv, fails, fails_once, ok, write_safetensors};

/// `train` on `data` for one epoch with `extra` flags.
fn train_on(data: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["train", "--data", data, "--epochs", "1"].iter().map(|s| (*s).to_owned()).collect();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn missing_file() {
    let dir = TempDir::new("missing");
    let path = dir.file("nope.csv");
    fails_once(2, &refs(&train_on(&path, &[])), &["--data", "nope.csv", "no such file"]);
}

#[test]
fn empty_file() {
    let dir = TempDir::new("empty");
    let path = dir.write("e.csv", "");
    fails_once(2, &refs(&train_on(&path, &[])), &["e.csv", "empty"]);
    let header_only = dir.write("h.csv", "a,b,y\n");
    fails_once(2, &refs(&train_on(&header_only, &[])), &["h.csv"]);
}

#[test]
fn ragged_row() {
    let dir = TempDir::new("ragged");
    let path = dir.write("r.csv", "a,b,y\n1,2,0\n3,1\n");
    fails_once(2, &refs(&train_on(&path, &[])), &["r.csv", "line 3"]);
}

#[test]
fn a_text_cell_makes_its_column_categorical_unless_it_is_forced_numeric_elsewhere() {
    let dir = TempDir::new("text");
    // `b` holds text: a categorical column (one-hot), not an error.
    let path = dir.write("t.csv", "a,b,y\n1,2,0\n3,x7,1\n");
    crate::common::ok(&refs(&train_on(&path, &["--quiet"])));
    // An --ignore or --categorical name that is no column is refused, naming it.
    fails_once(2, &refs(&train_on(&path, &["--ignore", "nope"])), &["--ignore", "nope"]);
    fails_once(2, &refs(&train_on(&path, &["--categorical", "zz"])), &["--categorical", "zz"]);
}

#[test]
fn nan_and_inf_cells() {
    let dir = TempDir::new("nan");
    let nan = dir.write("n.csv", "a,b,y\n1,NaN,0\n3,4,1\n");
    fails_once(2, &refs(&train_on(&nan, &[])), &["n.csv", "line 2", "`b`"]);
    let inf = dir.write("i.csv", "a,b,y\n1,2,0\ninf,4,1\n");
    fails_once(2, &refs(&train_on(&inf, &[])), &["i.csv", "line 3", "`a`"]);
}

#[test]
fn label_that_is_not_an_integer_class() {
    let dir = TempDir::new("label");
    let path = dir.write("l.csv", "a,b,y\n1,2,0\n3,4,1\n5,6,0.5\n");
    fails_once(2, &refs(&train_on(&path, &[])), &["l.csv", "line 4", "0.5", "--output linear"]);
    fails_once(2, &refs(&train_on(&path, &["--output", "sigmoid"])), &["l.csv", "line 4"]);
}

#[test]
fn batch_size_zero() {
    fails_once(2, &["train", "--batch-size", "0"], &["--batch-size"]);
}

#[test]
fn negative_or_nan_learning_rate() {
    fails_once(2, &["train", "--lr", "-0.1"], &["--lr"]);
    fails_once(2, &["train", "--lr", "NaN"], &["--lr"]);
}

#[test]
fn beta_outside_zero_one() {
    fails_once(2, &["train", "--beta", "1"], &["--beta"]);
    fails_once(2, &["train", "--beta1", "-0.1"], &["--beta1"]);
    fails_once(2, &["train", "--beta2", "1.5"], &["--beta2"]);
}

#[test]
fn zero_width_layer_and_empty_item() {
    fails_once(2, &["train", "--layers", "5,0"], &["--layers", "item 2"]);
    fails_once(2, &["train", "--layers", "5,,2"], &["--layers 5,,2", "item 2 is empty"]);
}

#[test]
fn decay_interval_zero() {
    fails_once(2, &["train", "--decay", "step", "--decay-interval", "0"], &["--decay-interval"]);
}

#[test]
fn unknown_optimizer_or_backend() {
    fails(2, &["train", "--optimizer", "sgd"], &["--optimizer", "sgd"]);
    fails(2, &["train", "--backend", "cuda"], &["--backend", "cuda"]);
}

#[test]
fn layer_product_too_large_names_the_size() {
    let err =
        fails_once(2, &["train", "--layers", "200000,200000,200000"], &["--layers", "would need"]);
    assert!(err.contains("GiB") && err.contains("available"), "{err}");
    let huge = format!("{},{}", usize::MAX, usize::MAX);
    fails_once(2, &["train", "--layers", &huge], &["--layers"]);
}

#[test]
fn truncated_or_non_safetensors_init() {
    let dir = TempDir::new("init-bad");
    let good = dir.path("good.safetensors");
    write_safetensors(
        &good,
        false,
        &[("W1", vec![1, 2], vec![0.5, 0.5]), ("b1", vec![1, 1], vec![0.0])],
        &[],
    );
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.write("t.safetensors", &bytes[..bytes.len() - 3]);
    fails_once(
        2,
        &["train", "--init", &truncated, "--layers", ""],
        &["--init", "t.safetensors", "truncated"],
    );
    let text = dir.write("x.safetensors", "this is not a model file at all");
    fails_once(2, &["train", "--init", &text], &["--init", "x.safetensors", "safetensors"]);
}

#[test]
fn wrong_tensor_shapes_or_names() {
    let dir = TempDir::new("init-shape");
    let shape = dir.path("s.safetensors");
    write_safetensors(
        &shape,
        false,
        &[("W1", vec![1, 2], vec![0.5, 0.5]), ("b1", vec![2, 1], vec![0.0, 0.0])],
        &[],
    );
    let shape = shape.display().to_string();
    fails_once(
        2,
        &["train", "--init", &shape, "--layers", ""],
        &["s.safetensors", "`b1`", "shape"],
    );
    let name = dir.path("n.safetensors");
    write_safetensors(
        &name,
        false,
        &[("W1", vec![1, 2], vec![0.5, 0.5]), ("bias", vec![1, 1], vec![0.0])],
        &[],
    );
    let name = name.display().to_string();
    fails_once(2, &["train", "--init", &name, "--layers", ""], &["n.safetensors", "bias"]);
}

#[test]
fn model_input_width_differs_from_the_data() {
    let dir = TempDir::new("width");
    let init = dir.path("w3.safetensors");
    write_safetensors(
        &init,
        false,
        &[("W1", vec![1, 3], vec![0.5, 0.5, 0.5]), ("b1", vec![1], vec![0.0])],
        &[],
    );
    let init = init.display().to_string();
    fails_once(2, &["train", "--init", &init], &["--init", "3 wide", "2 features"]);
    // eval and predict: a model of moons (2 inputs) on a 3-feature CSV.
    let model = dir.file("m.safetensors");
    crate::common::ok(&["train", "--epochs", "1", "--save", &model, "--quiet"]);
    let data = dir.write("d3.csv", "a,b,c,y\n1,2,3,0\n4,5,6,1\n");
    fails_once(
        2,
        &["eval", "--model", &model, "--data", &data],
        &["--data", "3 features", "2 wide"],
    );
    let wide = dir.write("d4.csv", "a,b,c,d,y\n1,2,3,4,0\n");
    fails_once(2, &["predict", "--model", &model, "--data", &wide], &["--data", "4 features"]);
}

#[test]
fn save_folder_that_does_not_exist() {
    let dir = TempDir::new("save-folder");
    let target = dir.file("no/such/folder/m.safetensors");
    fails_once(2, &["train", "--epochs", "1", "--save", &target], &["--save", "does not exist"]);
    assert!(!dir.path("no").exists());
}

#[test]
fn divergence_exits_1_and_never_touches_the_save_file() {
    let dir = TempDir::new("diverge");
    let mut text = String::from("x,y\n");
    for j in 0..40 {
        let x = f64::from(j) / 20.0 - 1.0;
        text.push_str(&format!("{x},{}\n", 1000.0 * x));
    }
    let data = dir.write("d.csv", text);
    let fresh = dir.file("fresh.safetensors");
    let diverging = |save: &str| -> Vec<String> {
        let mut args = vec!["train", "--data", &data, "--output", "linear", "--optimizer", "gd"];
        args.extend(["--lr", "10", "--epochs", "200", "--save", save]);
        args.into_iter().map(str::to_owned).collect()
    };
    fails_once(1, &refs(&diverging(&fresh)), &["diverged", "--lr"]);
    assert!(!dir.path("fresh.safetensors").exists());
    // An existing model file keeps its bytes, and no temporary file is left beside it.
    let existing = dir.write("old.safetensors", b"previous model");
    fails_once(1, &refs(&diverging(&existing)), &["diverged"]);
    assert_eq!(std::fs::read(&existing).unwrap(), b"previous model");
    let names: Vec<_> =
        std::fs::read_dir(dir.path("")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn eval_of_a_file_that_is_not_a_model_and_labels_outside_the_classes() {
    let dir = TempDir::new("eval-bad");
    let bogus = dir.write("b.safetensors", [0_u8; 4]);
    fails_once(2, &["eval", "--model", &bogus], &["--model", "b.safetensors"]);
    let model = dir.file("m.safetensors");
    crate::common::ok(&["train", "--epochs", "1", "--save", &model, "--quiet"]);
    let data = dir.write("d.csv", "a,b,y\n1,2,0\n4,5,3\n");
    fails_once(
        2,
        &["eval", "--model", &model, "--data", &data],
        &["d.csv, line 3", "classes 0..1"],
    );
    let _ = binary_csv;
}

#[test]
fn a_csv_without_a_header_row_is_refused_unless_no_header() {
    let dir = TempDir::new("no-header");
    let data = dir.write("a.csv", "1,2,0\n3,4,1\n5,6,0\n");
    fails_once(2, &refs(&train_on(&data, &[])), &["a.csv, line 1", "header row", "--no-header"]);
    // Every row is data: three examples, columns x1, x2 and the label x3.
    let model = dir.file("m.safetensors");
    let out = ok(&refs(&train_on(&data, &["--no-header", "--quiet", "--save", &model])));
    assert!(out.contains("(3 examples)"), "{out}");
    let eval = ok(&["eval", "--model", &model, "--data", &data, "--no-header", "--json"]);
    assert!(eval.contains("\"examples\":3"), "{eval}");
    ok(&refs(&train_on(&data, &["--no-header", "--target", "x1", "--output", "linear"])));
    fails_once(2, &["train", "--no-header", "--epochs", "1"], &["--no-header", "built-in"]);
}
