//! Proptest strategies: shapes, values and matrices, as free functions.
//!
//! Every shape strategy draws 1-wide and 1-tall shapes often (one case in six each) and sizes
//! around the SIMD widths (15, 16, 17, 31–33, 63–65, 127–129) from [`EDGE_DIMS`] and
//! [`LARGE_DIMS`]; properties also run once on every shape of a fixed list (`ELEMENTWISE_SHAPES`,
//! `GEMM_SHAPES`) so that coverage does not depend on the seed. Values are generated as `f64`
//! and rounded to the dtype under test; the reference then reads the rounded values.

use std::marker::PhantomData;

use descent_core::{Scalar, Trans};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::TestRunner;

use crate::reference::Mat;

/// `(rows, cols)` of a matrix.
pub type Shape = (usize, usize);

/// `(m, n, k)` of a product `out (m × n) = op(a) (m × k) · op(b) (k × n)`.
pub type GemmDims = (usize, usize, usize);

/// The largest dimension of the uniform range (beyond it, only [`LARGE_DIMS`]).
pub const MAX_SMALL_DIM: usize = 40;

/// Small dimensions on and around SIMD widths, and 1 to 6 (nalgebra's transposed `gemm` is
/// fragile at 5 and below: docs/dependencies.md, trap 2).
pub const EDGE_DIMS: &[usize] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65];

/// Large dimensions around the wide SIMD blocks and past 256.
pub const LARGE_DIMS: &[usize] = &[127, 128, 129, 255, 256, 257, 300];

/// The dimensions of at least 256 that every "large GEMM" case has one of.
pub const HUGE_DIMS: &[usize] = &[256, 257, 300];

/// Shapes every elementwise property runs on in addition to its random cases: empty ones
/// (0 rows, 0 columns or both) first.
pub const ELEMENTWISE_SHAPES: &[Shape] = &[
    (0, 0),
    (0, 3),
    (3, 0),
    (0, 1),
    (1, 0),
    (1, 1),
    (1, 16),
    (16, 1),
    (1, 17),
    (17, 1),
    (15, 15),
    (16, 16),
    (17, 17),
    (129, 1),
    (1, 129),
    (127, 3),
    (128, 129),
];

/// descent-nalgebra's threshold (`descent_nalgebra::SMALL`, checked equal in this crate's
/// tests): products with `min(m, n, k) >= SMALL` pass transposed views to `gemm`, smaller
/// ones copy them first. Its shapes below are edge cases for any blocked GEMM too.
pub const NALGEBRA_SMALL: usize = 8;

const SMALL: usize = NALGEBRA_SMALL;

/// Products every GEMM property runs on in addition to its random cases: 0 in each position
/// (with `k = 0` the product is `beta·out`, and zeros when `beta == 0`), 1 in each position,
/// SIMD widths, and both sides of the nalgebra backend's routing (`SMALL`; its dot-product
/// form for `min(m, n, k) <= 5`, `k >= m` and `m < 32`, and its `axpy` form otherwise).
pub const GEMM_SHAPES: &[GemmDims] = &[
    (0, 0, 0),
    (0, 5, 3),
    (3, 0, 5),
    (3, 5, 0),
    (17, 16, 0),
    (0, 1, 1),
    (1, 1, 1),
    (1, 17, 16),
    (17, 1, 15),
    (16, 15, 1),
    (2, 64, 5),
    (64, 2, 5),
    (5, 5, 5),
    (6, 6, 6),
    (SMALL - 1, SMALL, SMALL),
    (SMALL, SMALL - 1, SMALL),
    (SMALL, SMALL, SMALL - 1),
    (SMALL, SMALL, SMALL),
    (SMALL + 1, SMALL, SMALL + 1),
    (15, 16, 17),
    (17, 16, 15),
    (31, 3, 40),
    (32, 3, 40),
    (33, 31, 32),
    (65, 63, 64),
    (129, 2, 127),
    (2, 128, 129),
];

/// Products with a dimension of at least 256, on each of nalgebra's paths: strided views
/// (every dimension at least `SMALL`), the dot-product form and the `axpy` form.
pub const LARGE_GEMM_SHAPES: &[GemmDims] = &[
    (256, SMALL, SMALL),
    (SMALL, 257, SMALL + 1),
    (SMALL + 1, SMALL, 300),
    (2, 300, 256),
    (1, 256, 1),
    (257, 5, 16),
    (300, 3, 2),
    (SMALL - 1, 256, 64),
];

/// A dimension: mostly small or on an edge, sometimes large.
pub fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => select(EDGE_DIMS),
        3 => 1..=MAX_SMALL_DIM,
        1 => select(LARGE_DIMS),
    ]
}

/// A dimension that is never large, for the other sides of a large product.
pub fn small_dim() -> impl Strategy<Value = usize> {
    prop_oneof![select(EDGE_DIMS), 1..=MAX_SMALL_DIM]
}

/// A matrix shape; 1-wide and 1-tall one case in six each.
pub fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        1 => (Just(1), dim()),
        1 => (dim(), Just(1)),
        4 => (dim(), dim()),
    ]
}

