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
    // Everything but the data source as typed (a checkpoint records it for --resume) and the
    // CSV's column encoding (a table's model records how its columns became inputs) agrees,
    // the data fingerprint and the standardization included.
    assert!(meta_b["encoding"].contains("\"name\":\"label\""), "{}", meta_b["encoding"]);
    let without_source = |meta: &std::collections::BTreeMap<String, String>| {
        let mut meta = meta.clone();
        meta.retain(|k, _| k != "setting.data" && k != "setting.labels" && k != "encoding");
        meta
    };
    assert_eq!(without_source(&meta_a), without_source(&meta_b), "metadata");
    for (name, t) in &a {
        assert_eq!(t.values, b[name].values, "tensor {name}");
    }
    // Prefetching (on by default for mapped files) changes nothing: off, and on for the CSV.
    for (data, labels, prefetch) in [(&x, Some(&y), "off"), (&csv, None, "on")] {
        let path = dir.file(&format!("prefetch-{prefetch}.safetensors"));
        let mut args = vec!["train", "--data", data, "--save", &path, "--prefetch", prefetch];
        if let Some(labels) = labels {
            args.extend(["--labels", labels.as_str()]);
        }
        args.extend(flags);
        ok(&args);
        let (c, _) = read_safetensors(std::path::Path::new(&path));
        for (name, t) in &a {
            assert_eq!(t.values, c[name].values, "--prefetch {prefetch}: tensor {name}");
        }
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

#[test]
fn a_nan_or_infinite_feature_in_a_mapped_file_is_refused_naming_file_row_and_column() {
    let dir = TempDir::new("stream-nan");
    // 4 examples × 3 features, C order; then the same values in Fortran order.
    let good: Vec<f64> = (0..12).map(|v| f64::from(v) / 4.0).collect();
    let labels = dir.write("y.npy", crate::common::npy("|u1", "(4,)", &[0, 1, 0, 1]));
    let bytes = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let x = dir.write("x.npy", crate::common::npy("<f8", "(4, 3)", &bytes(&good)));
    let model = dir.file("m.safetensors");
    ok(&["train", "--data", &x, "--labels", &labels, "--epochs", "1", "--quiet", "--save", &model]);
    let mut nan = good.clone();
    nan[2 * 3 + 1] = f64::NAN; // example 2, feature 1
    let nan = dir.write("nan.npy", crate::common::npy("<f8", "(4, 3)", &bytes(&nan)));
    let mut inf = good.clone();
    inf[3 * 3 + 2] = f64::NEG_INFINITY; // example 3, feature 2
    let inf_f32: Vec<u8> = inf.iter().flat_map(|&x| (x as f32).to_le_bytes()).collect();
    let inf = dir.write("inf.npy", crate::common::npy("<f4", "(4, 3)", &inf_f32));
    // Fortran order: feature f of example j is element f * 4 + j; example 1, feature 0 is NaN.
    let mut fortran: Vec<f64> = (0..12).map(|i| good[(i % 4) * 3 + i / 4]).collect();
    fortran[1] = f64::NAN;
    let mut fortran_bytes = crate::common::npy("<f8", "(4, 3)", &bytes(&fortran));
    let at = fortran_bytes.windows(5).position(|w| w == b"False").unwrap();
    fortran_bytes[at..at + 5].copy_from_slice(b"True ");
    let fortran = dir.write("fortran.npy", fortran_bytes);
    for (file, name, place) in [
        (&nan, "nan.npy", ["row 2", "column 1", "NaN"]),
        (&inf, "inf.npy", ["row 3", "column 2", "-inf"]),
        (&fortran, "fortran.npy", ["row 1", "column 0", "NaN"]),
    ] {
        let runs: [Vec<&str>; 4] = [
            vec!["train", "--data", file, "--labels", &labels, "--epochs", "1", "--quiet"],
            vec!["train", "--data", file, "--labels", &labels, "--standardize", "--quiet"],
            vec!["eval", "--model", &model, "--data", file, "--labels", &labels],
            vec!["predict", "--model", &model, "--data", file],
        ];
        for args in runs {
            let mut needles = vec![name];
            needles.extend(place);
            crate::common::fails_once(2, &args, &needles);
        }
    }
}
