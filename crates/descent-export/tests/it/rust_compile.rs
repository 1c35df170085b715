//! Generated Rust files compiled with `rustc` (the `RUSTC` variable, else `rustc` on the
//! path) and run: their outputs against descent's own predictions for every output ×
//! activation × dtype, with and without standardization, and for a model of a table with
//! categorical columns; then the same files compiled as modules of a `#![no_std]` library.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use descent_io::{ColumnOptions, Dtype, ModelFile, TableEncoding, Unknown, read_table};
use descent_train::{Activation, FeatureStats, Output};

use crate::models::{Stream, class_of, descent_predictions, inputs, random_model, rel};

/// Relative tolerances per dtype, as the issue asks of every export.
const TOL_F32: f64 = 1e-5;
const TOL_F64: f64 = 1e-12;

/// Examples per model.
const N_EXAMPLES: usize = 40;

/// One model to export and the examples to run it on.
struct Case {
    model: ModelFile,
    x: Vec<f64>,
}

fn rustc() -> PathBuf {
    std::env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from)
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("descent-export-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_rustc(args: &[&str], dir: &Path) {
    let out =
        Command::new(rustc()).args(args).current_dir(dir).output().unwrap_or_else(|e| {
            panic!("cannot run {} (set RUSTC to a rustc): {e}", rustc().display())
        });
    assert!(
        out.status.success(),
        "rustc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every output × activation × dtype × standardization, on a few shapes, and networks
/// without a hidden layer.
fn grid() -> Vec<Case> {
    let mut cases = Vec::new();
    let shapes: [(&[usize], Output); 3] = [
        (&[3, 16, 17, 1], Output::Sigmoid),
        (&[4, 9, 3], Output::Softmax),
        (&[5, 7, 2], Output::Linear),
    ];
    for dtype in [Dtype::F32, Dtype::F64] {
        for (layers, output) in shapes {
            for activation in [Activation::Relu, Activation::Tanh] {
                for standardize in [false, true] {
                    let seed = cases.len() as u64 + 1;
                    let model = random_model(layers, activation, output, dtype, standardize, seed);
                    let x = inputs(&model, N_EXAMPLES, 1000 + seed);
                    cases.push(Case { model, x });
                }
            }
        }
    }
    // No hidden layer: the activation is never applied.
    for dtype in [Dtype::F32, Dtype::F64] {
        for (layers, output, standardize) in
            [(&[6, 1][..], Output::Linear, true), (&[2, 1][..], Output::Sigmoid, false)]
        {
            let seed = cases.len() as u64 + 1;
            let model = random_model(layers, Activation::Tanh, output, dtype, standardize, seed);
            let x = inputs(&model, N_EXAMPLES, 1000 + seed);
            cases.push(Case { model, x });
        }
    }
    cases
}

/// A model of a small table: a numeric column, two categorical ones and three classes;
/// standardized with the encoded inputs' own statistics; the examples are the table's rows
/// as descent-io encodes them.
fn table_case(dir: &Path, dtype: Dtype) -> (Case, Vec<String>, Vec<String>) {
    let mut s = Stream(99);
    let mut csv = String::from("age,color,size,label\n");
    let (colors, sizes, labels) = (["red", "green", "blue"], ["S", "M"], ["no", "yes", "maybe"]);
    for i in 0..N_EXAMPLES {
        let age = (40.0 + 20.0 * s.next()).round() + 0.25;
        let _ = writeln!(csv, "{age},{},{},{}", colors[i % 3], sizes[i % 2], labels[(i / 2) % 3]);
    }
    let path = dir.join(format!("table-{}.csv", dtype.name()));
    std::fs::write(&path, csv).unwrap();
    let table = read_table(&path).unwrap();
    let rows: Vec<usize> = (0..table.n_rows()).collect();
    let encoding = TableEncoding::fit(&table, &rows, &ColumnOptions::default()).unwrap();
    let bound = encoding.bind(&table).unwrap();
    let n_in = encoding.n_inputs();
    let mut x = vec![0.0; rows.len() * n_in];
    for (row, out) in rows.iter().zip(x.chunks_mut(n_in)) {
        bound.encode_row(*row, out, Unknown::Error).unwrap();
    }
    let mean: Vec<f64> = (0..n_in)
        .map(|f| x.iter().skip(f).step_by(n_in).sum::<f64>() / rows.len() as f64)
        .collect();
    let std: Vec<f64> = (0..n_in)
        .map(|f| {
            let var = x.iter().skip(f).step_by(n_in).map(|v| (v - mean[f]).powi(2)).sum::<f64>();
            (var / rows.len() as f64).sqrt()
        })
        .collect();
    let mut model = random_model(&[n_in, 6, 3], Activation::Tanh, Output::Softmax, dtype, false, 7);
    model.standardize = Some(FeatureStats { mean, std });
    let names = (encoding.input_names().to_vec(), encoding.classes().unwrap().to_vec());
    let model = model.with_encoding(encoding);
    (Case { model, x }, names.0, names.1)
}

/// `[[a, b], [c, d]]` of the examples, each value written to read back exactly.
fn examples_literal(case: &Case) -> String {
    let n_in = case.model.layers[0];
    let rows: Vec<String> = case
        .x
        .chunks(n_in)
        .map(|row| {
            let values: Vec<String> = match case.model.dtype {
                Dtype::F32 => row.iter().map(|&v| format!("{:?}", v as f32)).collect(),
                Dtype::F64 => row.iter().map(|&v| format!("{v:?}")).collect(),
            };
            format!("[{}]", values.join(", "))
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// A `main` printing, for model `i`, `i j v1 v2 … | class` per example `j`, and its names.
fn driver(cases: &[Case]) -> String {
    let mut s = String::from("#![deny(warnings)]\n");
    for i in 0..cases.len() {
        let _ = writeln!(s, "mod m{i};");
    }
    s.push_str("fn main() {\n");
    for (i, case) in cases.iter().enumerate() {
        let float = case.model.dtype.name();
        let (n_in, m) = (case.model.layers[0], case.x.len() / case.model.layers[0]);
        let _ = writeln!(s, "    let x: [[{float}; {n_in}]; {m}] = {};", examples_literal(case));
        let _ = writeln!(
            s,
            "    assert_eq!((m{i}::N_INPUTS, m{i}::N_OUTPUTS), ({n_in}, {}));",
            case.model.layers.last().unwrap()
        );
        let class = if case.model.output.is_classifier() {
            format!("line.push_str(&format!(\" | {{}}\", m{i}::predict_class(x)));")
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "    for (j, x) in x.iter().enumerate() {{\n        let mut line = format!(\"{i} {{j}}\");\n        \
             for v in m{i}::predict(x) {{ line.push_str(&format!(\" {{v:?}}\")); }}\n        {class}\n        \
             println!(\"{{line}}\");\n    }}"
        );
        if case.model.encoding.is_some() {
            let _ = writeln!(s, "    println!(\"names {i} {{}}\", m{i}::INPUT_NAMES.join(\",\"));");
            let _ =
                writeln!(s, "    println!(\"classes {i} {{}}\", m{i}::CLASS_NAMES.join(\",\"));");
        }
    }
    s.push_str("}\n");
    s
}

#[test]
fn generated_rust_agrees_with_descent_for_every_kind_and_compiles_in_a_no_std_crate() {
    let dir = scratch_dir("rust");
    let mut cases = grid();
    let mut names = Vec::new();
    for dtype in [Dtype::F32, Dtype::F64] {
        let (case, inputs, classes) = table_case(&dir, dtype);
        names.push((cases.len(), inputs, classes));
        cases.push(case);
    }
    for (i, case) in cases.iter().enumerate() {
        descent_export::rust::write(dir.join(format!("m{i}.rs")), &case.model).unwrap();
    }
    std::fs::write(dir.join("main.rs"), driver(&cases)).unwrap();
    run_rustc(&["--edition", "2021", "-o", "driver", "main.rs"], &dir);
    let out = Command::new(dir.join("driver")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();

    let want: Vec<Vec<f64>> = cases.iter().map(|c| descent_predictions(&c.model, &c.x)).collect();
    let (mut worst_f32, mut worst_f64, mut lines) = (0.0_f64, 0.0_f64, 0);
    for line in stdout.lines() {
        let mut words = line.split(' ');
        let first = words.next().unwrap();
        if first == "names" || first == "classes" {
            let i: usize = words.next().unwrap().parse().unwrap();
            let got: Vec<String> = words.next().unwrap().split(',').map(str::to_owned).collect();
            let (_, inputs, classes) = names.iter().find(|n| n.0 == i).unwrap();
            assert_eq!(&got, if first == "names" { inputs } else { classes });
            continue;
        }
        let (i, j): (usize, usize) =
            (first.parse().unwrap(), words.next().unwrap().parse().unwrap());
        let model = &cases[i].model;
        let n_out = *model.layers.last().unwrap();
        let want_row = &want[i][j * n_out..(j + 1) * n_out];
        let got: Vec<f64> = words.by_ref().take(n_out).map(|w| w.parse().unwrap()).collect();
        let worst =
            got.iter().zip(want_row).map(|(&g, &w)| rel(model.output, g, w)).fold(0.0, f64::max);
        let (tol, slot) = match model.dtype {
            Dtype::F32 => (TOL_F32, &mut worst_f32),
            Dtype::F64 => (TOL_F64, &mut worst_f64),
        };
        assert!(
            worst <= tol,
            "model {i} ({:?} {:?} {}), example {j}: {got:?} vs {want_row:?}",
            model.activation,
            model.output,
            model.dtype.name()
        );
        *slot = slot.max(worst);
        if model.output.is_classifier() {
            assert_eq!(words.next(), Some("|"));
            let class: usize = words.next().unwrap().parse().unwrap();
            let descent_class = class_of(model.output, want_row);
            // Another class only within rounding of a tie.
            if class != descent_class {
                let gap =
                    (want_row.get(class).copied().unwrap_or(0.5) - want_row[descent_class]).abs();
                assert!(gap < 1e-6, "model {i}, example {j}: class {class} vs {descent_class}");
            }
        }
        lines += 1;
    }
    assert_eq!(lines, cases.iter().map(|c| c.x.len() / c.model.layers[0]).sum::<usize>());
    eprintln!(
        "generated Rust vs descent: worst relative error f32 {worst_f32:.3e}, f64 {worst_f64:.3e}"
    );

    // The same files as the modules of a `#![no_std]` library, warnings (missing docs among
    // them) denied, `unsafe` forbidden.
    let mut lib = String::from(
        "//! The exported models.\n#![no_std]\n#![forbid(unsafe_code)]\n\
         #![warn(missing_docs, rust_2018_idioms, unreachable_pub)]\n#![deny(warnings)]\n",
    );
    for i in 0..cases.len() {
        let _ = writeln!(lib, "pub mod m{i};");
    }
    std::fs::write(dir.join("lib.rs"), lib).unwrap();
    run_rustc(
        &["--edition", "2024", "--crate-type", "rlib", "--crate-name", "exported", "lib.rs"],
        &dir,
    );
    // And for a target without std, when the toolchain has one (`.ci/run` adds it).
    let no_std_target = "thumbv7em-none-eabihf";
    let sysroot = Command::new(rustc()).args(["--print", "sysroot"]).output().unwrap();
    let sysroot = PathBuf::from(String::from_utf8(sysroot.stdout).unwrap().trim());
    if sysroot.join("lib/rustlib").join(no_std_target).is_dir() {
        run_rustc(
            &["--edition", "2021", "--crate-type", "rlib", "--crate-name", "exported"]
                .into_iter()
                .chain(["--target", no_std_target, "--out-dir", "thumb", "lib.rs"])
                .collect::<Vec<_>>(),
            &dir,
        );
    } else {
        eprintln!("{no_std_target} is not installed: the generated files were not built for it");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
