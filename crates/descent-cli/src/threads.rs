//! The dense-math thread count of a command, applied once to every GEMM library.

use std::num::NonZeroUsize;

/// The count of the commands that run small products or none (`eval`, `predict`, `course`,
/// `gen`): more threads would only add overhead.
pub const ONE: NonZeroUsize = NonZeroUsize::MIN;

/// Gives every backend's GEMM library `threads` threads, through the facade
/// (`descent::set_threads`). Each command calls it once, right after resolving its flags and
/// before anything that starts a thread (the Ctrl-C handler, a prefetching worker, a GEMM).
#[allow(unsafe_code)] // The binary's one environment write; see the SAFETY comment.
pub fn set(threads: NonZeroUsize) {
    // SAFETY: every command calls this before it starts a thread: argument parsing, resolving
    // the run and reading a checkpoint start none, so the process has a single thread and
    // nothing reads or writes the environment at the same time.
    unsafe { descent::set_threads(threads) };
}
