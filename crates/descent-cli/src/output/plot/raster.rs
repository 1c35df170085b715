//! A decision-boundary panel: the predicted class over the grid as one raster image, one
//! pixel per pixel of the panel (an SVG embeds it as a single PNG, a few kilobytes), and the
//! training points over it.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Boundary, Grid, LabelledPoint, colour};

/// How much of a class's colour tints the background of its region (the rest is white).
const TINT: f64 = 0.25;

pub fn decision_boundary<DB: DrawingBackend>(
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
    let (width, height) = chart.plotting_area().dim_in_pixel();
    if width > 0 && height > 0 {
        let image = regions(boundary, grid, width, height);
        let element =
            BitMapElement::with_owned_buffer((grid.x.0, grid.y.1), (width, height), image)
                .expect("the buffer holds width × height RGB pixels");
        chart.plotting_area().draw(&element)?;
    }
    chart.draw_series(
        points
            .iter()
            .map(|&(x, y, class)| Circle::new((x, y), 3, colour(class).filled().stroke_width(1))),
    )?;
    Ok(())
}

/// The panel's pixels, row by row from the top, RGB: each the tint of the class predicted in
/// the grid cell under the pixel's centre.
fn regions(boundary: &Boundary, grid: Grid, width: u32, height: u32) -> Vec<u8> {
    let tints: Vec<[u8; 3]> = (0..10).map(|c| tint(colour(c))).collect();
    let mut image = Vec::with_capacity(width as usize * height as usize * 3);
    for py in 0..height {
        let y = grid.y.1 - (f64::from(py) + 0.5) / f64::from(height) * (grid.y.1 - grid.y.0);
        for px in 0..width {
            let x = grid.x.0 + (f64::from(px) + 0.5) / f64::from(width) * (grid.x.1 - grid.x.0);
            let class = boundary.classes.get(grid.cell_at(x, y)).copied().unwrap_or(0);
            image.extend_from_slice(&tints[class % tints.len()]);
        }
    }
    image
}

/// `colour` at [`TINT`] over white.
fn tint(colour: RGBColor) -> [u8; 3] {
    let over_white = |c: u8| (TINT * f64::from(c) + (1.0 - TINT) * 255.0).round() as u8;
    [over_white(colour.0), over_white(colour.1), over_white(colour.2)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pixel_takes_the_class_of_the_cell_under_it() {
        // Two cells side by side: class 0 on the left, class 1 on the right.
        let grid = Grid { x: (0.0, 2.0), y: (0.0, 1.0), nx: 2, ny: 1 };
        let boundary = Boundary { name: String::new(), classes: vec![0, 1], accuracy: None };
        let image = regions(&boundary, grid, 4, 2);
        let pixel = |i: usize| [image[3 * i], image[3 * i + 1], image[3 * i + 2]];
        let (a, b) = (tint(colour(0)), tint(colour(1)));
        assert_eq!([pixel(0), pixel(1), pixel(2), pixel(3)], [a, a, b, b]);
        assert_eq!([pixel(4), pixel(7)], [a, b]);
        assert_eq!(tint(RGBColor(255, 255, 255)), [255, 255, 255]);
    }
}
