//! One thread count for the dense math of every enabled backend.
//!
//! Each GEMM library has its own mechanism: faer takes a process setting
//! ([`descent_faer::set_threads`]); matrixmultiply, the GEMM of the ndarray backend and of the
//! nalgebra backend's larger products, reads the environment variable [`MATMUL_THREADS_VAR`]
//! once, at the first product of the process, and has no other setting. [`set_threads`]
//! sets both, so a program states the count once.

use std::num::NonZeroUsize;

/// The environment variable matrixmultiply reads, once, at the first product of the process.
pub const MATMUL_THREADS_VAR: &str = "MATMUL_NUM_THREADS";

/// Lets the GEMM of every enabled backend use `threads` threads. Both libraries split only
/// large products, and only over the output's rows and columns, so results are the same for
/// any count.
///
/// matrixmultiply takes the count only if this runs before its first product; faer's applies
/// from the next product on.
///
/// # Safety
/// This writes the process environment ([`std::env::set_var`]): call it while the process
/// has a single thread (first thing in `main`, before anything that starts a thread), so that
/// nothing reads or writes the environment at the same time.
#[allow(unsafe_code)] // The environment write; see the safety section.
pub unsafe fn set_threads(threads: NonZeroUsize) {
    // SAFETY: the caller guarantees that no other thread exists.
    unsafe { std::env::set_var(MATMUL_THREADS_VAR, threads.to_string()) };
    #[cfg(feature = "faer")]
    descent_faer::set_threads(threads.get());
}
