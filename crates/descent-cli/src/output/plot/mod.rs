//! Figures with plotters (PNG or SVG by the file's extension), drawn with the DejaVu Sans font
//! shipped in `assets/`: no system font library is needed.
//!
//! One layout for `train`, `compare` and `course`: the title (wrapped to the figure's width)
//! on top; on the left the cost per epoch — each curve in a strong colour over a white halo,
//! the mini-batch costs faint behind it — then, when given, the accuracy per epoch and the
//! learning rate per epoch; on the right, for a 2-D classifier, one decision-boundary panel per
//! run, the grid drawn as one raster image (an embedded PNG in an SVG). Every cost and
//! learning-rate axis follows one rule, `--plot-scale` (log unless asked otherwise), so two
//! figures compare.

mod lines;
mod raster;
mod ticks;
mod title;

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::args::PlotScaleArg;

/// DejaVu Sans (license in `assets/DejaVuSans-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

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

/// Width of the left column (the line panels).
const LINES_WIDTH: u32 = 600;
/// Width and height of one decision-boundary panel.
const BOUNDARY_SIZE: (u32, u32) = (420, 440);
/// Heights of the cost, accuracy and learning-rate panels.
const COST_HEIGHT: u32 = 440;
const ACCURACY_HEIGHT: u32 = 250;
const RATE_HEIGHT: u32 = 210;

pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// A training point: its two features and its class.
pub type LabelledPoint = (f64, f64, usize);

/// The boundary grid with the training points drawn over it.
pub type PointsOnGrid<'a> = Option<(Grid, &'a [LabelledPoint])>;

/// One run's values per epoch (a cost, an accuracy or a learning rate).
pub struct Curve {
    /// The legend entry, e.g. `"adam"`.
    pub name: String,
    /// The value of every epoch.
    pub values: Vec<f64>,
    /// The cost of every mini-batch, drawn faint behind the epoch curve (empty: none).
    pub batch_costs: Vec<f64>,
    /// An epoch to mark on the curve (early stopping's best epoch), from 0.
    pub marked: Option<usize>,
}

impl Curve {
    /// A curve of per-epoch values alone.
    pub fn epochs(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self { name: name.into(), values, batch_costs: Vec::new(), marked: None }
    }
}

/// One run's predicted class over a grid covering the 2-D data.
pub struct Boundary {
    /// The panel's title.
    pub name: String,
    /// The predicted class of every cell, row by row from the bottom (`ny` rows of `nx`).
    pub classes: Vec<usize>,
    /// The accuracy the run's summary prints, for the title.
    pub accuracy: Option<f64>,
}

/// Everything one figure shows.
pub struct Figure<'a> {
    /// The title: what ran, with the optimizer, the schedule and their settings.
    pub title: String,
    /// The y axis of the cost and learning-rate panels.
    pub scale: PlotScaleArg,
    /// The cost per epoch of every run (and the validation cost).
    pub costs: Vec<Curve>,
    /// The accuracy per epoch (training, validation); empty: no accuracy panel.
    pub accuracies: Vec<Curve>,
    /// The learning rate per epoch; empty: no learning-rate panel (see [`changing`]).
    pub rates: Vec<Curve>,
    /// One decision boundary per run, drawn when `grid` is given.
    pub boundaries: Vec<Boundary>,
    /// The grid the boundaries cover and the training points.
    pub grid: PointsOnGrid<'a>,
}

/// The learning-rate curves worth a panel: all of them when any rate changes during its run,
/// none when every rate stays at its initial value.
pub fn changing(rates: Vec<Curve>) -> Vec<Curve> {
    let changes = |c: &Curve| c.values.iter().any(|&r| r != c.values[0]);
    if rates.iter().any(changes) { rates } else { Vec::new() }
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

    /// The index into [`centres`](Self::centres) of the cell holding `(x, y)`, clamped to the
    /// grid.
    fn cell_at(&self, x: f64, y: f64) -> usize {
        let (dx, dy) = self.cell();
        let clamp = |v: f64, n: usize| (v.max(0.0) as usize).min(n - 1);
        clamp((y - self.y.0) / dy, self.ny) * self.nx + clamp((x - self.x.0) / dx, self.nx)
    }

    fn cell(&self) -> (f64, f64) {
        ((self.x.1 - self.x.0) / self.nx as f64, (self.y.1 - self.y.0) / self.ny as f64)
    }
}

