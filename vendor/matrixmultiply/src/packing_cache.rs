// Copyright 2026 matrixmultiply contributors
//
// Licensed under the Apache License, Version 2.0 or the MIT license, like the
// rest of this crate.

//! A per-thread cache for the GEMM packing buffer.
//!
//! Without it, `gemm_loop` allocates its packing buffer (A~ and B~) with the global
//! allocator on every call and frees it on return, and a program that runs the same
//! products thousands of times per second (a training loop) allocates as often. Here
//! the calling thread keeps its largest buffer so far and hands it out again;
//! worker threads of the `threading` feature only receive pointers into it, as
//! before. The buffer is freed when the thread exits. Alignment is always
//! `CACHE_ALIGN` (the largest any kernel asks for), so one buffer serves f32, f64
//! and complex kernels alike.

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr::null_mut;
use std::alloc::{self, handle_alloc_error, Layout};

/// Alignment of every cached buffer: at least any kernel's `ALIGNMENT`.
const CACHE_ALIGN: usize = 64;

/// A raw allocation of `bytes` bytes aligned to `CACHE_ALIGN` (or empty).
struct RawBuffer {
    ptr: *mut u8,
    bytes: usize,
}

impl Default for RawBuffer {
    fn default() -> Self {
        RawBuffer { ptr: null_mut(), bytes: 0 }
    }
}

impl RawBuffer {
    unsafe fn allocate(bytes: usize) -> Self {
        let layout = Layout::from_size_align_unchecked(bytes, CACHE_ALIGN);
        let ptr = alloc::alloc(layout);
        if ptr.is_null() {
            handle_alloc_error(layout);
        }
        RawBuffer { ptr, bytes }
    }
}

impl Drop for RawBuffer {
    fn drop(&mut self) {
        if !self.ptr.is_null() {
            unsafe {
                alloc::dealloc(
                    self.ptr,
                    Layout::from_size_align_unchecked(self.bytes, CACHE_ALIGN),
                );
            }
        }
    }
}

thread_local! {
    static CACHE: Cell<RawBuffer> = const { Cell::new(RawBuffer { ptr: null_mut(), bytes: 0 }) };
}

/// A packing buffer of at least `nelem` elements, taken from the thread's cache
/// and given back to it on drop.
pub(crate) struct PackingBuffer<T> {
    raw: RawBuffer,
    _elem: PhantomData<*mut T>,
}

impl<T> PackingBuffer<T> {
    /// A buffer for `nelem` elements of `T`, aligned to `align` (at most 64).
    #[inline]
    pub unsafe fn new(nelem: usize, align: usize) -> Self {
        debug_assert!(align <= CACHE_ALIGN && align_of::<T>() <= CACHE_ALIGN);
        let bytes = size_of::<T>() * nelem;
        // `try_with` fails only while the thread's locals are being destroyed:
        // then behave like upstream and allocate a buffer of our own.
        let cached = CACHE.try_with(|cache| cache.take()).unwrap_or_default();
        let raw = if cached.bytes >= bytes && !cached.ptr.is_null() {
            cached
        } else {
            drop(cached);
            RawBuffer::allocate(bytes.max(1))
        };
        PackingBuffer { raw, _elem: PhantomData }
    }

    #[inline]
    pub fn ptr_mut(&mut self) -> *mut T {
        self.raw.ptr as *mut T
    }
}

impl<T> Drop for PackingBuffer<T> {
    fn drop(&mut self) {
        let raw = core::mem::take(&mut self.raw);
        // Keep the larger of this buffer and whatever the cache holds (the cache
        // is empty unless a nested call put one back); the other is freed.
        let _ = CACHE.try_with(move |cache| {
            let other = cache.take();
            if other.bytes > raw.bytes {
                cache.set(other);
            } else {
                cache.set(raw);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_is_reused_and_grows() {
        unsafe {
            let first = {
                let mut b = PackingBuffer::<f64>::new(100, 32);
                b.ptr_mut() as usize
            };
            // A smaller request reuses the cached allocation.
            let again = {
                let mut b = PackingBuffer::<f32>::new(50, 32);
                b.ptr_mut() as usize
            };
            assert_eq!(first, again);
            assert_eq!(first % CACHE_ALIGN, 0);
            // A larger one replaces it, and is itself kept.
            let big = {
                let mut b = PackingBuffer::<f64>::new(100_000, 64);
                let p = b.ptr_mut();
                // The whole requested range is writable.
                for i in 0..100_000 {
                    *p.add(i) = i as f64;
                }
                p as usize
            };
            let reused = {
                let mut b = PackingBuffer::<f64>::new(10, 32);
                b.ptr_mut() as usize
            };
            assert_eq!(big, reused);
        }
    }
}
