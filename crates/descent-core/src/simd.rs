//! Runtime dispatch of the elementwise slice loops to AVX-512, where the CPU has it.
//!
//! The workspace is built for x86-64-v3 (AVX2 + FMA, `.cargo/config.toml`), which every
//! x86-64 CPU since 2013–2015 runs; a binary built with `target-cpu=native` on an AVX-512
//! machine would crash on the others. Instead, each loop here is compiled twice by
//! [`multiversion`]: once for the build's baseline and once with AVX-512 (F, BW, CD, DQ, VL)
//! enabled. The first long call reads `cpuid` (through std's cached feature detection) and
//! stores the choice in an atomic; later calls load it and branch. multiversion selects its
//! AVX-512 clone only on CPUs that also have Ice Lake's extensions (VBMI2 and the rest: Intel
//! Ice Lake and later, AMD Zen 4 and later), where 512-bit code does not lower the clock;
//! [`level`] says which clone runs.
//!
//! Slices shorter than [`DISPATCH_MIN_LEN`] never reach the dispatcher: they run the
//! baseline loop inlined into the caller, so the course's 64–320-element slices pay nothing.
//!
//! **Results do not depend on the clone.** The loops apply the caller's closure to each
//! element on its own, in order; a wider vector only does more elements per instruction.
//! Rust never fuses `a * b + c` into an FMA by itself, so both clones round alike; where a
//! closure calls `mul_add`, both use the FMA instruction (x86-64-v3 has it).

use multiversion::multiversion;

/// Slices shorter than this run the baseline loop inline, without the dispatch branch and
/// call. At this length a loop takes ~30–60 ns on AVX2, so one branch and a call is noise,
/// while the tiny slices of small networks (a few ns of work) are untouched.
pub const DISPATCH_MIN_LEN: usize = 256;

/// Which compiled clone of the elementwise loops this CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimdLevel {
    /// The AVX-512 clone (x86-64 with AVX-512 F/BW/CD/DQ/VL and Ice Lake's extensions).
    Avx512,
    /// The build's baseline (x86-64-v3, AVX2 + FMA, for the workspace's own builds).
    Baseline,
}

impl SimdLevel {
    /// A short name for reports: `"avx512"` or `"baseline"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Avx512 => "avx512",
            SimdLevel::Baseline => "baseline",
        }
    }
}

/// The clone the dispatched loops run on this CPU, chosen by the same dispatcher.
#[must_use]
pub fn level() -> SimdLevel {
    selected_level()
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn selected_level() -> SimdLevel {
    if multiversion::target::target_cfg_f!(target_feature = "avx512f") {
        SimdLevel::Avx512
    } else {
        SimdLevel::Baseline
    }
}

/// `o[i] = f(a[i])`. The slices have equal lengths (the callers check shapes).
#[inline]
pub fn map<T: Copy>(o: &mut [T], a: &[T], f: impl Fn(T) -> T) {
    debug_assert_eq!(o.len(), a.len());
    if o.len() < DISPATCH_MIN_LEN {
        map_loop(o, a, &f);
    } else {
        map_dispatch(o, a, &f);
    }
}

#[inline(always)]
fn map_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(a));
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn map_dispatch<T: Copy, F: Fn(T) -> T>(o: &mut [T], a: &[T], f: &F) {
    map_loop(o, a, f);
}

/// `o[i] = f(a[i], b[i])`. The slices have equal lengths.
#[inline]
pub fn zip<T: Copy>(o: &mut [T], a: &[T], b: &[T], f: impl Fn(T, T) -> T) {
    debug_assert!(o.len() == a.len() && a.len() == b.len());
    if o.len() < DISPATCH_MIN_LEN {
        zip_loop(o, a, b, &f);
    } else {
        zip_dispatch(o, a, b, &f);
    }
}

#[inline(always)]
fn zip_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], b: &[T], f: &F) {
    o.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&a, &b))| *o = f(a, b));
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn zip_dispatch<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], b: &[T], f: &F) {
    zip_loop(o, a, b, f);
}

/// `o[i] = f(o[i])`.
#[inline]
pub fn update<T: Copy>(o: &mut [T], f: impl Fn(T) -> T) {
    if o.len() < DISPATCH_MIN_LEN {
        update_loop(o, &f);
    } else {
        update_dispatch(o, &f);
    }
}

#[inline(always)]
fn update_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], f: &F) {
    o.iter_mut().for_each(|o| *o = f(*o));
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn update_dispatch<T: Copy, F: Fn(T) -> T>(o: &mut [T], f: &F) {
    update_loop(o, f);
}

/// `o[i] = f(o[i], a[i])`. The slices have equal lengths.
#[inline]
pub fn update_with<T: Copy>(o: &mut [T], a: &[T], f: impl Fn(T, T) -> T) {
    debug_assert_eq!(o.len(), a.len());
    if o.len() < DISPATCH_MIN_LEN {
        update_with_loop(o, a, &f);
    } else {
        update_with_dispatch(o, a, &f);
    }
}

#[inline(always)]
fn update_with_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(*o, a));
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn update_with_dispatch<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], f: &F) {
    update_with_loop(o, a, f);
}

