//! scikit-learn's `make_moons`, drawn from numpy's legacy stream as the course's data.

use std::f64::consts::PI;

use descent_core::{Error, Result};
use descent_train::Dataset;

use crate::RandomState;

/// The seed the course passes to `np.random.seed` before `make_moons` (and before the
/// initialization).
pub const COURSE_SEED: u32 = 3;
/// The course's number of points.
pub const COURSE_SAMPLES: usize = 300;
/// The course's noise: the standard deviation of the Gaussian noise added to every coordinate.
pub const COURSE_NOISE: f64 = 0.2;

/// `sklearn.datasets.make_moons(n_samples, shuffle=True, noise=noise, random_state=rng)`:
/// two interleaving half circles with labels 0 (outer) and 1 (inner).
///
/// As scikit-learn 1.x builds it: `⌊n/2⌋` points on the outer half circle
/// `(cos t, sin t)` and `n - ⌊n/2⌋` on the inner one `(1 - cos t, 1 - sin t - 0.5)`, with `t`
/// from `np.linspace(0, π, ·)`; then points and labels are shuffled together
/// (`sklearn.utils.shuffle`: `rng.shuffle(np.arange(n))`), then `rng.normal(scale=noise)`
/// is added to every coordinate, point by point. With `noise = None` nothing is drawn for it.
///
/// The data set holds the course's `X` of shape (2, n) and labels 0/1. Allocates.
///
/// # Errors
/// [`Error::InvalidArgument`] (op `"make_moons"`) when `n_samples` is 0 or `noise` is
/// negative or not finite.
///
/// # Example
/// ```
/// use descent_course::{RandomState, make_moons};
///
/// let mut rng = RandomState::new(3); // np.random.seed(3)
/// let data = make_moons(300, Some(0.2), &mut rng).unwrap();
/// assert_eq!(data.n_examples(), 300);
/// assert_eq!(data.targets().iter().sum::<f64>(), 150.0);
/// ```
pub fn make_moons(
    n_samples: usize,
    noise: Option<f64>,
    rng: &mut RandomState,
) -> Result<Dataset<f64>> {
    let invalid = |reason: String| Err(Error::InvalidArgument { op: "make_moons", reason });
    if n_samples == 0 {
        return invalid("n_samples must be at least 1, got 0".into());
    }
    if let Some(noise) = noise
        && !(noise >= 0.0 && noise.is_finite())
    {
        return invalid(format!("noise must be a non-negative finite number, got {noise}"));
    }
    let n_out = n_samples / 2;
    let n_in = n_samples - n_out;
    // Points as rows (x1, x2): the layout of scikit-learn's X, and of the course's X.T.
    let mut points = Vec::with_capacity(2 * n_samples);
    for t in linspace(0.0, PI, n_out) {
        points.extend([t.cos(), t.sin()]);
    }
    for t in linspace(0.0, PI, n_in) {
        points.extend([1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
    }
    let labels: Vec<f64> = (0..n_samples).map(|i| if i < n_out { 0.0 } else { 1.0 }).collect();

    let mut idx: Vec<usize> = (0..n_samples).collect();
    rng.shuffle(&mut idx);
    let mut features = Vec::with_capacity(2 * n_samples);
    for &i in &idx {
        features.extend_from_slice(&points[2 * i..2 * i + 2]);
    }
    let targets = idx.iter().map(|&i| labels[i]).collect();
    if let Some(noise) = noise {
        for x in &mut features {
            *x += rng.normal(0.0, noise);
        }
    }
    Dataset::new(2, features, 1, targets)
}

/// The course's data: `np.random.seed(3)`, then `make_moons(n_samples=300, noise=.2)`.
///
/// # Errors
/// None in practice; the signature follows [`make_moons`].
pub fn course_moons() -> Result<Dataset<f64>> {
    make_moons(COURSE_SAMPLES, Some(COURSE_NOISE), &mut RandomState::new(COURSE_SEED))
}

/// `np.linspace(start, stop, num)` (endpoint included), evaluated as numpy does:
/// `i·step + start` with `step = (stop - start)/(num - 1)`, and the last value set to `stop`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let delta = stop - start;
    if num <= 1 {
        return (0..num).map(|i| i as f64 * delta + start).collect();
    }
    let step = delta / (num - 1) as f64;
    let mut res: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    res[num - 1] = stop;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_matches_numpy() {
        assert_eq!(linspace(0.0, PI, 0), Vec::<f64>::new());
        assert_eq!(linspace(0.0, PI, 1), vec![0.0]);
        assert_eq!(linspace(0.0, PI, 3), vec![0.0, PI / 2.0, PI]);
        // np.linspace(0, np.pi, 150)[1] and [148]
        let t = linspace(0.0, PI, 150);
        assert_eq!(t[1], 0.021084514453622773);
        assert_eq!(t[148], 3.1205081391361706);
    }

    #[test]
    fn bad_arguments_are_errors() {
        let mut rng = RandomState::new(0);
        for (n, noise) in [(0, None), (10, Some(-0.1)), (10, Some(f64::NAN))] {
            let err = make_moons(n, noise, &mut rng).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "make_moons", .. }), "{err}");
        }
        let one = make_moons(1, None, &mut rng).unwrap();
        assert_eq!(one.features(), &[0.0, 0.5]);
        assert_eq!(one.targets(), &[1.0]);
    }
}
