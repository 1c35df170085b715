//! The Rust source export of a model file.
