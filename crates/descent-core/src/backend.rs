//! The `Backend` trait: the dense math one training step needs, over one library's matrix.

use std::fmt;

use crate::elementwise::{self, check_index};
use crate::gemm::Trans;
use crate::{Error, Result, Scalar, check_shape, simd};

/// The dense linear algebra of a training step, implemented once per library and scalar.
///
/// # Design
/// - A backend is a unit struct (`Ndarray`, `Nalgebra`, `Faer`); all methods are associated
///   functions over its [`Matrix`](Backend::Matrix) type, so generic code names `B::gemm(...)`.
/// - Five methods are required; the rest are default methods built on them, which a backend
///   overrides only where its library is faster. Results are deterministic: every reduction
///   runs in a fixed order.
/// - **Allocation happens only in constructors** ([`zeros`](Backend::zeros),
///   [`from_col_major`](Backend::from_col_major), …). Every other op writes into an output the
///   caller owns and passes first, so a training loop that allocates its buffers once
///   allocates nothing per step.
/// - Operations check shapes and return [`Error::ShapeMismatch`] naming the op; they do not
///   panic on bad shapes.
///
/// # Contract: what an implementation must guarantee
/// The default methods and every caller rely on these; `descent_backend_tests::backend_suite!`
/// checks each of them (`examples/fourth-backend` is a complete implementation).
///
/// 1. **Column-major, columns contiguous.** [`col`](Backend::col) and
///    [`col_mut`](Backend::col_mut) return column `j` as one slice of exactly `rows` elements,
///    element `(i, j)` at index `i`. The library may pad between columns (faer does).
/// 2. **`col` and `col_mut` panic for `j >= cols`**, like slice indexing, *also when the
///    matrix has 0 rows*: slicing `j·rows..(j + 1)·rows` out of a buffer is then empty and in
///    bounds for every `j`, so check `j` against `cols` explicitly. These two are the only
///    methods that panic on a bad argument; [`get`](Backend::get) and [`set`](Backend::set)
///    return [`Error::IndexOutOfBounds`].
/// 3. **[`as_slice`](Backend::as_slice) is the fast path of every default op.** When it returns
///    `Some`, the elementwise ops, `fill`, `scale`, `add_col`, `sum_cols`, `sum_squares` and
///    `all_finite` walk that one slice instead of calling `col` per column, so it must be
///    exactly the `rows·cols` elements in column-major order: no padding, nothing after the
///    last column. Return `None` (the default) when the columns are padded; `as_mut_slice`
///    must agree with `as_slice`.
/// 4. **`gemm` starts with [`check_gemm`](crate::check_gemm)**
///    (`check_gemm(shape(out), shape(a), ta, shape(b), tb)?`), so every backend rejects the
///    same shapes with the same error. Mind its order: it returns `(m, n, k)`, the output's
///    shape then the inner dimension, where BLAS and matrixmultiply take `(m, k, n)`. With `beta == 0`, `out` is not read (NaN in it must
///    not propagate); with `k == 0` the product is `beta·out` (zeros when `beta == 0`).
/// 5. **Dimensions of 0 are valid** everywhere: a `0 × n` or `m × 0` matrix is built, copied
///    and multiplied like any other.
/// 6. **No allocation outside constructors**, the library's GEMM included: keep scratch per
///    thread, as faer does and as descent's patched matrixmultiply does (`vendor/README.md`).
/// 7. **`Send + Sync + 'static` backend and `Matrix: Clone + Send + Sync + Debug`**: with
///    `prefetch`, descent-train gathers the next batch into matrices on a second thread and
///    hands them to the training thread (`Handoff` in its `feed.rs`), programs train several
///    networks on a pool of threads (`descent tune`), and the libraries split large products
///    over their own threads; so a matrix may hold no thread-bound state (`Rc`, a
///    thread-local handle). `Clone` copies a matrix, `Debug` prints it in errors and tests.
/// 8. **Deterministic**: the same inputs give bit-identical results on every call (no
///    reduction order that depends on timing).
///
/// A fourth backend is one crate with `impl Backend<f32>` and `impl Backend<f64>` (or one
/// `impl<T: …> Backend<T>` over a helper trait), and one line in its `tests/`:
/// `descent_backend_tests::backend_suite!(my_crate::MyBackend);`.
pub trait Backend<T: Scalar>: Send + Sync + 'static {
    /// The library's owned matrix type.
    type Matrix: Clone + Send + Sync + fmt::Debug;

    /// The backend's name as the command line spells it, e.g. `"faer"`.
    const NAME: &'static str;

    /// A `rows × cols` matrix of zeros. Allocates.
    fn zeros(rows: usize, cols: usize) -> Self::Matrix;

    /// The shape `(rows, cols)`.
    fn shape(m: &Self::Matrix) -> (usize, usize);

    /// Column `j` as a contiguous slice of `rows` elements.
    ///
    /// # Panics
    /// When `j >= cols`, like slice indexing, also when `rows == 0` (contract item 2).
    fn col(m: &Self::Matrix, j: usize) -> &[T];

    /// Column `j` as a mutable contiguous slice of `rows` elements.
    ///
    /// # Panics
    /// When `j >= cols`, like slice indexing, also when `rows == 0` (contract item 2).
    fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [T];

    /// General matrix product `out = alpha·op(a)·op(b) + beta·out`, with the library's GEMM.
    ///
    /// Shapes: `op(a)` is `m × k`, `op(b)` is `k × n`, `out` is `m × n`. When `beta == 0`,
    /// `out` is not read (NaN in it does not propagate). Implementations call
    /// [`check_gemm`](crate::check_gemm) first, which returns `(m, n, k)` (BLAS's order is
    /// `(m, k, n)`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the inner dimensions differ or `out` is not `m × n`.
    ///
    /// # Example
    /// ```
    /// use descent_core::{Backend, Trans};
    /// # fn check<B: Backend<f64>>() -> descent_core::Result<()> {
    /// let a = B::from_row_major(2, 2, &[1.0, 2.0, 3.0, 4.0])?;
    /// let mut out = B::zeros(2, 2);
    /// B::gemm(&mut out, 1.0, &a, Trans::Yes, &a, Trans::No, 0.0)?; // aᵀ·a
    /// assert_eq!(B::to_row_major(&out), vec![10.0, 14.0, 14.0, 20.0]);
    /// # Ok(()) }
    /// ```
    fn gemm(
        out: &mut Self::Matrix,
        alpha: T,
        a: &Self::Matrix,
        ta: Trans,
        b: &Self::Matrix,
        tb: Trans,
        beta: T,
    ) -> Result<()>;

    // ---- Provided: storage and construction -------------------------------------------------

    /// The whole buffer as one slice, when the columns are stored without padding: exactly
    /// the `rows·cols` elements in column-major order. Every default op that walks elements
    /// takes this path when it is `Some` (contract item 3); `None` makes them walk columns.
    fn as_slice(m: &Self::Matrix) -> Option<&[T]> {
        let _ = m;
        None
    }

    /// The whole buffer as one mutable slice, when the columns are stored without padding;
    /// `Some` exactly when [`as_slice`](Backend::as_slice) is.
    fn as_mut_slice(m: &mut Self::Matrix) -> Option<&mut [T]> {
        let _ = m;
        None
    }

    /// A `rows × cols` matrix holding `data` in column-major order. Allocates.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `data.len() != rows * cols`.
    fn from_col_major(rows: usize, cols: usize, data: &[T]) -> Result<Self::Matrix> {
        check_len("from_col_major", rows, cols, data.len())?;
        let mut m = Self::zeros(rows, cols);
        if rows > 0 {
            for (j, src) in data.chunks_exact(rows).enumerate() {
                Self::col_mut(&mut m, j).copy_from_slice(src);
            }
        }
        Ok(m)
    }

    /// A `rows × cols` matrix holding `data` in row-major (C) order. Allocates.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `data.len() != rows * cols`.
    fn from_row_major(rows: usize, cols: usize, data: &[T]) -> Result<Self::Matrix> {
        check_len("from_row_major", rows, cols, data.len())?;
        let mut m = Self::zeros(rows, cols);
        for j in 0..cols {
            for (i, x) in Self::col_mut(&mut m, j).iter_mut().enumerate() {
                *x = data[i * cols + j];
            }
        }
        Ok(m)
    }

    /// The elements in column-major order. Allocates.
    fn to_col_major(m: &Self::Matrix) -> Vec<T> {
        let (rows, cols) = Self::shape(m);
        let mut res = Vec::with_capacity(rows * cols);
        for j in 0..cols {
            res.extend_from_slice(Self::col(m, j));
        }
        res
    }

    /// The elements in row-major (C) order. Allocates.
    fn to_row_major(m: &Self::Matrix) -> Vec<T> {
        let (rows, cols) = Self::shape(m);
        let mut res = vec![T::ZERO; rows * cols];
        for j in 0..cols {
            for (i, &x) in Self::col(m, j).iter().enumerate() {
                res[i * cols + j] = x;
            }
        }
        res
    }

    /// Element `(i, j)`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] when `i` or `j` is outside the matrix.
    fn get(m: &Self::Matrix, i: usize, j: usize) -> Result<T> {
        let (rows, cols) = Self::shape(m);
        check_index("get", i, rows)?;
        check_index("get", j, cols)?;
        Ok(Self::col(m, j)[i])
    }

    /// Sets element `(i, j)` to `value`.
    ///
    /// # Errors
    /// [`Error::IndexOutOfBounds`] when `i` or `j` is outside the matrix.
    fn set(m: &mut Self::Matrix, i: usize, j: usize, value: T) -> Result<()> {
        let (rows, cols) = Self::shape(m);
        check_index("set", i, rows)?;
        check_index("set", j, cols)?;
        Self::col_mut(m, j)[i] = value;
        Ok(())
    }

    // ---- Provided: BLAS-1 style -------------------------------------------------------------

    /// Sets every element to `value`.
    fn fill(out: &mut Self::Matrix, value: T) {
        elementwise::update::<T, Self>(out, |_| value);
    }

    /// `out = src`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn copy(out: &mut Self::Matrix, src: &Self::Matrix) -> Result<()> {
        elementwise::map_into::<T, Self>("copy", out, src, |x| x)
    }

    /// `out = alpha·out`.
    fn scale(out: &mut Self::Matrix, alpha: T) {
        elementwise::update::<T, Self>(out, |x| alpha * x);
    }

    /// `out = alpha·x + out` (BLAS `axpy`).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn axpy(out: &mut Self::Matrix, alpha: T, x: &Self::Matrix) -> Result<()> {
        elementwise::update_with::<T, Self>("axpy", out, x, |o, x| alpha.mul_add(x, o))
    }

    /// `out = a ⊙ b`, the elementwise (Hadamard) product.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn mul_elem(out: &mut Self::Matrix, a: &Self::Matrix, b: &Self::Matrix) -> Result<()> {
        elementwise::zip_into::<T, Self>("mul_elem", out, a, b, |a, b| a * b)
    }

    /// Adds the column vector `v` (`rows × 1`) to every column of `out` (a bias add).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `v` is not `rows × 1`.
    fn add_col(out: &mut Self::Matrix, v: &Self::Matrix) -> Result<()> {
        let (rows, cols) = Self::shape(out);
        check_shape("add_col", (rows, 1), Self::shape(v))?;
        let v = Self::col(v, 0);
        if rows == 0 {
            return Ok(());
        }
        let route = simd::route(rows * cols);
        // Contiguous storage: one pass over the buffer, no per-column call.
        if let Some(o) = Self::as_mut_slice(out) {
            simd::update_chunks(route, o, v, |o, v| o + v);
            return Ok(());
        }
        for j in 0..cols {
            simd::update_with(route, Self::col_mut(out, j), v, |o, v| o + v);
        }
        Ok(())
    }

    /// `out = alpha·Σ_j a[:, j] + beta·out`: the columns of `a` summed into the column `out`
    /// (`rows × 1`), left to right. With `alpha = 1/m` this is a bias gradient.
    /// When `beta == 0`, `out` is not read.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `out` is not `rows × 1`.
    fn sum_cols(out: &mut Self::Matrix, alpha: T, a: &Self::Matrix, beta: T) -> Result<()> {
        let (rows, cols) = Self::shape(a);
        check_shape("sum_cols", (rows, 1), Self::shape(out))?;
        let o = Self::col_mut(out, 0);
        // Accumulate unscaled, then scale once: the course's `np.sum(dZ, axis=1) / m`.
        // Both branches add each row's elements left to right, so they round alike.
        if beta == T::ZERO {
            o.fill(T::ZERO);
            let route = simd::route(rows * cols);
            match Self::as_slice(a) {
                // Contiguous storage: the same additions in the same order, without a call
                // per column.
                Some(a) if rows > 0 => elementwise::sum_chunks(route, o, a),
                _ => {
                    for j in 0..cols {
                        simd::update_with(route, o, Self::col(a, j), |o, x| o + x);
                    }
                }
            }
            simd::update(simd::route(rows), o, |o| o * alpha);
        } else {
            for (i, o) in o.iter_mut().enumerate() {
                let mut acc = T::ZERO;
                for j in 0..cols {
                    acc += Self::col(a, j)[i];
                }
                *o = alpha * acc + beta * *o;
            }
        }
        Ok(())
    }

    /// The sum of squares of all elements, in a fixed order (for gradient-norm clipping).
    fn sum_squares(m: &Self::Matrix) -> T {
        elementwise::fold::<T, Self, T>(m, T::ZERO, |acc, x| x.mul_add(x, acc))
    }

    /// `true` when no element is NaN or infinite.
    fn all_finite(m: &Self::Matrix) -> bool {
        elementwise::fold::<T, Self, bool>(m, true, |ok, x| ok & x.is_finite())
    }

    /// `out[:, c] = src[:, idx[c]]` for every `c`: gathers the chosen examples into a batch.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `out` is not `rows × idx.len()`;
    /// [`Error::IndexOutOfBounds`] when an index is not a column of `src`.
    fn gather_cols(out: &mut Self::Matrix, src: &Self::Matrix, idx: &[usize]) -> Result<()> {
        let (rows, cols) = Self::shape(src);
        check_shape("gather_cols", (rows, idx.len()), Self::shape(out))?;
        for (c, &j) in idx.iter().enumerate() {
            check_index("gather_cols", j, cols)?;
            Self::col_mut(out, c).copy_from_slice(Self::col(src, j));
        }
        Ok(())
    }

    // ---- Provided: activations --------------------------------------------------------------

    /// `out = max(z, 0)` elementwise.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn relu(out: &mut Self::Matrix, z: &Self::Matrix) -> Result<()> {
        elementwise::map_into::<T, Self>("relu", out, z, |z| if z > T::ZERO { z } else { T::ZERO })
    }

    /// `dz = da ⊙ [z > 0]`: ReLU's backward pass (derivative 0 at `z = 0`, as the course).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn relu_backward(dz: &mut Self::Matrix, da: &Self::Matrix, z: &Self::Matrix) -> Result<()> {
        elementwise::zip_into::<T, Self>("relu_backward", dz, da, z, |da, z| {
            if z > T::ZERO { da } else { T::ZERO }
        })
    }

    /// `out = 1 / (1 + e^{-z})` elementwise, computed without overflow for any `z`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn sigmoid(out: &mut Self::Matrix, z: &Self::Matrix) -> Result<()> {
        elementwise::map_into::<T, Self>("sigmoid", out, z, sigmoid)
    }

    /// `dz = da ⊙ a ⊙ (1 - a)` where `a = sigmoid(z)`: sigmoid's backward pass.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn sigmoid_backward(dz: &mut Self::Matrix, da: &Self::Matrix, a: &Self::Matrix) -> Result<()> {
        elementwise::zip_into::<T, Self>("sigmoid_backward", dz, da, a, |da, a| {
            da * a * (T::ONE - a)
        })
    }

    /// `out = tanh(z)` elementwise.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn tanh(out: &mut Self::Matrix, z: &Self::Matrix) -> Result<()> {
        elementwise::map_into::<T, Self>("tanh", out, z, Scalar::tanh)
    }

    /// `dz = da ⊙ (1 - a²)` where `a = tanh(z)`: tanh's backward pass.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn tanh_backward(dz: &mut Self::Matrix, da: &Self::Matrix, a: &Self::Matrix) -> Result<()> {
        elementwise::zip_into::<T, Self>("tanh_backward", dz, da, a, |da, a| da * (T::ONE - a * a))
    }

    /// `out[:, j] = softmax(z[:, j])` for every column, shifted by the column's maximum so that
    /// no exponential overflows.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the shapes differ.
    fn softmax_cols(out: &mut Self::Matrix, z: &Self::Matrix) -> Result<()> {
        let (rows, cols) = Self::shape(z);
        check_shape("softmax_cols", (rows, cols), Self::shape(out))?;
        for j in 0..cols {
            let (z, o) = (Self::col(z, j), Self::col_mut(out, j));
            let max = z.iter().fold(T::from_f64(f64::NEG_INFINITY), |m, &x| m.max(x));
            let mut sum = T::ZERO;
            for (o, &z) in o.iter_mut().zip(z) {
                *o = (z - max).exp();
                sum += *o;
            }
            let inv = T::ONE / sum;
            o.iter_mut().for_each(|o| *o *= inv);
        }
        Ok(())
    }
}

