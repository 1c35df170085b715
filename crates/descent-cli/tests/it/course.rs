//! `descent course`: the notebook's seven runs replayed through the binary, checked against
//! the numbers the notebook printed (descent-course holds them; they are repeated here so this
//! test does not trust the code it checks).

use crate::descent;

/// Run name, correct points of 300, printed costs at epochs 0, 1000, …, 4000.
const NOTEBOOK: [(&str, usize, [f64; 5]); 7] = [
    ("gd", 215, [0.702405, 0.668101, 0.635288, 0.600491, 0.573367]),
    ("momentum", 215, [0.702413, 0.668167, 0.635388, 0.600591, 0.573444]),
    ("adam", 283, [0.702166, 0.167845, 0.141316, 0.138788, 0.136066]),
    ("gd-update-lr", 196, [0.701091, 0.661884, 0.658620, 0.656765, 0.655486]),
    ("gd-decay", 283, [0.701091, 0.127161, 0.120304, 0.117033, 0.117512]),
    ("momentum-decay", 286, [0.702226, 0.128974, 0.125965, 0.123375, 0.123218]),
    ("adam-decay", 282, [0.699346, 0.130074, 0.129826, 0.129282, 0.128361]),
];

#[test]
fn json_lines_match_the_notebook_for_all_seven_runs() {
    let out = descent(&["course", "--json", "--backend", "nalgebra"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    for (line, (name, correct, costs)) in lines.iter().zip(NOTEBOOK) {
        let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        assert_eq!(v["run"], name);
        let accuracy = v["accuracy"].as_f64().unwrap();
        assert_eq!((accuracy * 300.0).round() as usize, correct, "{name}");
        assert_eq!(v["notebook_accuracy"].as_f64().unwrap(), correct as f64 / 300.0);
        let ours: Vec<f64> =
            v["costs"].as_array().unwrap().iter().map(|c| c.as_f64().unwrap()).collect();
        assert_eq!(ours.len(), 5);
        for (o, printed) in ours.iter().zip(costs) {
            assert!((o - printed).abs() <= 1e-6, "{name}: {o} vs {printed}");
        }
    }
}

#[test]
fn text_output_prints_costs_like_the_notebook_and_the_table() {
    let dir = std::env::temp_dir().join(format!("descent-course-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let plot = dir.join("course.svg");
    let out = descent(&[
        "course",
        "--run",
        "momentum-decay",
        "--backend",
        "ndarray",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Cost after epoch 0: 0.702226",
        "Cost after epoch 4000: 0.123218",
        "Accuracy: 0.9533333333333334",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    assert!(stdout.contains("momentum + schedule_lr_decay"), "{stdout}");
    let svg = std::fs::read_to_string(&plot).expect("the plot is written");
    assert!(
        svg.starts_with("<svg") && svg.contains("momentum + schedule_lr_decay"),
        "not the expected SVG"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_run_and_missing_plot_folder_exit_with_2() {
    let out = descent(&["course", "--run", "sgd"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--run sgd"));
    let out = descent(&["course", "--run", "adam", "--plot", "/no/such/folder/p.png"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--plot"));
}

/// numpy running the notebook's code with changed settings (descent-course's fixture).
const CHANGED: &str = include_str!("../../../descent-course/tests/fixtures/changed.txt");

fn changed_values(key: &str) -> Vec<f64> {
    let line = CHANGED.lines().find_map(|l| l.strip_prefix(key)).expect("fixture key");
    line.split_whitespace().map(|v| v.parse().unwrap()).collect()
}

#[test]
fn a_run_reruns_with_changed_settings_and_says_so() {
    let args = [
        "course",
        "--run",
        "momentum-decay",
        "--lr",
        "0.05",
        "--beta",
        "0.95",
        "--decay-rate",
        "0.5",
        "--decay-interval",
        "300",
        "--epochs",
        "1200",
        "--backend",
        "nalgebra",
    ];
    let mut json = args.to_vec();
    json.push("--json");
    let out = crate::common::ok(&json);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let correct = changed_values("momentum-decay-changed/correct ")[0];
    assert_eq!(v["correct"].as_f64().unwrap(), correct, "{out}");
    // The cost after epoch 1000 (numpy records every 100th).
    let numpy = changed_values("momentum-decay-changed/costs ")[10];
    assert!((v["costs"][1].as_f64().unwrap() - numpy).abs() < 1e-12, "{out}");
    assert!(v["costs"][2].is_null(), "epoch 2000 is past the 1200 epochs: {out}");
    assert!(v["changed"].as_str().unwrap().contains("--beta 0.95"), "{out}");
    let table = crate::common::ok(&args);
    assert!(table.contains("changed") && table.contains("—"), "{table}");
    for (bad, flag) in [
        (&["course", "--lr", "0.1"][..], "--run all"),
        (&["course", "--run", "adam", "--beta", "0.9"], "--beta"),
        (&["course", "--run", "gd", "--decay-rate", "2"], "--decay-rate"),
        (&["course", "--run", "gd-update-lr", "--decay-interval", "5"], "--decay-interval"),
        (&["course", "--run", "adam", "--beta1", "1.5"], "--beta1"),
        (&["course", "--run", "adam", "--lr", "-1"], "--lr"),
    ] {
        crate::common::fails_once(2, bad, &[flag]);
    }
}

#[test]
fn ctrl_c_prints_the_table_of_what_was_replayed_and_exits_130() {
    // The handler is in place long before a second has passed (it starts in milliseconds).
    let (code, stdout, stderr) = crate::common::interrupted_after(
        1000,
        &["course", "--run", "adam", "--epochs", "100000000"],
    );
    assert_eq!(code, Some(130), "{stdout}{stderr}");
    assert!(stdout.contains("The notebook's table") && stdout.contains("stopped at "), "{stdout}");
    assert!(stderr.contains("1 of 1 runs"), "{stderr}");
}