/// `f(&mut p[i], &mut s[i], g[i])`: a fused update with one state buffer. Equal lengths.
#[inline]
pub fn update2<T: Copy>(p: &mut [T], s: &mut [T], g: &[T], f: impl Fn(&mut T, &mut T, T)) {
    debug_assert!(p.len() == s.len() && s.len() == g.len());
    if p.len() < DISPATCH_MIN_LEN {
        update2_loop(p, s, g, &f);
    } else {
        update2_dispatch(p, s, g, &f);
    }
}

#[inline(always)]
fn update2_loop<T: Copy, F: Fn(&mut T, &mut T, T)>(p: &mut [T], s: &mut [T], g: &[T], f: &F) {
    for ((p, s), &g) in p.iter_mut().zip(s.iter_mut()).zip(g) {
        f(p, s, g);
    }
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn update2_dispatch<T: Copy, F: Fn(&mut T, &mut T, T)>(p: &mut [T], s: &mut [T], g: &[T], f: &F) {
    update2_loop(p, s, g, f);
}

/// `f(&mut p[i], &mut s1[i], &mut s2[i], g[i])`: a fused update with two state buffers
/// (Adam's). Equal lengths.
#[inline]
pub fn update3<T: Copy>(
    p: &mut [T],
    s1: &mut [T],
    s2: &mut [T],
    g: &[T],
    f: impl Fn(&mut T, &mut T, &mut T, T),
) {
    debug_assert!(p.len() == s1.len() && s1.len() == s2.len() && s2.len() == g.len());
    if p.len() < DISPATCH_MIN_LEN {
        update3_loop(p, s1, s2, g, &f);
    } else {
        update3_dispatch(p, s1, s2, g, &f);
    }
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

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn update3_dispatch<T: Copy, F: Fn(&mut T, &mut T, &mut T, T)>(
    p: &mut [T],
    s1: &mut [T],
    s2: &mut [T],
    g: &[T],
    f: &F,
) {
    update3_loop(p, s1, s2, g, f);
}

/// `o[i] = f(o[i], v[i mod v.len()])` for each consecutive chunk of `v.len()` elements of `o`:
/// a column vector applied to every column of a contiguous column-major matrix (a bias add).
/// `o.len()` is a multiple of `v.len()`, and `v` is not empty.
#[inline]
pub fn update_chunks<T: Copy>(o: &mut [T], v: &[T], f: impl Fn(T, T) -> T) {
    debug_assert!(!v.is_empty() && o.len() % v.len() == 0);
    if v.len() < DISPATCH_MIN_LEN {
        update_chunks_loop(o, v, &f);
    } else {
        update_chunks_dispatch(o, v, &f);
    }
}

#[inline(always)]
fn update_chunks_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], v: &[T], f: &F) {
    for o in o.chunks_exact_mut(v.len()) {
        o.iter_mut().zip(v).for_each(|(o, &v)| *o = f(*o, v));
    }
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn update_chunks_dispatch<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], v: &[T], f: &F) {
    update_chunks_loop(o, v, f);
}

/// `o[i] += Σ_c chunk_c[i]` over the consecutive chunks of `o.len()` elements of `a`, each
/// row summed left to right (a bias gradient of a wide layer). `a.len()` is a multiple of
/// `o.len()`, and `o` is not empty.
#[inline]
pub fn sum_chunks_wide<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    debug_assert!(!o.is_empty() && a.len() % o.len() == 0);
    if o.len() < DISPATCH_MIN_LEN {
        sum_chunks_loop(o, a);
    } else {
        sum_chunks_dispatch(o, a);
    }
}

#[inline(always)]
fn sum_chunks_loop<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    for c in a.chunks_exact(o.len()) {
        o.iter_mut().zip(c).for_each(|(o, &x)| *o += x);
    }
}

