//! Backend agreement tests for descent: everything lives in `tests/it/`.
