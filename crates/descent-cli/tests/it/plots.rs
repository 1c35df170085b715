//! The figures of `--plot`: what each panel shows, the accuracy the summary prints, coinciding
//! curves said to coincide, the decision boundary as one embedded image, `--plot-scale`.

use crate::common::{TempDir, descent, ok};

/// The number in `text` after `key`, up to the first character that is not part of it.
fn number_after(text: &str, key: &str) -> f64 {
    let start = text.find(key).unwrap_or_else(|| panic!("no {key:?} in {text}")) + key.len();
    let digits: String =
        text[start..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    digits.parse().unwrap_or_else(|_| panic!("no number after {key:?} in {text}"))
}

#[test]
fn the_figure_shows_the_accuracy_the_summary_prints() {
    let dir = TempDir::new("plot-accuracy");
    for extra in [&[][..], &["--final-eval"][..]] {
        let svg = dir.file("t.svg");
        let mut args = vec!["train", "--epochs", "40", "--plot", &svg, "--quiet"];
        args.extend_from_slice(extra);
        let out = ok(&args);
        let printed = number_after(&out, "training accuracy ");
        let text = std::fs::read_to_string(&svg).unwrap();
        let shown = number_after(&text, "decision boundary (accuracy ");
        assert!((shown - 100.0 * printed).abs() <= 0.05 + 1e-9, "{extra:?}: {printed} vs {shown}%");
    }
}

#[test]
fn panels_follow_what_the_run_has() {
    let dir = TempDir::new("plot-panels");
    let svg = dir.file("t.svg");
    ok(&["train", "--epochs", "12", "--plot", &svg, "--quiet"]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("cost per epoch (log scale)") && text.contains("accuracy per epoch"));
    assert!(
        !text.contains("learning rate") && !text.contains("validation"),
        "no decay, no holdout"
    );
    // The title names the optimizer with its settings.
    assert!(text.contains("adam (β1 0.9, β2 0.999, ε 1e-8) lr 0.0007"), "the title");

    let args = ["--decay", "inverse-time", "--validation", "0.2", "--plot-scale", "linear"];
    ok(&[&["train", "--epochs", "12", "--plot", &svg, "--quiet"][..], &args[..]].concat());
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("learning rate") && text.contains("inverse-time decay (rate 1)"));
    assert!(text.contains("validation") && text.contains("cost per epoch"));
    assert!(!text.contains("(log scale)"), "--plot-scale linear");
}

#[test]
fn regression_has_no_accuracy_panel() {
    let dir = TempDir::new("plot-regression");
    let data = dir.write("r.csv", "x1,x2,y\n0,1,0.5\n1,0,1.5\n1,1,2.0\n0,0,0.1\n2,1,3.1\n");
    let svg = dir.file("r.svg");
    ok(&["train", "--data", &data, "--output", "linear", "--epochs", "5", "--plot", &svg]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("cost per epoch") && !text.contains("accuracy per epoch"));
    assert!(!text.contains("decision boundary"));
}

#[test]
fn identical_curves_are_dashed_and_named_in_the_legend() {
    let dir = TempDir::new("plot-identical");
    let svg = dir.file("c.svg");
    ok(&["compare", "--optimizers", "adam,gd,adam", "--epochs", "30", "--plot", &svg, "--quiet"]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("(identical to adam (β1 0.9"), "the legend says so");
    assert!(text.contains("stroke-dasharray") || text.matches("<polyline").count() > 10);
}

#[test]
fn a_compare_svg_on_moons_embeds_each_boundary_as_one_image() {
    let dir = TempDir::new("plot-svg-size");
    let svg = dir.file("c.svg");
    // More epochs than the line panels have pixel columns, so the curves are thinned.
    ok(&["compare", "--epochs", "1500", "--plot", &svg, "--quiet", "--backend", "nalgebra"]);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.len() < 500_000, "{} bytes", text.len());
    assert_eq!(text.matches("<image").count(), 3, "one image per boundary panel");
    assert!(text.contains("data:image/png;base64,"));
    assert!(text.matches("<rect").count() < 20, "no rectangle per grid cell");
}

#[test]
fn a_bad_plot_scale_is_refused_by_name() {
    for args in [&["train", "--plot-scale", "cubic"][..], &["course", "--plot-scale", "cubic"][..]]
    {
        let out = descent(args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--plot-scale") && err.contains("log, linear"), "{err}");
    }
}
