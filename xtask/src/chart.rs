//! The report's bar chart (`target/bench/report.png`): µs per step of every row, one panel per
//! workload, with the numpy and PyTorch references as the last bars. Drawn with plotters and
//! the DejaVu Sans font the CLI ships (`crates/descent-cli/assets`), so no system font is needed.

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::workloads::{Results, WORKLOADS};

const FONT: &[u8] = include_bytes!("../../crates/descent-cli/assets/DejaVuSans.ttf");

/// One colour per backend (by the label's first two letters), then the references (matplotlib's "tab10").
fn colour(label: &str) -> RGBColor {
    match label.get(..2).unwrap_or_default() {
        "nd" => RGBColor(31, 119, 180),
        "na" => RGBColor(255, 127, 14),
        "fa" => RGBColor(44, 160, 44),
        "nu" => RGBColor(214, 39, 40),
        _ => RGBColor(148, 103, 189),
    }
}

/// Draws the chart into `path` (PNG).
pub(crate) fn draw(res: &Results, path: &Path) -> anyhow::Result<()> {
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the bundled font is invalid"))?;
    let root = BitMapBackend::new(path, (1600, 1600)).into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled("µs per training step, lower is better (nd/na/fa = ndarray/nalgebra/faer, 32/64 = f32/f64, .1/.2 = threads)", ("sans-serif", 22))
        .map_err(err)?;
    // Three rows of two panels: room for the five workloads.
    let panels = root.split_evenly((3, 2));
    for (panel, workload) in panels.iter().zip(WORKLOADS) {
        let mut bars: Vec<(String, f64)> = res
            .rows
            .iter()
            .filter(|r| r.workload == workload)
            .map(|r| {
                let short = &r.backend[..2];
                (format!("{short}{}.{}", &r.dtype[1..], r.threads), r.us_per_step())
            })
            .collect();
        let steps = res.rows.iter().find(|r| r.workload == workload).map(|r| r.steps);
        for framework in ["numpy", "torch"] {
            if let (Some(Ok(s)), Some(steps)) =
                (res.reference(workload, framework).map(|r| r.seconds.clone()), steps)
            {
                bars.push((framework.to_owned(), 1e6 * s / steps as f64));
            }
        }
        if bars.is_empty() {
            continue;
        }
        let hi = bars.iter().map(|b| b.1).fold(0.0, f64::max) * 2.0;
        let lo = bars.iter().map(|b| b.1).fold(f64::INFINITY, f64::min) / 2.0;
        let n = bars.len();
        let mut chart = ChartBuilder::on(panel)
            .caption(workload, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0..n).into_segmented(), (lo..hi).log_scale())
            .map_err(err)?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc("µs / step (log scale)")
            .x_labels(n)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (label, v))| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), lo), (SegmentValue::Exact(i + 1), *v)],
                    colour(label).filled(),
                );
                bar.set_margin(0, 0, 3, 3);
                bar
            }))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::{BACKENDS, DTYPES, Reference, Row, THREADS};

    #[test]
    fn the_chart_is_a_png_with_every_workload() {
        let mut res = Results::default();
        for (w, workload) in WORKLOADS.iter().enumerate() {
            for (i, ((backend, dtype), threads)) in BACKENDS
                .iter()
                .flat_map(|b| DTYPES.iter().map(move |d| (b, d)))
                .flat_map(|bd| THREADS.iter().map(move |t| (bd, t)))
                .enumerate()
            {
                res.rows.push(Row {
                    workload: (*workload).into(),
                    backend: (*backend).into(),
                    dtype: (*dtype).into(),
                    threads: *threads,
                    seconds: 0.1 * (i + 1) as f64 * 10f64.powi(w as i32),
                    steps: 1000,
                    examples: 300,
                    epochs: 10,
                    flops_per_example: 112.0,
                    final_cost: Some(0.1),
                    peak_rss_kib: Some(3000),
                    state_bytes: 4000,
                    ceiling: None,
                });
            }
            res.references.push(Reference {
                workload: (*workload).into(),
                framework: "numpy".into(),
                seconds: Ok(30.0),
            });
        }
        let path = std::env::temp_dir().join(format!("descent-chart-{}.png", std::process::id()));
        draw(&res, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        if std::env::var_os("KEEP_CHART").is_none() {
            std::fs::remove_file(&path).unwrap();
        }
    }
}
