//! Inverted dropout during training: each hidden layer's keep probability and the masks,
//! drawn per batch from a generator seeded from `(seed, epoch, batch, layer)`.

use descent_core::{Backend, Error, Result, Scalar};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64;

use crate::Workspace;

/// The keep probability of every hidden layer of one run, and the seed of its masks.
#[derive(Debug, Clone)]
pub(crate) struct Dropout {
    /// One keep probability per hidden layer, in `(0, 1]`; 1 does not drop.
    keep: Vec<f64>,
    seed: u64,
}

impl Dropout {
    /// The dropout of a network with `n_hidden` hidden layers from the keep probabilities of
    /// [`RegularizationConfig::keep_prob`](crate::RegularizationConfig::keep_prob): `None`
    /// when nothing is dropped (no value, or all 1).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] (op `"dropout"`) when there are keep probabilities but
    /// neither one nor one per hidden layer, or the network has no hidden layer.
    pub fn resolve(keep_prob: &[f64], n_hidden: usize, seed: u64) -> Result<Option<Self>> {
        if keep_prob.iter().all(|&k| k == 1.0) {
            return Ok(None);
        }
        let keep = match keep_prob.len() {
            _ if n_hidden == 0 => Vec::new(),
            1 => vec![keep_prob[0]; n_hidden],
            n if n == n_hidden => keep_prob.to_vec(),
            _ => Vec::new(),
        };
        if keep.is_empty() {
            return Err(Error::InvalidArgument {
                op: "dropout",
                reason: format!(
                    "{} keep probabilities for a network with {n_hidden} hidden layers (give one, \
                     or one per hidden layer)",
                    keep_prob.len()
                ),
            });
        }
        Ok(Some(Self { keep, seed }))
    }

    /// Whether hidden layer `l` (0-based) drops, and its keep probability.
    pub fn keep(&self, l: usize) -> Option<f64> {
        self.keep.get(l).copied().filter(|&k| k < 1.0)
    }

    /// Draws the masks of batch `batch` of epoch `epoch` into `ws` (0 or 1 per element, 1 with
    /// probability `keep`), for every hidden layer that drops. Allocates nothing once
    /// [`Workspace::enable_dropout`] has.
    pub fn draw<T: Scalar, B: Backend<T>>(
        &self,
        ws: &mut Workspace<T, B>,
        epoch: usize,
        batch: usize,
    ) {
        for (l, mask) in ws.mask.iter_mut().enumerate() {
            let Some(keep) = self.keep(l) else { continue };
            let mut rng = Pcg64::seed_from_u64(mask_seed(self.seed, epoch, batch, l));
            for j in 0..B::shape(mask).1 {
                for d in B::col_mut(mask, j) {
                    *d = if rng.random::<f64>() < keep { T::ONE } else { T::ZERO };
                }
            }
        }
    }
}

/// The seed of the mask of hidden layer `layer` in batch `batch` of epoch `epoch`: the run's
/// seed, tagged so the stream differs from the shuffles', mixed with each index in turn
/// (SplitMix64's finalizer).
fn mask_seed(seed: u64, epoch: usize, batch: usize, layer: usize) -> u64 {
    // "dropout!" in ASCII.
    let mut h = splitmix64(seed ^ 0x6472_6f70_6f75_7421);
    for i in [epoch, batch, layer] {
        h = splitmix64(h ^ i as u64);
    }
    h
}

