//! Decision boundaries of 2-D classifiers: the training points and the class the network
//! predicts over a grid around them.

use descent::train::{Dataset, Mlp, Output, predict};
use descent::{Backend, Scalar};

use super::plot::{Grid, LabelledPoint};

/// Cells per side of the decision-boundary grid.
pub const GRID_CELLS: usize = 150;

/// The grid and the points for a network of `output` on `data`, when the data is 2-D and the
/// network a classifier.
pub fn grid_for<T: Scalar>(
    data: &Dataset<T>,
    output: Output,
) -> Option<(Grid, Vec<LabelledPoint>)> {
    (data.n_features() == 2 && output.is_classifier()).then(|| {
        let points: Vec<LabelledPoint> = (0..data.n_examples())
            .map(|j| {
                (
                    data.example(j)[0].to_f64(),
                    data.example(j)[1].to_f64(),
                    data.target(j)[0].to_f64() as usize,
                )
            })
            .collect();
        (Grid::around(&points, GRID_CELLS, GRID_CELLS), points)
    })
}

/// The class the network predicts at every cell centre of `grid`.
pub fn grid_classes<T: Scalar, B: Backend<T>>(
    mlp: &Mlp<T, B>,
    grid: &Grid,
) -> anyhow::Result<Vec<usize>> {
    let centres = grid.centres();
    let features: Vec<T> =
        centres.iter().flat_map(|&(x, y)| [T::from_f64(x), T::from_f64(y)]).collect();
    let grid_data = Dataset::new(2, features, 1, vec![T::ZERO; centres.len()])?;
    let outputs = predict(mlp, &grid_data)?;
    let n_out = mlp.layers()[mlp.layers().len() - 1];
    Ok(outputs.chunks(n_out).map(|col| class_of(mlp.output(), col)).collect())
}

/// The predicted class of one output column: the sigmoid above ½, or the largest softmax.
pub fn class_of<T: Scalar>(output: Output, col: &[T]) -> usize {
    match output {
        Output::Sigmoid => usize::from(col[0].to_f64() > 0.5),
        _ => col.iter().enumerate().fold(0, |best, (i, v)| if *v > col[best] { i } else { best }),
    }
}
