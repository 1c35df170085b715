//! Naive reference implementations of every `Backend` op on column-major `Vec`s, in `f64`.
//!
//! Each reference takes the test inputs (in the dtype under test, so both sides see the same
//! rounded numbers) and computes in `f64`. Sums are compensated (Neumaier) and products are
//! split exactly with a fused multiply-add (`TwoProduct`), so for `f32` inputs the reference is
//! exact to `f64` precision and for `f64` inputs it is accurate to about one ulp of the result:
//! far below every tolerance in [`tolerance`](crate::tolerance).
//!
//! Ops whose result is rounded return an [`Expected`]: the value, and the magnitude each
//! element's rounding error is proportional to (for a sum, the sum of absolute values of its
//! terms, which is what the standard error bounds are written in).

use descent_core::{Scalar, Trans};

/// A column-major matrix in plain memory: a test input.
#[derive(Clone, PartialEq)]
pub struct Mat<T> {
    /// The number of rows.
    pub rows: usize,
    /// The number of columns.
    pub cols: usize,
    /// The elements, column after column.
    pub data: Vec<T>,
}

impl<T: Scalar> Mat<T> {
    /// A matrix filled with `value`.
    pub fn filled(rows: usize, cols: usize, value: T) -> Self {
        Mat { rows, cols, data: vec![value; rows * cols] }
    }

    /// The shape `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Element `(i, j)`.
    pub fn at(&self, i: usize, j: usize) -> T {
        self.data[i + j * self.rows]
    }

    /// Element `(i, j)` of `op(self)`.
    pub fn at_op(&self, trans: Trans, i: usize, j: usize) -> T {
        match trans {
            Trans::No => self.at(i, j),
            Trans::Yes => self.at(j, i),
        }
    }

    /// Column `j`.
    pub fn col(&self, j: usize) -> &[T] {
        &self.data[j * self.rows..(j + 1) * self.rows]
    }

    /// The elements in row-major order.
    pub fn to_row_major(&self) -> Vec<T> {
        let mut res = Vec::with_capacity(self.data.len());
        for i in 0..self.rows {
            res.extend((0..self.cols).map(|j| self.at(i, j)));
        }
        res
    }
}

/// Printing a large matrix in full would bury a shrunk failure; long ones are abbreviated.
impl<T: std::fmt::Debug> std::fmt::Debug for Mat<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SHOWN: usize = 64;
        write!(f, "Mat {}×{} ", self.rows, self.cols)?;
        if self.data.len() <= SHOWN {
            write!(f, "{:?}", self.data)
        } else {
            write!(f, "{:?} … ({} more)", &self.data[..SHOWN], self.data.len() - SHOWN)
        }
    }
}

/// A reference result: the value of each element and the scale of its admissible error.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The (nearly exact) result, column-major.
    pub value: Vec<f64>,
    /// Per element, the magnitude the rounding error of a correct implementation is
    /// proportional to; `tolerance::assert_close` multiplies it by the op's tolerance.
    pub scale: Vec<f64>,
}

impl Expected {
    /// A result whose error scales with its own magnitude.
    fn relative(value: Vec<f64>) -> Self {
        let scale = value.iter().map(|v| v.abs()).collect();
        Expected { value, scale }
    }
}

/// Neumaier's compensated sum: the rounding error of each addition is kept and added back.
#[derive(Debug, Clone, Copy, Default)]
pub struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    /// Adds `x`.
    pub fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds `a·b` exactly split into its rounded product and the product's rounding error.
    pub fn add_product(&mut self, a: f64, b: f64) {
        let p = a * b;
        self.add(p);
        self.add(a.mul_add(b, -p));
    }

    /// The compensated sum.
    pub fn value(self) -> f64 {
        self.sum + self.comp
    }
}

fn f(x: impl Scalar) -> f64 {
    x.to_f64()
}

