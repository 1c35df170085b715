//! `predict` allocates nothing: a global allocator counts this thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use descent_infer::{Activation, Model, Output, Standardize, predict, predict_class};

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

/// Counts allocations per thread, then defers to the system allocator.
struct Counting;

// SAFETY: every call is forwarded unchanged to `System`; the counter is a thread-local `Cell`
// with const initialisation, which never allocates.
#[allow(unsafe_code)]
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

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    COUNT.with(Cell::get)
}

const W1: [f64; 6] = [0.5, -1.0, 1.5, 0.25, -0.75, 2.0];
const W2: [f64; 9] = [1.0, -2.0, 0.5, 0.0, 1.0, -1.0, 2.0, 0.5, 0.25];

#[test]
fn the_counter_sees_an_allocation() {
    let before = allocations();
    let v = std::hint::black_box(vec![1_u8; 3]);
    assert_eq!(allocations(), before + 1, "{v:?}");
}

#[test]
fn predict_and_predict_class_allocate_nothing() {
    for activation in [Activation::Relu, Activation::Tanh] {
        for (output, width) in [(Output::Softmax, 3), (Output::Linear, 3), (Output::Sigmoid, 1)] {
            let model = Model {
                layers: &[2, 3, width],
                weights: &[&W1, &W2[..3 * width]],
                biases: &[&[0.1, 0.2, 0.3], &[0.5, -0.5, 0.0][..width]],
                activation,
                output,
                standardize: Some(Standardize { mean: &[1.0, 2.0], std: &[0.5, 0.0] }),
            };
            let mut scratch = [0.0; 6];
            let mut out = [0.0; 3];
            let before = allocations();
            for i in 0..100 {
                let x = [f64::from(i) * 0.1, -1.0];
                predict(&model, &x, &mut scratch, &mut out[..width]).unwrap();
                if output.is_classifier() {
                    predict_class(&model, &x, &mut scratch, &mut out[..width]).unwrap();
                }
                // Errors allocate nothing either.
                assert!(predict(&model, &x[..1], &mut scratch, &mut out[..width]).is_err());
            }
            assert_eq!(allocations(), before, "{activation:?} {output:?}");
        }
    }
}
