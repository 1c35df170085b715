//! The transposing copy that hands small transposed operands to nalgebra as contiguous
//! matrices, tiled for large matrices and unrolled for a short side.

use nalgebra::{DMatrix, DMatrixView};

use super::cache::Element;

/// The transposing copy works in blocks of this many elements along the longer side (measured
/// against 8 and 16: faster on every shape but `1024 × 1024`, where the power-of-two stride
/// makes every block fight for the same cache set).
const TILE: usize = 32;

/// Writes `xᵀ` into `buf` (grown once, then reused) and returns it as a contiguous view.
pub(super) fn transposed_copy<'s, T: Element>(
    buf: &'s mut Vec<T>,
    x: &DMatrix<T>,
) -> DMatrixView<'s, T> {
    let (rows, cols) = x.shape();
    let len = rows * cols;
    if buf.len() < len {
        buf.resize(len, T::zero());
    }
    transpose_into(x.as_slice(), rows, cols, &mut buf[..len]);
    DMatrixView::from_slice(&buf[..len], cols, rows)
}

/// Writes the transpose of the column-major `rows × cols` matrix `src` into `dst` (column-major
/// `cols × rows`, the same length).
///
/// The inner loop runs along the longer side of `src`, so that the strided side of the copy is
/// the shorter one, in blocks of [`TILE`]. nalgebra's `tr_copy_from` walks a whole row of `x`
/// per output column and measured 2-5× slower on large matrices (f32 on a loaded machine, ns
/// per element: `1024 × 256` 4.6 against 1.2, `784 × 256` 1.2 against 0.7).
///
/// A side of at most 8 (the layers of a small network against its batch) takes a loop with
/// that side fixed at compile time instead: 2–4× faster on `2 × 64`, `5 × 64`, `64 × 5`.
pub(super) fn transpose_into<T: Element>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    macro_rules! fixed {
        ($side:expr, $f:ident, $other:expr) => {
            match $side {
                1 => $f::<T, 1>(src, $other, dst),
                2 => $f::<T, 2>(src, $other, dst),
                3 => $f::<T, 3>(src, $other, dst),
                4 => $f::<T, 4>(src, $other, dst),
                5 => $f::<T, 5>(src, $other, dst),
                6 => $f::<T, 6>(src, $other, dst),
                7 => $f::<T, 7>(src, $other, dst),
                _ => $f::<T, 8>(src, $other, dst),
            }
        };
    }
    if rows == 0 || cols == 0 {
        return;
    }
    if rows <= 8 {
        return fixed!(rows, few_rows, cols);
    }
    if cols <= 8 {
        return fixed!(cols, few_cols, rows);
    }
    // `dst` is `cols × rows`: element `(j, i)`, at `i * cols + j`, is `src[(i, j)]`.
    if rows >= cols {
        // Down each column of `src` in blocks: contiguous reads, writes `cols` apart.
        for i0 in (0..rows).step_by(TILE) {
            let i1 = (i0 + TILE).min(rows);
            for j in 0..cols {
                let src_col = &src[j * rows + i0..j * rows + i1];
                let dst_row = dst[i0 * cols + j..].iter_mut().step_by(cols);
                dst_row.zip(src_col).for_each(|(o, &v)| *o = v);
            }
        }
    } else {
        // Along each row of `src` in blocks: reads `rows` apart, contiguous writes.
        for j0 in (0..cols).step_by(TILE) {
            let j1 = (j0 + TILE).min(cols);
            for i in 0..rows {
                let dst_col = &mut dst[i * cols + j0..i * cols + j1];
                let src_row = src[i + j0 * rows..].iter().step_by(rows);
                dst_col.iter_mut().zip(src_row).for_each(|(o, &v)| *o = v);
            }
        }
    }
}

/// [`transpose_into`] for `src` of `R` rows: each column of `src` scatters its `R` elements to
/// the `R` columns of `dst`.
fn few_rows<T: Element, const R: usize>(src: &[T], cols: usize, dst: &mut [T]) {
    let mut dst_cols = dst.chunks_exact_mut(cols);
    let mut out: [&mut [T]; R] = std::array::from_fn(|_| dst_cols.next().unwrap_or_default());
    for (j, c) in src.chunks_exact(R).enumerate() {
        for (o, &v) in out.iter_mut().zip(c) {
            o[j] = v;
        }
    }
}

/// [`transpose_into`] for `src` of `C` columns: each column of `dst` gathers one element from
/// each of the `C` columns of `src`.
fn few_cols<T: Element, const C: usize>(src: &[T], rows: usize, dst: &mut [T]) {
    let mut src_cols = src.chunks_exact(rows);
    let cols: [&[T]; C] = std::array::from_fn(|_| src_cols.next().unwrap_or_default());
    for (i, d) in dst.chunks_exact_mut(C).enumerate() {
        for (d, c) in d.iter_mut().zip(&cols) {
            *d = c[i];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposed_copy_matches_nalgebra_transpose_and_reuses_its_buffer() {
        let mut buf = Vec::new();
        let shapes = [(70, 33), (33, 70), (1, 1), (64, 2), (2, 64), (0, 5), (5, 0), (3, 4)];
        let few = [(8, 9), (9, 8), (7, 40), (40, 7), (1, 64), (64, 1), (6, 6), (5, 64), (64, 5)];
        for (rows, cols) in shapes.into_iter().chain(few) {
            let x = DMatrix::<f64>::from_fn(rows, cols, |i, j| (i * 1000 + j) as f64);
            let t = transposed_copy(&mut buf, &x);
            assert_eq!(t.clone_owned(), x.transpose(), "{rows}×{cols}");
        }
        // The buffer grew to the largest matrix (70 × 33) and stayed there.
        assert_eq!(buf.len(), 70 * 33);
    }
}
