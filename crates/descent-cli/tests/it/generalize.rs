//! Early stopping, the plateau schedule, `--validation-data` and `--sample-weight` through the
//! binary: the saved model is the best epoch's (its validation cost is the history's best),
//! the `lr` column is PyTorch's `ReduceLROnPlateau` replayed on the history's values, sample
//! weights equal repeating rows, resume is byte-identical with all of them on, and every bad
//! value is refused naming its flag.

use descent::train::schedule::{Plateau, PlateauConfig};
use descent::train::stopping::Mode;
use descent_io::load_checkpoint;

use crate::common::{Rng, TempDir, descent, fails, fails_once, ok};

/// A noisy two-class table: four features, a weight column `w` (0, 1 or 2) and a label that
/// follows a linear rule with a fifth of the labels flipped — easy to over-fit with a wide
/// network.
fn noisy_table(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut text = String::from("x1,x2,x3,x4,w,label\n");
    for _ in 0..n {
        let x: Vec<f64> = (0..4).map(|_| rng.next()).collect();
        let clean = x[0] + 0.5 * x[1] - x[2] > 0.0;
        let flip = rng.next() > 0.6;
        let w = ((rng.next() + 1.0) * 1.5).floor().min(2.0);
        let label = u8::from(clean != flip);
        text.push_str(&format!("{},{},{},{},{w},{label}\n", x[0], x[1], x[2], x[3]));
    }
    text
}

/// The columns of a `--history` file as numbers (empty cells as NaN), by header name.
fn history(path: &str) -> std::collections::BTreeMap<String, Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let names: Vec<String> = lines.next().unwrap().split(',').map(str::to_owned).collect();
    let mut columns: std::collections::BTreeMap<String, Vec<f64>> =
        names.iter().map(|n| (n.clone(), Vec::new())).collect();
    for line in lines {
        for (name, cell) in names.iter().zip(line.split(',')) {
            columns.get_mut(name).unwrap().push(cell.parse().unwrap_or(f64::NAN));
        }
    }
    columns
}

/// Flags of an over-fitting run on the noisy table.
const WIDE: [&str; 10] = [
    "--layers",
    "32,32",
    "--lr",
    "0.02",
    "--batch-size",
    "16",
    "--dtype",
    "f64",
    "--quiet",
    "--seed",
];

#[test]
fn early_stopping_saves_the_best_epoch_whose_validation_cost_is_the_historys_best() {
    let dir = TempDir::new("early-stopping");
    let train = dir.write("train.csv", noisy_table(160, 1));
    let val = dir.write("val.csv", noisy_table(120, 2));
    let (model, hist) = (dir.file("m.safetensors"), dir.file("h.csv"));
    let out = ok(&[
        &["train", "--data", &train, "--validation-data", &val, "--ignore", "w"][..],
        &WIDE,
        &["5", "--early-stopping", "--patience", "8", "--epochs", "500"],
        &["--save", &model, "--history", &hist],
    ]
    .concat());
    let h = history(&hist);
    let costs = &h["validation_cost"];
    assert!(costs.len() < 500, "the run over-fits and stops early: {} epochs", costs.len());
    let (best, best_cost) = costs
        .iter()
        .copied()
        .enumerate()
        .fold((0, f64::INFINITY), |b, (i, c)| if c < b.1 { (i, c) } else { b });
    assert_eq!(costs.len(), best + 1 + 8, "stopped 8 epochs after the best");
    assert!(out.contains(&format!("best epoch {}", best + 1)), "{out}");
    assert!(out.contains("stopped after epoch"), "{out}");
    // The saved model scores the validation file exactly as the best epoch did.
    let eval = ok(&["eval", "--model", &model, "--data", &val, "--json"]);
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    let cost = eval["cost"].as_f64().unwrap();
    assert!((cost - best_cost).abs() <= 1e-12 * best_cost, "{cost} vs {best_cost}");
    assert!(cost < *costs.last().unwrap(), "the last epoch is worse than the best");
    // The checkpoint keeps the last epoch's parameters too, to resume from.
    let c = load_checkpoint(&model).unwrap();
    assert_eq!(c.control.early_stopping.as_ref().unwrap().best_epoch, Some(best));
    assert_ne!(c.control.last_params.as_ref().unwrap(), &c.model.params);
}