#[multiversion(targets("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl"))]
fn sum_chunks_dispatch<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    sum_chunks_loop(o, a);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lengths around the dispatch threshold and SIMD widths (8/16 f32, 4/8 f64).
    const LENS: [usize; 9] = [0, 1, 15, 17, 255, 256, 257, 1000, 4099];

    fn seq(n: usize, seed: f64) -> Vec<f64> {
        (0..n).map(|i| ((i as f64 + seed) * 0.7391).sin() * 3.0).collect()
    }

    #[test]
    fn the_level_matches_what_the_cpu_reports() {
        let selected = level();
        #[cfg(target_arch = "x86_64")]
        if !std::arch::is_x86_feature_detected!("avx512f") {
            assert_eq!(selected, SimdLevel::Baseline);
        } else if selected == SimdLevel::Avx512 {
            assert!(std::arch::is_x86_feature_detected!("avx512vl"));
        }
        #[cfg(not(target_arch = "x86_64"))]
        assert_eq!(selected, SimdLevel::Baseline);
        assert_eq!(selected, level(), "the choice is made once");
    }

    #[test]
    fn every_loop_equals_a_plain_loop_bit_for_bit() {
        for n in LENS {
            let (a, b, c) = (seq(n, 1.0), seq(n, 2.0), seq(n, 3.0));
            let f = |x: f64, y: f64| x.mul_add(0.3, y * y) - x / (1.0 + y.abs());
            let mut o = vec![f64::NAN; n];
            map(&mut o, &a, |x| f(x, 0.5));
            let want: Vec<f64> = a.iter().map(|&x| f(x, 0.5)).collect();
            assert_eq!(bits(&o), bits(&want), "map, n = {n}");

            zip(&mut o, &a, &b, f);
            let want: Vec<f64> = a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect();
            assert_eq!(bits(&o), bits(&want), "zip, n = {n}");

            let mut o = c.clone();
            update(&mut o, |x| f(x, 2.0));
            let want: Vec<f64> = c.iter().map(|&x| f(x, 2.0)).collect();
            assert_eq!(bits(&o), bits(&want), "update, n = {n}");

            let mut o = c.clone();
            update_with(&mut o, &a, f);
            let want: Vec<f64> = c.iter().zip(&a).map(|(&x, &y)| f(x, y)).collect();
            assert_eq!(bits(&o), bits(&want), "update_with, n = {n}");
        }
    }

    #[test]
    fn fused_updates_equal_a_plain_loop_bit_for_bit() {
        for n in LENS {
            let g: Vec<f32> = seq(n, 4.0).iter().map(|&x| x as f32).collect();
            let init = |seed| -> Vec<f32> { seq(n, seed).iter().map(|&x| x as f32).collect() };
            // Adam's update with the course's constants.
            let adam = |p: &mut f32, v: &mut f32, s: &mut f32, g: f32| {
                *v = 0.9f32.mul_add(*v, 0.1 * g);
                *s = 0.999f32.mul_add(*s, 0.001 * g * g);
                *p -= 0.01 * (*v / 0.1) / ((*s / 0.001).sqrt() + 1e-8);
            };
            let s_abs: Vec<f32> = init(7.0).into_iter().map(f32::abs).collect();
            let (mut p, mut v, mut s) = (init(5.0), init(6.0), s_abs);
            let (mut p_ref, mut v_ref, mut s_ref) = (p.clone(), v.clone(), s.clone());
            update3(&mut p, &mut v, &mut s, &g, adam);
            for i in 0..n {
                adam(&mut p_ref[i], &mut v_ref[i], &mut s_ref[i], g[i]);
            }
            assert_eq!(bits32(&p), bits32(&p_ref), "update3 p, n = {n}");
            assert_eq!(bits32(&v), bits32(&v_ref), "update3 v, n = {n}");
            assert_eq!(bits32(&s), bits32(&s_ref), "update3 s, n = {n}");

            let momentum = |p: &mut f32, v: &mut f32, g: f32| {
                *v = 0.9f32.mul_add(*v, 0.1 * g);
                *p -= 0.01 * *v;
            };
            let (mut p, mut v) = (init(8.0), init(9.0));
            let (mut p_ref, mut v_ref) = (p.clone(), v.clone());
            update2(&mut p, &mut v, &g, momentum);
            for i in 0..n {
                momentum(&mut p_ref[i], &mut v_ref[i], g[i]);
            }
            assert_eq!(bits32(&p), bits32(&p_ref), "update2 p, n = {n}");
            assert_eq!(bits32(&v), bits32(&v_ref), "update2 v, n = {n}");
        }
    }

    #[test]
    fn sum_chunks_wide_adds_each_row_left_to_right() {
        for rows in [1, 5, 255, 256, 300] {
            let cols = 9;
            let (o0, a) = (seq(rows, 1.0), seq(rows * cols, 2.0));
            let mut o = o0.clone();
            sum_chunks_wide(&mut o, &a);
            for i in 0..rows {
                let want = (0..cols).fold(o0[i], |acc, c| acc + a[c * rows + i]);
                assert_eq!(o[i].to_bits(), want.to_bits(), "rows = {rows}, i = {i}");
            }
        }
    }

    #[test]
    fn update_chunks_applies_the_vector_to_every_chunk() {
        for rows in [1, 5, 255, 256, 300] {
            let cols = 7;
            let (o0, v) = (seq(rows * cols, 1.0), seq(rows, 2.0));
            let mut o = o0.clone();
            update_chunks(&mut o, &v, |o, v| o + v);
            for (i, (&got, &was)) in o.iter().zip(&o0).enumerate() {
                assert_eq!(got.to_bits(), (was + v[i % rows]).to_bits(), "rows = {rows}, i = {i}");
            }
        }
    }

    fn bits(x: &[f64]) -> Vec<u64> {
        x.iter().map(|x| x.to_bits()).collect()
    }

    fn bits32(x: &[f32]) -> Vec<u32> {
        x.iter().map(|x| x.to_bits()).collect()
    }
}