/// `alpha·op(a)·op(b) + beta·out` (with `out` ignored when `beta == 0`).
///
/// The scale of element `(i, j)` is `|alpha|·(|op(a)|·|op(b)|)_ij + |beta|·|out_ij|`, the
/// quantity of the standard GEMM error bound.
pub fn gemm<T: Scalar>(
    alpha: T,
    a: &Mat<T>,
    ta: Trans,
    b: &Mat<T>,
    tb: Trans,
    beta: T,
    out: &Mat<T>,
) -> Expected {
    let (m, k) = ta.apply(a.shape());
    let (_, n) = tb.apply(b.shape());
    let (alpha, beta) = (f(alpha), f(beta));
    let mut value = Vec::with_capacity(m * n);
    let mut scale = Vec::with_capacity(m * n);
    for j in 0..n {
        for i in 0..m {
            let (mut dot, mut abs) = (Neumaier::default(), Neumaier::default());
            for l in 0..k {
                let (x, y) = (f(a.at_op(ta, i, l)), f(b.at_op(tb, l, j)));
                dot.add_product(x, y);
                abs.add_product(x.abs(), y.abs());
            }
            let mut res = Neumaier::default();
            res.add_product(alpha, dot.value());
            let mut s = alpha.abs() * abs.value();
            if beta != 0.0 {
                let o = f(out.at(i, j));
                res.add_product(beta, o);
                s += beta.abs() * o.abs();
            }
            value.push(res.value());
            scale.push(s);
        }
    }
    Expected { value, scale }
}

/// `alpha·out`.
pub fn scale<T: Scalar>(out: &Mat<T>, alpha: T) -> Expected {
    Expected::relative(out.data.iter().map(|&o| f(alpha) * f(o)).collect())
}

/// `alpha·x + out`; the scale is `|alpha·x| + |out|` (an add may cancel).
pub fn axpy<T: Scalar>(out: &Mat<T>, alpha: T, x: &Mat<T>) -> Expected {
    let alpha = f(alpha);
    let value = out.data.iter().zip(&x.data).map(|(&o, &x)| alpha.mul_add(f(x), f(o))).collect();
    let scale = out.data.iter().zip(&x.data).map(|(&o, &x)| (alpha * f(x)).abs() + f(o).abs());
    Expected { value, scale: scale.collect() }
}

/// `a ⊙ b`.
pub fn mul_elem<T: Scalar>(a: &Mat<T>, b: &Mat<T>) -> Expected {
    Expected::relative(a.data.iter().zip(&b.data).map(|(&a, &b)| f(a) * f(b)).collect())
}

/// `out + v·1ᵀ`; the scale is `|out| + |v|`.
pub fn add_col<T: Scalar>(out: &Mat<T>, v: &Mat<T>) -> Expected {
    let (mut value, mut scale) = (Vec::new(), Vec::new());
    for j in 0..out.cols {
        for (&o, &v) in out.col(j).iter().zip(&v.data) {
            value.push(f(o) + f(v));
            scale.push(f(o).abs() + f(v).abs());
        }
    }
    Expected { value, scale }
}

/// `alpha·Σ_j a[:, j] + beta·out` (with `out` ignored when `beta == 0`); the scale is
/// `|alpha|·Σ_j |a_ij| + |beta|·|out_i|`.
pub fn sum_cols<T: Scalar>(out: &Mat<T>, alpha: T, a: &Mat<T>, beta: T) -> Expected {
    let (alpha, beta) = (f(alpha), f(beta));
    let (mut value, mut scale) = (Vec::new(), Vec::new());
    for i in 0..a.rows {
        let (mut sum, mut abs) = (Neumaier::default(), Neumaier::default());
        for j in 0..a.cols {
            sum.add(f(a.at(i, j)));
            abs.add(f(a.at(i, j)).abs());
        }
        let mut res = Neumaier::default();
        res.add_product(alpha, sum.value());
        let mut s = alpha.abs() * abs.value();
        if beta != 0.0 {
            res.add_product(beta, f(out.data[i]));
            s += beta.abs() * f(out.data[i]).abs();
        }
        value.push(res.value());
        scale.push(s);
    }
    Expected { value, scale }
}

/// `Σ x²` over all elements (its own scale: every term is non-negative).
pub fn sum_squares<T: Scalar>(m: &Mat<T>) -> Expected {
    let mut sum = Neumaier::default();
    m.data.iter().for_each(|&x| sum.add_product(f(x), f(x)));
    Expected::relative(vec![sum.value()])
}

/// `true` when every element is finite.
pub fn all_finite<T: Scalar>(m: &Mat<T>) -> bool {
    m.data.iter().all(|x| x.is_finite())
}

/// `src[:, idx[c]]` for every `c`, exactly.
pub fn gather_cols<T: Scalar>(src: &Mat<T>, idx: &[usize]) -> Vec<T> {
    idx.iter().flat_map(|&j| src.col(j).iter().copied()).collect()
}

