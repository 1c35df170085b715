//! The integration tests of descent-infer: its math against std, its forward pass against
//! descent-train's, its errors, and its allocations.

mod agreement;
mod errors;
mod math;
mod no_alloc;
mod source;
