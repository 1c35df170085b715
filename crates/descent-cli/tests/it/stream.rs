//! `descent gen`, and training and evaluating from memory-mapped `.npy` files: the same model
//! and scores as with the same data loaded in memory (here from a CSV file of the same values).

use crate::common::{TempDir, ok, read_safetensors};

#[test]
fn gen_writes_the_built_in_data_and_streamed_training_equals_in_memory_training() {
    let dir = TempDir::new("stream");
    let (x, y) = (dir.file("X.npy"), dir.file("y.npy"));
    let out = ok(&[
        "gen",
        "--examples",
        "3000",
        "--features",
        "5",
        "--dtype",
        "f64",
        "--out",
        &x,
        "--labels",
        &y,
    ]);
    assert!(out.contains("3000 examples, 5 features, f64"), "{out}");
    let (m, nf, features) = descent_io::load_npy_features(&x).unwrap();
    let labels = descent_io::load_npy_labels(&y).unwrap();
    assert_eq!((m, nf, labels.len()), (3000, 5, 3000));
    // Up to 65,536 examples, the first two features and the labels are the built-in moons of
    // the same size (`descent train --data moons --examples 3000`).
    let moons = descent::train::datasets::moons(descent::train::datasets::SyntheticConfig {
        n_examples: 3000,
        ..Default::default()
    })
    .unwrap();
    for j in 0..m {
        assert_eq!(&features[j * nf..j * nf + 2], moons.example(j), "example {j}");
    }
    assert_eq!(labels, moons.targets());

    // The same values as a CSV file, which is always loaded in memory.
    let mut csv = String::from("a,b,c,d,e,label\n");
    for j in 0..m {
        let row: Vec<String> =
            features[j * nf..(j + 1) * nf].iter().map(|v| format!("{v:?}")).collect();
        csv.push_str(&format!("{},{}\n", row.join(","), labels[j]));
    }
    let csv = dir.write("d.csv", csv);
    let flags = [
        "--epochs",
        "3",
        "--layers",
        "8",
        "--lr",
        "0.01",
        "--standardize",
        "--dtype",
        "f64",
        "--quiet",
    ];
    let (from_file, from_csv) = (dir.file("file.safetensors"), dir.file("csv.safetensors"));
    let mut args = vec!["train", "--data", &x, "--labels", &y, "--save", &from_file];
    args.extend(flags);
    ok(&args);
    let mut args = vec!["train", "--data", &csv, "--save", &from_csv];
    args.extend(flags);
    ok(&args);
    let (a, meta_a) = read_safetensors(std::path::Path::new(&from_file));
    let (b, meta_b) = read_safetensors(std::path::Path::new(&from_csv));
    // Everything but the data source as typed (a checkpoint records it for --resume) agrees,
    // the data fingerprint and the standardization included.
    let without_source = |meta: &std::collections::BTreeMap<String, String>| {
        let mut meta = meta.clone();
        meta.retain(|k, _| k != "setting.data" && k != "setting.labels");
        meta
    };
    assert_eq!(without_source(&meta_a), without_source(&meta_b), "metadata");
    for (name, t) in &a {
        assert_eq!(t.values, b[name].values, "tensor {name}");
    }
    // `eval` on the mapped files scores as on the CSV file (the model's standardization applied).
    let from_npy = ok(&["eval", "--model", &from_file, "--data", &x, "--labels", &y, "--json"]);
    let from_text = ok(&["eval", "--model", &from_file, "--data", &csv, "--json"]);
    let (a, b) = (crate::common::last_json(&from_npy), crate::common::last_json(&from_text));
    assert_eq!(
        (&a["cost"], &a["accuracy"], &a["examples"]),
        (&b["cost"], &b["accuracy"], &b["examples"])
    );
    assert!(a["accuracy"].as_f64().unwrap() > 0.8, "{from_npy}");

    // `predict` on the mapped features writes the CSV of `predict` on the CSV file, for an f64
    // model and for an f32 one (standardized in f64 before the conversion, as in memory).
    let f32_model = dir.file("f32.safetensors");
    let mut args = vec!["train", "--data", &csv, "--save", &f32_model];
    args.extend(flags.map(|f| if f == "f64" { "f32" } else { f }));
    ok(&args);
    for model in [&from_file, &f32_model] {
        let from_npy = ok(&["predict", "--model", model, "--data", &x]);
        let from_text = ok(&["predict", "--model", model, "--data", &csv]);
        assert_eq!(from_npy.lines().count(), 3001, "{model}");
        assert!(from_npy.starts_with("class,probability\n"), "{model}");
        assert_eq!(from_npy, from_text, "{model}");
    }
    // A features file of the wrong width is refused, naming the file.
    let narrow = dir.write("narrow.npy", crate::common::npy("<f8", "(2, 3)", &[0_u8; 48]));
    crate::common::fails(
        2,
        &["predict", "--model", &from_file, "--data", &narrow],
        &["narrow.npy", "3 features", "5 wide"],
    );
}

#[test]
fn gen_refuses_bad_settings() {
    let dir = TempDir::new("gen-bad");
    let (x, y) = (dir.file("X.npy"), dir.file("y.npy"));
    crate::common::fails(
        2,
        &["gen", "--examples", "1", "--out", &x, "--labels", &y],
        &["--examples"],
    );
    crate::common::fails(
        2,
        &["gen", "--examples", "9", "--features", "1", "--out", &x, "--labels", &y],
        &["--features"],
    );
    crate::common::fails(
        2,
        &["gen", "--examples", "9", "--out", &x, "--labels", &x],
        &["same file"],
    );
    let missing = dir.file("no/X.npy");
    crate::common::fails(
        2,
        &["gen", "--examples", "9", "--out", &missing, "--labels", &y],
        &["does not exist"],
    );
}
