//! Plots with plotters (PNG or SVG by the file's extension), drawn with the DejaVu Sans font
//! shipped in `assets/`: no system font library is needed.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// DejaVu Sans (license in `assets/DejaVuSans-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Line and class colours: the colour-blind-safe "tab10" palette of matplotlib, so the
/// figures look like the course's.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// A training point: its two features and its class.
pub type LabelledPoint = (f64, f64, usize);

/// The boundary grid with the training points drawn over it.
pub type PointsOnGrid<'a> = Option<(Grid, &'a [LabelledPoint])>;

/// One optimizer's cost per epoch.
pub struct Curve {
    /// The legend entry, e.g. `"adam"`.
    pub name: String,
    /// The cost of every epoch.
    pub costs: Vec<f64>,
    /// The cost of every mini-batch, drawn faint under the epoch curve (empty: none).
    pub batch_costs: Vec<f64>,
    /// An epoch to mark on the curve (early stopping's best epoch), from 0.
    pub marked: Option<usize>,
}

/// One optimizer's predicted class over a grid covering the 2-D data.
pub struct Boundary {
    /// The panel's title.
    pub name: String,
    /// The predicted class of every cell, row by row from the bottom (`ny` rows of `nx`).
    pub classes: Vec<usize>,
    /// Accuracy on the training data, for the title.
    pub accuracy: Option<f64>,
}

/// The grid the boundaries are evaluated on: `nx × ny` cells over the x and y ranges.
#[derive(Clone, Copy)]
pub struct Grid {
    /// Horizontal range.
    pub x: (f64, f64),
    /// Vertical range.
    pub y: (f64, f64),
    /// Cells across.
    pub nx: usize,
    /// Cells down.
    pub ny: usize,
}

impl Grid {
    /// A grid around `points` with a margin of half a unit, as the course's
    /// `plot_decision_boundary`.
    pub fn around(points: &[LabelledPoint], nx: usize, ny: usize) -> Self {
        let fold = |f: fn(&LabelledPoint) -> f64| {
            points
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
        };
        let (x0, x1) = fold(|p| p.0);
        let (y0, y1) = fold(|p| p.1);
        Self { x: (x0 - 0.5, x1 + 0.5), y: (y0 - 0.5, y1 + 0.5), nx, ny }
    }

    /// The centre of every cell, row by row from the bottom.
    pub fn centres(&self) -> Vec<(f64, f64)> {
        let (dx, dy) = self.cell();
        (0..self.ny)
            .flat_map(|r| {
                (0..self.nx).map(move |c| {
                    (self.x.0 + (c as f64 + 0.5) * dx, self.y.0 + (r as f64 + 0.5) * dy)
                })
            })
            .collect()
    }

    fn cell(&self) -> (f64, f64) {
        ((self.x.1 - self.x.0) / self.nx as f64, (self.y.1 - self.y.0) / self.ny as f64)
    }
}

/// Writes the comparison figure: cost curves on the left and, when `grid` is given,
/// one decision-boundary panel per optimizer with the training points.
pub fn comparison(
    path: &Path,
    title: &str,
    curves: &[Curve],
    boundaries: &[Boundary],
    grid: PointsOnGrid<'_>,
) -> anyhow::Result<()> {
    register_bundled_font()?;
    let panels = if grid.is_some() { boundaries.len() } else { 0 };
    let (rows, cols) = panel_layout(panels);
    let size = (560 + 420 * cols as u32, 460 * rows.max(1) as u32);
    let is_svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let res = if is_svg {
        draw(SVGBackend::new(path, size).into_drawing_area(), title, curves, boundaries, grid)
    } else {
        draw(BitMapBackend::new(path, size).into_drawing_area(), title, curves, boundaries, grid)
    };
    res.with_context(|| format!("--plot {}: cannot draw the figure", path.display()))
}

/// Rows and columns of the decision-boundary panels: one row of up to four, then more rows.
fn panel_layout(panels: usize) -> (usize, usize) {
    const MAX_COLUMNS: usize = 4;
    if panels == 0 {
        return (0, 0);
    }
    let rows = panels.div_ceil(MAX_COLUMNS);
    (rows, panels.div_ceil(rows))
}

