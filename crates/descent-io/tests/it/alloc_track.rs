//! A global allocator that counts, per thread, the allocations made and remembers the largest
//! single request since the last reset: the no-allocation tests count steps' allocations, the
//! fuzz tests check that no input makes a reader allocate beyond a bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting each thread's allocations and recording its largest request.
pub struct Tracking;

fn record(size: usize) {
    // `try_with`: the slots may be gone while the thread shuts down; const-initialised
    // thread-locals never allocate.
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The largest allocation this thread made since the last call, and a reset.
pub fn take_largest() -> usize {
    LARGEST.with(|l| l.replace(0))
}

/// Allocations made by this thread so far.
pub fn allocations() -> u64 {
    COUNT.with(Cell::get)
}