/// `max(z, 0)`, exactly.
pub fn relu<T: Scalar>(z: &Mat<T>) -> Vec<T> {
    z.data.iter().map(|&z| if z > T::ZERO { z } else { T::ZERO }).collect()
}

/// `da ⊙ [z > 0]`, exactly.
pub fn relu_backward<T: Scalar>(da: &Mat<T>, z: &Mat<T>) -> Vec<T> {
    da.data.iter().zip(&z.data).map(|(&da, &z)| if z > T::ZERO { da } else { T::ZERO }).collect()
}

/// The logistic function in `f64`, overflow-free.
pub fn sigmoid_f64(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `1 / (1 + e^{-z})`.
pub fn sigmoid<T: Scalar>(z: &Mat<T>) -> Expected {
    Expected::relative(z.data.iter().map(|&z| sigmoid_f64(f(z))).collect())
}

/// `da ⊙ a ⊙ (1 - a)`; the scale is `|da|·|a|·(1 + |a|)`, so that computing `a - a²`
/// instead of `a·(1 - a)` is admissible.
pub fn sigmoid_backward<T: Scalar>(da: &Mat<T>, a: &Mat<T>) -> Expected {
    let pairs = || da.data.iter().zip(&a.data).map(|(&da, &a)| (f(da), f(a)));
    Expected {
        value: pairs().map(|(da, a)| da * a * (1.0 - a)).collect(),
        scale: pairs().map(|(da, a)| (da * a).abs() * (1.0 + a.abs())).collect(),
    }
}

/// `tanh(z)`.
pub fn tanh<T: Scalar>(z: &Mat<T>) -> Expected {
    Expected::relative(z.data.iter().map(|&z| f(z).tanh()).collect())
}

/// `da ⊙ (1 - a²)`; the scale is `|da|·(1 + a²)` (the `a²` is rounded before the subtraction,
/// so near `|a| = 1` the error is relative to `a²`, not to the result).
pub fn tanh_backward<T: Scalar>(da: &Mat<T>, a: &Mat<T>) -> Expected {
    let pairs = || da.data.iter().zip(&a.data).map(|(&da, &a)| (f(da), f(a)));
    Expected {
        value: pairs().map(|(da, a)| da * (1.0 - a * a)).collect(),
        scale: pairs().map(|(da, a)| da.abs() * (1.0 + a * a)).collect(),
    }
}

/// The softmax of every column, shifted by the column's maximum.
///
/// The scale of element `i` is `out_i·(rows + |z_i - max| + 8)`: the column sum's relative
/// error grows with `rows`, and the rounding of `z_i - max` is amplified by `|z_i - max|`
/// through the exponential; 8 covers the exponential, the reciprocal and the product. The
/// tolerance multiplies it by machine epsilon (`tolerance::softmax`).
pub fn softmax_cols<T: Scalar>(z: &Mat<T>) -> Expected {
    let (mut value, mut scale) = (Vec::new(), Vec::new());
    for j in 0..z.cols {
        let col: Vec<f64> = z.col(j).iter().map(|&x| f(x)).collect();
        let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sum = Neumaier::default();
        col.iter().for_each(|&x| sum.add((x - max).exp()));
        let sum = sum.value();
        for &x in &col {
            let v = (x - max).exp() / sum;
            value.push(v);
            scale.push(v * (z.rows as f64 + (x - max).abs() + 8.0));
        }
    }
    Expected { value, scale }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neumaier_keeps_what_a_naive_sum_loses() {
        let mut sum = Neumaier::default();
        for x in [1.0, 1e100, 1.0, -1e100] {
            sum.add(x);
        }
        assert_eq!(sum.value(), 2.0);
    }

    #[test]
    fn the_gemm_reference_is_exact_where_a_naive_dot_is_not() {
        // (1e16 + 1 - 1e16)·1 in one dot product: the naive sum returns 0.
        let a = Mat { rows: 1, cols: 3, data: vec![1e16, 1.0, -1e16] };
        let b = Mat::filled(3, 1, 1.0);
        let res = gemm(1.0, &a, Trans::No, &b, Trans::No, 0.0, &Mat::filled(1, 1, f64::NAN));
        assert_eq!(res.value, vec![1.0]);
        assert_eq!(res.scale, vec![2e16 + 1.0]);
    }
}
