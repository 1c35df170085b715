//! The progress bar on a terminal of 80 columns (a pseudo-terminal from util-linux `script`):
//! the settings line comes before the bar, no drawn line of the bar is wider than the
//! terminal, and `compare`'s bar names the optimizer it trains.

use std::process::Command;

/// Runs `descent args…` on a pseudo-terminal `cols` wide; what the terminal received, escape
/// sequences removed, split at carriage returns and newlines.
fn on_terminal(cols: usize, args: &str) -> Option<Vec<String>> {
    let script = Command::new("script").arg("--version").output();
    if script.is_err() {
        eprintln!("`script` (util-linux) is not installed: the terminal test cannot run");
        return None;
    }
    let command = format!("stty cols {cols} rows 24; {} {args}", env!("CARGO_BIN_EXE_descent"));
    let out =
        Command::new("script").args(["-q", "-e", "-c", &command, "/dev/null"]).output().ok()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters… final letter.
            if chars.next() == Some('[') {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            plain.push(c);
        }
    }
    Some(plain.split(['\r', '\n']).map(str::to_owned).collect())
}

fn bar_lines(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| l.contains("epoch ") && l.contains("eta ")).collect()
}

#[test]
fn the_bar_fits_80_columns_below_the_settings() {
    let Some(lines) = on_terminal(80, "train --epochs 300 --validation 0.2") else { return };
    let bars = bar_lines(&lines);
    assert!(!bars.is_empty(), "no bar drawn: {lines:?}");
    for bar in &bars {
        assert!(bar.chars().count() <= 80, "{} columns: {bar}", bar.chars().count());
    }
    let settings = lines.iter().position(|l| l.starts_with("descent train: ")).unwrap();
    let first_bar = lines.iter().position(|l| bars.contains(&l)).unwrap();
    assert!(settings < first_bar, "{lines:?}");
}

#[test]
fn compare_names_the_optimizer_on_its_bar() {
    let dir = crate::common::TempDir::new("progress-compare");
    let plot = dir.file("c.png");
    let args = format!("compare --epochs 300 --optimizers gd,adam --plot {plot}");
    let Some(lines) = on_terminal(80, &args) else { return };
    let bars = bar_lines(&lines);
    assert!(bars.iter().any(|l| l.contains("gd: epoch")), "{bars:?}");
    assert!(bars.iter().any(|l| l.contains("adam: epoch")), "{bars:?}");
    for bar in &bars {
        assert!(bar.chars().count() <= 80, "{} columns: {bar}", bar.chars().count());
    }
}
