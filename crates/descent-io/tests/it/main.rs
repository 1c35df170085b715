//! Integration tests of descent-io: training from memory-mapped `.npy` files (bounded private
//! memory, no allocation per step).

mod alloc_count;
mod no_alloc;
mod stream;

#[global_allocator]
static ALLOC: alloc_count::Counting = alloc_count::Counting;
