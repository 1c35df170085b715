//! Column-walking elementwise loops shared by every backend's default methods.
//!
//! A backend stores a matrix column-major, possibly with padding between columns (faer does),
//! so these helpers walk one contiguous column at a time, or the whole buffer at once when
//! [`Columns::as_slice`] says it is contiguous. The closures are `#[inline]`-friendly so the
//! compiler vectorises the inner loops; each op picks one [`simd::route`] for its whole matrix,
//! so every column of it runs in the copy compiled for this CPU (AVX2 + FMA, AVX-512 for at
//! least [`simd::DISPATCH_MIN_LEN`] elements), with the same results. Every
//! function checks shapes and returns [`Error::ShapeMismatch`] naming `op` on a mismatch; none
//! allocates.

use crate::{Error, Result, Scalar, check_shape, simd};

/// What the loops need of a matrix type: its shape, its columns and, when it is contiguous,
/// the whole buffer. Every [`Backend`](crate::Backend) is one, with the same `Matrix` (a
/// blanket impl beside the trait), so `elementwise::map_into::<T, B>` takes a backend's
/// matrices; this module knows nothing else of backends.
pub trait Columns<T> {
    /// The matrix type.
    type Matrix;
    /// `(rows, columns)`.
    fn shape(m: &Self::Matrix) -> (usize, usize);
    /// Column `j`, contiguous.
    fn col(m: &Self::Matrix, j: usize) -> &[T];
    /// Column `j`, contiguous and mutable.
    fn col_mut(m: &mut Self::Matrix, j: usize) -> &mut [T];
    /// The whole matrix as one column-major slice, when its columns are contiguous.
    fn as_slice(m: &Self::Matrix) -> Option<&[T]>;
    /// The whole matrix as one mutable column-major slice, when its columns are contiguous.
    fn as_mut_slice(m: &mut Self::Matrix) -> Option<&mut [T]>;
}

/// `out[i] = f(a[i])` for every element.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `out` and `a` differ in shape.
#[inline]
pub fn map_into<T: Scalar, B: Columns<T> + ?Sized>(
    op: &'static str,
    out: &mut B::Matrix,
    a: &B::Matrix,
    f: impl Fn(T) -> T,
) -> Result<()> {
    check_shape(op, B::shape(out), B::shape(a))?;
    let route = simd::route(len::<T, B>(a));
    if let (Some(a), Some(o)) = (B::as_slice(a), B::as_mut_slice(out)) {
        simd::map(route, o, a, f);
        return Ok(());
    }
    for j in 0..B::shape(a).1 {
        let (a, o) = (B::col(a, j), B::col_mut(out, j));
        simd::map(route, o, a, &f);
    }
    Ok(())
}

/// `out[i] = f(a[i], b[i])` for every element.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the three shapes differ.
#[inline]
pub fn zip_into<T: Scalar, B: Columns<T> + ?Sized>(
    op: &'static str,
    out: &mut B::Matrix,
    a: &B::Matrix,
    b: &B::Matrix,
    f: impl Fn(T, T) -> T,
) -> Result<()> {
    check_shape(op, B::shape(a), B::shape(b))?;
    check_shape(op, B::shape(a), B::shape(out))?;
    let route = simd::route(len::<T, B>(a));
    if let (Some(a), Some(b), Some(o)) = (B::as_slice(a), B::as_slice(b), B::as_mut_slice(out)) {
        simd::zip(route, o, a, b, f);
        return Ok(());
    }
    for j in 0..B::shape(a).1 {
        let (a, b, o) = (B::col(a, j), B::col(b, j), B::col_mut(out, j));
        simd::zip(route, o, a, b, &f);
    }
    Ok(())
}

/// `out[i] = f(out[i])` for every element.
#[inline]
pub fn update<T: Scalar, B: Columns<T> + ?Sized>(out: &mut B::Matrix, f: impl Fn(T) -> T) {
    let route = simd::route(len::<T, B>(out));
    if let Some(o) = B::as_mut_slice(out) {
        simd::update(route, o, f);
        return;
    }
    for j in 0..B::shape(out).1 {
        simd::update(route, B::col_mut(out, j), &f);
    }
}

/// `out[i] = f(out[i], a[i])` for every element.
///
/// # Errors
/// [`Error::ShapeMismatch`] when `out` and `a` differ in shape.
#[inline]
pub fn update_with<T: Scalar, B: Columns<T> + ?Sized>(
    op: &'static str,
    out: &mut B::Matrix,
    a: &B::Matrix,
    f: impl Fn(T, T) -> T,
) -> Result<()> {
    check_shape(op, B::shape(out), B::shape(a))?;
    let route = simd::route(len::<T, B>(a));
    if let (Some(a), Some(o)) = (B::as_slice(a), B::as_mut_slice(out)) {
        simd::update_with(route, o, a, f);
        return Ok(());
    }
    for j in 0..B::shape(a).1 {
        let (a, o) = (B::col(a, j), B::col_mut(out, j));
        simd::update_with(route, o, a, &f);
    }
    Ok(())
}

