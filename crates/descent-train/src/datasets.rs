//! Built-in data sets, generated deterministically from a seed: moons, circles and spirals.

use std::f64::consts::PI;

use descent_core::{Error, Result};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Normal};
use rand_pcg::Pcg64;

use crate::Dataset;

/// The built-in data sets, by the name the command line uses.
pub const NAMES: [&str; 3] = ["moons", "circles", "spirals"];

/// Settings of a built-in data set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    /// Number of examples. Default 300, as the course.
    pub n_examples: usize,
    /// Standard deviation of the Gaussian noise added to every feature. Default 0.2.
    pub noise: f64,
    /// Seed of the PCG generator. Default 3, as the course's `np.random.seed(3)`.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self { n_examples: 300, noise: 0.2, seed: 3 }
    }
}

/// Builds a built-in data set by name (`moons`, `circles` or `spirals`).
///
/// # Errors
/// [`Error::InvalidArgument`] for an unknown name, fewer than 2 examples, or negative noise.
pub fn by_name(name: &str, config: SyntheticConfig) -> Result<Dataset<f64>> {
    match name {
        "moons" => moons(config),
        "circles" => circles(config),
        "spirals" => spirals(config, 3),
        _ => Err(Error::InvalidArgument {
            op: "dataset",
            reason: format!("unknown built-in data set {name:?} (expected one of {NAMES:?})"),
        }),
    }
}

/// Two interleaving half circles, labels 0 (upper) and 1 (lower), like scikit-learn's
/// `make_moons`: `⌊m/2⌋` points on `(cos t, sin t)` and the rest on `(1 - cos t, ½ - sin t)`
/// for `t` evenly spaced over `[0, π]`, shuffled, plus Gaussian noise.
///
/// # Errors
/// [`Error::InvalidArgument`] for fewer than 2 examples or negative noise.
pub fn moons(config: SyntheticConfig) -> Result<Dataset<f64>> {
    check(&config)?;
    let n_out = config.n_examples / 2;
    let n_in = config.n_examples - n_out;
    let mut points = Vec::with_capacity(config.n_examples);
    for t in linspace(0.0, PI, n_out, true) {
        points.push(([t.cos(), t.sin()], 0.0));
    }
    for t in linspace(0.0, PI, n_in, true) {
        points.push(([1.0 - t.cos(), 0.5 - t.sin()], 1.0));
    }
    finish(points, &config)
}

/// Two concentric circles, labels 0 (outer, radius 1) and 1 (inner, radius 0.5), like
/// scikit-learn's `make_circles(factor=0.5)`, shuffled, plus Gaussian noise.
///
/// # Errors
/// [`Error::InvalidArgument`] for fewer than 2 examples or negative noise.
pub fn circles(config: SyntheticConfig) -> Result<Dataset<f64>> {
    check(&config)?;
    let n_out = config.n_examples / 2;
    let n_in = config.n_examples - n_out;
    let mut points = Vec::with_capacity(config.n_examples);
    for t in linspace(0.0, 2.0 * PI, n_out, false) {
        points.push(([t.cos(), t.sin()], 0.0));
    }
    for t in linspace(0.0, 2.0 * PI, n_in, false) {
        points.push(([0.5 * t.cos(), 0.5 * t.sin()], 1.0));
    }
    finish(points, &config)
}

/// `n_classes` interleaved spiral arms (labels `0..n_classes`), the multi-class data set of
/// CS231n: arm `c` has radius `r` from 0 to 1 and angle `4·(c + r)` radians; noise is added to
/// the points.
///
/// # Errors
/// [`Error::InvalidArgument`] for fewer examples than classes, fewer than 2 classes or
/// negative noise.
pub fn spirals(config: SyntheticConfig, n_classes: usize) -> Result<Dataset<f64>> {
    check(&config)?;
    if n_classes < 2 || config.n_examples < n_classes {
        return Err(Error::InvalidArgument {
            op: "dataset",
            reason: format!(
                "spirals need at least 2 classes and one example per class, got {n_classes} classes and {} examples",
                config.n_examples
            ),
        });
    }
    let mut points = Vec::with_capacity(config.n_examples);
    for c in 0..n_classes {
        let n = config.n_examples / n_classes + usize::from(c < config.n_examples % n_classes);
        for r in linspace(0.0, 1.0, n, true) {
            let theta = 4.0 * (c as f64 + r);
            points.push(([r * theta.sin(), r * theta.cos()], c as f64));
        }
    }
    finish(points, &config)
}

