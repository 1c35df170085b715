//! The process-wide thread count of the faer backend's GEMM.

use std::sync::atomic::{AtomicUsize, Ordering};

use faer::Par;

/// The thread count GEMM may use; 1 (sequential) until [`set_threads`] changes it.
static THREADS: AtomicUsize = AtomicUsize::new(1);

/// Products with `m·n·k` below this many multiply-adds (64³) always run sequentially:
/// splitting them across threads costs more than it saves.
pub const PAR_THRESHOLD: usize = 64 * 64 * 64;

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
        assert!(matches!(par_for(63, 64, 64), Par::Seq));
        assert!(matches!(par_for(64, 64, 64), Par::Rayon(n) if n.get() == 2));
        assert!(matches!(par_for(usize::MAX, 2, 2), Par::Rayon(_)));
        assert!(matches!(par_for(4096, 1, 4096), Par::Seq));
        assert!(matches!(par_for(1, 4096, 4096), Par::Seq));
        set_threads(1);
        assert_eq!(threads(), 1);
    }
}
