//! The integration tests of descent-export.

mod models;
mod rust_compile;
mod rust_text;
