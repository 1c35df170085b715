//! The subcommands, on top of the layers: each resolves its flags (`spec`), plans its data
//! (`plan`), trains (`session`) and reports (`output`).

pub mod compare;
pub mod course;
pub mod cv;
pub mod encode;
pub mod eval;
pub mod export;
pub mod generate;
pub mod predict;
pub mod train;
pub mod tune;
