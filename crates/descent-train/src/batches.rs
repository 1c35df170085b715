//! `Batches`: each epoch's order of examples, cut into mini-batches.

use descent_core::{Error, Result};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_pcg::Pcg64;

/// The order in which an epoch visits the examples, cut into batches of `batch_size`.
///
/// With shuffling, epoch `e` uses one permutation drawn from a PCG generator seeded with
/// `(seed, e)`; features and targets are gathered with the same indices, so they stay
/// together. The last batch keeps the remainder (the course's `random_mini_batches`).
/// `batch_size = 1` is stochastic gradient descent and `batch_size ≥ m` is batch gradient
/// descent: the same code path. Without shuffling, batches are consecutive examples in order.
/// The order buffer holds one `u32` per example (4 bytes: the only memory training needs that
/// grows with the data) and is allocated once; [`Batches::start_epoch`] allocates nothing.
#[derive(Debug, Clone)]
pub struct Batches {
    order: Vec<u32>,
    batch_size: usize,
    shuffle: bool,
    seed: u64,
}

impl Batches {
    /// Batches over `n_examples` examples.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `batch_size` or `n_examples` is 0, or there are more
    /// than `u32::MAX` examples.
    pub fn new(n_examples: usize, batch_size: usize, shuffle: bool, seed: u64) -> Result<Self> {
        if batch_size == 0 || n_examples == 0 {
            return Err(Error::InvalidArgument {
                op: "batches",
                reason: format!(
                    "batch size and example count must be positive, got {batch_size} and {n_examples}"
                ),
            });
        }
        let Ok(n) = u32::try_from(n_examples) else {
            return Err(Error::InvalidArgument {
                op: "batches",
                reason: format!("{n_examples} examples are more than the {} supported", u32::MAX),
            });
        };
        Ok(Self { order: (0..n).collect(), batch_size: batch_size.min(n_examples), shuffle, seed })
    }

    /// Sets the order of epoch `epoch` (counting from 0).
    pub fn start_epoch(&mut self, epoch: usize) {
        for (i, slot) in (0..).zip(self.order.iter_mut()) {
            *slot = i;
        }
        if self.shuffle {
            let mut rng = Pcg64::seed_from_u64(epoch_seed(self.seed, epoch));
            self.order.shuffle(&mut rng);
        }
    }

    /// The batches of the current epoch: slices of example indices.
    pub fn iter(&self) -> std::slice::Chunks<'_, u32> {
        self.order.chunks(self.batch_size)
    }

    /// The number of batches per epoch, `⌈m / batch_size⌉`.
    #[must_use]
    pub fn n_batches(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// The size of full batches (the requested size, capped at the example count).
    #[must_use]
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The size of the last batch, when it is partial.
    #[must_use]
    pub fn remainder(&self) -> Option<usize> {
        let r = self.order.len() % self.batch_size;
        (r != 0).then_some(r)
    }
}

/// Mixes the run's seed with the epoch number (the golden-ratio constant of SplitMix64).
fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    seed ^ (epoch as u64).wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_example_once_and_keep_the_remainder() {
        let mut b = Batches::new(300, 64, true, 1).unwrap();
        b.start_epoch(0);
        let sizes: Vec<usize> = b.iter().map(<[u32]>::len).collect();
        assert_eq!(sizes, vec![64, 64, 64, 64, 44]);
        assert_eq!((b.n_batches(), b.remainder()), (5, Some(44)));
        let mut seen: Vec<u32> = b.iter().flatten().copied().collect();
        let first_epoch = seen.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..300).collect::<Vec<u32>>());
        assert_ne!(first_epoch, (0..300).collect::<Vec<u32>>(), "shuffled");
        b.start_epoch(1);
        assert_ne!(b.iter().flatten().copied().collect::<Vec<_>>(), first_epoch);
        b.start_epoch(0);
        assert_eq!(b.iter().flatten().copied().collect::<Vec<_>>(), first_epoch, "reproducible");
    }

    #[test]
    fn sgd_batch_gd_and_no_shuffle_are_the_same_code_path() {
        let mut sgd = Batches::new(3, 1, false, 0).unwrap();
        sgd.start_epoch(5);
        assert_eq!(sgd.iter().collect::<Vec<_>>(), vec![&[0][..], &[1], &[2]]);
        let mut full = Batches::new(3, 10, true, 0).unwrap();
        full.start_epoch(0);
        assert_eq!((full.n_batches(), full.batch_size(), full.remainder()), (1, 3, None));
        assert!(Batches::new(3, 0, true, 0).is_err());
    }
}
