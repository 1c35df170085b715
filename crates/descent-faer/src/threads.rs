//! The process-wide thread count of the faer backend's GEMM.

use std::sync::atomic::{AtomicUsize, Ordering};

use faer::Par;

/// The thread count GEMM may use; 1 (sequential) until [`set_threads`] changes it.
static THREADS: AtomicUsize = AtomicUsize::new(1);

/// Products with `m·n·k` below this many multiply-adds (512·512·256 = 2²⁶) always run
/// sequentially: splitting them across threads costs more than it saves.
///
/// Measured with faer 0.24.4 in f32 on a 2-core AMD EPYC (Zen 5, AVX-512), shared (load
/// average 4–5 on 2 cores, so the figures are pessimistic for the second thread):
/// - the `tabular` workload's products (32-256-128-1 at batch 128: 1–4.2 M multiply-adds
///   each) on their own (`workload ceiling tabular faer f32 <threads>`): 199 GFLOP/s on 1
///   thread, 135 on 2 (twice each); the whole `descent train` run took 0.75–1.02 s on 1
///   thread and 1.12–1.42 s on 2 with the old threshold of 64³;
/// - whole-process `descent train` on 12,500 teacher examples, 4 epochs, best of 3, 1 thread
///   against 2: hidden 256,256 at batch 256 (largest product 16.8 M) 0.14 s against 0.21;
///   384,384 at 128 (18.9 M) 0.27 against 0.30; 512,512 at 128 (33.5 M) 0.46 against 0.45
///   and 0.53 against 0.37 (break-even); 512,512 at 256 (67 M) 0.49 against 0.49;
/// - `wide` (784-1024-1024-1 at batch 256: 205–268 M each), where the second thread pays on
///   an unloaded machine: 33.5 ms a step on 1 thread, 20.5 on 2 (`cargo xtask bench`, README).
///
/// With this threshold, same machine at load average about 1, whole `descent train`, 5 runs
/// alternating, median: `tabular` 0.616 s with `--threads 1`, 0.611 with `--threads 2`, 0.612
/// without `--threads` (with 64³ it had been 0.75–0.82 s against 0.78–0.85 without
/// `--threads`); `wide` (16,384 examples, 1 epoch) 0.942 s, 0.611 and 0.599.
///
/// Below break-even the rayon fork-join per product (waking the other worker, splitting the
/// output, joining) costs more than half a product that takes tens of microseconds.
pub const PAR_THRESHOLD: usize = 512 * 512 * 256;

/// Sets how many threads [`Faer`](crate::Faer)'s GEMM may use, for the whole process.
///
/// This is the one process-wide setting of the dense math: the command line sets it once,
/// before the first GEMM. `0` is read as `1`. With more than one thread, products of at least
/// [`PAR_THRESHOLD`] multiply-adds run on rayon's global pool through `faer::Par::rayon`; the
/// pool's own size (`RAYON_NUM_THREADS`, default: all cores) still bounds the real parallelism.
/// Matrix·vector products (one row or one column in the output) always run sequentially.
///
/// Results do not depend on this setting: faer's parallel GEMM splits only the output's rows
/// and columns, never the sum over `k`, so each element is computed in the same order.
///
/// # Example
/// ```
/// descent_faer::set_threads(2);
/// assert_eq!(descent_faer::threads(), 2);
/// descent_faer::set_threads(1);
/// ```
pub fn set_threads(n: usize) {
    THREADS.store(n.max(1), Ordering::Relaxed);
}

/// The thread count set by [`set_threads`]; 1 by default.
#[must_use]
pub fn threads() -> usize {
    THREADS.load(Ordering::Relaxed)
}

/// The parallelism for an `m × k` by `k × n` product under the current setting.
pub(crate) fn par_for(m: usize, n: usize, k: usize) -> Par {
    par_with(threads(), m, n, k)
}

/// The parallelism for an `m × k` by `k × n` product on at most `n_threads` threads.
///
/// Matrix·vector shapes (`m == 1` or `n == 1`) always run sequentially: faer's parallel
/// matrix·vector product splits the inner dimension `k` across threads and adds the partial
/// sums, so its rounding would depend on the thread count (measured with faer 0.24.4), and it
/// allocates a scratch buffer on every call. faer's parallel GEMM splits only the rows and
/// columns of the output, so every other shape gives bit-identical results on any number of
/// threads (tested in `backend.rs` for shapes up to `64×8192·8192×64`).
pub(crate) fn par_with(n_threads: usize, m: usize, n: usize, k: usize) -> Par {
    let work = m.saturating_mul(n).saturating_mul(k);
    if n_threads <= 1 || m == 1 || n == 1 || work < PAR_THRESHOLD {
        Par::Seq
    } else {
        Par::rayon(n_threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_products_and_one_thread_run_sequentially() {
        // Other tests never change the setting, so this test owns it; it restores 1.
        assert_eq!(threads(), 1);
        assert!(matches!(par_for(512, 512, 512), Par::Seq));
        set_threads(0);
        assert_eq!(threads(), 1);
        set_threads(2);
        assert!(matches!(par_for(511, 512, 256), Par::Seq));
        assert!(matches!(par_for(512, 512, 256), Par::Rayon(n) if n.get() == 2));
        // `tabular`'s largest products stay sequential, `wide`'s go parallel.
        assert!(matches!(par_for(128, 128, 256), Par::Seq));
        assert!(matches!(par_for(256, 128, 128), Par::Seq));
        assert!(matches!(par_for(1024, 256, 784), Par::Rayon(_)));
        assert!(matches!(par_for(1024, 256, 1024), Par::Rayon(_)));
        assert!(matches!(par_for(usize::MAX, 2, 2), Par::Rayon(_)));
        assert!(matches!(par_for(4096, 1, 4096), Par::Seq));
        assert!(matches!(par_for(1, 4096, 4096), Par::Seq));
        set_threads(1);
        assert_eq!(threads(), 1);
    }
}
