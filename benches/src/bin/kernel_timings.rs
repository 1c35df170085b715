//! The elementwise kernels and the course step, timed in whatever build this binary came from:
//! the workspace's build is the generic x86-64 target, the same as any embedder's default build.
//!
//! ```text
//! kernel-timings            # one table: axpy, Adam, the course step, faer's register trap
//! ```
//!
//! `cargo xtask kernel-timings` builds this binary twice — as the workspace builds it (the
//! generic x86-64 target, like any crate that embeds descent) and for x86-64-v3 — runs both
//! and prints them side by side. Every figure is the median of 15 batches, each timing enough
//! repetitions to last about 2 ms.
//!
//! - `axpy 1,000 f32`: `Backend::axpy` on a 1,000 × 1 matrix (nalgebra; one contiguous slice);
//! - `adam 1M f32`: one Adam update of a 1,000 × 1,000 parameter on faer;
//! - `adam 1M f32 after a faer GEMM`: the same update with a 256³ faer GEMM before each one,
//!   timed alone: faer's kernels return without `vzeroupper`, and the legacy-SSE code that
//!   follows on the same thread runs several times slower unless something clears them
//!   (docs/dependencies.md, trap 3) — this row is the trap's probe;
//! - `adam kernel 1M f32, <copy>`: the fused Adam loop alone (`descent_core::simd::update3`)
//!   over 1M contiguous f32, forced into each copy this CPU runs (inline, AVX2 + FMA,
//!   AVX-512): the speed-up of the AVX-512 copies over the AVX2 ones;
//! - `course step`: forward, cost, backward and Adam of the course network on a batch of 64
//!   (`descent_benches::step::COURSE`), per backend.

use std::hint::black_box;
use std::time::{Duration, Instant};

use descent_benches::step::{COURSE, Step};
use descent_core::simd::{self, Route, Variant};
use descent_core::{Backend, Trans};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};

/// The median time of one call of `f`, in nanoseconds (15 batches of about 2 ms each).
/// `untimed` runs before every call and is not counted.
fn median_ns(mut untimed: impl FnMut(), mut f: impl FnMut()) -> f64 {
    let reps = {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_millis(2) || n < 3 {
            untimed();
            f();
            n += 1;
        }
        n
    };
    let mut batches: Vec<f64> = (0..15)
        .map(|_| {
            let mut total = Duration::ZERO;
            for _ in 0..reps {
                untimed();
                let start = Instant::now();
                f();
                total += start.elapsed();
            }
            total.as_nanos() as f64 / f64::from(reps)
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[batches.len() / 2]
}

fn axpy_ns() -> f64 {
    let x = Nalgebra::from_col_major(1000, 1, &vec![0.5f32; 1000]).expect("shape");
    let mut out = <Nalgebra as Backend<f32>>::zeros(1000, 1);
    median_ns(
        || {},
        || <Nalgebra as Backend<f32>>::axpy(black_box(&mut out), 1e-3, &x).expect("shape"),
    )
}

fn adam_ns(dirty: bool) -> f64 {
    let mut params = vec![descent_benches::seeded_matrix::<f32, Faer>(1000, 1000, 1)];
    let grads = vec![descent_benches::seeded_matrix::<f32, Faer>(1000, 1000, 2)];
    let mut adam = OptimizerConfig::Adam(AdamConfig::default()).build::<f32, Faer>().expect("adam");
    adam.init(&params).expect("init");
    let a = descent_benches::seeded_matrix::<f32, Faer>(256, 256, 3);
    let mut c = <Faer as Backend<f32>>::zeros(256, 256);
    let gemm = || {
        if dirty {
            <Faer as Backend<f32>>::gemm(&mut c, 1.0, &a, Trans::No, &a, Trans::No, 0.0)
                .expect("shape");
        }
    };
    median_ns(gemm, || adam.step(black_box(&mut params), &grads, 1e-9).expect("step"))
}

/// The fused Adam loop over 1M f32 in the copy `route` names (the CPU must run it).
fn adam_kernel_ns(route: Route) -> f64 {
    let n = 1_000_000;
    let (mut p, mut v, mut s) = (vec![0.5f32; n], vec![0.0f32; n], vec![0.0f32; n]);
    let g: Vec<f32> = (0..n).map(|i| (i % 17) as f32 * 1e-3 - 8e-3).collect();
    let (b1, b2, lr, c1, c2, eps) = (0.9f32, 0.999f32, 1e-9f32, 0.1f32, 0.001f32, 1e-8f32);
    let adam = |p: &mut f32, v: &mut f32, s: &mut f32, g: f32| {
        *v = b1.mul_add(*v, (1.0 - b1) * g);
        *s = b2.mul_add(*s, (1.0 - b2) * g * g);
        *p -= lr * (*v / c1) / ((*s / c2).sqrt() + eps);
    };
    median_ns(|| {}, || simd::update3(route, black_box(&mut p), &mut v, &mut s, &g, adam))
}

fn step_ns<B: Backend<f32>>() -> f64 {
    let mut step = Step::<f32, B>::new(&COURSE).expect("course step");
    median_ns(
        || {},
        || {
            black_box(step.run().expect("step"));
        },
    )
}

fn main() {
    let copies = [
        ("adam kernel 1M f32, inline copy", Variant::Inline),
        ("adam kernel 1M f32, AVX2 copy", Variant::Avx2),
        ("adam kernel 1M f32, AVX-512 copy", Variant::Avx512),
    ];
    let kernels: Vec<(&str, f64)> = copies
        .into_iter()
        .filter_map(|(name, v)| Route::forced(v).map(|r| (name, adam_kernel_ns(r))))
        .collect();
    let rows: [(&str, f64); 6] = [
        ("axpy 1,000 f32 (nalgebra)", axpy_ns()),
        ("adam 1M f32 (faer)", adam_ns(false)),
        ("adam 1M f32 after a faer GEMM", adam_ns(true)),
        ("course step f32, nalgebra", step_ns::<Nalgebra>()),
        ("course step f32, faer", step_ns::<Faer>()),
        ("course step f32, ndarray", step_ns::<Ndarray>()),
    ];
    println!("simd level: {}", simd::level().name());
    for (name, ns) in rows.into_iter().chain(kernels) {
        println!("{name}\t{ns:.1} ns");
    }
}