/// The dimensions of a product; each of `m`, `n` and `k` is 1 in one case in seven.
pub fn gemm_dims() -> impl Strategy<Value = GemmDims> {
    prop_oneof![
        1 => (Just(1), dim(), dim()),
        1 => (dim(), Just(1), dim()),
        1 => (dim(), dim(), Just(1)),
        4 => (dim(), dim(), dim()),
    ]
}

/// The dimensions of a product with one dimension of at least 256.
pub fn large_gemm_dims() -> impl Strategy<Value = GemmDims> {
    prop_oneof![
        (select(HUGE_DIMS), small_dim(), small_dim()),
        (small_dim(), select(HUGE_DIMS), small_dim()),
        (small_dim(), small_dim(), select(HUGE_DIMS)),
    ]
}

/// Either transpose flag.
pub fn trans() -> impl Strategy<Value = Trans> {
    prop_oneof![Just(Trans::No), Just(Trans::Yes)]
}

/// A general value: magnitudes from 2⁻⁸ to 2⁸ (uniform mantissa), exact zeros and small
/// integers.
pub fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => (-1.0..1.0_f64, -8..=8_i32).prop_map(|(m, e)| m * 2_f64.powi(e)),
        1 => Just(0.0),
        1 => (-4..=4_i32).prop_map(f64::from),
    ]
}

/// A scaling factor: ±1, 0 or a general value.
pub fn alpha() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(1.0), 1 => Just(-1.0), 1 => Just(0.0), 3 => value()]
}

/// The `beta` of an accumulating op: 0 (the output is then NaN-filled and must not be read),
/// 1, or a general value.
pub fn beta() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 1 => Just(1.0), 2 => value()]
}

/// A pre-activation for the sigmoid: mostly moderate, often up to `|z| = 800` where
/// `e^{|z|}` overflows both dtypes.
pub fn logit() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -20.0..20.0_f64,
        1 => -800.0..=800.0_f64,
        1 => select(&[-800.0, -745.0, -104.0, -88.0, 0.0, 88.0, 104.0, 745.0, 800.0][..]),
        1 => value(),
    ]
}

/// A sigmoid output: in `[0, 1]`, with the ends.
pub fn unit() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.0..=1.0_f64, 1 => select(&[0.0, 0.5, 1.0][..])]
}

/// A tanh output: in `[-1, 1]`, with the ends.
pub fn signed_unit() -> impl Strategy<Value = f64> {
    prop_oneof![4 => -1.0..=1.0_f64, 1 => select(&[-1.0, 0.0, 1.0][..])]
}

/// A `shape` matrix of softmax logits: moderate values around a per-column offset of up to
/// 10⁴ in magnitude, where unshifted exponentials overflow.
pub fn logit_mat<T: Scalar>(shape: Shape) -> impl Strategy<Value = Mat<T>> {
    let offset = select(&[0.0, 0.0, 30.0, -100.0, 1000.0, -1000.0, 1e4][..]);
    let spread = prop_oneof![3 => -10.0..10.0_f64, 1 => -200.0..200.0_f64];
    (proptest::collection::vec(offset, shape.1), mat::<f64>(shape, spread)).prop_map(
        |(offsets, mut m)| {
            for (j, offset) in offsets.into_iter().enumerate() {
                m.data[j * m.rows..(j + 1) * m.rows].iter_mut().for_each(|x| *x += offset);
            }
            Mat { rows: m.rows, cols: m.cols, data: m.data.into_iter().map(T::from_f64).collect() }
        },
    )
}

/// A value of the dtype under test, rounded from `values`.
pub fn scalar<T: Scalar>(values: impl Strategy<Value = f64>) -> impl Strategy<Value = T> {
    values.prop_map(T::from_f64)
}

/// A `shape` matrix with elements from `values`, rounded to the dtype under test.
///
/// The elements are drawn straight from the generator and do not shrink: a `vec` of 90 000
/// shrinkable elements costs far more to generate than the op under test (most of it in page
/// faults). The shape the matrix is built from still shrinks, redrawing the elements.
pub fn mat<T: Scalar>(
    shape: Shape,
    values: impl Strategy<Value = f64>,
) -> impl Strategy<Value = Mat<T>> {
    MatStrategy { shape, values, dtype: PhantomData }
}

/// The strategy behind [`mat`].
#[derive(Debug)]
struct MatStrategy<S, T> {
    shape: Shape,
    values: S,
    dtype: PhantomData<fn() -> T>,
}

impl<S: Strategy<Value = f64>, T: Scalar> Strategy for MatStrategy<S, T> {
    type Tree = Just<Mat<T>>;
    type Value = Mat<T>;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let (rows, cols) = self.shape;
        let mut data = Vec::with_capacity(rows * cols);
        for _ in 0..rows * cols {
            data.push(T::from_f64(self.values.new_tree(runner)?.current()));
        }
        Ok(Just(Mat { rows, cols, data }))
    }
}

/// The output of an op with `beta`: NaN-filled when `beta == 0` (it must not be read),
/// general values otherwise.
pub fn beta_out<T: Scalar>(shape: Shape, beta: f64) -> BoxedStrategy<Mat<T>> {
    if beta == 0.0 {
        Just(Mat::filled(shape.0, shape.1, T::from_f64(f64::NAN))).boxed()
    } else {
        mat(shape, value()).boxed()
    }
}
