//! Counting allocations: the global allocator of the suite's test binary, and what one GEMM
//! call costs.
//!
//! [`backend_suite!`](crate::backend_suite) installs [`Counting`] as the test binary's
//! `#[global_allocator]` (each `tests/*.rs` file is a binary of its own). It counts per thread,
//! so tests running in parallel do not see each other's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use descent_core::{Backend, Scalar, Trans};

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

/// Counts the allocations of each thread, then defers to the system allocator.
///
/// ```ignore
/// #[global_allocator]
/// static ALLOC: descent_backend_tests::alloc::Counting = descent_backend_tests::alloc::Counting;
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; the counter is a thread-local `Cell`
// with const initialisation, which never allocates.
#[allow(unsafe_code, reason = "a global allocator is an unsafe trait; it forwards to System")]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations made by this thread so far, as [`Counting`] counts them (0 forever when it is
/// not the global allocator: see [`assert_counting`]).
pub fn allocations() -> u64 {
    COUNT.with(Cell::get)
}

/// Panics unless [`Counting`] is the global allocator of this test binary: a `Box::new` must
/// be counted. Without it every allocation count reads 0 and a no-allocation test would pass
/// whatever the code does.
pub fn assert_counting() {
    let before = allocations();
    let boxed = std::hint::black_box(Box::new(0_u64));
    drop(boxed);
    assert!(
        allocations() > before,
        "the allocation counter did not count a Box::new: descent_backend_tests::alloc::Counting \
         is not this test binary's #[global_allocator]. Use `backend_suite!(Backend)`, which \
         installs it, or `backend_suite!(Backend, allocator = own)` in a binary with an \
         allocator of its own, which skips the no-allocation tests"
    );
}

/// The allocations one `B::gemm` call makes on this thread for `out (m × n) = a (m × k) ·
/// b (k × n)` (no transposes, `beta = 0`), measured after a warm-up call of the same shape so
/// that per-thread caches have grown.
///
/// Non-zero for a backend on matrixmultiply when the build lost the workspace's patched copy
/// (`[patch.crates-io] matrixmultiply = { path = ".../vendor/matrixmultiply" }`): the published
/// crate allocates its packing buffer in every call.
///
/// # Panics
/// When [`Counting`] is not the global allocator ([`assert_counting`]), or `B::gemm` fails.
pub fn gemm_allocations<T: Scalar, B: Backend<T>>(m: usize, n: usize, k: usize) -> u64 {
    assert_counting();
    let fill = |rows, cols| {
        let data: Vec<T> = (0..rows * cols).map(|i| T::from_f64((i % 7) as f64 - 3.0)).collect();
        B::from_col_major(rows, cols, &data).expect("a matrix of the right length")
    };
    let (a, b, mut out) = (fill(m, k), fill(k, n), B::zeros(m, n));
    let mut product = || B::gemm(&mut out, T::ONE, &a, Trans::No, &b, Trans::No, T::ZERO);
    product().expect("gemm of matching shapes");
    let before = allocations();
    product().expect("gemm of matching shapes");
    allocations() - before
}
