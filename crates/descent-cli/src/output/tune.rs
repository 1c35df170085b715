//! The report of `descent tune`: each trial's result (`TrialReport`), its JSON file
//! (`trial-K.json`, read back by `--collect`), the `--list` lines, the table sorted by score
//! and the `--out` CSV.

use std::cmp::Ordering;
use std::path::Path;

use anyhow::{Context, anyhow};
use serde_json::{Map, Value, json};

use crate::run::{Dimension, Search, Setting};

/// What one trial gave.
#[derive(Debug, Clone)]
pub struct TrialReport {
    /// The trial's number, from 0.
    pub trial: usize,
    /// Its settings, one per dimension.
    pub settings: Vec<Setting>,
    /// Its score; `None` when the run failed (`error`) or the score is undefined (ROC-AUC
    /// with a class absent from the held-out rows).
    pub score: Option<f64>,
    /// The epochs trained (with --folds, their mean over the folds).
    pub epochs: f64,
    /// The seconds the trial took (with --folds, all folds).
    pub seconds: f64,
    /// Per run (one, or one per fold), the history: `[{epoch, lr, cost, …}]`.
    pub history: Value,
    /// Why the run failed (a divergence), if it did.
    pub error: Option<String>,
}

/// The settings as a JSON object, keyed by the dimensions' keys.
fn settings_json(dims: &[Dimension], settings: &[Setting]) -> Map<String, Value> {
    dims.iter().zip(settings).map(|(d, s)| (d.key.clone(), s.to_json())).collect()
}

/// A `--list` line: `trial` and every setting.
pub fn list_json(dims: &[Dimension], trial: usize, settings: &[Setting]) -> Value {
    let mut object = Map::new();
    object.insert("trial".into(), trial.into());
    object.extend(settings_json(dims, settings));
    Value::Object(object)
}

/// The `trial-K.json` object.
pub fn trial_json(dims: &[Dimension], r: &TrialReport) -> Value {
    json!({
        "trial": r.trial,
        "settings": settings_json(dims, &r.settings),
        "score": r.score,
        "epochs": r.epochs,
        "seconds": r.seconds,
        "error": r.error,
        "history": r.history,
    })
}

/// Reads `trial-K.json` back; its settings must be those of trial `trial` of `search`.
pub fn read_trial(
    path: &Path,
    search: &Search,
    trial: usize,
    settings: &[Setting],
) -> anyhow::Result<TrialReport> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a trial's result", path.display()))?;
    let expected = Value::Object(settings_json(&search.dims, settings));
    if v["trial"] != trial || v["settings"] != expected {
        return Err(anyhow!(
            "{}: trial {} with {} is not trial {trial} of this search ({}): run every trial \
             with the same flags",
            path.display(),
            v["trial"],
            v["settings"],
            search.describe(settings)
        ));
    }
    let number = |key: &str| {
        v[key].as_f64().ok_or_else(|| anyhow!("{}: `{key}` is not a number", path.display()))
    };
    Ok(TrialReport {
        trial,
        settings: settings.to_vec(),
        score: v["score"].as_f64(),
        epochs: number("epochs")?,
        seconds: number("seconds")?,
        history: v["history"].clone(),
        error: v["error"].as_str().map(str::to_owned),
    })
}