pub fn register_bundled_font() -> anyhow::Result<()> {
    static REGISTER: Once = Once::new();
    let mut res = Ok(());
    REGISTER.call_once(|| {
        res = register_font("sans-serif", FontStyle::Normal, FONT)
            .map_err(|_| anyhow!("the bundled font is invalid"));
    });
    res
}

type DrawResult = anyhow::Result<()>;

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    curves: &[Curve],
    boundaries: &[Boundary],
    grid: PointsOnGrid<'_>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 22)).map_err(err)?;
    let (left, right) = root.split_horizontally(560);
    cost_curves(&left, curves).map_err(err)?;
    if let Some((grid, points)) = grid {
        let panels = right.split_evenly(panel_layout(boundaries.len()));
        for (panel, boundary) in panels.iter().zip(boundaries) {
            decision_boundary(panel, boundary, grid, points).map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

fn cost_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    curves: &[Curve],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let epochs = curves.iter().map(|c| c.costs.len()).max().unwrap_or(1).max(2) as f64;
    let finite = || {
        curves
            .iter()
            .flat_map(|c| c.costs.iter().chain(&c.batch_costs).copied())
            .filter(|c| c.is_finite())
    };
    let hi = finite().fold(0.0_f64, f64::max);
    let lo = finite().fold(f64::INFINITY, f64::min);
    // A cost that falls by more than a factor of 20 reads better on a log scale.
    if lo > 0.0 && hi / lo > 20.0 {
        let chart = ChartBuilder::on(area)
            .caption("cost per epoch (log scale)", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..epochs, (lo * 0.9..hi * 1.1).log_scale())?;
        draw_curves(chart, curves)
    } else {
        let hi = if hi > 0.0 { hi * 1.05 } else { 1.0 };
        let chart = ChartBuilder::on(area)
            .caption("cost per epoch", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..epochs, 0.0..hi)?;
        draw_curves(chart, curves)
    }
}

fn draw_curves<'a, DB, Y>(
    mut chart: ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>,
    curves: &[Curve],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend + 'a,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("cost")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style(("sans-serif", 13))
        .draw()?;
    for (i, curve) in curves.iter().enumerate() {
        let color = colour(i).to_rgba();
        if !curve.batch_costs.is_empty() && !curve.costs.is_empty() {
            // Batch k of epoch e sits at e + k / batches-per-epoch.
            let per_epoch = curve.batch_costs.len() as f64 / curve.costs.len() as f64;
            let faint = colour(i).mix(0.25);
            let points = curve
                .batch_costs
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_finite())
                .map(|(k, &c)| (k as f64 / per_epoch, c));
            chart
                .draw_series(LineSeries::new(points, faint.stroke_width(1)))?
                .label(format!("{} (mini-batches)", curve.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], faint.stroke_width(1))
                });
        }
        let points = curve
            .costs
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_finite())
            .map(|(e, &c)| (e as f64, c));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(curve.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        if let Some((e, &c)) = curve.marked.and_then(|e| Some(e).zip(curve.costs.get(e))) {
            let black = BLACK.filled();
            chart
                .draw_series(std::iter::once(Circle::new((e as f64, c), 6, black)))?
                .label(format!("best epoch {} ({} {c:.4})", e + 1, curve.name))
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, black));
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}

fn decision_boundary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    boundary: &Boundary,
    grid: Grid,
    points: &[LabelledPoint],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let caption = match boundary.accuracy {
        Some(a) => format!("{} (accuracy {:.1}%)", boundary.name, 100.0 * a),
        None => boundary.name.clone(),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(grid.x.0..grid.x.1, grid.y.0..grid.y.1)?;
    chart
        .configure_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .label_style(("sans-serif", 12))
        .disable_mesh()
        .draw()?;
    let (dx, dy) = grid.cell();
    chart.draw_series(grid.centres().into_iter().zip(&boundary.classes).map(
        |((x, y), &class)| {
            let color = colour(class).mix(0.25);
            Rectangle::new(
                [(x - dx / 2.0, y - dy / 2.0), (x + dx / 2.0, y + dy / 2.0)],
                color.filled(),
            )
        },
    ))?;
    chart.draw_series(
        points
            .iter()
            .map(|&(x, y, class)| Circle::new((x, y), 3, colour(class).filled().stroke_width(1))),
    )?;
    Ok(())
}