fn check(config: &SyntheticConfig) -> Result<()> {
    if config.n_examples < 2 {
        return Err(Error::InvalidArgument {
            op: "dataset",
            reason: format!("need at least 2 examples, got {}", config.n_examples),
        });
    }
    if !(config.noise >= 0.0 && config.noise.is_finite()) {
        return Err(Error::InvalidArgument {
            op: "dataset",
            reason: format!("noise must be a finite number ≥ 0, got {}", config.noise),
        });
    }
    Ok(())
}

/// `n` points from `start` to `end`, including `end` when `endpoint` (numpy's `linspace`).
fn linspace(start: f64, end: f64, n: usize, endpoint: bool) -> impl Iterator<Item = f64> {
    let div = if endpoint { n.saturating_sub(1).max(1) } else { n.max(1) };
    let step = (end - start) / div as f64;
    (0..n).map(move |i| start + step * i as f64)
}

/// Shuffles the points with their labels, adds noise, and lays them out as a `Dataset`.
fn finish(mut points: Vec<([f64; 2], f64)>, config: &SyntheticConfig) -> Result<Dataset<f64>> {
    let mut rng = Pcg64::seed_from_u64(config.seed);
    points.shuffle(&mut rng);
    let noise = Normal::new(0.0, config.noise)
        .map_err(|e| Error::InvalidArgument { op: "dataset", reason: e.to_string() })?;
    let mut features = Vec::with_capacity(2 * points.len());
    let mut targets = Vec::with_capacity(points.len());
    for (xy, label) in &points {
        features.push(xy[0] + noise.sample(&mut rng));
        features.push(xy[1] + noise.sample(&mut rng));
        targets.push(*label);
    }
    Dataset::new(2, features, 1, targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moons_without_noise_lie_on_the_half_circles() {
        let d = moons(SyntheticConfig { n_examples: 7, noise: 0.0, seed: 1 }).unwrap();
        assert_eq!(d.n_examples(), 7);
        let mut zeros = 0;
        for j in 0..7 {
            let (x, y) = (d.example(j)[0], d.example(j)[1]);
            if d.target(j)[0] == 0.0 {
                zeros += 1;
                assert!((x * x + y * y - 1.0).abs() < 1e-12);
            } else {
                assert!(((1.0 - x).powi(2) + (0.5 - y).powi(2) - 1.0).abs() < 1e-12);
            }
        }
        assert_eq!(zeros, 3, "⌊7/2⌋ points on the outer moon");
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = by_name("moons", SyntheticConfig::default()).unwrap();
        assert_eq!(a, by_name("moons", SyntheticConfig::default()).unwrap());
        let c =
            by_name("moons", SyntheticConfig { seed: 4, ..SyntheticConfig::default() }).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn circles_and_spirals_have_their_classes() {
        let c = circles(SyntheticConfig::default()).unwrap();
        assert_eq!(c.n_classes(), Some(2));
        let s = by_name("spirals", SyntheticConfig::default()).unwrap();
        assert_eq!(s.n_classes(), Some(3));
        assert_eq!(s.n_examples(), 300);
    }

    #[test]
    fn bad_settings_are_errors() {
        assert!(by_name("nope", SyntheticConfig::default()).is_err());
        assert!(moons(SyntheticConfig { n_examples: 1, ..SyntheticConfig::default() }).is_err());
        assert!(moons(SyntheticConfig { noise: -1.0, ..SyntheticConfig::default() }).is_err());
        assert!(spirals(SyntheticConfig::default(), 1).is_err());
    }
}
