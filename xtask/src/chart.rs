//! The report's bar chart (`target/bench/report.png`): µs per step of every row, one panel per
//! workload, with the numpy and PyTorch references as the last bars. Drawn with plotters and
//! the DejaVu Sans font the CLI ships (`crates/descent-cli/assets`), so no system font is needed.

use std::path::Path;

use anyhow::anyhow;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::workloads::{Results, WORKLOADS};

const FONT: &[u8] = include_bytes!("../../crates/descent-cli/assets/DejaVuSans.ttf");

/// One colour per backend, then the references (matplotlib's "tab10").
fn colour(label: &str) -> RGBColor {
    match label.split(' ').next().unwrap_or_default() {
        "ndarray" => RGBColor(31, 119, 180),
        "nalgebra" => RGBColor(255, 127, 14),
        "faer" => RGBColor(44, 160, 44),
        "numpy" => RGBColor(214, 39, 40),
        _ => RGBColor(148, 103, 189),
    }
}

/// Draws the chart into `path` (PNG).
pub(crate) fn draw(res: &Results, path: &Path) -> anyhow::Result<()> {
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the bundled font is invalid"))?;
    let root = BitMapBackend::new(path, (1600, 1100)).into_drawing_area();
    let err = |e: DrawingAreaErrorKind<_>| anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root
        .titled("descent: µs per training step (lower is better)", ("sans-serif", 26))
        .map_err(err)?;
    let panels = root.split_evenly((2, 2));
    for (panel, workload) in panels.iter().zip(WORKLOADS) {
        let mut bars: Vec<(String, f64)> = res
            .rows
            .iter()
            .filter(|r| r.workload == workload)
            .map(|r| (format!("{} {} {}T", r.backend, r.dtype, r.threads), r.us_per_step()))
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
        let hi = bars.iter().map(|b| b.1).fold(0.0, f64::max) * 1.1;
        let n = bars.len();
        let mut chart = ChartBuilder::on(panel)
            .caption(workload, ("sans-serif", 20))
            .margin(10)
            .x_label_area_size(110)
            .y_label_area_size(70)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..hi)
            .map_err(err)?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_desc("µs / step")
            .x_labels(n)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_style(("sans-serif", 12).into_font().transform(FontTransform::Rotate90))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (label, v))| {
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *v)],
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
