//! Runtime dispatch of the elementwise loops to AVX2 + FMA and to AVX-512, where the CPU has
//! them, whatever target the crate was built for.
//!
//! Every loop here ([`map`], [`zip`], [`update`], …) exists in three copies:
//!
//! - **inline**, for the build's baseline, in the caller;
//! - **AVX2 + FMA** (multiversion's `target` attribute), for a build whose baseline lacks them:
//!   the generic x86-64 target, which is what a crate embedding descent gets by default and
//!   what the workspace builds. There, outside these copies, `f32::mul_add` is a call into
//!   libm for every element and vectors are 128 bits wide (`axpy` on 1,000 f32: 2.0 µs inline,
//!   70 ns in this copy; `cargo xtask kernel-timings`);
//! - **AVX-512** (F, BW, CD, DQ, VL), for work of at least [`DISPATCH_MIN_LEN`] elements on a
//!   CPU that has it.
//!
//! An op picks the copy once, for its whole matrix ([`route`]), and passes the [`Route`] to
//! each loop call (one per column on a padded backend). Each copy is a function compiled with
//! its features whose body is the `#[inline(always)]` loop with the caller's per-element
//! closure inlined into it; the closure stays small, so the compiler inlines it (a whole op
//! passed as one closure was not inlined, and ran at baseline speed inside the AVX-512 copy).
//!
//! [`level`] asks multiversion's dispatcher once which copies this CPU can run and caches the
//! answer in an atomic; every later [`route`] is one load and a branch. The branch is not free
//! on tiny work: measured with criterion on a 320-element ReLU (the course's 5×64 layer), the
//! cached branch cost about +10 ns when it led to a call. So in a build whose baseline already
//! has AVX2 + FMA (x86-64-v3), work shorter than [`DISPATCH_MIN_LEN`] skips the dispatch and
//! runs inline; in a generic build it takes the AVX2 copy whatever its length (a call costs
//! less than one libm `fmaf`).
//!
//! **Results do not depend on the copy.** The loops apply the caller's closure to each
//! element on its own, in order; a wider vector only does more elements per instruction. Rust
//! never fuses `a * b + c` into an FMA by itself, so every copy rounds alike; where a closure
//! calls `mul_add`, each copy computes the exactly rounded fused product-sum (the FMA
//! instruction, or libm's `fma`, which returns the same value).

#![allow(unsafe_code)] // Calls of the feature-enabled copies, each after the CPU was checked.

use std::sync::atomic::{AtomicU8, Ordering};

use multiversion::multiversion;

mod loops;

pub use loops::{
    fold, map, sum_chunks_wide, update, update_chunks, update_with, update2, update3, zip,
};

/// Work shorter than this runs inline in a build whose baseline has AVX2 + FMA, without the
/// dispatch branch, and never takes the AVX-512 copy. At this length a loop takes 150 ns or more
/// on AVX2, so the branch is noise, while the work of small networks (the course's 64–320
/// elements, a 64×32 layer's 2,048) is untouched.
pub const DISPATCH_MIN_LEN: usize = 4096;

/// Which compiled copy of the elementwise loops this CPU can run at best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimdLevel {
    /// The AVX-512 copy (x86-64 with AVX-512 F/BW/CD/DQ/VL).
    Avx512,
    /// The AVX2 + FMA copy (x86-64-v3 and later: Intel since Haswell, AMD since Excavator).
    Avx2,
    /// The build's baseline only (another architecture, or an x86-64 CPU without AVX2 + FMA).
    Baseline,
}

impl SimdLevel {
    /// A short name for reports: `"avx512"`, `"avx2"` or `"baseline"`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SimdLevel::Avx512 => "avx512",
            SimdLevel::Avx2 => "avx2",
            SimdLevel::Baseline => "baseline",
        }
    }
}

/// Whether this build's baseline already has AVX2 and FMA (a `-C target-cpu=x86-64-v3` build
/// does; the generic x86-64 target, which the workspace builds, does not).
pub const BASELINE_HAS_AVX2_FMA: bool =
    cfg!(all(target_arch = "x86_64", target_feature = "avx2", target_feature = "fma"));

