//! Storage: construction, round trips, element access, `fill` and `copy`, all exact.

use descent_core::Backend;
use proptest::prelude::*;

use crate::harness::{CASES, Site, from_b, ok, to_b};
use crate::reference::Mat;
use crate::strategies::{ELEMENTWISE_SHAPES, mat, scalar, shape, value};
use crate::tolerance::{Dtype, assert_exact};

/// A matrix, one position in it, and a new value for that position.
fn with_position<T: Dtype>(
    shape: impl Strategy<Value = (usize, usize)>,
) -> impl Strategy<Value = (Mat<T>, (usize, usize), T)> {
    shape.prop_flat_map(|(rows, cols)| {
        (mat::<T>((rows, cols), value()), (0..rows, 0..cols), scalar::<T>(value()))
    })
}

/// `zeros` has the shape asked for and only zeros, in every column.
pub fn zeros<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s,
        |(rows, cols)| {
            let m = B::zeros(rows, cols);
            prop_assert_eq!(B::shape(&m), (rows, cols));
            let got = from_b::<T, B>(&m);
            assert_exact("zeros", rows, &got.data, &vec![T::ZERO; rows * cols])
        },
    );
}

/// `from_col_major` → `to_col_major`, `col`, `as_slice` and `to_row_major` give the data back;
/// `from_row_major` of the row-major data builds the same matrix.
pub fn round_trips<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, value())),
        |m| {
            let (rows, cols) = m.shape();
            let bm = to_b::<T, B>(&m)?;
            prop_assert_eq!(B::shape(&bm), (rows, cols));
            assert_exact("to_col_major", rows, &B::to_col_major(&bm), &m.data)?;
            assert_exact("col", rows, &from_b::<T, B>(&bm).data, &m.data)?;
            if let Some(slice) = B::as_slice(&bm) {
                assert_exact("as_slice", rows, slice, &m.data)?;
            }
            let row_major = m.to_row_major();
            assert_exact("to_row_major", cols, &B::to_row_major(&bm), &row_major)?;
            let from_rows = ok(B::from_row_major(rows, cols, &row_major))?;
            prop_assert_eq!(B::shape(&from_rows), (rows, cols));
            assert_exact("from_row_major", rows, &B::to_col_major(&from_rows), &m.data)
        },
    );
}

/// `get` reads element `(i, j)` of the column-major data; `set` changes that element only,
/// through `as_mut_slice` as well when the backend exposes it.
pub fn get_set<T: Dtype, B: Backend<T>>(site: &Site) {
    let non_empty: Vec<_> =
        ELEMENTWISE_SHAPES.iter().copied().filter(|&(r, c)| r * c > 0).collect();
    site.check_shapes(CASES, &non_empty, shape(), with_position::<T>, |(m, (i, j), x)| {
        let mut bm = to_b::<T, B>(&m)?;
        prop_assert_eq!(ok(B::get(&bm, i, j))?, m.at(i, j));
        ok(B::set(&mut bm, i, j, x))?;
        prop_assert_eq!(ok(B::get(&bm, i, j))?, x);
        let mut want = m.clone();
        want.data[i + j * m.rows] = x;
        assert_exact("set", m.rows, &B::to_col_major(&bm), &want.data)?;
        if let Some(slice) = B::as_mut_slice(&mut bm) {
            slice[i + j * m.rows] = m.at(i, j);
            assert_exact("as_mut_slice", m.rows, &B::to_col_major(&bm), &m.data)?;
        }
        Ok(())
    });
}

/// `fill` sets every element, padding or not.
pub fn fill<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| (mat::<T>(s, value()), scalar::<T>(value()))),
        |(m, x)| {
            let mut bm = to_b::<T, B>(&m)?;
            B::fill(&mut bm, x);
            assert_exact("fill", m.rows, &from_b::<T, B>(&bm).data, &vec![x; m.data.len()])
        },
    );
}

/// `copy` overwrites a NaN-filled output with the source.
pub fn copy<T: Dtype, B: Backend<T>>(site: &Site) {
    site.check_shapes(
        CASES,
        ELEMENTWISE_SHAPES,
        shape(),
        |s| s.prop_flat_map(|s| mat::<T>(s, value())),
        |m| {
            let src = to_b::<T, B>(&m)?;
            let mut out = to_b::<T, B>(&Mat::filled(m.rows, m.cols, T::from_f64(f64::NAN)))?;
            ok(B::copy(&mut out, &src))?;
            assert_exact("copy", m.rows, &from_b::<T, B>(&out).data, &m.data)
        },
    );
}
