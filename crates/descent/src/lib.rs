//! **descent**: train dense neural networks with the classic optimization methods on the
//! dense-math backend of your choice (work in progress).

pub use descent_core as core;
pub use descent_train as train;