/// The best copy this CPU runs: asked of multiversion's dispatcher on the first call, then
/// read from a cache.
#[must_use]
#[inline]
pub fn level() -> SimdLevel {
    match LEVEL.load(Ordering::Relaxed) {
        AVX512 => SimdLevel::Avx512,
        AVX2 => SimdLevel::Avx2,
        BASELINE => SimdLevel::Baseline,
        _ => detect_level(),
    }
}

/// The cached [`level`]: `UNKNOWN` until the first call.
static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const BASELINE: u8 = 1;
const AVX2: u8 = 2;
const AVX512: u8 = 3;

#[cold]
fn detect_level() -> SimdLevel {
    let level = selected_level();
    let code = match level {
        SimdLevel::Avx512 => AVX512,
        SimdLevel::Avx2 => AVX2,
        SimdLevel::Baseline => BASELINE,
    };
    LEVEL.store(code, Ordering::Relaxed);
    level
}

#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl",
    "x86_64+avx+avx2+fma"
))]
fn selected_level() -> SimdLevel {
    let avx512 = multiversion::target::target_cfg_f!(target_feature = "avx512f");
    let avx2 =
        multiversion::target::target_cfg_f!(all(target_feature = "avx2", target_feature = "fma"));
    match (avx512, avx2) {
        (true, _) => SimdLevel::Avx512,
        (false, true) => SimdLevel::Avx2,
        (false, false) => SimdLevel::Baseline,
    }
}

/// The copies of a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The build's baseline, inline in the caller.
    Inline,
    /// The AVX2 + FMA copy.
    Avx2,
    /// The AVX-512 copy.
    Avx512,
}

/// Which copy of a loop runs: the argument every loop of this module takes first.
///
/// Made only by [`route`] or [`Route::forced`], which name a copy only when this CPU runs it;
/// so the loops, safe functions, may call the feature-enabled copy a `Route` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route(Variant);

impl Route {
    /// The inline copy, which every CPU runs.
    pub const INLINE: Route = Route(Variant::Inline);

    /// The route to `variant` when this CPU runs it, else `None` (for tests and benchmarks
    /// that compare the copies).
    #[must_use]
    pub fn forced(variant: Variant) -> Option<Route> {
        let runs = match variant {
            Variant::Inline => true,
            Variant::Avx2 => level() != SimdLevel::Baseline,
            Variant::Avx512 => level() == SimdLevel::Avx512,
        };
        runs.then_some(Route(variant))
    }

    /// The copy this route names.
    #[must_use]
    pub fn variant(self) -> Variant {
        self.0
    }
}

/// Which copy of the loops runs work of `len` elements on this CPU, in this build: chosen once
/// per op (for the whole matrix) and passed to every loop call of that op.
#[must_use]
#[inline(always)]
pub fn route(len: usize) -> Route {
    if BASELINE_HAS_AVX2_FMA {
        if len >= DISPATCH_MIN_LEN && level() == SimdLevel::Avx512 {
            return Route(Variant::Avx512);
        }
        return Route::INLINE;
    }
    match level() {
        SimdLevel::Avx512 if len >= DISPATCH_MIN_LEN => Route(Variant::Avx512),
        SimdLevel::Avx512 | SimdLevel::Avx2 => Route(Variant::Avx2),
        SimdLevel::Baseline => Route::INLINE,
    }
}

