//! The one error type of descent, shared by every backend and the trainer.

/// Everything that can go wrong in the dense math, an optimizer or a schedule.
///
/// Every variant names the operation at fault; messages are lowercase with no trailing period.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operand's shape does not fit the operation.
    #[error("{op}: shape mismatch: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// The operation, e.g. `"gemm"`.
        op: &'static str,
        /// The shape the operation needed, as (rows, cols).
        expected: (usize, usize),
        /// The shape it was given.
        got: (usize, usize),
    },
    /// A slice's length does not fit the shape it is meant to fill.
    #[error("{op}: length mismatch: expected {expected} elements, got {got}")]
    LengthMismatch {
        /// The operation, e.g. `"from_col_major"`.
        op: &'static str,
        /// The number of elements the shape needs.
        expected: usize,
        /// The number of elements given.
        got: usize,
    },
    /// An index is outside the matrix.
    #[error("{op}: index {index} out of bounds for length {len}")]
    IndexOutOfBounds {
        /// The operation, e.g. `"gather_cols"`.
        op: &'static str,
        /// The offending index.
        index: usize,
        /// The number of valid indices.
        len: usize,
    },
    /// A setting or argument is outside its valid range.
    #[error("{op}: invalid argument: {reason}")]
    InvalidArgument {
        /// The operation or setting, e.g. `"adam"`.
        op: &'static str,
        /// What is wrong, in words.
        reason: String,
    },
    /// Training produced a NaN or infinite cost, gradient or parameter.
    #[error("training diverged at epoch {epoch}, batch {batch}: {what} is not finite")]
    Diverged {
        /// The epoch (counting from 0).
        epoch: usize,
        /// The mini-batch within the epoch (counting from 0).
        batch: usize,
        /// What turned non-finite: `"cost"`, `"gradient"` or `"parameter"`.
        what: &'static str,
    },
}

/// `Result` with descent's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns `Ok(())` when `got == expected`, else a [`Error::ShapeMismatch`] naming `op`.
pub fn check_shape(op: &'static str, expected: (usize, usize), got: (usize, usize)) -> Result<()> {
    if expected == got { Ok(()) } else { Err(Error::ShapeMismatch { op, expected, got }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_op_and_both_shapes() {
        let err = check_shape("gemm", (2, 3), (3, 2)).unwrap_err();
        assert_eq!(err.to_string(), "gemm: shape mismatch: expected (2, 3), got (3, 2)");
        assert!(check_shape("gemm", (1, 1), (1, 1)).is_ok());
    }
}
