//! Integration tests of descent-io: training from memory-mapped `.npy` files.

mod stream;