/// Clears the upper halves of the vector registers (`vzeroupper`) in a build whose baseline
/// lacks AVX2, on a CPU that has AVX; does nothing otherwise.
///
/// For a caller of a library routine that returns with them dirty: faer's x86 GEMM kernels do
/// (docs/dependencies.md, trap 3), and every legacy-SSE instruction of the same thread
/// afterwards — all scalar floating-point code of a generic x86-64 build — then runs several
/// times slower until the next `vzeroupper` (measured on AMD Zen 5: an Adam update of 1M f32
/// after a faer GEMM took 3.3 ms instead of 0.76). Code compiled with AVX (this module's
/// copies, a x86-64-v3 build) is VEX-encoded and unaffected, so there it is not needed.
#[inline]
pub fn clear_upper_registers() {
    #[cfg(target_arch = "x86_64")]
    if !BASELINE_HAS_AVX2_FMA && level() != SimdLevel::Baseline {
        // SAFETY: a level above `Baseline` means the CPU has AVX2, hence AVX.
        unsafe { vzeroupper() };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn vzeroupper() {
    std::arch::x86_64::_mm256_zeroupper();
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
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma");
            let avx512 = has!("avx512f") && has!("avx512bw") && has!("avx512vl");
            match selected {
                SimdLevel::Avx512 => assert!(avx512),
                SimdLevel::Avx2 => assert!(avx2 && !has!("avx512f")),
                SimdLevel::Baseline => assert!(!avx2),
            }
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
            map(route(n), &mut o, &a, |x| f(x, 0.5));
            let want: Vec<f64> = a.iter().map(|&x| f(x, 0.5)).collect();
            assert_eq!(bits(&o), bits(&want), "map, n = {n}");

            zip(route(n), &mut o, &a, &b, f);
            let want: Vec<f64> = a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect();
            assert_eq!(bits(&o), bits(&want), "zip, n = {n}");

            let mut o = c.clone();
            update(route(n), &mut o, |x| f(x, 2.0));
            let want: Vec<f64> = c.iter().map(|&x| f(x, 2.0)).collect();
            assert_eq!(bits(&o), bits(&want), "update, n = {n}");

            let mut o = c.clone();
            update_with(route(n), &mut o, &a, f);
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
            update3(route(n), &mut p, &mut v, &mut s, &g, adam);
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
            update2(route(n), &mut p, &mut v, &g, momentum);
            for i in 0..n {
                momentum(&mut p_ref[i], &mut v_ref[i], g[i]);
            }
            assert_eq!(bits32(&p), bits32(&p_ref), "update2 p, n = {n}");
            assert_eq!(bits32(&v), bits32(&v_ref), "update2 v, n = {n}");
        }
    }

    /// Every copy this CPU can run, forced, gives the inline loop's bits — in the workspace's
    /// generic build and (CI tests descent-core for x86-64-v3 too) in one whose baseline has
    /// FMA.
    #[test]
    fn every_copy_gives_the_same_bits() {
        let routes: Vec<Route> = [Variant::Inline, Variant::Avx2, Variant::Avx512]
            .into_iter()
            .filter_map(Route::forced)
            .collect();
        assert_eq!(
            routes.len(),
            1 + usize::from(level() != SimdLevel::Baseline)
                + usize::from(level() == SimdLevel::Avx512)
        );
        for n in LENS {
            let (a, b) = (seq(n, 1.0), seq(n, 2.0));
            let f = |x: f64, y: f64| x.mul_add(y, 0.25) / (1.0 + y * y);
            let want: Vec<f64> = a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect();
            let sum = a.iter().fold(0.0, |acc, &x| x.mul_add(x, acc));
            for &r in &routes {
                let mut got = vec![0.0; n];
                zip(r, &mut got, &a, &b, f);
                assert_eq!(bits(&got), bits(&want), "{r:?}, n = {n}");
                let folded = fold(r, &a, 0.0, |acc, x| x.mul_add(x, acc));
                assert_eq!(folded.to_bits(), sum.to_bits(), "fold {r:?}, n = {n}");
            }
        }
    }

    #[test]
    fn sum_chunks_wide_adds_each_row_left_to_right() {
        for rows in [1, 5, 255, 4096, 4100] {
            let cols = 9;
            let (o0, a) = (seq(rows, 1.0), seq(rows * cols, 2.0));
            let mut o = o0.clone();
            sum_chunks_wide(route(a.len()), &mut o, &a);
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
            update_chunks(route(o.len()), &mut o, &v, |o, v| o + v);
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
