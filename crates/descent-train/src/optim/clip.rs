//! Gradient clipping by global norm.

use descent_core::{Backend, Error, Result, Scalar};

/// Scales all gradients together so that their global norm is at most `max_norm`, and
/// returns the norm before clipping.
///
/// The global norm is `‖g‖ = √(Σ_i Σ g_i²)` over every element of every gradient, summed in a
/// fixed order with [`Backend::sum_squares`]. When `‖g‖ > max_norm`, every gradient is
/// multiplied by `max_norm / ‖g‖` (so the direction is kept); otherwise nothing changes.
/// This is Pascanu, Mikolov and Bengio, "On the difficulty of training recurrent neural
/// networks" (ICML 2013), as PyTorch's `clip_grad_norm_` without its `1e-6`. Allocates
/// nothing.
///
/// When the norm is not finite (a NaN or infinite gradient, or squares that overflow), the
/// gradients are left as they are and the norm is returned, so that the caller can report
/// the divergence.
///
/// # Errors
/// [`Error::InvalidArgument`] (op `"clip_by_global_norm"`) when `max_norm` is not a positive
/// finite number; the gradients are not touched then.
///
/// # Example
/// ```
/// use descent_core::Backend;
/// use descent_ndarray::Ndarray;
/// use descent_train::optim::clip_by_global_norm;
///
/// type B = Ndarray;
/// let mut grads = vec![
///     <B as Backend<f64>>::from_col_major(2, 1, &[3.0, 4.0]).unwrap(),
///     <B as Backend<f64>>::from_col_major(1, 1, &[12.0]).unwrap(),
/// ];
/// let norm = clip_by_global_norm::<f64, B>(&mut grads, 6.5).unwrap();
/// assert_eq!(norm, 13.0);
/// assert_eq!(<B as Backend<f64>>::to_col_major(&grads[0]), vec![1.5, 2.0]);
/// assert_eq!(<B as Backend<f64>>::to_col_major(&grads[1]), vec![6.0]);
/// ```
pub fn clip_by_global_norm<T: Scalar, B: Backend<T>>(
    grads: &mut [B::Matrix],
    max_norm: T,
) -> Result<T> {
    if !(max_norm > T::ZERO && max_norm.is_finite()) {
        return Err(Error::InvalidArgument {
            op: "clip_by_global_norm",
            reason: format!("max norm must be a positive finite number, got {max_norm}"),
        });
    }
    let mut sum = T::ZERO;
    for g in grads.iter() {
        sum += B::sum_squares(g);
    }
    let norm = sum.sqrt();
    if norm.is_finite() && norm > max_norm {
        let factor = max_norm / norm;
        for g in grads.iter_mut() {
            B::scale(g, factor);
        }
    }
    Ok(norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::test_support::{assert_values, backend_tests, pair, values};

    // Values from tests/fixtures/optim/reference.py (`clip_norm`, `clip_grads`).
    const CLIP_NORM: f64 = 13.0;
    const CLIP_GRADS: [f64; 3] = [1.5, 2.0, 6.0];

    fn scales_to_max_norm<T: Scalar, B: Backend<T>>() {
        let mut grads = pair::<T, B>([3.0, 4.0, 12.0]);
        let norm = clip_by_global_norm::<T, B>(&mut grads, T::from_f64(6.5)).unwrap();
        assert_eq!(norm.to_f64(), CLIP_NORM);
        assert_values::<T>(&values::<T, B>(&grads), &CLIP_GRADS, 0.0, "clipped");
    }

    fn leaves_small_gradients_alone<T: Scalar, B: Backend<T>>() {
        for max_norm in [13.0, 100.0] {
            let mut grads = pair::<T, B>([3.0, 4.0, 12.0]);
            let norm = clip_by_global_norm::<T, B>(&mut grads, T::from_f64(max_norm)).unwrap();
            assert_eq!(norm.to_f64(), CLIP_NORM);
            assert_eq!(values::<T, B>(&grads), vec![3.0, 4.0, 12.0]);
        }
    }

    fn rejects_bad_max_norm_and_skips_non_finite<T: Scalar, B: Backend<T>>() {
        let mut grads = pair::<T, B>([3.0, 4.0, 12.0]);
        for max_norm in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = clip_by_global_norm::<T, B>(&mut grads, T::from_f64(max_norm)).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { op: "clip_by_global_norm", .. }));
        }
        assert_eq!(values::<T, B>(&grads), vec![3.0, 4.0, 12.0]);
        let mut grads = pair::<T, B>([3.0, f64::NAN, 12.0]);
        let norm = clip_by_global_norm::<T, B>(&mut grads, T::ONE).unwrap();
        assert!(!norm.is_finite());
        assert_eq!(values::<T, B>(&grads)[2], 12.0);
        let mut grads = pair::<T, B>([3.0, 4.0, f64::INFINITY]);
        let norm = clip_by_global_norm::<T, B>(&mut grads, T::ONE).unwrap();
        assert!(!norm.is_finite());
        assert_eq!(values::<T, B>(&grads)[..2], [3.0, 4.0]);
        // No gradients at all: norm 0.
        assert_eq!(clip_by_global_norm::<T, B>(&mut [], T::ONE).unwrap(), T::ZERO);
    }

    backend_tests!(
        scales_to_max_norm,
        leaves_small_gradients_alone,
        rejects_bad_max_norm_and_skips_non_finite,
    );
}
