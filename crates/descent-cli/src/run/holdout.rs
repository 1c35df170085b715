//! What a run holds out of its examples for validation (`--validation F`, or one fold of
//! `cv`/`tune`); `plan::split` draws the rows.

/// What a run holds out of its examples for validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Holdout {
    /// `--validation F`: this fraction of the rows.
    Fraction(f64),
    /// Fold `fold` (from 0) of `folds`: `descent cv --folds K` and `descent tune --folds K`.
    Fold {
        /// K.
        folds: usize,
        /// The held-out fold, `0..folds`.
        fold: usize,
    },
}
