//! This crate's own source text, for code generators that inline it (descent-export).
//!
//! Each entry is `(module, text)`. The modules name each other only through `super::`, hold
//! no test code and no doc examples, and use nothing but `core`, so a generator can paste them
//! as the submodules of one inline module (`mod infer { pub mod error { … } … }`) of any
//! crate, `no_std` or not, and reach the items as `infer::forward::predict`,
//! `infer::model::Model`, `infer::kind::Output` and so on. The texts are string constants:
//! they take no space in a program that does not use them.

/// The modules `error`, `float`, `forward`, `kind` and `model` with their text, in the order
/// of their names.
pub const MODULES: [(&str, &str); 5] = [
    ("error", include_str!("error.rs")),
    ("float", include_str!("float.rs")),
    ("forward", include_str!("forward.rs")),
    ("kind", include_str!("kind.rs")),
    ("model", include_str!("model.rs")),
];
