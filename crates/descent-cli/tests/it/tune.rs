//! `descent tune`: the same seed gives the same trials and scores whatever `--jobs`; `--list`
//! gives the settings the CSV has; trials spread over processes with `xargs -P 2` and brought
//! together by `--collect` give the in-process table and CSV; an in-process search skips the
//! trials found in `--out-dir`; `--save` writes the best trial's model; a `--folds` score is
//! the mean `descent cv` reports for the same settings; bad searches are refused before
//! anything trains.

use std::process::Command;

use serde_json::Value;

use crate::common::{TempDir, fails, ok, three_class_csv};

/// The search of these tests: three dimensions, every kind of range and a choice.
fn search(data: &str) -> Vec<String> {
    [
        "tune",
        "--data",
        data,
        "--target",
        "class",
        "--epochs",
        "12",
        "--seed",
        "4",
        "--validation",
        "0.3",
        "--lr",
        "1e-3..1e-1:log",
        "--layers",
        "4|8,4",
        "--batch-size",
        "8..32:log2",
        "--beta1",
        "0.8..0.99:log1m",
        "--quiet",
        "--trials",
        "6",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn run(args: &[String], extra: &[&str]) -> String {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    ok(&all)
}

/// A CSV or table without its `seconds` column (the last).
fn without_seconds(text: &str) -> Vec<String> {
    text.lines().map(|l| l.rsplit_once([',', ' ']).map_or(l, |(head, _)| head).to_owned()).collect()
}

#[test]
fn the_trials_follow_from_the_seed_whatever_the_jobs() {
    let dir = TempDir::new("tune-jobs");
    let data = dir.write("three.csv", three_class_csv(90, 3));
    let args = search(&data);
    let (one, two) = (dir.file("one.csv"), dir.file("two.csv"));
    let table = run(&args, &["--jobs", "1", "--out", &one]);
    run(&args, &["--jobs", "2", "--out", &two]);
    let (one, two) = (std::fs::read_to_string(one).unwrap(), std::fs::read_to_string(two).unwrap());
    assert_eq!(without_seconds(&one), without_seconds(&two));
    let mut lines = one.lines();
    assert_eq!(lines.next().unwrap(), "trial,lr,layers,batch_size,beta1,score,epochs,seconds");
    // --list: the CSV's settings, as JSON.
    let list = run(&args, &["--list"]);
    for (listed, row) in list.lines().zip(lines) {
        let v: Value = serde_json::from_str(listed).unwrap();
        let cells: Vec<&str> = if row.contains('"') {
            // `"8,4"` is quoted in the CSV.
            let (a, rest) = row.split_once(",\"").unwrap();
            let (layers, b) = rest.split_once("\",").unwrap();
            let mut c: Vec<&str> = a.split(',').collect();
            c.push(layers);
            c.extend(b.split(','));
            c
        } else {
            row.split(',').collect()
        };
        assert_eq!(v["trial"].to_string(), cells[0]);
        assert_eq!(v["lr"].as_f64().unwrap(), cells[1].parse::<f64>().unwrap());
        assert_eq!(v["layers"].as_str().unwrap(), cells[2]);
        let batch = v["batch_size"].as_u64().unwrap();
        assert!(batch.is_power_of_two() && (8..=32).contains(&batch), "{listed}");
        assert_eq!(batch.to_string(), cells[3]);
        let lr = v["lr"].as_f64().unwrap();
        assert!((1e-3..=1e-1).contains(&lr), "{listed}");
        let beta1 = v["beta1"].as_f64().unwrap();
        assert!((0.8..=0.99).contains(&beta1), "{listed}");
        assert_eq!(v["beta1"].as_f64().unwrap(), cells[4].parse::<f64>().unwrap());
    }
    // The table: sorted by the validation cost, lowest first.
    let scores: Vec<f64> = table
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().nth(5).unwrap().parse().unwrap())
        .collect();
    assert_eq!(scores.len(), 6, "{table}");
    assert!(scores.is_sorted(), "{table}");
    // Another seed, other trials.
    let mut other = args.clone();
    other[8] = "5".into();
    assert_ne!(run(&other, &["--list"]), list);
}

#[test]
fn trials_spread_over_processes_collect_to_the_in_process_result() {
    let dir = TempDir::new("tune-spread");
    let data = dir.write("three.csv", three_class_csv(90, 3));
    let args = search(&data);
    let spread = dir.file("spread");
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let script = format!(
        "seq 0 5 | xargs -P 2 -I{{}} '{}' {} --trial {{}} --out-dir '{spread}'",
        env!("CARGO_BIN_EXE_descent"),
        quoted.join(" ")
    );
    let status = Command::new("sh").arg("-c").arg(&script).status().unwrap();
    assert!(status.success(), "{script}");
    for k in 0..6 {
        assert!(dir.path(&format!("spread/trial-{k}.json")).exists());
        assert!(dir.path(&format!("spread/trial-{k}.safetensors")).exists());
    }
    let (collected, in_process) = (dir.file("c.csv"), dir.file("p.csv"));
    let table_c = run(&args, &["--collect", &spread, "--out", &collected]);
    let table_p = run(&args, &["--out", &in_process, "--jobs", "2"]);
    assert_eq!(without_seconds(&table_c), without_seconds(&table_p));
    let read = |p: &str| without_seconds(&std::fs::read_to_string(p).unwrap());
    assert_eq!(read(&collected), read(&in_process));
    // --save from --collect: the best trial's model file, byte for byte; and the same
    // model when the best trial is trained again in-process.
    let best: usize =
        table_p.lines().nth(2).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let (from_dir, retrained) = (dir.file("best-c.safetensors"), dir.file("best-p.safetensors"));
    run(&args, &["--collect", &spread, "--save", &from_dir]);
    run(&args, &["--save", &retrained]);
    let trial_model = std::fs::read(dir.path(&format!("spread/trial-{best}.safetensors"))).unwrap();
    assert_eq!(std::fs::read(&from_dir).unwrap(), trial_model);
    assert_eq!(std::fs::read(&retrained).unwrap(), trial_model);
    // A missing trial is named.
    std::fs::remove_file(dir.path("spread/trial-4.json")).unwrap();
    let mut collect: Vec<&str> = args.iter().map(String::as_str).collect();
    collect.extend(["--collect", &spread]);
    fails(2, &collect, &["trial 4"]);
}

#[test]
fn an_in_process_search_skips_the_trials_in_its_out_dir() {
    let dir = TempDir::new("tune-resume");
    let data = dir.write("three.csv", three_class_csv(90, 3));
    let args = search(&data);
    let out_dir = dir.file("results");
    run(&args, &["--trial", "2", "--out-dir", &out_dir]);
    // Trial 2's result says score 0: if it is read, not run again, it heads the table.
    let path = dir.path("results/trial-2.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["score"] = 0.0.into();
    std::fs::write(&path, v.to_string()).unwrap();
    let table = run(&args, &["--out-dir", &out_dir]);
    let first = table.lines().nth(2).unwrap();
    assert!(first.starts_with("2 ") && first.contains(" 0.000000 "), "{table}");
    for k in 0..6 {
        assert!(dir.path(&format!("results/trial-{k}.json")).exists());
    }
    // A result from another search is refused, naming the file.
    let mut other = args.clone();
    other[8] = "5".into();
    let mut a: Vec<&str> = other.iter().map(String::as_str).collect();
    a.extend(["--collect", &out_dir]);
    fails(2, &a, &["trial-0.json", "is not trial 0 of this search"]);
}

#[test]
fn a_folds_score_is_the_mean_cv_reports() {
    let dir = TempDir::new("tune-folds");
    let data = dir.write("three.csv", three_class_csv(60, 8));
    let base = ["--data", &data, "--target", "class", "--epochs", "10", "--seed", "2", "--quiet"];
    let mut tune = vec!["tune", "--trials", "2", "--folds", "3", "--score", "accuracy"];
    tune.extend(base);
    let out = dir.file("t.csv");
    tune.extend(["--lr", "1e-3..1e-1:log", "--out", &out]);
    ok(&tune);
    let csv = std::fs::read_to_string(dir.path("t.csv")).unwrap();
    for row in csv.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        let mut cv = vec!["cv", "--folds", "3", "--json", "--lr", cells[1]];
        cv.extend(base);
        let out = ok(&cv);
        let summary: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        let mean = summary["mean"]["accuracy"].as_f64().unwrap();
        assert!((mean - cells[2].parse::<f64>().unwrap()).abs() < 1e-12, "{row}: cv {mean}");
    }
}

#[test]
fn bad_searches_are_refused_before_training() {
    let dir = TempDir::new("tune-bad");
    let data = dir.write("three.csv", three_class_csv(30, 1));
    let model = dir.file("m.safetensors");
    let base = ["tune", "--trials", "3", "--data", &data, "--target", "class", "--epochs", "1"];
    for (extra, needles) in [
        (&["--lr", "0.1..0.01"][..], &["--lr"][..]),
        (&["--validation", "0.3", "--seed", "1..4"], &["--seed"]),
        (&["--lr", "1e-3..1e-1:log"], &["--validation", "--folds"]),
        (
            &["--validation", "0.3", "--optimizer", "adam|sgd"],
            &["--optimizer", "sgd", "possible values"],
        ),
        (&["--validation", "0.3", "--score", "r2"], &["--score r2"]),
        (&["--validation", "0.3", "--history", &model], &["--history"]),
        (&["--validation", "0.3", "--trial", "3", "--out-dir", &model], &["--trial 3"]),
        (&["--validation", "0.3", "--nope", "1"], &["--nope"]),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        fails(2, &args, needles);
    }
    assert!(!std::path::Path::new(&model).exists());
}
