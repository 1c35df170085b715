//! Integration tests of descent-train: gradient checks, allocation, determinism, backend
//! agreement after training, and the classic optimizer comparison.

mod alloc_count;
mod classic;
mod divergence;
mod dropout;
mod gradient_check;
mod hook;
mod json;
mod metrics;
mod no_alloc;
mod plateau;
mod prefetch;
mod regularization;
mod reproducible;
mod resume;
mod stopping;

#[global_allocator]
static ALLOC: alloc_count::Counting = alloc_count::Counting;