/// The logistic function `1 / (1 + e^{-z})`, evaluated so that the exponential never
/// overflows: for `z < 0` it uses `e^z / (1 + e^z)`.
#[inline]
pub fn sigmoid<T: Scalar>(z: T) -> T {
    if z >= T::ZERO {
        T::ONE / (T::ONE + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::ONE + e)
    }
}

fn check_len(op: &'static str, rows: usize, cols: usize, got: usize) -> Result<()> {
    match rows.checked_mul(cols) {
        Some(expected) if expected == got => Ok(()),
        Some(expected) => Err(Error::LengthMismatch { op, expected, got }),
        None => Err(Error::InvalidArgument {
            op,
            reason: format!("{rows} × {cols} elements overflow usize"),
        }),
    }
}

/// Every backend's matrices are what the shared elementwise loops walk.
impl<T: Scalar, B: Backend<T> + ?Sized> elementwise::Columns<T> for B {
    type Matrix = <B as Backend<T>>::Matrix;

    #[inline]
    fn shape(m: &Self::Matrix) -> (usize, usize) {
        <B as Backend<T>>::shape(m)
    }

    #[inline]
    fn col(m: &Self::Matrix, j: usize) -> &[T] {
        <B as Backend<T>>::col(m, j)
    }

    #[inline]
    fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [T] {
        <B as Backend<T>>::col_mut(m, j)
    }

    #[inline]
    fn as_slice(m: &Self::Matrix) -> Option<&[T]> {
        <B as Backend<T>>::as_slice(m)
    }

    #[inline]
    fn as_mut_slice(m: &mut Self::Matrix) -> Option<&mut [T]> {
        <B as Backend<T>>::as_mut_slice(m)
    }
}
