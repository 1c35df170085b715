#[macro_use]
mod macros;