/// Calls `f(p, s1, s2, g)` for every element of a parameter `p`, two state buffers and a
/// gradient `g`: the shape of a fused optimizer update (Adam's `p`, `v`, `s`, `g`).
///
/// Optimizers with one state buffer pass a zero-sized dummy nowhere: they use
/// [`update2_with`]. The caller decides what `f` does; the order of elements is fixed, so the
/// result does not depend on threads.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the four shapes differ.
#[inline]
pub fn update3_with<T: Scalar, B: Columns<T> + ?Sized>(
    op: &'static str,
    p: &mut B::Matrix,
    s1: &mut B::Matrix,
    s2: &mut B::Matrix,
    g: &B::Matrix,
    f: impl Fn(&mut T, &mut T, &mut T, T),
) -> Result<()> {
    let shape = B::shape(g);
    check_shape(op, shape, B::shape(p))?;
    check_shape(op, shape, B::shape(s1))?;
    check_shape(op, shape, B::shape(s2))?;
    let route = simd::route(shape.0 * shape.1);
    if B::as_slice(g).is_some()
        && B::as_slice(p).is_some()
        && B::as_slice(s1).is_some()
        && B::as_slice(s2).is_some()
    {
        // All four are contiguous; the `expect`s cannot fail after the checks above.
        let g = B::as_slice(g).expect("checked contiguous");
        let p = B::as_mut_slice(p).expect("checked contiguous");
        let s1 = B::as_mut_slice(s1).expect("checked contiguous");
        let s2 = B::as_mut_slice(s2).expect("checked contiguous");
        simd::update3(route, p, s1, s2, g, f);
        return Ok(());
    }
    for j in 0..shape.1 {
        let (g, p) = (B::col(g, j), B::col_mut(p, j));
        let (s1, s2) = (B::col_mut(s1, j), B::col_mut(s2, j));
        simd::update3(route, p, s1, s2, g, &f);
    }
    Ok(())
}

/// Calls `f(p, s, g)` for every element of a parameter `p`, one state buffer `s` and a
/// gradient `g`: the shape of momentum's and RMSProp's fused update.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the three shapes differ.
#[inline]
pub fn update2_with<T: Scalar, B: Columns<T> + ?Sized>(
    op: &'static str,
    p: &mut B::Matrix,
    s: &mut B::Matrix,
    g: &B::Matrix,
    f: impl Fn(&mut T, &mut T, T),
) -> Result<()> {
    let shape = B::shape(g);
    check_shape(op, shape, B::shape(p))?;
    check_shape(op, shape, B::shape(s))?;
    let route = simd::route(shape.0 * shape.1);
    if let (Some(g), Some(p), Some(s)) = (B::as_slice(g), B::as_mut_slice(p), B::as_mut_slice(s)) {
        simd::update2(route, p, s, g, f);
        return Ok(());
    }
    for j in 0..shape.1 {
        let (g, p, s) = (B::col(g, j), B::col_mut(p, j), B::col_mut(s, j));
        simd::update2(route, p, s, g, &f);
    }
    Ok(())
}

/// Folds every element in a fixed order (column by column, top to bottom).
#[inline]
pub fn fold<T: Scalar, B: Columns<T> + ?Sized, A>(
    m: &B::Matrix,
    init: A,
    mut f: impl FnMut(A, T) -> A,
) -> A {
    let route = simd::route(len::<T, B>(m));
    if let Some(all) = B::as_slice(m) {
        // Contiguous storage is column-major: the same order as the column walk below.
        return simd::fold(route, all, init, f);
    }
    let mut acc = init;
    for j in 0..B::shape(m).1 {
        acc = simd::fold(route, B::col(m, j), acc, &mut f);
    }
    acc
}

/// `o[i] += Σ_c chunk_c[i]` over the consecutive chunks of `o.len()` elements of `a` (the
/// columns of a contiguous column-major matrix), each row summed left to right.
///
/// Narrow matrices (up to 8 rows, the hidden layers of small networks) keep the sums in a
/// fixed-size array the compiler holds in registers, instead of a load and store of `o` per
/// element; the additions and their order are the same either way.
#[inline]
pub fn sum_chunks<T: Scalar>(route: simd::Route, o: &mut [T], a: &[T]) {
    fn fixed<T: Scalar, const R: usize>(o: &mut [T], a: &[T]) {
        let mut acc = [T::ZERO; R];
        acc.copy_from_slice(o);
        for c in a.chunks_exact(R) {
            for (acc, &x) in acc.iter_mut().zip(c) {
                *acc += x;
            }
        }
        o.copy_from_slice(&acc);
    }
    match o.len() {
        0 => {}
        1 => fixed::<T, 1>(o, a),
        2 => fixed::<T, 2>(o, a),
        3 => fixed::<T, 3>(o, a),
        4 => fixed::<T, 4>(o, a),
        5 => fixed::<T, 5>(o, a),
        6 => fixed::<T, 6>(o, a),
        7 => fixed::<T, 7>(o, a),
        8 => fixed::<T, 8>(o, a),
        // Wide: a vector of row sums, each added to left to right, one column at a time.
        _ => simd::sum_chunks_wide(route, o, a),
    }
}

/// The number of elements of `m`: the length [`simd::route`] chooses the copy by.
#[inline(always)]
fn len<T, B: Columns<T> + ?Sized>(m: &B::Matrix) -> usize {
    let (rows, cols) = B::shape(m);
    rows * cols
}

/// Checks that `index < len`, naming `op` otherwise.
pub(crate) fn check_index(op: &'static str, index: usize, len: usize) -> Result<()> {
    if index < len { Ok(()) } else { Err(Error::IndexOutOfBounds { op, index, len }) }
}
