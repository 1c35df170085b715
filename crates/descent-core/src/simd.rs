//! Runtime dispatch of the elementwise slice loops to AVX-512, where the CPU has it.
//!
//! The workspace is built for x86-64-v3 (AVX2 + FMA, `.cargo/config.toml`), which every
//! x86-64 CPU since 2013–2015 runs; a binary built with `target-cpu=native` on an AVX-512
//! machine would crash on the others. Instead, each loop here is compiled twice: inline for
//! the build's baseline, and as a separate function with AVX-512 (F, BW, CD, DQ, VL) enabled
//! (multiversion's `target` attribute). [`level`] asks multiversion's dispatcher once which
//! clone this CPU gets — AVX-512 only with Ice Lake's extensions too (VBMI2 and the rest:
//! Intel Ice Lake and later, AMD Zen 4 and later), where 512-bit code does not lower the
//! clock — and caches the answer in an atomic; every later call is one load and a branch.
//!
//! The dispatch branch is not free on tiny slices: measured with criterion on a 320-element
//! ReLU (the course's 5×64 layer), multiversion's own dispatcher cost +10–15 ns (1.4–1.5×)
//! and even the cached branch about +10 ns, while below the threshold the loop ran as fast
//! as before. So slices shorter than [`DISPATCH_MIN_LEN`] skip the dispatch entirely and run
//! the baseline loop inlined into the caller; longer ones (≥ 150 ns of work) branch once.
//!
//! **Results do not depend on the clone.** The loops apply the caller's closure to each
//! element on its own, in order; a wider vector only does more elements per instruction.
//! Rust never fuses `a * b + c` into an FMA by itself, so both clones round alike; where a
//! closure calls `mul_add`, both use the FMA instruction (x86-64-v3 has it).

#![allow(unsafe_code)] // Calls of the AVX-512 clones, each after `wide` checked the CPU.

use std::sync::atomic::{AtomicU8, Ordering};

use multiversion::multiversion;

/// Slices shorter than this run the baseline loop inline, without the dispatch branch. At
/// this length a loop takes 150 ns or more on AVX2, so the branch is noise, while the slices
/// of small networks (the course's 64–320 elements, a 64×32 layer's 2,048) are untouched.
pub const DISPATCH_MIN_LEN: usize = 4096;

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

/// The clone the dispatched loops run on this CPU: asked of multiversion's dispatcher on the
/// first call, then read from a cache.
#[must_use]
#[inline]
pub fn level() -> SimdLevel {
    match LEVEL.load(Ordering::Relaxed) {
        AVX512 => SimdLevel::Avx512,
        BASELINE => SimdLevel::Baseline,
        _ => detect_level(),
    }
}

/// The cached [`level`]: `UNKNOWN` until the first call.
static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const BASELINE: u8 = 1;
const AVX512: u8 = 2;

#[cold]
fn detect_level() -> SimdLevel {
    let level = selected_level();
    let code = if level == SimdLevel::Avx512 { AVX512 } else { BASELINE };
    LEVEL.store(code, Ordering::Relaxed);
    level
}

/// Whether a loop over `len` elements runs the AVX-512 clone.
#[inline(always)]
fn wide(len: usize) -> bool {
    len >= DISPATCH_MIN_LEN && level() == SimdLevel::Avx512
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
    #[cfg(target_arch = "x86_64")]
    if wide(o.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { map_avx512(o, a, &f) };
        return;
    }
    map_loop(o, a, &f);
}

#[inline(always)]
fn map_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(a));
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn map_avx512<T: Copy, F: Fn(T) -> T>(o: &mut [T], a: &[T], f: &F) {
    map_loop(o, a, f);
}

/// `o[i] = f(a[i], b[i])`. The slices have equal lengths.
#[inline]
pub fn zip<T: Copy>(o: &mut [T], a: &[T], b: &[T], f: impl Fn(T, T) -> T) {
    debug_assert!(o.len() == a.len() && a.len() == b.len());
    #[cfg(target_arch = "x86_64")]
    if wide(o.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { zip_avx512(o, a, b, &f) };
        return;
    }
    zip_loop(o, a, b, &f);
}

#[inline(always)]
fn zip_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], b: &[T], f: &F) {
    o.iter_mut().zip(a.iter().zip(b)).for_each(|(o, (&a, &b))| *o = f(a, b));
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn zip_avx512<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], b: &[T], f: &F) {
    zip_loop(o, a, b, f);
}

/// `o[i] = f(o[i])`.
#[inline]
pub fn update<T: Copy>(o: &mut [T], f: impl Fn(T) -> T) {
    #[cfg(target_arch = "x86_64")]
    if wide(o.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { update_avx512(o, &f) };
        return;
    }
    update_loop(o, &f);
}