fn splitmix64(z: u64) -> u64 {
    let z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use descent_faer::Faer;
    use descent_nalgebra::Nalgebra;

    #[test]
    fn keep_probabilities_resolve_per_hidden_layer() {
        assert!(Dropout::resolve(&[], 2, 1).unwrap().is_none());
        assert!(Dropout::resolve(&[1.0, 1.0], 2, 1).unwrap().is_none());
        let one = Dropout::resolve(&[0.8], 2, 1).unwrap().unwrap();
        assert_eq!((one.keep(0), one.keep(1), one.keep(2)), (Some(0.8), Some(0.8), None));
        let each = Dropout::resolve(&[1.0, 0.5], 2, 1).unwrap().unwrap();
        assert_eq!((each.keep(0), each.keep(1)), (None, Some(0.5)));
        assert!(Dropout::resolve(&[0.5, 0.5, 0.5], 2, 1).is_err());
        assert!(Dropout::resolve(&[0.5], 0, 1).is_err());
    }

    #[test]
    fn masks_are_seeded_by_position_and_equal_on_every_backend() {
        let d = Dropout::resolve(&[0.5], 1, 3).unwrap().unwrap();
        let masks = |epoch, batch| {
            let mut a = Workspace::<f64, Nalgebra>::new(&[2, 40, 1], 7);
            let mut b = Workspace::<f64, Faer>::new(&[2, 40, 1], 7);
            a.enable_dropout();
            b.enable_dropout();
            d.draw(&mut a, epoch, batch);
            d.draw(&mut b, epoch, batch);
            let a = <Nalgebra as Backend<f64>>::to_col_major(&a.mask[0]);
            let b = <Faer as Backend<f64>>::to_col_major(&b.mask[0]);
            assert_eq!(a, b);
            a
        };
        let first = masks(0, 0);
        assert_eq!(first, masks(0, 0));
        assert_ne!(first, masks(0, 1));
        assert_ne!(first, masks(1, 0));
        let kept = first.iter().filter(|&&x| x == 1.0).count();
        assert!(first.iter().all(|&x| x == 0.0 || x == 1.0));
        assert!((100..180).contains(&kept), "about half of 280 kept: {kept}");
    }

    /// The mean weighted cost of `x` through the masks `ws` holds.
    fn weighted_cost<B: Backend<f64>>(
        mlp: &crate::Mlp<f64, B>,
        d: &Dropout,
        ws: &mut Workspace<f64, B>,
        x: &B::Matrix,
        y: &B::Matrix,
        w: &[f64],
    ) -> f64 {
        mlp.forward_with(x, ws, Some(d)).unwrap();
        mlp.weighted_cost_sum(ws, y, w).unwrap() / w.iter().sum::<f64>()
    }

    #[test]
    fn the_backward_pass_through_masks_and_weights_is_the_gradient() {
        gradient_check::<Nalgebra>();
        gradient_check::<Faer>();
    }

    /// Central differences of the weighted mean cost through fixed masks.
    fn gradient_check<B: Backend<f64>>() {
        use crate::{Activation, Mlp, MlpConfig, Output};
        let n = 6;
        for (hidden, output, n_out) in [
            (Activation::Tanh, Output::Sigmoid, 1),
            (Activation::Relu, Output::Softmax, 3),
            (Activation::Tanh, Output::Linear, 2),
        ] {
            let config =
                MlpConfig { layers: vec![3, 7, 5, n_out], hidden, output, ..MlpConfig::course() };
            let mut mlp = Mlp::<f64, B>::new(&config).unwrap();
            let x: Vec<f64> = (0..3 * n).map(|i| ((i * 7 % 11) as f64 - 5.0) / 4.0).collect();
            let x = B::from_col_major(3, n, &x).unwrap();
            let mut y = B::zeros(n_out, n);
            for j in 0..n {
                let t = match output {
                    Output::Sigmoid => vec![(j % 2) as f64],
                    Output::Softmax => vec![(j % 3) as f64],
                    Output::Linear => vec![0.3 * j as f64 - 0.5, 1.0 - 0.2 * j as f64],
                };
                mlp.encode_target(&t, B::col_mut(&mut y, j)).unwrap();
            }
            let w = [0.5, 2.0, 0.0, 1.25, 1.0, 0.75];
            let d = Dropout::resolve(&[0.6, 0.8], 2, 9).unwrap().unwrap();
            let mut ws = Workspace::<f64, B>::new(mlp.layers(), n);
            ws.enable_dropout();
            d.draw(&mut ws, 3, 1);
            weighted_cost(&mlp, &d, &mut ws, &x, &y, &w);
            let mut grads = mlp.zeros_like_params();
            let w_sum = w.iter().sum();
            mlp.backward_with(&x, &y, &mut ws, &mut grads, Some((&w, w_sum)), Some(&d)).unwrap();
            for (p, g) in grads.iter().enumerate() {
                let (rows, cols) = B::shape(g);
                for (i, j) in (0..rows).flat_map(|i| (0..cols).map(move |j| (i, j))) {
                    let h = 1e-6;
                    let at = |mlp: &mut Mlp<f64, B>, v: f64| {
                        B::set(&mut mlp.params_mut()[p], i, j, v).unwrap();
                    };
                    let v = B::get(&mlp.params()[p], i, j).unwrap();
                    at(&mut mlp, v + h);
                    let plus = weighted_cost(&mlp, &d, &mut ws, &x, &y, &w);
                    at(&mut mlp, v - h);
                    let minus = weighted_cost(&mlp, &d, &mut ws, &x, &y, &w);
                    at(&mut mlp, v);
                    let numeric: f64 = (plus - minus) / (2.0 * h);
                    let analytic: f64 = B::get(g, i, j).unwrap();
                    assert!(
                        (numeric - analytic).abs() < 1e-7 * (1.0 + numeric.abs()),
                        "{hidden:?}/{output:?} parameter {p} ({i}, {j}): {analytic} vs {numeric}"
                    );
                }
            }
        }
    }
}
