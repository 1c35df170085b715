//! `RandomState`: numpy's legacy global random stream (`np.random.seed`, `rand`, `randn`, …).

use rand_mt::Mt;

/// numpy's legacy generator `np.random.RandomState`, the one behind `np.random.seed(s)` and
/// the module-level functions `np.random.random_sample`, `randn`, `normal`, `permutation`
/// and `shuffle`: every value equals numpy's bit for bit.
///
/// - The core is MT19937 ([`rand_mt::Mt`]), seeded as `np.random.seed(s)` seeds it for an
///   integer `s` in `0..2^32` (Matsumoto and Nishimura's `init_genrand`).
/// - [`random_sample`](Self::random_sample) makes a 53-bit double from two 32-bit outputs:
///   `((a >> 5)·2^26 + (b >> 6)) / 2^53`.
/// - [`gauss`](Self::gauss) is the legacy polar (Marsaglia) method: it draws pairs of
///   uniforms in the unit disc, returns one normal value and keeps the other for the next
///   call, across calls and other draws, until the next [`seed`](Self::seed).
/// - [`interval`](Self::interval) is the legacy bounded-integer draw: a uniform integer in
///   `0..=max` by masking 32-bit outputs (64-bit ones above `u32::MAX`) to the smallest
///   all-ones mask covering `max` and rejecting values above `max`.
/// - [`shuffle`](Self::shuffle) is the legacy Fisher–Yates: for `i` from `n - 1` down to 1,
///   swap element `i` with element `interval(i)`.
///
/// # Example
/// ```
/// use descent_course::RandomState;
///
/// // np.random.seed(0); np.random.random_sample(), np.random.randn(), np.random.permutation(5)
/// let mut rng = RandomState::new(0);
/// assert_eq!(rng.random_sample(), 0.5488135039273248);
/// assert_eq!(rng.gauss(), 0.7415917408091613);
/// rng.seed(0);
/// assert_eq!(rng.permutation(5), vec![2, 0, 1, 3, 4]);
/// ```
#[derive(Clone)]
pub struct RandomState {
    mt: Mt,
    /// The second value of the last polar pair, returned by the next [`RandomState::gauss`].
    cached_gauss: Option<f64>,
}

impl std::fmt::Debug for RandomState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RandomState")
            .field("cached_gauss", &self.cached_gauss)
            .finish_non_exhaustive()
    }
}

impl RandomState {
    /// A generator in the state `np.random.seed(seed)` leaves the global one in.
    #[must_use]
    pub fn new(seed: u32) -> Self {
        Self { mt: Mt::new(seed), cached_gauss: None }
    }

    /// Reseeds as `np.random.seed(seed)`: resets MT19937 and drops the cached normal value.
    pub fn seed(&mut self, seed: u32) {
        self.mt.reseed(seed);
        self.cached_gauss = None;
    }

    /// The next raw 32-bit output of MT19937.
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// A uniform double in `[0, 1)` with 53 random bits, as `np.random.random_sample()`.
    pub fn random_sample(&mut self) -> f64 {
        let a = f64::from(self.next_u32() >> 5);
        let b = f64::from(self.next_u32() >> 6);
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal value, as one element of `np.random.randn()` or
    /// `np.random.standard_normal()`: numpy's legacy polar method with its cached second value.
    pub fn gauss(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// A normal value with mean `loc` and standard deviation `scale`, as one element of
    /// `np.random.normal(loc, scale)`: `loc + scale·gauss()`.
    pub fn normal(&mut self, loc: f64, scale: f64) -> f64 {
        loc + scale * self.gauss()
    }

    /// `np.random.randn(n)`: `n` standard normal values (fill a matrix row by row for
    /// `randn(rows, cols)`). Allocates.
    pub fn randn(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.gauss()).collect()
    }

    /// A uniform integer in `0..=max`, numpy's legacy `random_interval`.
    ///
    /// Above `u32::MAX` it draws 64-bit values from two outputs, the first one high, as
    /// numpy's MT19937 `next_uint64` does when its operands are evaluated left to right.
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        }
        loop {
            let value = self.mt.next_u64() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// Shuffles `items` in place as `np.random.shuffle` does a one-dimensional array.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            // `usize` fits in `u64` and the result is at most `i`, so both casts are exact.
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// `np.random.permutation(n)`: `0..n` shuffled. Allocates.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut res = Vec::with_capacity(n);
        self.permutation_into(n, &mut res);
        res
    }

    /// `np.random.permutation(n)` written into `out` (cleared first), reusing its memory.
    pub fn permutation_into(&mut self, n: usize, out: &mut Vec<usize>) {
        out.clear();
        out.extend(0..n);
        self.shuffle(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mt19937_matches_the_reference_outputs() {
        // The first outputs of Matsumoto and Nishimura's mt19937ar.c after init_genrand(5489).
        let mut rng = RandomState::new(5489);
        assert_eq!(rng.next_u32(), 3_499_211_612);
        assert_eq!(rng.next_u32(), 581_869_302);
    }

    #[test]
    fn interval_stays_in_range_and_covers_it() {
        let mut rng = RandomState::new(1);
        assert_eq!(rng.interval(0), 0);
        let mut seen = [false; 6];
        for _ in 0..200 {
            let v = rng.interval(5);
            seen[usize::try_from(v).unwrap()] = true;
        }
        assert!(seen.iter().all(|&s| s));
        let big = u64::from(u32::MAX) + 10;
        assert!((0..100).all(|_| rng.interval(big) <= big));
    }

    #[test]
    fn shuffle_of_nothing_or_one_draws_nothing() {
        let (mut a, mut b) = (RandomState::new(2), RandomState::new(2));
        a.shuffle::<u8>(&mut []);
        a.shuffle(&mut [1]);
        assert_eq!(a.next_u32(), b.next_u32());
    }
}
