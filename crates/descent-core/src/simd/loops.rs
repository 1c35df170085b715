//! The elementwise loops of [`simd`](super), each in three copies: inline, AVX2 + FMA and
//! AVX-512, called in the copy a [`Route`] names.

#![allow(unsafe_code)] // Calls of the feature-enabled copies, each after the CPU was checked.

use super::{Route, Variant};

/// Calls the copy of a loop that `route` names: `$loop` inline, or its `$avx2` / `$avx512`
/// clone (made by [`clones!`]).
macro_rules! dispatch {
    ($route:expr, $loop:ident, $avx2:ident, $avx512:ident, ($($arg:expr),*)) => {
        match $route.variant() {
            // SAFETY: a `Route` names a copy only when `level` found every feature it enables
            // (`route` and `Route::forced` are its only makers).
            #[cfg(target_arch = "x86_64")]
            Variant::Avx2 => unsafe { $avx2($($arg),*) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Variant::Avx512 => unsafe { $avx512($($arg),*) },
            _ => $loop($($arg),*),
        }
    };
}

/// The AVX2 + FMA and AVX-512 clones of a loop: functions compiled with those features whose
/// body is the `#[inline(always)]` loop, with the caller's per-element closure inlined into it.
macro_rules! clones {
    ($loop:ident, $avx2:ident, $avx512:ident, [$($gen:tt)*], ($($arg:ident: $ty:ty),*)
        $(-> $ret:ty)?) => {
        #[cfg(target_arch = "x86_64")]
        #[multiversion::target("x86_64+avx+avx2+fma")]
        unsafe fn $avx2<$($gen)*>($($arg: $ty),*) $(-> $ret)? {
            $loop($($arg),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
        unsafe fn $avx512<$($gen)*>($($arg: $ty),*) $(-> $ret)? {
            $loop($($arg),*)
        }
    };
}

/// `o[i] = f(a[i])`, in the copy `route` names. The slices have equal lengths (the callers
/// check shapes).
#[inline]
pub fn map<T: Copy>(route: Route, o: &mut [T], a: &[T], f: impl Fn(T) -> T) {
    debug_assert_eq!(o.len(), a.len());
    dispatch!(route, map_loop, map_avx2, map_avx512, (o, a, &f));
}

#[inline(always)]
fn map_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(a));
}

clones!(map_loop, map_avx2, map_avx512, [T: Copy, F: Fn(T) -> T], (o: &mut [T], a: &[T], f: &F));

/// `o[i] = f(a[i], b[i])`, in the copy `route` names. The slices have equal lengths.
#[inline]
pub fn zip<T: Copy>(route: Route, o: &mut [T], a: &[T], b: &[T], f: impl Fn(T, T) -> T) {
    debug_assert!(o.len() == a.len() && a.len() == b.len());
    dispatch!(route, zip_loop, zip_avx2, zip_avx512, (o, a, b, &f));
}

#[inline(always)]
fn zip_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], b: &[T], f: &F) {
    o.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&a, &b))| *o = f(a, b));
}

clones!(zip_loop, zip_avx2, zip_avx512, [T: Copy, F: Fn(T, T) -> T],
    (o: &mut [T], a: &[T], b: &[T], f: &F));

/// `o[i] = f(o[i])`, in the copy `route` names.
#[inline]
pub fn update<T: Copy>(route: Route, o: &mut [T], f: impl Fn(T) -> T) {
    dispatch!(route, update_loop, update_avx2, update_avx512, (o, &f));
}

#[inline(always)]
fn update_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], f: &F) {
    o.iter_mut().for_each(|o| *o = f(*o));
}

clones!(update_loop, update_avx2, update_avx512, [T: Copy, F: Fn(T) -> T], (o: &mut [T], f: &F));

/// `o[i] = f(o[i], a[i])`, in the copy `route` names. The slices have equal lengths.
#[inline]
pub fn update_with<T: Copy>(route: Route, o: &mut [T], a: &[T], f: impl Fn(T, T) -> T) {
    debug_assert_eq!(o.len(), a.len());
    dispatch!(route, update_with_loop, update_with_avx2, update_with_avx512, (o, a, &f));
}

#[inline(always)]
fn update_with_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(*o, a));
}

clones!(update_with_loop, update_with_avx2, update_with_avx512, [T: Copy, F: Fn(T, T) -> T],
    (o: &mut [T], a: &[T], f: &F));

/// `f(&mut p[i], &mut s[i], g[i])`: a fused update with one state buffer, in the copy `route`
/// names. Equal lengths.
#[inline]
pub fn update2<T: Copy>(
    route: Route,
    p: &mut [T],
    s: &mut [T],
    g: &[T],
    f: impl Fn(&mut T, &mut T, T),
) {
    debug_assert!(p.len() == s.len() && s.len() == g.len());
    dispatch!(route, update2_loop, update2_avx2, update2_avx512, (p, s, g, &f));
}