#[inline(always)]
fn update_loop<T: Copy, F: Fn(T) -> T>(o: &mut [T], f: &F) {
    o.iter_mut().for_each(|o| *o = f(*o));
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn update_avx512<T: Copy, F: Fn(T) -> T>(o: &mut [T], f: &F) {
    update_loop(o, f);
}

/// `o[i] = f(o[i], a[i])`. The slices have equal lengths.
#[inline]
pub fn update_with<T: Copy>(o: &mut [T], a: &[T], f: impl Fn(T, T) -> T) {
    debug_assert_eq!(o.len(), a.len());
    #[cfg(target_arch = "x86_64")]
    if wide(o.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { update_with_avx512(o, a, &f) };
        return;
    }
    update_with_loop(o, a, &f);
}

#[inline(always)]
fn update_with_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], f: &F) {
    o.iter_mut().zip(a).for_each(|(o, &a)| *o = f(*o, a));
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn update_with_avx512<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], a: &[T], f: &F) {
    update_with_loop(o, a, f);
}

/// `f(&mut p[i], &mut s[i], g[i])`: a fused update with one state buffer. Equal lengths.
#[inline]
pub fn update2<T: Copy>(p: &mut [T], s: &mut [T], g: &[T], f: impl Fn(&mut T, &mut T, T)) {
    debug_assert!(p.len() == s.len() && s.len() == g.len());
    #[cfg(target_arch = "x86_64")]
    if wide(p.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { update2_avx512(p, s, g, &f) };
        return;
    }
    update2_loop(p, s, g, &f);
}

#[inline(always)]
fn update2_loop<T: Copy, F: Fn(&mut T, &mut T, T)>(p: &mut [T], s: &mut [T], g: &[T], f: &F) {
    for ((p, s), &g) in p.iter_mut().zip(s.iter_mut()).zip(g) {
        f(p, s, g);
    }
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn update2_avx512<T: Copy, F: Fn(&mut T, &mut T, T)>(
    p: &mut [T],
    s: &mut [T],
    g: &[T],
    f: &F,
) {
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
    #[cfg(target_arch = "x86_64")]
    if wide(p.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { update3_avx512(p, s1, s2, g, &f) };
        return;
    }
    update3_loop(p, s1, s2, g, &f);
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

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn update3_avx512<T: Copy, F: Fn(&mut T, &mut T, &mut T, T)>(
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
    debug_assert!(!v.is_empty() && o.len().is_multiple_of(v.len()));
    #[cfg(target_arch = "x86_64")]
    if wide(v.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { update_chunks_avx512(o, v, &f) };
        return;
    }
    update_chunks_loop(o, v, &f);
}

#[inline(always)]
fn update_chunks_loop<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], v: &[T], f: &F) {
    for o in o.chunks_exact_mut(v.len()) {
        o.iter_mut().zip(v).for_each(|(o, &v)| *o = f(*o, v));
    }
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn update_chunks_avx512<T: Copy, F: Fn(T, T) -> T>(o: &mut [T], v: &[T], f: &F) {
    update_chunks_loop(o, v, f);
}

/// `o[i] += Σ_c chunk_c[i]` over the consecutive chunks of `o.len()` elements of `a`, each
/// row summed left to right (a bias gradient of a wide layer). `a.len()` is a multiple of
/// `o.len()`, and `o` is not empty.
#[inline]
pub fn sum_chunks_wide<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    debug_assert!(!o.is_empty() && a.len().is_multiple_of(o.len()));
    #[cfg(target_arch = "x86_64")]
    if wide(o.len()) {
        // SAFETY: `wide` is true only on a CPU with every feature the clone enables.
        unsafe { sum_chunks_avx512(o, a) };
        return;
    }
    sum_chunks_loop(o, a);
}

#[inline(always)]
fn sum_chunks_loop<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    for c in a.chunks_exact(o.len()) {
        o.iter_mut().zip(c).for_each(|(o, &x)| *o += x);
    }
}

#[cfg(target_arch = "x86_64")]
#[multiversion::target("x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl")]
unsafe fn sum_chunks_avx512<T: Copy + std::ops::AddAssign>(o: &mut [T], a: &[T]) {
    sum_chunks_loop(o, a);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lengths around the dispatch threshold and SIMD widths (8/16 f32, 4/8 f64).
    const LENS: [usize; 9] = [0, 1, 15, 17, 255, 4095, 4096, 4097, 10_001];

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
        for rows in [1, 5, 255, 4096, 4100] {
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
        for rows in [1, 5, 255, 4096, 4100] {
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