#[test]
fn the_lr_column_is_pytorchs_reduce_lr_on_plateau_replayed_on_the_monitored_values() {
    let dir = TempDir::new("plateau");
    let data = dir.write("d.csv", noisy_table(200, 3));
    for (monitor, mode, extra) in [
        ("cost", Mode::Min, &[][..]),
        ("validation_accuracy", Mode::Max, &["--validation", "0.3"][..]),
    ] {
        let hist = dir.file("h.csv");
        ok(&[
            &["train", "--data", &data, "--ignore", "w", "--epochs", "60", "--lr", "0.1"][..],
            &["--decay", "plateau", "--monitor", monitor, "--plateau-patience", "2"],
            &["--plateau-factor", "0.5", "--plateau-cooldown", "1", "--min-lr", "0.002"],
            &["--plateau-threshold", "0.001", "--quiet", "--history", &hist],
            extra,
        ]
        .concat());
        let h = history(&hist);
        let config = PlateauConfig {
            mode,
            factor: 0.5,
            patience: 2,
            threshold: 0.001,
            cooldown: 1,
            min_lr: 0.002,
            ..PlateauConfig::default()
        };
        let mut plateau = Plateau::new(config, 0.1).unwrap();
        let values = &h[monitor];
        for (epoch, &value) in values.iter().enumerate() {
            assert_eq!(h["lr"][epoch], plateau.lr(), "{monitor}: epoch {epoch}");
            plateau.step(value);
        }
        let lrs = &h["lr"];
        assert!(lrs.last() < lrs.first(), "{monitor}: the rate fell: {lrs:?}");
    }
}

#[test]
fn integer_sample_weights_equal_repeating_or_dropping_rows() {
    let dir = TempDir::new("sample-weight");
    let table = noisy_table(60, 4);
    let weighted = dir.write("w.csv", &table);
    // The same rows, each written w times, without the weight column.
    let mut repeated = String::from("x1,x2,x3,x4,label\n");
    for line in table.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let w: f64 = cells[4].parse().unwrap();
        for _ in 0..w as usize {
            repeated.push_str(&format!(
                "{},{},{},{},{}\n",
                cells[0], cells[1], cells[2], cells[3], cells[5]
            ));
        }
    }
    let repeated = dir.write("r.csv", repeated);
    // Batch gradient descent in f64: the same mean gradient, summed in another order.
    let batch = ["--batch-size", "1000", "--no-shuffle", "--dtype", "f64", "--epochs", "40"];
    let run = |data: &str, extra: &[&str], save: &str| {
        ok(&[
            &["train", "--data", data, "--quiet", "--lr", "0.05", "--save", save][..],
            &batch,
            extra,
        ]
        .concat())
    };
    let (a, b) = (dir.file("a"), dir.file("b"));
    run(&weighted, &["--sample-weight", "w"], &a);
    run(&repeated, &[], &b);
    let (a, b) = (load_checkpoint(&a).unwrap().model, load_checkpoint(&b).unwrap().model);
    assert_eq!(a.layers, b.layers, "the weight column is not an input");
    for (p, q) in a.params.iter().flatten().zip(b.params.iter().flatten()) {
        assert!((p - q).abs() <= 1e-10 * (1.0 + q.abs()), "{p} vs {q}");
    }
}