/// Writes `figure` to `path`: an SVG when the name ends in `.svg`, else a PNG.
pub fn draw(path: &Path, figure: &Figure<'_>) -> anyhow::Result<()> {
    register_bundled_font()?;
    let panels = if figure.grid.is_some() { figure.boundaries.len() } else { 0 };
    let (rows, cols) = panel_layout(panels);
    let width = LINES_WIDTH + BOUNDARY_SIZE.0 * cols as u32;
    let title = title::wrap(&figure.title, width - 40)?;
    let lines_height = COST_HEIGHT
        + if figure.accuracies.is_empty() { 0 } else { ACCURACY_HEIGHT }
        + if figure.rates.is_empty() { 0 } else { RATE_HEIGHT };
    let size = (width, title.height() + lines_height.max(BOUNDARY_SIZE.1 * rows as u32));
    let is_svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let context = || format!("--plot {}: cannot draw the figure", path.display());
    if !is_svg {
        let area = BitMapBackend::new(path, size).into_drawing_area();
        return draw_on(area, figure, &title).with_context(context);
    }
    let mut svg = String::new();
    draw_on(SVGBackend::with_string(&mut svg, size).into_drawing_area(), figure, &title)
        .with_context(context)?;
    let svg = svg.replace(SVG_IMAGE_PREFIX, r#"href="data:image/png;base64,"#);
    descent_io::write_atomic(path, svg.as_bytes()).with_context(context)
}

/// How plotters-svg 0.3.7 starts an embedded PNG: not a MIME type, so `draw` writes
/// `image/png` instead (docs/dependencies.md, trap 6).
const SVG_IMAGE_PREFIX: &str = r#"href="data:png;base64,"#;

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

fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    figure: &Figure<'_>,
    title: &title::Title,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e:?}");
    root.fill(&WHITE).map_err(err)?;
    title.draw(&root).map_err(err)?;
    let (_, body) = root.split_vertically(title.height());
    let (left, right) = body.split_horizontally(LINES_WIDTH);
    let log = figure.scale == PlotScaleArg::Log;
    // The cost panel takes what the boundary panels leave beside the other panels.
    let others = if figure.accuracies.is_empty() { 0 } else { ACCURACY_HEIGHT }
        + if figure.rates.is_empty() { 0 } else { RATE_HEIGHT };
    let cost_height = (left.dim_in_pixel().1 - others).max(COST_HEIGHT);
    let (cost, rest) = left.split_vertically(cost_height);
    lines::panel(&cost, &lines::Axis::cost(log), &figure.costs).map_err(err)?;
    let rest = if figure.accuracies.is_empty() {
        rest
    } else {
        let (accuracy, rest) = rest.split_vertically(ACCURACY_HEIGHT);
        lines::panel(&accuracy, &lines::Axis::accuracy(), &figure.accuracies).map_err(err)?;
        rest
    };
    if !figure.rates.is_empty() {
        let (rate, _) = rest.split_vertically(RATE_HEIGHT);
        lines::panel(&rate, &lines::Axis::rate(log), &figure.rates).map_err(err)?;
    }
    if let Some((grid, points)) = figure.grid {
        let (rows, cols) = panel_layout(figure.boundaries.len());
        let (boundaries, _) = right.split_vertically(BOUNDARY_SIZE.1 * rows as u32);
        let (boundaries, _) = boundaries.split_horizontally(BOUNDARY_SIZE.0 * cols as u32);
        let panels = boundaries.split_evenly((rows, cols));
        for (panel, boundary) in panels.iter().zip(&figure.boundaries) {
            raster::decision_boundary(panel, boundary, grid, points).map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_found_from_their_centres_and_clamped_outside() {
        let grid = Grid { x: (0.0, 3.0), y: (0.0, 2.0), nx: 3, ny: 2 };
        for (i, (x, y)) in grid.centres().into_iter().enumerate() {
            assert_eq!(grid.cell_at(x, y), i);
        }
        assert_eq!(grid.cell_at(-5.0, -5.0), 0);
        assert_eq!(grid.cell_at(9.0, 9.0), 5);
    }

    #[test]
    fn a_rate_panel_only_when_a_rate_changes() {
        let flat = || Curve::epochs("gd", vec![0.1; 4]);
        assert!(changing(vec![flat(), flat()]).is_empty());
        let decaying = Curve::epochs("adam", vec![0.1, 0.05, 0.05, 0.025]);
        assert_eq!(changing(vec![flat(), decaying]).len(), 2);
    }
}