/// The trials best first (by `score`, `higher` better or lower), failed ones last; ties in
/// trial order.
pub fn ranked(results: &[TrialReport], higher: bool) -> Vec<&TrialReport> {
    let mut order: Vec<&TrialReport> = results.iter().collect();
    order.sort_by(|a, b| match (a.score, b.score) {
        (Some(x), Some(y)) => {
            let o = if higher { y.total_cmp(&x) } else { x.total_cmp(&y) };
            o.then(a.trial.cmp(&b.trial))
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.trial.cmp(&b.trial),
    });
    order
}

/// The epochs as the table shows them: whole, or the folds' mean to one decimal.
fn epochs_text(e: f64) -> String {
    if e.fract() == 0.0 { format!("{e}") } else { format!("{e:.1}") }
}

/// A setting as the table shows it: six significant digits.
fn setting_text(s: &Setting) -> String {
    match s {
        Setting::Real(x) if *x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e5) => format!("{x:.4e}"),
        Setting::Real(x) => {
            let decimals = (5.0 - x.abs().log10().floor()).max(0.0) as usize;
            let t = format!("{x:.decimals$}");
            t.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
        other => other.to_string(),
    }
}

/// The table: a headline, then one row per trial, best first.
pub fn table(headline: &str, search: &Search, score: &str, ranked: &[&TrialReport]) -> String {
    let mut header = vec!["trial".to_owned()];
    header.extend(search.dims.iter().map(|d| d.key.clone()));
    header.extend([score.to_owned(), "epochs".into(), "seconds".into()]);
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|r| {
            let mut row = vec![r.trial.to_string()];
            row.extend(r.settings.iter().map(setting_text));
            row.push(match (r.score, &r.error) {
                (Some(s), _) => format!("{s:.6}"),
                (None, Some(_)) => "failed".into(),
                (None, None) => "n/a".into(),
            });
            row.extend([epochs_text(r.epochs), format!("{:.2}", r.seconds)]);
            row
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].len()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (t, w))| if c == 0 { format!("{t:<w$}") } else { format!("{t:>w$}") })
            .collect();
        parts.join("  ") + "\n"
    };
    let mut out = format!("{headline}\n");
    out.push_str(&line(&header));
    for row in &rows {
        out.push_str(&line(row));
    }
    for r in ranked.iter().filter(|r| r.error.is_some()) {
        out.push_str(&format!("trial {} failed: {}\n", r.trial, r.error.as_deref().unwrap_or("")));
    }
    out
}

/// Writes `--out`: `trial`, the settings, `score`, `epochs`, `seconds`, one row per trial in
/// trial order, atomically.
pub fn write_csv(path: &Path, search: &Search, results: &[TrialReport]) -> anyhow::Result<()> {
    let err = || format!("--out {}", path.display());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["trial".to_owned()];
    header.extend(search.dims.iter().map(|d| d.key.clone()));
    header.extend(["score".into(), "epochs".into(), "seconds".into()]);
    w.write_record(&header).with_context(err)?;
    for r in results {
        let mut row = vec![r.trial.to_string()];
        row.extend(r.settings.iter().map(Setting::to_string));
        row.extend([
            r.score.map_or(String::new(), |s| s.to_string()),
            r.epochs.to_string(),
            r.seconds.to_string(),
        ]);
        w.write_record(&row).with_context(err)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow!("{e}")).with_context(err)?;
    descent_io::write_atomic(path, &bytes).with_context(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(trial: usize, score: Option<f64>) -> TrialReport {
        TrialReport {
            trial,
            settings: vec![],
            score,
            epochs: 1.0,
            seconds: 0.0,
            history: Value::Null,
            error: None,
        }
    }

    #[test]
    fn ranking_puts_the_best_first_and_the_failed_last() {
        let r = [report(0, Some(0.5)), report(1, None), report(2, Some(0.1)), report(3, Some(0.5))];
        let trials = |v: Vec<&TrialReport>| v.iter().map(|r| r.trial).collect::<Vec<_>>();
        assert_eq!(trials(ranked(&r, false)), [2, 0, 3, 1]);
        assert_eq!(trials(ranked(&r, true)), [0, 3, 2, 1]);
    }

    #[test]
    fn settings_show_six_significant_digits() {
        assert_eq!(setting_text(&Setting::Real(0.0123456789)), "0.0123457");
        assert_eq!(setting_text(&Setting::Real(0.000123456)), "1.2346e-4");
        assert_eq!(setting_text(&Setting::Real(0.5)), "0.5");
        assert_eq!(setting_text(&Setting::Real(123.456789)), "123.457");
        assert_eq!(setting_text(&Setting::Integer(64)), "64");
    }
}
