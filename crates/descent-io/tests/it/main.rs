//! Integration tests of descent-io: exact resume through checkpoint files on every backend,
//! and the file readers fuzzed with arbitrary and mutated inputs.

mod alloc_track;
mod fuzz;
mod resume;

#[global_allocator]
static ALLOC: alloc_track::Tracking = alloc_track::Tracking;
