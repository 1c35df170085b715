//! The parts of the `Backend` contract no op result shows: `col` and `col_mut` panic past the
//! last column (0 rows included), `as_slice` covers exactly the elements, and matrices cross
//! threads.

use std::panic::{AssertUnwindSafe, catch_unwind};

use descent_core::Backend;

use crate::tolerance::Dtype;

/// Whether `f` panics (the expected panic's message still reaches stderr, which the test
/// harness shows only for a failing test).
fn panics(f: impl FnOnce()) -> bool {
    catch_unwind(AssertUnwindSafe(f)).is_err()
}

/// `col(m, j)` and `col_mut(m, j)` panic for `j >= cols`, like slice indexing, also when the
/// matrix has 0 rows (a backend that slices `j·rows..(j + 1)·rows` out of its buffer returns
/// an empty slice there instead); below `cols` they return `rows` elements.
pub fn col_panics_past_the_last_column<T: Dtype, B: Backend<T>>() {
    for (rows, cols) in [(0, 0), (0, 3), (3, 0), (2, 3), (16, 1)] {
        let mut m = B::zeros(rows, cols);
        for j in 0..cols {
            assert_eq!(B::col(&m, j).len(), rows, "col({j}) of a {rows}×{cols} matrix");
            assert_eq!(B::col_mut(&mut m, j).len(), rows, "col_mut({j}) of a {rows}×{cols} matrix");
        }
        for j in [cols, cols + 1] {
            assert!(
                panics(|| {
                    B::col(&m, j);
                }),
                "{}: col({j}) of a {rows}×{cols} matrix returned instead of panicking",
                B::NAME
            );
            assert!(
                panics(|| {
                    B::col_mut(&mut m.clone(), j);
                }),
                "{}: col_mut({j}) of a {rows}×{cols} matrix returned instead of panicking",
                B::NAME
            );
        }
    }
}

/// When `as_slice` / `as_mut_slice` return a slice, it is every element in column-major order
/// and nothing else (every default op takes it as the whole matrix).
pub fn as_slice_is_the_whole_matrix<T: Dtype, B: Backend<T>>() {
    for (rows, cols) in [(0, 0), (0, 3), (3, 0), (1, 1), (3, 5), (17, 2)] {
        let data: Vec<T> = (0..rows * cols).map(|i| T::from_f64(i as f64)).collect();
        let mut m = B::from_col_major(rows, cols, &data).expect("data of the right length");
        if let Some(slice) = B::as_slice(&m) {
            assert_eq!(slice, &data[..], "{}: as_slice of a {rows}×{cols} matrix", B::NAME);
        }
        if let Some(slice) = B::as_mut_slice(&mut m) {
            assert_eq!(slice, &data[..], "{}: as_mut_slice of a {rows}×{cols} matrix", B::NAME);
        }
        assert_eq!(
            B::as_slice(&m).is_some(),
            B::as_mut_slice(&mut m).is_some(),
            "{}: as_slice and as_mut_slice disagree on whether a {rows}×{cols} matrix is contiguous",
            B::NAME
        );
    }
}

/// A matrix built on one thread is read and written on another (the `Send + Sync` bound
/// holds at run time too: no thread-local state inside a matrix).
pub fn matrices_cross_threads<T: Dtype, B: Backend<T>>() {
    let data: Vec<T> = (0..12).map(|i| T::from_f64(f64::from(i))).collect();
    let m = B::from_col_major(3, 4, &data).expect("12 elements");
    let shared = &m;
    let copied = std::thread::scope(|s| {
        s.spawn(move || {
            let mut out = B::zeros(3, 4);
            B::copy(&mut out, shared).expect("same shapes");
            B::scale(&mut out, T::from_f64(2.0));
            out
        })
        .join()
        .expect("the thread finished")
    });
    let want: Vec<T> = data.iter().map(|&x| x * T::from_f64(2.0)).collect();
    assert_eq!(B::to_col_major(&copied), want, "{}: a copy made on another thread", B::NAME);
}
