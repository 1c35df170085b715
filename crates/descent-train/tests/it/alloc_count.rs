//! A global allocator that counts the allocations made by the current thread, and by all
//! threads together (for training that prefetches on a second thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

static ALL_THREADS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

/// Counts allocations per thread, then defers to the system allocator.
pub struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; the counter is a thread-local `Cell`
// with const initialisation, which never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        ALL_THREADS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        ALL_THREADS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations made by this thread so far.
pub fn allocations() -> u64 {
    COUNT.with(Cell::get)
}

/// Allocations made by every thread of the process so far (other tests running in parallel
/// included: count with it only in a process running one test).
pub fn allocations_all_threads() -> u64 {
    ALL_THREADS.load(Ordering::Relaxed)
}

/// Whether this is the process of its own in which test `name` (its path in this test binary)
/// counts [`allocations_all_threads`]. In the ordinary test run it starts this binary again
/// with only that test and `child_var` set, checks that the test passed there, and returns
/// `false` (the caller returns at once); in that child it returns `true`.
pub fn in_own_process(name: &str, child_var: &str) -> bool {
    if std::env::var_os(child_var).is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--test-threads=1", "--nocapture"])
        .env(child_var, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "the child ran the test: {stdout}");
    false
}