#[inline(always)]
fn update2_loop<T: Copy, F: Fn(&mut T, &mut T, T)>(p: &mut [T], s: &mut [T], g: &[T], f: &F) {
    for ((p, s), &g) in p.iter_mut().zip(s.iter_mut()).zip(g) {
        f(p, s, g);
    }
}

clones!(update2_loop, update2_avx2, update2_avx512, [T: Copy, F: Fn(&mut T, &mut T, T)],
    (p: &mut [T], s: &mut [T], g: &[T], f: &F));

/// `f(&mut p[i], &mut s1[i], &mut s2[i], g[i])`: a fused update with two state buffers
/// (Adam's), in the copy `route` names. Equal lengths.
#[inline]
pub fn update3<T: Copy>(
    route: Route,
    p: &mut [T],
    s1: &mut [T],
    s2: &mut [T],
    g: &[T],
    f: impl Fn(&mut T, &mut T, &mut T, T),
) {
    debug_assert!(p.len() == s1.len() && s1.len() == s2.len() && s2.len() == g.len());
    dispatch!(route, update3_loop, update3_avx2, update3_avx512, (p, s1, s2, g, &f));
}

#[inline(always)]
fn update3_loop<T: Copy, F: Fn(&mut T, &mut T, &mut T, T)>(
    p: &mut [T],
    s1: &mut [T],
    s2: &mut [T],
    g: &[T],
    f: &F,
) {
    for (((p, s1), s2), &g) in p.iter_mut().zip(s1.iter_mut()).zip(s2.iter_mut()).zip(g) {
        f(p, s1, s2, g);
    }
}

clones!(update3_loop, update3_avx2, update3_avx512, [T: Copy, F: Fn(&mut T, &mut T, &mut T, T)],
    (p: &mut [T], s1: &mut [T], s2: &mut [T], g: &[T], f: &F));

/// `o[i] = f(o[i], v[i mod v.len()])` for each consecutive chunk of `v.len()` elements of `o`:
/// a column vector applied to every column of a contiguous column-major matrix (a bias add),
/// in the copy `route` names. `o.len()` is a multiple of `v.len()`, and `v` is not empty.
#[inline]
pub fn update_chunks<T: Copy>(route: Route, o: &mut [T], v: &[T], f: impl Fn(T, T) -> T) {
    debug_assert!(!v.is_empty() && o.len().is_multiple_of(v.len()));
    dispatch!(route, update_chunks_loop, update_chunks_avx2, update_chunks_avx512, (o, v, &f));
}

#[inline(always)]
fn update_chunks_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], v: &[T], f: &F) {
    for o in o.chunks_exact_mut(v.len()) {
        o.iter_mut().zip(v).for_each(|(o, &v)| *o = f(*o, v));
    }
}

clones!(update_chunks_loop, update_chunks_avx2, update_chunks_avx512, [T: Copy, F: Fn(T, T) -> T],
    (o: &mut [T], v: &[T], f: &F));

/// `o[i] += Σ_c chunk_c[i]` over the consecutive chunks of `o.len()` elements of `a`, each
/// row summed left to right (a bias gradient of a wide layer), in the copy `route` names.
/// `a.len()` is a multiple of `o.len()`, and `o` is not empty.
#[inline]
pub fn sum_chunks_wide<T: Copy + std::ops::AddAssign>(route: Route, o: &mut [T], a: &[T]) {
    debug_assert!(!o.is_empty() && a.len().is_multiple_of(o.len()));
    dispatch!(route, sum_chunks_loop, sum_chunks_avx2, sum_chunks_avx512, (o, a));
}

#[inline(always)]
fn sum_chunks_loop<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    for c in a.chunks_exact(o.len()) {
        o.iter_mut().zip(c).for_each(|(o, &x)| *o += x);
    }
}

clones!(sum_chunks_loop, sum_chunks_avx2, sum_chunks_avx512, [T: Copy + std::ops::AddAssign],
    (o: &mut [T], a: &[T]));

/// `f(acc, x)` over every element of `a` in order, from `init`, in the copy `route` names.
#[inline]
pub fn fold<T: Copy, A>(route: Route, a: &[T], init: A, f: impl FnMut(A, T) -> A) -> A {
    let mut f = f;
    dispatch!(route, fold_loop, fold_avx2, fold_avx512, (a, init, &mut f))
}

#[inline(always)]
fn fold_loop<T: Copy, A, F: FnMut(A, T) -> A>(a: &[T], init: A, f: &mut F) -> A {
    a.iter().fold(init, |acc, &x| f(acc, x))
}

clones!(fold_loop, fold_avx2, fold_avx512, [T: Copy, A, F: FnMut(A, T) -> A],
    (a: &[T], init: A, f: &mut F) -> A);
