//! Integration tests of descent-io: exact resume through checkpoint files on every backend,
//! the file readers fuzzed with arbitrary and mutated inputs, and training from memory-mapped
//! `.npy` files (bounded private memory, no allocation per step).

mod alloc_track;
mod fuzz;
mod no_alloc;
mod resume;
mod stream;

#[global_allocator]
static ALLOC: alloc_track::Tracking = alloc_track::Tracking;
