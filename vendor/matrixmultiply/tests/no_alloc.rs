//! With the `std` feature, a GEMM call allocates nothing once its thread has run a product
//! at least as large: the packing buffer is kept per thread (`src/packing_cache.rs`).

extern crate matrixmultiply;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Counts the allocations of the calling thread, then defers to the system allocator.
struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The tests run one at a time: with the `threading` feature, a product that finds the
/// thread pool busy with another test's product may allocate in the pool's own code.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

/// `c = a·b` for column-major `m × k` and `k × n` operands.
fn dgemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    unsafe {
        matrixmultiply::dgemm(
            m, k, n, 1.0,
            a.as_ptr(), 1, m as isize,
            b.as_ptr(), 1, k as isize,
            0.0,
            c.as_mut_ptr(), 1, m as isize,
        );
    }
}

fn sgemm(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    unsafe {
        matrixmultiply::sgemm(
            m, k, n, 1.0,
            a.as_ptr(), 1, m as isize,
            b.as_ptr(), 1, k as isize,
            0.0,
            c.as_mut_ptr(), 1, m as isize,
        );
    }
}

/// Shapes from tiny to several blocks in every dimension.
const SHAPES: [(usize, usize, usize); 5] =
    [(1, 1, 1), (7, 5, 3), (64, 64, 64), (300, 200, 100), (513, 257, 1100)];

#[test]
#[cfg(feature = "std")]
fn gemm_calls_after_the_first_allocate_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let len = |(m, k, n): (usize, usize, usize)| (m * k, k * n, m * n);
    for &shape in SHAPES.iter() {
        let (m, k, n) = shape;
        let (la, lb, lc) = len(shape);
        let (a, b, mut c) = (vec![0.5f64; la], vec![0.25f64; lb], vec![0.0f64; lc]);
        let (a32, b32, mut c32) = (vec![0.5f32; la], vec![0.25f32; lb], vec![0.0f32; lc]);
        // The first call may grow the thread's buffer.
        dgemm(m, k, n, &a, &b, &mut c);
        sgemm(m, k, n, &a32, &b32, &mut c32);
        let before = allocations();
        for _ in 0..3 {
            dgemm(m, k, n, &a, &b, &mut c);
            sgemm(m, k, n, &a32, &b32, &mut c32);
        }
        assert_eq!(allocations() - before, 0, "{}×{}·{}×{}: allocations per call", m, k, k, n);
        assert_eq!(c[0], 0.125 * k as f64);
        assert_eq!(c32[lc - 1], 0.125 * k as f32);
    }
}

#[test]
#[cfg(feature = "std")]
fn a_smaller_product_reuses_the_larger_buffer() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (m, k, n) = (400, 300, 500);
    let (a, b, mut c) = (vec![1.0f64; m * k], vec![1.0f64; k * n], vec![0.0f64; m * n]);
    dgemm(m, k, n, &a, &b, &mut c);
    let before = allocations();
    dgemm(m / 2, k / 2, n / 2, &a, &b, &mut c);
    let halves = allocations() - before;
    sgemm(3, 2, 1, &[1.0; 6], &[1.0; 2], &mut [0.0; 3]);
    assert_eq!((halves, allocations() - before), (0, 0));
}