#[test]
fn resume_with_early_stopping_plateau_and_weights_equals_one_run_byte_for_byte() {
    let dir = TempDir::new("resume-control");
    let train = dir.write("train.csv", noisy_table(120, 5));
    let val = dir.write("val.csv", noisy_table(80, 6));
    let common = [
        &["--data", &train, "--validation-data", &val, "--sample-weight", "w"][..],
        &["--class-weight", "balanced", "--early-stopping", "--patience", "4"],
        &["--decay", "plateau", "--plateau-patience", "1", "--lr", "0.05", "--layers", "16,16"],
        &["--batch-size", "16", "--quiet"],
    ]
    .concat();
    let whole = dir.file("whole");
    ok(&[&["train"][..], &common, &["--epochs", "40", "--save", &whole]].concat());
    let stopped = load_checkpoint(&whole).unwrap().resume.epochs_done;
    assert!(stopped < 40, "early stopping ended the run: {stopped} epochs");
    for first_epochs in [2, stopped - 2, stopped + 3] {
        let (first, resumed) = (dir.file("first"), dir.file("resumed"));
        let n = first_epochs.to_string();
        ok(&[&["train"][..], &common, &["--epochs", &n, "--save", &first]].concat());
        let rest = (40 - first_epochs).to_string();
        let out = descent(&[
            "train", "--quiet", "--resume", &first, "--epochs", &rest, "--save", &resumed,
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        if first_epochs > stopped {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("nothing to train"), "{stderr}");
        }
        assert_eq!(
            std::fs::read(&whole).unwrap(),
            std::fs::read(&resumed).unwrap(),
            "{first_epochs} + {rest} epochs: the files differ"
        );
    }
}

#[test]
fn bad_values_are_refused_naming_the_flag() {
    let dir = TempDir::new("generalize-bad");
    let data = dir.write("d.csv", noisy_table(40, 7));
    let mut negative = noisy_table(40, 8);
    negative = negative.replacen(",1,", ",-1,", 1).replacen(",2,", ",-2,", 1);
    let negative = dir.write("neg.csv", negative);
    let missing = dir.write("miss.csv", "x1,w,label\n0.1,1,0\n0.2,,1\n0.3,2,0\n");
    let other = dir.write("other.csv", "a,b,label\n0.1,0.2,0\n0.3,0.4,1\n");
    let t = ["train", "--epochs", "2", "--quiet", "--data"];
    for (args, needles) in [
        (&[&t[..], &[&data, "--early-stopping", "--patience", "0"]].concat(), &["--patience"][..]),
        (&[&t[..], &[&data, "--early-stopping", "--min-delta", "-1"]].concat(), &["--min-delta"]),
        (
            &[&t[..], &[&data, "--early-stopping", "--monitor", "validation_cost"]].concat(),
            &["--monitor validation_cost", "validation set"],
        ),
        (
            &[&t[..], &[&data, "--decay", "plateau", "--plateau-factor", "1"]].concat(),
            &["--plateau-factor"],
        ),
        (&[&t[..], &[&data, "--decay", "plateau", "--min-lr", "-1"]].concat(), &["--min-lr"]),
        (
            &[&t[..], &[&data, "--validation", "0.2", "--validation-data", &data]].concat(),
            &["--validation-data", "exclude"],
        ),
        (
            &[&t[..], &[&data, "--validation-data", "nope.csv"]].concat(),
            &["--validation-data", "nope.csv"],
        ),
        (&[&t[..], &[&data, "--validation-data", &other]].concat(), &["--validation-data", "x1"]),
        (&[&t[..], &[&negative, "--sample-weight", "w"]].concat(), &["--sample-weight w", "line"]),
        (&[&t[..], &[&missing, "--sample-weight", "w"]].concat(), &["--sample-weight w", "line 3"]),
        (
            &[&t[..], &[&data, "--sample-weight", "nope"]].concat(),
            &["--sample-weight nope", "no such column"],
        ),
        (
            &["train", "--epochs", "2", "--sample-weight", "w"][..].to_vec(),
            &["--sample-weight w", "table"],
        ),
        (&["compare", "--epochs", "2", "--early-stopping"][..].to_vec(), &["--early-stopping"]),
    ] {
        fails(2, args, needles);
    }
    // A refused run leaves an existing --save file as it was.
    let save = dir.write("keep.safetensors", "precious");
    fails_once(
        2,
        &[&t[..], &[&data, "--early-stopping", "--patience", "0", "--save", &save]].concat(),
        &["--patience"],
    );
    assert_eq!(std::fs::read_to_string(&save).unwrap(), "precious");
}
