//! The GEMM workloads: the products of a training step of the course and `wide` networks.

use descent_core::{Backend, Result, Scalar, Trans};

use crate::seeded_matrix;

/// One product `out (m × n) = op(a) · op(b)` with `op(a)` `m × k` and `op(b)` `k × n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GemmCase {
    /// Rows of the result.
    pub m: usize,
    /// Columns of the result.
    pub n: usize,
    /// The inner dimension.
    pub k: usize,
    /// Whether `a` is stored as `k × m` and used transposed.
    pub ta: Trans,
    /// Whether `b` is stored as `n × k` and used transposed.
    pub tb: Trans,
}

/// The three products of the course network's first layer on a batch of 64 (`W1` is 5 × 2,
/// `X` is 2 × 64): forward `W1·X`, backward `dW1 = dZ1·Xᵀ` and `dA = W1ᵀ·dZ1`.
pub const COURSE: [GemmCase; 3] = [
    GemmCase { m: 5, n: 64, k: 2, ta: Trans::No, tb: Trans::No },
    GemmCase { m: 5, n: 2, k: 64, ta: Trans::No, tb: Trans::Yes },
    GemmCase { m: 2, n: 64, k: 5, ta: Trans::Yes, tb: Trans::No },
];

/// The same three products for the first layer of the `wide` network `[784, 1024, 1024, 1]`
/// on a batch of 256 (`W1` is 1024 × 784, `X` is 784 × 256).
pub const WIDE: [GemmCase; 3] = [
    GemmCase { m: 1024, n: 256, k: 784, ta: Trans::No, tb: Trans::No },
    GemmCase { m: 1024, n: 784, k: 256, ta: Trans::No, tb: Trans::Yes },
    GemmCase { m: 784, n: 256, k: 1024, ta: Trans::Yes, tb: Trans::No },
];

impl GemmCase {
    /// The stored shape of `a`.
    #[must_use]
    pub fn a_shape(&self) -> (usize, usize) {
        self.ta.apply((self.m, self.k))
    }

    /// The stored shape of `b`.
    #[must_use]
    pub fn b_shape(&self) -> (usize, usize) {
        self.tb.apply((self.k, self.n))
    }

    /// The floating-point operations of the product, `2·m·n·k`.
    #[must_use]
    pub fn flops(&self) -> u64 {
        2 * (self.m * self.n * self.k) as u64
    }

    /// The benchmark id of the shape: stored operand shapes joined by `.`, a trailing `T` on
    /// a transposed operand, e.g. `5x64.2x64T` for `dZ·Xᵀ`.
    #[must_use]
    pub fn id(&self) -> String {
        let operand = |(r, c): (usize, usize), t: Trans| {
            format!("{r}x{c}{}", if t == Trans::Yes { "T" } else { "" })
        };
        format!("{}.{}", operand(self.a_shape(), self.ta), operand(self.b_shape(), self.tb))
    }
}

/// Seeded operands and an output for one [`GemmCase`] on one backend, allocated once.
#[derive(Debug, Clone)]
pub struct GemmInputs<T: Scalar, B: Backend<T>> {
    /// The case.
    pub case: GemmCase,
    /// The left operand, stored as [`GemmCase::a_shape`].
    pub a: B::Matrix,
    /// The right operand, stored as [`GemmCase::b_shape`].
    pub b: B::Matrix,
    /// The result, `m × n`.
    pub out: B::Matrix,
}

impl<T: Scalar, B: Backend<T>> GemmInputs<T, B> {
    /// Draws `a` from `seed` and `b` from `seed + 1` (see [`seeded_matrix`]); `out` is zero.
    #[must_use]
    pub fn new(case: &GemmCase, seed: u64) -> Self {
        let (ar, ac) = case.a_shape();
        let (br, bc) = case.b_shape();
        Self {
            case: *case,
            a: seeded_matrix::<T, B>(ar, ac, seed),
            b: seeded_matrix::<T, B>(br, bc, seed + 1),
            out: B::zeros(case.m, case.n),
        }
    }

    /// `out = op(a)·op(b)` through the backend's GEMM; allocates nothing.
    ///
    /// # Errors
    /// None for the cases of this module (shapes are consistent by construction).
    pub fn run(&mut self) -> Result<()> {
        B::gemm(&mut self.out, T::ONE, &self.a, self.case.ta, &self.b, self.case.tb, T::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_stored_operands() {
        let ids: Vec<String> = COURSE.iter().chain(&WIDE).map(GemmCase::id).collect();
        assert_eq!(
            ids,
            [
                "5x2.2x64",
                "5x64.2x64T",
                "5x2T.5x64",
                "1024x784.784x256",
                "1024x256.784x256T",
                "1024x784T.1024x256"
            ]
        );
        assert!(WIDE.iter().all(|c| c.flops() == 2 * 1024 * 784 * 256));
    }
}
